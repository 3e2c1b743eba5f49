// SPDX-License-Identifier: MIT
// analyzer/triage.c: every analysis on one dump, a headline, the findings.
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/progress.h"
#include "triage.h"
#include "util/text.h"
#include "vmca.h"

#define DEFAULT_LOG_LINES 20
// A cache's unreferenced objects that make a leak finding: this many, or
// this much memory (an idle kernel shows a handful: sysctl tables).
#define LEAK_MIN_OBJECTS 100
#define LEAK_MIN_BYTES	 (UINT64_C(1) << 20)

static const char *const kind_names[VMCA_TRIAGE_NR_KINDS] = {
	[VMCA_TRIAGE_PANIC] = "panic",
	[VMCA_TRIAGE_OOM] = "oom",
	[VMCA_TRIAGE_LEAK] = "leak",
	[VMCA_TRIAGE_FRAGMENTATION] = "fragmentation",
	[VMCA_TRIAGE_TAINT] = "taint",
};

const char *vmca_triage_kind_name(enum vmca_triage_kind kind)
{
	return kind < VMCA_TRIAGE_NR_KINDS ? kind_names[kind] : "?";
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct vmca_triage_step *step_begin(struct vmca_triage *t,
					   const char *name, double *t0)
{
	struct vmca_triage_step *st = &t->steps[t->nr_steps++];
	st->name = name;
	*t0 = now_s();
	return st;
}

static void step_end(struct vmca_triage_step *st, double t0,
		     struct vmca_error *err)
{
	st->seconds = now_s() - t0;
	st->err = err;
}

static void add_finding(struct vmca_triage *t, enum vmca_triage_kind kind,
			const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void add_finding(struct vmca_triage *t, enum vmca_triage_kind kind,
			const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *text = NULL;
	if (vasprintf(&text, fmt, ap) < 0)
		text = NULL;
	va_end(ap);
	if (!text)
		return;
	struct vmca_triage_finding *f =
		realloc(t->findings, (t->nr_findings + 1) * sizeof(*f));
	if (!f) {
		free(text);
		return;
	}
	t->findings = f;
	t->findings[t->nr_findings++] =
		(struct vmca_triage_finding){.kind = kind, .summary = text};
}

bool vmca_triage_has(const struct vmca_triage *t, enum vmca_triage_kind kind)
{
	for (size_t i = 0; i < t->nr_findings; i++) {
		if (t->findings[i].kind == kind)
			return true;
	}
	return false;
}

static bool is_crash(enum vmca_crash_kind k)
{
	return k != VMCA_CRASH_NONE && k != VMCA_CRASH_SYSRQ;
}

/* The analyses. */

static void run_crash(struct vmca_session *s, struct vmca_triage *t)
{
	double t0;
	struct vmca_triage_step *st = step_begin(t, "crash", &t0);
	struct vmca_error *err = vmca_crash_analyze(s, &t->crash);
	step_end(st, t0, err);
	if (err || !is_crash(t->crash->kind))
		return;
	// panic_on_oom's panic is a panic too; the OOM finding follows
	// from the OOM killer's state.
	add_finding(t, VMCA_TRIAGE_PANIC, "%s", t->crash->headline);
}

static void run_oom(struct vmca_session *s, struct vmca_triage *t)
{
	double t0;
	struct vmca_triage_step *st = step_begin(t, "oom", &t0);
	struct vmca_error *err = vmca_oom_analyze(s, &t->oom);
	step_end(st, t0, err);
	if (err || !t->oom->has_control)
		return;
	const struct vmca_oom *o = t->oom;
	char choice[128] = "";
	if (o->has_choice)
		vmca_strf(choice, sizeof(choice),
			  "; the OOM killer would choose %s (pid %" PRIu64
			  ", %" PRId64 " points)",
			  o->candidates[o->choice].comm,
			  o->candidates[o->choice].pid,
			  o->candidates[o->choice].points);
	add_finding(t, VMCA_TRIAGE_OOM,
		    "an OOM in progress: %s%s%s, order %d%s",
		    o->constraint[0] ? o->constraint : "?",
		    o->memcg_path[0] ? " in memcg " : "", o->memcg_path,
		    o->order, choice);
}

// The leak findings: each kind's orphans, each cache's many unreferenced.
static void leak_findings(struct vmca_triage *t)
{
	const struct vmca_leak *l = t->leak;
	for (size_t k = 0; k < l->nr_orphans; k++) {
		const struct vmca_leak_orphans *o = &l->orphans[k];
		if (o->skipped || !o->count)
			continue;
		// What tells a legitimately held cred or mm from a leaked one
		// (an open file's f_cred, poking_mm) is the scan's holders:
		// without it only tasks (in flight told apart by their RCU
		// callback and state) make a finding.
		if (!l->scan.has_run && strcmp(o->kind, "task_struct") != 0)
			continue;
		char who[160] = "";
		if (o->nr_by_pattern)
			vmca_strf(who, sizeof(who),
				  ", most %s %s (%" PRIu64 ")",
				  o->by_pattern[0].comm, o->by_pattern[0].state,
				  o->by_pattern[0].count);
		char held[200] = "";
		for (size_t i = 0; i < o->nr_objects && !held[0]; i++) {
			const struct vmca_leak_object *ob = &o->objects[i];
			if (!ob->explained && ob->nr_holders)
				vmca_strf(held, sizeof(held), "; held by %s",
					  ob->holders[0].where);
		}
		add_finding(t, VMCA_TRIAGE_LEAK,
			    "%" PRIu64
			    " orphaned %s (%.1f MB) owned by no task%s%s",
			    o->count, o->kind,
			    (double)o->memory_bytes / (1024.0 * 1024.0), who,
			    held);
	}
	for (size_t i = 0; i < l->nr_unreferenced; i++) {
		const struct vmca_leak_unreferenced *u = &l->unreferenced[i];
		if (u->count < LEAK_MIN_OBJECTS &&
		    u->memory_bytes < LEAK_MIN_BYTES)
			continue;
		char what[300] = "";
		const struct vmca_leak_group *g =
			u->nr_groups ? &u->groups[0] : NULL;
		if (g && g->alloc.has_track)
			vmca_strf(what, sizeof(what),
				  ", %" PRIu64 " allocated at %s", g->count,
				  g->alloc.symbol);
		else if (g && g->has_first_word)
			vmca_strf(what, sizeof(what),
				  ", %" PRIu64 " with first word %#" PRIx64
				  "%s%s%s",
				  g->count, g->first_word,
				  g->text[0] ? " (\"" : "", g->text,
				  g->text[0] ? "\")" : "");
		add_finding(t, VMCA_TRIAGE_LEAK,
			    "%" PRIu64
			    " unreferenced %s objects (%.1f MB) nothing "
			    "points to%s",
			    u->count, u->cache,
			    (double)u->memory_bytes / (1024.0 * 1024.0), what);
	}
}

static void run_leaks(struct vmca_session *s,
		      const struct vmca_triage_options *opts,
		      struct vmca_triage *t)
{
	double t0;
	struct vmca_triage_step *st = step_begin(t, "leaks", &t0);
	struct vmca_leak_options lo = {.scan = opts->scan};
	struct vmca_error *err = vmca_leak_analyze(s, &lo, &t->leak);
	step_end(st, t0, err);
	if (!err)
		leak_findings(t);
}

static void run_buddy(struct vmca_session *s, struct vmca_triage *t)
{
	double t0;
	struct vmca_triage_step *st = step_begin(t, "buddy", &t0);
	struct vmca_buddy b = {.mark = VMCA_BUDDY_MARK_MIN};
	vmca_strf(b.highest_zone, sizeof(b.highest_zone), "Normal");
	struct vmca_error *err = vmca_buddy_read(s, &b);
	if (!err) {
		t->zones = calloc(b.zones.len ? b.zones.len : 1,
				  sizeof(*t->zones));
		if (!t->zones)
			err = &vmca_enomem;
	}
	for (size_t i = 0; !err && i < b.zones.len; i++) {
		const struct vmca_buddy_zone *zi = &b.zones.data[i];
		if (zi->err || !zi->managed)
			continue;
		struct vmca_triage_zone *z = &t->zones[t->nr_zones++];
		z->nid = zi->nid;
		vmca_strf(z->name, sizeof(z->name), "%s", zi->name);
		z->free_pages =
			zi->free_pages > 0 ? (uint64_t)zi->free_pages : 0;
		z->largest_free_order = vmca_buddy_largest_free_order(&b, zi);
		z->nr_orders = b.l.nr_orders < VMCA_BUDDY_MAX_ORDERS
				       ? b.l.nr_orders
				       : VMCA_BUDDY_MAX_ORDERS;
		memcpy(z->nr_free, zi->nr_free,
		       z->nr_orders * sizeof(z->nr_free[0]));
		for (uint32_t o = 0; o < b.l.nr_orders && o < 64; o++) {
			struct vmca_buddy_verdict v =
				vmca_buddy_watermark_test(&b, zi, o);
			if (v.ok)
				continue;
			if (!z->failing_orders)
				vmca_buddy_verdict_reason(&b, zi, o, &v,
							  z->reason,
							  sizeof(z->reason));
			z->failing_orders |= UINT64_C(1) << o;
		}
		if (z->failing_orders) {
			int lowest = __builtin_ctzll(z->failing_orders);
			add_finding(t, VMCA_TRIAGE_FRAGMENTATION,
				    "node %u zone %s: order %d and above fail "
				    "the watermark test (largest free block "
				    "order %d)",
				    z->nid, z->name, lowest,
				    z->largest_free_order);
		}
	}
	vmca_buddy_deinit(&b);
	step_end(st, t0, err);
}

static void run_modules(struct vmca_session *s, struct vmca_triage *t)
{
	double t0;
	struct vmca_triage_step *st = step_begin(t, "modules", &t0);
	const struct vmca_module *mods;
	size_t n;
	struct vmca_error *err = vmca_modules(s, &mods, &n);
	if (!err) {
		t->tainted = calloc(n ? n : 1, sizeof(*t->tainted));
		if (!t->tainted)
			err = &vmca_enomem;
	}
	char names[256] = "";
	size_t len = 0;
	for (size_t i = 0; !err && i < n; i++) {
		if (!mods[i].taints)
			continue;
		struct vmca_triage_module *m = &t->tainted[t->nr_tainted++];
		vmca_strf(m->name, sizeof(m->name), "%s", mods[i].name);
		vmca_strf(m->flags, sizeof(m->flags), "%s", mods[i].flags);
		if (len + strlen(m->name) + strlen(m->flags) + 8 <
		    sizeof(names))
			len += (size_t)snprintf(
				names + len, sizeof(names) - len, "%s%s(%s)",
				len ? ", " : "", m->name, m->flags);
	}
	if (t->nr_tainted)
		add_finding(t, VMCA_TRIAGE_TAINT, "%zu tainting module%s: %s",
			    t->nr_tainted, t->nr_tainted == 1 ? "" : "s",
			    names);
	step_end(st, t0, err);
}

static void run_log(struct vmca_session *s,
		    const struct vmca_triage_options *opts,
		    struct vmca_triage *t)
{
	double t0;
	struct vmca_triage_step *st = step_begin(t, "log", &t0);
	struct vmca_printk_log log;
	struct vmca_error *err = vmca_printk_read(s, &log);
	if (err) {
		step_end(st, t0, err);
		return;
	}
	size_t want = opts->log_lines ? opts->log_lines : DEFAULT_LOG_LINES;
	size_t n = log.records.len, first = n > want ? n - want : 0;
	t->log = calloc(n - first ? n - first : 1, sizeof(char *));
	if (!t->log) {
		err = &vmca_enomem;
	} else {
		for (size_t i = first; i < n; i++) {
			const struct vmca_printk_record *r =
				&log.records.data[i];
			char *line = NULL;
			if (asprintf(&line, "[%5" PRIu64 ".%06" PRIu64 "] %s",
				     r->ts_ns / 1000000000,
				     r->ts_ns % 1000000000 / 1000,
				     r->text ? r->text : "") < 0)
				continue;
			t->log[t->nr_log++] = line;
		}
	}
	vmca_printk_log_deinit(&log);
	step_end(st, t0, err);
}

/* The headline. */

static void make_headline(struct vmca_triage *t)
{
	char rest[512] = "";
	// The leak that matters most: the first orphan finding, else the
	// largest unreferenced cache.
	for (size_t i = 0; i < t->nr_findings && !rest[0]; i++) {
		if (t->findings[i].kind == VMCA_TRIAGE_LEAK)
			vmca_strf(rest, sizeof(rest), "; %s",
				  t->findings[i].summary);
	}
	const struct vmca_crash *c = t->crash;
	if (c && is_crash(c->kind)) {
		char extra[160] = "";
		if (c->kind == VMCA_CRASH_OOM && t->oom &&
		    t->oom->has_control && t->oom->constraint[0])
			vmca_strf(extra, sizeof(extra), " [%s]",
				  t->oom->constraint);
		vmca_strf(t->headline, sizeof(t->headline), "%s%s%s",
			  c->headline, extra, rest);
		return;
	}
	char failed[320] = "";
	if (!c && t->nr_steps && t->steps[0].err)
		vmca_strf(failed, sizeof(failed),
			  "crash not known: its analysis failed: %s",
			  t->steps[0].err->message);
	const char *why = failed[0] ? failed
			  : !c	    ? "no crash found"
			  : c->kind == VMCA_CRASH_SYSRQ
				  ? "no crash: dump taken "
				    "on request (sysrq)"
				  : "no crash: dump taken "
				    "on request";
	for (size_t i = 0; i < t->nr_findings && !rest[0]; i++) {
		if (t->findings[i].kind == VMCA_TRIAGE_OOM)
			vmca_strf(rest, sizeof(rest), "; %s",
				  t->findings[i].summary);
	}
	vmca_strf(t->headline, sizeof(t->headline), "%s%s", why, rest);
}

// An analysis that ran past opts->timeout: its error is the timeout, its
// partial result and the findings it added are dropped.
static void drop_expired(struct vmca_session *s, struct vmca_triage *t,
			 size_t nr_findings)
{
	if (!vmca_session_expired(s) || !t->nr_steps)
		return;
	struct vmca_triage_step *st = &t->steps[t->nr_steps - 1];
	vmca_error_destroy(st->err);
	st->err = vmca_session_timeout_error(s);
	while (t->nr_findings > nr_findings)
		free(t->findings[--t->nr_findings].summary);
	if (!strcmp(st->name, "crash")) {
		vmca_crash_destroy(t->crash);
		t->crash = NULL;
	} else if (!strcmp(st->name, "oom")) {
		vmca_oom_destroy(t->oom);
		t->oom = NULL;
	} else if (!strcmp(st->name, "leaks")) {
		vmca_leak_destroy(t->leak);
		t->leak = NULL;
	} else if (!strcmp(st->name, "buddy")) {
		free(t->zones);
		t->zones = NULL;
		t->nr_zones = 0;
	} else if (!strcmp(st->name, "modules")) {
		free(t->tainted);
		t->tainted = NULL;
		t->nr_tainted = 0;
	} else if (!strcmp(st->name, "log")) {
		vmca_strv_free(t->log, t->nr_log);
		t->log = NULL;
		t->nr_log = 0;
	}
}

struct vmca_error *vmca_triage_run(struct vmca_session *s,
				   const struct vmca_triage_options *opts,
				   struct vmca_triage **ret)
{
	struct vmca_triage *t = calloc(1, sizeof(*t));
	if (!t)
		return &vmca_enomem;
	struct vmca_progress progress;
	vmca_progress_begin(&progress, "triage", VMCA_TRIAGE_NR_STEPS);
	for (int i = 0; i < VMCA_TRIAGE_NR_STEPS; i++) {
		size_t nr_findings = t->nr_findings;
		vmca_session_set_deadline(s, opts->timeout);
		switch (i) {
		case 0:
			run_crash(s, t);
			break;
		case 1:
			run_oom(s, t);
			break;
		case 2:
			run_leaks(s, opts, t);
			break;
		case 3:
			run_buddy(s, t);
			break;
		case 4:
			run_modules(s, t);
			break;
		default:
			run_log(s, opts, t);
			break;
		}
		drop_expired(s, t, nr_findings);
		vmca_session_set_deadline(s, 0);
		vmca_progress_update(&progress, (uint64_t)i + 1);
	}
	vmca_progress_end(&progress);
	make_headline(t);
	*ret = t;
	return NULL;
}

void vmca_triage_destroy(struct vmca_triage *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nr_findings; i++)
		free(t->findings[i].summary);
	free(t->findings);
	for (size_t i = 0; i < t->nr_steps; i++)
		vmca_error_destroy(t->steps[i].err);
	vmca_crash_destroy(t->crash);
	vmca_oom_destroy(t->oom);
	vmca_leak_destroy(t->leak);
	free(t->zones);
	free(t->tainted);
	vmca_strv_free(t->log, t->nr_log);
	free(t);
}

// SPDX-License-Identifier: MIT
// plugins/triage.c: every analysis on the dump in one report, the headline
// first (analyzer/triage.c); --fail-on sets the exit status by finding.
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util/text.h"
#include "vmca.h"

// Exit statuses of --fail-on (0: no selected finding; 1 error; 2 usage).
enum {
	EXIT_PANIC = 3,
	EXIT_OOM = 4,
	EXIT_LEAK = 5,
	EXIT_FRAGMENTATION = 6,
};

struct style {
	bool is_color;
};

// text in a style, where the terminal wants colours (the writer's text
// never carries an escape sequence of its own).
static void styled(struct vmca_out *out, const struct style *st,
		   enum vmca_out_style style, const char *text)
{
	if (st->is_color)
		vmca_out_text_style(out, style);
	vmca_out_textf(out, "%s", text);
	if (st->is_color)
		vmca_out_text_style(out, VMCA_OUT_STYLE_RESET);
}

static double mb(uint64_t bytes)
{
	return (double)bytes / (1024.0 * 1024.0);
}

static void str_or_null(struct vmca_out *out, const char *key, const char *v)
{
	if (v && v[0])
		vmca_out_str(out, key, v);
	else
		vmca_out_null(out, key);
}

static void section(struct vmca_out *out, const struct style *st,
		    const char *title)
{
	vmca_out_textf(out, "\n");
	styled(out, st, VMCA_OUT_STYLE_BOLD, title);
	vmca_out_textf(out, "\n");
}

static void crash_out(struct vmca_session *s, struct vmca_out *out,
		      const struct style *st, const struct vmca_crash *c)
{
	if (!c) {
		vmca_out_null(out, "crash");
		vmca_out_null(out, "backtrace");
		return;
	}
	vmca_out_begin_object(out, "crash", VMCA_OUT_TEXT_CUSTOM);
	vmca_out_str(out, "kind", vmca_crash_kind_name(c->kind));
	vmca_out_str(out, "headline", c->headline);
	str_or_null(out, "message", c->message);
	if (c->task || c->pid) {
		vmca_out_u64(out, "pid", c->pid);
		str_or_null(out, "comm", c->comm);
	} else {
		vmca_out_null(out, "pid");
		vmca_out_null(out, "comm");
	}
	if (c->has_cpu)
		vmca_out_u64(out, "cpu", c->cpu);
	else
		vmca_out_null(out, "cpu");
	if (c->has_fault_frame) {
		vmca_out_addr(out, "rip", c->rip);
		str_or_null(out, "function", c->function);
		str_or_null(out, "module", c->module);
		str_or_null(out, "source", c->source);
		str_or_null(out, "instruction", c->instruction);
	} else {
		vmca_out_null(out, "rip");
		vmca_out_null(out, "function");
		vmca_out_null(out, "module");
		vmca_out_null(out, "source");
		vmca_out_null(out, "instruction");
	}
	str_or_null(out, "member", c->member);
	str_or_null(out, "origin", c->origin.expression);
	str_or_null(out, "bad_value", c->bad_value);
	vmca_out_end_object(out);
	section(out, st, "CRASH");
	vmca_out_textf(out, "  kind %s%s%s\n", vmca_crash_kind_name(c->kind),
		       c->message ? ": " : "", c->message ? c->message : "");
	if (c->task || c->pid)
		vmca_out_textf(out, "  task %" PRIu64 " (%s)%s", c->pid,
			       vmca_out_line(out, c->comm),
			       c->has_cpu ? " on CPU " : "");
	if (c->has_cpu)
		vmca_out_textf(out, "%u", c->cpu);
	if (c->task || c->pid)
		vmca_out_textf(out, "\n");
	if (c->has_fault_frame)
		vmca_out_textf(out,
			       "  at %#" PRIx64 " %s+%#" PRIx64 "%s%s%s%s%s\n",
			       c->rip, c->function, c->offset,
			       c->module[0] ? " [" : "", c->module,
			       c->module[0] ? "]" : "",
			       c->source[0] ? " at " : "", c->source);
	if (c->instruction[0])
		vmca_out_textf(out, "  instruction %s\n", c->instruction);
	if (c->origin.expression[0])
		vmca_out_textf(out, "  the pointer came from %s\n",
			       c->origin.expression);
	if (c->bad_value[0])
		vmca_out_textf(out, "  %s\n", c->bad_value);
	if (!c->trace) {
		vmca_out_null(out, "backtrace");
		return;
	}
	section(out, st, "BACKTRACE");
	struct vmca_trace_printer *p;
	struct vmca_error *err = vmca_trace_printer_create(s, out, 0, &p);
	if (err) {
		vmca_out_error(out, "backtrace", err);
		vmca_out_textf(out, "  ? (%s)\n", err->message);
		vmca_error_destroy(err);
		return;
	}
	vmca_trace_print_frames(p, "backtrace", c->trace);
	vmca_trace_printer_destroy(p);
}

static void oom_out(struct vmca_out *out, const struct style *st,
		    const struct vmca_oom *o)
{
	if (!o || !o->has_control) {
		vmca_out_null(out, "oom");
		return;
	}
	vmca_out_begin_object(out, "oom", VMCA_OUT_TEXT_CUSTOM);
	vmca_out_addr(out, "oom_control", o->control);
	str_or_null(out, "constraint", o->constraint);
	str_or_null(out, "memcg", o->memcg_path);
	vmca_out_i64(out, "order", o->order);
	vmca_out_u64(out, "gfp_mask", o->gfp_mask);
	vmca_out_u64(out, "totalpages", o->totalpages);
	vmca_out_begin_list(out, "candidates", VMCA_OUT_TEXT_CUSTOM);
	section(out, st, "OOM");
	vmca_out_textf(out,
		       "  %s%s%s, order %d, gfp_mask %#x, totalpages %" PRIu64
		       "\n",
		       o->constraint[0] ? o->constraint : "?",
		       o->memcg_path[0] ? " in memcg " : "", o->memcg_path,
		       o->order, o->gfp_mask, o->totalpages);
	for (size_t i = 0; i < o->nr_candidates && i < 5; i++) {
		const struct vmca_oom_candidate *c = &o->candidates[i];
		vmca_out_begin_object(out, NULL, VMCA_OUT_TEXT_CUSTOM);
		vmca_out_u64(out, "pid", c->pid);
		vmca_out_str(out, "comm", c->comm);
		vmca_out_i64(out, "points", c->points);
		str_or_null(out, "excluded", c->excluded);
		vmca_out_bool(out, "chosen", o->has_choice && o->choice == i);
		vmca_out_end_object(out);
		vmca_out_textf(out,
			       "  %c %7" PRIu64 " %-16s %10" PRId64 "%s%s\n",
			       o->has_choice && o->choice == i ? '>' : ' ',
			       c->pid, vmca_out_line(out, c->comm), c->points,
			       c->excluded ? "  excluded: " : "",
			       c->excluded ? c->excluded : "");
	}
	vmca_out_end_list(out);
	vmca_out_end_object(out);
}

static void memory_out(struct vmca_out *out, const struct style *st,
		       const struct vmca_leak *l)
{
	vmca_out_begin_object(out, "memory", VMCA_OUT_TEXT_CUSTOM);
	vmca_out_u64(out, "mem_total_bytes", l->mem_total);
	vmca_out_begin_list(out, "parts", VMCA_OUT_TEXT_CUSTOM);
	section(out, st, "MEMORY");
	vmca_out_textf(out, "  MemTotal %.1f MB\n", mb(l->mem_total));
	for (size_t i = 0; i < l->nr_parts; i++) {
		const struct vmca_leak_part *p = &l->parts[i];
		vmca_out_begin_object(out, NULL, VMCA_OUT_TEXT_CUSTOM);
		vmca_out_str(out, "name", p->name);
		if (p->is_known)
			vmca_out_u64(out, "bytes", p->bytes);
		else
			vmca_out_null(out, "bytes");
		vmca_out_end_object(out);
		if (p->is_known && p->bytes)
			vmca_out_textf(out, "  %-48s %10.1f MB\n", p->label,
				       mb(p->bytes));
	}
	vmca_out_end_list(out);
	vmca_out_end_object(out);
	vmca_out_begin_list(out, "caches", VMCA_OUT_TEXT_CUSTOM);
	vmca_out_textf(out, "  top slab caches:");
	for (size_t i = 0; i < l->nr_caches && i < 5; i++) {
		const struct vmca_leak_cache *c = &l->caches[i];
		vmca_out_begin_object(out, NULL, VMCA_OUT_TEXT_CUSTOM);
		vmca_out_str(out, "name", c->name);
		vmca_out_u64(out, "memory_bytes", c->memory_bytes);
		vmca_out_bool(out, "reclaimable", c->is_reclaimable);
		vmca_out_bool(out, "flagged", c->is_flagged);
		vmca_out_end_object(out);
		vmca_out_textf(out, "%s %s%s %.1f MB", i ? "," : "", c->name,
			       c->is_flagged ? "*" : "", mb(c->memory_bytes));
	}
	vmca_out_textf(out, "\n");
	vmca_out_end_list(out);
}

static void leaks_out(struct vmca_out *out, const struct style *st,
		      const struct vmca_leak *l)
{
	vmca_out_begin_object(out, "leaks", VMCA_OUT_TEXT_CUSTOM);
	vmca_out_begin_object(out, "orphans", VMCA_OUT_TEXT_CUSTOM);
	section(out, st, "LEAKS");
	for (size_t k = 0; k < l->nr_orphans; k++) {
		const struct vmca_leak_orphans *o = &l->orphans[k];
		vmca_out_begin_object(out, o->kind, VMCA_OUT_TEXT_CUSTOM);
		vmca_out_u64(out, "count", o->count);
		vmca_out_u64(out, "memory_bytes", o->memory_bytes);
		vmca_out_u64(out, "explained", o->explained);
		str_or_null(out, "skipped", o->skipped);
		vmca_out_begin_list(out, "by_comm_pattern", 0);
		for (size_t i = 0; i < o->nr_by_pattern && i < 5; i++) {
			vmca_out_begin_object(out, NULL, 0);
			vmca_out_str(out, "comm", o->by_pattern[i].comm);
			vmca_out_str(out, "state", o->by_pattern[i].state);
			vmca_out_u64(out, "count", o->by_pattern[i].count);
			vmca_out_end_object(out);
		}
		vmca_out_end_list(out);
		vmca_out_end_object(out);
		if (o->count)
			vmca_out_textf(
				out,
				"  orphaned %s: %" PRIu64 " (%.2f MB)%s%s "
				"%s\n",
				o->kind, o->count, mb(o->memory_bytes),
				o->nr_by_pattern ? ", most " : "",
				o->nr_by_pattern ? o->by_pattern[0].comm : "",
				o->nr_by_pattern ? o->by_pattern[0].state : "");
	}
	vmca_out_end_object(out);
	vmca_out_begin_list(out, "unreferenced", VMCA_OUT_TEXT_CUSTOM);
	for (size_t i = 0; i < l->nr_unreferenced && i < 5; i++) {
		const struct vmca_leak_unreferenced *u = &l->unreferenced[i];
		vmca_out_begin_object(out, NULL, VMCA_OUT_TEXT_CUSTOM);
		vmca_out_str(out, "cache", u->cache);
		vmca_out_u64(out, "count", u->count);
		vmca_out_u64(out, "memory_bytes", u->memory_bytes);
		vmca_out_end_object(out);
		vmca_out_textf(out,
			       "  unreferenced %s: %" PRIu64
			       " objects (%.2f MB)\n",
			       u->cache, u->count, mb(u->memory_bytes));
	}
	vmca_out_end_list(out);
	vmca_out_u64(out, "unreferenced_total", l->scan.unreferenced);
	vmca_out_end_object(out);
}

static void zones_out(struct vmca_out *out, const struct style *st,
		      const struct vmca_triage *t)
{
	vmca_out_begin_list(out, "fragmentation", VMCA_OUT_TEXT_CUSTOM);
	section(out, st,
		"FRAGMENTATION (the kernel's watermark test, "
		"GFP_KERNEL at min)");
	for (size_t i = 0; i < t->nr_zones; i++) {
		const struct vmca_triage_zone *z = &t->zones[i];
		vmca_out_begin_object(out, NULL, VMCA_OUT_TEXT_CUSTOM);
		vmca_out_u64(out, "node", z->nid);
		vmca_out_str(out, "zone", z->name);
		vmca_out_u64(out, "free_pages", z->free_pages);
		vmca_out_i64(out, "largest_free_order", z->largest_free_order);
		vmca_out_begin_list(out, "failing_orders", 0);
		for (int o = 0; o < 64; o++) {
			if (z->failing_orders >> o & 1)
				vmca_out_i64(out, NULL, o);
		}
		vmca_out_end_list(out);
		str_or_null(out, "reason", z->reason);
		vmca_out_end_object(out);
		if (z->failing_orders)
			vmca_out_textf(out,
				       "  node %u %-8s order %d and above "
				       "fail: %s\n",
				       z->nid, z->name,
				       __builtin_ctzll(z->failing_orders),
				       z->reason);
		else
			vmca_out_textf(out,
				       "  node %u %-8s every order passes "
				       "(largest free block order %d)\n",
				       z->nid, z->name, z->largest_free_order);
	}
	vmca_out_end_list(out);
}

// The analyses, how long each took, why one failed; text unless st is
// NULL (batch's summary).
static void steps_out(struct vmca_out *out, const struct style *st,
		      const struct vmca_triage *t)
{
	vmca_out_begin_list(out, "steps", VMCA_OUT_TEXT_CUSTOM);
	if (st)
		section(out, st, "ANALYSES");
	for (size_t i = 0; i < t->nr_steps; i++) {
		const struct vmca_triage_step *sp = &t->steps[i];
		vmca_out_begin_object(out, NULL, VMCA_OUT_TEXT_CUSTOM);
		vmca_out_str(out, "name", sp->name);
		vmca_out_double(out, "seconds", sp->seconds);
		if (sp->err)
			vmca_out_error(out, "error", sp->err);
		else
			vmca_out_null(out, "error");
		vmca_out_end_object(out);
		if (st)
			vmca_out_textf(out, "  %-8s %6.3f s%s%s\n", sp->name,
				       sp->seconds, sp->err ? "  failed: " : "",
				       sp->err ? sp->err->message : "");
	}
	vmca_out_end_list(out);
}

static void tail_out(struct vmca_out *out, const struct style *st,
		     const struct vmca_triage *t)
{
	vmca_out_begin_list(out, "tainted_modules", VMCA_OUT_TEXT_CUSTOM);
	if (t->nr_tainted)
		section(out, st, "TAINTED MODULES");
	for (size_t i = 0; i < t->nr_tainted; i++) {
		vmca_out_begin_object(out, NULL, VMCA_OUT_TEXT_CUSTOM);
		vmca_out_str(out, "name", t->tainted[i].name);
		vmca_out_str(out, "flags", t->tainted[i].flags);
		vmca_out_end_object(out);
		vmca_out_textf(out, "  %s %s\n", t->tainted[i].name,
			       t->tainted[i].flags);
	}
	vmca_out_end_list(out);
	vmca_out_begin_list(out, "log", VMCA_OUT_TEXT_CUSTOM);
	if (t->nr_log)
		section(out, st, "LOG (the last lines)");
	for (size_t i = 0; i < t->nr_log; i++) {
		vmca_out_str(out, NULL, t->log[i]);
		vmca_out_textf(out, "  %s\n", t->log[i]);
	}
	vmca_out_end_list(out);
	steps_out(out, st, t);
}

static struct vmca_error *usage(void)
{
	return vmca_error_create(
		VMCA_ERROR_USAGE,
		"usage: vmca VMCORE triage "
		"[--fail-on panic|oom|leak|fragmentation|"
		"any[,...]] [--no-scan] [--summary] [--html FILE] "
		"[--color=auto|never|always] [--log-lines N] [--timeout S]");
}

static struct vmca_error *parse_fail_on(const char *arg, bool *sel)
{
	char buf[128];
	vmca_strf(buf, sizeof(buf), "%s", arg);
	char *save = NULL;
	for (char *w = strtok_r(buf, ",", &save); w;
	     w = strtok_r(NULL, ",", &save)) {
		if (!strcmp(w, "any")) {
			for (int k = 0; k <= VMCA_TRIAGE_FRAGMENTATION; k++)
				sel[k] = true;
			continue;
		}
		int k;
		for (k = 0; k <= VMCA_TRIAGE_FRAGMENTATION; k++) {
			if (!strcmp(w, vmca_triage_kind_name(
					       (enum vmca_triage_kind)k)))
				break;
		}
		if (k > VMCA_TRIAGE_FRAGMENTATION)
			return usage();
		sel[k] = true;
	}
	return NULL;
}

static struct vmca_error *
triage_run(struct vmca_session *s, struct vmca_out *out, int argc, char **argv)
{
	struct vmca_triage_options opts = {.scan = true};
	bool is_summary = false;
	const char *html = NULL;
	bool fail_on[VMCA_TRIAGE_NR_KINDS] = {false};
	struct style st = {.is_color = isatty(STDOUT_FILENO) &&
				       !vmca_out_is_json(out)};
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		uint64_t n;
		struct vmca_error *err;
		if (!strcmp(a, "--fail-on") && i + 1 < argc) {
			if ((err = parse_fail_on(argv[++i], fail_on)))
				return err;
		} else if (!strncmp(a, "--fail-on=", 10)) {
			if ((err = parse_fail_on(a + 10, fail_on)))
				return err;
		} else if (!strcmp(a, "--html") && i + 1 < argc) {
			html = argv[++i];
		} else if (!strncmp(a, "--html=", 7) && a[7]) {
			html = a + 7;
		} else if (!strcmp(a, "--summary")) {
			is_summary = true;
		} else if (!strcmp(a, "--no-scan")) {
			opts.scan = false;
		} else if (!strcmp(a, "--color=never")) {
			st.is_color = false;
		} else if (!strcmp(a, "--color=always")) {
			st.is_color = !vmca_out_is_json(out);
		} else if (!strcmp(a, "--color=auto")) {
		} else if (!strcmp(a, "--timeout") && i + 1 < argc) {
			char *end;
			opts.timeout = strtod(argv[++i], &end);
			if (*end || !(opts.timeout > 0) || opts.timeout > 1e6)
				return usage();
		} else if (!strcmp(a, "--log-lines") && i + 1 < argc &&
			   vmca_parse_u64(argv[i + 1], &n) && n && n <= 10000) {
			opts.log_lines = n;
			i++;
		} else {
			return usage();
		}
	}
	struct vmca_triage *t;
	struct vmca_error *err = vmca_triage_run(s, &opts, &t);
	if (err)
		return err;
	if (html) {
		err = vmca_report_html(s, t, html);
		if (err) {
			vmca_triage_destroy(t);
			return err;
		}
	}
	vmca_out_begin_object(out, NULL, VMCA_OUT_TEXT_CUSTOM);
	vmca_out_begin_object(out, "kernel", VMCA_OUT_TEXT_CUSTOM);
	str_or_null(out, "release", vmca_vmcoreinfo(s, "OSRELEASE"));
	str_or_null(out, "build_id", vmca_session_build_id(s));
	str_or_null(out, "dump_format", vmca_session_dump_format(s));
	vmca_out_end_object(out);
	vmca_out_str(out, "headline", t->headline);
	bool is_crash = t->crash && t->crash->kind != VMCA_CRASH_NONE &&
			t->crash->kind != VMCA_CRASH_SYSRQ;
	styled(out, &st, is_crash ? VMCA_OUT_STYLE_ALERT : VMCA_OUT_STYLE_BOLD,
	       t->headline);
	vmca_out_textf(out, "\n");
	vmca_out_begin_list(out, "findings", VMCA_OUT_TEXT_CUSTOM);
	if (t->nr_findings)
		section(out, &st, "FINDINGS");
	for (size_t i = 0; i < t->nr_findings; i++) {
		const struct vmca_triage_finding *f = &t->findings[i];
		vmca_out_begin_object(out, NULL, VMCA_OUT_TEXT_CUSTOM);
		vmca_out_str(out, "kind", vmca_triage_kind_name(f->kind));
		vmca_out_str(out, "summary", f->summary);
		vmca_out_end_object(out);
		vmca_out_textf(out, "  [%s] %s\n",
			       vmca_triage_kind_name(f->kind), f->summary);
	}
	vmca_out_end_list(out);
	if (is_summary) {
		// batch's line: the headline, the findings, the analyses.
		steps_out(out, NULL, t);
		goto end;
	}
	crash_out(s, out, &st, t->crash);
	oom_out(out, &st, t->oom);
	if (t->leak) {
		memory_out(out, &st, t->leak);
		leaks_out(out, &st, t->leak);
	} else {
		vmca_out_null(out, "memory");
		vmca_out_null(out, "caches");
		vmca_out_null(out, "leaks");
	}
	zones_out(out, &st, t);
	tail_out(out, &st, t);
end:
	vmca_out_end_object(out);
	// The exit status: the first selected finding, in this order.
	static const struct {
		enum vmca_triage_kind kind;
		int status;
	} codes[] = {{VMCA_TRIAGE_PANIC, EXIT_PANIC},
		     {VMCA_TRIAGE_OOM, EXIT_OOM},
		     {VMCA_TRIAGE_LEAK, EXIT_LEAK},
		     {VMCA_TRIAGE_FRAGMENTATION, EXIT_FRAGMENTATION}};
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		if (fail_on[codes[i].kind] &&
		    vmca_triage_has(t, codes[i].kind)) {
			vmca_session_set_exit_status(s, codes[i].status);
			break;
		}
	}
	vmca_triage_destroy(t);
	return NULL;
}

const struct vmca_plugin vmca_plugin_triage = {
	.name = "triage",
	.summary = "every analysis in one report, the headline first",
	.usage = "triage [--fail-on KINDS] [--no-scan] [--html FILE] "
		 "[--color=WHEN] [--log-lines N] [--timeout S]",
	.help = "The headline (what crashed and why in a sentence, or \"no "
		"crash: dump taken on\n"
		"request\", with the OOM or leak that matters most), the "
		"findings, then the\n"
		"evidence: the crash explained (`panic`), its backtrace, the "
		"OOM killer's state\n"
		"(`oom`), the memory breakdown and top slab caches, orphans "
		"and unreferenced\n"
		"objects (`leaks`), the zones' watermark test for every order "
		"(`buddy`), the\n"
		"tainting modules and the log's last lines. An analysis that "
		"fails says why in\n"
		"ANALYSES and the rest goes on.\n"
		"  --fail-on KINDS  exit with the status of the first finding "
		"of KINDS (comma-\n"
		"                   separated panic, oom, leak, fragmentation; "
		"any = all four):\n"
		"                   panic 3, oom 4, leak 5, fragmentation 6; 0 "
		"when none (1 is\n"
		"                   an error, 2 a usage error)\n"
		"  --no-scan        leaks without the pointer scan\n"
		"  --html FILE      also write the report as one "
		"self-contained HTML page\n"
		"                   (inline SVG charts: memory, slab caches, "
		"free pages by order)\n"
		"  --summary        the kernel, headline, findings and "
		"analyses only (batch's)\n"
		"  --color=WHEN     auto (a terminal), never, always\n"
		"  --log-lines N    the log's last N lines (default 20)\n"
		"  --timeout S      give each analysis at most S seconds: one "
		"past it fails\n"
		"                   with error code \"timeout\" (its partial "
		"result dropped)\n"
		"                   and the next one goes on\n"
		"A leak finding is orphans of any kind, or a cache with 100 or "
		"more (or 1 MB of)\n"
		"unreferenced objects.\n"
		"JSON: {\"kernel\": {\"release\", \"build_id\", "
		"\"dump_format\"}, \"headline\",\n\"findings\": [{\"kind\", "
		"\"summary\"}], "
		"\"crash\": {\"kind\",\n"
		"\"headline\", \"message\", \"pid\", \"comm\", \"cpu\", "
		"\"rip\", \"function\", \"module\",\n"
		"\"source\", \"instruction\", \"member\", \"origin\", "
		"\"bad_value\"} or null,\n"
		"\"backtrace\": [bt's frames] or null, \"oom\": "
		"{\"oom_control\", \"constraint\",\n"
		"\"memcg\", \"order\", \"gfp_mask\", \"totalpages\", "
		"\"candidates\": [{\"pid\", \"comm\",\n"
		"\"points\", \"excluded\", \"chosen\"}]} or null, \"memory\": "
		"{\"mem_total_bytes\",\n"
		"\"parts\": [{\"name\", \"bytes\"}]} or null, \"caches\": "
		"[{\"name\", "
		"\"memory_bytes\",\n"
		"\"reclaimable\", \"flagged\"}] or null, \"leaks\": "
		"{\"orphans\": "
		"{KIND: {\"count\",\n"
		"\"memory_bytes\", \"explained\", \"skipped\", "
		"\"by_comm_pattern\"}}, \"unreferenced\":\n"
		"[{\"cache\", \"count\", \"memory_bytes\"}], "
		"\"unreferenced_total\"} or null (the three: leaks failed), "
		"\"fragmentation\":\n"
		"[{\"node\", \"zone\", \"free_pages\", \"largest_free_order\", "
		"\"failing_orders\",\n"
		"\"reason\"}], \"tainted_modules\": [{\"name\", \"flags\"}], "
		"\"log\": [lines],\n"
		"\"steps\": [{\"name\", \"seconds\", \"error\"}]}.\n",
	.examples =
		"triage\tthe report: the headline, the findings, the evidence\n"
		"triage --summary --no-scan\tthe headline and findings only, "
		"without the leak scan\n"
		"triage --fail-on panic,oom\tfor CI: exit 3 on a panic, 4 on "
		"an OOM, 0 on neither\n"
		"triage --html report.html\talso the report as one "
		"self-contained page\n",
	.run = triage_run,
};

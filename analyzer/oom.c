// SPDX-License-Identifier: MIT
/** @file The OOM killer's state: its oom_control and the tasks it ranks. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../dwarf/debuginfo.h"
#include "oom.h"
#include "task.h"
#include "unwind.h"
#include "vmca.h"
#include "util/text.h"

// include/linux/sched.h's PF_KTHREAD; sched/coredump.h's MMF_OOM_SKIP;
// oom.h's OOM_SCORE_ADJ_MIN. The same on 5.10 to 6.12.
#define PF_KTHREAD	  0x00200000u
#define MMF_OOM_SKIP	  21
#define OOM_SCORE_ADJ_MIN (-1000)
// A path longer than this is cut.
#define MAX_CGROUP_DEPTH 64

__attribute__((format(printf, 2, 3))) static void note(struct vmca_oom *o,
						       const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmca_strv_vaddf(&o->notes, &o->nr_notes, fmt, ap);
	va_end(ap);
}

void vmca_oom_destroy(struct vmca_oom *o)
{
	if (!o)
		return;
	if (o->has_control)
		vmca_value_deinit(&o->value);
	free(o->candidates);
	vmca_strv_free(o->notes, o->nr_notes);
	free(o);
}

// The member at path of a struct value ("signal->oom_score_adj": each
// "->" follows a pointer), in ret (to be deinit'ed).
static bool member_value(struct vmca_session *s, const struct vmca_value *v,
			 const char *path, struct vmca_value *ret)
{
	struct vmca_value cur;
	if (!vmca_error_consume(vmca_value_copy(&cur, v)))
		return false;
	char buf[128];
	vmca_strf(buf, sizeof(buf), "%s", path);
	for (char *seg = buf; seg;) {
		char *arrow = strstr(seg, "->");
		if (arrow)
			*arrow = '\0';
		struct vmca_value next;
		bool ok = vmca_error_consume(
			vmca_value_member(s, &cur, seg, &next));
		vmca_value_deinit(&cur);
		if (!ok)
			return false;
		cur = next;
		seg = arrow ? arrow + 2 : NULL;
	}
	*ret = cur;
	return true;
}

// A member of a struct value as 64 bits (a pointer's address too).
static bool member_u64(struct vmca_session *s, const struct vmca_value *v,
		       const char *path, uint64_t *ret)
{
	struct vmca_value m;
	if (!member_value(s, v, path, &m))
		return false;
	bool ok = vmca_error_consume(vmca_value_u64(s, &m, ret));
	vmca_value_deinit(&m);
	return ok;
}

static bool member_string(struct vmca_session *s, const struct vmca_value *v,
			  const char *path, char *buf, size_t size)
{
	struct vmca_value m;
	if (!member_value(s, v, path, &m))
		return false;
	bool ok = vmca_error_consume(vmca_value_string(s, &m, buf, size));
	vmca_value_deinit(&m);
	return ok;
}

/* The oom_control in the frames. */

struct find_oc {
	uint32_t oc_type;
	bool found;
	uint64_t address;
	size_t scope;
	char function[128];
};

static void match_oc(struct vmca_session *s,
		     const struct vmca_frame_variable *v, void *arg)
{
	struct find_oc *f = arg;
	if (f->found || strcmp(v->name, "oc") != 0 ||
	    v->value.kind == VMCA_VALUE_ABSENT)
		return;
	uint32_t t = vmca_type_unqualified(s, v->value.type);
	struct vmca_type info;
	vmca_type_info(s, t, &info);
	uint64_t address;
	if (t == f->oc_type && v->value.kind == VMCA_VALUE_REFERENCE) {
		address = v->value.address;
	} else if (info.kind == VMCA_TYPE_POINTER &&
		   vmca_type_unqualified(s, info.target) == f->oc_type &&
		   vmca_error_consume(vmca_value_u64(s, &v->value, &address)) &&
		   address) {
	} else {
		return;
	}
	f->found = true;
	f->address = address;
	f->scope = v->scope;
	vmca_strf(f->function, sizeof(f->function), "%s",
		  v->function ? v->function : "");
}

// A function that has an oom_control: out_of_memory(oc) and the three
// that call it with one of their own (a compiler's .cold part included).
static bool is_oom_function(const char *name)
{
	static const char *const names[] = {
		"out_of_memory",
		"mem_cgroup_out_of_memory",
		"__alloc_pages_may_oom",
		"pagefault_out_of_memory",
	};
	size_t len = strcspn(name, ".");
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i]) == len && !memcmp(names[i], name, len))
			return true;
	return false;
}

// *needs_dwarf_ret: the frames' variables could not be read for want of
// DWARF (types from BTF), so whether an oom_control is there is unknown.
static bool find_control(struct vmca_session *s, struct vmca_oom *o,
			 uint64_t task, uint32_t oc_type, bool *needs_dwarf_ret)
{
	struct vmca_stack_trace *t;
	*needs_dwarf_ret = false;
	if (!vmca_error_consume(vmca_stack_trace(
		    s, task, NULL, VMCA_STACK_TRACE_REGISTERS, &t)))
		return false;
	struct find_oc f = {.oc_type = oc_type};
	bool is_btf = vmca_debuginfo_is_btf(vmca_session_debuginfo(s));
	for (size_t i = 0; i < t->nr_frames && !f.found; i++) {
		bool has_variables = vmca_error_consume(
			vmca_frame_variables(s, t, i, match_oc, &f));
		// Every OOM goes through out_of_memory(oc), its callers hold
		// the oom_control: the symbols tell whether this frame is
		// one (or its .cold part), its variables need DWARF.
		const struct vmca_frame *fr = &t->frames[i];
		struct vmca_symbol sym;
		if (!has_variables && is_btf &&
		    vmca_error_consume(vmca_symbol_lookup(
			    s, fr->pc - !fr->is_exact_pc, &sym)) &&
		    is_oom_function(sym.name))
			*needs_dwarf_ret = true;
		if (f.found)
			o->frame = vmca_frame_number(s, t, i, f.scope);
	}
	vmca_stack_trace_destroy(t);
	if (!f.found)
		return false;
	o->has_control = true;
	o->control = f.address;
	vmca_strf(o->function, sizeof(o->function), "%s", f.function);
	vmca_strf(o->variable, sizeof(o->variable), "oc");
	return true;
}

// The name of an enum's value, "" if none.
static void enum_name(struct vmca_session *s, uint32_t type, int64_t value,
		      char *buf, size_t size)
{
	struct vmca_type t;
	type = vmca_type_unqualified(s, type);
	vmca_type_info(s, type, &t);
	buf[0] = '\0';
	for (uint32_t i = 0; t.kind == VMCA_TYPE_ENUM && i < t.count; i++) {
		const char *name;
		int64_t v;
		vmca_type_enumerator_at(s, type, i, &name, &v);
		if (v == value) {
			vmca_strf(buf, size, "%s", name);
			return;
		}
	}
}

// gfp_mask's flags by name, from gfp_types.h's ___GFP_*_BIT enum (v6.3+):
// older kernels' DWARF names no bits.
static void gfp_names(struct vmca_session *s, uint32_t mask, char *buf,
		      size_t size)
{
	uint32_t type;
	int64_t v;
	buf[0] = '\0';
	if (!vmca_error_consume(
		    vmca_type_enumerator(s, "___GFP_IO_BIT", &type, &v)))
		return;
	struct vmca_type t;
	vmca_type_info(s, type, &t);
	size_t n = 0;
	for (uint32_t i = 0; i < t.count; i++) {
		const char *name;
		vmca_type_enumerator_at(s, type, i, &name, &v);
		size_t len = strlen(name);
		if (v < 0 || v >= 32 || !(mask >> v & 1) ||
		    strncmp(name, "___GFP_", 7) != 0 || len < 11 ||
		    strcmp(name + len - 4, "_BIT") != 0)
			continue;
		// ___GFP_IO_BIT -> __GFP_IO
		vmca_strf(buf + n, size - n, "%s__GFP_%.*s", n ? "|" : "",
			  (int)(len - 11), name + 7);
		n = strlen(buf);
	}
}

static void decode_control(struct vmca_session *s, struct vmca_oom *o,
			   uint32_t oc_type)
{
	vmca_value_init_reference(&o->value, oc_type, o->control);
	const struct vmca_value *v = &o->value;
	uint64_t x;
	if (member_u64(s, v, "memcg", &x))
		o->memcg = x;
	if (member_u64(s, v, "gfp_mask", &x)) {
		o->gfp_mask = (uint32_t)x;
		gfp_names(s, o->gfp_mask, o->gfp_flags, sizeof(o->gfp_flags));
	}
	if (member_u64(s, v, "order", &x))
		o->order = (int32_t)x;
	if (member_u64(s, v, "totalpages", &x))
		o->totalpages = x;
	if (member_u64(s, v, "chosen", &x))
		o->chosen = x;
	if (member_u64(s, v, "chosen_points", &x))
		o->chosen_points = (int64_t)x;
	if (member_u64(s, v, "nodemask", &x))
		o->nodemask = x;
	struct vmca_value c;
	if (vmca_error_consume(vmca_value_member(s, v, "constraint", &c))) {
		uint64_t cv;
		if (vmca_error_consume(vmca_value_u64(s, &c, &cv)))
			enum_name(s, c.type, (int64_t)cv, o->constraint,
				  sizeof(o->constraint));
		vmca_value_deinit(&c);
	}
}

/* The memcg. */

// The cgroup path of a css ("/vmca"), through its cgroup's kernfs nodes.
static void cgroup_path(struct vmca_session *s, uint64_t css, char *buf,
			size_t size)
{
	uint32_t css_type, kn_type;
	buf[0] = '\0';
	if (!vmca_error_consume(
		    vmca_type(s, "struct cgroup_subsys_state", &css_type)) ||
	    !vmca_error_consume(vmca_type(s, "struct kernfs_node", &kn_type)))
		return;
	struct vmca_value v;
	vmca_value_init_reference(&v, css_type, css);
	uint64_t kn;
	bool ok = member_u64(s, &v, "cgroup", &kn);
	vmca_value_deinit(&v);
	struct vmca_value cg;
	uint32_t cg_type;
	if (!ok || !vmca_error_consume(vmca_type(s, "struct cgroup", &cg_type)))
		return;
	vmca_value_init_reference(&cg, cg_type, kn);
	ok = member_u64(s, &cg, "kn", &kn);
	vmca_value_deinit(&cg);
	char names[MAX_CGROUP_DEPTH][64];
	int depth = 0;
	while (ok && kn && depth < MAX_CGROUP_DEPTH) {
		struct vmca_value k;
		vmca_value_init_reference(&k, kn_type, kn);
		if (!member_string(s, &k, "name", names[depth],
				   sizeof(names[depth])))
			names[depth][0] = '\0';
		uint64_t parent = 0;
		ok = member_u64(s, &k, "parent", &parent);
		vmca_value_deinit(&k);
		depth++;
		kn = parent;
	}
	// The root's node has no name: "/" then each name below it.
	size_t n = 0;
	for (int i = depth - 2; i >= 0; i--) {
		vmca_strf(buf + n, size - n, "/%s", names[i]);
		n = strlen(buf);
	}
	if (!n)
		vmca_strf(buf, size, "/");
}

static void describe_memcg(struct vmca_session *s, struct vmca_oom *o)
{
	cgroup_path(s, o->memcg, o->memcg_path, sizeof(o->memcg_path));
	uint32_t t;
	if (!vmca_error_consume(vmca_type(s, "struct mem_cgroup", &t)))
		return;
	struct vmca_value m;
	vmca_value_init_reference(&m, t, o->memcg);
	uint64_t usage, max;
	if (member_u64(s, &m, "memory.usage.counter", &usage) &&
	    member_u64(s, &m, "memory.max", &max)) {
		o->has_memcg_counters = true;
		o->memcg_usage_pages = usage;
		o->memcg_limit_pages = max;
	}
	vmca_value_deinit(&m);
}

/* The candidates. */

struct rank {
	struct vmca_oom *o;
	uint32_t task_type, mm_type;
	int64_t memory_cgrp_id;
	bool has_memory_cgrp_id;
	int64_t mm_counter[4];
	bool has_counters;
	/** 5.10/6.1: rss_stat.count[i]; 6.2+: rss_stat[i].count. */
	bool is_percpu_rss;
	uint64_t page_size;
	size_t capacity;
};

// Whether the task's memory cgroup is memcg or below it.
static bool in_memcg(struct vmca_session *s, struct rank *r,
		     const struct vmca_value *task, uint64_t memcg)
{
	char path[64];
	vmca_strf(path, sizeof(path), "cgroups->subsys[%" PRId64 "]",
		  r->memory_cgrp_id);
	uint64_t css;
	if (!member_u64(s, task, path, &css))
		return false;
	uint32_t css_type;
	if (!vmca_error_consume(
		    vmca_type(s, "struct cgroup_subsys_state", &css_type)))
		return false;
	for (int depth = 0; css && depth < MAX_CGROUP_DEPTH; depth++) {
		// struct mem_cgroup starts with its css.
		if (css == memcg)
			return true;
		struct vmca_value v;
		vmca_value_init_reference(&v, css_type, css);
		uint64_t parent = 0;
		bool ok = member_u64(s, &v, "parent", &parent);
		vmca_value_deinit(&v);
		if (!ok)
			return false;
		css = parent;
	}
	return false;
}

static bool mm_counter(struct vmca_session *s, struct rank *r,
		       const struct vmca_value *mm, int which, uint64_t *ret)
{
	char path[64];
	if (r->is_percpu_rss)
		vmca_strf(path, sizeof(path), "rss_stat[%" PRId64 "].count",
			  r->mm_counter[which]);
	else
		vmca_strf(path, sizeof(path),
			  "rss_stat.count[%" PRId64 "].counter",
			  r->mm_counter[which]);
	uint64_t v;
	if (!member_u64(s, mm, path, &v))
		return false;
	// get_mm_counter() reads the approximate count, never below 0.
	*ret = (int64_t)v < 0 ? 0 : v;
	return true;
}

static struct vmca_error *each_task(struct vmca_session *s,
				    const struct vmca_task_entry *e, void *arg)
{
	struct rank *r = arg;
	struct vmca_oom *o = r->o;
	if (e->is_idle)
		return NULL;
	struct vmca_value t;
	vmca_value_init_reference(&t, r->task_type, e->address);
	uint64_t leader = 0, pid = 0, tgid = 0, flags = 0, mm = 0, adj = 0;
	// The OOM killer iterates processes: their leaders.
	if (!member_u64(s, &t, "group_leader", &leader) ||
	    leader != e->address) {
		vmca_value_deinit(&t);
		return NULL;
	}
	if (o->memcg && r->has_memory_cgrp_id &&
	    !in_memcg(s, r, &t, o->memcg)) {
		vmca_value_deinit(&t);
		return NULL;
	}
	if (o->nr_candidates == r->capacity) {
		size_t n = r->capacity ? 2 * r->capacity : 64;
		struct vmca_oom_candidate *grown =
			realloc(o->candidates, n * sizeof(*grown));
		if (!grown) {
			vmca_value_deinit(&t);
			return &vmca_enomem;
		}
		o->candidates = grown;
		r->capacity = n;
	}
	struct vmca_oom_candidate *c = &o->candidates[o->nr_candidates++];
	memset(c, 0, sizeof(*c));
	c->task = e->address;
	member_u64(s, &t, "pid", &pid);
	member_u64(s, &t, "tgid", &tgid);
	member_u64(s, &t, "flags", &flags);
	member_u64(s, &t, "mm", &mm);
	member_u64(s, &t, "signal->oom_score_adj", &adj);
	member_string(s, &t, "comm", c->comm, sizeof(c->comm));
	vmca_value_deinit(&t);
	c->pid = pid;
	c->oom_score_adj = (int16_t)adj;
	// oom_unkillable_task(), then oom_badness()'s own exclusions.
	if (tgid == 1) {
		c->excluded = "init (is_global_init)";
		return NULL;
	}
	if (flags & PF_KTHREAD) {
		c->excluded = "kernel thread (PF_KTHREAD)";
		return NULL;
	}
	if (!mm) {
		c->excluded = "no mm (exiting)";
		return NULL;
	}
	struct vmca_value m;
	vmca_value_init_reference(&m, r->mm_type, mm);
	uint64_t mm_flags = 0, file = 0, anon = 0, shmem = 0, swap = 0,
		 pgtables = 0;
	bool ok = r->has_counters && mm_counter(s, r, &m, 0, &file) &&
		  mm_counter(s, r, &m, 1, &anon) &&
		  mm_counter(s, r, &m, 2, &swap) &&
		  mm_counter(s, r, &m, 3, &shmem) &&
		  member_u64(s, &m, "pgtables_bytes.counter", &pgtables);
	member_u64(s, &m, "flags", &mm_flags);
	vmca_value_deinit(&m);
	if (!ok) {
		c->excluded = "its mm's counters are not in the dump";
		return NULL;
	}
	c->rss_pages = file + anon + shmem;
	c->swap_pages = swap;
	c->pgtables_pages = pgtables / r->page_size;
	if (c->oom_score_adj == OOM_SCORE_ADJ_MIN) {
		c->excluded = "oom_score_adj -1000 (OOM_SCORE_ADJ_MIN)";
		return NULL;
	}
	if (mm_flags >> MMF_OOM_SKIP & 1) {
		c->excluded = "already reaped (MMF_OOM_SKIP)";
		return NULL;
	}
	// oom_badness(): adj *= totalpages / 1000 (integer division first).
	int64_t points =
		(int64_t)(c->rss_pages + c->swap_pages + c->pgtables_pages);
	points += c->oom_score_adj * (int64_t)(o->totalpages / 1000);
	c->points = points;
	return NULL;
}

static void on_walk_error(struct vmca_session *s, struct vmca_error *err,
			  void *arg)
{
	(void)s;
	struct rank *r = arg;
	note(r->o, "the task walk: %s", err->message);
	vmca_error_destroy(err);
}

static int by_points(const void *a, const void *b)
{
	const struct vmca_oom_candidate *x = a, *y = b;
	if (!x->excluded != !y->excluded)
		return x->excluded ? 1 : -1;
	if (x->points != y->points)
		return x->points > y->points ? -1 : 1;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

static struct vmca_error *rank_tasks(struct vmca_session *s, struct vmca_oom *o)
{
	struct rank r = {.o = o, .page_size = vmca_session_page_size(s)};
	struct vmca_error *err =
		vmca_type(s, "struct task_struct", &r.task_type);
	if (!err)
		err = vmca_type(s, "struct mm_struct", &r.mm_type);
	if (err)
		return err;
	static const char *const counters[] = {"MM_FILEPAGES", "MM_ANONPAGES",
					       "MM_SWAPENTS", "MM_SHMEMPAGES"};
	// mm_types_task.h's enum, in this order since v4.5 (MM_SHMEMPAGES);
	// GCC emits it only where something uses it as a type.
	r.has_counters = true;
	for (int i = 0; i < 4; i++) {
		uint32_t type;
		if (!vmca_error_consume(vmca_type_enumerator(
			    s, counters[i], &type, &r.mm_counter[i])))
			r.mm_counter[i] = i;
	}
	r.is_percpu_rss =
		!vmca_type_has_member(s, "struct mm_struct", "rss_stat.count");
	uint32_t type;
	r.has_memory_cgrp_id = vmca_error_consume(vmca_type_enumerator(
		s, "memory_cgrp_id", &type, &r.memory_cgrp_id));
	if (o->memcg && !r.has_memory_cgrp_id)
		note(o, "no memory_cgrp_id: every task ranked, not only the "
			"memcg's");
	err = vmca_task_walk(s, each_task, on_walk_error, &r);
	if (err)
		return err;
	// The kernel keeps the last of equal scores (points < chosen_points
	// skips, equal replaces): in walk order, before sorting.
	int64_t best = INT64_MIN;
	uint64_t best_task = 0;
	for (size_t i = 0; i < o->nr_candidates; i++) {
		const struct vmca_oom_candidate *c = &o->candidates[i];
		if (!c->excluded && c->points >= best) {
			best = c->points;
			best_task = c->task;
		}
	}
	qsort(o->candidates, o->nr_candidates, sizeof(*o->candidates),
	      by_points);
	for (size_t i = 0; best_task && i < o->nr_candidates; i++) {
		if (o->candidates[i].task == best_task) {
			o->has_choice = true;
			o->choice = i;
		}
	}
	return NULL;
}

struct vmca_error *vmca_oom_analyze(struct vmca_session *s,
				    struct vmca_oom **ret)
{
	struct vmca_oom *o = calloc(1, sizeof(*o));
	if (!o)
		return &vmca_enomem;
	uint32_t oc_type;
	struct vmca_error *err = vmca_type(s, "struct oom_control", &oc_type);
	if (err) {
		vmca_oom_destroy(o);
		return err;
	}
	uint64_t task = vmca_task_panic(s);
	bool needs_dwarf = false;
	if (task && find_control(s, o, task, oc_type, &needs_dwarf))
		decode_control(s, o, oc_type);
	else if (needs_dwarf)
		note(o, "the oom_control is a local variable of the OOM's "
			"frames, which needs DWARF (the types came from "
			"BTF): the constraint and memcg are unknown, the "
			"tasks ranked as in a global OOM");
	else
		note(o,
		     "no struct oom_control in the frames of the %s: no OOM "
		     "in progress there",
		     task ? "crashed task" : "dump (no crashed task)");
	if (!o->has_control || !o->totalpages) {
		// A global OOM's totalpages: totalram_pages + total_swap_pages.
		struct vmca_variable v;
		uint64_t ram = 0, swap = 0;
		if (vmca_error_consume(vmca_variable(s, "_totalram_pages", &v)))
			vmca_error_consume(vmca_read_u64(s, v.address, &ram));
		if (vmca_error_consume(
			    vmca_variable(s, "total_swap_pages", &v)))
			vmca_error_consume(vmca_read_u64(s, v.address, &swap));
		o->totalpages = ram + swap;
	}
	if (o->memcg)
		describe_memcg(s, o);
	err = rank_tasks(s, o);
	if (err) {
		vmca_oom_destroy(o);
		return err;
	}
	*ret = o;
	return NULL;
}

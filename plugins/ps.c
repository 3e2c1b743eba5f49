// SPDX-License-Identifier: MIT
// plugins/ps.c: every task: processes, their threads, kernel threads and
// the per-CPU idle tasks, with state, CPU, RSS and the panicking task.
#include <string.h>

#include "vmca.h"

// Bounds on untrusted walks: PID_MAX_LIMIT is 4M tasks.
#define MAX_TASKS (UINT64_C(1) << 22)

// Task states as task_state_to_char() reports them; the bits have been
// stable since v4.14 (commit 8ef9925b02c2, "sched/debug: Add explicit
// TASK_PARKED printing") and are #defines, absent from DWARF.
#define TASK_REPORT	     0x7f
#define TASK_IDLE	     0x402 // TASK_UNINTERRUPTIBLE | TASK_NOLOAD
#define TASK_RTLOCK_WAIT     0x1000
#define TASK_UNINTERRUPTIBLE 0x2
#define PF_KTHREAD	     0x00200000
static const char state_chars[] = "RSDTtXZPI";

// The mm counters that make up RSS, as get_mm_rss() sums them. The enum
// is anonymous (MM_FILEPAGES...); its order is fixed since v4.5 (commit
// eca56ff906bd, "mm, shmem: add internal shmem resident memory
// accounting").
static const unsigned rss_counters[] = {
	0 /* MM_FILEPAGES */, 1 /* MM_ANONPAGES */, 3 /* MM_SHMEMPAGES */};

struct task {
	uint64_t address;
	uint64_t pid, tgid, ppid;
	uint64_t cpu;
	uint64_t flags;
	uint64_t mm;
	char state;
	char comm[17];
	uint64_t rss_pages;
	bool has_rss;
	bool is_idle;
	bool is_panic;
	bool is_active;
	struct vmca_error *err;
};
DEFINE_VECTOR(task_vector, struct task)

// The members ps reads, resolved once for every task.
struct fields {
	struct vmca_field pid, tgid, state, exit_state, flags, mm, cpu,
		real_parent, comm;
	// mm_struct's RSS counters: an atomic_long_t each before commit
	// f1a7941243c1 ("mm: convert mm's rss stats into percpu_counter")
	// (v6.2), a percpu_counter (count + per-CPU deltas) since.
	bool is_percpu_rss;
	struct vmca_field rss[3], rss_counters[3];
};

struct ps {
	struct vmca_session *s;
	struct task_vector tasks;
	struct vmca_error *walk_errors[64];
	size_t nr_walk_errors;
	uint32_t task_type, mm_type;
	struct fields f;
	uint32_t nr_cpus;
	uint64_t panic_task;
	uint64_t active[VMCA_MAX_CPUS];
	uint32_t nr_active;
};

static void note_walk_error(struct vmca_session *s, struct vmca_error *err,
			    void *arg)
{
	(void)s;
	struct ps *ps = arg;
	if (ps->nr_walk_errors <
	    sizeof(ps->walk_errors) / sizeof(ps->walk_errors[0]))
		ps->walk_errors[ps->nr_walk_errors++] = err;
	else
		vmca_error_destroy(err);
}

static char state_letter(uint64_t state, uint64_t exit_state)
{
	uint64_t report = (state | exit_state) & TASK_REPORT;
	if (state == TASK_IDLE)
		return 'I';
	if (state == TASK_RTLOCK_WAIT)
		report = TASK_UNINTERRUPTIBLE;
	int idx = report ? 64 - __builtin_clzll(report) : 0;
	return idx < (int)sizeof(state_chars) - 1 ? state_chars[idx] : '?';
}

static struct vmca_error *init_fields(struct ps *ps)
{
	struct vmca_session *s = ps->s;
	struct fields *f = &ps->f;
	struct vmca_error *err =
		vmca_type(s, "struct task_struct", &ps->task_type);
	if (!err)
		err = vmca_type(s, "struct mm_struct", &ps->mm_type);
	if (err)
		return err;
	uint32_t t = ps->task_type;
	// Since commit 2f064a59a11f ("sched: Change task_struct::state")
	// (v5.14) the state is __state; with CONFIG_THREAD_INFO_IN_TASK the
	// CPU is in thread_info since commit bcf9033e5449 ("sched: move CPU
	// field back into thread_info if THREAD_INFO_IN_TASK=y") (v5.16).
	const char *state =
		vmca_type_has_member(s, "struct task_struct", "__state")
			? "__state"
			: "state";
	const char *cpu =
		vmca_type_has_member(s, "struct task_struct", "thread_info.cpu")
			? "thread_info.cpu"
			: "cpu";
	if ((err = vmca_field_init(s, t, "pid", &f->pid)) ||
	    (err = vmca_field_init(s, t, "tgid", &f->tgid)) ||
	    (err = vmca_field_init(s, t, state, &f->state)) ||
	    (err = vmca_field_init(s, t, "exit_state", &f->exit_state)) ||
	    (err = vmca_field_init(s, t, "flags", &f->flags)) ||
	    (err = vmca_field_init(s, t, "mm", &f->mm)) ||
	    (err = vmca_field_init(s, t, cpu, &f->cpu)) ||
	    (err = vmca_field_init(s, t, "real_parent", &f->real_parent)) ||
	    (err = vmca_field_init(s, t, "comm", &f->comm)))
		return err;
	f->is_percpu_rss =
		!vmca_type_has_member(s, "struct mm_struct", "rss_stat.count");
	for (size_t i = 0; i < 3; i++) {
		char path[64];
		if (!f->is_percpu_rss) {
			snprintf(path, sizeof(path),
				 "rss_stat.count[%u].counter", rss_counters[i]);
			err = vmca_field_init(s, ps->mm_type, path, &f->rss[i]);
		} else {
			snprintf(path, sizeof(path), "rss_stat[%u].count",
				 rss_counters[i]);
			err = vmca_field_init(s, ps->mm_type, path, &f->rss[i]);
			snprintf(path, sizeof(path), "rss_stat[%u].counters",
				 rss_counters[i]);
			if (!err)
				err = vmca_field_init(s, ps->mm_type, path,
						      &f->rss_counters[i]);
		}
		if (err)
			return err;
	}
	return NULL;
}

static struct vmca_error *read_field(struct vmca_session *s,
				     const struct vmca_value *v,
				     const struct vmca_field *f, uint64_t *ret)
{
	struct vmca_value m;
	struct vmca_error *err = vmca_value_field(s, v, f, &m);
	if (!err)
		err = vmca_value_u64(s, &m, ret);
	return err;
}

// Sum of an mm's RSS counters, as get_mm_rss() sums them.
static struct vmca_error *mm_rss(struct ps *ps, uint64_t mm, uint64_t *ret)
{
	struct vmca_session *s = ps->s;
	struct vmca_value v;
	vmca_value_init_reference(&v, ps->mm_type, mm);
	uint64_t total = 0;
	for (size_t i = 0; i < 3; i++) {
		uint64_t count;
		struct vmca_error *err =
			read_field(s, &v, &ps->f.rss[i], &count);
		if (err)
			return err;
		if (!ps->f.is_percpu_rss) {
			total += count;
			continue;
		}
		uint64_t counters;
		err = read_field(s, &v, &ps->f.rss_counters[i], &counters);
		if (err)
			return err;
		// percpu_counter_sum(): the count plus every CPU's delta.
		int64_t sum = (int64_t)count;
		for (uint32_t cpu = 0; cpu < ps->nr_cpus && counters; cpu++) {
			uint64_t offset;
			uint32_t delta;
			err = vmca_percpu_offset(s, cpu, &offset);
			if (!err)
				err = vmca_read_u32(s, counters + offset,
						    &delta);
			if (err)
				return err;
			sum += (int32_t)delta;
		}
		total += (uint64_t)(sum > 0 ? sum : 0);
	}
	*ret = total;
	return NULL;
}

static struct vmca_error *read_task(struct ps *ps, uint64_t address,
				    bool is_idle, struct task *t)
{
	struct vmca_session *s = ps->s;
	const struct fields *f = &ps->f;
	uint64_t state, exit_state, parent;
	memset(t, 0, sizeof(*t));
	t->address = address;
	t->is_idle = is_idle;
	struct vmca_value v, comm;
	vmca_value_init_reference(&v, ps->task_type, address);
	struct vmca_error *err;
	if ((err = read_field(s, &v, &f->pid, &t->pid)) ||
	    (err = read_field(s, &v, &f->tgid, &t->tgid)) ||
	    (err = read_field(s, &v, &f->state, &state)) ||
	    (err = read_field(s, &v, &f->exit_state, &exit_state)) ||
	    (err = read_field(s, &v, &f->flags, &t->flags)) ||
	    (err = read_field(s, &v, &f->mm, &t->mm)) ||
	    (err = read_field(s, &v, &f->cpu, &t->cpu)) ||
	    (err = read_field(s, &v, &f->real_parent, &parent)) ||
	    (err = vmca_value_field(s, &v, &f->comm, &comm)) ||
	    (err = vmca_value_string(s, &comm, t->comm, sizeof(t->comm))))
		return vmca_error_wrap(err, "task_struct at %#" PRIx64,
				       address);
	t->pid &= 0xffffffff;
	t->tgid &= 0xffffffff;
	t->state = state_letter(state, exit_state);
	t->is_panic = address == ps->panic_task;
	for (uint32_t i = 0; i < ps->nr_active; i++)
		t->is_active |= ps->active[i] == address;
	if (parent && parent != address) {
		struct vmca_value p;
		vmca_value_init_reference(&p, ps->task_type, parent);
		err = read_field(s, &p, &f->tgid, &t->ppid);
		if (err)
			return vmca_error_wrap(
				err, "parent of task %" PRIu64 " at %#" PRIx64,
				t->pid, parent);
		t->ppid &= 0xffffffff;
	}
	if (t->mm && !(t->flags & PF_KTHREAD)) {
		err = mm_rss(ps, t->mm, &t->rss_pages);
		if (err)
			return vmca_error_wrap(err, "rss of task %" PRIu64,
					       t->pid);
		t->has_rss = true;
	}
	return NULL;
}

static struct vmca_error *add_task(struct vmca_session *s,
				   const struct vmca_task_entry *e, void *arg)
{
	(void)s;
	struct ps *ps = arg;
	if (ps->tasks.len >= MAX_TASKS)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "more than %" PRIu64 " tasks",
					 MAX_TASKS);
	struct task *t = task_vector_append_entry(&ps->tasks);
	if (!t)
		return &vmca_enomem;
	// A task that cannot be read is listed with what failed.
	struct vmca_error *err = read_task(ps, e->address, e->is_idle, t);
	if (err) {
		t->address = e->address;
		t->err = err;
	}
	return NULL;
}

static struct vmca_error *collect(struct ps *ps)
{
	struct vmca_session *s = ps->s;
	struct vmca_error *err = init_fields(ps);
	if (!err)
		err = vmca_nr_cpu_ids(s, &ps->nr_cpus);
	if (err)
		return err;
	ps->panic_task = vmca_task_panic(s);
	// Each CPU's task at the dump (its runqueue's curr).
	for (uint32_t cpu = 0; cpu < ps->nr_cpus && cpu < VMCA_MAX_CPUS;
	     cpu++) {
		uint64_t task;
		if (vmca_error_consume(vmca_task_active(s, cpu, &task)) && task)
			ps->active[ps->nr_active++] = task;
	}
	return vmca_task_walk(s, add_task, note_walk_error, ps);
}

enum filter { FILTER_ALL, FILTER_USER, FILTER_KERNEL };

static bool is_kernel_thread(const struct task *t)
{
	return t->is_idle || (t->flags & PF_KTHREAD);
}

static bool selected(const struct task *t, enum filter filter,
		     const uint64_t *pids, int npids)
{
	if (filter == FILTER_USER && (t->err || is_kernel_thread(t)))
		return false;
	if (filter == FILTER_KERNEL && (t->err || !is_kernel_thread(t)))
		return false;
	if (!npids)
		return true;
	for (int i = 0; i < npids; i++) {
		if (!t->err && (t->pid == pids[i] || t->tgid == pids[i]))
			return true;
	}
	return false;
}

static void emit(struct ps *ps, struct vmca_out *out, enum filter filter,
		 const uint64_t *pids, int npids)
{
	vmca_out_begin_object(out, NULL, 0);
	vmca_out_begin_list(out, "tasks", 0);
	const struct task *t;
	vector_for_each (&ps->tasks, t) {
		if (!selected(t, filter, pids, npids))
			continue;
		vmca_out_begin_object(out, NULL, 0);
		if (t->err) {
			vmca_out_addr(out, "task", t->address);
			vmca_out_error(out, "error", t->err);
			vmca_out_end_object(out);
			continue;
		}
		char state[2] = {t->state, '\0'};
		vmca_out_str_flags(out, "",
				   t->is_panic	  ? "*"
				   : t->is_active ? ">"
						  : " ",
				   VMCA_OUT_TEXT_ONLY);
		vmca_out_u64(out, "pid", t->pid);
		vmca_out_u64(out, "tgid", t->tgid);
		vmca_out_u64(out, "ppid", t->ppid);
		vmca_out_u64(out, "cpu", t->cpu);
		vmca_out_str(out, "state", state);
		vmca_out_addr(out, "task", t->address);
		vmca_out_u64(out, "rss_pages", t->rss_pages);
		vmca_out_str(out, "comm", t->comm);
		vmca_out_bool_flags(out, "is_kernel_thread",
				    is_kernel_thread(t), VMCA_OUT_JSON_ONLY);
		vmca_out_bool_flags(out, "is_idle", t->is_idle,
				    VMCA_OUT_JSON_ONLY);
		vmca_out_bool_flags(out, "is_panic", t->is_panic,
				    VMCA_OUT_JSON_ONLY);
		vmca_out_bool_flags(out, "is_active", t->is_active,
				    VMCA_OUT_JSON_ONLY);
		vmca_out_end_object(out);
	}
	vmca_out_end_list(out);
	if (ps->nr_walk_errors) {
		vmca_out_begin_list(out, "errors", 0);
		for (size_t i = 0; i < ps->nr_walk_errors; i++)
			vmca_out_error(out, NULL, ps->walk_errors[i]);
		vmca_out_end_list(out);
	}
	vmca_out_end_object(out);
}

static struct vmca_error *ps_run(struct vmca_session *s, struct vmca_out *out,
				 int argc, char **argv)
{
	enum filter filter = FILTER_ALL;
	_cleanup_free_ uint64_t *pids = calloc((size_t)argc, sizeof(*pids));
	if (!pids)
		return &vmca_enomem;
	int npids = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-u") == 0)
			filter = FILTER_USER;
		else if (strcmp(argv[i], "-k") == 0)
			filter = FILTER_KERNEL;
		else if (vmca_parse_u64(argv[i], &pids[npids]))
			npids++;
		else
			return vmca_error_create(
				VMCA_ERROR_USAGE,
				"usage: vmca VMCORE ps [-u|-k] "
				"[PID...]");
	}
	// The active tasks' table is large for a stack.
	_cleanup_free_ struct ps *ps = calloc(1, sizeof(*ps));
	if (!ps)
		return &vmca_enomem;
	ps->s = s;
	task_vector_init(&ps->tasks);
	struct vmca_error *err = collect(ps);
	if (!err)
		emit(ps, out, filter, pids, npids);
	struct task *t;
	vector_for_each (&ps->tasks, t)
		vmca_error_destroy(t->err);
	task_vector_deinit(&ps->tasks);
	for (size_t i = 0; i < ps->nr_walk_errors; i++)
		vmca_error_destroy(ps->walk_errors[i]);
	return err;
}

const struct vmca_plugin vmca_plugin_ps = {
	.name = "ps",
	.summary = "every task: processes, threads, kernel threads, idle "
		   "tasks",
	.usage = "ps [-u|-k] [PID...]",
	.help = "-u: user tasks only; -k: kernel threads only (with the idle "
		"tasks).\n"
		"PID selects a task by pid or thread-group id.\n"
		"STATE is task_state_to_char()'s letter (R S D T t X Z P I); "
		"'>' marks\n"
		"each CPU's active task (its runqueue's curr at the dump), '*' "
		"the one\n"
		"that was running the panic (or the kdump crash).\n"
		"Broken task lists (a cycle, an unreadable link) are reported "
		"under\n"
		"\"errors\" and the walk keeps what it found.\n"
		"JSON: {\"tasks\": [{\"pid\", \"tgid\", \"ppid\", \"cpu\", "
		"\"state\", \"task\",\n"
		"\"rss_pages\", \"comm\", \"is_kernel_thread\", \"is_idle\", "
		"\"is_panic\",\n\"is_active\"} or, for a task_struct that "
		"cannot be read, "
		"{\"task\", \"error\"}],\n\"errors\"?}\n",
	.examples = "ps\tevery task\n"
		    "ps -u\tthe user tasks only\n"
		    "ps 1\tinit (a pid or a thread-group id)\n",
	.run = ps_run,
};

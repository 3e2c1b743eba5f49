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
	struct vmca_error *err;
};
DEFINE_VECTOR(task_vector, struct task)

struct ps {
	struct vmca_session *s;
	struct task_vector tasks;
	struct vmca_error *walk_errors[64];
	size_t nr_walk_errors;
	uint64_t tasks_offset, thread_node_offset, thread_head_offset;
	uint64_t signal_offset;
	const char *state_member;
	const char *cpu_member;
	uint32_t nr_cpus;
	uint64_t panic_task;
};

static void note_walk_error(struct ps *ps, struct vmca_error *err)
{
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

// Sum of an mm's RSS counters. Since commit f1a7941243c1 ("mm: convert
// mm's rss stats into percpu_counter") (v6.2) each is a percpu_counter;
// before, an atomic_long_t in mm->rss_stat.count[].
static struct vmca_error *mm_rss(struct ps *ps, uint64_t mm, uint64_t *ret)
{
	struct vmca_session *s = ps->s;
	uint64_t total = 0;
	char path[64];
	if (vmca_type_has_member(s, "struct mm_struct", "rss_stat.count")) {
		for (size_t i = 0; i < 3; i++) {
			snprintf(path, sizeof(path),
				 "rss_stat.count[%u].counter", rss_counters[i]);
			uint64_t v;
			struct vmca_error *err = vmca_read_member(
				s, mm, "struct mm_struct", path, &v);
			if (err)
				return err;
			total += v;
		}
		*ret = total;
		return NULL;
	}
	for (size_t i = 0; i < 3; i++) {
		uint64_t count, counters;
		snprintf(path, sizeof(path), "rss_stat[%u].count",
			 rss_counters[i]);
		struct vmca_error *err = vmca_read_member(
			s, mm, "struct mm_struct", path, &count);
		if (err)
			return err;
		snprintf(path, sizeof(path), "rss_stat[%u].counters",
			 rss_counters[i]);
		err = vmca_read_member(s, mm, "struct mm_struct", path,
				       &counters);
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
	const char *ts = "struct task_struct";
	uint64_t state, exit_state, parent, comm_off;
	memset(t, 0, sizeof(*t));
	t->address = address;
	t->is_idle = is_idle;
	struct vmca_error *err;
	if ((err = vmca_read_member(s, address, ts, "pid", &t->pid)) ||
	    (err = vmca_read_member(s, address, ts, "tgid", &t->tgid)) ||
	    (err = vmca_read_member(s, address, ts, ps->state_member,
				    &state)) ||
	    (err = vmca_read_member(s, address, ts, "exit_state",
				    &exit_state)) ||
	    (err = vmca_read_member(s, address, ts, "flags", &t->flags)) ||
	    (err = vmca_read_member(s, address, ts, "mm", &t->mm)) ||
	    (err = vmca_read_member(s, address, ts, ps->cpu_member, &t->cpu)) ||
	    (err = vmca_read_member(s, address, ts, "real_parent", &parent)) ||
	    (err = vmca_type_member_offset(s, ts, "comm", &comm_off)) ||
	    (err = vmca_read(s, address + comm_off, t->comm, 16)))
		return vmca_error_wrap(err, "task_struct at %#" PRIx64,
				       address);
	t->comm[16] = '\0';
	t->pid &= 0xffffffff;
	t->tgid &= 0xffffffff;
	t->state = state_letter(state, exit_state);
	t->is_panic = address == ps->panic_task;
	if (parent && parent != address) {
		err = vmca_read_member(s, parent, ts, "tgid", &t->ppid);
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

static struct vmca_error *add_task(struct ps *ps, uint64_t address,
				   bool is_idle)
{
	if (ps->tasks.len >= MAX_TASKS)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "more than %" PRIu64 " tasks",
					 MAX_TASKS);
	struct task *t = task_vector_append_entry(&ps->tasks);
	if (!t)
		return &vmca_enomem;
	// A task that cannot be read is listed with what failed.
	struct vmca_error *err = read_task(ps, address, is_idle, t);
	if (err) {
		t->address = address;
		t->err = err;
	}
	return NULL;
}

static struct vmca_error *visit_thread(struct vmca_session *s, uint64_t node,
				       void *arg)
{
	struct ps *ps = arg;
	return add_task(ps, node - ps->thread_node_offset, false);
}

static struct vmca_error *visit_process(struct vmca_session *s, uint64_t node,
					void *arg)
{
	struct ps *ps = arg;
	uint64_t leader = node - ps->tasks_offset;
	uint64_t signal;
	struct vmca_error *err =
		vmca_read_u64(s, leader + ps->signal_offset, &signal);
	if (err || !signal) {
		// Without its signal_struct only the leader can be listed.
		vmca_error_destroy(err);
		return add_task(ps, leader, false);
	}
	err = vmca_list_walk(s, signal + ps->thread_head_offset, MAX_TASKS,
			     visit_thread, ps);
	if (err)
		note_walk_error(
			ps, vmca_error_wrap(err, "threads of task at %#" PRIx64,
					    leader));
	return NULL;
}

// The task that was running the panic or crash: the current task of
// panic_cpu (panic()) or crashing_cpu (the kdump path on x86).
static uint64_t find_panic_task(struct vmca_session *s)
{
	static const char *const cpu_vars[] = {"panic_cpu", "crashing_cpu"};
	for (size_t i = 0; i < 2; i++) {
		struct vmca_variable v;
		uint32_t cpu;
		struct vmca_error *err = vmca_variable(s, cpu_vars[i], &v);
		if (!err)
			err = vmca_read_u32(s, v.address, &cpu);
		if (err || cpu == UINT32_MAX) {
			vmca_error_destroy(err);
			continue;
		}
		// Since commit 7443b296e699 ("x86/percpu: Move current_task
		// to percpu hot section") (v6.2): pcpu_hot.current_task.
		uint64_t task = 0;
		struct vmca_member m;
		err = vmca_percpu_variable(s, "pcpu_hot", cpu, &v);
		if (!err)
			err = vmca_type_member_path(s, v.type, "current_task",
						    &m);
		if (!err) {
			v.address += m.bit_offset / 8;
		} else {
			vmca_error_destroy(err);
			err = vmca_percpu_variable(s, "current_task", cpu, &v);
		}
		if (!err)
			err = vmca_read_u64(s, v.address, &task);
		vmca_error_destroy(err);
		if (task)
			return task;
	}
	return 0;
}

static struct vmca_error *collect(struct ps *ps)
{
	struct vmca_session *s = ps->s;
	const char *ts = "struct task_struct";
	struct vmca_error *err;
	if ((err = vmca_type_member_offset(s, ts, "tasks",
					   &ps->tasks_offset)) ||
	    (err = vmca_type_member_offset(s, ts, "thread_node",
					   &ps->thread_node_offset)) ||
	    (err = vmca_type_member_offset(s, ts, "signal",
					   &ps->signal_offset)) ||
	    (err = vmca_type_member_offset(s, "struct signal_struct",
					   "thread_head",
					   &ps->thread_head_offset)))
		return err;
	// Since commit 2f064a59a11f ("sched: Change task_struct::state")
	// (v5.14) the state is __state.
	ps->state_member =
		vmca_type_has_member(s, ts, "__state") ? "__state" : "state";
	// With CONFIG_THREAD_INFO_IN_TASK the CPU lives in thread_info
	// since commit bcf9033e5449 ("sched: move CPU field back into
	// thread_info if THREAD_INFO_IN_TASK=y") (v5.16).
	ps->cpu_member = vmca_type_has_member(s, ts, "thread_info.cpu")
				 ? "thread_info.cpu"
				 : "cpu";
	err = vmca_nr_cpu_ids(s, &ps->nr_cpus);
	if (err)
		return err;
	ps->panic_task = find_panic_task(s);

	// The idle tasks first, one per possible CPU (CPU 0's is
	// init_task), as crash lists them.
	struct vmca_variable init_task;
	err = vmca_variable(s, "init_task", &init_task);
	if (err)
		return err;
	for (uint32_t cpu = 0; cpu < ps->nr_cpus; cpu++) {
		bool is_possible = false;
		struct vmca_variable rq;
		uint64_t idle = 0;
		err = vmca_cpu_in_mask(s, "__cpu_possible_mask", cpu,
				       &is_possible);
		if (!err && !is_possible)
			continue;
		if (!err)
			err = vmca_percpu_variable(s, "runqueues", cpu, &rq);
		if (!err)
			err = vmca_read_member(s, rq.address, "struct rq",
					       "idle", &idle);
		if (err) {
			note_walk_error(ps, vmca_error_wrap(err,
							    "idle task of "
							    "CPU %u",
							    cpu));
			continue;
		}
		if (idle && (err = add_task(ps, idle, true)))
			return err;
	}
	err = vmca_list_walk(s, init_task.address + ps->tasks_offset, MAX_TASKS,
			     visit_process, ps);
	if (err)
		note_walk_error(ps, vmca_error_wrap(err, "init_task.tasks"));
	return NULL;
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
		vmca_out_str_flags(out, "", t->is_panic ? ">" : " ",
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
		vmca_out_end_object(out);
	}
	vmca_out_end_list(out);
	if (ps->nr_walk_errors) {
		vmca_out_begin_list(out, "errors", 0);
		for (size_t i = 0; i < ps->nr_walk_errors; i++)
			vmca_out_str(out, NULL, ps->walk_errors[i]->message);
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
	struct ps ps = {.s = s};
	task_vector_init(&ps.tasks);
	struct vmca_error *err = collect(&ps);
	if (!err)
		emit(&ps, out, filter, pids, npids);
	struct task *t;
	vector_for_each (&ps.tasks, t)
		vmca_error_destroy(t->err);
	task_vector_deinit(&ps.tasks);
	for (size_t i = 0; i < ps.nr_walk_errors; i++)
		vmca_error_destroy(ps.walk_errors[i]);
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
		"'>' marks the\n"
		"task that was running the panic (or the kdump crash).\n"
		"Broken task lists (a cycle, an unreadable link) are reported "
		"under\n"
		"\"errors\" and the walk keeps what it found.\n"
		"JSON: {\"tasks\": [{\"pid\", \"tgid\", \"ppid\", \"cpu\", "
		"\"state\", \"task\",\n"
		"\"rss_pages\", \"comm\", \"is_kernel_thread\", \"is_idle\", "
		"\"is_panic\"}], \"errors\"?}\n",
	.run = ps_run,
};

// SPDX-License-Identifier: MIT
/** @file Tasks: every task of the dump, and the ones that matter first. */
#include <stdlib.h>
#include <string.h>

#include "util/vector.h"
#include "vmca.h"

DEFINE_VECTOR(u64_vector, uint64_t)

struct walk {
	struct vmca_error *(*fn)(struct vmca_session *,
				 const struct vmca_task_entry *, void *);
	void (*on_error)(struct vmca_session *, struct vmca_error *, void *);
	void *arg;
	uint64_t tasks_off, thread_node_off, signal_off, thread_head_off;
	/** The error that ends a walk is fn's, not a broken list's. */
	bool is_fn_error;
	/** The tasks list's nodes met forwards (sorted for the way back). */
	struct u64_vector seen;
	/** Met backwards, after a break: visited in list order at the end. */
	struct u64_vector back;
	bool has_enomem;
};

static struct vmca_error *call(struct walk *w, struct vmca_session *s,
			       const struct vmca_task_entry *t)
{
	struct vmca_error *err = w->fn(s, t, w->arg);
	if (err)
		w->is_fn_error = true;
	return err;
}

static struct vmca_error *
visit_thread(struct vmca_session *s, const struct vmca_walk_entry *e, void *arg)
{
	struct walk *w = arg;
	struct vmca_task_entry t = {.address = e->address - w->thread_node_off};
	return call(w, s, &t);
}

static struct vmca_error *process(struct vmca_session *s, uint64_t node,
				  struct walk *w);

static struct vmca_error *visit_process(struct vmca_session *s,
					const struct vmca_walk_entry *e,
					void *arg)
{
	struct walk *w = arg;
	if (!u64_vector_append(&w->seen, e->address))
		w->has_enomem = true;
	return process(s, e->address, w);
}

static int compare_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static bool is_seen(const struct walk *w, uint64_t node)
{
	return w->seen.len && bsearch(&node, w->seen.data, w->seen.len,
				      sizeof(uint64_t), compare_u64) != NULL;
}

// Backwards from the head after a forward break: until a node met
// forwards (the list is only inconsistent) or the break itself.
static struct vmca_error *
collect_back(struct vmca_session *s, const struct vmca_walk_entry *e, void *arg)
{
	(void)s;
	struct walk *w = arg;
	if (is_seen(w, e->address))
		return &vmca_not_found; // met: stop, not an error
	if (!u64_vector_append(&w->back, e->address))
		return &vmca_enomem;
	return NULL;
}

// The pid idr's tasks (what the tasks list lost between two breaks): each
// struct pid's first PIDTYPE_PID task, by its thread-group leader.
struct pid_walk {
	struct walk *w;
	uint64_t pid_tasks_off, pid_links_off, group_leader_off;
	struct u64_vector leaders;
};

static struct vmca_error *
collect_pid(struct vmca_session *s, const struct vmca_walk_entry *e, void *arg)
{
	struct pid_walk *p = arg;
	uint64_t first, leader;
	if (vmca_read_u64(s, e->address + p->pid_tasks_off, &first) || !first)
		return NULL; // unreadable or unused: nothing to add
	uint64_t task = first - p->pid_links_off;
	struct vmca_error *err =
		vmca_read_u64(s, task + p->group_leader_off, &leader);
	if (err) {
		vmca_error_destroy(err);
		return NULL;
	}
	// A task_struct with no group_leader is damaged (zeroed): said, and
	// not listed as the task at address 0.
	if (!leader) {
		p->w->on_error(s,
			       vmca_error_create(VMCA_ERROR_INVALID,
						 "task_struct at %#" PRIx64
						 " (init_pid_ns.idr): its "
						 "group_leader is NULL",
						 task),
			       p->w->arg);
		return NULL;
	}
	uint64_t node = leader + p->w->tasks_off;
	if (!is_seen(p->w, node) && !u64_vector_append(&p->leaders, node))
		return &vmca_enomem;
	return NULL;
}

static struct vmca_error *from_pids(struct vmca_session *s, struct walk *w)
{
	struct pid_walk p = {.w = w};
	struct vmca_variable ns;
	uint64_t idr_off;
	struct vmca_error *err = vmca_variable(s, "init_pid_ns", &ns);
	if (!err)
		err = vmca_type_member_offset(s, "struct pid_namespace",
					      "idr.idr_rt", &idr_off);
	if (!err)
		err = vmca_type_member_offset(s, "struct pid", "tasks[0].first",
					      &p.pid_tasks_off);
	if (!err)
		err = vmca_type_member_offset(s, "struct task_struct",
					      "pid_links[0]", &p.pid_links_off);
	if (!err)
		err = vmca_type_member_offset(s, "struct task_struct",
					      "group_leader",
					      &p.group_leader_off);
	if (err)
		return err;
	u64_vector_init(&p.leaders);
	err = vmca_walk_xarray(s, ns.address + idr_off, VMCA_TASK_MAX,
			       collect_pid, &p);
	if (err == &vmca_enomem) {
		u64_vector_deinit(&p.leaders);
		return err;
	}
	if (err)
		w->on_error(s, vmca_error_wrap(err, "init_pid_ns.idr"), w->arg);
	if (p.leaders.len > 1)
		qsort(p.leaders.data, p.leaders.len, sizeof(uint64_t),
		      compare_u64);
	err = NULL;
	for (size_t i = 0; i < p.leaders.len && !err; i++) {
		// A leader with several threads has several pids.
		if (i && p.leaders.data[i] == p.leaders.data[i - 1])
			continue;
		err = process(s, p.leaders.data[i], w);
	}
	u64_vector_deinit(&p.leaders);
	return err;
}

static struct vmca_error *process(struct vmca_session *s, uint64_t node,
				  struct walk *w)
{
	uint64_t leader = node - w->tasks_off;
	uint64_t signal;
	struct vmca_error *err =
		vmca_read_u64(s, leader + w->signal_off, &signal);
	if (err || !signal) {
		// Without its signal_struct only the leader can be listed.
		vmca_error_destroy(err);
		struct vmca_task_entry t = {.address = leader};
		return call(w, s, &t);
	}
	// The thread list since commit 0c740d0afc3b ("introduce
	// for_each_thread() to replace the buggy while_each_thread()")
	// (v3.14): signal->thread_head, the leader included.
	err = vmca_walk_list(s, signal + w->thread_head_off, true,
			     VMCA_TASK_MAX, visit_thread, w);
	if (err && w->is_fn_error)
		return err;
	if (err)
		w->on_error(s,
			    vmca_error_wrap(err, "threads of task at %#" PRIx64,
					    leader),
			    w->arg);
	return NULL;
}

struct vmca_error *vmca_task_walk(
	struct vmca_session *s,
	struct vmca_error *(*fn)(struct vmca_session *,
				 const struct vmca_task_entry *, void *),
	void (*on_error)(struct vmca_session *, struct vmca_error *, void *),
	void *arg)
{
	struct walk w = {.fn = fn, .on_error = on_error, .arg = arg};
	const char *ts = "struct task_struct";
	struct vmca_error *err;
	if ((err = vmca_type_member_offset(s, ts, "tasks", &w.tasks_off)) ||
	    (err = vmca_type_member_offset(s, ts, "thread_node",
					   &w.thread_node_off)) ||
	    (err = vmca_type_member_offset(s, ts, "signal", &w.signal_off)) ||
	    (err = vmca_type_member_offset(s, "struct signal_struct",
					   "thread_head", &w.thread_head_off)))
		return err;
	uint32_t nr_cpus;
	err = vmca_nr_cpu_ids(s, &nr_cpus);
	if (err)
		return err;
	struct vmca_variable init_task;
	err = vmca_variable(s, "init_task", &init_task);
	if (err)
		return err;
	// The idle tasks first, one per possible CPU.
	struct vmca_field idle_field;
	bool has_idle_field = false;
	for (uint32_t cpu = 0; cpu < nr_cpus; cpu++) {
		bool is_possible = false;
		struct vmca_variable rq;
		uint64_t idle = 0;
		err = vmca_cpu_in_mask(s, "__cpu_possible_mask", cpu,
				       &is_possible);
		if (!err && !is_possible)
			continue;
		if (!err)
			err = vmca_percpu_variable(s, "runqueues", cpu, &rq);
		if (!err && !has_idle_field) {
			err = vmca_field_init(s, rq.type, "idle", &idle_field);
			has_idle_field = !err;
		}
		struct vmca_value v, f;
		if (!err) {
			vmca_value_init_reference(&v, rq.type, rq.address);
			err = vmca_value_field(s, &v, &idle_field, &f);
		}
		if (!err)
			err = vmca_value_u64(s, &f, &idle);
		if (err) {
			on_error(s,
				 vmca_error_wrap(err, "idle task of CPU %u",
						 cpu),
				 arg);
			continue;
		}
		if (idle) {
			struct vmca_task_entry t = {
				.address = idle, .is_idle = true, .cpu = cpu};
			err = call(&w, s, &t);
			if (err)
				return err;
		}
	}
	uint64_t head = init_task.address + w.tasks_off;
	u64_vector_init(&w.seen);
	u64_vector_init(&w.back);
	err = vmca_walk_list(s, head, true, VMCA_TASK_MAX, visit_process, &w);
	if (err && !w.is_fn_error) {
		on_error(s, vmca_error_wrap(err, "init_task.tasks"), arg);
		// A list broken forwards is whole backwards up to the break
		// (a doubly linked list): the processes beyond it are found
		// from the head's prev, visited in the list's order.
		if (w.seen.len > 1)
			qsort(w.seen.data, w.seen.len, sizeof(uint64_t),
			      compare_u64);
		err = vmca_walk_list_reverse(s, head, VMCA_TASK_MAX,
					     collect_back, &w);
		if (err == &vmca_enomem)
			w.has_enomem = true;
		if (err != &vmca_not_found && err != &vmca_enomem)
			vmca_error_destroy(err); // the same break, said above
		err = NULL;
		for (size_t i = w.back.len; i-- > 0 && !err;)
			err = process(s, w.back.data[i], &w);
		// What lies between two breaks: the processes the pid idr
		// knows and neither way reached.
		for (size_t i = 0; i < w.back.len && !err; i++) {
			if (!u64_vector_append(&w.seen, w.back.data[i]))
				err = &vmca_enomem;
		}
		if (!err && w.seen.len > 1)
			qsort(w.seen.data, w.seen.len, sizeof(uint64_t),
			      compare_u64);
		if (!err)
			err = from_pids(s, &w);
		if (err && !w.is_fn_error && err != &vmca_enomem) {
			on_error(s, vmca_error_wrap(err, "init_pid_ns.idr"),
				 arg);
			err = NULL;
		}
	}
	u64_vector_deinit(&w.seen);
	u64_vector_deinit(&w.back);
	if (!err && w.has_enomem)
		err = &vmca_enomem;
	return err;
}

struct find {
	uint64_t pid, found;
	struct vmca_field pid_field;
	bool has_field;
};

static struct vmca_error *match_pid(struct vmca_session *s,
				    const struct vmca_task_entry *e, void *arg)
{
	struct find *f = arg;
	if (e->is_idle)
		return NULL;
	struct vmca_value t, p;
	uint64_t pid;
	if (!f->has_field) {
		uint32_t type;
		struct vmca_error *err =
			vmca_type(s, "struct task_struct", &type);
		if (!err)
			err = vmca_field_init(s, type, "pid", &f->pid_field);
		if (err)
			return err;
		f->has_field = true;
	}
	vmca_value_init_reference(&t, f->pid_field.parent, e->address);
	if (vmca_error_consume(vmca_value_field(s, &t, &f->pid_field, &p)) &&
	    vmca_error_consume(vmca_value_u64(s, &p, &pid)) &&
	    (pid & 0xffffffff) == f->pid) {
		f->found = e->address;
		return &vmca_not_found; // stops the walk: found
	}
	return NULL;
}

static void ignore(struct vmca_session *s, struct vmca_error *err, void *arg)
{
	(void)s;
	(void)arg;
	vmca_error_destroy(err);
}

struct vmca_error *vmca_task_by_pid(struct vmca_session *s, uint64_t pid,
				    uint64_t *ret)
{
	struct find f = {.pid = pid};
	struct vmca_error *err = vmca_task_walk(s, match_pid, ignore, &f);
	if (f.found) {
		*ret = f.found;
		return NULL;
	}
	if (err && err != &vmca_not_found)
		return err;
	return vmca_error_create(VMCA_ERROR_NOT_FOUND,
				 "no task with pid %" PRIu64, pid);
}

uint64_t vmca_task_panic(struct vmca_session *s)
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

struct vmca_error *vmca_task_active(struct vmca_session *s, uint32_t cpu,
				    uint64_t *ret)
{
	struct vmca_variable rq;
	struct vmca_error *err = vmca_percpu_variable(s, "runqueues", cpu, &rq);
	if (err)
		return err;
	struct vmca_value v, c;
	vmca_value_init_reference(&v, rq.type, rq.address);
	err = vmca_value_member(s, &v, "curr", &c);
	if (!err)
		err = vmca_value_u64(s, &c, ret);
	return err;
}

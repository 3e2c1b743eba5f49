// SPDX-License-Identifier: MIT
/** @file Tasks: the walk over every task, by pid, the active and panic ones. */
#ifndef VMCA_ANALYZER_TASK_H
#define VMCA_ANALYZER_TASK_H

#include <stdbool.h>
#include <stdint.h>

#include "util/error.h"

struct vmca_session;

/** Bound on the walk: PID_MAX_LIMIT is 4M tasks. */
#define VMCA_TASK_MAX (UINT64_C(1) << 22)

struct vmca_task_entry {
	/** The struct task_struct. */
	uint64_t address;
	/** A CPU's idle task (not on the task list); cpu says which. */
	bool is_idle;
	uint32_t cpu;
};

/**
 * Every task, as crash lists them: the idle task of each possible CPU
 * (CPU 0's is init_task), then each process on init_task.tasks with its
 * threads (signal->thread_head). fn(s, entry, arg) for each; returning an
 * error stops the walk with it. A broken list or an unreadable idle task
 * is passed to on_error(s, err, arg), which owns it, and the walk goes on
 * with what it can reach.
 */
struct vmca_error *
vmca_task_walk(struct vmca_session *s,
	       struct vmca_error *(*fn)(struct vmca_session *s,
					const struct vmca_task_entry *entry,
					void *arg),
	       void (*on_error)(struct vmca_session *s, struct vmca_error *err,
				void *arg),
	       void *arg);

/** The task whose pid (a thread's own) is pid. */
struct vmca_error *vmca_task_by_pid(struct vmca_session *s, uint64_t pid,
				    uint64_t *ret);

/**
 * The task that was running the panic or crash: the current task of
 * panic_cpu (panic()) or crashing_cpu (the kdump path on x86); 0 if none.
 */
uint64_t vmca_task_panic(struct vmca_session *s);

/** The task CPU cpu was running at the dump (its runqueue's curr). */
struct vmca_error *vmca_task_active(struct vmca_session *s, uint32_t cpu,
				    uint64_t *ret);

#endif /* VMCA_ANALYZER_TASK_H */

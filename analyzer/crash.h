// SPDX-License-Identifier: MIT
/** @file Why the kernel crashed: the crash found in the dump, explained. */
#ifndef VMCA_ANALYZER_CRASH_H
#define VMCA_ANALYZER_CRASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dataflow.h"
#include "regs.h"
#include "unwind.h"
#include "util/error.h"
#include "value.h"

struct vmca_session;

enum vmca_crash_kind {
	/** No crash: the dump was taken of a running kernel. */
	VMCA_CRASH_NONE,
	/** A fault on a NULL or small address. */
	VMCA_CRASH_NULL_DEREF,
	/** A fault on any other bad address (general protection included). */
	VMCA_CRASH_BAD_ADDRESS,
	/** A call through a NULL or bad function pointer. */
	VMCA_CRASH_BAD_CALL,
	/** BUG() or BUG_ON(). */
	VMCA_CRASH_BUG,
	/** WARN() with panic_on_warn. */
	VMCA_CRASH_WARN,
	VMCA_CRASH_HUNG_TASK,
	/** A soft or hard lockup. */
	VMCA_CRASH_LOCKUP,
	/** sysrq c: a crash on request, to take the dump. */
	VMCA_CRASH_SYSRQ,
	/** panic_on_oom. */
	VMCA_CRASH_OOM,
	/** A task's kernel stack overflowed (its guard page hit). */
	VMCA_CRASH_STACK_OVERFLOW,
	/** Any other panic(). */
	VMCA_CRASH_PANIC,
};

/** "none", "null_deref", "bad_address", ... (the JSON `kind`). */
const char *vmca_crash_kind_name(enum vmca_crash_kind kind);

/** A structure the frames hold on the way to the bad pointer. */
struct vmca_crash_object {
	/** How the source reaches it ("*ctl"). */
	char expression[256];
	/** The variable that holds it, and its frame (bt's numbering). */
	char variable[128];
	char function[128];
	bool has_frame;
	size_t frame;
	/** The structure itself (a reference into the dump). */
	struct vmca_value value;
};

struct vmca_crash {
	enum vmca_crash_kind kind;
	/** One sentence to paste into a ticket. */
	char headline[768];
	/** panic()'s message, else the oops' first line; NULL if none. */
	char *message;
	/** The task that crashed (0 if none is known). */
	uint64_t task;
	bool has_cpu;
	uint32_t cpu;
	uint64_t pid;
	char comm[32];
	/** The crashed task's backtrace (NULL if it could not be unwound). */
	struct vmca_stack_trace *trace;
	/** The frame of the faulting (or BUG/WARN) instruction. */
	bool has_fault_frame;
	size_t fault_frame;
	uint64_t rip;
	char function[128];
	uint64_t offset;
	char module[64];
	/** file:line, "" where DWARF has none. */
	char source[512];
	/** "movl 0x28(%rax), %eax", "" if it could not be read. */
	char instruction[200];
	bool has_base;
	enum vmca_reg base_register;
	uint64_t base_value;
	int64_t displacement;
	bool has_fault_address;
	uint64_t fault_address;
	/** TYPE.MEMBER the access was of ("task_struct.exit_signal"). */
	char member[256];
	/** Where the bad pointer came from (expression "oc->chosen"). */
	struct vmca_origin origin;
	/** What a bad value looks like ("LIST_POISON1: ..."), "" if not. */
	char bad_value[512];
	/** For a bad call: the call instruction and what it went through. */
	uint64_t call_address;
	char call_instruction[200];
	/** BUG/WARN: where the source says. */
	char bug_source[256];
	/**
	 * A BUG() or WARN() in a checking helper (CONFIG_DEBUG_LIST's): the
	 * code that called it, and what the helper reported.
	 */
	char caller_function[128];
	char caller_module[64];
	char caller_source[512];
	char corruption[512];
	/** stack_overflow: the frames of the deepest run of one function. */
	size_t recursion_frames;
	char recursion_function[128];
	/** oom: what `oom` finds, in a sentence ("" if nothing). */
	char oom[512];
	/** hung_task: the function the task sleeps in, and the lock. */
	char wait_function[128];
	/** "mutex vmca_oops_mutex", "" if the backtrace shows none. */
	char lock[160];
	uint64_t lock_address;
	/** The lock's owner, where the lock type records one (0: none). */
	uint64_t lock_owner;
	uint64_t lock_owner_pid;
	char lock_owner_comm[32];
	/** hung_task/lockup: how long, per the log. */
	uint64_t seconds;
	struct vmca_crash_object *objects;
	size_t nr_objects;
	/** Why parts of the analysis could not be done (owned strings). */
	char **notes;
	size_t nr_notes;
};

/**
 * Find the crash (panic()'s message and the oops in the log, the crashed
 * task, its backtrace, the exception frame) and explain it by kind. Only a
 * dump that cannot be read at all is an error; what cannot be worked out
 * is said in notes.
 */
struct vmca_error *vmca_crash_analyze(struct vmca_session *s,
				      struct vmca_crash **ret);
void vmca_crash_destroy(struct vmca_crash *c);

#endif /* VMCA_ANALYZER_CRASH_H */

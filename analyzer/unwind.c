// SPDX-License-Identifier: MIT
/** @file Stack traces: the frames of a task, by the machine's unwinder. */
#include <stdlib.h>
#include <string.h>

#include "vmca.h"
#include "unwind.h"

static const struct vmca_unwind_arch *const arches[] = {
	&vmca_unwind_arch_x86_64,
};

const char *vmca_unwinder_name(enum vmca_unwinder u)
{
	switch (u) {
	case VMCA_UNWINDER_START:
		return "start";
	case VMCA_UNWINDER_ORC:
		return "orc";
	case VMCA_UNWINDER_CFI:
		return "cfi";
	case VMCA_UNWINDER_FRAME_POINTER:
		return "frame_pointer";
	}
	return "unknown";
}

void vmca_stack_trace_destroy(struct vmca_stack_trace *t)
{
	if (!t)
		return;
	vmca_error_destroy(t->error);
	free(t->frames);
	free(t);
}

static int stack_of(const struct vmca_stack_trace *t, uint64_t sp)
{
	for (size_t i = 0; i < t->nr_stacks; i++)
		if (t->stacks[i].start <= sp && sp <= t->stacks[i].end)
			return (int)i;
	return -1;
}

// Whether pc is where a new task starts (it "returns" into the first
// instruction of ret_from_fork, which no call precedes).
static bool is_fork_return(struct vmca_session *s, uint64_t pc)
{
	struct vmca_symbol sym;
	return vmca_error_consume(vmca_symbol_lookup(s, pc, &sym)) &&
	       sym.address == pc &&
	       (strcmp(sym.name, "ret_from_fork") == 0 ||
		strcmp(sym.name, "ret_from_fork_asm") == 0);
}

static struct vmca_error *push(struct vmca_stack_trace *t,
			       const struct vmca_unwind_state *st,
			       enum vmca_unwinder how)
{
	if (t->nr_frames % 16 == 0) {
		struct vmca_frame *grown = realloc(
			t->frames, (t->nr_frames + 16) * sizeof(*grown));
		if (!grown)
			return &vmca_enomem;
		t->frames = grown;
	}
	t->frames[t->nr_frames++] = (struct vmca_frame){
		.pc = st->pc,
		.sp = st->sp,
		.is_exact_pc = st->is_exact_pc,
		.unwinder = how,
		.stack = stack_of(t, st->sp),
		.regs = st->regs,
		.has_pt_regs = st->has_pt_regs,
		.is_partial_regs = st->is_partial_regs,
		.regs_address = st->regs_address,
	};
	return NULL;
}

const struct vmca_unwind_arch *vmca_unwind_arch(struct vmca_session *s)
{
	const char *machine = vmca_session_machine(s);
	for (size_t i = 0; i < sizeof(arches) / sizeof(arches[0]); i++)
		if (strcmp(arches[i]->machine, machine) == 0)
			return arches[i];
	return NULL;
}

struct vmca_error *vmca_stack_trace(struct vmca_session *s, uint64_t task,
				    const struct vmca_regs *start,
				    unsigned flags,
				    struct vmca_stack_trace **ret)
{
	const struct vmca_unwind_arch *arch = vmca_unwind_arch(s);
	if (!arch) {
		const char *machine = vmca_session_machine(s);
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "unwinding %s stacks is not supported",
					 machine[0] ? machine : "unknown");
	}
	struct vmca_regs regs;
	struct vmca_error *err = NULL, *regs_err = NULL;
	if (start)
		regs = *start;
	else
		regs_err = vmca_regs_task(s, task, &regs);
	// A CPU's stacks are the task's only while it runs there (the
	// dump's registers); a saved context is on the task's own stack.
	int64_t cpu = !regs_err && regs.source == VMCA_REGS_CPU_NOTES
			      ? (int64_t)regs.cpu
			      : -1;
	struct vmca_stack_trace *t = calloc(1, sizeof(*t));
	if (!t) {
		vmca_error_destroy(regs_err);
		return &vmca_enomem;
	}
	t->task = task;
	err = arch->stacks(s, task, cpu, t->stacks, &t->nr_stacks);
	if (err) {
		vmca_error_destroy(regs_err);
		vmca_stack_trace_destroy(t);
		return err;
	}
	if (regs_err) {
		// The task reads but its saved context does not (a stack page
		// the dump lacks or its page tables cannot map): a trace of no
		// frame that says why, so that a listing goes on.
		t->error = regs_err;
		t->user_regs.source = VMCA_REGS_SAVED_CONTEXT;
		t->user_regs.cpu = vmca_regs_task_last_cpu(s, task);
		*ret = t;
		return NULL;
	}
	if (!vmca_regs_has(&regs, VMCA_REG_RIP) ||
	    !vmca_regs_has(&regs, VMCA_REG_RSP)) {
		vmca_stack_trace_destroy(t);
		return vmca_error_create(VMCA_ERROR_NOT_FOUND,
					 "task %#" PRIx64
					 ": no instruction and stack pointer "
					 "to start from",
					 task);
	}
	if (arch->is_user(&regs)) {
		// The CPU was running the task's user code: no kernel frame.
		t->has_user_regs = true;
		t->user_regs = regs;
		t->is_complete = true;
		*ret = t;
		return NULL;
	}
	struct vmca_unwind_state st = {
		.regs = regs,
		.pc = regs.value[VMCA_REG_RIP],
		.sp = regs.value[VMCA_REG_RSP],
		.is_exact_pc = regs.source == VMCA_REGS_CPU_NOTES ||
			       is_fork_return(s, regs.value[VMCA_REG_RIP]),
		.wants_registers = flags & VMCA_STACK_TRACE_REGISTERS,
	};
	enum vmca_unwinder how = VMCA_UNWINDER_START;
	for (;;) {
		if (t->nr_frames == VMCA_UNWIND_MAX_FRAMES) {
			t->error = vmca_error_create(
				VMCA_ERROR_INVALID,
				"more than %d frames: the trace is cut",
				VMCA_UNWIND_MAX_FRAMES);
			break;
		}
		err = push(t, &st, how);
		if (err) {
			vmca_stack_trace_destroy(t);
			return err;
		}
		struct vmca_frame *f = &t->frames[t->nr_frames - 1];
		// A stack overflow's fault: the exception frame's stack
		// pointer ran into the guard page below the task's stack
		// (its first stack); the frames above are on that stack.
		uint64_t guard = vmca_session_page_size(s);
		if (f->stack < 0 && f->has_pt_regs && t->nr_stacks &&
		    f->sp < t->stacks[0].start &&
		    f->sp >= t->stacks[0].start - guard)
			f->stack = 0;
		if (f->stack < 0) {
			t->error = vmca_error_create(
				VMCA_ERROR_INVALID,
				"stack pointer %#" PRIx64
				" is outside every stack of the task",
				f->sp);
			break;
		}
		struct vmca_unwind_state prev = st;
		err = arch->step(s, &st, &how);
		st.wants_registers = prev.wants_registers;
		if (!err && !st.is_end && !st.has_pt_regs) {
			t->frames[t->nr_frames - 1].has_cfa = true;
			t->frames[t->nr_frames - 1].cfa = st.sp;
		}
		if (err) {
			t->error = vmca_error_wrap(err,
						   "frame #%zu at %#" PRIx64
						   " cannot be unwound",
						   t->nr_frames - 1, prev.pc);
			break;
		}
		if (st.is_end) {
			t->is_complete = true;
			break;
		}
		if (st.is_user) {
			t->has_user_regs = true;
			t->user_regs = st.regs;
			t->user_regs_address = st.regs_address;
			t->is_complete = true;
			break;
		}
		// An exception's saved RIP of 0 is a call through a NULL
		// function pointer (the step after it unwinds the call); a
		// return address of 0 is the end of a broken chain.
		if (!st.pc && !st.has_pt_regs) {
			t->error = vmca_error_create(
				VMCA_ERROR_INVALID,
				"frame #%zu returns to address 0",
				t->nr_frames - 1);
			break;
		}
		int next_stack = stack_of(t, st.sp);
		if (next_stack == f->stack && st.sp <= prev.sp) {
			t->error = vmca_error_create(
				VMCA_ERROR_INVALID,
				"the stack pointer does not move up (%#" PRIx64
				" after %#" PRIx64 "): a loop",
				st.sp, prev.sp);
			break;
		}
	}
	*ret = t;
	return NULL;
}

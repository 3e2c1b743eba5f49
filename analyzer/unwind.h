// SPDX-License-Identifier: MIT
/** @file Stack traces: a task's frames, unwound from its registers. */
#ifndef VMCA_ANALYZER_UNWIND_H
#define VMCA_ANALYZER_UNWIND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "expr.h"
#include "regs.h"
#include "util/error.h"

struct vmca_session;

/** A trace longer than this is cut (and says so). */
#define VMCA_UNWIND_MAX_FRAMES 256

/** How a frame was found from the one before it. */
enum vmca_unwinder {
	/** The starting registers: no unwinding. */
	VMCA_UNWINDER_START,
	/** The kernel's ORC tables (vmlinux's, or the module's). */
	VMCA_UNWINDER_ORC,
	/** DWARF CFI (.debug_frame), where ORC has no entry. */
	VMCA_UNWINDER_CFI,
	/** The frame pointer chain, the last resort. */
	VMCA_UNWINDER_FRAME_POINTER,
};

/** "start", "orc", "cfi", "frame_pointer". */
const char *vmca_unwinder_name(enum vmca_unwinder u);

/** One of the stacks a task's frames may live on. */
struct vmca_stack {
	/** "task", "irq", "nmi", "double_fault", "debug", "mce", ... */
	const char *name;
	/** [start, end): the stack grows down from end. */
	uint64_t start, end;
};

/** At most this many stacks a task can have frames on. */
#define VMCA_UNWIND_MAX_STACKS 16

struct vmca_frame {
	/** Where the frame's code is: the faulting or interrupted
	 *  instruction (is_exact_pc), else the return address. */
	uint64_t pc;
	/** The stack pointer in this frame. */
	uint64_t sp;
	/**
	 * pc is the instruction that was running (the starting registers,
	 * or the one an exception interrupted), not a return address: its
	 * code and line are pc's own, not those of pc - 1.
	 */
	bool is_exact_pc;
	enum vmca_unwinder unwinder;
	/** The stack sp is on (index into the trace's stacks), -1: none. */
	int stack;
	/** The registers known in this frame (rip and rsp at least). */
	struct vmca_regs regs;
	/**
	 * The frame was entered through an exception, an interrupt or a
	 * system call: the pt_regs saved at regs_address hold its
	 * registers (only the iret frame's if is_partial_regs).
	 */
	bool has_pt_regs;
	bool is_partial_regs;
	uint64_t regs_address;
	/**
	 * The frame's CFA: its caller's stack pointer before the call (the
	 * next frame's sp, when that was not entered through pt_regs).
	 */
	bool has_cfa;
	uint64_t cfa;
};

/** Ask the unwinder for more than the frames. */
enum vmca_stack_trace_flags {
	/**
	 * The callee-saved registers of each caller's frame, recovered
	 * through DWARF CFI where ORC does not restore them (what locals
	 * held in rbx, r12-r15 need).
	 */
	VMCA_STACK_TRACE_REGISTERS = 1,
};

struct vmca_stack_trace {
	uint64_t task;
	struct vmca_stack stacks[VMCA_UNWIND_MAX_STACKS];
	size_t nr_stacks;
	struct vmca_frame *frames;
	size_t nr_frames;
	/**
	 * Whether the trace reached the task's entry: the ORC end of stack
	 * (ret_from_fork, entry_SYSCALL_64, the idle task's start), user
	 * mode registers, or the top of the task's stack.
	 */
	bool is_complete;
	/**
	 * The last frame entered from user mode: the pt_regs at
	 * user_regs_address hold the user registers (a system call).
	 */
	bool has_user_regs;
	uint64_t user_regs_address;
	struct vmca_regs user_regs;
	/** Why the trace stops where it does, if not complete (owned). */
	struct vmca_error *error;
};

/**
 * The stack trace of task, unwound from its registers (vmca_regs_task():
 * the crash-time ones of an active task, the saved context of a sleeping
 * one), or from start if non-NULL. A frame that cannot be unwound ends
 * the trace with ret->error saying why, and so do registers that cannot
 * be read (a trace of no frame); only a task that cannot be read at all
 * is an error.
 */
struct vmca_error *vmca_stack_trace(struct vmca_session *s, uint64_t task,
				    const struct vmca_regs *start,
				    unsigned flags,
				    struct vmca_stack_trace **ret);
void vmca_stack_trace_destroy(struct vmca_stack_trace *t);

/* The architecture's part: one per machine (unwind_x86_64.c). */

struct vmca_unwind_state {
	struct vmca_regs regs;
	uint64_t pc, sp;
	bool is_exact_pc;
	/** The registers came from a full pt_regs / an iret frame. */
	bool has_pt_regs, is_partial_regs;
	uint64_t regs_address;
	/** The step reached the end of the stack. */
	bool is_end;
	/** The pt_regs it found are user mode's: end of the kernel stack. */
	bool is_user;
	/** VMCA_STACK_TRACE_REGISTERS: recover callee-saved registers. */
	bool wants_registers;
};

struct vmca_unwind_arch {
	/** The machine as vmca_session_machine() names it. */
	const char *machine;
	/** The stacks a task may use: its own, its CPU's if cpu >= 0. */
	struct vmca_error *(*stacks)(struct vmca_session *s, uint64_t task,
				     int64_t cpu, struct vmca_stack *stacks,
				     size_t *nr_ret);
	/**
	 * One step from state to its caller's frame, by the earliest tier
	 * that has what it needs (*how_ret says which); an error says why
	 * the frame cannot be unwound.
	 */
	struct vmca_error *(*step)(struct vmca_session *s,
				   struct vmca_unwind_state *state,
				   enum vmca_unwinder *how_ret);
	/** Whether user-mode registers (the step ends there). */
	bool (*is_user)(const struct vmca_regs *regs);
	/** The register a DWARF register number names; false if none. */
	bool (*dwarf_register)(unsigned regno, enum vmca_reg *ret);
};

extern const struct vmca_unwind_arch vmca_unwind_arch_x86_64;
/** The machine's unwinding part, NULL if vmca has none for it. */
const struct vmca_unwind_arch *vmca_unwind_arch(struct vmca_session *s);

/** An ORC entry, decoded (the byte level of the ORC unwinder). */
struct vmca_unwind_orc_entry {
	int16_t sp_offset, bp_offset;
	/** ORC_REG_*: arch/x86/include/asm/orc_types.h. */
	unsigned sp_reg, bp_reg;
	/** 0 undefined, 1 end of stack, 2 call, 3 regs, 4 partial regs. */
	int type;
};

/**
 * Look pc up in an ORC table as the x86_64 unwinder does, for tests and
 * fuzzing: ip holds nr s32, each relative to its own address (ip[0] is
 * at ip_address); entries nr struct orc_entry in orc_types.h's layout,
 * v6.4's encoding if is_v6_4; the table covers [lo, hi). Returns whether
 * an entry holds pc (*ret is then written).
 */
bool vmca_unwind_x86_64_orc_lookup(const uint8_t *ip, const uint8_t *entries,
				   size_t nr, uint64_t ip_address, uint64_t lo,
				   uint64_t hi, bool is_v6_4, uint64_t pc,
				   struct vmca_unwind_orc_entry *ret);

/* A frame's variables (frame.c). */

struct vmca_frame_variable {
	const char *name;
	bool is_parameter;
	/** The function whose variable it is (inlined or not). */
	const char *function;
	/** 0: the innermost function at the frame's PC (its first inlined
	 *  frame), 1 the next... */
	size_t scope;
	/** Its value (its type; absent if not available). */
	struct vmca_value value;
	/** The type's name, "" when DWARF's is none vmca knows. */
	const char *type_name;
	/** Not available: why ("optimized out", a register not known). */
	const char *reason;
	bool is_optimized_out;
	/** At the PC its value is that of register reg (data flow). */
	bool in_register;
	enum vmca_reg reg;
};

/**
 * The parameters and variables in scope at frame i of the trace, from
 * DWARF location expressions and lists evaluated with that frame's
 * registers: fn(s, v, arg) for each, innermost function first (v and its
 * value are the callback's only for its duration).
 */
struct vmca_error *
vmca_frame_variables(struct vmca_session *s, const struct vmca_stack_trace *t,
		     size_t i,
		     void (*fn)(struct vmca_session *s,
				const struct vmca_frame_variable *v, void *arg),
		     void *arg);

/**
 * The same at another address pc of frame i's function (an instruction
 * before the frame's own, for data flow): which variables are in scope
 * there and where (in_register); values evaluated with the frame's
 * registers are the frame's, right only where nothing changed them.
 */
struct vmca_error *vmca_frame_variables_at(
	struct vmca_session *s, const struct vmca_stack_trace *t, size_t i,
	uint64_t pc,
	void (*fn)(struct vmca_session *s, const struct vmca_frame_variable *v,
		   void *arg),
	void *arg);

/**
 * bt's number of frame i's scope (0: its innermost inlined call, the last
 * one the function compiled on its own): each frame counts once plus once
 * per call inlined at its PC.
 */
size_t vmca_frame_number(struct vmca_session *s,
			 const struct vmca_stack_trace *t, size_t i,
			 size_t scope);

/* The session's unwinding cache (tables, layouts; session.c owns it). */
struct vmca_unwind_cache;
void vmca_unwind_cache_destroy(struct vmca_unwind_cache *c);
struct vmca_unwind_cache **vmca_session_unwind_cache(struct vmca_session *s);

/**
 * Frame n of task's trace (bt's numbering: inlined calls count; task 0:
 * the panic task, else CPU 0's) as the scope of C expressions: its
 * variables before the globals (vmca_expr_eval_scoped()).
 */
struct vmca_frame_scope;
struct vmca_error *vmca_frame_scope_create(struct vmca_session *s,
					   uint64_t task, size_t n,
					   struct vmca_frame_scope **ret);
void vmca_frame_scope_destroy(struct vmca_frame_scope *f);
const struct vmca_expr_scope *
vmca_frame_scope_expr(const struct vmca_frame_scope *f);

#endif /* VMCA_ANALYZER_UNWIND_H */

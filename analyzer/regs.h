// SPDX-License-Identifier: MIT
/** @file Register sets: each CPU's at the crash, each task's last one. */
#ifndef VMCA_ANALYZER_REGS_H
#define VMCA_ANALYZER_REGS_H

#include <stdbool.h>
#include <stdint.h>

#include "util/error.h"

struct vmca_session;

/** x86_64's registers, in the order of its pt_regs' general ones. */
enum vmca_reg {
	VMCA_REG_RAX,
	VMCA_REG_RBX,
	VMCA_REG_RCX,
	VMCA_REG_RDX,
	VMCA_REG_RSI,
	VMCA_REG_RDI,
	VMCA_REG_RBP,
	VMCA_REG_RSP,
	VMCA_REG_R8,
	VMCA_REG_R9,
	VMCA_REG_R10,
	VMCA_REG_R11,
	VMCA_REG_R12,
	VMCA_REG_R13,
	VMCA_REG_R14,
	VMCA_REG_R15,
	VMCA_REG_RIP,
	VMCA_REG_RFLAGS,
	VMCA_REG_CS,
	VMCA_REG_SS,
	VMCA_REG_FS_BASE,
	VMCA_REG_GS_BASE,
	VMCA_REG_NR,
};

/** "rax", "rbx", ... "gs_base". */
extern const char *const vmca_reg_names[VMCA_REG_NR];

enum vmca_regs_source {
	/** The dump's notes (NT_PRSTATUS): a CPU's registers at the crash. */
	VMCA_REGS_CPU_NOTES,
	/**
	 * A task off its CPU: what it saved switching out (x86_64: thread.sp
	 * and the struct inactive_task_frame there), the callee-saved ones.
	 */
	VMCA_REGS_SAVED_CONTEXT,
};

struct vmca_regs {
	uint64_t value[VMCA_REG_NR];
	/** Bit r set: value[r] is known. */
	uint64_t is_set;
	enum vmca_regs_source source;
	/** The CPU (CPU_NOTES), or the task's last one. */
	uint32_t cpu;
};

static inline bool vmca_regs_has(const struct vmca_regs *r, enum vmca_reg reg)
{
	return r->is_set >> reg & 1;
}

/** CPUs with registers in the dump's notes. */
uint32_t vmca_regs_nr_cpus(struct vmca_session *s);
/**
 * CPU cpu's registers from the dump's notes; pid_ret (may be NULL) the pid
 * the note names (the task on the CPU), -1 if none.
 */
struct vmca_error *vmca_regs_cpu(struct vmca_session *s, uint32_t cpu,
				 struct vmca_regs *ret, int64_t *pid_ret);
/**
 * The CPU whose active task (its runqueue's curr) task is, or -1 for a
 * task off every CPU.
 */
int64_t vmca_regs_task_cpu(struct vmca_session *s, uint64_t task);
/**
 * The CPU task last ran on (thread_info.cpu, or task_struct.cpu before
 * v5.16), 0 if it cannot be read.
 */
uint32_t vmca_regs_task_last_cpu(struct vmca_session *s, uint64_t task);
/**
 * A task's register set: its CPU's from the notes if it was running on
 * one at the dump, else its saved context.
 */
struct vmca_error *vmca_regs_task(struct vmca_session *s, uint64_t task,
				  struct vmca_regs *ret);

#endif /* VMCA_ANALYZER_REGS_H */

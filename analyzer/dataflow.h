// SPDX-License-Identifier: MIT
/** @file Data flow in a function's code: where a register's value came from. */
#ifndef VMCA_ANALYZER_DATAFLOW_H
#define VMCA_ANALYZER_DATAFLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "regs.h"
#include "unwind.h"
#include "util/error.h"

struct vmca_session;

/** What a register held at an instruction, as the source spelled it. */
struct vmca_origin {
	/**
	 * A C expression for the value ("oc->chosen", "p", "current",
	 * "NULL"); empty if neither DWARF nor the code tells.
	 */
	char expression[256];
	/** Its type (a session type id), where known. */
	bool has_type;
	uint32_t type;
	/**
	 * The variable the expression starts from ("oc"): a parameter or
	 * local of the frame's function or of a call inlined into it, or a
	 * global; empty if the expression has none.
	 */
	char root[128];
	bool root_is_parameter;
	/** The function whose variable the root is. */
	char root_function[128];
	/** The root's type, and its value where the frame still has it. */
	bool has_root_type;
	uint32_t root_type;
	bool has_root_value;
	uint64_t root_value;
	/** The member the last load read ("oom_control.chosen"), or "". */
	char member[256];
	/** Loads between the root and the value (oc->chosen: 1). */
	unsigned depth;
	/**
	 * The instruction that last wrote the register, if the code says
	 * (0: the value came in with the function's entry, or unknown).
	 */
	uint64_t defined_at;
	/** Where the analysis stopped and why, when it did short of a root. */
	char note[160];
};

/**
 * Where the value of register reg, as instruction pc of frame i of the
 * trace is about to run, came from: DWARF's locations first (a variable
 * located in that register there), else the function's code read backwards
 * from pc along every path that reaches it (a load "mov 0x10(%rbx),%rdi"
 * makes it a member of what %rbx held; a move, the other register's value;
 * the function's entry, the parameter passed in it). Paths that disagree,
 * or code vmca cannot follow (an indirect jump inside the function), end
 * the analysis with a note: never a guess. An error only if the frame's
 * code cannot be read at all.
 */
struct vmca_error *vmca_register_origin(struct vmca_session *s,
					const struct vmca_stack_trace *t,
					size_t i, uint64_t pc,
					enum vmca_reg reg,
					struct vmca_origin *ret);

/**
 * The member of struct or union type id that holds bytes [offset, offset
 * + size): its path ("signal", "se.vruntime", "pids[1]") and type; false
 * if none does (padding, or beyond the type).
 */
bool vmca_member_at_offset(struct vmca_session *s, uint32_t id, uint64_t offset,
			   uint64_t size, char *path, size_t path_size,
			   uint32_t *type_ret);

/**
 * The member of what origin o points to that holds [disp, disp + size):
 * its path, the struct or union it is in and its type; false if o is no
 * pointer to a struct or union with such a member.
 */
bool vmca_origin_member(struct vmca_session *s, const struct vmca_origin *o,
			int64_t disp, uint64_t size, char *path,
			size_t path_size, uint32_t *struct_ret,
			uint32_t *type_ret);

/** "task_struct.exit_signal": a member path as TYPE.PATH (no "struct "). */
void vmca_member_label(struct vmca_session *s, uint32_t id, const char *path,
		       char *buf, size_t size);

#endif /* VMCA_ANALYZER_DATAFLOW_H */

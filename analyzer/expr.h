// SPDX-License-Identifier: MIT
/** @file C expressions over the dump's types and globals. */
#ifndef VMCA_ANALYZER_EXPR_H
#define VMCA_ANALYZER_EXPR_H

#include "value.h"

struct vmca_session;

/** Longer expressions are refused. */
#define VMCA_EXPR_MAX_LENGTH 4096

/**
 * Evaluate text, a C expression: integer and character literals; globals
 * (their DWARF type), functions and other symbols (their address), enum
 * constants; . -> [] ; unary * & - + ! ~ ; binary arithmetic, shifts,
 * bitwise, comparisons, && || ?: with C's integer promotions and
 * conversions (LP64) and pointer arithmetic; casts to any type the
 * debuginfo names, with pointers ("(struct oom_control *)0xffff...");
 * sizeof, offsetof(TYPE, a.b[2]), container_of(PTR, TYPE, MEMBER) and
 * per_cpu(VAR, CPU). Members and subscripts of values in the dump are not
 * read until needed: ret is usually a reference.
 *
 * Errors: a syntax error names its column ("column 7: expected ')'",
 * VMCA_ERROR_USAGE); an evaluation error names the subexpression it came
 * from ("init_task.mm->pgd: address 0x...: page not in dump"): unknown
 * identifiers and members (VMCA_ERROR_NOT_FOUND), a dereference of a
 * non-pointer and other type errors (VMCA_ERROR_INVALID), unreadable
 * memory (VMCA_ERROR_FAULT).
 */
struct vmca_error *vmca_expr_eval(struct vmca_session *s, const char *text,
				  struct vmca_value *ret);

/** Names an expression sees before the globals: a frame's variables. */
struct vmca_expr_scope {
	/**
	 * The value of name (ret is the caller's to deinit), or
	 * VMCA_ERROR_NOT_FOUND to look among the globals.
	 */
	struct vmca_error *(*lookup)(struct vmca_session *s, const char *name,
				     void *arg, struct vmca_value *ret);
	void *arg;
};

/** vmca_expr_eval() with scope's names first (NULL: none). */
struct vmca_error *vmca_expr_eval_scoped(struct vmca_session *s,
					 const char *text,
					 const struct vmca_expr_scope *scope,
					 struct vmca_value *ret);

#endif /* VMCA_ANALYZER_EXPR_H */

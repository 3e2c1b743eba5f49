// SPDX-License-Identifier: MIT
/** @file Values decoded for people and JSON: struct's and eval's printer. */
#ifndef VMCA_ANALYZER_PRINT_H
#define VMCA_ANALYZER_PRINT_H

#include <stdbool.h>
#include <stdint.h>

#include "output.h"
#include "value.h"

struct vmca_session;

enum vmca_print_json {
	/**
	 * struct's shape: a member is {"name", "offset", "size", "type",
	 * "bit_offset"?, "bit_size"?, "value"?, "symbol"?, "members"?}; an
	 * aggregate's value is the list of its members.
	 */
	VMCA_PRINT_JSON_MEMBERS,
	/**
	 * eval's shape, a typed tree: objects for structs and unions
	 * (anonymous members' members in place), lists for arrays, numbers
	 * that fit in 2^53, "0x..." strings for pointers and wider integers,
	 * enums by name, char arrays as strings, null when optimized out.
	 */
	VMCA_PRINT_JSON_TREE,
};

struct vmca_print_options {
	enum vmca_print_json json;
	/** Aggregates nested deeper are shown as {...}. */
	int max_depth;
	/** Every integer in hex. */
	bool is_hex;
	/** Unsigned integers of 10 and more in hex (struct's habit). */
	bool is_unsigned_hex;
};

/**
 * The members of a struct or union, one per line ("[0x18] pid_t pid = 1;")
 * indented by depth, and in JSON as member objects of the current list
 * (VMCA_PRINT_JSON_MEMBERS only). v may be NULL: the layout alone. v's
 * bytes should be held (vmca_value_fetch) so that it costs one read.
 */
void vmca_print_members(struct vmca_session *s, struct vmca_out *out,
			uint32_t type, const struct vmca_value *v, int depth,
			const struct vmca_print_options *opts);

/**
 * One value: in JSON the "value" field (and "symbol" for a pointer into
 * a symbol, in MEMBERS form), in text its C rendering: 42, "swapper/0",
 * 0xffff... <init_task>, ZONE_NORMAL, { ... } for aggregates. depth is
 * that of the line it is printed on: -1 for a value on a line of its own,
 * whose members then start at column 2.
 */
void vmca_print_value(struct vmca_session *s, struct vmca_out *out,
		      const struct vmca_value *v, int depth,
		      const struct vmca_print_options *opts);

/** vmca_print_value() with its JSON under key (NULL in a list). */
void vmca_print_keyed(struct vmca_session *s, struct vmca_out *out,
		      const char *key, const struct vmca_value *v, int depth,
		      const struct vmca_print_options *opts);

/**
 * "name+0x10" for a kernel address inside a symbol (or at one of size 0),
 * in buf; false if none.
 */
bool vmca_print_symbolize(struct vmca_session *s, uint64_t address, char *buf,
			  size_t size);

/* Stack traces (trace_print.c): bt's form, for every command that shows one. */

struct vmca_stack_trace;
struct vmca_trace_printer;

enum vmca_trace_print_flags {
	/** Each frame's parameters and variables (bt -l). */
	VMCA_TRACE_PRINT_LOCALS = 1,
	/** Each frame's raw stack words (bt -f). */
	VMCA_TRACE_PRINT_WORDS = 2,
};

struct vmca_error *vmca_trace_printer_create(struct vmca_session *s,
					     struct vmca_out *out,
					     unsigned flags,
					     struct vmca_trace_printer **ret);
void vmca_trace_printer_destroy(struct vmca_trace_printer *p);
/**
 * Task's trace t as bt shows it: in JSON one object {"pid", "task",
 * "comm", "cpu", "is_active", "registers_source", "stacks", "frames",
 * "is_complete", "user_regs", "error"} of the current list (see `vmca
 * help bt`); in text its header, frames and exception registers.
 */
struct vmca_error *vmca_trace_print(struct vmca_trace_printer *p, uint64_t task,
				    const struct vmca_stack_trace *t);

/**
 * Only the frames of t: bt's "frames" list under key, and in text its
 * frame lines.
 */
void vmca_trace_print_frames(struct vmca_trace_printer *p, const char *key,
			     const struct vmca_stack_trace *t);

#endif /* VMCA_ANALYZER_PRINT_H */

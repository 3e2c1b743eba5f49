// SPDX-License-Identifier: MIT
/** @file The vocabulary of dwarf/'s answers: type kinds, descriptions, symbols.
 */
#ifndef VMCA_DWARF_DEBUGINFO_TYPES_H
#define VMCA_DWARF_DEBUGINFO_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Plain data, no functions: plugins see these through vmca.h, and ask the
 * session (analyzer/type.c), which knows the vmlinux's types, modules'
 * and the ones vmca makes, never dwarf/ itself.
 */

enum vmca_type_kind {
	VMCA_TYPE_VOID,
	VMCA_TYPE_INT, /**< integer base type, incl. char and _Bool */
	VMCA_TYPE_FLOAT,
	VMCA_TYPE_POINTER,
	VMCA_TYPE_STRUCT,
	VMCA_TYPE_UNION,
	VMCA_TYPE_ENUM,
	VMCA_TYPE_TYPEDEF,
	VMCA_TYPE_ARRAY,
	VMCA_TYPE_FUNCTION,
	VMCA_TYPE_CONST,
	VMCA_TYPE_VOLATILE,
	VMCA_TYPE_RESTRICT,
};

struct vmca_type {
	enum vmca_type_kind kind;
	/** Name without "struct "/"union "/"enum " prefix; NULL if
	 *  anonymous. */
	const char *name;
	/** Size in bytes (0 for void, functions, incomplete types). */
	uint64_t size;
	/**
	 * POINTER/TYPEDEF/CONST/VOLATILE/RESTRICT: the target type.
	 * ARRAY: the element type. ENUM: the underlying integer type (or 0).
	 * FUNCTION: the return type.
	 */
	uint32_t target;
	/** STRUCT/UNION: members; ENUM: enumerators; FUNCTION: parameters. */
	uint32_t count;
	/** ARRAY: number of elements (0 for a flexible or unknown bound). */
	uint64_t array_len;
	/** INT and ENUM: signedness. INT: also whether it is a char type. */
	bool is_signed;
	bool is_char;
	bool is_bool;
	/** STRUCT/UNION/ENUM: a declaration only (no definition found). */
	bool is_declaration;
	/** FUNCTION: takes variable arguments. */
	bool is_variadic;
};

struct vmca_member {
	/** NULL for an anonymous struct/union member. */
	const char *name;
	uint32_t type;
	/** Offset of the member from the start of its parent, in bits. */
	uint64_t bit_offset;
	/** Width of a bitfield in bits; 0 if not a bitfield. */
	uint32_t bit_size;
};

struct vmca_symbol {
	const char *name;
	uint64_t address;
	uint64_t size;
	/** 'T'/'t' function, 'D'/'d' data, 'B'/'b' bss, 'R'/'r', 'A' ... */
	char type;
	/** The module it belongs to (the session's lookups); NULL: vmlinux. */
	const char *module;
};

/** Inlined calls at one address deeper than this are not followed. */
#define VMCA_DEBUGINFO_MAX_INLINE 32

/** A function at an address, and where in its source. */
struct vmca_debuginfo_location {
	/** NULL if DWARF names none. */
	const char *function;
	/** As the line table composes it (directory and name); NULL. */
	const char *file;
	uint32_t line, column;
	/** Inlined into the next frame. */
	bool is_inlined;
};

struct vmca_debuginfo_pc {
	/**
	 * Innermost first: the function whose code it is (inlined, if so,
	 * with the line table's file:line), then each function that call was
	 * inlined into (with the place of the call), out to the function
	 * compiled on its own.
	 */
	struct vmca_debuginfo_location frames[VMCA_DEBUGINFO_MAX_INLINE];
	size_t nr_frames;
	/** Where the strings above live. */
	char strings[8192];
	size_t strings_len;
};

#endif /* VMCA_DWARF_DEBUGINFO_TYPES_H */

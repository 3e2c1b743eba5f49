// SPDX-License-Identifier: MIT
/** @file Types of the program: the vmlinux's, modules', and made ones. */
#ifndef VMCA_ANALYZER_TYPE_H
#define VMCA_ANALYZER_TYPE_H

#include <stddef.h>
#include <stdint.h>

#include "../dwarf/debuginfo_types.h"
#include "util/error.h"

struct vmca_session;
struct vmca_debuginfo;

/*
 * Type ids are session-wide. The vmlinux's debuginfo ids are used as they
 * are; each module with debuginfo gets a range of its own (its ids plus a
 * base); ids from VMCA_TYPE_MADE_BASE on are types vmca made at run time
 * (a pointer to a type no DWARF spells, an int type a vmlinux lacks). Id 0
 * is void everywhere. Every id these functions return is session-wide,
 * members' and targets' included; an id is valid until the session is
 * destroyed.
 */
#define VMCA_TYPE_MADE_BASE 0xf0000000u

/** Describe type id (void for an unknown id). */
void vmca_type_info(struct vmca_session *s, uint32_t id, struct vmca_type *ret);
/** Member i (0 <= i < count) of a struct or union. */
void vmca_type_member_at(struct vmca_session *s, uint32_t id, uint32_t i,
			 struct vmca_member *ret);
/** Enumerator i of an enum. */
void vmca_type_enumerator_at(struct vmca_session *s, uint32_t id, uint32_t i,
			     const char **name_ret, int64_t *value_ret);
/** Parameter i of a function type: its type. */
uint32_t vmca_type_parameter_at(struct vmca_session *s, uint32_t id,
				uint32_t i);
/** Strip typedefs and const/volatile/restrict. */
uint32_t vmca_type_unqualified(struct vmca_session *s, uint32_t id);
/** Size in bytes (typedefs followed; 0 for void, functions, incomplete). */
uint64_t vmca_type_sizeof(struct vmca_session *s, uint32_t id);
/**
 * The C spelling of a type ("struct list_head *", "char [16]"), with
 * var_name where the declarator goes if non-NULL. Like snprintf.
 */
size_t vmca_type_name(struct vmca_session *s, uint32_t id, const char *var_name,
		      char *buf, size_t size);

/** Look up a type by C name (see vmca_debuginfo_find_type()). */
struct vmca_error *vmca_type(struct vmca_session *s, const char *name,
			     uint32_t *ret);
/**
 * Look up a type by name as a user means it: the vmlinux's, else the first
 * loaded module's (in list order) whose debuginfo defines it; a miss in
 * the vmlinux opens every module's debuginfo that can be found. Kernel
 * code asking whether the kernel has a type uses vmca_type().
 */
struct vmca_error *vmca_type_find(struct vmca_session *s, const char *name,
				  uint32_t *ret);
/** A pointer to target: the one vmca made for it (made once, then reused). */
struct vmca_error *vmca_type_pointer_to(struct vmca_session *s, uint32_t target,
					uint32_t *ret);
/** An array of len elements of element (made once, then reused). */
struct vmca_error *vmca_type_array_of(struct vmca_session *s, uint32_t element,
				      uint64_t len, uint32_t *ret);
/**
 * An integer type by its C name ("int", "unsigned long", "_Bool",
 * "char"...): the vmlinux's, or one vmca makes with the LP64 size.
 */
struct vmca_error *vmca_type_int(struct vmca_session *s, const char *name,
				 uint32_t *ret);

/**
 * The enum constant name: its enum type and value. The first call builds
 * a map of every enumerator of the vmlinux (one pass over its types).
 */
struct vmca_error *vmca_type_enumerator(struct vmca_session *s,
					const char *name, uint32_t *type_ret,
					int64_t *value_ret);

/**
 * Resolve a member path within a struct or union ("se.vruntime",
 * "rss_stat.count[1]"), as vmca_debuginfo_member_path() does, once per
 * (type, path) and session: later calls are a hash lookup.
 */
struct vmca_error *vmca_type_member_path(struct vmca_session *s, uint32_t id,
					 const char *path,
					 struct vmca_member *ret);

/** Size in bytes of the named type. */
struct vmca_error *vmca_type_size(struct vmca_session *s, const char *name,
				  uint64_t *ret);
/** A member (path) of the named type; bit_offset from the type's start. */
struct vmca_error *vmca_type_member(struct vmca_session *s,
				    const char *type_name, const char *path,
				    struct vmca_member *ret);
/** Byte offset of a member path. Fails for bitfields. */
struct vmca_error *vmca_type_member_offset(struct vmca_session *s,
					   const char *type_name,
					   const char *path, uint64_t *ret);
/** Whether the named type has the member path (kernel differences). */
bool vmca_type_has_member(struct vmca_session *s, const char *type_name,
			  const char *path);

/**
 * atomic_t and atomic_long_t are a struct with one member, counter: the
 * counter's (unqualified) type; any other type unqualified, as it is.
 */
uint32_t vmca_type_unwrap_atomic(struct vmca_session *s, uint32_t type);

/* The session's type table (core only). */

struct vmca_type_table;

/** The session's table (session.c). */
struct vmca_type_table *vmca_session_type_table(struct vmca_session *s);

/** A table over the vmlinux's debuginfo (borrowed; it outlives the table). */
struct vmca_error *vmca_type_table_create(struct vmca_debuginfo *vmlinux,
					  struct vmca_type_table **ret);
void vmca_type_table_destroy(struct vmca_type_table *t);
/**
 * Add a module's debuginfo (borrowed): its ids get a range of their own.
 * ret is the base added to them.
 */
struct vmca_error *vmca_type_table_add(struct vmca_type_table *t,
				       struct vmca_debuginfo *di,
				       uint32_t *base_ret);

#endif /* VMCA_ANALYZER_TYPE_H */

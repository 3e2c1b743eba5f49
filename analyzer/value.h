// SPDX-License-Identifier: MIT
/** @file Typed values: a type and where it lives (the dump, held bytes). */
#ifndef VMCA_ANALYZER_VALUE_H
#define VMCA_ANALYZER_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "type.h"
#include "util/error.h"

struct vmca_session;

/*
 * After libdrgn's drgn_object: a value is a type (a session-wide type id)
 * plus where it is. A reference lives at an address in the dump and is
 * read only when a value is finally needed, so that a->b.c[3] costs one
 * read; held bytes come from a computation or a register; an absent value
 * exists in the debuginfo but not in the program (optimized out), which is
 * a result, printed "<optimized out>", never an error. Bitfields carry
 * their bit offset from the start of the value's first byte and width.
 */
enum vmca_value_kind {
	VMCA_VALUE_REFERENCE,
	VMCA_VALUE_BYTES,
	VMCA_VALUE_ABSENT,
};

/** Held values up to this size need no allocation. */
#define VMCA_VALUE_INLINE 16
/** Held values larger than this are refused (a struct read whole). */
#define VMCA_VALUE_MAX_BYTES (UINT64_C(1) << 24)

struct vmca_value {
	uint32_t type;
	enum vmca_value_kind kind;
	/** REFERENCE: where the first byte is. */
	uint64_t address;
	/** Bitfield: offset of its first bit in the first byte; width. */
	uint32_t bit_offset;
	/** 0 if not a bitfield. */
	uint32_t bit_size;
	/** BYTES: how many are held (the type's size). */
	uint64_t size;
	union {
		unsigned char inline_bytes[VMCA_VALUE_INLINE];
		unsigned char *heap_bytes;
	};
};

/** A member resolved once (vmca_field_init), read per object. */
struct vmca_field {
	/** The struct or union it belongs to. */
	uint32_t parent;
	struct vmca_member member;
};

/* Creating and releasing. Every value must be deinit'ed; copies too. */

void vmca_value_init_reference(struct vmca_value *v, uint32_t type,
			       uint64_t address);
void vmca_value_init_absent(struct vmca_value *v, uint32_t type);
/** An integer, enum, bool or pointer value of type, from its bits. */
void vmca_value_init_u64(struct vmca_session *s, struct vmca_value *v,
			 uint32_t type, uint64_t value);
/** A value of type holding size bytes copied from data. */
struct vmca_error *vmca_value_init_bytes(struct vmca_value *v, uint32_t type,
					 const void *data, uint64_t size);
void vmca_value_deinit(struct vmca_value *v);
struct vmca_error *vmca_value_copy(struct vmca_value *dst,
				   const struct vmca_value *src);
/** The held bytes of a BYTES value. */
const unsigned char *vmca_value_bytes(const struct vmca_value *v);

/* Structure. ret is written only on success. */

/** Resolve a member path of a struct or union type once, for loops. */
struct vmca_error *vmca_field_init(struct vmca_session *s, uint32_t type,
				   const char *path, struct vmca_field *ret);
/** The member of v that field describes (v's type must be field's). */
struct vmca_error *vmca_value_field(struct vmca_session *s,
				    const struct vmca_value *v,
				    const struct vmca_field *field,
				    struct vmca_value *ret);
/**
 * A member by name or path of v ("pid", "se.vruntime", "count[1]"); the
 * (type, path) lookup is cached in the session. v may be a pointer to a
 * struct or union: the member of what it points to (like ->).
 */
struct vmca_error *vmca_value_member(struct vmca_session *s,
				     const struct vmca_value *v,
				     const char *path, struct vmca_value *ret);
/** Element index of an array, or of what a pointer points to. */
struct vmca_error *vmca_value_subscript(struct vmca_session *s,
					const struct vmca_value *v,
					int64_t index, struct vmca_value *ret);
/** What a pointer points to (reads the pointer). */
struct vmca_error *vmca_value_deref(struct vmca_session *s,
				    const struct vmca_value *v,
				    struct vmca_value *ret);
/** A pointer to a reference (not to a bitfield or held bytes). */
struct vmca_error *vmca_value_address_of(struct vmca_session *s,
					 const struct vmca_value *v,
					 struct vmca_value *ret);
/**
 * C's cast to type: integers and pointers convert (truncated, extended
 * by the source's signedness); anything else is reinterpreted if its size
 * matches (a reference keeps its address).
 */
struct vmca_error *vmca_value_cast(struct vmca_session *s,
				   const struct vmca_value *v, uint32_t type,
				   struct vmca_value *ret);
/**
 * container_of(ptr, type, member): a pointer to the type whose member
 * path ptr points to.
 */
struct vmca_error *vmca_value_container_of(struct vmca_session *s,
					   const struct vmca_value *ptr,
					   uint32_t type, const char *member,
					   struct vmca_value *ret);

/* Reading. */

/** The value's bytes (a reference is read; bitfields are not bytes). */
struct vmca_error *vmca_value_read(struct vmca_session *s,
				   const struct vmca_value *v, void *buf,
				   uint64_t size);
/**
 * An integer, enum, bool or pointer as 64 bits: sign-extended when its
 * type is signed (read as int64_t then), bitfields included.
 */
struct vmca_error *vmca_value_u64(struct vmca_session *s,
				  const struct vmca_value *v, uint64_t *ret);
/**
 * A string: a char array's bytes up to its first NUL, or the NUL-
 * terminated string a char pointer points to; at most size - 1 bytes
 * (always terminated).
 */
struct vmca_error *vmca_value_string(struct vmca_session *s,
				     const struct vmca_value *v, char *buf,
				     size_t size);
/**
 * The value held: a reference read into bytes (same type), anything else
 * copied.
 */
struct vmca_error *vmca_value_fetch(struct vmca_session *s,
				    const struct vmca_value *v,
				    struct vmca_value *ret);

/* What a type is, for the operations above and their callers. */

/** Whether type (typedefs stripped) is an integer, enum, bool or char. */
bool vmca_type_is_integer(struct vmca_session *s, uint32_t type);
bool vmca_type_is_pointer(struct vmca_session *s, uint32_t type);
/** Signedness of an integer or enum type. */
bool vmca_type_is_signed(struct vmca_session *s, uint32_t type);

#endif /* VMCA_ANALYZER_VALUE_H */

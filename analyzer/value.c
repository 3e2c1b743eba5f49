// SPDX-License-Identifier: MIT
/** @file Typed values: members, subscripts, pointers, casts, reads. */
#include <stdlib.h>
#include <string.h>

#include "vmca.h"

// Pointers are 8 bytes: x86_64 (and every 64-bit architecture Linux runs
// on); the type table makes pointer types of that size too.
#define POINTER_SIZE 8

static bool is_heap(const struct vmca_value *v)
{
	return v->kind == VMCA_VALUE_BYTES && v->size > VMCA_VALUE_INLINE;
}

const unsigned char *vmca_value_bytes(const struct vmca_value *v)
{
	return is_heap(v) ? v->heap_bytes : v->inline_bytes;
}

static unsigned char *bytes_mut(struct vmca_value *v)
{
	return is_heap(v) ? v->heap_bytes : v->inline_bytes;
}

void vmca_value_init_reference(struct vmca_value *v, uint32_t type,
			       uint64_t address)
{
	memset(v, 0, sizeof(*v));
	v->type = type;
	v->kind = VMCA_VALUE_REFERENCE;
	v->address = address;
}

void vmca_value_init_absent(struct vmca_value *v, uint32_t type)
{
	memset(v, 0, sizeof(*v));
	v->type = type;
	v->kind = VMCA_VALUE_ABSENT;
}

static void type_of(struct vmca_session *s, uint32_t type,
		    struct vmca_type *ret)
{
	vmca_type_info(s, vmca_type_unqualified(s, type), ret);
}

static uint64_t scalar_size(struct vmca_session *s, uint32_t type)
{
	struct vmca_type t;
	type_of(s, type, &t);
	if (t.kind == VMCA_TYPE_POINTER)
		return t.size ? t.size : POINTER_SIZE;
	return t.size;
}

void vmca_value_init_u64(struct vmca_session *s, struct vmca_value *v,
			 uint32_t type, uint64_t value)
{
	memset(v, 0, sizeof(*v));
	v->type = type;
	v->kind = VMCA_VALUE_BYTES;
	uint64_t size = scalar_size(s, type);
	v->size = size > 8 ? 8 : size;
	// Little-endian, as x86_64.
	for (uint64_t i = 0; i < v->size; i++)
		v->inline_bytes[i] = (unsigned char)(value >> (8 * i));
}

struct vmca_error *vmca_value_init_bytes(struct vmca_value *v, uint32_t type,
					 const void *data, uint64_t size)
{
	if (size > VMCA_VALUE_MAX_BYTES)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "a value of %" PRIu64
					 " bytes is too large to hold",
					 size);
	struct vmca_value n;
	memset(&n, 0, sizeof(n));
	n.type = type;
	n.kind = VMCA_VALUE_BYTES;
	n.size = size;
	if (size > VMCA_VALUE_INLINE) {
		n.heap_bytes = malloc(size);
		if (!n.heap_bytes)
			return &vmca_enomem;
	}
	if (size)
		memcpy(bytes_mut(&n), data, size);
	*v = n;
	return NULL;
}

void vmca_value_deinit(struct vmca_value *v)
{
	if (is_heap(v))
		free(v->heap_bytes);
	memset(v, 0, sizeof(*v));
}

struct vmca_error *vmca_value_copy(struct vmca_value *dst,
				   const struct vmca_value *src)
{
	if (!is_heap(src)) {
		*dst = *src;
		return NULL;
	}
	struct vmca_error *err = vmca_value_init_bytes(
		dst, src->type, src->heap_bytes, src->size);
	if (!err) {
		dst->bit_offset = src->bit_offset;
		dst->bit_size = src->bit_size;
	}
	return err;
}

bool vmca_type_is_integer(struct vmca_session *s, uint32_t type)
{
	struct vmca_type t;
	type_of(s, type, &t);
	return t.kind == VMCA_TYPE_INT || t.kind == VMCA_TYPE_ENUM;
}

bool vmca_type_is_pointer(struct vmca_session *s, uint32_t type)
{
	struct vmca_type t;
	type_of(s, type, &t);
	return t.kind == VMCA_TYPE_POINTER;
}

bool vmca_type_is_signed(struct vmca_session *s, uint32_t type)
{
	struct vmca_type t;
	type_of(s, type, &t);
	if (t.kind == VMCA_TYPE_ENUM && t.target) {
		struct vmca_type under;
		type_of(s, t.target, &under);
		return under.is_signed;
	}
	return t.is_signed;
}

static struct vmca_error *type_error(struct vmca_session *s, uint32_t type,
				     const char *what)
{
	char name[256];
	vmca_type_name(s, type, NULL, name, sizeof(name));
	return vmca_error_create(VMCA_ERROR_INVALID, "%s (type %s)", what,
				 name);
}

// The part [bit_offset, bit_offset + bits) of a value as a new value of
// type: a reference moves its address, held bytes are sliced.
static struct vmca_error *part(struct vmca_session *s,
			       const struct vmca_value *v, uint32_t type,
			       uint64_t bit_offset, uint32_t bit_size,
			       struct vmca_value *ret)
{
	uint64_t bits = v->bit_offset + bit_offset;
	uint64_t size = bit_size ? (bits % 8 + bit_size + 7) / 8
				 : vmca_type_sizeof(s, type);
	switch (v->kind) {
	case VMCA_VALUE_ABSENT:
		vmca_value_init_absent(ret, type);
		return NULL;
	case VMCA_VALUE_REFERENCE:
		if (!bit_size && bits % 8)
			return type_error(s, type, "a member not on a byte");
		vmca_value_init_reference(ret, type, v->address + bits / 8);
		ret->bit_offset = bit_size ? (uint32_t)(bits % 8) : 0;
		ret->bit_size = bit_size;
		return NULL;
	case VMCA_VALUE_BYTES:
		break;
	}
	if (bits / 8 > v->size || size > v->size - bits / 8)
		return type_error(s, type, "a part beyond the value's bytes");
	struct vmca_error *err = vmca_value_init_bytes(
		ret, type, vmca_value_bytes(v) + bits / 8, size);
	if (err)
		return err;
	ret->bit_offset = bit_size ? (uint32_t)(bits % 8) : 0;
	ret->bit_size = bit_size;
	return NULL;
}

struct vmca_error *vmca_field_init(struct vmca_session *s, uint32_t type,
				   const char *path, struct vmca_field *ret)
{
	struct vmca_member m;
	struct vmca_error *err = vmca_type_member_path(s, type, path, &m);
	if (err)
		return err;
	ret->parent = type;
	ret->member = m;
	return NULL;
}

struct vmca_error *vmca_value_field(struct vmca_session *s,
				    const struct vmca_value *v,
				    const struct vmca_field *field,
				    struct vmca_value *ret)
{
	return part(s, v, field->member.type, field->member.bit_offset,
		    field->member.bit_size, ret);
}

struct vmca_error *vmca_value_deref(struct vmca_session *s,
				    const struct vmca_value *v,
				    struct vmca_value *ret)
{
	struct vmca_type t;
	type_of(s, v->type, &t);
	if (t.kind != VMCA_TYPE_POINTER)
		return type_error(s, v->type, "not a pointer");
	struct vmca_type target;
	type_of(s, t.target, &target);
	if (target.kind == VMCA_TYPE_VOID)
		return type_error(s, v->type, "dereferencing a void pointer");
	uint64_t p;
	struct vmca_error *err = vmca_value_u64(s, v, &p);
	if (err)
		return err;
	vmca_value_init_reference(ret, t.target, p);
	return NULL;
}

struct vmca_error *vmca_value_member(struct vmca_session *s,
				     const struct vmca_value *v,
				     const char *path, struct vmca_value *ret)
{
	if (vmca_type_is_pointer(s, v->type)) {
		struct vmca_value target;
		struct vmca_error *err = vmca_value_deref(s, v, &target);
		if (err)
			return err;
		return vmca_value_member(s, &target, path, ret);
	}
	struct vmca_type t;
	type_of(s, v->type, &t);
	if (t.kind != VMCA_TYPE_STRUCT && t.kind != VMCA_TYPE_UNION)
		return type_error(s, v->type, "not a struct or union");
	struct vmca_field f;
	struct vmca_error *err = vmca_field_init(s, v->type, path, &f);
	if (err)
		return err;
	return vmca_value_field(s, v, &f, ret);
}

struct vmca_error *vmca_value_subscript(struct vmca_session *s,
					const struct vmca_value *v,
					int64_t index, struct vmca_value *ret)
{
	struct vmca_type t;
	type_of(s, v->type, &t);
	if (t.kind != VMCA_TYPE_ARRAY && t.kind != VMCA_TYPE_POINTER)
		return type_error(s, v->type, "not an array or pointer");
	uint64_t elem = vmca_type_sizeof(s, t.target);
	if (!elem)
		return type_error(s, v->type,
				  "subscript of an element of unknown size");
	uint64_t offset = (uint64_t)index * elem;
	if (t.kind == VMCA_TYPE_ARRAY) {
		if (v->kind == VMCA_VALUE_BYTES &&
		    (index < 0 || (uint64_t)index >= v->size / elem))
			return vmca_error_create(VMCA_ERROR_INVALID,
						 "index %" PRId64
						 " beyond the array's %" PRIu64
						 " elements",
						 index, v->size / elem);
		if (v->kind == VMCA_VALUE_REFERENCE) {
			vmca_value_init_reference(ret, t.target,
						  v->address + offset);
			return NULL;
		}
		return part(s, v, t.target, offset * 8, 0, ret);
	}
	uint64_t p;
	struct vmca_error *err = vmca_value_u64(s, v, &p);
	if (err)
		return err;
	vmca_value_init_reference(ret, t.target, p + offset);
	return NULL;
}

struct vmca_error *vmca_value_address_of(struct vmca_session *s,
					 const struct vmca_value *v,
					 struct vmca_value *ret)
{
	if (v->kind != VMCA_VALUE_REFERENCE)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "cannot take the address of a value "
					 "not in memory");
	if (v->bit_size)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "cannot take the address of a "
					 "bitfield");
	uint32_t pointer;
	struct vmca_error *err = vmca_type_pointer_to(s, v->type, &pointer);
	if (err)
		return err;
	vmca_value_init_u64(s, ret, pointer, v->address);
	return NULL;
}

struct vmca_error *vmca_value_read(struct vmca_session *s,
				   const struct vmca_value *v, void *buf,
				   uint64_t size)
{
	switch (v->kind) {
	case VMCA_VALUE_ABSENT:
		return vmca_error_create(VMCA_ERROR_NOT_FOUND, "optimized out");
	case VMCA_VALUE_REFERENCE:
		return vmca_read(s, v->address, buf, size);
	case VMCA_VALUE_BYTES:
		break;
	}
	if (size > v->size)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "reading %" PRIu64
					 " bytes of a %" PRIu64 "-byte value",
					 size, v->size);
	memcpy(buf, vmca_value_bytes(v), size);
	return NULL;
}

struct vmca_error *vmca_value_u64(struct vmca_session *s,
				  const struct vmca_value *v, uint64_t *ret)
{
	struct vmca_type t;
	type_of(s, v->type, &t);
	if (t.kind != VMCA_TYPE_INT && t.kind != VMCA_TYPE_ENUM &&
	    t.kind != VMCA_TYPE_POINTER)
		return type_error(s, v->type, "not an integer or pointer");
	uint64_t size = scalar_size(s, v->type);
	if (size > 8 && !v->bit_size)
		return type_error(s, v->type, "an integer wider than 64 bits");
	unsigned char buf[16] = {0};
	size_t len = v->bit_size ? (v->bit_offset + v->bit_size + 7) / 8
				 : (size_t)size;
	if (len > sizeof(buf))
		return type_error(s, v->type, "a bitfield too wide");
	struct vmca_error *err = vmca_value_read(s, v, buf, len);
	if (err)
		return err;
	*ret = vmca_decode_int(s, v->type, buf, len,
			       v->bit_size ? v->bit_offset : 0, v->bit_size);
	return NULL;
}

struct vmca_error *vmca_value_string(struct vmca_session *s,
				     const struct vmca_value *v, char *buf,
				     size_t size)
{
	if (!size)
		return NULL;
	buf[0] = '\0';
	struct vmca_type t;
	type_of(s, v->type, &t);
	if (t.kind == VMCA_TYPE_POINTER) {
		uint64_t p;
		struct vmca_error *err = vmca_value_u64(s, v, &p);
		if (err)
			return err;
		return vmca_read_string(s, p, buf, size);
	}
	if (t.kind != VMCA_TYPE_ARRAY)
		return type_error(s, v->type, "not a string");
	uint64_t n = t.size < size - 1 ? t.size : size - 1;
	struct vmca_error *err = vmca_value_read(s, v, buf, n);
	if (err)
		return err;
	buf[n] = '\0';
	return NULL;
}

struct vmca_error *vmca_value_fetch(struct vmca_session *s,
				    const struct vmca_value *v,
				    struct vmca_value *ret)
{
	if (v->kind != VMCA_VALUE_REFERENCE)
		return vmca_value_copy(ret, v);
	if (v->bit_size) {
		// A bitfield's bits, held as they lie in its bytes.
		unsigned char buf[16];
		size_t len = (v->bit_offset + v->bit_size + 7) / 8;
		if (len > sizeof(buf))
			return type_error(s, v->type, "a bitfield too wide");
		struct vmca_error *err = vmca_read(s, v->address, buf, len);
		if (err)
			return err;
		err = vmca_value_init_bytes(ret, v->type, buf, len);
		if (!err) {
			ret->bit_offset = v->bit_offset;
			ret->bit_size = v->bit_size;
		}
		return err;
	}
	uint64_t size = vmca_type_sizeof(s, v->type);
	if (size > VMCA_VALUE_MAX_BYTES)
		return type_error(s, v->type, "too large to read whole");
	unsigned char small[VMCA_VALUE_INLINE];
	unsigned char *buf = size > sizeof(small) ? malloc(size) : small;
	if (!buf)
		return &vmca_enomem;
	struct vmca_error *err = vmca_read(s, v->address, buf, size);
	if (!err)
		err = vmca_value_init_bytes(ret, v->type, buf, size);
	if (buf != small)
		free(buf);
	return err;
}

// Integer conversion as C does it: the value's bits, extended by its own
// signedness, truncated to the target's size.
static struct vmca_error *convert_scalar(struct vmca_session *s,
					 const struct vmca_value *v,
					 uint32_t type, struct vmca_value *ret)
{
	uint64_t bits;
	struct vmca_type from;
	type_of(s, v->type, &from);
	if (from.kind == VMCA_TYPE_ARRAY || from.kind == VMCA_TYPE_FUNCTION) {
		// Decay: an array or a function is its address.
		if (v->kind != VMCA_VALUE_REFERENCE)
			return type_error(s, v->type, "not in memory");
		bits = v->address;
	} else {
		struct vmca_error *err = vmca_value_u64(s, v, &bits);
		if (err)
			return err;
	}
	struct vmca_type to;
	type_of(s, type, &to);
	if (to.kind == VMCA_TYPE_INT && to.is_bool)
		bits = bits != 0;
	vmca_value_init_u64(s, ret, type, bits);
	return NULL;
}

struct vmca_error *vmca_value_cast(struct vmca_session *s,
				   const struct vmca_value *v, uint32_t type,
				   struct vmca_value *ret)
{
	struct vmca_type to, from;
	type_of(s, type, &to);
	type_of(s, v->type, &from);
	bool to_scalar = to.kind == VMCA_TYPE_INT ||
			 to.kind == VMCA_TYPE_ENUM ||
			 to.kind == VMCA_TYPE_POINTER;
	bool from_scalar =
		from.kind == VMCA_TYPE_INT || from.kind == VMCA_TYPE_ENUM ||
		from.kind == VMCA_TYPE_POINTER ||
		from.kind == VMCA_TYPE_ARRAY || from.kind == VMCA_TYPE_FUNCTION;
	if (to_scalar && from_scalar) {
		if (v->kind == VMCA_VALUE_ABSENT) {
			vmca_value_init_absent(ret, type);
			return NULL;
		}
		return convert_scalar(s, v, type, ret);
	}
	if (to.kind == VMCA_TYPE_VOID) {
		vmca_value_init_absent(ret, type);
		return NULL;
	}
	uint64_t size = vmca_type_sizeof(s, type);
	uint64_t from_size = v->kind == VMCA_VALUE_BYTES
				     ? v->size
				     : vmca_type_sizeof(s, v->type);
	if (size != from_size || v->bit_size) {
		char a[256], b[256];
		vmca_type_name(s, v->type, NULL, a, sizeof(a));
		vmca_type_name(s, type, NULL, b, sizeof(b));
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "cannot cast %s to %s", a, b);
	}
	struct vmca_error *err = vmca_value_copy(ret, v);
	if (!err)
		ret->type = type;
	return err;
}

struct vmca_error *vmca_value_container_of(struct vmca_session *s,
					   const struct vmca_value *ptr,
					   uint32_t type, const char *member,
					   struct vmca_value *ret)
{
	struct vmca_member m;
	struct vmca_error *err = vmca_type_member_path(s, type, member, &m);
	if (err)
		return err;
	if (m.bit_size || m.bit_offset % 8)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "container_of: %s is a bitfield",
					 member);
	uint64_t p;
	if (!vmca_type_is_pointer(s, ptr->type) &&
	    !vmca_type_is_integer(s, ptr->type))
		return type_error(s, ptr->type,
				  "container_of of a non-pointer");
	err = vmca_value_u64(s, ptr, &p);
	if (err)
		return err;
	uint32_t pointer;
	err = vmca_type_pointer_to(s, type, &pointer);
	if (err)
		return err;
	vmca_value_init_u64(s, ret, pointer, p - m.bit_offset / 8);
	return NULL;
}

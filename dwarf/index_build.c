// SPDX-License-Identifier: MIT
/** @file The DWARF walk of a cold open: units -> deduplicated type table. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <dwarf.h>

#include "internal.h"

/*
 * Every unit repeats the types of the headers it includes: the 6.1
 * vmlinux has 935 k struct DIEs at unit level for ~10 k distinct structs.
 * So a unit is read in two passes:
 *
 * 1. Every top-level DIE is decoded once (tag, name, size, line). A named
 *    struct, union, enum or typedef whose definition is already known is
 *    mapped to it, and its children are skipped (DW_AT_sibling).
 * 2. What is new (definitions seen for the first time, variables) is
 *    filled in. Anonymous and derived types (pointers, arrays, functions,
 *    qualifiers) are only built when something new refers to them, so
 *    most of the 1.1 M pointer DIEs are never looked at twice. Derived
 *    types are hash-consed; anonymous structs belong to their one user.
 *
 * A definition is known by (name, size, DW_AT_decl_line): the kernel has
 * a dozen names with two layouts (6.12: a 40-byte "struct console" in a
 * driver beside the 280-byte one of <linux/console.h>). Each is kept, so
 * its users see the right layout, and the name stands for the one most
 * units define (the header's). Declarations are placeholders that the
 * builder points to that definition at the end.
 */

// Deeper type nesting than this is taken for a reference loop.
#define MAX_DEPTH 512

enum entry_state {
	// Not looked at beyond pass 1: built when referenced.
	ENTRY_LAZY,
	// Has an id; its contents are filled in pass 2.
	ENTRY_PENDING,
	// Being built: a reference back to it gets its id (0 if it has none
	// yet, which only a loop C cannot express can cause).
	ENTRY_BUSY,
	ENTRY_DONE,
};

// A top-level DIE of the current unit.
struct entry {
	uint64_t offset;
	uint32_t id;
	uint8_t state;
};

DEFINE_VECTOR(entry_vector, struct entry)

// Other DIEs (nested ones, or in other units): offset -> id and state.
struct memo_slot {
	uint64_t key; // offset + 1; 0 = empty
	uint32_t id;
};

struct memo {
	struct memo_slot *slots;
	uint32_t nr_slots;
	uint32_t count;
};

struct sig_entry {
	uint64_t signature;
	struct vmca_debuginfo_unit *unit;
};

DEFINE_VECTOR(sig_vector, struct sig_entry)

// A named type met by reference (nested, or in another unit), filled in
// from a list rather than by recursion: chains of such references are as
// long as the kernel is big when units refer to each other (LTO builds).
struct deferred {
	struct vmca_debuginfo_unit *unit;
	uint64_t offset;
	uint32_t id;
};

DEFINE_VECTOR(deferred_vector, struct deferred)
DEFINE_VECTOR(member_tmp_vector, struct vmca_debuginfo_cmember)
DEFINE_VECTOR(enum_tmp_vector, struct vmca_debuginfo_cenum)
DEFINE_VECTOR(u64_vector, uint64_t)

struct walk {
	struct vmca_debuginfo_dwarf dw;
	struct vmca_debuginfo_builder *b;
	struct vmca_debuginfo_unit *cu;
	struct entry_vector entries;
	struct memo local;
	struct memo foreign;
	struct sig_vector sigs;
	struct deferred_vector deferred;
	unsigned depth;
};

static uint64_t mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return h;
}

static struct memo_slot *memo_get(struct memo *m, uint64_t offset)
{
	if (!m->nr_slots)
		return NULL;
	uint32_t mask = m->nr_slots - 1;
	for (uint32_t i = mix(offset) & mask;; i = (i + 1) & mask) {
		if (!m->slots[i].key)
			return NULL;
		if (m->slots[i].key == offset + 1)
			return &m->slots[i];
	}
}

static struct vmca_error *memo_put(struct memo *m, uint64_t offset, uint32_t id)
{
	struct memo_slot *slot = memo_get(m, offset);
	if (slot) {
		slot->id = id;
		return NULL;
	}
	if ((uint64_t)(m->count + 1) * 2 > m->nr_slots) {
		uint64_t n = m->nr_slots ? (uint64_t)m->nr_slots * 2 : 64;
		if (n > UINT32_MAX / 2 + 1)
			return &vmca_enomem;
		struct memo_slot *slots = calloc(n, sizeof(*slots));
		if (!slots)
			return &vmca_enomem;
		for (uint32_t i = 0; i < m->nr_slots; i++) {
			if (!m->slots[i].key)
				continue;
			uint32_t j = mix(m->slots[i].key - 1) & (n - 1);
			while (slots[j].key)
				j = (j + 1) & (n - 1);
			slots[j] = m->slots[i];
		}
		free(m->slots);
		m->slots = slots;
		m->nr_slots = n;
	}
	uint32_t mask = m->nr_slots - 1;
	uint32_t i = mix(offset) & mask;
	while (m->slots[i].key)
		i = (i + 1) & mask;
	m->slots[i] = (struct memo_slot){offset + 1, id};
	m->count++;
	return NULL;
}

static void memo_deinit(struct memo *m)
{
	free(m->slots);
	memset(m, 0, sizeof(*m));
}

static struct entry *find_entry(struct walk *w, uint64_t offset)
{
	size_t lo = 0, hi = w->entries.len;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (w->entries.data[mid].offset < offset)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < w->entries.len && w->entries.data[lo].offset == offset)
		return &w->entries.data[lo];
	return NULL;
}

// Record the id of the DIE at offset in u; the state only matters to
// top-level DIEs (other DIEs are either known, with an id, or not).
static struct vmca_error *publish(struct walk *w,
				  const struct vmca_debuginfo_unit *u,
				  uint64_t offset, uint32_t id, uint32_t state)
{
	if (u == w->cu) {
		struct entry *e = find_entry(w, offset);
		if (e) {
			e->id = id;
			e->state = state;
			return NULL;
		}
	}
	return memo_put(u == w->cu ? &w->local : &w->foreign, offset, id);
}

static struct vmca_error *resolve_offset(struct walk *w,
					 struct vmca_debuginfo_unit *u,
					 uint64_t offset, uint32_t *ret);

// The type a DIE's DW_AT_type refers to; 0 (void) if it has none.
static struct vmca_error *resolve_type(struct walk *w,
				       struct vmca_debuginfo_unit *u,
				       const struct vmca_debuginfo_die *d,
				       uint32_t *ret)
{
	*ret = 0;
	if (!(d->flags & VMCA_DEBUGINFO_DIE_HAS_TYPE))
		return NULL;
	uint64_t offset = d->type;
	struct vmca_debuginfo_unit *target = u;
	if (d->flags & VMCA_DEBUGINFO_DIE_TYPE_SIG8) {
		size_t lo = 0, hi = w->sigs.len;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (w->sigs.data[mid].signature < d->type)
				lo = mid + 1;
			else
				hi = mid;
		}
		// A type unit that is not here (.debug_types, .dwo): void.
		if (lo == w->sigs.len || w->sigs.data[lo].signature != d->type)
			return NULL;
		target = w->sigs.data[lo].unit;
		offset = target->offset + target->type_offset;
	} else if (offset < u->offset || offset >= u->end) {
		target = vmca_debuginfo_dwarf_find_unit(&w->dw, offset);
		if (!target)
			return vmca_error_create(
				VMCA_ERROR_INVALID,
				"corrupt DWARF: reference to "
				".debug_info+%#" PRIx64
				" outside any unit at .debug_info+%#" PRIx64,
				offset, d->offset);
	}
	return resolve_offset(w, target, offset, ret);
}

static struct vmca_error *read_die(struct walk *w,
				   struct vmca_debuginfo_unit *u,
				   uint64_t offset,
				   struct vmca_debuginfo_die *ret)
{
	struct vmca_error *err = vmca_debuginfo_dwarf_load_unit(&w->dw, u);
	if (err)
		return err;
	return vmca_debuginfo_die_read(&w->dw, u, offset, ret);
}

static unsigned aggregate_kind(uint32_t tag)
{
	switch (tag) {
	case DW_TAG_structure_type:
	case DW_TAG_class_type:
		return VMCA_TYPE_STRUCT;
	case DW_TAG_union_type:
		return VMCA_TYPE_UNION;
	default:
		return VMCA_TYPE_ENUM;
	}
}

/*
 * The id of a named struct, union or enum DIE, and whether its members
 * are still to be filled in (a definition seen for the first time).
 */
static struct vmca_error *named_aggregate(struct walk *w,
					  const struct vmca_debuginfo_die *d,
					  uint32_t *id_ret,
					  bool *needs_fill_ret)
{
	struct vmca_debuginfo_builder *b = w->b;
	unsigned kind = aggregate_kind(d->tag);
	int ns = vmca_debuginfo_kind_ns(kind);
	uint32_t id;
	struct vmca_error *err;
	*needs_fill_ret = false;
	if (!(d->flags & VMCA_DEBUGINFO_DIE_HAS_BYTE_SIZE) ||
	    (d->flags & VMCA_DEBUGINFO_DIE_DECLARATION)) {
		// One placeholder per name; serialization points it to the
		// definition the name ends up standing for.
		id = vmca_debuginfo_builder_find_decl(b, ns, d->name);
		if (!id) {
			err = vmca_debuginfo_builder_add_type(b, kind, d->name,
							      &id);
			if (err)
				return err;
			b->types.data[id].flags |= VMCA_DEBUGINFO_DECLARATION;
			err = vmca_debuginfo_builder_add_decl(b, id);
			if (err)
				return err;
		}
		*id_ret = id;
		return NULL;
	}
	uint32_t line = d->decl_line > UINT32_MAX ? UINT32_MAX : d->decl_line;
	uint32_t first = vmca_debuginfo_builder_find_named(b, ns, d->name);
	// The common case, without hashing the name again.
	if (first && b->types.data[first].size == d->byte_size &&
	    b->decl_lines.data[first] == line) {
		b->uses.data[first]++;
		*id_ret = first;
		return NULL;
	}
	if (first) {
		id = vmca_debuginfo_builder_find_def(b, ns, d->name,
						     d->byte_size, line);
		if (id) {
			b->uses.data[id]++;
			*id_ret = id;
			return NULL;
		}
	}
	err = vmca_debuginfo_builder_add_type(b, kind, d->name, &id);
	if (err)
		return err;
	b->types.data[id].size = d->byte_size;
	b->decl_lines.data[id] = line;
	b->uses.data[id] = 1;
	err = vmca_debuginfo_builder_add_def(b, id);
	if (!err && !first)
		err = vmca_debuginfo_builder_set_named(b, id);
	if (err)
		return err;
	*id_ret = id;
	*needs_fill_ret = true;
	return NULL;
}

// A typedef's id, and whether its target is still to be resolved. Like
// structs, typedefs of one name at different lines are different.
static struct vmca_error *named_typedef(struct walk *w,
					const struct vmca_debuginfo_die *d,
					uint32_t *id_ret, bool *needs_fill_ret)
{
	struct vmca_debuginfo_builder *b = w->b;
	const int ns = VMCA_DEBUGINFO_NS_ORDINARY;
	uint32_t line = d->decl_line > UINT32_MAX ? UINT32_MAX : d->decl_line;
	uint32_t first = vmca_debuginfo_builder_find_named(b, ns, d->name);
	uint32_t id = first;
	*needs_fill_ret = false;
	if (first && (b->types.data[first].kind != VMCA_TYPE_TYPEDEF ||
		      b->decl_lines.data[first] == line)) {
		b->uses.data[first]++;
		*id_ret = first;
		return NULL;
	}
	if (first) {
		id = vmca_debuginfo_builder_find_def(b, ns, d->name, 0, line);
		if (id) {
			b->uses.data[id]++;
			*id_ret = id;
			return NULL;
		}
	}
	struct vmca_error *err = vmca_debuginfo_builder_add_type(
		b, VMCA_TYPE_TYPEDEF, d->name, &id);
	if (err)
		return err;
	b->decl_lines.data[id] = line;
	b->uses.data[id] = 1;
	err = vmca_debuginfo_builder_add_def(b, id);
	if (!err && !first)
		err = vmca_debuginfo_builder_set_named(b, id);
	if (err)
		return err;
	*id_ret = id;
	*needs_fill_ret = true;
	return NULL;
}

static struct vmca_error *
base_type(struct walk *w, const struct vmca_debuginfo_die *d, uint32_t *ret)
{
	struct vmca_debuginfo_builder *b = w->b;
	char canonical[64];
	const char *name = d->name;
	if (name && vmca_debuginfo_canonical_base_name(name, canonical,
						       sizeof(canonical)))
		name = canonical;
	if (name && *name) {
		uint32_t id = vmca_debuginfo_builder_find_named(
			b, VMCA_DEBUGINFO_NS_ORDINARY, name);
		if (id) {
			*ret = id;
			return NULL;
		}
	}
	unsigned kind = VMCA_TYPE_INT;
	uint8_t flags = 0;
	switch (d->encoding) {
	case DW_ATE_float:
	case DW_ATE_complex_float:
	case DW_ATE_imaginary_float:
	case DW_ATE_decimal_float:
		kind = VMCA_TYPE_FLOAT;
		break;
	case DW_ATE_boolean:
		flags = VMCA_DEBUGINFO_BOOL;
		break;
	case DW_ATE_signed:
	case DW_ATE_signed_fixed:
		flags = VMCA_DEBUGINFO_SIGNED;
		break;
	case DW_ATE_signed_char:
		flags = VMCA_DEBUGINFO_SIGNED | VMCA_DEBUGINFO_CHAR;
		break;
	case DW_ATE_unsigned_char:
	case DW_ATE_UTF:
		flags = VMCA_DEBUGINFO_CHAR;
		break;
	default:
		break;
	}
	uint32_t id;
	struct vmca_error *err =
		vmca_debuginfo_builder_add_type(b, kind, name, &id);
	if (err)
		return err;
	b->types.data[id].flags = flags;
	b->types.data[id].size = d->byte_size;
	if (name && *name)
		err = vmca_debuginfo_builder_set_named(b, id);
	if (err)
		return err;
	*ret = id;
	return NULL;
}

// A DW_AT_data_member_location expression of the forms compilers emit
// (DW_OP_plus_uconst n; DW_OP_constu n, DW_OP_plus; ...), evaluated with
// the structure's address 0 on the stack.
static bool eval_member_location(const struct vmca_debuginfo_value *v,
				 uint64_t *ret)
{
	switch (v->kind) {
	case VMCA_DEBUGINFO_VALUE_NONE:
		*ret = 0;
		return true;
	case VMCA_DEBUGINFO_VALUE_DATA:
	case VMCA_DEBUGINFO_VALUE_UNSIGNED:
		*ret = v->u;
		return true;
	case VMCA_DEBUGINFO_VALUE_SIGNED:
		*ret = v->u;
		return (int64_t)v->u >= 0;
	case VMCA_DEBUGINFO_VALUE_BLOCK:
		break;
	default:
		return false;
	}
	uint64_t stack[8] = {0};
	unsigned top = 1;
	const uint8_t *p = v->block, *end = v->block + v->block_size;
	while (p < end) {
		uint8_t op = *p++;
		uint64_t n = 0;
		if (op == DW_OP_plus_uconst || op == DW_OP_constu) {
			unsigned shift = 0;
			uint8_t byte;
			do {
				if (p >= end)
					return false;
				byte = *p++;
				if (shift < 64)
					n |= (uint64_t)(byte & 0x7f) << shift;
				shift += 7;
			} while (byte & 0x80);
		} else if (op == DW_OP_const1u || op == DW_OP_const2u ||
			   op == DW_OP_const4u || op == DW_OP_const8u) {
			unsigned size = op == DW_OP_const1u   ? 1
					: op == DW_OP_const2u ? 2
					: op == DW_OP_const4u ? 4
							      : 8;
			if ((size_t)(end - p) < size)
				return false;
			// Little-endian: the old compilers that emit these
			// forms only ever did so on little-endian targets
			// vmca reads.
			for (unsigned i = size; i-- > 0;)
				n = n << 8 | p[i];
			p += size;
		}
		if (op == DW_OP_plus_uconst) {
			stack[top - 1] += n;
		} else if (op == DW_OP_plus) {
			if (top < 2)
				return false;
			stack[top - 2] += stack[top - 1];
			top--;
		} else if (op == DW_OP_constu || op == DW_OP_const1u ||
			   op == DW_OP_const2u || op == DW_OP_const4u ||
			   op == DW_OP_const8u ||
			   (op >= DW_OP_lit0 && op <= DW_OP_lit31)) {
			if (top == sizeof(stack) / sizeof(stack[0]))
				return false;
			stack[top++] = op >= DW_OP_lit0 && op <= DW_OP_lit31
					       ? (uint64_t)(op - DW_OP_lit0)
					       : n;
		} else {
			return false;
		}
	}
	*ret = stack[top - 1];
	return true;
}

static struct vmca_error *fill_members(struct walk *w,
				       struct vmca_debuginfo_unit *u,
				       const struct vmca_debuginfo_die *d,
				       uint32_t id)
{
	struct member_tmp_vector members = {0};
	struct vmca_error *err = NULL;
	uint64_t offset = d->end;
	while (d->has_children && offset < u->end) {
		struct vmca_debuginfo_die child;
		err = read_die(w, u, offset, &child);
		if (err)
			goto out;
		if (!child.tag)
			break;
		if (child.tag == DW_TAG_member) {
			struct vmca_debuginfo_cmember m = {0};
			err = resolve_type(w, u, &child, &m.type);
			if (!err)
				err = vmca_debuginfo_builder_intern(
					w->b, child.name, &m.name);
			if (err)
				goto out;
			uint64_t byte_offset;
			// An expression beyond the simple forms: offset 0
			// rather than no type at all.
			if (!eval_member_location(&child.member_location,
						  &byte_offset))
				byte_offset = 0;
			uint64_t bits = byte_offset * 8;
			if (child.flags & VMCA_DEBUGINFO_DIE_HAS_BIT_SIZE)
				m.bit_size = child.bit_size > UINT32_MAX
						     ? UINT32_MAX
						     : child.bit_size;
			if (child.flags &
			    VMCA_DEBUGINFO_DIE_HAS_DATA_BIT_OFFSET) {
				bits += child.data_bit_offset;
			} else if (child.flags &
				   VMCA_DEBUGINFO_DIE_HAS_BIT_OFFSET) {
				// DWARF 2/3: bits from the most significant
				// end of a storage unit of byte_size (or the
				// type's size) at the member location.
				uint64_t unit_bits =
					8 *
					(child.flags & VMCA_DEBUGINFO_DIE_HAS_BYTE_SIZE
						 ? child.byte_size
						 : vmca_debuginfo_builder_type_size(
							   w->b, m.type));
				if (w->dw.sections.is_big_endian)
					bits += child.bit_offset;
				else if (unit_bits >=
					 child.bit_offset + m.bit_size)
					bits += unit_bits - child.bit_offset -
						m.bit_size;
			}
			m.bit_offset = bits;
			if (!member_tmp_vector_append(&members, m)) {
				err = &vmca_enomem;
				goto out;
			}
		}
		err = vmca_debuginfo_die_next(&w->dw, u, &child, &offset);
		if (err)
			goto out;
	}
	err = vmca_debuginfo_builder_set_members(w->b, id, members.data,
						 members.len);
out:
	member_tmp_vector_deinit(&members);
	return err;
}

static struct vmca_error *fill_enum(struct walk *w,
				    struct vmca_debuginfo_unit *u,
				    const struct vmca_debuginfo_die *d,
				    uint32_t id)
{
	struct vmca_debuginfo_builder *b = w->b;
	uint32_t underlying;
	struct vmca_error *err = resolve_type(w, u, d, &underlying);
	if (err)
		return err;
	bool is_signed = false;
	if (underlying) {
		uint32_t t = underlying;
		// Through typedefs and qualifiers, bounded.
		for (int i = 0; i < 64 && t < b->types.len; i++) {
			const struct vmca_debuginfo_ctype *ct =
				&b->types.data[t];
			if (ct->kind != VMCA_TYPE_TYPEDEF &&
			    ct->kind != VMCA_TYPE_CONST &&
			    ct->kind != VMCA_TYPE_VOLATILE)
				break;
			t = ct->target;
		}
		is_signed = b->types.data[t].flags & VMCA_DEBUGINFO_SIGNED;
	} else if (d->flags & VMCA_DEBUGINFO_DIE_HAS_ENCODING) {
		is_signed = d->encoding == DW_ATE_signed ||
			    d->encoding == DW_ATE_signed_char;
	}

	struct enum_tmp_vector values = {0};
	uint64_t offset = d->end;
	while (d->has_children && offset < u->end) {
		struct vmca_debuginfo_die child;
		err = read_die(w, u, offset, &child);
		if (err)
			goto out;
		if (!child.tag)
			break;
		if (child.tag == DW_TAG_enumerator) {
			// GCC emits a negative value as sdata and any other as
			// data1..8 (or udata) meant to be zero-extended: "DWARF
			// consumers always zero extend" (gcc/dwarf2out.cc).
			struct vmca_debuginfo_cenum e = {
				.value = child.const_value.u,
			};
			const struct vmca_debuginfo_value *v =
				&child.const_value;
			if (v->kind == VMCA_DEBUGINFO_VALUE_SIGNED &&
			    (int64_t)v->u < 0 && !underlying &&
			    !(d->flags & VMCA_DEBUGINFO_DIE_HAS_ENCODING))
				is_signed = true;
			if (v->kind == VMCA_DEBUGINFO_VALUE_NONE ||
			    v->kind == VMCA_DEBUGINFO_VALUE_BLOCK ||
			    v->kind == VMCA_DEBUGINFO_VALUE_OTHER)
				e.value = 0;
			err = vmca_debuginfo_builder_intern(b, child.name,
							    &e.name);
			if (err)
				goto out;
			if (!enum_tmp_vector_append(&values, e)) {
				err = &vmca_enomem;
				goto out;
			}
		}
		err = vmca_debuginfo_die_next(&w->dw, u, &child, &offset);
		if (err)
			goto out;
	}
	b->types.data[id].target = underlying;
	if (is_signed)
		b->types.data[id].flags |= VMCA_DEBUGINFO_SIGNED;
	err = vmca_debuginfo_builder_set_enumerators(b, id, values.data,
						     values.len);
out:
	enum_tmp_vector_deinit(&values);
	return err;
}

static bool value_u64(const struct vmca_debuginfo_value *v, uint64_t *ret)
{
	switch (v->kind) {
	case VMCA_DEBUGINFO_VALUE_UNSIGNED:
	case VMCA_DEBUGINFO_VALUE_DATA:
		// data1 0xff is 255 (char buf[256]); only a full-width -1
		// is GCC's "no bound".
		*ret = v->u;
		return v->u != UINT64_MAX;
	case VMCA_DEBUGINFO_VALUE_SIGNED:
		*ret = v->u;
		return (int64_t)v->u >= 0;
	default:
		return false;
	}
}

// The element count of a DW_TAG_subrange_type; 0 if unknown or flexible.
static uint64_t subrange_length(const struct vmca_debuginfo_die *d)
{
	uint64_t count, upper, lower = 0;
	if (value_u64(&d->count, &count))
		return count;
	if (!value_u64(&d->upper_bound, &upper))
		return 0;
	if (d->lower_bound.kind != VMCA_DEBUGINFO_VALUE_NONE &&
	    !value_u64(&d->lower_bound, &lower))
		return 0;
	if (upper < lower || upper - lower == UINT64_MAX)
		return 0;
	return upper - lower + 1;
}

static struct vmca_error *array_type(struct walk *w,
				     struct vmca_debuginfo_unit *u,
				     const struct vmca_debuginfo_die *d,
				     uint32_t *ret)
{
	uint32_t id;
	struct vmca_error *err = resolve_type(w, u, d, &id);
	if (err)
		return err;
	struct u64_vector dims = {0};
	uint64_t offset = d->end;
	while (d->has_children && offset < u->end) {
		struct vmca_debuginfo_die child;
		err = read_die(w, u, offset, &child);
		if (err)
			goto out;
		if (!child.tag)
			break;
		if ((child.tag == DW_TAG_subrange_type ||
		     child.tag == DW_TAG_enumeration_type) &&
		    !u64_vector_append(&dims, child.tag == DW_TAG_subrange_type
						      ? subrange_length(&child)
						      : 0)) {
			err = &vmca_enomem;
			goto out;
		}
		err = vmca_debuginfo_die_next(&w->dw, u, &child, &offset);
		if (err)
			goto out;
	}
	if (!dims.len && !u64_vector_append(&dims, 0)) {
		err = &vmca_enomem;
		goto out;
	}
	// int a[2][3] is an array of 2 arrays of 3: build from the inside.
	for (size_t i = dims.len; i-- > 0;) {
		err = vmca_debuginfo_builder_derived(w->b, VMCA_TYPE_ARRAY, id,
						     dims.data[i], &id);
		if (err)
			goto out;
	}
	*ret = id;
out:
	u64_vector_deinit(&dims);
	return err;
}

static struct vmca_error *function_type(struct walk *w,
					struct vmca_debuginfo_unit *u,
					const struct vmca_debuginfo_die *d,
					uint32_t *ret)
{
	uint32_t ret_type;
	struct vmca_error *err = resolve_type(w, u, d, &ret_type);
	if (err)
		return err;
	uint8_t flags = d->flags & VMCA_DEBUGINFO_DIE_PROTOTYPED
				? VMCA_DEBUGINFO_PROTOTYPED
				: 0;
	struct vmca_debuginfo_u32_vector params = {0};
	uint64_t offset = d->end;
	while (d->has_children && offset < u->end) {
		struct vmca_debuginfo_die child;
		err = read_die(w, u, offset, &child);
		if (err)
			goto out;
		if (!child.tag)
			break;
		if (child.tag == DW_TAG_formal_parameter) {
			uint32_t type;
			err = resolve_type(w, u, &child, &type);
			if (err)
				goto out;
			if (params.len >= UINT32_MAX / 2 ||
			    !vmca_debuginfo_u32_vector_append(&params, type)) {
				err = &vmca_enomem;
				goto out;
			}
		} else if (child.tag == DW_TAG_unspecified_parameters) {
			flags |= VMCA_DEBUGINFO_VARIADIC;
		}
		err = vmca_debuginfo_die_next(&w->dw, u, &child, &offset);
		if (err)
			goto out;
	}
	err = vmca_debuginfo_builder_function(w->b, ret_type, flags,
					      params.data, params.len, ret);
out:
	vmca_debuginfo_u32_vector_deinit(&params);
	return err;
}

static struct vmca_error *defer(struct walk *w, struct vmca_debuginfo_unit *u,
				uint64_t offset, uint32_t id)
{
	struct deferred item = {u, offset, id};
	if (!deferred_vector_append(&w->deferred, item))
		return &vmca_enomem;
	return NULL;
}

// Fill in a named struct, union, enum or typedef that has its id.
static struct vmca_error *fill(struct walk *w, struct vmca_debuginfo_unit *u,
			       const struct vmca_debuginfo_die *d, uint32_t id)
{
	switch (d->tag) {
	case DW_TAG_structure_type:
	case DW_TAG_class_type:
	case DW_TAG_union_type:
		return fill_members(w, u, d, id);
	case DW_TAG_enumeration_type:
		return fill_enum(w, u, d, id);
	case DW_TAG_typedef: {
		uint32_t target;
		struct vmca_error *err = resolve_type(w, u, d, &target);
		if (!err)
			w->b->types.data[id].target = target;
		return err;
	}
	default:
		return NULL;
	}
}

static struct vmca_error *fill_deferred(struct walk *w)
{
	while (w->deferred.len) {
		struct deferred item = w->deferred.data[--w->deferred.len];
		struct vmca_debuginfo_die d;
		struct vmca_error *err =
			read_die(w, item.unit, item.offset, &d);
		if (!err)
			err = fill(w, item.unit, &d, item.id);
		if (err)
			return err;
	}
	return NULL;
}

static struct vmca_error *
anonymous_aggregate(struct walk *w, struct vmca_debuginfo_unit *u,
		    uint64_t offset, const struct vmca_debuginfo_die *d,
		    uint32_t *ret)
{
	uint32_t id;
	struct vmca_error *err = vmca_debuginfo_builder_add_type(
		w->b, aggregate_kind(d->tag), NULL, &id);
	if (err)
		return err;
	struct vmca_debuginfo_ctype *t = &w->b->types.data[id];
	t->size = d->byte_size;
	if (!(d->flags & VMCA_DEBUGINFO_DIE_HAS_BYTE_SIZE))
		t->flags |= VMCA_DEBUGINFO_DECLARATION;
	err = publish(w, u, offset, id, ENTRY_BUSY);
	if (!err)
		err = fill(w, u, d, id);
	if (err)
		return err;
	*ret = id;
	return NULL;
}

// Build the type of the DIE at offset in u, publishing its id before
// filling in anything that could refer back to it.
static struct vmca_error *make_type(struct walk *w,
				    struct vmca_debuginfo_unit *u,
				    uint64_t offset, uint32_t *ret)
{
	struct vmca_debuginfo_die d;
	struct vmca_error *err = read_die(w, u, offset, &d);
	if (err)
		return err;
	uint32_t id = 0, target;
	bool needs_fill;
	*ret = 0;
	switch (d.tag) {
	case DW_TAG_base_type:
		return base_type(w, &d, ret);
	case DW_TAG_pointer_type:
	case DW_TAG_reference_type:
	case DW_TAG_rvalue_reference_type:
	case DW_TAG_ptr_to_member_type:
		err = resolve_type(w, u, &d, &target);
		if (err)
			return err;
		return vmca_debuginfo_builder_derived(
			w->b, VMCA_TYPE_POINTER, target,
			d.flags & VMCA_DEBUGINFO_DIE_HAS_BYTE_SIZE
				? d.byte_size
				: u->address_size,
			ret);
	case DW_TAG_const_type:
	case DW_TAG_volatile_type:
	case DW_TAG_restrict_type:
		err = resolve_type(w, u, &d, &target);
		if (err)
			return err;
		return vmca_debuginfo_builder_derived(
			w->b,
			d.tag == DW_TAG_const_type	? VMCA_TYPE_CONST
			: d.tag == DW_TAG_volatile_type ? VMCA_TYPE_VOLATILE
							: VMCA_TYPE_RESTRICT,
			target, 0, ret);
	case DW_TAG_array_type:
		return array_type(w, u, &d, ret);
	case DW_TAG_subroutine_type:
		return function_type(w, u, &d, ret);
	case DW_TAG_typedef:
		if (!d.name)
			return resolve_type(w, u, &d, ret);
		err = named_typedef(w, &d, &id, &needs_fill);
		if (!err && needs_fill)
			err = defer(w, u, offset, id);
		break;
	case DW_TAG_structure_type:
	case DW_TAG_class_type:
	case DW_TAG_union_type:
	case DW_TAG_enumeration_type:
		if (d.name) {
			err = named_aggregate(w, &d, &id, &needs_fill);
			if (!err && needs_fill)
				err = defer(w, u, offset, id);
			break;
		}
		// Anonymous: it belongs to the one member or typedef that
		// refers to it, and is filled in now.
		err = anonymous_aggregate(w, u, offset, &d, &id);
		break;
	case DW_TAG_atomic_type:
	case DW_TAG_immutable_type:
	case DW_TAG_packed_type:
	case DW_TAG_shared_type:
		// Qualifiers without a vmca kind: see through them.
		return resolve_type(w, u, &d, ret);
	default:
		// DW_TAG_unspecified_type, or a reference to something that
		// is no type: void.
		return NULL;
	}
	if (err)
		return err;
	*ret = id;
	return NULL;
}

static struct vmca_error *resolve_offset(struct walk *w,
					 struct vmca_debuginfo_unit *u,
					 uint64_t offset, uint32_t *ret)
{
	struct entry *e = u == w->cu ? find_entry(w, offset) : NULL;
	if (e) {
		if (e->state != ENTRY_LAZY) {
			*ret = e->id;
			return NULL;
		}
	} else {
		struct memo_slot *slot =
			memo_get(u == w->cu ? &w->local : &w->foreign, offset);
		if (slot) {
			*ret = slot->id;
			return NULL;
		}
	}
	if (w->depth >= MAX_DEPTH)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "corrupt DWARF: types nested too deep "
					 "at .debug_info+%#" PRIx64,
					 offset);
	struct vmca_error *err = publish(w, u, offset, 0, ENTRY_BUSY);
	if (err)
		return err;
	w->depth++;
	uint32_t id;
	err = make_type(w, u, offset, &id);
	w->depth--;
	if (err)
		return err;
	*ret = id;
	return publish(w, u, offset, id, ENTRY_DONE);
}

static struct vmca_error *add_variable(struct walk *w,
				       struct vmca_debuginfo_unit *u,
				       const struct vmca_debuginfo_die *d)
{
	const char *name = d->name;
	bool is_external = d->flags & VMCA_DEBUGINFO_DIE_EXTERNAL;
	bool is_declaration = d->flags & VMCA_DEBUGINFO_DIE_DECLARATION;
	// A definition without a location or value was optimized away.
	if (!is_declaration &&
	    !(d->flags & (VMCA_DEBUGINFO_DIE_HAS_LOCATION |
			  VMCA_DEBUGINFO_DIE_HAS_SPECIFICATION |
			  VMCA_DEBUGINFO_DIE_HAS_CONST_VALUE)))
		return NULL;
	uint8_t rank = is_declaration ? VMCA_DEBUGINFO_VAR_DECLARATION
		       : is_external  ? VMCA_DEBUGINFO_VAR_EXTERNAL
				      : VMCA_DEBUGINFO_VAR_STATIC;
	uint8_t known_rank;
	// Most variable DIEs are the same extern declarations again.
	if (name && vmca_debuginfo_builder_find_var(w->b, name, &known_rank) &&
	    known_rank >= rank)
		return NULL;
	const struct vmca_debuginfo_die *typed = d;
	struct vmca_debuginfo_unit *type_unit = u;
	struct vmca_debuginfo_die spec;
	if (d->flags & VMCA_DEBUGINFO_DIE_HAS_SPECIFICATION) {
		// The definition of an extern declaration: name and type may
		// be on the declaration only.
		type_unit = d->specification >= u->offset &&
					    d->specification < u->end
				    ? u
				    : vmca_debuginfo_dwarf_find_unit(
					      &w->dw, d->specification);
		if (!type_unit)
			return vmca_error_create(
				VMCA_ERROR_INVALID,
				"corrupt DWARF: bad DW_AT_specification at "
				".debug_info+%#" PRIx64,
				d->offset);
		struct vmca_error *err =
			read_die(w, type_unit, d->specification, &spec);
		if (err)
			return err;
		if (!name)
			name = spec.name;
		if ((spec.flags & VMCA_DEBUGINFO_DIE_EXTERNAL) &&
		    rank == VMCA_DEBUGINFO_VAR_STATIC)
			rank = VMCA_DEBUGINFO_VAR_EXTERNAL;
		if (!(d->flags & VMCA_DEBUGINFO_DIE_HAS_TYPE))
			typed = &spec;
		else
			type_unit = u;
		if (name &&
		    vmca_debuginfo_builder_find_var(w->b, name, &known_rank) &&
		    known_rank >= rank)
			return NULL;
	}
	if (!name || !*name)
		return NULL;
	uint32_t type;
	struct vmca_error *err = resolve_type(w, type_unit, typed, &type);
	if (err)
		return err;
	return vmca_debuginfo_builder_set_var(w->b, name, type, rank);
}

// Pass 1 for one top-level DIE: map what is known, mark what is new.
static struct vmca_error *
first_pass(struct walk *w, const struct vmca_debuginfo_die *d, struct entry *e)
{
	bool needs_fill = false;
	struct vmca_error *err = NULL;
	switch (d->tag) {
	case DW_TAG_structure_type:
	case DW_TAG_class_type:
	case DW_TAG_union_type:
	case DW_TAG_enumeration_type:
		if (!d->name)
			return NULL;
		err = named_aggregate(w, d, &e->id, &needs_fill);
		break;
	case DW_TAG_typedef:
		if (!d->name)
			return NULL;
		err = named_typedef(w, d, &e->id, &needs_fill);
		break;
	case DW_TAG_base_type:
		err = base_type(w, d, &e->id);
		break;
	case DW_TAG_unspecified_type:
		break;
	case DW_TAG_variable:
		needs_fill = true;
		break;
	default:
		return NULL;
	}
	if (err)
		return err;
	e->state = needs_fill ? ENTRY_PENDING : ENTRY_DONE;
	return NULL;
}

// Pass 2 for one pending top-level DIE.
static struct vmca_error *second_pass(struct walk *w, struct entry *e)
{
	struct vmca_debuginfo_unit *u = w->cu;
	struct vmca_debuginfo_die d;
	struct vmca_error *err = read_die(w, u, e->offset, &d);
	if (err)
		return err;
	// Mark it busy so that a reference from inside sees its id without
	// filling it twice.
	e->state = ENTRY_BUSY;
	if (d.tag == DW_TAG_variable)
		err = add_variable(w, u, &d);
	else
		err = fill(w, u, &d, e->id);
	// e is still valid: nothing appends to entries in pass 2.
	e->state = ENTRY_DONE;
	return err;
}

static struct vmca_error *walk_unit(struct walk *w,
				    struct vmca_debuginfo_unit *u)
{
	struct vmca_error *err = vmca_debuginfo_dwarf_load_unit(&w->dw, u);
	if (err)
		return err;
	w->cu = u;
	w->entries.len = 0;
	struct vmca_debuginfo_die d;
	err = vmca_debuginfo_die_read(&w->dw, u, u->die_offset, &d);
	if (err)
		return err;
	bool has_children = d.has_children;
	uint64_t offset = d.end;
	while (has_children && offset < u->end) {
		err = vmca_debuginfo_die_read(&w->dw, u, offset, &d);
		if (err)
			return err;
		if (!d.tag)
			break;
		struct entry *e = entry_vector_append_entry(&w->entries);
		if (!e)
			return &vmca_enomem;
		e->offset = offset;
		err = first_pass(w, &d, e);
		if (!err)
			err = vmca_debuginfo_die_next(&w->dw, u, &d, &offset);
		if (err)
			return err;
	}
	for (size_t i = 0; i < w->entries.len; i++) {
		if (w->entries.data[i].state != ENTRY_PENDING)
			continue;
		err = second_pass(w, &w->entries.data[i]);
		if (err)
			return err;
	}
	return fill_deferred(w);
}

static int sig_cmp(const void *a, const void *b)
{
	const struct sig_entry *x = a, *y = b;
	if (x->signature != y->signature)
		return x->signature < y->signature ? -1 : 1;
	return x->unit < y->unit ? -1 : x->unit > y->unit;
}

struct vmca_error *
vmca_debuginfo_index_build(const struct vmca_debuginfo_dwarf_sections *sections,
			   struct vmca_debuginfo_builder *b)
{
	struct walk w = {.b = b};
	struct vmca_error *err = vmca_debuginfo_dwarf_init(&w.dw, sections);
	if (err)
		return err;
	struct vmca_debuginfo_unit *u;
	for (size_t i = 0; i < w.dw.units.len; i++) {
		u = &w.dw.units.data[i];
		if (u->unit_type != DW_UT_type)
			continue;
		struct sig_entry s = {u->type_signature, u};
		if (!sig_vector_append(&w.sigs, s)) {
			err = &vmca_enomem;
			goto out;
		}
	}
	if (w.sigs.len)
		qsort(w.sigs.data, w.sigs.len, sizeof(*w.sigs.data), sig_cmp);

	for (size_t i = 0; i < w.dw.units.len; i++) {
		u = &w.dw.units.data[i];
		err = walk_unit(&w, u);
		if (err)
			goto out;
		// Done with its abbreviations; a reference into this unit
		// from a later one loads them again.
		vmca_debuginfo_dwarf_unload_unit(u);
		if (w.local.count)
			memo_deinit(&w.local);
	}
out:
	entry_vector_deinit(&w.entries);
	memo_deinit(&w.local);
	memo_deinit(&w.foreign);
	sig_vector_deinit(&w.sigs);
	deferred_vector_deinit(&w.deferred);
	vmca_debuginfo_dwarf_deinit(&w.dw);
	return err;
}

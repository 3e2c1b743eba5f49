// SPDX-License-Identifier: MIT
/** @file The DWARF walk of a cold open: units -> deduplicated type table. */
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <dwarf.h>

#include "dbg.h"
#include "progress.h"

/*
 * libdwarf decodes .debug_info; this walk decides what of it becomes a
 * type. Every unit repeats the types of the headers it includes: the 6.1
 * vmlinux has 935 k struct DIEs at unit level for ~10 k distinct structs.
 * So a unit is read in two passes:
 *
 * 1. Every top-level DIE is stepped over once (dwarf_siblingof_b() uses
 *    DW_AT_sibling to skip its children) and only its tag is looked at,
 *    except for a named struct, union, enum or typedef: its name, size,
 *    declaration flag and line are read, one attribute at a time (no
 *    dwarf_attrlist(): it allocates every attribute of the DIE), and only
 *    those its abbreviation has (die_attrs()). If the definition is
 *    known, the DIE is mapped to it and left.
 * 2. What is new (definitions seen for the first time, variables) is
 *    filled in. Anonymous and derived types (pointers, arrays, functions,
 *    qualifiers) are only built when something new refers to them, so
 *    most of the 1.1 M pointer DIEs are never looked at twice. Derived
 *    types are hash-consed; anonymous structs belong to their one user.
 *
 * A definition is known by (name, size, DW_AT_decl_line): see
 * vmca_debuginfo_builder_named_def(). Each is kept, so its users see the
 * right layout, and the name stands for the one most units define (the
 * header's). Declarations are placeholders that the builder points to
 * that definition at the end.
 *
 * libdwarf allocates a Dwarf_Die for every step and a Dwarf_Attribute for
 * every attribute read: stepping over the 3.6 M top-level DIEs of the 6.1
 * vmlinux is half of the work, reading the names, sizes and lines of the
 * 1.4 M named types a quarter. So .debug_info is cut in two at its middle
 * (by size: units differ in size by a factor of 1000), and each half is
 * walked on its own thread, with its own Dwarf_Debug and builder;
 * vmca_debuginfo_builder_merge() then adds the second builder to the
 * first as if one walk had gone through all units in order.
 */

// Deeper type nesting than this is taken for a reference loop.
#define MAX_DEPTH 512

/** A unit of .debug_info that holds types: compile, partial or type. */
struct unit {
	uint64_t offset;
	/** One past the unit's last byte. */
	uint64_t end;
	/** DW_UT_type: the signature and the type DIE's offset. */
	uint64_t signature;
	uint64_t type_offset;
	uint8_t unit_type;
	uint8_t address_size;
	uint8_t offset_size;
	uint8_t version;
};

DEFINE_VECTOR(unit_vector, struct unit)

struct sig_entry {
	uint64_t signature;
	const struct unit *unit;
};

DEFINE_VECTOR(sig_vector, struct sig_entry)

/**
 * Every unit, for references from one unit into another and to type
 * units. The second thread lists them (it steps through all unit headers
 * anyway, to reach its half) and publishes them; from then on they are
 * read-only. The first thread starts at once and waits for them only if
 * it needs them (a reference outside the unit it walks).
 */
struct units {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool is_ready;
	/** Why there are none, once ready. */
	struct vmca_error *err;
	/** Sorted by offset. */
	struct unit_vector units;
	/** Type units by signature. */
	struct sig_vector sigs;
};

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
	uint16_t tag;
	uint8_t state;
	/** PENDING: the DIE, kept from pass 1 for pass 2. */
	Dwarf_Die die;
};

DEFINE_VECTOR(entry_vector, struct entry)

// Other DIEs (nested ones, or in other units): offset -> id.
struct memo_slot {
	uint64_t key; // offset + 1; 0 = empty
	uint32_t id;
};

struct memo {
	struct memo_slot *slots;
	uint32_t nr_slots;
	uint32_t count;
};

// A named type met by reference (nested, or in another unit), filled in
// from a list rather than by recursion: chains of such references are as
// long as the kernel is big when units refer to each other (LTO builds).
struct deferred {
	const struct unit *unit;
	uint64_t offset;
	uint32_t id;
};

DEFINE_VECTOR(deferred_vector, struct deferred)
DEFINE_VECTOR(member_tmp_vector, struct vmca_debuginfo_cmember)
DEFINE_VECTOR(enum_tmp_vector, struct vmca_debuginfo_cenum)
DEFINE_VECTOR(u64_vector, uint64_t)

/** One thread's walk: its own Dwarf_Debug, builder and tables. */
struct walk {
	Dwarf_Debug dbg;
	/** The first half reports the build's progress (NULL: not). */
	struct vmca_progress *progress;
	struct vmca_debuginfo_builder *b;
	const struct vmca_debuginfo_dwarf_sections *sections;
	struct units *shared;
	/** shared, once ready (NULL before). */
	const struct units *all;
	/** The unit being walked. */
	const struct unit *cu;
	struct entry_vector entries;
	struct memo local;
	struct memo foreign;
	/** .debug_abbrev offset of an abbreviation -> its ABBREV_*. */
	struct memo abbrevs;
	struct deferred_vector deferred;
	unsigned depth;
};

/** A DIE in hand: libdwarf's handle (ours to dealloc) and what we know. */
struct die {
	Dwarf_Die die;
	uint64_t offset;
	const struct unit *unit;
	uint16_t tag;
	/** ABBREV_*: what its abbreviation says, once asked (die_attrs()). */
	uint32_t attrs;
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

static const struct unit *find_unit(const struct units *all, uint64_t offset)
{
	size_t lo = 0, hi = all->units.len;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct unit *u = &all->units.data[mid];
		if (offset < u->offset)
			hi = mid;
		else if (offset >= u->end)
			lo = mid + 1;
		else
			return u;
	}
	return NULL;
}

// Whether u is the unit being walked (the walk's own record of it, or the
// list's).
static bool is_current(const struct walk *w, const struct unit *u)
{
	return u == w->cu || (w->cu && u->offset == w->cu->offset);
}

// What a walk that cannot go on without the list of units returns when
// the list could not be made; the caller reports why.
static struct vmca_error no_units = {
	.code = VMCA_ERROR_INVALID,
	.message = "the list of units could not be made",
	.is_static = true,
};

// The list of all units, once the second thread has made it.
static struct vmca_error *wait_units(struct walk *w)
{
	if (w->all)
		return NULL;
	struct units *shared = w->shared;
	pthread_mutex_lock(&shared->lock);
	while (!shared->is_ready)
		pthread_cond_wait(&shared->cond, &shared->lock);
	pthread_mutex_unlock(&shared->lock);
	if (shared->err)
		return &no_units;
	w->all = shared;
	return NULL;
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
static struct vmca_error *publish(struct walk *w, const struct unit *u,
				  uint64_t offset, uint32_t id, uint32_t state)
{
	if (is_current(w, u)) {
		struct entry *e = find_entry(w, offset);
		if (e) {
			e->id = id;
			e->state = state;
			return NULL;
		}
	}
	return memo_put(is_current(w, u) ? &w->local : &w->foreign, offset, id);
}

/* DIEs and attributes through libdwarf. */

static void die_release(struct die *d)
{
	if (d->die)
		dwarf_dealloc_die(d->die);
	d->die = NULL;
}

/*
 * The attributes the walk reads, as its abbreviation has them. libdwarf
 * finds an attribute by decoding the ones before it, so a lookup of an
 * absent one (DW_AT_declaration of a struct definition) decodes the whole
 * DIE: what the abbreviation rules out is not looked up, and a
 * DW_FORM_flag_present flag is known without a lookup.
 */
enum {
	ABBREV_KNOWN = 1u << 0,
	ABBREV_NAME = 1u << 1,
	ABBREV_TYPE = 1u << 2,
	ABBREV_BYTE_SIZE = 1u << 3,
	ABBREV_DECL_LINE = 1u << 4,
	ABBREV_DECLARATION = 1u << 5,
	ABBREV_EXTERNAL = 1u << 6,
	ABBREV_SPECIFICATION = 1u << 7,
	ABBREV_LOCATION = 1u << 8,
	ABBREV_CONST_VALUE = 1u << 9,
	ABBREV_ENCODING = 1u << 10,
	ABBREV_PROTOTYPED = 1u << 11,
	// The flag's form is DW_FORM_flag_present: its value is true.
	ABBREV_DECLARATION_TRUE = 1u << 12,
	ABBREV_EXTERNAL_TRUE = 1u << 13,
	ABBREV_PROTOTYPED_TRUE = 1u << 14,
};

// The ABBREV_* bit of attribute at, or 0 for one that is always looked up.
static uint32_t abbrev_bit(Dwarf_Half at)
{
	switch (at) {
	case DW_AT_name:
		return ABBREV_NAME;
	case DW_AT_type:
		return ABBREV_TYPE;
	case DW_AT_byte_size:
		return ABBREV_BYTE_SIZE;
	case DW_AT_decl_line:
		return ABBREV_DECL_LINE;
	case DW_AT_declaration:
		return ABBREV_DECLARATION;
	case DW_AT_external:
		return ABBREV_EXTERNAL;
	case DW_AT_specification:
		return ABBREV_SPECIFICATION;
	case DW_AT_location:
		return ABBREV_LOCATION;
	case DW_AT_const_value:
		return ABBREV_CONST_VALUE;
	case DW_AT_encoding:
		return ABBREV_ENCODING;
	case DW_AT_prototyped:
		return ABBREV_PROTOTYPED;
	default:
		return 0;
	}
}

static struct vmca_error *read_abbrev(struct walk *w, struct die *d,
				      uint64_t offset, uint32_t *ret)
{
	Dwarf_Abbrev abbrev;
	Dwarf_Unsigned length, count;
	Dwarf_Error derr = NULL;
	uint32_t attrs = ABBREV_KNOWN;
	if (dwarf_get_abbrev(w->dbg, offset, &abbrev, &length, &count, &derr) !=
	    DW_DLV_OK)
		return vmca_error_dwarf(w->dbg, derr, d->offset);
	for (Dwarf_Unsigned i = 0; i < count; i++) {
		Dwarf_Unsigned at, form;
		Dwarf_Signed implicit_const;
		Dwarf_Off entry_offset;
		if (dwarf_get_abbrev_entry_b(abbrev, i, true, &at, &form,
					     &implicit_const, &entry_offset,
					     &derr) != DW_DLV_OK) {
			dwarf_dealloc(w->dbg, abbrev, DW_DLA_ABBREV);
			return vmca_error_dwarf(w->dbg, derr, d->offset);
		}
		uint32_t bit = at <= UINT16_MAX ? abbrev_bit(at) : 0;
		attrs |= bit;
		if (form == DW_FORM_flag_present && bit == ABBREV_DECLARATION)
			attrs |= ABBREV_DECLARATION_TRUE;
		if (form == DW_FORM_flag_present && bit == ABBREV_EXTERNAL)
			attrs |= ABBREV_EXTERNAL_TRUE;
		if (form == DW_FORM_flag_present && bit == ABBREV_PROTOTYPED)
			attrs |= ABBREV_PROTOTYPED_TRUE;
	}
	dwarf_dealloc(w->dbg, abbrev, DW_DLA_ABBREV);
	*ret = attrs;
	return NULL;
}

// Load d->attrs if it is not yet.
static struct vmca_error *die_attrs(struct walk *w, struct die *d)
{
	if (d->attrs)
		return NULL;
	Dwarf_Off offset;
	Dwarf_Unsigned count;
	Dwarf_Error derr = NULL;
	if (dwarf_die_abbrev_global_offset(d->die, &offset, &count, &derr) !=
	    DW_DLV_OK)
		return vmca_error_dwarf(w->dbg, derr, d->offset);
	struct memo_slot *slot = memo_get(&w->abbrevs, offset);
	if (slot) {
		d->attrs = slot->id;
		return NULL;
	}
	uint32_t attrs = 0;
	struct vmca_error *err = read_abbrev(w, d, offset, &attrs);
	if (!err)
		err = memo_put(&w->abbrevs, offset, attrs);
	if (!err)
		d->attrs = attrs;
	return err;
}

// Whether d may have attribute at: false if its abbreviation has none.
static struct vmca_error *die_may_have(struct walk *w, struct die *d,
				       Dwarf_Half at, bool *ret)
{
	uint32_t bit = abbrev_bit(at);
	*ret = true;
	if (!bit)
		return NULL;
	struct vmca_error *err = die_attrs(w, d);
	*ret = !err && (d->attrs & bit);
	return err;
}

// Fill in d's offset and tag from d->die.
static struct vmca_error *die_describe(struct walk *w, struct die *d,
				       uint64_t where)
{
	Dwarf_Off offset;
	Dwarf_Half tag;
	Dwarf_Error derr = NULL;
	if (dwarf_dieoffset(d->die, &offset, &derr) != DW_DLV_OK ||
	    dwarf_tag(d->die, &tag, &derr) != DW_DLV_OK) {
		die_release(d);
		return vmca_error_dwarf(w->dbg, derr, where);
	}
	d->offset = offset;
	d->tag = tag;
	d->attrs = 0;
	return NULL;
}

// The DIE at offset in unit u; *has_ret false if there is none (a null
// entry).
static struct vmca_error *die_open(struct walk *w, const struct unit *u,
				   uint64_t offset, struct die *ret,
				   bool *has_ret)
{
	Dwarf_Error derr = NULL;
	ret->die = NULL;
	ret->unit = u;
	*has_ret = false;
	int res = dwarf_offdie_b(w->dbg, offset, true, &ret->die, &derr);
	if (res == DW_DLV_NO_ENTRY)
		return NULL;
	if (res != DW_DLV_OK)
		return vmca_error_dwarf(w->dbg, derr, offset);
	*has_ret = true;
	return die_describe(w, ret, offset);
}

// The first child of parent into *child; *has_ret false if none.
static struct vmca_error *die_child(struct walk *w, struct die *parent,
				    struct die *child, bool *has_ret)
{
	Dwarf_Error derr = NULL;
	child->die = NULL;
	child->unit = parent->unit;
	*has_ret = false;
	int res = dwarf_child(parent->die, &child->die, &derr);
	if (res == DW_DLV_NO_ENTRY)
		return NULL;
	if (res != DW_DLV_OK)
		return vmca_error_dwarf(w->dbg, derr, parent->offset);
	*has_ret = true;
	return die_describe(w, child, parent->offset);
}

// Step d to its next sibling (*has_ret false at the end of the list). The
// old handle is released unless keep.
static struct vmca_error *die_next(struct walk *w, struct die *d, bool keep,
				   bool *has_ret)
{
	Dwarf_Error derr = NULL;
	Dwarf_Die next = NULL;
	int res = dwarf_siblingof_b(w->dbg, d->die, true, &next, &derr);
	if (!keep)
		die_release(d);
	d->die = NULL;
	*has_ret = false;
	if (res == DW_DLV_NO_ENTRY)
		return NULL;
	if (res != DW_DLV_OK)
		return vmca_error_dwarf(w->dbg, derr, d->offset);
	d->die = next;
	uint64_t prev = d->offset;
	struct vmca_error *err = die_describe(w, d, prev);
	if (err)
		return err;
	// A DW_AT_sibling that points back (damage) would make the walk of
	// the siblings a loop: siblings follow one another in the section.
	if (d->offset <= prev) {
		uint64_t back = d->offset;
		die_release(d);
		d->offset = prev;
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "DIE at %#" PRIx64 ": its sibling is "
					 "at %#" PRIx64 ", not after it",
					 prev, back);
	}
	*has_ret = true;
	return NULL;
}

static struct vmca_error *die_name(struct walk *w, struct die *d,
				   const char **ret)
{
	Dwarf_Attribute attr;
	char *name = NULL;
	Dwarf_Error derr = NULL;
	bool may_have;
	struct vmca_error *err = die_may_have(w, d, DW_AT_name, &may_have);
	*ret = NULL;
	if (err || !may_have)
		return err;
	// dwarf_diename() does the same, except that in 20210528 it takes a
	// DIE it cannot decode for one without a name, and leaks the error.
	int res = dwarf_attr(d->die, DW_AT_name, &attr, &derr);
	if (res == DW_DLV_NO_ENTRY)
		return NULL;
	if (res == DW_DLV_OK) {
		// The string is in a section (no dwarf_dealloc: with the
		// allocation tree off, libdwarf would free() it).
		res = dwarf_formstring(attr, &name, &derr);
		dwarf_dealloc_attribute(attr);
	}
	if (res == DW_DLV_ERROR)
		return vmca_error_dwarf(w->dbg, derr, d->offset);
	*ret = res == DW_DLV_OK ? name : NULL;
	return NULL;
}

static struct vmca_error *die_flag(struct walk *w, struct die *d, Dwarf_Half at,
				   bool *ret)
{
	Dwarf_Attribute attr;
	Dwarf_Error derr = NULL;
	bool may_have;
	*ret = false;
	struct vmca_error *err = die_may_have(w, d, at, &may_have);
	if (err || !may_have)
		return err;
	uint32_t is_true = at == DW_AT_declaration  ? ABBREV_DECLARATION_TRUE
			   : at == DW_AT_external   ? ABBREV_EXTERNAL_TRUE
			   : at == DW_AT_prototyped ? ABBREV_PROTOTYPED_TRUE
						    : 0;
	if (d->attrs & is_true) {
		*ret = true;
		return NULL;
	}
	int res = dwarf_attr(d->die, at, &attr, &derr);
	if (res == DW_DLV_NO_ENTRY)
		return NULL;
	if (res != DW_DLV_OK)
		return vmca_error_dwarf(w->dbg, derr, d->offset);
	Dwarf_Bool flag = false;
	res = dwarf_formflag(attr, &flag, &derr);
	dwarf_dealloc_attribute(attr);
	if (res == DW_DLV_ERROR)
		return vmca_error_dwarf(w->dbg, derr, d->offset);
	*ret = flag;
	return NULL;
}

enum value_kind {
	VALUE_NONE,
	/** udata. */
	VALUE_UNSIGNED,
	/** sdata, implicit_const: u holds the value's bits. */
	VALUE_SIGNED,
	/** data1..data8: signedness unknown. */
	VALUE_DATA,
	/** exprloc, block*: block and block_size. */
	VALUE_BLOCK,
	/** Anything else (present, but no constant). */
	VALUE_OTHER,
};

struct value {
	uint8_t kind;
	uint64_t u;
	const uint8_t *block;
	uint64_t block_size;
};

// An attribute whose class is constant or block, with the form kept: it
// says how to read a constant (see fill_enum()).
static struct vmca_error *die_value(struct walk *w, struct die *d,
				    Dwarf_Half at, struct value *ret)
{
	Dwarf_Attribute attr;
	Dwarf_Error derr = NULL;
	bool may_have;
	memset(ret, 0, sizeof(*ret));
	struct vmca_error *err = die_may_have(w, d, at, &may_have);
	if (err || !may_have)
		return err;
	int res = dwarf_attr(d->die, at, &attr, &derr);
	if (res == DW_DLV_NO_ENTRY)
		return NULL;
	if (res != DW_DLV_OK)
		return vmca_error_dwarf(w->dbg, derr, d->offset);
	Dwarf_Half form = 0;
	res = dwarf_whatform(attr, &form, &derr);
	ret->kind = VALUE_OTHER;
	if (res == DW_DLV_OK) {
		switch (form) {
		case DW_FORM_data1:
		case DW_FORM_data2:
		case DW_FORM_data4:
		case DW_FORM_data8:
		case DW_FORM_udata: {
			Dwarf_Unsigned u = 0;
			res = dwarf_formudata(attr, &u, &derr);
			ret->kind = form == DW_FORM_udata ? VALUE_UNSIGNED
							  : VALUE_DATA;
			ret->u = u;
			break;
		}
		case DW_FORM_sdata:
		case DW_FORM_implicit_const: {
			Dwarf_Signed s = 0;
			res = dwarf_formsdata(attr, &s, &derr);
			ret->kind = VALUE_SIGNED;
			ret->u = (uint64_t)s;
			break;
		}
		case DW_FORM_exprloc: {
			Dwarf_Unsigned len = 0;
			Dwarf_Ptr data = NULL;
			res = dwarf_formexprloc(attr, &len, &data, &derr);
			ret->kind = VALUE_BLOCK;
			ret->block = data;
			ret->block_size = len;
			break;
		}
		case DW_FORM_block:
		case DW_FORM_block1:
		case DW_FORM_block2:
		case DW_FORM_block4: {
			Dwarf_Block *block = NULL;
			res = dwarf_formblock(attr, &block, &derr);
			if (res == DW_DLV_OK) {
				// The bytes are in .debug_info: only the
				// Dwarf_Block is libdwarf's.
				ret->kind = VALUE_BLOCK;
				ret->block = block->bl_data;
				ret->block_size = block->bl_len;
				dwarf_dealloc(w->dbg, block, DW_DLA_BLOCK);
			}
			break;
		}
		default:
			break;
		}
	}
	dwarf_dealloc_attribute(attr);
	if (res == DW_DLV_ERROR)
		return vmca_error_dwarf(w->dbg, derr, d->offset);
	if (res == DW_DLV_NO_ENTRY)
		ret->kind = VALUE_OTHER;
	return NULL;
}

// An unsigned constant; *has_ret false if absent or of another class.
static struct vmca_error *die_udata(struct walk *w, struct die *d,
				    Dwarf_Half at, bool *has_ret, uint64_t *ret)
{
	struct value v;
	struct vmca_error *err = die_value(w, d, at, &v);
	*has_ret = !err && (v.kind == VALUE_UNSIGNED || v.kind == VALUE_DATA ||
			    (v.kind == VALUE_SIGNED && (int64_t)v.u >= 0));
	*ret = *has_ret ? v.u : 0;
	return err;
}

// DW_AT_byte_size: dwarf_bytesize() reads it without allocating.
static struct vmca_error *die_byte_size(struct walk *w, struct die *d,
					bool *has_ret, uint64_t *ret)
{
	Dwarf_Unsigned size = 0;
	Dwarf_Error derr = NULL;
	bool may_have;
	*has_ret = false;
	*ret = 0;
	struct vmca_error *err = die_may_have(w, d, DW_AT_byte_size, &may_have);
	if (err || !may_have)
		return err;
	int res = dwarf_bytesize(d->die, &size, &derr);
	if (res == DW_DLV_ERROR) {
		// A form dwarf_bytesize() does not take (sdata, or an
		// expression): read it the long way.
		dwarf_dealloc_error(w->dbg, derr);
		return die_udata(w, d, DW_AT_byte_size, has_ret, ret);
	}
	*has_ret = res == DW_DLV_OK;
	*ret = *has_ret ? size : 0;
	return NULL;
}

static struct vmca_error *die_decl_line(struct walk *w, struct die *d,
					uint32_t *ret)
{
	bool has;
	uint64_t line;
	struct vmca_error *err = die_udata(w, d, DW_AT_decl_line, &has, &line);
	*ret = !has ? 0 : line > UINT32_MAX ? UINT32_MAX : line;
	return err;
}

// A reference attribute: the .debug_info offset it refers to, and the
// unit holding it.
static struct vmca_error *die_ref(struct walk *w, struct die *d, Dwarf_Half at,
				  bool *has_ret, uint64_t *offset_ret,
				  const struct unit **unit_ret)
{
	Dwarf_Attribute attr;
	Dwarf_Error derr = NULL;
	bool may_have;
	*has_ret = false;
	struct vmca_error *err = die_may_have(w, d, at, &may_have);
	if (err || !may_have)
		return err;
	int res = dwarf_attr(d->die, at, &attr, &derr);
	if (res == DW_DLV_NO_ENTRY)
		return NULL;
	if (res != DW_DLV_OK)
		return vmca_error_dwarf(w->dbg, derr, d->offset);
	Dwarf_Half form = 0;
	Dwarf_Off offset = 0;
	const struct unit *target = NULL;
	res = dwarf_whatform(attr, &form, &derr);
	if (res == DW_DLV_OK && form == DW_FORM_ref_sig8) {
		Dwarf_Sig8 sig8;
		res = dwarf_formsig8(attr, &sig8, &derr);
		uint64_t sig = 0;
		if (res == DW_DLV_OK)
			memcpy(&sig, sig8.signature, sizeof(sig));
		err = wait_units(w);
		if (err) {
			dwarf_dealloc_attribute(attr);
			if (res == DW_DLV_ERROR)
				dwarf_dealloc_error(w->dbg, derr);
			return err;
		}
		const struct sig_vector *sigs = &w->all->sigs;
		size_t lo = 0, hi = res == DW_DLV_OK ? sigs->len : 0;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (sigs->data[mid].signature < sig)
				lo = mid + 1;
			else
				hi = mid;
		}
		// A type unit that is not here (.debug_types, .dwo): void.
		if (res == DW_DLV_OK && lo < sigs->len &&
		    sigs->data[lo].signature == sig) {
			target = sigs->data[lo].unit;
			offset = target->offset + target->type_offset;
		}
	} else if (res == DW_DLV_OK) {
		res = dwarf_global_formref(attr, &offset, &derr);
		bool is_inside =
			offset >= d->unit->offset && offset < d->unit->end;
		if (res == DW_DLV_OK && !is_inside) {
			err = wait_units(w);
			if (err) {
				dwarf_dealloc_attribute(attr);
				return err;
			}
		}
		if (res == DW_DLV_OK) {
			target =
				is_inside ? d->unit : find_unit(w->all, offset);
			if (!target) {
				dwarf_dealloc_attribute(attr);
				return vmca_error_create(
					VMCA_ERROR_INVALID,
					"corrupt DWARF at .debug_info+%#" PRIx64
					": reference to .debug_info+%#" PRIx64
					" outside any unit",
					d->offset, (uint64_t)offset);
			}
		}
	}
	dwarf_dealloc_attribute(attr);
	if (res == DW_DLV_ERROR)
		return vmca_error_dwarf(w->dbg, derr, d->offset);
	if (target) {
		*has_ret = true;
		*offset_ret = offset;
		*unit_ret = target;
	}
	return NULL;
}

/* Types. */

static struct vmca_error *resolve_offset(struct walk *w, const struct unit *u,
					 uint64_t offset, uint32_t *ret);

// The type a DIE's DW_AT_type refers to; 0 (void) if it has none.
static struct vmca_error *resolve_type(struct walk *w, struct die *d,
				       uint32_t *ret)
{
	bool has;
	uint64_t offset;
	const struct unit *target;
	*ret = 0;
	struct vmca_error *err =
		die_ref(w, d, DW_AT_type, &has, &offset, &target);
	if (err || !has)
		return err;
	return resolve_offset(w, target, offset, ret);
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
static struct vmca_error *named_aggregate(struct walk *w, struct die *d,
					  const char *name, uint32_t *id_ret,
					  bool *needs_fill_ret)
{
	unsigned kind = aggregate_kind(d->tag);
	bool is_declaration, has_size = false;
	uint64_t size = 0;
	uint32_t line;
	*needs_fill_ret = false;
	struct vmca_error *err =
		die_flag(w, d, DW_AT_declaration, &is_declaration);
	if (!err && !is_declaration)
		err = die_byte_size(w, d, &has_size, &size);
	if (err)
		return err;
	if (is_declaration || !has_size)
		return vmca_debuginfo_builder_named_decl(w->b, kind, name,
							 id_ret);
	err = die_decl_line(w, d, &line);
	if (err)
		return err;
	return vmca_debuginfo_builder_named_def(w->b, kind, name, size, line, 1,
						id_ret, needs_fill_ret);
}

// A typedef's id, and whether its target is still to be resolved. Like
// structs, typedefs of one name at different lines are different.
static struct vmca_error *named_typedef(struct walk *w, struct die *d,
					const char *name, uint32_t *id_ret,
					bool *needs_fill_ret)
{
	uint32_t line;
	struct vmca_error *err = die_decl_line(w, d, &line);
	if (err)
		return err;
	return vmca_debuginfo_builder_typedef(w->b, name, line, 1, id_ret,
					      needs_fill_ret);
}

static struct vmca_error *base_type(struct walk *w, struct die *d,
				    uint32_t *ret)
{
	const char *name;
	bool has;
	uint64_t encoding, size;
	struct vmca_error *err = die_name(w, d, &name);
	if (!err)
		err = die_udata(w, d, DW_AT_encoding, &has, &encoding);
	if (!err)
		err = die_byte_size(w, d, &has, &size);
	if (err)
		return err;
	char canonical[64];
	if (name && vmca_debuginfo_canonical_base_name(name, canonical,
						       sizeof(canonical)))
		name = canonical;
	unsigned kind = VMCA_TYPE_INT;
	uint8_t flags = 0;
	switch (encoding) {
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
	return vmca_debuginfo_builder_base(w->b, kind, name, flags, size, ret);
}

// A DW_AT_data_member_location expression of the forms compilers emit
// (DW_OP_plus_uconst n; DW_OP_constu n, DW_OP_plus; ...), decoded by
// libdwarf and evaluated with the structure's address 0 on the stack.
// dwarf_loclist_from_expr_b(), not _c(): in 20210528, _c() leaks the
// operators it decoded before an error (found by dwarf_fuzz).
static bool eval_member_location(struct walk *w, struct die *d,
				 const struct value *v, uint64_t *ret)
{
	switch (v->kind) {
	case VALUE_NONE:
		*ret = 0;
		return true;
	case VALUE_DATA:
	case VALUE_UNSIGNED:
		*ret = v->u;
		return true;
	case VALUE_SIGNED:
		*ret = v->u;
		return (int64_t)v->u >= 0;
	case VALUE_BLOCK:
		break;
	default:
		return false;
	}
	Dwarf_Locdesc *desc = NULL;
	Dwarf_Signed nr_lists = 0;
	Dwarf_Error derr = NULL;
	const struct unit *u = d->unit;
	if (dwarf_loclist_from_expr_b(w->dbg, (Dwarf_Ptr)v->block,
				      v->block_size, u->address_size,
				      u->offset_size, u->version, &desc,
				      &nr_lists, &derr) != DW_DLV_OK) {
		dwarf_dealloc_error(w->dbg, derr);
		return false;
	}
	uint64_t stack[8] = {0};
	unsigned top = 1;
	bool ok = nr_lists == 1;
	for (Dwarf_Unsigned i = 0; ok && i < desc->ld_cents; i++) {
		Dwarf_Small op = desc->ld_s[i].lr_atom;
		Dwarf_Unsigned n = desc->ld_s[i].lr_number;
		switch (op) {
		case DW_OP_plus_uconst:
			stack[top - 1] += n;
			break;
		case DW_OP_plus:
			ok = top >= 2;
			if (ok) {
				stack[top - 2] += stack[top - 1];
				top--;
			}
			break;
		case DW_OP_constu:
		case DW_OP_const1u:
		case DW_OP_const2u:
		case DW_OP_const4u:
		case DW_OP_const8u:
			ok = top < sizeof(stack) / sizeof(stack[0]);
			if (ok)
				stack[top++] = n;
			break;
		default:
			ok = op >= DW_OP_lit0 && op <= DW_OP_lit31 &&
			     top < sizeof(stack) / sizeof(stack[0]);
			if (ok)
				stack[top++] = op - DW_OP_lit0;
			break;
		}
	}
	for (Dwarf_Signed i = 0; i < nr_lists; i++)
		dwarf_dealloc(w->dbg, desc[i].ld_s, DW_DLA_LOC_BLOCK);
	dwarf_dealloc(w->dbg, desc, DW_DLA_LOCDESC);
	if (ok)
		*ret = stack[top - 1];
	return ok;
}

static struct vmca_error *member(struct walk *w, struct die *d,
				 struct vmca_debuginfo_cmember *ret)
{
	const char *name;
	struct value location;
	bool has_bit_size, has_data_bit_offset, has_bit_offset, has_size;
	uint64_t bit_size, data_bit_offset, bit_offset, size;
	struct vmca_error *err = resolve_type(w, d, &ret->type);
	if (!err)
		err = die_name(w, d, &name);
	if (!err)
		err = vmca_debuginfo_builder_intern(w->b, name, &ret->name);
	if (!err)
		err = die_value(w, d, DW_AT_data_member_location, &location);
	if (!err)
		err = die_udata(w, d, DW_AT_bit_size, &has_bit_size, &bit_size);
	if (!err)
		err = die_udata(w, d, DW_AT_data_bit_offset,
				&has_data_bit_offset, &data_bit_offset);
	if (!err && !has_data_bit_offset)
		err = die_udata(w, d, DW_AT_bit_offset, &has_bit_offset,
				&bit_offset);
	if (err)
		return err;
	uint64_t byte_offset;
	// An expression beyond the simple forms: offset 0 rather than no
	// type at all.
	if (!eval_member_location(w, d, &location, &byte_offset))
		byte_offset = 0;
	uint64_t bits = byte_offset * 8;
	if (has_bit_size)
		ret->bit_size = bit_size > UINT32_MAX ? UINT32_MAX : bit_size;
	if (has_data_bit_offset) {
		bits += data_bit_offset;
	} else if (has_bit_offset) {
		// DWARF 2/3: bits from the most significant end of a storage
		// unit of byte_size (or the type's size) at the member
		// location.
		err = die_byte_size(w, d, &has_size, &size);
		if (err)
			return err;
		uint64_t unit_bits =
			8 * (has_size ? size
				      : vmca_debuginfo_builder_type_size(
						w->b, ret->type));
		if (w->sections->is_big_endian)
			bits += bit_offset;
		else if (unit_bits >= bit_offset + ret->bit_size)
			bits += unit_bits - bit_offset - ret->bit_size;
	}
	ret->bit_offset = bits;
	return NULL;
}

static struct vmca_error *fill_members(struct walk *w, struct die *d,
				       uint32_t id)
{
	struct member_tmp_vector members = {0};
	struct die child;
	bool has;
	struct vmca_error *err = die_child(w, d, &child, &has);
	while (!err && has) {
		if (child.tag == DW_TAG_member) {
			struct vmca_debuginfo_cmember *m =
				member_tmp_vector_append_entry(&members);
			err = m ? member(w, &child, m) : &vmca_enomem;
		}
		if (!err)
			err = die_next(w, &child, false, &has);
	}
	die_release(&child);
	if (!err)
		err = vmca_debuginfo_builder_set_members(w->b, id, members.data,
							 members.len);
	member_tmp_vector_deinit(&members);
	return err;
}

static struct vmca_error *fill_enum(struct walk *w, struct die *d, uint32_t id)
{
	struct vmca_debuginfo_builder *b = w->b;
	uint32_t underlying;
	bool has_encoding;
	uint64_t encoding;
	struct vmca_error *err = resolve_type(w, d, &underlying);
	if (!err)
		err = die_udata(w, d, DW_AT_encoding, &has_encoding, &encoding);
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
	} else if (has_encoding) {
		is_signed = encoding == DW_ATE_signed ||
			    encoding == DW_ATE_signed_char;
	}

	struct enum_tmp_vector values = {0};
	struct die child;
	bool has;
	err = die_child(w, d, &child, &has);
	while (!err && has) {
		if (child.tag == DW_TAG_enumerator) {
			// GCC emits a negative value as sdata and any other as
			// data1..8 (or udata) meant to be zero-extended: "DWARF
			// consumers always zero extend" (gcc/dwarf2out.cc).
			struct value v;
			const char *name;
			struct vmca_debuginfo_cenum e = {0};
			err = die_value(w, &child, DW_AT_const_value, &v);
			if (!err)
				err = die_name(w, &child, &name);
			if (!err)
				err = vmca_debuginfo_builder_intern(b, name,
								    &e.name);
			if (err)
				break;
			if (v.kind == VALUE_SIGNED && (int64_t)v.u < 0 &&
			    !underlying && !has_encoding)
				is_signed = true;
			if (v.kind == VALUE_UNSIGNED || v.kind == VALUE_DATA ||
			    v.kind == VALUE_SIGNED)
				e.value = v.u;
			if (!enum_tmp_vector_append(&values, e)) {
				err = &vmca_enomem;
				break;
			}
		}
		err = die_next(w, &child, false, &has);
	}
	die_release(&child);
	if (!err) {
		b->types.data[id].target = underlying;
		if (is_signed)
			b->types.data[id].flags |= VMCA_DEBUGINFO_SIGNED;
		err = vmca_debuginfo_builder_set_enumerators(b, id, values.data,
							     values.len);
	}
	enum_tmp_vector_deinit(&values);
	return err;
}

static bool value_u64(const struct value *v, uint64_t *ret)
{
	switch (v->kind) {
	case VALUE_UNSIGNED:
	case VALUE_DATA:
		// data1 0xff is 255 (char buf[256]); only a full-width -1
		// is GCC's "no bound".
		*ret = v->u;
		return v->u != UINT64_MAX;
	case VALUE_SIGNED:
		*ret = v->u;
		return (int64_t)v->u >= 0;
	default:
		return false;
	}
}

// The element count of a DW_TAG_subrange_type; 0 if unknown or flexible.
static struct vmca_error *subrange_length(struct walk *w, struct die *d,
					  uint64_t *ret)
{
	struct value count, upper, lower;
	uint64_t n, hi, lo = 0;
	*ret = 0;
	struct vmca_error *err = die_value(w, d, DW_AT_count, &count);
	if (err || value_u64(&count, ret))
		return err;
	err = die_value(w, d, DW_AT_upper_bound, &upper);
	if (!err)
		err = die_value(w, d, DW_AT_lower_bound, &lower);
	if (err || !value_u64(&upper, &hi))
		return err;
	if (lower.kind != VALUE_NONE && !value_u64(&lower, &lo))
		return NULL;
	if (hi < lo || hi - lo == UINT64_MAX)
		return NULL;
	n = hi - lo + 1;
	*ret = n;
	return NULL;
}

static struct vmca_error *array_type(struct walk *w, struct die *d,
				     uint32_t *ret)
{
	uint32_t id;
	struct vmca_error *err = resolve_type(w, d, &id);
	if (err)
		return err;
	struct u64_vector dims = {0};
	struct die child;
	bool has;
	err = die_child(w, d, &child, &has);
	while (!err && has) {
		if (child.tag == DW_TAG_subrange_type ||
		    child.tag == DW_TAG_enumeration_type) {
			uint64_t len = 0;
			if (child.tag == DW_TAG_subrange_type)
				err = subrange_length(w, &child, &len);
			if (!err && !u64_vector_append(&dims, len))
				err = &vmca_enomem;
		}
		if (!err)
			err = die_next(w, &child, false, &has);
	}
	die_release(&child);
	if (!err && !dims.len && !u64_vector_append(&dims, 0))
		err = &vmca_enomem;
	// int a[2][3] is an array of 2 arrays of 3: build from the inside.
	for (size_t i = dims.len; i-- > 0 && !err;)
		err = vmca_debuginfo_builder_derived(w->b, VMCA_TYPE_ARRAY, id,
						     dims.data[i], &id);
	if (!err)
		*ret = id;
	u64_vector_deinit(&dims);
	return err;
}

static struct vmca_error *function_type(struct walk *w, struct die *d,
					uint32_t *ret)
{
	uint32_t ret_type;
	bool is_prototyped;
	struct vmca_error *err = resolve_type(w, d, &ret_type);
	if (!err)
		err = die_flag(w, d, DW_AT_prototyped, &is_prototyped);
	if (err)
		return err;
	uint8_t flags = is_prototyped ? VMCA_DEBUGINFO_PROTOTYPED : 0;
	struct vmca_debuginfo_u32_vector params = {0};
	struct die child;
	bool has;
	err = die_child(w, d, &child, &has);
	while (!err && has) {
		if (child.tag == DW_TAG_formal_parameter) {
			uint32_t type;
			err = resolve_type(w, &child, &type);
			if (!err &&
			    (params.len >= UINT32_MAX / 2 ||
			     !vmca_debuginfo_u32_vector_append(&params, type)))
				err = &vmca_enomem;
		} else if (child.tag == DW_TAG_unspecified_parameters) {
			flags |= VMCA_DEBUGINFO_VARIADIC;
		}
		if (!err)
			err = die_next(w, &child, false, &has);
	}
	die_release(&child);
	if (!err)
		err = vmca_debuginfo_builder_function(
			w->b, ret_type, flags, params.data, params.len, ret);
	vmca_debuginfo_u32_vector_deinit(&params);
	return err;
}

static struct vmca_error *defer(struct walk *w, const struct unit *u,
				uint64_t offset, uint32_t id)
{
	struct deferred item = {u, offset, id};
	if (!deferred_vector_append(&w->deferred, item))
		return &vmca_enomem;
	return NULL;
}

// Fill in a named struct, union, enum or typedef that has its id.
static struct vmca_error *fill(struct walk *w, struct die *d, uint32_t id)
{
	switch (d->tag) {
	case DW_TAG_structure_type:
	case DW_TAG_class_type:
	case DW_TAG_union_type:
		return fill_members(w, d, id);
	case DW_TAG_enumeration_type:
		return fill_enum(w, d, id);
	case DW_TAG_typedef: {
		uint32_t target;
		struct vmca_error *err = resolve_type(w, d, &target);
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
		struct die d;
		bool has;
		struct vmca_error *err =
			die_open(w, item.unit, item.offset, &d, &has);
		if (!err && has)
			err = fill(w, &d, item.id);
		die_release(&d);
		if (err)
			return err;
	}
	return NULL;
}

static struct vmca_error *anonymous_aggregate(struct walk *w, struct die *d,
					      uint32_t *ret)
{
	bool has_size;
	uint64_t size;
	uint32_t id;
	struct vmca_error *err = die_byte_size(w, d, &has_size, &size);
	if (!err)
		err = vmca_debuginfo_builder_add_type(
			w->b, aggregate_kind(d->tag), NULL, &id);
	if (err)
		return err;
	struct vmca_debuginfo_ctype *t = &w->b->types.data[id];
	t->size = size;
	if (!has_size)
		t->flags |= VMCA_DEBUGINFO_DECLARATION;
	err = publish(w, d->unit, d->offset, id, ENTRY_BUSY);
	if (!err)
		err = fill(w, d, id);
	if (err)
		return err;
	*ret = id;
	return NULL;
}

// Build the type of DIE d, publishing its id before filling in anything
// that could refer back to it.
static struct vmca_error *make_type(struct walk *w, struct die *d,
				    uint32_t *ret)
{
	uint32_t id = 0, target;
	bool needs_fill, has;
	uint64_t size;
	const char *name;
	struct vmca_error *err = NULL;
	*ret = 0;
	switch (d->tag) {
	case DW_TAG_base_type:
		return base_type(w, d, ret);
	case DW_TAG_pointer_type:
	case DW_TAG_reference_type:
	case DW_TAG_rvalue_reference_type:
	case DW_TAG_ptr_to_member_type:
		err = resolve_type(w, d, &target);
		if (!err)
			err = die_byte_size(w, d, &has, &size);
		if (err)
			return err;
		return vmca_debuginfo_builder_derived(
			w->b, VMCA_TYPE_POINTER, target,
			has ? size : d->unit->address_size, ret);
	case DW_TAG_const_type:
	case DW_TAG_volatile_type:
	case DW_TAG_restrict_type:
		err = resolve_type(w, d, &target);
		if (err)
			return err;
		return vmca_debuginfo_builder_derived(
			w->b,
			d->tag == DW_TAG_const_type	 ? VMCA_TYPE_CONST
			: d->tag == DW_TAG_volatile_type ? VMCA_TYPE_VOLATILE
							 : VMCA_TYPE_RESTRICT,
			target, 0, ret);
	case DW_TAG_array_type:
		return array_type(w, d, ret);
	case DW_TAG_subroutine_type:
		return function_type(w, d, ret);
	case DW_TAG_typedef:
		err = die_name(w, d, &name);
		if (err)
			return err;
		if (!name)
			return resolve_type(w, d, ret);
		err = named_typedef(w, d, name, &id, &needs_fill);
		if (!err && needs_fill)
			err = defer(w, d->unit, d->offset, id);
		break;
	case DW_TAG_structure_type:
	case DW_TAG_class_type:
	case DW_TAG_union_type:
	case DW_TAG_enumeration_type:
		err = die_name(w, d, &name);
		if (err)
			return err;
		if (name) {
			err = named_aggregate(w, d, name, &id, &needs_fill);
			if (!err && needs_fill)
				err = defer(w, d->unit, d->offset, id);
			break;
		}
		// Anonymous: it belongs to the one member or typedef that
		// refers to it, and is filled in now.
		err = anonymous_aggregate(w, d, &id);
		break;
	case DW_TAG_atomic_type:
	case DW_TAG_immutable_type:
	case DW_TAG_packed_type:
	case DW_TAG_shared_type:
		// Qualifiers without a vmca kind: see through them.
		return resolve_type(w, d, ret);
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

static struct vmca_error *resolve_offset(struct walk *w, const struct unit *u,
					 uint64_t offset, uint32_t *ret)
{
	bool is_local = is_current(w, u);
	struct entry *e = is_local ? find_entry(w, offset) : NULL;
	if (e) {
		if (e->state != ENTRY_LAZY) {
			*ret = e->id;
			return NULL;
		}
	} else {
		struct memo_slot *slot =
			memo_get(is_local ? &w->local : &w->foreign, offset);
		if (slot) {
			*ret = slot->id;
			return NULL;
		}
	}
	if (w->depth >= MAX_DEPTH)
		return vmca_error_create(
			VMCA_ERROR_INVALID,
			"corrupt DWARF at .debug_info+%#" PRIx64
			": types nested too deep",
			offset);
	struct vmca_error *err = publish(w, u, offset, 0, ENTRY_BUSY);
	if (err)
		return err;
	struct die d;
	bool has;
	uint32_t id = 0;
	err = die_open(w, u, offset, &d, &has);
	if (!err && has) {
		w->depth++;
		err = make_type(w, &d, &id);
		w->depth--;
	}
	die_release(&d);
	if (err)
		return err;
	*ret = id;
	return publish(w, u, offset, id, ENTRY_DONE);
}

// Whether a variable definition has a location (an empty expression: the
// object does not exist) or a constant value.
static struct vmca_error *has_object(struct walk *w, struct die *d, bool *ret)
{
	struct value location;
	struct vmca_error *err = die_value(w, d, DW_AT_location, &location);
	if (err)
		return err;
	*ret = location.kind != VALUE_NONE &&
	       (location.kind != VALUE_BLOCK || location.block_size);
	if (*ret)
		return NULL;
	// The abbreviation says exactly whether it is there.
	return die_may_have(w, d, DW_AT_const_value, ret);
}

static struct vmca_error *add_variable(struct walk *w, struct die *d)
{
	const char *name;
	bool is_external, is_declaration, has_spec;
	uint64_t spec_offset;
	const struct unit *spec_unit;
	struct vmca_error *err = die_name(w, d, &name);
	if (!err)
		err = die_flag(w, d, DW_AT_external, &is_external);
	if (!err)
		err = die_flag(w, d, DW_AT_declaration, &is_declaration);
	if (err)
		return err;
	uint8_t rank = is_declaration ? VMCA_DEBUGINFO_VAR_DECLARATION
		       : is_external  ? VMCA_DEBUGINFO_VAR_EXTERNAL
				      : VMCA_DEBUGINFO_VAR_STATIC;
	uint8_t known_rank;
	// Most variable DIEs are the same extern declarations again.
	if (name && vmca_debuginfo_builder_find_var(w->b, name, &known_rank) &&
	    known_rank >= rank)
		return NULL;
	err = die_ref(w, d, DW_AT_specification, &has_spec, &spec_offset,
		      &spec_unit);
	if (err)
		return err;
	if (!is_declaration && !has_spec) {
		// A definition without a location or value was optimized
		// away.
		bool is_object;
		err = has_object(w, d, &is_object);
		if (err || !is_object)
			return err;
	}
	struct die spec = {0};
	if (has_spec) {
		// The definition of an extern declaration: name and type may
		// be on the declaration only.
		bool has, is_spec_external = false;
		err = die_open(w, spec_unit, spec_offset, &spec, &has);
		if (!err && has && !name)
			err = die_name(w, &spec, &name);
		if (!err && has)
			err = die_flag(w, &spec, DW_AT_external,
				       &is_spec_external);
		if (err)
			goto out;
		if (is_spec_external && rank == VMCA_DEBUGINFO_VAR_STATIC)
			rank = VMCA_DEBUGINFO_VAR_EXTERNAL;
		if (name &&
		    vmca_debuginfo_builder_find_var(w->b, name, &known_rank) &&
		    known_rank >= rank)
			goto out;
	}
	if (!name || !*name)
		goto out;
	bool has_type;
	uint64_t type_offset;
	const struct unit *type_unit;
	uint32_t type = 0;
	err = die_ref(w, d, DW_AT_type, &has_type, &type_offset, &type_unit);
	if (!err && !has_type && spec.die)
		err = die_ref(w, &spec, DW_AT_type, &has_type, &type_offset,
			      &type_unit);
	if (!err && has_type)
		err = resolve_offset(w, type_unit, type_offset, &type);
	if (!err)
		err = vmca_debuginfo_builder_set_var(w->b, name, type, rank);
out:
	die_release(&spec);
	return err;
}

/* The walk of a unit. */

// Pass 1 for one top-level DIE: map what is known, mark what is new.
// *keep_ret: e took over d's handle for pass 2.
static struct vmca_error *first_pass(struct walk *w, struct die *d,
				     struct entry *e, bool *keep_ret)
{
	bool needs_fill = false;
	const char *name;
	struct vmca_error *err = NULL;
	switch (d->tag) {
	case DW_TAG_structure_type:
	case DW_TAG_class_type:
	case DW_TAG_union_type:
	case DW_TAG_enumeration_type:
		err = die_name(w, d, &name);
		if (err || !name)
			return err;
		err = named_aggregate(w, d, name, &e->id, &needs_fill);
		break;
	case DW_TAG_typedef:
		err = die_name(w, d, &name);
		if (err || !name)
			return err;
		err = named_typedef(w, d, name, &e->id, &needs_fill);
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
	if (needs_fill) {
		e->die = d->die;
		*keep_ret = true;
	}
	return NULL;
}

// Pass 2 for one pending top-level DIE.
static struct vmca_error *second_pass(struct walk *w, struct entry *e)
{
	struct die d = {
		.die = e->die,
		.offset = e->offset,
		.unit = w->cu,
		.tag = e->tag,
	};
	struct vmca_error *err;
	// Mark it busy so that a reference from inside sees its id without
	// filling it twice.
	e->state = ENTRY_BUSY;
	if (d.tag == DW_TAG_variable)
		err = add_variable(w, &d);
	else
		err = fill(w, &d, e->id);
	// e is still valid: nothing appends to entries in pass 2.
	e->state = ENTRY_DONE;
	e->die = NULL;
	die_release(&d);
	return err;
}

static void release_entries(struct walk *w)
{
	for (size_t i = 0; i < w->entries.len; i++) {
		if (w->entries.data[i].die)
			dwarf_dealloc_die(w->entries.data[i].die);
		w->entries.data[i].die = NULL;
	}
	w->entries.len = 0;
}

// The unit dwarf_next_cu_header_d() is at, whose unit DIE is cu.
static struct vmca_error *walk_unit(struct walk *w, const struct unit *u,
				    struct die *cu)
{
	w->cu = u;
	w->entries.len = 0;
	struct die d;
	bool has;
	struct vmca_error *err = die_child(w, cu, &d, &has);
	while (!err && has) {
		struct entry *e = entry_vector_append_entry(&w->entries);
		if (!e) {
			err = &vmca_enomem;
			break;
		}
		e->offset = d.offset;
		e->tag = d.tag;
		bool keep = false;
		err = first_pass(w, &d, e, &keep);
		if (!err)
			err = die_next(w, &d, keep, &has);
	}
	die_release(&d);
	for (size_t i = 0; i < w->entries.len && !err; i++) {
		if (w->entries.data[i].state == ENTRY_PENDING)
			err = second_pass(w, &w->entries.data[i]);
	}
	release_entries(w);
	if (!err)
		err = fill_deferred(w);
	w->deferred.len = 0;
	if (w->local.count)
		memo_deinit(&w->local);
	return err;
}

// The unit whose header dwarf_next_cu_header_d() just read; *ret_has
// false if it holds no types of its own.
static struct vmca_error *next_unit(Dwarf_Debug dbg, uint64_t offset,
				    bool *has_ret, bool *is_end_ret,
				    struct unit *ret)
{
	Dwarf_Unsigned header_length, type_offset, next;
	Dwarf_Half version, address_size, offset_size, extension_size,
		unit_type;
	Dwarf_Off abbrev_offset;
	Dwarf_Sig8 sig;
	Dwarf_Error derr = NULL;
	*has_ret = false;
	*is_end_ret = false;
	int res = dwarf_next_cu_header_d(
		dbg, true, &header_length, &version, &abbrev_offset,
		&address_size, &offset_size, &extension_size, &sig,
		&type_offset, &next, &unit_type, &derr);
	if (res == DW_DLV_NO_ENTRY) {
		*is_end_ret = true;
		return NULL;
	}
	if (res != DW_DLV_OK)
		return vmca_error_dwarf(dbg, derr, offset);
	if (next <= offset)
		return vmca_error_create(
			VMCA_ERROR_INVALID,
			"corrupt DWARF at .debug_info+%#" PRIx64 ": empty unit",
			offset);
	*ret = (struct unit){
		.offset = offset,
		.end = next,
		.type_offset = type_offset,
		.unit_type = unit_type,
		.address_size = address_size,
		.offset_size = offset_size,
		.version = version,
	};
	memcpy(&ret->signature, sig.signature, sizeof(ret->signature));
	// Skeleton and split units describe .dwo files; their types are not
	// here.
	*has_ret = unit_type == DW_UT_compile || unit_type == DW_UT_partial ||
		   unit_type == DW_UT_type;
	return NULL;
}

/*
 * Walk the units that start in [lo, hi) of .debug_info. The units are
 * stepped through with dwarf_next_cu_header_d() from the start, so that
 * libdwarf's current unit is the one walked: dwarf_offdie_b() then finds
 * a DIE of it at once, where for another unit it searches its list.
 */
static struct vmca_error *walk_units(struct walk *w, uint64_t lo, uint64_t hi)
{
	uint64_t offset = 0;
	while (offset < hi) {
		struct unit u = {0};
		bool has, is_end;
		struct vmca_error *err =
			next_unit(w->dbg, offset, &has, &is_end, &u);
		if (err || is_end)
			return err;
		offset = u.end;
		if (!has || u.offset < lo)
			continue;
		if (w->progress)
			vmca_progress_update(w->progress, u.offset - lo);
		struct die cu = {.unit = &u};
		Dwarf_Error derr = NULL;
		int res = dwarf_siblingof_b(w->dbg, NULL, true, &cu.die, &derr);
		if (res == DW_DLV_ERROR)
			return vmca_error_dwarf(w->dbg, derr, u.offset);
		if (res == DW_DLV_OK)
			err = die_describe(w, &cu, u.offset);
		if (!err && cu.die)
			err = walk_unit(w, &u, &cu);
		die_release(&cu);
		w->cu = NULL;
		if (err)
			return err;
	}
	return NULL;
}

static void walk_deinit(struct walk *w)
{
	release_entries(w);
	entry_vector_deinit(&w->entries);
	memo_deinit(&w->local);
	memo_deinit(&w->foreign);
	memo_deinit(&w->abbrevs);
	deferred_vector_deinit(&w->deferred);
}

static int sig_cmp(const void *a, const void *b)
{
	const struct sig_entry *x = a, *y = b;
	if (x->signature != y->signature)
		return x->signature < y->signature ? -1 : 1;
	return x->unit < y->unit ? -1 : x->unit > y->unit;
}

// The units that hold types, and the type units by signature.
static struct vmca_error *list_units(Dwarf_Debug dbg, struct units *all)
{
	uint64_t offset = 0;
	for (;;) {
		struct unit u = {0};
		bool has, is_end;
		struct vmca_error *err =
			next_unit(dbg, offset, &has, &is_end, &u);
		if (err)
			return err;
		if (is_end)
			break;
		offset = u.end;
		if (has && !unit_vector_append(&all->units, u))
			return &vmca_enomem;
	}
	for (size_t i = 0; i < all->units.len; i++) {
		const struct unit *u = &all->units.data[i];
		struct sig_entry s = {u->signature, u};
		if (u->unit_type == DW_UT_type &&
		    !sig_vector_append(&all->sigs, s))
			return &vmca_enomem;
	}
	if (all->sigs.len)
		qsort(all->sigs.data, all->sigs.len, sizeof(*all->sigs.data),
		      sig_cmp);
	return NULL;
}

/** One thread's share: the units that start in [lo, hi). */
struct half {
	struct walk w;
	uint64_t lo, hi;
	struct vmca_error *err;
	/** The first half's: whose symbols to add after the walk. */
	struct vmca_debuginfo_elf *elf;
	struct vmca_error *symbols_err;
};

static int compare_pc_units(const void *a, const void *b)
{
	const struct vmca_debuginfo_cpcunit *x = a, *y = b;
	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	return x->hi < y->hi ? -1 : x->hi > y->hi;
}

// The PC -> unit table from .debug_aranges, for DWARF read on demand: a
// unit without aranges has no line information here.
static struct vmca_error *pc_units(Dwarf_Debug dbg,
				   struct vmca_debuginfo_builder *b)
{
	Dwarf_Arange *aranges = NULL;
	Dwarf_Signed n = 0;
	Dwarf_Error derr = NULL;
	int rc = dwarf_get_aranges(dbg, &aranges, &n, &derr);
	if (rc == DW_DLV_NO_ENTRY)
		return NULL;
	if (rc != DW_DLV_OK)
		return vmca_error_dwarf(dbg, derr, 0);
	struct vmca_error *err = NULL;
	for (Dwarf_Signed i = 0; i < n; i++) {
		Dwarf_Unsigned segment, segment_size, length;
		Dwarf_Addr start;
		Dwarf_Off die;
		if (!err && dwarf_get_arange_info_b(
				    aranges[i], &segment, &segment_size, &start,
				    &length, &die, &derr) == DW_DLV_OK) {
			struct vmca_debuginfo_cpcunit *u =
				vmca_debuginfo_pcunit_vector_append_entry(
					&b->pc_units);
			if (!u)
				err = &vmca_enomem;
			else if (length && start + length > start)
				*u = (struct vmca_debuginfo_cpcunit){
					start, start + length, die};
			else
				b->pc_units.len--;
		} else if (!err && derr) {
			err = vmca_error_dwarf(dbg, derr, 0);
			derr = NULL;
		}
		dwarf_dealloc(dbg, aranges[i], DW_DLA_ARANGE);
	}
	dwarf_dealloc(dbg, aranges, DW_DLA_LIST);
	if (!err && b->pc_units.len)
		qsort(b->pc_units.data, b->pc_units.len,
		      sizeof(*b->pc_units.data), compare_pc_units);
	return err;
}

static void *first_half(void *arg)
{
	struct half *h = arg;
	h->err = walk_units(&h->w, h->lo, h->hi);
	// The list of units could not be made: the caller says why.
	if (h->err == &no_units)
		h->err = NULL;
	// The symbols, while the second half may still be walked (it has
	// more to step through: the first half's unit headers too).
	else if (!h->err && h->elf) {
		h->symbols_err = vmca_debuginfo_elf_symbols(h->elf, h->w.b);
		vmca_debuginfo_builder_sort_symbols(h->w.b);
	}
	return NULL;
}

static void *second_half(void *arg)
{
	struct half *h = arg;
	struct units *shared = h->w.shared;
	struct vmca_error *err = list_units(h->w.dbg, shared);
	pthread_mutex_lock(&shared->lock);
	shared->err = err;
	shared->is_ready = true;
	pthread_cond_broadcast(&shared->cond);
	pthread_mutex_unlock(&shared->lock);
	if (!err) {
		h->w.all = shared;
		h->err = walk_units(&h->w, h->lo, h->hi);
	}
	return NULL;
}

struct vmca_error *
vmca_debuginfo_index_build(struct vmca_debuginfo_elf *elf,
			   const struct vmca_debuginfo_dwarf_sections *sections,
			   struct vmca_debuginfo_builder *b)
{
	struct units shared = {
		.lock = PTHREAD_MUTEX_INITIALIZER,
		.cond = PTHREAD_COND_INITIALIZER,
	};
	struct vmca_debuginfo_dbg dbgs[2] = {0};
	struct vmca_debuginfo_builder *second = NULL;
	// Both Dwarf_Debugs are opened here, before the thread starts.
	struct vmca_error *err = vmca_debuginfo_dbg_open(sections, &dbgs[0]);
	if (!err)
		err = vmca_debuginfo_dbg_open(sections, &dbgs[1]);
	if (!err)
		err = vmca_debuginfo_builder_create(&second);
	// Split by size: units differ in size by a factor of 1000. A unit
	// is the first half's if it starts before the middle.
	uint64_t middle = sections->info_size / 2;
	struct vmca_progress progress;
	vmca_progress_begin(&progress, "indexing the vmlinux's DWARF (once)",
			    middle);
	struct half halves[2] = {
		{
			.w = {.dbg = dbgs[0].dbg,
			      .progress = &progress,
			      .b = b,
			      .sections = sections,
			      .shared = &shared},
			.lo = 0,
			.hi = middle,
			.elf = elf,
		},
		{
			.w = {.dbg = dbgs[1].dbg,
			      .b = second,
			      .sections = sections,
			      .shared = &shared},
			.lo = middle,
			.hi = UINT64_MAX,
		},
	};
	if (!err) {
		pthread_t thread;
		bool has_thread =
			!pthread_create(&thread, NULL, second_half, &halves[1]);
		// No second thread to be had: the same walks, in turn (the
		// second first: it lists the units the first may wait for).
		if (!has_thread)
			second_half(&halves[1]);
		first_half(&halves[0]);
		if (has_thread)
			pthread_join(thread, NULL);
		// What a single walk through the units in order would have
		// reported first.
		err = halves[0].err ? halves[0].err
		      : shared.err  ? shared.err
				    : halves[1].err;
		if (err != halves[0].err)
			vmca_error_destroy(halves[0].err);
		if (err != shared.err)
			vmca_error_destroy(shared.err);
		if (err != halves[1].err)
			vmca_error_destroy(halves[1].err);
	}
	vmca_progress_end(&progress);
	if (!err)
		err = vmca_debuginfo_builder_merge(b, second);
	if (!err)
		err = pc_units(dbgs[0].dbg, b);
	if (err) {
		err = vmca_error_wrap(err, "%s", vmca_debuginfo_elf_path(elf));
		vmca_error_destroy(halves[0].symbols_err);
	} else {
		// Already naming the file.
		err = halves[0].symbols_err;
	}
	walk_deinit(&halves[0].w);
	walk_deinit(&halves[1].w);
	vmca_debuginfo_builder_destroy(second);
	vmca_debuginfo_dbg_close(&dbgs[1]);
	vmca_debuginfo_dbg_close(&dbgs[0]);
	unit_vector_deinit(&shared.units);
	sig_vector_deinit(&shared.sigs);
	pthread_mutex_destroy(&shared.lock);
	pthread_cond_destroy(&shared.cond);
	return err;
}

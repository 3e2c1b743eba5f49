// SPDX-License-Identifier: MIT
/** @file A bounded reader of .debug_info: unit headers, abbreviations, DIEs. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <dwarf.h>

#include "../analyzer/util/cleanup.h"
#include "internal.h"

/*
 * Why not libdwarf: on the 6.1 vmlinux, libdwarf 20210528 spends ~200 ns
 * per DIE to step to a sibling and ~170 ns per attribute fetched (it
 * allocates a Dwarf_Die and a Dwarf_Attribute each time). The index needs
 * the tag and name of 3.6 M top-level DIEs, which alone came to 1.7 s on
 * one core. This reader decodes a DIE in a few tens of ns, and only what
 * the index asks for. It trusts nothing: every read is checked against
 * its unit's end, every offset against its section.
 */

struct vmca_debuginfo_attrspec {
	uint16_t at;
	uint16_t form;
	int64_t implicit_const;
};

struct vmca_debuginfo_abbrev {
	uint32_t tag;
	uint32_t first_spec;
	uint32_t nr_specs;
	bool has_children;
	bool is_valid;
};

struct vmca_debuginfo_abbrevs {
	/** Indexed by code when the codes are dense (GCC: 1..n). */
	struct vmca_debuginfo_abbrev *dense;
	uint64_t nr_dense;
	/** Otherwise sorted by code. */
	struct vmca_debuginfo_abbrev *sparse;
	uint64_t *sparse_codes;
	uint64_t nr_sparse;
	struct vmca_debuginfo_attrspec *specs;
};

struct cursor {
	const uint8_t *p;
	const uint8_t *end;
	bool is_big_endian;
};

static inline bool read_u8(struct cursor *c, uint8_t *ret)
{
	if (c->p >= c->end)
		return false;
	*ret = *c->p++;
	return true;
}

static inline bool read_uint(struct cursor *c, unsigned size, uint64_t *ret)
{
	if ((size_t)(c->end - c->p) < size)
		return false;
	uint64_t v = 0;
	if (c->is_big_endian) {
		for (unsigned i = 0; i < size; i++)
			v = v << 8 | c->p[i];
	} else {
		for (unsigned i = size; i-- > 0;)
			v = v << 8 | c->p[i];
	}
	c->p += size;
	*ret = v;
	return true;
}

static inline bool read_uleb(struct cursor *c, uint64_t *ret)
{
	uint64_t v = 0;
	for (unsigned shift = 0; c->p < c->end; shift += 7) {
		uint8_t byte = *c->p++;
		if (shift < 64)
			v |= (uint64_t)(byte & 0x7f) << shift;
		if (!(byte & 0x80)) {
			*ret = v;
			return true;
		}
	}
	return false;
}

static inline bool read_sleb(struct cursor *c, int64_t *ret)
{
	uint64_t v = 0;
	unsigned shift = 0;
	while (c->p < c->end) {
		uint8_t byte = *c->p++;
		if (shift < 64)
			v |= (uint64_t)(byte & 0x7f) << shift;
		shift += 7;
		if (!(byte & 0x80)) {
			if (shift < 64 && (byte & 0x40))
				v |= ~0ull << shift;
			*ret = (int64_t)v;
			return true;
		}
	}
	return false;
}

static inline bool skip(struct cursor *c, uint64_t size)
{
	if ((uint64_t)(c->end - c->p) < size)
		return false;
	c->p += size;
	return true;
}

static struct vmca_error *corrupt(const char *what, uint64_t offset)
{
	return vmca_error_create(VMCA_ERROR_INVALID,
				 "corrupt DWARF: %s at .debug_info+%#" PRIx64,
				 what, offset);
}

static struct vmca_error *parse_units(struct vmca_debuginfo_dwarf *dw)
{
	const struct vmca_debuginfo_dwarf_sections *s = &dw->sections;
	uint64_t offset = 0;
	while (offset < s->info_size) {
		struct cursor c = {
			.p = s->info + offset,
			.end = s->info + s->info_size,
			.is_big_endian = s->is_big_endian,
		};
		uint64_t length;
		uint8_t offset_size = 4;
		if (!read_uint(&c, 4, &length))
			return corrupt("truncated unit header", offset);
		if (length == 0xffffffff) {
			offset_size = 8;
			if (!read_uint(&c, 8, &length))
				return corrupt("truncated unit header", offset);
		} else if (length >= 0xfffffff0) {
			return corrupt("reserved unit length", offset);
		}
		if (length > (uint64_t)(c.end - c.p))
			return corrupt("unit extends past the section", offset);
		c.end = c.p + length;
		struct vmca_debuginfo_unit unit = {
			.offset = offset,
			.end = (uint64_t)(c.end - s->info),
			.offset_size = offset_size,
			.unit_type = DW_UT_compile,
		};
		uint64_t v;
		if (!read_uint(&c, 2, &v))
			return corrupt("truncated unit header", offset);
		unit.version = v;
		if (unit.version < 2 || unit.version > 5)
			return vmca_error_create(VMCA_ERROR_INVALID,
						 "unsupported DWARF version %u "
						 "at .debug_info+%#" PRIx64,
						 unit.version, offset);
		bool ok = true;
		if (unit.version >= 5) {
			ok = read_u8(&c, &unit.unit_type) &&
			     read_u8(&c, &unit.address_size) &&
			     read_uint(&c, offset_size, &unit.abbrev_offset);
			if (unit.unit_type == DW_UT_type ||
			    unit.unit_type == DW_UT_split_type) {
				ok = ok &&
				     read_uint(&c, 8, &unit.type_signature) &&
				     read_uint(&c, offset_size,
					       &unit.type_offset);
			} else if (unit.unit_type == DW_UT_skeleton ||
				   unit.unit_type == DW_UT_split_compile) {
				ok = ok && skip(&c, 8);
			}
		} else {
			ok = read_uint(&c, offset_size, &unit.abbrev_offset) &&
			     read_u8(&c, &unit.address_size);
		}
		if (!ok)
			return corrupt("truncated unit header", offset);
		if (unit.address_size != 2 && unit.address_size != 4 &&
		    unit.address_size != 8)
			return corrupt("bad address size", offset);
		unit.die_offset = (uint64_t)(c.p - s->info);
		// Skeleton and split units describe .dwo files; their types are
		// not here.
		bool is_local = unit.unit_type == DW_UT_compile ||
				unit.unit_type == DW_UT_partial ||
				unit.unit_type == DW_UT_type;
		if (is_local &&
		    !vmca_debuginfo_unit_vector_append(&dw->units, unit))
			return &vmca_enomem;
		offset = unit.end;
	}
	return NULL;
}

struct vmca_error *
vmca_debuginfo_dwarf_init(struct vmca_debuginfo_dwarf *dw,
			  const struct vmca_debuginfo_dwarf_sections *sections)
{
	memset(dw, 0, sizeof(*dw));
	dw->sections = *sections;
	const struct vmca_debuginfo_dwarf_sections *s = &dw->sections;
	dw->is_str_terminated = s->str_size && !s->str[s->str_size - 1];
	dw->is_line_str_terminated =
		s->line_str_size && !s->line_str[s->line_str_size - 1];
	struct vmca_error *err = parse_units(dw);
	if (err)
		vmca_debuginfo_dwarf_deinit(dw);
	return err;
}

void vmca_debuginfo_dwarf_deinit(struct vmca_debuginfo_dwarf *dw)
{
	for (size_t i = 0; i < dw->units.len; i++)
		vmca_debuginfo_dwarf_unload_unit(&dw->units.data[i]);
	vmca_debuginfo_unit_vector_deinit(&dw->units);
}

struct vmca_debuginfo_unit *
vmca_debuginfo_dwarf_find_unit(struct vmca_debuginfo_dwarf *dw, uint64_t offset)
{
	size_t lo = 0, hi = dw->units.len;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		struct vmca_debuginfo_unit *u = &dw->units.data[mid];
		if (offset < u->offset)
			hi = mid;
		else if (offset >= u->end)
			lo = mid + 1;
		else
			return u;
	}
	return NULL;
}

DEFINE_VECTOR(abbrev_vector, struct vmca_debuginfo_abbrev)
DEFINE_VECTOR(code_vector, uint64_t)
DEFINE_VECTOR(spec_vector, struct vmca_debuginfo_attrspec)

static void abbrevs_destroy(struct vmca_debuginfo_abbrevs *a)
{
	if (!a)
		return;
	free(a->dense);
	free(a->sparse);
	free(a->sparse_codes);
	free(a->specs);
	free(a);
}

struct code_index {
	uint64_t code;
	uint32_t index;
};

static int code_index_cmp(const void *a, const void *b)
{
	const struct code_index *x = a, *y = b;
	if (x->code != y->code)
		return x->code < y->code ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

static struct vmca_error *parse_abbrevs(const struct vmca_debuginfo_dwarf *dw,
					const struct vmca_debuginfo_unit *u,
					struct vmca_debuginfo_abbrevs **ret)
{
	const struct vmca_debuginfo_dwarf_sections *s = &dw->sections;
	if (u->abbrev_offset >= s->abbrev_size)
		return corrupt("abbreviation offset out of range", u->offset);
	struct cursor c = {
		.p = s->abbrev + u->abbrev_offset,
		.end = s->abbrev + s->abbrev_size,
	};
	struct abbrev_vector abbrevs = {0};
	struct code_vector codes = {0};
	struct spec_vector specs = {0};
	struct vmca_debuginfo_abbrevs *a = NULL;
	struct vmca_error *err = NULL;
	uint64_t max_code = 0;
	for (;;) {
		uint64_t code, tag;
		uint8_t children;
		if (!read_uleb(&c, &code))
			goto truncated;
		if (!code)
			break;
		if (!read_uleb(&c, &tag) || !read_u8(&c, &children))
			goto truncated;
		struct vmca_debuginfo_abbrev ab = {
			.tag = tag > UINT32_MAX ? 0 : tag,
			.first_spec = specs.len,
			.has_children = children == DW_CHILDREN_yes,
			.is_valid = true,
		};
		for (;;) {
			uint64_t at, form;
			if (!read_uleb(&c, &at) || !read_uleb(&c, &form))
				goto truncated;
			if (!at && !form)
				break;
			struct vmca_debuginfo_attrspec spec = {
				// Attributes beyond 16 bits are no standard
				// ones: decoded (to skip them), never used.
				.at = at > UINT16_MAX ? 0 : at,
				.form = form > UINT16_MAX ? 0 : form,
			};
			if (form == DW_FORM_implicit_const &&
			    !read_sleb(&c, &spec.implicit_const))
				goto truncated;
			if (specs.len >= UINT32_MAX ||
			    !spec_vector_append(&specs, spec))
				goto nomem;
		}
		ab.nr_specs = specs.len - ab.first_spec;
		if (!abbrev_vector_append(&abbrevs, ab) ||
		    !code_vector_append(&codes, code))
			goto nomem;
		if (code > max_code)
			max_code = code;
	}

	a = calloc(1, sizeof(*a));
	if (!a)
		goto nomem;
	a->specs = specs.data;
	specs.data = NULL;
	if (max_code <= abbrevs.len * 4 + 64) {
		a->nr_dense = max_code + 1;
		a->dense = calloc(a->nr_dense, sizeof(*a->dense));
		if (!a->dense)
			goto nomem;
		// The first of duplicate codes wins, as in the sparse table.
		for (size_t i = abbrevs.len; i-- > 0;)
			a->dense[codes.data[i]] = abbrevs.data[i];
	} else {
		_cleanup_free_ struct code_index *order =
			calloc(abbrevs.len, sizeof(*order));
		a->sparse = calloc(abbrevs.len, sizeof(*a->sparse));
		a->sparse_codes = calloc(abbrevs.len, sizeof(*a->sparse_codes));
		if (!order || !a->sparse || !a->sparse_codes)
			goto nomem;
		for (size_t i = 0; i < abbrevs.len; i++)
			order[i] = (struct code_index){codes.data[i], i};
		qsort(order, abbrevs.len, sizeof(*order), code_index_cmp);
		for (size_t i = 0; i < abbrevs.len; i++) {
			if (a->nr_sparse &&
			    a->sparse_codes[a->nr_sparse - 1] == order[i].code)
				continue;
			a->sparse[a->nr_sparse] = abbrevs.data[order[i].index];
			a->sparse_codes[a->nr_sparse++] = order[i].code;
		}
	}
	abbrev_vector_deinit(&abbrevs);
	code_vector_deinit(&codes);
	*ret = a;
	return NULL;

truncated:
	err = corrupt("truncated abbreviation table", u->offset);
	goto out;
nomem:
	err = &vmca_enomem;
out:
	abbrevs_destroy(a);
	abbrev_vector_deinit(&abbrevs);
	code_vector_deinit(&codes);
	spec_vector_deinit(&specs);
	return err;
}

static inline const struct vmca_debuginfo_abbrev *
find_abbrev(const struct vmca_debuginfo_abbrevs *a, uint64_t code)
{
	if (a->dense) {
		if (code < a->nr_dense && a->dense[code].is_valid)
			return &a->dense[code];
		return NULL;
	}
	uint64_t lo = 0, hi = a->nr_sparse;
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		if (a->sparse_codes[mid] < code)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < a->nr_sparse && a->sparse_codes[lo] == code)
		return &a->sparse[lo];
	return NULL;
}

struct vmca_error *
vmca_debuginfo_dwarf_load_unit(struct vmca_debuginfo_dwarf *dw,
			       struct vmca_debuginfo_unit *u)
{
	if (u->abbrevs)
		return NULL;
	struct vmca_error *err = parse_abbrevs(dw, u, &u->abbrevs);
	if (err)
		return err;
	// DW_FORM_strx* of every other DIE needs the unit DIE's base.
	struct vmca_debuginfo_die d;
	err = vmca_debuginfo_die_read(dw, u, u->die_offset, &d);
	if (err) {
		vmca_debuginfo_dwarf_unload_unit(u);
		return err;
	}
	if (d.flags & VMCA_DEBUGINFO_DIE_HAS_STR_OFFSETS_BASE)
		u->str_offsets_base = d.str_offsets_base;
	return NULL;
}

void vmca_debuginfo_dwarf_unload_unit(struct vmca_debuginfo_unit *u)
{
	abbrevs_destroy(u->abbrevs);
	u->abbrevs = NULL;
}

// A string in a string section, or NULL if offset is out of range or the
// string runs off the end.
static const char *section_string(const uint8_t *data, uint64_t size,
				  bool is_terminated, uint64_t offset)
{
	if (offset >= size)
		return NULL;
	if (!is_terminated && !memchr(data + offset, 0, size - offset))
		return NULL;
	return (const char *)data + offset;
}

static const char *strx_string(const struct vmca_debuginfo_dwarf *dw,
			       const struct vmca_debuginfo_unit *u,
			       uint64_t index)
{
	const struct vmca_debuginfo_dwarf_sections *s = &dw->sections;
	uint64_t size = u->offset_size;
	if (index > (UINT64_MAX - u->str_offsets_base) / size)
		return NULL;
	uint64_t pos = u->str_offsets_base + index * size;
	if (pos > s->str_offsets_size || s->str_offsets_size - pos < size)
		return NULL;
	struct cursor c = {
		.p = s->str_offsets + pos,
		.end = s->str_offsets + s->str_offsets_size,
		.is_big_endian = s->is_big_endian,
	};
	uint64_t offset;
	if (!read_uint(&c, size, &offset))
		return NULL;
	return section_string(s->str, s->str_size, dw->is_str_terminated,
			      offset);
}

enum form_class {
	FORM_CONSTANT, // value.kind says which kind
	FORM_FLAG,
	FORM_STRING,
	FORM_REF,
	FORM_SIG8,
	FORM_BLOCK,
	FORM_SEC_OFFSET,
	FORM_OTHER,
};

struct form_value {
	enum form_class cls;
	struct vmca_debuginfo_value value;
	const char *string;
	// A string form that did not resolve: corrupt unless it was strx.
	bool is_bad_string;
};

static struct vmca_error *read_form(const struct vmca_debuginfo_dwarf *dw,
				    const struct vmca_debuginfo_unit *u,
				    struct cursor *c, uint64_t form,
				    int64_t implicit_const, bool want_string,
				    uint64_t die_offset, struct form_value *fv)
{
	const struct vmca_debuginfo_dwarf_sections *s = &dw->sections;
	struct vmca_debuginfo_value *v = &fv->value;
	uint64_t u64 = 0;
	bool ok = true;
	fv->cls = FORM_OTHER;
	fv->string = NULL;
	fv->is_bad_string = false;
	v->kind = VMCA_DEBUGINFO_VALUE_OTHER;
	for (int indirections = 0;; indirections++) {
		if (form != DW_FORM_indirect)
			break;
		if (indirections || !read_uleb(c, &form))
			return corrupt("bad DW_FORM_indirect", die_offset);
	}
	switch (form) {
	case DW_FORM_addr:
		ok = skip(c, u->address_size);
		break;
	case DW_FORM_data1:
	case DW_FORM_data2:
	case DW_FORM_data4:
	case DW_FORM_data8: {
		unsigned size = form == DW_FORM_data1	? 1
				: form == DW_FORM_data2 ? 2
				: form == DW_FORM_data4 ? 4
							: 8;
		ok = read_uint(c, size, &v->u);
		fv->cls = FORM_CONSTANT;
		v->kind = VMCA_DEBUGINFO_VALUE_DATA;
		v->data_size = size;
		break;
	}
	case DW_FORM_data16:
		ok = skip(c, 16);
		break;
	case DW_FORM_sdata: {
		int64_t sv = 0;
		ok = read_sleb(c, &sv);
		v->u = (uint64_t)sv;
		fv->cls = FORM_CONSTANT;
		v->kind = VMCA_DEBUGINFO_VALUE_SIGNED;
		break;
	}
	case DW_FORM_udata:
		ok = read_uleb(c, &v->u);
		fv->cls = FORM_CONSTANT;
		v->kind = VMCA_DEBUGINFO_VALUE_UNSIGNED;
		break;
	case DW_FORM_implicit_const:
		v->u = (uint64_t)implicit_const;
		fv->cls = FORM_CONSTANT;
		v->kind = VMCA_DEBUGINFO_VALUE_SIGNED;
		break;
	case DW_FORM_flag:
		ok = read_uint(c, 1, &v->u);
		fv->cls = FORM_FLAG;
		break;
	case DW_FORM_flag_present:
		v->u = 1;
		fv->cls = FORM_FLAG;
		break;
	case DW_FORM_string: {
		const uint8_t *nul = memchr(c->p, 0, c->end - c->p);
		if (!nul)
			return corrupt("unterminated string", die_offset);
		fv->string = (const char *)c->p;
		fv->cls = FORM_STRING;
		c->p = nul + 1;
		break;
	}
	case DW_FORM_strp:
	case DW_FORM_line_strp:
		ok = read_uint(c, u->offset_size, &u64);
		fv->cls = FORM_STRING;
		if (ok && want_string) {
			fv->string =
				form == DW_FORM_strp
					? section_string(s->str, s->str_size,
							 dw->is_str_terminated,
							 u64)
					: section_string(
						  s->line_str, s->line_str_size,
						  dw->is_line_str_terminated,
						  u64);
			fv->is_bad_string = !fv->string;
		}
		break;
	case DW_FORM_strx:
	case DW_FORM_GNU_str_index:
	case DW_FORM_strx1:
	case DW_FORM_strx2:
	case DW_FORM_strx3:
	case DW_FORM_strx4:
		if (form == DW_FORM_strx || form == DW_FORM_GNU_str_index)
			ok = read_uleb(c, &u64);
		else
			ok = read_uint(c, form - DW_FORM_strx1 + 1, &u64);
		fv->cls = FORM_STRING;
		if (ok && want_string)
			fv->string = strx_string(dw, u, u64);
		break;
	case DW_FORM_strp_sup:
	case DW_FORM_GNU_strp_alt:
		// A string in a supplementary file we do not have.
		ok = skip(c, u->offset_size);
		break;
	case DW_FORM_ref1:
	case DW_FORM_ref2:
	case DW_FORM_ref4:
	case DW_FORM_ref8:
		ok = read_uint(c,
			       form == DW_FORM_ref1   ? 1
			       : form == DW_FORM_ref2 ? 2
			       : form == DW_FORM_ref4 ? 4
						      : 8,
			       &u64);
		goto unit_ref;
	case DW_FORM_ref_udata:
		ok = read_uleb(c, &u64);
unit_ref:
		if (ok && u64 >= u->end - u->offset)
			return corrupt("reference outside its unit",
				       die_offset);
		v->u = u->offset + u64;
		fv->cls = FORM_REF;
		break;
	case DW_FORM_ref_addr:
		ok = read_uint(
			c, u->version == 2 ? u->address_size : u->offset_size,
			&v->u);
		if (ok && v->u >= s->info_size)
			return corrupt("reference out of range", die_offset);
		fv->cls = FORM_REF;
		break;
	case DW_FORM_ref_sig8:
		ok = read_uint(c, 8, &v->u);
		fv->cls = FORM_SIG8;
		break;
	case DW_FORM_ref_sup4:
		ok = skip(c, 4);
		break;
	case DW_FORM_ref_sup8:
		ok = skip(c, 8);
		break;
	case DW_FORM_GNU_ref_alt:
		ok = skip(c, u->offset_size);
		break;
	case DW_FORM_sec_offset:
		ok = read_uint(c, u->offset_size, &v->u);
		fv->cls = FORM_SEC_OFFSET;
		break;
	case DW_FORM_block1:
	case DW_FORM_block2:
	case DW_FORM_block4:
	case DW_FORM_block:
	case DW_FORM_exprloc:
		if (form == DW_FORM_block1)
			ok = read_uint(c, 1, &u64);
		else if (form == DW_FORM_block2)
			ok = read_uint(c, 2, &u64);
		else if (form == DW_FORM_block4)
			ok = read_uint(c, 4, &u64);
		else
			ok = read_uleb(c, &u64);
		v->block = c->p;
		v->block_size = u64;
		ok = ok && skip(c, u64);
		fv->cls = FORM_BLOCK;
		v->kind = VMCA_DEBUGINFO_VALUE_BLOCK;
		break;
	case DW_FORM_addrx:
	case DW_FORM_GNU_addr_index:
	case DW_FORM_loclistx:
	case DW_FORM_rnglistx:
		ok = read_uleb(c, &u64);
		break;
	case DW_FORM_addrx1:
	case DW_FORM_addrx2:
	case DW_FORM_addrx3:
	case DW_FORM_addrx4:
		ok = skip(c, form - DW_FORM_addrx1 + 1);
		break;
	default:
		return corrupt("unknown attribute form", die_offset);
	}
	if (!ok)
		return corrupt("attribute runs past its unit", die_offset);
	return NULL;
}

static inline void set_constant(struct vmca_debuginfo_value *dst,
				const struct form_value *fv)
{
	if (fv->cls == FORM_CONSTANT || fv->cls == FORM_BLOCK)
		*dst = fv->value;
	else
		dst->kind = VMCA_DEBUGINFO_VALUE_OTHER;
}

// An attribute that must be an unsigned constant: sets flag if it is.
static inline void set_unsigned(struct vmca_debuginfo_die *d, uint64_t *dst,
				uint32_t flag, const struct form_value *fv)
{
	if (fv->cls != FORM_CONSTANT)
		return;
	if (fv->value.kind == VMCA_DEBUGINFO_VALUE_SIGNED &&
	    (int64_t)fv->value.u < 0)
		return;
	*dst = fv->value.u;
	d->flags |= flag;
}

struct vmca_error *
vmca_debuginfo_die_read(const struct vmca_debuginfo_dwarf *dw,
			const struct vmca_debuginfo_unit *u, uint64_t offset,
			struct vmca_debuginfo_die *ret)
{
	const struct vmca_debuginfo_dwarf_sections *s = &dw->sections;
	if (offset < u->die_offset || offset >= u->end)
		return corrupt("DIE offset outside its unit", offset);
	struct cursor c = {
		.p = s->info + offset,
		.end = s->info + u->end,
		.is_big_endian = s->is_big_endian,
	};
	struct vmca_debuginfo_die *d = ret;
	d->offset = offset;
	d->tag = 0;
	d->has_children = false;
	d->flags = 0;
	d->name = NULL;
	d->decl_line = 0;
	d->member_location.kind = VMCA_DEBUGINFO_VALUE_NONE;
	d->const_value.kind = VMCA_DEBUGINFO_VALUE_NONE;
	d->count.kind = VMCA_DEBUGINFO_VALUE_NONE;
	d->upper_bound.kind = VMCA_DEBUGINFO_VALUE_NONE;
	d->lower_bound.kind = VMCA_DEBUGINFO_VALUE_NONE;

	uint64_t code;
	if (!read_uleb(&c, &code))
		return corrupt("truncated DIE", offset);
	if (!code) {
		d->end = (uint64_t)(c.p - s->info);
		return NULL;
	}
	const struct vmca_debuginfo_abbrev *ab = find_abbrev(u->abbrevs, code);
	if (!ab)
		return corrupt("unknown abbreviation code", offset);
	d->tag = ab->tag;
	d->has_children = ab->has_children;
	// No specs at all: the table's spec array is NULL.
	const struct vmca_debuginfo_attrspec *spec =
		ab->nr_specs ? &u->abbrevs->specs[ab->first_spec] : NULL;
	for (uint32_t i = 0; i < ab->nr_specs; i++, spec++) {
		struct form_value fv;
		struct vmca_error *err =
			read_form(dw, u, &c, spec->form, spec->implicit_const,
				  spec->at == DW_AT_name, offset, &fv);
		if (err)
			return err;
		switch (spec->at) {
		case DW_AT_name:
			if (fv.is_bad_string)
				return corrupt("string offset out of range",
					       offset);
			d->name = fv.string;
			break;
		case DW_AT_type:
			if (fv.cls == FORM_REF) {
				d->type = fv.value.u;
				d->flags |= VMCA_DEBUGINFO_DIE_HAS_TYPE;
			} else if (fv.cls == FORM_SIG8) {
				d->type = fv.value.u;
				d->flags |= VMCA_DEBUGINFO_DIE_HAS_TYPE |
					    VMCA_DEBUGINFO_DIE_TYPE_SIG8;
			}
			break;
		case DW_AT_specification:
			if (fv.cls == FORM_REF) {
				d->specification = fv.value.u;
				d->flags |=
					VMCA_DEBUGINFO_DIE_HAS_SPECIFICATION;
			}
			break;
		case DW_AT_sibling:
			if (fv.cls == FORM_REF) {
				d->sibling = fv.value.u;
				d->flags |= VMCA_DEBUGINFO_DIE_HAS_SIBLING;
			}
			break;
		case DW_AT_declaration:
			if (fv.cls == FORM_FLAG && fv.value.u)
				d->flags |= VMCA_DEBUGINFO_DIE_DECLARATION;
			break;
		case DW_AT_external:
			if (fv.cls == FORM_FLAG && fv.value.u)
				d->flags |= VMCA_DEBUGINFO_DIE_EXTERNAL;
			break;
		case DW_AT_prototyped:
			if (fv.cls == FORM_FLAG && fv.value.u)
				d->flags |= VMCA_DEBUGINFO_DIE_PROTOTYPED;
			break;
		case DW_AT_location:
			// An empty expression: the object does not exist.
			if (fv.cls != FORM_BLOCK || fv.value.block_size)
				d->flags |= VMCA_DEBUGINFO_DIE_HAS_LOCATION;
			break;
		case DW_AT_byte_size:
			set_unsigned(d, &d->byte_size,
				     VMCA_DEBUGINFO_DIE_HAS_BYTE_SIZE, &fv);
			break;
		case DW_AT_bit_size:
			set_unsigned(d, &d->bit_size,
				     VMCA_DEBUGINFO_DIE_HAS_BIT_SIZE, &fv);
			break;
		case DW_AT_data_bit_offset:
			set_unsigned(d, &d->data_bit_offset,
				     VMCA_DEBUGINFO_DIE_HAS_DATA_BIT_OFFSET,
				     &fv);
			break;
		case DW_AT_bit_offset:
			set_unsigned(d, &d->bit_offset,
				     VMCA_DEBUGINFO_DIE_HAS_BIT_OFFSET, &fv);
			break;
		case DW_AT_encoding:
			set_unsigned(d, &d->encoding,
				     VMCA_DEBUGINFO_DIE_HAS_ENCODING, &fv);
			break;
		case DW_AT_decl_line:
			if (fv.cls == FORM_CONSTANT)
				d->decl_line = fv.value.u;
			break;
		case DW_AT_str_offsets_base:
			if (fv.cls == FORM_SEC_OFFSET) {
				d->str_offsets_base = fv.value.u;
				d->flags |=
					VMCA_DEBUGINFO_DIE_HAS_STR_OFFSETS_BASE;
			}
			break;
		case DW_AT_data_member_location:
			set_constant(&d->member_location, &fv);
			break;
		case DW_AT_const_value:
			set_constant(&d->const_value, &fv);
			d->flags |= VMCA_DEBUGINFO_DIE_HAS_CONST_VALUE;
			break;
		case DW_AT_count:
			set_constant(&d->count, &fv);
			break;
		case DW_AT_upper_bound:
			set_constant(&d->upper_bound, &fv);
			break;
		case DW_AT_lower_bound:
			set_constant(&d->lower_bound, &fv);
			break;
		default:
			break;
		}
	}
	d->end = (uint64_t)(c.p - s->info);
	return NULL;
}

struct vmca_error *
vmca_debuginfo_die_next(const struct vmca_debuginfo_dwarf *dw,
			const struct vmca_debuginfo_unit *u,
			const struct vmca_debuginfo_die *d, uint64_t *ret)
{
	if (!d->has_children) {
		*ret = d->end;
		return NULL;
	}
	if (d->flags & VMCA_DEBUGINFO_DIE_HAS_SIBLING) {
		// Only forward, so that walks always end.
		if (d->sibling < d->end || d->sibling > u->end)
			return corrupt("bad DW_AT_sibling", d->offset);
		*ret = d->sibling;
		return NULL;
	}
	// No sibling pointer: skip the subtree DIE by DIE. Offsets only grow,
	// so this ends at the unit's end at the latest.
	uint64_t offset = d->end;
	uint64_t depth = 1;
	while (depth) {
		// Some producers end a unit without the closing null entries.
		if (offset >= u->end) {
			*ret = u->end;
			return NULL;
		}
		struct vmca_debuginfo_die child;
		struct vmca_error *err =
			vmca_debuginfo_die_read(dw, u, offset, &child);
		if (err)
			return err;
		if (!child.tag) {
			depth--;
			offset = child.end;
		} else if (!child.has_children) {
			offset = child.end;
		} else if (child.flags & VMCA_DEBUGINFO_DIE_HAS_SIBLING) {
			if (child.sibling < child.end || child.sibling > u->end)
				return corrupt("bad DW_AT_sibling",
					       child.offset);
			offset = child.sibling;
		} else {
			depth++;
			offset = child.end;
		}
	}
	*ret = offset;
	return NULL;
}

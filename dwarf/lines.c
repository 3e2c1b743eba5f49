// SPDX-License-Identifier: MIT
/** @file DWARF read on demand: the functions and file:line at an address. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dwarf.h>

#include "../analyzer/util/cleanup.h"
#include "dbg.h"
#include "internal.h"
#include "lines.h"

// Scopes nested deeper than this, or units with more DIEs on the way to a
// PC, only come from a damaged file.
#define MAX_SCOPE_DEPTH 256
#define MAX_VISITS	(1u << 22)

/** A line table row's range: [lo, hi) is at file:line. */
struct line_range {
	uint64_t lo, hi;
	uint32_t line, column;
	uint32_t file;
};

/** A subprogram's code, low/high pc (ranges ones: lo = hi = 0). */
struct subprogram_range {
	uint64_t lo, hi;
	Dwarf_Off offset;
};

/*
 * One compilation unit, seen alone: libdwarf over the ELF's DWARF with
 * .debug_info cut to that unit. Looking up a DIE of the whole section
 * makes libdwarf 20210528 set up every unit before it (their headers,
 * unit DIEs, abbreviations: 25-65 MB touched for one lookup in 6.1's
 * vmlinux); a unit alone is read alone. Its line table and the ranges of
 * its subprograms are read once and kept. References across units
 * (DW_FORM_ref_addr) do not resolve in it: GCC emits none for a kernel
 * built without LTO.
 */
struct unit_slot {
	/** Offset of the unit's header in .debug_info; 0: slot unused. */
	uint64_t start;
	/** With the location lists (for variables), or without. */
	bool with_locations;
	bool is_used;
	uint64_t last_used;
	struct vmca_debuginfo_dwarf_sections sections;
	struct vmca_debuginfo_dbg dbg;
	bool has_lines;
	struct line_range *lines;
	size_t nr_lines;
	/** File names by the line table's file number (owned). */
	char **files;
	size_t nr_files;
	bool has_subprograms;
	struct subprogram_range *subprograms;
	size_t nr_subprograms;
};

#define NR_UNIT_SLOTS 8

/** libdwarf over the whole ELF file, opened on the first question. */
struct vmca_debuginfo_ondemand {
	struct vmca_debuginfo_elf *elf;
	struct vmca_debuginfo_dwarf_sections sections;
	bool has_sections;
	struct vmca_debuginfo_dbg dbg;
	bool is_open;
	struct unit_slot units[NR_UNIT_SLOTS];
	uint64_t clock;
	/** .debug_frame's CIEs and FDEs, read on the first CFI question. */
	bool has_fdes;
	Dwarf_Cie *cies;
	Dwarf_Fde *fdes;
	Dwarf_Signed nr_cies, nr_fdes;
	struct vmca_error *fdes_error;
	/** Why it cannot be opened (kept: the next call fails the same). */
	struct vmca_error *error;
};

static void unit_slot_clear(struct unit_slot *u)
{
	if (u->is_used)
		vmca_debuginfo_dbg_close(&u->dbg);
	for (size_t i = 0; i < u->nr_files; i++)
		free(u->files[i]);
	free(u->files);
	free(u->lines);
	free(u->subprograms);
	memset(u, 0, sizeof(*u));
}

void vmca_debuginfo_ondemand_destroy(struct vmca_debuginfo_ondemand *o)
{
	if (!o)
		return;
	for (size_t i = 0; i < NR_UNIT_SLOTS; i++)
		unit_slot_clear(&o->units[i]);
	if (o->is_open) {
		if (o->fdes)
			dwarf_fde_cie_list_dealloc(o->dbg.dbg, o->cies,
						   o->nr_cies, o->fdes,
						   o->nr_fdes);
		vmca_debuginfo_dbg_close(&o->dbg);
	}
	vmca_error_destroy(o->fdes_error);
	vmca_debuginfo_elf_close(o->elf);
	vmca_error_destroy(o->error);
	free(o);
}

static struct vmca_error *copy_error(const struct vmca_error *e)
{
	struct vmca_error *c = vmca_error_create(e->code, "%s", e->message);
	if (c != &vmca_enomem) {
		c->has_address = e->has_address;
		c->address = e->address;
	}
	return c;
}

// The ELF file, mapped on the first question (its sections for the ORC
// unwinder, its DWARF for lines and scopes).
static struct vmca_error *open_elf(struct vmca_debuginfo *di,
				   struct vmca_debuginfo_ondemand **ret)
{
	if (!di->ondemand) {
		struct vmca_debuginfo_ondemand *o = calloc(1, sizeof(*o));
		if (!o)
			return &vmca_enomem;
		di->ondemand = o;
		struct vmca_error *err =
			di->path
				? vmca_debuginfo_elf_open(di->path, &o->elf)
				: vmca_error_create(VMCA_ERROR_NOT_FOUND,
						    "no ELF file to read DWARF "
						    "from");
		if (!err)
			err = vmca_debuginfo_elf_set_loads(o->elf, di->loads,
							   di->nr_loads);
		if (err) {
			o->error = err;
			vmca_debuginfo_elf_close(o->elf);
			o->elf = NULL;
		}
	}
	if (!di->ondemand->elf)
		return copy_error(di->ondemand->error);
	*ret = di->ondemand;
	return NULL;
}

static struct vmca_error *open_dwarf(struct vmca_debuginfo *di,
				     Dwarf_Debug *ret)
{
	struct vmca_debuginfo_ondemand *o;
	struct vmca_error *err = open_elf(di, &o);
	if (err)
		return err;
	if (!o->is_open && !o->error) {
		err = NULL;
		if (!o->has_sections) {
			err = vmca_debuginfo_elf_dwarf(o->elf, true,
						       &o->sections);
			o->has_sections = !err;
		}
		if (!err)
			err = vmca_debuginfo_dbg_open(&o->sections, &o->dbg);
		if (err)
			o->error = err;
		else
			o->is_open = true;
	}
	if (o->error)
		return copy_error(o->error);
	*ret = o->dbg.dbg;
	return NULL;
}

struct vmca_error *vmca_debuginfo_ondemand_fdes(struct vmca_debuginfo *di,
						Dwarf_Debug *dbg_ret,
						Dwarf_Fde **fdes_ret)
{
	Dwarf_Debug dbg;
	struct vmca_error *err = open_dwarf(di, &dbg);
	if (err)
		return err;
	struct vmca_debuginfo_ondemand *o = di->ondemand;
	if (!o->has_fdes) {
		o->has_fdes = true;
		// x86_64's and aarch64's ABIs: a register no rule names is
		// the caller's (callee-saved ones are what matter here).
		dwarf_set_frame_rule_initial_value(dbg, DW_FRAME_SAME_VAL);
		Dwarf_Error e = NULL;
		int rc = dwarf_get_fde_list(dbg, &o->cies, &o->nr_cies,
					    &o->fdes, &o->nr_fdes, &e);
		if (rc == DW_DLV_NO_ENTRY)
			o->fdes_error = vmca_error_create(VMCA_ERROR_NOT_FOUND,
							  "%s: no .debug_frame",
							  di->path);
		else if (rc != DW_DLV_OK)
			o->fdes_error =
				vmca_error_wrap(vmca_error_dwarf(dbg, e, 0),
						"%s: .debug_frame", di->path);
		if (rc != DW_DLV_OK)
			o->fdes = NULL;
	}
	if (o->fdes_error)
		return copy_error(o->fdes_error);
	*dbg_ret = dbg;
	*fdes_ret = o->fdes;
	return NULL;
}

struct vmca_error *vmca_debuginfo_section(struct vmca_debuginfo *di,
					  const char *name,
					  struct vmca_debuginfo_section *ret)
{
	struct vmca_debuginfo_ondemand *o;
	struct vmca_error *err = open_elf(di, &o);
	if (err)
		return err;
	return vmca_debuginfo_elf_section(o->elf, name, ret);
}

static uint32_t get_u32(const uint8_t *p, bool is_big_endian)
{
	return is_big_endian ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
				       (uint32_t)p[2] << 8 | p[3]
			     : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
				       (uint32_t)p[1] << 8 | p[0];
}

// The header of the unit whose DIE is at die_offset: DWARF 5's is 12
// bytes (length, version, unit type, address size, abbreviations), 2-4's
// 11 (length, version, abbreviations, address size). 32-bit DWARF only.
static bool unit_extent(const struct vmca_debuginfo_dwarf_sections *ss,
			uint64_t die_offset, uint64_t *start_ret,
			uint64_t *size_ret)
{
	const struct vmca_debuginfo_dwarf_section *info = NULL;
	for (unsigned i = 0; i < ss->nr_sections; i++)
		if (ss->sections[i].name &&
		    strcmp(ss->sections[i].name, ".debug_info") == 0)
			info = &ss->sections[i];
	if (!info || !info->data)
		return false;
	for (uint64_t header = 12; header >= 11; header--) {
		if (die_offset < header || die_offset > info->size)
			continue;
		const uint8_t *h = info->data + die_offset - header;
		uint32_t length = get_u32(h, ss->is_big_endian);
		unsigned version = ss->is_big_endian
					   ? (unsigned)h[4] << 8 | h[5]
					   : (unsigned)h[5] << 8 | h[4];
		bool ok = header == 12 ? version == 5 && h[6] == DW_UT_compile
				       : version >= 2 && version <= 4;
		if (!ok || length >= 0xfffffff0u ||
		    length + 4 > info->size - (die_offset - header))
			continue;
		*start_ret = die_offset - header;
		*size_ret = length + 4;
		return true;
	}
	return false;
}

// libdwarf over the unit whose DIE is at die_offset, alone (a slot kept
// for the next questions); its start is the unit's offset in .debug_info,
// to subtract from offsets of the whole section.
static struct vmca_error *open_unit(struct vmca_debuginfo *di,
				    uint64_t die_offset, bool with_locations,
				    struct unit_slot **ret)
{
	struct vmca_debuginfo_ondemand *o;
	Dwarf_Debug whole;
	struct vmca_error *err = open_dwarf(di, &whole);
	if (err)
		return err;
	o = di->ondemand;
	uint64_t start, size;
	if (!unit_extent(&o->sections, die_offset, &start, &size))
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "%s: corrupt DWARF: no unit header "
					 "before .debug_info+%#" PRIx64,
					 di->path, die_offset);
	struct unit_slot *slot = NULL, *oldest = &o->units[0];
	for (size_t i = 0; i < NR_UNIT_SLOTS; i++) {
		struct unit_slot *u = &o->units[i];
		if (u->is_used && u->start == start &&
		    u->with_locations == with_locations)
			slot = u;
		if (!u->is_used ||
		    (oldest->is_used && u->last_used < oldest->last_used))
			oldest = u;
	}
	if (!slot) {
		slot = oldest;
		unit_slot_clear(slot);
		slot->sections = o->sections;
		for (unsigned i = 0; i < slot->sections.nr_sections; i++) {
			struct vmca_debuginfo_dwarf_section *sec =
				&slot->sections.sections[i];
			if (sec->name &&
			    strcmp(sec->name, ".debug_info") == 0) {
				sec->data += start;
				sec->size = size;
			}
			// Scopes and lines need no location lists; libdwarf
			// reads the header of every table of the section
			// the first time a unit has a base into it (22 MB of
			// 6.1's vmlinux touched for one lookup).
			if (!with_locations && sec->name &&
			    (strcmp(sec->name, ".debug_loclists") == 0 ||
			     strcmp(sec->name, ".debug_loc") == 0)) {
				sec->data = NULL;
				sec->size = 0;
			}
		}
		slot->sections.info_size = size;
		err = vmca_debuginfo_dbg_open(&slot->sections, &slot->dbg);
		if (err)
			return vmca_error_wrap(err, "%s", di->path);
		slot->is_used = true;
		slot->start = start;
		slot->with_locations = with_locations;
	}
	slot->last_used = ++o->clock;
	*ret = slot;
	return NULL;
}

// The unit whose ranges hold address (the index's table of .debug_aranges).
static const struct vmca_debuginfo_cpcunit *
find_unit(const struct vmca_debuginfo *di, uint64_t address)
{
	uint32_t lo = 0, hi = di->nr_pc_units;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (di->pc_units[mid].lo <= address)
			lo = mid + 1;
		else
			hi = mid;
	}
	// Ranges of different units do not overlap; look back a little in
	// case some do.
	for (uint32_t i = lo; i > 0 && lo - i < 8; i--) {
		const struct vmca_debuginfo_cpcunit *u = &di->pc_units[i - 1];
		if (u->lo <= address && address < u->hi)
			return u;
	}
	return NULL;
}

// Whether die's DW_AT_ranges (DWARF 5 .debug_rnglists, or .debug_ranges
// before) hold the address.
static bool ranges_hold(struct lookup_scope *l, Dwarf_Die die,
			Dwarf_Attribute attr)
{
	Dwarf_Error e = NULL;
	Dwarf_Half form = 0;
	Dwarf_Unsigned value = 0;
	bool held = false;
	if (dwarf_whatform(attr, &form, &e) != DW_DLV_OK) {
		dwarf_dealloc_error(l->dbg, e);
		return false;
	}
	if (form == DW_FORM_rnglistx) {
		if (dwarf_formudata(attr, &value, &e) != DW_DLV_OK) {
			dwarf_dealloc_error(l->dbg, e);
			return false;
		}
	} else {
		Dwarf_Off off;
		if (dwarf_global_formref(attr, &off, &e) != DW_DLV_OK) {
			dwarf_dealloc_error(l->dbg, e);
			return false;
		}
		value = off;
	}
	if (l->version >= 5) {
		Dwarf_Rnglists_Head head = NULL;
		Dwarf_Unsigned count = 0, global = 0;
		if (dwarf_rnglists_get_rle_head(attr, form, value, &head,
						&count, &global,
						&e) != DW_DLV_OK) {
			dwarf_dealloc_error(l->dbg, e);
			return false;
		}
		for (Dwarf_Unsigned i = 0; i < count && !held; i++) {
			unsigned len = 0, code = 0;
			Dwarf_Unsigned raw1, raw2, lo, hi;
			Dwarf_Bool no_addr = 0;
			if (dwarf_get_rnglists_entry_fields_a(
				    head, i, &len, &code, &raw1, &raw2,
				    &no_addr, &lo, &hi, &e) != DW_DLV_OK) {
				dwarf_dealloc_error(l->dbg, e);
				break;
			}
			if (code == DW_RLE_end_of_list)
				break;
			if (code == DW_RLE_base_address ||
			    code == DW_RLE_base_addressx || no_addr)
				continue;
			held = lo <= l->address && l->address < hi;
		}
		dwarf_dealloc_rnglists_head(head);
		return held;
	}
	Dwarf_Ranges *r = NULL;
	Dwarf_Signed n = 0;
	Dwarf_Unsigned bytes = 0;
	Dwarf_Off real = 0;
	if (dwarf_get_ranges_b(l->dbg, value, die, &real, &r, &n, &bytes, &e) !=
	    DW_DLV_OK) {
		dwarf_dealloc_error(l->dbg, e);
		return false;
	}
	uint64_t base = l->cu_low;
	for (Dwarf_Signed i = 0; i < n && !held; i++) {
		if (r[i].dwr_type == DW_RANGES_END)
			break;
		if (r[i].dwr_type == DW_RANGES_ADDRESS_SELECTION) {
			base = r[i].dwr_addr2;
			continue;
		}
		held = base + r[i].dwr_addr1 <= l->address &&
		       l->address < base + r[i].dwr_addr2;
	}
	dwarf_ranges_dealloc(l->dbg, r, n);
	return held;
}

// Whether a scope's code (low/high pc, or ranges) holds the address.
static bool holds(struct lookup_scope *l, Dwarf_Die die)
{
	Dwarf_Error e = NULL;
	Dwarf_Addr low, high;
	Dwarf_Half form;
	enum Dwarf_Form_Class class;
	if (dwarf_lowpc(die, &low, &e) == DW_DLV_OK) {
		if (dwarf_highpc_b(die, &high, &form, &class, &e) !=
		    DW_DLV_OK) {
			dwarf_dealloc_error(l->dbg, e);
			return false;
		}
		if (class == DW_FORM_CLASS_CONSTANT)
			high += low;
		return low <= l->address && l->address < high;
	}
	dwarf_dealloc_error(l->dbg, e);
	e = NULL;
	Dwarf_Attribute attr;
	int rc = dwarf_attr(die, DW_AT_ranges, &attr, &e);
	if (rc != DW_DLV_OK) {
		dwarf_dealloc_error(l->dbg, e);
		return false;
	}
	bool held = ranges_hold(l, die, attr);
	dwarf_dealloc_attribute(attr);
	return held;
}

// The scopes holding the address, below die: subprograms and inlined
// calls into the chain, lexical blocks looked into.
static void search(struct lookup_scope *l, Dwarf_Die parent, int depth)
{
	if (depth >= MAX_SCOPE_DEPTH)
		return;
	Dwarf_Error e = NULL;
	Dwarf_Die child = NULL;
	int rc = dwarf_child(parent, &child, &e);
	if (rc == DW_DLV_ERROR)
		dwarf_dealloc_error(l->dbg, e);
	while (rc == DW_DLV_OK && child && !l->err) {
		if (++l->visits > MAX_VISITS)
			break;
		Dwarf_Half tag = 0;
		if (dwarf_tag(child, &tag, &e) != DW_DLV_OK) {
			dwarf_dealloc_error(l->dbg, e);
			tag = 0;
		}
		bool is_scope = tag == DW_TAG_subprogram ||
				tag == DW_TAG_inlined_subroutine ||
				tag == DW_TAG_lexical_block;
		if (is_scope && holds(l, child)) {
			if (tag != DW_TAG_lexical_block &&
			    l->nr_chain < VMCA_DEBUGINFO_MAX_INLINE) {
				l->chain[l->nr_chain++] = child;
				search(l, child, depth + 1);
				return; // child stays: it is in the chain
			}
			search(l, child, depth + 1);
			dwarf_dealloc_die(child);
			return;
		}
		Dwarf_Die next = NULL;
		rc = dwarf_siblingof_b(l->dbg, child, true, &next, &e);
		if (rc == DW_DLV_ERROR)
			dwarf_dealloc_error(l->dbg, e);
		dwarf_dealloc_die(child);
		child = next;
	}
	if (rc == DW_DLV_OK && child)
		dwarf_dealloc_die(child);
}

static int compare_subprograms(const void *a, const void *b)
{
	const struct subprogram_range *x = a, *y = b;
	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

// The unit's subprograms and where their code is, read once.
static void load_subprograms(struct lookup_scope *l, Dwarf_Die cu)
{
	struct unit_slot *u = l->unit;
	if (u->has_subprograms)
		return;
	u->has_subprograms = true;
	size_t cap = 0;
	Dwarf_Error e = NULL;
	Dwarf_Die child = NULL;
	int rc = dwarf_child(cu, &child, &e);
	if (rc == DW_DLV_ERROR)
		dwarf_dealloc_error(l->dbg, e);
	uint32_t visits = 0;
	while (rc == DW_DLV_OK && child && ++visits < MAX_VISITS) {
		Dwarf_Half tag = 0;
		if (dwarf_tag(child, &tag, &e) != DW_DLV_OK) {
			dwarf_dealloc_error(l->dbg, e);
			e = NULL;
		}
		struct subprogram_range r = {0};
		bool has = false;
		if (tag == DW_TAG_subprogram &&
		    dwarf_dieoffset(child, &r.offset, &e) == DW_DLV_OK) {
			Dwarf_Addr low, high;
			Dwarf_Half form;
			enum Dwarf_Form_Class class;
			Dwarf_Attribute attr;
			if (dwarf_lowpc(child, &low, &e) == DW_DLV_OK) {
				if (dwarf_highpc_b(child, &high, &form, &class,
						   &e) == DW_DLV_OK) {
					if (class == DW_FORM_CLASS_CONSTANT)
						high += low;
					r.lo = low;
					r.hi = high;
					has = low < high;
				}
			} else {
				dwarf_dealloc_error(l->dbg, e);
				e = NULL;
				if (dwarf_attr(child, DW_AT_ranges, &attr,
					       &e) == DW_DLV_OK) {
					dwarf_dealloc_attribute(attr);
					has = true; // lo = hi = 0: ask holds()
				}
			}
		}
		if (e) {
			dwarf_dealloc_error(l->dbg, e);
			e = NULL;
		}
		if (has) {
			if (u->nr_subprograms == cap) {
				cap = cap ? 2 * cap : 64;
				struct subprogram_range *grown = realloc(
					u->subprograms, cap * sizeof(*grown));
				if (!grown)
					break;
				u->subprograms = grown;
			}
			u->subprograms[u->nr_subprograms++] = r;
		}
		Dwarf_Die next = NULL;
		rc = dwarf_siblingof_b(l->dbg, child, true, &next, &e);
		if (rc == DW_DLV_ERROR)
			dwarf_dealloc_error(l->dbg, e);
		dwarf_dealloc_die(child);
		child = next;
	}
	if (rc == DW_DLV_OK && child)
		dwarf_dealloc_die(child);
	if (u->nr_subprograms)
		qsort(u->subprograms, u->nr_subprograms,
		      sizeof(*u->subprograms), compare_subprograms);
}

// The scopes holding the address: its subprogram from the unit's table,
// and what is inside; a unit whose code no subprogram holds is walked.
static void search_unit(struct lookup_scope *l, Dwarf_Die cu)
{
	load_subprograms(l, cu);
	const struct unit_slot *u = l->unit;
	size_t lo = 0, hi = u->nr_subprograms;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (u->subprograms[mid].lo <= l->address)
			lo = mid + 1;
		else
			hi = mid;
	}
	Dwarf_Off found = 0;
	bool has = false;
	if (lo > 0 && u->subprograms[lo - 1].lo &&
	    l->address < u->subprograms[lo - 1].hi) {
		found = u->subprograms[lo - 1].offset;
		has = true;
	}
	for (size_t i = 0; !has && i < u->nr_subprograms &&
			   !u->subprograms[i].lo && !u->subprograms[i].hi;
	     i++) {
		Dwarf_Die die = NULL;
		Dwarf_Error e = NULL;
		if (dwarf_offdie_b(l->dbg, u->subprograms[i].offset, true, &die,
				   &e) != DW_DLV_OK) {
			dwarf_dealloc_error(l->dbg, e);
			continue;
		}
		if (holds(l, die)) {
			found = u->subprograms[i].offset;
			has = true;
		}
		dwarf_dealloc_die(die);
	}
	if (!has) {
		search(l, cu, 0);
		return;
	}
	Dwarf_Die die = NULL;
	Dwarf_Error e = NULL;
	if (dwarf_offdie_b(l->dbg, found, true, &die, &e) != DW_DLV_OK) {
		dwarf_dealloc_error(l->dbg, e);
		return;
	}
	l->chain[l->nr_chain++] = die;
	search(l, die, 1);
}

// A DIE's name, or its abstract origin's, or its specification's.
static bool die_name(struct lookup_scope *l, Dwarf_Die die, char *buf,
		     size_t size, int depth)
{
	Dwarf_Error e = NULL;
	Dwarf_Attribute attr;
	if (dwarf_attr(die, DW_AT_name, &attr, &e) == DW_DLV_OK) {
		char *s = NULL;
		bool ok = dwarf_formstring(attr, &s, &e) == DW_DLV_OK;
		if (!ok)
			dwarf_dealloc_error(l->dbg, e);
		else
			snprintf(buf, size, "%s", s);
		dwarf_dealloc_attribute(attr);
		return ok;
	}
	dwarf_dealloc_error(l->dbg, e);
	if (depth > 8)
		return false;
	static const Dwarf_Half origins[] = {DW_AT_abstract_origin,
					     DW_AT_specification};
	for (size_t i = 0; i < 2; i++) {
		e = NULL;
		if (dwarf_attr(die, origins[i], &attr, &e) != DW_DLV_OK) {
			dwarf_dealloc_error(l->dbg, e);
			continue;
		}
		Dwarf_Off off;
		Dwarf_Die origin = NULL;
		bool ok = dwarf_global_formref(attr, &off, &e) == DW_DLV_OK &&
			  dwarf_offdie_b(l->dbg, off, true, &origin, &e) ==
				  DW_DLV_OK;
		dwarf_dealloc_attribute(attr);
		if (!ok) {
			dwarf_dealloc_error(l->dbg, e);
			continue;
		}
		ok = die_name(l, origin, buf, size, depth + 1);
		dwarf_dealloc_die(origin);
		if (ok)
			return true;
	}
	return false;
}

static uint64_t die_udata(struct lookup_scope *l, Dwarf_Die die, Dwarf_Half at)
{
	Dwarf_Error e = NULL;
	Dwarf_Attribute attr;
	Dwarf_Unsigned v = 0;
	if (dwarf_attr(die, at, &attr, &e) != DW_DLV_OK) {
		dwarf_dealloc_error(l->dbg, e);
		return 0;
	}
	if (dwarf_formudata(attr, &v, &e) != DW_DLV_OK) {
		// DWARF 5's DW_FORM_implicit_const (the value in the
		// abbreviation: GCC's call_file and call_line of inlined
		// calls) is a signed constant to libdwarf.
		dwarf_dealloc_error(l->dbg, e);
		e = NULL;
		Dwarf_Signed sv = 0;
		if (dwarf_formsdata(attr, &sv, &e) != DW_DLV_OK) {
			dwarf_dealloc_error(l->dbg, e);
			sv = 0;
		}
		v = sv < 0 ? 0 : (Dwarf_Unsigned)sv;
	}
	dwarf_dealloc_attribute(attr);
	return v;
}

static const char *keep(struct vmca_debuginfo_pc *pc, const char *s)
{
	size_t n = strlen(s) + 1;
	if (pc->strings_len + n > sizeof(pc->strings))
		return NULL;
	char *p = pc->strings + pc->strings_len;
	memcpy(p, s, n);
	pc->strings_len += n;
	return p;
}

static int compare_lines(const void *a, const void *b)
{
	const struct line_range *x = a, *y = b;
	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

// The unit's line table as ranges [row, next row) of its sequences,
// sorted, read once; file names by number.
static void load_lines(struct lookup_scope *l, Dwarf_Die cu)
{
	struct unit_slot *u = l->unit;
	if (u->has_lines)
		return;
	u->has_lines = true;
	Dwarf_Error e = NULL;
	Dwarf_Unsigned version = 0;
	Dwarf_Small tables = 0;
	Dwarf_Line_Context ctx = NULL;
	if (dwarf_srclines_b(cu, &version, &tables, &ctx, &e) != DW_DLV_OK) {
		dwarf_dealloc_error(l->dbg, e);
		return;
	}
	Dwarf_Line *lines = NULL;
	Dwarf_Signed n = 0;
	if (dwarf_srclines_from_linecontext(ctx, &lines, &n, &e) != DW_DLV_OK ||
	    n < 2) {
		dwarf_dealloc_error(l->dbg, e);
		dwarf_srclines_dealloc_b(ctx);
		return;
	}
	u->lines = malloc((size_t)(n - 1) * sizeof(*u->lines));
	for (Dwarf_Signed i = 0; u->lines && i + 1 < n; i++) {
		Dwarf_Addr a = 0, b = 0;
		Dwarf_Bool is_end = 0;
		Dwarf_Unsigned line = 0, column = 0, file = 0;
		if (dwarf_lineaddr(lines[i], &a, &e) != DW_DLV_OK ||
		    dwarf_lineendsequence(lines[i], &is_end, &e) != DW_DLV_OK ||
		    dwarf_lineaddr(lines[i + 1], &b, &e) != DW_DLV_OK ||
		    dwarf_lineno(lines[i], &line, &e) != DW_DLV_OK ||
		    dwarf_lineoff_b(lines[i], &column, &e) != DW_DLV_OK ||
		    dwarf_line_srcfileno(lines[i], &file, &e) != DW_DLV_OK) {
			dwarf_dealloc_error(l->dbg, e);
			e = NULL;
			continue;
		}
		if (is_end || a >= b || file > UINT16_MAX)
			continue;
		// The file's name as libdwarf composes it, once per number.
		if (file >= u->nr_files) {
			char **grown =
				realloc(u->files, (file + 1) * sizeof(*grown));
			if (!grown)
				continue;
			memset(grown + u->nr_files, 0,
			       (file + 1 - u->nr_files) * sizeof(*grown));
			u->files = grown;
			u->nr_files = file + 1;
		}
		if (!u->files[file]) {
			char *name = NULL;
			if (dwarf_linesrc(lines[i], &name, &e) != DW_DLV_OK) {
				dwarf_dealloc_error(l->dbg, e);
				e = NULL;
				continue;
			}
			u->files[file] = strdup(name);
			dwarf_dealloc(l->dbg, name, DW_DLA_STRING);
			if (!u->files[file])
				continue;
		}
		u->lines[u->nr_lines++] = (struct line_range){
			.lo = a,
			.hi = b,
			.line = (uint32_t)line,
			.column = (uint32_t)column,
			.file = (uint32_t)file,
		};
	}
	dwarf_srclines_dealloc_b(ctx);
	if (u->nr_lines)
		qsort(u->lines, u->nr_lines, sizeof(*u->lines), compare_lines);
}

// The line table's row for the address: the one whose range holds it.
static void line_of(struct lookup_scope *l, Dwarf_Die cu,
		    struct vmca_debuginfo_pc *pc,
		    struct vmca_debuginfo_location *loc)
{
	load_lines(l, cu);
	const struct unit_slot *u = l->unit;
	size_t lo = 0, hi = u->nr_lines;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (u->lines[mid].lo <= l->address)
			lo = mid + 1;
		else
			hi = mid;
	}
	// Ranges of one table do not overlap but may be empty between
	// sequences: the last at or below the address, if it holds it.
	for (size_t i = lo; i > 0 && lo - i < 4; i--) {
		const struct line_range *r = &u->lines[i - 1];
		if (r->lo <= l->address && l->address < r->hi) {
			loc->file = keep(pc, u->files[r->file]);
			loc->line = r->line;
			loc->column = r->column;
			return;
		}
	}
}

// DW_AT_call_file's name: an index into the unit's file names (from 1
// before DWARF 5, from 0 since).
static const char *call_file(struct lookup_scope *l, Dwarf_Die cu,
			     struct vmca_debuginfo_pc *pc, uint64_t index)
{
	Dwarf_Error e = NULL;
	char **files = NULL;
	Dwarf_Signed n = 0;
	if (dwarf_srcfiles(cu, &files, &n, &e) != DW_DLV_OK) {
		dwarf_dealloc_error(l->dbg, e);
		return NULL;
	}
	const char *name = NULL;
	int64_t i = l->version >= 5 ? (int64_t)index : (int64_t)index - 1;
	if (i >= 0 && i < n)
		name = keep(pc, files[i]);
	for (Dwarf_Signed j = 0; j < n; j++)
		dwarf_dealloc(l->dbg, files[j], DW_DLA_STRING);
	dwarf_dealloc(l->dbg, files, DW_DLA_LIST);
	return name;
}

struct vmca_error *vmca_debuginfo_pc_lookup(struct vmca_debuginfo *di,
					    uint64_t address,
					    struct vmca_debuginfo_pc *ret)
{
	struct lookup_scope *l;
	struct vmca_error *err =
		vmca_debuginfo_scope_open(di, address, false, &l);
	if (err)
		return err;
	Dwarf_Die cu = l->cu;
	Dwarf_Error e = NULL;
	memset(ret, 0, sizeof(*ret));
	// Innermost first: the line table's row for the innermost, then for
	// each function the place of the call inlined into it.
	for (size_t i = l->nr_chain; i-- > 0;) {
		struct vmca_debuginfo_location *loc =
			&ret->frames[ret->nr_frames++];
		char name[512];
		if (die_name(l, l->chain[i], name, sizeof(name), 0))
			loc->function = keep(ret, name);
		Dwarf_Half tag = 0;
		if (dwarf_tag(l->chain[i], &tag, &e) != DW_DLV_OK) {
			dwarf_dealloc_error(l->dbg, e);
			e = NULL;
		}
		loc->is_inlined = tag == DW_TAG_inlined_subroutine;
		if (i + 1 == l->nr_chain) {
			line_of(l, cu, ret, loc);
		} else {
			Dwarf_Die call = l->chain[i + 1];
			loc->line =
				(uint32_t)die_udata(l, call, DW_AT_call_line);
			loc->column =
				(uint32_t)die_udata(l, call, DW_AT_call_column);
			loc->file =
				call_file(l, cu, ret,
					  die_udata(l, call, DW_AT_call_file));
		}
	}
	if (!l->nr_chain) {
		// Code of the unit outside any function DWARF describes
		// (assembly): the line table alone.
		struct vmca_debuginfo_location *loc =
			&ret->frames[ret->nr_frames++];
		line_of(l, cu, ret, loc);
		if (!loc->file)
			ret->nr_frames = 0;
	}
	vmca_debuginfo_scope_close(l);
	if (!ret->nr_frames)
		return vmca_error_create(VMCA_ERROR_NOT_FOUND,
					 "no line information for %#" PRIx64,
					 address);
	return NULL;
}

struct vmca_error *vmca_debuginfo_scope_open(struct vmca_debuginfo *di,
					     uint64_t address,
					     bool with_locations,
					     struct lookup_scope **ret)
{
	if (di->is_btf)
		return vmca_error_create(VMCA_ERROR_NOT_FOUND,
					 "%s: lines and variables need DWARF "
					 "(the types came from BTF)",
					 di->path);
	const struct vmca_debuginfo_cpcunit *unit = find_unit(di, address);
	if (!unit)
		return vmca_error_create(VMCA_ERROR_NOT_FOUND,
					 "no compilation unit holds %#" PRIx64,
					 address);
	struct lookup_scope *l = calloc(1, sizeof(*l));
	if (!l)
		return &vmca_enomem;
	l->address = address;
	struct vmca_error *err =
		open_unit(di, unit->die_offset, with_locations, &l->unit);
	if (err) {
		free(l);
		return err;
	}
	l->dbg = l->unit->dbg.dbg;
	Dwarf_Error e = NULL;
	if (dwarf_offdie_b(l->dbg, unit->die_offset - l->unit->start, true,
			   &l->cu, &e) != DW_DLV_OK) {
		err = vmca_error_wrap(
			vmca_error_dwarf(l->dbg, e, unit->die_offset), "%s",
			di->path);
		free(l);
		return err;
	}
	Dwarf_Half offset_size;
	if (dwarf_get_version_of_die(l->cu, &l->version, &offset_size) !=
	    DW_DLV_OK)
		l->version = 4;
	Dwarf_Addr low;
	if (dwarf_lowpc(l->cu, &low, &e) == DW_DLV_OK)
		l->cu_low = low;
	else
		dwarf_dealloc_error(l->dbg, e);
	search_unit(l, l->cu);
	*ret = l;
	return NULL;
}

void vmca_debuginfo_scope_close(struct lookup_scope *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->nr_chain; i++)
		dwarf_dealloc_die(l->chain[i]);
	if (l->cu)
		dwarf_dealloc_die(l->cu);
	free(l);
}

bool vmca_debuginfo_die_name(struct lookup_scope *l, Dwarf_Die die, char *buf,
			     size_t size)
{
	return die_name(l, die, buf, size, 0);
}

bool vmca_debuginfo_scope_holds(struct lookup_scope *l, Dwarf_Die die)
{
	return holds(l, die);
}

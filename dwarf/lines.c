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

// Scopes nested deeper than this, or units with more DIEs on the way to a
// PC, only come from a damaged file.
#define MAX_SCOPE_DEPTH 256
#define MAX_VISITS	(1u << 22)

/** libdwarf over the whole ELF file, opened on the first question. */
struct vmca_debuginfo_ondemand {
	struct vmca_debuginfo_elf *elf;
	struct vmca_debuginfo_dwarf_sections sections;
	struct vmca_debuginfo_dbg dbg;
	bool is_open;
	/** .debug_frame's CIEs and FDEs, read on the first CFI question. */
	bool has_fdes;
	Dwarf_Cie *cies;
	Dwarf_Fde *fdes;
	Dwarf_Signed nr_cies, nr_fdes;
	struct vmca_error *fdes_error;
	/** Why it cannot be opened (kept: the next call fails the same). */
	struct vmca_error *error;
};

void vmca_debuginfo_ondemand_destroy(struct vmca_debuginfo_ondemand *o)
{
	if (!o)
		return;
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
		err = vmca_debuginfo_elf_dwarf(o->elf, true, &o->sections);
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

struct lookup {
	Dwarf_Debug dbg;
	uint64_t address;
	uint64_t cu_low;
	Dwarf_Half version;
	uint32_t visits;
	/** The subprogram, then each inlined call within, outermost first. */
	Dwarf_Die chain[VMCA_DEBUGINFO_MAX_INLINE];
	size_t nr_chain;
	struct vmca_error *err;
};

// Whether die's DW_AT_ranges (DWARF 5 .debug_rnglists, or .debug_ranges
// before) hold the address.
static bool ranges_hold(struct lookup *l, Dwarf_Die die, Dwarf_Attribute attr)
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
static bool holds(struct lookup *l, Dwarf_Die die)
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
static void search(struct lookup *l, Dwarf_Die parent, int depth)
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

// A DIE's name, or its abstract origin's, or its specification's.
static bool die_name(struct lookup *l, Dwarf_Die die, char *buf, size_t size,
		     int depth)
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

static uint64_t die_udata(struct lookup *l, Dwarf_Die die, Dwarf_Half at)
{
	Dwarf_Error e = NULL;
	Dwarf_Attribute attr;
	Dwarf_Unsigned v = 0;
	if (dwarf_attr(die, at, &attr, &e) != DW_DLV_OK) {
		dwarf_dealloc_error(l->dbg, e);
		return 0;
	}
	if (dwarf_formudata(attr, &v, &e) != DW_DLV_OK) {
		dwarf_dealloc_error(l->dbg, e);
		v = 0;
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

// The line table's row for the address: the last row at or below it
// whose successor in its sequence is above it.
static void line_of(struct lookup *l, Dwarf_Die cu,
		    struct vmca_debuginfo_pc *pc,
		    struct vmca_debuginfo_location *loc)
{
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
	if (dwarf_srclines_from_linecontext(ctx, &lines, &n, &e) != DW_DLV_OK) {
		dwarf_dealloc_error(l->dbg, e);
		dwarf_srclines_dealloc_b(ctx);
		return;
	}
	Dwarf_Signed best = -1;
	for (Dwarf_Signed i = 0; i + 1 < n; i++) {
		Dwarf_Addr a = 0, b = 0;
		Dwarf_Bool is_end = 0;
		if (dwarf_lineaddr(lines[i], &a, &e) != DW_DLV_OK ||
		    dwarf_lineendsequence(lines[i], &is_end, &e) != DW_DLV_OK ||
		    dwarf_lineaddr(lines[i + 1], &b, &e) != DW_DLV_OK) {
			dwarf_dealloc_error(l->dbg, e);
			e = NULL;
			continue;
		}
		if (!is_end && a <= l->address && l->address < b)
			best = i;
	}
	if (best >= 0) {
		Dwarf_Unsigned line = 0, column = 0;
		char *file = NULL;
		if (dwarf_lineno(lines[best], &line, &e) != DW_DLV_OK) {
			dwarf_dealloc_error(l->dbg, e);
			e = NULL;
		}
		if (dwarf_lineoff_b(lines[best], &column, &e) != DW_DLV_OK) {
			dwarf_dealloc_error(l->dbg, e);
			e = NULL;
		}
		if (dwarf_linesrc(lines[best], &file, &e) == DW_DLV_OK) {
			loc->file = keep(pc, file);
			dwarf_dealloc(l->dbg, file, DW_DLA_STRING);
		} else {
			dwarf_dealloc_error(l->dbg, e);
		}
		loc->line = (uint32_t)line;
		loc->column = (uint32_t)column;
	}
	dwarf_srclines_dealloc_b(ctx);
}

// DW_AT_call_file's name: an index into the unit's file names (from 1
// before DWARF 5, from 0 since).
static const char *call_file(struct lookup *l, Dwarf_Die cu,
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
	const struct vmca_debuginfo_cpcunit *unit = find_unit(di, address);
	if (!unit)
		return vmca_error_create(VMCA_ERROR_NOT_FOUND,
					 "no compilation unit holds %#" PRIx64,
					 address);
	struct lookup l = {.address = address};
	struct vmca_error *err = open_dwarf(di, &l.dbg);
	if (err)
		return err;
	Dwarf_Error e = NULL;
	Dwarf_Die cu = NULL;
	if (dwarf_offdie_b(l.dbg, unit->die_offset, true, &cu, &e) != DW_DLV_OK)
		return vmca_error_wrap(
			vmca_error_dwarf(l.dbg, e, unit->die_offset), "%s",
			di->path);
	Dwarf_Half offset_size;
	if (dwarf_get_version_of_die(cu, &l.version, &offset_size) != DW_DLV_OK)
		l.version = 4;
	Dwarf_Addr low;
	if (dwarf_lowpc(cu, &low, &e) == DW_DLV_OK)
		l.cu_low = low;
	else
		dwarf_dealloc_error(l.dbg, e);

	search(&l, cu, 0);
	memset(ret, 0, sizeof(*ret));
	// Innermost first: the line table's row for the innermost, then for
	// each function the place of the call inlined into it.
	for (size_t i = l.nr_chain; i-- > 0;) {
		struct vmca_debuginfo_location *loc =
			&ret->frames[ret->nr_frames++];
		char name[512];
		if (die_name(&l, l.chain[i], name, sizeof(name), 0))
			loc->function = keep(ret, name);
		Dwarf_Half tag = 0;
		if (dwarf_tag(l.chain[i], &tag, &e) != DW_DLV_OK) {
			dwarf_dealloc_error(l.dbg, e);
			e = NULL;
		}
		loc->is_inlined = tag == DW_TAG_inlined_subroutine;
		if (i + 1 == l.nr_chain) {
			line_of(&l, cu, ret, loc);
		} else {
			Dwarf_Die call = l.chain[i + 1];
			loc->line =
				(uint32_t)die_udata(&l, call, DW_AT_call_line);
			loc->column = (uint32_t)die_udata(&l, call,
							  DW_AT_call_column);
			loc->file =
				call_file(&l, cu, ret,
					  die_udata(&l, call, DW_AT_call_file));
		}
	}
	if (!l.nr_chain) {
		// Code of the unit outside any function DWARF describes
		// (assembly): the line table alone.
		struct vmca_debuginfo_location *loc =
			&ret->frames[ret->nr_frames++];
		line_of(&l, cu, ret, loc);
		if (!loc->file)
			ret->nr_frames = 0;
	}
	for (size_t i = 0; i < l.nr_chain; i++)
		dwarf_dealloc_die(l.chain[i]);
	dwarf_dealloc_die(cu);
	if (!ret->nr_frames)
		return vmca_error_create(VMCA_ERROR_NOT_FOUND,
					 "no line information for %#" PRIx64,
					 address);
	return NULL;
}

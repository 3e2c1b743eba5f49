// SPDX-License-Identifier: MIT
/** @file libdwarf's Dwarf_Debug over DWARF sections already in memory. */
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <elf.h>

#include "../analyzer/util/cleanup.h"
#include "dbg.h"

static int get_section_info(void *object, Dwarf_Half index,
			    Dwarf_Obj_Access_Section *ret, int *error)
{
	const struct vmca_debuginfo_dwarf_sections *s = object;
	if (index >= s->nr_sections)
		return DW_DLV_NO_ENTRY;
	memset(ret, 0, sizeof(*ret));
	ret->type = index ? SHT_PROGBITS : SHT_NULL;
	ret->size = s->sections[index].size;
	ret->name = s->sections[index].name;
	return DW_DLV_OK;
}

static Dwarf_Endianness get_byte_order(void *object)
{
	const struct vmca_debuginfo_dwarf_sections *s = object;
	return s->is_big_endian ? DW_OBJECT_MSB : DW_OBJECT_LSB;
}

static Dwarf_Small get_length_size(void *object)
{
	// The default offset size; each unit header says its own.
	return 4;
}

static Dwarf_Small get_pointer_size(void *object)
{
	const struct vmca_debuginfo_dwarf_sections *s = object;
	return s->address_size;
}

static Dwarf_Unsigned get_section_count(void *object)
{
	const struct vmca_debuginfo_dwarf_sections *s = object;
	return s->nr_sections;
}

static int load_section(void *object, Dwarf_Half index, Dwarf_Small **ret,
			int *error)
{
	const struct vmca_debuginfo_dwarf_sections *s = object;
	if (index >= s->nr_sections || !s->sections[index].data)
		return DW_DLV_NO_ENTRY;
	// libdwarf only writes to section data to apply relocations, which
	// this object has none of (and the mapping is read-only).
	*ret = (Dwarf_Small *)s->sections[index].data;
	return DW_DLV_OK;
}

static const Dwarf_Obj_Access_Methods access_methods = {
	.get_section_info = get_section_info,
	.get_byte_order = get_byte_order,
	.get_length_size = get_length_size,
	.get_pointer_size = get_pointer_size,
	.get_section_count = get_section_count,
	.load_section = load_section,
	// No relocations: see dbg.h.
	.relocate_a_section = NULL,
};

static void set_libdwarf_globals(void)
{
	// Without its tree of every allocation, libdwarf's allocations are
	// plain malloc()s: dwarf_finish() then frees only what the library
	// keeps (units, abbreviations), so everything handed out is
	// dwarf_dealloc()ed where it is used.
	dwarf_set_de_alloc_flag(0);
	dwarf_set_reloc_application(0);
}

struct vmca_error *
vmca_debuginfo_dbg_open(const struct vmca_debuginfo_dwarf_sections *sections,
			struct vmca_debuginfo_dbg *ret)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, set_libdwarf_globals);
	memset(ret, 0, sizeof(*ret));
	ret->access.object = (void *)sections;
	ret->access.methods = &access_methods;
	Dwarf_Error derr = NULL;
	int res = dwarf_object_init_b(&ret->access, NULL, NULL,
				      DW_GROUPNUMBER_ANY, &ret->dbg, &derr);
	if (res == DW_DLV_OK)
		return NULL;
	ret->dbg = NULL;
	if (res == DW_DLV_NO_ENTRY)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "corrupt DWARF: no DWARF sections");
	return vmca_error_dwarf(NULL, derr, 0);
}

void vmca_debuginfo_dbg_close(struct vmca_debuginfo_dbg *d)
{
	if (!d->dbg)
		return;
	Dwarf_Error derr = NULL;
	if (dwarf_object_finish(d->dbg, &derr) == DW_DLV_ERROR)
		dwarf_dealloc_error(NULL, derr);
	d->dbg = NULL;
}

struct vmca_error *vmca_error_dwarf(Dwarf_Debug dbg, Dwarf_Error derr,
				    uint64_t offset)
{
	const char *msg = derr ? dwarf_errmsg(derr) : NULL;
	_cleanup_free_ char *line = strdup(msg ? msg : "libdwarf error");
	if (derr)
		dwarf_dealloc_error(dbg, derr);
	if (!line)
		return &vmca_enomem;
	// One line: libdwarf's messages may hold newlines, runs of spaces
	// and a space before a full stop (and other control characters, if
	// they quote the input).
	char *out = line;
	for (const char *p = line; *p; p++) {
		char c = *p;
		if (c == '\t' || c == '\n' || c == '\r')
			c = ' ';
		else if ((unsigned char)c < 0x20 || c == 0x7f)
			c = '?';
		if (c == ' ' && (out == line || out[-1] == ' '))
			continue;
		if (c == '.' && out > line && out[-1] == ' ')
			out--;
		*out++ = c;
	}
	while (out > line && (out[-1] == ' ' || out[-1] == '.'))
		out--;
	*out = '\0';
	return vmca_error_create(
		VMCA_ERROR_INVALID,
		"corrupt DWARF at .debug_info+%#" PRIx64 ": %s", offset, line);
}

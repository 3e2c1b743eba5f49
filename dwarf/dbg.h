// SPDX-License-Identifier: MIT
/** @file libdwarf's Dwarf_Debug over DWARF sections already in memory. */
#ifndef VMCA_DWARF_DBG_H
#define VMCA_DWARF_DBG_H

#include <libdwarf.h>

#include "internal.h"

/*
 * libdwarf reads the sections through its object access interface, from
 * the ELF mapping (zero copy), and sees only the sections the index needs.
 * Its own ELF reader (dwarf_init_b()) would copy them and apply the
 * .rela.debug_* sections of a vmlinux: 1.6 s and 800 MB for 6.1, to redo
 * what the linker did already (the vmlinux keeps the relocations for
 * KASLR, from --emit-relocs).
 *
 * Thread safety of libdwarf 20210528 (its source, and the data symbols of
 * Debian's libdwarf.a): everything a Dwarf_Debug reads or allocates hangs
 * off it (units, abbreviations, DIEs, attributes, errors), so threads
 * that each use their own Dwarf_Debug do not share state. What is global:
 * - dwarf_set_de_alloc_flag() and dwarf_set_reloc_application(): set
 *   once, by the first vmca_debuginfo_dbg_open(), before any thread;
 * - statics in dwarf_groups.c (the COMDAT section group lookup) that
 *   dwarf_object_init_b() may use: every Dwarf_Debug is opened before
 *   the threads start, and closed after they end;
 * - _dwarf_failsafe_error, the Dwarf_Error handed out when allocating
 *   one fails: only when out of memory;
 * - static buffers in dwarf_line.c and dwarf_print_lines.c, which the
 *   index does not call.
 * No error handler is installed: every call gets its own Dwarf_Error,
 * translated where it returns (without either, libdwarf aborts).
 */

struct vmca_debuginfo_dbg {
	Dwarf_Debug dbg;
	/** libdwarf keeps a pointer to it: it lives as long as dbg. */
	Dwarf_Obj_Access_Interface access;
};

/**
 * Open a Dwarf_Debug on sections (borrowed: they outlive it). Not
 * thread-safe: open all of them before starting threads.
 */
struct vmca_error *
vmca_debuginfo_dbg_open(const struct vmca_debuginfo_dwarf_sections *sections,
			struct vmca_debuginfo_dbg *ret);
/** Close what vmca_debuginfo_dbg_open() opened; accepts a zeroed one. */
void vmca_debuginfo_dbg_close(struct vmca_debuginfo_dbg *d);

/**
 * libdwarf's error where the call returned, as one line: "corrupt DWARF
 * at .debug_info+<offset>: <libdwarf's message>", offset that of the DIE
 * or unit the call was about. Frees derr (dbg is the Dwarf_Debug it came
 * from, or NULL).
 */
struct vmca_error *vmca_error_dwarf(Dwarf_Debug dbg, Dwarf_Error derr,
				    uint64_t offset);

/**
 * libdwarf over a debuginfo's file, opened on demand, and its .debug_frame
 * FDE list (read on the first call, kept); for cfi.c. Borrowed.
 */
struct vmca_error *vmca_debuginfo_ondemand_fdes(struct vmca_debuginfo *di,
						Dwarf_Debug *dbg_ret,
						Dwarf_Fde **fdes_ret);

#endif /* VMCA_DWARF_DBG_H */

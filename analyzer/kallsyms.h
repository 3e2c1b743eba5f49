// SPDX-License-Identifier: MIT
/** @file Symbols as the kernel's own kallsyms reports them (%pS). */
#ifndef VMCA_ANALYZER_KALLSYMS_H
#define VMCA_ANALYZER_KALLSYMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../dwarf/debuginfo_types.h"
#include "util/error.h"

struct vmca_session;

/**
 * The symbol holding address as kallsyms_lookup() of the kernel in hand
 * finds it: for the vmlinux, its start and size from the kallsyms tables
 * in the dump (the size runs to the next kallsyms symbol, padding
 * included, where the ELF symbol's st_size stops at its last byte), its
 * name from the vmlinux's symbols; for a module, its kallsyms
 * (vmca_module_symbol_lookup()). Without kallsyms tables, the ELF
 * symbol. VMCA_ERROR_NOT_FOUND if no symbol holds address.
 */
struct vmca_error *vmca_kallsyms_lookup(struct vmca_session *s,
					uint64_t address,
					struct vmca_symbol *ret);

/**
 * address as the kernel's %pS prints it: "function+0x3c/0x90" (then
 * " [module]"), or "0x..." where no symbol holds it. Returns whether a
 * symbol was found (*sym_ret is then written, if not NULL).
 */
bool vmca_kallsyms_format(struct vmca_session *s, uint64_t address, char *buf,
			  size_t size, struct vmca_symbol *sym_ret);

#endif /* VMCA_ANALYZER_KALLSYMS_H */

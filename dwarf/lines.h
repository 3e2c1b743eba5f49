// SPDX-License-Identifier: MIT
/** @file DWARF read on demand: the scopes at an address (lines.c). */
#ifndef VMCA_DWARF_LINES_H
#define VMCA_DWARF_LINES_H

#include <stdbool.h>
#include <stdint.h>

#include "dbg.h"

struct unit_slot;

/** The scopes holding one address, in one unit read alone. */
struct lookup_scope {
	/** The unit's DIE (scope_open's). */
	Dwarf_Die cu;
	Dwarf_Debug dbg;
	struct unit_slot *unit;
	uint64_t address;
	uint64_t cu_low;
	Dwarf_Half version;
	uint32_t visits;
	/** The subprogram, then each inlined call within, outermost first. */
	Dwarf_Die chain[VMCA_DEBUGINFO_MAX_INLINE];
	size_t nr_chain;
	struct vmca_error *err;
};

/**
 * The unit holding address (link-time), its subprogram and the inlined
 * calls holding address (chain, outermost first); with_locations: its
 * location lists readable too. Close with vmca_debuginfo_scope_close().
 */
struct vmca_error *vmca_debuginfo_scope_open(struct vmca_debuginfo *di,
					     uint64_t address,
					     bool with_locations,
					     struct lookup_scope **ret);
void vmca_debuginfo_scope_close(struct lookup_scope *l);
/** A DIE's name, or its abstract origin's, or its specification's. */
bool vmca_debuginfo_die_name(struct lookup_scope *l, Dwarf_Die die, char *buf,
			     size_t size);
/** Whether a scope's code (low/high pc, or ranges) holds l's address. */
bool vmca_debuginfo_scope_holds(struct lookup_scope *l, Dwarf_Die die);

#endif /* VMCA_DWARF_LINES_H */

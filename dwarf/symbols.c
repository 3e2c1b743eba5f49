// SPDX-License-Identifier: MIT
/** @file Symbol queries on the image: by name (hash), by address (bsearch). */
#include <inttypes.h>
#include <string.h>

#include "internal.h"

// How far back to look for a sized symbol that contains the address when
// the nearest one below does not (labels inside functions).
#define LOOKBACK 16
// Symbols sharing one address that are looked at (_text, startup_64...).
#define MAX_ALIASES 1024

static void fill(struct vmca_debuginfo *di,
		 const struct vmca_debuginfo_csym *sym, struct vmca_symbol *ret)
{
	ret->name = sym->name < di->strings_size ? di->strings + sym->name : "";
	ret->address = sym->address;
	ret->size = sym->size;
	ret->type = sym->type;
	ret->module = NULL;
}

struct vmca_error *vmca_debuginfo_symbol_by_name(struct vmca_debuginfo *di,
						 const char *name,
						 struct vmca_symbol *ret)
{
	if (di->nr_sym_hash) {
		uint32_t hash = vmca_debuginfo_hash_name(0, name);
		uint32_t mask = di->nr_sym_hash - 1;
		uint32_t i = hash & mask;
		for (uint32_t n = 0; n < di->nr_sym_hash;
		     n++, i = (i + 1) & mask) {
			const struct vmca_debuginfo_slot *slot =
				&di->sym_hash[i];
			if (!slot->id)
				break;
			if (slot->hash != hash || slot->id > di->nr_syms)
				continue;
			const struct vmca_debuginfo_csym *sym =
				&di->syms[slot->id - 1];
			if (sym->name < di->strings_size &&
			    strcmp(di->strings + sym->name, name) == 0) {
				fill(di, sym, ret);
				return NULL;
			}
		}
	}
	return vmca_error_create(VMCA_ERROR_NOT_FOUND, "symbol '%s' not found",
				 name);
}

static bool contains(const struct vmca_debuginfo_csym *sym, uint64_t address)
{
	return sym->size && address - sym->address < sym->size;
}

// A size-0 symbol stands for everything up to the next symbol, but not
// beyond the end of its section.
static bool in_section(struct vmca_debuginfo *di,
		       const struct vmca_debuginfo_csym *sym, uint64_t address)
{
	if (sym->address == address)
		return true;
	if (sym->section >= di->nr_elf_sections)
		return false;
	const struct vmca_debuginfo_celfsection *s =
		&di->elf_sections[sym->section];
	return address >= s->address && address - s->address < s->size;
}

struct vmca_error *vmca_debuginfo_symbol_by_address(struct vmca_debuginfo *di,
						    uint64_t address,
						    struct vmca_symbol *ret)
{
	// The last symbol at or below address.
	uint32_t lo = 0, hi = di->nr_syms;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (di->syms[mid].address <= address)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo) {
		uint32_t last = lo - 1;
		uint64_t at = di->syms[last].address;
		const struct vmca_debuginfo_csym *best = NULL;
		// Among symbols at the nearest address: one that contains
		// address (the image sorts globals first), else a size-0
		// one in the same section.
		for (uint32_t i = last + 1, n = 0;
		     i-- > 0 && n < MAX_ALIASES && di->syms[i].address == at;
		     n++) {
			const struct vmca_debuginfo_csym *sym = &di->syms[i];
			if (contains(sym, address)) {
				if (!best || !contains(best, address) ||
				    sym->binding >= best->binding)
					best = sym;
			} else if (!sym->size && in_section(di, sym, address) &&
				   (!best || (!contains(best, address) &&
					      sym->binding >= best->binding))) {
				best = sym;
			}
		}
		for (uint32_t i = last, n = 0; !best && i-- > 0 && n < LOOKBACK;
		     n++) {
			if (contains(&di->syms[i], address))
				best = &di->syms[i];
		}
		if (best) {
			fill(di, best, ret);
			return NULL;
		}
	}
	return vmca_error_create(VMCA_ERROR_NOT_FOUND, "no symbol at %#" PRIx64,
				 address);
}

uint32_t vmca_debuginfo_nr_symbols(const struct vmca_debuginfo *di)
{
	return di->nr_syms;
}

void vmca_debuginfo_symbol_at(struct vmca_debuginfo *di, uint32_t i,
			      struct vmca_symbol *ret)
{
	fill(di, &di->syms[i], ret);
}

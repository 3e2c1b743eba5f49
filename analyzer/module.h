// SPDX-License-Identifier: MIT
/** @file Loaded modules: their memory, state, taint and symbols. */
#ifndef VMCA_ANALYZER_MODULE_H
#define VMCA_ANALYZER_MODULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../dwarf/debuginfo_types.h"
#include "util/error.h"

struct vmca_session;

/** The parts of a module's memory, as enum mod_mem_type orders them. */
enum vmca_module_part {
	VMCA_MODULE_TEXT,
	VMCA_MODULE_DATA,
	VMCA_MODULE_RODATA,
	VMCA_MODULE_RO_AFTER_INIT,
	VMCA_MODULE_INIT_TEXT,
	VMCA_MODULE_INIT_DATA,
	VMCA_MODULE_INIT_RODATA,
	VMCA_MODULE_NR_PARTS,
};

/** "text", "data", "rodata", "ro_after_init", "init_text", ... */
extern const char *const vmca_module_part_names[VMCA_MODULE_NR_PARTS];

struct vmca_module_symbol {
	uint64_t address;
	/**
	 * As the kernel's lookups report it (find_kallsyms_symbol): up to
	 * the next defined symbol, at most to the end of its text part.
	 */
	uint64_t size;
	const char *name;
	/**
	 * /proc/kallsyms' type letter: the module's typetab letter, upper
	 * case if the module exports the symbol, else lower case.
	 */
	char type;
	/** Not undefined (SHN_UNDEF) and not a mapping symbol. */
	bool is_defined;
};

struct vmca_module {
	/** The struct module. */
	uint64_t address;
	char name[64];
	/** "Live", "Loading", "Unloading" or "Unformed", as /proc/modules. */
	const char *state;
	int64_t state_value;
	struct {
		uint64_t base, size;
	} parts[VMCA_MODULE_NR_PARTS];
	/** /proc/modules' size and address. */
	uint64_t size;
	uint64_t core_address;
	/** /proc/modules' flags: taint letters, then '+' loading, '-' going. */
	char flags[24];
	uint64_t taints;
	/** -1 without CONFIG_MODULE_UNLOAD. */
	int64_t refcount;
	/** Its kallsyms (with the init symbols while it is loading), sorted. */
	struct vmca_module_symbol *symbols;
	size_t nr_symbols;
	/** Why the symbols could not be read, or NULL. */
	struct vmca_error *symbols_error;
};

/**
 * The loaded modules, in the order of the kernel's modules list, read on
 * first use and kept for the session (borrowed). A module that cannot be
 * read whole is listed with what was read; an unreadable list is an error.
 */
struct vmca_error *vmca_modules(struct vmca_session *s,
				const struct vmca_module **ret, size_t *nr_ret);

/** The module whose memory holds address, or NULL. */
const struct vmca_module *vmca_module_at(struct vmca_session *s,
					 uint64_t address);

/**
 * The module symbol at or below address within a module's memory
 * (ret->module names the module). VMCA_ERROR_NOT_FOUND if none.
 */
struct vmca_error *vmca_module_symbol_lookup(struct vmca_session *s,
					     uint64_t address,
					     struct vmca_symbol *ret);
/** A module symbol by name ("vmca_oops_evaluate"). */
struct vmca_error *vmca_module_symbol_by_name(struct vmca_session *s,
					      const char *name,
					      struct vmca_symbol *ret);

/* The session's module table (core only). */
struct vmca_module_table;
void vmca_module_table_destroy(struct vmca_module_table *t);
/** The session's table, NULL until vmca_modules() built it (session.c). */
struct vmca_module_table **vmca_session_module_table(struct vmca_session *s);

#endif /* VMCA_ANALYZER_MODULE_H */

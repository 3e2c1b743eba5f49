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

/** Where the loader put one of a module's sections (mod->sect_attrs). */
struct vmca_module_section {
	const char *name;
	uint64_t address;
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
	/** Its sections, as /sys/module/NAME/sections/ shows them. */
	struct vmca_module_section *sections;
	size_t nr_sections;
	/** Why they could not be read, or NULL. */
	struct vmca_error *sections_error;
	/** The loaded .note.gnu.build-id as hex, "" if none was found. */
	char build_id[2 * 64 + 1];
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

/**
 * A module's kallsyms from the bytes of its tables, as the modules list
 * reads them (the byte-level part, for tests and fuzzing): symtab, n
 * Elf64_Sym; types, n typetab letters or NULL; each name through
 * read_name (st_name: its offset in the strtab; an error skips the
 * symbol); exported, nr_exported sorted names of the symbols the module
 * exports. m's text parts bound the sizes. On success writes m->symbols
 * (sorted) and m->nr_symbols, and *strings_ret, the pool of their names;
 * both are the caller's to free.
 */
struct vmca_error *vmca_module_parse_symbols(
	struct vmca_module *m, const unsigned char *symtab, uint32_t n,
	const char *types,
	struct vmca_error *(*read_name)(void *arg, uint32_t st_name, char *buf,
					size_t size),
	void *arg, char *const *exported, size_t nr_exported,
	char **strings_ret);

/* Module debuginfo (module_debuginfo.c). */

struct vmca_debuginfo;

/**
 * Find the file of a loaded module's debuginfo: in -m's directories (by
 * default /lib/modules/RELEASE, then /usr/lib/debug/lib/modules/RELEASE),
 * DIR/.build-id/xx/yyyy.debug by the loaded module's build-id, else
 * NAME.ko.debug, else NAME.ko anywhere below DIR ('-' and '_' alike). A
 * file without DWARF is passed over; one whose build-id differs from the
 * loaded module's is skipped with a warning. Cheap: no DWARF is read.
 * VMCA_ERROR_NOT_FOUND if there is none. *path_ret is borrowed.
 */
struct vmca_error *vmca_module_debuginfo_locate(struct vmca_session *s,
						const struct vmca_module *m,
						const char **path_ret);
/**
 * The module's debuginfo, located as above, indexed (and cached) as
 * loaded: relocated to where the dump says its sections are, so every
 * address it gives is a load address. Its types join the session's with
 * ids of their own: add *type_base_ret to the debuginfo's ids. Opened on
 * first use and kept (borrowed).
 */
struct vmca_error *vmca_module_debuginfo(struct vmca_session *s,
					 const struct vmca_module *m,
					 struct vmca_debuginfo **di_ret,
					 uint32_t *type_base_ret);
struct vmca_variable;
/**
 * A module's global variable: its address from the module's kallsyms, its
 * type from the module's debuginfo (VMCA_ERROR_NOT_FOUND without one).
 */
struct vmca_error *vmca_module_variable(struct vmca_session *s,
					const char *name,
					struct vmca_variable *ret);
/** Open the debuginfo of every loaded module that has some; how many. */
size_t vmca_module_debuginfo_load_all(struct vmca_session *s);

struct vmca_module_debuginfo_table;
void vmca_module_debuginfo_table_destroy(struct vmca_module_debuginfo_table *t);
/** The session's table (session.c), NULL until first used. */
struct vmca_module_debuginfo_table **
vmca_session_module_debuginfo_table(struct vmca_session *s);

/* The session's module table (core only). */
struct vmca_module_table;
void vmca_module_table_destroy(struct vmca_module_table *t);
/** The session's table, NULL until vmca_modules() built it (session.c). */
struct vmca_module_table **vmca_session_module_table(struct vmca_session *s);

#endif /* VMCA_ANALYZER_MODULE_H */

// SPDX-License-Identifier: MIT
/** @file vmlinux debug information: ELF symbols and DWARF types, cached. */
#ifndef VMCA_DWARF_DEBUGINFO_H
#define VMCA_DWARF_DEBUGINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../analyzer/util/error.h"
#include "debuginfo_types.h"

/*
 * A vmca_debuginfo answers every question from a compact on-disk cache of
 * the vmlinux's symbols and types, keyed by the vmlinux GNU build-id. The
 * first open of a vmlinux walks its DWARF once with libdwarf and writes the
 * cache; later opens mmap the cache and never touch libdwarf.
 *
 * Types are identified by a uint32_t id, valid for the lifetime of the
 * vmca_debuginfo. Id 0 is "void". Addresses are the link-time addresses of
 * the vmlinux (not relocated by KASLR: the caller adds the offset).
 */

struct vmca_debuginfo;

/**
 * Open the vmlinux at path (read-only). cache_dir is where the index cache
 * lives (created if missing; NULL disables the cache). Errors name the file:
 * missing, not ELF, no .debug_info ("vmlinux without debuginfo"), corrupt.
 * A damaged or foreign cache file is ignored and rebuilt, never trusted.
 */
struct vmca_error *vmca_debuginfo_create(const char *path,
					 const char *cache_dir,
					 struct vmca_debuginfo **ret);
void vmca_debuginfo_destroy(struct vmca_debuginfo *di);

/**
 * As vmca_debuginfo_create(), but the types from the vmlinux's BTF (its
 * .BTF section, parsed by libbpf) and the symbols from its ELF symbol
 * table: no DWARF is read, so a vmlinux without debuginfo will do. What
 * only DWARF has is missing: variables (but BTF's per-CPU ones), units,
 * lines and scopes. Cached apart from the DWARF index.
 */
struct vmca_error *vmca_debuginfo_create_btf(const char *path,
					     const char *cache_dir,
					     struct vmca_debuginfo **ret);
/** Whether di's types came from BTF. */
bool vmca_debuginfo_is_btf(const struct vmca_debuginfo *di);

/** Where a section of a module was loaded. */
struct vmca_debuginfo_section_load {
	const char *name;
	uint64_t address;
};

/**
 * Open a module's debuginfo (a relocatable ELF file: NAME.ko, or its
 * separate .debug) as loaded: loads says where each of its allocated
 * sections is in the dump (a section it does not name was not loaded).
 * Its DWARF is relocated there, and every address it answers (symbols,
 * units, lines) is a load address, final: no KASLR offset to add. The
 * cache file is keyed by the build-id and the load addresses.
 */
struct vmca_error *
vmca_debuginfo_create_module(const char *path, const char *cache_dir,
			     const struct vmca_debuginfo_section_load *loads,
			     size_t nr_loads, struct vmca_debuginfo **ret);

/** What a quick look at an ELF file tells (no DWARF read). */
struct vmca_debuginfo_file_info {
	/** The GNU build-id as lowercase hex, "" if none. */
	char build_id[2 * 64 + 1];
	/** Whether it has a .debug_info section. */
	bool has_debug_info;
};

/** Read path's build-id and whether it has DWARF. Errors name the file. */
struct vmca_error *
vmca_debuginfo_file_probe(const char *path,
			  struct vmca_debuginfo_file_info *ret);

/** The GNU build-id as lowercase hex (borrowed). "" if the ELF has none. */
const char *vmca_debuginfo_build_id(const struct vmca_debuginfo *di);
/**
 * The ELF machine as libkdumpfile's arch.name spells it: "x86_64",
 * "aarch64", "s390x", "ppc64", "ia32"... (from e_machine, also cached).
 */
const char *vmca_debuginfo_machine(const struct vmca_debuginfo *di);
/** The ELF file it was opened from (borrowed). */
const char *vmca_debuginfo_path(const struct vmca_debuginfo *di);
/** Whether this open built the cache (cold) or loaded it (warm). */
bool vmca_debuginfo_was_cached(const struct vmca_debuginfo *di);

/* Symbols (ELF .symtab). */

/** Find a symbol by exact name (globals preferred over locals). */
struct vmca_error *vmca_debuginfo_symbol_by_name(struct vmca_debuginfo *di,
						 const char *name,
						 struct vmca_symbol *ret);
/**
 * The symbol containing address (or the nearest one below it, within the
 * same section, if sizes are 0). VMCA_ERROR_NOT_FOUND if none.
 */
struct vmca_error *vmca_debuginfo_symbol_by_address(struct vmca_debuginfo *di,
						    uint64_t address,
						    struct vmca_symbol *ret);

/** Number of symbols; vmca_debuginfo_symbol_at() reads symbol i below it
 *  (link-time addresses). */
uint32_t vmca_debuginfo_nr_symbols(const struct vmca_debuginfo *di);
void vmca_debuginfo_symbol_at(struct vmca_debuginfo *di, uint32_t i,
			      struct vmca_symbol *ret);

/* Types. */

/**
 * Look up a type by C name: "struct task_struct", "union thread_union",
 * "enum zone_type", a typedef or base type ("pg_data_t", "unsigned long").
 * A bare name that is no typedef or base type also matches a struct, union
 * or enum of that name, in that order. Definitions are preferred over
 * declarations. VMCA_ERROR_NOT_FOUND names the type.
 */
struct vmca_error *vmca_debuginfo_find_type(struct vmca_debuginfo *di,
					    const char *name, uint32_t *ret);

/** Number of type ids: every id is below it. */
uint32_t vmca_debuginfo_nr_types(const struct vmca_debuginfo *di);

/** Describe type id. Never fails for an id the API returned. */
void vmca_debuginfo_type(struct vmca_debuginfo *di, uint32_t id,
			 struct vmca_type *ret);

/** Member i (0 <= i < count) of a struct or union. */
void vmca_debuginfo_member(struct vmca_debuginfo *di, uint32_t id, uint32_t i,
			   struct vmca_member *ret);

/** Enumerator i of an enum. */
void vmca_debuginfo_enumerator(struct vmca_debuginfo *di, uint32_t id,
			       uint32_t i, const char **name_ret,
			       int64_t *value_ret);

/** Parameter i of a function type: its type. */
uint32_t vmca_debuginfo_parameter(struct vmca_debuginfo *di, uint32_t id,
				  uint32_t i);

/** Strip typedefs and const/volatile/restrict qualifiers. */
uint32_t vmca_debuginfo_unqualified(struct vmca_debuginfo *di, uint32_t id);

/**
 * Resolve a member path within a struct/union type (typedefs and
 * qualifiers of id are stripped first): "pid", "se.vruntime",
 * "rss_stat.count[1]", "thread_info.flags". Members of anonymous structs
 * and unions are found as if they were direct members. Array subscripts
 * add index * element size. On success *ret describes the final member
 * with bit_offset counted from the start of id.
 */
struct vmca_error *vmca_debuginfo_member_path(struct vmca_debuginfo *di,
					      uint32_t id, const char *path,
					      struct vmca_member *ret);

/**
 * The C spelling of a type, e.g. "struct list_head *", "char [16]",
 * "void (*)(struct work_struct *)", "const unsigned long". If var_name is
 * non-NULL it is placed where a declarator goes ("char comm[16]").
 * Writes at most size bytes (always NUL-terminated); returns the length
 * the full string needs, like snprintf.
 */
size_t vmca_debuginfo_type_name(struct vmca_debuginfo *di, uint32_t id,
				const char *var_name, char *buf, size_t size);

/* DWARF read on demand. */

/**
 * The function, the inlined calls and the file:line at a link-time
 * address, from DWARF read on demand: the first call opens the ELF file
 * and libdwarf (a warm open never does), each reads only the compilation
 * unit holding address (the index's table of .debug_aranges) and its line
 * table. VMCA_ERROR_NOT_FOUND if no unit or line holds address.
 */
struct vmca_error *vmca_debuginfo_pc_lookup(struct vmca_debuginfo *di,
					    uint64_t address,
					    struct vmca_debuginfo_pc *ret);

/** An ELF section's contents, as the file holds them. */
struct vmca_debuginfo_section {
	/** NULL (and size 0) for a section without contents (NOBITS). */
	const uint8_t *data;
	uint64_t size;
	/** sh_addr: the link-time address (KASLR not applied). */
	uint64_t address;
	bool is_nobits;
};

/**
 * A section of the ELF file by name (".orc_unwind_ip"), read on demand:
 * the first call maps the file (a warm open never does); the bytes stay
 * valid as long as di. VMCA_ERROR_NOT_FOUND if the file has none.
 */
struct vmca_error *vmca_debuginfo_section(struct vmca_debuginfo *di,
					  const char *name,
					  struct vmca_debuginfo_section *ret);

/** How a register of the caller is found (DWARF CFI). */
enum vmca_debuginfo_cfi_kind {
	/** Its value is the same as in the callee. */
	VMCA_CFI_SAME,
	/** Not recoverable. */
	VMCA_CFI_UNDEFINED,
	/** Saved in memory at CFA + offset. */
	VMCA_CFI_OFFSET,
	/** Its value is CFA + offset. */
	VMCA_CFI_VAL_OFFSET,
	/** Its value is in register reg of the callee. */
	VMCA_CFI_REGISTER,
	/** A DWARF expression, not evaluated. */
	VMCA_CFI_UNSUPPORTED,
};

struct vmca_debuginfo_cfi_rule {
	enum vmca_debuginfo_cfi_kind kind;
	int64_t offset;
	uint32_t reg;
};

/** DWARF register columns covered: x86_64's 0-15 and the return address. */
#define VMCA_DEBUGINFO_CFI_REGS 17

/** The row of the CFI table at an address. */
struct vmca_debuginfo_cfi_row {
	/** The CFA is register cfa_reg (DWARF numbering) + cfa_offset. */
	uint32_t cfa_reg;
	int64_t cfa_offset;
	struct vmca_debuginfo_cfi_rule regs[VMCA_DEBUGINFO_CFI_REGS];
	/** [function_low, function_high): the FDE's range. */
	uint64_t function_low, function_high;
};

/**
 * The CFI rules at a link-time address (a module's: its load address),
 * from .debug_frame, read on demand through libdwarf.
 * VMCA_ERROR_NOT_FOUND if no FDE covers it or its CFA is an expression.
 */
struct vmca_error *vmca_debuginfo_cfi(struct vmca_debuginfo *di,
				      uint64_t address,
				      struct vmca_debuginfo_cfi_row *ret);

/** Where a variable is at an address of its function, evaluated. */
enum vmca_debuginfo_loc {
	/** No location there: the compiler did not keep it. */
	VMCA_LOC_OPTIMIZED_OUT,
	/** Its location needs a register or memory this frame lacks. */
	VMCA_LOC_UNKNOWN,
	/** An expression vmca does not evaluate (reason says which). */
	VMCA_LOC_UNSUPPORTED,
	/** In memory at address. */
	VMCA_LOC_ADDRESS,
	/** The value itself (registers, stack values, pieces): bytes. */
	VMCA_LOC_BYTES,
};

struct vmca_debuginfo_variable {
	char name[128];
	bool is_parameter;
	/** The function (inlined or not) whose variable it is (borrowed). */
	const char *function;
	/** 0: the innermost function at the address, 1 the one it is
	 *  inlined into... */
	size_t scope;
	/**
	 * Its type as the session can find it by name ("struct
	 * oom_control", "long int", "pid_t") with pointer_depth pointers to
	 * it; "" for an array, a function or an anonymous type.
	 */
	char type_name[256];
	int pointer_depth;
	/** The size of the type (of the pointer, if pointer_depth). */
	uint64_t type_size;
	enum vmca_debuginfo_loc loc;
	/**
	 * At the address, the value is DWARF register regno's (DW_OP_regN,
	 * or DW_OP_bregN 0 with DW_OP_stack_value), whether or not the frame
	 * knows that register: where data flow analyses find it.
	 */
	bool is_register;
	unsigned regno;
	uint64_t address;
	uint8_t bytes[64];
	size_t nr_bytes;
	/** Why it is not there, for the LOC_UNKNOWN ones and the like. */
	char reason[128];
};

/** What evaluating a frame's locations may read. */
struct vmca_debuginfo_frame_access {
	void *arg;
	/** A register of the frame by DWARF number; false if unknown. */
	bool (*reg)(void *arg, unsigned regno, uint64_t *ret);
	/** Memory of the dump; false if it cannot be read. */
	bool (*read)(void *arg, uint64_t address, void *buf, size_t size);
	/** The frame's CFA (its caller's stack pointer before the call). */
	bool has_cfa;
	uint64_t cfa;
	/** Added to DW_OP_addr's addresses: the KASLR offset (vmlinux). */
	uint64_t address_bias;
};

/**
 * Every parameter and variable in scope at a link-time address (a
 * module's: its load address), innermost function first, with its
 * location evaluated through acc: fn(arg, v) for each. DWARF read on
 * demand (the unit alone, with its location lists).
 */
struct vmca_error *vmca_debuginfo_frame_variables(
	struct vmca_debuginfo *di, uint64_t address,
	const struct vmca_debuginfo_frame_access *acc,
	void (*fn)(void *arg, const struct vmca_debuginfo_variable *v),
	void *arg);

/* Variables. */

/**
 * The type of a global variable (a DW_TAG_variable with a definition;
 * failing that, an extern declaration: jiffies is defined by the linker
 * script). Its address comes from the symbol table.
 */
struct vmca_error *vmca_debuginfo_variable_type(struct vmca_debuginfo *di,
						const char *name,
						uint32_t *ret);

#endif /* VMCA_DWARF_DEBUGINFO_H */

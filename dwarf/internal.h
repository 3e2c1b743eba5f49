// SPDX-License-Identifier: MIT
/** @file Internals of dwarf/: the cache image format, the builder, readers. */
#ifndef VMCA_DWARF_INTERNAL_H
#define VMCA_DWARF_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../analyzer/util/error.h"
#include "../analyzer/util/vector.h"
#include "debuginfo.h"

/*
 * The cache image. One format serves both paths: a cold open builds the
 * image in memory (and writes it to the cache file), a warm open maps the
 * file. Queries read only the image, so cold and warm answers are the same
 * by construction. All records are host-endian; byte_order rejects a file
 * from a foreign host. A warm open checks the header, the section table
 * and a checksum of the whole file (read through a buffer, not the
 * mapping, so that it costs no resident memory), then maps it: nothing is
 * parsed or indexed at load, the hash tables are in the file. Every index
 * read from the image is still bounds-checked when it is used, so that a
 * crafted file with a valid checksum cannot make a query misbehave.
 */

#define VMCA_DEBUGINFO_MAGIC	      "VMCAIDX"
#define VMCA_DEBUGINFO_FORMAT_VERSION 4
#define VMCA_DEBUGINFO_BYTE_ORDER     0x01020304u
#define VMCA_DEBUGINFO_BUILD_ID_MAX   64
/** Image sizes are a multiple of this, for the checksum's block size. */
#define VMCA_DEBUGINFO_IMAGE_ALIGN 32

enum vmca_debuginfo_section_id {
	VMCA_DEBUGINFO_STRINGS,
	VMCA_DEBUGINFO_TYPES,
	VMCA_DEBUGINFO_MEMBERS,
	VMCA_DEBUGINFO_ENUMERATORS,
	VMCA_DEBUGINFO_PARAMS,
	VMCA_DEBUGINFO_TYPE_HASH,
	VMCA_DEBUGINFO_VARS,
	VMCA_DEBUGINFO_VAR_HASH,
	VMCA_DEBUGINFO_SYMS,
	VMCA_DEBUGINFO_SYM_HASH,
	VMCA_DEBUGINFO_ELF_SECTIONS,
	VMCA_DEBUGINFO_PC_UNITS,
	VMCA_DEBUGINFO_NR_SECTIONS,
};

struct vmca_debuginfo_header {
	char magic[8];
	uint32_t version;
	uint32_t byte_order;
	uint64_t file_size;
	uint64_t vmlinux_size;
	/** Over the whole image with this field read as 0. */
	uint64_t checksum;
	uint32_t build_id_size;
	uint32_t nr_sections;
	/** The vmlinux's e_machine and EI_CLASS. */
	uint16_t elf_machine;
	uint8_t elf_class;
	uint8_t reserved[5];
	uint8_t build_id[VMCA_DEBUGINFO_BUILD_ID_MAX];
	struct {
		uint64_t offset;
		uint64_t size;
	} sections[VMCA_DEBUGINFO_NR_SECTIONS];
};

enum {
	VMCA_DEBUGINFO_SIGNED = 1 << 0,
	VMCA_DEBUGINFO_CHAR = 1 << 1,
	VMCA_DEBUGINFO_BOOL = 1 << 2,
	VMCA_DEBUGINFO_DECLARATION = 1 << 3,
	VMCA_DEBUGINFO_VARIADIC = 1 << 4,
	/** FUNCTION: "(void)" rather than "()" when it has no parameters. */
	VMCA_DEBUGINFO_PROTOTYPED = 1 << 5,
};

/** A type. Id 0 is void; ids index the TYPES section. */
struct vmca_debuginfo_ctype {
	/** Offset in STRINGS; 0 (the empty string) if anonymous. */
	uint32_t name;
	uint8_t kind; /**< enum vmca_type_kind */
	uint8_t flags;
	uint16_t reserved;
	uint32_t target;
	uint32_t count;
	/** First member, enumerator or parameter. */
	uint32_t first;
	uint32_t reserved2;
	/**
	 * Bytes for INT, FLOAT, POINTER, STRUCT, UNION, ENUM; the element
	 * count for ARRAY; unused for the others (their size is derived).
	 */
	uint64_t size;
};

struct vmca_debuginfo_cmember {
	uint32_t name;
	uint32_t type;
	uint64_t bit_offset;
	uint32_t bit_size;
	uint32_t reserved;
};

struct vmca_debuginfo_cenum {
	uint32_t name;
	uint32_t reserved;
	/** The value's bits; the enum's signedness says how to read them. */
	uint64_t value;
};

struct vmca_debuginfo_cvar {
	uint32_t name;
	uint32_t type;
};

enum {
	VMCA_DEBUGINFO_SYM_LOCAL,
	VMCA_DEBUGINFO_SYM_WEAK,
	VMCA_DEBUGINFO_SYM_GLOBAL,
};

#define VMCA_DEBUGINFO_NO_SECTION 0xffff

/** SYMS is sorted by address. */
struct vmca_debuginfo_csym {
	uint64_t address;
	uint64_t size;
	uint32_t name;
	/** Index in ELF_SECTIONS, or VMCA_DEBUGINFO_NO_SECTION. */
	uint16_t section;
	char type;
	/** VMCA_DEBUGINFO_SYM_*: which of two same-named symbols wins. */
	uint8_t binding;
};

/**
 * PC_UNITS, sorted by lo: the address ranges of each compilation unit
 * (.debug_aranges), and where its DIE is in .debug_info.
 */
struct vmca_debuginfo_cpcunit {
	uint64_t lo, hi; /**< [lo, hi) */
	uint64_t die_offset;
};

/** An ELF section's address range (size 0 if it is not allocated). */
struct vmca_debuginfo_celfsection {
	uint64_t address;
	uint64_t size;
};

/**
 * An open-addressing hash table slot (linear probing, power-of-two size).
 * id 0 is an empty slot; for TYPE_HASH it is a type id, for VAR_HASH and
 * SYM_HASH an index + 1.
 */
struct vmca_debuginfo_slot {
	uint32_t hash;
	uint32_t id;
};

/** TYPE_HASH namespaces: C keeps struct, union and enum tags apart. */
enum {
	VMCA_DEBUGINFO_NS_ORDINARY, /**< typedefs and base types */
	VMCA_DEBUGINFO_NS_STRUCT,
	VMCA_DEBUGINFO_NS_UNION,
	VMCA_DEBUGINFO_NS_ENUM,
};

/** The namespace a named type of this kind is found in, or -1. */
static inline int vmca_debuginfo_kind_ns(unsigned kind)
{
	switch (kind) {
	case VMCA_TYPE_STRUCT:
		return VMCA_DEBUGINFO_NS_STRUCT;
	case VMCA_TYPE_UNION:
		return VMCA_DEBUGINFO_NS_UNION;
	case VMCA_TYPE_ENUM:
		return VMCA_DEBUGINFO_NS_ENUM;
	case VMCA_TYPE_TYPEDEF:
	case VMCA_TYPE_INT:
	case VMCA_TYPE_FLOAT:
		return VMCA_DEBUGINFO_NS_ORDINARY;
	default:
		return -1;
	}
}

/** The hash of a name in a namespace; part of the file format. */
static inline uint32_t vmca_debuginfo_hash_name(uint32_t ns, const char *s)
{
	// FNV-1a, then a finalizer so that the low bits used for the slot
	// index depend on every byte.
	uint32_t h = 2166136261u ^ (ns * 0x9e3779b9u);
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 16777619u;
	}
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	return h;
}

/** The view of an image that queries use. */
struct vmca_debuginfo {
	char build_id[2 * VMCA_DEBUGINFO_BUILD_ID_MAX + 1];
	/** libkdumpfile's name of the architecture, or "". */
	const char *machine;
	bool was_cached;
	/** Types from BTF, not DWARF (vmca_debuginfo_create_btf()). */
	bool is_btf;

	/** Either a heap buffer or a read-only mapping of the cache file. */
	void *image;
	size_t image_size;
	bool image_is_mapped;

	const char *strings;
	uint64_t strings_size;
	const struct vmca_debuginfo_ctype *types;
	uint32_t nr_types;
	const struct vmca_debuginfo_cmember *members;
	uint32_t nr_members;
	const struct vmca_debuginfo_cenum *enumerators;
	uint32_t nr_enumerators;
	const uint32_t *params;
	uint32_t nr_params;
	const struct vmca_debuginfo_slot *type_hash;
	uint32_t nr_type_hash;
	const struct vmca_debuginfo_cvar *vars;
	uint32_t nr_vars;
	const struct vmca_debuginfo_slot *var_hash;
	uint32_t nr_var_hash;
	const struct vmca_debuginfo_csym *syms;
	uint32_t nr_syms;
	const struct vmca_debuginfo_slot *sym_hash;
	uint32_t nr_sym_hash;
	const struct vmca_debuginfo_celfsection *elf_sections;
	uint32_t nr_elf_sections;
	const struct vmca_debuginfo_cpcunit *pc_units;
	uint32_t nr_pc_units;
	/** The ELF file, for DWARF read on demand (lines.c). */
	char *path;
	/** A module's load addresses (names owned), for the same. */
	struct vmca_debuginfo_section_load *loads;
	size_t nr_loads;
	struct vmca_debuginfo_ondemand *ondemand;
};

/* cache.c: the image on disk. */

/**
 * Check an image's header and section table, and its checksum if
 * verify_checksum, against the expected build-id and vmlinux size
 * (expected_build_id NULL: accept any). On success point di's views into
 * image (which the caller keeps alive). VMCA_ERROR_INVALID says why not.
 */
struct vmca_error *vmca_debuginfo_cache_attach(struct vmca_debuginfo *di,
					       const void *image, size_t size,
					       const uint8_t *expected_build_id,
					       size_t build_id_size,
					       uint64_t vmlinux_size,
					       bool verify_checksum);

/**
 * Map the cache file at path read-only and attach it to di (the mapping
 * then belongs to di). Any problem is an error; the caller rebuilds.
 */
struct vmca_error *vmca_debuginfo_cache_load(struct vmca_debuginfo *di,
					     const char *path,
					     const uint8_t *build_id,
					     size_t build_id_size,
					     uint64_t vmlinux_size);

/** Write image to path atomically (a temporary file, then rename). */
struct vmca_error *vmca_debuginfo_cache_write(const char *path,
					      const void *image, size_t size);

/** The image checksum (size a multiple of VMCA_DEBUGINFO_IMAGE_ALIGN). */
uint64_t vmca_debuginfo_cache_checksum(const void *image, size_t size);

/**
 * Open a debuginfo straight from an image in memory (copied), for the
 * fuzzer and tests. The checksum is only checked if verify_checksum.
 */
struct vmca_error *
vmca_debuginfo_create_from_image(const void *image, size_t size,
				 bool verify_checksum,
				 struct vmca_debuginfo **ret);

/**
 * Build a debuginfo from an ELF image in memory (copied), as a cold open
 * would, without a cache: for the fuzzer. Errors name it name.
 */
struct vmca_error *
vmca_debuginfo_create_from_memory(const void *data, size_t size,
				  const char *name,
				  struct vmca_debuginfo **ret);

/**
 * Open a debuginfo from a BTF blob in memory (types only: no symbols), as
 * the no-vmlinux mode will from the kernel's own BTF and the BTF fuzzer
 * does; errors name it name.
 */
struct vmca_error *vmca_debuginfo_create_from_btf(const void *data, size_t size,
						  const char *name,
						  struct vmca_debuginfo **ret);

/* builder.c: the tables a cold open fills, then lays out as an image. */

DEFINE_VECTOR(vmca_debuginfo_char_vector, char)
DEFINE_VECTOR(vmca_debuginfo_u32_vector, uint32_t)
DEFINE_VECTOR(vmca_debuginfo_type_vector, struct vmca_debuginfo_ctype)
DEFINE_VECTOR(vmca_debuginfo_member_vector, struct vmca_debuginfo_cmember)
DEFINE_VECTOR(vmca_debuginfo_enum_vector, struct vmca_debuginfo_cenum)
DEFINE_VECTOR(vmca_debuginfo_var_vector, struct vmca_debuginfo_cvar)
DEFINE_VECTOR(vmca_debuginfo_sym_vector, struct vmca_debuginfo_csym)
DEFINE_VECTOR(vmca_debuginfo_elfsection_vector,
	      struct vmca_debuginfo_celfsection)
DEFINE_VECTOR(vmca_debuginfo_u8_vector, uint8_t)
DEFINE_VECTOR(vmca_debuginfo_pcunit_vector, struct vmca_debuginfo_cpcunit)

/** A growable open-addressing set of ids; what an id means is the user's. */
struct vmca_debuginfo_idset {
	struct vmca_debuginfo_slot *slots;
	uint32_t nr_slots; /**< 0 or a power of two */
	uint32_t count;
};

struct vmca_debuginfo_builder {
	struct vmca_debuginfo_char_vector strings;
	struct vmca_debuginfo_idset string_set;
	struct vmca_debuginfo_type_vector types;
	struct vmca_debuginfo_member_vector members;
	struct vmca_debuginfo_enum_vector enumerators;
	struct vmca_debuginfo_u32_vector params;
	/**
	 * (namespace, name) -> the first definition (or base type) of that
	 * name: the fast path of deduplication.
	 */
	struct vmca_debuginfo_idset named;
	/**
	 * (namespace, name, size, line) -> a definition. Drivers reuse names
	 * ("struct priv", even "struct console"); the line of the definition
	 * tells them apart cheaply: a header's struct has the same line in
	 * every unit.
	 */
	struct vmca_debuginfo_idset defs;
	/** (namespace, name) -> the placeholder of a declared struct. */
	struct vmca_debuginfo_idset decls;
	/** Per type: DW_AT_decl_line of its definition (0 if none). */
	struct vmca_debuginfo_u32_vector decl_lines;
	/** Per type: how many DIEs define it; the most used definition of a
	 *  name is the one find_type() returns. */
	struct vmca_debuginfo_u32_vector uses;
	/** Hash-consed pointer, qualifier, array and function types. */
	struct vmca_debuginfo_idset derived;
	struct vmca_debuginfo_var_vector vars;
	/** Per var: its VMCA_DEBUGINFO_VAR_* rank; a higher one replaces. */
	struct vmca_debuginfo_u8_vector var_rank;
	struct vmca_debuginfo_idset var_set;
	struct vmca_debuginfo_sym_vector syms;
	struct vmca_debuginfo_elfsection_vector elf_sections;
	struct vmca_debuginfo_pcunit_vector pc_units;
};

struct vmca_error *
vmca_debuginfo_builder_create(struct vmca_debuginfo_builder **ret);
void vmca_debuginfo_builder_destroy(struct vmca_debuginfo_builder *b);

/** Intern s (NULL or "" is offset 0). */
struct vmca_error *
vmca_debuginfo_builder_intern(struct vmca_debuginfo_builder *b, const char *s,
			      uint32_t *ret);

/** Append a type with the given kind and name (interned); *ret its id. */
struct vmca_error *
vmca_debuginfo_builder_add_type(struct vmca_debuginfo_builder *b, unsigned kind,
				const char *name, uint32_t *ret);

/** The first definition (or base type) named name in namespace ns, or 0. */
uint32_t vmca_debuginfo_builder_find_named(struct vmca_debuginfo_builder *b,
					   int ns, const char *name);
/** Make the (named) type id the first of its name. */
struct vmca_error *
vmca_debuginfo_builder_set_named(struct vmca_debuginfo_builder *b, uint32_t id);
/** A definition of that name, size and line in namespace ns, or 0. */
uint32_t vmca_debuginfo_builder_find_def(struct vmca_debuginfo_builder *b,
					 int ns, const char *name,
					 uint64_t size, uint32_t line);
/** Index a definition (kind, name, size and decl_lines[id] set). */
struct vmca_error *
vmca_debuginfo_builder_add_def(struct vmca_debuginfo_builder *b, uint32_t id);
/** The declaration placeholder for a struct, union or enum name, or 0. */
uint32_t vmca_debuginfo_builder_find_decl(struct vmca_debuginfo_builder *b,
					  int ns, const char *name);
struct vmca_error *
vmca_debuginfo_builder_add_decl(struct vmca_debuginfo_builder *b, uint32_t id);

/*
 * Deduplication of named types, shared by the DWARF walk and the merge of
 * two builders, so that both decide alike. uses is how many DIEs the
 * caller saw define the type (1 for one DIE); *is_new_ret says whether
 * the type was made now, its contents still to be filled in.
 */

/**
 * The definition of a struct, union or enum (kind) of this name, byte
 * size and DW_AT_decl_line. Drivers reuse names ("struct priv", 6.12's
 * 40-byte "struct console"): the line tells the layouts apart cheaply, as
 * a header's struct has the same line in every unit.
 */
struct vmca_error *
vmca_debuginfo_builder_named_def(struct vmca_debuginfo_builder *b,
				 unsigned kind, const char *name, uint64_t size,
				 uint32_t line, uint32_t uses, uint32_t *id_ret,
				 bool *is_new_ret);
/**
 * The placeholder of a declared struct, union or enum name; serialization
 * points it to the definition the name stands for.
 */
struct vmca_error *
vmca_debuginfo_builder_named_decl(struct vmca_debuginfo_builder *b,
				  unsigned kind, const char *name,
				  uint32_t *ret);
/** A typedef (of this DW_AT_decl_line), or the base type of its name. */
struct vmca_error *
vmca_debuginfo_builder_typedef(struct vmca_debuginfo_builder *b,
			       const char *name, uint32_t line, uint32_t uses,
			       uint32_t *id_ret, bool *is_new_ret);
/**
 * A base type (INT or FLOAT; flags VMCA_DEBUGINFO_SIGNED...): the first
 * type of its name if there is one, else a new one. name is canonical
 * ("unsigned long"), or NULL.
 */
struct vmca_error *vmca_debuginfo_builder_base(struct vmca_debuginfo_builder *b,
					       unsigned kind, const char *name,
					       uint8_t flags, uint64_t size,
					       uint32_t *ret);

/**
 * The pointer (size bytes), const, volatile, restrict or array (size =
 * element count) type of target, made if it does not exist yet.
 */
struct vmca_error *
vmca_debuginfo_builder_derived(struct vmca_debuginfo_builder *b, unsigned kind,
			       uint32_t target, uint64_t size, uint32_t *ret);

/** The function type returning ret_type with these parameters. */
struct vmca_error *vmca_debuginfo_builder_function(
	struct vmca_debuginfo_builder *b, uint32_t ret_type, uint8_t flags,
	const uint32_t *params, uint32_t nr_params, uint32_t *ret);

/** Give type id its members (copied). */
struct vmca_error *vmca_debuginfo_builder_set_members(
	struct vmca_debuginfo_builder *b, uint32_t id,
	const struct vmca_debuginfo_cmember *members, uint32_t count);
/** Give type id its enumerators (copied). */
struct vmca_error *vmca_debuginfo_builder_set_enumerators(
	struct vmca_debuginfo_builder *b, uint32_t id,
	const struct vmca_debuginfo_cenum *e, uint32_t count);

/** The size of a type in the builder (typedefs followed, bounded). */
uint64_t vmca_debuginfo_builder_type_size(struct vmca_debuginfo_builder *b,
					  uint32_t id);

/** Which of two variables of one name wins: the higher rank. */
enum {
	/** Only an extern declaration (jiffies: the linker script defines it).
	 */
	VMCA_DEBUGINFO_VAR_DECLARATION,
	VMCA_DEBUGINFO_VAR_STATIC,
	VMCA_DEBUGINFO_VAR_EXTERNAL,
};

/** Whether a variable of that name is known, and its rank. */
bool vmca_debuginfo_builder_find_var(struct vmca_debuginfo_builder *b,
				     const char *name, uint8_t *rank_ret);
/** Record (or replace) a variable's type. */
struct vmca_error *
vmca_debuginfo_builder_set_var(struct vmca_debuginfo_builder *b,
			       const char *name, uint32_t type, uint8_t rank);

/**
 * Move what src has into dst, deduplicating as if dst's units had been
 * walked first, then src's: a named definition counts the uses of both,
 * a variable keeps dst's unless src's ranks higher. Only what src's new
 * definitions and variables need is copied. Deterministic: the result
 * depends on the contents of dst and src only. src is left as it was.
 */
struct vmca_error *
vmca_debuginfo_builder_merge(struct vmca_debuginfo_builder *dst,
			     const struct vmca_debuginfo_builder *src);

struct vmca_error *vmca_debuginfo_builder_add_symbol(
	struct vmca_debuginfo_builder *b, const char *name, uint64_t address,
	uint64_t size, uint16_t section, char type, uint8_t binding);

/**
 * Sort the symbols by address (serialization does it, if they are not
 * yet: doing it early takes it off the serial path).
 */
void vmca_debuginfo_builder_sort_symbols(struct vmca_debuginfo_builder *b);

/**
 * Lay the builder out as an image (heap; the caller owns *image_ret):
 * picks the definition each name stands for, points declarations to it,
 * sorts the symbols. identity gives the header's vmlinux_size, build_id,
 * build_id_size, elf_machine and elf_class; the rest is ignored.
 */
struct vmca_error *
vmca_debuginfo_builder_serialize(struct vmca_debuginfo_builder *b,
				 const struct vmca_debuginfo_header *identity,
				 void **image_ret, size_t *size_ret);

/* The DWARF sections of a vmlinux, as libdwarf reads them (dbg.c). */

/** One section, borrowed: from the ELF mapping, or a fuzzer's buffer. */
struct vmca_debuginfo_dwarf_section {
	const char *name;
	const uint8_t *data;
	uint64_t size;
};

#define VMCA_DEBUGINFO_MAX_DWARF_SECTIONS 16

struct vmca_debuginfo_dwarf_sections {
	/**
	 * What libdwarf sees as the object's sections. Index 0 is the empty
	 * section ELF files start with: libdwarf skips it.
	 */
	struct vmca_debuginfo_dwarf_section
		sections[VMCA_DEBUGINFO_MAX_DWARF_SECTIONS];
	unsigned nr_sections;
	/** The size of .debug_info (how the index build splits its work). */
	uint64_t info_size;
	bool is_big_endian;
	/** 4 or 8, from the ELF class. */
	uint8_t address_size;
};

/* index_build.c: DWARF -> builder. */

struct vmca_debuginfo_elf;

/**
 * Add the types and variables of every unit of sections (elf's) and the
 * symbols of elf to b. .debug_info is read with libdwarf on two threads,
 * each with its own Dwarf_Debug over the same sections, each a contiguous
 * half of the units by size, each into its own builder; the first thread
 * then reads the symbols while the second may still walk, and the second
 * builder is merged into b. The result does not depend on the threads'
 * timing. Errors name the file.
 */
struct vmca_error *
vmca_debuginfo_index_build(struct vmca_debuginfo_elf *elf,
			   const struct vmca_debuginfo_dwarf_sections *sections,
			   struct vmca_debuginfo_builder *b);

/* btf.c */

/**
 * Add the types of a BTF blob (libbpf parses it) to b, and its variables
 * (BTF_KIND_VAR: the per-CPU ones of a vmlinux). what names the source in
 * errors; damaged BTF is an error, never a crash (it may come from a
 * dump's memory).
 */
struct vmca_error *vmca_debuginfo_btf_build(const void *data, size_t size,
					    const char *what,
					    struct vmca_debuginfo_builder *b);

/* elf.c */

/**
 * Open path as an ELF file read-only and read its build-id. Errors name
 * the file: missing, not ELF, unsupported.
 */
struct vmca_error *vmca_debuginfo_elf_open(const char *path,
					   struct vmca_debuginfo_elf **ret);
/**
 * Open an ELF image in memory (copied), e.g. a fuzzer's input; errors
 * name it name.
 */
struct vmca_error *
vmca_debuginfo_elf_open_memory(const void *data, size_t size, const char *name,
			       struct vmca_debuginfo_elf **ret);
void vmca_debuginfo_elf_close(struct vmca_debuginfo_elf *e);

/** The raw build-id (borrowed; size 0 if none). */
const uint8_t *vmca_debuginfo_elf_build_id(const struct vmca_debuginfo_elf *e,
					   size_t *size_ret);
uint64_t vmca_debuginfo_elf_file_size(const struct vmca_debuginfo_elf *e);
/** The path (or name) it was opened with (borrowed). */
const char *vmca_debuginfo_elf_path(const struct vmca_debuginfo_elf *e);
/** e_machine; *class_ret is EI_CLASS. */
uint16_t vmca_debuginfo_elf_machine(const struct vmca_debuginfo_elf *e,
				    uint8_t *class_ret);

/**
 * The DWARF sections (valid until close); an error if there are none.
 * is_full: also those for lines, scopes and locations (DWARF on demand),
 * not only the index's.
 */
struct vmca_error *
vmca_debuginfo_elf_dwarf(struct vmca_debuginfo_elf *e, bool is_full,
			 struct vmca_debuginfo_dwarf_sections *ret);

/**
 * Where each allocated section of a relocatable file (a module) was
 * loaded, by name (copied): its DWARF is relocated to there and its
 * symbols moved. A section not named was not loaded. No-op for other
 * files.
 */
struct vmca_error *
vmca_debuginfo_elf_set_loads(struct vmca_debuginfo_elf *e,
			     const struct vmca_debuginfo_section_load *loads,
			     size_t nr_loads);
/** Whether the file has a section of that name with contents. */
bool vmca_debuginfo_elf_has_section(struct vmca_debuginfo_elf *e,
				    const char *name);
/** A section by name: its bytes (valid until close) and address. */
struct vmca_error *
vmca_debuginfo_elf_section(struct vmca_debuginfo_elf *e, const char *name,
			   struct vmca_debuginfo_section *ret);
/** Whether the file is ET_REL. */
bool vmca_debuginfo_elf_is_relocatable(const struct vmca_debuginfo_elf *e);

/** Add the .symtab symbols and section ranges to the builder. */
struct vmca_error *vmca_debuginfo_elf_symbols(struct vmca_debuginfo_elf *e,
					      struct vmca_debuginfo_builder *b);

/* lines.c */

struct vmca_debuginfo_ondemand;
void vmca_debuginfo_ondemand_destroy(struct vmca_debuginfo_ondemand *o);

/* types.c */

/** The size in bytes of type id in a type table (bounded walk). */
uint64_t vmca_debuginfo_ctype_size(const struct vmca_debuginfo_ctype *types,
				   uint32_t nr_types, uint32_t id);

/** The canonical C spelling of a base type name ("long unsigned int" ->
 *  "unsigned long"), written to buf; returns false if name is no C base
 *  type spelling or does not fit. */
bool vmca_debuginfo_canonical_base_name(const char *name, char *buf,
					size_t size);

#endif /* VMCA_DWARF_INTERNAL_H */

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
#define VMCA_DEBUGINFO_FORMAT_VERSION 2
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

struct vmca_error *vmca_debuginfo_builder_add_symbol(
	struct vmca_debuginfo_builder *b, const char *name, uint64_t address,
	uint64_t size, uint16_t section, char type, uint8_t binding);

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

/* die.c: a bounded reader of .debug_info. */

/** The DWARF sections, borrowed (from the ELF mapping or a fuzzer). */
struct vmca_debuginfo_dwarf_sections {
	const uint8_t *info;
	uint64_t info_size;
	const uint8_t *abbrev;
	uint64_t abbrev_size;
	const uint8_t *str;
	uint64_t str_size;
	const uint8_t *line_str;
	uint64_t line_str_size;
	const uint8_t *str_offsets;
	uint64_t str_offsets_size;
	bool is_big_endian;
};

struct vmca_debuginfo_abbrevs;

/** A unit header of .debug_info. */
struct vmca_debuginfo_unit {
	uint64_t offset;
	/** One past the unit's last byte. */
	uint64_t end;
	/** The offset of the unit DIE. */
	uint64_t die_offset;
	uint64_t abbrev_offset;
	uint64_t type_signature;
	/** Type units: the type DIE's offset from the unit's start. */
	uint64_t type_offset;
	uint64_t str_offsets_base;
	uint16_t version;
	uint8_t unit_type;
	uint8_t address_size;
	uint8_t offset_size;
	/** Loaded by vmca_debuginfo_dwarf_load_unit(), or NULL. */
	struct vmca_debuginfo_abbrevs *abbrevs;
};

DEFINE_VECTOR(vmca_debuginfo_unit_vector, struct vmca_debuginfo_unit)

struct vmca_debuginfo_dwarf {
	struct vmca_debuginfo_dwarf_sections sections;
	/** Whether the string sections end in NUL (then no strnlen). */
	bool is_str_terminated;
	bool is_line_str_terminated;
	/** All units, sorted by offset. */
	struct vmca_debuginfo_unit_vector units;
};

enum vmca_debuginfo_value_kind {
	VMCA_DEBUGINFO_VALUE_NONE,
	/** udata. */
	VMCA_DEBUGINFO_VALUE_UNSIGNED,
	/** sdata, implicit_const: u holds the value's bits. */
	VMCA_DEBUGINFO_VALUE_SIGNED,
	/** data1..data8: signedness unknown, data_size bytes. */
	VMCA_DEBUGINFO_VALUE_DATA,
	/** exprloc, block*. */
	VMCA_DEBUGINFO_VALUE_BLOCK,
	/** A reference, or anything else (present, but not a constant). */
	VMCA_DEBUGINFO_VALUE_OTHER,
};

struct vmca_debuginfo_value {
	uint8_t kind;
	uint8_t data_size;
	uint64_t u;
	const uint8_t *block;
	uint64_t block_size;
};

enum {
	VMCA_DEBUGINFO_DIE_HAS_TYPE = 1 << 0,
	/** DW_AT_type is a DW_FORM_ref_sig8: type is the signature. */
	VMCA_DEBUGINFO_DIE_TYPE_SIG8 = 1 << 1,
	VMCA_DEBUGINFO_DIE_HAS_SPECIFICATION = 1 << 2,
	VMCA_DEBUGINFO_DIE_DECLARATION = 1 << 3,
	VMCA_DEBUGINFO_DIE_HAS_LOCATION = 1 << 4,
	VMCA_DEBUGINFO_DIE_PROTOTYPED = 1 << 5,
	VMCA_DEBUGINFO_DIE_EXTERNAL = 1 << 6,
	VMCA_DEBUGINFO_DIE_HAS_SIBLING = 1 << 7,
	VMCA_DEBUGINFO_DIE_HAS_BYTE_SIZE = 1 << 8,
	VMCA_DEBUGINFO_DIE_HAS_BIT_SIZE = 1 << 9,
	VMCA_DEBUGINFO_DIE_HAS_DATA_BIT_OFFSET = 1 << 10,
	VMCA_DEBUGINFO_DIE_HAS_BIT_OFFSET = 1 << 11,
	VMCA_DEBUGINFO_DIE_HAS_ENCODING = 1 << 12,
	VMCA_DEBUGINFO_DIE_HAS_CONST_VALUE = 1 << 13,
	VMCA_DEBUGINFO_DIE_HAS_STR_OFFSETS_BASE = 1 << 14,
};

/** The attributes of a DIE that the index needs. */
struct vmca_debuginfo_die {
	uint64_t offset;
	/** One past the DIE's attributes: its first child, if any. */
	uint64_t end;
	/** 0 for the null entry that ends a list of siblings. */
	uint32_t tag;
	bool has_children;
	uint32_t flags;
	/** DW_AT_name, NUL-terminated, or NULL. */
	const char *name;
	/** Section offsets (or a signature, see VMCA_DEBUGINFO_DIE_TYPE_SIG8).
	 */
	uint64_t type;
	uint64_t specification;
	uint64_t sibling;
	uint64_t byte_size;
	uint64_t bit_size;
	uint64_t data_bit_offset;
	uint64_t bit_offset;
	uint64_t encoding;
	uint64_t decl_line;
	uint64_t str_offsets_base;
	struct vmca_debuginfo_value member_location;
	struct vmca_debuginfo_value const_value;
	struct vmca_debuginfo_value count;
	struct vmca_debuginfo_value upper_bound;
	struct vmca_debuginfo_value lower_bound;
};

/** Index the unit headers of sections (borrowed). */
struct vmca_error *
vmca_debuginfo_dwarf_init(struct vmca_debuginfo_dwarf *dw,
			  const struct vmca_debuginfo_dwarf_sections *sections);
void vmca_debuginfo_dwarf_deinit(struct vmca_debuginfo_dwarf *dw);

/** Parse the unit's abbreviations and unit DIE, if not done yet. */
struct vmca_error *
vmca_debuginfo_dwarf_load_unit(struct vmca_debuginfo_dwarf *dw,
			       struct vmca_debuginfo_unit *u);
/** Free what load_unit made. */
void vmca_debuginfo_dwarf_unload_unit(struct vmca_debuginfo_unit *u);

/** The unit containing offset, or NULL. */
struct vmca_debuginfo_unit *
vmca_debuginfo_dwarf_find_unit(struct vmca_debuginfo_dwarf *dw,
			       uint64_t offset);

/** Decode the DIE at offset in a loaded unit. */
struct vmca_error *
vmca_debuginfo_die_read(const struct vmca_debuginfo_dwarf *dw,
			const struct vmca_debuginfo_unit *u, uint64_t offset,
			struct vmca_debuginfo_die *ret);

/** The offset of the DIE after d and all its children. */
struct vmca_error *
vmca_debuginfo_die_next(const struct vmca_debuginfo_dwarf *dw,
			const struct vmca_debuginfo_unit *u,
			const struct vmca_debuginfo_die *d, uint64_t *ret);

/* index_build.c: DWARF -> builder. */

/** Add the types and variables of every unit to the builder. */
struct vmca_error *
vmca_debuginfo_index_build(const struct vmca_debuginfo_dwarf_sections *sections,
			   struct vmca_debuginfo_builder *b);

/* elf.c */

struct vmca_debuginfo_elf;

/**
 * Open path as an ELF file read-only and read its build-id. Errors name
 * the file: missing, not ELF, unsupported.
 */
struct vmca_error *vmca_debuginfo_elf_open(const char *path,
					   struct vmca_debuginfo_elf **ret);
void vmca_debuginfo_elf_close(struct vmca_debuginfo_elf *e);

/** The raw build-id (borrowed; size 0 if none). */
const uint8_t *vmca_debuginfo_elf_build_id(const struct vmca_debuginfo_elf *e,
					   size_t *size_ret);
uint64_t vmca_debuginfo_elf_file_size(const struct vmca_debuginfo_elf *e);
/** e_machine; *class_ret is EI_CLASS. */
uint16_t vmca_debuginfo_elf_machine(const struct vmca_debuginfo_elf *e,
				    uint8_t *class_ret);

/** The DWARF sections (valid until close); an error if there are none. */
struct vmca_error *
vmca_debuginfo_elf_dwarf(struct vmca_debuginfo_elf *e,
			 struct vmca_debuginfo_dwarf_sections *ret);

/** Add the .symtab symbols and section ranges to the builder. */
struct vmca_error *vmca_debuginfo_elf_symbols(struct vmca_debuginfo_elf *e,
					      struct vmca_debuginfo_builder *b);

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

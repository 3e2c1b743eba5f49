// SPDX-License-Identifier: MIT
/** @file Loaded modules from the dump's modules list, and their kallsyms. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "module.h"
#include "vmca.h"

// Bounds on untrusted data: more modules, symbols or string bytes than
// these only come from a damaged dump.
#define MAX_MODULES 65536
#define MAX_SYMBOLS (1u << 20)
#define MAX_NAME    512
// An Elf64_Sym (the ELF ABI: st_name u32, st_info u8, st_other u8,
// st_shndx u16, st_value u64, st_size u64).
#define ELF64_SYM_SIZE 24

const char *const vmca_module_part_names[VMCA_MODULE_NR_PARTS] = {
	"text",	     "data",	  "rodata",	 "ro_after_init",
	"init_text", "init_data", "init_rodata",
};

struct vmca_module_table {
	struct vmca_module *modules;
	size_t nr_modules;
	/** Symbol names, one allocation per module. */
	char **strings;
	/** Section names, one allocation per module. */
	char **section_names;
	/** Why the list could not be read. */
	struct vmca_error *error;
};

void vmca_module_table_destroy(struct vmca_module_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nr_modules; i++) {
		free(t->modules[i].symbols);
		vmca_error_destroy(t->modules[i].symbols_error);
		free(t->strings[i]);
		free(t->modules[i].sections);
		vmca_error_destroy(t->modules[i].sections_error);
		free(t->section_names[i]);
	}
	free(t->modules);
	free(t->strings);
	free(t->section_names);
	vmca_error_destroy(t->error);
	free(t);
}

// The fields of struct module the table reads, resolved once.
struct layout {
	uint32_t module;
	struct vmca_field name, state, taints, refcnt, kallsyms;
	bool has_mem, has_refcnt;
	// Since commit ac3b43283923 ("module: replace module_layout with
	// module_memory") (v6.4): mem[MOD_MEM_NUM_TYPES], else core_layout
	// and init_layout.
	struct vmca_field mem, core_layout, init_layout;
	uint64_t mem_size;
	uint64_t base_off, size_off, text_size_off, ro_size_off,
		ro_after_init_size_off;
	bool has_ro_after_init;
	uint64_t symtab_off, num_symtab_off, strtab_off, typetab_off;
	bool has_typetab;
	// The exported symbols: syms/num_syms and gpl_syms/num_gpl_syms of
	// struct kernel_symbol, whose fields are 32-bit offsets from
	// themselves since commit 7290d5809571 ("module: use relative
	// references for __ksymtab entries") (v4.19, where the architecture
	// has PREL32 relocations), else pointers.
	struct vmca_field syms[2], nsyms[2];
	bool has_syms[2];
	uint64_t ksym_size, ksym_name_off;
	bool is_ksym_relative;
	uint64_t list_off;
	// taint_flags[]: which bits mark modules, and their letters.
	char taint_letters[64];
	bool taint_is_module[64];
	uint32_t nr_taints;
	int64_t state_coming, state_going, state_live, state_unformed;
	// mod->sect_attrs (CONFIG_KALLSYMS and CONFIG_SYSFS): nsections and
	// attrs[], each a name and an address. Since commit ed66f991bb19
	// ("module: Refactor section attr into bin attribute") (v5.8) the
	// name is battr.attr.name, before that name.
	struct vmca_field sect_attrs;
	bool has_sect_attrs;
	uint64_t nsections_off, attrs_off, attr_size, attr_name_off,
		attr_address_off;
};

static struct vmca_error *init_layout(struct vmca_session *s, struct layout *l)
{
	struct vmca_error *err = vmca_type(s, "struct module", &l->module);
	if (!err)
		err = vmca_field_init(s, l->module, "name", &l->name);
	if (!err)
		err = vmca_field_init(s, l->module, "state", &l->state);
	if (!err)
		err = vmca_field_init(s, l->module, "taints", &l->taints);
	if (!err)
		err = vmca_field_init(s, l->module, "kallsyms", &l->kallsyms);
	if (!err)
		err = vmca_type_member_offset(s, "struct module", "list",
					      &l->list_off);
	if (err)
		return err;
	l->has_refcnt = vmca_error_consume(
		vmca_field_init(s, l->module, "refcnt", &l->refcnt));
	l->has_mem = vmca_error_consume(
		vmca_field_init(s, l->module, "mem", &l->mem));
	const char *part_type =
		l->has_mem ? "struct module_memory" : "struct module_layout";
	if (l->has_mem) {
		err = vmca_type_size(s, part_type, &l->mem_size);
	} else {
		err = vmca_field_init(s, l->module, "core_layout",
				      &l->core_layout);
		if (!err)
			err = vmca_field_init(s, l->module, "init_layout",
					      &l->init_layout);
		if (!err)
			err = vmca_type_member_offset(s, part_type, "text_size",
						      &l->text_size_off);
		if (!err)
			err = vmca_type_member_offset(s, part_type, "ro_size",
						      &l->ro_size_off);
		l->has_ro_after_init =
			!err && vmca_error_consume(vmca_type_member_offset(
					s, part_type, "ro_after_init_size",
					&l->ro_after_init_size_off));
	}
	if (!err)
		err = vmca_type_member_offset(s, part_type, "base",
					      &l->base_off);
	if (!err)
		err = vmca_type_member_offset(s, part_type, "size",
					      &l->size_off);
	if (!err)
		err = vmca_type_member_offset(s, "struct mod_kallsyms",
					      "symtab", &l->symtab_off);
	if (!err)
		err = vmca_type_member_offset(s, "struct mod_kallsyms",
					      "num_symtab", &l->num_symtab_off);
	if (!err)
		err = vmca_type_member_offset(s, "struct mod_kallsyms",
					      "strtab", &l->strtab_off);
	if (err)
		return err;
	// Since commit 1c7651f43777 ("kallsyms: store type information in
	// its own array") (v5.2).
	l->has_typetab = vmca_error_consume(vmca_type_member_offset(
		s, "struct mod_kallsyms", "typetab", &l->typetab_off));
	static const char *const syms[2] = {"syms", "gpl_syms"};
	static const char *const nsyms[2] = {"num_syms", "num_gpl_syms"};
	for (int i = 0; i < 2; i++)
		l->has_syms[i] = vmca_error_consume(vmca_field_init(
					 s, l->module, syms[i], &l->syms[i])) &&
				 vmca_error_consume(vmca_field_init(
					 s, l->module, nsyms[i], &l->nsyms[i]));
	if (vmca_error_consume(
		    vmca_type_size(s, "struct kernel_symbol", &l->ksym_size))) {
		l->is_ksym_relative =
			vmca_error_consume(vmca_type_member_offset(
				s, "struct kernel_symbol", "name_offset",
				&l->ksym_name_off));
		if (!l->is_ksym_relative &&
		    !vmca_error_consume(
			    vmca_type_member_offset(s, "struct kernel_symbol",
						    "name", &l->ksym_name_off)))
			l->has_syms[0] = l->has_syms[1] = false;
	} else {
		l->has_syms[0] = l->has_syms[1] = false;
	}
	err = vmca_enum_value(s, "enum module_state", "MODULE_STATE_COMING",
			      &l->state_coming);
	if (!err)
		err = vmca_enum_value(s, "enum module_state",
				      "MODULE_STATE_GOING", &l->state_going);
	if (!err)
		err = vmca_enum_value(s, "enum module_state",
				      "MODULE_STATE_LIVE", &l->state_live);
	if (err)
		return err;
	if (!vmca_error_consume(vmca_enum_value(s, "enum module_state",
						"MODULE_STATE_UNFORMED",
						&l->state_unformed)))
		l->state_unformed = -1;
	l->has_sect_attrs =
		vmca_error_consume(vmca_field_init(s, l->module, "sect_attrs",
						   &l->sect_attrs)) &&
		vmca_error_consume(vmca_type_member_offset(
			s, "struct module_sect_attrs", "nsections",
			&l->nsections_off)) &&
		vmca_error_consume(
			vmca_type_member_offset(s, "struct module_sect_attrs",
						"attrs", &l->attrs_off)) &&
		vmca_error_consume(vmca_type_size(s, "struct module_sect_attr",
						  &l->attr_size)) &&
		vmca_error_consume(vmca_type_member_offset(
			s, "struct module_sect_attr", "address",
			&l->attr_address_off)) &&
		(vmca_error_consume(vmca_type_member_offset(
			 s, "struct module_sect_attr", "battr.attr.name",
			 &l->attr_name_off)) ||
		 vmca_error_consume(
			 vmca_type_member_offset(s, "struct module_sect_attr",
						 "name", &l->attr_name_off)));
	// The kernel's own table of taint letters (kernel/panic.c).
	struct vmca_value flags;
	struct vmca_variable var;
	if (vmca_error_consume(vmca_variable(s, "taint_flags", &var))) {
		vmca_value_init_reference(&flags, var.type, var.address);
		struct vmca_type at;
		vmca_type_info(s, vmca_type_unqualified(s, var.type), &at);
		uint64_t nr = at.kind == VMCA_TYPE_ARRAY ? at.array_len : 0;
		for (uint32_t i = 0; i < 64 && i < nr; i++) {
			struct vmca_value f, c, m;
			uint64_t letter, is_module;
			if (!vmca_error_consume(
				    vmca_value_subscript(s, &flags, i, &f)))
				break;
			if (!vmca_error_consume(
				    vmca_value_member(s, &f, "c_true", &c)) ||
			    !vmca_error_consume(
				    vmca_value_member(s, &f, "module", &m)) ||
			    !vmca_error_consume(
				    vmca_value_u64(s, &c, &letter)) ||
			    !vmca_error_consume(
				    vmca_value_u64(s, &m, &is_module)))
				break;
			l->taint_letters[i] = (char)letter;
			l->taint_is_module[i] = is_module != 0;
			l->nr_taints = i + 1;
		}
	}
	return NULL;
}

static uint64_t read_u64_or(struct vmca_session *s, uint64_t address,
			    uint64_t fallback)
{
	uint64_t v;
	return vmca_error_consume(vmca_read_u64(s, address, &v)) ? v : fallback;
}

static uint64_t read_u32_or(struct vmca_session *s, uint64_t address)
{
	uint32_t v;
	return vmca_error_consume(vmca_read_u32(s, address, &v)) ? v : 0;
}

static void read_parts(struct vmca_session *s, const struct layout *l,
		       struct vmca_module *m)
{
	if (l->has_mem) {
		uint64_t mem = m->address + l->mem.member.bit_offset / 8;
		for (int i = 0; i < VMCA_MODULE_NR_PARTS; i++) {
			uint64_t part = mem + (uint64_t)i * l->mem_size;
			m->parts[i].base =
				read_u64_or(s, part + l->base_off, 0);
			m->parts[i].size = read_u32_or(s, part + l->size_off);
			m->size += m->parts[i].size;
		}
		m->core_address = m->parts[VMCA_MODULE_TEXT].base;
		return;
	}
	// One layout for the core, one for init: text, then read-only data,
	// then data made read-only after init, then data.
	const struct vmca_field *layouts[2] = {&l->core_layout,
					       &l->init_layout};
	for (int k = 0; k < 2; k++) {
		uint64_t lay = m->address + layouts[k]->member.bit_offset / 8;
		uint64_t base = read_u64_or(s, lay + l->base_off, 0);
		uint64_t size = read_u32_or(s, lay + l->size_off);
		uint64_t text = read_u32_or(s, lay + l->text_size_off);
		uint64_t ro = read_u32_or(s, lay + l->ro_size_off);
		uint64_t ro_after =
			l->has_ro_after_init
				? read_u32_or(s,
					      lay + l->ro_after_init_size_off)
				: ro;
		if (text > ro || ro > ro_after || ro_after > size)
			text = ro = ro_after = size;
		int t = k ? VMCA_MODULE_INIT_TEXT : VMCA_MODULE_TEXT;
		m->parts[t].base = base;
		m->parts[t].size = text;
		int r = k ? VMCA_MODULE_INIT_RODATA : VMCA_MODULE_RODATA;
		m->parts[r].base = base + text;
		m->parts[r].size = ro - text;
		if (!k) {
			m->parts[VMCA_MODULE_RO_AFTER_INIT].base = base + ro;
			m->parts[VMCA_MODULE_RO_AFTER_INIT].size =
				ro_after - ro;
		}
		int d = k ? VMCA_MODULE_INIT_DATA : VMCA_MODULE_DATA;
		m->parts[d].base = base + (k ? ro : ro_after);
		m->parts[d].size = size - (k ? ro : ro_after);
		m->size += size;
		if (!k)
			m->core_address = base;
	}
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

// The names a module exports, sorted (the caller frees the array and
// each name); an unreadable table gives what was read.
static char **exported_names(struct vmca_session *s, const struct layout *l,
			     const struct vmca_module *m, size_t *nr_ret)
{
	size_t n = 0, cap = 0;
	char **names = NULL;
	struct vmca_value mod;
	vmca_value_init_reference(&mod, l->module, m->address);
	for (int k = 0; k < 2; k++) {
		if (!l->has_syms[k])
			continue;
		struct vmca_value f;
		uint64_t table, count;
		if (!vmca_error_consume(
			    vmca_value_field(s, &mod, &l->syms[k], &f)) ||
		    !vmca_error_consume(vmca_value_u64(s, &f, &table)) ||
		    !vmca_error_consume(
			    vmca_value_field(s, &mod, &l->nsyms[k], &f)) ||
		    !vmca_error_consume(vmca_value_u64(s, &f, &count)))
			continue;
		for (uint64_t i = 0; i < count && i < MAX_SYMBOLS; i++) {
			uint64_t at =
				table + i * l->ksym_size + l->ksym_name_off;
			uint64_t name_at;
			if (l->is_ksym_relative) {
				uint32_t rel;
				if (!vmca_error_consume(
					    vmca_read_u32(s, at, &rel)))
					break;
				name_at = at + (uint64_t)(int64_t)(int32_t)rel;
			} else if (!vmca_error_consume(
					   vmca_read_u64(s, at, &name_at))) {
				break;
			}
			char name[MAX_NAME];
			if (!vmca_error_consume(vmca_read_string(
				    s, name_at, name, sizeof(name))))
				break;
			if (n == cap) {
				cap = cap ? cap * 2 : 16;
				char **p = realloc(names, cap * sizeof(*names));
				if (!p)
					break;
				names = p;
			}
			names[n] = strdup(name);
			if (!names[n])
				break;
			n++;
		}
	}
	if (n)
		qsort(names, n, sizeof(*names), compare_strings);
	*nr_ret = n;
	return names;
}

static bool is_mapping_symbol(const char *name)
{
	// kernel/module/kallsyms.c: ".L", "L0" and "$" symbols are the
	// assembler's, never reported.
	return name[0] == '$' || (name[0] == '.' && name[1] == 'L') ||
	       (name[0] == 'L' && name[1] == '0');
}

static int compare_symbols(const void *a, const void *b)
{
	const struct vmca_module_symbol *x = a, *y = b;
	if (x->address != y->address)
		return x->address < y->address ? -1 : 1;
	return strcmp(x->name, y->name);
}

struct vmca_error *vmca_module_parse_symbols(
	struct vmca_module *m, const unsigned char *symtab, uint32_t n,
	const char *types,
	struct vmca_error *(*read_name)(void *arg, uint32_t st_name, char *buf,
					size_t size),
	void *arg, char *const *exported, size_t nr_exported,
	char **strings_ret)
{
	if (n > MAX_SYMBOLS)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "%u symbols, more than %u", n,
					 MAX_SYMBOLS);
	struct vmca_module_symbol *symbols =
		calloc(n ? n : 1, sizeof(*symbols));
	// Names: read one by one into a pool of this module's.
	size_t cap = 4096, len = 0;
	char *pool = malloc(cap);
	size_t *offsets = calloc(n ? n : 1, sizeof(*offsets));
	if (!symbols || !pool || !offsets) {
		free(symbols);
		free(pool);
		free(offsets);
		return &vmca_enomem;
	}
	size_t kept = 0;
	for (uint32_t i = 0; i < n; i++) {
		const unsigned char *e = symtab + (size_t)i * ELF64_SYM_SIZE;
		uint32_t st_name;
		uint16_t shndx;
		uint64_t value;
		memcpy(&st_name, e, 4);
		memcpy(&shndx, e + 6, 2);
		memcpy(&value, e + 8, 8);
		char name[MAX_NAME];
		if (vmca_error_consume(read_name(arg, st_name, name,
						 sizeof(name))) == false ||
		    !name[0])
			continue;
		size_t need = strlen(name) + 1;
		if (len + need > cap) {
			while (len + need > cap)
				cap *= 2;
			char *p = realloc(pool, cap);
			if (!p) {
				free(symbols);
				free(pool);
				free(offsets);
				return &vmca_enomem;
			}
			pool = p;
		}
		memcpy(pool + len, name, need);
		offsets[kept] = len;
		len += need;
		struct vmca_module_symbol *sym = &symbols[kept++];
		sym->address = value;
		char type = types ? types[i] : '?';
		const char *key = name;
		bool is_exported = nr_exported &&
				   bsearch(&key, exported, nr_exported,
					   sizeof(*exported), compare_strings);
		// s_show() in kernel/kallsyms.c.
		sym->type = (char)(is_exported ? toupper((unsigned char)type)
					       : tolower((unsigned char)type));
		sym->is_defined =
			shndx != 0 /* SHN_UNDEF */ && !is_mapping_symbol(name);
	}
	for (size_t i = 0; i < kept; i++)
		symbols[i].name = pool + offsets[i];
	free(offsets);
	qsort(symbols, kept, sizeof(*symbols), compare_symbols);
	// Sizes as find_kallsyms_symbol() reports them: up to the next
	// defined symbol, at most to the end of the (init) text.
	uint64_t core_end = m->parts[VMCA_MODULE_TEXT].base +
			    m->parts[VMCA_MODULE_TEXT].size;
	uint64_t init_base = m->parts[VMCA_MODULE_INIT_TEXT].base;
	uint64_t init_end = init_base + m->parts[VMCA_MODULE_INIT_TEXT].size;
	uint64_t next = 0;
	for (size_t i = kept; i-- > 0;) {
		struct vmca_module_symbol *sym = &symbols[i];
		bool in_init = sym->address - init_base < init_end - init_base;
		uint64_t end = in_init ? init_end : core_end;
		uint64_t limit = next && next < end ? next : end;
		sym->size = sym->is_defined && limit > sym->address
				    ? limit - sym->address
				    : 0;
		if (sym->is_defined &&
		    (i + 1 == kept || sym->address < symbols[i + 1].address))
			next = sym->address;
	}
	m->symbols = symbols;
	m->nr_symbols = kept;
	*strings_ret = pool;
	return NULL;
}

struct strtab {
	struct vmca_session *s;
	uint64_t address;
};

static struct vmca_error *read_strtab_name(void *arg, uint32_t st_name,
					   char *buf, size_t size)
{
	const struct strtab *t = arg;
	return vmca_read_string(t->s, t->address + st_name, buf, size);
}

// The module's kallsyms: symtab, strtab and typetab, as /proc/kallsyms
// reads them (symbols with an empty name skipped).
static struct vmca_error *read_symbols(struct vmca_session *s,
				       const struct layout *l,
				       struct vmca_module *m, char **strings)
{
	uint64_t ks;
	struct vmca_error *err = vmca_read_u64(
		s, m->address + l->kallsyms.member.bit_offset / 8, &ks);
	if (err)
		return err;
	uint64_t symtab, strtab, typetab = 0;
	uint32_t n;
	err = vmca_read_u64(s, ks + l->symtab_off, &symtab);
	if (!err)
		err = vmca_read_u32(s, ks + l->num_symtab_off, &n);
	if (!err)
		err = vmca_read_u64(s, ks + l->strtab_off, &strtab);
	if (!err && l->has_typetab)
		err = vmca_read_u64(s, ks + l->typetab_off, &typetab);
	if (err)
		return err;
	if (n > MAX_SYMBOLS)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "%u symbols, more than %u", n,
					 MAX_SYMBOLS);
	_cleanup_free_ unsigned char *syms =
		malloc((size_t)n * ELF64_SYM_SIZE + 1);
	_cleanup_free_ char *types = malloc((size_t)n + 1);
	if (!syms || !types)
		return &vmca_enomem;
	err = vmca_read(s, symtab, syms, (size_t)n * ELF64_SYM_SIZE);
	if (!err && typetab)
		err = vmca_read(s, typetab, types, n);
	if (err)
		return err;
	size_t nr_exported = 0;
	char **exported = exported_names(s, l, m, &nr_exported);
	struct strtab t = {s, strtab};
	err = vmca_module_parse_symbols(m, syms, n, typetab ? types : NULL,
					read_strtab_name, &t, exported,
					nr_exported, strings);
	for (size_t i = 0; i < nr_exported; i++)
		free(exported[i]);
	free(exported);
	return err;
}

// More sections than this only come from a damaged dump (a module has
// some dozens).
#define MAX_SECTIONS	 4096
#define MAX_SECTION_NAME 128

static struct vmca_error *read_sections(struct vmca_session *s,
					const struct layout *l,
					struct vmca_module *m, char **names_ret)
{
	if (!l->has_sect_attrs)
		return vmca_error_create(VMCA_ERROR_NOT_FOUND,
					 "this kernel keeps no section "
					 "addresses (struct module has no "
					 "sect_attrs)");
	struct vmca_value mod, f;
	uint64_t attrs;
	uint32_t n;
	vmca_value_init_reference(&mod, l->module, m->address);
	struct vmca_error *err = vmca_value_field(s, &mod, &l->sect_attrs, &f);
	if (!err)
		err = vmca_value_u64(s, &f, &attrs);
	if (err)
		return err;
	if (!attrs)
		return vmca_error_create(VMCA_ERROR_NOT_FOUND,
					 "no section attributes");
	err = vmca_read_u32(s, attrs + l->nsections_off, &n);
	if (err)
		return err;
	if (n > MAX_SECTIONS)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "%u sections at %#" PRIx64
					 ": more than a module has",
					 n, attrs);
	m->sections = calloc(n ? n : 1, sizeof(*m->sections));
	char *names = malloc((size_t)(n ? n : 1) * MAX_SECTION_NAME);
	if (!m->sections || !names) {
		free(names);
		return &vmca_enomem;
	}
	*names_ret = names;
	for (uint32_t i = 0; i < n; i++) {
		uint64_t attr = attrs + l->attrs_off + i * l->attr_size;
		uint64_t name_ptr, address;
		char *name = names + (size_t)i * MAX_SECTION_NAME;
		err = vmca_read_u64(s, attr + l->attr_name_off, &name_ptr);
		if (!err)
			err = vmca_read_string(s, name_ptr, name,
					       MAX_SECTION_NAME);
		if (!err)
			err = vmca_read_u64(s, attr + l->attr_address_off,
					    &address);
		if (err)
			return vmca_error_wrap(err, "section %u", i);
		m->sections[i].name = name;
		m->sections[i].address = address;
		m->nr_sections = i + 1;
	}
	return NULL;
}

// The GNU build-id note where the loader put .note.gnu.build-id.
static void read_build_id(struct vmca_session *s, struct vmca_module *m)
{
	for (size_t i = 0; i < m->nr_sections; i++) {
		if (strcmp(m->sections[i].name, ".note.gnu.build-id") != 0)
			continue;
		// Elf64_Nhdr: namesz, descsz, type; then "GNU\0", the bytes.
		uint8_t note[16 + 64];
		uint32_t hdr[3];
		if (!vmca_error_consume(
			    vmca_read(s, m->sections[i].address, note, 16)))
			return;
		memcpy(hdr, note, sizeof(hdr));
		if (hdr[0] != 4 || hdr[2] != 3 || !hdr[1] || hdr[1] > 64 ||
		    memcmp(note + 12, "GNU", 4) != 0 ||
		    !vmca_error_consume(vmca_read(
			    s, m->sections[i].address + 16, note + 16, hdr[1])))
			return;
		static const char hex[] = "0123456789abcdef";
		for (uint32_t j = 0; j < hdr[1]; j++) {
			m->build_id[2 * j] = hex[note[16 + j] >> 4];
			m->build_id[2 * j + 1] = hex[note[16 + j] & 15];
		}
		m->build_id[2 * hdr[1]] = '\0';
		return;
	}
}

static void module_flags(const struct layout *l, struct vmca_module *m)
{
	size_t n = 0;
	for (uint32_t i = 0; i < l->nr_taints && n + 3 < sizeof(m->flags);
	     i++) {
		if (l->taint_is_module[i] && (m->taints >> i & 1))
			m->flags[n++] = l->taint_letters[i];
	}
	if (m->state_value == l->state_coming)
		m->flags[n++] = '+';
	else if (m->state_value == l->state_going)
		m->flags[n++] = '-';
	m->flags[n] = '\0';
}

struct build {
	struct vmca_module_table *t;
	const struct layout *l;
	size_t cap;
};

static struct vmca_error *add_module(struct vmca_session *s,
				     const struct vmca_walk_entry *e, void *arg)
{
	struct build *b = arg;
	struct vmca_module_table *t = b->t;
	const struct layout *l = b->l;
	if (t->nr_modules == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 16;
		struct vmca_module *m =
			realloc(t->modules, cap * sizeof(*t->modules));
		char **strings = realloc(t->strings, cap * sizeof(*t->strings));
		if (m)
			t->modules = m;
		if (strings)
			t->strings = strings;
		char **names = realloc(t->section_names,
				       cap * sizeof(*t->section_names));
		if (names)
			t->section_names = names;
		if (!m || !strings || !names)
			return &vmca_enomem;
		b->cap = cap;
	}
	struct vmca_module *m = &t->modules[t->nr_modules];
	char **strings = &t->strings[t->nr_modules];
	memset(m, 0, sizeof(*m));
	*strings = NULL;
	t->section_names[t->nr_modules] = NULL;
	t->nr_modules++;
	m->address = e->address - l->list_off;
	m->refcount = -1;
	struct vmca_value mod, f;
	vmca_value_init_reference(&mod, l->module, m->address);
	if (vmca_error_consume(vmca_value_field(s, &mod, &l->name, &f)))
		vmca_error_consume(
			vmca_value_string(s, &f, m->name, sizeof(m->name)));
	uint64_t v;
	if (vmca_error_consume(vmca_value_field(s, &mod, &l->state, &f)) &&
	    vmca_error_consume(vmca_value_u64(s, &f, &v)))
		m->state_value = (int64_t)v;
	m->state = m->state_value == l->state_going	 ? "Unloading"
		   : m->state_value == l->state_coming	 ? "Loading"
		   : m->state_value == l->state_unformed ? "Unformed"
							 : "Live";
	if (vmca_error_consume(vmca_value_field(s, &mod, &l->taints, &f)) &&
	    vmca_error_consume(vmca_value_u64(s, &f, &v)))
		m->taints = v;
	// module_refcount(): refcnt less MODULE_REF_BASE (1).
	if (l->has_refcnt &&
	    vmca_error_consume(vmca_value_field(s, &mod, &l->refcnt, &f)) &&
	    vmca_error_consume(vmca_value_member(s, &f, "counter", &f)) &&
	    vmca_error_consume(vmca_value_u64(s, &f, &v)))
		m->refcount = (int64_t)(int32_t)v - 1;
	read_parts(s, l, m);
	module_flags(l, m);
	m->symbols_error = read_symbols(s, l, m, strings);
	if (m->symbols_error)
		m->symbols_error = vmca_error_wrap(
			m->symbols_error, "kallsyms of module %s", m->name);
	m->sections_error =
		read_sections(s, l, m, &t->section_names[t->nr_modules - 1]);
	if (m->sections_error)
		m->sections_error = vmca_error_wrap(
			m->sections_error, "sections of module %s", m->name);
	read_build_id(s, m);
	return NULL;
}

struct vmca_error *vmca_modules(struct vmca_session *s,
				const struct vmca_module **ret, size_t *nr_ret)
{
	struct vmca_module_table **slot = vmca_session_module_table(s);
	if (!*slot) {
		struct vmca_module_table *t = calloc(1, sizeof(*t));
		if (!t)
			return &vmca_enomem;
		struct layout l;
		memset(&l, 0, sizeof(l));
		struct vmca_error *err = init_layout(s, &l);
		struct vmca_variable head;
		if (!err)
			err = vmca_variable(s, "modules", &head);
		if (!err) {
			struct build b = {.t = t, .l = &l};
			err = vmca_walk_list(s, head.address, true, MAX_MODULES,
					     add_module, &b);
		}
		if (err)
			t->error = vmca_error_wrap(err, "the modules list");
		*slot = t;
	}
	struct vmca_module_table *t = *slot;
	if (t->error && !t->nr_modules)
		return vmca_error_wrap(vmca_error_create(t->error->code, "%s",
							 t->error->message),
				       "modules");
	*ret = t->modules;
	*nr_ret = t->nr_modules;
	return NULL;
}

const struct vmca_module *vmca_module_at(struct vmca_session *s,
					 uint64_t address)
{
	const struct vmca_module *mods;
	size_t n;
	if (!vmca_error_consume(vmca_modules(s, &mods, &n)))
		return NULL;
	for (size_t i = 0; i < n; i++) {
		for (int p = 0; p < VMCA_MODULE_NR_PARTS; p++) {
			if (address - mods[i].parts[p].base <
			    mods[i].parts[p].size)
				return &mods[i];
		}
	}
	return NULL;
}

static void to_symbol(const struct vmca_module *m,
		      const struct vmca_module_symbol *sym,
		      struct vmca_symbol *ret)
{
	ret->name = sym->name;
	ret->address = sym->address;
	ret->size = sym->size;
	ret->type = sym->type;
	ret->module = m->name;
}

struct vmca_error *vmca_module_symbol_lookup(struct vmca_session *s,
					     uint64_t address,
					     struct vmca_symbol *ret)
{
	const struct vmca_module *m = vmca_module_at(s, address);
	if (!m)
		return vmca_error_create(VMCA_ERROR_NOT_FOUND,
					 "%#" PRIx64 " is in no module",
					 address);
	// The last defined symbol at or below address.
	size_t lo = 0, hi = m->nr_symbols;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (m->symbols[mid].address <= address)
			lo = mid + 1;
		else
			hi = mid;
	}
	while (lo && !m->symbols[lo - 1].is_defined)
		lo--;
	if (!lo)
		return vmca_error_create(VMCA_ERROR_NOT_FOUND,
					 "no symbol of module %s at or below "
					 "%#" PRIx64,
					 m->name, address);
	to_symbol(m, &m->symbols[lo - 1], ret);
	return NULL;
}

struct vmca_error *vmca_module_symbol_by_name(struct vmca_session *s,
					      const char *name,
					      struct vmca_symbol *ret)
{
	const struct vmca_module *mods;
	size_t n;
	struct vmca_error *err = vmca_modules(s, &mods, &n);
	if (err)
		return err;
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < mods[i].nr_symbols; j++) {
			if (strcmp(mods[i].symbols[j].name, name) == 0) {
				to_symbol(&mods[i], &mods[i].symbols[j], ret);
				return NULL;
			}
		}
	}
	return vmca_error_create(VMCA_ERROR_NOT_FOUND, "no symbol '%s'", name);
}

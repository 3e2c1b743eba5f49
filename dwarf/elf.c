// SPDX-License-Identifier: MIT
/** @file The vmlinux as an ELF file: build-id, DWARF sections, symbols. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gelf.h>
#include <libelf.h>

#include "../analyzer/util/cleanup.h"
#include "internal.h"

struct vmca_debuginfo_elf {
	char *path;
	int fd;
	/** The copy of an image opened from memory, or NULL. */
	char *image;
	Elf *elf;
	uint64_t file_size;
	uint16_t machine;
	uint8_t elf_class;
	bool is_big_endian;
	uint8_t build_id[VMCA_DEBUGINFO_BUILD_ID_MAX];
	size_t build_id_size;
	/** ET_REL (a module): addresses come from section_addresses. */
	bool is_relocatable;
	/**
	 * For a relocatable file, each section's load address by index
	 * (0 for a section that was not loaded, and for non-allocated ones:
	 * their offsets are relative to the section), once set.
	 */
	uint64_t *section_addresses;
	size_t nr_section_addresses;
	/** Relocated copies of DWARF sections, freed on close. */
	void **copies;
	size_t nr_copies;
};

// libelf's error, where the call returned, naming the file.
static struct vmca_error *elf_error(const char *path, const char *what)
{
	return vmca_error_create(VMCA_ERROR_INVALID, "%s: %s: %s", path, what,
				 elf_errmsg(-1));
}

static bool is_gnu_build_id(const GElf_Nhdr *nhdr, const char *name)
{
	return nhdr->n_type == NT_GNU_BUILD_ID && nhdr->n_namesz == 4 &&
	       memcmp(name, "GNU", 4) == 0 && nhdr->n_descsz &&
	       nhdr->n_descsz <= VMCA_DEBUGINFO_BUILD_ID_MAX;
}

static bool find_build_id_in(struct vmca_debuginfo_elf *e, Elf_Data *data)
{
	size_t offset = 0, name_offset, desc_offset;
	GElf_Nhdr nhdr;
	while (offset < data->d_size &&
	       (offset = gelf_getnote(data, offset, &nhdr, &name_offset,
				      &desc_offset)) > 0) {
		const char *base = data->d_buf;
		if (is_gnu_build_id(&nhdr, base + name_offset)) {
			memcpy(e->build_id, base + desc_offset, nhdr.n_descsz);
			e->build_id_size = nhdr.n_descsz;
			return true;
		}
	}
	return false;
}

// NT_GNU_BUILD_ID from a note section, else from a PT_NOTE segment. Both
// read a few hundred bytes: cheap enough for every open.
static void find_build_id(struct vmca_debuginfo_elf *e)
{
	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(e->elf, scn))) {
		GElf_Shdr shdr;
		if (!gelf_getshdr(scn, &shdr) || shdr.sh_type != SHT_NOTE)
			continue;
		Elf_Data *data = elf_getdata(scn, NULL);
		if (data && find_build_id_in(e, data))
			return;
	}
	size_t phnum;
	if (elf_getphdrnum(e->elf, &phnum))
		return;
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr phdr;
		if (!gelf_getphdr(e->elf, i, &phdr) || phdr.p_type != PT_NOTE)
			continue;
		Elf_Data *data = elf_getdata_rawchunk(
			e->elf, phdr.p_offset, phdr.p_filesz,
			phdr.p_align == 8 ? ELF_T_NHDR8 : ELF_T_NHDR);
		if (data && find_build_id_in(e, data))
			return;
	}
}

// What both ways of opening share, once e->elf is there.
static struct vmca_error *elf_setup(struct vmca_debuginfo_elf *e)
{
	if (!e->elf || elf_kind(e->elf) != ELF_K_ELF)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "%s: not an ELF file", e->path);
	GElf_Ehdr ehdr;
	if (!gelf_getehdr(e->elf, &ehdr))
		return elf_error(e->path, "bad ELF header");
	e->is_relocatable = ehdr.e_type == ET_REL;
	e->is_big_endian = ehdr.e_ident[EI_DATA] == ELFDATA2MSB;
	e->machine = ehdr.e_machine;
	e->elf_class = ehdr.e_ident[EI_CLASS];
	find_build_id(e);
	return NULL;
}

struct vmca_error *vmca_debuginfo_elf_open(const char *path,
					   struct vmca_debuginfo_elf **ret)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return vmca_error_os(errno, "%s", path);
	struct vmca_debuginfo_elf *e = calloc(1, sizeof(*e));
	if (!e || !(e->path = strdup(path))) {
		free(e);
		close(fd);
		return &vmca_enomem;
	}
	e->fd = fd;
	struct vmca_error *err = NULL;
	struct stat st;
	if (fstat(fd, &st)) {
		err = vmca_error_os(errno, "%s", path);
		goto fail;
	}
	if (S_ISDIR(st.st_mode)) {
		err = vmca_error_os(EISDIR, "%s", path);
		goto fail;
	}
	e->file_size = st.st_size;
	elf_version(EV_CURRENT);
	// ELF_C_READ_MMAP maps the file PROT_READ, MAP_PRIVATE: the vmlinux
	// is never written, and the DWARF sections libdwarf reads are
	// pointers into the mapping.
	e->elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	err = elf_setup(e);
	if (err)
		goto fail;
	*ret = e;
	return NULL;

fail:
	vmca_debuginfo_elf_close(e);
	return err;
}

struct vmca_error *
vmca_debuginfo_elf_open_memory(const void *data, size_t size, const char *name,
			       struct vmca_debuginfo_elf **ret)
{
	struct vmca_debuginfo_elf *e = calloc(1, sizeof(*e));
	if (!e)
		return &vmca_enomem;
	e->fd = -1;
	e->path = strdup(name);
	// libelf may convert data in place in an image it did not map.
	e->image = malloc(size ? size : 1);
	if (!e->path || !e->image) {
		vmca_debuginfo_elf_close(e);
		return &vmca_enomem;
	}
	memcpy(e->image, data, size);
	e->file_size = size;
	elf_version(EV_CURRENT);
	e->elf = elf_memory(e->image, size);
	struct vmca_error *err = elf_setup(e);
	if (err) {
		vmca_debuginfo_elf_close(e);
		return err;
	}
	*ret = e;
	return NULL;
}

void vmca_debuginfo_elf_close(struct vmca_debuginfo_elf *e)
{
	if (!e)
		return;
	if (e->elf)
		elf_end(e->elf);
	if (e->fd >= 0)
		close(e->fd);
	for (size_t i = 0; i < e->nr_copies; i++)
		free(e->copies[i]);
	free(e->copies);
	free(e->section_addresses);
	free(e->image);
	free(e->path);
	free(e);
}

const uint8_t *vmca_debuginfo_elf_build_id(const struct vmca_debuginfo_elf *e,
					   size_t *size_ret)
{
	*size_ret = e->build_id_size;
	return e->build_id;
}

uint64_t vmca_debuginfo_elf_file_size(const struct vmca_debuginfo_elf *e)
{
	return e->file_size;
}

const char *vmca_debuginfo_elf_path(const struct vmca_debuginfo_elf *e)
{
	return e->path;
}

uint16_t vmca_debuginfo_elf_machine(const struct vmca_debuginfo_elf *e,
				    uint8_t *class_ret)
{
	*class_ret = e->elf_class;
	return e->machine;
}

static struct vmca_error *section_data(struct vmca_debuginfo_elf *e,
				       Elf_Scn *scn, const char *name,
				       const uint8_t **data_ret,
				       uint64_t *size_ret)
{
	GElf_Shdr shdr;
	if (!gelf_getshdr(scn, &shdr))
		return elf_error(e->path, name);
	if (shdr.sh_type == SHT_NOBITS) {
		*data_ret = NULL;
		*size_ret = 0;
		return NULL;
	}
	if ((shdr.sh_flags & SHF_COMPRESSED) && elf_compress(scn, 0, 0) < 0)
		return elf_error(e->path, name);
	Elf_Data *data = elf_getdata(scn, NULL);
	if (!data)
		return elf_error(e->path, name);
	*data_ret = data->d_buf;
	*size_ret = data->d_buf ? data->d_size : 0;
	return NULL;
}

struct vmca_error *
vmca_debuginfo_elf_set_loads(struct vmca_debuginfo_elf *e,
			     const struct vmca_debuginfo_section_load *loads,
			     size_t nr_loads)
{
	if (!e->is_relocatable)
		return NULL;
	size_t nr_sections, shstrndx;
	if (elf_getshdrnum(e->elf, &nr_sections) ||
	    elf_getshdrstrndx(e->elf, &shstrndx))
		return elf_error(e->path, "section headers");
	uint64_t *addresses =
		calloc(nr_sections ? nr_sections : 1, sizeof(*addresses));
	if (!addresses)
		return &vmca_enomem;
	for (size_t i = 1; i < nr_sections; i++) {
		Elf_Scn *scn = elf_getscn(e->elf, i);
		GElf_Shdr shdr;
		if (!scn || !gelf_getshdr(scn, &shdr)) {
			free(addresses);
			return elf_error(e->path, "section header");
		}
		const char *name = elf_strptr(e->elf, shstrndx, shdr.sh_name);
		if (!name || !(shdr.sh_flags & SHF_ALLOC))
			continue;
		for (size_t j = 0; j < nr_loads; j++) {
			if (strcmp(loads[j].name, name) == 0) {
				addresses[i] = loads[j].address;
				break;
			}
		}
	}
	free(e->section_addresses);
	e->section_addresses = addresses;
	e->nr_section_addresses = nr_sections;
	return NULL;
}

bool vmca_debuginfo_elf_has_section(struct vmca_debuginfo_elf *e,
				    const char *name)
{
	size_t shstrndx;
	if (elf_getshdrstrndx(e->elf, &shstrndx))
		return false;
	for (Elf_Scn *scn = NULL; (scn = elf_nextscn(e->elf, scn));) {
		GElf_Shdr shdr;
		const char *n;
		if (gelf_getshdr(scn, &shdr) &&
		    (n = elf_strptr(e->elf, shstrndx, shdr.sh_name)) &&
		    strcmp(n, name) == 0 && shdr.sh_type != SHT_NOBITS &&
		    shdr.sh_size)
			return true;
	}
	return false;
}

struct vmca_error *
vmca_debuginfo_elf_section(struct vmca_debuginfo_elf *e, const char *name,
			   struct vmca_debuginfo_section *ret)
{
	size_t shstrndx;
	if (elf_getshdrstrndx(e->elf, &shstrndx))
		return elf_error(e->path, "section headers");
	for (Elf_Scn *scn = NULL; (scn = elf_nextscn(e->elf, scn));) {
		GElf_Shdr shdr;
		const char *n;
		if (!gelf_getshdr(scn, &shdr) ||
		    !(n = elf_strptr(e->elf, shstrndx, shdr.sh_name)) ||
		    strcmp(n, name) != 0)
			continue;
		const uint8_t *data;
		uint64_t size;
		struct vmca_error *err =
			section_data(e, scn, name, &data, &size);
		if (err)
			return err;
		// A section whose contents lie past the end of the file (a
		// cut or damaged file) is not trusted.
		if (shdr.sh_type != SHT_NOBITS &&
		    (shdr.sh_offset > e->file_size ||
		     shdr.sh_size > e->file_size - shdr.sh_offset))
			return vmca_error_create(VMCA_ERROR_INVALID,
						 "%s: section %s lies past the "
						 "end of the file",
						 e->path, name);
		ret->data = data;
		ret->size = size;
		ret->address = shdr.sh_addr;
		ret->is_nobits = shdr.sh_type == SHT_NOBITS;
		return NULL;
	}
	return vmca_error_create(VMCA_ERROR_NOT_FOUND, "%s: no section %s",
				 e->path, name);
}

bool vmca_debuginfo_elf_is_relocatable(const struct vmca_debuginfo_elf *e)
{
	return e->is_relocatable;
}

// Where symbol index sym of symtab is: its section's load address plus
// its value (0 for an undefined one, which the debug sections of a module
// do not refer to but by mistake).
static struct vmca_error *symbol_value(struct vmca_debuginfo_elf *e,
				       Elf_Data *symtab, Elf_Data *xndx,
				       size_t sym, const char *rela_name,
				       uint64_t *ret)
{
	GElf_Sym s;
	Elf32_Word x = 0;
	if (!gelf_getsymshndx(symtab, xndx, (int)sym, &s, &x))
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "%s: %s: symbol %zu out of range",
					 e->path, rela_name, sym);
	size_t shndx = s.st_shndx == SHN_XINDEX ? x : s.st_shndx;
	if (shndx == SHN_UNDEF)
		*ret = 0;
	else if (shndx == SHN_ABS)
		*ret = s.st_value;
	else if (shndx < e->nr_section_addresses)
		*ret = e->section_addresses[shndx] + s.st_value;
	else
		*ret = s.st_value;
	return NULL;
}

// Apply the RELA section rela (of symbol table symtab) to a copy of the
// section it relocates, as the module loader would have had the section
// been loaded: S is the load address of the symbol's section.
static struct vmca_error *relocate(struct vmca_debuginfo_elf *e, Elf_Scn *rela,
				   const GElf_Shdr *rela_shdr,
				   const char *rela_name, uint8_t *data,
				   uint64_t size)
{
	Elf_Scn *symtab_scn = elf_getscn(e->elf, rela_shdr->sh_link);
	Elf_Data *symtab = symtab_scn ? elf_getdata(symtab_scn, NULL) : NULL;
	Elf_Data *relas = elf_getdata(rela, NULL);
	if (!symtab || !relas)
		return elf_error(e->path, rela_name);
	Elf_Data *xndx = NULL;
	for (Elf_Scn *scn = NULL; (scn = elf_nextscn(e->elf, scn));) {
		GElf_Shdr shdr;
		if (gelf_getshdr(scn, &shdr) &&
		    shdr.sh_type == SHT_SYMTAB_SHNDX &&
		    shdr.sh_link == rela_shdr->sh_link)
			xndx = elf_getdata(scn, NULL);
	}
	size_t entsize = gelf_fsize(e->elf, ELF_T_RELA, 1, EV_CURRENT);
	if (!entsize)
		return elf_error(e->path, rela_name);
	size_t n = relas->d_size / entsize;
	for (size_t i = 0; i < n; i++) {
		GElf_Rela r;
		if (!gelf_getrela(relas, (int)i, &r))
			return elf_error(e->path, rela_name);
		uint32_t type = (uint32_t)GELF_R_TYPE(r.r_info);
		unsigned width;
		if ((e->machine == EM_X86_64 && type == R_X86_64_64) ||
		    (e->machine == EM_AARCH64 && type == R_AARCH64_ABS64))
			width = 8;
		else if ((e->machine == EM_X86_64 &&
			  (type == R_X86_64_32 || type == R_X86_64_32S)) ||
			 (e->machine == EM_AARCH64 && type == R_AARCH64_ABS32))
			width = 4;
		else if ((e->machine == EM_X86_64 && type == R_X86_64_NONE) ||
			 (e->machine == EM_AARCH64 && type == R_AARCH64_NONE))
			continue;
		else
			return vmca_error_create(
				VMCA_ERROR_INVALID,
				"%s: %s: relocation type %u of machine %u is "
				"not supported",
				e->path, rela_name, type, e->machine);
		if (r.r_offset > size || size - r.r_offset < width)
			return vmca_error_create(
				VMCA_ERROR_INVALID,
				"%s: %s: relocation at %#" PRIx64
				" beyond the section's %#" PRIx64 " bytes",
				e->path, rela_name, (uint64_t)r.r_offset, size);
		uint64_t value = 0;
		struct vmca_error *err =
			symbol_value(e, symtab, xndx, GELF_R_SYM(r.r_info),
				     rela_name, &value);
		if (err)
			return err;
		value += (uint64_t)r.r_addend;
		if (width == 8) {
			memcpy(data + r.r_offset, &value, 8);
		} else {
			uint32_t v32 = (uint32_t)value;
			memcpy(data + r.r_offset, &v32, 4);
		}
	}
	return NULL;
}

// A relocated copy of the DWARF section of index shndx (in place of
// *data), if a RELA section applies to it.
static struct vmca_error *relocated_copy(struct vmca_debuginfo_elf *e,
					 size_t shndx, size_t shstrndx,
					 const uint8_t **data, uint64_t size)
{
	if (!e->section_addresses)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "%s: a relocatable ELF file (a "
					 "module?) without load addresses",
					 e->path);
	// Values are written in the host's byte order.
	const union {
		uint16_t u16;
		uint8_t u8;
	} probe = {.u16 = 1};
	if (e->is_big_endian == (probe.u8 == 1))
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "%s: relocating a file of the other "
					 "byte order is not supported",
					 e->path);
	for (Elf_Scn *scn = NULL; (scn = elf_nextscn(e->elf, scn));) {
		GElf_Shdr shdr;
		if (!gelf_getshdr(scn, &shdr))
			return elf_error(e->path, "section header");
		if (shdr.sh_type != SHT_RELA || shdr.sh_info != shndx)
			continue;
		const char *name = elf_strptr(e->elf, shstrndx, shdr.sh_name);
		void **copies = realloc(e->copies,
					(e->nr_copies + 1) * sizeof(*copies));
		if (!copies)
			return &vmca_enomem;
		e->copies = copies;
		uint8_t *copy = malloc(size ? size : 1);
		if (!copy)
			return &vmca_enomem;
		memcpy(copy, *data, size);
		e->copies[e->nr_copies++] = copy;
		struct vmca_error *err = relocate(
			e, scn, &shdr, name ? name : "RELA", copy, size);
		if (err)
			return err;
		*data = copy;
		return NULL;
	}
	return NULL;
}

// The sections libdwarf reads for the index (the first 7) and, on demand,
// for lines, scopes and locations; the rest are not its business
// (.rela.debug_*, above all: see dbg.h). .debug_addr: libdwarf wants it
// for a unit with DW_AT_addr_base (clang's DWARF 5).
static const char *const dwarf_section_names[] = {
	".debug_info",	   ".debug_abbrev",	 ".debug_str",
	".debug_line_str", ".debug_str_offsets", ".debug_addr",
	".debug_aranges",  ".debug_line",	 ".debug_rnglists",
	".debug_ranges",   ".debug_loclists",	 ".debug_loc",
	".debug_frame",
};
#define NR_INDEX_SECTIONS 7

struct vmca_error *
vmca_debuginfo_elf_dwarf(struct vmca_debuginfo_elf *e, bool is_full,
			 struct vmca_debuginfo_dwarf_sections *ret)
{
	struct vmca_debuginfo_dwarf_sections s = {
		.is_big_endian = e->is_big_endian,
		.address_size = e->elf_class == ELFCLASS32 ? 4 : 8,
		// Index 0: the empty section libdwarf skips.
		.sections = {{.name = ""}},
		.nr_sections = 1,
	};
	_Static_assert(sizeof(dwarf_section_names) /
				       sizeof(dwarf_section_names[0]) <
			       VMCA_DEBUGINFO_MAX_DWARF_SECTIONS,
		       "room for the DWARF sections");
	uint64_t abbrev_size = 0;
	size_t shstrndx;
	if (elf_getshdrstrndx(e->elf, &shstrndx))
		return elf_error(e->path, "section names");
	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(e->elf, scn))) {
		GElf_Shdr shdr;
		if (!gelf_getshdr(scn, &shdr))
			return elf_error(e->path, "section header");
		const char *name = elf_strptr(e->elf, shstrndx, shdr.sh_name);
		if (!name)
			continue;
		size_t i, n = is_full ? sizeof(dwarf_section_names) /
						sizeof(dwarf_section_names[0])
				      : NR_INDEX_SECTIONS;
		for (i = 0; i < n; i++) {
			if (strcmp(name, dwarf_section_names[i]) == 0)
				break;
		}
		if (i == n)
			continue;
		// A second section of a name: libdwarf would refuse the
		// object; the first is what readelf shows too.
		bool is_duplicate = false;
		for (unsigned j = 1; j < s.nr_sections; j++)
			is_duplicate |=
				s.sections[j].name == dwarf_section_names[i];
		if (is_duplicate)
			continue;
		struct vmca_debuginfo_dwarf_section *section =
			&s.sections[s.nr_sections];
		struct vmca_error *err = section_data(
			e, scn, name, &section->data, &section->size);
		if (err)
			return err;
		if (!section->size)
			continue;
		if (e->is_relocatable) {
			err = relocated_copy(e, elf_ndxscn(scn), shstrndx,
					     &section->data, section->size);
			if (err)
				return err;
		}
		section->name = dwarf_section_names[i];
		s.nr_sections++;
		if (i == 0)
			s.info_size = section->size;
		else if (i == 1)
			abbrev_size = section->size;
	}
	if (!s.info_size)
		return vmca_error_create(
			VMCA_ERROR_INVALID,
			"%s: no DWARF debug info (vmlinux without "
			"debuginfo?%s)",
			e->path,
			vmca_debuginfo_elf_has_section(e, ".BTF")
				? " it has BTF: --btf reads that"
				: "");
	if (!abbrev_size)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "%s: corrupt DWARF: no .debug_abbrev",
					 e->path);
	*ret = s;
	return NULL;
}

struct section_info {
	uint64_t flags;
	uint32_t type;
};

// The letter nm prints for a symbol (binutils' bfd_decode_symclass).
static char nm_letter(const GElf_Sym *sym, size_t shndx,
		      const struct section_info *sections, size_t nr_sections)
{
	unsigned bind = GELF_ST_BIND(sym->st_info);
	unsigned type = GELF_ST_TYPE(sym->st_info);
	char c;
	if (shndx == SHN_COMMON)
		return 'C';
	if (type == STT_GNU_IFUNC)
		return 'i';
	if (bind == STB_WEAK)
		return type == STT_OBJECT ? 'V' : 'W';
	if (bind == STB_GNU_UNIQUE)
		return 'u';
	if (shndx == SHN_ABS) {
		c = 'a';
	} else if (shndx >= nr_sections) {
		c = '?';
	} else {
		const struct section_info *s = &sections[shndx];
		if (s->flags & SHF_EXECINSTR)
			c = 't';
		else if (s->type == SHT_NOBITS)
			c = 'b';
		else if (!(s->flags & SHF_ALLOC))
			c = 'n';
		else if (!(s->flags & SHF_WRITE))
			c = 'r';
		else
			c = 'd';
	}
	if (bind == STB_GLOBAL && c != '?')
		c -= 'a' - 'A';
	return c;
}

// A relocatable file's load address of section i (0: not loaded).
static uint64_t section_address(const struct vmca_debuginfo_elf *e, size_t i)
{
	return e->is_relocatable && i < e->nr_section_addresses
		       ? e->section_addresses[i]
		       : 0;
}

struct vmca_error *vmca_debuginfo_elf_symbols(struct vmca_debuginfo_elf *e,
					      struct vmca_debuginfo_builder *b)
{
	size_t nr_sections;
	if (elf_getshdrnum(e->elf, &nr_sections))
		return elf_error(e->path, "section headers");
	_cleanup_free_ struct section_info *sections =
		calloc(nr_sections ? nr_sections : 1, sizeof(*sections));
	if (!sections)
		return &vmca_enomem;
	Elf_Scn *symtab = NULL, *xndx_scn = NULL;
	GElf_Shdr symtab_shdr = {0};
	for (size_t i = 0; i < nr_sections; i++) {
		Elf_Scn *scn = elf_getscn(e->elf, i);
		GElf_Shdr shdr;
		if (!scn || !gelf_getshdr(scn, &shdr))
			return elf_error(e->path, "section header");
		sections[i].flags = shdr.sh_flags;
		sections[i].type = shdr.sh_type;
		if (shdr.sh_type == SHT_SYMTAB && !symtab) {
			symtab = scn;
			symtab_shdr = shdr;
		}
		// Section ranges for "nearest symbol in the same section";
		// symbols store a 16-bit index, so the rest get none.
		if (i < VMCA_DEBUGINFO_NO_SECTION) {
			struct vmca_debuginfo_celfsection range = {0};
			if (shdr.sh_flags & SHF_ALLOC) {
				range.address =
					shdr.sh_addr + section_address(e, i);
				range.size = shdr.sh_size;
			}
			if (!vmca_debuginfo_elfsection_vector_append(
				    &b->elf_sections, range))
				return &vmca_enomem;
		}
	}
	if (!symtab)
		return NULL;
	for (size_t i = 0; i < nr_sections; i++) {
		Elf_Scn *scn = elf_getscn(e->elf, i);
		GElf_Shdr shdr;
		if (scn && gelf_getshdr(scn, &shdr) &&
		    shdr.sh_type == SHT_SYMTAB_SHNDX &&
		    shdr.sh_link == elf_ndxscn(symtab))
			xndx_scn = scn;
	}
	Elf_Data *data = elf_getdata(symtab, NULL);
	if (!data)
		return elf_error(e->path, ".symtab");
	Elf_Data *xndx_data = xndx_scn ? elf_getdata(xndx_scn, NULL) : NULL;
	size_t entsize = gelf_fsize(e->elf, ELF_T_SYM, 1, EV_CURRENT);
	if (!entsize)
		return elf_error(e->path, ".symtab");
	size_t nr_syms = data->d_size / entsize;
	for (size_t i = 1; i < nr_syms; i++) {
		GElf_Sym sym;
		Elf32_Word xndx = 0;
		if (!gelf_getsymshndx(data, xndx_data, i, &sym, &xndx))
			return elf_error(e->path, ".symtab");
		unsigned type = GELF_ST_TYPE(sym.st_info);
		if (type == STT_SECTION || type == STT_FILE)
			continue;
		size_t shndx = sym.st_shndx == SHN_XINDEX ? xndx : sym.st_shndx;
		if (shndx == SHN_UNDEF)
			continue;
		// A module's symbol is relative to its section: where that was
		// loaded, or nowhere (not loaded: not a symbol of the dump).
		if (e->is_relocatable && shndx < SHN_LORESERVE) {
			uint64_t base = section_address(e, shndx);
			if (!base)
				continue;
			sym.st_value += base;
		}
		const char *name =
			elf_strptr(e->elf, symtab_shdr.sh_link, sym.st_name);
		if (!name || !*name)
			continue;
		unsigned bind = GELF_ST_BIND(sym.st_info);
		uint8_t binding = bind == STB_GLOBAL || bind == STB_GNU_UNIQUE
					  ? VMCA_DEBUGINFO_SYM_GLOBAL
				  : bind == STB_WEAK ? VMCA_DEBUGINFO_SYM_WEAK
						     : VMCA_DEBUGINFO_SYM_LOCAL;
		uint16_t section =
			shndx < b->elf_sections.len && shndx < SHN_LORESERVE
				? shndx
				: VMCA_DEBUGINFO_NO_SECTION;
		struct vmca_error *err = vmca_debuginfo_builder_add_symbol(
			b, name, sym.st_value, sym.st_size, section,
			nm_letter(&sym, shndx, sections, nr_sections), binding);
		if (err)
			return err;
	}
	return NULL;
}

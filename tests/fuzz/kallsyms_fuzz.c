// SPDX-License-Identifier: MIT
/** @file libFuzzer target: a module's kallsyms (symtab, typetab, strtab). */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "../../analyzer/module.h"
#include "../../analyzer/util/error.h"
#include "input.h"
#include "standalone.h"

/*
 * Input: a header, then the module's tables as the kernel keeps them in
 * its struct mod_kallsyms (zero-filled where short).
 *
 *   u16 n (at most 1024 symbols), u8 flags (bit 0: a typetab),
 *   u8 nr_exported (the first strtab strings, as the module's exports),
 *   u64 text base, u32 text size, u64 init text base, u32 init size,
 *   then symtab (n Elf64_Sym, 24 bytes each), typetab (n bytes if
 *   flagged), strtab (the rest)
 *
 * Seeds (tests/fuzz/make_seeds.py): the tables of the corpus' test
 * modules as their dumps hold them.
 */

struct strtab {
	const char *data;
	size_t size;
};

// As vmca_read_string() reads the dump: up to a NUL or size - 1 bytes; a
// name running past the table is cut there (the next page unreadable),
// one starting past it cannot be read.
static struct vmca_error *read_name(void *arg, uint32_t st_name, char *buf,
				    size_t size)
{
	const struct strtab *t = arg;
	if (st_name >= t->size)
		return &vmca_not_found; // static: cheap for thousands
	size_t n = 0;
	while (n + 1 < size && st_name + n < t->size && t->data[st_name + n])
		n++;
	memcpy(buf, t->data + st_name, n);
	buf[n] = '\0';
	return NULL;
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = {data, size, 0};
	uint32_t n = (uint32_t)take(&in, 2) % 1025;
	unsigned flags = (unsigned)take(&in, 1);
	size_t nr_exported = (size_t)take(&in, 1);
	struct vmca_module m = {0};
	m.parts[VMCA_MODULE_TEXT].base = take(&in, 8);
	m.parts[VMCA_MODULE_TEXT].size = take(&in, 4);
	m.parts[VMCA_MODULE_INIT_TEXT].base = take(&in, 8);
	m.parts[VMCA_MODULE_INIT_TEXT].size = take(&in, 4);
	unsigned char *symtab = take_buf(&in, (size_t)n * 24);
	char *types = flags & 1 ? (char *)take_buf(&in, n) : NULL;
	size_t strtab_size = in.at < size ? size - in.at : 0;
	struct strtab t = {(const char *)data + in.at, strtab_size};
	// The exports: the strtab's first strings, sorted, as the kernel's
	// __ksymtab names would be.
	char **exported = calloc(nr_exported ? nr_exported : 1, sizeof(char *));
	size_t nr = 0;
	for (size_t off = 0; exported && nr < nr_exported && off < t.size;) {
		size_t len = strnlen(t.data + off, t.size - off);
		exported[nr] = strndup(t.data + off, len);
		if (!exported[nr])
			break;
		nr++;
		off += len + 1;
	}
	if (exported)
		qsort(exported, nr, sizeof(*exported), compare_strings);
	char *strings = NULL;
	struct vmca_error *err =
		symtab && (types || !(flags & 1)) && exported
			? vmca_module_parse_symbols(&m, symtab, n, types,
						    read_name, &t, exported, nr,
						    &strings)
			: NULL;
	if (!err && m.symbols) {
		if (m.nr_symbols > n)
			abort();
		for (size_t i = 0; i < m.nr_symbols; i++) {
			const struct vmca_module_symbol *sym = &m.symbols[i];
			if (!sym->name[0] || strlen(sym->name) >= 512 ||
			    (i && sym->address < m.symbols[i - 1].address) ||
			    (!sym->is_defined && sym->size))
				abort();
		}
	}
	vmca_error_destroy(err);
	free(m.symbols);
	free(strings);
	for (size_t i = 0; i < nr; i++)
		free(exported[i]);
	free(exported);
	free(symtab);
	free(types);
	return 0;
}

#ifdef VMCA_FUZZ_STANDALONE
int main(int argc, char **argv)
{
	return fuzz_standalone_main(argc, argv);
}
#endif

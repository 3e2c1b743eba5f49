// SPDX-License-Identifier: MIT
/** @file libFuzzer target: VMCOREINFO text, parsed and queried. */
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "../../analyzer/memory.h"
#include "standalone.h"

/*
 * The input is the text of a VMCOREINFO note (seeds: the notes of the
 * corpus' dumps, tests/fuzz/make_seeds.py). It is parsed as
 * vmca_memory_vmcoreinfo() parses the dump's, then the keys the core
 * asks for are looked up and their values converted as their users do
 * (session.c, walk.c, slab_walk.c).
 */

static const char *const keys[] = {
	"OSRELEASE",
	"BUILD-ID",
	"KERNELOFFSET",
	"PAGESIZE",
	"NUMBER(max_pfn)",
	"NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)",
	"SYMBOL(swapper_pg_dir)",
	"",
	"=",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vmca_memory_vmcoreinfo *vi;
	struct vmca_error *err =
		vmca_memory_vmcoreinfo_parse((const char *)data, size, &vi);
	if (err) {
		vmca_error_destroy(err);
		return 0;
	}
	uint64_t sum = 0;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *v = vmca_memory_vmcoreinfo_lookup(vi, keys[i]);
		if (!v)
			continue;
		// A value is a C string within the input's bytes.
		if (strlen(v) > size)
			abort();
		sum += strtoull(v, NULL, 16) + strtoull(v, NULL, 10);
	}
	// The first line's key, whatever it is, is found.
	const char *nl = memchr(data, '\n', size);
	const char *eq = memchr(data, '=',
				nl ? (size_t)(nl - (const char *)data) : size);
	if (eq && eq != (const char *)data &&
	    !memchr(data, '\0', (size_t)(eq - (const char *)data))) {
		char key[256];
		size_t n = (size_t)(eq - (const char *)data);
		if (n < sizeof(key)) {
			memcpy(key, data, n);
			key[n] = '\0';
			if (!vmca_memory_vmcoreinfo_lookup(vi, key))
				abort();
		}
	}
	vmca_memory_vmcoreinfo_destroy(vi);
	// Keep the conversions.
	volatile uint64_t keep = sum;
	(void)keep;
	return 0;
}

#ifdef VMCA_FUZZ_STANDALONE
int main(int argc, char **argv)
{
	return fuzz_standalone_main(argc, argv);
}
#endif

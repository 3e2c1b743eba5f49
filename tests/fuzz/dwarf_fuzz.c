// SPDX-License-Identifier: MIT
/** @file libFuzzer target: a cold open of an ELF in memory, then queries. */
#include "debuginfo_fuzz.h"

/*
 * Input: an ELF file with DWARF, e.g. one built by `cc -g` (seeds: any
 * such file). It goes the way of a vmlinux on a cold open: libelf finds
 * the sections, libdwarf reads .debug_info on two threads (one Dwarf_Debug
 * each), the builders are merged and laid out as a cache image, which is
 * then checked and queried.
 */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_open_and_query(vmca_debuginfo_create_from_memory, data,
				   size);
}

#ifdef VMCA_FUZZ_STANDALONE
int main(int argc, char **argv)
{
	return fuzz_standalone_main(argc, argv);
}
#endif

// SPDX-License-Identifier: MIT
/** @file libFuzzer target: BTF (libbpf's parse, then vmca's translation). */
#include "debuginfo_fuzz.h"

/*
 * Input: a BTF blob, as a vmlinux's .BTF section holds it or the kernel's
 * memory (__start_BTF..__stop_BTF), which a dump makes hostile. libbpf
 * parses and checks it; dwarf/btf.c lays its types out as a cache image,
 * which is then checked and queried. Seeds: tests/fuzz/make_seeds.py
 * writes a small BTF of every kind vmca reads.
 */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_open_and_query(vmca_debuginfo_create_from_btf, data, size);
}

#ifdef VMCA_FUZZ_STANDALONE
int main(int argc, char **argv)
{
	return fuzz_standalone_main(argc, argv);
}
#endif

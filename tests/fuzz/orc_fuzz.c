// SPDX-License-Identifier: MIT
/** @file libFuzzer target: ORC tables (.orc_unwind_ip, .orc_unwind). */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "../../analyzer/unwind.h"
#include "input.h"
#include "standalone.h"

/*
 * Input: u8 flags (bit 0: v6.4's encoding), u16 nr (at most 8192
 * entries), s32 lo and s32 hi (the code the table covers, as offsets
 * from where the table is: the code is before it), then nr s32 ips, nr
 * 6-byte entries, then the PCs to look up (s32 offsets from the table,
 * to the end). As a module's
 * tables copied from the dump, ip and entries are untrusted: unsorted,
 * overlapping, any type and register.
 *
 * Seeds (tests/fuzz/make_seeds.py): windows of the corpus' vmlinux
 * .orc_unwind_ip and .orc_unwind sections, with PCs inside them.
 */

// Where the table is: a kernel text address, as a module's would be.
#define TABLE_ADDRESS UINT64_C(0xffffffffc0000000)

// TABLE_ADDRESS plus an s32 of the input.
static uint64_t take_offset(struct input *in)
{
	return TABLE_ADDRESS + (uint64_t)(int64_t)(int32_t)take(in, 4);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = {data, size, 0};
	bool is_v6_4 = take(&in, 1) & 1;
	size_t nr = (size_t)take(&in, 2) % 8193;
	uint64_t lo = take_offset(&in);
	uint64_t hi = take_offset(&in);
	uint8_t *ip = take_buf(&in, nr * 4);
	uint8_t *entries = take_buf(&in, nr * 6);
	if (ip && entries) {
		// At most 256 lookups: a few ms whatever the input.
		for (size_t i = 0; i < 256 && in.at < size; i++) {
			uint64_t pc = take_offset(&in);
			struct vmca_unwind_orc_entry e;
			if (vmca_unwind_x86_64_orc_lookup(ip, entries, nr,
							  TABLE_ADDRESS, lo, hi,
							  is_v6_4, pc, &e) &&
			    (e.type < 0 || e.type > 4 || e.sp_reg > 15 ||
			     e.bp_reg > 15))
				abort();
		}
	}
	free(ip);
	free(entries);
	return 0;
}

#ifdef VMCA_FUZZ_STANDALONE
int main(int argc, char **argv)
{
	return fuzz_standalone_main(argc, argv);
}
#endif

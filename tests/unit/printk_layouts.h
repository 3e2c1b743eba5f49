// SPDX-License-Identifier: MIT
/**
 * @file The printk records' layouts as the corpus' kernels have them, for
 * the decoders' unit tests and fuzz target (the real ones come from
 * DWARF).
 */
#ifndef VMCA_TESTS_PRINTK_LAYOUTS_H
#define VMCA_TESTS_PRINTK_LAYOUTS_H

#include "../../analyzer/printk.h"

// struct printk_log as v4.x-5.9 lay it out: u64 ts_nsec; u16 len; u16
// text_len; u16 dict_len; u8 facility; u8 flags:5; u8 level:3.
static const struct vmca_printk_log_buf_layout test_log_buf_layout = {
	.hdr_size = 16,
	.ts_off = 0,
	.len_off = 8,
	.text_len_off = 10,
	.facility_bit_offset = 14 * 8,
	.facility_bit_size = 8,
	.level_bit_offset = 15 * 8 + 5,
	.level_bit_size = 3,
};

// struct prb_desc and struct printk_info as v5.10-v6.12 lay them out.
static const struct vmca_printk_prb_layout test_prb_layout = {
	.desc_size = 24,
	.state_var = 0,
	.lpos_begin = 8,
	.lpos_next = 16,
	.info_size = 88,
	.seq = 0,
	.ts_nsec = 8,
	.text_len = 16,
	.caller_id = 20,
	.facility_bit_offset = 18 * 8,
	.facility_bit_size = 8,
	.level_bit_offset = 19 * 8 + 5,
	.level_bit_size = 3,
};

#endif /* VMCA_TESTS_PRINTK_LAYOUTS_H */

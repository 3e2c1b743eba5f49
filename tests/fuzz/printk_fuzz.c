// SPDX-License-Identifier: MIT
/** @file libFuzzer target: the kernel log, both ring buffer formats. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "../../analyzer/printk.h"
#include "../unit/printk_layouts.h"
#include "input.h"
#include "standalone.h"

/*
 * Input: a header, then the ring's bytes (zero-filled where short).
 *
 *   u8 mode: bit 0 clear: the old log_buf (before v5.10), set: the
 *            lockless ring buffer (v5.10+); bit 1: the layout is taken
 *            from the input (next 16 bytes) instead of the kernel's
 *   prb:     u8 count_bits % 10, u8 size_bits % 16, u64 head_id,
 *            u64 tail_id, then descs (2^count_bits * desc_size), infos
 *            (2^count_bits * info_size), text (2^size_bits)
 *   log_buf: u32 first_idx, u32 next_idx, u64 first_seq, then log_buf
 *            itself (the rest of the input, at most 1 MiB)
 *
 * Seeds (tests/fuzz/make_seeds.py): the records of the corpus' dumps
 * re-encoded in small rings of both formats, a wrapped one among them.
 */

static void check_log(const struct vmca_printk_log *log)
{
	// Every text is a C string, without the trailing newlines.
	const struct vmca_printk_record *r;
	vector_for_each (&log->records, r) {
		size_t n = strlen(r->text);
		if (n && r->text[n - 1] == '\n')
			abort();
	}
	(void)vmca_printk_find(log, "Linux version");
}

static void run_prb(struct input *in, bool is_custom)
{
	struct vmca_printk_prb_layout l = test_prb_layout;
	if (is_custom) {
		l.desc_size = take(in, 1);
		l.state_var = take(in, 1);
		l.lpos_begin = take(in, 1);
		l.lpos_next = take(in, 1);
		l.info_size = take(in, 1);
		l.seq = take(in, 1);
		l.ts_nsec = take(in, 1);
		l.text_len = take(in, 1);
		l.caller_id = take(in, 1);
		l.facility_bit_offset = take(in, 2);
		l.facility_bit_size = (uint32_t)take(in, 1);
		l.level_bit_offset = take(in, 2);
		l.level_bit_size = (uint32_t)take(in, 1);
		l.is_level_signed = take(in, 1) & 1;
	}
	uint32_t count_bits = (uint32_t)take(in, 1) % 10;
	uint32_t size_bits = (uint32_t)take(in, 1) % 16;
	uint64_t head_id = take(in, 8), tail_id = take(in, 8);
	size_t count = (size_t)1 << count_bits;
	// Sizes the checked layout could not have are kept small here: the
	// parser refuses them before it reads.
	size_t desc_size = l.desc_size <= 1024 ? l.desc_size : 0;
	size_t info_size = l.info_size <= 1024 ? l.info_size : 0;
	unsigned char *descs = take_buf(in, count * desc_size);
	unsigned char *infos = take_buf(in, count * info_size);
	unsigned char *text = take_buf(in, (size_t)1 << size_bits);
	if (descs && infos && text) {
		struct vmca_printk_log log = {0};
		struct vmca_error *err = vmca_printk_parse_prb(
			&l, descs, infos, count_bits, text, size_bits, head_id,
			tail_id, &log);
		if (!err && log.records.len + log.nr_lost > count)
			abort();
		vmca_error_destroy(err);
		check_log(&log);
		vmca_printk_log_deinit(&log);
	}
	free(descs);
	free(infos);
	free(text);
}

static void run_log_buf(struct input *in, bool is_custom)
{
	struct vmca_printk_log_buf_layout l = test_log_buf_layout;
	if (is_custom) {
		l.hdr_size = take(in, 2);
		l.ts_off = take(in, 1);
		l.len_off = take(in, 1);
		l.text_len_off = take(in, 1);
		l.facility_bit_offset = take(in, 2);
		l.facility_bit_size = (uint32_t)take(in, 1);
		l.level_bit_offset = take(in, 2);
		l.level_bit_size = (uint32_t)take(in, 1);
	}
	uint32_t first_idx = (uint32_t)take(in, 4);
	uint32_t next_idx = (uint32_t)take(in, 4);
	uint64_t first_seq = take(in, 8);
	size_t len = in->at < in->size ? in->size - in->at : 0;
	if (len > (1u << 20))
		len = 1u << 20;
	// Exactly len bytes, so that AddressSanitizer sees a read past it.
	unsigned char *buf = len ? malloc(len) : NULL;
	if (len && !buf)
		return;
	if (len)
		memcpy(buf, in->data + in->at, len);
	struct vmca_printk_log log = {0};
	struct vmca_error *err = vmca_printk_parse_log_buf(
		&l, buf ? buf : (const unsigned char *)"", (uint32_t)len,
		first_idx, next_idx, first_seq, &log);
	vmca_error_destroy(err);
	check_log(&log);
	vmca_printk_log_deinit(&log);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = {data, size, 0};
	unsigned mode = (unsigned)take(&in, 1);
	if (mode & 1)
		run_prb(&in, mode & 2);
	else
		run_log_buf(&in, mode & 2);
	return 0;
}

#ifdef VMCA_FUZZ_STANDALONE
int main(int argc, char **argv)
{
	return fuzz_standalone_main(argc, argv);
}
#endif

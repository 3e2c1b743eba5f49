// SPDX-License-Identifier: MIT
/** @file Tests of the log_buf decoder (before v5.10) on synthetic buffers. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "printk.h"
#include "printk_layouts.h"

// A record at buf + idx; returns the index after it.
static uint32_t put_record(unsigned char *buf, uint32_t idx, uint64_t ts,
			   int level, const char *text)
{
	uint16_t text_len = (uint16_t)strlen(text);
	uint16_t len = (uint16_t)((16 + text_len + 7) & ~7);
	memset(buf + idx, 0, len);
	memcpy(buf + idx, &ts, 8);
	memcpy(buf + idx + 8, &len, 2);
	memcpy(buf + idx + 10, &text_len, 2);
	buf[idx + 14] = 0; // facility: kernel
	buf[idx + 15] = (unsigned char)(level << 5);
	memcpy(buf + idx + 16, text, text_len);
	return idx + len;
}

static void test_records(void)
{
	uint32_t buf_len = 256;
	unsigned char *buf = calloc(1, buf_len);
	// Two records from the middle, then a zero length: wrap to 0.
	uint32_t first = 160;
	uint32_t idx = put_record(buf, first, 1000, 6, "second");
	idx = put_record(buf, idx, 2000, 3, "third");
	(void)idx; // the rest is zero: len 0, wrap
	uint32_t next = put_record(buf, 0, 3000, 4, "fourth");
	struct vmca_printk_log log = {0};
	struct vmca_error *err = vmca_printk_parse_log_buf(
		&test_log_buf_layout, buf, buf_len, first, next, 7, &log);
	CHECK(err == NULL);
	CHECK(log.records.len == 3);
	if (log.records.len == 3) {
		CHECK_STR(log.records.data[0].text, "second");
		CHECK(log.records.data[0].seq == 7);
		CHECK(log.records.data[0].ts_ns == 1000);
		CHECK(log.records.data[0].level == 6);
		CHECK_STR(log.records.data[1].text, "third");
		CHECK(log.records.data[1].level == 3);
		CHECK_STR(log.records.data[2].text, "fourth");
		CHECK(log.records.data[2].seq == 9);
	}
	CHECK(log.nr_lost == 0);
	vmca_printk_log_deinit(&log);
	free(buf);
}

// log_buf_len is the dump's: below a header's size the bound on the
// record's index must not wrap (the buffer is exactly buf_len bytes, so
// AddressSanitizer sees any read past it).
static void test_tiny_buf_len(void)
{
	for (uint32_t buf_len = 1; buf_len < test_log_buf_layout.hdr_size;
	     buf_len++) {
		unsigned char *buf = malloc(buf_len);
		memset(buf, 0xff, buf_len);
		struct vmca_printk_log log = {0};
		struct vmca_error *err = vmca_printk_parse_log_buf(
			&test_log_buf_layout, buf, buf_len, 0, 8, 0, &log);
		CHECK(err != NULL);
		if (err)
			CHECK(strstr(err->message, "log_buf_len") != NULL);
		CHECK(log.records.len == 0);
		vmca_error_destroy(err);
		vmca_printk_log_deinit(&log);
		free(buf);
	}
}

// Indexes past the end, a buffer of exactly one header, a header layout
// whose members lie outside the header: never a read past the buffer.
static void test_corrupt(void)
{
	uint32_t buf_len = 64;
	unsigned char *buf = calloc(1, buf_len);
	put_record(buf, 0, 1, 1, "only");
	struct vmca_printk_log log = {0};
	struct vmca_error *err = vmca_printk_parse_log_buf(
		&test_log_buf_layout, buf, buf_len, UINT32_MAX - 4, 0, 0, &log);
	CHECK(err == NULL && log.records.len == 0);
	vmca_error_destroy(err);

	unsigned char *one = malloc(16);
	memcpy(one, buf, 16);
	err = vmca_printk_parse_log_buf(&test_log_buf_layout, one, 16, 0, 8, 0,
					&log);
	CHECK(err == NULL && log.records.len == 0 && log.nr_lost == 1);
	vmca_error_destroy(err);
	free(one);

	struct vmca_printk_log_buf_layout bad = test_log_buf_layout;
	bad.text_len_off = 15; // a u16 across the header's end
	err = vmca_printk_parse_log_buf(&bad, buf, buf_len, 0, 8, 0, &log);
	CHECK(err != NULL);
	vmca_error_destroy(err);
	bad = test_log_buf_layout;
	bad.level_bit_offset = 16 * 8;
	err = vmca_printk_parse_log_buf(&bad, buf, buf_len, 0, 8, 0, &log);
	CHECK(err != NULL);
	vmca_error_destroy(err);
	vmca_printk_log_deinit(&log);
	free(buf);
}

// Descriptor id (state committed), its info and its text block at pos.
static void put_prb(unsigned char *descs, unsigned char *infos,
		    unsigned char *text, uint32_t count_bits, uint64_t id,
		    uint64_t pos, int level, const char *msg)
{
	uint64_t idx = id & ((UINT64_C(1) << count_bits) - 1);
	unsigned char *d = descs + idx * 24, *info = infos + idx * 88;
	uint64_t sv = UINT64_C(1) << 62 | id;
	uint16_t len = (uint16_t)strlen(msg);
	uint64_t next = pos + 8 + len;
	memcpy(d, &sv, 8);
	memcpy(d + 8, &pos, 8);
	memcpy(d + 16, &next, 8);
	memset(info, 0, 88);
	memcpy(info, &id, 8); // seq = id
	memcpy(info + 16, &len, 2);
	info[19] = (unsigned char)(level << 5);
	memcpy(text + pos + 8, msg, len);
}

static void test_prb(void)
{
	unsigned char descs[4 * 24] = {0}, infos[4 * 88] = {0};
	unsigned char text[256] = {0};
	put_prb(descs, infos, text, 2, 5, 0, 6, "five");
	put_prb(descs, infos, text, 2, 6, 16, 3, "six\n");
	struct vmca_printk_log log = {0};
	// tail 4 is not committed (lost), head 6.
	struct vmca_error *err = vmca_printk_parse_prb(
		&test_prb_layout, descs, infos, 2, text, 8, 6, 4, &log);
	CHECK(err == NULL);
	CHECK(log.records.len == 2 && log.nr_lost == 1);
	if (log.records.len == 2) {
		CHECK_STR(log.records.data[0].text, "five");
		CHECK(log.records.data[0].seq == 5);
		CHECK(log.records.data[0].level == 6);
		CHECK_STR(log.records.data[1].text, "six");
		CHECK(log.records.data[1].level == 3);
	}
	vmca_error_destroy(err);
	vmca_printk_log_deinit(&log);
}

// The layout is the debuginfo's: members outside their structs are an
// error, not reads past each descriptor (the last one past the array).
static void test_prb_bad_layout(void)
{
	unsigned char descs[24] = {0}, infos[88] = {0}, text[16] = {0};
	struct vmca_printk_prb_layout bad[5];
	for (size_t i = 0; i < 5; i++)
		bad[i] = test_prb_layout;
	bad[0].state_var = 20;
	bad[1].lpos_next = 17;
	bad[2].caller_id = 86;
	bad[3].level_bit_offset = 88 * 8 - 2;
	bad[4].desc_size = 4;
	for (size_t i = 0; i < 5; i++) {
		struct vmca_printk_log log = {0};
		struct vmca_error *err = vmca_printk_parse_prb(
			&bad[i], descs, infos, 0, text, 4, 0, 0, &log);
		CHECK(err != NULL && log.records.len == 0);
		vmca_error_destroy(err);
		vmca_printk_log_deinit(&log);
	}
}

int main(void)
{
	test_records();
	test_tiny_buf_len();
	test_corrupt();
	test_prb();
	test_prb_bad_layout();
	return check_summary();
}

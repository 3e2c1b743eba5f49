// SPDX-License-Identifier: MIT
/** @file The kernel log: printk's lockless ring buffer or the old log_buf. */
#ifndef VMCA_ANALYZER_PRINTK_H
#define VMCA_ANALYZER_PRINTK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"
#include "util/vector.h"

struct vmca_session;

struct vmca_printk_record {
	uint64_t seq;
	uint64_t ts_ns;
	int level;
	int facility;
	/** Task id or 0x80000000 | cpu; 0 when the kernel has none. */
	uint32_t caller_id;
	/** The message; may hold '\n' for multi-line records. Owned. */
	char *text;
};

DEFINE_VECTOR(vmca_printk_record_vector, struct vmca_printk_record)

struct vmca_printk_log {
	struct vmca_printk_record_vector records;
	/** Records whose descriptor or text could not be read. */
	uint64_t nr_lost;
};

/**
 * Read every record still in the kernel's log buffer, oldest first. A
 * record that fails to decode is counted in nr_lost, not fatal.
 */
struct vmca_error *vmca_printk_read(struct vmca_session *s,
				    struct vmca_printk_log *ret);
void vmca_printk_log_deinit(struct vmca_printk_log *log);

/**
 * The layout of struct printk_log, the header of each record in log_buf
 * before v5.10, from DWARF: byte offsets of ts_nsec (u64), len and
 * text_len (u16); the bits of facility and level (unsigned).
 */
struct vmca_printk_log_buf_layout {
	uint64_t hdr_size, ts_off, len_off, text_len_off;
	uint64_t facility_bit_offset, level_bit_offset;
	uint32_t facility_bit_size, level_bit_size;
};

/**
 * Decode the records of buf, a copy of log_buf (buf_len bytes, its
 * log_buf_len), from first_idx to next_idx, numbered from first_seq, and
 * append them to log. The buffer and indexes are the dump's: a record
 * that does not fit ends the walk (counted in nr_lost).
 */
struct vmca_error *
vmca_printk_parse_log_buf(const struct vmca_printk_log_buf_layout *l,
			  const unsigned char *buf, uint32_t buf_len,
			  uint32_t first_idx, uint32_t next_idx,
			  uint64_t first_seq, struct vmca_printk_log *log);

/**
 * The layout of the lockless ring buffer's records (v5.10+), from DWARF:
 * struct prb_desc (desc_size bytes: state_var, text_blk_lpos.begin and
 * .next, u64 each) and struct printk_info (info_size bytes: seq and
 * ts_nsec u64, text_len u16, caller_id u32, facility and level as bits).
 */
struct vmca_printk_prb_layout {
	uint64_t desc_size, state_var, lpos_begin, lpos_next;
	uint64_t info_size, seq, ts_nsec, text_len, caller_id;
	uint64_t facility_bit_offset, level_bit_offset;
	uint32_t facility_bit_size, level_bit_size;
	bool is_facility_signed, is_level_signed;
};

/**
 * Decode the records of a copy of the ring: descs and infos (2^count_bits
 * of each), text (2^size_bits bytes), from tail_id to head_id, and append
 * them to log. Everything is the dump's: a descriptor not committed or
 * finalized, or whose id is not the one expected, counts in nr_lost; a
 * layout whose members fall outside their structs is an error.
 */
struct vmca_error *
vmca_printk_parse_prb(const struct vmca_printk_prb_layout *l,
		      const unsigned char *descs, const unsigned char *infos,
		      uint32_t count_bits, const unsigned char *text,
		      uint32_t size_bits, uint64_t head_id, uint64_t tail_id,
		      struct vmca_printk_log *log);

/**
 * Find the first record whose text contains needle; returns a pointer to
 * that position in its text, or NULL.
 */
const char *vmca_printk_find(const struct vmca_printk_log *log,
			     const char *needle);

#endif /* VMCA_ANALYZER_PRINTK_H */

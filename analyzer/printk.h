// SPDX-License-Identifier: MIT
/** @file The kernel log: printk's lockless ring buffer or the old log_buf. */
#ifndef VMCA_ANALYZER_PRINTK_H
#define VMCA_ANALYZER_PRINTK_H

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
 * Find the first record whose text contains needle; returns a pointer to
 * that position in its text, or NULL.
 */
const char *vmca_printk_find(const struct vmca_printk_log *log,
			     const char *needle);

#endif /* VMCA_ANALYZER_PRINTK_H */

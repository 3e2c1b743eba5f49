// SPDX-License-Identifier: MIT
/** @file /proc/meminfo, line for line, from the dump's counters. */
#ifndef VMCA_ANALYZER_MEMINFO_H
#define VMCA_ANALYZER_MEMINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

struct vmca_session;

#define VMCA_MEMINFO_MAX_LINES 96

/**
 * How a line is printed: show_val_kb() ("%-16s%8lu kB"), or the
 * seq_printf()s that use %5lu after a longer label, with or without kB.
 */
enum vmca_meminfo_format {
	VMCA_MEMINFO_KB,
	VMCA_MEMINFO_KB5,
	VMCA_MEMINFO_COUNT5,
};

struct vmca_meminfo_line {
	/** As /proc/meminfo names it ("MemTotal"; static). */
	const char *name;
	enum vmca_meminfo_format format;
	/** kB, or a count for VMCA_MEMINFO_COUNT5 lines. */
	uint64_t value;
	/** Why the line could not be computed (owned), or NULL. */
	struct vmca_error *err;
};

struct vmca_meminfo {
	struct vmca_meminfo_line lines[VMCA_MEMINFO_MAX_LINES];
	size_t nr_lines;
};

/**
 * Every line fs/proc/meminfo.c of the dump's kernel prints (those under
 * CONFIG_ options where the kernel has the option), computed as the kernel
 * does. A line that cannot be computed carries its error; the function
 * fails only when the global counters cannot be found.
 */
struct vmca_error *vmca_meminfo_read(struct vmca_session *s,
				     struct vmca_meminfo *ret);
void vmca_meminfo_deinit(struct vmca_meminfo *mi);
/** The value of the line named name: false if absent or failed. */
bool vmca_meminfo_get(const struct vmca_meminfo *mi, const char *name,
		      uint64_t *ret);

#endif /* VMCA_ANALYZER_MEMINFO_H */

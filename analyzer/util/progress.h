// SPDX-License-Identifier: MIT
/**
 * @file Progress of a long step on stderr, only when stderr is a terminal
 * (VMCA_PROGRESS=0 turns it off, =1 on): what is being done, how far, the
 * time left; one line redrawn at most 10 times a second, cleared at the
 * end. Thread-safe enough for one updater.
 */
#ifndef VMCA_UTIL_PROGRESS_H
#define VMCA_UTIL_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

struct vmca_progress {
	const char *what;
	/** 0: unknown (a count is shown, no percentage or ETA). */
	uint64_t total;
	bool is_on;
	bool has_drawn;
	double start, last;
};

void vmca_progress_begin(struct vmca_progress *p, const char *what,
			 uint64_t total);
void vmca_progress_update(struct vmca_progress *p, uint64_t done);
void vmca_progress_end(struct vmca_progress *p);

#endif /* VMCA_UTIL_PROGRESS_H */

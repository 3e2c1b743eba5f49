// SPDX-License-Identifier: MIT
/**
 * @file SLUB's object tracks (slub_debug=U, SLAB_STORE_USER): who allocated
 * and who last freed an object, when, on which CPU, and the call stack
 * (inline in the track before v5.17's stack depot, from the depot since).
 */
#ifndef VMCA_ANALYZER_SLAB_TRACK_H
#define VMCA_ANALYZER_SLAB_TRACK_H

#include <stdbool.h>
#include <stdint.h>

#include "slab_walk.h"
#include "util/error.h"

struct vmca_session;

#define VMCA_SLAB_TRACK_DEPTH 16

enum vmca_slab_track_item {
	VMCA_SLAB_TRACK_ALLOC,
	VMCA_SLAB_TRACK_FREE,
};

struct vmca_slab_track {
	/** The caller (_RET_IP_ of the allocation or free); 0: none kept. */
	uint64_t addr;
	int32_t cpu, pid;
	/** jiffies at the time. */
	uint64_t when;
	/** The call stack, innermost first, where the kernel kept it. */
	uint64_t stack[VMCA_SLAB_TRACK_DEPTH];
	uint32_t nr_stack;
};

struct vmca_slab_tracks;

/** struct track's layout, the stack depot's, jiffies and HZ. */
struct vmca_error *vmca_slab_tracks_create(struct vmca_session *s,
					   struct vmca_slab_tracks **ret);
void vmca_slab_tracks_destroy(struct vmca_slab_tracks *t);

/**
 * The track of object (its address, as the slab walk gives it) of a cache
 * that keeps them (vmca_slab_cache_has_tracks()).
 */
struct vmca_error *vmca_slab_track_read(struct vmca_slab_tracks *t,
					const struct vmca_slab_cache *c,
					uint64_t object,
					enum vmca_slab_track_item which,
					struct vmca_slab_track *ret);

/** jiffies at the dump, and HZ (from tick_nsec); 0 if unknown. */
uint64_t vmca_slab_tracks_jiffies(const struct vmca_slab_tracks *t);
uint32_t vmca_slab_tracks_hz(const struct vmca_slab_tracks *t);

#endif /* VMCA_ANALYZER_SLAB_TRACK_H */

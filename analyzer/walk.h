// SPDX-License-Identifier: MIT
/** @file Walks of the kernel's linked structures: lists, trees, arrays. */
#ifndef VMCA_ANALYZER_WALK_H
#define VMCA_ANALYZER_WALK_H

#include <stdint.h>

#include "util/error.h"

struct vmca_session;

/** One element a walk visits. */
struct vmca_walk_entry {
	/**
	 * The link node (list_head, hlist_node, rb_node; the struct itself
	 * for a next-chain), or for an xarray or a maple tree the entry
	 * stored (a pointer, usually).
	 */
	uint64_t address;
	/** xarray: the index; maple tree: the first index of the range. */
	uint64_t index;
	/** maple tree: the last index of the range; else index. */
	uint64_t last;
};

/**
 * fn(s, entry, arg) for each element in order; it returns NULL to go on or
 * an error that stops the walk (and is returned).
 */
typedef struct vmca_error *(*vmca_walk_fn)(struct vmca_session *s,
					   const struct vmca_walk_entry *entry,
					   void *arg);

/*
 * Every walk is bounded by max elements and checks its links: a cycle, a
 * link that does not point back, an unreadable or misaligned node ends it
 * with an error naming the address where it happened (VMCA_ERROR_INVALID
 * or VMCA_ERROR_FAULT); the elements before it were visited.
 */

/**
 * A circular struct list_head. With is_head, head is the anchor and is not
 * visited; without, head is an element's own node, visited first, and the
 * walk ends when it comes back to it.
 */
struct vmca_error *vmca_walk_list(struct vmca_session *s, uint64_t head,
				  bool is_head, uint64_t max, vmca_walk_fn fn,
				  void *arg);
/**
 * A circular list from its anchor head backwards, through the prev links
 * (each one's next checked): what is left of a list broken forwards.
 */
struct vmca_error *vmca_walk_list_reverse(struct vmca_session *s, uint64_t head,
					  uint64_t max, vmca_walk_fn fn,
					  void *arg);
/** A struct hlist_head's chain of hlist_node (pprev checked). */
struct vmca_error *vmca_walk_hlist(struct vmca_session *s, uint64_t head,
				   uint64_t max, vmca_walk_fn fn, void *arg);
/**
 * A NULL-terminated chain: start, then the pointer at next_offset in each
 * element, until NULL (or start again: a circular chain ends there).
 */
struct vmca_error *vmca_walk_chain(struct vmca_session *s, uint64_t start,
				   uint64_t next_offset, uint64_t max,
				   vmca_walk_fn fn, void *arg);
/**
 * A struct rb_root (or rb_root_cached: its rb_root comes first), in order;
 * entries are the rb_nodes.
 */
struct vmca_error *vmca_walk_rbtree(struct vmca_session *s, uint64_t root,
				    uint64_t max, vmca_walk_fn fn, void *arg);
/**
 * A struct xarray (also a radix_tree_root, and an idr's idr_rt): every
 * present entry with its index, in index order; internal entries (nodes,
 * siblings, retry) are followed or skipped, value entries are visited.
 */
struct vmca_error *vmca_walk_xarray(struct vmca_session *s, uint64_t xa,
				    uint64_t max, vmca_walk_fn fn, void *arg);
/**
 * A struct maple_tree (since v6.1, mm_struct's VMAs): every non-NULL entry
 * with its range, in order.
 */
struct vmca_error *vmca_walk_maple(struct vmca_session *s, uint64_t tree,
				   uint64_t max, vmca_walk_fn fn, void *arg);

/** A bound for walks: the dump's memory over the smallest node (16). */
uint64_t vmca_walk_default_max(struct vmca_session *s);

#endif /* VMCA_ANALYZER_WALK_H */

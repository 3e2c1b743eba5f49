// SPDX-License-Identifier: MIT
/** @file SLUB: every cache, slab and object, with its state, from the dump. */
#ifndef VMCA_ANALYZER_SLAB_WALK_H
#define VMCA_ANALYZER_SLAB_WALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"
#include "util/vector.h"

struct vmca_session;

/*
 * The walk reads the caches on slab_caches, and for the selected ones the
 * kernel's counters, every slab on their node and CPU lists, the full
 * slabs no list holds (by a scan of the struct pages, when the counters
 * say the lists do not hold them all), and every freelist (the lockless
 * CPU freelist and the slab's own, with CONFIG_SLAB_FREELIST_HARDENED's
 * encoding detected). So each object of a walked slab is known allocated
 * or free, and commands that look for leaks or a victim's memory reuse
 * the one walk. Corrupt or missing data is an error of the slab or cache
 * it touches, counted and kept (the first few), and the walk goes on.
 */

DEFINE_VECTOR(vmca_slab_error_vector, struct vmca_error *)

/** Errors of one scope: the first few kept, all counted. */
struct vmca_slab_errors {
	struct vmca_slab_error_vector kept;
	uint64_t count;
};

/** Which list of its cache a slab was on. */
enum vmca_slab_list {
	/** Found only by the struct page scan: a full slab. */
	VMCA_SLAB_UNLISTED,
	VMCA_SLAB_NODE_PARTIAL,
	VMCA_SLAB_NODE_FULL,
	/** A CPU's active slab. */
	VMCA_SLAB_CPU,
	VMCA_SLAB_CPU_PARTIAL,
};

/** "full (on no list)", "node partial", "node full", "cpu", "cpu partial". */
extern const char *const vmca_slab_list_names[];

struct vmca_slab_cache {
	/** The struct kmem_cache. */
	uint64_t address;
	char name[64];
	/** Walked by vmca_slab_walk_run() (vmca_slab_walk_select()). */
	bool is_selected;
	uint64_t flags, random, cpu_slab;
	uint32_t size, object_size, offset, red_left_pad;
	/** Where the object's metadata begins (the free pointer, tracks). */
	uint32_t inuse;
	uint32_t objs_per_slab, order;
	int64_t refcount;
	/** The kernel's counters, summed over nodes. */
	uint64_t nr_slabs, total_objects, nr_partial, partial_free;
	/** What the walk found. */
	uint64_t slabs_found, objects_found, free, allocated;
	/**
	 * Allocated per slab->inuse where the freelist could not be walked;
	 * objects of CPU slabs whose state is unknown.
	 */
	uint64_t unverified, unknown;
	uint64_t node_partial_slabs, node_full_slabs, cpu_slabs,
		cpu_partial_slabs, unlisted_slabs;
	struct vmca_slab_errors errors;
};

enum vmca_slab_object_state {
	VMCA_SLAB_OBJECT_ALLOCATED,
	/** On its slab's freelist. */
	VMCA_SLAB_OBJECT_FREE,
	/** On the lockless freelist of the CPU whose slab it is. */
	VMCA_SLAB_OBJECT_CPU_FREE,
};

/** One object of a slab whose freelists were walked. */
struct vmca_slab_object {
	uint64_t address;
	/** Index into vmca_slab_walk_caches(). */
	uint32_t cache;
	/** The struct slab (the head struct page). */
	uint64_t slab;
	enum vmca_slab_list list;
	/** The CPU of a CPU (partial) slab, else -1. */
	int32_t cpu;
	enum vmca_slab_object_state state;
	/**
	 * With VMCA_SLAB_WALK_MEMORY, the object's c->size bytes as the dump
	 * has them (valid during the callback), or NULL if its slab could
	 * not be read.
	 */
	const unsigned char *bytes;
};

typedef struct vmca_error *vmca_slab_object_fn(struct vmca_session *s,
					       const struct vmca_slab_object *o,
					       void *arg);

struct vmca_slab_walk;

/**
 * Resolve SLUB's layout and read the caches on slab_caches (their
 * counters come with the walk). None is selected.
 */
struct vmca_error *vmca_slab_walk_create(struct vmca_session *s,
					 struct vmca_slab_walk **ret);
void vmca_slab_walk_destroy(struct vmca_slab_walk *w);

/** The caches, in slab_caches' order (borrowed, valid as long as w). */
struct vmca_slab_cache *vmca_slab_walk_caches(struct vmca_slab_walk *w,
					      size_t *nr_ret);
/**
 * Select the cache named name (NULL: all of them). VMCA_ERROR_NOT_FOUND
 * if there is none of that name.
 */
struct vmca_error *vmca_slab_walk_select(struct vmca_slab_walk *w,
					 const char *name);
/** Options of the next vmca_slab_walk_run(). */
enum {
	/** Read every walked slab's memory and pass objects their bytes. */
	VMCA_SLAB_WALK_MEMORY = 1 << 0,
	/** Scan every struct page of RAM and keep each one's kind. */
	VMCA_SLAB_WALK_PAGE_KINDS = 1 << 1,
};
void vmca_slab_walk_set_options(struct vmca_slab_walk *w, unsigned options);

/** What a page of RAM holds, as its struct page says. */
enum vmca_page_kind {
	/** Below max_pfn, but no System RAM: no struct page. */
	VMCA_PAGE_HOLE,
	/** Its struct page is not in the dump. */
	VMCA_PAGE_MISSING,
	/** A free buddy page, or a page nobody holds a reference to. */
	VMCA_PAGE_FREE,
	/** A slab (head or tail). */
	VMCA_PAGE_SLAB,
	/** Has a mapping: anonymous memory, page cache, movable pages. */
	VMCA_PAGE_USER,
	/**
	 * The kernel's own: reserved (its image, memblock allocations, the
	 * memory map), or allocated without a mapping (page tables, stacks,
	 * vmalloc, large kmalloc, per-CPU chunks).
	 */
	VMCA_PAGE_KERNEL,
};

/**
 * After a run with VMCA_SLAB_WALK_PAGE_KINDS: one enum vmca_page_kind per
 * pfn below max_pfn (borrowed), NULL if the kinds could not be told (the
 * reason is among the walk's errors).
 */
const uint8_t *vmca_slab_walk_page_kinds(const struct vmca_slab_walk *w,
					 uint64_t *nr_ret);

/**
 * Walk the selected caches once: their counters, lists, the struct page
 * scan where needed, every slab's freelists, filling the caches' counts.
 * fn (NULL: none) is called for every object of each slab whose freelists
 * were walked; an error it returns stops the walk and is returned.
 */
struct vmca_error *vmca_slab_walk_run(struct vmca_slab_walk *w,
				      vmca_slab_object_fn *fn, void *arg);

struct vmca_slab_walk_info {
	/** "plain", "xor-random-swab", "xor-random-address", "unknown". */
	const char *freelist_encoding;
	/** Whether the struct pages were scanned, how many, how many not
	 *  in the dump. */
	bool has_scanned;
	uint64_t scanned_pfns, missing_pfns;
	/** KFENCE pages, and slab pages of caches not on slab_caches. */
	uint64_t kfence_slabs, foreign_slabs;
	/** Errors of no one cache (borrowed). */
	const struct vmca_slab_errors *errors;
};
void vmca_slab_walk_info(const struct vmca_slab_walk *w,
			 struct vmca_slab_walk_info *ret);

/** The memory of a cache's slabs (the kernel's count, else the walk's). */
uint64_t vmca_slab_cache_memory(const struct vmca_slab_walk *w,
				const struct vmca_slab_cache *c);
/**
 * /proc/slabinfo's active_objs: num_objs less the free objects of node
 * partial slabs (get_slabinfo()), never below 0.
 */
uint64_t vmca_slab_cache_active_objs(const struct vmca_slab_cache *c);
/** SLAB_STORE_USER (slub_debug=U): the cache keeps alloc/free tracks. */
bool vmca_slab_cache_has_tracks(const struct vmca_slab_walk *w,
				const struct vmca_slab_cache *c);
/** SLAB_RECLAIM_ACCOUNT (counted in SReclaimable). */
bool vmca_slab_cache_is_reclaimable(const struct vmca_slab_walk *w,
				    const struct vmca_slab_cache *c);

enum vmca_slab_find_state {
	/** The page is no slab page. */
	VMCA_SLAB_FIND_NOT_SLAB,
	/** In the slab, in no object. */
	VMCA_SLAB_FIND_PADDING,
	/** An object whose state the freelists could not tell. */
	VMCA_SLAB_FIND_UNKNOWN,
	VMCA_SLAB_FIND_FREE,
	VMCA_SLAB_FIND_ALLOCATED,
};

/** Where an address falls (vmca_slab_walk_find()). */
struct vmca_slab_find {
	enum vmca_slab_find_state state;
	/** The head struct page of its page. */
	uint64_t page;
	/** The rest only if state is not VMCA_SLAB_FIND_NOT_SLAB. */
	uint32_t cache;
	uint64_t slab_base;
	enum vmca_slab_list list;
	uint32_t objects, inuse;
	int32_t cpu;
	bool is_kfence;
	/** The object, its index and the address's offset into it. */
	uint64_t object, index, offset;
};

/**
 * The cache, slab and object address falls in, and whether that object is
 * allocated or free: walks that one slab (and the cache's lists, to know
 * its list). Errors: the address is not mapped, its struct page is not in
 * the dump, or its slab belongs to a cache not on slab_caches.
 */
struct vmca_error *vmca_slab_walk_find(struct vmca_slab_walk *w,
				       uint64_t address,
				       struct vmca_slab_find *ret);

#endif /* VMCA_ANALYZER_SLAB_WALK_H */

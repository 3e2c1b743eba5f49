// SPDX-License-Identifier: MIT
/**
 * @file Leaks: where the memory is, kernel objects their owners lost, and
 * an offline kmemleak (a conservative pointer scan of the whole dump).
 */
#ifndef VMCA_ANALYZER_LEAK_H
#define VMCA_ANALYZER_LEAK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shmem.h"
#include "vmalloc.h"
#include "slab_track.h"
#include "util/error.h"

struct vmca_session;

/** One line of the account of MemTotal. */
struct vmca_leak_part {
	/** "free", "page_cache", ... (static). */
	const char *name;
	/** What it is, for people (static). */
	const char *label;
	uint64_t bytes;
	/** False if the counter could not be read (bytes is 0). */
	bool is_known;
};

#define VMCA_LEAK_NR_PARTS 14

/** A slab cache, ranked by memory. */
struct vmca_leak_cache {
	char name[64];
	uint64_t address;
	uint64_t memory_bytes;
	uint64_t active_objs, total_objs;
	uint32_t object_size, size;
	bool is_reclaimable;
	/** One of the few unreclaimable caches that dominate SUnreclaim. */
	bool is_flagged;
	/** Its share of SUnreclaim (unreclaimable caches), 0..1. */
	double unreclaimable_share;
};

/** Where a pointer to an object was found. */
struct vmca_leak_holder {
	/** The word's address: virtual where known, else the direct map's. */
	uint64_t address;
	/**
	 * "symbol+0x10 [module]", "kmalloc-64 object 0x...+0x8",
	 * "stack of pid 123 (comm)", "kernel page 0x... (no symbol)".
	 */
	char where[160];
	/** "data" (kernel or module), "object", "stack", "page". */
	const char *kind;
};

#define VMCA_LEAK_MAX_HOLDERS 4

/** An allocated object no live owner accounts for. */
struct vmca_leak_object {
	uint64_t address;
	/** task_struct only: the task as it was left. */
	uint64_t pid, tgid, state, exit_state, flags;
	int64_t usage, rcu_users;
	char comm[17];
	/** "EXIT_DEAD", "EXIT_ZOMBIE", "TASK_DEAD", "TASK_NEW", "R", "S"... */
	char state_name[16];
	/** Seconds since it last ran (sched_info.last_arrival), if known. */
	bool has_ran_ago;
	double ran_ago_s;
	/** The orphaned task that owns it (other kinds), or 0. */
	uint64_t owner_task;
	/**
	 * Why it is not called a leak, or NULL: "rcu" (its task's RCU
	 * callback is pending), "new" (a task being created), "file" (a
	 * cred an open file holds: f_cred), "kernel" (an mm_struct a
	 * variable of the kernel's own holds: poking_mm).
	 */
	const char *explained;
	struct vmca_leak_holder holders[VMCA_LEAK_MAX_HOLDERS];
	uint32_t nr_holders;
	/** Holders found (nr_holders are kept). */
	uint64_t holders_found;
};

/** Orphans of one kind, grouped. */
struct vmca_leak_comm_group {
	char comm[17];
	char state[16];
	uint64_t count;
};

struct vmca_leak_orphans {
	/** "task_struct", "signal_struct", "cred", "mm_struct", ... */
	const char *kind;
	/** The cache (the kernel's kmem_cache pointer variable). */
	char cache[64];
	uint64_t cache_address;
	/** Why the kind was not checked (owned), or NULL. */
	char *skipped;
	uint64_t object_size;
	/** The memory each takes (the cache's object size with metadata). */
	uint64_t object_size_slot;
	/**
	 * The cache's refcount when SLUB merged other caches into it (0 if
	 * not): its objects no task owns are then told apart by a member
	 * (signal_struct.thread_head empty or on a task, cred.user_ns and
	 * pid.numbers[0].ns a namespace); other_objects are the rest.
	 */
	uint64_t shared_by, other_objects;
	/** Allocated objects; owned by a live task; by an orphaned one. */
	uint64_t allocated, owned_by_live, owned_by_orphan;
	/**
	 * Objects no live or orphaned task owns, less those in flight:
	 * the suspects.
	 */
	uint64_t count, memory_bytes, explained;
	struct vmca_leak_object *objects;
	size_t nr_objects;
	struct vmca_leak_comm_group *by_comm;
	size_t nr_by_comm;
	/** The same by comm pattern: digit runs as '*' ("vmca-leak-*"). */
	struct vmca_leak_comm_group *by_pattern;
	size_t nr_by_pattern;
};

#define VMCA_LEAK_NR_KINDS 6

/** A word every object of a group has at the same offset. */
struct vmca_leak_word {
	uint32_t offset;
	uint64_t value;
	/** The symbol it points to ("" if none). */
	char symbol[128];
	/** Its bytes as text if all are printable ("" if not). */
	char text[9];
};

/** Where a group was allocated, from slub_debug=U's tracks. */
struct vmca_leak_site {
	bool has_track;
	/** The caller, as "function+0x12 [module]". */
	uint64_t addr;
	char symbol[160];
	/** The first object's pid and CPU; how many distinct pids. */
	int32_t pid, cpu;
	uint64_t pids;
	/** jiffies since the youngest and the oldest allocation; HZ. */
	uint64_t age_min_jiffies, age_max_jiffies;
	uint32_t hz;
	/** The first object's allocation stack (innermost first). */
	char stack[VMCA_SLAB_TRACK_DEPTH][128];
	uint32_t nr_stack;
	/** Its last free before (a track's history), if any. */
	bool has_free;
	char free_symbol[160];
	int32_t free_pid;
};

#define VMCA_LEAK_MAX_WORDS   8
#define VMCA_LEAK_MAX_SAMPLES 4

/** Unreferenced objects of one cache that look alike. */
struct vmca_leak_group {
	uint64_t count, memory_bytes;
	/** The first word, unless it differs between them (a pointer). */
	bool has_first_word;
	uint64_t first_word;
	struct vmca_leak_word words[VMCA_LEAK_MAX_WORDS];
	uint32_t nr_words;
	/** The longest text every object holds at the same offset. */
	char text[64];
	uint32_t text_offset;
	uint64_t samples[VMCA_LEAK_MAX_SAMPLES];
	uint32_t nr_samples;
	/** With slub_debug=U the group is the objects of one allocation
	 *  site. */
	struct vmca_leak_site alloc;
};

struct vmca_leak_unreferenced {
	char cache[64];
	uint64_t count, memory_bytes;
	/** The cache's allocated objects the scan read. */
	uint64_t allocated;
	struct vmca_leak_group *groups;
	size_t nr_groups;
	/** Objects in groups not kept. */
	uint64_t other_count;
	/** The objects' addresses, ascending (at most max_objects). */
	uint64_t *objects;
	size_t nr_objects;
};

/** What the pointer scan did. */
struct vmca_leak_scan {
	bool has_run;
	uint32_t threads;
	/** Root memory read (kernel pages and unwalked slab pages). */
	uint64_t root_pages, root_bytes;
	/** Kernel pages (roots) not in the dump; struct pages missing. */
	uint64_t missing_root_pages, missing_struct_pages;
	/** Slab pages the walk did not read (their objects unscanned). */
	uint64_t unread_objects;
	uint64_t objects, allocated, reachable, unreferenced;
	/** Pointers from objects into objects. */
	uint64_t edges;
	/**
	 * Memory the scan read in all (slab pages, roots), and the seconds
	 * from the slab walk to the report.
	 */
	uint64_t bytes_read;
	double seconds;
};

struct vmca_leak_options {
	/** Run the pointer scan (unreferenced objects, holders). */
	bool scan;
	/** Objects kept per orphan kind and groups per cache (0: default). */
	size_t max_objects, max_groups;
	/** Worker threads (0: the machine's CPUs, at most 8). */
	uint32_t threads;
};

struct vmca_leak {
	struct vmca_leak_part parts[VMCA_LEAK_NR_PARTS];
	size_t nr_parts;
	uint64_t mem_total;
	struct vmca_leak_cache *caches;
	size_t nr_caches;
	struct vmca_leak_orphans orphans[VMCA_LEAK_NR_KINDS];
	size_t nr_orphans;
	struct vmca_leak_unreferenced *unreferenced;
	size_t nr_unreferenced;
	struct vmca_leak_scan scan;
	/** Some cache keeps slub_debug=U tracks: groups by allocation site. */
	bool has_tracks;
	/** shmem/tmpfs, SysV and memfd memory, or NULL (see notes). */
	struct vmca_shmem *shmem;
	/** The vmap areas grouped by caller, or NULL (see notes). */
	struct vmca_vmalloc *vmalloc;
	/** What could not be done, and caveats (owned). */
	char **notes;
	size_t nr_notes;
};

/**
 * The whole analysis: the account of MemTotal, the slab caches ranked, the
 * orphaned objects of the task-owned caches, and with opts->scan the
 * pointer scan: roots are the kernel's own pages (its image, data and
 * bss, the memory map, stacks, vmalloc, per-CPU, page tables, large
 * allocations: every page with no mapping that is no slab and not free)
 * and the CPUs' registers; the scan follows allocated slab objects
 * transitively; what nothing reaches is unreferenced.
 */
struct vmca_error *vmca_leak_analyze(struct vmca_session *s,
				     const struct vmca_leak_options *opts,
				     struct vmca_leak **ret);
void vmca_leak_destroy(struct vmca_leak *l);

#endif /* VMCA_ANALYZER_LEAK_H */

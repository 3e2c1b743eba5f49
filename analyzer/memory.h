// SPDX-License-Identifier: MIT
/** @file The dump: reads by kernel virtual and physical address. */
#ifndef VMCA_ANALYZER_MEMORY_H
#define VMCA_ANALYZER_MEMORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

struct vmca_memory;

/** Maximum number of page-table levels reported by vmca_memory_vtop(). */
#define VMCA_VTOP_MAX_LEVELS 6

struct vmca_vtop {
	uint64_t paddr;
	/** Number of page-table levels walked. */
	int nlevels;
	/** Levels of the paging mode (4 or 5 on x86_64). */
	int total_levels;
	struct {
		/** Physical address of the table entry that was read. */
		uint64_t entry_paddr;
		/** Its raw value. */
		uint64_t entry;
	} levels[VMCA_VTOP_MAX_LEVELS];
	/** Page size of the final mapping (4K, 2M, 1G). */
	uint64_t page_size;
};

/**
 * Open the dump at path read-only. A makedumpfile flattened file is first
 * rearranged into cache_dir (once; reused while the source's size and
 * mtime are unchanged) and that copy is opened. Errors name path: missing,
 * empty, not a dump, truncated.
 */
struct vmca_error *vmca_memory_create(const char *path, const char *cache_dir,
				      struct vmca_memory **ret);
void vmca_memory_destroy(struct vmca_memory *m);

/**
 * Finish setting up address translation. arch is the ELF machine name
 * ("x86_64"), used when the dump header leaves it empty (QEMU's kdump).
 */
struct vmca_error *vmca_memory_setup(struct vmca_memory *m, const char *arch);

/** libkdumpfile's format name ("diskdump", "elf", ...); borrowed. */
const char *vmca_memory_format(struct vmca_memory *m);
/** Whether the file was in makedumpfile's flattened format. */
bool vmca_memory_is_flattened(const struct vmca_memory *m);
/** The architecture name libkdumpfile settled on, or NULL. */
const char *vmca_memory_arch(struct vmca_memory *m);

/**
 * The value of a VMCOREINFO line ("OSRELEASE", "SYMBOL(swapper_pg_dir)"),
 * or NULL if absent. Valid until m is destroyed.
 */
const char *vmca_memory_vmcoreinfo(struct vmca_memory *m, const char *key);

/** VMCOREINFO's "KEY=VALUE" lines, parsed (other lines are skipped). */
struct vmca_memory_vmcoreinfo;

/**
 * Parse text, len bytes (or up to a NUL), as vmca_memory_vmcoreinfo()
 * parses the dump's note: the byte-level parser, for tests and fuzzing.
 * The caller owns *ret (vmca_memory_vmcoreinfo_destroy()).
 */
struct vmca_error *
vmca_memory_vmcoreinfo_parse(const char *text, size_t len,
			     struct vmca_memory_vmcoreinfo **ret);
/** The value of the first line of key, or NULL; valid until vi is. */
const char *
vmca_memory_vmcoreinfo_lookup(const struct vmca_memory_vmcoreinfo *vi,
			      const char *key);
void vmca_memory_vmcoreinfo_destroy(struct vmca_memory_vmcoreinfo *vi);

/** Physical addresses [start, end). */
struct vmca_memory_range {
	uint64_t start, end;
};

/**
 * The physical ranges whose contents the dump holds, ascending and
 * disjoint: an ELF dump's PT_LOAD file data, a compressed dump's bitmap
 * of pages (runs closer than VMCA_MEMORY_RANGE_GAP_PAGES merged). What a
 * walk bounds itself by when the kernel's own figures (max_pfn, its RAM
 * map) cannot be trusted: they come from the dump's file, not from its
 * memory. Computed once; borrowed, valid until m is destroyed. Not for a
 * clone.
 */
struct vmca_error *vmca_memory_ranges(struct vmca_memory *m,
				      const struct vmca_memory_range **ret,
				      size_t *nr_ret);
/** Pages a hole between two runs of a bitmap must span to stay one. */
#define VMCA_MEMORY_RANGE_GAP_PAGES 64
/** The bytes of vmca_memory_ranges(), summed. */
struct vmca_error *vmca_memory_ranges_size(struct vmca_memory *m,
					   uint64_t *ret);

/** The two address spaces a read names. */
enum vmca_memory_space {
	VMCA_MEMORY_KVADDR,
	VMCA_MEMORY_PADDR,
};

/**
 * A back end of the memory interface: what vmca_memory_read() and
 * vmca_memory_read_phys() go through when one is set, e.g. an overlay
 * that changes some bytes of the dump (the walkers' fuzz target). Address
 * translation (vmca_memory_vtop(), and the page tables a virtual read
 * goes through) stays the dump's.
 */
struct vmca_memory_backend {
	/**
	 * Read len bytes at addr of space into buf, as vmca_memory_read()
	 * would: errors are the caller's. vmca_memory_read_dump() reads m's
	 * dump itself.
	 */
	struct vmca_error *(*read)(void *arg, struct vmca_memory *m,
				   enum vmca_memory_space space, uint64_t addr,
				   void *buf, size_t len);
};

/**
 * Route m's reads through backend (borrowed; with arg, valid until it is
 * unset), or straight to the dump again if NULL. A clone made after this
 * reads through it too, from its own thread: a back end a clone may use
 * must allow concurrent reads.
 */
void vmca_memory_set_backend(struct vmca_memory *m,
			     const struct vmca_memory_backend *backend,
			     void *arg);

/** Read the dump itself, whatever back end is set. */
struct vmca_error *vmca_memory_read_dump(struct vmca_memory *m,
					 enum vmca_memory_space space,
					 uint64_t addr, void *buf, size_t len);

/** Read len bytes at a kernel virtual address. Fault errors carry it. */
struct vmca_error *vmca_memory_read(struct vmca_memory *m, uint64_t vaddr,
				    void *buf, size_t len);
/**
 * A second reader of m's dump for another thread: a libkdumpfile context
 * of its own on m's file (its own page cache, no lock shared with m's;
 * not kdump_clone(): libkdumpfile up to 0.5.4 hands out a cache entry
 * without a buffer when an evicted ("ghost") entry is reused, fixed after
 * 0.5.4 by e63dab4, and a clone inherits m's cache with its ghosts). It
 * reads physical addresses only (vmca_memory_read_phys()) and checks m's
 * page bitmap. Destroy it before m.
 */
struct vmca_error *vmca_memory_clone(struct vmca_memory *m,
				     struct vmca_memory **ret);

/** Read len bytes at a physical address. */
struct vmca_error *vmca_memory_read_phys(struct vmca_memory *m, uint64_t paddr,
					 void *buf, size_t len);
/** CPUs whose crash-time registers the dump's notes hold ("cpu.number"). */
uint32_t vmca_memory_nr_cpus(struct vmca_memory *m);

/**
 * The registers of CPU cpu saved in the dump's notes (NT_PRSTATUS: the
 * crash-time registers under kdump, the vCPU's at the stop for QEMU's
 * dumps), by libkdumpfile's names ("rip", "rsp", "rax"...): values[i] and
 * bit i of *is_set_ret for each names[i] found (n <= 64). pid_ret: the
 * note's pr_pid, or -1. VMCA_ERROR_NOT_FOUND if the dump has no notes for
 * cpu.
 */
struct vmca_error *vmca_memory_cpu_regs(struct vmca_memory *m, uint32_t cpu,
					const char *const *names, size_t n,
					uint64_t *values, uint64_t *is_set_ret,
					int64_t *pid_ret);

/** Translate vaddr through the kernel page tables, level by level. */
struct vmca_error *vmca_memory_vtop(struct vmca_memory *m, uint64_t vaddr,
				    struct vmca_vtop *ret);

#endif /* VMCA_ANALYZER_MEMORY_H */

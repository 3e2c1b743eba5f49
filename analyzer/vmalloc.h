// SPDX-License-Identifier: MIT
/** @file The kernel's vmap areas, as /proc/vmallocinfo shows them. */
#ifndef VMCA_ANALYZER_VMALLOC_H
#define VMCA_ANALYZER_VMALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

struct vmca_session;

enum vmca_vmalloc_kind {
	/** A busy area with its struct vm_struct (vmalloc, vmap, ioremap). */
	VMCA_VMALLOC_AREA,
	/** A busy area without one: vm_map_ram() ("vm_map_ram"). */
	VMCA_VMALLOC_VM_MAP_RAM,
	/** Freed lazily, not yet purged ("unpurged vm_area"). */
	VMCA_VMALLOC_UNPURGED,
};

/** "area", "vm_map_ram", "unpurged". */
const char *vmca_vmalloc_kind_name(enum vmca_vmalloc_kind kind);

/** Pages of an area on one NUMA node (show_numa_info()'s N<nid>=<n>). */
struct vmca_vmalloc_node_pages {
	uint32_t nid;
	uint32_t pages;
};

struct vmca_vmalloc_area {
	enum vmca_vmalloc_kind kind;
	/** The struct vmap_area; the struct vm_struct (0 if none). */
	uint64_t vmap_area, vm;
	/**
	 * As /proc prints them: vm->addr, vm->addr + vm->size (the guard
	 * page included) for an AREA, va_start and va_end otherwise.
	 */
	uint64_t start, end, size;
	/** vm->caller, 0 if none; as %pS prints it; its function. */
	uint64_t caller;
	char caller_text[192];
	bool has_caller_symbol;
	char caller_function[128];
	/** The caller's module, "" for the vmlinux. */
	char caller_module[64];
	/** vm->pages (the struct page array), its page_order, nr_pages. */
	uint64_t pages;
	uint32_t page_order;
	uint64_t nr_pages;
	uint64_t phys_addr;
	/** vm->flags (VM_IOREMAP, VM_ALLOC, ...). */
	uint64_t flags;
	/** vm->pages is itself vmalloc()ed ("vpages"). */
	bool is_vpages;
	/** VM_UNINITIALIZED: being set up (no page counts are shown). */
	bool is_uninitialized;
	/** Nodes with pages, in node order (owned). */
	struct vmca_vmalloc_node_pages *node_pages;
	size_t nr_node_pages;
	/** Why the vm_struct or its pages could not be read, or NULL. */
	struct vmca_error *err;
};

/** Areas grouped by kind and caller function. */
struct vmca_vmalloc_group {
	enum vmca_vmalloc_kind kind;
	/** The function (AREA), else ""; the raw caller where no symbol. */
	char function[128];
	char module[64];
	uint64_t count, size, pages;
};

struct vmca_vmalloc {
	/** In /proc/vmallocinfo's order: the busy areas, then unpurged. */
	struct vmca_vmalloc_area *areas;
	size_t nr_areas;
	/** Largest size first. */
	struct vmca_vmalloc_group *groups;
	size_t nr_groups;
	/** The kernel prints N<nid>= counts (CONFIG_NUMA). */
	bool has_numa;
	/** The kernel prints " sparse" (VM_SPARSE, since v6.9). */
	bool has_sparse;
	/** Walks that broke and what was kept (owned strings). */
	char **notes;
	size_t nr_notes;
};

/**
 * The vmap areas as vmalloc_info_show() (s_show() before v6.9) of the
 * kernel in hand lists them: the busy areas (vmap_area_list; since v6.9
 * each vmap_nodes[i].busy list in turn), then the lazily freed ones
 * (vmap_purge_list, purge_vmap_area_list, each node's lazy list), and
 * the areas grouped by caller function. A broken list is noted and the
 * areas before it are kept; an area whose vm_struct cannot be read is
 * listed with its error. Caller owns *ret (vmca_vmalloc_destroy()).
 */
struct vmca_error *vmca_vmalloc_areas(struct vmca_session *s,
				      struct vmca_vmalloc **ret);
void vmca_vmalloc_destroy(struct vmca_vmalloc *v);

/**
 * The words /proc/vmallocinfo prints for an AREA's flags, in its order
 * ("ioremap", "sparse", "vmalloc", "vmap", "user", "dma-coherent",
 * "vpages"; not the N<nid>= counts): up to max into words (static
 * strings); returns how many.
 */
size_t vmca_vmalloc_flag_words(const struct vmca_vmalloc *v,
			       const struct vmca_vmalloc_area *a,
			       const char **words, size_t max);

struct vmca_out;
/** A group's caller for people: "function [module]", "(no caller)",
 *  "(unpurged vm_area)", "(vm_map_ram)". */
void vmca_vmalloc_group_label(const struct vmca_vmalloc_group *g, char *buf,
			      size_t size);
/** A group as a JSON object: caller (null without one), module, kind,
 *  count, size, pages. */
void vmca_vmalloc_group_json(struct vmca_out *out,
			     const struct vmca_vmalloc_group *g);

#endif /* VMCA_ANALYZER_VMALLOC_H */

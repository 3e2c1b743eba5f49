// SPDX-License-Identifier: MIT
/** @file The one header plugins include: session, memory, types, output. */
#ifndef VMCA_ANALYZER_VMCA_H
#define VMCA_ANALYZER_VMCA_H

#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "vmca-plugin.h"
#include "memory.h"
#include "meminfo.h"
#include "buddy.h"
#include "leak.h"
#include "slab_track.h"
#include "shmem.h"
#include "triage.h"
#include "batch.h"
#include "report_html.h"
#include "interactive.h"
#include "module.h"
#include "output.h"
#include "disasm.h"
#include "expr.h"
#include "print.h"
#include "printk.h"
#include "regs.h"
#include "slab_walk.h"
#include "crash.h"
#include "oom.h"
#include "kallsyms.h"
#include "vmalloc.h"
#include "vm.h"
#include "task.h"
#include "type.h"
#include "unwind.h"
#include "value.h"
#include "walk.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/vector.h"

#define VMCA_VERSION "0.1.0"

struct vmca_session;

struct vmca_session_options {
	const char *vmcore_path;
	/** NULL: find it next to the dump or under /usr/lib/debug. */
	const char *vmlinux_path;
	/** Directories with module debuginfo (-m); may be empty. */
	const char *const *module_dirs;
	size_t nmodule_dirs;
	/** Accept a vmlinux whose build-id differs from the dump's. */
	bool is_forced;
	/** Where caches live; NULL: $XDG_CACHE_HOME/vmca or ~/.cache/vmca. */
	const char *cache_dir;
	/** Types from the vmlinux's BTF, no DWARF read (--btf). */
	bool is_btf;
};

/**
 * Open a dump with its vmlinux: the dump through libkdumpfile, the
 * debuginfo (from its cache when warm), address translation from
 * VMCOREINFO, and a check that the vmlinux belongs to the dump.
 */
struct vmca_error *vmca_session_create(const struct vmca_session_options *opts,
				       struct vmca_session **ret);
void vmca_session_destroy(struct vmca_session *s);

/**
 * The exit status of a command that ran to the end (0 unless set: triage
 * --fail-on). Errors exit 1 and usage errors 2 whatever it is.
 */
void vmca_session_set_exit_status(struct vmca_session *s, int status);
int vmca_session_exit_status(const struct vmca_session *s);

const char *vmca_session_vmcore_path(const struct vmca_session *s);
const char *vmca_session_vmlinux_path(const struct vmca_session *s);
/** KASLR offset: runtime address minus link-time address. */
uint64_t vmca_session_kaslr_offset(const struct vmca_session *s);
/** "diskdump", "elf", ... and whether it came flattened. */
const char *vmca_session_dump_format(const struct vmca_session *s);
bool vmca_session_is_flattened(const struct vmca_session *s);
const char *vmca_session_build_id(const struct vmca_session *s);
uint64_t vmca_session_page_size(const struct vmca_session *s);
/** -m's directories, in order (borrowed). */
const char *const *vmca_session_module_dirs(const struct vmca_session *s,
					    size_t *nr_ret);
/** The index cache's directory, or NULL (borrowed). */
const char *vmca_session_cache_dir(const struct vmca_session *s);
/**
 * Note a warning (one line, no "vmca: warning: " prefix) for main.c to
 * print on stderr once the command is done: something was skipped, the
 * answer stands.
 */
void vmca_session_warn(struct vmca_session *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/** The warnings so far (borrowed). */
const char *const *vmca_session_warnings(const struct vmca_session *s,
					 size_t *nr_ret);
/** The vmlinux's machine as libkdumpfile spells it ("x86_64"). */
const char *vmca_session_machine(const struct vmca_session *s);
/**
 * The vmlinux's debuginfo, for the core (analyzer/): plugins ask the
 * session (type.h, value.h), which also knows modules and made types.
 */
struct vmca_debuginfo *vmca_session_debuginfo(const struct vmca_session *s);
/** The dump, for the core (analyzer/): plugins read through the session. */
struct vmca_memory *vmca_session_memory(const struct vmca_session *s);

/** A VMCOREINFO value ("OSRELEASE", "NUMBER(...)"), or NULL. */
const char *vmca_vmcoreinfo(struct vmca_session *s, const char *key);

/* Memory. */

/**
 * A deadline for what runs next (triage --timeout): from seconds from now
 * on, vmca_read() and vmca_read_phys() fail with VMCA_ERROR_TIMEOUT, and
 * long loops that read otherwise (the leak scan's workers) ask
 * vmca_session_expired(). 0 clears it.
 */
void vmca_session_set_deadline(struct vmca_session *s, double seconds);
/** Whether the deadline has passed (false with none); thread-safe. */
bool vmca_session_expired(const struct vmca_session *s);
/** The VMCA_ERROR_TIMEOUT error the reads return past the deadline. */
struct vmca_error *vmca_session_timeout_error(const struct vmca_session *s);

struct vmca_error *vmca_read(struct vmca_session *s, uint64_t vaddr, void *buf,
			     size_t len);
struct vmca_error *vmca_read_phys(struct vmca_session *s, uint64_t paddr,
				  void *buf, size_t len);
struct vmca_error *vmca_read_u64(struct vmca_session *s, uint64_t vaddr,
				 uint64_t *ret);
struct vmca_error *vmca_read_u32(struct vmca_session *s, uint64_t vaddr,
				 uint32_t *ret);
/**
 * Read a NUL-terminated string of at most size - 1 bytes into buf (always
 * terminated). Stops at the first unreadable page if some bytes were read.
 */
struct vmca_error *vmca_read_string(struct vmca_session *s, uint64_t vaddr,
				    char *buf, size_t size);
struct vmca_error *vmca_vtop(struct vmca_session *s, uint64_t vaddr,
			     struct vmca_vtop *ret);

/* Symbols, with runtime (KASLR-relocated) addresses. */

struct vmca_error *vmca_symbol_address(struct vmca_session *s, const char *name,
				       uint64_t *ret);
/** A symbol by exact name; ret->address is runtime. */
struct vmca_error *vmca_symbol_by_name(struct vmca_session *s, const char *name,
				       struct vmca_symbol *ret);
/** The symbol at or below a runtime address; ret->address is runtime. */
struct vmca_error *vmca_symbol_lookup(struct vmca_session *s, uint64_t address,
				      struct vmca_symbol *ret);
/**
 * The debuginfo that describes a runtime address: the module's (-m) if a
 * module holds it, else the vmlinux's; *link_ret the address as that
 * debuginfo spells it, *bias_ret what to add to its addresses (the KASLR
 * offset for the vmlinux, 0 for a module's, already relocated). For the
 * core (analyzer/).
 */
struct vmca_debuginfo;
struct vmca_error *vmca_debuginfo_at(struct vmca_session *s, uint64_t address,
				     struct vmca_debuginfo **di_ret,
				     uint64_t *link_ret, uint64_t *bias_ret);
/** A task argument: a pid (a thread's own) or a task_struct address. */
struct vmca_error *vmca_parse_task(struct vmca_session *s, const char *arg,
				   uint64_t *ret);
/**
 * vmca_symbol_lookup(), with the exact size of a module's function from
 * its debuginfo where there is one (kallsyms' size runs to the next
 * symbol, as the kernel's own lookups report it).
 */
struct vmca_error *vmca_function_lookup(struct vmca_session *s,
					uint64_t address,
					struct vmca_symbol *ret);
/**
 * The function, the chain of inlined calls and the file:line at a runtime
 * address of the vmlinux, from DWARF read on demand (only the unit holding
 * it; see vmca_debuginfo_pc_lookup()).
 */
struct vmca_error *vmca_pc_lookup(struct vmca_session *s, uint64_t address,
				  struct vmca_debuginfo_pc *ret);

/**
 * Parse an address argument: hex ("0xffff...", "ffff..."), a symbol name,
 * or "symbol+offset".
 */
struct vmca_error *vmca_parse_address(struct vmca_session *s, const char *arg,
				      uint64_t *ret);

/* Variables and raw members. */

/**
 * Read an integer, enum, bool or pointer member of the object of type
 * type_name at vaddr, honouring its size, signedness and bitfield. Signed
 * values are sign-extended to 64 bits.
 */
struct vmca_error *vmca_read_member(struct vmca_session *s, uint64_t vaddr,
				    const char *type_name, const char *path,
				    uint64_t *ret);
/**
 * Decode an integer of type id from raw bytes (size, sign, bitfield
 * given by bit_offset within buf and bit_size, 0 if none).
 */
uint64_t vmca_decode_int(struct vmca_session *s, uint32_t type, const void *buf,
			 size_t len, uint64_t bit_offset, uint32_t bit_size);

struct vmca_variable {
	uint64_t address; /**< runtime */
	uint32_t type;
};
/** A global variable: runtime address and type. */
struct vmca_error *vmca_variable(struct vmca_session *s, const char *name,
				 struct vmca_variable *ret);
/**
 * The type of a kernel global variable that vmca reads, as the kernel
 * declares it, for a session whose types came from BTF (which describes
 * no global variables): kernel_vars.c. VMCA_ERROR_NOT_FOUND for others.
 */
struct vmca_error *vmca_kernel_variable_type(struct vmca_session *s,
					     const char *name, uint32_t *ret);

/* Kernel data (analyzer/kernel.c). */

/** Bound on CPU numbers (NR_CPUS is at most 8192). */
#define VMCA_MAX_CPUS 8192

/**
 * Walk a circular struct list_head whose head is at head (the head itself
 * is not visited): fn(s, node_address, arg) for each node, in order. fn
 * returns NULL to go on or an error to stop the walk with it. An
 * unreadable link, a node whose prev does not point back, a cycle that
 * does not pass the head, or more than max nodes end the walk with an
 * error naming where; the nodes before it were visited.
 */
struct vmca_error *vmca_list_walk(
	struct vmca_session *s, uint64_t head, uint64_t max,
	struct vmca_error *(*fn)(struct vmca_session *, uint64_t, void *),
	void *arg);

/** Start of the direct map (page_offset_base with KASLR). */
uint64_t vmca_page_offset(struct vmca_session *s);
/** Start of the struct page array (vmemmap_base with KASLR). */
uint64_t vmca_vmemmap(struct vmca_session *s);
/** Physical address of a kernel virtual address (direct map or tables). */
struct vmca_error *vmca_virt_to_phys(struct vmca_session *s, uint64_t vaddr,
				     uint64_t *ret);
/** Direct-map address of a physical address. */
uint64_t vmca_phys_to_virt(struct vmca_session *s, uint64_t paddr);
/** sizeof(struct page). */
struct vmca_error *vmca_page_size_of_struct(struct vmca_session *s,
					    uint64_t *ret);
struct vmca_error *vmca_pfn_to_page(struct vmca_session *s, uint64_t pfn,
				    uint64_t *ret);
struct vmca_error *vmca_page_to_pfn(struct vmca_session *s, uint64_t page,
				    uint64_t *ret);

/** nr_cpu_ids, bounded by VMCA_MAX_CPUS. */
struct vmca_error *vmca_nr_cpu_ids(struct vmca_session *s, uint32_t *ret);
/**
 * Whether cpu is set in a cpumask variable ("__cpu_possible_mask").
 * VMCA_ERROR_INVALID for a cpu past the variable's bits (NR_CPUS).
 */
struct vmca_error *vmca_cpu_in_mask(struct vmca_session *s,
				    const char *mask_name, uint32_t cpu,
				    bool *ret);
/**
 * percpu_counter_sum() of the struct percpu_counter at address: its count
 * plus every possible CPU's delta (may be negative).
 */
struct vmca_error *vmca_percpu_counter_sum(struct vmca_session *s,
					   uint64_t address, int64_t *ret);
/** __per_cpu_offset[cpu]. */
struct vmca_error *vmca_percpu_offset(struct vmca_session *s, uint32_t cpu,
				      uint64_t *ret);
/** The address of CPU cpu's instance of a per-CPU variable, and its type. */
struct vmca_error *vmca_percpu_variable(struct vmca_session *s,
					const char *name, uint32_t cpu,
					struct vmca_variable *ret);

/**
 * The value of enumerator name of an enum type ("enum node_stat_item",
 * "NR_SHMEM"). VMCA_ERROR_NOT_FOUND if the type or the enumerator does
 * not exist: enumerators under #ifdef CONFIG_... tell which options the
 * kernel was built with.
 */
struct vmca_error *vmca_enum_value(struct vmca_session *s,
				   const char *type_name, const char *name,
				   int64_t *ret);

/**
 * Call fn(s, nid, pgdat, arg) for every online node with its struct
 * pglist_data (node_data[], or contig_page_data without CONFIG_NUMA), in
 * node order. fn returns NULL to go on or an error to stop the walk with.
 */
struct vmca_error *
vmca_node_walk(struct vmca_session *s,
	       struct vmca_error *(*fn)(struct vmca_session *, uint32_t,
					uint64_t, void *),
	       void *arg);

/** One zone, as vmca_zone_walk() passes it. */
struct vmca_zone {
	uint32_t nid;
	/** Index in node_zones[]: the zone's enum zone_type. */
	uint32_t zone_idx;
	/** The node's struct pglist_data. */
	uint64_t pgdat;
	/** The struct zone. */
	uint64_t address;
};

/**
 * Call fn(s, zone, arg) for every zone of every online node, in node then
 * zone order, as for_each_zone() does: unpopulated zones included (callers
 * that want /proc/buddyinfo's view skip present_pages == 0). Nodes are
 * node_data[nid] for nid < nr_node_ids set in node_states[N_ONLINE], or
 * contig_page_data without CONFIG_NUMA. fn returns NULL to go on or an
 * error to stop the walk with it; zone is valid during the call only.
 */
struct vmca_error *
vmca_zone_walk(struct vmca_session *s,
	       struct vmca_error *(*fn)(struct vmca_session *,
					const struct vmca_zone *, void *),
	       void *arg);

/**
 * wmark_pages(zone, i): zone->_watermark[i] + zone->watermark_boost
 * (zone->watermark[i] before v5.0) of the struct zone at zone, for the
 * enum zone_watermarks enumerator mark ("WMARK_MIN", "WMARK_LOW", ...).
 */
struct vmca_error *vmca_zone_wmark_pages(struct vmca_session *s, uint64_t zone,
					 const char *mark, uint64_t *ret);

/* Plugins. */

// struct vmca_plugin is the plugin API's (include/vmca-plugin.h): the
// commands built in and those loaded with --plugin are the same.

/** The plugin table, NULL-terminated (plugins/plugins.def). */
extern const struct vmca_plugin *const vmca_plugins[];
/** A command by name: the loaded plugins' first, then the built-in. */
const struct vmca_plugin *vmca_plugin_find(const char *name);
/** Add a command (a loaded plugin's); its name must be new. */
struct vmca_error *vmca_plugin_register(const struct vmca_plugin *p);
/** The loaded plugins' commands (borrowed). */
const struct vmca_plugin *const *vmca_plugins_loaded(size_t *nr_ret);
/**
 * A command's help as `vmca help CMD` prints it: usage, summary, help and
 * examples (each "vmca VMCORE ARGS" and what it shows); vmcore is the word
 * shown for the dump ("VMCORE"), NULL inside a session (no "vmca VMCORE").
 */
void vmca_plugin_print_help(FILE *f, const struct vmca_plugin *p,
			    const char *vmcore);
/** Only the examples (nothing when the command has none). */
void vmca_plugin_print_examples(FILE *f, const struct vmca_plugin *p,
				const char *vmcore);
/** dlopen a plugin (vmca_plugin_init()) and register its command. */
struct vmca_error *vmca_plugin_load(const char *path);

/** Parse an unsigned number (decimal or 0x hex) strictly. */
bool vmca_parse_u64(const char *arg, uint64_t *ret);
/** Parse a hex number, with or without 0x, strictly. */
bool vmca_parse_hex(const char *arg, uint64_t *ret);

#endif /* VMCA_ANALYZER_VMCA_H */

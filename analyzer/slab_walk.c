// SPDX-License-Identifier: MIT
/** @file SLUB: every cache, slab and object, with its state, from the dump. */
#include <stdlib.h>
#include <string.h>

#include "util/hash_map.h"
#include "util/progress.h"
#include "vmca.h"

// Bounds on what the dump may claim (STYLE.md §3.7).
#define MAX_CACHES 65536
#define MAX_NODES  1024
#define MAX_NAME   64
_Static_assert(MAX_NAME == sizeof(((struct vmca_slab_cache *)0)->name),
	       "cache names fit");
// slab->objects is a 15-bit field.
#define MAX_OBJECTS 32767
#define MAP_WORDS   ((MAX_OBJECTS + 64) / 64)
// The largest slab read whole (order 10 of 4 KiB pages).
#define MAX_SLAB_BYTES (UINT64_C(4) << 20)
// Struct sizes beyond this are not a kernel's.
#define MAX_STRUCT 512
// List lengths beyond this are a corrupt list, not a big machine.
#define MAX_LIST (UINT64_C(1) << 28)
// Errors kept per cache and overall; the rest are only counted.
#define MAX_ERRORS 16
// Struct pages read at once by the scan: one 128 MiB section of 4 KiB
// pages, 2 MiB of 64-byte struct pages.
#define SCAN_PAGES 32768
// The vmemmap is mapped (and may be missing) in pages of this size.
#define VMEMMAP_PAGE UINT64_C(4096)
// KFENCE objects are bounded by a 16-bit-ish config; anything more is
// garbage.
#define MAX_KFENCE_OBJECTS 65536

// mm/slub.c "#define OO_SHIFT 16": struct kmem_cache_order_objects keeps
// the order above the object count, since commit 834f3d119234 ("slub: Add
// kmem_cache_order_objects struct") (v2.6.26). A #define, not in DWARF.
#define OO_SHIFT 16
#define OO_MASK	 ((UINT32_C(1) << OO_SHIFT) - 1)

// include/linux/slab.h before v6.9: "#define SLAB_RECLAIM_ACCOUNT
// ((slab_flags_t __force)0x00020000U)". Since commit cc61eb851c9a ("mm,
// slab: use an enum to define SLAB_ cache creation flags") (v6.9) the bit
// is _SLAB_RECLAIM_ACCOUNT of enum _slab_flag_bits, read from DWARF.
#define SLAB_RECLAIM_ACCOUNT_OLD UINT64_C(0x00020000)
// Likewise SLAB_STORE_USER (slub_debug=U): 0x00010000U before v6.9.
#define SLAB_STORE_USER_OLD UINT64_C(0x00010000)

// mm/slub.c: count_partial_free_approx() scans at most this many
// node-partial slabs for /proc/slabinfo and extrapolates beyond.
#define MAX_PARTIAL_TO_SCAN 10000

// Freelists that must agree on an encoding before it is settled, and how
// many slabs to try at most.
#define FORM_VOTES 3
#define FORM_TRIES 64

/** A scalar or bitfield member, decoded from a copy of its struct. */
struct field {
	uint32_t offset; // first byte
	uint8_t size;	 // bytes loaded (1..8)
	uint8_t shift;	 // low bits dropped after loading
	uint8_t bits;	 // width
	bool is_present;
};

// How a struct page says "slab".
enum slab_mark {
	// Before v6.10: PG_slab in page->flags.
	MARK_PAGE_FLAG,
	// Since commit 46df8e73a4a3 ("mm: free up PG_slab") (v6.10): a page
	// type, PG_slab cleared in page_type under PAGE_TYPE_BASE.
	MARK_PAGE_TYPE_BIT,
	// Since commit 4ffca5a96678 ("mm: support only one page_type per
	// page") (v6.12): the top byte of page_type is PGTY_slab.
	MARK_PAGE_TYPE_BYTE,
};

// How a freelist pointer is stored inside a free object.
enum fp_form {
	FP_UNKNOWN,
	FP_PLAIN,
	// CONFIG_SLAB_FREELIST_HARDENED since commit 1ad53d9fa3f6 ("slub:
	// improve bit diffusion for freelist ptr obfuscation") (v5.7):
	// ptr ^ s->random ^ swab(ptr_addr).
	FP_XOR_SWAB,
	// Before it, since commit 2482ddec670f ("mm: add SLUB free list
	// pointer obfuscation") (v4.14): ptr ^ s->random ^ ptr_addr.
	FP_XOR_ADDR,
};

static const char *const fp_form_names[] = {
	[FP_UNKNOWN] = "unknown",
	[FP_PLAIN] = "plain",
	[FP_XOR_SWAB] = "xor-random-swab",
	[FP_XOR_ADDR] = "xor-random-address",
};

struct layout {
	uint64_t page_size;
	uint64_t page_offset, vmemmap;
	// struct kmem_cache
	uint64_t kc_size, kc_read_size, kc_list, kc_node, kc_name;
	struct field kc_cpu_slab, kc_flags, kc_size_f, kc_object_size,
		kc_offset, kc_oo, kc_red_left_pad, kc_random, kc_refcount,
		kc_inuse;
	uint32_t nr_nodes;
	// struct kmem_cache_node
	uint64_t kn_size, kn_partial, kn_full;
	struct field kn_nr_partial, kn_nr_slabs, kn_total_objects;
	// struct kmem_cache_cpu
	uint64_t kcc_size;
	struct field kcc_freelist, kcc_slab, kcc_partial;
	// struct slab (struct page before v5.17)
	const char *slab_type;
	uint64_t sl_size, sl_list;
	struct field sl_cache, sl_freelist, sl_next, sl_inuse, sl_objects;
	// struct page
	uint64_t pg_size;
	struct field pg_flags, pg_compound_head, pg_type;
	// For the page kinds (vmca_slab_walk_page_kinds()): page->_refcount,
	// ->mapping, PG_reserved, how the kernel marks a free buddy page.
	struct field pg_refcount, pg_mapping;
	uint64_t reserved_flag;
	uint32_t buddy_value;
	bool has_kind_layout;
	enum slab_mark mark;
	uint64_t mark_value, mark_base;
	uint64_t reclaim_flag, store_user_flag;
	bool is_partial_approx;
	// Possible CPUs and their per-CPU offsets.
	uint32_t ncpus;
	uint32_t *cpus;
	uint64_t *cpu_offsets;
	// The KFENCE pool: its slabs hold one object each, outside the
	// cache's own counts.
	uint64_t kfence_start, kfence_end;
};

DEFINE_VECTOR(cache_vector, struct vmca_slab_cache)

const char *const vmca_slab_list_names[] = {
	[VMCA_SLAB_UNLISTED] = "full (on no list)",
	[VMCA_SLAB_NODE_PARTIAL] = "node partial",
	[VMCA_SLAB_NODE_FULL] = "node full",
	[VMCA_SLAB_CPU] = "cpu",
	[VMCA_SLAB_CPU_PARTIAL] = "cpu partial",
};

struct slab_rec {
	uint64_t slab; // struct slab (the head struct page) address
	uint64_t freelist;
	uint64_t cpu_freelist; // VMCA_SLAB_CPU: the CPU's lockless freelist
	uint32_t cache;
	uint32_t inuse, objects;
	int32_t cpu;
	uint8_t role;
	bool is_scanned;
};
DEFINE_VECTOR(slab_vector, struct slab_rec)
DEFINE_VECTOR(u64_vector, uint64_t)

static inline uint64_t hash_address(const uint64_t *a)
{
	return vmca_hash_u64(*a);
}

static inline bool eq_address(const uint64_t *a, const uint64_t *b)
{
	return *a == *b;
}

// A set of addresses (the value says which walk met it).
DEFINE_HASH_MAP(address_set, uint64_t, uint8_t, hash_address, eq_address)

struct vmca_slab_walk {
	struct vmca_session *s;
	struct layout l;
	struct cache_vector caches;
	// Cache indices sorted by address, for slab->slab_cache lookups.
	uint32_t *by_address;
	struct slab_vector slabs;
	struct vmca_slab_errors errors;
	enum fp_form form;
	// The scan.
	bool has_scanned;
	uint64_t scan_pfns, missing_pfns, kfence_slabs, foreign_slabs;
	// The current run of missing struct pages, [miss_start, miss_end).
	uint64_t miss_start, miss_end;
	// Per slab: free objects by index (cpu_map: those of the CPU's
	// lockless freelist; try_map while detecting the freelist form),
	// and the slab's memory.
	uint64_t free_map[MAP_WORDS], cpu_map[MAP_WORDS], try_map[MAP_WORDS];
	unsigned char *mem;
	uint64_t mem_len;
	// vmca_slab_walk_set_options().
	unsigned options;
	// VMCA_SLAB_WALK_PAGE_KINDS: one enum vmca_page_kind per pfn.
	uint8_t *kinds;
	uint64_t nr_kinds;
	// vmca_slab_walk_run()'s callback, and the error that stopped it.
	vmca_slab_object_fn *fn;
	void *fn_arg;
	struct vmca_error *fn_error;
};

/* Errors. */

static void errors_add(struct vmca_slab_errors *e, struct vmca_error *err)
{
	e->count++;
	if (e->kept.len < MAX_ERRORS &&
	    vmca_slab_error_vector_append(&e->kept, err))
		return;
	vmca_error_destroy(err);
}

static void errors_deinit(struct vmca_slab_errors *e)
{
	struct vmca_error **p;
	vector_for_each (&e->kept, p)
		vmca_error_destroy(*p);
	vmca_slab_error_vector_deinit(&e->kept);
}

/* Layout, from DWARF. */

static inline uint64_t field_get(const struct field *f,
				 const unsigned char *buf)
{
	// Fixed-size copies compile to plain loads: the scan decodes three
	// fields of every struct page.
	uint64_t v = 0;
	switch (f->size) {
	case 8:
		memcpy(&v, buf + f->offset, 8);
		break;
	case 4: {
		uint32_t x;
		memcpy(&x, buf + f->offset, 4);
		v = x;
		break;
	}
	default:
		memcpy(&v, buf + f->offset, f->size);
		break;
	}
	v >>= f->shift;
	if (f->bits < 64)
		v &= (UINT64_C(1) << f->bits) - 1;
	return v;
}

// A scalar member of type_name, a struct of struct_size bytes.
static struct vmca_error *field_resolve(struct vmca_session *s,
					const char *type_name, const char *path,
					uint64_t struct_size, struct field *ret)
{
	struct vmca_member m;
	struct vmca_error *err = vmca_type_member(s, type_name, path, &m);
	if (err)
		return err;
	struct vmca_type t;
	vmca_type_info(s, vmca_type_unqualified(s, m.type), &t);
	uint64_t size = t.kind == VMCA_TYPE_POINTER && !t.size ? 8 : t.size;
	struct field f = {
		.offset = (uint32_t)(m.bit_offset / 8),
		.is_present = true,
	};
	if (m.bit_size) {
		f.shift = (uint8_t)(m.bit_offset % 8);
		f.bits = (uint8_t)m.bit_size;
		size = (f.shift + m.bit_size + 7) / 8;
	} else {
		f.bits = (uint8_t)(size * 8);
	}
	f.size = (uint8_t)size;
	if (!size || size > 8 || m.bit_offset / 8 + size > struct_size)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "%s.%s is not a scalar inside the "
					 "struct",
					 type_name, path);
	*ret = f;
	return NULL;
}

// field_resolve() for a member some kernels lack: absent leaves f zero.
static struct vmca_error *field_optional(struct vmca_session *s,
					 const char *type_name,
					 const char *path, uint64_t struct_size,
					 struct field *f)
{
	memset(f, 0, sizeof(*f));
	if (!vmca_type_has_member(s, type_name, path))
		return NULL;
	return field_resolve(s, type_name, path, struct_size, f);
}

// The value of enumerator name in enum type_name, if both exist.
static bool enumerator_value(struct vmca_session *s, const char *type_name,
			     const char *name, int64_t *ret)
{
	struct vmca_error *err = vmca_enum_value(s, type_name, name, ret);
	bool is_found = !err;
	vmca_error_destroy(err);
	return is_found;
}

// A struct's size, bounded so a copy fits a stack buffer.
static struct vmca_error *struct_size(struct vmca_session *s, const char *name,
				      uint64_t *ret)
{
	struct vmca_error *err = vmca_type_size(s, name, ret);
	if (err)
		return err;
	if (!*ret || *ret > MAX_STRUCT)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "%s: implausible size %" PRIu64, name,
					 *ret);
	return NULL;
}

static struct vmca_error *layout_cache(struct vmca_session *s, struct layout *l)
{
	const char *kc = "struct kmem_cache";
	if (!vmca_type_has_member(s, kc, "oo"))
		return vmca_error_create(VMCA_ERROR_NOT_FOUND,
					 "struct kmem_cache has no 'oo': the "
					 "kernel does not use SLUB");
	struct vmca_error *err = vmca_type_size(s, kc, &l->kc_size);
	if (!err)
		err = vmca_type_member_offset(s, kc, "list", &l->kc_list);
	if (!err)
		err = vmca_type_member_offset(s, kc, "node", &l->kc_node);
	if (!err)
		err = vmca_type_member_offset(s, kc, "name", &l->kc_name);
	uint64_t n = l->kc_size;
	// kmem_cache_cpu is gone with CONFIG_SLUB_TINY (v6.2).
	if (!err)
		err = field_optional(s, kc, "cpu_slab", n, &l->kc_cpu_slab);
	if (!err)
		err = field_resolve(s, kc, "flags", n, &l->kc_flags);
	if (!err)
		err = field_resolve(s, kc, "size", n, &l->kc_size_f);
	if (!err)
		err = field_resolve(s, kc, "object_size", n,
				    &l->kc_object_size);
	if (!err)
		err = field_resolve(s, kc, "offset", n, &l->kc_offset);
	if (!err)
		err = field_resolve(s, kc, "oo.x", n, &l->kc_oo);
	if (!err)
		err = field_resolve(s, kc, "refcount", n, &l->kc_refcount);
	if (!err)
		err = field_resolve(s, kc, "inuse", n, &l->kc_inuse);
	if (!err)
		err = field_optional(s, kc, "red_left_pad", n,
				     &l->kc_red_left_pad);
	// Only with CONFIG_SLAB_FREELIST_HARDENED.
	if (!err)
		err = field_optional(s, kc, "random", n, &l->kc_random);
	if (err)
		return err;

	// node[MAX_NUMNODES], of which nr_node_ids are used.
	struct vmca_member m;
	err = vmca_type_member(s, kc, "node", &m);
	if (err)
		return err;
	struct vmca_type t;
	vmca_type_info(s, vmca_type_unqualified(s, m.type), &t);
	uint64_t nodes = t.kind == VMCA_TYPE_ARRAY ? t.array_len : 1;
	struct vmca_variable v;
	uint32_t nr_ids;
	err = vmca_variable(s, "nr_node_ids", &v);
	if (!err)
		err = vmca_read_u32(s, v.address, &nr_ids);
	if (err) {
		// !CONFIG_NUMA: MAX_NUMNODES is 1.
		vmca_error_destroy(err);
		nr_ids = 1;
	}
	if (nr_ids < nodes)
		nodes = nr_ids;
	if (!nodes || nodes > MAX_NODES)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "%" PRIu64 " NUMA nodes", nodes);
	l->nr_nodes = (uint32_t)nodes;
	// Read from the start through node[nodes - 1] and every field used.
	l->kc_read_size = l->kc_node + 8 * nodes;
	const struct field *fields[] = {
		&l->kc_cpu_slab,     &l->kc_flags,  &l->kc_size_f,
		&l->kc_object_size,  &l->kc_offset, &l->kc_oo,
		&l->kc_red_left_pad, &l->kc_random, &l->kc_refcount,
		&l->kc_inuse,
	};
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		uint64_t end = (uint64_t)fields[i]->offset + fields[i]->size;
		if (end > l->kc_read_size)
			l->kc_read_size = end;
	}
	if (l->kc_name + 8 > l->kc_read_size)
		l->kc_read_size = l->kc_name + 8;
	if (l->kc_read_size > l->kc_size)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "struct kmem_cache: members beyond "
					 "its size");
	return NULL;
}

static struct vmca_error *layout_node_cpu(struct vmca_session *s,
					  struct layout *l)
{
	const char *kn = "struct kmem_cache_node";
	struct vmca_error *err = struct_size(s, kn, &l->kn_size);
	if (!err)
		err = vmca_type_member_offset(s, kn, "partial", &l->kn_partial);
	if (!err)
		err = field_resolve(s, kn, "nr_partial", l->kn_size,
				    &l->kn_nr_partial);
	// The counters and the full list need CONFIG_SLUB_DEBUG.
	if (!err)
		err = field_optional(s, kn, "nr_slabs", l->kn_size,
				     &l->kn_nr_slabs);
	if (!err)
		err = field_optional(s, kn, "total_objects", l->kn_size,
				     &l->kn_total_objects);
	if (!err && vmca_type_has_member(s, kn, "full"))
		err = vmca_type_member_offset(s, kn, "full", &l->kn_full);
	if (err || !l->kc_cpu_slab.is_present)
		return err;

	const char *kcc = "struct kmem_cache_cpu";
	err = struct_size(s, kcc, &l->kcc_size);
	if (!err)
		err = field_resolve(s, kcc, "freelist", l->kcc_size,
				    &l->kcc_freelist);
	// Since commit bb192ed9aa71 ("mm/slub: Convert most struct page to
	// struct slab by spatch") (v5.17) the CPU slab is 'slab', before it
	// 'page'.
	if (!err)
		err = field_resolve(
			s, kcc,
			vmca_type_has_member(s, kcc, "slab") ? "slab" : "page",
			l->kcc_size, &l->kcc_slab);
	// CONFIG_SLUB_CPU_PARTIAL.
	if (!err)
		err = field_optional(s, kcc, "partial", l->kcc_size,
				     &l->kcc_partial);
	return err;
}

static struct vmca_error *layout_slab_page(struct vmca_session *s,
					   struct layout *l)
{
	// Since commit d122019bf061 ("mm: Split slab into its own type")
	// (v5.17) struct slab overlays the head struct page; before it the
	// same members were in struct page.
	l->slab_type = vmca_type_has_member(s, "struct slab", "slab_cache")
			       ? "struct slab"
			       : "struct page";
	const char *st = l->slab_type;
	struct vmca_error *err = struct_size(s, st, &l->sl_size);
	uint64_t n = l->sl_size;
	// slab_list since commit 916ac0527837 ("slub: use slab_list instead
	// of lru") (v5.1).
	if (!err)
		err = vmca_type_member_offset(
			s, st,
			vmca_type_has_member(s, st, "slab_list") ? "slab_list"
								 : "lru",
			&l->sl_list);
	if (!err)
		err = field_resolve(s, st, "slab_cache", n, &l->sl_cache);
	if (!err)
		err = field_resolve(s, st, "freelist", n, &l->sl_freelist);
	if (!err)
		err = field_resolve(s, st, "inuse", n, &l->sl_inuse);
	if (!err)
		err = field_resolve(s, st, "objects", n, &l->sl_objects);
	if (!err)
		err = field_optional(s, st, "next", n, &l->sl_next);
	if (err)
		return err;

	const char *pg = "struct page";
	err = struct_size(s, pg, &l->pg_size);
	if (!err)
		err = field_resolve(s, pg, "flags", l->pg_size, &l->pg_flags);
	if (!err)
		err = field_resolve(s, pg, "compound_head", l->pg_size,
				    &l->pg_compound_head);
	if (!err)
		err = field_optional(s, pg, "page_type", l->pg_size,
				     &l->pg_type);
	if (err)
		return err;
	if (l->sl_size > l->pg_size)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "%s is larger than struct page", st);

	int64_t v, base;
	if (enumerator_value(s, "enum pagetype", "PGTY_slab", &v)) {
		l->mark = MARK_PAGE_TYPE_BYTE;
		l->mark_value = (uint64_t)v;
	} else if (enumerator_value(s, "enum pagetype", "PG_slab", &v) &&
		   enumerator_value(s, "enum pagetype", "PAGE_TYPE_BASE",
				    &base)) {
		l->mark = MARK_PAGE_TYPE_BIT;
		l->mark_value = (uint64_t)v;
		l->mark_base = (uint64_t)base;
	} else if (enumerator_value(s, "enum pageflags", "PG_slab", &v) &&
		   v >= 0 && v < 64) {
		l->mark = MARK_PAGE_FLAG;
		l->mark_value = UINT64_C(1) << v;
	} else {
		return vmca_error_create(VMCA_ERROR_NOT_FOUND,
					 "no PG_slab or PGTY_slab in the "
					 "debuginfo: cannot tell slab pages");
	}
	if (l->mark != MARK_PAGE_FLAG &&
	    (!l->pg_type.is_present || l->pg_type.size != 4))
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "struct page has no 32-bit page_type");
	return NULL;
}

static struct vmca_error *layout_cpus(struct vmca_session *s, struct layout *l)
{
	uint32_t nr;
	struct vmca_error *err = vmca_nr_cpu_ids(s, &nr);
	if (err)
		return err;
	l->cpus = calloc(nr, sizeof(*l->cpus));
	l->cpu_offsets = calloc(nr, sizeof(*l->cpu_offsets));
	if (!l->cpus || !l->cpu_offsets)
		return &vmca_enomem;
	for (uint32_t cpu = 0; cpu < nr; cpu++) {
		bool is_possible = true;
		err = vmca_cpu_in_mask(s, "__cpu_possible_mask", cpu,
				       &is_possible);
		if (err) {
			vmca_error_destroy(err);
			is_possible = true;
		}
		if (!is_possible)
			continue;
		err = vmca_percpu_offset(s, cpu, &l->cpu_offsets[l->ncpus]);
		if (err)
			return vmca_error_wrap(err, "per-CPU offset of CPU %u",
					       cpu);
		l->cpus[l->ncpus++] = cpu;
	}
	return NULL;
}

// The KFENCE pool: __kfence_pool, KFENCE_POOL_SIZE = (objects + 1) * 2
// pages (include/linux/kfence.h). The object count is the length of the
// kfence_metadata array, or, since "mm: kfence: allocate kfence_metadata
// at runtime" (v6.6) made it a pointer, the entries whose addr lies in
// their object page of the pool.
static struct vmca_error *layout_kfence(struct vmca_session *s,
					struct layout *l)
{
	struct vmca_variable pool, meta;
	uint64_t start;
	struct vmca_error *err = vmca_variable(s, "__kfence_pool", &pool);
	if (!err)
		err = vmca_variable(s, "kfence_metadata", &meta);
	if (err) {
		vmca_error_destroy(err); // no KFENCE
		return NULL;
	}
	err = vmca_read_u64(s, pool.address, &start);
	if (err)
		return vmca_error_wrap(err, "reading __kfence_pool");
	if (!start)
		return NULL; // KFENCE disabled at boot
	struct vmca_type t;
	vmca_type_info(s, vmca_type_unqualified(s, meta.type), &t);
	uint64_t objects = 0;
	if (t.kind == VMCA_TYPE_ARRAY) {
		objects = t.array_len;
	} else if (t.kind == VMCA_TYPE_POINTER) {
		uint64_t base, size, addr_off;
		err = vmca_read_u64(s, meta.address, &base);
		if (!err)
			err = vmca_type_size(s, "struct kfence_metadata",
					     &size);
		if (!err)
			err = vmca_type_member_offset(
				s, "struct kfence_metadata", "addr", &addr_off);
		if (err)
			return vmca_error_wrap(err, "KFENCE metadata");
		for (; objects < MAX_KFENCE_OBJECTS; objects++) {
			uint64_t addr;
			// The first entry that does not read ends the array.
			if (!vmca_error_consume(vmca_read_u64(
				    s, base + objects * size + addr_off,
				    &addr)))
				break;
			uint64_t page =
				start + (2 * objects + 2) * l->page_size;
			if (addr / l->page_size * l->page_size != page)
				break;
		}
	}
	if (!objects || objects > MAX_KFENCE_OBJECTS)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "KFENCE pool at %#" PRIx64
					 ": cannot tell its size",
					 start);
	l->kfence_start = start;
	l->kfence_end = start + (objects + 1) * 2 * l->page_size;
	return NULL;
}

static void layout_deinit(struct layout *l)
{
	free(l->cpus);
	free(l->cpu_offsets);
}

static struct vmca_error *layout_init(struct vmca_session *s, struct layout *l)
{
	memset(l, 0, sizeof(*l));
	l->page_size = vmca_session_page_size(s);
	l->page_offset = vmca_page_offset(s);
	l->vmemmap = vmca_vmemmap(s);
	if (!l->page_size || l->page_size & (l->page_size - 1))
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "page size %" PRIu64, l->page_size);
	struct vmca_error *err = layout_cache(s, l);
	if (!err)
		err = layout_node_cpu(s, l);
	if (!err)
		err = layout_slab_page(s, l);
	if (!err)
		err = layout_cpus(s, l);
	if (err)
		return vmca_error_wrap(err, "SLUB layout");

	int64_t bit;
	if (enumerator_value(s, "enum _slab_flag_bits", "_SLAB_RECLAIM_ACCOUNT",
			     &bit) &&
	    bit >= 0 && bit < 64)
		l->reclaim_flag = UINT64_C(1) << bit;
	else
		l->reclaim_flag = SLAB_RECLAIM_ACCOUNT_OLD;
	if (enumerator_value(s, "enum _slab_flag_bits", "_SLAB_STORE_USER",
			     &bit) &&
	    bit >= 0 && bit < 64)
		l->store_user_flag = UINT64_C(1) << bit;
	else
		l->store_user_flag = SLAB_STORE_USER_OLD;
	// Since commit 1c5610f451be ("slub: introduce
	// count_partial_free_approx()") (v6.10) /proc/slabinfo extrapolates
	// the free objects of node-partial lists longer than 10000 slabs.
	uint64_t addr;
	struct vmca_error *e =
		vmca_symbol_address(s, "count_partial_free_approx", &addr);
	l->is_partial_approx = !e;
	vmca_error_destroy(e);
	return NULL;
}

/* The caches on slab_caches. */

struct collect_ctx {
	struct u64_vector *addresses;
	uint64_t list_offset;
};

static struct vmca_error *collect_node(struct vmca_session *s, uint64_t node,
				       void *arg)
{
	struct collect_ctx *ctx = arg;
	if (!u64_vector_append(ctx->addresses, node - ctx->list_offset))
		return &vmca_enomem;
	return NULL;
}

// The walk of slab_caches broke: reach the caches after the break from
// the other end, through the prev pointers, until a cache reached
// forwards (the last one, where the list broke) or another break. A cache
// met twice going backwards is a cycle of prev pointers: reported, and
// the walk ends there.
static void collect_backwards(struct vmca_slab_walk *sb, uint64_t head,
			      struct u64_vector *addresses)
{
	enum { FORWARD = 1, BACKWARD = 2 };
	size_t start = addresses->len;
	struct address_set seen;
	address_set_init(&seen);
	struct vmca_error *err = NULL;
	for (size_t i = 0; i < start && !err; i++) {
		uint8_t *v =
			address_set_insert(&seen, &addresses->data[i], NULL);
		if (!v)
			err = &vmca_enomem;
		else
			*v = FORWARD;
	}
	uint64_t node = 0;
	if (!err)
		err = vmca_read_u64(sb->s, head + 8, &node);
	for (uint64_t n = 0; !err && node != head && n < MAX_CACHES; n++) {
		uint64_t address = node - sb->l.kc_list;
		bool is_new;
		uint8_t *v = address_set_insert(&seen, &address, &is_new);
		if (!v)
			break;
		if (!is_new) {
			if (*v == BACKWARD)
				errors_add(&sb->errors,
					   vmca_error_create(
						   VMCA_ERROR_INVALID,
						   "slab_caches: cycle of "
						   "prev pointers at %#" PRIx64,
						   address));
			break;
		}
		*v = BACKWARD;
		if (!u64_vector_append(addresses, address))
			break;
		err = vmca_read_u64(sb->s, node + 8, &node);
	}
	vmca_error_destroy(err);
	address_set_deinit(&seen);
	// Back in list order.
	for (size_t i = start, j = addresses->len; i + 1 < j; i++, j--) {
		uint64_t t = addresses->data[i];
		addresses->data[i] = addresses->data[j - 1];
		addresses->data[j - 1] = t;
	}
	if (addresses->len > start)
		errors_add(
			&sb->errors,
			vmca_error_create(VMCA_ERROR_INVALID,
					  "slab_caches: %zu caches after the "
					  "break reached backwards",
					  addresses->len - start));
}

static struct vmca_error *read_cache(struct vmca_slab_walk *sb,
				     uint64_t address,
				     struct vmca_slab_cache *c)
{
	const struct layout *l = &sb->l;
	unsigned char buf[16384];
	if (l->kc_read_size > sizeof(buf))
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "struct kmem_cache too large");
	struct vmca_error *err =
		vmca_read(sb->s, address, buf, l->kc_read_size);
	if (err)
		return err;
	c->address = address;
	c->flags = field_get(&l->kc_flags, buf);
	c->size = (uint32_t)field_get(&l->kc_size_f, buf);
	c->object_size = (uint32_t)field_get(&l->kc_object_size, buf);
	c->offset = (uint32_t)field_get(&l->kc_offset, buf);
	c->inuse = (uint32_t)field_get(&l->kc_inuse, buf);
	uint32_t oo = (uint32_t)field_get(&l->kc_oo, buf);
	c->objs_per_slab = oo & OO_MASK;
	c->order = oo >> OO_SHIFT;
	c->refcount = (int32_t)field_get(&l->kc_refcount, buf);
	if (l->kc_red_left_pad.is_present)
		c->red_left_pad = (uint32_t)field_get(&l->kc_red_left_pad, buf);
	if (l->kc_random.is_present)
		c->random = field_get(&l->kc_random, buf);
	if (l->kc_cpu_slab.is_present)
		c->cpu_slab = field_get(&l->kc_cpu_slab, buf);
	uint64_t name;
	memcpy(&name, buf + l->kc_name, 8);
	err = vmca_read_string(sb->s, name, c->name, sizeof(c->name));
	if (err) {
		snprintf(c->name, sizeof(c->name), "?%#" PRIx64, address);
		// In the walk's own errors too: the table shows only the
		// "?0x..." it is listed by, whatever cache it was.
		errors_add(&sb->errors,
			   err->has_address
				   ? vmca_error_fault(err->address,
						      "kmem_cache at %#" PRIx64
						      ": name: %s",
						      address, err->message)
				   : vmca_error_create(err->code,
						       "kmem_cache at %#" PRIx64
						       ": name: %s",
						       address, err->message));
		errors_add(&c->errors, vmca_error_wrap(err, "cache name"));
	}
	if (!c->size || c->size > MAX_SLAB_BYTES ||
	    (uint64_t)c->offset + 8 > c->size || c->red_left_pad >= c->size ||
	    c->order > 20)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "%s: implausible layout (size %u, "
					 "offset %u, order %u)",
					 c->name, c->size, c->offset, c->order);
	return NULL;
}

static int compare_cache_address(const void *a, const void *b, void *arg)
{
	const struct vmca_slab_cache *caches = arg;
	uint64_t x = caches[*(const uint32_t *)a].address;
	uint64_t y = caches[*(const uint32_t *)b].address;
	return x < y ? -1 : x > y;
}

static struct vmca_error *load_caches(struct vmca_slab_walk *sb)
{
	struct vmca_variable head;
	struct vmca_error *err = vmca_variable(sb->s, "slab_caches", &head);
	if (err)
		return err;
	struct u64_vector addresses;
	u64_vector_init(&addresses);
	struct collect_ctx ctx = {&addresses, sb->l.kc_list};
	err = vmca_list_walk(sb->s, head.address, MAX_CACHES, collect_node,
			     &ctx);
	if (err == &vmca_enomem) {
		u64_vector_deinit(&addresses);
		return err;
	}
	if (err) {
		errors_add(&sb->errors,
			   vmca_error_wrap(err, "walking slab_caches"));
		collect_backwards(sb, head.address, &addresses);
	}
	if (!cache_vector_reserve(&sb->caches, addresses.len)) {
		u64_vector_deinit(&addresses);
		return &vmca_enomem;
	}
	for (size_t i = 0; i < addresses.len; i++) {
		struct vmca_slab_cache *c =
			cache_vector_append_entry(&sb->caches);
		err = read_cache(sb, addresses.data[i], c);
		if (err) {
			errors_add(&sb->errors,
				   vmca_error_wrap(err,
						   "kmem_cache at %#" PRIx64,
						   addresses.data[i]));
			errors_deinit(&c->errors);
			sb->caches.len--;
		}
	}
	u64_vector_deinit(&addresses);
	sb->by_address = calloc(sb->caches.len + 1, sizeof(*sb->by_address));
	if (!sb->by_address)
		return &vmca_enomem;
	for (uint32_t i = 0; i < sb->caches.len; i++)
		sb->by_address[i] = i;
	qsort_r(sb->by_address, sb->caches.len, sizeof(*sb->by_address),
		compare_cache_address, sb->caches.data);
	return NULL;
}

// The index of the cache at address, or -1.
static int64_t cache_index(const struct vmca_slab_walk *sb, uint64_t address)
{
	size_t lo = 0, hi = sb->caches.len;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint32_t i = sb->by_address[mid];
		uint64_t a = sb->caches.data[i].address;
		if (a == address)
			return i;
		if (a < address)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* The slabs the kernel keeps track of: node lists, CPU slabs. */

static struct slab_rec *add_slab(struct vmca_slab_walk *sb, uint32_t cache,
				 uint64_t slab, const unsigned char *buf,
				 enum vmca_slab_list role, int32_t cpu)
{
	struct slab_rec *r = slab_vector_append_entry(&sb->slabs);
	if (!r)
		return NULL;
	r->slab = slab;
	r->cache = cache;
	r->role = (uint8_t)role;
	r->cpu = cpu;
	r->freelist = field_get(&sb->l.sl_freelist, buf);
	r->inuse = (uint32_t)field_get(&sb->l.sl_inuse, buf);
	r->objects = (uint32_t)field_get(&sb->l.sl_objects, buf);
	return r;
}

struct list_ctx {
	struct vmca_slab_walk *sb;
	uint32_t cache;
	enum vmca_slab_list role;
	// VMCA_SLAB_NODE_PARTIAL: objects - inuse of each slab, in list order.
	struct u64_vector *frees;
};

static struct vmca_error *list_slab(struct vmca_session *s, uint64_t node,
				    void *arg)
{
	struct list_ctx *ctx = arg;
	struct vmca_slab_walk *sb = ctx->sb;
	uint64_t slab = node - sb->l.sl_list;
	unsigned char buf[MAX_STRUCT];
	struct vmca_error *err = vmca_read(s, slab, buf, sb->l.sl_size);
	if (err)
		return vmca_error_wrap(err, "slab %#" PRIx64, slab);
	struct slab_rec *r = add_slab(sb, ctx->cache, slab, buf, ctx->role, -1);
	if (!r)
		return &vmca_enomem;
	uint64_t owner = field_get(&sb->l.sl_cache, buf);
	if (owner != sb->caches.data[ctx->cache].address)
		errors_add(&sb->caches.data[ctx->cache].errors,
			   vmca_error_create(VMCA_ERROR_INVALID,
					     "slab %#" PRIx64
					     " on a node list belongs to cache "
					     "%#" PRIx64,
					     slab, owner));
	if (ctx->frees &&
	    !u64_vector_append(ctx->frees,
			       (uint64_t)((int64_t)r->objects - r->inuse)))
		return &vmca_enomem;
	return NULL;
}

// The free objects /proc/slabinfo counts on one node's partial list:
// count_partial(n, count_free), or count_partial_free_approx().
static uint64_t partial_free(const struct layout *l,
			     const struct u64_vector *frees,
			     uint64_t nr_partial, uint64_t total_objects)
{
	uint64_t x = 0;
	if (!l->is_partial_approx || nr_partial <= MAX_PARTIAL_TO_SCAN) {
		for (size_t i = 0; i < frees->len; i++)
			x += frees->data[i];
		return x;
	}
	// The first half from the head, the rest from the tail, then
	// mult_frac(x, nr_partial, scanned), capped at the node's objects.
	uint64_t scanned = 0;
	size_t i = 0, j = frees->len;
	while (i < j && scanned < MAX_PARTIAL_TO_SCAN / 2) {
		x += frees->data[i++];
		scanned++;
	}
	while (j > i && scanned < MAX_PARTIAL_TO_SCAN) {
		x += frees->data[--j];
		scanned++;
	}
	if (!scanned)
		return 0;
	x = x / scanned * nr_partial + x % scanned * nr_partial / scanned;
	return x < total_objects ? x : total_objects;
}

static struct vmca_error *load_nodes(struct vmca_slab_walk *sb, uint32_t ci)
{
	const struct layout *l = &sb->l;
	struct vmca_slab_cache *c = &sb->caches.data[ci];
	uint64_t nodes[MAX_NODES];
	struct vmca_error *err = vmca_read(sb->s, c->address + l->kc_node,
					   nodes, 8 * l->nr_nodes);
	if (err)
		return vmca_error_wrap(err, "%s: node array", c->name);
	struct u64_vector frees;
	u64_vector_init(&frees);
	for (uint32_t nid = 0; nid < l->nr_nodes; nid++) {
		if (!nodes[nid])
			continue;
		unsigned char buf[MAX_STRUCT];
		struct vmca_error *e =
			vmca_read(sb->s, nodes[nid], buf, l->kn_size);
		if (e) {
			errors_add(&c->errors,
				   vmca_error_wrap(e, "node %u", nid));
			continue;
		}
		uint64_t nr_partial = field_get(&l->kn_nr_partial, buf);
		uint64_t total = 0;
		if (l->kn_nr_slabs.is_present) {
			c->nr_slabs += field_get(&l->kn_nr_slabs, buf);
			total = field_get(&l->kn_total_objects, buf);
			c->total_objects += total;
		}
		c->nr_partial += nr_partial;
		frees.len = 0;
		struct list_ctx ctx = {sb, ci, VMCA_SLAB_NODE_PARTIAL, &frees};
		err = vmca_list_walk(sb->s, nodes[nid] + l->kn_partial,
				     MAX_LIST, list_slab, &ctx);
		if (err == &vmca_enomem)
			break;
		if (err)
			errors_add(&c->errors,
				   vmca_error_wrap(err, "node %u partial list",
						   nid));
		c->partial_free += partial_free(l, &frees, nr_partial, total);
		// Slabs without free objects are on n->full only with
		// slub_debug (SLAB_STORE_USER).
		if (l->kn_full) {
			ctx = (struct list_ctx){sb, ci, VMCA_SLAB_NODE_FULL,
						NULL};
			err = vmca_list_walk(sb->s, nodes[nid] + l->kn_full,
					     MAX_LIST, list_slab, &ctx);
			if (err == &vmca_enomem)
				break;
			if (err)
				errors_add(&c->errors,
					   vmca_error_wrap(err,
							   "node %u full list",
							   nid));
		}
		err = NULL;
	}
	u64_vector_deinit(&frees);
	return err;
}

static struct vmca_error *read_slab(struct vmca_slab_walk *sb, uint32_t ci,
				    uint64_t slab, unsigned char *buf)
{
	struct vmca_error *err = vmca_read(sb->s, slab, buf, sb->l.sl_size);
	if (err)
		return vmca_error_wrap(err, "slab %#" PRIx64, slab);
	uint64_t owner = field_get(&sb->l.sl_cache, buf);
	if (owner != sb->caches.data[ci].address)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "slab %#" PRIx64
					 " belongs to cache %#" PRIx64,
					 slab, owner);
	return NULL;
}

static struct vmca_error *load_cpus(struct vmca_slab_walk *sb, uint32_t ci)
{
	const struct layout *l = &sb->l;
	struct vmca_slab_cache *c = &sb->caches.data[ci];
	if (!l->kc_cpu_slab.is_present)
		return NULL;
	for (uint32_t i = 0; i < l->ncpus; i++) {
		uint32_t cpu = l->cpus[i];
		unsigned char buf[MAX_STRUCT];
		struct vmca_error *err =
			vmca_read(sb->s, c->cpu_slab + l->cpu_offsets[i], buf,
				  l->kcc_size);
		if (err) {
			errors_add(&c->errors,
				   vmca_error_wrap(err, "CPU %u slab", cpu));
			continue;
		}
		uint64_t freelist = field_get(&l->kcc_freelist, buf);
		uint64_t slab = field_get(&l->kcc_slab, buf);
		uint64_t partial = l->kcc_partial.is_present
					   ? field_get(&l->kcc_partial, buf)
					   : 0;
		unsigned char sbuf[MAX_STRUCT];
		if (slab) {
			err = read_slab(sb, ci, slab, sbuf);
			if (err) {
				errors_add(&c->errors,
					   vmca_error_wrap(err, "CPU %u", cpu));
			} else {
				struct slab_rec *r =
					add_slab(sb, ci, slab, sbuf,
						 VMCA_SLAB_CPU, (int32_t)cpu);
				if (!r)
					return &vmca_enomem;
				r->cpu_freelist = freelist;
			}
		} else if (freelist) {
			errors_add(
				&c->errors,
				vmca_error_create(VMCA_ERROR_INVALID,
						  "CPU %u: freelist %#" PRIx64
						  " without a slab",
						  cpu, freelist));
		}
		// The per-CPU partial slabs, chained by slab->next (Brent's
		// cycle detection).
		uint64_t saved = 0, power = 1, lambda = 0, n = 0;
		while (partial && l->sl_next.is_present) {
			if (partial == saved || ++n > MAX_LIST) {
				errors_add(&c->errors,
					   vmca_error_create(
						   VMCA_ERROR_INVALID,
						   "CPU %u partial slabs: "
						   "cycle at %#" PRIx64,
						   cpu, partial));
				break;
			}
			if (++lambda == power) {
				saved = partial;
				power *= 2;
				lambda = 0;
			}
			err = read_slab(sb, ci, partial, sbuf);
			if (err) {
				errors_add(&c->errors,
					   vmca_error_wrap(err,
							   "CPU %u partial "
							   "slabs",
							   cpu));
				break;
			}
			if (!add_slab(sb, ci, partial, sbuf,
				      VMCA_SLAB_CPU_PARTIAL, (int32_t)cpu))
				return &vmca_enomem;
			partial = field_get(&l->sl_next, sbuf);
		}
	}
	return NULL;
}

static int compare_slab(const void *a, const void *b)
{
	uint64_t x = ((const struct slab_rec *)a)->slab;
	uint64_t y = ((const struct slab_rec *)b)->slab;
	return x < y ? -1 : x > y;
}

// The slabs by address. Without slabs the vector's data is NULL, which
// qsort() and bsearch() must not be given (a cache whose lists are empty).
static void sort_slabs(struct vmca_slab_walk *sb)
{
	if (sb->slabs.len > 1)
		qsort(sb->slabs.data, sb->slabs.len, sizeof(struct slab_rec),
		      compare_slab);
}

// Sort the listed slabs by address and drop a slab listed twice.
static void sort_listed(struct vmca_slab_walk *sb)
{
	sort_slabs(sb);
	size_t out = 0;
	for (size_t i = 0; i < sb->slabs.len; i++) {
		struct slab_rec *r = &sb->slabs.data[i];
		if (out && sb->slabs.data[out - 1].slab == r->slab) {
			struct slab_rec *first = &sb->slabs.data[out - 1];
			errors_add(&sb->caches.data[r->cache].errors,
				   vmca_error_create(
					   VMCA_ERROR_INVALID,
					   "slab %#" PRIx64
					   " is both %s and %s",
					   r->slab,
					   vmca_slab_list_names[first->role],
					   vmca_slab_list_names[r->role]));
			continue;
		}
		sb->slabs.data[out++] = *r;
	}
	sb->slabs.len = out;
}

static struct slab_rec *find_listed(struct vmca_slab_walk *sb, size_t nlisted,
				    uint64_t slab)
{
	struct slab_rec key = {.slab = slab};
	if (!nlisted)
		return NULL;
	return bsearch(&key, sb->slabs.data, nlisted, sizeof(key),
		       compare_slab);
}

/* The struct page scan: the full slabs no list holds. */

static bool page_is_slab_head(const struct layout *l, const unsigned char *p)
{
	if (field_get(&l->pg_compound_head, p) & 1)
		return false; // a tail page
	switch (l->mark) {
	case MARK_PAGE_FLAG:
		return field_get(&l->pg_flags, p) & l->mark_value;
	case MARK_PAGE_TYPE_BIT:
		return (field_get(&l->pg_type, p) &
			(l->mark_base | l->mark_value)) == l->mark_base;
	case MARK_PAGE_TYPE_BYTE:
		return field_get(&l->pg_type, p) >> 24 == l->mark_value;
	}
	return false;
}

// The kind of a page that is no slab page and no tail (VMCA_SLAB_WALK_PAGE_
// KINDS): free (a buddy or a zero refcount), user data (a mapping: anon,
// page cache, movable), or the kernel's own.
static enum vmca_page_kind page_kind(const struct layout *l,
				     const unsigned char *p)
{
	uint32_t type = (uint32_t)field_get(&l->pg_type, p);
	if (l->pg_type.is_present &&
	    (l->mark == MARK_PAGE_TYPE_BYTE ? type >> 24 == l->buddy_value >> 24
					    : type == l->buddy_value))
		return VMCA_PAGE_FREE;
	if ((uint32_t)field_get(&l->pg_refcount, p) == 0)
		return VMCA_PAGE_FREE;
	if (field_get(&l->pg_flags, p) & l->reserved_flag)
		return VMCA_PAGE_KERNEL;
	if (field_get(&l->pg_mapping, p))
		return VMCA_PAGE_USER;
	return VMCA_PAGE_KERNEL;
}

static void classify_page(struct vmca_slab_walk *sb, uint64_t pfn,
			  const unsigned char *p)
{
	const struct layout *l = &sb->l;
	uint64_t head = field_get(&l->pg_compound_head, p);
	enum vmca_page_kind kind;
	if (head & 1) {
		// A tail: its head's kind, if the head came first.
		uint64_t hpage = head - 1;
		uint64_t hpfn = (hpage - l->vmemmap) / l->pg_size;
		kind = hpage >= l->vmemmap && hpfn < pfn &&
				       (hpage - l->vmemmap) % l->pg_size == 0
			       ? (enum vmca_page_kind)sb->kinds[hpfn]
			       : VMCA_PAGE_KERNEL;
	} else if (page_is_slab_head(l, p)) {
		kind = VMCA_PAGE_SLAB;
	} else {
		kind = page_kind(l, p);
	}
	sb->kinds[pfn] = (uint8_t)kind;
}

static void scan_page(struct vmca_slab_walk *sb, size_t nlisted, uint64_t pfn,
		      const unsigned char *p)
{
	const struct layout *l = &sb->l;
	if (sb->kinds && pfn < sb->nr_kinds)
		classify_page(sb, pfn, p);
	if (!page_is_slab_head(l, p))
		return;
	uint64_t page = l->vmemmap + pfn * l->pg_size;
	uint64_t vaddr = l->page_offset + pfn * l->page_size;
	if (vaddr >= l->kfence_start && vaddr < l->kfence_end) {
		sb->kfence_slabs++;
		return;
	}
	uint64_t owner = field_get(&l->sl_cache, p);
	int64_t ci = cache_index(sb, owner);
	if (ci < 0) {
		sb->foreign_slabs++;
		return;
	}
	if (!sb->caches.data[ci].is_selected)
		return;
	struct slab_rec *r = find_listed(sb, nlisted, page);
	if (r) {
		r->is_scanned = true;
		return;
	}
	r = add_slab(sb, (uint32_t)ci, page, p, VMCA_SLAB_UNLISTED, -1);
	if (r)
		r->is_scanned = true;
	else
		errors_add(&sb->errors, &vmca_enomem);
}

// Struct pages of RAM that are not in the dump: [lo, hi) joins the
// current run of missing pfns, or reports it and starts the next (hi 0:
// report the last run).
static void note_missing(struct vmca_slab_walk *sb, uint64_t lo, uint64_t hi)
{
	if (sb->miss_end && sb->miss_end == lo && hi) {
		sb->miss_end = hi;
		return;
	}
	if (sb->miss_end) {
		sb->missing_pfns += sb->miss_end - sb->miss_start;
		errors_add(&sb->errors,
			   vmca_error_create(VMCA_ERROR_FAULT,
					     "struct pages of pfn %#" PRIx64
					     "-%#" PRIx64
					     " not in the dump: slabs there "
					     "are not counted",
					     sb->miss_start, sb->miss_end - 1));
	}
	sb->miss_start = lo;
	sb->miss_end = hi;
}

// Read the struct pages of [pfn, pfn + n), all RAM, into buf; ok[i] says
// whether page i was read. What cannot be read is reported missing.
static void read_pages(struct vmca_slab_walk *sb, uint64_t pfn, uint64_t n,
		       unsigned char *buf, bool *ok)
{
	const struct layout *l = &sb->l;
	uint64_t start = l->vmemmap + pfn * l->pg_size;
	uint64_t len = n * l->pg_size;
	memset(ok, 1, n);
	struct vmca_error *err = vmca_read(sb->s, start, buf, len);
	if (!err)
		return;
	vmca_error_destroy(err);
	// Again by vmemmap page, to keep what is there.
	for (uint64_t at = start; at < start + len;) {
		uint64_t end = (at / VMEMMAP_PAGE + 1) * VMEMMAP_PAGE;
		if (end > start + len)
			end = start + len;
		err = vmca_read(sb->s, at, buf + (at - start), end - at);
		if (err) {
			vmca_error_destroy(err);
			uint64_t lo = (at - start) / l->pg_size;
			uint64_t hi = (end - start - 1) / l->pg_size + 1;
			if (hi > n)
				hi = n;
			memset(ok + lo, 0, hi - lo);
			note_missing(sb, pfn + lo, pfn + hi);
		}
		at = end;
	}
}

struct pfn_range {
	uint64_t start, end; // [start, end)
};
DEFINE_VECTOR(range_vector, struct pfn_range)

// Bound on the top-level entries of iomem_resource.
#define MAX_RESOURCES 65536

// The pfns of the kernel's "System RAM" (the top level of
// iomem_resource, /proc/iomem), below max_pfn: where struct pages, and
// slabs, are. Between them are holes without struct pages.
static struct vmca_error *ram_ranges(struct vmca_slab_walk *sb,
				     uint64_t max_pfn, struct range_vector *ret)
{
	const char *res = "struct resource";
	uint64_t size, start_off, end_off, name_off, child_off, sibling_off;
	struct vmca_variable root;
	struct vmca_error *err = vmca_variable(sb->s, "iomem_resource", &root);
	if (!err)
		err = struct_size(sb->s, res, &size);
	if (!err)
		err = vmca_type_member_offset(sb->s, res, "start", &start_off);
	if (!err)
		err = vmca_type_member_offset(sb->s, res, "end", &end_off);
	if (!err)
		err = vmca_type_member_offset(sb->s, res, "name", &name_off);
	if (!err)
		err = vmca_type_member_offset(sb->s, res, "child", &child_off);
	if (!err)
		err = vmca_type_member_offset(sb->s, res, "sibling",
					      &sibling_off);
	uint64_t node = 0;
	if (!err)
		err = vmca_read_u64(sb->s, root.address + child_off, &node);
	// Brent's cycle detection on the sibling links.
	uint64_t saved = 0, power = 1, lambda = 0;
	for (uint64_t n = 0; !err && node; n++) {
		unsigned char buf[MAX_STRUCT];
		if (n == MAX_RESOURCES)
			return vmca_error_create(VMCA_ERROR_INVALID,
						 "iomem_resource: more than %d "
						 "entries",
						 MAX_RESOURCES);
		if (n && node == saved)
			return vmca_error_create(VMCA_ERROR_INVALID,
						 "iomem_resource: cycle of "
						 "siblings at %#" PRIx64,
						 node);
		if (++lambda == power) {
			saved = node;
			power *= 2;
			lambda = 0;
		}
		err = vmca_read(sb->s, node, buf, size);
		if (err)
			break;
		uint64_t start, end, name;
		memcpy(&start, buf + start_off, 8);
		memcpy(&end, buf + end_off, 8);
		memcpy(&name, buf + name_off, 8);
		char text[16];
		struct vmca_error *e =
			vmca_read_string(sb->s, name, text, sizeof(text));
		if (e) {
			// Not known to be RAM: left out, and said.
			errors_add(&sb->errors,
				   vmca_error_wrap(e,
						   "iomem_resource: name of "
						   "the resource at %#" PRIx64,
						   node));
		} else if (strcmp(text, "System RAM") == 0 && end >= start) {
			struct pfn_range r = {
				(start + sb->l.page_size - 1) / sb->l.page_size,
				(end + 1) / sb->l.page_size,
			};
			if (r.end > max_pfn)
				r.end = max_pfn;
			if (r.start < r.end && !range_vector_append(ret, r))
				return &vmca_enomem;
		}
		memcpy(&node, buf + sibling_off, 8);
	}
	if (err)
		return vmca_error_wrap(err, "iomem_resource");
	return NULL;
}

// The pfns of the pages the dump holds, below max_pfn.
static struct vmca_error *dump_ranges(struct vmca_slab_walk *sb,
				      uint64_t max_pfn,
				      struct range_vector *ret)
{
	const struct vmca_memory_range *r;
	size_t nr;
	struct vmca_error *err =
		vmca_memory_ranges(vmca_session_memory(sb->s), &r, &nr);
	if (err)
		return vmca_error_wrap(err, "the pages the dump holds");
	uint64_t page_size = sb->l.page_size;
	for (size_t i = 0; i < nr; i++) {
		struct pfn_range p = {r[i].start / page_size,
				      (r[i].end + page_size - 1) / page_size};
		if (p.end > max_pfn)
			p.end = max_pfn;
		if (p.start < p.end && !range_vector_append(ret, p))
			return &vmca_enomem;
	}
	return NULL;
}

// What page_kind() reads: resolved only when the kinds are asked for.
static struct vmca_error *layout_kinds(struct vmca_session *s, struct layout *l)
{
	const char *pg = "struct page";
	struct vmca_error *err = field_resolve(s, pg, "_refcount.counter",
					       l->pg_size, &l->pg_refcount);
	if (!err)
		err = field_resolve(s, pg, "mapping", l->pg_size,
				    &l->pg_mapping);
	if (err)
		return err;
	int64_t v;
	if (!enumerator_value(s, "enum pageflags", "PG_reserved", &v) ||
	    v < 0 || v >= 64)
		return vmca_error_create(VMCA_ERROR_NOT_FOUND,
					 "no PG_reserved in enum pageflags");
	l->reserved_flag = UINT64_C(1) << v;
	// The value makedumpfile reads too; in the debuginfo only since the
	// page types became an enum (v6.10).
	const char *text =
		vmca_vmcoreinfo(s, "NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)");
	if (text) {
		l->buddy_value = (uint32_t)strtoll(text, NULL, 0);
	} else if (enumerator_value(s, "enum pagetype", "PGTY_buddy", &v)) {
		l->buddy_value = (uint32_t)v << 24;
	} else {
		return vmca_error_create(VMCA_ERROR_NOT_FOUND,
					 "no PAGE_BUDDY_MAPCOUNT_VALUE in "
					 "VMCOREINFO: cannot tell free pages");
	}
	l->has_kind_layout = true;
	return NULL;
}

static struct vmca_error *scan_slabs(struct vmca_slab_walk *sb)
{
	const struct layout *l = &sb->l;
	struct vmca_variable v;
	uint64_t max_pfn;
	struct vmca_error *err = vmca_variable(sb->s, "max_pfn", &v);
	if (!err)
		err = vmca_read_u64(sb->s, v.address, &max_pfn);
	if (err)
		return vmca_error_wrap(err, "max_pfn");
	// 2^52 bytes of RAM is x86_64's limit.
	if (max_pfn > (UINT64_C(1) << 52) / l->page_size)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "max_pfn %#" PRIx64 " is implausible",
					 max_pfn);
	struct range_vector ranges;
	range_vector_init(&ranges);
	err = ram_ranges(sb, max_pfn, &ranges);
	if (err == &vmca_enomem) {
		range_vector_deinit(&ranges);
		return err;
	}
	if (err || !ranges.len) {
		// Without the RAM map, the pfns the dump holds (below
		// max_pfn): what the dump's file says, not its memory, so a
		// corrupt max_pfn (up to 2^40) does not make the scan endless.
		// A hole in the memory map is then reported as missing too.
		errors_add(&sb->errors,
			   err ? vmca_error_wrap(err,
						 "scanning the pfns the dump "
						 "holds")
			       : vmca_error_create(
					 VMCA_ERROR_NOT_FOUND,
					 "no System RAM in iomem_resource: "
					 "scanning the pfns the dump holds"));
		ranges.len = 0;
		err = dump_ranges(sb, max_pfn, &ranges);
		if (err) {
			range_vector_deinit(&ranges);
			return err;
		}
	}
	if (sb->options & VMCA_SLAB_WALK_PAGE_KINDS) {
		err = layout_kinds(sb->s, &sb->l);
		// A byte per pfn the scan visits (up to the highest one), not
		// per pfn below max_pfn: a corrupt max_pfn asks for up to 1
		// TiB.
		uint64_t nr = 0;
		for (size_t i = 0; i < ranges.len; i++) {
			if (ranges.data[i].end > nr)
				nr = ranges.data[i].end;
		}
		if (!err) {
			sb->kinds = calloc(nr ? nr : 1, 1);
			if (!sb->kinds) {
				range_vector_deinit(&ranges);
				return &vmca_enomem;
			}
			sb->nr_kinds = nr;
		} else {
			errors_add(&sb->errors,
				   vmca_error_wrap(err, "page kinds"));
		}
	}
	unsigned char *buf = malloc(SCAN_PAGES * l->pg_size);
	bool *ok = malloc(SCAN_PAGES);
	if (!buf || !ok) {
		free(buf);
		free(ok);
		range_vector_deinit(&ranges);
		return &vmca_enomem;
	}
	size_t nlisted = sb->slabs.len;
	const struct pfn_range *range;
	vector_for_each (&ranges, range) {
		for (uint64_t pfn = range->start; pfn < range->end;) {
			// Chunks end on SCAN_PAGES boundaries (a section's
			// vmemmap).
			uint64_t end = (pfn / SCAN_PAGES + 1) * SCAN_PAGES;
			if (end > range->end)
				end = range->end;
			read_pages(sb, pfn, end - pfn, buf, ok);
			for (uint64_t i = 0; i < end - pfn; i++) {
				if (ok[i])
					scan_page(sb, nlisted, pfn + i,
						  buf + i * l->pg_size);
				else if (sb->kinds && pfn + i < sb->nr_kinds)
					sb->kinds[pfn + i] = VMCA_PAGE_MISSING;
			}
			sb->scan_pfns += end - pfn;
			pfn = end;
		}
	}
	note_missing(sb, 0, 0);
	free(buf);
	free(ok);
	range_vector_deinit(&ranges);
	sb->has_scanned = true;
	// A listed slab the scan read but did not see as this cache's slab.
	for (size_t i = 0; i < nlisted; i++) {
		struct slab_rec *r = &sb->slabs.data[i];
		unsigned char p[MAX_STRUCT];
		if (r->is_scanned)
			continue;
		struct vmca_error *e = vmca_read(sb->s, r->slab, p, l->pg_size);
		if (e) {
			vmca_error_destroy(e); // not in the dump: reported
			continue;
		}
		if (page_is_slab_head(l, p) &&
		    field_get(&l->sl_cache, p) ==
			    sb->caches.data[r->cache].address)
			continue; // beyond max_pfn
		errors_add(&sb->caches.data[r->cache].errors,
			   vmca_error_create(VMCA_ERROR_INVALID,
					     "slab %#" PRIx64
					     " (%s) is not marked as a slab "
					     "of this cache in its struct page",
					     r->slab,
					     vmca_slab_list_names[r->role]));
	}
	sort_slabs(sb);
	return NULL;
}

/* Freelists. */

struct walk_fault {
	const char *what; // NULL: no fault
	uint64_t pointer, at;
};

static uint64_t decode_fp(enum fp_form form, uint64_t stored, uint64_t random,
			  uint64_t ptr_addr)
{
	switch (form) {
	case FP_XOR_SWAB:
		return stored ^ random ^ __builtin_bswap64(ptr_addr);
	case FP_XOR_ADDR:
		return stored ^ random ^ ptr_addr;
	case FP_PLAIN:
	case FP_UNKNOWN:
		break;
	}
	return stored;
}

// Follow one freelist from head through the slab's memory (sb->mem,
// mapped at base), marking each object in map. Returns the number of
// objects, or -1 with *fault set at the first pointer out of the slab
// or object met twice (a cycle, or two lists sharing an object).
static int64_t walk_freelist(const struct vmca_slab_walk *sb,
			     const struct vmca_slab_cache *c, uint32_t objects,
			     uint64_t base, uint64_t head, enum fp_form form,
			     uint64_t *map, struct walk_fault *fault)
{
	uint64_t first = base + c->red_left_pad;
	int64_t n = 0;
	uint64_t at = 0;
	for (uint64_t p = head; p; n++) {
		uint64_t idx = (p - first) / c->size;
		if (p < first || (p - first) % c->size || idx >= objects) {
			*fault = (struct walk_fault){
				"pointer outside the slab's objects:", p, at};
			return -1;
		}
		if (map[idx / 64] >> (idx % 64) & 1) {
			*fault = (struct walk_fault){"cycle, object listed "
						     "twice:",
						     p, at};
			return -1;
		}
		map[idx / 64] |= UINT64_C(1) << (idx % 64);
		at = p + c->offset;
		if (at - base + 8 > sb->mem_len) {
			*fault = (struct walk_fault){"free pointer beyond the "
						     "slab, object",
						     p, at};
			return -1;
		}
		uint64_t stored;
		memcpy(&stored, sb->mem + (at - base), 8);
		p = decode_fp(form, stored, c->random, at);
	}
	return n;
}

// Walk one freelist, reporting a fault against the slab. Returns the
// count or -1.
static int64_t walk_reported(struct vmca_slab_walk *sb,
			     struct vmca_slab_cache *c,
			     const struct slab_rec *r, uint64_t base,
			     uint64_t head, const char *which)
{
	if (!head)
		return 0;
	if (sb->form == FP_UNKNOWN) {
		errors_add(&c->errors,
			   vmca_error_create(VMCA_ERROR_INVALID,
					     "slab %#" PRIx64
					     ": %s not walked: no freelist "
					     "encoding keeps any list inside "
					     "its slab",
					     r->slab, which));
		return -1;
	}
	struct walk_fault fault = {0};
	int64_t n = walk_freelist(sb, c, r->objects, base, head, sb->form,
				  sb->free_map, &fault);
	if (n < 0 && fault.at)
		errors_add(&c->errors,
			   vmca_error_create(
				   VMCA_ERROR_INVALID,
				   "slab %#" PRIx64 " (%s): %s: %s %#" PRIx64
				   " (pointer read at %#" PRIx64 ")",
				   r->slab, vmca_slab_list_names[r->role],
				   which, fault.what, fault.pointer, fault.at));
	else if (n < 0)
		errors_add(&c->errors,
			   vmca_error_create(VMCA_ERROR_INVALID,
					     "slab %#" PRIx64 " (%s): %s: %s "
					     "%#" PRIx64 " (the list head)",
					     r->slab,
					     vmca_slab_list_names[r->role],
					     which, fault.what, fault.pointer));
	return n;
}

// Each object of a walked slab to the callback, with its state.
static void emit_objects(struct vmca_slab_walk *sb,
			 const struct vmca_slab_cache *c,
			 const struct slab_rec *r, uint64_t base,
			 bool with_bytes)
{
	uint64_t first = base + c->red_left_pad;
	struct vmca_slab_object o = {
		.cache = r->cache,
		.slab = r->slab,
		.list = (enum vmca_slab_list)r->role,
		.cpu = r->cpu,
	};
	for (uint32_t i = 0; i < r->objects && !sb->fn_error; i++) {
		o.address = first + (uint64_t)i * c->size;
		o.bytes = with_bytes ? sb->mem + (o.address - base) : NULL;
		o.state = sb->cpu_map[i / 64] >> (i % 64) & 1
				  ? VMCA_SLAB_OBJECT_CPU_FREE
			  : sb->free_map[i / 64] >> (i % 64) & 1
				  ? VMCA_SLAB_OBJECT_FREE
				  : VMCA_SLAB_OBJECT_ALLOCATED;
		sb->fn_error = sb->fn(sb->s, &o, sb->fn_arg);
	}
}

// Read a slab's objects into sb->mem. base is their direct-map address.
static struct vmca_error *read_slab_memory(struct vmca_slab_walk *sb,
					   const struct vmca_slab_cache *c,
					   const struct slab_rec *r,
					   uint64_t pfn)
{
	uint64_t len = (uint64_t)r->objects * c->size;
	if (len > MAX_SLAB_BYTES)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "slab %#" PRIx64 ": %u objects of %u "
					 "bytes is too large",
					 r->slab, r->objects, c->size);
	sb->mem_len = len;
	return vmca_read_phys(sb->s, pfn * sb->l.page_size, sb->mem, len);
}

// The freelist encoding the kernel uses: each candidate is tried on the
// freelists of the first slabs that have one; the first to keep
// FORM_VOTES whole lists inside their slabs (ending in NULL, no object
// twice) wins, else the one that kept most. One corrupt list cannot
// decide it.
static void detect_form(struct vmca_slab_walk *sb)
{
	static const enum fp_form candidates[] = {FP_XOR_SWAB, FP_XOR_ADDR,
						  FP_PLAIN};
	enum { NCANDIDATES = sizeof(candidates) / sizeof(candidates[0]) };
	if (sb->form != FP_UNKNOWN)
		return;
	if (!sb->l.kc_random.is_present) {
		sb->form = FP_PLAIN;
		return;
	}
	unsigned votes[NCANDIDATES] = {0}, tries = 0;
	const struct slab_rec *r;
	vector_for_each (&sb->slabs, r) {
		uint64_t head = r->freelist		   ? r->freelist
				: r->role == VMCA_SLAB_CPU ? r->cpu_freelist
							   : 0;
		if (!head || !r->objects || r->objects > MAX_OBJECTS)
			continue;
		if (tries++ >= FORM_TRIES)
			break;
		const struct vmca_slab_cache *c = &sb->caches.data[r->cache];
		uint64_t pfn;
		struct vmca_error *err = vmca_page_to_pfn(sb->s, r->slab, &pfn);
		if (!err)
			err = read_slab_memory(sb, c, r, pfn);
		if (err) {
			vmca_error_destroy(err);
			continue;
		}
		uint64_t base = sb->l.page_offset + pfn * sb->l.page_size;
		for (size_t i = 0; i < NCANDIDATES; i++) {
			struct walk_fault fault = {0};
			memset(sb->try_map, 0, (r->objects + 63) / 64 * 8);
			if (walk_freelist(sb, c, r->objects, base, head,
					  candidates[i], sb->try_map,
					  &fault) < 0)
				continue;
			if (++votes[i] == FORM_VOTES) {
				sb->form = candidates[i];
				return;
			}
		}
	}
	unsigned best = 0;
	for (size_t i = 0; i < NCANDIDATES; i++) {
		if (votes[i] > best) {
			best = votes[i];
			sb->form = candidates[i];
		}
	}
}

static void walk_slab(struct vmca_slab_walk *sb, const struct slab_rec *r)
{
	struct vmca_slab_cache *c = &sb->caches.data[r->cache];
	c->slabs_found++;
	c->objects_found += r->objects;
	switch ((enum vmca_slab_list)r->role) {
	case VMCA_SLAB_UNLISTED:
		c->unlisted_slabs++;
		break;
	case VMCA_SLAB_NODE_PARTIAL:
		c->node_partial_slabs++;
		break;
	case VMCA_SLAB_NODE_FULL:
		c->node_full_slabs++;
		break;
	case VMCA_SLAB_CPU:
		c->cpu_slabs++;
		break;
	case VMCA_SLAB_CPU_PARTIAL:
		c->cpu_partial_slabs++;
		break;
	}
	uint64_t pfn;
	struct vmca_error *err = vmca_page_to_pfn(sb->s, r->slab, &pfn);
	if (!err &&
	    (!r->objects || r->objects > MAX_OBJECTS || r->inuse > r->objects))
		err = vmca_error_create(VMCA_ERROR_INVALID,
					"slab %#" PRIx64
					": %u of %u objects in use",
					r->slab, r->inuse, r->objects);
	if (err) {
		errors_add(&c->errors, err);
		c->unknown += r->objects;
		return;
	}
	uint64_t base = sb->l.page_offset + pfn * sb->l.page_size;
	uint64_t cpu_free = r->role == VMCA_SLAB_CPU ? r->cpu_freelist : 0;
	memset(sb->free_map, 0, (r->objects + 63) / 64 * 8);
	memset(sb->cpu_map, 0, (r->objects + 63) / 64 * 8);
	int64_t slab_free = 0, lockless_free = 0;
	bool has_memory = false;
	if (r->freelist || cpu_free) {
		err = read_slab_memory(sb, c, r, pfn);
		has_memory = !err;
		if (err) {
			errors_add(&c->errors,
				   vmca_error_wrap(err,
						   "slab %#" PRIx64
						   " objects (freelist not "
						   "walked)",
						   r->slab));
			lockless_free = slab_free = -1;
		} else {
			char which[32] = "freelist";
			if (cpu_free)
				snprintf(which, sizeof(which),
					 "CPU %d freelist", r->cpu);
			lockless_free =
				walk_reported(sb, c, r, base, cpu_free, which);
			if (lockless_free > 0)
				memcpy(sb->cpu_map, sb->free_map,
				       (r->objects + 63) / 64 * 8);
			if (lockless_free >= 0)
				slab_free = walk_reported(sb, c, r, base,
							  r->freelist,
							  "slab freelist");
		}
	}
	if (lockless_free < 0 || slab_free < 0) {
		// The kernel's own count of the slab's free objects stands;
		// which ones are free, and for a CPU slab how many more the
		// CPU holds, is unknown.
		c->free += r->objects - r->inuse;
		if (r->role == VMCA_SLAB_CPU) {
			c->unknown += r->inuse;
		} else {
			c->allocated += r->inuse;
			c->unverified += r->inuse;
		}
		return;
	}
	if ((uint64_t)slab_free != r->objects - r->inuse)
		errors_add(&c->errors,
			   vmca_error_create(VMCA_ERROR_INVALID,
					     "slab %#" PRIx64
					     " (%s): %u of %u objects in use "
					     "but %" PRId64 " on its freelist",
					     r->slab,
					     vmca_slab_list_names[r->role],
					     r->inuse, r->objects, slab_free));
	uint64_t nfree = (uint64_t)(slab_free + lockless_free);
	c->free += nfree;
	c->allocated += r->objects - nfree;
	if (!sb->fn)
		return;
	if (!has_memory && sb->options & VMCA_SLAB_WALK_MEMORY) {
		err = read_slab_memory(sb, c, r, pfn);
		if (err)
			errors_add(&c->errors,
				   vmca_error_wrap(err,
						   "slab %#" PRIx64 " objects",
						   r->slab));
		else
			has_memory = true;
	}
	emit_objects(sb, c, r, base,
		     has_memory && sb->options & VMCA_SLAB_WALK_MEMORY);
}

/* Putting it together. */

void vmca_slab_walk_destroy(struct vmca_slab_walk *sb)
{
	if (!sb)
		return;
	struct vmca_slab_cache *c;
	vector_for_each (&sb->caches, c)
		errors_deinit(&c->errors);
	cache_vector_deinit(&sb->caches);
	slab_vector_deinit(&sb->slabs);
	errors_deinit(&sb->errors);
	free(sb->by_address);
	free(sb->mem);
	free(sb->kinds);
	layout_deinit(&sb->l);
	free(sb);
}

struct vmca_error *vmca_slab_walk_create(struct vmca_session *s,
					 struct vmca_slab_walk **ret)
{
	struct vmca_slab_walk *sb = calloc(1, sizeof(*sb));
	if (!sb)
		return &vmca_enomem;
	sb->s = s;
	struct vmca_error *err = layout_init(s, &sb->l);
	if (!err)
		err = layout_kfence(s, &sb->l);
	if (!err) {
		sb->mem = malloc(MAX_SLAB_BYTES);
		if (!sb->mem)
			err = &vmca_enomem;
	}
	if (!err)
		err = load_caches(sb);
	if (err) {
		vmca_slab_walk_destroy(sb);
		return err;
	}
	*ret = sb;
	return NULL;
}

struct vmca_slab_cache *vmca_slab_walk_caches(struct vmca_slab_walk *sb,
					      size_t *nr_ret)
{
	*nr_ret = sb->caches.len;
	return sb->caches.data;
}

struct vmca_error *vmca_slab_walk_select(struct vmca_slab_walk *sb,
					 const char *name)
{
	bool any = false;
	struct vmca_slab_cache *c;
	vector_for_each (&sb->caches, c) {
		c->is_selected = !name || strcmp(c->name, name) == 0;
		any |= c->is_selected;
	}
	if (name && !any)
		return vmca_error_create(VMCA_ERROR_NOT_FOUND,
					 "no slab cache named '%s' (a merged "
					 "cache goes by the name of the one "
					 "it was merged into)",
					 name);
	return NULL;
}

void vmca_slab_walk_info(const struct vmca_slab_walk *sb,
			 struct vmca_slab_walk_info *ret)
{
	ret->freelist_encoding = fp_form_names[sb->form];
	ret->has_scanned = sb->has_scanned;
	ret->scanned_pfns = sb->scan_pfns;
	ret->missing_pfns = sb->missing_pfns;
	ret->kfence_slabs = sb->kfence_slabs;
	ret->foreign_slabs = sb->foreign_slabs;
	ret->errors = &sb->errors;
}

uint64_t vmca_slab_cache_memory(const struct vmca_slab_walk *sb,
				const struct vmca_slab_cache *c)
{
	uint64_t slabs =
		sb->l.kn_nr_slabs.is_present ? c->nr_slabs : c->slabs_found;
	return slabs * (sb->l.page_size << c->order);
}

uint64_t vmca_slab_cache_active_objs(const struct vmca_slab_cache *c)
{
	return c->partial_free < c->total_objects
		       ? c->total_objects - c->partial_free
		       : 0;
}

bool vmca_slab_cache_has_tracks(const struct vmca_slab_walk *sb,
				const struct vmca_slab_cache *c)
{
	return c->flags & sb->l.store_user_flag;
}

bool vmca_slab_cache_is_reclaimable(const struct vmca_slab_walk *sb,
				    const struct vmca_slab_cache *c)
{
	return c->flags & sb->l.reclaim_flag;
}

// Everything about the selected caches: the kernel's counters and lists,
// then (unless the lists held every slab) the struct page scan, then
// every slab's freelists.
struct vmca_error *vmca_slab_walk_run(struct vmca_slab_walk *sb,
				      vmca_slab_object_fn *fn, void *arg)
{
	sb->fn = fn;
	sb->fn_arg = arg;
	sb->fn_error = NULL;
	bool needs_scan = false;
	for (uint32_t i = 0; i < sb->caches.len; i++) {
		struct vmca_slab_cache *c = &sb->caches.data[i];
		if (!c->is_selected)
			continue;
		size_t before = sb->slabs.len;
		struct vmca_error *err = load_nodes(sb, i);
		if (!err)
			err = load_cpus(sb, i);
		if (err)
			return err;
		if (sb->slabs.len - before < c->nr_slabs ||
		    !sb->l.kn_nr_slabs.is_present)
			needs_scan = true;
	}
	sort_listed(sb);
	if (needs_scan || sb->options & VMCA_SLAB_WALK_PAGE_KINDS) {
		struct vmca_error *err = scan_slabs(sb);
		if (err == &vmca_enomem)
			return err;
		if (err)
			errors_add(&sb->errors,
				   vmca_error_wrap(err, "struct page scan"));
	}
	detect_form(sb);
	struct vmca_progress progress;
	vmca_progress_begin(&progress, "walking the slabs", sb->slabs.len);
	struct slab_rec *r;
	vector_for_each (&sb->slabs, r) {
		walk_slab(sb, r);
		vmca_progress_update(&progress,
				     (uint64_t)(r - sb->slabs.data) + 1);
		if (sb->fn_error)
			break;
	}
	vmca_progress_end(&progress);
	sb->fn = NULL;
	if (sb->fn_error)
		return sb->fn_error;
	// What the kernel counts and the walk did not find (or found more
	// of) is reported: missing struct pages, or an inconsistent dump.
	struct vmca_slab_cache *c;
	vector_for_each (&sb->caches, c) {
		if (!c->is_selected || !sb->l.kn_nr_slabs.is_present ||
		    (c->slabs_found == c->nr_slabs &&
		     c->objects_found == c->total_objects))
			continue;
		errors_add(&c->errors,
			   vmca_error_create(
				   VMCA_ERROR_INVALID,
				   "found %" PRIu64 " slabs with %" PRIu64
				   " objects; the kernel counts %" PRIu64
				   " with %" PRIu64 "%s",
				   c->slabs_found, c->objects_found,
				   c->nr_slabs, c->total_objects,
				   sb->missing_pfns ? " (struct pages missing "
						      "from the dump)"
						    : ""));
	}
	return NULL;
}

/* Where an address falls. */

struct vmca_error *vmca_slab_walk_find(struct vmca_slab_walk *sb,
				       uint64_t address,
				       struct vmca_slab_find *ret)
{
	const struct layout *l = &sb->l;
	memset(ret, 0, sizeof(*ret));
	ret->cpu = -1;
	uint64_t paddr;
	struct vmca_error *err = vmca_virt_to_phys(sb->s, address, &paddr);
	if (err)
		return err;
	uint64_t pfn = paddr / l->page_size;
	uint64_t page = l->vmemmap + pfn * l->pg_size;
	unsigned char buf[MAX_STRUCT];
	err = vmca_read(sb->s, page, buf, l->pg_size);
	if (err)
		return vmca_error_wrap(err, "struct page of %#" PRIx64,
				       address);
	uint64_t head = field_get(&l->pg_compound_head, buf);
	if (head & 1) {
		page = head - 1;
		err = vmca_read(sb->s, page, buf, l->pg_size);
		if (!err)
			err = vmca_page_to_pfn(sb->s, page, &pfn);
		if (err)
			return vmca_error_wrap(err, "head page of %#" PRIx64,
					       address);
	}
	ret->page = page;
	uint64_t vaddr = l->page_offset + pfn * l->page_size;
	ret->is_kfence = vaddr >= l->kfence_start && vaddr < l->kfence_end;
	if (!page_is_slab_head(l, buf)) {
		ret->state = VMCA_SLAB_FIND_NOT_SLAB;
		return NULL;
	}
	uint64_t owner = field_get(&l->sl_cache, buf);
	int64_t ci = cache_index(sb, owner);
	if (ci < 0)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "%#" PRIx64 ": slab %#" PRIx64
					 " of cache %#" PRIx64
					 ", which is not on slab_caches",
					 address, page, owner);
	struct vmca_slab_cache *c = &sb->caches.data[ci];
	c->is_selected = true;
	// The slab's list: the cache's lists and CPU slabs.
	err = load_nodes(sb, (uint32_t)ci);
	if (!err)
		err = load_cpus(sb, (uint32_t)ci);
	if (err)
		return err;
	sort_listed(sb);
	struct slab_rec *r = find_listed(sb, sb->slabs.len, page);
	if (!r) {
		// On no list: a full slab (or a KFENCE page).
		r = add_slab(sb, (uint32_t)ci, page, buf, VMCA_SLAB_UNLISTED,
			     -1);
		if (!r)
			return &vmca_enomem;
	}
	// walk_slab() fills sb->free_map (and counts into the cache); the
	// encoding is decided on the cache's listed slabs and this one.
	bool is_known = false;
	if (!ret->is_kfence) {
		detect_form(sb);
		uint64_t unknown = c->unknown, unverified = c->unverified;
		walk_slab(sb, r);
		is_known = c->unknown == unknown && c->unverified == unverified;
	}
	ret->cache = (uint32_t)ci;
	ret->slab_base = vaddr;
	ret->list = (enum vmca_slab_list)r->role;
	ret->objects = r->objects;
	ret->inuse = r->inuse;
	ret->cpu = r->cpu;
	uint64_t first = vaddr + c->red_left_pad;
	if (address < first || (address - first) / c->size >= r->objects) {
		ret->state = VMCA_SLAB_FIND_PADDING;
		return NULL;
	}
	ret->index = (address - first) / c->size;
	ret->object = first + ret->index * c->size;
	ret->offset = address - ret->object;
	ret->state = !is_known ? VMCA_SLAB_FIND_UNKNOWN
		     : sb->free_map[ret->index / 64] >> (ret->index % 64) & 1
			     ? VMCA_SLAB_FIND_FREE
			     : VMCA_SLAB_FIND_ALLOCATED;
	return NULL;
}

void vmca_slab_walk_set_options(struct vmca_slab_walk *w, unsigned options)
{
	w->options = options;
}

const uint8_t *vmca_slab_walk_page_kinds(const struct vmca_slab_walk *w,
					 uint64_t *nr_ret)
{
	*nr_ret = w->nr_kinds;
	return w->kinds;
}

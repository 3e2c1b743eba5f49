// SPDX-License-Identifier: MIT
// analyzer/meminfo.c: /proc/meminfo rebuilt from the dump's counters, line
// for line as fs/proc/meminfo.c of the kernel in hand prints it.
#include <stdio.h>
#include <string.h>

#include "meminfo.h"
#include "vmca.h"

// Bounds on untrusted walks and counts.
#define MAX_BDEV_INODES (UINT64_C(1) << 20)
#define MAX_SWAPFILES	64 // MAX_SWAPFILES is 32 minus a few
#define MAX_HSTATES	16 // HUGE_MAX_HSTATE is 2 on x86, <= 15
#define MAX_ZSWAP_POOLS 1024
#define MAX_STAT_ITEMS	256

// struct swap_info_struct.flags bits; the enum is anonymous (no DWARF
// name to look it up by) and these two have not moved since v2.6.
#define SWP_USED    (1 << 0)
#define SWP_WRITEOK (1 << 1)

// x86_64 VMALLOC_SIZE_TB for 4- and 5-level paging
// (arch/x86/include/asm/pgtable_64_types.h); macros, absent from DWARF.
#define X86_64_VMALLOC_SIZE_TB_L4 UINT64_C(32)
#define X86_64_VMALLOC_SIZE_TB_L5 UINT64_C(12800)

#define FMT_KB	   VMCA_MEMINFO_KB
#define FMT_KB5	   VMCA_MEMINFO_KB5
#define FMT_COUNT5 VMCA_MEMINFO_COUNT5

struct meminfo {
	struct vmca_session *s;
	unsigned page_shift;
	struct vmca_meminfo *out;
	uint64_t node_stat, zone_stat;
	uint64_t node_stat_count, zone_stat_count;
};

static void add_line(struct meminfo *mi, const char *name,
		     enum vmca_meminfo_format format, uint64_t value,
		     struct vmca_error *err)
{
	struct vmca_meminfo *o = mi->out;
	if (o->nr_lines == VMCA_MEMINFO_MAX_LINES) {
		vmca_error_destroy(err);
		return;
	}
	o->lines[o->nr_lines++] = (struct vmca_meminfo_line){
		.name = name, .format = format, .value = value, .err = err};
}

// A line in kB of a count of pages (show_val_kb()).
static void add_pages(struct meminfo *mi, const char *name, uint64_t pages,
		      struct vmca_error *err)
{
	add_line(mi, name, FMT_KB, pages << (mi->page_shift - 10), err);
}

// An integer (or atomic) of type at vaddr, by its size and signedness.
static struct vmca_error *read_int(struct vmca_session *s, uint64_t vaddr,
				   uint32_t type, uint64_t *ret)
{
	type = vmca_type_unwrap_atomic(s, type);
	struct vmca_type t;
	vmca_type_info(s, type, &t);
	uint64_t size = t.kind == VMCA_TYPE_POINTER && !t.size ? 8 : t.size;
	if (!size || size > 8 ||
	    (t.kind != VMCA_TYPE_INT && t.kind != VMCA_TYPE_ENUM &&
	     t.kind != VMCA_TYPE_POINTER))
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "not an integer at %#" PRIx64, vaddr);
	unsigned char buf[8];
	struct vmca_error *err = vmca_read(s, vaddr, buf, (size_t)size);
	if (err)
		return err;
	*ret = vmca_decode_int(s, type, buf, (size_t)size, 0, 0);
	return NULL;
}

// A global integer variable; signed ones come sign-extended.
static struct vmca_error *read_var(struct vmca_session *s, const char *name,
				   uint64_t *ret)
{
	struct vmca_variable v;
	struct vmca_error *err = vmca_variable(s, name, &v);
	if (!err)
		err = read_int(s, v.address, v.type, ret);
	if (err)
		return vmca_error_wrap(err, "%s", name);
	return NULL;
}

static bool has_symbol(struct vmca_session *s, const char *name)
{
	uint64_t address;
	struct vmca_error *err = vmca_symbol_address(s, name, &address);
	vmca_error_destroy(err);
	return !err;
}

static bool has_enum(struct vmca_session *s, const char *type_name,
		     const char *name)
{
	int64_t value;
	struct vmca_error *err = vmca_enum_value(s, type_name, name, &value);
	vmca_error_destroy(err);
	return !err;
}

// An array of atomic_long_t counters (vm_node_stat, vm_zone_stat).
static struct vmca_error *stat_array(struct vmca_session *s, const char *name,
				     uint64_t *address_ret, uint64_t *count_ret)
{
	struct vmca_variable v;
	struct vmca_error *err = vmca_variable(s, name, &v);
	if (err)
		return err;
	struct vmca_type t;
	vmca_type_info(s, vmca_type_unqualified(s, v.type), &t);
	if (t.kind != VMCA_TYPE_ARRAY || t.array_len > MAX_STAT_ITEMS)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "%s is not an array of counters",
					 name);
	struct vmca_type elem;
	vmca_type_info(s, vmca_type_unqualified(s, t.target), &elem);
	if (elem.size != 8)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "%s[] elements are %" PRIu64
					 " bytes, not atomic_long_t",
					 name, elem.size);
	*address_ret = v.address;
	*count_ret = t.array_len;
	return NULL;
}

// global_node_page_state() / global_zone_page_state(): the counter,
// negative values (per-CPU deltas not folded yet) read as 0.
static struct vmca_error *global_state(struct meminfo *mi, bool is_node,
				       const char *item, uint64_t *ret)
{
	const char *type =
		is_node ? "enum node_stat_item" : "enum zone_stat_item";
	int64_t i;
	struct vmca_error *err = vmca_enum_value(mi->s, type, item, &i);
	if (err)
		return err;
	uint64_t base = is_node ? mi->node_stat : mi->zone_stat;
	uint64_t count = is_node ? mi->node_stat_count : mi->zone_stat_count;
	if (i < 0 || (uint64_t)i >= count)
		return vmca_error_create(
			VMCA_ERROR_INVALID,
			"%s = %" PRId64 " is past the %s array", item, i,
			is_node ? "vm_node_stat" : "vm_zone_stat");
	uint64_t value;
	err = vmca_read_u64(mi->s, base + 8 * (uint64_t)i, &value);
	if (err)
		return vmca_error_wrap(err, "reading %s", item);
	*ret = (int64_t)value < 0 ? 0 : value;
	return NULL;
}

static struct vmca_error *node_state(struct meminfo *mi, const char *item,
				     uint64_t *ret)
{
	return global_state(mi, true, item, ret);
}

static struct vmca_error *zone_state(struct meminfo *mi, const char *item,
				     uint64_t *ret)
{
	return global_state(mi, false, item, ret);
}

// A node counter, or the zone counter of the same name in kernels that
// kept it per zone (NR_KERNEL_STACK_KB and NR_PAGETABLE until v5.9-v5.10).
static struct vmca_error *node_or_zone_state(struct meminfo *mi,
					     const char *item, uint64_t *ret)
{
	if (has_enum(mi->s, "enum node_stat_item", item))
		return node_state(mi, item, ret);
	return zone_state(mi, item, ret);
}

// The slab counters: NR_SLAB_RECLAIMABLE_B since commit d42f3245c7e2
// ("mm: memcg: convert vmstat slab counters to bytes") (v5.9), kept in
// pages at the node level; NR_SLAB_RECLAIMABLE before.
static struct vmca_error *slab_state(struct meminfo *mi, bool is_reclaimable,
				     uint64_t *ret)
{
	const char *item = is_reclaimable ? "NR_SLAB_RECLAIMABLE_B"
					  : "NR_SLAB_UNRECLAIMABLE_B";
	if (!has_enum(mi->s, "enum node_stat_item", item))
		item = is_reclaimable ? "NR_SLAB_RECLAIMABLE"
				      : "NR_SLAB_UNRECLAIMABLE";
	return node_or_zone_state(mi, item, ret);
}

// nr_blockdev_pages(): the page cache of every block device inode.
struct bdev_walk {
	uint64_t i_sb_list, i_mapping;
	uint32_t nrpages_type;
	uint64_t nrpages_offset;
	uint64_t pages;
};

static struct vmca_error *visit_bdev_inode(struct vmca_session *s,
					   uint64_t node, void *arg)
{
	struct bdev_walk *w = arg;
	uint64_t mapping, pages;
	struct vmca_error *err =
		vmca_read_u64(s, node - w->i_sb_list + w->i_mapping, &mapping);
	if (!err && mapping)
		err = read_int(s, mapping + w->nrpages_offset, w->nrpages_type,
			       &pages);
	if (err)
		return vmca_error_wrap(err, "block device inode at %#" PRIx64,
				       node - w->i_sb_list);
	if (mapping)
		w->pages += pages;
	return NULL;
}

static struct vmca_error *blockdev_pages(struct meminfo *mi, uint64_t *ret)
{
	struct vmca_session *s = mi->s;
	struct bdev_walk w = {0};
	struct vmca_member nrpages;
	uint64_t sb, s_inodes;
	struct vmca_error *err = read_var(s, "blockdev_superblock", &sb);
	if (!err)
		err = vmca_type_member_offset(s, "struct super_block",
					      "s_inodes", &s_inodes);
	if (!err)
		err = vmca_type_member_offset(s, "struct inode", "i_sb_list",
					      &w.i_sb_list);
	if (!err)
		err = vmca_type_member_offset(s, "struct inode", "i_mapping",
					      &w.i_mapping);
	if (!err)
		err = vmca_type_member(s, "struct address_space", "nrpages",
				       &nrpages);
	if (err)
		return err;
	w.nrpages_offset = nrpages.bit_offset / 8;
	w.nrpages_type = nrpages.type;
	if (!sb) {
		*ret = 0;
		return NULL;
	}
	err = vmca_list_walk(s, sb + s_inodes, MAX_BDEV_INODES,
			     visit_bdev_inode, &w);
	if (err)
		return vmca_error_wrap(err, "blockdev_superblock->s_inodes");
	*ret = w.pages;
	return NULL;
}

// si_swapinfo(): total_swap_pages and nr_swap_pages, plus the pages of
// devices being swapped off (used, no longer writable).
static struct vmca_error *swap_info(struct meminfo *mi, uint64_t *total_ret,
				    uint64_t *free_ret)
{
	struct vmca_session *s = mi->s;
	uint64_t nr_files, total, nr_free;
	struct vmca_variable info;
	struct vmca_member flags, inuse;
	struct vmca_error *err = read_var(s, "nr_swapfiles", &nr_files);
	if (!err)
		err = read_var(s, "total_swap_pages", &total);
	if (!err)
		err = read_var(s, "nr_swap_pages", &nr_free);
	if (!err)
		err = vmca_variable(s, "swap_info", &info);
	if (!err)
		err = vmca_type_member(s, "struct swap_info_struct", "flags",
				       &flags);
	if (!err)
		err = vmca_type_member(s, "struct swap_info_struct",
				       "inuse_pages", &inuse);
	if (err)
		return err;
	if (nr_files > MAX_SWAPFILES)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "nr_swapfiles is %" PRIu64, nr_files);
	uint64_t to_be_unused = 0;
	for (uint64_t i = 0; i < nr_files; i++) {
		uint64_t si, f, pages;
		err = vmca_read_u64(s, info.address + 8 * i, &si);
		if (!err && si)
			err = read_int(s, si + flags.bit_offset / 8, flags.type,
				       &f);
		if (err)
			return vmca_error_wrap(err, "swap_info[%" PRIu64 "]",
					       i);
		if (!si || (f & (SWP_USED | SWP_WRITEOK)) != SWP_USED)
			continue;
		err = read_int(s, si + inuse.bit_offset / 8, inuse.type,
			       &pages);
		if (err)
			return vmca_error_wrap(err, "swap_info[%" PRIu64 "]",
					       i);
		to_be_unused += pages;
	}
	*total_ret = total + to_be_unused;
	*free_ret = nr_free + to_be_unused;
	return NULL;
}

// percpu_counter_sum_positive(): count plus every possible CPU's s32
// delta (offline CPUs have had theirs folded into count), at least 0.
static struct vmca_error *percpu_counter_sum(struct vmca_session *s,
					     const char *name, int64_t *ret)
{
	struct vmca_variable v;
	struct vmca_error *err = vmca_variable(s, name, &v);
	if (!err)
		err = vmca_percpu_counter_sum(s, v.address, ret);
	if (err)
		return vmca_error_wrap(err, "%s", name);
	if (*ret < 0)
		*ret = 0;
	return NULL;
}

struct hugetlb {
	uint64_t total_pages; // hugetlb_total_pages()
	uint64_t total_bytes;
	bool has_default;
	uint64_t nr, free, resv, surplus, size_kb;
};

// The hstates[] in use: hugetlb_total_pages() and the default hstate's
// counters, as hugetlb_report_meminfo() prints them.
static struct vmca_error *hugetlb_read(struct meminfo *mi, struct hugetlb *h)
{
	struct vmca_session *s = mi->s;
	uint64_t nr, def, size;
	struct vmca_variable hstates;
	struct vmca_error *err = read_var(s, "hugetlb_max_hstate", &nr);
	if (!err)
		err = read_var(s, "default_hstate_idx", &def);
	if (!err)
		err = vmca_variable(s, "hstates", &hstates);
	// order, nr_huge_pages, then what v[] holds.
	static const char *const names[5] = {
		"order", "nr_huge_pages", "free_huge_pages", "resv_huge_pages",
		"surplus_huge_pages"};
	struct vmca_field fields[5];
	uint32_t hstate;
	if (!err)
		err = vmca_type(s, "struct hstate", &hstate);
	for (int f = 0; !err && f < 5; f++)
		err = vmca_field_init(s, hstate, names[f], &fields[f]);
	if (err)
		return err;
	size = vmca_type_sizeof(s, hstate);
	if (nr > MAX_HSTATES)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "hugetlb_max_hstate is %" PRIu64, nr);
	for (uint64_t i = 0; i < nr; i++) {
		struct vmca_value hs;
		vmca_value_init_reference(&hs, hstate,
					  hstates.address + i * size);
		uint64_t got[5];
		for (int f = 0; !err && f < 5; f++) {
			struct vmca_value v;
			err = vmca_value_field(s, &hs, &fields[f], &v);
			if (!err)
				err = vmca_value_u64(s, &v, &got[f]);
		}
		if (err)
			return vmca_error_wrap(err, "hstates[%" PRIu64 "]", i);
		uint64_t order = got[0], count = got[1];
		const uint64_t *v = got + 2;
		if (order >= 40)
			return vmca_error_create(VMCA_ERROR_INVALID,
						 "hstates[%" PRIu64
						 "].order is %" PRIu64,
						 i, order);
		h->total_pages += count << order;
		h->total_bytes += (count << order) << mi->page_shift;
		if (i == def) {
			h->has_default = true;
			h->nr = count;
			h->free = v[0];
			h->resv = v[1];
			h->surplus = v[2];
			h->size_kb = (UINT64_C(1) << order)
				     << (mi->page_shift - 10);
		}
	}
	return NULL;
}

// vm_commit_limit(): overcommit_kbytes, or overcommit_ratio percent of
// the RAM outside hugetlb, plus swap.
static struct vmca_error *commit_limit(struct meminfo *mi, uint64_t totalram,
				       const struct hugetlb *h, uint64_t *ret)
{
	uint64_t kbytes, ratio, swap;
	struct vmca_error *err =
		read_var(mi->s, "sysctl_overcommit_kbytes", &kbytes);
	if (!err)
		err = read_var(mi->s, "sysctl_overcommit_ratio", &ratio);
	if (!err)
		err = read_var(mi->s, "total_swap_pages", &swap);
	if (err)
		return err;
	uint64_t allowed = kbytes ? kbytes >> (mi->page_shift - 10)
				  : (totalram - h->total_pages) * ratio / 100;
	*ret = allowed + swap;
	return NULL;
}

// VMALLOC_TOTAL = VMALLOC_END - VMALLOC_START: on x86_64 VMALLOC_SIZE_TB
// of 4- or 5-level paging, minus one byte; a quarter of it with KMSAN.
static struct vmca_error *vmalloc_total(struct meminfo *mi, uint64_t *ret)
{
	const char *machine = vmca_session_machine(mi->s);
	if (strcmp(machine, "x86_64") != 0)
		return vmca_error_create(VMCA_ERROR_NOT_FOUND,
					 "VMALLOC_TOTAL is not known for %s",
					 machine);
	uint64_t l5 = 0;
	struct vmca_error *err = read_var(mi->s, "__pgtable_l5_enabled", &l5);
	vmca_error_destroy(err); // no CONFIG_X86_5LEVEL: 4 levels
	uint64_t bytes =
		(l5 ? X86_64_VMALLOC_SIZE_TB_L5 : X86_64_VMALLOC_SIZE_TB_L4)
		<< 40;
	if (has_symbol(mi->s, "kmsan_enabled"))
		bytes >>= 2;
	*ret = (bytes - 1) >> 10;
	return NULL;
}

// zswap_total_pages(), which replaced zswap_pool_total_size in "mm:
// zswap: optimize zswap pool size tracking" (v6.10): the pages of every
// pool's zpool. Only the zsmalloc backend (zs_pool.pages_allocated) is
// read here.
struct zswap_walk {
	uint64_t list, zpool, driver, pool, type, pages_allocated;
	uint64_t pages;
};

static struct vmca_error *visit_zswap_pool(struct vmca_session *s,
					   uint64_t node, void *arg)
{
	struct zswap_walk *w = arg;
	uint64_t zpool, driver, pool, type, pages;
	char name[32];
	struct vmca_error *err =
		vmca_read_u64(s, node - w->list + w->zpool, &zpool);
	if (!err)
		err = vmca_read_u64(s, zpool + w->driver, &driver);
	if (!err)
		err = vmca_read_u64(s, zpool + w->pool, &pool);
	if (!err)
		err = vmca_read_u64(s, driver + w->type, &type);
	if (!err)
		err = vmca_read_string(s, type, name, sizeof(name));
	if (err)
		return vmca_error_wrap(err, "zswap pool at %#" PRIx64,
				       node - w->list);
	if (strcmp(name, "zsmalloc") != 0)
		return vmca_error_create(VMCA_ERROR_NOT_FOUND,
					 "zswap pool with the %s allocator: "
					 "only zsmalloc is known",
					 name);
	err = vmca_read_u64(s, pool + w->pages_allocated, &pages);
	if (err)
		return err;
	w->pages += pages;
	return NULL;
}

static struct vmca_error *zswap_pages(struct meminfo *mi, uint64_t *ret)
{
	struct vmca_session *s = mi->s;
	struct zswap_walk w = {0};
	struct vmca_variable pools;
	struct vmca_error *err = vmca_variable(s, "zswap_pools", &pools);
	if (!err)
		err = vmca_type_member_offset(s, "struct zswap_pool", "list",
					      &w.list);
	if (!err)
		err = vmca_type_member_offset(s, "struct zswap_pool", "zpool",
					      &w.zpool);
	if (!err)
		err = vmca_type_member_offset(s, "struct zpool", "driver",
					      &w.driver);
	if (!err)
		err = vmca_type_member_offset(s, "struct zpool", "pool",
					      &w.pool);
	if (!err)
		err = vmca_type_member_offset(s, "struct zpool_driver", "type",
					      &w.type);
	if (!err)
		err = vmca_type_member_offset(s, "struct zs_pool",
					      "pages_allocated",
					      &w.pages_allocated);
	if (!err)
		err = vmca_list_walk(s, pools.address, MAX_ZSWAP_POOLS,
				     visit_zswap_pool, &w);
	if (err)
		return vmca_error_wrap(err, "zswap_pools");
	*ret = w.pages;
	return NULL;
}

// for_each_zone(): the sum of low_wmark_pages(), for si_mem_available().
static struct vmca_error *add_low_wmark(struct vmca_session *s,
					const struct vmca_zone *z, void *arg)
{
	uint64_t low;
	struct vmca_error *err =
		vmca_zone_wmark_pages(s, z->address, "WMARK_LOW", &low);
	if (err)
		return vmca_error_wrap(err, "zone %u of node %u", z->zone_idx,
				       z->nid);
	*(uint64_t *)arg += low;
	return NULL;
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

// Everything si_mem_available() and the lines need, read once.
struct counters {
	uint64_t totalram, freeram, buffers, file_pages, swapcache;
	uint64_t lru[5]; // inactive/active anon, inactive/active file,
			 // unevictable
	uint64_t sreclaimable, sunreclaim, misc_reclaimable;
	struct vmca_error *totalram_err, *freeram_err, *buffers_err, *file_err,
		*swapcache_err, *lru_err[5], *slab_err, *misc_err;
	bool has_misc_reclaimable;
};

static const char *const lru_items[5] = {"NR_INACTIVE_ANON", "NR_ACTIVE_ANON",
					 "NR_INACTIVE_FILE", "NR_ACTIVE_FILE",
					 "NR_UNEVICTABLE"};

static struct vmca_error *first_err(struct vmca_error *a, struct vmca_error *b)
{
	return a ? a : b;
}

// A copy of err for a second line that depends on the same counter.
static struct vmca_error *copy_err(const struct vmca_error *err)
{
	if (!err)
		return NULL;
	return vmca_error_create(err->code, "%s", err->message);
}

// total_swapcache_pages() before commit b6038942480e (v5.13): the pages
// of every swap device's address spaces (swapper_spaces[type][0..nr)),
// for the types swap_info[] has.
static struct vmca_error *swapper_space_pages(struct vmca_session *s,
					      uint64_t *ret)
{
	struct vmca_variable spaces, counts, info;
	uint64_t nr_swapfiles = 0;
	struct vmca_error *err = vmca_variable(s, "swapper_spaces", &spaces);
	if (!err)
		err = vmca_variable(s, "nr_swapper_spaces", &counts);
	if (!err)
		err = vmca_variable(s, "swap_info", &info);
	if (!err)
		err = read_var(s, "nr_swapfiles", &nr_swapfiles);
	if (err)
		return err;
	struct vmca_value sv, cv, iv;
	vmca_value_init_reference(&sv, spaces.type, spaces.address);
	vmca_value_init_reference(&cv, counts.type, counts.address);
	vmca_value_init_reference(&iv, info.type, info.address);
	struct vmca_type t;
	vmca_type_info(s, vmca_type_unqualified(s, spaces.type), &t);
	uint64_t types = t.kind == VMCA_TYPE_ARRAY ? t.array_len : 0;
	uint32_t space_type;
	struct vmca_field nrpages;
	err = vmca_type(s, "struct address_space", &space_type);
	if (!err)
		err = vmca_field_init(s, space_type, "nrpages", &nrpages);
	if (err)
		return err;
	uint64_t total = 0;
	for (uint64_t i = 0; i < types && i < nr_swapfiles; i++) {
		struct vmca_value e;
		uint64_t si, array, nr;
		if ((err = vmca_value_subscript(s, &iv, (int64_t)i, &e)) ||
		    (err = vmca_value_u64(s, &e, &si)))
			return err;
		if (!si)
			continue;
		if ((err = vmca_value_subscript(s, &sv, (int64_t)i, &e)) ||
		    (err = vmca_value_u64(s, &e, &array)) ||
		    (err = vmca_value_subscript(s, &cv, (int64_t)i, &e)) ||
		    (err = vmca_value_u64(s, &e, &nr)))
			return err;
		// One address space per 64 MiB of swap: more than 2^24 is
		// not a count the kernel could have.
		if (!array || nr > (UINT64_C(1) << 24))
			return vmca_error_create(
				VMCA_ERROR_INVALID,
				"swap type %" PRIu64 ": %" PRIu64
				" address spaces at 0x%" PRIx64
				" is not a plausible swap cache",
				i, nr, array);
		for (uint64_t j = 0; j < nr; j++) {
			struct vmca_value a, n;
			uint64_t pages;
			vmca_value_init_reference(
				&a, space_type,
				array + j * vmca_type_sizeof(s, space_type));
			if ((err = vmca_value_field(s, &a, &nrpages, &n)) ||
			    (err = vmca_value_u64(s, &n, &pages)))
				return err;
			total += pages;
		}
	}
	*ret = total;
	return NULL;
}

static void read_counters(struct meminfo *mi, struct counters *c)
{
	struct vmca_session *s = mi->s;
	// Since commit ca79b0c211af ("mm: convert totalram_pages and
	// totalhigh_pages variables to atomic") (v5.0): _totalram_pages.
	c->totalram_err = read_var(s, "_totalram_pages", &c->totalram);
	if (c->totalram_err) {
		vmca_error_destroy(c->totalram_err);
		c->totalram_err = read_var(s, "totalram_pages", &c->totalram);
	}
	c->freeram_err = zone_state(mi, "NR_FREE_PAGES", &c->freeram);
	c->buffers_err = blockdev_pages(mi, &c->buffers);
	c->file_err = node_state(mi, "NR_FILE_PAGES", &c->file_pages);
	// total_swapcache_pages() is NR_SWAPCACHE since commit b6038942480e
	// ("mm: memcg: add swapcache stat for memcg v2") (v5.13); without
	// CONFIG_SWAP it is 0.
	if (has_enum(s, "enum node_stat_item", "NR_SWAPCACHE"))
		c->swapcache_err =
			node_state(mi, "NR_SWAPCACHE", &c->swapcache);
	else if (has_symbol(s, "swapper_spaces"))
		c->swapcache_err = swapper_space_pages(s, &c->swapcache);
	for (int i = 0; i < 5; i++)
		c->lru_err[i] = node_state(mi, lru_items[i], &c->lru[i]);
	c->slab_err = slab_state(mi, true, &c->sreclaimable);
	if (!c->slab_err)
		c->slab_err = slab_state(mi, false, &c->sunreclaim);
	c->has_misc_reclaimable = has_enum(s, "enum node_stat_item",
					   "NR_KERNEL_MISC_RECLAIMABLE");
	if (c->has_misc_reclaimable)
		c->misc_err = node_state(mi, "NR_KERNEL_MISC_RECLAIMABLE",
					 &c->misc_reclaimable);
}

static void counters_deinit(struct counters *c)
{
	vmca_error_destroy(c->totalram_err);
	vmca_error_destroy(c->freeram_err);
	vmca_error_destroy(c->buffers_err);
	vmca_error_destroy(c->file_err);
	vmca_error_destroy(c->swapcache_err);
	for (int i = 0; i < 5; i++)
		vmca_error_destroy(c->lru_err[i]);
	vmca_error_destroy(c->slab_err);
	vmca_error_destroy(c->misc_err);
}

// si_mem_available(): free pages above the reserves, plus the part of
// the page cache and of reclaimable kernel memory deemed freeable.
static struct vmca_error *mem_available(struct meminfo *mi,
					const struct counters *c, uint64_t *ret)
{
	struct vmca_error *err = first_err(c->freeram_err, c->slab_err);
	err = first_err(err, c->lru_err[2]);
	err = first_err(err, c->lru_err[3]);
	err = first_err(err, c->misc_err);
	if (err)
		return copy_err(err);
	uint64_t wmark_low = 0, reserve;
	err = vmca_zone_walk(mi->s, add_low_wmark, &wmark_low);
	if (!err)
		err = read_var(mi->s, "totalreserve_pages", &reserve);
	if (err)
		return err;
	int64_t available = (int64_t)c->freeram - (int64_t)reserve;
	uint64_t pagecache = c->lru[2] + c->lru[3];
	pagecache -= min_u64(pagecache / 2, wmark_low);
	available += (int64_t)pagecache;
	uint64_t reclaimable = c->sreclaimable + c->misc_reclaimable;
	reclaimable -= min_u64(reclaimable / 2, wmark_low);
	available += (int64_t)reclaimable;
	*ret = available < 0 ? 0 : (uint64_t)available;
	return NULL;
}

// A node counter line, printed only if the kernel has the item.
static void add_node_line(struct meminfo *mi, const char *name,
			  const char *item)
{
	uint64_t v = 0;
	if (!has_enum(mi->s, "enum node_stat_item", item))
		return;
	struct vmca_error *err = node_state(mi, item, &v);
	add_pages(mi, name, v, err);
}

static void add_var_line(struct meminfo *mi, const char *name, const char *var)
{
	uint64_t v = 0;
	struct vmca_error *err = read_var(mi->s, var, &v);
	add_pages(mi, name, v, err);
}

static void build_lines(struct meminfo *mi)
{
	struct vmca_session *s = mi->s;
	struct counters c = {0};
	read_counters(mi, &c);
	uint64_t v = 0, v2 = 0;
	struct vmca_error *err;

	add_pages(mi, "MemTotal", c.totalram, copy_err(c.totalram_err));
	add_pages(mi, "MemFree", c.freeram, copy_err(c.freeram_err));
	err = mem_available(mi, &c, &v);
	add_pages(mi, "MemAvailable", v, err);
	add_pages(mi, "Buffers", c.buffers, copy_err(c.buffers_err));
	err = first_err(c.file_err, c.swapcache_err);
	err = first_err(err, c.buffers_err);
	int64_t cached = (int64_t)c.file_pages - (int64_t)c.swapcache -
			 (int64_t)c.buffers;
	add_pages(mi, "Cached", cached < 0 ? 0 : (uint64_t)cached,
		  copy_err(err));
	add_pages(mi, "SwapCached", c.swapcache, copy_err(c.swapcache_err));
	add_pages(mi, "Active", c.lru[1] + c.lru[3],
		  copy_err(first_err(c.lru_err[1], c.lru_err[3])));
	add_pages(mi, "Inactive", c.lru[0] + c.lru[2],
		  copy_err(first_err(c.lru_err[0], c.lru_err[2])));
	add_pages(mi, "Active(anon)", c.lru[1], copy_err(c.lru_err[1]));
	add_pages(mi, "Inactive(anon)", c.lru[0], copy_err(c.lru_err[0]));
	add_pages(mi, "Active(file)", c.lru[3], copy_err(c.lru_err[3]));
	add_pages(mi, "Inactive(file)", c.lru[2], copy_err(c.lru_err[2]));
	add_pages(mi, "Unevictable", c.lru[4], copy_err(c.lru_err[4]));
	err = zone_state(mi, "NR_MLOCK", &v);
	add_pages(mi, "Mlocked", v, err);

	// CONFIG_HIGHMEM: _totalhigh_pages; the free pages of ZONE_HIGHMEM.
	if (has_symbol(s, "_totalhigh_pages")) {
		uint64_t total = 0, free = 0;
		err = read_var(s, "_totalhigh_pages", &total);
		struct vmca_error *free_err =
			vmca_error_create(VMCA_ERROR_NOT_FOUND,
					  "free highmem pages are not read");
		add_pages(mi, "HighTotal", total, copy_err(err));
		add_pages(mi, "HighFree", free, copy_err(free_err));
		add_pages(mi, "LowTotal", c.totalram - total, err);
		add_pages(mi, "LowFree", c.freeram - free, free_err);
	}
	// !CONFIG_MMU.
	if (has_symbol(s, "mmap_pages_allocated"))
		add_var_line(mi, "MmapCopy", "mmap_pages_allocated");

	uint64_t swap_total = 0, swap_free = 0;
	err = swap_info(mi, &swap_total, &swap_free);
	add_pages(mi, "SwapTotal", swap_total, copy_err(err));
	add_pages(mi, "SwapFree", swap_free, err);
	// CONFIG_ZSWAP: zswap_pool_total_size (bytes) before v6.10, then
	// zswap_total_pages().
	if (has_symbol(s, "zswap_pool_total_size")) {
		err = read_var(s, "zswap_pool_total_size", &v);
		add_line(mi, "Zswap", FMT_KB, v >> 10, err);
		add_var_line(mi, "Zswapped", "zswap_stored_pages");
	} else if (has_symbol(s, "zswap_pools")) {
		err = zswap_pages(mi, &v);
		add_pages(mi, "Zswap", v, err);
		add_var_line(mi, "Zswapped", "zswap_stored_pages");
	}
	add_node_line(mi, "Dirty", "NR_FILE_DIRTY");
	add_node_line(mi, "Writeback", "NR_WRITEBACK");
	add_node_line(mi, "AnonPages", "NR_ANON_MAPPED");
	add_node_line(mi, "Mapped", "NR_FILE_MAPPED");
	add_node_line(mi, "Shmem", "NR_SHMEM");
	if (c.has_misc_reclaimable)
		add_pages(mi, "KReclaimable",
			  c.sreclaimable + c.misc_reclaimable,
			  copy_err(first_err(c.slab_err, c.misc_err)));
	add_pages(mi, "Slab", c.sreclaimable + c.sunreclaim,
		  copy_err(c.slab_err));
	add_pages(mi, "SReclaimable", c.sreclaimable, copy_err(c.slab_err));
	add_pages(mi, "SUnreclaim", c.sunreclaim, copy_err(c.slab_err));
	// Counted in kB, not pages.
	err = node_or_zone_state(mi, "NR_KERNEL_STACK_KB", &v);
	add_line(mi, "KernelStack", FMT_KB, v, err);
	if (has_enum(s, "enum node_stat_item", "NR_KERNEL_SCS_KB")) {
		err = node_state(mi, "NR_KERNEL_SCS_KB", &v);
		add_line(mi, "ShadowCallStack", FMT_KB, v, err);
	}
	err = node_or_zone_state(mi, "NR_PAGETABLE", &v);
	add_pages(mi, "PageTables", v, err);
	add_node_line(mi, "SecPageTables", "NR_SECONDARY_PAGETABLE");
	// Always 0 since commit 8d92890bd6b8 ("mm/writeback: discard
	// NR_UNSTABLE_NFS, use NR_WRITEBACK instead") (v5.8).
	v = 0;
	err = NULL;
	if (has_enum(s, "enum node_stat_item", "NR_UNSTABLE_NFS"))
		err = node_state(mi, "NR_UNSTABLE_NFS", &v);
	add_pages(mi, "NFS_Unstable", v, err);
	v = 0;
	err = NULL;
	if (has_enum(s, "enum zone_stat_item", "NR_BOUNCE"))
		err = zone_state(mi, "NR_BOUNCE", &v);
	add_pages(mi, "Bounce", v, err);
	add_node_line(mi, "WritebackTmp", "NR_WRITEBACK_TEMP");

	struct hugetlb h = {0};
	struct vmca_error *hugetlb_err = NULL;
	bool has_hugetlb = has_symbol(s, "hstates");
	if (has_hugetlb)
		hugetlb_err = hugetlb_read(mi, &h);
	err = copy_err(first_err(c.totalram_err, hugetlb_err));
	if (!err)
		err = commit_limit(mi, c.totalram, &h, &v);
	add_pages(mi, "CommitLimit", v, err);
	int64_t committed = 0;
	err = percpu_counter_sum(s, "vm_committed_as", &committed);
	add_pages(mi, "Committed_AS", (uint64_t)committed, err);
	err = vmalloc_total(mi, &v);
	add_line(mi, "VmallocTotal", FMT_KB, v, err);
	add_var_line(mi, "VmallocUsed", "nr_vmalloc_pages");
	add_pages(mi, "VmallocChunk", 0, NULL);
	// pcpu_nr_pages(): populated pages times units.
	err = read_var(s, "pcpu_nr_populated", &v);
	if (!err)
		err = read_var(s, "pcpu_nr_units", &v2);
	add_pages(mi, "Percpu", v * v2, err);
	// CONFIG_MEMTEST, since v6.4: only after a memtest ran.
	if (has_symbol(s, "early_memtest_done")) {
		err = read_var(s, "early_memtest_done", &v);
		if (err || v) {
			uint64_t bad = 0;
			if (!err)
				err = read_var(s, "early_memtest_bad_size",
					       &bad);
			uint64_t kb = bad >> 10;
			add_line(mi, "EarlyMemtestBad", FMT_KB5,
				 bad && !kb ? 1 : kb, err);
		}
	}
	// CONFIG_MEMORY_FAILURE.
	if (has_symbol(s, "num_poisoned_pages")) {
		err = read_var(s, "num_poisoned_pages", &v);
		add_line(mi, "HardwareCorrupted", FMT_KB5,
			 v << (mi->page_shift - 10), err);
	}
	// CONFIG_TRANSPARENT_HUGEPAGE (the counters are in pages since
	// v5.13, as here).
	if (has_symbol(s, "transparent_hugepage_flags")) {
		add_node_line(mi, "AnonHugePages", "NR_ANON_THPS");
		add_node_line(mi, "ShmemHugePages", "NR_SHMEM_THPS");
		add_node_line(mi, "ShmemPmdMapped", "NR_SHMEM_PMDMAPPED");
		add_node_line(mi, "FileHugePages", "NR_FILE_THPS");
		add_node_line(mi, "FilePmdMapped", "NR_FILE_PMDMAPPED");
	}
	// CONFIG_CMA: MIGRATE_CMA exists (totalcma_pages is defined
	// either way).
	if (has_enum(s, "enum migratetype", "MIGRATE_CMA")) {
		add_var_line(mi, "CmaTotal", "totalcma_pages");
		err = zone_state(mi, "NR_FREE_CMA_PAGES", &v);
		add_pages(mi, "CmaFree", v, err);
	}
	// CONFIG_UNACCEPTED_MEMORY, since v6.5.
	if (has_enum(s, "enum zone_stat_item", "NR_UNACCEPTED")) {
		err = zone_state(mi, "NR_UNACCEPTED", &v);
		add_pages(mi, "Unaccepted", v, err);
	}
	// hugetlb_report_meminfo(), CONFIG_HUGETLB_PAGE (x86:
	// hugepages_supported() is X86_FEATURE_PSE, always there).
	if (has_hugetlb) {
		if (hugetlb_err || h.has_default) {
			add_line(mi, "HugePages_Total", FMT_COUNT5, h.nr,
				 copy_err(hugetlb_err));
			add_line(mi, "HugePages_Free", FMT_COUNT5, h.free,
				 copy_err(hugetlb_err));
			add_line(mi, "HugePages_Rsvd", FMT_COUNT5, h.resv,
				 copy_err(hugetlb_err));
			add_line(mi, "HugePages_Surp", FMT_COUNT5, h.surplus,
				 copy_err(hugetlb_err));
			add_line(mi, "Hugepagesize", FMT_KB, h.size_kb,
				 copy_err(hugetlb_err));
		}
		add_line(mi, "Hugetlb", FMT_KB, h.total_bytes >> 10,
			 hugetlb_err);
	}
	// arch_report_meminfo() of x86: the direct map by page size.
	if (has_symbol(s, "direct_pages_count")) {
		struct vmca_variable dpc;
		int64_t level[3];
		static const char *const levels[3] = {
			"PG_LEVEL_4K", "PG_LEVEL_2M", "PG_LEVEL_1G"};
		static const char *const names[3] = {
			"DirectMap4k", "DirectMap2M", "DirectMap1G"};
		static const unsigned shifts[3] = {2, 11, 20};
		uint64_t gbpages = 0;
		err = vmca_variable(s, "direct_pages_count", &dpc);
		for (int i = 0; !err && i < 3; i++)
			err = vmca_enum_value(s, "enum pg_level", levels[i],
					      &level[i]);
		if (!err)
			err = read_var(s, "direct_gbpages", &gbpages);
		for (int i = 0; i < 3; i++) {
			if (i == 2 && !err && !gbpages)
				break;
			v = 0;
			struct vmca_error *e = copy_err(err);
			if (!e && (level[i] < 0 || level[i] > 8))
				e = vmca_error_create(VMCA_ERROR_INVALID,
						      "%s is %" PRId64,
						      levels[i], level[i]);
			if (!e)
				e = vmca_read_u64(
					s, dpc.address + 8 * (uint64_t)level[i],
					&v);
			add_line(mi, names[i], FMT_KB, v << shifts[i], e);
		}
		vmca_error_destroy(err);
	}
	counters_deinit(&c);
}

struct vmca_error *vmca_meminfo_read(struct vmca_session *s,
				     struct vmca_meminfo *ret)
{
	memset(ret, 0, sizeof(*ret));
	struct meminfo mi = {.s = s, .out = ret};
	uint64_t page_size = vmca_session_page_size(s);
	while (mi.page_shift < 63 && (UINT64_C(1) << mi.page_shift) < page_size)
		mi.page_shift++;
	if (mi.page_shift < 10 || (UINT64_C(1) << mi.page_shift) != page_size)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "page size %" PRIu64, page_size);
	struct vmca_error *err = stat_array(s, "vm_node_stat", &mi.node_stat,
					    &mi.node_stat_count);
	if (!err)
		err = stat_array(s, "vm_zone_stat", &mi.zone_stat,
				 &mi.zone_stat_count);
	if (err)
		return err;
	build_lines(&mi);
	return NULL;
}

void vmca_meminfo_deinit(struct vmca_meminfo *mi)
{
	for (size_t i = 0; i < mi->nr_lines; i++)
		vmca_error_destroy(mi->lines[i].err);
	mi->nr_lines = 0;
}

bool vmca_meminfo_get(const struct vmca_meminfo *mi, const char *name,
		      uint64_t *ret)
{
	for (size_t i = 0; i < mi->nr_lines; i++) {
		if (strcmp(mi->lines[i].name, name) == 0) {
			if (mi->lines[i].err)
				return false;
			*ret = mi->lines[i].value;
			return true;
		}
	}
	return false;
}

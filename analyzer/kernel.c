// SPDX-License-Identifier: MIT
/** @file Kernel data helpers: list walks, per-CPU data, address spaces. */
#include <string.h>

#include "vmca.h"

// x86_64 defaults when the kernel has no KASLR'd variables for them.
#define X86_64_START_KERNEL_MAP UINT64_C(0xffffffff80000000)
#define X86_64_PAGE_OFFSET	UINT64_C(0xffff888000000000)
#define X86_64_VMEMMAP_START	UINT64_C(0xffffea0000000000)
#define X86_64_DIRECT_MAP_BYTES (UINT64_C(1) << 46)

// vmca_walk_list()'s entries, as the node addresses vmca_list_walk()'s
// callers take.
struct list_adapter {
	struct vmca_error *(*fn)(struct vmca_session *, uint64_t, void *);
	void *arg;
};

static struct vmca_error *list_adapt(struct vmca_session *s,
				     const struct vmca_walk_entry *e, void *arg)
{
	const struct list_adapter *a = arg;
	return a->fn(s, e->address, a->arg);
}

struct vmca_error *vmca_list_walk(
	struct vmca_session *s, uint64_t head, uint64_t max,
	struct vmca_error *(*fn)(struct vmca_session *, uint64_t, void *),
	void *arg)
{
	struct list_adapter a = {fn, arg};
	return vmca_walk_list(s, head, true, max, list_adapt, &a);
}

static uint64_t read_var_or(struct vmca_session *s, const char *name,
			    uint64_t fallback)
{
	struct vmca_variable v;
	uint64_t value;
	struct vmca_error *err = vmca_variable(s, name, &v);
	if (!err)
		err = vmca_read_u64(s, v.address, &value);
	if (err) {
		vmca_error_destroy(err);
		return fallback;
	}
	return value;
}

uint64_t vmca_page_offset(struct vmca_session *s)
{
	return read_var_or(s, "page_offset_base", X86_64_PAGE_OFFSET);
}

uint64_t vmca_vmemmap(struct vmca_session *s)
{
	return read_var_or(s, "vmemmap_base", X86_64_VMEMMAP_START);
}

struct vmca_error *vmca_virt_to_phys(struct vmca_session *s, uint64_t vaddr,
				     uint64_t *ret)
{
	uint64_t page_offset = vmca_page_offset(s);
	if (vaddr >= page_offset &&
	    vaddr - page_offset < X86_64_DIRECT_MAP_BYTES) {
		*ret = vaddr - page_offset;
		return NULL;
	}
	// Anything else (kernel image, vmalloc, modules): the page tables.
	struct vmca_vtop v;
	struct vmca_error *err = vmca_vtop(s, vaddr, &v);
	if (err)
		return err;
	*ret = v.paddr;
	return NULL;
}

uint64_t vmca_phys_to_virt(struct vmca_session *s, uint64_t paddr)
{
	return vmca_page_offset(s) + paddr;
}

struct vmca_error *vmca_page_size_of_struct(struct vmca_session *s,
					    uint64_t *ret)
{
	return vmca_type_size(s, "struct page", ret);
}

struct vmca_error *vmca_pfn_to_page(struct vmca_session *s, uint64_t pfn,
				    uint64_t *ret)
{
	uint64_t size;
	struct vmca_error *err = vmca_page_size_of_struct(s, &size);
	if (err)
		return err;
	*ret = vmca_vmemmap(s) + pfn * size;
	return NULL;
}

struct vmca_error *vmca_page_to_pfn(struct vmca_session *s, uint64_t page,
				    uint64_t *ret)
{
	uint64_t size;
	struct vmca_error *err = vmca_page_size_of_struct(s, &size);
	if (err)
		return err;
	uint64_t base = vmca_vmemmap(s);
	if (page < base || !size || (page - base) % size)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "%#" PRIx64 " is not a struct page",
					 page);
	*ret = (page - base) / size;
	return NULL;
}

struct vmca_error *vmca_nr_cpu_ids(struct vmca_session *s, uint32_t *ret)
{
	struct vmca_variable v;
	struct vmca_error *err = vmca_variable(s, "nr_cpu_ids", &v);
	uint32_t n;
	if (!err)
		err = vmca_read_u32(s, v.address, &n);
	if (err)
		return err;
	if (n == 0 || n > VMCA_MAX_CPUS)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "nr_cpu_ids %u is implausible", n);
	*ret = n;
	return NULL;
}

struct vmca_error *vmca_cpu_in_mask(struct vmca_session *s,
				    const char *mask_name, uint32_t cpu,
				    bool *ret)
{
	struct vmca_variable v;
	struct vmca_error *err = vmca_variable(s, mask_name, &v);
	if (err)
		return err;
	// A struct cpumask has NR_CPUS bits (rounded up to longs): a CPU past
	// them would read whatever follows the variable.
	uint64_t bits = 8 * vmca_type_sizeof(s, v.type);
	if (cpu >= bits)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "cpu %u is past the %" PRIu64
					 " bits of %s",
					 cpu, bits, mask_name);
	uint64_t word;
	err = vmca_read_u64(s, v.address + (cpu / 64) * 8, &word);
	if (err)
		return err;
	*ret = word >> (cpu % 64) & 1;
	return NULL;
}

struct vmca_error *vmca_percpu_offset(struct vmca_session *s, uint32_t cpu,
				      uint64_t *ret)
{
	uint64_t base;
	struct vmca_error *err =
		vmca_symbol_address(s, "__per_cpu_offset", &base);
	if (err)
		return err;
	if (cpu >= VMCA_MAX_CPUS)
		return vmca_error_create(VMCA_ERROR_INVALID, "cpu %u", cpu);
	return vmca_read_u64(s, base + 8 * (uint64_t)cpu, ret);
}

struct vmca_error *vmca_percpu_variable(struct vmca_session *s,
					const char *name, uint32_t cpu,
					struct vmca_variable *ret)
{
	struct vmca_variable v;
	struct vmca_error *err = vmca_variable(s, name, &v);
	if (err)
		return err;
	// Per-CPU symbols are offsets into the per-CPU area, relative to
	// __per_cpu_start (0 on x86_64 SMP, where neither is relocated).
	uint64_t offset;
	err = vmca_percpu_offset(s, cpu, &offset);
	if (err)
		return err;
	uint64_t start;
	err = vmca_symbol_address(s, "__per_cpu_start", &start);
	if (err)
		return vmca_error_wrap(err, "per-CPU variable %s", name);
	ret->address = v.address - start + offset;
	ret->type = v.type;
	return NULL;
}

struct vmca_error *vmca_enum_value(struct vmca_session *s,
				   const char *type_name, const char *name,
				   int64_t *ret)
{
	uint32_t id;
	struct vmca_error *err = vmca_type(s, type_name, &id);
	if (err)
		return err;
	id = vmca_type_unqualified(s, id);
	struct vmca_type t;
	vmca_type_info(s, id, &t);
	if (t.kind != VMCA_TYPE_ENUM)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "%s is not an enum", type_name);
	for (uint32_t i = 0; i < t.count; i++) {
		const char *n;
		int64_t value;
		vmca_type_enumerator_at(s, id, i, &n, &value);
		if (n && strcmp(n, name) == 0) {
			*ret = value;
			return NULL;
		}
	}
	return vmca_error_create(VMCA_ERROR_NOT_FOUND, "%s has no %s",
				 type_name, name);
}

// Bound on node numbers: MAX_NUMNODES is at most 1 << 10.
#define MAX_NODES 1024
// Bound on zones per node: MAX_NR_ZONES is at most 6 (DMA, DMA32,
// Normal, HighMem, Movable, Device).
#define MAX_ZONES 16

// Whether nid is set in node_states[N_ONLINE]; true when the kernel has
// no node_states (then every node with a pglist_data counts).
static struct vmca_error *node_is_online(struct vmca_session *s, uint32_t nid,
					 bool *ret)
{
	int64_t n_online;
	struct vmca_variable v;
	uint64_t mask_size;
	struct vmca_error *err =
		vmca_enum_value(s, "enum node_states", "N_ONLINE", &n_online);
	if (!err)
		err = vmca_variable(s, "node_states", &v);
	if (!err)
		err = vmca_type_size(s, "nodemask_t", &mask_size);
	if (err) {
		vmca_error_destroy(err);
		*ret = true;
		return NULL;
	}
	if (n_online < 0 || n_online > 16 || nid / 8 >= mask_size)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "node_states[%" PRId64
					 "] does not hold node %u",
					 n_online, nid);
	uint64_t word;
	err = vmca_read_u64(
		s, v.address + (uint64_t)n_online * mask_size + nid / 64 * 8,
		&word);
	if (err)
		return vmca_error_wrap(err, "reading node_states");
	*ret = word >> (nid % 64) & 1;
	return NULL;
}

static struct vmca_error *
walk_node_zones(struct vmca_session *s, uint32_t nid, uint64_t pgdat,
		struct vmca_error *(*fn)(struct vmca_session *,
					 const struct vmca_zone *, void *),
		void *arg)
{
	struct vmca_member m;
	uint64_t zone_size;
	struct vmca_error *err =
		vmca_type_member(s, "struct pglist_data", "node_zones", &m);
	if (!err)
		err = vmca_type_size(s, "struct zone", &zone_size);
	if (err)
		return err;
	struct vmca_type arr;
	vmca_type_info(s, vmca_type_unqualified(s, m.type), &arr);
	if (arr.kind != VMCA_TYPE_ARRAY || arr.array_len > MAX_ZONES ||
	    !zone_size)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "pglist_data.node_zones is not an "
					 "array of at most %d zones",
					 MAX_ZONES);
	for (uint32_t i = 0; i < arr.array_len; i++) {
		struct vmca_zone z = {
			.nid = nid,
			.zone_idx = i,
			.pgdat = pgdat,
			.address = pgdat + m.bit_offset / 8 + i * zone_size,
		};
		err = fn(s, &z, arg);
		if (err)
			return err;
	}
	return NULL;
}

struct vmca_error *
vmca_node_walk(struct vmca_session *s,
	       struct vmca_error *(*fn)(struct vmca_session *, uint32_t,
					uint64_t, void *),
	       void *arg)
{
	struct vmca_variable v;
	struct vmca_error *err = vmca_variable(s, "node_data", &v);
	if (err) {
		// !CONFIG_NUMA: one node, contig_page_data.
		vmca_error_destroy(err);
		err = vmca_variable(s, "contig_page_data", &v);
		if (err)
			return err;
		return fn(s, 0, v.address, arg);
	}
	struct vmca_type t;
	vmca_type_info(s, vmca_type_unqualified(s, v.type), &t);
	uint64_t nr = t.kind == VMCA_TYPE_ARRAY && t.array_len ? t.array_len
							       : MAX_NODES;
	struct vmca_variable nr_var;
	uint32_t nr_ids;
	err = vmca_variable(s, "nr_node_ids", &nr_var);
	if (!err)
		err = vmca_read_u32(s, nr_var.address, &nr_ids);
	if (err)
		vmca_error_destroy(err);
	else if (nr_ids < nr)
		nr = nr_ids;
	if (nr > MAX_NODES)
		nr = MAX_NODES;
	for (uint32_t nid = 0; nid < nr; nid++) {
		uint64_t pgdat;
		bool is_online = false;
		err = vmca_read_u64(s, v.address + 8 * (uint64_t)nid, &pgdat);
		if (err)
			return vmca_error_wrap(err, "reading node_data[%u]",
					       nid);
		if (!pgdat)
			continue;
		err = node_is_online(s, nid, &is_online);
		if (err)
			return err;
		if (!is_online)
			continue;
		err = fn(s, nid, pgdat, arg);
		if (err)
			return err;
	}
	return NULL;
}

struct zone_walk {
	struct vmca_error *(*fn)(struct vmca_session *,
				 const struct vmca_zone *, void *);
	void *arg;
};

static struct vmca_error *zones_of_node(struct vmca_session *s, uint32_t nid,
					uint64_t pgdat, void *arg)
{
	const struct zone_walk *w = arg;
	return walk_node_zones(s, nid, pgdat, w->fn, w->arg);
}

struct vmca_error *
vmca_zone_walk(struct vmca_session *s,
	       struct vmca_error *(*fn)(struct vmca_session *,
					const struct vmca_zone *, void *),
	       void *arg)
{
	struct zone_walk w = {fn, arg};
	return vmca_node_walk(s, zones_of_node, &w);
}

struct vmca_error *vmca_zone_wmark_pages(struct vmca_session *s, uint64_t zone,
					 const char *mark, uint64_t *ret)
{
	int64_t i;
	struct vmca_error *err =
		vmca_enum_value(s, "enum zone_watermarks", mark, &i);
	if (err)
		return err;
	if (i < 0 || i > 16)
		return vmca_error_create(VMCA_ERROR_INVALID, "%s is %" PRId64,
					 mark, i);
	// Since commit a921444382b4 ("mm: move zone watermark accesses
	// behind an accessor") (v5.0) the array is _watermark, and
	// wmark_pages() adds watermark_boost (commit 1c30844d2dfe, "mm:
	// reclaim small amounts of memory when an external fragmentation
	// event occurs", v5.0).
	bool is_accessor = vmca_type_has_member(s, "struct zone", "_watermark");
	char path[32];
	snprintf(path, sizeof(path), "%s[%" PRId64 "]",
		 is_accessor ? "_watermark" : "watermark", i);
	uint64_t pages, boost = 0;
	err = vmca_read_member(s, zone, "struct zone", path, &pages);
	if (!err && vmca_type_has_member(s, "struct zone", "watermark_boost"))
		err = vmca_read_member(s, zone, "struct zone",
				       "watermark_boost", &boost);
	if (err)
		return err;
	*ret = pages + boost;
	return NULL;
}

struct vmca_error *vmca_percpu_counter_sum(struct vmca_session *s,
					   uint64_t address, int64_t *ret)
{
	uint64_t count_off, counters_off, counters;
	int64_t count;
	uint32_t nr_cpus = 0;
	struct vmca_error *err = vmca_type_member_offset(
		s, "struct percpu_counter", "count", &count_off);
	if (!err)
		err = vmca_type_member_offset(s, "struct percpu_counter",
					      "counters", &counters_off);
	if (!err)
		err = vmca_read_u64(s, address + count_off, (uint64_t *)&count);
	if (!err)
		err = vmca_read_u64(s, address + counters_off, &counters);
	if (!err)
		err = vmca_nr_cpu_ids(s, &nr_cpus);
	for (uint32_t cpu = 0; !err && counters && cpu < nr_cpus; cpu++) {
		bool is_possible = false;
		uint64_t offset;
		uint32_t delta;
		err = vmca_cpu_in_mask(s, "__cpu_possible_mask", cpu,
				       &is_possible);
		if (err || !is_possible)
			continue;
		err = vmca_percpu_offset(s, cpu, &offset);
		if (!err)
			err = vmca_read_u32(s, counters + offset, &delta);
		if (!err)
			count += (int32_t)delta;
	}
	if (err)
		return err;
	*ret = count;
	return NULL;
}

// SPDX-License-Identifier: MIT
// plugins/buddy.c: the buddy allocator per node and zone: free blocks by
// order and migrate type, watermarks, the kernel's own watermark test for
// every order (with the arithmetic that decided it) and the
// fragmentation index.
#include <ctype.h>
#include <string.h>

#include "vmca.h"

// Bounds on what the debuginfo may claim. NR_PAGE_ORDERS is 11 by
// default and below 20 with any ARCH_FORCE_MAX_ORDER, MIGRATE_TYPES at
// most 6, MAX_NR_ZONES at most 6; struct zone is about 1.5 KiB.
#define MAX_ORDERS	 24
#define MAX_MIGRATETYPES 8
#define MAX_ZONES	 16
#define MAX_ZONE_SIZE	 (UINT64_C(1) << 16)

// enum zone_watermarks: WMARK_MIN, WMARK_LOW, WMARK_HIGH.
enum { MARK_MIN, MARK_LOW, MARK_HIGH, NR_MARKS };
static const char *const mark_names[NR_MARKS] = {"min", "low", "high"};
static const char *const mark_enumerators[NR_MARKS] = {"WMARK_MIN", "WMARK_LOW",
						       "WMARK_HIGH"};

// A scalar or array-of-scalars member of struct zone (or of struct
// free_area), where atomic_t/atomic_long_t stand for their counter.
struct field {
	uint64_t offset;
	uint32_t type;
	uint64_t count;
	uint64_t stride;
};

struct layout {
	uint64_t zone_size;
	struct field boost, reserved_highatomic, free_highatomic,
		lowmem_reserve, managed, spanned, present, name, vm_stat,
		nr_free;
	bool has_boost, has_free_highatomic;
	/** The counter __zone_watermark_unusable_free() subtracts. */
	const char *highatomic_member;
	uint64_t free_area_offset, free_area_stride;
	uint32_t nr_orders;
	/** Offset of free_list[] in struct free_area, and its length. */
	uint64_t free_list_offset, list_head_size;
	uint32_t nr_migratetypes;
	int64_t item_free_pages, item_free_cma;
	bool has_cma;
	/** MIGRATE_PCPTYPES: the lists an ordinary request may use. */
	int64_t nr_pcptypes;
	char migratetype_names[MAX_MIGRATETYPES][24];
	// Per-CPU data: zone->per_cpu_zonestats->vm_stat_diff[] (since
	// commit 28f836b6777b, "mm/page_alloc: split per cpu page lists and
	// zone stats", v5.14) and zone->per_cpu_pageset->count.
	bool has_zonestats, has_pcp;
	uint64_t zonestats_offset, stat_diff_offset, pcp_offset,
		pcp_count_offset;
	uint32_t nr_cpus;
};

struct zone_info {
	uint32_t nid, zone_idx;
	uint64_t address;
	char name[32];
	uint64_t managed, present, spanned, boost;
	uint64_t reserved_highatomic, free_highatomic;
	/** The one of the two the watermark test subtracts. */
	uint64_t highatomic;
	uint64_t wmark[NR_MARKS];
	int64_t lowmem_reserve[MAX_ZONES];
	uint32_t nr_lowmem_reserve;
	int64_t free_pages, free_cma;
	/** zone_page_state_snapshot(NR_FREE_PAGES): with per-CPU deltas. */
	int64_t free_pages_snapshot;
	/** Free pages on the per-CPU lists (not in the buddy lists). */
	int64_t pcp_pages;
	struct vmca_error *percpu_err;
	uint64_t nr_free[MAX_ORDERS];
	uint64_t list_head[MAX_ORDERS][MAX_MIGRATETYPES];
	bool is_list_empty[MAX_ORDERS][MAX_MIGRATETYPES];
	uint64_t list_count[MAX_ORDERS][MAX_MIGRATETYPES];
	struct vmca_error *list_err[MAX_ORDERS][MAX_MIGRATETYPES];
	/** The zone could not be read: nothing else is valid. */
	struct vmca_error *err;
};
DEFINE_VECTOR(zone_vector, struct zone_info)

struct buddy {
	struct layout l;
	struct zone_vector zones;
	bool is_walking;
	int mark;
	int64_t highest_zoneidx;
	char highest_zone[32];
};

// The watermark test of one order, with every number that decided it.
struct verdict {
	bool ok;
	bool is_order0_ok;
	int64_t free_pages, unusable, usable, mark, reserve, needed;
	/** The order and list of the block that satisfied a high order. */
	int suitable_order, suitable_migratetype;
	/** Free blocks of order >= the request on lists it may not use. */
	uint64_t other_blocks;
};

static struct vmca_error *field_init(struct vmca_session *s,
				     const char *type_name, const char *path,
				     struct field *ret)
{
	struct vmca_member m;
	struct vmca_error *err = vmca_type_member(s, type_name, path, &m);
	if (err)
		return err;
	if (m.bit_size || m.bit_offset % 8)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "%s.%s is a bitfield", type_name,
					 path);
	uint32_t type = vmca_type_unqualified(s, m.type);
	struct vmca_type t;
	vmca_type_info(s, type, &t);
	uint64_t count = 1;
	if (t.kind == VMCA_TYPE_ARRAY) {
		count = t.array_len;
		type = vmca_type_unqualified(s, t.target);
	}
	type = vmca_type_unwrap_atomic(s, type);
	vmca_type_info(s, type, &t);
	uint64_t size = t.kind == VMCA_TYPE_POINTER && !t.size ? 8 : t.size;
	if (size == 0 || size > 8 ||
	    (t.kind != VMCA_TYPE_INT && t.kind != VMCA_TYPE_ENUM &&
	     t.kind != VMCA_TYPE_POINTER))
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "%s.%s is not an integer", type_name,
					 path);
	ret->offset = m.bit_offset / 8;
	ret->type = type;
	ret->count = count;
	ret->stride = size;
	return NULL;
}

static uint64_t field_get(struct vmca_session *s, const struct field *f,
			  const unsigned char *buf, size_t len, uint64_t i)
{
	return vmca_decode_int(s, f->type, buf, len,
			       (f->offset + i * f->stride) * 8, 0);
}

// An array member's offset, element size and length.
static struct vmca_error *array_init(struct vmca_session *s,
				     const char *type_name, const char *path,
				     uint64_t *offset_ret, uint64_t *stride_ret,
				     uint64_t *count_ret)
{
	struct vmca_member m;
	struct vmca_error *err = vmca_type_member(s, type_name, path, &m);
	if (err)
		return err;
	struct vmca_type t, elem;
	vmca_type_info(s, vmca_type_unqualified(s, m.type), &t);
	if (t.kind != VMCA_TYPE_ARRAY)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "%s.%s is not an array", type_name,
					 path);
	vmca_type_info(s, vmca_type_unqualified(s, t.target), &elem);
	*offset_ret = m.bit_offset / 8;
	*stride_ret = elem.size;
	*count_ret = t.array_len;
	return NULL;
}

// Migrate type names from enum migratetype, lowercase without MIGRATE_:
// "unmovable", "movable", "reclaimable", "highatomic", "cma", "isolate".
// MIGRATE_PCPTYPES aliases MIGRATE_HIGHATOMIC and MIGRATE_TYPES is the
// count: neither names a list.
static void name_migratetypes(struct vmca_session *s, struct layout *l)
{
	for (uint32_t mt = 0; mt < MAX_MIGRATETYPES; mt++)
		snprintf(l->migratetype_names[mt],
			 sizeof(l->migratetype_names[mt]), "type%u", mt);
	uint32_t id;
	struct vmca_error *err = vmca_type(s, "enum migratetype", &id);
	if (err) {
		vmca_error_destroy(err);
		return;
	}
	id = vmca_type_unqualified(s, id);
	struct vmca_type t;
	vmca_type_info(s, id, &t);
	bool is_named[MAX_MIGRATETYPES] = {false};
	for (uint32_t i = 0; t.kind == VMCA_TYPE_ENUM && i < t.count; i++) {
		const char *name;
		int64_t value;
		vmca_type_enumerator_at(s, id, i, &name, &value);
		if (!name || value < 0 || value >= MAX_MIGRATETYPES ||
		    is_named[value] || strcmp(name, "MIGRATE_PCPTYPES") == 0 ||
		    strcmp(name, "MIGRATE_TYPES") == 0)
			continue;
		if (strncmp(name, "MIGRATE_", 8) == 0)
			name += 8;
		char *out = l->migratetype_names[value];
		size_t n = 0;
		for (; name[n] && n + 1 < sizeof(l->migratetype_names[0]); n++)
			out[n] = (char)tolower((unsigned char)name[n]);
		out[n] = '\0';
		is_named[value] = true;
	}
}

static bool has_offset(struct vmca_session *s, const char *type_name,
		       const char *path, uint64_t *ret)
{
	struct vmca_error *err =
		vmca_type_member_offset(s, type_name, path, ret);
	vmca_error_destroy(err);
	return !err;
}

static struct vmca_error *layout_init(struct vmca_session *s, struct layout *l)
{
	const char *z = "struct zone";
	struct vmca_error *err = vmca_type_size(s, z, &l->zone_size);
	if (err)
		return err;
	if (l->zone_size > MAX_ZONE_SIZE)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "struct zone is %" PRIu64 " bytes",
					 l->zone_size);
	// The watermarks come from vmca_zone_wmark_pages(); the boost is
	// shown apart (since v5.0).
	l->has_boost = vmca_type_has_member(s, z, "watermark_boost");
	if (l->has_boost)
		err = field_init(s, z, "watermark_boost", &l->boost);
	// Since commit c928807f6f6b ("mm/page_alloc: keep track of free
	// highatomic") (v6.12) the test subtracts the free highatomic pages,
	// before it the whole reserve (since v4.4).
	l->has_free_highatomic =
		vmca_type_has_member(s, z, "nr_free_highatomic");
	l->highatomic_member = l->has_free_highatomic
				       ? "nr_free_highatomic"
				       : "nr_reserved_highatomic";
	if (!err)
		err = field_init(s, z, "nr_reserved_highatomic",
				 &l->reserved_highatomic);
	if (!err && l->has_free_highatomic)
		err = field_init(s, z, "nr_free_highatomic",
				 &l->free_highatomic);
	if (!err)
		err = field_init(s, z, "lowmem_reserve", &l->lowmem_reserve);
	if (!err)
		err = field_init(s, z, "managed_pages", &l->managed);
	if (!err)
		err = field_init(s, z, "spanned_pages", &l->spanned);
	if (!err)
		err = field_init(s, z, "present_pages", &l->present);
	if (!err)
		err = field_init(s, z, "name", &l->name);
	if (!err)
		err = field_init(s, z, "vm_stat", &l->vm_stat);
	if (err)
		return err;

	uint64_t nr_orders, nr_lists, list_offset;
	err = array_init(s, z, "free_area", &l->free_area_offset,
			 &l->free_area_stride, &nr_orders);
	if (!err)
		err = array_init(s, "struct free_area", "free_list",
				 &list_offset, &l->list_head_size, &nr_lists);
	if (!err)
		err = field_init(s, "struct free_area", "nr_free", &l->nr_free);
	if (err)
		return err;
	if (!nr_orders || nr_orders > MAX_ORDERS || !nr_lists ||
	    nr_lists > MAX_MIGRATETYPES || l->list_head_size < 16)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "zone.free_area[%" PRIu64
					 "].free_list[%" PRIu64
					 "] is out of bounds",
					 nr_orders, nr_lists);
	l->nr_orders = (uint32_t)nr_orders;
	l->nr_migratetypes = (uint32_t)nr_lists;
	l->free_list_offset = list_offset;
	if (l->lowmem_reserve.count > MAX_ZONES)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "zone.lowmem_reserve has %" PRIu64
					 " entries",
					 l->lowmem_reserve.count);
	err = vmca_enum_value(s, "enum zone_stat_item", "NR_FREE_PAGES",
			      &l->item_free_pages);
	if (err)
		return err;
	// MIGRATE_CMA exists with CONFIG_CMA; only then does the test
	// subtract free CMA pages for requests that may not use them.
	int64_t mt_cma;
	struct vmca_error *cma_err =
		vmca_enum_value(s, "enum migratetype", "MIGRATE_CMA", &mt_cma);
	l->has_cma = !cma_err;
	vmca_error_destroy(cma_err);
	l->item_free_cma = -1;
	if (l->has_cma) {
		cma_err =
			vmca_enum_value(s, "enum zone_stat_item",
					"NR_FREE_CMA_PAGES", &l->item_free_cma);
		vmca_error_destroy(cma_err);
	}
	err = vmca_enum_value(s, "enum migratetype", "MIGRATE_PCPTYPES",
			      &l->nr_pcptypes);
	if (err)
		return err;
	if (l->nr_pcptypes < 0 || l->nr_pcptypes > l->nr_migratetypes)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "MIGRATE_PCPTYPES is %" PRId64,
					 l->nr_pcptypes);
	name_migratetypes(s, l);

	l->has_zonestats =
		has_offset(s, z, "per_cpu_zonestats", &l->zonestats_offset) &&
		has_offset(s, "struct per_cpu_zonestat", "vm_stat_diff",
			   &l->stat_diff_offset);
	l->has_pcp = has_offset(s, z, "per_cpu_pageset", &l->pcp_offset) &&
		     has_offset(s, "struct per_cpu_pages", "count",
				&l->pcp_count_offset);
	if (l->has_zonestats || l->has_pcp) {
		err = vmca_nr_cpu_ids(s, &l->nr_cpus);
		if (err)
			return err;
	}
	return NULL;
}

static struct vmca_error *count_node(struct vmca_session *s, uint64_t node,
				     void *arg)
{
	(void)s;
	(void)node;
	(*(uint64_t *)arg)++;
	return NULL;
}

// Count the blocks on every free list of the zone. A broken list keeps
// the count so far and its error; the other lists go on.
static void walk_lists(struct vmca_session *s, struct zone_info *zi,
		       const struct layout *l)
{
	for (uint32_t o = 0; o < l->nr_orders; o++) {
		// A zone cannot hold more blocks of an order than its span.
		uint64_t max = (zi->spanned >> o) + 1;
		for (uint32_t mt = 0; mt < l->nr_migratetypes; mt++) {
			if (zi->is_list_empty[o][mt])
				continue;
			struct vmca_error *err = vmca_list_walk(
				s, zi->list_head[o][mt], max, count_node,
				&zi->list_count[o][mt]);
			if (err)
				zi->list_err[o][mt] = vmca_error_wrap(
					err, "free_area[%u].free_list[%s]", o,
					l->migratetype_names[mt]);
		}
	}
}

// The per-CPU side of the zone: NR_FREE_PAGES deltas not yet folded into
// vm_stat (zone_page_state_snapshot()), and the pages on the per-CPU
// lists. Offline CPUs have had both folded and drained.
static struct vmca_error *read_percpu(struct vmca_session *s,
				      const struct layout *l,
				      uint64_t zonestats, uint64_t pcp,
				      struct zone_info *zi)
{
	for (uint32_t cpu = 0; cpu < l->nr_cpus && (zonestats || pcp); cpu++) {
		bool is_possible = false;
		uint64_t offset;
		struct vmca_error *err = vmca_cpu_in_mask(
			s, "__cpu_possible_mask", cpu, &is_possible);
		if (err)
			return err;
		if (!is_possible)
			continue;
		err = vmca_percpu_offset(s, cpu, &offset);
		if (err)
			return err;
		if (zonestats) {
			int8_t diff;
			err = vmca_read(s,
					zonestats + offset +
						l->stat_diff_offset +
						(uint64_t)l->item_free_pages,
					&diff, 1);
			if (err)
				return vmca_error_wrap(err,
						       "per_cpu_zonestats of "
						       "CPU %u",
						       cpu);
			zi->free_pages_snapshot += diff;
		}
		if (pcp) {
			uint32_t count;
			err = vmca_read_u32(
				s, pcp + offset + l->pcp_count_offset, &count);
			if (err)
				return vmca_error_wrap(err,
						       "per_cpu_pageset of "
						       "CPU %u",
						       cpu);
			zi->pcp_pages += (int32_t)count;
		}
	}
	return NULL;
}

static struct vmca_error *read_zone(struct vmca_session *s,
				    const struct vmca_zone *z, void *arg)
{
	struct buddy *b = arg;
	const struct layout *l = &b->l;
	size_t len = (size_t)l->zone_size;
	_cleanup_free_ unsigned char *buf = malloc(len ? len : 1);
	if (!buf)
		return &vmca_enomem;
	struct vmca_error *err = vmca_read(s, z->address, buf, len);
	if (!err && !field_get(s, &l->present, buf, len, 0))
		return NULL; // unpopulated: /proc/buddyinfo skips it too
	struct zone_info *zi = zone_vector_append_entry(&b->zones);
	if (!zi) {
		vmca_error_destroy(err);
		return &vmca_enomem;
	}
	zi->nid = z->nid;
	zi->zone_idx = z->zone_idx;
	zi->address = z->address;
	snprintf(zi->name, sizeof(zi->name), "zone%u", z->zone_idx);
	if (err) {
		zi->err = vmca_error_wrap(
			err, "reading struct zone at %#" PRIx64, z->address);
		return NULL;
	}
	uint64_t name = field_get(s, &l->name, buf, len, 0);
	char name_buf[32];
	if (name && !vmca_read_string(s, name, name_buf, sizeof(name_buf)))
		snprintf(zi->name, sizeof(zi->name), "%s", name_buf);
	zi->present = field_get(s, &l->present, buf, len, 0);
	zi->spanned = field_get(s, &l->spanned, buf, len, 0);
	zi->managed = field_get(s, &l->managed, buf, len, 0);
	zi->boost = l->has_boost ? field_get(s, &l->boost, buf, len, 0) : 0;
	zi->reserved_highatomic =
		field_get(s, &l->reserved_highatomic, buf, len, 0);
	if (l->has_free_highatomic)
		zi->free_highatomic =
			field_get(s, &l->free_highatomic, buf, len, 0);
	zi->highatomic = l->has_free_highatomic ? zi->free_highatomic
						: zi->reserved_highatomic;
	for (int i = 0; i < NR_MARKS; i++) {
		err = vmca_zone_wmark_pages(s, z->address, mark_enumerators[i],
					    &zi->wmark[i]);
		if (err) {
			zi->err = vmca_error_wrap(err, "watermarks of zone %s",
						  zi->name);
			return NULL;
		}
	}
	zi->nr_lowmem_reserve = (uint32_t)l->lowmem_reserve.count;
	for (uint32_t i = 0; i < zi->nr_lowmem_reserve; i++)
		zi->lowmem_reserve[i] =
			(int64_t)field_get(s, &l->lowmem_reserve, buf, len, i);
	if ((uint64_t)l->item_free_pages < l->vm_stat.count)
		zi->free_pages = (int64_t)field_get(
			s, &l->vm_stat, buf, len, (uint64_t)l->item_free_pages);
	if (l->item_free_cma >= 0 &&
	    (uint64_t)l->item_free_cma < l->vm_stat.count)
		zi->free_cma = (int64_t)field_get(s, &l->vm_stat, buf, len,
						  (uint64_t)l->item_free_cma);
	for (uint32_t o = 0; o < l->nr_orders; o++) {
		uint64_t area = l->free_area_offset + o * l->free_area_stride;
		struct field nr_free = l->nr_free;
		nr_free.offset += area;
		zi->nr_free[o] = field_get(s, &nr_free, buf, len, 0);
		for (uint32_t mt = 0; mt < l->nr_migratetypes; mt++) {
			uint64_t off = area + l->free_list_offset +
				       mt * l->list_head_size;
			uint64_t next = 0;
			if (off + 8 <= len)
				memcpy(&next, buf + off, 8);
			zi->list_head[o][mt] = z->address + off;
			// free_area_empty(): list_empty(&free_list[mt]).
			zi->is_list_empty[o][mt] = next == z->address + off;
		}
	}
	zi->free_pages_snapshot = zi->free_pages;
	uint64_t zonestats = 0, pcp = 0;
	if (l->has_zonestats && l->zonestats_offset + 8 <= len)
		memcpy(&zonestats, buf + l->zonestats_offset, 8);
	if (l->has_pcp && l->pcp_offset + 8 <= len)
		memcpy(&pcp, buf + l->pcp_offset, 8);
	zi->percpu_err = read_percpu(s, l, zonestats, pcp, zi);
	if (b->is_walking)
		walk_lists(s, zi, l);
	return NULL;
}

static void zone_info_deinit(struct zone_info *zi)
{
	vmca_error_destroy(zi->err);
	vmca_error_destroy(zi->percpu_err);
	for (uint32_t o = 0; o < MAX_ORDERS; o++)
		for (uint32_t mt = 0; mt < MAX_MIGRATETYPES; mt++)
			vmca_error_destroy(zi->list_err[o][mt]);
}

// __zone_watermark_ok() for an ordinary request (alloc_flags with no
// ALLOC_RESERVES, ALLOC_CMA, ALLOC_HIGHATOMIC or ALLOC_OOM, as a
// GFP_KERNEL allocation has), mark and highest_zoneidx as given. Both
// kernels in hand (and every one since commit 97a16fc82a7c, "mm,
// page_alloc: only enforce watermarks for order-0 allocations", v4.10)
// test the order-0 watermark once and then want one free block of the
// order or above on an unmovable, movable or reclaimable list; older
// kernels also halved min for every lower order.
static struct verdict watermark_test(const struct buddy *b,
				     const struct zone_info *zi, uint32_t order)
{
	const struct layout *l = &b->l;
	struct verdict v = {.suitable_order = -1, .suitable_migratetype = -1};
	// __zone_watermark_unusable_free(): the pages a block of this order
	// needs beyond one, the highatomic reserve, free CMA pages.
	v.unusable = (int64_t)((UINT64_C(1) << order) - 1) +
		     (int64_t)zi->highatomic + (l->has_cma ? zi->free_cma : 0);
	v.free_pages = zi->free_pages;
	v.usable = v.free_pages - v.unusable;
	v.mark = (int64_t)zi->wmark[b->mark];
	if (b->highest_zoneidx >= 0 &&
	    (uint64_t)b->highest_zoneidx < zi->nr_lowmem_reserve)
		v.reserve = zi->lowmem_reserve[b->highest_zoneidx];
	v.needed = v.mark + v.reserve;
	v.is_order0_ok = v.usable > v.needed;
	if (!v.is_order0_ok)
		return v;
	if (order == 0) {
		v.ok = true;
		return v;
	}
	for (uint32_t o = order; o < l->nr_orders; o++) {
		if (!zi->nr_free[o])
			continue;
		for (uint32_t mt = 0; mt < l->nr_migratetypes; mt++) {
			if (zi->is_list_empty[o][mt])
				continue;
			if ((int64_t)mt < l->nr_pcptypes) {
				if (!v.ok) {
					v.ok = true;
					v.suitable_order = (int)o;
					v.suitable_migratetype = (int)mt;
				}
			} else {
				v.other_blocks +=
					b->is_walking ? zi->list_count[o][mt]
						      : 1;
			}
		}
	}
	return v;
}

// __fragmentation_index() of mm/vmstat.c, in thousandths: -1000 when a
// block of the order is free, 0 with nothing free, else 1000 - (1000 +
// free_pages * 1000 / requested) / free_blocks_total (u64 arithmetic).
static int64_t fragmentation_index(const struct buddy *b,
				   const struct zone_info *zi, uint32_t order)
{
	uint64_t free_pages = 0, total = 0, suitable = 0;
	for (uint32_t o = 0; o < b->l.nr_orders; o++) {
		uint64_t blocks = zi->nr_free[o];
		total += blocks;
		free_pages += blocks << o;
		if (o >= order)
			suitable += blocks << (o - order);
	}
	if (!total)
		return 0;
	if (suitable)
		return -1000;
	uint64_t requested = UINT64_C(1) << order;
	return 1000 - (int64_t)((1000 + free_pages * 1000 / requested) / total);
}

static const char *migratetype_list(const struct buddy *b, char *buf,
				    size_t size)
{
	size_t n = 0;
	buf[0] = '\0';
	for (int64_t mt = 0; mt < b->l.nr_pcptypes && n < size; mt++)
		n += (size_t)snprintf(
			buf + n, size - n, "%s%s",
			mt ? (mt + 1 == b->l.nr_pcptypes ? " or " : ", ") : "",
			b->l.migratetype_names[mt]);
	return buf;
}

// The free block of the highest order, or -1 if none.
static int largest_free_order(const struct buddy *b, const struct zone_info *zi)
{
	for (int o = (int)b->l.nr_orders - 1; o >= 0; o--)
		if (zi->nr_free[o])
			return o;
	return -1;
}

// The arithmetic behind a verdict, in words a kernel engineer reads in
// one go (and the same in JSON's "reason").
static void verdict_reason(const struct buddy *b, const struct zone_info *zi,
			   uint32_t order, const struct verdict *v, char *buf,
			   size_t size)
{
	char lists[96];
	migratetype_list(b, lists, sizeof(lists));
	size_t n = 0;
#define APPEND(...)                                                            \
	do {                                                                   \
		if (n < size)                                                  \
			n += (size_t)snprintf(buf + n, size - n, __VA_ARGS__); \
	} while (0)
	APPEND("free %" PRId64 " - unusable %" PRId64 " (2^%u-1 + %s %" PRIu64,
	       v->free_pages, v->unusable, order, b->l.highatomic_member,
	       zi->highatomic);
	if (b->l.has_cma)
		APPEND(" + free CMA %" PRId64, zi->free_cma);
	APPEND(") = %" PRId64 " %s %s %" PRId64 " + lowmem_reserve[%s] %" PRId64
	       " = %" PRId64,
	       v->usable, v->is_order0_ok ? ">" : "<=", mark_names[b->mark],
	       v->mark, b->highest_zone, v->reserve, v->needed);
	if (!v->is_order0_ok) {
		APPEND(": below the watermark");
	} else if (!v->ok) {
		int largest = largest_free_order(b, zi);
		APPEND(", but no free block of order >= %u on the %s lists",
		       order, lists);
		if (largest >= 0)
			APPEND("; the largest free block is order %d", largest);
		if (v->other_blocks)
			APPEND(" (%" PRIu64 "%s of order >= %u only on lists "
			       "it may not use)",
			       v->other_blocks,
			       b->is_walking ? " blocks" : " lists", order);
	} else if (order > 0) {
		APPEND("; a free order-%d block on the %s list",
		       v->suitable_order,
		       b->l.migratetype_names[v->suitable_migratetype]);
	}
#undef APPEND
}

// extfrag_show_print()'s "%2d.%03d" of index / 1000, index % 1000 (in a
// sentence without the padding).
static void print_fragindex(struct vmca_out *out, int64_t index, bool is_padded)
{
	int i = (int)index;
	vmca_out_textf(out, is_padded ? "%2d.%03d" : "%d.%03d", i / 1000,
		       i % 1000);
}

// The failing orders in text, a run of orders that fail for want of a
// block on one line (the arithmetic of its first and last order).
static void emit_failures_text(const struct buddy *b,
			       const struct zone_info *zi, struct vmca_out *out)
{
	const struct layout *l = &b->l;
	vmca_out_textf(out, "  watermark test failures:\n");
	for (uint32_t o = 0; o < l->nr_orders; o++) {
		struct verdict v = watermark_test(b, zi, o);
		if (v.ok)
			continue;
		uint32_t last = o;
		while (v.is_order0_ok && last + 1 < l->nr_orders) {
			struct verdict next = watermark_test(b, zi, last + 1);
			if (next.ok || !next.is_order0_ok)
				break;
			last++;
		}
		if (last == o) {
			char reason[384];
			verdict_reason(b, zi, o, &v, reason, sizeof(reason));
			vmca_out_textf(out,
				       "    order %2u: %s; fragmentation "
				       "index ",
				       o, reason);
			print_fragindex(out, fragmentation_index(b, zi, o),
					false);
			vmca_out_textf(out, "\n");
			continue;
		}
		struct verdict w = watermark_test(b, zi, last);
		char lists[96];
		migratetype_list(b, lists, sizeof(lists));
		vmca_out_textf(out,
			       "    orders %u-%u: free %" PRId64
			       " - unusable (2^order-1 + %s %" PRIu64,
			       o, last, v.free_pages, l->highatomic_member,
			       zi->highatomic);
		if (l->has_cma)
			vmca_out_textf(out, " + free CMA %" PRId64,
				       zi->free_cma);
		vmca_out_textf(out,
			       ") = %" PRId64 "..%" PRId64 " > %s %" PRId64
			       " + lowmem_reserve[%s] %" PRId64 " = %" PRId64
			       ", but no free block of order >= %u on the %s "
			       "lists",
			       v.usable, w.usable, mark_names[b->mark], v.mark,
			       b->highest_zone, v.reserve, v.needed, o, lists);
		int largest = largest_free_order(b, zi);
		if (largest >= 0)
			vmca_out_textf(out,
				       "; the largest free block is order %d "
				       "(%" PRIu64 " blocks)",
				       largest, zi->nr_free[largest]);
		if (v.other_blocks)
			vmca_out_textf(out,
				       "; %" PRIu64 "%s of order >= %u only on "
				       "lists it may not use",
				       v.other_blocks,
				       b->is_walking ? " blocks" : " lists", o);
		vmca_out_textf(out, "; fragmentation index ");
		print_fragindex(out, fragmentation_index(b, zi, o), false);
		vmca_out_textf(out, "..");
		print_fragindex(out, fragmentation_index(b, zi, last), false);
		vmca_out_textf(out, "\n");
		o = last;
	}
}

static void emit_buddyinfo_text(const struct buddy *b, struct vmca_out *out)
{
	const struct zone_info *zi;
	vector_for_each (&b->zones, zi) {
		if (zi->err)
			continue;
		vmca_out_textf(out, "Node %u, zone %8s ", zi->nid, zi->name);
		for (uint32_t o = 0; o < b->l.nr_orders; o++)
			vmca_out_textf(out, "%6" PRIu64 " ", zi->nr_free[o]);
		vmca_out_textf(out, "\n");
	}
}

static void emit_zone(const struct buddy *b, const struct zone_info *zi,
		      struct vmca_out *out, uint64_t page_kb)
{
	const struct layout *l = &b->l;
	vmca_out_begin_object(out, NULL, 0);
	vmca_out_u64(out, "node", zi->nid);
	vmca_out_str(out, "zone", zi->name);
	vmca_out_u64(out, "zone_idx", zi->zone_idx);
	vmca_out_addr(out, "address", zi->address);
	vmca_out_textf(out, "\nNode %u, zone %s (struct zone %#" PRIx64 ")",
		       zi->nid, zi->name, zi->address);
	if (zi->err) {
		vmca_out_error(out, "error", zi->err);
		vmca_out_textf(out, ": %s\n", zi->err->message);
		vmca_out_end_object(out);
		return;
	}
	uint64_t buddy_pages = 0;
	for (uint32_t o = 0; o < l->nr_orders && o < MAX_ORDERS; o++)
		buddy_pages += zi->nr_free[o] << o;
	vmca_out_i64(out, "free_pages", zi->free_pages);
	vmca_out_u64(out, "buddy_free_pages", buddy_pages);
	if (zi->percpu_err) {
		vmca_out_error(out, "percpu_error", zi->percpu_err);
	} else {
		if (l->has_zonestats)
			vmca_out_i64(out, "free_pages_snapshot",
				     zi->free_pages_snapshot);
		if (l->has_pcp)
			vmca_out_i64(out, "pcp_pages", zi->pcp_pages);
	}
	vmca_out_u64(out, "managed_pages", zi->managed);
	vmca_out_u64(out, "present_pages", zi->present);
	vmca_out_u64(out, "spanned_pages", zi->spanned);
	vmca_out_begin_object(out, "watermark", 0);
	for (int i = 0; i < NR_MARKS; i++)
		vmca_out_u64(out, mark_names[i], zi->wmark[i]);
	vmca_out_u64(out, "boost", zi->boost);
	vmca_out_end_object(out);
	vmca_out_begin_list(out, "lowmem_reserve", 0);
	for (uint32_t i = 0; i < zi->nr_lowmem_reserve; i++)
		vmca_out_i64(out, NULL, zi->lowmem_reserve[i]);
	vmca_out_end_list(out);
	vmca_out_u64(out, "nr_reserved_highatomic", zi->reserved_highatomic);
	if (l->has_free_highatomic)
		vmca_out_u64(out, "nr_free_highatomic", zi->free_highatomic);
	if (l->has_cma)
		vmca_out_i64(out, "free_cma_pages", zi->free_cma);

	vmca_out_textf(out,
		       "\n  free %" PRId64 " pages (%" PRId64 " kB; %" PRIu64
		       " in the buddy lists",
		       zi->free_pages, zi->free_pages * (int64_t)page_kb,
		       buddy_pages);
	if (zi->percpu_err)
		vmca_out_textf(out, "; per-CPU data: %s",
			       zi->percpu_err->message);
	else if (l->has_pcp)
		vmca_out_textf(out, "; %" PRId64 " more on per-CPU lists",
			       zi->pcp_pages);
	vmca_out_textf(out,
		       "), managed %" PRIu64 ", present %" PRIu64
		       ", spanned %" PRIu64 "\n",
		       zi->managed, zi->present, zi->spanned);
	vmca_out_textf(
		out,
		"  watermarks min %" PRIu64 ", low %" PRIu64 ", high %" PRIu64
		" (boost %" PRIu64 "); %s %" PRIu64 "; lowmem_reserve",
		zi->wmark[MARK_MIN], zi->wmark[MARK_LOW], zi->wmark[MARK_HIGH],
		zi->boost, l->highatomic_member, zi->highatomic);
	for (uint32_t i = 0; i < zi->nr_lowmem_reserve; i++)
		vmca_out_textf(out, " %" PRId64, zi->lowmem_reserve[i]);
	if (l->has_cma)
		vmca_out_textf(out, "; free CMA %" PRId64, zi->free_cma);
	vmca_out_textf(out, "\n");

	// The table: one row per order.
	vmca_out_textf(out, "  %5s %8s %8s %10s", "ORDER", "KB", "NR_FREE",
		       "FREE_KB");
	if (b->is_walking)
		for (uint32_t mt = 0; mt < l->nr_migratetypes; mt++)
			vmca_out_textf(out, " %11s", l->migratetype_names[mt]);
	vmca_out_textf(out, "  %-6s %9s\n", "WMARK", "FRAGINDEX");
	vmca_out_begin_list(out, "free_area", 0);
	for (uint32_t o = 0; o < l->nr_orders; o++) {
		uint64_t block_kb = page_kb << o;
		vmca_out_begin_object(out, NULL, 0);
		vmca_out_u64(out, "order", o);
		vmca_out_u64(out, "nr_free", zi->nr_free[o]);
		vmca_out_textf(
			out, "  %5u %8" PRIu64 " %8" PRIu64 " %10" PRIu64, o,
			block_kb, zi->nr_free[o], zi->nr_free[o] * block_kb);
		if (b->is_walking) {
			uint64_t sum = 0;
			vmca_out_begin_object(out, "by_migratetype", 0);
			for (uint32_t mt = 0; mt < l->nr_migratetypes; mt++) {
				sum += zi->list_count[o][mt];
				vmca_out_u64(out, l->migratetype_names[mt],
					     zi->list_count[o][mt]);
				vmca_out_textf(out, " %10" PRIu64 "%s",
					       zi->list_count[o][mt],
					       zi->list_err[o][mt] ? "!" : " ");
			}
			vmca_out_end_object(out);
			vmca_out_i64(out, "list_difference",
				     (int64_t)(sum - zi->nr_free[o]));
			vmca_out_begin_list(out, "errors", 0);
			for (uint32_t mt = 0; mt < l->nr_migratetypes; mt++)
				if (zi->list_err[o][mt])
					vmca_out_error(out, NULL,
						       zi->list_err[o][mt]);
			vmca_out_end_list(out);
		}
		vmca_out_end_object(out);
		struct verdict v = watermark_test(b, zi, o);
		vmca_out_textf(out, "  %-6s ", v.ok ? "ok" : "FAIL");
		print_fragindex(out, fragmentation_index(b, zi, o), true);
		vmca_out_textf(out, "\n");
	}
	vmca_out_end_list(out);

	vmca_out_begin_list(out, "watermark_ok", 0);
	bool has_failure = false;
	for (uint32_t o = 0; o < l->nr_orders; o++) {
		struct verdict v = watermark_test(b, zi, o);
		char reason[384];
		verdict_reason(b, zi, o, &v, reason, sizeof(reason));
		vmca_out_begin_object(out, NULL, 0);
		vmca_out_u64(out, "order", o);
		vmca_out_bool(out, "ok", v.ok);
		vmca_out_i64(out, "free_pages", v.free_pages);
		vmca_out_i64(out, "unusable_free", v.unusable);
		vmca_out_i64(out, "usable_free", v.usable);
		vmca_out_i64(out, "mark", v.mark);
		vmca_out_i64(out, "lowmem_reserve", v.reserve);
		vmca_out_i64(out, "needed", v.needed);
		vmca_out_bool(out, "order0_ok", v.is_order0_ok);
		if (v.suitable_order >= 0) {
			vmca_out_i64(out, "suitable_order", v.suitable_order);
			vmca_out_str(
				out, "suitable_migratetype",
				l->migratetype_names[v.suitable_migratetype]);
		} else {
			vmca_out_null(out, "suitable_order");
			vmca_out_null(out, "suitable_migratetype");
		}
		vmca_out_str(out, "reason", reason);
		vmca_out_end_object(out);
		has_failure |= !v.ok;
	}
	vmca_out_end_list(out);
	if (has_failure) {
		emit_failures_text(b, zi, out);
	} else if (l->nr_orders) {
		struct verdict v = watermark_test(b, zi, 0);
		char reason[384];
		verdict_reason(b, zi, 0, &v, reason, sizeof(reason));
		vmca_out_textf(out,
			       "  watermark test passes for every order; "
			       "order 0: %s\n",
			       reason);
	}
	int largest = largest_free_order(b, zi);
	if (largest >= 0)
		vmca_out_i64(out, "largest_free_order", largest);
	else
		vmca_out_null(out, "largest_free_order");
	vmca_out_begin_list(out, "fragmentation_index", 0);
	for (uint32_t o = 0; o < l->nr_orders; o++)
		vmca_out_double(out, NULL,
				(double)fragmentation_index(b, zi, o) / 1000.0);
	vmca_out_end_list(out);
	vmca_out_end_object(out);
}

// "Normal" -> the value of ZONE_NORMAL in enum zone_type.
static struct vmca_error *zone_index(struct vmca_session *s, const char *name,
				     int64_t *ret)
{
	char enumerator[40] = "ZONE_";
	size_t n = strlen(enumerator);
	for (size_t i = 0; name[i] && n + 1 < sizeof(enumerator); i++)
		enumerator[n++] = (char)toupper((unsigned char)name[i]);
	enumerator[n] = '\0';
	return vmca_enum_value(s, "enum zone_type", enumerator, ret);
}

static struct vmca_error *usage(void)
{
	return vmca_error_create(VMCA_ERROR_USAGE,
				 "usage: vmca VMCORE buddy [--mark=min|low|"
				 "high] [--highest-zone=ZONE] [--no-walk]");
}

static struct vmca_error *buddy_run(struct vmca_session *s,
				    struct vmca_out *out, int argc, char **argv)
{
	struct buddy b = {.is_walking = true, .mark = MARK_MIN};
	snprintf(b.highest_zone, sizeof(b.highest_zone), "Normal");
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--no-walk") == 0) {
			b.is_walking = false;
		} else if (strncmp(a, "--mark=", 7) == 0) {
			b.mark = -1;
			for (int m = 0; m < NR_MARKS; m++)
				if (strcmp(a + 7, mark_names[m]) == 0)
					b.mark = m;
			if (b.mark < 0)
				return usage();
		} else if (strncmp(a, "--highest-zone=", 15) == 0 && a[15] &&
			   strlen(a + 15) < sizeof(b.highest_zone)) {
			snprintf(b.highest_zone, sizeof(b.highest_zone), "%s",
				 a + 15);
		} else {
			return usage();
		}
	}
	struct vmca_error *err =
		zone_index(s, b.highest_zone, &b.highest_zoneidx);
	if (err)
		return vmca_error_wrap(err, "--highest-zone=%s",
				       b.highest_zone);
	err = layout_init(s, &b.l);
	if (err)
		return vmca_error_wrap(err, "buddy allocator layout");
	zone_vector_init(&b.zones);
	err = vmca_zone_walk(s, read_zone, &b);
	if (err) {
		err = vmca_error_wrap(err, "walking the zones");
		goto out;
	}

	uint64_t page_kb = vmca_session_page_size(s) / 1024;
	char lists[96];
	migratetype_list(&b, lists, sizeof(lists));
	char rule[512];
	snprintf(rule, sizeof(rule),
		 "__zone_watermark_ok() as this kernel runs it (since v4.10, "
		 "min is not halved per order): free pages - (2^order - 1) - "
		 "%s%s must exceed %s + lowmem_reserve[%s], then one free "
		 "block of order >= the request on the %s lists",
		 b.l.highatomic_member, b.l.has_cma ? " - free CMA" : "",
		 mark_names[b.mark], b.highest_zone, lists);

	vmca_out_begin_object(out, NULL, VMCA_OUT_TEXT_CUSTOM);
	vmca_out_str(out, "mark", mark_names[b.mark]);
	vmca_out_str(out, "highest_zone", b.highest_zone);
	vmca_out_i64(out, "highest_zoneidx", b.highest_zoneidx);
	vmca_out_str(out, "rule", rule);
	vmca_out_str(out, "highatomic_counter", b.l.highatomic_member);
	vmca_out_u64(out, "nr_orders", b.l.nr_orders);
	vmca_out_begin_list(out, "migratetypes", 0);
	for (uint32_t mt = 0; mt < b.l.nr_migratetypes; mt++)
		vmca_out_str(out, NULL, b.l.migratetype_names[mt]);
	vmca_out_end_list(out);
	emit_buddyinfo_text(&b, out);
	vmca_out_textf(out,
		       "\nWatermark test per order: %s; allocation "
		       "(GFP_KERNEL-like: no ALLOC_HARDER/HIGHATOMIC/CMA) "
		       "limited to zone %s.\nFRAGINDEX: -1.000 = a block of "
		       "the order is free; towards 1.000 a failure is "
		       "fragmentation (compaction helps), towards 0 lack of "
		       "memory (reclaim helps).\n",
		       rule, b.highest_zone);
	vmca_out_begin_list(out, "zones", 0);
	const struct zone_info *zi;
	vector_for_each (&b.zones, zi)
		emit_zone(&b, zi, out, page_kb);
	vmca_out_end_list(out);
	vmca_out_end_object(out);
out:;
	struct zone_info *z;
	vector_for_each (&b.zones, z)
		zone_info_deinit(z);
	zone_vector_deinit(&b.zones);
	return err;
}

const struct vmca_plugin vmca_plugin_buddy = {
	.name = "buddy",
	.summary = "free memory per zone by order and migrate type, "
		   "watermarks, the kernel's watermark test for every order",
	.usage = "buddy [--mark=min|low|high] [--highest-zone=ZONE] "
		 "[--no-walk]",
	.help = "Per node and populated zone (as /proc/buddyinfo): nr_free "
		"per order, the\n"
		"blocks on each migrate type's free list (walked, bounded and "
		"cycle-checked),\n"
		"managed/present/spanned pages, the watermarks (wmark_pages(): "
		"_watermark[] +\n"
		"watermark_boost), lowmem_reserve, and for every order the "
		"kernel's own\n"
		"__zone_watermark_ok() for an ordinary (GFP_KERNEL-like) "
		"request with the\n"
		"numbers that decided it, plus the fragmentation index "
		"(/sys/kernel/debug/\n"
		"extfrag/extfrag_index: -1.000 = a block is free, towards 1 = "
		"fragmentation,\n"
		"towards 0 = lack of memory).\n"
		"--mark: the watermark to test against (default min: the "
		"slow path; the fast\n"
		"path tests low). --highest-zone: the highest zone the request "
		"may use\n"
		"(default Normal, GFP_KERNEL; DMA32 for GFP_DMA32, Movable for "
		"movable user\n"
		"pages): picks lowmem_reserve[]. --no-walk: do not walk the "
		"free lists (no\n"
		"per-migratetype counts; the test needs only whether each list "
		"is empty).\n"
		"JSON: {\"mark\", \"highest_zone\", \"highest_zoneidx\", "
		"\"rule\", \"highatomic_counter\", \"nr_orders\",\n"
		"\"migratetypes\", \"zones\": [{\"node\", \"zone\", "
		"\"zone_idx\", \"address\", \"free_pages\",\n"
		"\"buddy_free_pages\", \"free_pages_snapshot\", \"pcp_pages\", "
		"\"managed_pages\", \"present_pages\", "
		"\"spanned_pages\",\n"
		"\"watermark\": {\"min\", \"low\", \"high\", \"boost\"}, "
		"\"lowmem_reserve\": [...],\n"
		"\"nr_reserved_highatomic\", \"nr_free_highatomic\"?, "
		"\"free_area\": [{\"order\",\n"
		"\"nr_free\", \"by_migratetype\": {name: count}, "
		"\"list_difference\", \"errors\" (these three not with "
		"--no-walk)}],\n"
		"\"watermark_ok\": [{\"order\", \"ok\", \"free_pages\", "
		"\"unusable_free\",\n"
		"\"usable_free\", \"mark\", \"lowmem_reserve\", \"needed\", "
		"\"order0_ok\",\n"
		"\"suitable_order\", \"suitable_migratetype\", \"reason\"}],\n"
		"\"largest_free_order\", \"fragmentation_index\": [per order], "
		"\"error\"?}]}\n",
	.run = buddy_run,
};

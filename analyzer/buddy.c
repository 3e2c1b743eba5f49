// SPDX-License-Identifier: MIT
// analyzer/buddy.c: the buddy allocator per node and zone: free blocks by
// order and migrate type, watermarks, the kernel's own watermark test for
// every order (with the arithmetic that decided it) and the
// fragmentation index.
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "buddy.h"
#include "vmca.h"

#define MAX_ZONE_SIZE (UINT64_C(1) << 16)

const char *const vmca_buddy_mark_names[VMCA_BUDDY_NR_MARKS] = {"min", "low",
								"high"};
static const char *const mark_enumerators[VMCA_BUDDY_NR_MARKS] = {
	"WMARK_MIN", "WMARK_LOW", "WMARK_HIGH"};

static struct vmca_error *field_init(struct vmca_session *s,
				     const char *type_name, const char *path,
				     struct vmca_buddy_field *ret)
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

static uint64_t field_get(struct vmca_session *s,
			  const struct vmca_buddy_field *f,
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
static void name_migratetypes(struct vmca_session *s,
			      struct vmca_buddy_layout *l)
{
	for (uint32_t mt = 0; mt < VMCA_BUDDY_MAX_MIGRATETYPES; mt++)
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
	bool is_named[VMCA_BUDDY_MAX_MIGRATETYPES] = {false};
	for (uint32_t i = 0; t.kind == VMCA_TYPE_ENUM && i < t.count; i++) {
		const char *name;
		int64_t value;
		vmca_type_enumerator_at(s, id, i, &name, &value);
		if (!name || value < 0 ||
		    value >= VMCA_BUDDY_MAX_MIGRATETYPES || is_named[value] ||
		    strcmp(name, "MIGRATE_PCPTYPES") == 0 ||
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

static struct vmca_error *layout_init(struct vmca_session *s,
				      struct vmca_buddy_layout *l)
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
	if (!nr_orders || nr_orders > VMCA_BUDDY_MAX_ORDERS || !nr_lists ||
	    nr_lists > VMCA_BUDDY_MAX_MIGRATETYPES || l->list_head_size < 16)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "zone.free_area[%" PRIu64
					 "].free_list[%" PRIu64
					 "] is out of bounds",
					 nr_orders, nr_lists);
	l->nr_orders = (uint32_t)nr_orders;
	l->nr_migratetypes = (uint32_t)nr_lists;
	l->free_list_offset = list_offset;
	if (l->lowmem_reserve.count > VMCA_BUDDY_MAX_ZONES)
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
static void walk_lists(struct vmca_session *s, struct vmca_buddy_zone *zi,
		       const struct vmca_buddy_layout *l)
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
				      const struct vmca_buddy_layout *l,
				      uint64_t zonestats, uint64_t pcp,
				      struct vmca_buddy_zone *zi)
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
	struct vmca_buddy *b = arg;
	const struct vmca_buddy_layout *l = &b->l;
	size_t len = (size_t)l->zone_size;
	_cleanup_free_ unsigned char *buf = malloc(len ? len : 1);
	if (!buf)
		return &vmca_enomem;
	struct vmca_error *err = vmca_read(s, z->address, buf, len);
	if (!err && !field_get(s, &l->present, buf, len, 0))
		return NULL; // unpopulated: /proc/buddyinfo skips it too
	struct vmca_buddy_zone *zi =
		vmca_buddy_zone_vector_append_entry(&b->zones);
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
	if (name && vmca_error_consume(vmca_read_string(s, name, name_buf,
							sizeof(name_buf))))
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
	for (int i = 0; i < VMCA_BUDDY_NR_MARKS; i++) {
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
		struct vmca_buddy_field nr_free = l->nr_free;
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

static void zone_deinit(struct vmca_buddy_zone *zi)
{
	vmca_error_destroy(zi->err);
	vmca_error_destroy(zi->percpu_err);
	for (uint32_t o = 0; o < VMCA_BUDDY_MAX_ORDERS; o++)
		for (uint32_t mt = 0; mt < VMCA_BUDDY_MAX_MIGRATETYPES; mt++)
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
struct vmca_buddy_verdict
vmca_buddy_watermark_test(const struct vmca_buddy *b,
			  const struct vmca_buddy_zone *zi, uint32_t order)
{
	const struct vmca_buddy_layout *l = &b->l;
	struct vmca_buddy_verdict v = {.suitable_order = -1,
				       .suitable_migratetype = -1};
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
int64_t vmca_buddy_fragmentation_index(const struct vmca_buddy *b,
				       const struct vmca_buddy_zone *zi,
				       uint32_t order)
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

const char *vmca_buddy_migratetype_list(const struct vmca_buddy *b, char *buf,
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
int vmca_buddy_largest_free_order(const struct vmca_buddy *b,
				  const struct vmca_buddy_zone *zi)
{
	for (int o = (int)b->l.nr_orders - 1; o >= 0; o--)
		if (zi->nr_free[o])
			return o;
	return -1;
}

// The arithmetic behind a verdict, in words a kernel engineer reads in
// one go (and the same in JSON's "reason").
void vmca_buddy_verdict_reason(const struct vmca_buddy *b,
			       const struct vmca_buddy_zone *zi, uint32_t order,
			       const struct vmca_buddy_verdict *v, char *buf,
			       size_t size)
{
	char lists[96];
	vmca_buddy_migratetype_list(b, lists, sizeof(lists));
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
	       v->usable,
	       v->is_order0_ok ? ">" : "<=", vmca_buddy_mark_names[b->mark],
	       v->mark, b->highest_zone, v->reserve, v->needed);
	if (!v->is_order0_ok) {
		APPEND(": below the watermark");
	} else if (!v->ok) {
		int largest = vmca_buddy_largest_free_order(b, zi);
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

struct vmca_error *vmca_buddy_read(struct vmca_session *s, struct vmca_buddy *b)
{
	vmca_buddy_zone_vector_init(&b->zones);
	struct vmca_error *err =
		zone_index(s, b->highest_zone, &b->highest_zoneidx);
	if (err)
		return vmca_error_wrap(err, "zone %s", b->highest_zone);
	err = layout_init(s, &b->l);
	if (err)
		return vmca_error_wrap(err, "buddy allocator layout");
	err = vmca_zone_walk(s, read_zone, b);
	if (err)
		return vmca_error_wrap(err, "walking the zones");
	return NULL;
}

void vmca_buddy_deinit(struct vmca_buddy *b)
{
	struct vmca_buddy_zone *z;
	vector_for_each (&b->zones, z)
		zone_deinit(z);
	vmca_buddy_zone_vector_deinit(&b->zones);
}

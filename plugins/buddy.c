// SPDX-License-Identifier: MIT
// plugins/buddy.c: the buddy allocator per node and zone (analyzer/
// buddy.c): free blocks by order and migrate type, watermarks, the
// kernel's own watermark test for every order (with the arithmetic that
// decided it) and the fragmentation index.
#include <stdio.h>
#include <string.h>

#include "vmca.h"

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
static void emit_failures_text(const struct vmca_buddy *b,
			       const struct vmca_buddy_zone *zi,
			       struct vmca_out *out)
{
	const struct vmca_buddy_layout *l = &b->l;
	vmca_out_textf(out, "  watermark test failures:\n");
	for (uint32_t o = 0; o < l->nr_orders; o++) {
		struct vmca_buddy_verdict v =
			vmca_buddy_watermark_test(b, zi, o);
		if (v.ok)
			continue;
		uint32_t last = o;
		while (v.is_order0_ok && last + 1 < l->nr_orders) {
			struct vmca_buddy_verdict next =
				vmca_buddy_watermark_test(b, zi, last + 1);
			if (next.ok || !next.is_order0_ok)
				break;
			last++;
		}
		if (last == o) {
			char reason[384];
			vmca_buddy_verdict_reason(b, zi, o, &v, reason,
						  sizeof(reason));
			vmca_out_textf(out,
				       "    order %2u: %s; fragmentation "
				       "index ",
				       o, reason);
			print_fragindex(
				out, vmca_buddy_fragmentation_index(b, zi, o),
				false);
			vmca_out_textf(out, "\n");
			continue;
		}
		struct vmca_buddy_verdict w =
			vmca_buddy_watermark_test(b, zi, last);
		char lists[96];
		vmca_buddy_migratetype_list(b, lists, sizeof(lists));
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
			       v.usable, w.usable,
			       vmca_buddy_mark_names[b->mark], v.mark,
			       b->highest_zone, v.reserve, v.needed, o, lists);
		int largest = vmca_buddy_largest_free_order(b, zi);
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
		print_fragindex(out, vmca_buddy_fragmentation_index(b, zi, o),
				false);
		vmca_out_textf(out, "..");
		print_fragindex(out,
				vmca_buddy_fragmentation_index(b, zi, last),
				false);
		vmca_out_textf(out, "\n");
		o = last;
	}
}

static void emit_buddyinfo_text(const struct vmca_buddy *b,
				struct vmca_out *out)
{
	const struct vmca_buddy_zone *zi;
	vector_for_each (&b->zones, zi) {
		if (zi->err)
			continue;
		vmca_out_textf(out, "Node %u, zone %8s ", zi->nid, zi->name);
		for (uint32_t o = 0; o < b->l.nr_orders; o++)
			vmca_out_textf(out, "%6" PRIu64 " ", zi->nr_free[o]);
		vmca_out_textf(out, "\n");
	}
}

static void emit_zone(const struct vmca_buddy *b,
		      const struct vmca_buddy_zone *zi, struct vmca_out *out,
		      uint64_t page_kb)
{
	const struct vmca_buddy_layout *l = &b->l;
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
	for (uint32_t o = 0; o < l->nr_orders && o < VMCA_BUDDY_MAX_ORDERS; o++)
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
	for (int i = 0; i < VMCA_BUDDY_NR_MARKS; i++)
		vmca_out_u64(out, vmca_buddy_mark_names[i], zi->wmark[i]);
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
		zi->wmark[VMCA_BUDDY_MARK_MIN], zi->wmark[VMCA_BUDDY_MARK_LOW],
		zi->wmark[VMCA_BUDDY_MARK_HIGH], zi->boost,
		l->highatomic_member, zi->highatomic);
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
		struct vmca_buddy_verdict v =
			vmca_buddy_watermark_test(b, zi, o);
		vmca_out_textf(out, "  %-6s ", v.ok ? "ok" : "FAIL");
		print_fragindex(out, vmca_buddy_fragmentation_index(b, zi, o),
				true);
		vmca_out_textf(out, "\n");
	}
	vmca_out_end_list(out);

	vmca_out_begin_list(out, "watermark_ok", 0);
	bool has_failure = false;
	for (uint32_t o = 0; o < l->nr_orders; o++) {
		struct vmca_buddy_verdict v =
			vmca_buddy_watermark_test(b, zi, o);
		char reason[384];
		vmca_buddy_verdict_reason(b, zi, o, &v, reason, sizeof(reason));
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
		struct vmca_buddy_verdict v =
			vmca_buddy_watermark_test(b, zi, 0);
		char reason[384];
		vmca_buddy_verdict_reason(b, zi, 0, &v, reason, sizeof(reason));
		vmca_out_textf(out,
			       "  watermark test passes for every order; "
			       "order 0: %s\n",
			       reason);
	}
	int largest = vmca_buddy_largest_free_order(b, zi);
	if (largest >= 0)
		vmca_out_i64(out, "largest_free_order", largest);
	else
		vmca_out_null(out, "largest_free_order");
	vmca_out_begin_list(out, "fragmentation_index", 0);
	for (uint32_t o = 0; o < l->nr_orders; o++)
		vmca_out_double(
			out, NULL,
			(double)vmca_buddy_fragmentation_index(b, zi, o) /
				1000.0);
	vmca_out_end_list(out);
	vmca_out_end_object(out);
}

// "Normal" -> the value of ZONE_NORMAL in enum zone_type.
static struct vmca_error *usage(void)
{
	return vmca_error_create(VMCA_ERROR_USAGE,
				 "usage: vmca VMCORE buddy [--mark=min|low|"
				 "high] [--highest-zone=ZONE] [--no-walk]");
}

static struct vmca_error *buddy_run(struct vmca_session *s,
				    struct vmca_out *out, int argc, char **argv)
{
	struct vmca_buddy b = {.is_walking = true, .mark = VMCA_BUDDY_MARK_MIN};
	snprintf(b.highest_zone, sizeof(b.highest_zone), "Normal");
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--no-walk") == 0) {
			b.is_walking = false;
		} else if (strncmp(a, "--mark=", 7) == 0) {
			b.mark = -1;
			for (int m = 0; m < VMCA_BUDDY_NR_MARKS; m++)
				if (strcmp(a + 7, vmca_buddy_mark_names[m]) ==
				    0)
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
	struct vmca_error *err = vmca_buddy_read(s, &b);
	if (err)
		goto out;

	uint64_t page_kb = vmca_session_page_size(s) / 1024;
	char lists[96];
	vmca_buddy_migratetype_list(&b, lists, sizeof(lists));
	char rule[512];
	snprintf(rule, sizeof(rule),
		 "__zone_watermark_ok() as this kernel runs it (since v4.10, "
		 "min is not halved per order): free pages - (2^order - 1) - "
		 "%s%s must exceed %s + lowmem_reserve[%s], then one free "
		 "block of order >= the request on the %s lists",
		 b.l.highatomic_member, b.l.has_cma ? " - free CMA" : "",
		 vmca_buddy_mark_names[b.mark], b.highest_zone, lists);

	vmca_out_begin_object(out, NULL, VMCA_OUT_TEXT_CUSTOM);
	vmca_out_str(out, "mark", vmca_buddy_mark_names[b.mark]);
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
	const struct vmca_buddy_zone *zi;
	vector_for_each (&b.zones, zi)
		emit_zone(&b, zi, out, page_kb);
	vmca_out_end_list(out);
	vmca_out_end_object(out);
out:
	vmca_buddy_deinit(&b);
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
		"\"largest_free_order\", "
		"\"fragmentation_index\": [per order], "
		"\"error\"?}]}\n",
	.examples = "buddy\tfree pages by order and migrate type, the "
		    "watermark test\n"
		    "buddy --mark=low --no-walk\tthe fast path's test, without "
		    "walking the lists\n",
	.run = buddy_run,
};

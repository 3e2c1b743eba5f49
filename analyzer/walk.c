// SPDX-License-Identifier: MIT
/** @file Walks of lists, rb-trees, xarrays and maple trees, bounded. */
#include <string.h>

#include "vmca.h"
#include "walk.h"

// Trees deeper than these are damaged: an rb-tree of n nodes is at most
// 2 log2(n + 1) deep, an xarray of 64-bit indices 11 levels of 64 slots,
// a maple tree at most 31 levels (MAPLE_HEIGHT_MAX).
#define RB_MAX_DEPTH	128
#define XA_MAX_DEPTH	16
#define MAPLE_MAX_DEPTH 32
// Slots per node beyond these only come from a damaged debuginfo.
#define MAX_SLOTS 256

uint64_t vmca_walk_default_max(struct vmca_session *s)
{
	// Every node is at least 16 bytes: no list can be longer than
	// memory holds nodes. The dump's memory is read from its page count
	// where known, else 1 TiB.
	uint64_t bytes = UINT64_C(1) << 40;
	const char *pages = vmca_vmcoreinfo(s, "NUMBER(max_pfn)");
	uint64_t n;
	if (pages && vmca_parse_u64(pages, &n) && n)
		bytes = n * vmca_session_page_size(s);
	return bytes / 16;
}

static struct vmca_error *offset_of(struct vmca_session *s, const char *type,
				    const char *member, uint64_t *ret)
{
	return vmca_type_member_offset(s, type, member, ret);
}

static struct vmca_error *walk_list(struct vmca_session *s, uint64_t head,
				    bool is_head, uint64_t max, vmca_walk_fn fn,
				    void *arg, bool is_reverse)
{
	uint64_t next_off, prev_off;
	struct vmca_error *err =
		offset_of(s, "struct list_head", "next", &next_off);
	if (!err)
		err = offset_of(s, "struct list_head", "prev", &prev_off);
	if (err)
		return err;
	// Backwards, prev is the link followed and next the one checked.
	bool is_pair = prev_off == next_off + 8;
	if (is_reverse) {
		uint64_t t = next_off;
		next_off = prev_off;
		prev_off = t;
	}
	// Brent's cycle detection: a saved node, re-saved at powers of two;
	// meeting it again without passing the start means a loop.
	uint64_t saved = head, power = 1, lambda = 0;
	uint64_t prev = head, node = head;
	uint64_t n = 0;
	if (is_head) {
		err = vmca_read_u64(s, head + next_off, &node);
		if (err)
			return vmca_error_wrap(err, "list at %#" PRIx64, head);
	}
	for (;;) {
		if (is_head && node == head)
			return NULL;
		if (n >= max)
			return vmca_error_create(VMCA_ERROR_INVALID,
						 "list at %#" PRIx64
						 ": more than %" PRIu64
						 " entries, giving up",
						 head, max);
		if (n && node == saved)
			return vmca_error_fault(node,
						"list at %#" PRIx64
						": cycle at %#" PRIx64
						" not through the start",
						head, node);
		if (++lambda == power) {
			saved = node;
			power *= 2;
			lambda = 0;
		}
		uint64_t next, back;
		if (is_pair) {
			// One read for both links: list walks are hot (the
			// buddy allocator's free lists).
			uint64_t links[2];
			err = vmca_read(
				s, node + (is_reverse ? prev_off : next_off),
				links, sizeof(links));
			next = links[is_reverse];
			back = links[!is_reverse];
		} else {
			err = vmca_read_u64(s, node + next_off, &next);
			if (!err)
				err = vmca_read_u64(s, node + prev_off, &back);
		}
		if (err)
			return vmca_error_wrap(err,
					       "list at %#" PRIx64
					       ": broken link after %#" PRIx64,
					       head, prev);
		if ((n || is_head) && back != prev)
			return vmca_error_fault(
				node,
				"list at %#" PRIx64 ": broken link: %#" PRIx64
				"->prev is %#" PRIx64 ", expected %#" PRIx64,
				head, node, back, prev);
		struct vmca_walk_entry e = {node, n, n};
		err = fn(s, &e, arg);
		if (err)
			return err;
		n++;
		prev = node;
		node = next;
		if (!is_head && node == head) {
			// Back at the start: its prev must be the last one.
			err = vmca_read_u64(s, head + prev_off, &back);
			if (!err && back != prev)
				return vmca_error_fault(
					head,
					"list at %#" PRIx64
					": broken link: %#" PRIx64
					"->prev is %#" PRIx64
					", expected %#" PRIx64,
					head, head, back, prev);
			vmca_error_destroy(err);
			return NULL;
		}
	}
}

struct vmca_error *vmca_walk_list(struct vmca_session *s, uint64_t head,
				  bool is_head, uint64_t max, vmca_walk_fn fn,
				  void *arg)
{
	return walk_list(s, head, is_head, max, fn, arg, false);
}

struct vmca_error *vmca_walk_list_reverse(struct vmca_session *s, uint64_t head,
					  uint64_t max, vmca_walk_fn fn,
					  void *arg)
{
	return walk_list(s, head, true, max, fn, arg, true);
}

struct vmca_error *vmca_walk_hlist(struct vmca_session *s, uint64_t head,
				   uint64_t max, vmca_walk_fn fn, void *arg)
{
	uint64_t first_off, next_off, pprev_off;
	struct vmca_error *err =
		offset_of(s, "struct hlist_head", "first", &first_off);
	if (!err)
		err = offset_of(s, "struct hlist_node", "next", &next_off);
	if (!err)
		err = offset_of(s, "struct hlist_node", "pprev", &pprev_off);
	if (err)
		return err;
	uint64_t node, link = head + first_off;
	err = vmca_read_u64(s, link, &node);
	if (err)
		return vmca_error_wrap(err, "hlist at %#" PRIx64, head);
	for (uint64_t n = 0; node; n++) {
		if (n >= max)
			return vmca_error_create(VMCA_ERROR_INVALID,
						 "hlist at %#" PRIx64
						 ": more than %" PRIu64
						 " entries, giving up",
						 head, max);
		uint64_t pprev, next;
		err = vmca_read_u64(s, node + pprev_off, &pprev);
		if (!err)
			err = vmca_read_u64(s, node + next_off, &next);
		if (err)
			return vmca_error_wrap(err,
					       "hlist at %#" PRIx64
					       ": broken link at %#" PRIx64,
					       head, link);
		// Each node's pprev points at the link that points to it:
		// a cycle cannot keep that up.
		if (pprev != link)
			return vmca_error_fault(
				node,
				"hlist at %#" PRIx64 ": broken link: %#" PRIx64
				"->pprev is %#" PRIx64 ", expected %#" PRIx64,
				head, node, pprev, link);
		struct vmca_walk_entry e = {node, n, n};
		err = fn(s, &e, arg);
		if (err)
			return err;
		link = node + next_off;
		node = next;
	}
	return NULL;
}

struct vmca_error *vmca_walk_chain(struct vmca_session *s, uint64_t start,
				   uint64_t next_offset, uint64_t max,
				   vmca_walk_fn fn, void *arg)
{
	uint64_t saved = 0, power = 1, lambda = 0;
	uint64_t node = start;
	for (uint64_t n = 0; node; n++) {
		if (n >= max)
			return vmca_error_create(VMCA_ERROR_INVALID,
						 "chain at %#" PRIx64
						 ": more than %" PRIu64
						 " entries, giving up",
						 start, max);
		if (n && node == start)
			return NULL;
		if (node == saved)
			return vmca_error_fault(node,
						"chain at %#" PRIx64
						": cycle at %#" PRIx64,
						start, node);
		if (++lambda == power) {
			saved = node;
			power *= 2;
			lambda = 0;
		}
		uint64_t next;
		struct vmca_error *err =
			vmca_read_u64(s, node + next_offset, &next);
		if (err)
			return vmca_error_wrap(err,
					       "chain at %#" PRIx64
					       ": broken link at %#" PRIx64,
					       start, node);
		struct vmca_walk_entry e = {node, n, n};
		err = fn(s, &e, arg);
		if (err)
			return err;
		node = next;
	}
	return NULL;
}

struct rb_layout {
	uint64_t parent_color, left, right;
};

struct vmca_error *vmca_walk_rbtree(struct vmca_session *s, uint64_t root,
				    uint64_t max, vmca_walk_fn fn, void *arg)
{
	struct rb_layout l;
	uint64_t node_off;
	struct vmca_error *err = offset_of(
		s, "struct rb_node", "__rb_parent_color", &l.parent_color);
	if (!err)
		err = offset_of(s, "struct rb_node", "rb_left", &l.left);
	if (!err)
		err = offset_of(s, "struct rb_node", "rb_right", &l.right);
	if (!err)
		err = offset_of(s, "struct rb_root", "rb_node", &node_off);
	if (err)
		return err;
	uint64_t node;
	err = vmca_read_u64(s, root + node_off, &node);
	if (err)
		return vmca_error_wrap(err, "rb-tree at %#" PRIx64, root);
	// In order, iteratively: a stack of the nodes whose left subtree is
	// being walked. Each child's parent pointer must name its parent,
	// which no cycle can keep up.
	uint64_t stack[RB_MAX_DEPTH];
	int depth = 0;
	uint64_t parent = 0, n = 0;
	for (;;) {
		while (node) {
			if (depth == RB_MAX_DEPTH)
				return vmca_error_fault(
					node,
					"rb-tree at %#" PRIx64
					": deeper than %d at %#" PRIx64,
					root, RB_MAX_DEPTH, node);
			uint64_t pc;
			err = vmca_read_u64(s, node + l.parent_color, &pc);
			if (err)
				return vmca_error_wrap(
					err, "rb-tree at %#" PRIx64, root);
			if ((pc & ~UINT64_C(3)) != parent)
				return vmca_error_fault(
					node,
					"rb-tree at %#" PRIx64 ": %#" PRIx64
					"'s parent is %#" PRIx64
					", expected %#" PRIx64,
					root, node, pc & ~UINT64_C(3), parent);
			stack[depth++] = node;
			parent = node;
			err = vmca_read_u64(s, node + l.left, &node);
			if (err)
				return vmca_error_wrap(
					err, "rb-tree at %#" PRIx64, root);
		}
		if (!depth)
			return NULL;
		node = stack[--depth];
		if (n >= max)
			return vmca_error_create(VMCA_ERROR_INVALID,
						 "rb-tree at %#" PRIx64
						 ": more than %" PRIu64
						 " entries, giving up",
						 root, max);
		struct vmca_walk_entry e = {node, n, n};
		err = fn(s, &e, arg);
		if (err)
			return err;
		n++;
		parent = node;
		err = vmca_read_u64(s, node + l.right, &node);
		if (err)
			return vmca_error_wrap(err, "rb-tree at %#" PRIx64,
					       root);
	}
}

/* xarray (include/linux/xarray.h): the low two bits of an entry tell an
 * internal entry (10: a node above 4096, a sibling or retry below) from a
 * value (x1) and a pointer (00). These encodings are #defines, stable since
 * commit 3159f943aafd ("xarray: Replace exceptional entries") (v4.20). */

static bool xa_is_internal(uint64_t e)
{
	return (e & 3) == 2;
}

static bool xa_is_node(uint64_t e)
{
	return xa_is_internal(e) && e > 4096;
}

struct xa_walk {
	struct vmca_session *s;
	uint64_t xa, max, n;
	uint64_t shift_off, parent_off, slots_off;
	uint32_t nr_slots;
	vmca_walk_fn fn;
	void *arg;
};

static struct vmca_error *xa_node(struct xa_walk *w, uint64_t node,
				  uint64_t parent, uint64_t base, int depth)
{
	struct vmca_session *s = w->s;
	if (depth >= XA_MAX_DEPTH)
		return vmca_error_fault(node,
					"xarray at %#" PRIx64
					": deeper than %d at %#" PRIx64,
					w->xa, XA_MAX_DEPTH, node);
	unsigned char shift;
	uint64_t back;
	struct vmca_error *err = vmca_read(s, node + w->shift_off, &shift, 1);
	if (!err)
		err = vmca_read_u64(s, node + w->parent_off, &back);
	if (err)
		return vmca_error_wrap(err, "xarray at %#" PRIx64, w->xa);
	// A node's parent is the node above (NULL at the top): no cycle
	// keeps that up.
	uint64_t expected = parent;
	if (back != expected)
		return vmca_error_fault(node,
					"xarray at %#" PRIx64 ": node %#" PRIx64
					"'s parent is %#" PRIx64
					", expected %#" PRIx64,
					w->xa, node, back, expected);
	if (shift >= 64)
		return vmca_error_fault(node,
					"xarray at %#" PRIx64 ": node %#" PRIx64
					" has shift %u",
					w->xa, node, shift);
	uint64_t slots[MAX_SLOTS];
	err = vmca_read(s, node + w->slots_off, slots, w->nr_slots * 8);
	if (err)
		return vmca_error_wrap(err, "xarray at %#" PRIx64, w->xa);
	for (uint32_t i = 0; i < w->nr_slots; i++) {
		uint64_t e = slots[i];
		uint64_t index = base + ((uint64_t)i << shift);
		if (!e)
			continue;
		if (xa_is_node(e) && shift) {
			err = xa_node(w, e - 2, node, index, depth + 1);
		} else if (xa_is_internal(e)) {
			continue; // a sibling, retry or zero entry
		} else {
			if (w->n >= w->max)
				return vmca_error_create(VMCA_ERROR_INVALID,
							 "xarray at %#" PRIx64
							 ": more than %" PRIu64
							 " entries, giving up",
							 w->xa, w->max);
			w->n++;
			struct vmca_walk_entry we = {e, index, index};
			err = w->fn(s, &we, w->arg);
		}
		if (err)
			return err;
	}
	return NULL;
}

struct vmca_error *vmca_walk_xarray(struct vmca_session *s, uint64_t xa,
				    uint64_t max, vmca_walk_fn fn, void *arg)
{
	struct xa_walk w = {.s = s, .xa = xa, .max = max, .fn = fn, .arg = arg};
	uint64_t head_off;
	struct vmca_member slots;
	struct vmca_error *err =
		offset_of(s, "struct xarray", "xa_head", &head_off);
	if (!err)
		err = offset_of(s, "struct xa_node", "shift", &w.shift_off);
	if (!err)
		err = offset_of(s, "struct xa_node", "parent", &w.parent_off);
	if (!err)
		err = vmca_type_member(s, "struct xa_node", "slots", &slots);
	if (err)
		return err;
	struct vmca_type st;
	vmca_type_info(s, vmca_type_unqualified(s, slots.type), &st);
	if (st.kind != VMCA_TYPE_ARRAY || !st.array_len ||
	    st.array_len > MAX_SLOTS)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "xa_node.slots is not an array of at "
					 "most %d",
					 MAX_SLOTS);
	w.slots_off = slots.bit_offset / 8;
	w.nr_slots = (uint32_t)st.array_len;
	uint64_t head;
	err = vmca_read_u64(s, xa + head_off, &head);
	if (err)
		return vmca_error_wrap(err, "xarray at %#" PRIx64, xa);
	if (!head)
		return NULL;
	if (xa_is_node(head))
		return xa_node(&w, head - 2, 0, 0, 0);
	if (xa_is_internal(head))
		return NULL;
	struct vmca_walk_entry e = {head, 0, 0};
	return fn(s, &e, arg);
}

/* Maple tree (lib/maple_tree.c, include/linux/maple_tree.h), since commit
 * 54a611b60590 ("Maple Tree: add new data structure") (v6.1). An encoded
 * node pointer carries the node type in bits 3-6 (MAPLE_NODE_TYPE_SHIFT,
 * MAPLE_NODE_TYPE_MASK) below the 256-byte aligned node (MAPLE_NODE_MASK);
 * the root is a node if its low two bits are 10 and it is above 4096, as
 * an xarray's. #defines, not in DWARF. */
#define MAPLE_NODE_MASK	      UINT64_C(255)
#define MAPLE_NODE_TYPE_SHIFT 3
#define MAPLE_NODE_TYPE_MASK  UINT64_C(0x0f)
#define MAPLE_PARENT_MASK     UINT64_C(255)

struct maple_kind {
	uint64_t pivot_off, slot_off;
	uint32_t nr_pivots, nr_slots;
	bool is_valid;
};

struct maple_walk {
	struct vmca_session *s;
	uint64_t tree, max, n;
	uint64_t parent_off;
	// Indexed by enum maple_type: dense, leaf_64, range_64, arange_64.
	struct maple_kind kinds[4];
	int64_t leaf_64, range_64, arange_64, dense;
	vmca_walk_fn fn;
	void *arg;
};

static struct vmca_error *maple_layout(struct vmca_session *s, const char *type,
				       struct maple_kind *k)
{
	char name[64];
	snprintf(name, sizeof(name), "struct %s", type);
	struct vmca_member pivot, slot;
	struct vmca_error *err = vmca_type_member(s, name, "pivot", &pivot);
	if (!err)
		err = vmca_type_member(s, name, "slot", &slot);
	if (err)
		return err;
	struct vmca_type pt, st;
	vmca_type_info(s, vmca_type_unqualified(s, pivot.type), &pt);
	vmca_type_info(s, vmca_type_unqualified(s, slot.type), &st);
	if (pt.kind != VMCA_TYPE_ARRAY || st.kind != VMCA_TYPE_ARRAY ||
	    st.array_len > MAX_SLOTS || pt.array_len >= st.array_len)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "%s: unexpected pivot and slot arrays",
					 name);
	k->pivot_off = pivot.bit_offset / 8;
	k->slot_off = slot.bit_offset / 8;
	k->nr_pivots = (uint32_t)pt.array_len;
	k->nr_slots = (uint32_t)st.array_len;
	k->is_valid = true;
	return NULL;
}

static struct vmca_error *maple_node(struct maple_walk *w, uint64_t enode,
				     uint64_t parent, uint64_t min,
				     uint64_t max, int depth)
{
	struct vmca_session *s = w->s;
	uint64_t node = enode & ~MAPLE_NODE_MASK;
	int64_t type = (int64_t)((enode >> MAPLE_NODE_TYPE_SHIFT) &
				 MAPLE_NODE_TYPE_MASK);
	if (depth >= MAPLE_MAX_DEPTH)
		return vmca_error_fault(node,
					"maple tree at %#" PRIx64
					": deeper than %d at %#" PRIx64,
					w->tree, MAPLE_MAX_DEPTH, node);
	if (type < 0 || type > 3 || !w->kinds[type].is_valid)
		return vmca_error_fault(node,
					"maple tree at %#" PRIx64
					": node %#" PRIx64 " of type %" PRId64,
					w->tree, node, type);
	const struct maple_kind *k = &w->kinds[type];
	uint64_t back;
	struct vmca_error *err = vmca_read_u64(s, node + w->parent_off, &back);
	if (err)
		return vmca_error_wrap(err, "maple tree at %#" PRIx64, w->tree);
	// A node's parent names the node above (the tree itself, tagged,
	// at the top): no cycle keeps that up.
	uint64_t up = back & ~MAPLE_PARENT_MASK;
	if (parent && up != parent)
		return vmca_error_fault(
			node,
			"maple tree at %#" PRIx64 ": node %#" PRIx64
			"'s parent is %#" PRIx64 ", expected %#" PRIx64,
			w->tree, node, up, parent);
	uint64_t pivots[MAX_SLOTS] = {0}, slots[MAX_SLOTS];
	err = vmca_read(s, node + k->slot_off, slots, k->nr_slots * 8);
	if (!err && k->nr_pivots)
		err = vmca_read(s, node + k->pivot_off, pivots,
				k->nr_pivots * 8);
	if (err)
		return vmca_error_wrap(err, "maple tree at %#" PRIx64, w->tree);
	bool is_leaf = type == w->leaf_64 || type == w->dense;
	uint64_t lo = min;
	for (uint32_t i = 0; i < k->nr_slots; i++) {
		// Slot i covers [lo, pivot i]; the last slot up to max. A
		// zero pivot after the first, or one at max, ends the data.
		uint64_t hi = i < k->nr_pivots ? pivots[i] : max;
		if (type == w->dense)
			hi = lo;
		else if (i && !hi)
			break;
		if (hi < lo || hi > max)
			return vmca_error_fault(
				node,
				"maple tree at %#" PRIx64 ": node %#" PRIx64
				" slot %u: pivot %#" PRIx64
				" outside [%#" PRIx64 ", %#" PRIx64 "]",
				w->tree, node, i, hi, lo, max);
		uint64_t e = slots[i];
		if (e && !is_leaf) {
			err = maple_node(w, e, node, lo, hi, depth + 1);
			if (err)
				return err;
		} else if (e) {
			if (w->n >= w->max)
				return vmca_error_create(
					VMCA_ERROR_INVALID,
					"maple tree at %#" PRIx64
					": more than %" PRIu64
					" entries, giving up",
					w->tree, w->max);
			w->n++;
			struct vmca_walk_entry we = {e, lo, hi};
			err = w->fn(s, &we, w->arg);
			if (err)
				return err;
		}
		if (hi == max)
			break;
		lo = hi + 1;
	}
	return NULL;
}

struct vmca_error *vmca_walk_maple(struct vmca_session *s, uint64_t tree,
				   uint64_t max, vmca_walk_fn fn, void *arg)
{
	struct maple_walk w = {
		.s = s, .tree = tree, .max = max, .fn = fn, .arg = arg};
	uint64_t root_off;
	struct vmca_error *err =
		offset_of(s, "struct maple_tree", "ma_root", &root_off);
	if (!err)
		err = offset_of(s, "struct maple_node", "parent",
				&w.parent_off);
	if (!err)
		err = vmca_enum_value(s, "enum maple_type", "maple_dense",
				      &w.dense);
	if (!err)
		err = vmca_enum_value(s, "enum maple_type", "maple_leaf_64",
				      &w.leaf_64);
	if (!err)
		err = vmca_enum_value(s, "enum maple_type", "maple_range_64",
				      &w.range_64);
	if (!err)
		err = vmca_enum_value(s, "enum maple_type", "maple_arange_64",
				      &w.arange_64);
	if (err)
		return vmca_error_wrap(err, "maple tree");
	int64_t types[] = {w.leaf_64, w.range_64, w.arange_64};
	const char *layouts[] = {"maple_range_64", "maple_range_64",
				 "maple_arange_64"};
	for (size_t i = 0; i < 3; i++) {
		if (types[i] < 0 || types[i] > 3)
			return vmca_error_create(VMCA_ERROR_INVALID,
						 "enum maple_type out of "
						 "range");
		err = maple_layout(s, layouts[i], &w.kinds[types[i]]);
		if (err)
			return err;
	}
	uint64_t root;
	err = vmca_read_u64(s, tree + root_off, &root);
	if (err)
		return vmca_error_wrap(err, "maple tree at %#" PRIx64, tree);
	if (!root)
		return NULL;
	if (xa_is_node(root))
		return maple_node(&w, root, 0, 0, UINT64_MAX, 0);
	// A lone entry at index 0.
	struct vmca_walk_entry e = {root, 0, 0};
	return fn(s, &e, arg);
}

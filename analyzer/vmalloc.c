// SPDX-License-Identifier: MIT
/** @file The kernel's vmap areas, as /proc/vmallocinfo shows them. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kallsyms.h"
#include "vmalloc.h"
#include "vmca.h"
#include "util/hash_map.h"
#include "util/text.h"

// include/linux/vmalloc.h's vm_struct flags, the same values 5.10 to
// 6.12 (#defines: not in the debuginfo).
#define VM_IOREMAP	 0x00000001u
#define VM_ALLOC	 0x00000002u
#define VM_MAP		 0x00000004u
#define VM_USERMAP	 0x00000008u
#define VM_DMA_COHERENT	 0x00000010u
#define VM_UNINITIALIZED 0x00000020u
// Since commit e6f798225a31 ("mm: Introduce VM_SPARSE kind and
// vm_area_[un]map_pages().") (v6.9), which also prints it.
#define VM_SPARSE 0x00001000u
// mm/vmalloc.c's mark of a vm_map_ram() area in vmap_area.flags, since
// commit 869176a09606 ("mm/vmalloc.c: add flags to mark vm_map_ram area")
// (v6.3): a busy area without a vm_struct and without it is not shown.
#define VMAP_RAM 0x1u

// Bounds on untrusted walks: the vmalloc space (32 TiB on x86_64) holds
// at most this many areas of two pages; vmap nodes are at most 128.
#define MAX_AREAS	   (UINT64_C(1) << 24)
#define MAX_VMAP_NODES	   1024
#define MAX_NODES	   1024
#define PAGES_READ_CHUNK   512
#define VMAP_AREA_MAX_SIZE 256
#define VM_STRUCT_MAX_SIZE 256

const char *vmca_vmalloc_kind_name(enum vmca_vmalloc_kind kind)
{
	switch (kind) {
	case VMCA_VMALLOC_AREA:
		return "area";
	case VMCA_VMALLOC_VM_MAP_RAM:
		return "vm_map_ram";
	case VMCA_VMALLOC_UNPURGED:
		return "unpurged";
	}
	return "?";
}

/* Layouts, resolved once. */

struct field {
	uint64_t offset, size;
};

struct layout {
	uint64_t va_size;
	struct field va_start, va_end, va_list, va_vm, va_flags, va_purge;
	bool has_va_flags;
	uint64_t vm_size;
	struct field vm_addr, vm_sz, vm_flags, vm_pages, vm_page_order,
		vm_nr_pages, vm_phys_addr, vm_caller;
	bool has_page_order;
};

static struct vmca_error *field_of(struct vmca_session *s, const char *type,
				   const char *path, struct field *ret)
{
	struct vmca_member m;
	struct vmca_error *err = vmca_type_member(s, type, path, &m);
	if (err)
		return err;
	uint64_t size = vmca_type_sizeof(s, m.type);
	if (m.bit_size || m.bit_offset % 8 || !size || size > 8)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "%s.%s is not a plain integer or "
					 "pointer",
					 type, path);
	ret->offset = m.bit_offset / 8;
	ret->size = size;
	return NULL;
}

static struct vmca_error *layout_init(struct vmca_session *s, struct layout *l)
{
	static const char va[] = "struct vmap_area", vm[] = "struct vm_struct";
	memset(l, 0, sizeof(*l));
	struct vmca_error *err;
	if ((err = vmca_type_size(s, va, &l->va_size)) ||
	    (err = vmca_type_size(s, vm, &l->vm_size)) ||
	    (err = field_of(s, va, "va_start", &l->va_start)) ||
	    (err = field_of(s, va, "va_end", &l->va_end)) ||
	    (err = field_of(s, va, "vm", &l->va_vm)) ||
	    (err = field_of(s, vm, "addr", &l->vm_addr)) ||
	    (err = field_of(s, vm, "size", &l->vm_sz)) ||
	    (err = field_of(s, vm, "flags", &l->vm_flags)) ||
	    (err = field_of(s, vm, "pages", &l->vm_pages)) ||
	    (err = field_of(s, vm, "nr_pages", &l->vm_nr_pages)) ||
	    (err = field_of(s, vm, "phys_addr", &l->vm_phys_addr)) ||
	    (err = field_of(s, vm, "caller", &l->vm_caller)) ||
	    (err = vmca_type_member_offset(s, va, "list", &l->va_list.offset)))
		return err;
	if (l->va_size > VMAP_AREA_MAX_SIZE || l->vm_size > VM_STRUCT_MAX_SIZE)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "struct vmap_area (%" PRIu64
					 " bytes) or vm_struct (%" PRIu64
					 ") too large",
					 l->va_size, l->vm_size);
	l->has_va_flags =
		vmca_error_consume(field_of(s, va, "flags", &l->va_flags));
	// CONFIG_HAVE_ARCH_HUGE_VMALLOC's page_order, since commit
	// 121e6f3258fe ("mm/vmalloc: hugepage vmalloc mappings") (v5.13).
	l->has_page_order = vmca_error_consume(
		field_of(s, vm, "page_order", &l->vm_page_order));
	// Before commit 96e2db456135 ("mm/vmalloc: rework the drain logic")
	// (v5.11) the lazily freed areas are an llist through purge_list.
	vmca_error_consume(vmca_type_member_offset(s, va, "purge_list",
						   &l->va_purge.offset));
	return NULL;
}

static uint64_t get(const unsigned char *buf, struct field f)
{
	uint64_t v = 0;
	memcpy(&v, buf + f.offset, f.size); // little-endian (x86_64)
	return v;
}

/* The walk. */

struct caller_info {
	char text[192];
	bool has_symbol;
	char function[128];
	char module[64];
};

static uint64_t hash_caller(const uint64_t *k)
{
	return vmca_hash_u64(*k);
}

static bool eq_caller(const uint64_t *a, const uint64_t *b)
{
	return *a == *b;
}

DEFINE_HASH_MAP(caller_map, uint64_t, struct caller_info, hash_caller,
		eq_caller)
DEFINE_VECTOR(area_vector, struct vmca_vmalloc_area)

struct range {
	uint64_t start, end;
};
DEFINE_VECTOR(range_vector, struct range)

struct node_span {
	uint32_t nid;
	uint64_t start_pfn, end_pfn;
};

struct walk {
	struct vmca_session *s;
	struct vmca_vmalloc *v;
	struct layout l;
	struct area_vector areas;
	// The busy areas' [va_start, va_end), for is_vmalloc_addr().
	struct range_vector busy;
	struct caller_map callers;
	struct node_span nodes[MAX_NODES];
	uint32_t nr_nodes;
};

__attribute__((format(printf, 2, 3))) static void note(struct walk *w,
						       const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmca_strv_vaddf(&w->v->notes, &w->v->nr_notes, fmt, ap);
	va_end(ap);
}

static struct vmca_vmalloc_area *new_area(struct walk *w)
{
	if (w->areas.len >= MAX_AREAS)
		return NULL;
	return area_vector_append_entry(&w->areas);
}

static void set_caller(struct walk *w, struct vmca_vmalloc_area *a)
{
	bool is_new;
	struct caller_info *c =
		caller_map_insert(&w->callers, &a->caller, &is_new);
	struct caller_info local;
	if (!c) {
		memset(&local, 0, sizeof(local));
		c = &local;
		is_new = true;
	}
	if (is_new) {
		struct vmca_symbol sym;
		c->has_symbol = vmca_kallsyms_format(w->s, a->caller, c->text,
						     sizeof(c->text), &sym);
		if (c->has_symbol) {
			vmca_strf(c->function, sizeof(c->function), "%s",
				  sym.name);
			vmca_strf(c->module, sizeof(c->module), "%s",
				  sym.module ? sym.module : "");
		}
	}
	memcpy(a->caller_text, c->text, sizeof(a->caller_text));
	a->has_caller_symbol = c->has_symbol;
	memcpy(a->caller_function, c->function, sizeof(a->caller_function));
	memcpy(a->caller_module, c->module, sizeof(a->caller_module));
}

static struct vmca_error *read_vm(struct walk *w, struct vmca_vmalloc_area *a)
{
	const struct layout *l = &w->l;
	unsigned char buf[VM_STRUCT_MAX_SIZE];
	struct vmca_error *err = vmca_read(w->s, a->vm, buf, l->vm_size);
	if (err)
		return vmca_error_wrap(err, "vm_struct at %#" PRIx64, a->vm);
	a->start = get(buf, l->vm_addr);
	a->size = get(buf, l->vm_sz);
	a->end = a->start + a->size;
	a->flags = get(buf, l->vm_flags);
	a->nr_pages = get(buf, l->vm_nr_pages);
	a->pages = get(buf, l->vm_pages);
	if (l->has_page_order)
		a->page_order = (uint32_t)get(buf, l->vm_page_order);
	a->phys_addr = get(buf, l->vm_phys_addr);
	a->caller = get(buf, l->vm_caller);
	a->is_uninitialized = a->flags & VM_UNINITIALIZED;
	if (a->caller)
		set_caller(w, a);
	return NULL;
}

// One busy struct vmap_area.
static struct vmca_error *add_busy(struct walk *w, uint64_t va)
{
	const struct layout *l = &w->l;
	struct vmca_vmalloc_area *a = new_area(w);
	if (!a)
		return w->areas.len >= MAX_AREAS
			       ? vmca_error_create(VMCA_ERROR_INVALID,
						   "more than %" PRIu64
						   " vmap areas",
						   MAX_AREAS)
			       : &vmca_enomem;
	a->vmap_area = va;
	unsigned char buf[VMAP_AREA_MAX_SIZE];
	struct vmca_error *err = vmca_read(w->s, va, buf, l->va_size);
	if (err) {
		a->err = vmca_error_wrap(err, "vmap_area at %#" PRIx64, va);
		return NULL;
	}
	uint64_t start = get(buf, l->va_start), end = get(buf, l->va_end);
	if (end > start &&
	    !range_vector_append(&w->busy, (struct range){start, end}))
		return &vmca_enomem;
	a->vm = get(buf, l->va_vm);
	if (!a->vm) {
		// s_show(): "can encounter race with remove_vm_area, !vm on
		// behalf of vmap area is being tear down or vm_map_ram
		// allocation"; since v6.3 only VMAP_RAM ones are shown.
		if (l->has_va_flags && !(get(buf, l->va_flags) & VMAP_RAM)) {
			w->areas.len--;
			return NULL;
		}
		a->kind = VMCA_VMALLOC_VM_MAP_RAM;
		a->start = start;
		a->end = end;
		a->size = end - start;
		return NULL;
	}
	a->kind = VMCA_VMALLOC_AREA;
	a->err = read_vm(w, a);
	if (a->err) {
		a->start = start;
		a->end = end;
		a->size = end - start;
	}
	return NULL;
}

static struct vmca_error *add_unpurged(struct walk *w, uint64_t va)
{
	const struct layout *l = &w->l;
	struct vmca_vmalloc_area *a = new_area(w);
	if (!a)
		return w->areas.len >= MAX_AREAS
			       ? vmca_error_create(VMCA_ERROR_INVALID,
						   "more than %" PRIu64
						   " vmap areas",
						   MAX_AREAS)
			       : &vmca_enomem;
	a->kind = VMCA_VMALLOC_UNPURGED;
	a->vmap_area = va;
	unsigned char buf[VMAP_AREA_MAX_SIZE];
	struct vmca_error *err = vmca_read(w->s, va, buf, l->va_size);
	if (err) {
		a->err = vmca_error_wrap(err, "vmap_area at %#" PRIx64, va);
		return NULL;
	}
	a->start = get(buf, l->va_start);
	a->end = get(buf, l->va_end);
	a->size = a->end - a->start;
	return NULL;
}

static struct vmca_error *busy_entry(struct vmca_session *s,
				     const struct vmca_walk_entry *e, void *arg)
{
	(void)s;
	struct walk *w = arg;
	return add_busy(w, e->address - w->l.va_list.offset);
}

static struct vmca_error *lazy_entry(struct vmca_session *s,
				     const struct vmca_walk_entry *e, void *arg)
{
	(void)s;
	struct walk *w = arg;
	return add_unpurged(w, e->address - w->l.va_list.offset);
}

static struct vmca_error *
llist_entry(struct vmca_session *s, const struct vmca_walk_entry *e, void *arg)
{
	(void)s;
	struct walk *w = arg;
	return add_unpurged(w, e->address - w->l.va_purge.offset);
}

// A walk that broke: the areas before it are kept, the rest is noted.
static struct vmca_error *walk_result(struct walk *w, struct vmca_error *err,
				      const char *what)
{
	if (!err)
		return NULL;
	if (err == &vmca_enomem || err->code == VMCA_ERROR_NOMEM)
		return err;
	note(w, "%s: %s (the areas before it are listed)", what, err->message);
	vmca_error_destroy(err);
	return NULL;
}

// Since commit d093602919ad ("mm: vmalloc: remove global vmap_area_root
// rb-tree") (v6.9) the busy and lazy areas are per vmap node, each list
// sorted by address; vmalloc_info_show() prints node by node.
static struct vmca_error *walk_nodes(struct walk *w, uint64_t nodes_var,
				     uint64_t nr_var)
{
	struct vmca_session *s = w->s;
	uint64_t nodes, node_size, busy, lazy;
	uint32_t nr;
	struct vmca_error *err;
	if ((err = vmca_read_u64(s, nodes_var, &nodes)) ||
	    (err = vmca_read_u32(s, nr_var, &nr)) ||
	    (err = vmca_type_size(s, "struct vmap_node", &node_size)) ||
	    (err = vmca_type_member_offset(s, "struct vmap_node", "busy.head",
					   &busy)) ||
	    (err = vmca_type_member_offset(s, "struct vmap_node", "lazy.head",
					   &lazy)))
		return err;
	if (!nr || nr > MAX_VMAP_NODES)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "nr_vmap_nodes is %" PRIu32, nr);
	uint64_t max = vmca_walk_default_max(s);
	char what[64];
	for (uint32_t i = 0; i < nr; i++) {
		vmca_strf(what, sizeof(what), "vmap_nodes[%" PRIu32 "].busy",
			  i);
		err = walk_result(w,
				  vmca_walk_list(s,
						 nodes + i * node_size + busy,
						 true, max, busy_entry, w),
				  what);
		if (err)
			return err;
	}
	for (uint32_t i = 0; i < nr; i++) {
		vmca_strf(what, sizeof(what), "vmap_nodes[%" PRIu32 "].lazy",
			  i);
		err = walk_result(w,
				  vmca_walk_list(s,
						 nodes + i * node_size + lazy,
						 true, max, lazy_entry, w),
				  what);
		if (err)
			return err;
	}
	return NULL;
}

static struct vmca_error *walk_global(struct walk *w)
{
	struct vmca_session *s = w->s;
	uint64_t list, max = vmca_walk_default_max(s);
	struct vmca_error *err =
		vmca_symbol_address(s, "vmap_area_list", &list);
	if (err)
		return err;
	err = walk_result(w, vmca_walk_list(s, list, true, max, busy_entry, w),
			  "vmap_area_list");
	if (err)
		return err;
	// v5.11 to v6.8: purge_vmap_area_list, sorted (the areas merged
	// where they touch); before, the llist vmap_purge_list (newest
	// first).
	if (vmca_error_consume(
		    vmca_symbol_address(s, "purge_vmap_area_list", &list)))
		return walk_result(
			w, vmca_walk_list(s, list, true, max, lazy_entry, w),
			"purge_vmap_area_list");
	uint64_t first;
	if ((err = vmca_symbol_address(s, "vmap_purge_list", &list)) ||
	    (err = vmca_read_u64(s, list, &first)))
		return walk_result(w, err, "vmap_purge_list");
	if (!first)
		return NULL;
	return walk_result(w, vmca_walk_chain(s, first, 0, max, llist_entry, w),
			   "vmap_purge_list");
}

/* After the walk: is_vmalloc_addr(v->pages), the pages per node. */

static int by_start(const void *a, const void *b)
{
	const struct range *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

static bool in_busy(const struct walk *w, uint64_t address)
{
	size_t lo = 0, hi = w->busy.len;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (w->busy.data[mid].start <= address)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo && address < w->busy.data[lo - 1].end;
}

static struct vmca_error *add_node(struct vmca_session *s, uint32_t nid,
				   uint64_t pgdat, void *arg)
{
	struct walk *w = arg;
	if (w->nr_nodes >= MAX_NODES)
		return NULL;
	uint64_t start, spanned;
	struct vmca_error *err;
	if ((err = vmca_read_member(s, pgdat, "struct pglist_data",
				    "node_start_pfn", &start)) ||
	    (err = vmca_read_member(s, pgdat, "struct pglist_data",
				    "node_spanned_pages", &spanned)))
		return err;
	w->nodes[w->nr_nodes++] =
		(struct node_span){nid, start, start + spanned};
	return NULL;
}

// page_to_nid(), from the nodes' pfn spans.
static bool page_nid(struct walk *w, uint64_t page, uint32_t *ret)
{
	uint64_t pfn;
	if (!vmca_error_consume(vmca_page_to_pfn(w->s, page, &pfn)))
		return false;
	for (uint32_t i = 0; i < w->nr_nodes; i++) {
		if (pfn >= w->nodes[i].start_pfn && pfn < w->nodes[i].end_pfn) {
			*ret = w->nodes[i].nid;
			return true;
		}
	}
	return false;
}

static bool count_node(struct vmca_vmalloc_area *a, uint32_t nid,
		       uint32_t pages)
{
	for (size_t i = 0; i < a->nr_node_pages; i++) {
		if (a->node_pages[i].nid == nid) {
			a->node_pages[i].pages += pages;
			return true;
		}
	}
	struct vmca_vmalloc_node_pages *grown =
		realloc(a->node_pages, (a->nr_node_pages + 1) * sizeof(*grown));
	if (!grown)
		return false;
	a->node_pages = grown;
	// Kept in node order, as for_each_node_state() prints them.
	size_t i = a->nr_node_pages++;
	for (; i && grown[i - 1].nid > nid; i--)
		grown[i] = grown[i - 1];
	grown[i] = (struct vmca_vmalloc_node_pages){nid, pages};
	return true;
}

// show_numa_info(): counters[page_to_nid(pages[nr])] += step for nr in
// steps of 1 << page_order below nr_pages.
static struct vmca_error *numa_info(struct walk *w, struct vmca_vmalloc_area *a)
{
	if (a->page_order >= 32)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "vm_struct at %#" PRIx64
					 ": page_order %" PRIu32,
					 a->vm, a->page_order);
	uint64_t step = UINT64_C(1) << a->page_order;
	if (w->nr_nodes == 1) {
		// One node holds every page: nothing to read.
		uint64_t n = (a->nr_pages + step - 1) / step * step;
		return count_node(a, w->nodes[0].nid, (uint32_t)n)
			       ? NULL
			       : &vmca_enomem;
	}
	struct vmca_error *err;
	uint64_t chunk[PAGES_READ_CHUNK];
	for (uint64_t nr = 0; nr < a->nr_pages; nr += step) {
		uint64_t at = nr % PAGES_READ_CHUNK;
		if (nr == 0 || at < step) {
			uint64_t n = a->nr_pages - (nr - at);
			if (n > PAGES_READ_CHUNK)
				n = PAGES_READ_CHUNK;
			err = vmca_read(w->s, a->pages + 8 * (nr - at), chunk,
					8 * n);
			if (err)
				return vmca_error_wrap(
					err, "pages of vm_struct %#" PRIx64,
					a->vm);
		}
		uint32_t nid;
		if (chunk[at] && page_nid(w, chunk[at], &nid) &&
		    !count_node(a, nid, (uint32_t)step))
			return &vmca_enomem;
	}
	return NULL;
}

static struct vmca_error *pages_info(struct walk *w)
{
	struct vmca_session *s = w->s;
	if (w->busy.len)
		qsort(w->busy.data, w->busy.len, sizeof(*w->busy.data),
		      by_start);
	struct vmca_vmalloc *v = w->v;
	if (v->has_numa) {
		struct vmca_error *err = vmca_node_walk(s, add_node, w);
		if (err || !w->nr_nodes) {
			note(w, "the nodes' page spans: %s (no N<nid>= counts)",
			     err ? err->message : "no node");
			vmca_error_destroy(err);
			v->has_numa = false;
		}
	}
	for (size_t i = 0; i < v->nr_areas; i++) {
		struct vmca_vmalloc_area *a = &v->areas[i];
		if (a->kind != VMCA_VMALLOC_AREA || a->err)
			continue;
		a->is_vpages = in_busy(w, a->pages);
		if (!v->has_numa || a->is_uninitialized || !a->nr_pages)
			continue;
		struct vmca_error *err = numa_info(w, a);
		if (err == &vmca_enomem)
			return err;
		a->err = err;
	}
	return NULL;
}

/* Grouping. */

static int by_size(const void *a, const void *b)
{
	const struct vmca_vmalloc_group *x = a, *y = b;
	if (x->size != y->size)
		return x->size > y->size ? -1 : 1;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	int c = strcmp(x->function, y->function);
	return c ? c : strcmp(x->module, y->module);
}

static struct vmca_error *group(struct vmca_vmalloc *v)
{
	for (size_t i = 0; i < v->nr_areas; i++) {
		const struct vmca_vmalloc_area *a = &v->areas[i];
		char function[128] = "", module[64] = "";
		if (a->kind == VMCA_VMALLOC_AREA && a->has_caller_symbol) {
			vmca_strf(function, sizeof(function), "%s",
				  a->caller_function);
			vmca_strf(module, sizeof(module), "%s",
				  a->caller_module);
		} else if (a->kind == VMCA_VMALLOC_AREA && a->caller) {
			vmca_strf(function, sizeof(function), "%s",
				  a->caller_text);
		}
		size_t g = 0;
		for (; g < v->nr_groups; g++) {
			const struct vmca_vmalloc_group *x = &v->groups[g];
			if (x->kind == a->kind &&
			    strcmp(x->function, function) == 0 &&
			    strcmp(x->module, module) == 0)
				break;
		}
		if (g == v->nr_groups) {
			// Groups are few (callers of vmalloc): grown by one.
			struct vmca_vmalloc_group *grown = realloc(
				v->groups, (v->nr_groups + 1) * sizeof(*grown));
			if (!grown)
				return &vmca_enomem;
			v->groups = grown;
			memset(&grown[g], 0, sizeof(grown[g]));
			grown[g].kind = a->kind;
			memcpy(grown[g].function, function, sizeof(function));
			memcpy(grown[g].module, module, sizeof(module));
			v->nr_groups++;
		}
		v->groups[g].count++;
		v->groups[g].size += a->size;
		v->groups[g].pages += a->nr_pages;
	}
	if (v->nr_groups)
		qsort(v->groups, v->nr_groups, sizeof(*v->groups), by_size);
	return NULL;
}

void vmca_vmalloc_destroy(struct vmca_vmalloc *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->nr_areas; i++) {
		free(v->areas[i].node_pages);
		vmca_error_destroy(v->areas[i].err);
	}
	free(v->areas);
	free(v->groups);
	vmca_strv_free(v->notes, v->nr_notes);
	free(v);
}

struct vmca_error *vmca_vmalloc_areas(struct vmca_session *s,
				      struct vmca_vmalloc **ret)
{
	struct vmca_vmalloc *v = calloc(1, sizeof(*v));
	// The node table is large for a stack.
	struct walk *w = calloc(1, sizeof(*w));
	if (!v || !w) {
		free(v);
		free(w);
		return &vmca_enomem;
	}
	w->s = s;
	w->v = v;
	area_vector_init(&w->areas);
	range_vector_init(&w->busy);
	caller_map_init(&w->callers);
	uint64_t nodes, nr, sym;
	v->has_numa =
		vmca_error_consume(vmca_symbol_address(s, "node_data", &sym));
	v->has_sparse = vmca_error_consume(
		vmca_symbol_address(s, "vm_area_map_pages", &sym));
	struct vmca_error *err = layout_init(s, &w->l);
	if (!err) {
		if (vmca_error_consume(
			    vmca_symbol_address(s, "vmap_nodes", &nodes)) &&
		    vmca_error_consume(
			    vmca_symbol_address(s, "nr_vmap_nodes", &nr)))
			err = walk_nodes(w, nodes, nr);
		else
			err = walk_global(w);
	}
	v->areas = w->areas.data;
	v->nr_areas = w->areas.len;
	if (!err)
		err = pages_info(w);
	if (!err)
		err = group(v);
	range_vector_deinit(&w->busy);
	caller_map_deinit(&w->callers);
	free(w);
	if (err) {
		vmca_vmalloc_destroy(v);
		return vmca_error_wrap(err, "vmalloc areas");
	}
	*ret = v;
	return NULL;
}

size_t vmca_vmalloc_flag_words(const struct vmca_vmalloc *v,
			       const struct vmca_vmalloc_area *a,
			       const char **words, size_t max)
{
	size_t n = 0;
#define WORD(cond, word)                   \
	do {                               \
		if ((cond) && n < max)     \
			words[n++] = word; \
	} while (0)
	if (a->kind != VMCA_VMALLOC_AREA)
		return 0;
	WORD(a->flags & VM_IOREMAP, "ioremap");
	WORD(v->has_sparse && (a->flags & VM_SPARSE), "sparse");
	WORD(a->flags & VM_ALLOC, "vmalloc");
	WORD(a->flags & VM_MAP, "vmap");
	WORD(a->flags & VM_USERMAP, "user");
	WORD(a->flags & VM_DMA_COHERENT, "dma-coherent");
	WORD(a->is_vpages, "vpages");
#undef WORD
	return n;
}

void vmca_vmalloc_group_label(const struct vmca_vmalloc_group *g, char *buf,
			      size_t size)
{
	if (g->kind != VMCA_VMALLOC_AREA)
		vmca_strf(buf, size, "(%s)",
			  g->kind == VMCA_VMALLOC_UNPURGED ? "unpurged vm_area"
							   : "vm_map_ram");
	else if (!g->function[0])
		vmca_strf(buf, size, "(no caller)");
	else
		vmca_strf(buf, size, "%s%s%s%s", g->function,
			  g->module[0] ? " [" : "", g->module,
			  g->module[0] ? "]" : "");
}

void vmca_vmalloc_group_json(struct vmca_out *out,
			     const struct vmca_vmalloc_group *g)
{
	vmca_out_begin_object(out, NULL, VMCA_OUT_TEXT_CUSTOM);
	vmca_out_str(out, "caller",
		     g->kind == VMCA_VMALLOC_AREA && g->function[0]
			     ? g->function
			     : NULL);
	vmca_out_str(out, "module", g->module[0] ? g->module : NULL);
	vmca_out_str(out, "kind", vmca_vmalloc_kind_name(g->kind));
	vmca_out_u64(out, "count", g->count);
	vmca_out_u64(out, "size", g->size);
	vmca_out_u64(out, "pages", g->pages);
	vmca_out_end_object(out);
}

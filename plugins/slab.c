// SPDX-License-Identifier: MIT
// plugins/slab.c: SLUB caches as /proc/slabinfo computes them, and the
// objects really allocated, found by the core's walk of every slab and
// its freelists (analyzer/slab_walk.c).
#include <stdlib.h>
#include <string.h>

#include "vmca.h"

static void errors_out(struct vmca_out *out, const char *key,
		       const struct vmca_slab_errors *e)
{
	vmca_out_begin_list(out, key, 0);
	struct vmca_error **p;
	vector_for_each (&e->kept, p)
		vmca_out_error(out, NULL, *p);
	vmca_out_end_list(out);
	if (e->count > e->kept.len)
		vmca_out_u64(out, "errors_not_shown", e->count - e->kept.len);
}

static void text_errors(struct vmca_out *out, const char *name,
			const struct vmca_slab_errors *e)
{
	struct vmca_error **p;
	vector_for_each (&e->kept, p)
		vmca_out_textf(out, "  %s: %s\n", name, (*p)->message);
	if (e->count > e->kept.len)
		vmca_out_textf(out, "  %s: %" PRIu64 " more errors\n", name,
			       e->count - e->kept.len);
}

static void cache_out(const struct vmca_slab_walk *w, struct vmca_out *out,
		      const struct vmca_slab_cache *c)
{
	vmca_out_begin_object(out, NULL, 0);
	vmca_out_str(out, "name", c->name);
	vmca_out_addr(out, "address", c->address);
	vmca_out_u64(out, "object_size", c->object_size);
	vmca_out_u64(out, "size", c->size);
	vmca_out_u64(out, "objs_per_slab", c->objs_per_slab);
	vmca_out_u64(out, "pages_per_slab", UINT64_C(1) << c->order);
	vmca_out_u64(out, "active_objs", vmca_slab_cache_active_objs(c));
	vmca_out_u64(out, "num_objs", c->total_objects);
	vmca_out_u64(out, "active_slabs", c->nr_slabs);
	vmca_out_u64(out, "num_slabs", c->nr_slabs);
	vmca_out_u64(out, "nr_partial", c->nr_partial);
	vmca_out_u64(out, "allocated", c->allocated);
	vmca_out_u64(out, "free", c->free);
	vmca_out_u64(out, "memory_bytes", vmca_slab_cache_memory(w, c));
	vmca_out_bool(out, "reclaimable", vmca_slab_cache_is_reclaimable(w, c));
	vmca_out_i64(out, "refcount", c->refcount);
	vmca_out_u64(out, "slabs_found", c->slabs_found);
	vmca_out_u64(out, "objects_found", c->objects_found);
	vmca_out_u64(out, "unverified", c->unverified);
	vmca_out_u64(out, "unknown", c->unknown);
	vmca_out_begin_object(out, "slabs_by_list", 0);
	vmca_out_u64(out, "node_partial", c->node_partial_slabs);
	vmca_out_u64(out, "node_full", c->node_full_slabs);
	vmca_out_u64(out, "cpu", c->cpu_slabs);
	vmca_out_u64(out, "cpu_partial", c->cpu_partial_slabs);
	vmca_out_u64(out, "unlisted", c->unlisted_slabs);
	vmca_out_end_object(out);
	errors_out(out, "errors", &c->errors);
	vmca_out_end_object(out);
}

// A size in KiB or MiB, /proc/meminfo style.
static void format_size(char *buf, size_t size, uint64_t bytes)
{
	if (bytes >= UINT64_C(10) << 30)
		snprintf(buf, size, "%" PRIu64 "G", bytes >> 30);
	else if (bytes >= UINT64_C(10) << 20)
		snprintf(buf, size, "%" PRIu64 "M", bytes >> 20);
	else
		snprintf(buf, size, "%" PRIu64 "K", bytes >> 10);
}

struct sort_ctx {
	const struct vmca_slab_walk *w;
	const struct vmca_slab_cache *caches;
};

static int compare_memory(const void *a, const void *b, void *arg)
{
	const struct sort_ctx *ctx = arg;
	const struct vmca_slab_cache *x = &ctx->caches[*(const uint32_t *)a];
	const struct vmca_slab_cache *y = &ctx->caches[*(const uint32_t *)b];
	uint64_t mx = vmca_slab_cache_memory(ctx->w, x),
		 my = vmca_slab_cache_memory(ctx->w, y);
	if (mx != my)
		return mx > my ? -1 : 1;
	return strcmp(x->name, y->name);
}

static void table_out(struct vmca_slab_walk *w, struct vmca_out *out)
{
	size_t nr;
	const struct vmca_slab_cache *caches = vmca_slab_walk_caches(w, &nr);
	struct vmca_slab_walk_info info;
	vmca_slab_walk_info(w, &info);
	_cleanup_free_ uint32_t *order = calloc(nr + 1, sizeof(*order));
	uint32_t n = 0;
	for (uint32_t i = 0; order && i < nr; i++) {
		if (caches[i].is_selected)
			order[n++] = i;
	}
	struct sort_ctx ctx = {w, caches};
	if (order)
		qsort_r(order, n, sizeof(*order), compare_memory, &ctx);

	uint64_t total = 0, reclaimable = 0, slabs = 0;
	for (uint32_t i = 0; i < n; i++) {
		const struct vmca_slab_cache *c = &caches[order[i]];
		uint64_t bytes = vmca_slab_cache_memory(w, c);
		total += bytes;
		slabs += c->nr_slabs;
		if (vmca_slab_cache_is_reclaimable(w, c))
			reclaimable += bytes;
	}

	vmca_out_begin_object(out, NULL, VMCA_OUT_TEXT_CUSTOM);
	vmca_out_begin_list(out, "caches", 0);
	for (uint32_t i = 0; i < n; i++)
		cache_out(w, out, &caches[order[i]]);
	vmca_out_end_list(out);
	vmca_out_u64(out, "memory_bytes", total);
	vmca_out_u64(out, "reclaimable_bytes", reclaimable);
	vmca_out_u64(out, "unreclaimable_bytes", total - reclaimable);
	vmca_out_str(out, "freelist_encoding", info.freelist_encoding);
	vmca_out_bool(out, "scanned", info.has_scanned);
	vmca_out_u64(out, "scanned_pfns", info.scanned_pfns);
	vmca_out_u64(out, "missing_pfns", info.missing_pfns);
	vmca_out_u64(out, "kfence_slabs", info.kfence_slabs);
	vmca_out_u64(out, "foreign_slabs", info.foreign_slabs);
	errors_out(out, "errors", info.errors);

	vmca_out_textf(out, "%-24s %8s %8s %8s %7s %5s %3s %7s %7s %s\n",
		       "NAME", "ACTIVE", "OBJS", "ALLOC", "OBJSIZE", "PER",
		       "PG", "SLABS", "MEMORY", "R");
	for (uint32_t i = 0; i < n; i++) {
		const struct vmca_slab_cache *c = &caches[order[i]];
		char mem[32];
		format_size(mem, sizeof(mem), vmca_slab_cache_memory(w, c));
		char alloc[32];
		if (c->unknown)
			snprintf(alloc, sizeof(alloc), "%" PRIu64 "+?",
				 c->allocated);
		else
			snprintf(alloc, sizeof(alloc), "%" PRIu64,
				 c->allocated);
		vmca_out_textf(out,
			       "%-24s %8" PRIu64 " %8" PRIu64
			       " %8s %7u %5u %3u %7" PRIu64 " %7s %s\n",
			       c->name, vmca_slab_cache_active_objs(c),
			       c->total_objects, alloc, c->size,
			       c->objs_per_slab, 1u << c->order, c->nr_slabs,
			       mem,
			       vmca_slab_cache_is_reclaimable(w, c) ? "R" : "");
	}
	char t[32], r[32], u[32];
	format_size(t, sizeof(t), total);
	format_size(r, sizeof(r), reclaimable);
	format_size(u, sizeof(u), total - reclaimable);
	vmca_out_textf(out,
		       "\n%u caches, %" PRIu64 " slabs, %s"
		       " (reclaimable %s ~ SReclaimable, unreclaimable %s"
		       " ~ SUnreclaim less large kmallocs)\n",
		       n, slabs, t, r, u);
	vmca_out_textf(out,
		       "ACTIVE, OBJS as /proc/slabinfo; ALLOC: objects not on "
		       "any freelist (freelists %s)\n",
		       info.freelist_encoding);

	if (info.kfence_slabs)
		vmca_out_textf(out,
			       "%" PRIu64 " KFENCE pages (one object each, "
			       "outside the caches' counts) not listed\n",
			       info.kfence_slabs);
	if (info.foreign_slabs)
		vmca_out_textf(out,
			       "%" PRIu64 " slab pages of caches not on "
			       "slab_caches\n",
			       info.foreign_slabs);

	bool has_errors = info.errors->count;
	for (uint32_t i = 0; i < n; i++)
		has_errors |= caches[order[i]].errors.count != 0;
	if (has_errors)
		vmca_out_textf(out, "\nErrors:\n");
	text_errors(out, "slab", info.errors);
	for (uint32_t i = 0; i < n; i++) {
		const struct vmca_slab_cache *c = &caches[order[i]];
		text_errors(out, c->name, &c->errors);
	}
	vmca_out_end_object(out);
}

/* --find */

static const char *const find_states[] = {
	[VMCA_SLAB_FIND_NOT_SLAB] = "not_slab",
	[VMCA_SLAB_FIND_PADDING] = "padding",
	[VMCA_SLAB_FIND_UNKNOWN] = "unknown",
	[VMCA_SLAB_FIND_FREE] = "free",
	[VMCA_SLAB_FIND_ALLOCATED] = "allocated",
};

static struct vmca_error *find_out(struct vmca_slab_walk *w,
				   struct vmca_out *out, uint64_t address)
{
	struct vmca_slab_find f;
	struct vmca_error *err = vmca_slab_walk_find(w, address, &f);
	if (err)
		return err;
	vmca_out_begin_object(out, NULL, VMCA_OUT_TEXT_CUSTOM);
	vmca_out_addr(out, "address", address);
	vmca_out_addr(out, "page", f.page);
	if (f.state == VMCA_SLAB_FIND_NOT_SLAB) {
		vmca_out_null(out, "cache");
		vmca_out_str(out, "state", find_states[f.state]);
		vmca_out_textf(out,
			       "%#" PRIx64 ": not in a slab (page %#" PRIx64
			       " is no slab page)\n",
			       address, f.page);
		vmca_out_end_object(out);
		return NULL;
	}
	size_t nr;
	const struct vmca_slab_cache *c =
		&vmca_slab_walk_caches(w, &nr)[f.cache];
	const char *list = vmca_slab_list_names[f.list];
	vmca_out_str(out, "cache", c->name);
	vmca_out_addr(out, "cache_address", c->address);
	vmca_out_addr(out, "slab", f.page);
	vmca_out_addr(out, "slab_base", f.slab_base);
	vmca_out_str(out, "list", list);
	vmca_out_u64(out, "slab_objects", f.objects);
	vmca_out_u64(out, "slab_inuse", f.inuse);
	if (f.cpu >= 0)
		vmca_out_i64(out, "cpu", f.cpu);
	vmca_out_bool(out, "kfence", f.is_kfence);
	const char *state = find_states[f.state];
	if (f.state != VMCA_SLAB_FIND_PADDING) {
		vmca_out_addr(out, "object", f.object);
		vmca_out_u64(out, "index", f.index);
		vmca_out_u64(out, "offset", f.offset);
		vmca_out_u64(out, "object_size", c->object_size);
		vmca_out_u64(out, "size", c->size);
	}
	vmca_out_str(out, "state", state);
	errors_out(out, "errors", &c->errors);

	if (f.state != VMCA_SLAB_FIND_PADDING)
		vmca_out_textf(out,
			       "%#" PRIx64 ": %s object %#" PRIx64 "+%#" PRIx64
			       " (index %" PRIu64
			       ", %u bytes) of cache %s (%#" PRIx64 ")\n",
			       address, state, f.object, f.offset, f.index,
			       c->size, c->name, c->address);
	else
		vmca_out_textf(out,
			       "%#" PRIx64
			       ": slab padding, in no object, of cache %s "
			       "(%#" PRIx64 ")\n",
			       address, c->name, c->address);
	vmca_out_textf(out, "  slab %#" PRIx64 " at %#" PRIx64 ", %s", f.page,
		       f.slab_base, list);
	if (f.cpu >= 0)
		vmca_out_textf(out, " of CPU %d", f.cpu);
	vmca_out_textf(out, ", %u of %u objects in use%s\n", f.inuse, f.objects,
		       f.is_kfence ? ", KFENCE" : "");
	text_errors(out, c->name, &c->errors);
	vmca_out_end_object(out);
	return NULL;
}

/* --objects */

struct emit {
	struct vmca_out *out;
	uint64_t count;
};

static struct vmca_error *emit_allocated(struct vmca_session *s,
					 const struct vmca_slab_object *o,
					 void *arg)
{
	(void)s;
	struct emit *e = arg;
	if (o->state != VMCA_SLAB_OBJECT_ALLOCATED)
		return NULL;
	vmca_out_addr(e->out, NULL, o->address);
	vmca_out_textf(e->out, "%#" PRIx64 "\n", o->address);
	e->count++;
	return NULL;
}

static struct vmca_error *objects_out(struct vmca_slab_walk *w,
				      struct vmca_out *out)
{
	vmca_out_begin_object(out, NULL, 0);
	vmca_out_begin_list(out, "objects", VMCA_OUT_TEXT_CUSTOM);
	struct emit e = {.out = out};
	struct vmca_error *err = vmca_slab_walk_run(w, emit_allocated, &e);
	vmca_out_end_list(out);
	if (err) {
		vmca_out_end_object(out);
		return err;
	}
	size_t nr;
	const struct vmca_slab_cache *caches = vmca_slab_walk_caches(w, &nr);
	uint64_t allocated = 0, unverified = 0, unknown = 0;
	for (size_t i = 0; i < nr; i++) {
		const struct vmca_slab_cache *c = &caches[i];
		if (!c->is_selected)
			continue;
		if (!allocated && !unknown && !unverified) {
			vmca_out_str(out, "cache", c->name);
			vmca_out_addr(out, "cache_address", c->address);
		}
		allocated += c->allocated;
		unverified += c->unverified;
		unknown += c->unknown;
	}
	vmca_out_u64(out, "count", e.count);
	vmca_out_u64(out, "allocated", allocated);
	vmca_out_u64(out, "unverified", unverified);
	vmca_out_u64(out, "unknown", unknown);
	vmca_out_begin_list(out, "errors", 0);
	struct vmca_error **p;
	for (size_t i = 0; i < nr; i++) {
		if (!caches[i].is_selected)
			continue;
		vector_for_each (&caches[i].errors.kept, p)
			vmca_out_error(out, NULL, *p);
	}
	struct vmca_slab_walk_info info;
	vmca_slab_walk_info(w, &info);
	vector_for_each (&info.errors->kept, p)
		vmca_out_error(out, NULL, *p);
	vmca_out_end_list(out);
	vmca_out_end_object(out);
	return NULL;
}

/* The command. */

static struct vmca_error *usage(void)
{
	return vmca_error_create(VMCA_ERROR_USAGE,
				 "usage: vmca VMCORE slab [CACHE [--objects]] "
				 "| slab --find ADDRESS");
}

static struct vmca_error *slab_run(struct vmca_session *s, struct vmca_out *out,
				   int argc, char **argv)
{
	const char *name = NULL, *find = NULL;
	bool want_objects = false;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--objects") == 0 ||
		    strcmp(argv[i], "-o") == 0)
			want_objects = true;
		else if (strcmp(argv[i], "--find") == 0 && i + 1 < argc)
			find = argv[++i];
		else if (strncmp(argv[i], "--find=", 7) == 0)
			find = argv[i] + 7;
		else if (argv[i][0] != '-' && !name)
			name = argv[i];
		else
			return usage();
	}
	if ((want_objects && !name) || (find && (name || want_objects)))
		return usage();
	uint64_t address = 0;
	if (find) {
		struct vmca_error *err = vmca_parse_address(s, find, &address);
		if (err)
			return err;
	}

	struct vmca_slab_walk *w;
	struct vmca_error *err = vmca_slab_walk_create(s, &w);
	if (err)
		return err;
	if (find) {
		err = find_out(w, out, address);
	} else {
		err = vmca_slab_walk_select(w, name);
		if (!err && want_objects)
			err = objects_out(w, out);
		else if (!err)
			err = vmca_slab_walk_run(w, NULL, NULL);
		if (!err && !want_objects)
			table_out(w, out);
	}
	vmca_slab_walk_destroy(w);
	return err;
}

const struct vmca_plugin vmca_plugin_slab = {
	.name = "slab",
	.summary = "SLUB caches as /proc/slabinfo, with the objects really "
		   "allocated",
	.usage = "slab [CACHE [--objects]] | slab --find ADDRESS",
	.help = "Every cache on slab_caches, sorted by memory, with the "
		"columns of\n"
		"/proc/slabinfo computed as the kernel does (ACTIVE counts "
		"the free\n"
		"objects of node partial lists only) and ALLOC, the objects on "
		"no\n"
		"freelist, found by walking every slab: the node lists, the "
		"CPU\n"
		"slabs and CPU partial slabs, and the full slabs no list holds "
		"(by\n"
		"a scan of the struct pages). CACHE limits the table to one "
		"cache.\n"
		"--objects lists the allocated objects of CACHE.\n"
		"--find ADDRESS names the cache, slab and object holding "
		"ADDRESS,\n"
		"and whether that object is allocated or free.\n"
		"JSON: {\"caches\": [{\"name\", \"address\", \"object_size\", "
		"\"size\",\n"
		"\"objs_per_slab\", \"pages_per_slab\", \"active_objs\", "
		"\"num_objs\",\n"
		"\"active_slabs\", \"num_slabs\", \"allocated\", \"free\", "
		"\"memory_bytes\",\n"
		"\"reclaimable\", \"slabs_found\", \"unverified\", "
		"\"unknown\", \"errors\", ...}],\n"
		"\"memory_bytes\", \"reclaimable_bytes\", "
		"\"unreclaimable_bytes\", \"errors\"}.\n"
		"A corrupt freelist (a cycle, a pointer out of its slab) is "
		"an error of\n"
		"that slab; its in-use count then comes from slab->inuse "
		"(\"unverified\").\n",
	.examples =
		"slab\tevery cache, with its allocated objects counted\n"
		"slab task_struct --objects\tone cache's allocated objects\n"
		"slab --find init_task\twhich cache and object hold an "
		"address\n",
	.run = slab_run,
};

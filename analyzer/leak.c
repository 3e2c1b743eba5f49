// SPDX-License-Identifier: MIT
// analyzer/leak.c: where the memory is, orphaned kernel objects, and an
// offline kmemleak: a conservative pointer scan of the whole dump.
//
// The scan, in three steps:
//  1. The slab walk (every cache, with the struct page scan that tells
//     each page's kind) hands over every object with its bytes; each
//     allocated object's words that point into a slab page are kept as
//     its out-edges (values first, resolved to object ids once every slab
//     is known).
//  2. The roots, read by physical address in runs split between worker
//     threads (one libkdumpfile clone each): every kernel page (no
//     mapping, no slab, not free), slab pages the walk did not cover
//     (KFENCE), and the CPUs' registers. Each word that lands in an
//     allocated object marks it (atomically) and queues it.
//  3. A traversal of the edges from the marked objects, in memory.
// Every page is read once: slab pages by the walk, the rest by the roots.
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "leak.h"
#include "util/progress.h"
#include "util/text.h"
#include "vmca.h"

// Task states and flags: #defines, absent from DWARF, stable since v4.14
// (TASK_NEW since v4.11, commit 7dc603c9028e).
#define TASK_DEAD   0x0080
#define TASK_NEW    0x0800
#define EXIT_DEAD   0x0010
#define EXIT_ZOMBIE 0x0020

// Bounds on untrusted data.
#define MAX_RCU_CALLBACKS (UINT64_C(1) << 22)
#define MAX_WATCHED	  (UINT64_C(1) << 20)
#define MAX_HOLDER_RECS	  (UINT64_C(1) << 20)
#define MAX_OBJECTS	  (UINT64_C(1) << 32)
#define ROOT_CHUNK_PAGES  64
#define GROUP_BYTES	  256
#define DEFAULT_OBJECTS	  4096
#define DEFAULT_GROUPS	  8
#define MAX_DESCRIBED	  64

// qsort(), and nothing for fewer than two items (whose array may be NULL,
// which qsort() must not be given).
static void sort_items(void *base, size_t n, size_t size,
		       int (*cmp)(const void *, const void *))
{
	if (n > 1)
		qsort(base, n, size, cmp);
}

DEFINE_VECTOR(u64_vector, uint64_t)
DEFINE_VECTOR(u16_vector, uint16_t)

struct slab_rec {
	uint64_t pfn, first, id0;
	uint32_t nobj, size, object_size, cache, npages;
};
DEFINE_VECTOR(slab_rec_vector, struct slab_rec)

// A pointer to a watched object: from a root word (phys) or an object.
struct holder_rec {
	uint64_t target;
	uint64_t phys;	 // root: the word's physical address
	uint64_t source; // object id + 1, or 0 for a root
	uint32_t offset; // into the source object
};
DEFINE_VECTOR(holder_vector, struct holder_rec)

struct scan {
	struct vmca_session *s;
	struct vmca_slab_walk *w;
	struct vmca_slab_cache *caches;
	size_t nr_caches;
	const uint8_t *kinds;
	uint64_t npfn, page_offset, page_size;
	unsigned page_shift;
	bool collect_edges;
	struct slab_rec_vector slabs;
	uint64_t cur_slab;
	uint64_t nobj;
	// Per object: allocated, bytes read, reachable, watched.
	struct u64_vector alloc, has_bytes;
	_Atomic uint64_t *marked;
	uint64_t *watched;
	uint64_t nr_watched;
	// Out-edges: edge_start[id] .. edge_start[id + 1] into edges
	// (values, then ids) and edge_offsets (where in the source).
	struct u64_vector edge_start, edges;
	// slub_debug=U's tracks, where a cache keeps them.
	struct vmca_slab_tracks *tracks;
	struct u16_vector edge_offsets;
	// Per pfn: index + 1 into slabs (sorted by pfn), 0 if none.
	uint32_t *pfn_slab;
	// Indices into slabs in id order.
	uint32_t *by_id;
	struct holder_vector holders;
};

static bool bit_get(const uint64_t *map, uint64_t i)
{
	return map[i / 64] >> (i % 64) & 1;
}

static void bit_set(uint64_t *map, uint64_t i)
{
	map[i / 64] |= UINT64_C(1) << (i % 64);
}

static bool bits_grow(struct u64_vector *v, uint64_t nbits)
{
	uint64_t words = (nbits + 63) / 64;
	while (v->len < words) {
		if (!u64_vector_append(v, 0))
			return false;
	}
	return true;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void note(struct vmca_leak *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void note(struct vmca_leak *l, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmca_strv_vaddf(&l->notes, &l->nr_notes, fmt, ap);
	va_end(ap);
}

// An owned formatted string (NULL out of memory).
static char *strdupf(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
static char *strdupf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *text = NULL;
	if (vasprintf(&text, fmt, ap) < 0)
		text = NULL;
	va_end(ap);
	return text;
}

static void note_error(struct vmca_leak *l, const char *what,
		       struct vmca_error *err)
{
	note(l, "%s: %s", what, err->message);
	vmca_error_destroy(err);
}

/* 1. Where the memory is. */

static void breakdown(struct vmca_session *s, struct vmca_leak *l)
{
	struct vmca_meminfo mi;
	struct vmca_error *err = vmca_meminfo_read(s, &mi);
	if (err) {
		note_error(l, "memory breakdown", err);
		return;
	}
	uint64_t v;
	bool has_total = vmca_meminfo_get(&mi, "MemTotal", &v);
	l->mem_total = has_total ? v << 10 : 0;
	// Each part: kB lines added (a minus sign subtracts).
	static const struct {
		const char *name, *label, *lines;
	} parts[] = {
		{"free", "free", "MemFree"},
		{"page_cache", "page cache (file)", "Cached Buffers -Shmem"},
		{"swap_cache", "swap cache", "SwapCached"},
		{"anon", "anonymous", "AnonPages"},
		{"shmem", "shmem/tmpfs", "Shmem"},
		{"slab_reclaimable", "slab, reclaimable", "SReclaimable"},
		{"slab_unreclaimable", "slab, unreclaimable", "SUnreclaim"},
		{"kernel_stack", "kernel stacks", "KernelStack"},
		{"page_tables", "page tables", "PageTables SecPageTables?"},
		{"vmalloc", "vmalloc", "VmallocUsed"},
		{"percpu", "per-CPU", "Percpu"},
		{"hugetlb", "hugetlb pages", "Hugetlb?"},
	};
	uint64_t sum = 0;
	bool is_complete = has_total;
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		char lines[64];
		vmca_strf(lines, sizeof(lines), "%s", parts[i].lines);
		int64_t kb = 0;
		bool is_known = true;
		char *save = NULL;
		for (char *t = strtok_r(lines, " ", &save); t;
		     t = strtok_r(NULL, " ", &save)) {
			bool is_neg = *t == '-';
			char *name = t + is_neg;
			size_t n = strlen(name);
			bool is_optional = n && name[n - 1] == '?';
			if (is_optional)
				name[n - 1] = 0;
			if (!vmca_meminfo_get(&mi, name, &v)) {
				if (!is_optional)
					is_known = false;
				continue;
			}
			kb += is_neg ? -(int64_t)v : (int64_t)v;
		}
		struct vmca_leak_part *p = &l->parts[l->nr_parts++];
		p->name = parts[i].name;
		p->label = parts[i].label;
		p->is_known = is_known;
		p->bytes = is_known && kb > 0 ? (uint64_t)kb << 10 : 0;
		sum += p->bytes;
		is_complete &= is_known;
	}
	struct vmca_leak_part *rest = &l->parts[l->nr_parts++];
	rest->name = "unaccounted";
	rest->label = "unaccounted (drivers' pages, large kmalloc, ...)";
	rest->is_known = is_complete;
	rest->bytes =
		is_complete && l->mem_total > sum ? l->mem_total - sum : 0;
	if (is_complete && sum > l->mem_total)
		note(l,
		     "the parts add up to %" PRIu64 " kB more than MemTotal "
		     "(counters read at different moments)",
		     (sum - l->mem_total) >> 10);
	vmca_meminfo_deinit(&mi);
}

/* 2. The caches ranked. */

static int compare_cache(const void *a, const void *b)
{
	const struct vmca_leak_cache *x = a, *y = b;
	if (x->memory_bytes != y->memory_bytes)
		return x->memory_bytes < y->memory_bytes ? 1 : -1;
	return strcmp(x->name, y->name);
}

static struct vmca_error *rank_caches(struct scan *sc, struct vmca_leak *l)
{
	l->caches =
		calloc(sc->nr_caches ? sc->nr_caches : 1, sizeof(*l->caches));
	if (!l->caches)
		return &vmca_enomem;
	uint64_t unreclaimable = 0;
	for (size_t i = 0; i < sc->nr_caches; i++) {
		const struct vmca_slab_cache *c = &sc->caches[i];
		struct vmca_leak_cache *o = &l->caches[l->nr_caches++];
		vmca_strf(o->name, sizeof(o->name), "%s", c->name);
		o->address = c->address;
		o->memory_bytes = vmca_slab_cache_memory(sc->w, c);
		o->active_objs = vmca_slab_cache_active_objs(c);
		o->total_objs = c->total_objects;
		o->object_size = c->object_size;
		o->size = c->size;
		o->is_reclaimable = vmca_slab_cache_is_reclaimable(sc->w, c);
		if (!o->is_reclaimable)
			unreclaimable += o->memory_bytes;
	}
	sort_items(l->caches, l->nr_caches, sizeof(*l->caches), compare_cache);
	// Flagged: the unreclaimable caches, largest first, that hold 10% or
	// more of SUnreclaim each (at most 5).
	size_t flagged = 0;
	for (size_t i = 0; i < l->nr_caches; i++) {
		struct vmca_leak_cache *o = &l->caches[i];
		if (o->is_reclaimable || !unreclaimable)
			continue;
		o->unreclaimable_share =
			(double)o->memory_bytes / (double)unreclaimable;
		if (flagged < 5 && o->unreclaimable_share >= 0.10) {
			o->is_flagged = true;
			flagged++;
		}
	}
	return NULL;
}

/* The walk's objects: slab records, bitmaps, out-edges. */

static struct vmca_error *visit_object(struct vmca_session *s,
				       const struct vmca_slab_object *o,
				       void *arg)
{
	struct scan *sc = arg;
	if (!sc->kinds) {
		// The struct page scan ran before the first object.
		sc->kinds = vmca_slab_walk_page_kinds(sc->w, &sc->npfn);
		if (!sc->kinds)
			return vmca_error_create(VMCA_ERROR_NOT_FOUND,
						 "the struct pages could not "
						 "be classified");
	}
	if (sc->nobj >= MAX_OBJECTS - 1)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "more than 2^32 slab objects");
	const struct vmca_slab_cache *c = &sc->caches[o->cache];
	if (o->slab != sc->cur_slab || !sc->slabs.len) {
		uint64_t pfn;
		struct vmca_error *err = vmca_page_to_pfn(s, o->slab, &pfn);
		if (err)
			return err;
		struct slab_rec *r = slab_rec_vector_append_entry(&sc->slabs);
		if (!r)
			return &vmca_enomem;
		*r = (struct slab_rec){
			.pfn = pfn,
			.first = o->address,
			.id0 = sc->nobj,
			.size = c->size ? c->size : 1,
			.object_size = c->object_size,
			.cache = o->cache,
			.npages = c->order < 16 ? UINT32_C(1) << c->order : 1,
		};
		sc->cur_slab = o->slab;
	}
	sc->slabs.data[sc->slabs.len - 1].nobj++;
	uint64_t id = sc->nobj++;
	if (!bits_grow(&sc->alloc, sc->nobj) ||
	    !bits_grow(&sc->has_bytes, sc->nobj) ||
	    !u64_vector_append(&sc->edge_start, sc->edges.len))
		return &vmca_enomem;
	if (o->state != VMCA_SLAB_OBJECT_ALLOCATED)
		return NULL;
	bit_set(sc->alloc.data, id);
	if (!o->bytes || !sc->collect_edges)
		return NULL;
	bit_set(sc->has_bytes.data, id);
	uint64_t limit = sc->npfn << sc->page_shift;
	uint32_t n = c->object_size / 8;
	for (uint32_t i = 0; i < n; i++) {
		uint64_t v;
		memcpy(&v, o->bytes + i * 8, 8);
		uint64_t off = v - sc->page_offset;
		if (off >= limit ||
		    sc->kinds[off >> sc->page_shift] != VMCA_PAGE_SLAB)
			continue;
		if (!u64_vector_append(&sc->edges, v) ||
		    !u16_vector_append(
			    &sc->edge_offsets,
			    (uint16_t)(i * 8 < 65535 ? i * 8 : 65535)))
			return &vmca_enomem;
	}
	return NULL;
}

static int compare_slab_pfn(const void *a, const void *b)
{
	const struct slab_rec *x = a, *y = b;
	return x->pfn < y->pfn ? -1 : x->pfn > y->pfn;
}

// The object a pointer points into, UINT64_MAX if none.
static uint64_t resolve(const struct scan *sc, uint64_t v)
{
	uint64_t off = v - sc->page_offset;
	if (off >= sc->npfn << sc->page_shift)
		return UINT64_MAX;
	uint32_t si = sc->pfn_slab[off >> sc->page_shift];
	if (!si)
		return UINT64_MAX;
	const struct slab_rec *r = &sc->slabs.data[si - 1];
	if (v < r->first)
		return UINT64_MAX;
	uint64_t idx = (v - r->first) / r->size;
	if (idx >= r->nobj)
		return UINT64_MAX;
	return r->id0 + idx;
}

static const struct scan *sort_scan; // qsort has no argument

static int compare_by_id(const void *a, const void *b)
{
	uint64_t x = sort_scan->slabs.data[*(const uint32_t *)a].id0;
	uint64_t y = sort_scan->slabs.data[*(const uint32_t *)b].id0;
	return x < y ? -1 : x > y;
}

static void sort_by_id(struct scan *sc)
{
	sort_scan = sc;
	sort_items(sc->by_id, sc->slabs.len, sizeof(uint32_t), compare_by_id);
	sort_scan = NULL;
}

static struct vmca_error *index_slabs(struct scan *sc)
{
	sort_items(sc->slabs.data, sc->slabs.len, sizeof(struct slab_rec),
		   compare_slab_pfn);
	if (sc->slabs.len >= UINT32_MAX)
		return vmca_error_create(VMCA_ERROR_INVALID, "too many slabs");
	sc->pfn_slab = calloc(sc->npfn ? sc->npfn : 1, sizeof(uint32_t));
	if (!sc->pfn_slab)
		return &vmca_enomem;
	for (size_t i = 0; i < sc->slabs.len; i++) {
		const struct slab_rec *r = &sc->slabs.data[i];
		for (uint64_t p = r->pfn;
		     p < r->pfn + r->npages && p < sc->npfn; p++)
			sc->pfn_slab[p] = (uint32_t)(i + 1);
	}
	sc->by_id =
		malloc((sc->slabs.len ? sc->slabs.len : 1) * sizeof(uint32_t));
	if (!sc->by_id)
		return &vmca_enomem;
	for (size_t i = 0; i < sc->slabs.len; i++)
		sc->by_id[i] = (uint32_t)i;
	sort_by_id(sc);
	if (!u64_vector_append(&sc->edge_start, sc->edges.len))
		return &vmca_enomem;
	// Values to ids; a value that lands in no object (padding, a slab
	// the walk did not cover) keeps UINT64_MAX.
	for (size_t i = 0; i < sc->edges.len; i++)
		sc->edges.data[i] = resolve(sc, sc->edges.data[i]);
	sc->marked = calloc((sc->nobj + 63) / 64 + 1, sizeof(uint64_t));
	sc->watched = calloc((sc->nobj + 63) / 64 + 1, sizeof(uint64_t));
	if (!sc->marked || !sc->watched)
		return &vmca_enomem;
	return NULL;
}

static bool is_allocated(const struct scan *sc, uint64_t id)
{
	return id < sc->nobj && bit_get(sc->alloc.data, id);
}

static bool mark(struct scan *sc, uint64_t id)
{
	uint64_t bit = UINT64_C(1) << (id % 64);
	if (atomic_load_explicit(&sc->marked[id / 64], memory_order_relaxed) &
	    bit)
		return false;
	return !(atomic_fetch_or(&sc->marked[id / 64], bit) & bit);
}

static bool is_marked(const struct scan *sc, uint64_t id)
{
	return atomic_load_explicit(&sc->marked[id / 64],
				    memory_order_relaxed) >>
		       (id % 64) &
	       1;
}

/* 2. The roots. */

struct run {
	uint64_t pfn, n;
};
DEFINE_VECTOR(run_vector, struct run)

struct worker {
	struct scan *sc;
	struct vmca_memory *m;
	const struct run *runs;
	size_t nr_runs;
	struct u64_vector stack;
	struct holder_vector holders;
	uint64_t pages, missing, bytes;
	// The first worker draws the progress of all.
	struct vmca_progress *progress;
	_Atomic uint64_t *done;
	bool has_enomem, is_expired;
	struct vmca_error *err;
};

static void scan_root_words(struct worker *wk, uint64_t phys,
			    const unsigned char *buf, uint64_t len)
{
	struct scan *sc = wk->sc;
	for (uint64_t i = 0; i + 8 <= len; i += 8) {
		uint64_t v;
		memcpy(&v, buf + i, 8);
		if (v - sc->page_offset >= sc->npfn << sc->page_shift)
			continue;
		uint64_t id = resolve(sc, v);
		if (id == UINT64_MAX || !is_allocated(sc, id))
			continue;
		if (sc->nr_watched && bit_get(sc->watched, id) &&
		    wk->holders.len < MAX_HOLDER_RECS &&
		    !holder_vector_append(
			    &wk->holders,
			    (struct holder_rec){.target = id,
						.phys = phys + i}))
			wk->has_enomem = true;
		if (mark(sc, id) && !u64_vector_append(&wk->stack, id))
			wk->has_enomem = true;
	}
}

static void *root_worker(void *arg)
{
	struct worker *wk = arg;
	struct scan *sc = wk->sc;
	uint64_t ps = sc->page_size;
	unsigned char *buf = malloc(ROOT_CHUNK_PAGES * ps);
	if (!buf) {
		wk->has_enomem = true;
		return NULL;
	}
	for (size_t r = 0; r < wk->nr_runs; r++) {
		const struct run *run = &wk->runs[r];
		for (uint64_t at = 0; at < run->n;) {
			if (vmca_session_expired(sc->s)) {
				wk->is_expired = true;
				goto out;
			}
			uint64_t n = run->n - at;
			if (n > ROOT_CHUNK_PAGES)
				n = ROOT_CHUNK_PAGES;
			uint64_t phys = (run->pfn + at) << sc->page_shift;
			struct vmca_error *err =
				vmca_memory_read_phys(wk->m, phys, buf, n * ps);
			if (!err) {
				scan_root_words(wk, phys, buf, n * ps);
				wk->pages += n;
				wk->bytes += n * ps;
			} else {
				vmca_error_destroy(err);
				for (uint64_t i = 0; i < n; i++) {
					err = vmca_memory_read_phys(
						wk->m, phys + i * ps, buf, ps);
					if (err) {
						vmca_error_destroy(err);
						wk->missing++;
						continue;
					}
					scan_root_words(wk, phys + i * ps, buf,
							ps);
					wk->pages++;
					wk->bytes += ps;
				}
			}
			at += n;
			uint64_t all = atomic_fetch_add(wk->done, n) + n;
			if (wk->progress)
				vmca_progress_update(wk->progress, all);
		}
	}
out:
	free(buf);
	return NULL;
}

static uint32_t worker_count(const struct vmca_leak_options *opts)
{
	if (opts->threads)
		return opts->threads > 64 ? 64 : opts->threads;
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > 8 ? 8 : (uint32_t)n;
}

// The CPUs' registers at the dump: roots too.
static void scan_registers(struct scan *sc, struct worker *wk)
{
	static const char *const names[] = {
		"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp",
		"r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};
	enum { N = sizeof(names) / sizeof(names[0]) };
	struct vmca_memory *m = vmca_session_memory(sc->s);
	uint32_t ncpus = vmca_memory_nr_cpus(m);
	for (uint32_t cpu = 0; cpu < ncpus && cpu < VMCA_MAX_CPUS; cpu++) {
		uint64_t values[N], is_set = 0;
		int64_t pid;
		struct vmca_error *err = vmca_memory_cpu_regs(
			m, cpu, names, N, values, &is_set, &pid);
		if (err) {
			vmca_error_destroy(err);
			continue;
		}
		for (size_t i = 0; i < N; i++) {
			if (!(is_set >> i & 1))
				continue;
			// One word, as if in a root page (phys 0: no holder
			// description beyond "registers").
			scan_root_words(wk, 0,
					(const unsigned char *)&values[i], 8);
		}
	}
}

// The pfns reserved for the kdump kernel (crashk_res): reserved, but not
// the kernel's memory, and left out of kdump's dumps.
static void crash_kernel_pfns(struct scan *sc, uint64_t *lo, uint64_t *hi)
{
	*lo = *hi = 0;
	struct vmca_variable v;
	uint64_t start_off, end_off, start, end;
	struct vmca_error *err = vmca_variable(sc->s, "crashk_res", &v);
	if (!err)
		err = vmca_type_member_offset(sc->s, "struct resource", "start",
					      &start_off);
	if (!err)
		err = vmca_type_member_offset(sc->s, "struct resource", "end",
					      &end_off);
	if (!err)
		err = vmca_read_u64(sc->s, v.address + start_off, &start);
	if (!err)
		err = vmca_read_u64(sc->s, v.address + end_off, &end);
	if (!err && end > start) {
		*lo = start >> sc->page_shift;
		*hi = (end >> sc->page_shift) + 1;
	}
	vmca_error_destroy(err);
}

static struct vmca_error *scan_roots(struct scan *sc,
				     const struct vmca_leak_options *opts,
				     struct vmca_leak *l,
				     struct u64_vector *stack)
{
	struct run_vector runs;
	run_vector_init(&runs);
	uint64_t total = 0, crash_lo, crash_hi;
	crash_kernel_pfns(sc, &crash_lo, &crash_hi);
	for (uint64_t pfn = 0; pfn < sc->npfn; pfn++) {
		uint8_t k = sc->kinds[pfn];
		if (k == VMCA_PAGE_MISSING)
			l->scan.missing_struct_pages++;
		bool is_root = (k == VMCA_PAGE_KERNEL ||
				(k == VMCA_PAGE_SLAB && !sc->pfn_slab[pfn])) &&
			       !(pfn >= crash_lo && pfn < crash_hi);
		if (!is_root)
			continue;
		total++;
		if (runs.len &&
		    runs.data[runs.len - 1].pfn + runs.data[runs.len - 1].n ==
			    pfn)
			runs.data[runs.len - 1].n++;
		else if (!run_vector_append(&runs, (struct run){pfn, 1})) {
			run_vector_deinit(&runs);
			return &vmca_enomem;
		}
	}
	uint32_t nt = worker_count(opts);
	struct worker *wk = calloc(nt, sizeof(*wk));
	pthread_t *tid = calloc(nt, sizeof(*tid));
	struct vmca_error *err = NULL;
	if (!wk || !tid) {
		err = &vmca_enomem;
		goto out;
	}
	// Split the runs so each worker gets about total / nt pages (a run
	// may be cut in two).
	struct run_vector split;
	run_vector_init(&split);
	uint64_t per = total / nt + 1, in_worker = 0;
	size_t starts[65] = {0};
	uint32_t w = 0;
	for (size_t i = 0; i < runs.len; i++) {
		struct run r = runs.data[i];
		while (r.n) {
			uint64_t take = r.n;
			if (w + 1 < nt && in_worker + take > per)
				take = per - in_worker;
			if (take &&
			    !run_vector_append(&split,
					       (struct run){r.pfn, take})) {
				run_vector_deinit(&split);
				err = &vmca_enomem;
				goto out;
			}
			r.pfn += take;
			r.n -= take;
			in_worker += take;
			if (w + 1 < nt && in_worker >= per) {
				starts[++w] = split.len;
				in_worker = 0;
			}
		}
	}
	while (w + 1 < nt)
		starts[++w] = split.len;
	starts[nt] = split.len;
	struct vmca_memory *m = vmca_session_memory(sc->s);
	uint32_t started = 0;
	struct vmca_progress progress;
	_Atomic uint64_t done = 0;
	vmca_progress_begin(&progress,
			    "scanning the kernel's pages for "
			    "pointers",
			    total);
	for (uint32_t i = 0; i < nt; i++) {
		wk[i].progress = i ? NULL : &progress;
		wk[i].done = &done;
		wk[i].sc = sc;
		wk[i].runs = split.data + starts[i];
		wk[i].nr_runs = starts[i + 1] - starts[i];
		u64_vector_init(&wk[i].stack);
		holder_vector_init(&wk[i].holders);
		err = vmca_memory_clone(m, &wk[i].m);
		if (err)
			break;
	}
	if (!err) {
		for (uint32_t i = 0; i < nt; i++) {
			if (pthread_create(&tid[i], NULL, root_worker, &wk[i]))
				break;
			started++;
		}
		// What could not be started runs here.
		for (uint32_t i = started; i < nt; i++)
			root_worker(&wk[i]);
		for (uint32_t i = 0; i < started; i++)
			pthread_join(tid[i], NULL);
		scan_registers(sc, &wk[0]);
	}
	vmca_progress_end(&progress);
	l->scan.threads = started ? started : 1;
	for (uint32_t i = 0; i < nt; i++) {
		l->scan.root_pages += wk[i].pages;
		l->scan.root_bytes += wk[i].bytes;
		l->scan.missing_root_pages += wk[i].missing;
		for (size_t j = 0; j < wk[i].stack.len; j++) {
			if (!u64_vector_append(stack, wk[i].stack.data[j]))
				wk[i].has_enomem = true;
		}
		for (size_t j = 0; j < wk[i].holders.len; j++) {
			if (!holder_vector_append(&sc->holders,
						  wk[i].holders.data[j]))
				wk[i].has_enomem = true;
		}
		if (wk[i].has_enomem && !err)
			err = &vmca_enomem;
		if (wk[i].is_expired && !err)
			err = vmca_session_timeout_error(sc->s);
		u64_vector_deinit(&wk[i].stack);
		holder_vector_deinit(&wk[i].holders);
		vmca_memory_destroy(wk[i].m);
	}
	run_vector_deinit(&split);
out:
	free(wk);
	free(tid);
	run_vector_deinit(&runs);
	return err;
}

/* 3. The traversal. */

static struct vmca_error *traverse(struct scan *sc, struct u64_vector *stack)
{
	while (stack->len) {
		uint64_t id = stack->data[--stack->len];
		for (uint64_t e = sc->edge_start.data[id];
		     e < sc->edge_start.data[id + 1]; e++) {
			uint64_t t = sc->edges.data[e];
			if (t == UINT64_MAX || !is_allocated(sc, t) ||
			    !mark(sc, t))
				continue;
			if (!u64_vector_append(stack, t))
				return &vmca_enomem;
		}
	}
	return NULL;
}

// Pointers from objects to watched objects (reachable or not).
static struct vmca_error *object_holders(struct scan *sc)
{
	for (uint64_t id = 0; id < sc->nobj; id++) {
		for (uint64_t e = sc->edge_start.data[id];
		     e < sc->edge_start.data[id + 1]; e++) {
			uint64_t t = sc->edges.data[e];
			if (t == UINT64_MAX || t == id ||
			    !bit_get(sc->watched, t))
				continue;
			if (sc->holders.len >= MAX_HOLDER_RECS)
				return NULL;
			if (!holder_vector_append(
				    &sc->holders,
				    (struct holder_rec){
					    .target = t,
					    .source = id + 1,
					    .offset =
						    sc->edge_offsets.data[e]}))
				return &vmca_enomem;
		}
	}
	return NULL;
}

// The slab record of an object id: a binary search of by_id (slabs are
// sorted by pfn; their ids were given in walk order).
static const struct slab_rec *slab_of(const struct scan *sc, uint64_t id)
{
	size_t lo = 0, hi = sc->slabs.len;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const struct slab_rec *r = &sc->slabs.data[sc->by_id[mid]];
		if (id < r->id0)
			hi = mid;
		else if (id >= r->id0 + r->nobj)
			lo = mid + 1;
		else
			return r;
	}
	return NULL;
}

static uint64_t object_address(const struct slab_rec *r, uint64_t id)
{
	return r->first + (id - r->id0) * r->size;
}

/* Orphans. */

struct kind_def {
	const char *kind, *cache_var;
	// task_struct members that own an object of this kind.
	const char *owners[3];
};

static const struct kind_def kinds[VMCA_LEAK_NR_KINDS] = {
	{"task_struct", "task_struct_cachep", {NULL}},
	{"signal_struct", "signal_cachep", {"signal"}},
	{"cred", "cred_jar", {"cred", "real_cred"}},
	{"mm_struct", "mm_cachep", {"mm", "active_mm"}},
	{"files_struct", "files_cachep", {"files"}},
	{"pid", NULL, {"thread_pid"}},
};

DEFINE_VECTOR(obj_vector, struct vmca_leak_object)

struct orphan_ctx {
	struct vmca_session *s;
	struct scan *sc;
	struct vmca_leak *l;
	const struct vmca_leak_options *opts;
	struct u64_vector live, orphan_tasks;
	// Sorted owner pointers per kind: of live tasks, of orphaned ones
	// (pairs: pointer, task).
	struct u64_vector owned_live[VMCA_LEAK_NR_KINDS];
	struct u64_vector owned_orphan[VMCA_LEAK_NR_KINDS]; // ptr, task
	struct u64_vector rcu_heads;
	/** The task walk broke (a page it needs is missing or corrupt). */
	bool is_walk_incomplete;
	uint64_t nr_unreached;
	uint32_t task_type;
	struct vmca_field f_owner[VMCA_LEAK_NR_KINDS][3];
	bool has_owner[VMCA_LEAK_NR_KINDS][3];
	struct vmca_field f_signal, f_pids;
	bool has_pids;
	uint64_t rcu_offset;
	bool has_rcu;
	// rq->clock + 1 per CPU, 0 until read (rq_clock()).
	uint64_t *rq_clocks;
	// Per kind: the objects found unowned (ids), for the watch set.
	struct u64_vector unowned[VMCA_LEAK_NR_KINDS];
};

static int compare_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static bool sorted_has(const struct u64_vector *v, uint64_t x)
{
	return v->len && bsearch(&x, v->data, v->len, 8, compare_u64);
}

static struct vmca_error *add_live(struct vmca_session *s,
				   const struct vmca_task_entry *e, void *arg)
{
	(void)s;
	struct orphan_ctx *oc = arg;
	return u64_vector_append(&oc->live, e->address) ? NULL : &vmca_enomem;
}

static void live_error(struct vmca_session *s, struct vmca_error *err,
		       void *arg)
{
	(void)s;
	struct orphan_ctx *oc = arg;
	oc->is_walk_incomplete = true;
	note_error(oc->l, "task walk", err);
}

static struct vmca_error *read_u64_field(struct vmca_session *s,
					 const struct vmca_value *v,
					 const struct vmca_field *f,
					 uint64_t *ret)
{
	struct vmca_value m;
	struct vmca_error *err = vmca_value_field(s, v, f, &m);
	if (!err)
		err = vmca_value_u64(s, &m, ret);
	vmca_value_deinit(&m);
	return err;
}

// The objects task owns, appended to owned[kind] (with the task after
// each pointer when with_task).
static void task_owned(struct orphan_ctx *oc, uint64_t task,
		       struct u64_vector *owned, bool with_task)
{
	struct vmca_session *s = oc->s;
	struct vmca_value v;
	vmca_value_init_reference(&v, oc->task_type, task);
	for (size_t k = 1; k < VMCA_LEAK_NR_KINDS; k++) {
		for (size_t j = 0; j < 3; j++) {
			uint64_t p;
			if (!oc->has_owner[k][j])
				continue;
			struct vmca_error *err =
				read_u64_field(s, &v, &oc->f_owner[k][j], &p);
			if (err) {
				vmca_error_destroy(err);
				continue;
			}
			if (!p)
				continue;
			u64_vector_append(&owned[k], p);
			if (with_task)
				u64_vector_append(&owned[k], task);
		}
	}
	// The process's pids: signal->pids[] (PIDTYPE_TGID, _PGID, _SID).
	uint64_t sig;
	struct vmca_error *err =
		oc->has_pids ? read_u64_field(s, &v, &oc->f_signal, &sig)
			     : NULL;
	if (err || !oc->has_pids || !sig) {
		vmca_error_destroy(err);
		vmca_value_deinit(&v);
		return;
	}
	uint64_t pids[4] = {0};
	err = vmca_read(s, sig + oc->f_pids.member.bit_offset / 8, pids,
			sizeof(pids));
	if (!err) {
		for (size_t i = 0; i < 4; i++) {
			if (!pids[i])
				continue;
			u64_vector_append(&owned[5], pids[i]);
			if (with_task)
				u64_vector_append(&owned[5], task);
		}
	}
	vmca_error_destroy(err);
	vmca_value_deinit(&v);
}

// Pairs (pointer, task) sorted by pointer.
static int compare_pair(const void *a, const void *b)
{
	return compare_u64(a, b);
}

static uint64_t pair_task(const struct u64_vector *v, uint64_t x)
{
	if (!v->len)
		return 0;
	const uint64_t *p = bsearch(&x, v->data, v->len / 2, 16, compare_pair);
	return p ? p[1] : 0;
}

static void collect_rcu(struct orphan_ctx *oc)
{
	struct vmca_session *s = oc->s;
	uint32_t ncpus;
	uint64_t head_off;
	struct vmca_error *err = vmca_nr_cpu_ids(s, &ncpus);
	if (!err)
		err = vmca_type_member_offset(s, "struct rcu_data",
					      "cblist.head", &head_off);
	if (err) {
		note_error(oc->l, "pending RCU callbacks", err);
		return;
	}
	for (uint32_t cpu = 0; cpu < ncpus; cpu++) {
		struct vmca_variable rd;
		err = vmca_percpu_variable(s, "rcu_data", cpu, &rd);
		if (err) {
			vmca_error_destroy(err);
			continue;
		}
		uint64_t p;
		err = vmca_read_u64(s, rd.address + head_off, &p);
		for (uint64_t n = 0; !err && p && n < MAX_RCU_CALLBACKS; n++) {
			u64_vector_append(&oc->rcu_heads, p);
			err = vmca_read_u64(s, p, &p); // rcu_head.next
		}
		if (err)
			note_error(oc->l, "a CPU's RCU callback list", err);
	}
	sort_items(oc->rcu_heads.data, oc->rcu_heads.len, 8, compare_u64);
}

static const char *state_name(uint64_t state, uint64_t exit_state, char *buf,
			      size_t size)
{
	if (exit_state & EXIT_DEAD)
		return "EXIT_DEAD";
	if (exit_state & EXIT_ZOMBIE)
		return "EXIT_ZOMBIE";
	if (state & TASK_NEW)
		return "TASK_NEW";
	if (state & TASK_DEAD)
		return "TASK_DEAD";
	static const char letters[] = "RSDTtXZPI";
	uint64_t report = state & 0x7f;
	int idx = report ? 64 - __builtin_clzll(report) : 0;
	vmca_strf(buf, size, "%c",
		  idx < (int)sizeof(letters) - 1 ? letters[idx] : '?');
	return buf;
}

struct task_fields {
	struct vmca_field pid, tgid, state, exit_state, flags, usage, rcu_users,
		comm, last_arrival, cpu;
	bool has_rcu_users, has_last_arrival, has_cpu;
};

static struct vmca_error *task_fields_init(struct vmca_session *s, uint32_t t,
					   struct task_fields *f)
{
	const char *tt = "struct task_struct";
	const char *state =
		vmca_type_has_member(s, tt, "__state") ? "__state" : "state";
	const char *cpu = vmca_type_has_member(s, tt, "thread_info.cpu")
				  ? "thread_info.cpu"
				  : "cpu";
	struct vmca_error *err;
	if ((err = vmca_field_init(s, t, "pid", &f->pid)) ||
	    (err = vmca_field_init(s, t, "tgid", &f->tgid)) ||
	    (err = vmca_field_init(s, t, state, &f->state)) ||
	    (err = vmca_field_init(s, t, "exit_state", &f->exit_state)) ||
	    (err = vmca_field_init(s, t, "flags", &f->flags)) ||
	    (err = vmca_field_init(s, t, "usage.refs.counter", &f->usage)) ||
	    (err = vmca_field_init(s, t, "comm", &f->comm)))
		return err;
	f->has_rcu_users =
		!(err = vmca_field_init(s, t, "rcu_users.refs.counter",
					&f->rcu_users));
	vmca_error_destroy(err);
	f->has_last_arrival =
		!(err = vmca_field_init(s, t, "sched_info.last_arrival",
					&f->last_arrival));
	vmca_error_destroy(err);
	f->has_cpu = !(err = vmca_field_init(s, t, cpu, &f->cpu));
	vmca_error_destroy(err);
	return NULL;
}

// rq->clock of a CPU (ns), for "how long ago it ran": read once per CPU.
static uint64_t rq_clock(struct orphan_ctx *oc, uint64_t cpu)
{
	if (cpu >= VMCA_MAX_CPUS)
		return 0;
	if (!oc->rq_clocks) {
		oc->rq_clocks = calloc(VMCA_MAX_CPUS, sizeof(uint64_t));
		if (!oc->rq_clocks)
			return 0;
	}
	if (oc->rq_clocks[cpu])
		return oc->rq_clocks[cpu] - 1;
	struct vmca_variable rq;
	uint64_t off, v = 0;
	struct vmca_error *err =
		vmca_percpu_variable(oc->s, "runqueues", (uint32_t)cpu, &rq);
	if (!err)
		err = vmca_type_member_offset(oc->s, "struct rq", "clock",
					      &off);
	if (!err)
		err = vmca_read_u64(oc->s, rq.address + off, &v);
	if (err)
		v = 0;
	vmca_error_destroy(err);
	oc->rq_clocks[cpu] = v + 1;
	return v;
}

static void read_task_object(struct orphan_ctx *oc, const struct task_fields *f,
			     uint64_t task, struct vmca_leak_object *o)
{
	struct vmca_session *s = oc->s;
	struct vmca_value v, comm;
	vmca_value_init_reference(&v, oc->task_type, task);
	uint64_t usage = 0, rcu = 0, last = 0, cpu = 0;
	struct vmca_error *err;
	if ((err = read_u64_field(s, &v, &f->pid, &o->pid)) ||
	    (err = read_u64_field(s, &v, &f->tgid, &o->tgid)) ||
	    (err = read_u64_field(s, &v, &f->state, &o->state)) ||
	    (err = read_u64_field(s, &v, &f->exit_state, &o->exit_state)) ||
	    (err = read_u64_field(s, &v, &f->flags, &o->flags)) ||
	    (err = read_u64_field(s, &v, &f->usage, &usage))) {
		vmca_strf(o->state_name, sizeof(o->state_name), "?");
		vmca_strf(o->comm, sizeof(o->comm), "?");
		vmca_error_destroy(err);
		vmca_value_deinit(&v);
		// Unread, and the walk broken: nothing says it is not live.
		if (oc->is_walk_incomplete) {
			o->explained = "unreached";
			oc->nr_unreached++;
		}
		return;
	}
	o->pid &= 0xffffffff;
	o->tgid &= 0xffffffff;
	o->usage = (int32_t)usage;
	o->rcu_users = -1;
	if (f->has_rcu_users &&
	    !(err = read_u64_field(s, &v, &f->rcu_users, &rcu)))
		o->rcu_users = (int32_t)rcu;
	// rcu_users shares its storage with the rcu_head that frees the
	// task: once release_task() dropped the last, call_rcu() wrote over
	// it.
	if (o->exit_state & EXIT_DEAD &&
	    (o->rcu_users < 0 || o->rcu_users > 65536))
		o->rcu_users = 0;
	vmca_error_destroy(err);
	err = vmca_value_field(s, &v, &f->comm, &comm);
	if (!err)
		err = vmca_value_string(s, &comm, o->comm, sizeof(o->comm));
	if (err)
		vmca_strf(o->comm, sizeof(o->comm), "?");
	vmca_error_destroy(err);
	vmca_value_deinit(&comm);
	char buf[4];
	vmca_strf(o->state_name, sizeof(o->state_name), "%s",
		  state_name(o->state, o->exit_state, buf, sizeof(buf)));
	if (f->has_last_arrival && f->has_cpu &&
	    vmca_error_consume(
		    read_u64_field(s, &v, &f->last_arrival, &last)) &&
	    vmca_error_consume(read_u64_field(s, &v, &f->cpu, &cpu)) && last) {
		uint64_t clock = rq_clock(oc, cpu & 0xffffffff);
		if (clock >= last) {
			o->has_ran_ago = true;
			o->ran_ago_s = (double)(clock - last) / 1e9;
		}
	}
	if (o->state & TASK_NEW)
		o->explained = "new";
	else if (oc->has_rcu &&
		 sorted_has(&oc->rcu_heads, task + oc->rcu_offset))
		o->explained = "rcu";
	// A task that has not exited is on the tasks list: with the walk
	// broken, one it did not reach may be live. Not called an orphan.
	else if (oc->is_walk_incomplete && !o->exit_state) {
		o->explained = "unreached";
		oc->nr_unreached++;
	}
	vmca_value_deinit(&v);
}

static int compare_comm_group(const void *a, const void *b)
{
	const struct vmca_leak_comm_group *x = a, *y = b;
	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	int c = strcmp(x->comm, y->comm);
	return c ? c : strcmp(x->state, y->state);
}

static int compare_comm_key(const void *a, const void *b)
{
	const struct vmca_leak_comm_group *x = a, *y = b;
	int c = strcmp(x->comm, y->comm);
	return c ? c : strcmp(x->state, y->state);
}

// comm with every run of digits as one '*' ("vmca-leak-*", "kworker/*:*").
static void comm_pattern(const char *comm, char *out, size_t size)
{
	size_t n = 0;
	for (const char *p = comm; *p && n + 1 < size; p++) {
		if (*p >= '0' && *p <= '9') {
			if (n && out[n - 1] == '*')
				continue;
			out[n++] = '*';
		} else {
			out[n++] = *p;
		}
	}
	out[n] = 0;
}

// The suspects counted by (comm, state), or by comm pattern: by sorting,
// so a million orphans group in n log n.
static struct vmca_error *group_comms(const struct vmca_leak_orphans *o,
				      bool by_pattern,
				      struct vmca_leak_comm_group **ret,
				      size_t *nr_ret)
{
	struct vmca_leak_comm_group *g =
		calloc(o->nr_objects ? o->nr_objects : 1, sizeof(*g));
	if (!g)
		return &vmca_enomem;
	size_t n = 0;
	for (size_t i = 0; i < o->nr_objects; i++) {
		const struct vmca_leak_object *ob = &o->objects[i];
		if (ob->explained)
			continue;
		if (by_pattern)
			comm_pattern(ob->comm, g[n].comm, sizeof(g[n].comm));
		else
			vmca_strf(g[n].comm, sizeof(g[n].comm), "%s", ob->comm);
		vmca_strf(g[n].state, sizeof(g[n].state), "%s", ob->state_name);
		g[n++].count = 1;
	}
	sort_items(g, n, sizeof(*g), compare_comm_key);
	size_t out = 0;
	for (size_t i = 0; i < n; i++) {
		if (out && !compare_comm_key(&g[out - 1], &g[i]))
			g[out - 1].count++;
		else
			g[out++] = g[i];
	}
	sort_items(g, out, sizeof(*g), compare_comm_group);
	*ret = g;
	*nr_ret = out;
	return NULL;
}

static struct vmca_error *group_by_comm(struct vmca_leak_orphans *o)
{
	struct vmca_error *err =
		group_comms(o, false, &o->by_comm, &o->nr_by_comm);
	if (!err)
		err = group_comms(o, true, &o->by_pattern, &o->nr_by_pattern);
	return err;
}

static int64_t cache_by_address(const struct scan *sc, uint64_t address)
{
	for (size_t i = 0; i < sc->nr_caches; i++) {
		if (sc->caches[i].address == address)
			return (int64_t)i;
	}
	return -1;
}

static struct vmca_error *orphans_init(struct orphan_ctx *oc)
{
	struct vmca_session *s = oc->s;
	struct vmca_error *err =
		vmca_type(s, "struct task_struct", &oc->task_type);
	if (err)
		return err;
	for (size_t k = 1; k < VMCA_LEAK_NR_KINDS; k++) {
		for (size_t j = 0; j < 3 && kinds[k].owners[j]; j++) {
			err = vmca_field_init(s, oc->task_type,
					      kinds[k].owners[j],
					      &oc->f_owner[k][j]);
			oc->has_owner[k][j] = !err;
			vmca_error_destroy(err);
		}
	}
	uint32_t sig_type;
	oc->has_pids = vmca_error_consume(vmca_field_init(
			       s, oc->task_type, "signal", &oc->f_signal)) &&
		       vmca_error_consume(vmca_type(s, "struct signal_struct",
						    &sig_type)) &&
		       vmca_error_consume(vmca_field_init(s, sig_type, "pids",
							  &oc->f_pids));
	err = vmca_type_member_offset(s, "struct task_struct", "rcu",
				      &oc->rcu_offset);
	oc->has_rcu = !err;
	vmca_error_destroy(err);
	return NULL;
}

// The kmem_cache a kind's objects come from.
static struct vmca_error *kind_cache(struct vmca_session *s, size_t k,
				     uint64_t *ret)
{
	if (kinds[k].cache_var) {
		struct vmca_variable v;
		struct vmca_error *err =
			vmca_variable(s, kinds[k].cache_var, &v);
		return err ? err : vmca_read_u64(s, v.address, ret);
	}
	struct vmca_variable ns;
	uint64_t off;
	struct vmca_error *err = vmca_variable(s, "init_pid_ns", &ns);
	if (!err)
		err = vmca_type_member_offset(s, "struct pid_namespace",
					      "pid_cachep", &off);
	return err ? err : vmca_read_u64(s, ns.address + off, ret);
}

// How an object of a kind is told from the others of a merged cache: a
// pointer member that points to a static object, into an object of a
// given cache, or (a list head) to itself.
struct content_check {
	bool is_active;
	uint64_t offset;
	uint64_t static_address;
	uint64_t cache;
	bool is_self_list;
};

static const struct {
	const char *type, *member, *static_var, *cache_var;
	bool is_self_list;
} content_checks[VMCA_LEAK_NR_KINDS] = {
	[1] = {"struct signal_struct", "thread_head", NULL,
	       "task_struct_cachep", true},
	[2] = {"struct cred", "user_ns", "init_user_ns", "user_ns_cachep",
	       false},
	[5] = {"struct pid", "numbers[0].ns", "init_pid_ns", "pid_ns_cachep",
	       false},
};

static struct vmca_error *content_check_init(struct orphan_ctx *oc, size_t k,
					     struct content_check *cc)
{
	struct vmca_session *s = oc->s;
	if (!content_checks[k].type)
		return vmca_error_create(VMCA_ERROR_NOT_FOUND,
					 "its objects cannot be told apart");
	struct vmca_error *err =
		vmca_type_member_offset(s, content_checks[k].type,
					content_checks[k].member, &cc->offset);
	if (err)
		return err;
	if (content_checks[k].static_var) {
		struct vmca_variable v;
		err = vmca_variable(s, content_checks[k].static_var, &v);
		if (err)
			return err;
		cc->static_address = v.address;
	}
	struct vmca_variable v;
	err = vmca_variable(s, content_checks[k].cache_var, &v);
	if (!err)
		err = vmca_read_u64(s, v.address, &cc->cache);
	vmca_error_destroy(err); // the static object alone will do
	cc->is_self_list = content_checks[k].is_self_list;
	cc->is_active = true;
	return NULL;
}

static bool content_matches(struct orphan_ctx *oc,
			    const struct content_check *cc, uint64_t object)
{
	uint64_t p;
	struct vmca_error *err = vmca_read_u64(oc->s, object + cc->offset, &p);
	if (err) {
		vmca_error_destroy(err);
		return false;
	}
	if (cc->is_self_list && p == object + cc->offset)
		return true;
	if (cc->static_address && p == cc->static_address)
		return true;
	uint64_t id = resolve(oc->sc, p);
	if (!cc->cache || id == UINT64_MAX)
		return false;
	const struct slab_rec *r = slab_of(oc->sc, id);
	return r && oc->sc->caches[r->cache].address == cc->cache;
}

static struct vmca_error *check_kind(struct orphan_ctx *oc, size_t k,
				     const struct task_fields *tf)
{
	struct scan *sc = oc->sc;
	struct vmca_leak *l = oc->l;
	struct vmca_leak_orphans *o = &l->orphans[l->nr_orphans++];
	o->kind = kinds[k].kind;
	uint64_t cache;
	struct vmca_error *err = kind_cache(oc->s, k, &cache);
	if (err) {
		o->skipped = strdupf("its cache: %s", err->message);
		vmca_error_destroy(err);
		return NULL;
	}
	o->cache_address = cache;
	int64_t ci = cache_by_address(sc, cache);
	if (ci < 0) {
		o->skipped = strdupf("cache %#" PRIx64 " is not on slab_caches",
				     cache);
		return NULL;
	}
	const struct vmca_slab_cache *c = &sc->caches[ci];
	vmca_strf(o->cache, sizeof(o->cache), "%s", c->name);
	o->object_size = c->object_size;
	o->object_size_slot = c->size;
	// SLUB merged other caches into it: its objects are not all of
	// this kind, and those no task owns are told apart by a member.
	struct content_check cc = {0};
	if (c->refcount > 1) {
		o->shared_by = (uint64_t)c->refcount;
		err = content_check_init(oc, k, &cc);
		if (err) {
			o->skipped =
				strdupf("cache %s is shared by %" PRId64
					" merged caches, and %s",
					c->name, c->refcount, err->message);
			vmca_error_destroy(err);
			return NULL;
		}
		err = NULL;
	}
	size_t max =
		oc->opts->max_objects ? oc->opts->max_objects : DEFAULT_OBJECTS;
	struct obj_vector objs;
	obj_vector_init(&objs);
	for (size_t i = 0; i < sc->slabs.len; i++) {
		const struct slab_rec *r = &sc->slabs.data[i];
		if (r->cache != (uint32_t)ci)
			continue;
		for (uint64_t id = r->id0; id < r->id0 + r->nobj; id++) {
			if (!is_allocated(sc, id))
				continue;
			o->allocated++;
			uint64_t a = object_address(r, id);
			uint64_t owner = 0;
			if (k == 0 ? sorted_has(&oc->live, a)
				   : sorted_has(&oc->owned_live[k], a)) {
				o->owned_by_live++;
				continue;
			}
			if (k && (owner = pair_task(&oc->owned_orphan[k], a))) {
				o->owned_by_orphan++;
				continue;
			}
			if (cc.is_active && !content_matches(oc, &cc, a)) {
				o->other_objects++;
				continue;
			}
			o->count++;
			o->memory_bytes += c->size;
			if (!u64_vector_append(&oc->unowned[k], id))
				err = &vmca_enomem;
			if (objs.len >= max && k != 0)
				continue;
			struct vmca_leak_object *ob =
				obj_vector_append_entry(&objs);
			if (!ob) {
				err = &vmca_enomem;
				break;
			}
			memset(ob, 0, sizeof(*ob));
			ob->address = a;
			if (k == 0) {
				read_task_object(oc, tf, a, ob);
				if (ob->explained) {
					o->explained++;
					o->count--;
					o->memory_bytes -= c->size;
				} else if (!u64_vector_append(&oc->orphan_tasks,
							      a))
					err = &vmca_enomem;
			}
		}
	}
	o->objects = objs.data;
	o->nr_objects = objs.len;
	// Only tasks have a comm and a state to group by.
	if (!err && k == 0)
		err = group_by_comm(o);
	// Keep at most max task objects too (all were read for the groups).
	if (o->nr_objects > max)
		o->nr_objects = max;
	return err;
}

static void sort_pairs(struct u64_vector *v)
{
	sort_items(v->data, v->len / 2, 16, compare_pair);
}

static struct vmca_error *find_orphans(struct orphan_ctx *oc)
{
	struct vmca_session *s = oc->s;
	struct vmca_error *err = orphans_init(oc);
	if (err)
		return err;
	struct task_fields tf;
	err = task_fields_init(s, oc->task_type, &tf);
	if (err)
		return err;
	err = vmca_task_walk(s, add_live, live_error, oc);
	if (err)
		return err;
	sort_items(oc->live.data, oc->live.len, 8, compare_u64);
	for (size_t i = 0; i < oc->live.len; i++)
		task_owned(oc, oc->live.data[i], oc->owned_live, false);
	for (size_t k = 1; k < VMCA_LEAK_NR_KINDS; k++)
		sort_items(oc->owned_live[k].data, oc->owned_live[k].len, 8,
			   compare_u64);
	if (oc->has_rcu)
		collect_rcu(oc);
	err = check_kind(oc, 0, &tf);
	if (err)
		return err;
	if (oc->nr_unreached)
		note(oc->l,
		     "the task walk is incomplete: %" PRIu64
		     " task_struct it did not reach that have not exited (or "
		     "cannot be read) are not called orphans (explained "
		     "\"unreached\")",
		     oc->nr_unreached);
	for (size_t i = 0; i < oc->orphan_tasks.len; i++)
		task_owned(oc, oc->orphan_tasks.data[i], oc->owned_orphan,
			   true);
	// In-flight tasks own what they own too: not orphans of their own.
	const struct vmca_leak_orphans *t = &oc->l->orphans[0];
	for (size_t i = 0; i < t->nr_objects; i++) {
		if (t->objects[i].explained)
			task_owned(oc, t->objects[i].address, oc->owned_orphan,
				   true);
	}
	for (size_t k = 1; k < VMCA_LEAK_NR_KINDS; k++) {
		sort_pairs(&oc->owned_orphan[k]);
		err = check_kind(oc, k, &tf);
		if (err)
			return err;
	}
	return NULL;
}

/* Holders, described. */

struct phys_map_entry {
	uint64_t phys, vaddr; // page-aligned
	uint64_t pid;	      // stacks: the task's pid + 1, else 0
	char comm[17];
};
DEFINE_VECTOR(phys_map, struct phys_map_entry)

static int compare_phys(const void *a, const void *b)
{
	const struct phys_map_entry *x = a, *y = b;
	return x->phys < y->phys ? -1 : x->phys > y->phys;
}

struct describe_ctx {
	struct vmca_session *s;
	bool has_map;
	struct phys_map map;
	uint64_t text_phys, text_virt, text_len;
	// struct file's cache and f_cred.
	bool has_f_cred;
	uint64_t filp_cache, f_cred_offset;
};

static void map_range(struct describe_ctx *d, uint64_t base, uint64_t size,
		      uint64_t pid, const char *comm)
{
	uint64_t ps = vmca_session_page_size(d->s);
	for (uint64_t a = base & ~(ps - 1); a < base + size; a += ps) {
		uint64_t phys;
		struct vmca_error *err = vmca_virt_to_phys(d->s, a, &phys);
		if (err) {
			vmca_error_destroy(err);
			continue;
		}
		struct phys_map_entry *e = phys_map_append_entry(&d->map);
		if (!e)
			return;
		*e = (struct phys_map_entry){
			.phys = phys & ~(ps - 1), .vaddr = a, .pid = pid};
		vmca_strf(e->comm, sizeof(e->comm), "%s", comm ? comm : "");
	}
}

static struct vmca_error *map_stack(struct vmca_session *s,
				    const struct vmca_task_entry *e, void *arg)
{
	struct describe_ctx *d = arg;
	uint64_t stack, pid = 0;
	char comm[17] = "";
	struct vmca_error *err = vmca_read_member(
		s, e->address, "struct task_struct", "stack", &stack);
	if (!err)
		err = vmca_read_member(s, e->address, "struct task_struct",
				       "pid", &pid);
	uint64_t off;
	if (!err &&
	    !vmca_type_member_offset(s, "struct task_struct", "comm", &off))
		vmca_error_destroy(vmca_read_string(s, e->address + off, comm,
						    sizeof(comm)));
	if (err) {
		vmca_error_destroy(err);
		return NULL;
	}
	// THREAD_SIZE on x86_64: 16 KiB (KASAN doubles it; then the rest
	// is not found).
	map_range(d, stack, 16384, (pid & 0xffffffff) + 1, comm);
	return NULL;
}

static void no_error(struct vmca_session *s, struct vmca_error *err, void *a)
{
	(void)s;
	(void)a;
	vmca_error_destroy(err);
}

static void build_map(struct describe_ctx *d)
{
	d->has_map = true;
	struct vmca_session *s = d->s;
	uint64_t text, end;
	if (vmca_error_consume(vmca_symbol_address(s, "_text", &text)) &&
	    vmca_error_consume(vmca_symbol_address(s, "_end", &end)) &&
	    end > text &&
	    vmca_error_consume(vmca_virt_to_phys(s, text, &d->text_phys))) {
		d->text_virt = text;
		d->text_len = end - text;
	}
	const struct vmca_module *mods;
	size_t n;
	struct vmca_error *err = vmca_modules(s, &mods, &n);
	if (!err) {
		for (size_t i = 0; i < n; i++) {
			for (size_t p = 0; p < VMCA_MODULE_NR_PARTS; p++)
				map_range(d, mods[i].parts[p].base,
					  mods[i].parts[p].size, 0, NULL);
		}
	}
	vmca_error_destroy(err);
	vmca_error_destroy(vmca_task_walk(s, map_stack, no_error, d));
	sort_items(d->map.data, d->map.len, sizeof(*d->map.data), compare_phys);
}

static void describe_symbol(struct vmca_session *s, uint64_t vaddr,
			    struct vmca_leak_holder *h)
{
	struct vmca_symbol sym;
	struct vmca_error *err = vmca_symbol_lookup(s, vaddr, &sym);
	if (err) {
		vmca_error_destroy(err);
		vmca_strf(h->where, sizeof(h->where), "%#" PRIx64, vaddr);
		return;
	}
	vmca_strf(h->where, sizeof(h->where), "%s+%#" PRIx64 "%s%s%s", sym.name,
		  vaddr - sym.address, sym.module ? " [" : "",
		  sym.module ? sym.module : "", sym.module ? "]" : "");
}

static void describe_root(struct describe_ctx *d, uint64_t phys,
			  struct vmca_leak_holder *h)
{
	struct vmca_session *s = d->s;
	if (!d->has_map)
		build_map(d);
	h->address = vmca_phys_to_virt(s, phys);
	h->kind = "page";
	if (!phys) {
		h->kind = "registers";
		h->address = 0;
		vmca_strf(h->where, sizeof(h->where), "a CPU's registers");
		return;
	}
	uint64_t ps = vmca_session_page_size(s);
	struct phys_map_entry key = {.phys = phys & ~(ps - 1)};
	const struct phys_map_entry *e =
		d->map.len ? bsearch(&key, d->map.data, d->map.len, sizeof(key),
				     compare_phys)
			   : NULL;
	if (e) {
		h->address = e->vaddr + (phys & (ps - 1));
		if (e->pid) {
			h->kind = "stack";
			vmca_strf(h->where, sizeof(h->where),
				  "stack of pid %" PRIu64 " (%s)", e->pid - 1,
				  e->comm);
		} else {
			h->kind = "data";
			describe_symbol(s, h->address, h);
		}
		return;
	}
	// The kernel image, after the exact maps: its freed init memory
	// is reused by anyone.
	if (d->text_len && phys >= d->text_phys &&
	    phys < d->text_phys + d->text_len) {
		h->kind = "data";
		h->address = d->text_virt + (phys - d->text_phys);
		describe_symbol(s, h->address, h);
		return;
	}
	vmca_strf(h->where, sizeof(h->where),
		  "kernel page %#" PRIx64 " (no symbol)", phys & ~(ps - 1));
}

static int compare_holder(const void *a, const void *b)
{
	const struct holder_rec *x = a, *y = b;
	if (x->target != y->target)
		return x->target < y->target ? -1 : 1;
	// Roots (data) before objects.
	if (!x->source != !y->source)
		return !x->source ? -1 : 1;
	return x->phys < y->phys ? -1 : x->phys > y->phys;
}

// Suspects first, in flight last, each by address.
static int compare_object(const void *a, const void *b)
{
	const struct vmca_leak_object *x = a, *y = b;
	if (!x->explained != !y->explained)
		return x->explained ? 1 : -1;
	return x->address < y->address ? -1 : x->address > y->address;
}

static void attach_holders(struct scan *sc, struct vmca_leak *l)
{
	if (!sc->holders.len)
		return;
	sort_items(sc->holders.data, sc->holders.len, sizeof(struct holder_rec),
		   compare_holder);
	struct describe_ctx d = {.s = sc->s};
	phys_map_init(&d.map);
	struct vmca_variable fv;
	struct vmca_error *err = vmca_variable(sc->s, "filp_cachep", &fv);
	if (!err)
		err = vmca_read_u64(sc->s, fv.address, &d.filp_cache);
	if (!err)
		err = vmca_type_member_offset(sc->s, "struct file", "f_cred",
					      &d.f_cred_offset);
	d.has_f_cred = !err;
	vmca_error_destroy(err);
	for (size_t k = 0; k < l->nr_orphans; k++) {
		struct vmca_leak_orphans *o = &l->orphans[k];
		for (size_t i = 0; i < o->nr_objects; i++) {
			struct vmca_leak_object *ob = &o->objects[i];
			uint64_t id = resolve(sc, ob->address);
			if (id == UINT64_MAX)
				continue;
			struct holder_rec key = {.target = id};
			// The first record of id.
			size_t lo = 0, hi = sc->holders.len;
			while (lo < hi) {
				size_t mid = (lo + hi) / 2;
				if (sc->holders.data[mid].target < key.target)
					lo = mid + 1;
				else
					hi = mid;
			}
			struct vmca_leak_holder found[MAX_DESCRIBED];
			size_t nfound = 0;
			for (size_t j = lo; j < sc->holders.len &&
					    sc->holders.data[j].target == id;
			     j++) {
				const struct holder_rec *hr =
					&sc->holders.data[j];
				ob->holders_found++;
				if (nfound == MAX_DESCRIBED)
					continue;
				struct vmca_leak_holder *h = &found[nfound++];
				memset(h, 0, sizeof(*h));
				if (!hr->source) {
					describe_root(&d, hr->phys, h);
					continue;
				}
				const struct slab_rec *r =
					slab_of(sc, hr->source - 1);
				uint64_t a =
					r ? object_address(r, hr->source - 1)
					  : 0;
				h->kind = "object";
				h->address = a + hr->offset;
				vmca_strf(h->where, sizeof(h->where),
					  "%s object %#" PRIx64 "+%#x",
					  r ? sc->caches[r->cache].name : "?",
					  a, hr->offset);
				// A cred an open file holds (f_cred) outlives
				// the task that opened it.
				if (!strcmp(o->kind, "cred") && r &&
				    d.has_f_cred &&
				    sc->caches[r->cache].address ==
					    d.filp_cache &&
				    hr->offset == d.f_cred_offset)
					ob->explained = "file";
			}
			// The most telling first: a module's data, the
			// kernel's, objects, stacks, pages, registers. (The
			// kernel's data holds stale words too: an rwsem's
			// owner keeps its last reader.)
			static const char *const order[] = {
				"data",	 "data", "object",
				"stack", "page", "registers"};
			for (size_t r = 0; r < 6; r++) {
				for (size_t j = 0; j < nfound; j++) {
					bool is_module = strstr(found[j].where,
								" [") != NULL;
					if (ob->nr_holders <
						    VMCA_LEAK_MAX_HOLDERS &&
					    found[j].kind &&
					    !strcmp(found[j].kind, order[r]) &&
					    (r > 1 || is_module == (r == 0)))
						ob->holders[ob->nr_holders++] =
							found[j];
				}
			}
			// An mm the kernel itself keeps in a variable of its
			// own (poking_mm, efi_mm) is no task's.
			if (!strcmp(o->kind, "mm_struct") && !ob->explained) {
				for (uint32_t j = 0; j < ob->nr_holders; j++) {
					const struct vmca_leak_holder *h =
						&ob->holders[j];
					if (!strcmp(h->kind, "data") &&
					    !strstr(h->where, " ["))
						ob->explained = "kernel";
				}
			}
			if (ob->explained &&
			    (!strcmp(ob->explained, "file") ||
			     !strcmp(ob->explained, "kernel"))) {
				o->explained++;
				o->count--;
				o->memory_bytes -= o->object_size_slot;
			}
		}
	}
	phys_map_deinit(&d.map);
}

/* Unreferenced objects, grouped. */

struct member {
	uint64_t id, address;
	unsigned char bytes[GROUP_BYTES];
	uint32_t len;
	bool has_bytes;
	uint64_t key;
	// slub_debug=U: its alloc track (has_track).
	bool has_track;
	struct vmca_slab_track alloc;
};

static int compare_member(const void *a, const void *b)
{
	const struct member *x = a, *y = b;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->address < y->address ? -1 : x->address > y->address;
}

static bool is_printable(unsigned char c)
{
	return c >= 0x20 && c < 0x7f;
}

static int compare_group(const void *a, const void *b)
{
	const struct vmca_leak_group *x = a, *y = b;
	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return x->first_word < y->first_word ? -1 : 1;
}

static void symbolize(struct vmca_session *s, uint64_t addr, char *buf,
		      size_t size)
{
	struct vmca_symbol sym;
	struct vmca_error *err = vmca_symbol_lookup(s, addr, &sym);
	if (err) {
		vmca_error_destroy(err);
		vmca_strf(buf, size, "%#" PRIx64, addr);
		return;
	}
	vmca_strf(buf, size, "%s+%#" PRIx64 "%s%s%s", sym.name,
		  addr - sym.address, sym.module ? " [" : "",
		  sym.module ? sym.module : "", sym.module ? "]" : "");
}

// The allocation site of a group (members share the track's addr): the
// caller, the pids and CPUs, how long ago, the first member's stack and
// last free.
static void describe_site(struct scan *sc, const struct vmca_slab_cache *c,
			  const struct member *m, size_t n,
			  struct vmca_leak_site *site)
{
	struct vmca_session *s = sc->s;
	site->has_track = true;
	site->addr = m[0].alloc.addr;
	symbolize(s, site->addr, site->symbol, sizeof(site->symbol));
	site->pid = m[0].alloc.pid;
	site->cpu = m[0].alloc.cpu;
	uint64_t now = vmca_slab_tracks_jiffies(sc->tracks);
	uint32_t hz = vmca_slab_tracks_hz(sc->tracks);
	uint64_t lo = UINT64_MAX, hi = 0;
	for (size_t i = 0; i < n; i++) {
		bool seen = false;
		for (size_t j = 0; j < i && !seen; j++)
			seen = m[j].alloc.pid == m[i].alloc.pid;
		site->pids += !seen;
		uint64_t age = now - m[i].alloc.when;
		lo = age < lo ? age : lo;
		hi = age > hi ? age : hi;
		if (i > 4096) // enough for the distinct pids' estimate
			break;
	}
	site->age_min_jiffies = lo;
	site->age_max_jiffies = hi;
	site->hz = hz;
	for (uint32_t i = 0; i < m[0].alloc.nr_stack; i++)
		symbolize(s, m[0].alloc.stack[i], site->stack[site->nr_stack++],
			  sizeof(site->stack[0]));
	struct vmca_slab_track fr;
	struct vmca_error *err = vmca_slab_track_read(
		sc->tracks, c, m[0].address, VMCA_SLAB_TRACK_FREE, &fr);
	if (!err && fr.addr) {
		site->has_free = true;
		symbolize(s, fr.addr, site->free_symbol,
			  sizeof(site->free_symbol));
		site->free_pid = fr.pid;
	}
	vmca_error_destroy(err);
}

static void describe_group(struct scan *sc, const struct member *m, size_t n,
			   uint32_t size, struct vmca_leak_group *g)
{
	g->count = n;
	g->memory_bytes = n * size;
	for (size_t i = 0; i < n && g->nr_samples < VMCA_LEAK_MAX_SAMPLES; i++)
		g->samples[g->nr_samples++] = m[i].address;
	if (!m[0].has_bytes)
		return;
	uint32_t len = m[0].len;
	for (size_t i = 1; i < n; i++)
		len = m[i].len < len ? m[i].len : len;
	uint64_t w0;
	memcpy(&w0, m[0].bytes, 8);
	g->has_first_word = len >= 8;
	g->first_word = w0;
	for (uint32_t off = 0;
	     off + 8 <= len && g->nr_words < VMCA_LEAK_MAX_WORDS; off += 8) {
		uint64_t v;
		memcpy(&v, m[0].bytes + off, 8);
		bool same = true;
		for (size_t i = 1; i < n && same; i++)
			same = !memcmp(m[i].bytes + off, &v, 8);
		if (!same) {
			if (off == 0)
				g->has_first_word = false;
			continue;
		}
		if (!v)
			continue;
		struct vmca_leak_word *w = &g->words[g->nr_words++];
		w->offset = off;
		w->value = v;
		bool text = true;
		for (int b = 0; b < 8; b++)
			text &= is_printable(m[0].bytes[off + b]);
		if (text) {
			memcpy(w->text, m[0].bytes + off, 8);
			w->text[8] = 0;
		}
		// A pointer into the kernel image or a module: its symbol.
		if (v >= UINT64_C(0xffffffff80000000)) {
			struct vmca_symbol sym;
			struct vmca_error *err =
				vmca_symbol_lookup(sc->s, v, &sym);
			if (!err &&
			    v - sym.address < (sym.size ? sym.size : 4096))
				vmca_strf(w->symbol, sizeof(w->symbol),
					  "%s+%#" PRIx64 "%s%s%s", sym.name,
					  v - sym.address,
					  sym.module ? " [" : "",
					  sym.module ? sym.module : "",
					  sym.module ? "]" : "");
			vmca_error_destroy(err);
		}
	}
	// The longest text (4 or more printable bytes, NUL-ended or not)
	// every member has at the same offset.
	uint32_t best = 0, best_off = 0;
	for (uint32_t off = 0; off < len;) {
		uint32_t e = off;
		while (e < len && is_printable(m[0].bytes[e]))
			e++;
		// What every member has of it (a counter after a tag
		// shortens it).
		uint32_t run = e - off;
		for (size_t i = 1; i < n && run >= 4; i++) {
			uint32_t k = 0;
			while (k < run &&
			       m[i].bytes[off + k] == m[0].bytes[off + k])
				k++;
			run = k;
		}
		if (run >= 4 && run > best) {
			best = run;
			best_off = off;
		}
		off = e + 1;
	}
	if (best) {
		if (best >= sizeof(g->text))
			best = sizeof(g->text) - 1;
		memcpy(g->text, m[0].bytes + best_off, best);
		g->text[best] = 0;
		g->text_offset = best_off;
	}
}

static struct vmca_error *group_cache(struct scan *sc,
				      const struct vmca_leak_options *opts,
				      uint32_t ci, const struct u64_vector *ids,
				      struct vmca_leak_unreferenced *u)
{
	const struct vmca_slab_cache *c = &sc->caches[ci];
	struct member *m = calloc(ids->len, sizeof(*m));
	if (!m)
		return &vmca_enomem;
	uint64_t limit = sc->npfn << sc->page_shift;
	for (size_t i = 0; i < ids->len; i++) {
		m[i].id = ids->data[i];
		m[i].len = c->object_size < GROUP_BYTES ? c->object_size
							: GROUP_BYTES;
	}
	// Addresses: each object's slab by a binary search of the ids.
	for (size_t k = 0; k < ids->len; k++) {
		const struct slab_rec *r = slab_of(sc, ids->data[k]);
		if (r)
			m[k].address = object_address(r, ids->data[k]);
	}
	for (size_t i = 0; i < ids->len; i++) {
		m[i].has_bytes =
			bit_get(sc->has_bytes.data, m[i].id) && m[i].address;
		if (m[i].has_bytes) {
			struct vmca_error *err = vmca_read_phys(
				sc->s, m[i].address - sc->page_offset,
				m[i].bytes, m[i].len);
			if (err) {
				vmca_error_destroy(err);
				m[i].has_bytes = false;
			}
		}
		uint64_t w0 = 0;
		if (m[i].has_bytes && m[i].len >= 8)
			memcpy(&w0, m[i].bytes, 8);
		// A heap pointer differs from object to object: one key.
		m[i].key = w0 - sc->page_offset < limit ? 1 : w0;
		if (!m[i].has_bytes)
			m[i].key = 2;
		// With tracks, the allocation site is the key.
		if (sc->tracks && vmca_slab_cache_has_tracks(sc->w, c) &&
		    m[i].address) {
			struct vmca_error *err = vmca_slab_track_read(
				sc->tracks, c, m[i].address,
				VMCA_SLAB_TRACK_ALLOC, &m[i].alloc);
			m[i].has_track = !err && m[i].alloc.addr;
			vmca_error_destroy(err);
			if (m[i].has_track)
				m[i].key = m[i].alloc.addr;
		}
	}
	sort_items(m, ids->len, sizeof(*m), compare_member);
	size_t max = opts->max_groups ? opts->max_groups : DEFAULT_GROUPS;
	struct vmca_leak_group *groups = NULL;
	size_t ng = 0;
	for (size_t i = 0; i < ids->len;) {
		size_t e = i + 1;
		while (e < ids->len && m[e].key == m[i].key)
			e++;
		struct vmca_leak_group *g =
			realloc(groups, (ng + 1) * sizeof(*g));
		if (!g) {
			free(groups);
			free(m);
			return &vmca_enomem;
		}
		groups = g;
		memset(&groups[ng], 0, sizeof(groups[ng]));
		describe_group(sc, m + i, e - i, c->size, &groups[ng]);
		if (m[i].has_track)
			describe_site(sc, c, m + i, e - i, &groups[ng].alloc);
		ng++;
		i = e;
	}
	sort_items(groups, ng, sizeof(*groups), compare_group);
	for (size_t i = max; i < ng; i++)
		u->other_count += groups[i].count;
	u->groups = groups;
	u->nr_groups = ng < max ? ng : max;
	size_t keep = opts->max_objects ? opts->max_objects : DEFAULT_OBJECTS;
	if (keep > ids->len)
		keep = ids->len;
	u->objects = malloc((keep ? keep : 1) * sizeof(uint64_t));
	if (!u->objects) {
		free(m);
		return &vmca_enomem;
	}
	for (size_t i = 0; i < ids->len; i++)
		m[i].key = m[i].address; // now by address
	sort_items(m, ids->len, sizeof(*m), compare_member);
	for (size_t i = 0; i < keep; i++)
		u->objects[i] = m[i].address;
	u->nr_objects = keep;
	free(m);
	return NULL;
}

static int compare_unref(const void *a, const void *b)
{
	const struct vmca_leak_unreferenced *x = a, *y = b;
	if (x->memory_bytes != y->memory_bytes)
		return x->memory_bytes < y->memory_bytes ? 1 : -1;
	return strcmp(x->cache, y->cache);
}

static struct vmca_error *
report_unreferenced(struct scan *sc, const struct vmca_leak_options *opts,
		    struct vmca_leak *l)
{
	struct u64_vector *per =
		calloc(sc->nr_caches ? sc->nr_caches : 1, sizeof(*per));
	uint64_t *allocated = calloc(sc->nr_caches ? sc->nr_caches : 1, 8);
	if (!per || !allocated) {
		free(per);
		free(allocated);
		return &vmca_enomem;
	}
	struct vmca_error *err = NULL;
	for (size_t i = 0; i < sc->slabs.len && !err; i++) {
		const struct slab_rec *r = &sc->slabs.data[i];
		for (uint64_t id = r->id0; id < r->id0 + r->nobj; id++) {
			if (!is_allocated(sc, id))
				continue;
			l->scan.allocated++;
			allocated[r->cache]++;
			if (!bit_get(sc->has_bytes.data, id))
				l->scan.unread_objects++;
			if (is_marked(sc, id)) {
				l->scan.reachable++;
				continue;
			}
			l->scan.unreferenced++;
			if (!u64_vector_append(&per[r->cache], id)) {
				err = &vmca_enomem;
				break;
			}
		}
	}
	size_t n = 0;
	for (size_t i = 0; i < sc->nr_caches; i++)
		n += per[i].len != 0;
	l->unreferenced = calloc(n ? n : 1, sizeof(*l->unreferenced));
	if (!l->unreferenced && !err)
		err = &vmca_enomem;
	for (size_t i = 0; i < sc->nr_caches && !err; i++) {
		if (!per[i].len)
			continue;
		struct vmca_leak_unreferenced *u =
			&l->unreferenced[l->nr_unreferenced++];
		vmca_strf(u->cache, sizeof(u->cache), "%s", sc->caches[i].name);
		u->count = per[i].len;
		u->memory_bytes = per[i].len * sc->caches[i].size;
		u->allocated = allocated[i];
		err = group_cache(sc, opts, (uint32_t)i, &per[i], u);
	}
	for (size_t i = 0; i < sc->nr_caches; i++)
		u64_vector_deinit(&per[i]);
	free(per);
	free(allocated);
	if (!err)
		sort_items(l->unreferenced, l->nr_unreferenced,
			   sizeof(*l->unreferenced), compare_unref);
	return err;
}

/* Putting it together. */

static void scan_deinit(struct scan *sc)
{
	slab_rec_vector_deinit(&sc->slabs);
	u64_vector_deinit(&sc->alloc);
	u64_vector_deinit(&sc->has_bytes);
	u64_vector_deinit(&sc->edge_start);
	u64_vector_deinit(&sc->edges);
	u16_vector_deinit(&sc->edge_offsets);
	holder_vector_deinit(&sc->holders);
	free((void *)sc->marked);
	free(sc->watched);
	free(sc->pfn_slab);
	free(sc->by_id);
	vmca_slab_tracks_destroy(sc->tracks);
	vmca_slab_walk_destroy(sc->w);
}

static void orphan_ctx_deinit(struct orphan_ctx *oc)
{
	u64_vector_deinit(&oc->live);
	u64_vector_deinit(&oc->orphan_tasks);
	u64_vector_deinit(&oc->rcu_heads);
	free(oc->rq_clocks);
	for (size_t k = 0; k < VMCA_LEAK_NR_KINDS; k++) {
		u64_vector_deinit(&oc->owned_live[k]);
		u64_vector_deinit(&oc->owned_orphan[k]);
		u64_vector_deinit(&oc->unowned[k]);
	}
}

static struct vmca_error *analyze(struct vmca_session *s,
				  const struct vmca_leak_options *opts,
				  struct vmca_leak *l, struct scan *sc,
				  struct orphan_ctx *oc)
{
	breakdown(s, l);
	struct vmca_error *err = vmca_shmem_read(s, &l->shmem);
	if (err)
		note_error(l, "shmem", err);
	err = vmca_vmalloc_areas(s, &l->vmalloc);
	if (err)
		note_error(l, "vmalloc", err);
	err = vmca_slab_walk_create(s, &sc->w);
	if (err)
		return vmca_error_wrap(err, "slab caches");
	sc->caches = vmca_slab_walk_caches(sc->w, &sc->nr_caches);
	err = vmca_slab_walk_select(sc->w, NULL);
	if (err)
		return err;
	vmca_slab_walk_set_options(
		sc->w, VMCA_SLAB_WALK_PAGE_KINDS |
			       (opts->scan ? VMCA_SLAB_WALK_MEMORY : 0));
	sc->page_size = vmca_session_page_size(s);
	while (sc->page_shift < 63 &&
	       (UINT64_C(1) << sc->page_shift) < sc->page_size)
		sc->page_shift++;
	sc->page_offset = vmca_page_offset(s);
	sc->collect_edges = opts->scan;
	// The scan's time: the walk that reads the slabs on, to the report.
	double t0 = now_s();
	err = vmca_slab_walk_run(sc->w, visit_object, sc);
	if (err)
		return vmca_error_wrap(err, "slab walk");
	err = rank_caches(sc, l);
	if (err)
		return err;
	struct vmca_slab_walk_info info;
	vmca_slab_walk_info(sc->w, &info);
	l->scan.missing_struct_pages = info.missing_pfns;
	uint64_t slab_errors = info.errors ? info.errors->count : 0;
	for (size_t i = 0; i < sc->nr_caches; i++)
		slab_errors += sc->caches[i].errors.count;
	if (slab_errors)
		note(l,
		     "the slab walk met %" PRIu64
		     " errors (unreadable or inconsistent slabs: `vmca slab` "
		     "lists them); objects there are not all counted",
		     slab_errors);
	l->scan.objects = sc->nobj;
	if (!sc->kinds)
		sc->kinds = vmca_slab_walk_page_kinds(sc->w, &sc->npfn);
	if (!sc->kinds)
		return vmca_error_create(VMCA_ERROR_NOT_FOUND,
					 "the struct pages could not be "
					 "classified");
	err = index_slabs(sc);
	if (err)
		return err;
	oc->s = s;
	oc->sc = sc;
	oc->l = l;
	oc->opts = opts;
	err = find_orphans(oc);
	if (err == &vmca_enomem)
		return err;
	if (err)
		note_error(l, "orphans", err);
	if (!opts->scan)
		return NULL;
	// Watch the orphans: the scan says who points at them.
	for (size_t k = 0; k < VMCA_LEAK_NR_KINDS; k++) {
		for (size_t i = 0; i < oc->unowned[k].len; i++) {
			if (sc->nr_watched >= MAX_WATCHED)
				break;
			bit_set(sc->watched, oc->unowned[k].data[i]);
			sc->nr_watched++;
		}
	}
	struct u64_vector stack;
	u64_vector_init(&stack);
	err = scan_roots(sc, opts, l, &stack);
	if (!err)
		err = traverse(sc, &stack);
	u64_vector_deinit(&stack);
	if (!err && sc->nr_watched)
		err = object_holders(sc);
	if (err)
		return err;
	l->scan.has_run = true;
	l->scan.edges = sc->edges.len;
	l->scan.bytes_read = l->scan.root_bytes;
	for (size_t i = 0; i < sc->slabs.len; i++)
		l->scan.bytes_read +=
			(uint64_t)sc->slabs.data[i].npages * sc->page_size;
	for (size_t i = 0; i < sc->nr_caches && !sc->tracks; i++) {
		if (!vmca_slab_cache_has_tracks(sc->w, &sc->caches[i]))
			continue;
		err = vmca_slab_tracks_create(s, &sc->tracks);
		if (err) {
			note_error(l, "slub_debug=U tracks", err);
			break;
		}
		l->has_tracks = true;
	}
	err = report_unreferenced(sc, opts, l);
	l->scan.seconds = now_s() - t0;
	if (err)
		return err;
	attach_holders(sc, l);
	for (size_t k = 0; k < l->nr_orphans; k++)
		sort_items(l->orphans[k].objects, l->orphans[k].nr_objects,
			   sizeof(struct vmca_leak_object), compare_object);
	if (l->scan.missing_root_pages || l->scan.missing_struct_pages ||
	    l->scan.unread_objects)
		note(l,
		     "the dump lacks %" PRIu64 " kernel pages, %" PRIu64
		     " struct pages and the memory of %" PRIu64
		     " allocated objects: pointers there were not seen, so "
		     "some objects called unreferenced may be referenced",
		     l->scan.missing_root_pages, l->scan.missing_struct_pages,
		     l->scan.unread_objects);
	return NULL;
}

struct vmca_error *vmca_leak_analyze(struct vmca_session *s,
				     const struct vmca_leak_options *opts,
				     struct vmca_leak **ret)
{
	struct vmca_leak *l = calloc(1, sizeof(*l));
	if (!l)
		return &vmca_enomem;
	struct scan sc = {.s = s};
	struct orphan_ctx oc = {0};
	struct vmca_error *err = analyze(s, opts, l, &sc, &oc);
	orphan_ctx_deinit(&oc);
	scan_deinit(&sc);
	if (err) {
		vmca_leak_destroy(l);
		return err;
	}
	*ret = l;
	return NULL;
}

void vmca_leak_destroy(struct vmca_leak *l)
{
	if (!l)
		return;
	free(l->caches);
	vmca_shmem_destroy(l->shmem);
	vmca_vmalloc_destroy(l->vmalloc);
	for (size_t k = 0; k < l->nr_orphans; k++) {
		free(l->orphans[k].skipped);
		free(l->orphans[k].objects);
		free(l->orphans[k].by_comm);
		free(l->orphans[k].by_pattern);
	}
	for (size_t i = 0; i < l->nr_unreferenced; i++) {
		free(l->unreferenced[i].groups);
		free(l->unreferenced[i].objects);
	}
	free(l->unreferenced);
	for (size_t i = 0; i < l->nr_notes; i++)
		free(l->notes[i]);
	free(l->notes);
	free(l);
}

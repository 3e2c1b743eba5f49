// SPDX-License-Identifier: MIT
/**
 * @file libFuzzer target: the real walkers over a real dump whose memory
 * the input patches.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../analyzer/buddy.h"
#include "../../analyzer/leak.h"
#include "../../analyzer/memory.h"
#include "../../analyzer/module.h"
#include "../../analyzer/slab_walk.h"
#include "../../analyzer/task.h"
#include "../../analyzer/unwind.h"
#include "../../analyzer/vmca.h"
#include "../../analyzer/walk.h"
#include "session.h"
#include "standalone.h"

/*
 * The dump and its vmlinux are opened once ($VMCA_FUZZ_DUMP,
 * $VMCA_FUZZ_VMLINUX), and its reads go through an overlay back end
 * (struct vmca_memory_backend) that applies the input's patches over the
 * real memory. A patch is
 *
 *   u8 anchor, u16 offset, u8 length - 1 (of 1..32), the bytes
 *
 * at the anchor's address plus offset (modulo the anchor's size), virtual
 * and physical reads alike. The first byte of the input selects the
 * walkers (bit i: walker i of walkers[] below; 0: all of them).
 *
 * The anchors, found on the unpatched dump at startup: init_task, the
 * next task on its tasks list, that task's stack, a slab cache
 * ($VMCA_FUZZ_SLAB_CACHE, default mm_struct: its slabs are all on
 * lists, kmalloc-1k's full ones cost a struct page scan, ~100 ms) and one of
 * its slabs' struct page and memory, the zone with the most pages and the first
 * page of one of its free lists, vmap_area_root's root node, init_pid_ns's idr
 * node, the maple tree root of the task's mm, the first module.
 *
 * Then the walkers run over that memory: the task list, the unwinder on
 * the task and init_task, the slab walk of the cache, the buddy lists of
 * every zone, an rbtree, an xarray and a maple tree, the modules list with
 * every module's kallsyms, and (walker 6, only when the mask is 0x40) the
 * leak analysis with its pointer scan; every result is destroyed, and the
 * session forgets what it derived from memory (modules, unwind tables). Each
 * must finish, whatever the patches: bounded, cycle-checked, no crash.
 *
 * Seeds (tests/fuzz/make_seeds.py): small patch lists that make a list
 * a cycle, zero a task's links, point a freelist outside its slab.
 */

#define MAX_PATCHES   64
#define MAX_PATCH_LEN 32
#define NO_PADDR      UINT64_MAX

struct anchor {
	const char *name;
	uint64_t vaddr, size;
	/** Physical address of each 4 KiB page of [vaddr, vaddr + size). */
	uint64_t paddr[16];
};

struct patch {
	uint64_t vaddr, paddr;
	uint32_t len;
	uint8_t bytes[MAX_PATCH_LEN];
};

static struct {
	struct vmca_session *s;
	struct anchor anchors[16];
	size_t nr_anchors;
	struct patch patches[2 * MAX_PATCHES];
	size_t nr_patches;
	uint64_t task, rb_root, xarray, maple_tree;
	const char *cache_name;
	uint64_t max;
} g;

static const uint64_t page_size = 4096;

static void overlay_apply(enum vmca_memory_space space, uint64_t addr,
			  void *buf, size_t len)
{
	for (size_t i = 0; i < g.nr_patches; i++) {
		const struct patch *p = &g.patches[i];
		uint64_t at = space == VMCA_MEMORY_PADDR ? p->paddr : p->vaddr;
		if (at == NO_PADDR)
			continue;
		uint64_t lo = at > addr ? at : addr;
		uint64_t end = addr + len, pend = at + p->len;
		uint64_t hi = pend < end ? pend : end;
		if (lo < hi)
			memcpy((char *)buf + (lo - addr), p->bytes + (lo - at),
			       (size_t)(hi - lo));
	}
}

static struct vmca_error *overlay_read(void *arg, struct vmca_memory *m,
				       enum vmca_memory_space space,
				       uint64_t addr, void *buf, size_t len)
{
	struct vmca_error *err =
		vmca_memory_read_dump(m, space, addr, buf, len);
	if (err)
		return err;
	overlay_apply(space, addr, buf, len);
	return NULL;
}

static const struct vmca_memory_backend overlay = {.read = overlay_read};

static void add_anchor(const char *name, uint64_t vaddr, uint64_t size)
{
	if (!vaddr || !size ||
	    g.nr_anchors == sizeof(g.anchors) / sizeof(g.anchors[0]))
		return;
	if (size > 16 * page_size - (vaddr & (page_size - 1)))
		size = 16 * page_size - (vaddr & (page_size - 1));
	struct anchor *a = &g.anchors[g.nr_anchors++];
	a->name = name;
	a->vaddr = vaddr;
	a->size = size;
	uint64_t first = vaddr & ~(page_size - 1);
	for (size_t i = 0; i < 16; i++) {
		a->paddr[i] = NO_PADDR;
		struct vmca_vtop v;
		if (first + i * page_size < vaddr + size &&
		    vmca_error_consume(
			    vmca_vtop(g.s, first + i * page_size, &v)))
			a->paddr[i] = v.paddr;
	}
	fprintf(stderr,
		"walkers_fuzz: anchor %zu: %s at %#" PRIx64 " (%" PRIu64
		" bytes)\n",
		g.nr_anchors - 1, name, vaddr, size);
}

static uint64_t read_u64_or_0(uint64_t vaddr)
{
	uint64_t v = 0;
	if (!vmca_error_consume(vmca_read_u64(g.s, vaddr, &v)))
		return 0;
	return v;
}

static uint64_t offset_of(const char *type, const char *member)
{
	uint64_t off = 0;
	vmca_error_consume(vmca_type_member_offset(g.s, type, member, &off));
	return off;
}

static uint64_t size_of(const char *type)
{
	uint64_t size = 0;
	vmca_error_consume(vmca_type_size(g.s, type, &size));
	return size;
}

struct first_object {
	uint64_t slab, address;
};

static struct vmca_error *
take_first(struct vmca_session *s, const struct vmca_slab_object *o, void *arg)
{
	struct first_object *f = arg;
	if (!f->slab) {
		f->slab = o->slab;
		f->address = o->address;
	}
	return NULL;
}

static void find_slab_anchors(void)
{
	struct vmca_slab_walk *w;
	if (!vmca_error_consume(vmca_slab_walk_create(g.s, &w)))
		return;
	size_t n;
	struct vmca_slab_cache *caches = vmca_slab_walk_caches(w, &n);
	struct first_object f = {0};
	for (size_t i = 0; i < n; i++) {
		if (strcmp(caches[i].name, g.cache_name) != 0)
			continue;
		add_anchor("kmem_cache", caches[i].address,
			   size_of("struct kmem_cache"));
		if (vmca_error_consume(
			    vmca_slab_walk_select(w, g.cache_name)) &&
		    vmca_error_consume(vmca_slab_walk_run(w, take_first, &f)) &&
		    f.slab) {
			add_anchor("slab", f.slab, size_of("struct page"));
			add_anchor("slab memory", f.address & ~(page_size - 1),
				   page_size << caches[i].order);
		}
		break;
	}
	vmca_slab_walk_destroy(w);
}

static void find_buddy_anchors(void)
{
	struct vmca_buddy b = {.is_walking = false, .mark = -1};
	snprintf(b.highest_zone, sizeof(b.highest_zone), "Normal");
	if (vmca_error_consume(vmca_buddy_read(g.s, &b))) {
		const struct vmca_buddy_zone *best = NULL, *z;
		vector_for_each (&b.zones, z)
			if (!z->err && (!best || z->managed > best->managed))
				best = z;
		if (best) {
			add_anchor("zone", best->address,
				   size_of("struct zone"));
			uint64_t page = 0;
			for (int o = VMCA_BUDDY_MAX_ORDERS - 1; o >= 0 && !page;
			     o--)
				for (int t = 0; t < VMCA_BUDDY_MAX_MIGRATETYPES;
				     t++)
					if (best->list_head[o][t] &&
					    !best->is_list_empty[o][t]) {
						page = read_u64_or_0(
							best->list_head[o][t]);
						break;
					}
			// The list_head is lru, a few words into the page.
			if (page)
				add_anchor("free page", page - 8,
					   size_of("struct page") + 64);
		}
	}
	vmca_buddy_deinit(&b);
}

static bool open_session(void)
{
	g.cache_name = getenv("VMCA_FUZZ_SLAB_CACHE");
	if (!g.cache_name || !*g.cache_name)
		g.cache_name = "mm_struct";
	g.s = fuzz_session_open("walkers_fuzz");
	if (!g.s)
		return false;
	g.max = vmca_walk_default_max(g.s);
	uint64_t init_task = 0;
	vmca_error_consume(vmca_symbol_address(g.s, "init_task", &init_task));
	uint64_t task_size = size_of("struct task_struct");
	add_anchor("init_task", init_task, task_size);
	uint64_t tasks = offset_of("struct task_struct", "tasks");
	uint64_t next = read_u64_or_0(init_task + tasks);
	g.task = next ? next - tasks : 0;
	add_anchor("task", g.task, task_size);
	uint64_t thread_size = size_of("union thread_union");
	add_anchor("stack",
		   read_u64_or_0(g.task +
				 offset_of("struct task_struct", "stack")),
		   thread_size ? thread_size : 16384);
	find_slab_anchors();
	find_buddy_anchors();
	if (vmca_error_consume(
		    vmca_symbol_address(g.s, "vmap_area_root", &g.rb_root)))
		add_anchor("vmap_area_root node", read_u64_or_0(g.rb_root),
			   size_of("struct vmap_area"));
	uint64_t ns = 0;
	if (vmca_error_consume(vmca_symbol_address(g.s, "init_pid_ns", &ns))) {
		g.xarray = ns + offset_of("struct pid_namespace", "idr");
		uint64_t head = read_u64_or_0(
			g.xarray + offset_of("struct xarray", "xa_head"));
		if ((head & 3) == 2) // an internal entry: a node
			add_anchor("xa_node", head & ~UINT64_C(3),
				   size_of("struct xa_node"));
	}
	uint64_t mm =
		read_u64_or_0(g.task + offset_of("struct task_struct", "mm"));
	uint64_t mt_off = 0;
	if (mm && vmca_error_consume(vmca_type_member_offset(
			  g.s, "struct mm_struct", "mm_mt", &mt_off))) {
		g.maple_tree = mm + mt_off;
		uint64_t root = read_u64_or_0(
			g.maple_tree +
			offset_of("struct maple_tree", "ma_root"));
		add_anchor("maple_node", root & ~UINT64_C(0xff),
			   size_of("struct maple_node"));
	}
	uint64_t modules = 0;
	if (vmca_error_consume(vmca_symbol_address(g.s, "modules", &modules)))
		add_anchor("module",
			   read_u64_or_0(modules) -
				   offset_of("struct module", "list"),
			   size_of("struct module"));
	vmca_memory_set_backend(vmca_session_memory(g.s), &overlay, NULL);
	return true;
}

// The input's patches, split where their pages' physical addresses do.
static void parse_patches(const uint8_t *data, size_t size)
{
	g.nr_patches = 0;
	size_t at = 1;
	for (size_t n = 0; n < MAX_PATCHES && at + 4 <= size; n++) {
		const struct anchor *a = &g.anchors[data[at] % g.nr_anchors];
		uint64_t off =
			(data[at + 1] | (uint64_t)data[at + 2] << 8) % a->size;
		size_t len = (size_t)data[at + 3] % MAX_PATCH_LEN + 1;
		at += 4;
		if (len > size - at)
			len = size - at;
		if (len > a->size - off)
			len = (size_t)(a->size - off);
		const uint8_t *bytes = data + at;
		at += len;
		uint64_t vaddr = a->vaddr + off;
		uint64_t first = a->vaddr & ~(page_size - 1);
		while (len) {
			size_t in_page =
				(size_t)(page_size - (vaddr & (page_size - 1)));
			size_t k = len < in_page ? len : in_page;
			struct patch *p = &g.patches[g.nr_patches++];
			uint64_t pa = a->paddr[(vaddr - first) / page_size];
			p->vaddr = vaddr;
			p->paddr = pa == NO_PADDR
					   ? NO_PADDR
					   : pa + (vaddr & (page_size - 1));
			p->len = (uint32_t)k;
			memcpy(p->bytes, bytes, k);
			vaddr += k;
			bytes += k;
			len -= k;
		}
	}
}

static struct vmca_error *count_task(struct vmca_session *s,
				     const struct vmca_task_entry *e, void *arg)
{
	++*(uint64_t *)arg;
	return NULL;
}

static void drop_error(struct vmca_session *s, struct vmca_error *err,
		       void *arg)
{
	vmca_error_destroy(err);
}

static void walk_tasks(void)
{
	uint64_t n = 0;
	vmca_error_consume(vmca_task_walk(g.s, count_task, drop_error, &n));
}

static void walk_stacks(void)
{
	uint64_t tasks[2] = {g.task, g.anchors[0].vaddr};
	for (size_t i = 0; i < 2; i++) {
		struct vmca_stack_trace *t = NULL;
		if (tasks[i] && vmca_error_consume(vmca_stack_trace(
					g.s, tasks[i], NULL,
					VMCA_STACK_TRACE_REGISTERS, &t))) {
			if (t->nr_frames > VMCA_UNWIND_MAX_FRAMES)
				abort();
			vmca_stack_trace_destroy(t);
		}
	}
}

static struct vmca_error *count_object(struct vmca_session *s,
				       const struct vmca_slab_object *o,
				       void *arg)
{
	++*(uint64_t *)arg;
	return NULL;
}

static void walk_slab(void)
{
	struct vmca_slab_walk *w;
	if (!vmca_error_consume(vmca_slab_walk_create(g.s, &w)))
		return;
	uint64_t n = 0;
	if (vmca_error_consume(vmca_slab_walk_select(w, g.cache_name)))
		vmca_error_consume(vmca_slab_walk_run(w, count_object, &n));
	vmca_slab_walk_destroy(w);
}

static void walk_buddy(void)
{
	struct vmca_buddy b = {.is_walking = true, .mark = VMCA_BUDDY_MARK_MIN};
	snprintf(b.highest_zone, sizeof(b.highest_zone), "Normal");
	vmca_error_consume(vmca_buddy_read(g.s, &b));
	vmca_buddy_deinit(&b);
}

static struct vmca_error *
count_entry(struct vmca_session *s, const struct vmca_walk_entry *e, void *arg)
{
	++*(uint64_t *)arg;
	return NULL;
}

static void walk_trees(void)
{
	uint64_t n = 0;
	if (g.rb_root)
		vmca_error_consume(vmca_walk_rbtree(g.s, g.rb_root, g.max,
						    count_entry, &n));
	if (g.xarray)
		vmca_error_consume(vmca_walk_xarray(g.s, g.xarray, g.max,
						    count_entry, &n));
	if (g.maple_tree)
		vmca_error_consume(vmca_walk_maple(g.s, g.maple_tree, g.max,
						   count_entry, &n));
}

static void walk_modules(void)
{
	const struct vmca_module *mods;
	size_t n;
	if (vmca_error_consume(vmca_modules(g.s, &mods, &n)) && n) {
		struct vmca_symbol sym;
		vmca_error_consume(vmca_module_symbol_lookup(
			g.s, mods[0].parts[VMCA_MODULE_TEXT].base + 16, &sym));
	}
}

// The whole leak analysis with its pointer scan on two threads (each
// scan worker's clone of the memory reads the overlay too).
static void walk_leaks(void)
{
	struct vmca_leak_options opts = {.scan = true, .threads = 2};
	struct vmca_leak *l = NULL;
	if (vmca_error_consume(vmca_leak_analyze(g.s, &opts, &l)))
		vmca_leak_destroy(l);
}

static void (*const walkers[])(void) = {
	walk_tasks, walk_stacks,  walk_slab,  walk_buddy,
	walk_trees, walk_modules, walk_leaks,
};

// walk_leaks reads all of the dump's slab and kernel pages (~0.4 s on the
// idle 6.1 kdump, several seconds under the sanitizers, where the others
// take milliseconds): it runs only when the mask is its bit alone.
#define LEAKS_MASK (1u << 6)

// What the session derived from the memory of the last input.
static void forget(void)
{
	struct vmca_module_table **modules = vmca_session_module_table(g.s);
	vmca_module_table_destroy(*modules);
	*modules = NULL;
	struct vmca_unwind_cache **unwind = vmca_session_unwind_cache(g.s);
	vmca_unwind_cache_destroy(*unwind);
	*unwind = NULL;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);

// Before libFuzzer's clock starts counting inputs: the open (a cold
// debuginfo index takes a while) and the anchors.
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	if (!g.s && !open_session())
		exit(1);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!g.s && !open_session())
		exit(1);
	if (!g.nr_anchors)
		return 0;
	parse_patches(data, size);
	unsigned mask = size ? data[0] : 0;
	for (size_t i = 0; i < sizeof(walkers) / sizeof(walkers[0]); i++)
		if ((1u << i) == LEAKS_MASK ? mask == LEAKS_MASK
					    : !mask || mask & (1u << i))
			walkers[i]();
	forget();
	g.nr_patches = 0;
	return 0;
}

#ifdef VMCA_FUZZ_STANDALONE
int main(int argc, char **argv)
{
	LLVMFuzzerInitialize(&argc, &argv);
	int status = fuzz_standalone_main(argc, argv);
	vmca_session_destroy(g.s);
	return status;
}
#endif

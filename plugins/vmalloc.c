// SPDX-License-Identifier: MIT
// plugins/vmalloc.c: the vmap areas like /proc/vmallocinfo, by caller.
#include <stdio.h>
#include <string.h>

#include "vmca.h"

#define MAX_WORDS 8

// The line /proc/vmallocinfo prints (without the newline).
static void area_line(const struct vmca_vmalloc *v,
		      const struct vmca_vmalloc_area *a, char *buf, size_t size)
{
	int n = snprintf(buf, size,
			 "0x%016" PRIx64 "-0x%016" PRIx64 " %7" PRIu64,
			 a->start, a->end, a->size);
#define ADD(...)                                                               \
	do {                                                                   \
		if (n >= 0 && (size_t)n < size)                                \
			n += snprintf(buf + n, size - (size_t)n, __VA_ARGS__); \
	} while (0)
	if (a->kind == VMCA_VMALLOC_VM_MAP_RAM) {
		ADD(" vm_map_ram");
		return;
	}
	if (a->kind == VMCA_VMALLOC_UNPURGED) {
		ADD(" unpurged vm_area");
		return;
	}
	if (a->caller)
		ADD(" %s", a->caller_text);
	if (a->nr_pages)
		ADD(" pages=%" PRIu64, a->nr_pages);
	if (a->phys_addr)
		ADD(" phys=0x%016" PRIx64, a->phys_addr);
	const char *words[MAX_WORDS];
	size_t nw = vmca_vmalloc_flag_words(v, a, words, MAX_WORDS);
	for (size_t i = 0; i < nw; i++)
		ADD(" %s", words[i]);
	for (size_t i = 0; i < a->nr_node_pages; i++)
		ADD(" N%" PRIu32 "=%" PRIu32, a->node_pages[i].nid,
		    a->node_pages[i].pages);
#undef ADD
}

static void area_out(struct vmca_out *out, const struct vmca_vmalloc *v,
		     const struct vmca_vmalloc_area *a)
{
	vmca_out_begin_object(out, NULL, 0);
	vmca_out_addr(out, "start", a->start);
	vmca_out_addr(out, "end", a->end);
	vmca_out_u64(out, "size", a->size);
	vmca_out_str(out, "kind", vmca_vmalloc_kind_name(a->kind));
	if (a->caller)
		vmca_out_addr(out, "caller", a->caller);
	else
		vmca_out_null(out, "caller");
	if (a->has_caller_symbol)
		vmca_out_str(out, "caller_symbol", a->caller_text);
	if (a->kind == VMCA_VMALLOC_AREA)
		vmca_out_u64(out, "pages", a->nr_pages);
	else
		vmca_out_null(out, "pages");
	if (a->phys_addr)
		vmca_out_addr(out, "phys_addr", a->phys_addr);
	vmca_out_begin_list(out, "flags", 0);
	const char *words[MAX_WORDS];
	size_t nw = vmca_vmalloc_flag_words(v, a, words, MAX_WORDS);
	for (size_t i = 0; i < nw; i++)
		vmca_out_str(out, NULL, words[i]);
	vmca_out_end_list(out);
	vmca_out_begin_object(out, "nodes", 0);
	for (size_t i = 0; i < a->nr_node_pages; i++) {
		char key[16];
		snprintf(key, sizeof(key), "N%" PRIu32, a->node_pages[i].nid);
		vmca_out_u64(out, key, a->node_pages[i].pages);
	}
	vmca_out_end_object(out);
	vmca_out_addr(out, "vmap_area", a->vmap_area);
	if (a->vm)
		vmca_out_addr(out, "vm", a->vm);
	else
		vmca_out_null(out, "vm");
	if (a->is_uninitialized)
		vmca_out_bool(out, "is_uninitialized", true);
	if (a->err)
		vmca_out_error(out, "error", a->err);
	vmca_out_end_object(out);
	char line[512];
	area_line(v, a, line, sizeof(line));
	vmca_out_textf(out, "%s%s%s\n", line, a->err ? "  # " : "",
		       a->err ? a->err->message : "");
}

static void group_out(struct vmca_out *out, const struct vmca_vmalloc_group *g)
{
	char name[200];
	vmca_vmalloc_group_label(g, name, sizeof(name));
	vmca_vmalloc_group_json(out, g);
	vmca_out_textf(out, "%8" PRIu64 " %14" PRIu64 " %10" PRIu64 "  %s\n",
		       g->count, g->size, g->pages, name);
}

static struct vmca_error *
vmalloc_run(struct vmca_session *s, struct vmca_out *out, int argc, char **argv)
{
	(void)argv;
	if (argc != 1)
		return vmca_error_create(VMCA_ERROR_USAGE,
					 "usage: vmca VMCORE vmalloc");
	struct vmca_vmalloc *v;
	struct vmca_error *err = vmca_vmalloc_areas(s, &v);
	if (err)
		return err;
	uint64_t size = 0, pages = 0;
	vmca_out_begin_object(out, NULL, VMCA_OUT_TEXT_CUSTOM);
	vmca_out_begin_list(out, "areas", 0);
	for (size_t i = 0; i < v->nr_areas; i++) {
		area_out(out, v, &v->areas[i]);
		size += v->areas[i].size;
		pages += v->areas[i].nr_pages;
	}
	vmca_out_end_list(out);
	vmca_out_textf(out,
		       "\n%zu areas, %" PRIu64 " bytes, %" PRIu64
		       " pages; by caller, largest first:\n%8s %14s %10s  %s\n",
		       v->nr_areas, size, pages, "COUNT", "SIZE", "PAGES",
		       "CALLER");
	vmca_out_begin_list(out, "by_caller", 0);
	for (size_t i = 0; i < v->nr_groups; i++)
		group_out(out, &v->groups[i]);
	vmca_out_end_list(out);
	vmca_out_begin_object(out, "total", 0);
	vmca_out_u64(out, "count", v->nr_areas);
	vmca_out_u64(out, "size", size);
	vmca_out_u64(out, "pages", pages);
	vmca_out_end_object(out);
	vmca_out_begin_list(out, "notes", 0);
	for (size_t i = 0; i < v->nr_notes; i++) {
		vmca_out_str(out, NULL, v->notes[i]);
		vmca_out_textf(out, "note: %s\n", v->notes[i]);
	}
	vmca_out_end_list(out);
	vmca_out_end_object(out);
	vmca_vmalloc_destroy(v);
	return NULL;
}

const struct vmca_plugin vmca_plugin_vmalloc = {
	.name = "vmalloc",
	.summary = "vmap areas like /proc/vmallocinfo, grouped by caller",
	.usage = "vmalloc",
	.help = "The vmap areas as /proc/vmallocinfo of the kernel in hand "
		"prints them: the busy\n"
		"areas (vmap_area_list; since v6.9 each vmap node's busy list "
		"in turn), each\n"
		"with its vm_struct's range (the guard page included), caller "
		"as %pS prints\n"
		"it, pages=, phys=, the flag words and N<node>= page counts; "
		"vm_map_ram areas;\n"
		"then the lazily freed \"unpurged vm_area\" ranges. Then the "
		"areas grouped by\n"
		"caller function (count, bytes, pages), largest first.\n"
		"\n"
		"JSON: {\"areas\": [{\"start\", \"end\", \"size\", \"kind\" "
		"(\"area\", \"vm_map_ram\",\n"
		"\"unpurged\"), \"caller\" (address or null), "
		"\"caller_symbol\"? (as %pS),\n"
		"\"pages\" (nr_pages; null unless an area), \"phys_addr\"?, "
		"\"flags\" [\"ioremap\",\n"
		"\"vmalloc\", ...], \"nodes\" {\"N0\": pages}, \"vmap_area\", "
		"\"vm\", \"is_uninitialized\"?,\n"
		"\"error\"?}], \"by_caller\": [{\"caller\" (function, null for "
		"none), \"module\",\n"
		"\"kind\", \"count\", \"size\", \"pages\"}], \"total\" "
		"{\"count\", \"size\", \"pages\"},\n"
		"\"notes\"}.",
	.examples = "vmalloc\tthe vmap areas and their callers\n",
	.run = vmalloc_run,
};

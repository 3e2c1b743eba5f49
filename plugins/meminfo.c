// SPDX-License-Identifier: MIT
// plugins/meminfo.c: /proc/meminfo rebuilt from the dump's counters
// (analyzer/meminfo.c), printed as the kernel prints it.
#include <stdio.h>

#include "vmca.h"

static void emit(const struct vmca_meminfo *mi, struct vmca_out *out)
{
	vmca_out_begin_object(out, NULL, VMCA_OUT_TEXT_CUSTOM);
	for (size_t i = 0; i < mi->nr_lines; i++) {
		const struct vmca_meminfo_line *l = &mi->lines[i];
		char label[32];
		snprintf(label, sizeof(label), "%s:", l->name);
		int pad = l->format == VMCA_MEMINFO_KB ? 16 : 19;
		int width = l->format == VMCA_MEMINFO_KB ? 8 : 5;
		const char *unit =
			l->format == VMCA_MEMINFO_COUNT5 ? "" : " kB";
		if (l->err) {
			vmca_out_error(out, l->name, l->err);
			vmca_out_textf(out, "%-*s%*s%s  (%s)\n", pad, label,
				       width, "?", unit, l->err->message);
			continue;
		}
		vmca_out_u64(out, l->name, l->value);
		vmca_out_textf(out, "%-*s%*" PRIu64 "%s\n", pad, label, width,
			       l->value, unit);
	}
	vmca_out_end_object(out);
}

static struct vmca_error *
meminfo_run(struct vmca_session *s, struct vmca_out *out, int argc, char **argv)
{
	(void)argv;
	if (argc > 1)
		return vmca_error_create(VMCA_ERROR_USAGE,
					 "usage: vmca VMCORE meminfo");
	struct vmca_meminfo mi;
	struct vmca_error *err = vmca_meminfo_read(s, &mi);
	if (err)
		return err;
	emit(&mi, out);
	vmca_meminfo_deinit(&mi);
	return NULL;
}

const struct vmca_plugin vmca_plugin_meminfo = {
	.name = "meminfo",
	.summary = "/proc/meminfo rebuilt from the dump's counters",
	.usage = "meminfo",
	.help = "Every line fs/proc/meminfo.c of the kernel in hand prints "
		"(lines under\n"
		"CONFIG_ options appear when the dump's kernel has the "
		"option), "
		"computed as\n"
		"the kernel does: global vm_node_stat/vm_zone_stat counters, "
		"si_mem_available()\n"
		"(free - totalreserve_pages + page cache and reclaimable "
		"kernel memory above\n"
		"the low watermarks), block device page cache, swap, "
		"vm_commit_limit(),\n"
		"Committed_AS (percpu_counter summed over possible CPUs), "
		"vmalloc, percpu,\n"
		"hugetlb, the x86 direct map. A line that cannot be computed "
		"says why.\n"
		"JSON: {\"MemTotal\": kB, \"MemFree\": kB, ...}: one key per "
		"line, named as in\n"
		"/proc/meminfo, in kB (HugePages_* are counts); a failed line "
		"is {\"code\",\n"
		"\"message\"}.\n",
	.examples = "meminfo\t/proc/meminfo as the kernel would print it\n",
	.run = meminfo_run,
};

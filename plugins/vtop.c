// SPDX-License-Identifier: MIT
// plugins/vtop.c: virtual to physical through the kernel page tables.
#include <string.h>

#include "vmca.h"

static const char *level_name(int level, int total)
{
	// Named from the top: PGD, (P4D,) PUD, PMD, PTE.
	static const char *const names5[] = {"pgd", "p4d", "pud", "pmd", "pte"};
	static const char *const names4[] = {"pgd", "pud", "pmd", "pte"};
	if (total == 5 && level < 5)
		return names5[level];
	if (total == 4 && level < 4)
		return names4[level];
	return "level";
}

static struct vmca_error *vtop_run(struct vmca_session *s, struct vmca_out *out,
				   int argc, char **argv)
{
	if (argc != 2)
		return vmca_error_create(VMCA_ERROR_USAGE,
					 "usage: vmca VMCORE vtop ADDRESS");
	uint64_t vaddr;
	struct vmca_error *err = vmca_parse_address(s, argv[1], &vaddr);
	if (err)
		return err;
	struct vmca_vtop v;
	err = vmca_vtop(s, vaddr, &v);
	if (err)
		return err;

	vmca_out_begin_object(out, NULL, 0);
	vmca_out_addr(out, "vaddr", vaddr);
	vmca_out_addr(out, "paddr", v.paddr);
	vmca_out_u64(out, "page_size", v.page_size);
	vmca_out_begin_list(out, "levels", 0);
	for (int i = 0; i < v.nlevels; i++) {
		vmca_out_begin_object(out, NULL, 0);
		vmca_out_str(out, "level", level_name(i, v.total_levels));
		vmca_out_addr(out, "entry_paddr", v.levels[i].entry_paddr);
		vmca_out_addr(out, "entry", v.levels[i].entry);
		vmca_out_end_object(out);
	}
	vmca_out_end_list(out);
	vmca_out_end_object(out);
	return NULL;
}

const struct vmca_plugin vmca_plugin_vtop = {
	.name = "vtop",
	.summary = "translate a virtual address through the page tables",
	.usage = "vtop ADDRESS|SYMBOL",
	.help = "JSON: {\"vaddr\", \"paddr\", \"page_size\", \"levels\": "
		"[{\"level\", \"entry_paddr\", \"entry\"}]}\n",
	.examples =
		"vtop init_task\ta virtual address through the page tables\n",
	.run = vtop_run,
};

// SPDX-License-Identifier: MIT
// plugins/vm.c: a task's VMAs like /proc/PID/maps, or every process's
// address space in one line (VMA count, VIRT, RSS, threads).
#include <stdio.h>
#include <string.h>

#include "vmca.h"

static void rss_out(struct vmca_out *out, const char *key,
		    const struct vmca_vm_rss *r)
{
	vmca_out_begin_object(out, key, 0);
	vmca_out_u64(out, "file", r->file);
	vmca_out_u64(out, "anon", r->anon);
	vmca_out_u64(out, "shmem", r->shmem);
	vmca_out_end_object(out);
}

static uint64_t rss_sum(const struct vmca_vm_rss *r)
{
	return r->file + r->anon + r->shmem;
}

static void area_out(struct vmca_out *out, const struct vmca_vm_area *a,
		     uint64_t page_kb)
{
	char dev[32];
	snprintf(dev, sizeof(dev), "%02x:%02x", a->dev_major, a->dev_minor);
	vmca_out_begin_object(out, NULL, 0);
	vmca_out_addr(out, "start", a->start);
	vmca_out_addr(out, "end", a->end);
	vmca_out_str(out, "flags", a->perms);
	vmca_out_u64(out, "offset", a->offset);
	vmca_out_str(out, "dev", dev);
	vmca_out_u64(out, "inode", a->inode);
	vmca_out_str(out, "path", a->path);
	vmca_out_addr(out, "vma", a->vma);
	vmca_out_addr(out, "vm_flags", a->vm_flags);
	if (a->file)
		vmca_out_addr(out, "file", a->file);
	if (a->is_gate)
		vmca_out_bool(out, "is_gate", true);
	if (a->has_rss) {
		vmca_out_u64(out, "rss_pages", rss_sum(&a->rss));
		rss_out(out, "rss", &a->rss);
		vmca_out_u64(out, "swap_pages", a->swap_pages);
	}
	if (a->err)
		vmca_out_error(out, "error", a->err);
	if (a->rss_err)
		vmca_out_error(out, "rss_error", a->rss_err);
	vmca_out_end_object(out);
	char rss[24] = "-", anon[24] = "-", shmem[24] = "-";
	if (a->has_rss) {
		snprintf(rss, sizeof(rss), "%" PRIu64 "K",
			 rss_sum(&a->rss) * page_kb);
		snprintf(anon, sizeof(anon), "%" PRIu64 "K",
			 a->rss.anon * page_kb);
		snprintf(shmem, sizeof(shmem), "%" PRIu64 "K",
			 a->rss.shmem * page_kb);
	}
	vmca_out_textf(out,
		       "%08" PRIx64 "-%08" PRIx64 " %s %08" PRIx64
		       " %s %-8" PRIu64 " %8s %8s %8s  %s%s%s\n",
		       a->start, a->end, a->perms, a->offset, dev, a->inode,
		       rss, anon, shmem, a->path ? a->path : "",
		       a->err ? "  # " : "", a->err ? a->err->message : "");
}

static struct vmca_error *task_vm(struct vmca_session *s, struct vmca_out *out,
				  const char *arg)
{
	uint64_t task;
	struct vmca_error *err = vmca_parse_task(s, arg, &task);
	if (err)
		return err;
	struct vmca_vm *vm;
	if ((err = vmca_vm_task(s, task, VMCA_VM_AREA_RSS, &vm)))
		return err;
	uint64_t page_kb = vmca_session_page_size(s) / 1024;
	struct vmca_vm_rss total = {0, 0, 0};
	uint64_t swap = 0;
	size_t with_rss = 0, vmas = 0;
	for (size_t i = 0; i < vm->nr_areas; i++) {
		const struct vmca_vm_area *a = &vm->areas[i];
		vmas += !a->is_gate;
		if (!a->has_rss)
			continue;
		with_rss++;
		total.file += a->rss.file;
		total.anon += a->rss.anon;
		total.shmem += a->rss.shmem;
		swap += a->swap_pages;
	}
	vmca_out_begin_object(out, NULL, VMCA_OUT_TEXT_CUSTOM);
	vmca_out_u64(out, "pid", vm->pid);
	vmca_out_u64(out, "tgid", vm->tgid);
	vmca_out_str(out, "comm", vm->comm);
	vmca_out_addr(out, "task", vm->task);
	vmca_out_addr(out, "mm", vm->mm.address);
	vmca_out_u64(out, "vma_count", vm->mm.map_count);
	vmca_out_u64(out, "total_vm_pages", vm->mm.total_vm_pages);
	rss_out(out, "rss", &vm->mm.rss);
	vmca_out_u64(out, "rss_pages", rss_sum(&vm->mm.rss));
	vmca_out_u64(out, "swap_pages", vm->mm.swap_pages);
	vmca_out_u64(out, "threads", vm->threads);
	if (with_rss) {
		rss_out(out, "vma_rss", &total);
		vmca_out_u64(out, "vma_swap_pages", swap);
	}
	vmca_out_textf(out,
		       "PID %" PRIu64 " (%s), task %#" PRIx64 ", mm %#" PRIx64
		       ", %" PRIu64 " thread%s\n"
		       "VMAs %" PRIu64 ", VIRT %" PRIu64 " kB, RSS %" PRIu64
		       " kB (file %" PRIu64 ", anon %" PRIu64 ", shmem %" PRIu64
		       " kB), swap %" PRIu64 " kB\n",
		       vm->pid, vm->comm, vm->task, vm->mm.address, vm->threads,
		       vm->threads == 1 ? "" : "s", vm->mm.map_count,
		       vm->mm.total_vm_pages * page_kb,
		       rss_sum(&vm->mm.rss) * page_kb,
		       vm->mm.rss.file * page_kb, vm->mm.rss.anon * page_kb,
		       vm->mm.rss.shmem * page_kb, vm->mm.swap_pages * page_kb);
	if (with_rss)
		vmca_out_textf(out,
			       "page tables: %" PRIu64 " kB resident in %zu "
			       "VMAs (file %" PRIu64 ", anon %" PRIu64
			       ", shmem %" PRIu64 " kB), swap %" PRIu64 " kB\n",
			       rss_sum(&total) * page_kb, with_rss,
			       total.file * page_kb, total.anon * page_kb,
			       total.shmem * page_kb, swap * page_kb);
	vmca_out_textf(out,
		       "\n%-17s %-8s %-4s %-8s %-5s %-8s %8s %8s %8s  %s\n",
		       "START", "END", "PERM", "OFFSET", "DEV", "INODE", "RSS",
		       "ANON", "SHMEM", "PATH");
	vmca_out_begin_list(out, "vmas", 0);
	for (size_t i = 0; i < vm->nr_areas; i++)
		area_out(out, &vm->areas[i], page_kb);
	vmca_out_end_list(out);
	if (vmas != vm->mm.map_count)
		vmca_out_textf(out,
			       "note: %zu VMAs listed, map_count is %" PRIu64
			       "\n",
			       vmas, vm->mm.map_count);
	vmca_out_begin_list(out, "notes", 0);
	for (size_t i = 0; i < vm->nr_notes; i++) {
		vmca_out_str(out, NULL, vm->notes[i]);
		vmca_out_textf(out, "note: %s\n", vm->notes[i]);
	}
	vmca_out_end_list(out);
	vmca_out_end_object(out);
	vmca_vm_destroy(vm);
	return NULL;
}

static struct vmca_error *summary(struct vmca_session *s, struct vmca_out *out)
{
	struct vmca_vm_summary *sum;
	struct vmca_error *err = vmca_vm_summary(s, &sum);
	if (err)
		return err;
	vmca_out_begin_object(out, NULL, 0);
	vmca_out_begin_list(out, "tasks", 0);
	for (size_t i = 0; i < sum->nr_processes; i++) {
		const struct vmca_vm_process *p = &sum->processes[i];
		vmca_out_begin_object(out, NULL, 0);
		vmca_out_u64(out, "pid", p->pid);
		vmca_out_str(out, "comm", p->comm);
		vmca_out_addr(out, "mm", p->mm.address);
		vmca_out_u64(out, "vma_count", p->mm.map_count);
		vmca_out_u64(out, "total_vm_pages", p->mm.total_vm_pages);
		vmca_out_u64(out, "rss_pages", rss_sum(&p->mm.rss));
		vmca_out_u64_flags(out, "file_pages", p->mm.rss.file,
				   VMCA_OUT_JSON_ONLY);
		vmca_out_u64_flags(out, "anon_pages", p->mm.rss.anon,
				   VMCA_OUT_JSON_ONLY);
		vmca_out_u64_flags(out, "shmem_pages", p->mm.rss.shmem,
				   VMCA_OUT_JSON_ONLY);
		vmca_out_u64_flags(out, "swap_pages", p->mm.swap_pages,
				   VMCA_OUT_JSON_ONLY);
		vmca_out_u64(out, "threads", p->threads);
		if (p->err)
			vmca_out_error(out, "error", p->err);
		vmca_out_end_object(out);
	}
	vmca_out_end_list(out);
	if (sum->nr_notes) {
		vmca_out_begin_list(out, "notes", 0);
		for (size_t i = 0; i < sum->nr_notes; i++)
			vmca_out_str(out, NULL, sum->notes[i]);
		vmca_out_end_list(out);
	}
	vmca_out_end_object(out);
	vmca_vm_summary_destroy(sum);
	return NULL;
}

static struct vmca_error *vm_run(struct vmca_session *s, struct vmca_out *out,
				 int argc, char **argv)
{
	if (argc == 1)
		return summary(s, out);
	if (argc == 2 && argv[1][0] != '-')
		return task_vm(s, out, argv[1]);
	return vmca_error_create(VMCA_ERROR_USAGE,
				 "usage: vmca VMCORE vm [PID|TASK]");
}

const struct vmca_plugin vmca_plugin_vm = {
	.name = "vm",
	.summary = "a task's VMAs like /proc/PID/maps; every process's "
		   "VMAs, VIRT, RSS",
	.usage = "vm [PID|TASK]",
	.help = "vm PID (or a task_struct address): the task's mm (its "
		"counters: VIRT =\n"
		"total_vm, RSS = file + anon + shmem as get_mm_counter() "
		"sums them) and its\n"
		"VMAs as /proc/PID/maps prints them: range, perms, offset, "
		"dev, inode and the\n"
		"path (d_path() as init's root sees it; [heap], [stack], "
		"[vdso], [vvar] as\n"
		"show_map_vma() names them), with each VMA's resident pages "
		"from its page\n"
		"tables (as smaps' Rss: special mappings such as the zero "
		"page not counted),\n"
		"by the counter they count in.\n"
		"vm: every process with an mm, once: its VMA count "
		"(map_count), VIRT and RSS\n"
		"in pages, threads: a VMA count far above the thread count "
		"points at leaked\n"
		"mappings (thread stacks never unmapped).\n"
		"\n"
		"JSON of vm PID: {\"pid\", \"tgid\", \"comm\", \"task\", "
		"\"mm\", \"vma_count\",\n"
		"\"total_vm_pages\", \"rss\" {\"file\", \"anon\", \"shmem\"}, "
		"\"rss_pages\", \"swap_pages\",\n"
		"\"threads\", \"vma_rss\"? {\"file\", \"anon\", \"shmem\"}, "
		"\"vma_swap_pages\"?, \"vmas\":\n"
		"[{\"start\", \"end\", \"flags\" (\"rw-p\"), \"offset\", "
		"\"dev\" (\"fd:01\"), \"inode\",\n"
		"\"path\" (null: none), \"vma\", \"vm_flags\", \"file\"?, "
		"\"is_gate\"?, \"rss_pages\"?,\n"
		"\"rss\"? {\"file\", \"anon\", \"shmem\"}, \"swap_pages\"?, "
		"\"error\"?, \"rss_error\"?}],\n"
		"\"notes\"}. JSON of vm: {\"tasks\": [{\"pid\", \"comm\", "
		"\"mm\", \"vma_count\",\n"
		"\"total_vm_pages\", \"rss_pages\", \"file_pages\", "
		"\"anon_pages\", \"shmem_pages\",\n"
		"\"swap_pages\", \"threads\", \"error\"?}], \"notes\"?}.",
	.examples = "vm\tevery process's VMA count, VIRT and RSS\n"
		    "vm 1\tinit's VMAs as /proc/1/maps, with RSS per VMA\n",
	.run = vm_run,
};

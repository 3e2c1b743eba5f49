// SPDX-License-Identifier: MIT
// plugins/regs.c: register sets: each CPU's from the dump's notes, a
// task's (its CPU's if it was running, else its saved context).
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "vmca.h"

static struct vmca_error *usage(void)
{
	return vmca_error_create(VMCA_ERROR_USAGE,
				 "usage: vmca VMCORE regs [-c CPU] "
				 "[PID|TASK_ADDRESS...]");
}

static void regs_out(struct vmca_session *s, struct vmca_out *out,
		     const struct vmca_regs *r)
{
	vmca_out_str(out, "source",
		     r->source == VMCA_REGS_CPU_NOTES ? "cpu_notes"
						      : "saved_context");
	vmca_out_u64(out, "cpu", r->cpu);
	char sym[256];
	if (vmca_regs_has(r, VMCA_REG_RIP) &&
	    vmca_print_symbolize(s, r->value[VMCA_REG_RIP], sym, sizeof(sym)))
		vmca_out_str(out, "rip_symbol", sym);
	else
		vmca_out_null(out, "rip_symbol");
	vmca_out_begin_object(out, "registers", 0);
	int column = 0;
	for (int i = 0; i < VMCA_REG_NR; i++) {
		if (!vmca_regs_has(r, (enum vmca_reg)i))
			continue;
		vmca_out_addr(out, vmca_reg_names[i], r->value[i]);
		// crash's layout: three a line, upper case.
		char name[16];
		snprintf(name, sizeof(name), "%s", vmca_reg_names[i]);
		for (char *c = name; *c; c++)
			*c = (char)toupper((unsigned char)*c);
		vmca_out_textf(out, "%s%8s: %016" PRIx64,
			       column ? "  " : "    ", name, r->value[i]);
		if (i == VMCA_REG_RIP &&
		    vmca_print_symbolize(s, r->value[i], sym, sizeof(sym)))
			vmca_out_textf(out, " <%s>", sym), column = 2;
		if (++column == 3) {
			vmca_out_textf(out, "\n");
			column = 0;
		}
	}
	if (column)
		vmca_out_textf(out, "\n");
	vmca_out_end_object(out);
}

static struct vmca_error *regs_run(struct vmca_session *s, struct vmca_out *out,
				   int argc, char **argv)
{
	int64_t only_cpu = -1;
	int first = 1;
	for (; first < argc && argv[first][0] == '-'; first++) {
		uint64_t cpu;
		if (strcmp(argv[first], "-c") == 0 && first + 1 < argc &&
		    vmca_parse_u64(argv[first + 1], &cpu) && cpu < 65536)
			only_cpu = (int64_t)cpu, first++;
		else
			return usage();
	}
	vmca_out_begin_object(out, NULL, VMCA_OUT_TEXT_CUSTOM);
	vmca_out_begin_list(out, "register_sets", VMCA_OUT_TEXT_CUSTOM);
	if (first == argc) {
		uint32_t n = vmca_regs_nr_cpus(s);
		for (uint32_t cpu = 0; cpu < n; cpu++) {
			if (only_cpu >= 0 && cpu != (uint64_t)only_cpu)
				continue;
			struct vmca_regs r;
			int64_t pid;
			struct vmca_error *err =
				vmca_regs_cpu(s, cpu, &r, &pid);
			if (err) {
				vmca_out_end_list(out);
				vmca_out_end_object(out);
				return err;
			}
			uint64_t task = 0;
			vmca_error_consume(vmca_task_active(s, cpu, &task));
			vmca_out_begin_object(out, NULL, 0);
			vmca_out_textf(out, "CPU %u", cpu);
			// The kernel's crash notes name the task's pid;
			// QEMU's the vCPU's number + 1.
			if (pid >= 0) {
				vmca_out_i64(out, "note_pid", pid);
				vmca_out_textf(out, " (note pid %" PRId64 ")",
					       pid);
			} else {
				vmca_out_null(out, "note_pid");
			}
			if (task) {
				vmca_out_addr(out, "task", task);
				vmca_out_textf(out, " task %#" PRIx64, task);
			} else {
				vmca_out_null(out, "task");
			}
			vmca_out_textf(out, " (the dump's notes)\n");
			regs_out(s, out, &r);
			vmca_out_end_object(out);
		}
		if (only_cpu >= 0 && (uint64_t)only_cpu >= n) {
			vmca_out_end_list(out);
			vmca_out_end_object(out);
			return vmca_error_create(VMCA_ERROR_NOT_FOUND,
						 "no registers of CPU %" PRId64
						 " in the dump",
						 only_cpu);
		}
	}
	for (int i = first; i < argc; i++) {
		uint64_t task;
		struct vmca_error *err = vmca_parse_task(s, argv[i], &task);
		struct vmca_regs r;
		if (!err)
			err = vmca_regs_task(s, task, &r);
		if (err) {
			vmca_out_end_list(out);
			vmca_out_end_object(out);
			return err;
		}
		vmca_out_begin_object(out, NULL, 0);
		vmca_out_addr(out, "task", task);
		vmca_out_textf(out, "task %#" PRIx64 " (%s, CPU %u)\n", task,
			       r.source == VMCA_REGS_CPU_NOTES
				       ? "running: the dump's notes"
				       : "off CPU: saved context",
			       r.cpu);
		regs_out(s, out, &r);
		vmca_out_end_object(out);
	}
	vmca_out_end_list(out);
	vmca_out_end_object(out);
	return NULL;
}

const struct vmca_plugin vmca_plugin_regs = {
	.name = "regs",
	.summary = "register sets: each CPU's at the crash, a task's",
	.usage = "regs [-c CPU] [PID|TASK_ADDRESS...]",
	.help = "Without arguments: every CPU's registers from the dump's\n"
		"notes (NT_PRSTATUS: the crash-time registers under kdump,\n"
		"the vCPU's when QEMU dumped), with the note's pid (the "
		"task's\n"
		"in the kernel's notes, the vCPU's number + 1 in QEMU's) and\n"
		"the CPU's active task (its runqueue's curr). With a task: "
		"its\n"
		"CPU's if it was running one, else the context it saved\n"
		"switching out (x86_64: the callee-saved registers, rip the\n"
		"return into __schedule, rsp past it).\n"
		"JSON: {\"register_sets\": [{\"cpu\", \"note_pid\"?, "
		"\"task\",\n"
		"\"source\" (cpu_notes or saved_context), \"rip_symbol\",\n"
		"\"registers\": {\"rax\": \"0x...\", ...}}]}.",
	.examples = "regs\tevery CPU's registers at the crash\n"
		    "regs 1\tthe registers init saved switching out\n",
	.run = regs_run,
};

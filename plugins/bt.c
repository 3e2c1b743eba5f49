// SPDX-License-Identifier: MIT
// plugins/bt.c: backtraces: a task's frames (inlined calls as frames of
// their own), its exception frames' registers, across its stacks.
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/progress.h"
#include "vmca.h"

static struct vmca_error *usage(void)
{
	return vmca_error_create(VMCA_ERROR_USAGE,
				 "usage: vmca VMCORE bt [-l] [-f] [-a | --all] "
				 "[PID|TASK_ADDRESS...]");
}

/** bt's state: the printer and what it counts. */
struct bt {
	struct vmca_session *s;
	struct vmca_trace_printer *p;
	size_t nr_traces, nr_incomplete;
	unsigned flags;
	struct vmca_progress progress;
};

static struct vmca_error *trace_out(struct bt *b, uint64_t task,
				    const struct vmca_regs *start)
{
	struct vmca_stack_trace *tr;
	struct vmca_error *err =
		vmca_stack_trace(b->s, task, start, b->flags, &tr);
	if (err)
		return vmca_error_wrap(err, "task %#" PRIx64, task);
	b->nr_traces++;
	if (!tr->is_complete)
		b->nr_incomplete++;
	err = vmca_trace_print(b->p, task, tr);
	vmca_stack_trace_destroy(tr);
	return err;
}

static struct vmca_error *each_task(struct vmca_session *s,
				    const struct vmca_task_entry *e, void *arg)
{
	(void)s;
	struct bt *b = arg;
	vmca_progress_update(&b->progress, b->nr_traces + 1);
	return trace_out(arg, e->address, NULL);
}

static void on_walk_error(struct vmca_session *s, struct vmca_error *err,
			  void *arg)
{
	vmca_session_warn(s, "bt --all: %s", err->message);
	vmca_error_destroy(err);
}

static struct vmca_error *bt_run(struct vmca_session *s, struct vmca_out *out,
				 int argc, char **argv)
{
	bool is_cpus = false, is_all = false, is_locals = false,
	     is_words = false;
	struct bt b = {.s = s};
	int first = 1;
	for (; first < argc && argv[first][0] == '-'; first++) {
		if (strcmp(argv[first], "-a") == 0)
			is_cpus = true;
		else if (strcmp(argv[first], "-l") == 0)
			is_locals = true;
		else if (strcmp(argv[first], "-f") == 0)
			is_words = true;
		else if (strcmp(argv[first], "--all") == 0)
			is_all = true;
		else
			return usage();
	}
	if ((is_cpus || is_all) && (first < argc || (is_cpus && is_all)))
		return usage();
	if (is_locals)
		b.flags |= VMCA_STACK_TRACE_REGISTERS;
	struct vmca_error *err = vmca_trace_printer_create(
		s, out,
		(is_locals ? VMCA_TRACE_PRINT_LOCALS : 0) |
			(is_words ? VMCA_TRACE_PRINT_WORDS : 0),
		&b.p);
	if (err)
		return err;
	vmca_out_begin_object(out, NULL, VMCA_OUT_TEXT_CUSTOM);
	vmca_out_begin_list(out, "traces", VMCA_OUT_TEXT_CUSTOM);
	if (is_all) {
		// (The count of tasks is not known before the walk.)
		vmca_progress_begin(&b.progress, "unwinding every task", 0);
		err = vmca_task_walk(s, each_task, on_walk_error, &b);
		vmca_progress_end(&b.progress);
	} else if (is_cpus) {
		uint32_t n = vmca_regs_nr_cpus(s);
		for (uint32_t cpu = 0; !err && cpu < n; cpu++) {
			uint64_t task;
			struct vmca_regs r;
			err = vmca_task_active(s, cpu, &task);
			if (!err)
				err = vmca_regs_cpu(s, cpu, &r, NULL);
			if (!err)
				err = trace_out(&b, task, &r);
		}
	} else if (first == argc) {
		// The panic task, or CPU 0's.
		uint64_t task = vmca_task_panic(s);
		if (!task)
			err = vmca_task_active(s, 0, &task);
		if (!err)
			err = trace_out(&b, task, NULL);
	} else {
		for (int i = first; !err && i < argc; i++) {
			uint64_t task;
			err = vmca_parse_task(s, argv[i], &task);
			if (!err)
				err = trace_out(&b, task, NULL);
		}
	}
	vmca_out_end_list(out);
	vmca_out_u64(out, "nr_traces", b.nr_traces);
	vmca_out_u64(out, "nr_incomplete", b.nr_incomplete);
	if (is_all)
		vmca_out_textf(out,
			       "%zu tasks, %zu of them without a complete "
			       "trace\n",
			       b.nr_traces, b.nr_incomplete);
	vmca_out_end_object(out);
	vmca_trace_printer_destroy(b.p);
	return err;
}

const struct vmca_plugin vmca_plugin_bt = {
	.name = "bt",
	.summary = "backtraces: a task's frames, across its stacks",
	.usage = "bt [-l] [-f] [-a | --all] [PID|TASK_ADDRESS...]",
	.help = "A task's stack trace (default: the panic task, else CPU "
		"0's),\n"
		"-a: the active task of every CPU, --all: every task. The\n"
		"unwinder starts from the dump's registers for a task that\n"
		"was running (the crash-time ones under kdump), else from the\n"
		"context it saved switching out, and follows the kernel's ORC\n"
		"tables (vmlinux's, each module's from the dump), DWARF CFI\n"
		"where ORC has nothing, frame pointers last (a frame found\n"
		"so says \"by cfi\" or \"by frame_pointer\"), through\n"
		"exception and interrupt frames (their registers shown as\n"
		"[exception RIP: ...]) and across the IRQ and exception\n"
		"stacks, to the task's entry: ret_from_fork, the system\n"
		"call's user registers, the idle task's start. Each frame:\n"
		"number, stack pointer, PC, function+offset/size [module] and\n"
		"file:line; functions inlined there come first, as frames of\n"
		"their own. A frame that cannot be unwound ends the trace\n"
		"with the reason.\n"
		"-l: each frame's parameters and variables in scope at its\n"
		"PC, from DWARF locations evaluated with the frame's\n"
		"registers (callee-saved ones recovered through CFI),\n"
		"<optimized out> where DWARF has no location there, or why a\n"
		"location cannot be evaluated. -f: the raw stack words of\n"
		"each frame (its sp up to the next frame's) with the symbols\n"
		"they point into. eval -f N and list -f N evaluate with frame\n"
		"N's variables in scope. A frame's \"stack\" is null when\n"
		"its sp is on none of the task's stacks (the trace's error\n"
		"then says so).\n"
		"JSON: {\"traces\": [{\"pid\", \"task\", \"comm\", \"cpu\",\n"
		"\"is_active\", \"registers_source\", \"stacks\": [{\"name\",\n"
		"\"start\", \"end\"}], \"frames\": [{\"index\", \"sp\", "
		"\"pc\",\n"
		"\"function\", \"offset\", \"size\", \"module\", "
		"\"is_inlined\",\n"
		"\"file\", \"line\", \"is_exact_pc\", \"unwinder\", "
		"\"stack\",\n"
		"\"pt_regs\", \"registers\"?, \"stack_words\"? (-f: "
		"[{\"address\",\n"
		"\"value\", \"symbol\"}]), \"variables\"? (-l: [{\"name\", "
		"\"kind\",\n"
		"\"type\", \"value\", \"is_optimized_out\", \"reason\"}])}],\n"
		"\"is_complete\", \"user_regs\", \"error\"}], \"nr_traces\",\n"
		"\"nr_incomplete\"}.",
	.examples = "bt\tthe panic task's backtrace\n"
		    "bt -a\tevery CPU's active task\n"
		    "bt -l 1\tinit's, with each frame's variables\n"
		    "bt --all\tevery task\n",
	.run = bt_run,
};

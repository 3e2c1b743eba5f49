// SPDX-License-Identifier: MIT
// plugins/panic.c: why the kernel crashed, in one command.
#include <stdio.h>
#include <string.h>

#include "vmca.h"

static void str_or_null(struct vmca_out *out, const char *key, const char *s)
{
	vmca_out_str(out, key, s && s[0] ? s : NULL);
}

static void line(struct vmca_out *out, const char *label, const char *value)
{
	if (value && value[0])
		vmca_out_textf(out, "%-12s %s\n", label, value);
}

static void origin_out(struct vmca_session *s, struct vmca_out *out,
		       const struct vmca_crash *c)
{
	const struct vmca_origin *o = &c->origin;
	if (!o->expression[0] && !o->note[0]) {
		vmca_out_null(out, "origin");
		return;
	}
	vmca_out_begin_object(out, "origin", VMCA_OUT_TEXT_CUSTOM);
	str_or_null(out, "root", o->root);
	str_or_null(out, "root_function", o->root_function);
	vmca_out_bool(out, "root_is_parameter", o->root_is_parameter);
	if (o->has_root_value)
		vmca_out_addr(out, "root_value", o->root_value);
	else
		vmca_out_null(out, "root_value");
	vmca_out_u64(out, "loads", o->depth);
	if (o->defined_at)
		vmca_out_addr(out, "defined_at", o->defined_at);
	else
		vmca_out_null(out, "defined_at");
	str_or_null(out, "note", o->note);
	vmca_out_end_object(out);
	if (o->root[0]) {
		char value[64] = "";
		if (o->has_root_value)
			snprintf(value, sizeof(value), " = %#" PRIx64,
				 o->root_value);
		vmca_out_textf(
			out, "%-12s %s: %s of %s%s\n", "", o->root,
			o->root_is_parameter ? "a parameter" : "a variable",
			o->root_function[0] ? o->root_function : "?", value);
	}
	if (o->defined_at) {
		char sym[300] = "";
		vmca_print_symbolize(s, o->defined_at, sym, sizeof(sym));
		vmca_out_textf(out, "%-12s loaded at %#" PRIx64 " %s\n", "",
			       o->defined_at, sym);
	}
}

static void objects_out(struct vmca_session *s, struct vmca_out *out,
			const struct vmca_crash *c)
{
	struct vmca_print_options opts = {
		.json = VMCA_PRINT_JSON_TREE,
		.max_depth = 2,
	};
	vmca_out_begin_list(out, "objects", VMCA_OUT_TEXT_CUSTOM);
	for (size_t i = 0; i < c->nr_objects; i++) {
		const struct vmca_crash_object *o = &c->objects[i];
		char type[256];
		vmca_type_name(s, o->value.type, NULL, type, sizeof(type));
		vmca_out_begin_object(out, NULL, VMCA_OUT_TEXT_CUSTOM);
		vmca_out_str(out, "expression", o->expression);
		vmca_out_str(out, "type", type);
		vmca_out_addr(out, "address", o->value.address);
		str_or_null(out, "variable", o->variable);
		str_or_null(out, "function", o->function);
		if (o->has_frame)
			vmca_out_u64(out, "frame", o->frame);
		else
			vmca_out_null(out, "frame");
		if (o->has_frame)
			vmca_out_textf(out,
				       "%s = (%s) %#" PRIx64
				       ", %s's %s (frame #%zu):\n",
				       o->expression, type, o->value.address,
				       o->function, o->variable, o->frame);
		else
			vmca_out_textf(out, "%s = (%s) %#" PRIx64 ":\n",
				       o->expression, type, o->value.address);
		vmca_print_keyed(s, out, "value", &o->value, -1, &opts);
		vmca_out_textf(out, "\n");
		vmca_out_end_object(out);
	}
	vmca_out_end_list(out);
}

static struct vmca_error *panic_run(struct vmca_session *s,
				    struct vmca_out *out, int argc, char **argv)
{
	(void)argv;
	if (argc != 1)
		return vmca_error_create(VMCA_ERROR_USAGE,
					 "usage: vmca VMCORE panic");
	struct vmca_crash *c;
	struct vmca_error *err = vmca_crash_analyze(s, &c);
	if (err)
		return err;
	char buf[1400];
	vmca_out_begin_object(out, NULL, VMCA_OUT_TEXT_CUSTOM);
	vmca_out_str(out, "kind", vmca_crash_kind_name(c->kind));
	vmca_out_str(out, "headline", c->headline);
	line(out, "KIND:", vmca_crash_kind_name(c->kind));
	line(out, "HEADLINE:", c->headline);
	str_or_null(out, "message", c->message);
	line(out, "MESSAGE:", c->message);
	if (c->has_cpu)
		vmca_out_u64(out, "cpu", c->cpu);
	else
		vmca_out_null(out, "cpu");
	if (c->task || c->pid) {
		vmca_out_u64(out, "pid", c->pid);
		str_or_null(out, "comm", c->comm);
	} else {
		vmca_out_null(out, "pid");
		vmca_out_null(out, "comm");
	}
	if (c->task)
		vmca_out_addr(out, "task", c->task);
	else
		vmca_out_null(out, "task");
	if (c->task || c->pid) {
		snprintf(buf, sizeof(buf),
			 "PID: %" PRIu64 "  COMMAND: \"%s\"  TASK: %#" PRIx64
			 "%s",
			 c->pid, vmca_out_line(out, c->comm), c->task,
			 c->has_cpu ? "  CPU: " : "");
		vmca_out_textf(out, "%-12s %s", "TASK:", buf);
		if (c->has_cpu)
			vmca_out_textf(out, "%u", c->cpu);
		vmca_out_textf(out, "\n");
	}
	bool has_rip = c->has_fault_frame || c->call_address;
	if (has_rip) {
		vmca_out_addr(out, "rip", c->rip);
		char sym[300] = "";
		vmca_print_symbolize(s, c->rip, sym, sizeof(sym));
		snprintf(buf, sizeof(buf), "%016" PRIx64 " %s", c->rip, sym);
		line(out, "RIP:", buf);
	} else {
		vmca_out_null(out, "rip");
	}
	str_or_null(out, "function", c->function);
	if (c->function[0])
		vmca_out_u64(out, "offset", c->offset);
	else
		vmca_out_null(out, "offset");
	str_or_null(out, "module", c->module);
	str_or_null(out, "source", c->source);
	line(out, "SOURCE:", c->source);
	str_or_null(out, "instruction", c->instruction);
	line(out, "INSTRUCTION:", c->instruction);
	if (c->has_base) {
		vmca_out_str(out, "base_register",
			     vmca_reg_names[c->base_register]);
		vmca_out_addr(out, "base_value", c->base_value);
		vmca_out_i64(out, "displacement", c->displacement);
		snprintf(buf, sizeof(buf),
			 "%%%s = %#" PRIx64 ", displacement %s%#" PRIx64,
			 vmca_reg_names[c->base_register], c->base_value,
			 c->displacement < 0 ? "-" : "",
			 c->displacement < 0 ? -(uint64_t)c->displacement
					     : (uint64_t)c->displacement);
		line(out, "BASE:", buf);
	} else {
		vmca_out_null(out, "base_register");
		vmca_out_null(out, "base_value");
		vmca_out_null(out, "displacement");
	}
	if (c->has_fault_address) {
		vmca_out_addr(out, "fault_address", c->fault_address);
		snprintf(buf, sizeof(buf), "%#" PRIx64, c->fault_address);
		line(out, "ADDRESS:", buf);
	} else {
		vmca_out_null(out, "fault_address");
	}
	str_or_null(out, "member", c->member);
	line(out, "MEMBER:", c->member);
	str_or_null(out, "expression", c->origin.expression);
	line(out, "EXPRESSION:", c->origin.expression);
	origin_out(s, out, c);
	str_or_null(out, "bad_value", c->bad_value);
	line(out, "BAD VALUE:", c->bad_value);
	if (c->call_address) {
		vmca_out_begin_object(out, "call", VMCA_OUT_TEXT_CUSTOM);
		vmca_out_addr(out, "address", c->call_address);
		vmca_out_str(out, "instruction", c->call_instruction);
		vmca_out_end_object(out);
		snprintf(buf, sizeof(buf), "%016" PRIx64 " %s", c->call_address,
			 c->call_instruction);
		line(out, "CALL:", buf);
	} else {
		vmca_out_null(out, "call");
	}
	str_or_null(out, "bug_source", c->bug_source);
	str_or_null(out, "corruption", c->corruption);
	line(out, "CORRUPTION:", c->corruption);
	if (c->caller_function[0]) {
		vmca_out_begin_object(out, "caller", VMCA_OUT_TEXT_CUSTOM);
		vmca_out_str(out, "function", c->caller_function);
		str_or_null(out, "module", c->caller_module);
		str_or_null(out, "source", c->caller_source);
		vmca_out_end_object(out);
		snprintf(buf, sizeof(buf), "%s%s%s%s%s%s", c->caller_function,
			 c->caller_module[0] ? " [" : "", c->caller_module,
			 c->caller_module[0] ? "]" : "",
			 c->caller_source[0] ? " at " : "", c->caller_source);
		line(out, "CALLER:", buf);
	} else {
		vmca_out_null(out, "caller");
	}
	if (c->recursion_frames) {
		vmca_out_begin_object(out, "recursion", VMCA_OUT_TEXT_CUSTOM);
		vmca_out_str(out, "function", c->recursion_function);
		vmca_out_u64(out, "frames", c->recursion_frames);
		vmca_out_end_object(out);
		snprintf(buf, sizeof(buf), "%zu frames of %s",
			 c->recursion_frames, c->recursion_function);
		line(out, "RECURSION:", buf);
	} else {
		vmca_out_null(out, "recursion");
	}
	str_or_null(out, "oom", c->oom);
	line(out, "OOM:", c->oom);
	str_or_null(out, "wait_function", c->wait_function);
	line(out, "WAITS IN:", c->wait_function);
	if (c->lock[0]) {
		vmca_out_begin_object(out, "lock", VMCA_OUT_TEXT_CUSTOM);
		vmca_out_str(out, "name", c->lock);
		vmca_out_addr(out, "address", c->lock_address);
		if (c->lock_owner) {
			vmca_out_addr(out, "owner_task", c->lock_owner);
			vmca_out_u64(out, "owner_pid", c->lock_owner_pid);
			vmca_out_str(out, "owner_comm", c->lock_owner_comm);
			snprintf(buf, sizeof(buf),
				 "%s (%#" PRIx64 "), held by %s (pid %" PRIu64
				 ", task %#" PRIx64 ")",
				 c->lock, c->lock_address, c->lock_owner_comm,
				 c->lock_owner_pid, c->lock_owner);
		} else {
			vmca_out_null(out, "owner_task");
			vmca_out_null(out, "owner_pid");
			vmca_out_null(out, "owner_comm");
			snprintf(buf, sizeof(buf),
				 "%s (%#" PRIx64 "), no owner "
				 "recorded",
				 c->lock, c->lock_address);
		}
		vmca_out_end_object(out);
		line(out, "LOCK:", buf);
	} else {
		vmca_out_null(out, "lock");
	}
	if (c->seconds)
		vmca_out_u64(out, "seconds", c->seconds);
	else
		vmca_out_null(out, "seconds");
	if (c->nr_objects)
		vmca_out_textf(out, "\nOBJECTS:\n");
	objects_out(s, out, c);
	vmca_out_begin_list(out, "notes", VMCA_OUT_TEXT_CUSTOM);
	for (size_t i = 0; i < c->nr_notes; i++) {
		vmca_out_str(out, NULL, c->notes[i]);
		vmca_out_textf(out, "%-12s %s\n",
			       i ? "" : "NOTES:", c->notes[i]);
	}
	vmca_out_end_list(out);
	if (c->trace) {
		struct vmca_trace_printer *p;
		err = vmca_trace_printer_create(s, out, 0, &p);
		if (!err) {
			vmca_out_textf(out, "\nBACKTRACE:\n");
			vmca_trace_print_frames(p, "frames", c->trace);
			vmca_trace_printer_destroy(p);
		}
	} else {
		vmca_out_null(out, "frames");
	}
	vmca_out_end_object(out);
	vmca_crash_destroy(c);
	return err;
}

const struct vmca_plugin vmca_plugin_panic = {
	.name = "panic",
	.summary = "why it crashed: the panic or oops, explained",
	.usage = "panic",
	.help = "Finds the crash (panic()'s message, the oops report in the "
		"log, the\n"
		"crashed task, its exception frame) and explains it by kind:\n"
		"  null_deref   a fault on a NULL or small address\n"
		"  bad_address  a fault on another bad address (what the value "
		"looks\n"
		"               like: list or slab poison, a freed object, "
		"non-canonical,\n"
		"               a user address)\n"
		"  bad_call     a call through a NULL or bad function pointer\n"
		"  bug, warn, hung_task, lockup, sysrq, oom, stack_overflow, "
		"panic, none\n"
		"For a fault: the instruction, its base register and "
		"displacement, the\n"
		"member of the pointed-to type that was accessed, and where "
		"the "
		"pointer\n"
		"came from (DWARF's locations, else the function's code read "
		"back from\n"
		"the fault: \"mov 0x8(%rdi),%rax\" with ctl in %rdi is "
		"ctl->chosen), with\n"
		"the structure it was read from decoded.\n"
		"\n"
		"JSON: {\"kind\", \"headline\", \"message\", \"cpu\", \"pid\", "
		"\"comm\", \"task\",\n"
		"\"rip\", \"function\", \"offset\", \"module\", \"source\", "
		"\"instruction\",\n"
		"\"base_register\", \"base_value\", \"displacement\", "
		"\"fault_address\",\n"
		"\"member\" (\"TYPE.MEMBER\"), \"expression\", \"origin\" "
		"{\"root\",\n"
		"\"root_function\", \"root_is_parameter\", \"root_value\", "
		"\"loads\",\n"
		"\"defined_at\", \"note\"}, \"bad_value\", \"call\" "
		"{\"address\", "
		"\"instruction\"},\n"
		"\"bug_source\", \"corruption\", \"caller\" {\"function\", "
		"\"module\", \"source\"},\n"
		"\"recursion\" {\"function\", \"frames\"},\n"
		"\"oom\" (a sentence: see `vmca oom`), \"wait_function\", "
		"\"lock\" {\"name\", \"address\", "
		"\"owner_task\", \"owner_pid\",\n"
		"\"owner_comm\"}, \"seconds\", \"objects\" [{\"expression\", "
		"\"type\", \"address\",\n"
		"\"variable\", \"function\", \"frame\", \"value\" (eval's "
		"tree)}], "
		"\"notes\" [...],\n"
		"\"frames\" (bt --json's frames)}; fields that do not apply "
		"are "
		"null.",
	.examples = "panic\twhy it crashed: the fault, the member accessed, "
		    "where the pointer came from\n",
	.run = panic_run,
};

// SPDX-License-Identifier: MIT
/** @file Stack traces for people and JSON: bt's printer, panic's frames. */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmca.h"

/** What every trace prints of its task, resolved once. */
struct vmca_trace_printer {
	struct vmca_session *s;
	struct vmca_out *out;
	uint32_t task_type;
	struct vmca_field pid, comm;
	bool is_locals, is_words;
	struct vmca_debuginfo_pc *pc;
};

// crash's order of the registers.
static const enum vmca_reg regs_order[] = {
	VMCA_REG_RIP, VMCA_REG_RSP, VMCA_REG_RFLAGS, VMCA_REG_RAX, VMCA_REG_RBX,
	VMCA_REG_RCX, VMCA_REG_RDX, VMCA_REG_RSI,    VMCA_REG_RDI, VMCA_REG_RBP,
	VMCA_REG_R8,  VMCA_REG_R9,  VMCA_REG_R10,    VMCA_REG_R11, VMCA_REG_R12,
	VMCA_REG_R13, VMCA_REG_R14, VMCA_REG_R15,    VMCA_REG_CS,  VMCA_REG_SS,
};

// The registers as text, three a line like crash's.
static void regs_text(struct vmca_out *out, const struct vmca_regs *r,
		      bool is_partial)
{
	int column = 0;
	for (size_t i = 0; i < sizeof(regs_order) / sizeof(regs_order[0]);
	     i++) {
		enum vmca_reg reg = regs_order[i];
		if (!vmca_regs_has(r, reg))
			continue;
		char name[16];
		snprintf(name, sizeof(name), "%s", vmca_reg_names[reg]);
		for (char *c = name; *c; c++)
			*c = (char)toupper((unsigned char)*c);
		bool is_short = reg == VMCA_REG_CS || reg == VMCA_REG_SS;
		vmca_out_textf(out,
			       is_short ? "%s%3s: %04" PRIx64
					: "%s%3s: %016" PRIx64,
			       column ? "  " : "    ", name, r->value[reg]);
		if (++column == 3) {
			vmca_out_textf(out, "\n");
			column = 0;
		}
	}
	if (column)
		vmca_out_textf(out, "\n");
	if (is_partial)
		vmca_out_textf(out, "    (an iret frame: the other registers "
				    "were not saved)\n");
}

// The registers in JSON: {"rip": "0x...", ...}.
static void regs_json(struct vmca_out *out, const struct vmca_regs *r)
{
	vmca_out_begin_object(out, "registers", VMCA_OUT_TEXT_CUSTOM);
	for (size_t i = 0; i < sizeof(regs_order) / sizeof(regs_order[0]); i++)
		if (vmca_regs_has(r, regs_order[i]))
			vmca_out_addr(out, vmca_reg_names[regs_order[i]],
				      r->value[regs_order[i]]);
	vmca_out_end_object(out);
}

// "function+0x16/0x30 [module]" of pc, in buf; false if no symbol. A
// return address is looked up at pc - 1, as the kernel's %pB does: a
// call that does not return may be the last instruction of a function.
static bool symbol_of(struct vmca_session *s, uint64_t pc, bool is_exact,
		      struct vmca_symbol *sym, char *buf, size_t size)
{
	if (!vmca_error_consume(
		    vmca_symbol_lookup(s, is_exact ? pc : pc - 1, sym)))
		return false;
	int n = sym->size ? snprintf(buf, size, "%s+%#" PRIx64 "/%#" PRIx64,
				     sym->name, pc - sym->address, sym->size)
			  : snprintf(buf, size, "%s+%#" PRIx64, sym->name,
				     pc - sym->address);
	if (sym->module && n >= 0 && (size_t)n < size)
		snprintf(buf + n, size - (size_t)n, " [%s]", sym->module);
	return true;
}

struct locals {
	struct vmca_out *out;
	size_t scope;
};

static void local_out(struct vmca_session *s,
		      const struct vmca_frame_variable *v, void *arg)
{
	struct locals *l = arg;
	if (v->scope != l->scope)
		return;
	struct vmca_out *out = l->out;
	vmca_out_begin_object(out, NULL, VMCA_OUT_TEXT_CUSTOM);
	vmca_out_str(out, "name", v->name);
	vmca_out_str(out, "kind", v->is_parameter ? "parameter" : "variable");
	char type[256];
	if (v->type_name[0])
		vmca_type_name(s, v->value.type, NULL, type, sizeof(type));
	else
		snprintf(type, sizeof(type), "?");
	vmca_out_str(out, "type", v->type_name[0] ? type : NULL);
	vmca_out_textf(out, "        %s %s = ", type, v->name);
	if (v->reason) {
		vmca_out_null(out, "value");
		vmca_out_bool(out, "is_optimized_out", v->is_optimized_out);
		vmca_out_str(out, "reason", v->reason);
		vmca_out_textf(out, "<%s>\n",
			       v->is_optimized_out ? "optimized out"
						   : v->reason);
	} else {
		struct vmca_value held;
		struct vmca_error *err = vmca_value_fetch(s, &v->value, &held);
		if (err) {
			vmca_out_null(out, "value");
			vmca_out_bool(out, "is_optimized_out", false);
			vmca_out_str(out, "reason", err->message);
			vmca_out_textf(out, "<%s>\n", err->message);
			vmca_error_destroy(err);
		} else {
			// An untyped one (an array, an anonymous type): its
			// first word, in hex.
			struct vmca_print_options opts = {
				.json = VMCA_PRINT_JSON_TREE,
				.max_depth = 5, // two levels below the line
				.is_hex = !v->type_name[0],
			};
			vmca_print_value(s, out, &held, 2, &opts);
			vmca_out_bool(out, "is_optimized_out", false);
			vmca_out_null(out, "reason");
			vmca_out_textf(out, "\n");
			vmca_value_deinit(&held);
		}
	}
	vmca_out_end_object(out);
}

/** More words than this of one frame are not shown. */
#define MAX_FRAME_WORDS 512

// The raw stack words of a frame, from its sp up to the next frame's (the
// last frame: to the end of its stack, at most 32 words), each with the
// symbol it points into.
static void words_out(struct vmca_trace_printer *b,
		      const struct vmca_stack_trace *t, size_t frame)
{
	struct vmca_session *s = b->s;
	struct vmca_out *out = b->out;
	const struct vmca_frame *f = &t->frames[frame];
	uint64_t end;
	if (frame + 1 < t->nr_frames &&
	    t->frames[frame + 1].stack == f->stack &&
	    t->frames[frame + 1].sp > f->sp)
		end = t->frames[frame + 1].sp;
	else if (f->stack >= 0)
		end = f->sp + 32 * 8 < t->stacks[f->stack].end
			      ? f->sp + 32 * 8
			      : t->stacks[f->stack].end;
	else
		end = f->sp;
	if (end - f->sp > MAX_FRAME_WORDS * 8)
		end = f->sp + MAX_FRAME_WORDS * 8;
	vmca_out_begin_list(out, "stack_words", VMCA_OUT_TEXT_CUSTOM);
	for (uint64_t a = f->sp; a + 8 <= end; a += 8) {
		uint64_t w;
		struct vmca_error *err = vmca_read_u64(s, a, &w);
		if (err) {
			vmca_out_textf(out, "      %016" PRIx64 ":  <%s>\n", a,
				       err->message);
			vmca_error_destroy(err);
			break;
		}
		char sym[256];
		bool has = vmca_print_symbolize(s, w, sym, sizeof(sym));
		vmca_out_begin_object(out, NULL, VMCA_OUT_TEXT_CUSTOM);
		vmca_out_addr(out, "address", a);
		vmca_out_addr(out, "value", w);
		vmca_out_str(out, "symbol", has ? sym : NULL);
		vmca_out_end_object(out);
		vmca_out_textf(
			out, "      %016" PRIx64 ":  %016" PRIx64 "%s%s%s\n", a,
			w, has ? "  <" : "", has ? sym : "", has ? ">" : "");
	}
	vmca_out_end_list(out);
}

static void frame_out(struct vmca_trace_printer *b,
		      const struct vmca_stack_trace *t, size_t frame,
		      size_t *index)
{
	const struct vmca_frame *f = &t->frames[frame];
	struct vmca_session *s = b->s;
	struct vmca_out *out = b->out;
	struct vmca_symbol sym;
	char name[512];
	bool has_sym =
		symbol_of(s, f->pc, f->is_exact_pc, &sym, name, sizeof(name));
	// A return address's code and line are those of the call before it.
	uint64_t code = f->is_exact_pc ? f->pc : f->pc - 1;
	struct vmca_error *lerr = vmca_pc_lookup(s, code, b->pc);
	size_t nr_inlined = 0;
	if (!lerr && b->pc->nr_frames > 1)
		nr_inlined = b->pc->nr_frames - 1;
	const char *stack = f->stack >= 0 ? t->stacks[f->stack].name : NULL;
	bool has_regs =
		f->has_pt_regs || (f->unwinder == VMCA_UNWINDER_START &&
				   f->regs.source == VMCA_REGS_CPU_NOTES);
	if (has_regs) {
		if (f->has_pt_regs)
			vmca_out_textf(out,
				       "    [exception RIP: %s] (pt_regs at "
				       "%016" PRIx64 ")\n",
				       has_sym ? name : "??", f->regs_address);
		else
			vmca_out_textf(out,
				       "    [registers at the dump: RIP %s]\n",
				       has_sym ? name : "??");
		regs_text(out, &f->regs, f->is_partial_regs);
	}
	for (size_t i = 0; i <= nr_inlined; i++) {
		bool is_inlined = i < nr_inlined;
		const struct vmca_debuginfo_location *l =
			lerr ? NULL : &b->pc->frames[i];
		vmca_out_begin_object(out, NULL, VMCA_OUT_TEXT_CUSTOM);
		vmca_out_u64(out, "index", *index);
		vmca_out_addr(out, "sp", f->sp);
		vmca_out_addr(out, "pc", f->pc);
		if (is_inlined) {
			vmca_out_str(out, "function",
				     l->function ? l->function : NULL);
			vmca_out_null(out, "offset");
			vmca_out_null(out, "size");
		} else if (has_sym) {
			vmca_out_str(out, "function", sym.name);
			vmca_out_u64(out, "offset", f->pc - sym.address);
			vmca_out_u64(out, "size", sym.size);
		} else {
			vmca_out_null(out, "function");
			vmca_out_null(out, "offset");
			vmca_out_null(out, "size");
		}
		vmca_out_str(out, "module", has_sym ? sym.module : NULL);
		vmca_out_bool(out, "is_inlined", is_inlined);
		vmca_out_str(out, "file", l ? l->file : NULL);
		if (l && l->line)
			vmca_out_u64(out, "line", l->line);
		else
			vmca_out_null(out, "line");
		vmca_out_bool(out, "is_exact_pc", f->is_exact_pc);
		vmca_out_str(out, "unwinder", vmca_unwinder_name(f->unwinder));
		vmca_out_str(out, "stack", stack);
		if (!is_inlined && has_regs && f->has_pt_regs)
			vmca_out_addr(out, "pt_regs", f->regs_address);
		else
			vmca_out_null(out, "pt_regs");
		if (!is_inlined && has_regs)
			regs_json(out, &f->regs);
		const char *fn = is_inlined ? (l->function ? l->function : "??")
				 : has_sym  ? name
					    : "??";
		vmca_out_textf(out,
			       " #%-2zu [%016" PRIx64 "] %016" PRIx64 " %s%s",
			       *index, f->sp, f->pc, fn,
			       is_inlined ? " (inlined)" : "");
		if (l && l->file)
			vmca_out_textf(out, " at %s:%u", l->file, l->line);
		if (!is_inlined && f->unwinder != VMCA_UNWINDER_ORC &&
		    f->unwinder != VMCA_UNWINDER_START)
			vmca_out_textf(out, " (by %s)",
				       vmca_unwinder_name(f->unwinder));
		vmca_out_textf(out, "\n");
		if (b->is_words && i == nr_inlined)
			words_out(b, t, frame);
		if (b->is_locals) {
			// This frame's scope: 0 is the innermost inlined call.
			struct locals lv = {.out = out, .scope = i};
			vmca_out_begin_list(out, "variables",
					    VMCA_OUT_TEXT_CUSTOM);
			struct vmca_error *verr = vmca_frame_variables(
				s, t, frame, local_out, &lv);
			vmca_out_end_list(out);
			if (verr) {
				vmca_out_error(out, "variables_error", verr);
				if (i == nr_inlined)
					vmca_out_textf(out, "        (%s)\n",
						       verr->message);
				vmca_error_destroy(verr);
			} else {
				vmca_out_null(out, "variables_error");
			}
		}
		vmca_out_end_object(out);
		(*index)++;
	}
	vmca_error_destroy(lerr);
}

void vmca_trace_print_frames(struct vmca_trace_printer *b, const char *key,
			     const struct vmca_stack_trace *tr)
{
	struct vmca_out *out = b->out;
	vmca_out_begin_list(out, key, VMCA_OUT_TEXT_CUSTOM);
	size_t index = 0;
	// The task's own stack is the first; a trace starting elsewhere
	// (an interrupt's) says so.
	int stack = 0;
	for (size_t i = 0; i < tr->nr_frames; i++) {
		const struct vmca_frame *f = &tr->frames[i];
		if (f->stack != stack && f->stack >= 0) {
			vmca_out_textf(out, "    --- <%s stack> ---\n",
				       tr->stacks[f->stack].name);
			stack = f->stack;
		}
		frame_out(b, tr, i, &index);
	}
	vmca_out_end_list(out);
}

struct vmca_error *vmca_trace_printer_create(struct vmca_session *s,
					     struct vmca_out *out,
					     unsigned flags,
					     struct vmca_trace_printer **ret)
{
	struct vmca_trace_printer *b = calloc(1, sizeof(*b));
	if (!b)
		return &vmca_enomem;
	b->s = s;
	b->out = out;
	b->is_locals = flags & VMCA_TRACE_PRINT_LOCALS;
	b->is_words = flags & VMCA_TRACE_PRINT_WORDS;
	struct vmca_error *err =
		vmca_type(s, "struct task_struct", &b->task_type);
	if (!err)
		err = vmca_field_init(s, b->task_type, "pid", &b->pid);
	if (!err)
		err = vmca_field_init(s, b->task_type, "comm", &b->comm);
	if (!err && !(b->pc = malloc(sizeof(*b->pc))))
		err = &vmca_enomem;
	if (err) {
		vmca_trace_printer_destroy(b);
		return err;
	}
	*ret = b;
	return NULL;
}

void vmca_trace_printer_destroy(struct vmca_trace_printer *b)
{
	if (!b)
		return;
	free(b->pc);
	free(b);
}

struct vmca_error *vmca_trace_print(struct vmca_trace_printer *b, uint64_t task,
				    const struct vmca_stack_trace *tr)
{
	struct vmca_session *s = b->s;
	struct vmca_out *out = b->out;
	struct vmca_value t, v;
	uint64_t pid = 0;
	char comm[64] = "";
	vmca_value_init_reference(&t, b->task_type, task);
	struct vmca_error *err = vmca_value_field(s, &t, &b->pid, &v);
	if (!err)
		err = vmca_value_u64(s, &v, &pid);
	if (!err)
		err = vmca_value_field(s, &t, &b->comm, &v);
	if (!err)
		err = vmca_value_string(s, &v, comm, sizeof(comm));
	if (err)
		return vmca_error_wrap(err, "task %#" PRIx64, task);
	const struct vmca_regs *first =
		tr->nr_frames ? &tr->frames[0].regs : &tr->user_regs;
	bool is_active = first->source == VMCA_REGS_CPU_NOTES;
	vmca_out_begin_object(out, NULL, VMCA_OUT_TEXT_CUSTOM);
	vmca_out_u64(out, "pid", pid);
	vmca_out_addr(out, "task", task);
	vmca_out_str(out, "comm", comm);
	vmca_out_u64(out, "cpu", first->cpu);
	vmca_out_bool(out, "is_active", is_active);
	vmca_out_str(out, "registers_source",
		     is_active ? "cpu_notes" : "saved_context");
	vmca_out_textf(out,
		       "PID: %-6" PRIu64 " TASK: %016" PRIx64
		       "  CPU: %-3u COMMAND: \"%s\"%s\n",
		       pid, task, first->cpu, vmca_out_line(out, comm),
		       is_active ? "  (active: the dump's registers)" : "");
	vmca_out_begin_list(out, "stacks", VMCA_OUT_TEXT_CUSTOM);
	for (size_t i = 0; i < tr->nr_stacks; i++) {
		vmca_out_begin_object(out, NULL, VMCA_OUT_TEXT_CUSTOM);
		vmca_out_str(out, "name", tr->stacks[i].name);
		vmca_out_addr(out, "start", tr->stacks[i].start);
		vmca_out_addr(out, "end", tr->stacks[i].end);
		vmca_out_end_object(out);
	}
	vmca_out_end_list(out);
	vmca_trace_print_frames(b, "frames", tr);
	vmca_out_bool(out, "is_complete", tr->is_complete);
	if (tr->has_user_regs) {
		vmca_out_begin_object(out, "user_regs", VMCA_OUT_TEXT_CUSTOM);
		if (tr->user_regs_address)
			vmca_out_addr(out, "pt_regs", tr->user_regs_address);
		else
			vmca_out_null(out, "pt_regs");
		vmca_out_textf(out, "    [user mode registers]\n");
		regs_text(out, &tr->user_regs, false);
		regs_json(out, &tr->user_regs);
		vmca_out_end_object(out);
	} else {
		vmca_out_null(out, "user_regs");
	}
	if (tr->error) {
		vmca_out_error(out, "error", tr->error);
		vmca_out_textf(out, "    (the trace stops: %s)\n",
			       tr->error->message);
	} else {
		vmca_out_null(out, "error");
	}
	vmca_out_textf(out, "\n");
	vmca_out_end_object(out);
	return NULL;
}

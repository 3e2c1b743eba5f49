// SPDX-License-Identifier: MIT
/** @file A frame's parameters and variables, as typed values. */
#include <stdlib.h>
#include <string.h>

#include "vmca.h"
#include "unwind.h"
#include "../dwarf/debuginfo.h"

struct access {
	struct vmca_session *s;
	const struct vmca_unwind_arch *arch;
	const struct vmca_frame *frame;
};

static bool frame_reg(void *arg, unsigned regno, uint64_t *ret)
{
	const struct access *a = arg;
	enum vmca_reg r;
	if (!a->arch->dwarf_register(regno, &r) ||
	    !vmca_regs_has(&a->frame->regs, r))
		return false;
	*ret = a->frame->regs.value[r];
	return true;
}

static bool frame_read(void *arg, uint64_t address, void *buf, size_t size)
{
	const struct access *a = arg;
	return vmca_error_consume(vmca_read(a->s, address, buf, size));
}

struct collect {
	struct vmca_session *s;
	const struct vmca_unwind_arch *arch;
	void (*fn)(struct vmca_session *s, const struct vmca_frame_variable *v,
		   void *arg);
	void *arg;
	uint32_t untyped;
};

// The session's type for DWARF's description; false if it has none.
static bool type_of(struct vmca_session *s,
		    const struct vmca_debuginfo_variable *d, uint32_t *ret)
{
	uint32_t t;
	if (!d->type_name[0])
		return false;
	if (strcmp(d->type_name, "void") == 0)
		t = 0;
	else if (!vmca_error_consume(vmca_type_find(s, d->type_name, &t)))
		return false;
	for (int i = 0; i < d->pointer_depth; i++)
		if (!vmca_error_consume(vmca_type_pointer_to(s, t, &t)))
			return false;
	if (!d->pointer_depth && t == 0)
		return false;
	*ret = t;
	return true;
}

static void each(void *arg, const struct vmca_debuginfo_variable *d)
{
	struct collect *c = arg;
	struct vmca_session *s = c->s;
	struct vmca_frame_variable v = {
		.name = d->name,
		.is_parameter = d->is_parameter,
		.function = d->function,
		.scope = d->scope,
		.type_name = d->type_name,
	};
	v.in_register =
		d->is_register && c->arch->dwarf_register(d->regno, &v.reg);
	uint32_t type = 0;
	bool has_type = type_of(s, d, &type);
	if (!has_type) {
		// Untyped (an array, an anonymous struct): its first word.
		type = c->untyped;
		v.type_name = "";
	}
	struct vmca_error *err = NULL;
	switch (d->loc) {
	case VMCA_LOC_ADDRESS:
		vmca_value_init_reference(&v.value, type, d->address);
		break;
	case VMCA_LOC_BYTES: {
		uint64_t size = vmca_type_sizeof(s, type);
		uint8_t buf[64] = {0};
		if (size > sizeof(buf) || size > d->nr_bytes) {
			vmca_value_init_absent(&v.value, type);
			v.reason = "only part of it is known";
			break;
		}
		memcpy(buf, d->bytes, size);
		err = vmca_value_init_bytes(&v.value, type, buf, size);
		if (err) {
			vmca_error_destroy(err);
			vmca_value_init_absent(&v.value, type);
			v.reason = "out of memory";
		}
		break;
	}
	default:
		vmca_value_init_absent(&v.value, type);
		v.reason = d->reason[0] ? d->reason : "optimized out";
		v.is_optimized_out = d->loc == VMCA_LOC_OPTIMIZED_OUT;
		break;
	}
	c->fn(s, &v, c->arg);
	vmca_value_deinit(&v.value);
}

struct vmca_error *
vmca_frame_variables(struct vmca_session *s, const struct vmca_stack_trace *t,
		     size_t i,
		     void (*fn)(struct vmca_session *s,
				const struct vmca_frame_variable *v, void *arg),
		     void *arg)
{
	if (i >= t->nr_frames)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "no frame #%zu to read variables of",
					 i);
	const struct vmca_frame *f = &t->frames[i];
	return vmca_frame_variables_at(
		s, t, i, f->is_exact_pc ? f->pc : f->pc - 1, fn, arg);
}

struct vmca_error *vmca_frame_variables_at(
	struct vmca_session *s, const struct vmca_stack_trace *t, size_t i,
	uint64_t pc,
	void (*fn)(struct vmca_session *s, const struct vmca_frame_variable *v,
		   void *arg),
	void *arg)
{
	const struct vmca_unwind_arch *arch = vmca_unwind_arch(s);
	if (!arch || i >= t->nr_frames)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "no frame #%zu to read variables of",
					 i);
	const struct vmca_frame *f = &t->frames[i];
	struct vmca_debuginfo *di;
	uint64_t address, bias;
	struct vmca_error *err = vmca_debuginfo_at(s, pc, &di, &address, &bias);
	if (err)
		return err;
	struct access a = {.s = s, .arch = arch, .frame = f};
	struct vmca_debuginfo_frame_access acc = {
		.arg = &a,
		.reg = frame_reg,
		.read = frame_read,
		.has_cfa = f->has_cfa,
		.cfa = f->cfa,
		.address_bias = bias,
	};
	struct collect c = {.s = s, .arch = arch, .fn = fn, .arg = arg};
	err = vmca_type(s, "unsigned long", &c.untyped);
	if (err)
		return err;
	return vmca_debuginfo_frame_variables(di, address, &acc, each, &c);
}

size_t vmca_frame_number(struct vmca_session *s,
			 const struct vmca_stack_trace *t, size_t i,
			 size_t scope)
{
	struct vmca_debuginfo_pc *pc = malloc(sizeof(*pc));
	size_t n = 0;
	for (size_t k = 0; k < i && k < t->nr_frames; k++) {
		const struct vmca_frame *f = &t->frames[k];
		n++;
		if (pc &&
		    vmca_error_consume(vmca_pc_lookup(
			    s, f->is_exact_pc ? f->pc : f->pc - 1, pc)) &&
		    pc->nr_frames > 1)
			n += pc->nr_frames - 1;
	}
	free(pc);
	return n + scope;
}

/* A frame as an expression's scope. */

struct vmca_frame_scope {
	struct vmca_expr_scope expr;
	char **names;
	struct vmca_value *values;
	size_t nr;
	size_t scope;
	struct vmca_error *error;
};

void vmca_frame_scope_destroy(struct vmca_frame_scope *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->nr; i++) {
		free(f->names[i]);
		vmca_value_deinit(&f->values[i]);
	}
	free(f->names);
	free(f->values);
	vmca_error_destroy(f->error);
	free(f);
}

static void keep_variable(struct vmca_session *s,
			  const struct vmca_frame_variable *v, void *arg)
{
	struct vmca_frame_scope *f = arg;
	if (v->scope != f->scope || f->error)
		return;
	char **names = realloc(f->names, (f->nr + 1) * sizeof(*names));
	if (names)
		f->names = names;
	struct vmca_value *values =
		realloc(f->values, (f->nr + 1) * sizeof(*values));
	if (values)
		f->values = values;
	char *name = strdup(v->name);
	if (!names || !values || !name) {
		free(name);
		f->error = &vmca_enomem;
		return;
	}
	struct vmca_error *err = vmca_value_copy(&f->values[f->nr], &v->value);
	if (err) {
		free(name);
		f->error = err;
		return;
	}
	f->names[f->nr++] = name;
}

static struct vmca_error *scope_lookup(struct vmca_session *s, const char *name,
				       void *arg, struct vmca_value *ret)
{
	const struct vmca_frame_scope *f = arg;
	// The last one of a name is the innermost block's.
	for (size_t i = f->nr; i-- > 0;)
		if (strcmp(f->names[i], name) == 0)
			return vmca_value_copy(ret, &f->values[i]);
	return vmca_error_create(VMCA_ERROR_NOT_FOUND, "no variable %s", name);
}

struct vmca_error *vmca_frame_scope_create(struct vmca_session *s,
					   uint64_t task, size_t n,
					   struct vmca_frame_scope **ret)
{
	struct vmca_error *err = NULL;
	if (!task) {
		task = vmca_task_panic(s);
		if (!task)
			err = vmca_task_active(s, 0, &task);
		if (err)
			return err;
	}
	struct vmca_stack_trace *t;
	err = vmca_stack_trace(s, task, NULL, VMCA_STACK_TRACE_REGISTERS, &t);
	if (err)
		return err;
	// bt's numbering: the functions inlined at a frame's PC first.
	struct vmca_debuginfo_pc *pc = malloc(sizeof(*pc));
	if (!pc) {
		vmca_stack_trace_destroy(t);
		return &vmca_enomem;
	}
	size_t index = 0, phys = 0, scope = 0;
	bool found = false;
	for (size_t i = 0; i < t->nr_frames && !found; i++) {
		const struct vmca_frame *fr = &t->frames[i];
		size_t nr = 1;
		if (vmca_error_consume(vmca_pc_lookup(
			    s, fr->is_exact_pc ? fr->pc : fr->pc - 1, pc)) &&
		    pc->nr_frames > 1)
			nr = pc->nr_frames;
		if (n < index + nr) {
			phys = i;
			scope = n - index;
			found = true;
		}
		index += nr;
	}
	free(pc);
	if (!found) {
		vmca_stack_trace_destroy(t);
		return vmca_error_create(VMCA_ERROR_NOT_FOUND,
					 "task %#" PRIx64
					 " has no frame #%zu (%zu frames)",
					 task, n, index);
	}
	struct vmca_frame_scope *f = calloc(1, sizeof(*f));
	if (!f) {
		vmca_stack_trace_destroy(t);
		return &vmca_enomem;
	}
	f->scope = scope;
	f->expr.lookup = scope_lookup;
	f->expr.arg = f;
	err = vmca_frame_variables(s, t, phys, keep_variable, f);
	vmca_stack_trace_destroy(t);
	if (!err && f->error) {
		err = f->error;
		f->error = NULL;
	}
	if (err) {
		vmca_frame_scope_destroy(f);
		return vmca_error_wrap(err, "frame #%zu", n);
	}
	*ret = f;
	return NULL;
}

const struct vmca_expr_scope *
vmca_frame_scope_expr(const struct vmca_frame_scope *f)
{
	return &f->expr;
}

// SPDX-License-Identifier: MIT
/** @file A frame's parameters and variables, as typed values. */
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
	const struct vmca_unwind_arch *arch = vmca_unwind_arch(s);
	if (!arch || i >= t->nr_frames)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "no frame #%zu to read variables of",
					 i);
	const struct vmca_frame *f = &t->frames[i];
	uint64_t pc = f->is_exact_pc ? f->pc : f->pc - 1;
	struct vmca_debuginfo *di;
	uint64_t address = pc, bias = 0;
	const struct vmca_module *m = vmca_module_at(s, pc);
	struct vmca_error *err = NULL;
	if (m) {
		uint32_t base;
		err = vmca_module_debuginfo(s, m, &di, &base);
	} else {
		di = vmca_session_debuginfo(s);
		bias = vmca_session_kaslr_offset(s);
		address -= bias;
	}
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
	struct collect c = {.s = s, .fn = fn, .arg = arg};
	err = vmca_type(s, "unsigned long", &c.untyped);
	if (err)
		return err;
	return vmca_debuginfo_frame_variables(di, address, &acc, each, &c);
}

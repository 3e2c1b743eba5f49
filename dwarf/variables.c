// SPDX-License-Identifier: MIT
/**
 * @file The parameters and variables in scope at an address, with their
 * DWARF locations evaluated against a frame's registers and memory.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dwarf.h>

#include "dbg.h"
#include "internal.h"
#include "lines.h"

#define MAX_STACK 64
#define MAX_OPS	  4096

struct eval {
	struct lookup_scope *scope;
	const struct vmca_debuginfo_frame_access *acc;
	uint64_t frame_base;
	bool has_frame_base;
	struct vmca_debuginfo_variable *v;
};

static bool get_reg(const struct eval *ev, unsigned regno, uint64_t *ret)
{
	return ev->acc->reg && ev->acc->reg(ev->acc->arg, regno, ret);
}

static bool read_mem(const struct eval *ev, uint64_t address, void *buf,
		     size_t size)
{
	return ev->acc->read && ev->acc->read(ev->acc->arg, address, buf, size);
}

static void set_unknown(struct vmca_debuginfo_variable *v,
			enum vmca_debuginfo_loc kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_unknown(struct vmca_debuginfo_variable *v,
			enum vmca_debuginfo_loc kind, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(v->reason, sizeof(v->reason), fmt, ap);
	va_end(ap);
	v->loc = kind;
}

// Append size bytes of value (little-endian) to the variable's bytes.
static bool add_bytes(struct vmca_debuginfo_variable *v, const void *p,
		      size_t size)
{
	if (v->nr_bytes + size > sizeof(v->bytes))
		return false;
	memcpy(v->bytes + v->nr_bytes, p, size);
	v->nr_bytes += size;
	return true;
}

/*
 * Evaluate one DWARF expression (libdwarf's decoded operations) for the
 * variable. What it ends as: an address (memory location), a register, a
 * value (DW_OP_stack_value, DW_OP_implicit_value), or pieces of those.
 */
static void evaluate(struct eval *ev, Dwarf_Debug dbg, Dwarf_Locdesc_c desc,
		     Dwarf_Unsigned nr_ops, uint64_t type_size)
{
	struct vmca_debuginfo_variable *v = ev->v;
	uint64_t stack[MAX_STACK];
	size_t sp = 0;
	// The location so far: none, a register, or the top of the stack
	// (an address, or a value after DW_OP_stack_value).
	enum { NONE, REG, ADDR, VALUE } what = NONE;
	unsigned reg = 0;
	bool has_pieces = false;

	v->nr_bytes = 0;
#define PUSH(x)                         \
	do {                            \
		uint64_t pushed_ = (x); \
		if (sp == MAX_STACK)    \
			goto bad;       \
		stack[sp++] = pushed_;  \
	} while (0)
#define NEED(n)                   \
	do {                      \
		if (sp < (n))     \
			goto bad; \
	} while (0)
	for (Dwarf_Unsigned i = 0; i < nr_ops && i < MAX_OPS; i++) {
		Dwarf_Small op = 0;
		Dwarf_Unsigned a = 0, b = 0, c = 0, br = 0;
		Dwarf_Error e = NULL;
		if (dwarf_get_location_op_value_c(desc, i, &op, &a, &b, &c, &br,
						  &e) != DW_DLV_OK) {
			dwarf_dealloc_error(dbg, e);
			goto bad;
		}
		if (op >= DW_OP_lit0 && op <= DW_OP_lit31) {
			PUSH(op - DW_OP_lit0);
		} else if (op >= DW_OP_reg0 && op <= DW_OP_reg31) {
			what = REG;
			reg = op - DW_OP_reg0;
		} else if (op == DW_OP_regx) {
			what = REG;
			reg = (unsigned)a;
		} else if ((op >= DW_OP_breg0 && op <= DW_OP_breg31) ||
			   op == DW_OP_bregx) {
			unsigned r = op == DW_OP_bregx
					     ? (unsigned)a
					     : (unsigned)(op - DW_OP_breg0);
			int64_t off = (int64_t)(op == DW_OP_bregx ? b : a);
			if (i == 0 && off == 0 && nr_ops == 2) {
				Dwarf_Small next = 0;
				Dwarf_Unsigned x, y, z, w;
				if (dwarf_get_location_op_value_c(
					    desc, 1, &next, &x, &y, &z, &w,
					    &e) == DW_DLV_OK &&
				    next == DW_OP_stack_value) {
					v->is_register = true;
					v->regno = r;
				} else {
					dwarf_dealloc_error(dbg, e);
					e = NULL;
				}
			}
			uint64_t value;
			if (!get_reg(ev, r, &value)) {
				set_unknown(v, VMCA_LOC_UNKNOWN,
					    "needs DWARF register %u, not "
					    "known in this frame",
					    r);
				return;
			}
			PUSH(value + (uint64_t)off);
			what = ADDR;
		} else if (op == DW_OP_fbreg) {
			if (!ev->has_frame_base) {
				set_unknown(v, VMCA_LOC_UNKNOWN,
					    "needs the frame base, not known "
					    "in this frame");
				return;
			}
			PUSH(ev->frame_base + a);
			what = ADDR;
		} else if (op == DW_OP_call_frame_cfa) {
			if (!ev->acc->has_cfa) {
				set_unknown(v, VMCA_LOC_UNKNOWN,
					    "needs the frame's CFA, not known");
				return;
			}
			PUSH(ev->acc->cfa);
			what = ADDR;
		} else if (op == DW_OP_addr) {
			PUSH(a + ev->acc->address_bias);
			what = ADDR;
		} else if (op == DW_OP_const1u || op == DW_OP_const2u ||
			   op == DW_OP_const4u || op == DW_OP_const8u ||
			   op == DW_OP_constu || op == DW_OP_const1s ||
			   op == DW_OP_const2s || op == DW_OP_const4s ||
			   op == DW_OP_const8s || op == DW_OP_consts) {
			PUSH(a);
			what = ADDR;
		} else if (op == DW_OP_plus_uconst) {
			NEED(1);
			stack[sp - 1] += a;
		} else if (op == DW_OP_dup) {
			NEED(1);
			PUSH(stack[sp - 1]);
		} else if (op == DW_OP_drop) {
			NEED(1);
			sp--;
		} else if (op == DW_OP_swap) {
			NEED(2);
			uint64_t t = stack[sp - 1];
			stack[sp - 1] = stack[sp - 2];
			stack[sp - 2] = t;
		} else if (op == DW_OP_over) {
			NEED(2);
			PUSH(stack[sp - 2]);
		} else if (op == DW_OP_plus || op == DW_OP_minus ||
			   op == DW_OP_and || op == DW_OP_or ||
			   op == DW_OP_xor || op == DW_OP_mul ||
			   op == DW_OP_shl || op == DW_OP_shr ||
			   op == DW_OP_shra) {
			NEED(2);
			uint64_t y = stack[--sp], x = stack[sp - 1];
			switch (op) {
			case DW_OP_plus:
				x += y;
				break;
			case DW_OP_minus:
				x -= y;
				break;
			case DW_OP_and:
				x &= y;
				break;
			case DW_OP_or:
				x |= y;
				break;
			case DW_OP_xor:
				x ^= y;
				break;
			case DW_OP_mul:
				x *= y;
				break;
			case DW_OP_shl:
				x = y < 64 ? x << y : 0;
				break;
			case DW_OP_shr:
				x = y < 64 ? x >> y : 0;
				break;
			default:
				x = y < 64 ? (uint64_t)((int64_t)x >> y)
					   : (uint64_t)((int64_t)x >> 63);
				break;
			}
			stack[sp - 1] = x;
		} else if (op == DW_OP_neg) {
			NEED(1);
			stack[sp - 1] = -stack[sp - 1];
		} else if (op == DW_OP_not) {
			NEED(1);
			stack[sp - 1] = ~stack[sp - 1];
		} else if (op == DW_OP_deref || op == DW_OP_deref_size) {
			NEED(1);
			size_t size = op == DW_OP_deref ? 8 : (size_t)a;
			uint64_t value = 0;
			if (size > 8 ||
			    !read_mem(ev, stack[sp - 1], &value, size)) {
				set_unknown(v, VMCA_LOC_UNKNOWN,
					    "needs memory at %#" PRIx64
					    ", not in the dump",
					    stack[sp - 1]);
				return;
			}
			stack[sp - 1] = value;
		} else if (op == DW_OP_stack_value) {
			NEED(1);
			what = VALUE;
		} else if (op == DW_OP_implicit_value) {
			if (a > sizeof(v->bytes) || !b)
				goto bad;
			v->nr_bytes = 0;
			add_bytes(v, (const void *)(uintptr_t)b, (size_t)a);
			v->loc = VMCA_LOC_BYTES;
			return;
		} else if (op == DW_OP_piece) {
			// One piece of the value: what the ops so far said.
			has_pieces = true;
			uint8_t buf[64];
			size_t size = (size_t)a;
			if (size > sizeof(buf))
				goto bad;
			memset(buf, 0, size);
			if (what == REG) {
				uint64_t value;
				if (!get_reg(ev, reg, &value) || size > 8) {
					set_unknown(v, VMCA_LOC_UNKNOWN,
						    "a piece in DWARF register "
						    "%u, not known in this "
						    "frame",
						    reg);
					return;
				}
				memcpy(buf, &value, size);
			} else if (what == VALUE && sp) {
				if (size > 8)
					goto bad;
				memcpy(buf, &stack[sp - 1], size);
			} else if (what == ADDR && sp) {
				if (!read_mem(ev, stack[sp - 1], buf, size)) {
					set_unknown(v, VMCA_LOC_UNKNOWN,
						    "a piece at %#" PRIx64
						    ", not in the dump",
						    stack[sp - 1]);
					return;
				}
			} else {
				// An empty piece: that part is optimized out.
				set_unknown(v, VMCA_LOC_OPTIMIZED_OUT,
					    "partly optimized out");
				return;
			}
			if (!add_bytes(v, buf, size))
				goto bad;
			what = NONE;
			sp = 0;
		} else if (op == DW_OP_entry_value ||
			   op == DW_OP_GNU_entry_value) {
			set_unknown(v, VMCA_LOC_UNKNOWN,
				    "its value at the function's entry "
				    "(DW_OP_entry_value), not kept");
			return;
		} else if (op == DW_OP_implicit_pointer ||
			   op == DW_OP_GNU_implicit_pointer) {
			set_unknown(v, VMCA_LOC_OPTIMIZED_OUT,
				    "a pointer to an optimized-out object");
			return;
		} else if (op == DW_OP_nop) {
		} else {
			set_unknown(v, VMCA_LOC_UNSUPPORTED,
				    "DWARF operation %#x not evaluated", op);
			return;
		}
	}
	if (has_pieces) {
		v->loc = VMCA_LOC_BYTES;
		return;
	}
	switch (what) {
	case REG: {
		v->is_register = true;
		v->regno = reg;
		uint64_t value;
		if (!get_reg(ev, reg, &value)) {
			set_unknown(v, VMCA_LOC_UNKNOWN,
				    "in DWARF register %u, not known in this "
				    "frame",
				    reg);
			return;
		}
		size_t size =
			type_size && type_size < 8 ? (size_t)type_size : 8;
		add_bytes(v, &value, size);
		v->loc = VMCA_LOC_BYTES;
		return;
	}
	case VALUE: {
		size_t size =
			type_size && type_size < 8 ? (size_t)type_size : 8;
		add_bytes(v, &stack[sp - 1], size);
		v->loc = VMCA_LOC_BYTES;
		return;
	}
	case ADDR:
		if (!sp)
			goto bad;
		v->address = stack[sp - 1];
		v->loc = VMCA_LOC_ADDRESS;
		return;
	case NONE:
		set_unknown(v, VMCA_LOC_OPTIMIZED_OUT, "optimized out");
		return;
	}
bad:
	set_unknown(v, VMCA_LOC_UNSUPPORTED, "a malformed DWARF expression");
#undef PUSH
#undef NEED
}

/*
 * Evaluate a location attribute at the scope's address: a single
 * expression, or the entry of a location list that holds the address
 * (none: optimized out there).
 */
static void locate(struct eval *ev, Dwarf_Attribute attr, uint64_t type_size)
{
	Dwarf_Debug dbg = ev->scope->dbg;
	struct vmca_debuginfo_variable *v = ev->v;
	Dwarf_Loc_Head_c head = NULL;
	Dwarf_Unsigned count = 0;
	Dwarf_Error e = NULL;
	if (dwarf_get_loclist_c(attr, &head, &count, &e) != DW_DLV_OK) {
		dwarf_dealloc_error(dbg, e);
		set_unknown(v, VMCA_LOC_UNSUPPORTED,
			    "a location libdwarf cannot read");
		return;
	}
	bool found = false;
	for (Dwarf_Unsigned i = 0; i < count && !found; i++) {
		Dwarf_Small lle = 0, source = 0;
		Dwarf_Unsigned raw_lo = 0, raw_hi = 0, nr_ops = 0, eoff = 0,
			       doff = 0;
		Dwarf_Bool no_addr = 0;
		Dwarf_Addr lo = 0, hi = 0;
		Dwarf_Locdesc_c desc = NULL;
		if (dwarf_get_locdesc_entry_d(head, i, &lle, &raw_lo, &raw_hi,
					      &no_addr, &lo, &hi, &nr_ops,
					      &desc, &source, &eoff, &doff,
					      &e) != DW_DLV_OK) {
			dwarf_dealloc_error(dbg, e);
			e = NULL;
			continue;
		}
		if (source != 0 &&
		    !(lo <= ev->scope->address && ev->scope->address < hi))
			continue;
		if (source != 0 && lo == hi)
			continue;
		found = true;
		if (!nr_ops)
			set_unknown(v, VMCA_LOC_OPTIMIZED_OUT, "optimized out");
		else
			evaluate(ev, dbg, desc, nr_ops, type_size);
	}
	if (!found)
		set_unknown(v, VMCA_LOC_OPTIMIZED_OUT,
			    "optimized out here (no location at this address)");
	dwarf_loc_head_c_dealloc(head);
}

// An attribute of the DIE, or of its abstract origin (an inlined or
// out-of-line instance takes name and type from it).
static bool attr_of(Dwarf_Debug dbg, Dwarf_Die die, Dwarf_Half at,
		    Dwarf_Attribute *ret, Dwarf_Die *origin_ret)
{
	Dwarf_Error e = NULL;
	*origin_ret = NULL;
	if (dwarf_attr(die, at, ret, &e) == DW_DLV_OK)
		return true;
	dwarf_dealloc_error(dbg, e);
	e = NULL;
	Dwarf_Die cur = die;
	for (int depth = 0; depth < 4; depth++) {
		Dwarf_Attribute o;
		Dwarf_Off off;
		Dwarf_Die next = NULL;
		if (dwarf_attr(cur, DW_AT_abstract_origin, &o, &e) !=
		    DW_DLV_OK) {
			dwarf_dealloc_error(dbg, e);
			break;
		}
		bool ok =
			dwarf_global_formref(o, &off, &e) == DW_DLV_OK &&
			dwarf_offdie_b(dbg, off, true, &next, &e) == DW_DLV_OK;
		dwarf_dealloc_attribute(o);
		if (!ok) {
			dwarf_dealloc_error(dbg, e);
			break;
		}
		if (cur != die)
			dwarf_dealloc_die(cur);
		cur = next;
		if (dwarf_attr(cur, at, ret, &e) == DW_DLV_OK) {
			*origin_ret = cur;
			return true;
		}
		dwarf_dealloc_error(dbg, e);
		e = NULL;
	}
	if (cur != die)
		dwarf_dealloc_die(cur);
	return false;
}

// The type the variable has, as the session can look it up: a name
// ("struct oom_control", "long int", "pid_t") and how many pointers to
// it; an array, a function or an anonymous type: no name, its size.
static void describe_type(Dwarf_Debug dbg, Dwarf_Die die,
			  struct vmca_debuginfo_variable *v)
{
	Dwarf_Attribute attr;
	Dwarf_Die origin = NULL;
	Dwarf_Error e = NULL;
	v->type_name[0] = 0;
	v->pointer_depth = 0;
	v->type_size = 0;
	if (!attr_of(dbg, die, DW_AT_type, &attr, &origin))
		return;
	Dwarf_Off off;
	Dwarf_Die t = NULL;
	bool ok = dwarf_global_formref(attr, &off, &e) == DW_DLV_OK &&
		  dwarf_offdie_b(dbg, off, true, &t, &e) == DW_DLV_OK;
	dwarf_dealloc_attribute(attr);
	if (origin)
		dwarf_dealloc_die(origin);
	if (!ok) {
		dwarf_dealloc_error(dbg, e);
		return;
	}
	for (int depth = 0; t && depth < 16; depth++) {
		Dwarf_Half tag = 0;
		if (dwarf_tag(t, &tag, &e) != DW_DLV_OK) {
			dwarf_dealloc_error(dbg, e);
			break;
		}
		Dwarf_Unsigned size = 0;
		if (dwarf_bytesize(t, &size, &e) != DW_DLV_OK) {
			dwarf_dealloc_error(dbg, e);
			e = NULL;
		} else if (!v->pointer_depth) {
			v->type_size = size;
		}
		if (tag == DW_TAG_pointer_type && !v->pointer_depth)
			v->type_size = 8;
		char *name = NULL;
		bool has_name = dwarf_diename(t, &name, &e) == DW_DLV_OK;
		if (!has_name) {
			dwarf_dealloc_error(dbg, e);
			e = NULL;
		}
		const char *prefix = tag == DW_TAG_structure_type ? "struct "
				     : tag == DW_TAG_union_type	  ? "union "
				     : tag == DW_TAG_enumeration_type ? "enum "
								      : "";
		bool is_named_kind = tag == DW_TAG_base_type ||
				     tag == DW_TAG_typedef ||
				     tag == DW_TAG_structure_type ||
				     tag == DW_TAG_union_type ||
				     tag == DW_TAG_enumeration_type;
		if (is_named_kind) {
			if (has_name)
				snprintf(v->type_name, sizeof(v->type_name),
					 "%s%s", prefix, name);
			else if (v->pointer_depth)
				snprintf(v->type_name, sizeof(v->type_name),
					 "void");
			if (has_name)
				dwarf_dealloc(dbg, name, DW_DLA_STRING);
			break;
		}
		if (has_name)
			dwarf_dealloc(dbg, name, DW_DLA_STRING);
		if (tag == DW_TAG_pointer_type) {
			v->pointer_depth++;
		} else if (tag != DW_TAG_const_type &&
			   tag != DW_TAG_volatile_type &&
			   tag != DW_TAG_restrict_type &&
			   tag != DW_TAG_atomic_type) {
			// An array, a function: untyped, or void * if
			// pointed to.
			if (v->pointer_depth)
				snprintf(v->type_name, sizeof(v->type_name),
					 "void");
			break;
		}
		Dwarf_Die next = NULL;
		if (dwarf_attr(t, DW_AT_type, &attr, &e) != DW_DLV_OK) {
			// No target: void.
			dwarf_dealloc_error(dbg, e);
			e = NULL;
			if (v->pointer_depth)
				snprintf(v->type_name, sizeof(v->type_name),
					 "void");
			break;
		}
		ok = dwarf_global_formref(attr, &off, &e) == DW_DLV_OK &&
		     dwarf_offdie_b(dbg, off, true, &next, &e) == DW_DLV_OK;
		dwarf_dealloc_attribute(attr);
		if (!ok) {
			dwarf_dealloc_error(dbg, e);
			break;
		}
		dwarf_dealloc_die(t);
		t = next;
	}
	if (t)
		dwarf_dealloc_die(t);
}

static void variable(struct eval *ev, Dwarf_Die die, bool is_parameter,
		     const char *function, size_t scope,
		     void (*fn)(void *arg,
				const struct vmca_debuginfo_variable *v),
		     void *arg)
{
	Dwarf_Debug dbg = ev->scope->dbg;
	struct vmca_debuginfo_variable v;
	memset(&v, 0, sizeof(v));
	ev->v = &v;
	if (!vmca_debuginfo_die_name(ev->scope, die, v.name, sizeof(v.name)))
		return; // an artificial or anonymous parameter
	v.is_parameter = is_parameter;
	v.function = function;
	v.scope = scope;
	describe_type(dbg, die, &v);
	Dwarf_Attribute attr;
	Dwarf_Error e = NULL;
	if (dwarf_attr(die, DW_AT_location, &attr, &e) == DW_DLV_OK) {
		locate(ev, attr, v.type_size);
		dwarf_dealloc_attribute(attr);
	} else if (dwarf_dealloc_error(dbg, e), e = NULL,
		   dwarf_attr(die, DW_AT_const_value, &attr, &e) == DW_DLV_OK) {
		Dwarf_Unsigned u;
		Dwarf_Signed sv;
		if (dwarf_formudata(attr, &u, &e) == DW_DLV_OK) {
			add_bytes(&v, &u,
				  v.type_size && v.type_size < 8
					  ? (size_t)v.type_size
					  : 8);
			v.loc = VMCA_LOC_BYTES;
		} else if (dwarf_dealloc_error(dbg, e), e = NULL,
			   dwarf_formsdata(attr, &sv, &e) == DW_DLV_OK) {
			add_bytes(&v, &sv,
				  v.type_size && v.type_size < 8
					  ? (size_t)v.type_size
					  : 8);
			v.loc = VMCA_LOC_BYTES;
		} else {
			dwarf_dealloc_error(dbg, e);
			set_unknown(&v, VMCA_LOC_UNSUPPORTED,
				    "a constant vmca does not read");
		}
		dwarf_dealloc_attribute(attr);
	} else {
		dwarf_dealloc_error(dbg, e);
		set_unknown(&v, VMCA_LOC_OPTIMIZED_OUT, "optimized out");
	}
	fn(arg, &v);
}

// The variables of one scope's DIE and of its lexical blocks holding the
// address (not those of inlined calls: they are scopes of their own).
static void scope_variables(struct eval *ev, Dwarf_Die scope_die,
			    const char *function, size_t scope, int depth,
			    void (*fn)(void *arg,
				       const struct vmca_debuginfo_variable *v),
			    void *arg)
{
	Dwarf_Debug dbg = ev->scope->dbg;
	if (depth > 64)
		return;
	Dwarf_Error e = NULL;
	Dwarf_Die child = NULL;
	int rc = dwarf_child(scope_die, &child, &e);
	if (rc == DW_DLV_ERROR)
		dwarf_dealloc_error(dbg, e);
	unsigned visits = 0;
	while (rc == DW_DLV_OK && child && ++visits < (1u << 16)) {
		Dwarf_Half tag = 0;
		if (dwarf_tag(child, &tag, &e) != DW_DLV_OK) {
			dwarf_dealloc_error(dbg, e);
			e = NULL;
		}
		if (tag == DW_TAG_formal_parameter || tag == DW_TAG_variable)
			variable(ev, child, tag == DW_TAG_formal_parameter,
				 function, scope, fn, arg);
		else if (tag == DW_TAG_lexical_block &&
			 vmca_debuginfo_scope_holds(ev->scope, child))
			scope_variables(ev, child, function, scope, depth + 1,
					fn, arg);
		Dwarf_Die next = NULL;
		rc = dwarf_siblingof_b(dbg, child, true, &next, &e);
		if (rc == DW_DLV_ERROR)
			dwarf_dealloc_error(dbg, e);
		dwarf_dealloc_die(child);
		child = next;
	}
	if (rc == DW_DLV_OK && child)
		dwarf_dealloc_die(child);
}

struct vmca_error *vmca_debuginfo_frame_variables(
	struct vmca_debuginfo *di, uint64_t address,
	const struct vmca_debuginfo_frame_access *acc,
	void (*fn)(void *arg, const struct vmca_debuginfo_variable *v),
	void *arg)
{
	struct lookup_scope *scope;
	struct vmca_error *err =
		vmca_debuginfo_scope_open(di, address, true, &scope);
	if (err)
		return err;
	struct eval ev = {.scope = scope, .acc = acc};
	if (!scope->nr_chain) {
		vmca_debuginfo_scope_close(scope);
		return vmca_error_create(VMCA_ERROR_NOT_FOUND,
					 "no function in DWARF at %#" PRIx64,
					 address);
	}
	// The frame base of the function compiled on its own (the chain's
	// first): DW_AT_frame_base, DW_OP_call_frame_cfa with GCC.
	Dwarf_Attribute attr;
	Dwarf_Error e = NULL;
	if (dwarf_attr(scope->chain[0], DW_AT_frame_base, &attr, &e) ==
	    DW_DLV_OK) {
		struct vmca_debuginfo_variable fb;
		memset(&fb, 0, sizeof(fb));
		ev.v = &fb;
		locate(&ev, attr, 8);
		dwarf_dealloc_attribute(attr);
		if (fb.loc == VMCA_LOC_ADDRESS) {
			ev.frame_base = fb.address;
			ev.has_frame_base = true;
		} else if (fb.loc == VMCA_LOC_BYTES && fb.nr_bytes == 8) {
			memcpy(&ev.frame_base, fb.bytes, 8);
			ev.has_frame_base = true;
		}
	} else {
		dwarf_dealloc_error(scope->dbg, e);
	}
	// Innermost scope first, as the frames are listed.
	for (size_t i = scope->nr_chain; i-- > 0;) {
		char name[512] = "";
		vmca_debuginfo_die_name(scope, scope->chain[i], name,
					sizeof(name));
		scope_variables(&ev, scope->chain[i], name,
				scope->nr_chain - 1 - i, 0, fn, arg);
	}
	vmca_debuginfo_scope_close(scope);
	return NULL;
}

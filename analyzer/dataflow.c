// SPDX-License-Identifier: MIT
/** @file Data flow in a function's code: where a register's value came from. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataflow.h"
#include "disasm.h"
#include "vmca.h"
#include "util/cleanup.h"
#include "util/text.h"

// A function larger than this is not read (the kernel's largest are
// ~40 kB); loads followed back at most this deep.
#define MAX_FUNCTION_BYTES (256 * 1024)
#define MAX_DEPTH	   8

/** A function's code, decoded, with each instruction's predecessors. */
struct code {
	struct vmca_session *s;
	const struct vmca_stack_trace *t;
	size_t frame;
	uint64_t start;
	struct vmca_insn *insns;
	size_t nr;
	/** preds[pred_at[k]..pred_at[k + 1]): who runs right before k. */
	size_t *pred_at;
	size_t *preds;
	/** The frame's own instruction. */
	size_t pc_index;
	char function[128];
	/** An indirect jump, or a jump into the middle of an instruction. */
	bool has_unknown_flow;
	char unknown_flow[96];
};

static void code_deinit(struct code *c)
{
	free(c->insns);
	free(c->pred_at);
	free(c->preds);
}

static ssize_t insn_index(const struct code *c, uint64_t address)
{
	size_t lo = 0, hi = c->nr;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (c->insns[mid].address < address)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < c->nr && c->insns[lo].address == address ? (ssize_t)lo : -1;
}

// Decode [start, start + size) into c->insns (appended).
static struct vmca_error *decode_range(struct code *c, struct vmca_disasm *d,
				       uint64_t start, uint64_t size)
{
	_cleanup_free_ uint8_t *bytes = malloc(size ? size : 1);
	if (!bytes)
		return &vmca_enomem;
	struct vmca_error *err = vmca_read(c->s, start, bytes, size);
	if (err)
		return err;
	for (uint64_t off = 0; off < size;) {
		struct vmca_insn insn;
		err = vmca_disasm_one(d, start + off, bytes + off, size - off,
				      &insn);
		if (err) {
			// Not code (a gap vmca cannot decode): what follows
			// starts a path of its own.
			vmca_error_destroy(err);
			off++;
			continue;
		}
		struct vmca_insn *grown =
			realloc(c->insns, (c->nr + 1) * sizeof(*grown));
		if (!grown)
			return &vmca_enomem;
		c->insns = grown;
		c->insns[c->nr++] = insn;
		off += insn.size;
	}
	return NULL;
}

static bool falls_through(const struct vmca_insn *i)
{
	return !i->is_return && !i->is_trap &&
	       !(i->is_jump && !i->is_conditional);
}

static struct vmca_error *code_init(struct code *c, struct vmca_session *s,
				    const struct vmca_stack_trace *t,
				    size_t frame, uint64_t pc)
{
	memset(c, 0, sizeof(*c));
	c->s = s;
	c->t = t;
	c->frame = frame;
	struct vmca_symbol fn;
	struct vmca_error *err = vmca_function_lookup(s, pc, &fn);
	if (err)
		return err;
	if (!fn.size || fn.size > MAX_FUNCTION_BYTES)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "%s: a function of %" PRIu64
					 " bytes is not analyzed",
					 fn.name, fn.size);
	c->start = fn.address;
	vmca_strf(c->function, sizeof(c->function), "%s", fn.name);
	struct vmca_disasm *d;
	err = vmca_disasm_create(vmca_session_machine(s), false, &d);
	if (err)
		return err;
	err = decode_range(c, d, fn.address, fn.size);
	// GCC moves a function's cold paths to NAME.cold, which jumps back
	// into it: its jumps are predecessors too.
	char cold_name[256];
	struct vmca_symbol cold;
	uint64_t cold_address;
	if (!err &&
	    snprintf(cold_name, sizeof(cold_name), "%s.cold", fn.name) <
		    (int)sizeof(cold_name) &&
	    vmca_error_consume(
		    vmca_symbol_address(s, cold_name, &cold_address)) &&
	    vmca_error_consume(vmca_function_lookup(s, cold_address, &cold)) &&
	    cold.size && cold.size <= MAX_FUNCTION_BYTES &&
	    (cold.address >= fn.address + fn.size ||
	     cold.address + cold.size <= fn.address)) {
		size_t before = c->nr;
		err = decode_range(c, d, cold.address, cold.size);
		// Keep the instructions sorted by address.
		if (!err && cold.address < fn.address) {
			size_t n_cold = c->nr - before;
			struct vmca_insn *sorted =
				malloc(c->nr * sizeof(*sorted));
			if (!sorted) {
				err = &vmca_enomem;
			} else {
				memcpy(sorted, c->insns + before,
				       n_cold * sizeof(*sorted));
				memcpy(sorted + n_cold, c->insns,
				       before * sizeof(*sorted));
				free(c->insns);
				c->insns = sorted;
			}
		}
	}
	vmca_disasm_destroy(d);
	if (err)
		return err;

	// Predecessors: the instruction before (if it falls through) and
	// every jump to it, counted, then placed.
	c->pred_at = calloc(c->nr + 1, sizeof(*c->pred_at));
	size_t *count = calloc(c->nr + 1, sizeof(*count));
	if (!c->pred_at || !count) {
		free(count);
		return &vmca_enomem;
	}
	size_t total = 0;
	for (int pass = 0; pass < 2; pass++) {
		for (size_t k = 0; k < c->nr; k++) {
			const struct vmca_insn *i = &c->insns[k];
			size_t to[2];
			size_t n = 0;
			if (k + 1 < c->nr && falls_through(i) &&
			    c->insns[k + 1].address == i->address + i->size)
				to[n++] = k + 1;
			if (i->is_jump && i->has_target) {
				ssize_t j = insn_index(c, i->target);
				if (j >= 0) {
					to[n++] = (size_t)j;
				} else if ((i->target >= fn.address &&
					    i->target < fn.address + fn.size)) {
					c->has_unknown_flow = true;
					vmca_strf(c->unknown_flow,
						  sizeof(c->unknown_flow),
						  "a jump at %#" PRIx64
						  " into the middle of an "
						  "instruction",
						  i->address);
				}
			} else if (i->is_jump && pass == 0) {
				c->has_unknown_flow = true;
				vmca_strf(c->unknown_flow,
					  sizeof(c->unknown_flow),
					  "an indirect jump at %#" PRIx64,
					  i->address);
			}
			for (size_t m = 0; m < n; m++) {
				if (pass == 0)
					count[to[m]]++;
				else
					c->preds[c->pred_at[to[m]] +
						 count[to[m]]++] = k;
			}
		}
		if (pass == 0) {
			for (size_t k = 0; k < c->nr; k++) {
				c->pred_at[k] = total;
				total += count[k];
			}
			c->pred_at[c->nr] = total;
			c->preds = malloc((total ? total : 1) * sizeof(size_t));
			if (!c->preds) {
				free(count);
				return &vmca_enomem;
			}
			memset(count, 0, (c->nr + 1) * sizeof(*count));
		}
	}
	free(count);
	return NULL;
}

static bool clobbered_by_call(enum vmca_reg r)
{
	switch (r) {
	case VMCA_REG_RAX:
	case VMCA_REG_RCX:
	case VMCA_REG_RDX:
	case VMCA_REG_RSI:
	case VMCA_REG_RDI:
	case VMCA_REG_R8:
	case VMCA_REG_R9:
	case VMCA_REG_R10:
	case VMCA_REG_R11:
		return true;
	default:
		return false;
	}
}

static bool writes(const struct vmca_insn *i, enum vmca_reg r)
{
	return (i->regs_written >> r & 1) ||
	       (i->is_call && clobbered_by_call(r));
}

enum { DEF_NONE = -1, DEF_ENTRY = -2, DEF_CONFLICT = -3 };

/*
 * The instruction whose write of r reaches instruction k on every path
 * that leads to k (DEF_ENTRY: r comes in with the function's entry on all
 * of them); DEF_CONFLICT if paths disagree, DEF_NONE if k is reached by
 * no path from the entry vmca sees.
 */
static ssize_t reaching_def(const struct code *c, size_t k, enum vmca_reg r)
{
	_cleanup_free_ uint8_t *seen = calloc(c->nr, 1);
	_cleanup_free_ size_t *stack = malloc(c->nr * sizeof(size_t));
	if (!seen || !stack)
		return DEF_CONFLICT;
	size_t sp = 0;
	ssize_t found = DEF_NONE;
	// Paths start at k's predecessors; k itself has not run yet.
	for (size_t p = c->pred_at[k]; p < c->pred_at[k + 1]; p++) {
		if (!seen[c->preds[p]]) {
			seen[c->preds[p]] = 1;
			stack[sp++] = c->preds[p];
		}
	}
	bool is_entry = c->insns[k].address == c->start;
	while (sp || is_entry) {
		ssize_t def;
		if (is_entry) {
			def = DEF_ENTRY;
			is_entry = false;
		} else {
			size_t q = stack[--sp];
			if (writes(&c->insns[q], r)) {
				def = (ssize_t)q;
			} else {
				if (c->insns[q].address == c->start)
					is_entry = true;
				for (size_t p = c->pred_at[q];
				     p < c->pred_at[q + 1]; p++) {
					size_t pq = c->preds[p];
					if (!seen[pq]) {
						seen[pq] = 1;
						stack[sp++] = pq;
					}
				}
				continue;
			}
		}
		if (found == DEF_NONE)
			found = def;
		else if (found != def)
			return DEF_CONFLICT;
	}
	return found;
}

/* DWARF: a variable located in the register at an address. */

struct find_var {
	enum vmca_reg reg;
	/** How useful the best match's type is (0: none yet). */
	int score;
	struct vmca_origin *o;
};

// A pointer to a struct or union tells members (3), another typed value
// less (2), void * or no type least (1): "oc" over "arg" when both are in
// the register (struct oom_control *oc = arg).
static int type_score(struct vmca_session *s,
		      const struct vmca_frame_variable *v)
{
	if (!v->type_name[0])
		return 1;
	struct vmca_type t;
	vmca_type_info(s, vmca_type_unqualified(s, v->value.type), &t);
	if (t.kind != VMCA_TYPE_POINTER)
		return 2;
	struct vmca_type target;
	vmca_type_info(s, vmca_type_unqualified(s, t.target), &target);
	if (target.kind == VMCA_TYPE_STRUCT || target.kind == VMCA_TYPE_UNION)
		return 3;
	return target.kind == VMCA_TYPE_VOID ? 1 : 2;
}

static void match_var(struct vmca_session *s,
		      const struct vmca_frame_variable *v, void *arg)
{
	struct find_var *f = arg;
	if (!v->in_register || v->reg != f->reg)
		return;
	int score = type_score(s, v);
	if (score <= f->score)
		return;
	f->score = score;
	struct vmca_origin *o = f->o;
	memset(o, 0, sizeof(*o));
	vmca_strf(o->expression, sizeof(o->expression), "%s", v->name);
	vmca_strf(o->root, sizeof(o->root), "%s", v->name);
	vmca_strf(o->root_function, sizeof(o->root_function), "%s",
		  v->function ? v->function : "");
	o->root_is_parameter = v->is_parameter;
	if (v->type_name[0]) {
		o->has_type = o->has_root_type = true;
		o->type = o->root_type = v->value.type;
	}
	uint64_t value;
	if (v->value.kind != VMCA_VALUE_ABSENT &&
	    vmca_error_consume(vmca_value_u64(s, &v->value, &value))) {
		o->has_root_value = true;
		o->root_value = value;
	}
}

static bool variable_in(const struct code *c, uint64_t address,
			enum vmca_reg reg, struct vmca_origin *o)
{
	struct vmca_origin found = {0};
	struct find_var f = {.reg = reg, .o = &found};
	if (!vmca_error_consume(vmca_frame_variables_at(
		    c->s, c->t, c->frame, address, match_var, &f)) ||
	    !f.score)
		return false;
	*o = found;
	return true;
}

bool vmca_member_at_offset(struct vmca_session *s, uint32_t id, uint64_t offset,
			   uint64_t size, char *path, size_t path_size,
			   uint32_t *type_ret)
{
	for (int depth = 0; depth < 16; depth++) {
		id = vmca_type_unqualified(s, id);
		struct vmca_type t;
		vmca_type_info(s, id, &t);
		if (t.kind == VMCA_TYPE_ARRAY) {
			uint64_t esize = vmca_type_sizeof(s, t.target);
			if (!esize ||
			    (t.array_len && offset / esize >= t.array_len))
				return false;
			size_t len = strlen(path);
			vmca_strf(path + len, path_size - len, "[%" PRIu64 "]",
				  offset / esize);
			offset %= esize;
			id = t.target;
			if (offset == 0 && size >= esize) {
				*type_ret = id;
				return true;
			}
			continue;
		}
		if (t.kind != VMCA_TYPE_STRUCT && t.kind != VMCA_TYPE_UNION)
			return false;
		bool found = false;
		for (uint32_t m = 0; m < t.count && !found; m++) {
			struct vmca_member mem;
			vmca_type_member_at(s, id, m, &mem);
			if (mem.bit_size)
				continue; // bitfields hold no pointers
			uint64_t at = mem.bit_offset / 8;
			uint64_t msize = vmca_type_sizeof(s, mem.type);
			if (offset < at || offset + size > at + msize)
				continue;
			found = true;
			size_t len = strlen(path);
			// An anonymous member adds no name.
			if (mem.name)
				vmca_strf(path + len, path_size - len, "%s%s",
					  len ? "." : "", mem.name);
			offset -= at;
			id = mem.type;
			struct vmca_type mt;
			vmca_type_info(s, vmca_type_unqualified(s, id), &mt);
			bool is_aggregate = mt.kind == VMCA_TYPE_STRUCT ||
					    mt.kind == VMCA_TYPE_UNION ||
					    mt.kind == VMCA_TYPE_ARRAY;
			if (mem.name &&
			    (!is_aggregate || (offset == 0 && size >= msize))) {
				*type_ret = id;
				return true;
			}
		}
		if (!found)
			return false;
	}
	return false;
}

void vmca_member_label(struct vmca_session *s, uint32_t id, const char *path,
		       char *buf, size_t size)
{
	char name[200];
	vmca_type_name(s, vmca_type_unqualified(s, id), NULL, name,
		       sizeof(name));
	const char *bare = name;
	if (strncmp(name, "struct ", 7) == 0)
		bare += 7;
	else if (strncmp(name, "union ", 6) == 0)
		bare += 6;
	vmca_strf(buf, size, "%s.%s", bare, path);
}

bool vmca_origin_member(struct vmca_session *s, const struct vmca_origin *o,
			int64_t disp, uint64_t size, char *path,
			size_t path_size, uint32_t *struct_ret,
			uint32_t *type_ret)
{
	struct vmca_type pt;
	if (!o->has_type || disp < 0)
		return false;
	vmca_type_info(s, vmca_type_unqualified(s, o->type), &pt);
	if (pt.kind != VMCA_TYPE_POINTER ||
	    !vmca_member_at_offset(s, pt.target, (uint64_t)disp,
				   size ? size : 1, path, path_size, type_ret))
		return false;
	*struct_ret = pt.target;
	return true;
}

// o's expression, read at o + disp: "o->member" through o's type.
static void load_member(struct vmca_session *s, const struct vmca_origin *o,
			int64_t disp, unsigned size, bool is_address,
			struct vmca_origin *ret)
{
	*ret = *o;
	ret->depth = o->depth + 1;
	ret->has_type = false;
	char path[200] = "";
	uint32_t target, mtype;
	if (vmca_origin_member(s, o, disp, size, path, sizeof(path), &target,
			       &mtype)) {
		vmca_strf(ret->expression, sizeof(ret->expression), "%s%s->%s",
			  is_address ? "&" : "", o->expression, path);
		vmca_member_label(s, target, path, ret->member,
				  sizeof(ret->member));
		if (!is_address) {
			ret->has_type = true;
			ret->type = mtype;
		} else if (vmca_error_consume(vmca_type_pointer_to(
				   s, mtype, &ret->type))) {
			ret->has_type = true;
		}
		return;
	}
	if (is_address)
		vmca_strf(ret->expression, sizeof(ret->expression),
			  "(void *)%s %c %#" PRIx64, o->expression,
			  disp < 0 ? '-' : '+',
			  disp < 0 ? -(uint64_t)disp : (uint64_t)disp);
	else
		vmca_strf(ret->expression, sizeof(ret->expression),
			  "*(u%u *)((void *)%s %c %#" PRIx64 ")", size * 8,
			  o->expression, disp < 0 ? '-' : '+',
			  disp < 0 ? -(uint64_t)disp : (uint64_t)disp);
}

static void origin_at(const struct code *c, size_t k, enum vmca_reg reg,
		      unsigned depth, struct vmca_origin *ret);

/*
 * A variable found in reg at instruction k was evaluated with the frame's
 * registers: its value is right only if reg holds at the frame's PC what
 * it held at k (the same write reaches both).
 */
static void keep_value_if_live(const struct code *c, size_t k,
			       enum vmca_reg reg, struct vmca_origin *o)
{
	if (k == c->pc_index)
		return;
	ssize_t here = reaching_def(c, k, reg);
	ssize_t there = reaching_def(c, c->pc_index, reg);
	if (here != there || here == DEF_CONFLICT || here == DEF_NONE)
		o->has_root_value = false;
}

// The global (or per-CPU variable, for a %gs: operand) at address, read.
static bool global_at(const struct code *c, uint64_t address, unsigned size,
		      bool is_address, bool is_percpu, struct vmca_origin *ret)
{
	struct vmca_symbol sym;
	if (!vmca_error_consume(vmca_symbol_lookup(c->s, address, &sym)))
		return false;
	struct vmca_variable var;
	struct vmca_origin g = {0};
	vmca_strf(g.root, sizeof(g.root), "%s", sym.name);
	bool has_var = vmca_error_consume(vmca_variable(c->s, sym.name, &var));
	uint64_t off = address - sym.address;
	vmca_strf(g.expression, sizeof(g.expression), "%s%s",
		  is_percpu ? "this_cpu:" : "", sym.name);
	if (has_var) {
		g.has_type = g.has_root_type = true;
		g.type = g.root_type = var.type;
	}
	// Reading the global itself, or a member of it.
	char path[200] = "";
	uint32_t mtype = 0;
	if (has_var && off &&
	    !vmca_member_at_offset(c->s, var.type, off, size ? size : 1, path,
				   sizeof(path), &mtype))
		return false;
	if (!has_var && off)
		return false;
	*ret = g;
	if (off) {
		vmca_strf(ret->expression, sizeof(ret->expression), "%s%s.%s",
			  is_percpu ? "this_cpu:" : "", sym.name, path);
		ret->type = mtype;
	}
	if (is_address) {
		char e[sizeof(ret->expression)];
		vmca_strf(e, sizeof(e), "&%s", ret->expression);
		vmca_strf(ret->expression, sizeof(ret->expression), "%s", e);
		ret->has_type = ret->has_type &&
				vmca_error_consume(vmca_type_pointer_to(
					c->s, ret->type, &ret->type));
	}
	// The kernel's own name for its per-CPU current task.
	if (is_percpu && !is_address &&
	    (strcmp(ret->expression, "this_cpu:current_task") == 0 ||
	     strcmp(ret->expression, "this_cpu:pcpu_hot.current_task") == 0))
		vmca_strf(ret->expression, sizeof(ret->expression), "current");
	return true;
}

// What instruction d wrote to reg, as an origin.
static void interpret_def(const struct code *c, size_t d, enum vmca_reg reg,
			  unsigned depth, struct vmca_origin *ret)
{
	const struct vmca_insn *i = &c->insns[d];
	ret->defined_at = i->address;
	const struct vmca_operand *dst = NULL, *src = NULL;
	for (size_t o = 0; o < i->nr_ops; o++) {
		const struct vmca_operand *op = &i->ops[o];
		if (!dst && op->is_written && op->kind == VMCA_OPERAND_REG &&
		    op->reg == reg)
			dst = op;
		else if (!src && op->is_read)
			src = op;
	}
	bool partial = i->regs_partly_written >> reg & 1;
	if (i->is_call) {
		struct vmca_symbol sym;
		if (reg == VMCA_REG_RAX && i->has_target &&
		    vmca_error_consume(
			    vmca_symbol_lookup(c->s, i->target, &sym))) {
			vmca_strf(ret->expression, sizeof(ret->expression),
				  "%s()", sym.name);
			vmca_strf(ret->note, sizeof(ret->note),
				  "the value %s() returned", sym.name);
		} else {
			vmca_strf(ret->note, sizeof(ret->note),
				  "%s set by the call at %#" PRIx64,
				  vmca_reg_names[reg], i->address);
		}
		return;
	}
	if (dst && !partial && i->op == VMCA_INSN_XOR && i->nr_ops == 2 &&
	    i->ops[0].kind == VMCA_OPERAND_REG &&
	    i->ops[1].kind == VMCA_OPERAND_REG &&
	    i->ops[0].reg == i->ops[1].reg) {
		vmca_strf(ret->expression, sizeof(ret->expression), "0");
		return;
	}
	bool is_move = i->op == VMCA_INSN_MOV || i->op == VMCA_INSN_MOVX;
	if (dst && src && !partial && (is_move || i->op == VMCA_INSN_LEA) &&
	    i->nr_ops == 2 && depth < MAX_DEPTH) {
		bool is_lea = i->op == VMCA_INSN_LEA;
		if (src->kind == VMCA_OPERAND_IMM && !is_lea) {
			vmca_strf(ret->expression, sizeof(ret->expression),
				  src->imm ? "%#" PRIx64 : "0",
				  (uint64_t)src->imm);
			return;
		}
		if (src->kind == VMCA_OPERAND_REG && !is_lea &&
		    src->reg != VMCA_REG_NR && src->size == 8) {
			origin_at(c, d, src->reg, depth + 1, ret);
			if (!ret->defined_at)
				ret->defined_at = i->address;
			return;
		}
		if (src->kind == VMCA_OPERAND_MEM &&
		    src->index == VMCA_REG_NR) {
			if (src->base == VMCA_REG_RIP ||
			    src->base == VMCA_REG_NR) {
				uint64_t a =
					src->base == VMCA_REG_RIP
						? i->address + i->size +
							  (uint64_t)src->disp
						: (uint64_t)src->disp;
				if (!src->has_segment ||
				    src->base == VMCA_REG_NR) {
					if (global_at(c, a, src->size, is_lea,
						      src->has_segment, ret)) {
						ret->depth = 1;
						ret->defined_at = i->address;
						return;
					}
				}
			} else if (!src->has_segment) {
				struct vmca_origin base = {0};
				origin_at(c, d, src->base, depth + 1, &base);
				if (base.expression[0]) {
					load_member(c->s, &base, src->disp,
						    src->size, is_lea, ret);
					ret->defined_at = i->address;
					return;
				}
				*ret = base;
				ret->defined_at = i->address;
				return;
			}
		}
	}
	vmca_strf(ret->note, sizeof(ret->note),
		  "%s computed by \"%s %s\" at %#" PRIx64, vmca_reg_names[reg],
		  i->mnemonic, i->operands, i->address);
}

static void origin_at(const struct code *c, size_t k, enum vmca_reg reg,
		      unsigned depth, struct vmca_origin *ret)
{
	memset(ret, 0, sizeof(*ret));
	uint64_t at = c->insns[k].address;
	// Below the first question, a variable DWARF names is the answer.
	if (depth > 0 && variable_in(c, at, reg, ret)) {
		keep_value_if_live(c, k, reg, ret);
		return;
	}
	if (c->has_unknown_flow) {
		vmca_strf(ret->note, sizeof(ret->note), "%s", c->unknown_flow);
		return;
	}
	ssize_t d = reaching_def(c, k, reg);
	if (d == DEF_ENTRY) {
		if (variable_in(c, c->start, reg, ret)) {
			keep_value_if_live(c, k, reg, ret);
			return;
		}
		// The calling convention names what DWARF does not.
		static const enum vmca_reg args[] = {
			VMCA_REG_RDI, VMCA_REG_RSI, VMCA_REG_RDX,
			VMCA_REG_RCX, VMCA_REG_R8,  VMCA_REG_R9,
		};
		for (unsigned a = 0; a < sizeof(args) / sizeof(args[0]); a++) {
			if (args[a] != reg)
				continue;
			vmca_strf(ret->expression, sizeof(ret->expression),
				  "arg%u", a + 1);
			vmca_strf(ret->root, sizeof(ret->root), "arg%u", a + 1);
			vmca_strf(ret->root_function,
				  sizeof(ret->root_function), "%s",
				  c->function);
			ret->root_is_parameter = true;
			vmca_strf(ret->note, sizeof(ret->note),
				  "arg%u: the function's argument %u (%%%s), "
				  "which "
				  "DWARF does not name (no debuginfo for the "
				  "code?)",
				  a + 1, a + 1, vmca_reg_names[reg]);
			return;
		}
		vmca_strf(
			ret->note, sizeof(ret->note),
			"%s as the function was entered, which DWARF does not "
			"name",
			vmca_reg_names[reg]);
		return;
	}
	if (d == DEF_CONFLICT) {
		vmca_strf(ret->note, sizeof(ret->note),
			  "%s comes from different instructions on the paths "
			  "to %#" PRIx64,
			  vmca_reg_names[reg], at);
		return;
	}
	if (d == DEF_NONE) {
		vmca_strf(ret->note, sizeof(ret->note),
			  "no path of the function's code reaches %#" PRIx64,
			  at);
		return;
	}
	interpret_def(c, (size_t)d, reg, depth, ret);
}

struct vmca_error *vmca_register_origin(struct vmca_session *s,
					const struct vmca_stack_trace *t,
					size_t i, uint64_t pc,
					enum vmca_reg reg,
					struct vmca_origin *ret)
{
	memset(ret, 0, sizeof(*ret));
	if (i >= t->nr_frames || reg >= VMCA_REG_NR)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "no frame #%zu or register", i);
	struct code c;
	struct vmca_error *err = code_init(&c, s, t, i, pc);
	if (err) {
		code_deinit(&c);
		return err;
	}
	ssize_t k = insn_index(&c, pc);
	if (k < 0) {
		code_deinit(&c);
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "%#" PRIx64 " is not an instruction "
					 "of its function's code",
					 pc);
	}
	c.pc_index = (size_t)k;
	origin_at(&c, (size_t)k, reg, 0, ret);
	// Nothing from the code: what DWARF says is in the register.
	struct vmca_origin dwarf;
	if (!ret->expression[0] && variable_in(&c, pc, reg, &dwarf)) {
		char note[sizeof(ret->note)];
		memcpy(note, ret->note, sizeof(note));
		*ret = dwarf;
		memcpy(ret->note, note, sizeof(note));
	}
	code_deinit(&c);
	return NULL;
}

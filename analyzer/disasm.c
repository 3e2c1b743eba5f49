// SPDX-License-Identifier: MIT
/** @file Disassembly through capstone: the one file that includes it. */
#include <dlfcn.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <capstone/capstone.h>

#include "disasm.h"

struct vmca_disasm {
	csh handle;
	cs_insn *insn;
};

/*
 * Capstone is loaded on the first disassembly, not at start: its tables
 * take ~3 MB of relocated data (1.4 MB of it private to the process) that
 * every command paid for at startup, and only dis and panic disassemble.
 * The build names the library it was compiled against
 * (VMCA_CAPSTONE_LIBRARY); these are the few functions vmca calls.
 */
static struct {
	__typeof__(cs_open) *open;
	__typeof__(cs_option) *option;
	__typeof__(cs_malloc) *malloc;
	__typeof__(cs_free) *free;
	__typeof__(cs_close) *close;
	__typeof__(cs_disasm_iter) *disasm_iter;
	/** Why it could not be loaded; empty once loaded. */
	char error[512];
} capstone;

static pthread_once_t capstone_once = PTHREAD_ONCE_INIT;

static void capstone_load(void)
{
	void *h = dlopen(VMCA_CAPSTONE_LIBRARY, RTLD_NOW | RTLD_LOCAL);
	const char *missing = NULL;
	if (h) {
#define LOAD(field, name)                                    \
	if (!missing && !(capstone.field = dlsym(h, #name))) \
		missing = #name;
		LOAD(open, cs_open)
		LOAD(option, cs_option)
		LOAD(malloc, cs_malloc)
		LOAD(free, cs_free)
		LOAD(close, cs_close)
		LOAD(disasm_iter, cs_disasm_iter)
#undef LOAD
		if (!missing)
			return;
	}
	const char *why = h ? missing : dlerror();
	snprintf(capstone.error, sizeof(capstone.error),
		 "capstone: cannot load %s: %s", VMCA_CAPSTONE_LIBRARY,
		 why ? why : "unknown error");
}

struct vmca_error *vmca_disasm_create(const char *machine, bool is_intel,
				      struct vmca_disasm **ret)
{
	if (strcmp(machine, "x86_64") != 0)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "disassembling %s code is not "
					 "supported",
					 machine[0] ? machine : "unknown");
	pthread_once(&capstone_once, capstone_load);
	if (capstone.error[0])
		return vmca_error_create(VMCA_ERROR_OTHER, "%s",
					 capstone.error);
	struct vmca_disasm *d = calloc(1, sizeof(*d));
	if (!d)
		return &vmca_enomem;
	if (capstone.open(CS_ARCH_X86, CS_MODE_64, &d->handle) != CS_ERR_OK) {
		free(d);
		return vmca_error_create(VMCA_ERROR_OTHER,
					 "capstone: cannot open x86_64");
	}
	capstone.option(d->handle, CS_OPT_SYNTAX,
			is_intel ? CS_OPT_SYNTAX_INTEL : CS_OPT_SYNTAX_ATT);
	capstone.option(d->handle, CS_OPT_DETAIL, CS_OPT_ON);
	// Immediates as the unsigned values they are (objdump's way):
	// $0xffffffff82a1b2c3, not $-0x7d5e4d3d.
	capstone.option(d->handle, CS_OPT_UNSIGNED, CS_OPT_ON);
	d->insn = capstone.malloc(d->handle);
	if (!d->insn) {
		capstone.close(&d->handle);
		free(d);
		return &vmca_enomem;
	}
	*ret = d;
	return NULL;
}

void vmca_disasm_destroy(struct vmca_disasm *d)
{
	if (!d)
		return;
	capstone.free(d->insn, 1);
	capstone.close(&d->handle);
	free(d);
}

/*
 * AMD's SEV instructions that capstone 4.0.2 (Debian 12's) does not know:
 * it rejects pvalidate and the RMP ones, and reads vmgexit (a rep prefix
 * on vmmcall) as vmmcall. Their encodings (AMD64 APM vol. 3), no
 * operands in either syntax.
 */
static const struct {
	uint8_t bytes[4];
	const char *mnemonic;
} sev[] = {
	{{0xf3, 0x0f, 0x01, 0xd9}, "vmgexit"},
	{{0xf2, 0x0f, 0x01, 0xff}, "pvalidate"},
	{{0xf3, 0x0f, 0x01, 0xfe}, "rmpadjust"},
	{{0xf2, 0x0f, 0x01, 0xfe}, "rmpupdate"},
	{{0xf3, 0x0f, 0x01, 0xff}, "psmash"},
};

// The general register a capstone register is (part of); *bits its width.
static enum vmca_reg general_register(unsigned r, int *bits)
{
	static const struct {
		uint16_t reg;
		uint8_t vmca, bits;
	} map[] = {
#define R4(q, d, w, b, v)                                                 \
	{X86_REG_##q, VMCA_REG_##v, 64}, {X86_REG_##d, VMCA_REG_##v, 32}, \
		{X86_REG_##w, VMCA_REG_##v, 16},                          \
		{X86_REG_##b, VMCA_REG_##v, 8}
		R4(RAX, EAX, AX, AL, RAX),
		R4(RBX, EBX, BX, BL, RBX),
		R4(RCX, ECX, CX, CL, RCX),
		R4(RDX, EDX, DX, DL, RDX),
		R4(RSI, ESI, SI, SIL, RSI),
		R4(RDI, EDI, DI, DIL, RDI),
		R4(RBP, EBP, BP, BPL, RBP),
		R4(RSP, ESP, SP, SPL, RSP),
		R4(R8, R8D, R8W, R8B, R8),
		R4(R9, R9D, R9W, R9B, R9),
		R4(R10, R10D, R10W, R10B, R10),
		R4(R11, R11D, R11W, R11B, R11),
		R4(R12, R12D, R12W, R12B, R12),
		R4(R13, R13D, R13W, R13B, R13),
		R4(R14, R14D, R14W, R14B, R14),
		R4(R15, R15D, R15W, R15B, R15),
#undef R4
		{X86_REG_AH, VMCA_REG_RAX, 8},
		{X86_REG_BH, VMCA_REG_RBX, 8},
		{X86_REG_CH, VMCA_REG_RCX, 8},
		{X86_REG_DH, VMCA_REG_RDX, 8},
		{X86_REG_RIP, VMCA_REG_RIP, 64},
		{X86_REG_EFLAGS, VMCA_REG_RFLAGS, 64},
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (map[i].reg == r) {
			*bits = map[i].bits;
			return (enum vmca_reg)map[i].vmca;
		}
	}
	*bits = 0;
	return VMCA_REG_NR;
}

// A write of the register r names: 32-bit writes clear the upper half
// (a whole write), 8 and 16-bit ones keep the rest.
static void note_write(struct vmca_insn *ret, unsigned r)
{
	int bits;
	enum vmca_reg g = general_register(r, &bits);
	if (g == VMCA_REG_NR)
		return;
	ret->regs_written |= UINT64_C(1) << g;
	if (bits < 32)
		ret->regs_partly_written |= UINT64_C(1) << g;
}

static void decode_operands(const cs_insn *i, struct vmca_insn *ret)
{
	const cs_detail *det = i->detail;
	if (!det)
		return;
	for (uint8_t w = 0; w < det->regs_write_count; w++)
		note_write(ret, det->regs_write[w]);
	const cs_x86 *x86 = &det->x86;
	for (uint8_t o = 0; o < x86->op_count; o++) {
		const cs_x86_op *op = &x86->operands[o];
		if (op->access & CS_AC_WRITE && op->type == X86_OP_REG)
			note_write(ret, op->reg);
		if (ret->nr_ops == VMCA_INSN_MAX_OPERANDS)
			continue;
		struct vmca_operand *v = &ret->ops[ret->nr_ops++];
		int bits;
		v->size = op->size;
		v->is_read = op->access & CS_AC_READ;
		v->is_written = op->access & CS_AC_WRITE;
		v->reg = v->base = v->index = VMCA_REG_NR;
		switch (op->type) {
		case X86_OP_REG:
			v->kind = VMCA_OPERAND_REG;
			v->reg = general_register(op->reg, &bits);
			break;
		case X86_OP_IMM:
			v->kind = VMCA_OPERAND_IMM;
			v->imm = op->imm;
			break;
		case X86_OP_MEM:
			v->kind = VMCA_OPERAND_MEM;
			if (op->mem.base != X86_REG_INVALID)
				v->base = general_register(op->mem.base, &bits);
			if (op->mem.index != X86_REG_INVALID)
				v->index =
					general_register(op->mem.index, &bits);
			v->scale = op->mem.scale;
			v->disp = op->mem.disp;
			v->has_segment = op->mem.segment == X86_REG_GS ||
					 op->mem.segment == X86_REG_FS;
			break;
		default:
			ret->nr_ops--;
			break;
		}
	}
	switch (i->id) {
	case X86_INS_MOV:
	case X86_INS_MOVABS:
		ret->op = VMCA_INSN_MOV;
		break;
	case X86_INS_MOVZX:
	case X86_INS_MOVSX:
	case X86_INS_MOVSXD:
		ret->op = VMCA_INSN_MOVX;
		break;
	case X86_INS_LEA:
		ret->op = VMCA_INSN_LEA;
		break;
	case X86_INS_XOR:
		ret->op = VMCA_INSN_XOR;
		break;
	default:
		break;
	}
	switch (i->id) {
	case X86_INS_UD2:
	case X86_INS_INT3:
	case X86_INS_HLT:
		ret->is_trap = true;
		break;
	case X86_INS_JMP:
	case X86_INS_LJMP:
		break;
	default:
		ret->is_conditional = ret->is_jump;
		break;
	}
}

struct vmca_error *vmca_disasm_one(struct vmca_disasm *d, uint64_t address,
				   const uint8_t *code, size_t len,
				   struct vmca_insn *ret)
{
	for (size_t k = 0; len >= 4 && k < sizeof(sev) / sizeof(sev[0]); k++) {
		if (memcmp(code, sev[k].bytes, 4) != 0)
			continue;
		memset(ret, 0, sizeof(*ret));
		ret->address = address;
		ret->size = 4;
		memcpy(ret->bytes, code, 4);
		snprintf(ret->mnemonic, sizeof(ret->mnemonic), "%s",
			 sev[k].mnemonic);
		return NULL;
	}
	const uint8_t *p = code;
	size_t left = len;
	uint64_t at = address;
	if (!capstone.disasm_iter(d->handle, &p, &left, &at, d->insn))
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "no instruction at %#" PRIx64,
					 address);
	const cs_insn *i = d->insn;
	memset(ret, 0, sizeof(*ret));
	ret->address = address;
	ret->size =
		i->size < VMCA_INSN_MAX_BYTES ? i->size : VMCA_INSN_MAX_BYTES;
	memcpy(ret->bytes, i->bytes, ret->size);
	snprintf(ret->mnemonic, sizeof(ret->mnemonic), "%s", i->mnemonic);
	snprintf(ret->operands, sizeof(ret->operands), "%s", i->op_str);
	const cs_detail *det = i->detail;
	for (uint8_t g = 0; det && g < det->groups_count; g++) {
		if (det->groups[g] == CS_GRP_CALL)
			ret->is_call = true;
		else if (det->groups[g] == CS_GRP_JUMP)
			ret->is_jump = true;
		else if (det->groups[g] == CS_GRP_RET)
			ret->is_return = true;
	}
	const cs_x86 *x86 = det ? &det->x86 : NULL;
	for (uint8_t o = 0; x86 && o < x86->op_count; o++) {
		const cs_x86_op *op = &x86->operands[o];
		if (op->type == X86_OP_IMM && (ret->is_call || ret->is_jump)) {
			ret->has_target = true;
			ret->target = (uint64_t)op->imm;
		} else if (op->type == X86_OP_MEM &&
			   op->mem.base == X86_REG_RIP &&
			   op->mem.index == X86_REG_INVALID) {
			ret->has_target = true;
			ret->target =
				address + i->size + (uint64_t)op->mem.disp;
		}
	}
	decode_operands(i, ret);
	return NULL;
}

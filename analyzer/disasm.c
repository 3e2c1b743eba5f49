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
	return NULL;
}

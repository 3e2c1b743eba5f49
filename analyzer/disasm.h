// SPDX-License-Identifier: MIT
/** @file Disassembly (capstone, behind this interface only). */
#ifndef VMCA_ANALYZER_DISASM_H
#define VMCA_ANALYZER_DISASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

/** The longest x86 instruction is 15 bytes. */
#define VMCA_INSN_MAX_BYTES 16

struct vmca_insn {
	uint64_t address;
	uint8_t bytes[VMCA_INSN_MAX_BYTES];
	size_t size;
	char mnemonic[32];
	char operands[160];
	/**
	 * A direct call's or jump's target, or the address a RIP-relative
	 * memory operand refers to: worth a symbol.
	 */
	bool has_target;
	uint64_t target;
	bool is_call, is_jump, is_return;
};

struct vmca_disasm;

/** A disassembler for machine ("x86_64"); AT&T syntax unless is_intel. */
struct vmca_error *vmca_disasm_create(const char *machine, bool is_intel,
				      struct vmca_disasm **ret);
void vmca_disasm_destroy(struct vmca_disasm *d);
/**
 * Decode the instruction at the start of code (len bytes of it, at
 * address). VMCA_ERROR_INVALID if the bytes are no instruction.
 */
struct vmca_error *vmca_disasm_one(struct vmca_disasm *d, uint64_t address,
				   const uint8_t *code, size_t len,
				   struct vmca_insn *ret);

#endif /* VMCA_ANALYZER_DISASM_H */

// SPDX-License-Identifier: MIT
/** @file Disassembly (capstone, behind this interface only). */
#ifndef VMCA_ANALYZER_DISASM_H
#define VMCA_ANALYZER_DISASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "regs.h"
#include "util/error.h"

/** The longest x86 instruction is 15 bytes. */
#define VMCA_INSN_MAX_BYTES 16

/** An operand, as analyses of the code need it. */
enum vmca_operand_kind {
	VMCA_OPERAND_REG,
	VMCA_OPERAND_IMM,
	VMCA_OPERAND_MEM,
};

struct vmca_operand {
	enum vmca_operand_kind kind;
	/** Its size in bytes. */
	unsigned size;
	/**
	 * REG: the general register (the 64-bit one a sub-register such as
	 * %eax is part of; VMCA_REG_RIP for %rip); VMCA_REG_NR for one vmca
	 * does not model (vector, segment, control registers).
	 */
	enum vmca_reg reg;
	/** IMM: the value. */
	int64_t imm;
	/**
	 * MEM: the address base + index * scale + disp; VMCA_REG_NR where
	 * there is no base or index (base VMCA_REG_RIP: RIP-relative, disp
	 * from the next instruction); has_segment: a %gs: or %fs: prefix
	 * (per-CPU data).
	 */
	enum vmca_reg base, index;
	int scale;
	int64_t disp;
	bool has_segment;
	bool is_read, is_written;
};

#define VMCA_INSN_MAX_OPERANDS 4

/** The operations data flow follows; the rest are OTHER. */
enum vmca_insn_op {
	VMCA_INSN_OTHER,
	/** mov, movabs: a copy. */
	VMCA_INSN_MOV,
	/** movzx, movsx, movsxd: a copy, extended. */
	VMCA_INSN_MOVX,
	VMCA_INSN_LEA,
	VMCA_INSN_XOR,
};

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
	enum vmca_insn_op op;
	/** A conditional jump (it may fall through). */
	bool is_conditional;
	/** ud2, int3, hlt: nothing after it runs on the same path. */
	bool is_trap;
	/** The explicit operands (Intel order: the destination first). */
	struct vmca_operand ops[VMCA_INSN_MAX_OPERANDS];
	size_t nr_ops;
	/**
	 * The general registers it writes (bit r for enum vmca_reg r),
	 * explicit and implicit, partial writes (%al) included; a call's
	 * clobbers are the caller's to assume.
	 */
	uint64_t regs_written;
	/** Of those, the ones written only in part (8 or 16 bits of them). */
	uint64_t regs_partly_written;
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

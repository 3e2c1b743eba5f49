// SPDX-License-Identifier: MIT
// plugins/dis.c: disassembly of the code in the dump, with symbols for
// targets and, with -l, the source lines (inlined calls marked).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmca.h"

/** More than this many bytes of code at once is refused. */
#define DIS_MAX_BYTES (UINT64_C(1) << 20)
#define DIS_MAX_INSNS 100000

static struct vmca_error *usage(void)
{
	return vmca_error_create(VMCA_ERROR_USAGE,
				 "usage: vmca VMCORE dis [-l] [-r] [--intel] "
				 "SYMBOL|ADDRESS [COUNT]");
}

/** The source at one instruction, to print when it changes. */
struct source {
	char key[1024];
};

static void source_out(struct vmca_session *s, struct vmca_out *out,
		       uint64_t address, struct vmca_debuginfo_pc *pc,
		       struct source *last)
{
	struct vmca_error *err = vmca_pc_lookup(s, address, pc);
	if (err) {
		vmca_error_destroy(err);
		vmca_out_null(out, "source");
		return;
	}
	vmca_out_begin_object(out, "source", VMCA_OUT_TEXT_CUSTOM);
	const struct vmca_debuginfo_location *l = &pc->frames[0];
	vmca_out_str(out, "file", l->file);
	vmca_out_u64(out, "line", l->line);
	vmca_out_begin_list(out, "inlined_into", VMCA_OUT_TEXT_CUSTOM);
	for (size_t i = 1; i < pc->nr_frames; i++) {
		vmca_out_begin_object(out, NULL, VMCA_OUT_TEXT_CUSTOM);
		vmca_out_str(out, "function", pc->frames[i].function);
		vmca_out_str(out, "file", pc->frames[i].file);
		vmca_out_u64(out, "line", pc->frames[i].line);
		vmca_out_end_object(out);
	}
	vmca_out_end_list(out);
	vmca_out_end_object(out);
	// Text: a line each time the place changes.
	struct source now;
	snprintf(now.key, sizeof(now.key), "%s:%u:%s:%zu",
		 l->file ? l->file : "??", l->line,
		 l->function ? l->function : "", pc->nr_frames);
	if (strcmp(now.key, last->key) == 0)
		return;
	*last = now;
	vmca_out_textf(out, "%s:%u", l->file ? l->file : "??", l->line);
	if (pc->nr_frames > 1)
		vmca_out_textf(out, " (%s, inlined into %s)",
			       l->function ? l->function : "??",
			       pc->frames[pc->nr_frames - 1].function
				       ? pc->frames[pc->nr_frames - 1].function
				       : "??");
	vmca_out_textf(out, "\n");
}

static struct vmca_error *dis_run(struct vmca_session *s, struct vmca_out *out,
				  int argc, char **argv)
{
	bool is_lines = false, is_reverse = false, is_intel = false;
	int first = 1;
	for (; first < argc && argv[first][0] == '-' && argv[first][1];
	     first++) {
		if (strcmp(argv[first], "-l") == 0)
			is_lines = true;
		else if (strcmp(argv[first], "-r") == 0)
			is_reverse = true;
		else if (strcmp(argv[first], "--intel") == 0)
			is_intel = true;
		else
			return usage();
	}
	if (first >= argc || argc - first > 2)
		return usage();
	uint64_t address, count = 0;
	struct vmca_error *err = vmca_parse_address(s, argv[first], &address);
	if (err)
		return err;
	if (first + 1 < argc &&
	    (is_reverse || !vmca_parse_u64(argv[first + 1], &count) ||
	     count == 0 || count > DIS_MAX_INSNS))
		return usage();
	struct vmca_symbol sym;
	bool has_sym =
		vmca_error_consume(vmca_function_lookup(s, address, &sym)) &&
		(address - sym.address < sym.size ||
		 (!sym.size && address == sym.address));
	// The range: [start, end), or count instructions from start.
	uint64_t start = address, end;
	if (is_reverse) {
		if (!has_sym)
			return vmca_error_create(VMCA_ERROR_NOT_FOUND,
						 "dis -r: no function holds "
						 "%#" PRIx64,
						 address);
		start = sym.address;
		end = address + 1;
	} else if (count) {
		end = start + count * VMCA_INSN_MAX_BYTES;
	} else if (has_sym && sym.size) {
		end = sym.address + sym.size;
	} else {
		count = 1;
		end = start + VMCA_INSN_MAX_BYTES;
	}
	if (end - start > DIS_MAX_BYTES)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "dis: %" PRIu64 " bytes of code is "
					 "more than %" PRIu64,
					 end - start, DIS_MAX_BYTES);
	// Read what the range needs, plus room for the last instruction.
	uint64_t len = end - start + VMCA_INSN_MAX_BYTES;
	uint8_t *code = malloc(len);
	if (!code)
		return &vmca_enomem;
	err = vmca_read(s, start, code, len);
	if (err) {
		// The last page may end the code: read only the range.
		vmca_error_destroy(err);
		len = end - start;
		err = vmca_read(s, start, code, len);
	}
	struct vmca_disasm *d = NULL;
	if (!err)
		err = vmca_disasm_create(vmca_session_machine(s), is_intel, &d);
	struct vmca_debuginfo_pc *pc = NULL;
	if (!err && is_lines && !(pc = malloc(sizeof(*pc))))
		err = &vmca_enomem;
	if (err) {
		free(code);
		vmca_disasm_destroy(d);
		return err;
	}
	vmca_out_begin_object(out, NULL, VMCA_OUT_TEXT_CUSTOM);
	if (has_sym) {
		vmca_out_str(out, "function", sym.name);
		vmca_out_addr(out, "function_address", sym.address);
		vmca_out_u64(out, "function_size", sym.size);
		vmca_out_str(out, "module", sym.module);
	} else {
		vmca_out_null(out, "function");
	}
	vmca_out_begin_list(out, "instructions", VMCA_OUT_TEXT_CUSTOM);
	struct source last = {""};
	uint64_t n = 0;
	for (uint64_t at = start; at < end && (!count || n < count);) {
		struct vmca_insn insn;
		uint64_t off = at - start;
		err = vmca_disasm_one(d, at, code + off, len - off, &insn);
		bool is_unknown = err && err->code == VMCA_ERROR_INVALID;
		if (is_unknown) {
			// Bytes the decoder does not know: one, as objdump
			// shows them, and on.
			vmca_error_destroy(err);
			err = NULL;
			memset(&insn, 0, sizeof(insn));
			insn.address = at;
			insn.size = 1;
			insn.bytes[0] = code[off];
			snprintf(insn.mnemonic, sizeof(insn.mnemonic), ".byte");
			snprintf(insn.operands, sizeof(insn.operands), "%#x",
				 code[off]);
		}
		if (err)
			break;
		vmca_out_begin_object(out, NULL, VMCA_OUT_TEXT_CUSTOM);
		vmca_out_addr(out, "address", at);
		char bytes[3 * VMCA_INSN_MAX_BYTES + 1] = "";
		size_t nb = 0;
		for (size_t i = 0; i < insn.size; i++)
			nb += (size_t)snprintf(bytes + nb, sizeof(bytes) - nb,
					       "%s%02x", i ? " " : "",
					       insn.bytes[i]);
		vmca_out_str(out, "bytes", bytes);
		vmca_out_str(out, "mnemonic", insn.mnemonic);
		vmca_out_str(out, "operands", insn.operands);
		vmca_out_bool(out, "is_unknown", is_unknown);
		char where[256];
		bool has_where =
			vmca_print_symbolize(s, at, where, sizeof(where));
		vmca_out_str(out, "symbol", has_where ? where : NULL);
		char target[256];
		bool has_target = insn.has_target &&
				  vmca_print_symbolize(s, insn.target, target,
						       sizeof(target));
		if (insn.has_target)
			vmca_out_addr(out, "target", insn.target);
		else
			vmca_out_null(out, "target");
		vmca_out_str(out, "target_symbol", has_target ? target : NULL);
		if (is_lines)
			source_out(s, out, at, pc, &last);
		if (insn.operands[0])
			vmca_out_textf(out, "%016" PRIx64 " <%s>: %-7s %s", at,
				       has_where ? where : "??", insn.mnemonic,
				       insn.operands);
		else
			vmca_out_textf(out, "%016" PRIx64 " <%s>: %s", at,
				       has_where ? where : "??", insn.mnemonic);
		if (has_target && (insn.is_call || insn.is_jump) &&
		    !strchr(insn.operands, '('))
			vmca_out_textf(out, " <%s>", target);
		else if (has_target)
			vmca_out_textf(out, "  # %#" PRIx64 " <%s>",
				       insn.target, target);
		vmca_out_textf(out, "\n");
		vmca_out_end_object(out);
		at += insn.size;
		n++;
	}
	vmca_out_end_list(out);
	vmca_out_end_object(out);
	free(pc);
	free(code);
	vmca_disasm_destroy(d);
	return err;
}

const struct vmca_plugin vmca_plugin_dis = {
	.name = "dis",
	.summary = "disassemble code in the dump, with symbols and lines",
	.usage = "dis [-l] [-r] [--intel] SYMBOL|ADDRESS [COUNT]",
	.help = "Disassemble the code as the dump holds it (alternatives\n"
		"and static keys as the kernel patched them): a whole\n"
		"function from SYMBOL or from an ADDRESS inside one to its "
		"end,\n"
		"or COUNT instructions; -r: from the start of the function up\n"
		"to the instruction at ADDRESS (the code before a fault). "
		"AT&T\n"
		"syntax, --intel for Intel's. Call and jump targets and\n"
		"RIP-relative operands are named (<symbol+off>); module code\n"
		"too. -l: the source file:line before each instruction whose\n"
		"place changes, inlined calls marked (DWARF on demand).\n"
		"JSON: {\"function\", \"function_address\", "
		"\"function_size\",\n"
		"\"module\", \"instructions\": [{\"address\", \"bytes\" (\"48 "
		"8b\n"
		"...\"), \"mnemonic\", \"operands\", \"symbol\" (where it "
		"is),\n"
		"\"target\", \"target_symbol\", \"is_unknown\" (bytes the\n"
		"decoder does not know, shown one as .byte), \"source\" (-l:\n"
		"{\"file\",\n"
		"\"line\", \"inlined_into\": [{\"function\", \"file\",\n"
		"\"line\"}]})}]}.",
	.examples = "dis schedule 8\tthe first 8 instructions of a function\n"
		    "dis -l schedule 8\twith their source lines\n",
	.run = dis_run,
};

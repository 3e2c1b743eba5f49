// SPDX-License-Identifier: MIT
// plugins/sym.c: symbol to address and address to symbol+offset.
#include <stdlib.h>
#include <string.h>

#include "vmca.h"

// The function, inlined calls and file:line at address, as addr2line -f
// -i prints them: innermost first.
static void lines_out(struct vmca_session *s, struct vmca_out *out,
		      uint64_t address)
{
	struct vmca_debuginfo_pc *pc = malloc(sizeof(*pc));
	if (!pc) {
		vmca_out_error(out, "lines_error", &vmca_enomem);
		return;
	}
	struct vmca_error *err = vmca_pc_lookup(s, address, pc);
	vmca_out_begin_list(out, "frames", VMCA_OUT_TEXT_CUSTOM);
	for (size_t i = 0; !err && i < pc->nr_frames; i++) {
		const struct vmca_debuginfo_location *l = &pc->frames[i];
		vmca_out_begin_object(out, NULL, 0);
		vmca_out_str(out, "function", l->function);
		vmca_out_str(out, "file", l->file);
		vmca_out_u64(out, "line", l->line);
		vmca_out_u64(out, "column", l->column);
		vmca_out_bool(out, "is_inlined", l->is_inlined);
		vmca_out_end_object(out);
		vmca_out_textf(out, "  %s%s at %s:%u\n",
			       l->function ? l->function : "??",
			       l->is_inlined ? " (inlined)" : "",
			       l->file ? l->file : "??", l->line);
	}
	vmca_out_end_list(out);
	if (err) {
		vmca_out_error(out, "lines_error", err);
		vmca_out_textf(out, "  (%s)\n", err->message);
		vmca_error_destroy(err);
	}
	free(pc);
}

static struct vmca_error *sym_run(struct vmca_session *s, struct vmca_out *out,
				  int argc, char **argv)
{
	bool has_lines = argc == 3 && strcmp(argv[1], "-l") == 0;
	if (argc != 2 && !has_lines)
		return vmca_error_create(
			VMCA_ERROR_USAGE,
			"usage: vmca VMCORE sym [-l] NAME|ADDRESS|SYMBOL+OFF");
	const char *arg = argv[argc - 1];
	struct vmca_symbol sym;
	uint64_t address = 0;
	bool by_name = true;
	// A name wins over hex digits that happen to spell one ("add").
	struct vmca_error *err = vmca_symbol_by_name(s, arg, &sym);
	if (!err) {
		address = sym.address;
	} else {
		vmca_error_destroy(err);
		if (!vmca_parse_hex(arg, &address)) {
			// "symbol+offset"
			err = vmca_parse_address(s, arg, &address);
			if (err) {
				vmca_error_destroy(err);
				return vmca_error_create(VMCA_ERROR_NOT_FOUND,
							 "no symbol '%s'", arg);
			}
		}
		by_name = false;
		err = vmca_symbol_lookup(s, address, &sym);
		if (err) {
			vmca_error_destroy(err);
			return vmca_error_create(
				VMCA_ERROR_NOT_FOUND,
				"no symbol at or below %#" PRIx64, address);
		}
	}
	uint64_t offset = address - sym.address;
	char type[2] = {sym.type ? sym.type : '?', '\0'};

	vmca_out_begin_object(out, NULL, VMCA_OUT_TEXT_CUSTOM);
	vmca_out_str(out, "query", arg);
	vmca_out_str(out, "name", sym.name);
	vmca_out_addr(out, "address", sym.address);
	vmca_out_u64(out, "size", sym.size);
	vmca_out_str(out, "type", type);
	vmca_out_u64(out, "offset", offset);
	if (!by_name)
		vmca_out_addr(out, "query_address", address);
	bool is_inside = !sym.size || offset < sym.size;
	vmca_out_bool(out, "is_inside", is_inside);
	vmca_out_str(out, "module", sym.module);
	char where[80] = "";
	if (sym.module)
		snprintf(where, sizeof(where), " [%s]", sym.module);
	if (offset)
		vmca_out_textf(out, "%016" PRIx64 " (%s) %s+%#" PRIx64 "%s%s\n",
			       address, type, sym.name, offset, where,
			       is_inside ? "" : " (past its end)");
	else
		vmca_out_textf(out, "%016" PRIx64 " (%s) %s%s\n", address, type,
			       sym.name, where);
	if (has_lines)
		lines_out(s, out, address);
	vmca_out_end_object(out);
	return NULL;
}

const struct vmca_plugin vmca_plugin_sym = {
	.name = "sym",
	.summary = "symbol to address, or address to symbol+offset",
	.usage = "sym [-l] NAME|ADDRESS|SYMBOL+OFF",
	.help = "Symbols of the vmlinux and of the loaded modules (their\n"
		"kallsyms in the dump, init symbols of a module still\n"
		"initializing included).\n"
		"-l: also the function, the chain of inlined calls and the\n"
		"file:line there, innermost first (as addr2line -f -i), from\n"
		"DWARF read on demand for the one unit holding the address.\n"
		"JSON: {\"query\", \"name\", \"address\", \"size\", \"type\" "
		"(nm letter), \"offset\", \"is_inside\", \"module\" (null: "
		"vmlinux),\n\"frames\"? (-l: [{\"function\", \"file\", "
		"\"line\", "
		"\"column\", \"is_inlined\"}]),\n\"lines_error\"?}\n",
	.examples =
		"sym jiffies\ta symbol's address\n"
		"sym -l schedule+0x10\tan address's function and source line\n",
	.run = sym_run,
};

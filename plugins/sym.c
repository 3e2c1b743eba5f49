// SPDX-License-Identifier: MIT
// plugins/sym.c: symbol to address and address to symbol+offset.
#include <string.h>

#include "vmca.h"

static struct vmca_error *sym_run(struct vmca_session *s, struct vmca_out *out,
				  int argc, char **argv)
{
	if (argc != 2)
		return vmca_error_create(VMCA_ERROR_USAGE,
					 "usage: vmca VMCORE sym NAME|ADDRESS");
	const char *arg = argv[1];
	struct vmca_symbol sym;
	uint64_t address = 0;
	bool by_name = true;
	// A name wins over hex digits that happen to spell one ("add").
	struct vmca_error *err = vmca_symbol_by_name(s, arg, &sym);
	if (!err) {
		address = sym.address;
	} else {
		vmca_error_destroy(err);
		if (!vmca_parse_hex(arg, &address))
			return vmca_error_create(VMCA_ERROR_NOT_FOUND,
						 "no symbol '%s'", arg);
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
	vmca_out_end_object(out);
	return NULL;
}

const struct vmca_plugin vmca_plugin_sym = {
	.name = "sym",
	.summary = "symbol to address, or address to symbol+offset",
	.usage = "sym NAME|ADDRESS",
	.help = "Symbols of the vmlinux and of the loaded modules (their\n"
		"kallsyms in the dump, init symbols of a module still\n"
		"initializing included).\n"
		"JSON: {\"query\", \"name\", \"address\", \"size\", \"type\" "
		"(nm letter), \"offset\", \"is_inside\", \"module\" (null: "
		"vmlinux)}\n",
	.run = sym_run,
};

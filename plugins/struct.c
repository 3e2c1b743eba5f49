// SPDX-License-Identifier: MIT
// plugins/struct.c: a type's layout (offsets, sizes) and, at an address,
// its decoded values.
#include <string.h>

#include "vmca.h"

// Nested structs deeper than this are shown by type only.
#define MAX_DEPTH 12

static struct vmca_error *
struct_run(struct vmca_session *s, struct vmca_out *out, int argc, char **argv)
{
	// Accept "struct task_struct ADDR", "task_struct ADDR" and a quoted
	// "struct task_struct"; -o is crash's spelling for offsets, which
	// are always shown.
	const char *args[3];
	int nargs = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-o") == 0)
			continue;
		if (nargs == 3)
			return vmca_error_create(
				VMCA_ERROR_USAGE,
				"usage: vmca VMCORE struct TYPE [ADDRESS]");
		args[nargs++] = argv[i];
	}
	char name[256];
	int next = 0;
	if (nargs >= 2 &&
	    (strcmp(args[0], "struct") == 0 || strcmp(args[0], "union") == 0 ||
	     strcmp(args[0], "enum") == 0)) {
		snprintf(name, sizeof(name), "%s %s", args[0], args[1]);
		next = 2;
	} else if (nargs >= 1) {
		snprintf(name, sizeof(name), "%s", args[0]);
		next = 1;
	} else {
		return vmca_error_create(
			VMCA_ERROR_USAGE,
			"usage: vmca VMCORE struct TYPE [ADDRESS]");
	}
	if (nargs - next > 1)
		return vmca_error_create(
			VMCA_ERROR_USAGE,
			"usage: vmca VMCORE struct TYPE [ADDRESS]");

	uint32_t type;
	struct vmca_error *err = vmca_type_find(s, name, &type);
	if (err)
		return err;
	uint32_t id = vmca_type_unqualified(s, type);
	struct vmca_type t;
	vmca_type_info(s, id, &t);
	if (t.kind != VMCA_TYPE_STRUCT && t.kind != VMCA_TYPE_UNION)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "'%s' is not a struct or union", name);
	if (t.is_declaration)
		return vmca_error_create(VMCA_ERROR_NOT_FOUND,
					 "%s: only a declaration, no layout in "
					 "the debuginfo",
					 name);

	bool has_address = next < nargs;
	uint64_t address = 0;
	struct vmca_value v;
	if (has_address) {
		err = vmca_parse_address(s, args[next], &address);
		if (err)
			return err;
		// Read whole, once.
		struct vmca_value ref;
		vmca_value_init_reference(&ref, id, address);
		err = vmca_value_fetch(s, &ref, &v);
		if (err)
			return vmca_error_wrap(err, "reading %s at %#" PRIx64,
					       name, address);
	}
	char full[512];
	vmca_type_name(s, id, NULL, full, sizeof(full));
	vmca_out_begin_object(out, NULL, VMCA_OUT_TEXT_CUSTOM);
	vmca_out_str(out, "type", full);
	vmca_out_u64(out, "size", t.size);
	if (has_address)
		vmca_out_addr(out, "address", address);
	if (has_address)
		vmca_out_textf(out, "%s at %#" PRIx64 " {\n", full, address);
	else
		vmca_out_textf(out, "%s {\n", full);
	vmca_out_begin_list(out, "members", 0);
	struct vmca_print_options opts = {
		.json = VMCA_PRINT_JSON_MEMBERS,
		.max_depth = MAX_DEPTH,
		.is_unsigned_hex = true,
	};
	vmca_print_members(s, out, id, has_address ? &v : NULL, 0, &opts);
	vmca_out_end_list(out);
	if (has_address)
		vmca_value_deinit(&v);
	vmca_out_textf(out, "}\nSIZE: %" PRIu64 " (%#" PRIx64 ")\n", t.size,
		       t.size);
	vmca_out_end_object(out);
	return NULL;
}

const struct vmca_plugin vmca_plugin_struct = {
	.name = "struct",
	.summary = "a struct's layout (offsets, sizes), or its values at an "
		   "address",
	.usage = "struct [-o] TYPE [ADDRESS|SYMBOL]",
	.help = "TYPE is \"task_struct\", \"struct task_struct\" or a "
		"typedef.\n"
		"Without an address: every member with its offset and size;\n"
		"anonymous structs and unions are expanded in place.\n"
		"With one: the values, decoded (pointers with their symbol,\n"
		"enums by name, char arrays as strings, nested structs).\n"
		"JSON: {\"type\", \"size\", \"address\"?, \"members\": "
		"[{\"name\", \"offset\", \"size\", \"type\", \"bit_offset\"?,\n"
		"\"bit_size\"?, \"value\"?, \"members\"? (anonymous)}]}; "
		"offsets are from the start of TYPE.\n",
	.examples = "struct task_struct\tthe layout: offsets and sizes\n"
		    "struct mm_struct init_mm\tthe kernel's own mm, decoded\n"
		    "struct task_struct init_task\tinit_task's values, each "
		    "with its offset\n",
	.run = struct_run,
};

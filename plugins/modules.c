// SPDX-License-Identifier: MIT
// plugins/modules.c: every loaded module with its memory, state, taint,
// refcount and symbols, from the dump's modules list.
#include <string.h>

#include "vmca.h"

static struct vmca_error *usage(void)
{
	return vmca_error_create(VMCA_ERROR_USAGE,
				 "usage: vmca VMCORE modules [-s] [NAME...]");
}

static bool wanted(const char *name, int argc, char **argv, int first)
{
	if (first >= argc)
		return true;
	for (int i = first; i < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return true;
	return false;
}

static void symbols_out(struct vmca_out *out, const struct vmca_module *m)
{
	vmca_out_begin_list(out, "symbol_list", VMCA_OUT_TEXT_CUSTOM);
	for (size_t i = 0; i < m->nr_symbols; i++) {
		const struct vmca_module_symbol *sym = &m->symbols[i];
		vmca_out_begin_object(out, NULL, 0);
		vmca_out_addr(out, "address", sym->address);
		char type[2] = {sym->type, '\0'};
		vmca_out_str(out, "type", type);
		vmca_out_str(out, "name", sym->name);
		vmca_out_u64(out, "size", sym->size);
		vmca_out_end_object(out);
		// /proc/kallsyms' layout.
		vmca_out_textf(out, "%016" PRIx64 " %c %s\t[%s]\n",
			       sym->address, sym->type, sym->name, m->name);
	}
	vmca_out_end_list(out);
}

static struct vmca_error *
modules_run(struct vmca_session *s, struct vmca_out *out, int argc, char **argv)
{
	bool show_symbols = false;
	int first = 1;
	for (; first < argc && argv[first][0] == '-'; first++) {
		if (strcmp(argv[first], "-s") == 0)
			show_symbols = true;
		else
			return usage();
	}
	const struct vmca_module *mods;
	size_t n;
	struct vmca_error *err = vmca_modules(s, &mods, &n);
	if (err)
		return err;
	for (int i = first; i < argc; i++) {
		bool found = false;
		for (size_t j = 0; j < n && !found; j++)
			found = strcmp(mods[j].name, argv[i]) == 0;
		if (!found)
			return vmca_error_create(VMCA_ERROR_NOT_FOUND,
						 "no module '%s' loaded",
						 argv[i]);
	}
	vmca_out_begin_object(out, NULL,
			      show_symbols ? VMCA_OUT_TEXT_CUSTOM : 0);
	vmca_out_begin_list(out, "modules",
			    show_symbols ? VMCA_OUT_TEXT_CUSTOM : 0);
	for (size_t i = 0; i < n; i++) {
		const struct vmca_module *m = &mods[i];
		if (!wanted(m->name, argc, argv, first))
			continue;
		vmca_out_begin_object(out, NULL, 0);
		vmca_out_str(out, "name", m->name);
		vmca_out_u64(out, "size", m->size);
		if (m->refcount >= 0)
			vmca_out_u64(out, "refcount", (uint64_t)m->refcount);
		else
			vmca_out_null(out, "refcount");
		vmca_out_str(out, "state", m->state);
		vmca_out_addr(out, "core_address", m->core_address);
		vmca_out_str(out, "flags", m->flags);
		vmca_out_u64(out, "symbols", m->nr_symbols);
		vmca_out_addr(out, "module", m->address);
		vmca_out_u64_flags(out, "taints", m->taints,
				   VMCA_OUT_JSON_ONLY);
		vmca_out_begin_object(out, "parts", 0);
		for (int p = 0; p < VMCA_MODULE_NR_PARTS; p++) {
			vmca_out_begin_object(out, vmca_module_part_names[p],
					      0);
			vmca_out_addr(out, "base", m->parts[p].base);
			vmca_out_u64(out, "size", m->parts[p].size);
			vmca_out_end_object(out);
		}
		vmca_out_end_object(out);
		vmca_out_str_flags(out, "build_id",
				   *m->build_id ? m->build_id : NULL,
				   VMCA_OUT_JSON_ONLY);
		const char *debuginfo = NULL;
		vmca_error_consume(
			vmca_module_debuginfo_locate(s, m, &debuginfo));
		vmca_out_str(out, "debuginfo", debuginfo);
		vmca_out_begin_list(out, "sections", VMCA_OUT_TEXT_CUSTOM);
		for (size_t j = 0; j < m->nr_sections; j++) {
			vmca_out_begin_object(out, NULL, 0);
			vmca_out_str(out, "name", m->sections[j].name);
			vmca_out_addr(out, "address", m->sections[j].address);
			vmca_out_end_object(out);
		}
		vmca_out_end_list(out);
		if (m->sections_error)
			vmca_out_error(out, "sections_error",
				       m->sections_error);
		if (m->symbols_error)
			vmca_out_error(out, "error", m->symbols_error);
		if (show_symbols)
			symbols_out(out, m);
		vmca_out_end_object(out);
	}
	vmca_out_end_list(out);
	vmca_out_end_object(out);
	return NULL;
}

const struct vmca_plugin vmca_plugin_modules = {
	.name = "modules",
	.summary = "loaded modules: memory, state, taint, refcount, symbols",
	.usage = "modules [-s] [NAME...]",
	.help = "Every module on the kernel's modules list, as /proc/modules\n"
		"shows it (name, size, refcount, state, core address, taint\n"
		"flags with + while loading), with the address and size of\n"
		"each part of its memory (text, data, rodata, ro_after_init\n"
		"and the init parts) and the number of its symbols (its\n"
		"kallsyms in the dump: while it initializes, the init ones\n"
		"too). -s lists the symbols as /proc/kallsyms does. DEBUGINFO\n"
		"is the file of its DWARF that -m's directories hold (by\n"
		"default /lib/modules/RELEASE and /usr/lib/debug/lib/modules/\n"
		"RELEASE), whose build-id is the loaded module's.\n"
		"JSON: {\"modules\": [{\"name\", \"size\", \"refcount\" (null\n"
		"without CONFIG_MODULE_UNLOAD), \"state\", \"core_address\",\n"
		"\"flags\", \"symbols\", \"module\" (struct module), "
		"\"taints\",\n"
		"\"parts\": {\"text\": {\"base\", \"size\"}, ...}, "
		"\"build_id\" (of\n"
		"the loaded module, or null), \"debuginfo\" (path or null),\n"
		"\"sections\": [{\"name\", \"address\"}] (as\n"
		"/sys/module/NAME/sections/), \"sections_error\"?, "
		"\"error\"?,\n"
		"\"symbol_list\"? (-s): [{\"address\", \"type\", \"name\",\n"
		"\"size\"}]}]}.",
	.examples = "modules\tthe loaded modules, as /proc/modules with their "
		    "parts\n"
		    "modules -s\tand every module's symbols\n",
	.run = modules_run,
};

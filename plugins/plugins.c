// SPDX-License-Identifier: MIT
/** @file The plugin table, generated from plugins.def. */
#include <stdio.h>
#include <string.h>

#include "vmca.h"

#define VMCA_PLUGIN(name) extern const struct vmca_plugin vmca_plugin_##name;
#include "plugins.def"
#undef VMCA_PLUGIN

const struct vmca_plugin *const vmca_plugins[] = {
#define VMCA_PLUGIN(name) &vmca_plugin_##name,
#include "plugins.def"
#undef VMCA_PLUGIN
	NULL,
};

#define MAX_LOADED 64

static const struct vmca_plugin *loaded[MAX_LOADED];
static size_t nr_loaded;

struct vmca_error *vmca_plugin_register(const struct vmca_plugin *p)
{
	if (vmca_plugin_find(p->name))
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "a command named '%s' exists already",
					 p->name);
	if (nr_loaded == MAX_LOADED)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "more than %d plugins", MAX_LOADED);
	loaded[nr_loaded++] = p;
	return NULL;
}

const struct vmca_plugin *const *vmca_plugins_loaded(size_t *nr_ret)
{
	*nr_ret = nr_loaded;
	return loaded;
}

const struct vmca_plugin *vmca_plugin_find(const char *name)
{
	for (size_t i = 0; i < nr_loaded; i++) {
		if (strcmp(loaded[i]->name, name) == 0)
			return loaded[i];
	}
	for (const struct vmca_plugin *const *p = vmca_plugins; *p; p++) {
		if (strcmp((*p)->name, name) == 0)
			return *p;
	}
	return NULL;
}

void vmca_plugin_print_examples(FILE *f, const struct vmca_plugin *p,
				const char *vmcore)
{
	if (!p->examples || !*p->examples)
		return;
	fputs("\nExamples:\n", f);
	for (const char *line = p->examples; *line;) {
		const char *end = strchrnul(line, '\n');
		const char *tab = memchr(line, '\t', (size_t)(end - line));
		const char *args_end = tab ? tab : end;
		if (vmcore)
			fprintf(f, "  vmca %s ", vmcore);
		else
			fputs("  ", f);
		fprintf(f, "%.*s\n", (int)(args_end - line), line);
		if (tab)
			fprintf(f, "      %.*s\n", (int)(end - tab - 1),
				tab + 1);
		line = *end ? end + 1 : end;
	}
}

void vmca_plugin_print_help(FILE *f, const struct vmca_plugin *p,
			    const char *vmcore)
{
	if (vmcore)
		fprintf(f, "usage: vmca %s %s\n\n%s.\n", vmcore, p->usage,
			p->summary);
	else
		fprintf(f, "%s\n\n%s.\n", p->usage, p->summary);
	if (p->help) {
		size_t len = strlen(p->help);
		fprintf(f, "\n%s%s", p->help,
			len && p->help[len - 1] == '\n' ? "" : "\n");
	}
	for (const struct vmca_plugin *const *b = vmca_plugins; *b; b++) {
		if (*b == p)
			fprintf(f,
				"JSON Schema of --json: %s/%s.schema.json "
				"(plugins/schema/ in the source).\n",
				VMCA_SCHEMA_DIR, p->name);
	}
	vmca_plugin_print_examples(f, p, vmcore);
}

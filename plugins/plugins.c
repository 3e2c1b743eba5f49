// SPDX-License-Identifier: MIT
/** @file The plugin table, generated from plugins.def. */
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

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

const struct vmca_plugin *vmca_plugin_find(const char *name)
{
	for (const struct vmca_plugin *const *p = vmca_plugins; *p; p++) {
		if (strcmp((*p)->name, name) == 0)
			return *p;
	}
	return NULL;
}

// SPDX-License-Identifier: MIT
// analyzer/plugin_api.c: the functions include/vmca-plugin.h offers to
// plugins loaded with --plugin, thin and stable over the core's, and the
// loading. Linked into the vmca program itself (its symbols exported).
#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmca-plugin.h"
#include "vmca.h"

unsigned vmca_api_version(void)
{
	return VMCA_PLUGIN_API_VERSION;
}

struct vmca_error *vmca_api_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *text = NULL;
	int n = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (n < 0)
		return &vmca_enomem;
	struct vmca_error *err =
		vmca_error_create(VMCA_ERROR_OTHER, "%s", text);
	free(text);
	return err;
}

const char *vmca_api_error_message(const struct vmca_error *err)
{
	return err ? err->message : "";
}

void vmca_api_error_free(struct vmca_error *err)
{
	vmca_error_destroy(err);
}

struct vmca_error *vmca_api_read(struct vmca_session *s, uint64_t address,
				 void *buf, size_t len)
{
	return vmca_read(s, address, buf, len);
}

struct vmca_error *vmca_api_read_u64(struct vmca_session *s, uint64_t address,
				     uint64_t *ret)
{
	return vmca_read_u64(s, address, ret);
}

struct vmca_error *vmca_api_symbol(struct vmca_session *s, const char *name,
				   uint64_t *ret)
{
	return vmca_symbol_address(s, name, ret);
}

struct vmca_error *vmca_api_member(struct vmca_session *s, uint64_t address,
				   const char *type_name, const char *path,
				   uint64_t *ret)
{
	return vmca_read_member(s, address, type_name, path, ret);
}

struct vmca_error *vmca_api_member_string(struct vmca_session *s,
					  uint64_t address,
					  const char *type_name,
					  const char *path, char *buf,
					  size_t size)
{
	uint64_t off;
	struct vmca_error *err =
		vmca_type_member_offset(s, type_name, path, &off);
	if (err)
		return err;
	return vmca_read_string(s, address + off, buf, size);
}

struct task_adapter {
	struct vmca_error *(*fn)(struct vmca_session *s, uint64_t task,
				 void *arg);
	void *arg;
};

static struct vmca_error *adapt_task(struct vmca_session *s,
				     const struct vmca_task_entry *e, void *arg)
{
	struct task_adapter *a = arg;
	return a->fn(s, e->address, a->arg);
}

static void warn_walk(struct vmca_session *s, struct vmca_error *err, void *arg)
{
	(void)arg;
	vmca_session_warn(s, "task walk: %s", err->message);
	vmca_error_destroy(err);
}

struct vmca_error *
vmca_api_for_each_task(struct vmca_session *s,
		       struct vmca_error *(*fn)(struct vmca_session *s,
						uint64_t task, void *arg),
		       void *arg)
{
	struct task_adapter a = {fn, arg};
	return vmca_task_walk(s, adapt_task, warn_walk, &a);
}

void vmca_api_out_begin_object(struct vmca_out *out, const char *key)
{
	vmca_out_begin_object(out, key, 0);
}

void vmca_api_out_end_object(struct vmca_out *out)
{
	vmca_out_end_object(out);
}

void vmca_api_out_begin_list(struct vmca_out *out, const char *key)
{
	vmca_out_begin_list(out, key, 0);
}

void vmca_api_out_end_list(struct vmca_out *out)
{
	vmca_out_end_list(out);
}

void vmca_api_out_u64(struct vmca_out *out, const char *key, uint64_t value)
{
	vmca_out_u64(out, key, value);
}

void vmca_api_out_i64(struct vmca_out *out, const char *key, int64_t value)
{
	vmca_out_i64(out, key, value);
}

void vmca_api_out_str(struct vmca_out *out, const char *key, const char *value)
{
	vmca_out_str(out, key, value);
}

void vmca_api_out_addr(struct vmca_out *out, const char *key, uint64_t value)
{
	vmca_out_addr(out, key, value);
}

/* Loading. */

struct vmca_error *vmca_plugin_load(const char *path)
{
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h)
		return vmca_error_create(VMCA_ERROR_INVALID, "%s: %s", path,
					 dlerror());
	const struct vmca_plugin *(*init)(unsigned) =
		(const struct vmca_plugin *(*)(unsigned))dlsym(
			h, "vmca_plugin_init");
	if (!init) {
		dlclose(h);
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "%s: no vmca_plugin_init(): not a "
					 "vmca plugin",
					 path);
	}
	const struct vmca_plugin *p = init(VMCA_PLUGIN_API_VERSION);
	if (!p) {
		// A version 1 plugin: its struct ends before examples.
		const struct vmca_plugin *p1 = init(1);
		struct vmca_plugin *copy = p1 ? calloc(1, sizeof(*copy)) : NULL;
		if (copy) {
			memcpy(copy, p1,
			       offsetof(struct vmca_plugin, examples));
			p = copy; // kept for the process's life, as the .so
		}
	}
	if (!p || !p->name || !p->run) {
		dlclose(h);
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "%s: the plugin declined API versions "
					 "%d and 1",
					 path, VMCA_PLUGIN_API_VERSION);
	}
	if (!p->summary || !p->usage) {
		dlclose(h);
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "%s: the plugin has no summary or "
					 "usage",
					 path);
	}
	struct vmca_error *err = vmca_plugin_register(p);
	if (err)
		dlclose(h);
	// Loaded for the process's life: its command is in the table.
	return err;
}

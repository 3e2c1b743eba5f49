// SPDX-License-Identifier: MIT
/** @file struct vmca_debuginfo: open a vmlinux from its cache, or build it. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "../analyzer/util/cleanup.h"
#include "internal.h"

// mkdir -p: make dir and its missing parents.
static struct vmca_error *make_dirs(const char *dir)
{
	_cleanup_free_ char *path = strdup(dir);
	if (!path)
		return &vmca_enomem;
	for (char *p = path + 1;; p++) {
		if (*p != '/' && *p)
			continue;
		char c = *p;
		*p = '\0';
		if (mkdir(path, 0755) && errno != EEXIST)
			return vmca_error_os(errno, "%s", path);
		*p = c;
		if (!c)
			return NULL;
	}
}

// Lay b out as the image of elf (its identity in the header).
static struct vmca_error *serialize(struct vmca_debuginfo_elf *elf,
				    struct vmca_debuginfo_builder *b,
				    void **image_ret, size_t *size_ret)
{
	struct vmca_debuginfo_header identity = {
		.vmlinux_size = vmca_debuginfo_elf_file_size(elf),
	};
	size_t build_id_size;
	const uint8_t *build_id =
		vmca_debuginfo_elf_build_id(elf, &build_id_size);
	identity.build_id_size = build_id_size;
	memcpy(identity.build_id, build_id, build_id_size);
	identity.elf_machine =
		vmca_debuginfo_elf_machine(elf, &identity.elf_class);
	return vmca_debuginfo_builder_serialize(b, &identity, image_ret,
						size_ret);
}

// Build the image from the vmlinux: DWARF types and variables, symbols.
static struct vmca_error *build(struct vmca_debuginfo_elf *elf,
				void **image_ret, size_t *size_ret)
{
	struct vmca_debuginfo_dwarf_sections sections;
	struct vmca_error *err =
		vmca_debuginfo_elf_dwarf(elf, false, &sections);
	if (err)
		return err;
	struct vmca_debuginfo_builder *b;
	err = vmca_debuginfo_builder_create(&b);
	if (err)
		return err;
	err = vmca_debuginfo_index_build(elf, &sections, b);
	if (err)
		goto out;
	err = serialize(elf, b, image_ret, size_ret);
out:
	vmca_debuginfo_builder_destroy(b);
	return err;
}

// Build the image from the vmlinux's BTF (.BTF) and ELF symbols: no
// DWARF read, so no variables but BTF's (per-CPU ones) and no units.
static struct vmca_error *build_btf(struct vmca_debuginfo_elf *elf,
				    void **image_ret, size_t *size_ret)
{
	struct vmca_debuginfo_section btf;
	struct vmca_error *err = vmca_debuginfo_elf_section(elf, ".BTF", &btf);
	if (err && err->code == VMCA_ERROR_NOT_FOUND) {
		vmca_error_destroy(err);
		return vmca_error_create(VMCA_ERROR_NOT_FOUND,
					 "%s: no BTF (.BTF section)",
					 vmca_debuginfo_elf_path(elf));
	}
	if (err)
		return err;
	if (btf.is_nobits)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "%s: .BTF has no contents",
					 vmca_debuginfo_elf_path(elf));
	struct vmca_debuginfo_builder *b;
	err = vmca_debuginfo_builder_create(&b);
	if (err)
		return err;
	err = vmca_debuginfo_btf_build(btf.data, btf.size,
				       vmca_debuginfo_elf_path(elf), b);
	if (!err)
		err = vmca_debuginfo_elf_symbols(elf, b);
	if (!err)
		err = serialize(elf, b, image_ret, size_ret);
	vmca_debuginfo_builder_destroy(b);
	return err;
}

static void free_loads(struct vmca_debuginfo_section_load *loads, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free((char *)loads[i].name);
	free(loads);
}

// FNV-1a over the (name, address) pairs: the cache file of a module as
// loaded at these addresses.
static uint64_t hash_loads(const struct vmca_debuginfo_section_load *loads,
			   size_t n)
{
	uint64_t h = 0xcbf29ce484222325u;
	for (size_t i = 0; i < n; i++) {
		for (const char *p = loads[i].name;; p++) {
			h = (h ^ (unsigned char)*p) * 0x100000001b3u;
			if (!*p)
				break;
		}
		for (int b = 0; b < 64; b += 8)
			h = (h ^ ((loads[i].address >> b) & 0xff)) *
			    0x100000001b3u;
	}
	return h;
}

static struct vmca_error *
create(const char *path, const char *cache_dir,
       const struct vmca_debuginfo_section_load *loads, size_t nr_loads,
       bool is_module, bool is_btf, struct vmca_debuginfo **ret)
{
	struct vmca_debuginfo_elf *elf;
	struct vmca_error *err = vmca_debuginfo_elf_open(path, &elf);
	if (err)
		return err;
	if (vmca_debuginfo_elf_is_relocatable(elf) != is_module) {
		vmca_debuginfo_elf_close(elf);
		return vmca_error_create(
			VMCA_ERROR_INVALID,
			is_module ? "%s: not a relocatable ELF file (a module)"
				  : "%s: a relocatable ELF file (a module?), "
				    "not a vmlinux",
			path);
	}
	err = vmca_debuginfo_elf_set_loads(elf, loads, nr_loads);
	if (err) {
		vmca_debuginfo_elf_close(elf);
		return err;
	}
	struct vmca_debuginfo *di = calloc(1, sizeof(*di));
	if (di)
		di->path = strdup(path);
	if (di && di->path && nr_loads) {
		di->loads = calloc(nr_loads, sizeof(*di->loads));
		for (size_t i = 0; di->loads && i < nr_loads; i++) {
			di->loads[i].address = loads[i].address;
			di->loads[i].name = strdup(loads[i].name);
			if (!di->loads[i].name) {
				free_loads(di->loads, i);
				di->loads = NULL;
			}
		}
		di->nr_loads = di->loads ? nr_loads : 0;
	}
	if (!di || !di->path || (nr_loads && !di->loads)) {
		if (di)
			free(di->path);
		free(di);
		vmca_debuginfo_elf_close(elf);
		return &vmca_enomem;
	}
	size_t build_id_size;
	const uint8_t *build_id =
		vmca_debuginfo_elf_build_id(elf, &build_id_size);
	uint64_t vmlinux_size = vmca_debuginfo_elf_file_size(elf);

	// Without a build-id nothing ties a cache file to this vmlinux.
	_cleanup_free_ char *cache_path = NULL;
	if (cache_dir && *cache_dir && build_id_size) {
		char hex[2 * VMCA_DEBUGINFO_BUILD_ID_MAX + 1];
		for (size_t i = 0; i < build_id_size; i++)
			snprintf(hex + 2 * i, 3, "%02x", build_id[i]);
		hex[2 * build_id_size] = '\0';
		int n = is_module ? asprintf(&cache_path,
					     "%s/%s-%016" PRIx64 ".vmcaidx",
					     cache_dir, hex,
					     hash_loads(loads, nr_loads))
			: is_btf  ? asprintf(&cache_path, "%s/%s.btf.vmcaidx",
					     cache_dir, hex)
				  : asprintf(&cache_path, "%s/%s.vmcaidx",
					     cache_dir, hex);
		if (n < 0) {
			cache_path = NULL;
			err = &vmca_enomem;
			goto fail;
		}
		// A missing, damaged or foreign cache file: rebuild it.
		struct vmca_error *load_err = vmca_debuginfo_cache_load(
			di, cache_path, build_id, build_id_size, vmlinux_size);
		if (!load_err) {
			vmca_debuginfo_elf_close(elf);
			di->was_cached = true;
			di->is_btf = is_btf;
			*ret = di;
			return NULL;
		}
		vmca_error_destroy(load_err);
	}

	void *image;
	size_t size;
	err = is_btf ? build_btf(elf, &image, &size)
		     : build(elf, &image, &size);
	// The vmlinux mapping is the bulk of a cold open's memory.
	vmca_debuginfo_elf_close(elf);
	elf = NULL;
	if (err)
		goto fail;
	err = vmca_debuginfo_cache_attach(di, image, size, NULL, 0, 0, false);
	if (err) {
		free(image);
		goto fail;
	}
	di->image = image;
	di->image_size = size;
	di->is_btf = is_btf;
	if (cache_path) {
		// The cache only saves time: failing to write it (read-only
		// or full file system) is no reason to fail the open.
		struct vmca_error *write_err = make_dirs(cache_dir);
		if (!write_err)
			write_err = vmca_debuginfo_cache_write(cache_path,
							       image, size);
		vmca_error_destroy(write_err);
	}
	*ret = di;
	return NULL;

fail:
	vmca_debuginfo_elf_close(elf);
	free_loads(di->loads, di->nr_loads);
	free(di->path);
	free(di);
	return err;
}

struct vmca_error *vmca_debuginfo_create(const char *path,
					 const char *cache_dir,
					 struct vmca_debuginfo **ret)
{
	return create(path, cache_dir, NULL, 0, false, false, ret);
}

struct vmca_error *vmca_debuginfo_create_btf(const char *path,
					     const char *cache_dir,
					     struct vmca_debuginfo **ret)
{
	return create(path, cache_dir, NULL, 0, false, true, ret);
}

bool vmca_debuginfo_is_btf(const struct vmca_debuginfo *di)
{
	return di->is_btf;
}

struct vmca_error *
vmca_debuginfo_create_module(const char *path, const char *cache_dir,
			     const struct vmca_debuginfo_section_load *loads,
			     size_t nr_loads, struct vmca_debuginfo **ret)
{
	return create(path, cache_dir, loads, nr_loads, true, false, ret);
}

struct vmca_error *
vmca_debuginfo_create_from_memory(const void *data, size_t size,
				  const char *name, struct vmca_debuginfo **ret)
{
	struct vmca_debuginfo_elf *elf;
	struct vmca_error *err =
		vmca_debuginfo_elf_open_memory(data, size, name, &elf);
	if (err)
		return err;
	void *image;
	size_t image_size;
	err = build(elf, &image, &image_size);
	vmca_debuginfo_elf_close(elf);
	if (err)
		return err;
	err = vmca_debuginfo_create_from_image(image, image_size, true, ret);
	free(image);
	return err;
}

struct vmca_error *vmca_debuginfo_create_from_btf(const void *data, size_t size,
						  const char *name,
						  struct vmca_debuginfo **ret)
{
	struct vmca_debuginfo_builder *b;
	struct vmca_error *err = vmca_debuginfo_builder_create(&b);
	if (err)
		return err;
	void *image = NULL;
	size_t image_size;
	err = vmca_debuginfo_btf_build(data, size, name, b);
	if (!err) {
		struct vmca_debuginfo_header identity = {0};
		err = vmca_debuginfo_builder_serialize(b, &identity, &image,
						       &image_size);
	}
	vmca_debuginfo_builder_destroy(b);
	if (!err)
		err = vmca_debuginfo_create_from_image(image, image_size, true,
						       ret);
	free(image);
	if (!err)
		(*ret)->is_btf = true;
	return err;
}

void vmca_debuginfo_destroy(struct vmca_debuginfo *di)
{
	if (!di)
		return;
	vmca_debuginfo_ondemand_destroy(di->ondemand);
	free_loads(di->loads, di->nr_loads);
	free(di->path);
	if (di->image_is_mapped)
		munmap(di->image, di->image_size);
	else
		free(di->image);
	free(di);
}

struct vmca_error *
vmca_debuginfo_file_probe(const char *path,
			  struct vmca_debuginfo_file_info *ret)
{
	struct vmca_debuginfo_elf *elf;
	struct vmca_error *err = vmca_debuginfo_elf_open(path, &elf);
	if (err)
		return err;
	size_t n;
	const uint8_t *id = vmca_debuginfo_elf_build_id(elf, &n);
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < n && i < 64; i++) {
		ret->build_id[2 * i] = hex[id[i] >> 4];
		ret->build_id[2 * i + 1] = hex[id[i] & 15];
	}
	ret->build_id[2 * (n < 64 ? n : 64)] = '\0';
	ret->has_debug_info =
		vmca_debuginfo_elf_has_section(elf, ".debug_info");
	vmca_debuginfo_elf_close(elf);
	return NULL;
}

const char *vmca_debuginfo_path(const struct vmca_debuginfo *di)
{
	return di->path;
}

const char *vmca_debuginfo_build_id(const struct vmca_debuginfo *di)
{
	return di->build_id;
}

const char *vmca_debuginfo_machine(const struct vmca_debuginfo *di)
{
	return di->machine;
}

bool vmca_debuginfo_was_cached(const struct vmca_debuginfo *di)
{
	return di->was_cached;
}

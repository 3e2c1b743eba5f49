// SPDX-License-Identifier: MIT
/** @file Loaded modules' debuginfo: found, checked, relocated, typed. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../dwarf/debuginfo.h"
#include "vmca.h"

// Bounds on the directories searched: deeper trees or more files than
// these are no module directory (/lib/modules/RELEASE has some thousands
// of files, three to six levels down).
#define MAX_DEPTH 12
#define MAX_FILES (1u << 20)

struct candidate {
	/** The module name it would be: basename less .ko[.debug], '-' as '_'.
	 */
	char *key;
	char *path;
};

struct slot {
	bool is_located;
	/** The file found (owned), or NULL with locate_error set. */
	char *path;
	struct vmca_error *locate_error;
	bool is_tried;
	struct vmca_debuginfo *di;
	uint32_t type_base;
	/** Why there is none (NOT_FOUND, or the open's error). */
	struct vmca_error *error;
};

struct vmca_module_debuginfo_table {
	/** One per loaded module, in vmca_modules()' order. */
	struct slot *slots;
	size_t nr_slots;
	/** The directories searched, in order, each with its files. */
	struct dir {
		char *path;
		struct candidate *files;
		size_t nr_files;
		bool is_listed;
	} * dirs;
	size_t nr_dirs;
};

void vmca_module_debuginfo_table_destroy(struct vmca_module_debuginfo_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nr_slots; i++) {
		vmca_debuginfo_destroy(t->slots[i].di);
		vmca_error_destroy(t->slots[i].error);
		free(t->slots[i].path);
		vmca_error_destroy(t->slots[i].locate_error);
	}
	free(t->slots);
	for (size_t i = 0; i < t->nr_dirs; i++) {
		for (size_t j = 0; j < t->dirs[i].nr_files; j++) {
			free(t->dirs[i].files[j].key);
			free(t->dirs[i].files[j].path);
		}
		free(t->dirs[i].files);
		free(t->dirs[i].path);
	}
	free(t->dirs);
	free(t);
}

// The module name a file would hold: "virtio-pci.ko" -> "virtio_pci";
// NULL for a file that is no module (debuginfo).
static char *module_key(const char *file)
{
	static const char *const suffixes[] = {".ko.debug", ".ko"};
	size_t len = strlen(file);
	for (size_t i = 0; i < 2; i++) {
		size_t n = strlen(suffixes[i]);
		if (len <= n || strcmp(file + len - n, suffixes[i]) != 0)
			continue;
		char *key = strndup(file, len - n);
		if (!key)
			return NULL;
		for (char *p = key; *p; p++)
			if (*p == '-')
				*p = '_';
		return key;
	}
	return NULL;
}

static bool add_file(struct dir *d, size_t *cap, char *key, char *path)
{
	if (d->nr_files == *cap) {
		size_t n = *cap ? *cap * 2 : 64;
		struct candidate *f = realloc(d->files, n * sizeof(*f));
		if (!f)
			return false;
		d->files = f;
		*cap = n;
	}
	d->files[d->nr_files].key = key;
	d->files[d->nr_files].path = path;
	d->nr_files++;
	return true;
}

// Every NAME.ko and NAME.ko.debug under path (symbolic links to
// directories are not followed: no loops).
static void list_dir(struct dir *d, size_t *cap, const char *path, int depth)
{
	if (depth > MAX_DEPTH || d->nr_files >= MAX_FILES)
		return;
	DIR *dir = opendir(path);
	if (!dir)
		return;
	struct dirent *e;
	while ((e = readdir(dir)) && d->nr_files < MAX_FILES) {
		if (e->d_name[0] == '.' &&
		    (!e->d_name[1] || (e->d_name[1] == '.' && !e->d_name[2])))
			continue;
		char *child;
		if (asprintf(&child, "%s/%s", path, e->d_name) < 0)
			break;
		struct stat st;
		if (lstat(child, &st) == 0 && S_ISDIR(st.st_mode)) {
			list_dir(d, cap, child, depth + 1);
			free(child);
			continue;
		}
		char *key = module_key(e->d_name);
		if (!key || !add_file(d, cap, key, child)) {
			free(key);
			free(child);
		}
	}
	closedir(dir);
}

// The modules depmod listed in DIR/modules.dep ("kernel/fs/x.ko: deps"):
// a module tree's files without walking it. False if there is no such
// file.
static bool list_depmod(struct dir *d, size_t *cap)
{
	_cleanup_free_ char *dep = NULL;
	if (asprintf(&dep, "%s/modules.dep", d->path) < 0)
		return false;
	FILE *f = fopen(dep, "re");
	if (!f)
		return false;
	char *line = NULL;
	size_t size = 0;
	while (getline(&line, &size, f) > 0 && d->nr_files < MAX_FILES) {
		char *colon = strchr(line, ':');
		if (!colon || colon == line)
			continue;
		*colon = '\0';
		const char *base = strrchr(line, '/');
		char *key = module_key(base ? base + 1 : line);
		char *path = NULL;
		if (key && asprintf(&path, "%s/%s", d->path, line) < 0)
			path = NULL;
		if (!key || !path || !add_file(d, cap, key, path)) {
			free(key);
			free(path);
		}
	}
	free(line);
	fclose(f);
	return true;
}

// -m's directories, else /lib/modules/RELEASE and
// /usr/lib/debug/lib/modules/RELEASE (RELEASE from VMCOREINFO).
static struct vmca_error *add_dirs(struct vmca_session *s,
				   struct vmca_module_debuginfo_table *t)
{
	size_t n;
	const char *const *dirs = vmca_session_module_dirs(s, &n);
	char *defaults[2] = {NULL, NULL};
	const char *release = vmca_vmcoreinfo(s, "OSRELEASE");
	if (!n && release && !strchr(release, '/')) {
		if (asprintf(&defaults[0], "/lib/modules/%s", release) < 0)
			defaults[0] = NULL;
		if (asprintf(&defaults[1], "/usr/lib/debug/lib/modules/%s",
			     release) < 0)
			defaults[1] = NULL;
		if (!defaults[0] || !defaults[1]) {
			free(defaults[0]);
			free(defaults[1]);
			return &vmca_enomem;
		}
	}
	size_t total = n ? n : (defaults[0] ? 2 : 0);
	t->dirs = calloc(total ? total : 1, sizeof(*t->dirs));
	if (!t->dirs) {
		free(defaults[0]);
		free(defaults[1]);
		return &vmca_enomem;
	}
	for (size_t i = 0; i < total; i++) {
		t->dirs[i].path = n ? strdup(dirs[i]) : defaults[i];
		if (!t->dirs[i].path)
			return &vmca_enomem;
		t->nr_dirs = i + 1;
	}
	return NULL;
}

static struct vmca_error *table(struct vmca_session *s,
				struct vmca_module_debuginfo_table **ret)
{
	struct vmca_module_debuginfo_table **slot =
		vmca_session_module_debuginfo_table(s);
	if (!*slot) {
		const struct vmca_module *mods;
		size_t n;
		struct vmca_error *err = vmca_modules(s, &mods, &n);
		if (err)
			return err;
		struct vmca_module_debuginfo_table *t = calloc(1, sizeof(*t));
		if (!t)
			return &vmca_enomem;
		t->slots = calloc(n ? n : 1, sizeof(*t->slots));
		t->nr_slots = n;
		err = t->slots ? add_dirs(s, t) : &vmca_enomem;
		if (err) {
			vmca_module_debuginfo_table_destroy(t);
			return err;
		}
		*slot = t;
	}
	*ret = *slot;
	return NULL;
}

// The sections of m as the debuginfo layer takes them (borrowed names).
static struct vmca_debuginfo_section_load *loads_of(const struct vmca_module *m)
{
	struct vmca_debuginfo_section_load *loads =
		calloc(m->nr_sections ? m->nr_sections : 1, sizeof(*loads));
	if (!loads)
		return NULL;
	for (size_t i = 0; i < m->nr_sections; i++) {
		loads[i].name = m->sections[i].name;
		loads[i].address = m->sections[i].address;
	}
	return loads;
}

// Whether path is m's debuginfo: DWARF, and the loaded module's build-id.
// A file of another build-id is skipped with a warning; one without DWARF
// (a stripped module) quietly; one for a module whose build-id cannot be
// read is used, with a warning.
static bool is_match(struct vmca_session *s, const struct vmca_module *m,
		     const char *path)
{
	struct vmca_debuginfo_file_info info;
	struct vmca_error *err = vmca_debuginfo_file_probe(path, &info);
	if (err) {
		vmca_session_warn(s, "%s: skipped: %s", path, err->message);
		vmca_error_destroy(err);
		return false;
	}
	if (!info.has_debug_info)
		return false;
	if (*m->build_id && strcmp(info.build_id, m->build_id) != 0) {
		vmca_session_warn(s,
				  "%s: build-id %s differs from the loaded "
				  "module %s's %s: skipped",
				  path,
				  *info.build_id ? info.build_id : "(none)",
				  m->name, m->build_id);
		return false;
	}
	// Without the loaded module's build-id (its note's page is missing
	// or damaged) nothing ties the file to it: say so.
	if (!*m->build_id)
		vmca_session_warn(s,
				  "%s: the loaded module %s's build-id cannot "
				  "be read from the dump: used unverified",
				  path, m->name);
	return true;
}

// The file of m's debuginfo (owned by the caller).
static struct vmca_error *locate(struct vmca_session *s,
				 struct vmca_module_debuginfo_table *t,
				 const struct vmca_module *m, char **ret)
{
	char key[sizeof(m->name)];
	snprintf(key, sizeof(key), "%s", m->name);
	for (char *p = key; *p; p++)
		if (*p == '-')
			*p = '_';
	for (size_t i = 0; i < t->nr_dirs; i++) {
		struct dir *d = &t->dirs[i];
		// By build-id first: that file is the one.
		if (strlen(m->build_id) > 2) {
			char *path = NULL;
			if (asprintf(&path, "%s/.build-id/%.2s/%s.debug",
				     d->path, m->build_id, m->build_id + 2) < 0)
				return &vmca_enomem;
			struct stat st;
			if (stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
			    is_match(s, m, path)) {
				*ret = path;
				return NULL;
			}
			free(path);
		}
		if (!d->is_listed) {
			size_t cap = 0;
			if (!list_depmod(d, &cap))
				list_dir(d, &cap, d->path, 0);
			d->is_listed = true;
		}
		// NAME.ko.debug before NAME.ko: a stripped module may sit
		// beside its separate debuginfo.
		for (int pass = 0; pass < 2; pass++) {
			for (size_t j = 0; j < d->nr_files; j++) {
				const struct candidate *c = &d->files[j];
				size_t len = strlen(c->path);
				bool is_debug =
					len > 6 && strcmp(c->path + len - 6,
							  ".debug") == 0;
				if (strcmp(c->key, key) != 0 ||
				    is_debug != (pass == 0) ||
				    !is_match(s, m, c->path))
					continue;
				*ret = strdup(c->path);
				return *ret ? NULL : &vmca_enomem;
			}
		}
	}
	return vmca_error_create(VMCA_ERROR_NOT_FOUND,
				 "no debuginfo of module %s (give -m DIR "
				 "with %s.ko)",
				 m->name, m->name);
}

static struct vmca_error *open_located(struct vmca_session *s,
				       const struct vmca_module *m,
				       const char *path,
				       struct vmca_debuginfo **ret)
{
	if (m->sections_error)
		return vmca_error_wrap(
			vmca_error_create(m->sections_error->code, "%s",
					  m->sections_error->message),
			"debuginfo of module %s", m->name);
	struct vmca_debuginfo_section_load *loads = loads_of(m);
	if (!loads)
		return &vmca_enomem;
	struct vmca_error *err = vmca_debuginfo_create_module(
		path, vmca_session_cache_dir(s), loads, m->nr_sections, ret);
	free(loads);
	return err;
}

// m's slot, its file located (or why there is none).
static struct vmca_error *located_slot(struct vmca_session *s,
				       const struct vmca_module *m,
				       struct slot **ret)
{
	struct vmca_module_debuginfo_table *t;
	struct vmca_error *err = table(s, &t);
	if (err)
		return err;
	const struct vmca_module *mods;
	size_t n;
	err = vmca_modules(s, &mods, &n);
	if (err)
		return err;
	if (m < mods || (size_t)(m - mods) >= t->nr_slots)
		return vmca_error_create(VMCA_ERROR_NOT_FOUND,
					 "not a loaded module");
	struct slot *slot = &t->slots[m - mods];
	if (!slot->is_located) {
		slot->is_located = true;
		slot->locate_error = locate(s, t, m, &slot->path);
	}
	if (slot->locate_error)
		return vmca_error_create(slot->locate_error->code, "%s",
					 slot->locate_error->message);
	*ret = slot;
	return NULL;
}

struct vmca_error *vmca_module_debuginfo_locate(struct vmca_session *s,
						const struct vmca_module *m,
						const char **path_ret)
{
	struct slot *slot = NULL;
	struct vmca_error *err = located_slot(s, m, &slot);
	if (err)
		return err;
	*path_ret = slot->path;
	return NULL;
}

struct vmca_error *vmca_module_debuginfo(struct vmca_session *s,
					 const struct vmca_module *m,
					 struct vmca_debuginfo **di_ret,
					 uint32_t *type_base_ret)
{
	struct slot *slot = NULL;
	struct vmca_error *err = located_slot(s, m, &slot);
	if (err)
		return err;
	if (!slot->is_tried) {
		slot->is_tried = true;
		err = open_located(s, m, slot->path, &slot->di);
		if (!err) {
			err = vmca_type_table_add(vmca_session_type_table(s),
						  slot->di, &slot->type_base);
			if (err) {
				vmca_debuginfo_destroy(slot->di);
				slot->di = NULL;
			}
		}
		slot->error = err;
	}
	if (slot->error)
		return vmca_error_create(slot->error->code, "%s",
					 slot->error->message);
	*di_ret = slot->di;
	*type_base_ret = slot->type_base;
	return NULL;
}

size_t vmca_module_debuginfo_load_all(struct vmca_session *s)
{
	const struct vmca_module *mods;
	size_t n, loaded = 0;
	if (!vmca_error_consume(vmca_modules(s, &mods, &n)))
		return 0;
	for (size_t i = 0; i < n; i++) {
		struct vmca_debuginfo *di;
		uint32_t base;
		loaded += vmca_error_consume(
			vmca_module_debuginfo(s, &mods[i], &di, &base));
	}
	return loaded;
}

struct vmca_error *vmca_module_variable(struct vmca_session *s,
					const char *name,
					struct vmca_variable *ret)
{
	struct vmca_symbol sym;
	struct vmca_error *err = vmca_module_symbol_by_name(s, name, &sym);
	if (err)
		return err;
	const struct vmca_module *mods;
	size_t n;
	err = vmca_modules(s, &mods, &n);
	if (err)
		return err;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(mods[i].name, sym.module) != 0)
			continue;
		struct vmca_debuginfo *di;
		uint32_t base, type;
		err = vmca_module_debuginfo(s, &mods[i], &di, &base);
		if (!err)
			err = vmca_debuginfo_variable_type(di, name, &type);
		if (err)
			return err;
		ret->address = sym.address;
		ret->type = type ? base + type : 0;
		return NULL;
	}
	return vmca_error_create(VMCA_ERROR_NOT_FOUND, "no module %s loaded",
				 sym.module);
}

// SPDX-License-Identifier: MIT
/** @file struct vmca_session: owns the dump, the debuginfo and caches. */
#include <errno.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../dwarf/debuginfo.h"
#include "vmca.h"
#include "unwind.h"

struct vmca_session {
	char *vmcore_path;
	char *vmlinux_path;
	char *cache_dir;
	struct vmca_memory *memory;
	struct vmca_debuginfo *debuginfo;
	struct vmca_type_table *types;
	struct vmca_module_table *modules;
	struct vmca_module_debuginfo_table *module_debuginfo;
	struct vmca_unwind_cache *unwind;
	/** -m's directories (owned). */
	char **module_dirs;
	size_t nr_module_dirs;
	/** Warnings for main.c to print, in order (owned). */
	char **warnings;
	size_t nr_warnings;
	uint64_t kaslr_offset;
	uint64_t page_size;
	// The link-time per-CPU section when it is zero-based (x86_64 SMP):
	// its symbols are offsets into each CPU's area, not relocated.
	bool percpu_known;
	uint64_t percpu_start, percpu_end;
	/** What main.c exits with after a command that ran (0 default). */
	int exit_status;
	/** vmca_session_set_deadline(): CLOCK_MONOTONIC seconds, 0 none. */
	double deadline, deadline_seconds;
	/** Set once a read found the deadline passed: all reads then fail. */
	_Atomic bool is_expired;
};

// mkdir -p; failures are left to the caller's later open to report.
static void make_dirs(const char *path)
{
	_cleanup_free_ char *copy = strdup(path);
	if (!copy)
		return;
	for (char *p = copy + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			mkdir(copy, 0755);
			*p = '/';
		}
	}
	mkdir(copy, 0755);
}

static char *default_cache_dir(void)
{
	char *dir = NULL;
	const char *env = getenv("VMCA_CACHE_DIR");
	if (env && *env)
		return strdup(env);
	env = getenv("XDG_CACHE_HOME");
	if (env && *env) {
		if (asprintf(&dir, "%s/vmca", env) < 0)
			return NULL;
		return dir;
	}
	env = getenv("HOME");
	if (env && *env) {
		if (asprintf(&dir, "%s/.cache/vmca", env) < 0)
			return NULL;
		return dir;
	}
	return NULL;
}

static bool is_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static bool is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

// Where a vmlinux usually is, in order: next to the dump, the build-id
// path of the debug packages, their release paths. With root (-k DIR, a
// fleet's debuginfo tree) only under root: root/vmlinux-RELEASE,
// root/RELEASE/vmlinux, and root's own build-id and release paths.
static struct vmca_error *find_vmlinux(struct vmca_session *s, const char *root,
				       char **ret)
{
	const char *release = vmca_memory_vmcoreinfo(s->memory, "OSRELEASE");
	const char *build_id = vmca_memory_vmcoreinfo(s->memory, "BUILD-ID");
	_cleanup_free_ char *dir = strdup(s->vmcore_path);
	if (!dir)
		return &vmca_enomem;
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	else
		strcpy(dir, ".");

	char *candidates[8] = {0};
	int n = 0;
	const char *debug = root ? root : "/usr/lib/debug";
	if (root) {
		if (release && asprintf(&candidates[n], "%s/vmlinux-%s", root,
					release) >= 0)
			n++;
		if (release && asprintf(&candidates[n], "%s/%s/vmlinux", root,
					release) >= 0)
			n++;
	} else {
		if (asprintf(&candidates[n], "%s/vmlinux", dir) >= 0)
			n++;
		if (release && asprintf(&candidates[n], "%s/vmlinux-%s", dir,
					release) >= 0)
			n++;
	}
	if (build_id && strlen(build_id) > 2 &&
	    asprintf(&candidates[n], "%s/.build-id/%.2s/%s.debug", debug,
		     build_id, build_id + 2) >= 0)
		n++;
	if (release &&
	    asprintf(&candidates[n], "%s/boot/vmlinux-%s", debug, release) >= 0)
		n++;
	if (release && asprintf(&candidates[n], "%s/lib/modules/%s/vmlinux",
				debug, release) >= 0)
		n++;

	int found = -1;
	for (int i = 0; i < n && found < 0; i++) {
		if (is_file(candidates[i]))
			found = i;
	}
	struct vmca_error *err = NULL;
	if (found >= 0) {
		*ret = candidates[found];
		candidates[found] = NULL;
	} else {
		err = vmca_error_create(
			VMCA_ERROR_NOT_FOUND,
			"%s: no vmlinux found (looked %s%s for release %s); "
			"give one with -k",
			s->vmcore_path,
			root ? "under " : "next to the dump and under ", debug,
			release ? release : "(unknown)");
	}
	for (int i = 0; i < n; i++)
		free(candidates[i]);
	return err;
}

static struct vmca_error *check_build_id(struct vmca_session *s)
{
	const char *dump_id = vmca_memory_vmcoreinfo(s->memory, "BUILD-ID");
	const char *elf_id = vmca_debuginfo_build_id(s->debuginfo);
	if (!dump_id || !*dump_id || !elf_id || !*elf_id)
		return NULL;
	// VMCOREINFO carries the hex of the note's bytes; compare as much as
	// both have.
	size_t len = strlen(dump_id) < strlen(elf_id) ? strlen(dump_id)
						      : strlen(elf_id);
	if (strncasecmp(dump_id, elf_id, len) == 0)
		return NULL;
	return vmca_error_create(
		VMCA_ERROR_MISMATCH,
		"%s does not match the dump %s: vmlinux build-id %s, dump "
		"build-id %s (use --force to override)",
		s->vmlinux_path, s->vmcore_path, elf_id, dump_id);
}

struct vmca_error *vmca_session_create(const struct vmca_session_options *opts,
				       struct vmca_session **ret)
{
	struct vmca_error *err;
	struct vmca_session *s = calloc(1, sizeof(*s));
	if (!s)
		return &vmca_enomem;
	s->vmcore_path = strdup(opts->vmcore_path);
	s->cache_dir =
		opts->cache_dir ? strdup(opts->cache_dir) : default_cache_dir();
	if (!s->vmcore_path) {
		err = &vmca_enomem;
		goto fail;
	}
	if (s->cache_dir)
		make_dirs(s->cache_dir);
	s->module_dirs =
		calloc(opts->nmodule_dirs + 1, sizeof(*s->module_dirs));
	if (!s->module_dirs) {
		err = &vmca_enomem;
		goto fail;
	}
	for (size_t i = 0; i < opts->nmodule_dirs; i++) {
		struct stat st;
		if (stat(opts->module_dirs[i], &st) < 0) {
			err = vmca_error_os(errno, "%s", opts->module_dirs[i]);
			goto fail;
		}
		if (!S_ISDIR(st.st_mode)) {
			err = vmca_error_create(VMCA_ERROR_USAGE,
						"%s: not a directory",
						opts->module_dirs[i]);
			goto fail;
		}
		s->module_dirs[i] = strdup(opts->module_dirs[i]);
		if (!s->module_dirs[i]) {
			err = &vmca_enomem;
			goto fail;
		}
		s->nr_module_dirs = i + 1;
	}

	err = vmca_memory_create(s->vmcore_path, s->cache_dir, &s->memory);
	if (err)
		goto fail;

	if (opts->vmlinux_path && is_dir(opts->vmlinux_path)) {
		err = find_vmlinux(s, opts->vmlinux_path, &s->vmlinux_path);
		if (err)
			goto fail;
	} else if (opts->vmlinux_path) {
		s->vmlinux_path = strdup(opts->vmlinux_path);
		if (!s->vmlinux_path) {
			err = &vmca_enomem;
			goto fail;
		}
	} else {
		err = find_vmlinux(s, NULL, &s->vmlinux_path);
		if (err)
			goto fail;
	}

	err = opts->is_btf
		      ? vmca_debuginfo_create_btf(s->vmlinux_path, s->cache_dir,
						  &s->debuginfo)
		      : vmca_debuginfo_create(s->vmlinux_path, s->cache_dir,
					      &s->debuginfo);
	if (err)
		goto fail;
	err = vmca_type_table_create(s->debuginfo, &s->types);
	if (err)
		goto fail;

	if (!opts->is_forced) {
		err = check_build_id(s);
		if (err)
			goto fail;
	}

	err = vmca_memory_setup(s->memory,
				vmca_debuginfo_machine(s->debuginfo));
	if (err)
		goto fail;

	const char *offset = vmca_memory_vmcoreinfo(s->memory, "KERNELOFFSET");
	if (offset)
		s->kaslr_offset = strtoull(offset, NULL, 16);
	const char *page_size = vmca_memory_vmcoreinfo(s->memory, "PAGESIZE");
	s->page_size = page_size ? strtoull(page_size, NULL, 10) : 4096;
	if (s->page_size < 512 || (s->page_size & (s->page_size - 1)))
		s->page_size = 4096;

	*ret = s;
	return NULL;

fail:
	vmca_session_destroy(s);
	return err;
}

void vmca_session_destroy(struct vmca_session *s)
{
	if (!s)
		return;
	// Module debuginfo is borrowed by the type table: after it.
	vmca_module_table_destroy(s->modules);
	vmca_type_table_destroy(s->types);
	vmca_module_debuginfo_table_destroy(s->module_debuginfo);
	vmca_unwind_cache_destroy(s->unwind);
	for (size_t i = 0; i < s->nr_module_dirs; i++)
		free(s->module_dirs[i]);
	free(s->module_dirs);
	for (size_t i = 0; i < s->nr_warnings; i++)
		free(s->warnings[i]);
	free(s->warnings);
	vmca_debuginfo_destroy(s->debuginfo);
	vmca_memory_destroy(s->memory);
	free(s->vmcore_path);
	free(s->vmlinux_path);
	free(s->cache_dir);
	free(s);
}

struct vmca_memory *vmca_session_memory(const struct vmca_session *s)
{
	return s->memory;
}

const char *vmca_session_machine(const struct vmca_session *s)
{
	return vmca_debuginfo_machine(s->debuginfo);
}

struct vmca_module_table **vmca_session_module_table(struct vmca_session *s)
{
	return &s->modules;
}

struct vmca_unwind_cache **vmca_session_unwind_cache(struct vmca_session *s)
{
	return &s->unwind;
}

struct vmca_module_debuginfo_table **
vmca_session_module_debuginfo_table(struct vmca_session *s)
{
	return &s->module_debuginfo;
}

const char *const *vmca_session_module_dirs(const struct vmca_session *s,
					    size_t *nr_ret)
{
	*nr_ret = s->nr_module_dirs;
	return (const char *const *)s->module_dirs;
}

const char *vmca_session_cache_dir(const struct vmca_session *s)
{
	return s->cache_dir;
}

void vmca_session_set_exit_status(struct vmca_session *s, int status)
{
	s->exit_status = status;
}

int vmca_session_exit_status(const struct vmca_session *s)
{
	return s->exit_status;
}

void vmca_session_warn(struct vmca_session *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg;
	int n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	char **w = realloc(s->warnings,
			   (s->nr_warnings + 1) * sizeof(*s->warnings));
	if (!w) {
		free(msg);
		return;
	}
	s->warnings = w;
	s->warnings[s->nr_warnings++] = msg;
}

const char *const *vmca_session_warnings(const struct vmca_session *s,
					 size_t *nr_ret)
{
	*nr_ret = s->nr_warnings;
	return (const char *const *)s->warnings;
}

struct vmca_type_table *vmca_session_type_table(struct vmca_session *s)
{
	return s->types;
}

const char *vmca_session_vmcore_path(const struct vmca_session *s)
{
	return s->vmcore_path;
}

const char *vmca_session_vmlinux_path(const struct vmca_session *s)
{
	return s->vmlinux_path;
}

uint64_t vmca_session_kaslr_offset(const struct vmca_session *s)
{
	return s->kaslr_offset;
}

const char *vmca_session_dump_format(const struct vmca_session *s)
{
	return vmca_memory_format(s->memory);
}

bool vmca_session_is_flattened(const struct vmca_session *s)
{
	return vmca_memory_is_flattened(s->memory);
}

const char *vmca_session_build_id(const struct vmca_session *s)
{
	return vmca_debuginfo_build_id(s->debuginfo);
}

uint64_t vmca_session_page_size(const struct vmca_session *s)
{
	return s->page_size;
}

struct vmca_debuginfo *vmca_session_debuginfo(const struct vmca_session *s)
{
	return s->debuginfo;
}

const char *vmca_vmcoreinfo(struct vmca_session *s, const char *key)
{
	return vmca_memory_vmcoreinfo(s->memory, key);
}

static double monotonic_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void vmca_session_set_deadline(struct vmca_session *s, double seconds)
{
	s->deadline_seconds = seconds > 0 ? seconds : 0;
	s->deadline = seconds > 0 ? monotonic_s() + seconds : 0;
	atomic_store(&s->is_expired, false);
}

bool vmca_session_expired(const struct vmca_session *s)
{
	return s->deadline > 0 && monotonic_s() > s->deadline;
}

struct vmca_error *vmca_session_timeout_error(const struct vmca_session *s)
{
	return vmca_error_create(VMCA_ERROR_TIMEOUT,
				 "no result within the timeout (%g s)",
				 s->deadline_seconds);
}

// Past the deadline, reads fail: every walk then ends at its next read.
// The clock is asked every 64th read (of each thread); once it has
// passed, every read fails.
static bool read_expired(struct vmca_session *s)
{
	static _Thread_local unsigned tick;
	if (!(s->deadline > 0))
		return false;
	if (atomic_load(&s->is_expired))
		return true;
	if ((tick++ & 63) || !vmca_session_expired(s))
		return false;
	atomic_store(&s->is_expired, true);
	return true;
}

struct vmca_error *vmca_read(struct vmca_session *s, uint64_t vaddr, void *buf,
			     size_t len)
{
	if (read_expired(s))
		return vmca_session_timeout_error(s);
	return vmca_memory_read(s->memory, vaddr, buf, len);
}

struct vmca_error *vmca_read_phys(struct vmca_session *s, uint64_t paddr,
				  void *buf, size_t len)
{
	if (read_expired(s))
		return vmca_session_timeout_error(s);
	return vmca_memory_read_phys(s->memory, paddr, buf, len);
}

struct vmca_error *vmca_read_u64(struct vmca_session *s, uint64_t vaddr,
				 uint64_t *ret)
{
	uint64_t v;
	struct vmca_error *err = vmca_read(s, vaddr, &v, sizeof(v));
	if (!err)
		*ret = v;
	return err;
}

struct vmca_error *vmca_read_u32(struct vmca_session *s, uint64_t vaddr,
				 uint32_t *ret)
{
	uint32_t v;
	struct vmca_error *err = vmca_read(s, vaddr, &v, sizeof(v));
	if (!err)
		*ret = v;
	return err;
}

struct vmca_error *vmca_read_string(struct vmca_session *s, uint64_t vaddr,
				    char *buf, size_t size)
{
	if (!size)
		return NULL;
	size_t done = 0;
	buf[0] = '\0';
	// Read page by page so a string that ends before an unreadable page
	// is still read whole.
	while (done + 1 < size) {
		uint64_t addr = vaddr + done;
		size_t chunk = s->page_size - (addr & (s->page_size - 1));
		if (chunk > size - 1 - done)
			chunk = size - 1 - done;
		struct vmca_error *err = vmca_read(s, addr, buf + done, chunk);
		if (err) {
			buf[done] = '\0';
			if (done)
				vmca_error_destroy(err);
			return done ? NULL : err;
		}
		char *nul = memchr(buf + done, '\0', chunk);
		if (nul)
			return NULL;
		done += chunk;
	}
	buf[done] = '\0';
	return NULL;
}

struct vmca_error *vmca_vtop(struct vmca_session *s, uint64_t vaddr,
			     struct vmca_vtop *ret)
{
	return vmca_memory_vtop(s->memory, vaddr, ret);
}

struct vmca_error *vmca_symbol_address(struct vmca_session *s, const char *name,
				       uint64_t *ret)
{
	struct vmca_symbol sym;
	struct vmca_error *err = vmca_symbol_by_name(s, name, &sym);
	if (err)
		return err;
	*ret = sym.address;
	return NULL;
}

// Whether a link-time address is in the zero-based per-CPU section
// (__per_cpu_start is 0): KASLR leaves those symbols as they are
// (arch/x86/tools/relocs.c relocates per-CPU references inversely).
static bool is_percpu_symbol(struct vmca_session *s, uint64_t address)
{
	if (!s->percpu_known) {
		struct vmca_symbol start, end;
		s->percpu_known = true;
		if (vmca_error_consume(vmca_debuginfo_symbol_by_name(
			    s->debuginfo, "__per_cpu_start", &start)) &&
		    vmca_error_consume(vmca_debuginfo_symbol_by_name(
			    s->debuginfo, "__per_cpu_end", &end)) &&
		    start.address == 0) {
			s->percpu_start = start.address;
			s->percpu_end = end.address;
		}
	}
	return address >= s->percpu_start && address < s->percpu_end;
}

struct vmca_error *vmca_symbol_by_name(struct vmca_session *s, const char *name,
				       struct vmca_symbol *ret)
{
	struct vmca_symbol sym;
	struct vmca_error *err =
		vmca_debuginfo_symbol_by_name(s->debuginfo, name, &sym);
	if (err) {
		// A module's, from its kallsyms in the dump.
		if (vmca_error_consume(
			    vmca_module_symbol_by_name(s, name, ret))) {
			vmca_error_destroy(err);
			return NULL;
		}
		return err;
	}
	if (!is_percpu_symbol(s, sym.address))
		sym.address += s->kaslr_offset;
	*ret = sym;
	return NULL;
}

struct vmca_error *vmca_symbol_lookup(struct vmca_session *s, uint64_t address,
				      struct vmca_symbol *ret)
{
	// Module memory first: vmlinux's last symbol is below all of it.
	if (vmca_module_at(s, address))
		return vmca_module_symbol_lookup(s, address, ret);
	struct vmca_symbol sym;
	struct vmca_error *err = vmca_debuginfo_symbol_by_address(
		s->debuginfo, address - s->kaslr_offset, &sym);
	if (err)
		return err;
	sym.address += s->kaslr_offset;
	*ret = sym;
	return NULL;
}

struct vmca_error *vmca_parse_task(struct vmca_session *s, const char *arg,
				   uint64_t *ret)
{
	uint64_t pid;
	if (vmca_parse_u64(arg, &pid) && pid < (UINT64_C(1) << 32))
		return vmca_task_by_pid(s, pid, ret);
	return vmca_parse_address(s, arg, ret);
}

struct vmca_error *vmca_function_lookup(struct vmca_session *s,
					uint64_t address,
					struct vmca_symbol *ret)
{
	struct vmca_error *err = vmca_symbol_lookup(s, address, ret);
	const struct vmca_module *m;
	if (err || !ret->module || !(m = vmca_module_at(s, address)))
		return err;
	// A module's kallsyms have no sizes; its debuginfo's ELF symbols do
	// (relocated to where it was loaded).
	struct vmca_debuginfo *di;
	uint32_t base;
	struct vmca_symbol exact;
	if (vmca_error_consume(vmca_module_debuginfo(s, m, &di, &base)) &&
	    vmca_error_consume(
		    vmca_debuginfo_symbol_by_address(di, address, &exact)) &&
	    exact.address == ret->address && exact.size)
		ret->size = exact.size; // (an alias, init_module, is as good)
	return NULL;
}

struct vmca_error *vmca_debuginfo_at(struct vmca_session *s, uint64_t address,
				     struct vmca_debuginfo **di_ret,
				     uint64_t *link_ret, uint64_t *bias_ret)
{
	const struct vmca_module *m = vmca_module_at(s, address);
	if (m) {
		// A module's debuginfo is relocated to where it was loaded.
		uint32_t base;
		struct vmca_error *err =
			vmca_module_debuginfo(s, m, di_ret, &base);
		if (err)
			return err;
		*link_ret = address;
		*bias_ret = 0;
		return NULL;
	}
	*di_ret = s->debuginfo;
	*link_ret = address - s->kaslr_offset;
	*bias_ret = s->kaslr_offset;
	return NULL;
}

struct vmca_error *vmca_pc_lookup(struct vmca_session *s, uint64_t address,
				  struct vmca_debuginfo_pc *ret)
{
	struct vmca_debuginfo *di;
	uint64_t link, bias;
	struct vmca_error *err =
		vmca_debuginfo_at(s, address, &di, &link, &bias);
	if (!err)
		err = vmca_debuginfo_pc_lookup(di, link, ret);
	if (err)
		return err;
	// Assembly has lines but no function in DWARF: the symbol table
	// names it, as addr2line does.
	struct vmca_debuginfo_location *inner = &ret->frames[0];
	struct vmca_symbol sym;
	if (ret->nr_frames == 1 && !inner->function &&
	    vmca_error_consume(vmca_symbol_lookup(s, address, &sym)) &&
	    ret->strings_len + strlen(sym.name) + 1 <= sizeof(ret->strings)) {
		char *name = ret->strings + ret->strings_len;
		strcpy(name, sym.name);
		ret->strings_len += strlen(sym.name) + 1;
		inner->function = name;
	}
	return NULL;
}

bool vmca_parse_u64(const char *arg, uint64_t *ret)
{
	if (!arg || !*arg || *arg == '-' || *arg == '+')
		return false;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(arg, &end, 0);
	if (errno || *end)
		return false;
	*ret = v;
	return true;
}

bool vmca_parse_hex(const char *arg, uint64_t *ret)
{
	if (arg[0] == '0' && (arg[1] == 'x' || arg[1] == 'X'))
		arg += 2;
	if (!*arg || *arg == '-' || *arg == '+')
		return false;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(arg, &end, 16);
	if (errno || *end)
		return false;
	*ret = v;
	return true;
}

struct vmca_error *vmca_parse_address(struct vmca_session *s, const char *arg,
				      uint64_t *ret)
{
	// Hex is the convention for addresses, with or without 0x.
	if (vmca_parse_hex(arg, ret))
		return NULL;
	_cleanup_free_ char *name = strdup(arg);
	if (!name)
		return &vmca_enomem;
	uint64_t offset = 0;
	char *plus = strchr(name, '+');
	if (plus) {
		*plus = '\0';
		if (!vmca_parse_u64(plus + 1, &offset))
			return vmca_error_create(VMCA_ERROR_USAGE,
						 "bad offset in '%s'", arg);
	}
	uint64_t address;
	struct vmca_error *err = vmca_symbol_address(s, name, &address);
	if (err) {
		vmca_error_destroy(err);
		return vmca_error_create(VMCA_ERROR_NOT_FOUND,
					 "'%s' is neither an address nor a "
					 "symbol",
					 arg);
	}
	*ret = address + offset;
	return NULL;
}

uint64_t vmca_decode_int(struct vmca_session *s, uint32_t type, const void *buf,
			 size_t len, uint64_t bit_offset, uint32_t bit_size)
{
	struct vmca_type t;
	vmca_type_info(s, vmca_type_unqualified(s, type), &t);
	bool is_signed = t.is_signed;
	if (t.kind == VMCA_TYPE_ENUM && t.target) {
		struct vmca_type under;
		vmca_type_info(s, t.target, &under);
		is_signed = under.is_signed;
	}
	uint64_t size = t.size;
	if (t.kind == VMCA_TYPE_POINTER && !size)
		size = 8;
	const unsigned char *p = buf;
	uint64_t v = 0;
	if (bit_size) {
		// Little-endian bitfield: gather the bits from the bytes.
		if (bit_size > 64)
			bit_size = 64;
		for (uint32_t i = 0; i < bit_size; i++) {
			uint64_t bit = bit_offset + i;
			if (bit / 8 >= len)
				break;
			if (p[bit / 8] >> (bit % 8) & 1)
				v |= UINT64_C(1) << i;
		}
		if (is_signed && bit_size < 64 && (v >> (bit_size - 1) & 1))
			v |= ~UINT64_C(0) << bit_size;
		return v;
	}
	size_t start = (size_t)(bit_offset / 8);
	if (size > 8)
		size = 8;
	if (start >= len || size > len - start)
		return 0;
	memcpy(&v, p + start, (size_t)size);
	if (is_signed && size && size < 8 && (v >> (size * 8 - 1) & 1))
		v |= ~UINT64_C(0) << (size * 8);
	return v;
}

struct vmca_error *vmca_read_member(struct vmca_session *s, uint64_t vaddr,
				    const char *type_name, const char *path,
				    uint64_t *ret)
{
	struct vmca_member m;
	struct vmca_error *err = vmca_type_member(s, type_name, path, &m);
	if (err)
		return err;
	struct vmca_type t;
	vmca_type_info(s, vmca_type_unqualified(s, m.type), &t);
	uint64_t size = t.size ? t.size : 8;
	if (size > 8)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "%s.%s is not a scalar", type_name,
					 path);
	unsigned char buf[16] = {0};
	uint64_t start = m.bit_offset / 8;
	uint64_t bit_in = m.bit_offset % 8;
	size_t len = m.bit_size ? (size_t)((bit_in + m.bit_size + 7) / 8)
				: (size_t)size;
	if (len > sizeof(buf))
		len = sizeof(buf);
	err = vmca_read(s, vaddr + start, buf, len);
	if (err)
		return vmca_error_wrap(err, "reading %s.%s at %#" PRIx64,
				       type_name, path, vaddr);
	*ret = vmca_decode_int(s, m.type, buf, len, m.bit_size ? bit_in : 0,
			       m.bit_size);
	return NULL;
}

struct vmca_error *vmca_variable(struct vmca_session *s, const char *name,
				 struct vmca_variable *ret)
{
	uint32_t type;
	struct vmca_error *err =
		vmca_debuginfo_variable_type(s->debuginfo, name, &type);
	if (err && err->code == VMCA_ERROR_NOT_FOUND &&
	    vmca_debuginfo_is_btf(s->debuginfo)) {
		vmca_error_destroy(err);
		err = vmca_kernel_variable_type(s, name, &type);
	}
	if (err)
		return err;
	uint64_t address;
	err = vmca_symbol_address(s, name, &address);
	if (err)
		return err;
	ret->address = address;
	ret->type = type;
	return NULL;
}

// SPDX-License-Identifier: MIT
/** @file Tests of dwarf/ on a real vmlinux, against pahole, nm and readelf. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../../analyzer/util/cleanup.h"
#include "../../dwarf/debuginfo.h"
#include "check.h"

/*
 * usage: debuginfo_test VMLINUX CACHE_DIR EXPECT_FILE
 *        debuginfo_test --tiny ELF       (the program in debuginfo_test.sh)
 *        debuginfo_test --error FILE MESSAGE    (opening FILE fails so;
 *                                                MESSAGE* is a prefix)
 *        debuginfo_test --open VMLINUX CACHE_DIR   (for bench/)
 *
 * EXPECT_FILE, made by debuginfo_test.sh:
 *   B build-id
 *   S kind name size
 *   M kind name member bit_offset bit_size byte_size
 *   E enum enumerator value
 *   Y symbol address nm-letter
 */

static const char *vmlinux_path, *cache_dir, *expect_path;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static struct vmca_debuginfo *open_debuginfo(bool expect_cached)
{
	struct vmca_debuginfo *di = NULL;
	double start = now();
	struct vmca_error *err =
		vmca_debuginfo_create(vmlinux_path, cache_dir, &di);
	double elapsed = now() - start;
	if (err) {
		fprintf(stderr, "open: %s\n", err->message);
		vmca_error_destroy(err);
		CHECK(!"vmca_debuginfo_create");
		return NULL;
	}
	printf("%s open: %.3f s\n", expect_cached ? "warm" : "cold", elapsed);
	CHECK(vmca_debuginfo_was_cached(di) == expect_cached);
	return di;
}

static char *cache_file(struct vmca_debuginfo *di)
{
	char *path;
	if (asprintf(&path, "%s/%s.vmcaidx", cache_dir,
		     vmca_debuginfo_build_id(di)) < 0)
		abort();
	return path;
}

// The whole file at path (malloc'ed), or NULL.
static uint8_t *read_file(const char *path, size_t *size_ret)
{
	_cleanup_fclose_ FILE *f = fopen(path, "rb");
	if (!f || fseek(f, 0, SEEK_END))
		return NULL;
	long size = ftell(f);
	uint8_t *data = size > 0 ? malloc(size) : NULL;
	if (!data || fseek(f, 0, SEEK_SET) ||
	    fread(data, 1, size, f) != (size_t)size) {
		free(data);
		return NULL;
	}
	*size_ret = size;
	return data;
}

static uint32_t type_or_fail(struct vmca_debuginfo *di, const char *name)
{
	uint32_t id = 0;
	struct vmca_error *err = vmca_debuginfo_find_type(di, name, &id);
	if (err) {
		fprintf(stderr, "%s\n", err->message);
		vmca_error_destroy(err);
	}
	CHECK(id != 0);
	return id;
}

static void check_name(struct vmca_debuginfo *di, uint32_t id, const char *var,
		       const char *expected)
{
	char buf[512];
	size_t len = vmca_debuginfo_type_name(di, id, var, buf, sizeof(buf));
	CHECK_STR(buf, expected);
	CHECK(len == strlen(expected));
}

static uint32_t member_type(struct vmca_debuginfo *di, const char *type,
			    const char *path)
{
	struct vmca_member m = {0};
	struct vmca_error *err = vmca_debuginfo_member_path(
		di, type_or_fail(di, type), path, &m);
	if (err) {
		fprintf(stderr, "%s.%s: %s\n", type, path, err->message);
		vmca_error_destroy(err);
	}
	CHECK(!err);
	return m.type;
}

static uint64_t type_size(struct vmca_debuginfo *di, uint32_t id)
{
	struct vmca_type t;
	vmca_debuginfo_type(di, id, &t);
	return t.size;
}

// Every line of the expectations file; a running hash of what the
// queries answered, to compare cold and warm opens.
static uint64_t check_expectations(struct vmca_debuginfo *di)
{
	_cleanup_fclose_ FILE *f = fopen(expect_path, "r");
	CHECK(f != NULL);
	if (!f)
		return 0;
	uint64_t digest = 1469598103934665603ull;
#define MIX(x) (digest = (digest ^ (uint64_t)(x)) * 1099511628211ull)
	char line[1024];
	int nr_members = 0;
	while (fgets(line, sizeof(line), f)) {
		char kind[16], name[256], member[256], value[64];
		uint64_t a, b, c;
		char type_name[600];
		if (sscanf(line, "B %255s", name) == 1) {
			CHECK_STR(vmca_debuginfo_build_id(di), name);
		} else if (sscanf(line, "S %15s %255s %" SCNu64, kind, name,
				  &a) == 3) {
			snprintf(type_name, sizeof(type_name), "%s %s", kind,
				 name);
			uint32_t id = type_or_fail(di, type_name);
			if (type_size(di, id) != a)
				fprintf(stderr,
					"%s: size %" PRIu64
					", pahole says %" PRIu64 "\n",
					type_name, type_size(di, id), a);
			CHECK(type_size(di, id) == a);
			MIX(id);
		} else if (sscanf(line,
				  "M %15s %255s %255s %" SCNu64 " %" SCNu64
				  " %" SCNu64,
				  kind, name, member, &a, &b, &c) == 6) {
			snprintf(type_name, sizeof(type_name), "%s %s", kind,
				 name);
			uint32_t id = type_or_fail(di, type_name);
			struct vmca_member m = {0};
			struct vmca_error *err =
				vmca_debuginfo_member_path(di, id, member, &m);
			if (err) {
				fprintf(stderr, "%s\n", err->message);
				vmca_error_destroy(err);
				CHECK(!"member_path");
				continue;
			}
			uint64_t size = type_size(di, m.type);
			if (m.bit_offset != a || m.bit_size != b || size != c)
				fprintf(stderr,
					"%s.%s: bit offset %" PRIu64
					" bits %u size %" PRIu64
					", pahole says %" PRIu64 " %" PRIu64
					" %" PRIu64 "\n",
					type_name, member, m.bit_offset,
					m.bit_size, size, a, b, c);
			CHECK(m.bit_offset == a && m.bit_size == b &&
			      size == c);
			CHECK_STR(m.name, member);
			char spelled[600];
			vmca_debuginfo_type_name(di, m.type, m.name, spelled,
						 sizeof(spelled));
			for (const char *p = spelled; *p; p++)
				MIX(*p);
			MIX(m.bit_offset);
			nr_members++;
		} else if (sscanf(line, "E %255s %255s %63s", name, member,
				  value) == 3) {
			snprintf(type_name, sizeof(type_name), "enum %s", name);
			uint32_t id = type_or_fail(di, type_name);
			struct vmca_type t;
			vmca_debuginfo_type(di, id, &t);
			bool found = false;
			for (uint32_t i = 0; i < t.count; i++) {
				const char *n;
				int64_t v;
				vmca_debuginfo_enumerator(di, id, i, &n, &v);
				if (strcmp(n, member) != 0)
					continue;
				found = true;
				char got[32];
				if (t.is_signed)
					snprintf(got, sizeof(got), "%" PRId64,
						 v);
				else
					snprintf(got, sizeof(got), "%" PRIu64,
						 (uint64_t)v);
				CHECK_STR(got, value);
				MIX(v);
			}
			CHECK(found);
		} else if (sscanf(line, "Y %255s %" SCNx64 " %15s", name, &a,
				  kind) == 3) {
			struct vmca_symbol sym = {0};
			struct vmca_error *err =
				vmca_debuginfo_symbol_by_name(di, name, &sym);
			CHECK(!err);
			vmca_error_destroy(err);
			CHECK(sym.address == a);
			if (sym.type != kind[0])
				fprintf(stderr, "%s: type %c, nm says %c\n",
					name, sym.type, kind[0]);
			CHECK(sym.type == kind[0]);
			MIX(sym.address);
			// Inside a sized symbol, by address.
			if (sym.size > 1) {
				struct vmca_symbol at = {0};
				err = vmca_debuginfo_symbol_by_address(
					di, a + sym.size - 1, &at);
				CHECK(!err);
				vmca_error_destroy(err);
				CHECK(at.address == a && at.size == sym.size);
			}
		}
	}
	CHECK(nr_members >= 500);
	return digest;
#undef MIX
}

static void check_types(struct vmca_debuginfo *di)
{
	CHECK_STR(vmca_debuginfo_machine(di), "x86_64");

	// Lookup by C name, base type spellings, typedefs.
	uint32_t ul = type_or_fail(di, "unsigned long");
	CHECK(type_or_fail(di, "long unsigned int") == ul);
	CHECK(type_or_fail(di, " unsigned  long ") == ul);
	struct vmca_type t;
	vmca_debuginfo_type(di, ul, &t);
	CHECK(t.kind == VMCA_TYPE_INT && t.size == 8 && !t.is_signed);
	vmca_debuginfo_type(di, type_or_fail(di, "char"), &t);
	CHECK(t.is_char && t.size == 1);
	vmca_debuginfo_type(di, type_or_fail(di, "_Bool"), &t);
	CHECK(t.is_bool);
	CHECK(type_or_fail(di, "task_struct") ==
	      type_or_fail(di, "struct task_struct"));
	uint32_t pg = type_or_fail(di, "pg_data_t");
	vmca_debuginfo_type(di, pg, &t);
	CHECK(t.kind == VMCA_TYPE_TYPEDEF);
	CHECK(vmca_debuginfo_unqualified(di, pg) ==
	      type_or_fail(di, "struct pglist_data"));
	check_name(di, pg, NULL, "pg_data_t");
	uint32_t id;
	struct vmca_error *err =
		vmca_debuginfo_find_type(di, "struct no_such_struct", &id);
	CHECK(err && err->code == VMCA_ERROR_NOT_FOUND);
	CHECK_STR(err ? err->message : NULL,
		  "type 'struct no_such_struct' not found");
	vmca_error_destroy(err);

	// C spellings.
	check_name(di, member_type(di, "struct task_struct", "comm"), NULL,
		   "char [16]");
	check_name(di, member_type(di, "struct task_struct", "comm"), "comm",
		   "char comm[16]");
	check_name(di, member_type(di, "struct task_struct", "mm"), NULL,
		   "struct mm_struct *");
	check_name(di, member_type(di, "struct task_struct", "tasks"), NULL,
		   "struct list_head");
	check_name(di, member_type(di, "struct task_struct", "sched_class"),
		   NULL, "const struct sched_class *");
	check_name(di, member_type(di, "struct callback_head", "func"), NULL,
		   "void (*)(struct callback_head *)");
	check_name(di, member_type(di, "struct file_operations", "read"),
		   "read",
		   "ssize_t (*read)(struct file *, char *, size_t, loff_t *)");
	check_name(di, member_type(di, "struct strset_info", "strings"), NULL,
		   "const char (*)[32]");
	check_name(di, member_type(di, "struct sysrq_key_op", "help_msg"), NULL,
		   "const char *const");
	check_name(di, member_type(di, "struct task_struct", "pid_links"), NULL,
		   "struct hlist_node [4]");
	vmca_debuginfo_type(di, member_type(di, "struct kmem_cache", "name"),
			    &t);
	CHECK(t.kind == VMCA_TYPE_POINTER && t.size == 8);
	check_name(di, 0, NULL, "void");

	// Multi-dimensional arrays are arrays of arrays: the per-memcg LRU
	// sizes (MAX_NR_ZONES by NR_LRU_LISTS, 5 by 5 in Debian's configs)
	// in every kernel of the corpus.
	uint32_t zone_size =
		member_type(di, "struct mem_cgroup_per_node", "lru_zone_size");
	check_name(di, zone_size, NULL, "unsigned long [5][5]");
	vmca_debuginfo_type(di, zone_size, &t);
	CHECK(t.kind == VMCA_TYPE_ARRAY && t.array_len == 5 && t.size == 200);
	vmca_debuginfo_type(di, t.target, &t);
	CHECK(t.kind == VMCA_TYPE_ARRAY && t.array_len == 5 && t.size == 40);
	// And three deep where the multi-gen LRU is (since v6.1).
	const char *lru_gen = "struct lru_gen_folio";
	err = vmca_debuginfo_find_type(di, lru_gen, &id);
	if (err) {
		// Before commit 391655fe08d1 ("mm: multi-gen LRU: rename
		// lru_gen_struct to lru_gen_folio") (v6.3).
		vmca_error_destroy(err);
		lru_gen = "struct lru_gen_struct";
		err = vmca_debuginfo_find_type(di, lru_gen, &id);
	}
	if (!err) {
		uint32_t folios = member_type(di, lru_gen, "folios");
		check_name(di, folios, NULL, "struct list_head [4][2][5]");
		vmca_debuginfo_type(di, folios, &t);
		CHECK(t.kind == VMCA_TYPE_ARRAY && t.array_len == 4 &&
		      t.size == 640);
		vmca_debuginfo_type(di, t.target, &t);
		CHECK(t.kind == VMCA_TYPE_ARRAY && t.array_len == 2 &&
		      t.size == 160);
	}
	// (5.10 has none: the multi-gen LRU came with commit ec1c86b25f4b
	// ("mm: multi-gen LRU: groundwork") (v6.1).)
	vmca_error_destroy(err);

	// Member paths: nested members, subscripts, anonymous unions.
	struct vmca_member m, base;
	uint32_t task = type_or_fail(di, "struct task_struct");
	CHECK(!vmca_debuginfo_member_path(di, task, "se", &base));
	CHECK(!vmca_debuginfo_member_path(di, task, "se.vruntime", &m));
	CHECK_STR(m.name, "vruntime");
	uint32_t se = type_or_fail(di, "struct sched_entity");
	struct vmca_member inner;
	CHECK(!vmca_debuginfo_member_path(di, se, "vruntime", &inner));
	CHECK(m.bit_offset == base.bit_offset + inner.bit_offset);
	CHECK(!vmca_debuginfo_member_path(di, task, "pid_links[1]", &m));
	CHECK(!vmca_debuginfo_member_path(di, task, "pid_links", &base));
	CHECK(m.bit_offset == base.bit_offset + 8 * 16);
	CHECK(!vmca_debuginfo_member_path(di, task, "pid_links[1].pprev", &m));
	CHECK(m.bit_offset == base.bit_offset + 8 * (16 + 8));
	err = vmca_debuginfo_member_path(di, task, "pid_links[4]", &m);
	CHECK(err && err->code == VMCA_ERROR_INVALID);
	vmca_error_destroy(err);
	err = vmca_debuginfo_member_path(di, task, "no_such_member", &m);
	CHECK(err && err->code == VMCA_ERROR_NOT_FOUND);
	CHECK_STR(err ? err->message : NULL,
		  "struct task_struct has no member 'no_such_member'");
	vmca_error_destroy(err);
	err = vmca_debuginfo_member_path(di, task, "comm..x", &m);
	CHECK(err && err->code == VMCA_ERROR_INVALID);
	vmca_error_destroy(err);
	uint32_t page = type_or_fail(di, "struct page");
	CHECK(!vmca_debuginfo_member_path(di, page, "compound_head", &m));
	CHECK(m.bit_offset == 64);
	// A bitfield.
	CHECK(!vmca_debuginfo_member_path(di, task, "sched_reset_on_fork", &m));
	CHECK(m.bit_size == 1);

	// Enums and their underlying types.
	uint32_t zt = type_or_fail(di, "enum zone_type");
	vmca_debuginfo_type(di, zt, &t);
	CHECK(t.kind == VMCA_TYPE_ENUM && t.size == 4 && t.count >= 3);
	vmca_debuginfo_type(di, type_or_fail(di, "enum perf_event_state"), &t);
	CHECK(t.is_signed);

	// Variables.
	static const struct {
		const char *name, *type;
	} vars[] = {
		{"init_task", "struct task_struct"},
		{"init_uts_ns", "struct uts_namespace"},
		{"prb", "struct printk_ringbuffer *"},
		{"vmcoreinfo_data", "unsigned char *"},
		{"slab_caches", "struct list_head"},
		{"_totalram_pages", "atomic_long_t"},
		{"runqueues", "struct rq"},
		// Only declared: the linker script defines it.
		{"jiffies", "volatile unsigned long"},
	};
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		err = vmca_debuginfo_variable_type(di, vars[i].name, &id);
		CHECK(!err);
		vmca_error_destroy(err);
		if (!err)
			check_name(di, id, NULL, vars[i].type);
	}
	// An array of pointers, as long as the symbol says.
	struct vmca_symbol sym;
	CHECK(!vmca_debuginfo_variable_type(di, "node_data", &id));
	CHECK(!vmca_debuginfo_symbol_by_name(di, "node_data", &sym));
	// Declared as pg_data_t *node_data[] in v6.1, struct pglist_data *
	// in v6.12.
	vmca_debuginfo_type(di, id, &t);
	CHECK(t.kind == VMCA_TYPE_ARRAY && t.array_len == sym.size / 8);
	uint32_t elem = vmca_debuginfo_unqualified(di, t.target);
	vmca_debuginfo_type(di, elem, &t);
	CHECK(t.kind == VMCA_TYPE_POINTER &&
	      vmca_debuginfo_unqualified(di, t.target) ==
		      type_or_fail(di, "struct pglist_data"));
	char spelled[128], expected[128];
	vmca_debuginfo_type_name(di, id, "node_data", spelled, sizeof(spelled));
	snprintf(expected, sizeof(expected), "%s *node_data[%" PRIu64 "]",
		 strncmp(spelled, "pg_data_t", 9) == 0 ? "pg_data_t"
						       : "struct pglist_data",
		 sym.size / 8);
	CHECK_STR(spelled, expected);
	// totalram_pages() is a function; the variable is _totalram_pages.
	err = vmca_debuginfo_variable_type(di, "totalram_pages", &id);
	CHECK(err && err->code == VMCA_ERROR_NOT_FOUND);
	vmca_error_destroy(err);

	// Symbols both ways.
	CHECK(!vmca_debuginfo_symbol_by_name(di, "start_kernel", &sym));
	CHECK(sym.type == 'T' && sym.size > 0);
	struct vmca_symbol at;
	CHECK(!vmca_debuginfo_symbol_by_address(di, sym.address + 1, &at));
	CHECK_STR(at.name, "start_kernel");
	err = vmca_debuginfo_symbol_by_name(di, "no_such_symbol", &sym);
	CHECK(err && err->code == VMCA_ERROR_NOT_FOUND);
	vmca_error_destroy(err);
	// Below the kernel image, above the per-CPU area.
	err = vmca_debuginfo_symbol_by_address(di, 0xffffffff80000000, &sym);
	CHECK(err && err->code == VMCA_ERROR_NOT_FOUND);
	vmca_error_destroy(err);
}

// Opening path fails with message; a message ending in '*' is a prefix
// (libdwarf's own words follow its error's name).
static void expect_error(const char *path, const char *message)
{
	struct vmca_debuginfo *di = NULL;
	struct vmca_error *err = vmca_debuginfo_create(path, cache_dir, &di);
	CHECK(err != NULL);
	const char *got = err ? err->message : NULL;
	size_t len = strlen(message);
	if (got && len && message[len - 1] == '*' &&
	    strncmp(got, message, len - 1) == 0)
		got = message;
	CHECK_STR(got, message);
	CHECK(!err || !strchr(err->message, '\n'));
	vmca_error_destroy(err);
	vmca_debuginfo_destroy(di);
}

static void check_errors(void)
{
	expect_error("/nonexistent/vmlinux",
		     "/nonexistent/vmlinux: No such file or directory");
	char path[256];
	snprintf(path, sizeof(path), "%s/not-elf", cache_dir);
	_cleanup_fclose_ FILE *f = fopen(path, "w");
	CHECK(f != NULL);
	if (f) {
		fputs("not an ELF file\n", f);
		fflush(f);
	}
	char message[512];
	snprintf(message, sizeof(message), "%s: not an ELF file", path);
	expect_error(path, message);
	snprintf(path, sizeof(path), "%s/empty", cache_dir);
	int fd = open(path, O_CREAT | O_WRONLY, 0644);
	CHECK(fd >= 0);
	close(fd);
	snprintf(message, sizeof(message), "%s: not an ELF file", path);
	expect_error(path, message);
	// Debian's binaries are stripped: an ELF without DWARF.
	expect_error("/bin/true", "/bin/true: no DWARF debug info (vmlinux "
				  "without debuginfo?)");
}

// Damage the cache file in place; the next open must rebuild it.
static void damage(const char *path, int how)
{
	struct stat st;
	CHECK(stat(path, &st) == 0);
	int fd = open(path, O_RDWR);
	CHECK(fd >= 0);
	if (fd < 0)
		return;
	uint8_t byte;
	switch (how) {
	case 0: // a flipped byte in the middle
		CHECK(pread(fd, &byte, 1, st.st_size / 2) == 1);
		byte ^= 0x40;
		CHECK(pwrite(fd, &byte, 1, st.st_size / 2) == 1);
		break;
	case 1: // truncated
		CHECK(ftruncate(fd, st.st_size - 4096) == 0);
		break;
	case 2: // bad magic
		CHECK(pwrite(fd, "XXXX", 4, 0) == 4);
		break;
	default: // garbage
		CHECK(ftruncate(fd, 0) == 0);
		CHECK(pwrite(fd, "garbage\n", 8, 0) == 8);
		break;
	}
	close(fd);
}

static uint32_t tiny_member(struct vmca_debuginfo *di, const char *path,
			    uint64_t bit_offset, uint32_t bit_size,
			    const char *spelling)
{
	struct vmca_member m = {0};
	struct vmca_error *err = vmca_debuginfo_member_path(
		di, type_or_fail(di, "struct outer"), path, &m);
	if (err)
		fprintf(stderr, "%s\n", err->message);
	CHECK(!err);
	vmca_error_destroy(err);
	if (m.bit_offset != bit_offset || m.bit_size != bit_size)
		fprintf(stderr, "%s: bit offset %" PRIu64 " size %u\n", path,
			m.bit_offset, m.bit_size);
	CHECK(m.bit_offset == bit_offset && m.bit_size == bit_size);
	if (spelling)
		check_name(di, m.type, NULL, spelling);
	return m.type;
}

// The program debuginfo_test.sh compiles with each DWARF version and
// compiler at hand: DWARF 2 has DW_AT_bit_offset and location
// expressions, clang uses DW_FORM_strx.
static int check_tiny(const char *path)
{
	struct vmca_debuginfo *di;
	struct vmca_error *err = vmca_debuginfo_create(path, NULL, &di);
	if (err) {
		fprintf(stderr, "%s\n", err->message);
		vmca_error_destroy(err);
		CHECK(!"open");
		return check_summary();
	}
	CHECK_STR(vmca_debuginfo_machine(di), "x86_64");
	struct vmca_type t;
	vmca_debuginfo_type(di, type_or_fail(di, "struct outer"), &t);
	CHECK(t.size == 144 && t.count == 16);
	tiny_member(di, "flag1", 0, 1, "unsigned int");
	tiny_member(di, "flag2", 1, 3, "unsigned int");
	tiny_member(di, "wide", 4, 40, "unsigned long long");
	tiny_member(di, "before", 64, 0, "int");
	tiny_member(di, "l", 128, 0, "long");
	tiny_member(di, "in.b", 160, 0, "char");
	tiny_member(di, "named.s2", 8 * 26, 0, "short");
	tiny_member(di, "heads[3]", 8 * (32 + 24), 0, "struct list_head *");
	tiny_member(di, "heads", 8 * 32, 0, "struct list_head *[4]");
	tiny_member(di, "grid", 8 * 64, 0, "char [2][3][4]");
	tiny_member(di, "grid[1][2][3]", 8 * (64 + 12 + 8 + 3), 0, "char");
	tiny_member(di, "fnptr", 8 * 88, 0, "int (*(*)(int, ...))[5]");
	tiny_member(di, "cb", 8 * 96, 0, "void (*)(struct outer *)");
	tiny_member(di, "msg", 8 * 104, 0, "const char *const");
	tiny_member(di, "vol", 8 * 112, 0, "volatile ulong_t");
	tiny_member(di, "self", 8 * 136, 0, "struct outer *");
	uint32_t flex = tiny_member(di, "flex", 8 * 144, 0, "int []");
	vmca_debuginfo_type(di, flex, &t);
	CHECK(t.kind == VMCA_TYPE_ARRAY && t.array_len == 0 && t.size == 0);

	uint32_t color = tiny_member(di, "color", 8 * 120, 0, "enum color");
	vmca_debuginfo_type(di, color, &t);
	CHECK(t.is_signed && t.count == 3);
	const char *name;
	int64_t value;
	vmca_debuginfo_enumerator(di, color, 0, &name, &value);
	CHECK_STR(name, "RED");
	CHECK(value == -1);
	vmca_debuginfo_enumerator(di, color, 1, &name, &value);
	CHECK(value == 200);
	vmca_debuginfo_enumerator(di, color, 2, &name, &value);
	CHECK(value == 0x7fffffff);
	uint32_t big = tiny_member(di, "big", 8 * 128, 0, "enum big");
	vmca_debuginfo_type(di, big, &t);
	CHECK(!t.is_signed && t.size == 8);
	vmca_debuginfo_enumerator(di, big, 0, &name, &value);
	CHECK((uint64_t)value == 0x100000000ull);

	static const struct {
		const char *name, *type;
	} vars[] = {
		{"g_outer", "struct outer"},
		{"s_inner", "struct inner"},
		{"g_arr_ptr", "int (*)[7]"},
		{"g_opaque", "struct opaque *"},
	};
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		uint32_t id = 0;
		err = vmca_debuginfo_variable_type(di, vars[i].name, &id);
		CHECK(!err);
		vmca_error_destroy(err);
		check_name(di, id, NULL, vars[i].type);
	}
	vmca_debuginfo_type(di, type_or_fail(di, "struct opaque"), &t);
	CHECK(t.is_declaration && t.size == 0);
	struct vmca_symbol sym;
	CHECK(!vmca_debuginfo_symbol_by_name(di, "g_outer", &sym));
	CHECK(sym.size == 144 && (sym.type == 'B' || sym.type == 'b'));
	CHECK(!vmca_debuginfo_symbol_by_name(di, "main", &sym));
	CHECK(sym.type == 'T');
	vmca_debuginfo_destroy(di);
	return check_summary();
}

// A relocatable object (a module's shape) opened as loaded at made-up
// addresses: types as in the plain build, symbols and code at the load
// addresses, a section not loaded gives no symbols. main_line and
// init_line are the lines addr2line gives for main and init_fn.
static int check_tiny_relocatable(const char *path, uint32_t main_line,
				  uint32_t init_line)
{
	static const uint64_t text = 0xffffffffc0001000,
			      init = 0xffffffffc0100000;
	const struct vmca_debuginfo_section_load loads[] = {
		{".text", text},
		{".init.text", init},
		{".data", 0xffffffffc0200000},
	};
	struct vmca_debuginfo *di;
	struct vmca_error *err = vmca_debuginfo_create(path, NULL, &di);
	CHECK(err && err->code == VMCA_ERROR_INVALID &&
	      strstr(err->message, "relocatable") &&
	      strstr(err->message, path));
	vmca_error_destroy(err);
	err = vmca_debuginfo_create_module(path, NULL, loads, 3, &di);
	if (err) {
		fprintf(stderr, "%s\n", err->message);
		vmca_error_destroy(err);
		CHECK(!"open as a module");
		return check_summary();
	}
	struct vmca_type t;
	vmca_debuginfo_type(di, type_or_fail(di, "struct outer"), &t);
	CHECK(t.size == 144 && t.count == 16);
	tiny_member(di, "heads[3]", 8 * (32 + 24), 0, "struct list_head *");
	struct vmca_symbol sym;
	CHECK(!vmca_debuginfo_symbol_by_name(di, "main", &sym));
	CHECK(sym.address == text);
	CHECK(!vmca_debuginfo_symbol_by_name(di, "init_fn", &sym));
	CHECK(sym.address == init);
	// g_outer is common or .bss: not loaded here, so no symbol.
	err = vmca_debuginfo_symbol_by_name(di, "g_outer", &sym);
	CHECK(err && err->code == VMCA_ERROR_NOT_FOUND);
	vmca_error_destroy(err);
	static struct vmca_debuginfo_pc pc;
	err = vmca_debuginfo_pc_lookup(di, text + 4, &pc);
	CHECK(!err && pc.nr_frames == 1);
	if (!err) {
		CHECK_STR(pc.frames[0].function, "main");
		CHECK(pc.frames[0].file &&
		      strstr(pc.frames[0].file, "tiny.c") != NULL);
		CHECK(pc.frames[0].line == main_line);
	}
	vmca_error_destroy(err);
	err = vmca_debuginfo_pc_lookup(di, init, &pc);
	CHECK(!err && pc.nr_frames == 1);
	if (!err) {
		CHECK_STR(pc.frames[0].function, "init_fn");
		CHECK(pc.frames[0].line == init_line);
	}
	vmca_error_destroy(err);
	// Where nothing was loaded (the object's own offsets): nothing.
	err = vmca_debuginfo_pc_lookup(di, 4, &pc);
	CHECK(err && err->code == VMCA_ERROR_NOT_FOUND);
	vmca_error_destroy(err);
	vmca_debuginfo_destroy(di);
	return check_summary();
}

static int open_only(void)
{
	double start = now();
	struct vmca_debuginfo *di;
	struct vmca_error *err =
		vmca_debuginfo_create(vmlinux_path, cache_dir, &di);
	if (err) {
		fprintf(stderr, "%s\n", err->message);
		return 1;
	}
	uint32_t id;
	struct vmca_member m;
	err = vmca_debuginfo_find_type(di, "struct task_struct", &id);
	if (!err)
		err = vmca_debuginfo_member_path(di, id, "comm", &m);
	printf("%s open: %.3f s\n",
	       vmca_debuginfo_was_cached(di) ? "warm" : "cold", now() - start);
	vmca_debuginfo_destroy(di);
	vmca_error_destroy(err);
	return err != NULL;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--tiny") == 0)
		return check_tiny(argv[2]);
	if (argc == 5 && strcmp(argv[1], "--tiny-relocatable") == 0)
		return check_tiny_relocatable(argv[2], (uint32_t)atoi(argv[3]),
					      (uint32_t)atoi(argv[4]));
	if (argc == 4 && strcmp(argv[1], "--error") == 0) {
		cache_dir = NULL;
		expect_error(argv[2], argv[3]);
		return check_summary();
	}
	if (argc == 4 && strcmp(argv[1], "--open") == 0) {
		vmlinux_path = argv[2];
		cache_dir = argv[3];
		return open_only();
	}
	if (argc != 4) {
		fprintf(stderr,
			"usage: %s VMLINUX CACHE_DIR EXPECT_FILE\n"
			"       %s --tiny ELF\n"
			"       %s --tiny-relocatable OBJECT MAIN_LINE "
			"INIT_LINE\n"
			"       %s --error FILE MESSAGE\n"
			"       %s --open VMLINUX CACHE_DIR\n",
			argv[0], argv[0], argv[0], argv[0], argv[0]);
		return 2;
	}
	vmlinux_path = argv[1];
	cache_dir = argv[2];
	expect_path = argv[3];

	struct vmca_debuginfo *di = open_debuginfo(false);
	if (!di)
		return check_summary();
	_cleanup_free_ char *path = cache_file(di);
	size_t image_size = 0;
	_cleanup_free_ uint8_t *image = read_file(path, &image_size);
	CHECK(image != NULL);
	uint64_t cold = check_expectations(di);
	check_types(di);
	vmca_debuginfo_destroy(di);

	di = open_debuginfo(true);
	if (!di)
		return check_summary();
	CHECK(check_expectations(di) == cold);
	check_types(di);
	vmca_debuginfo_destroy(di);

	for (int how = 0; how < 4; how++) {
		damage(path, how);
		di = open_debuginfo(false);
		if (!di)
			continue;
		CHECK(check_expectations(di) == cold);
		vmca_debuginfo_destroy(di);
		// The index is built on two threads: the image must not
		// depend on their timing.
		size_t size = 0;
		_cleanup_free_ uint8_t *again = read_file(path, &size);
		CHECK(again && image && size == image_size &&
		      memcmp(again, image, size) == 0);
	}
	di = open_debuginfo(true);
	vmca_debuginfo_destroy(di);

	// No cache at all.
	struct vmca_debuginfo *uncached;
	struct vmca_error *err =
		vmca_debuginfo_create(vmlinux_path, NULL, &uncached);
	CHECK(!err);
	if (!err) {
		CHECK(!vmca_debuginfo_was_cached(uncached));
		vmca_debuginfo_destroy(uncached);
	}
	vmca_error_destroy(err);

	check_errors();
	return check_summary();
}

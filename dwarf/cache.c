// SPDX-License-Identifier: MIT
/** @file The cache file: validation, checksum, mapping, atomic writes. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../analyzer/util/cleanup.h"
#include "internal.h"

// Larger caches are not ours: the 6.12 vmlinux makes ~20 MiB.
#define MAX_CACHE_SIZE (1ull << 32)
// The checksum reads the file through this buffer rather than through
// the mapping, so that it costs no resident memory.
#define READ_CHUNK (256 * 1024)

/*
 * The checksum is xxHash64's main loop (4 lanes, 32-byte blocks): about
 * 10 GB/s, so verifying a 20 MiB cache costs ~2 ms. It catches a damaged
 * file; a crafted one is caught by the bounds checks of every query.
 */
#define P1 0x9e3779b185ebca87ull
#define P2 0xc2b2ae3d27d4eb4full
#define P3 0x165667b19e3779f9ull
#define P4 0x85ebca77c2b2ae63ull

struct checksum {
	uint64_t v[4];
	uint64_t total;
};

static inline uint64_t rotl(uint64_t x, int r)
{
	return x << r | x >> (64 - r);
}

static inline uint64_t round64(uint64_t acc, uint64_t input)
{
	return rotl(acc + input * P2, 31) * P1;
}

static void checksum_init(struct checksum *c)
{
	c->v[0] = P1 + P2;
	c->v[1] = P2;
	c->v[2] = 0;
	c->v[3] = -P1;
	c->total = 0;
}

// size must be a multiple of 32.
static void checksum_update(struct checksum *c, const uint8_t *p, size_t size)
{
	for (size_t i = 0; i + 32 <= size; i += 32) {
		uint64_t w[4];
		memcpy(w, p + i, sizeof(w));
		for (int j = 0; j < 4; j++)
			c->v[j] = round64(c->v[j], w[j]);
	}
	c->total += size;
}

static uint64_t checksum_final(const struct checksum *c)
{
	uint64_t h = rotl(c->v[0], 1) + rotl(c->v[1], 7) + rotl(c->v[2], 12) +
		     rotl(c->v[3], 18);
	for (int j = 0; j < 4; j++)
		h = (h ^ round64(0, c->v[j])) * P1 + P4;
	h += c->total;
	h ^= h >> 33;
	h *= P2;
	h ^= h >> 29;
	h *= P3;
	h ^= h >> 32;
	return h;
}

// Feed a chunk that starts at file offset `at`, reading the header's
// checksum field as 0.
static void checksum_chunk(struct checksum *c, uint8_t *chunk, size_t size,
			   uint64_t at)
{
	const size_t field = offsetof(struct vmca_debuginfo_header, checksum);
	if (at <= field && at + size >= field + sizeof(uint64_t))
		memset(chunk + (field - at), 0, sizeof(uint64_t));
	checksum_update(c, chunk, size);
}

uint64_t vmca_debuginfo_cache_checksum(const void *image, size_t size)
{
	struct checksum c;
	checksum_init(&c);
	uint8_t block[sizeof(struct vmca_debuginfo_header) + 32];
	size_t head = sizeof(struct vmca_debuginfo_header);
	head = (head + 31) & ~(size_t)31;
	if (head > size)
		head = size & ~(size_t)31;
	memcpy(block, image, head);
	checksum_chunk(&c, block, head, 0);
	checksum_update(&c, (const uint8_t *)image + head,
			(size - head) & ~(size_t)31);
	return checksum_final(&c);
}

// e_machine as libkdumpfile names the architecture (KDUMP_ARCH_*).
static const char *machine_name(uint16_t machine, uint8_t elf_class)
{
	switch (machine) {
	case EM_X86_64:
		return "x86_64";
	case EM_386:
		return "ia32";
	case EM_AARCH64:
		return "aarch64";
	case EM_ARM:
		return "arm";
	case EM_S390:
		return elf_class == ELFCLASS64 ? "s390x" : "s390";
	case EM_PPC64:
		return "ppc64";
	case EM_PPC:
		return "ppc";
	case EM_IA_64:
		return "ia64";
	case EM_MIPS:
		return "mips";
	case EM_ALPHA:
		return "alpha";
	default:
		return "";
	}
}

static bool is_power_of_two(uint64_t n)
{
	return n && !(n & (n - 1));
}

static struct vmca_error *invalid(const char *why)
{
	return vmca_error_create(VMCA_ERROR_INVALID, "bad cache file: %s", why);
}

struct vmca_error *vmca_debuginfo_cache_attach(struct vmca_debuginfo *di,
					       const void *image, size_t size,
					       const uint8_t *expected_build_id,
					       size_t build_id_size,
					       uint64_t vmlinux_size,
					       bool verify_checksum)
{
	const struct vmca_debuginfo_header *h = image;
	if (size < sizeof(*h))
		return invalid("truncated header");
	if (memcmp(h->magic, VMCA_DEBUGINFO_MAGIC, sizeof(h->magic)) != 0)
		return invalid("bad magic");
	if (h->version != VMCA_DEBUGINFO_FORMAT_VERSION)
		return invalid("another format version");
	if (h->byte_order != VMCA_DEBUGINFO_BYTE_ORDER)
		return invalid("another byte order");
	if (h->file_size != size || size % VMCA_DEBUGINFO_IMAGE_ALIGN)
		return invalid("truncated");
	if (h->nr_sections != VMCA_DEBUGINFO_NR_SECTIONS ||
	    h->build_id_size > VMCA_DEBUGINFO_BUILD_ID_MAX)
		return invalid("bad header");
	if (expected_build_id &&
	    (h->build_id_size != build_id_size ||
	     memcmp(h->build_id, expected_build_id, build_id_size) != 0 ||
	     h->vmlinux_size != vmlinux_size))
		return invalid("made for another vmlinux");

	static const size_t entry_size[VMCA_DEBUGINFO_NR_SECTIONS] = {
		[VMCA_DEBUGINFO_STRINGS] = 1,
		[VMCA_DEBUGINFO_TYPES] = sizeof(struct vmca_debuginfo_ctype),
		[VMCA_DEBUGINFO_MEMBERS] =
			sizeof(struct vmca_debuginfo_cmember),
		[VMCA_DEBUGINFO_ENUMERATORS] =
			sizeof(struct vmca_debuginfo_cenum),
		[VMCA_DEBUGINFO_PARAMS] = sizeof(uint32_t),
		[VMCA_DEBUGINFO_TYPE_HASH] = sizeof(struct vmca_debuginfo_slot),
		[VMCA_DEBUGINFO_VARS] = sizeof(struct vmca_debuginfo_cvar),
		[VMCA_DEBUGINFO_VAR_HASH] = sizeof(struct vmca_debuginfo_slot),
		[VMCA_DEBUGINFO_SYMS] = sizeof(struct vmca_debuginfo_csym),
		[VMCA_DEBUGINFO_SYM_HASH] = sizeof(struct vmca_debuginfo_slot),
		[VMCA_DEBUGINFO_ELF_SECTIONS] =
			sizeof(struct vmca_debuginfo_celfsection),
		[VMCA_DEBUGINFO_PC_UNITS] =
			sizeof(struct vmca_debuginfo_cpcunit),
	};
	const uint8_t *base = image;
	const void *data[VMCA_DEBUGINFO_NR_SECTIONS];
	uint32_t count[VMCA_DEBUGINFO_NR_SECTIONS];
	for (int i = 0; i < VMCA_DEBUGINFO_NR_SECTIONS; i++) {
		uint64_t offset = h->sections[i].offset;
		uint64_t len = h->sections[i].size;
		if (offset < sizeof(*h) || offset > size ||
		    len > size - offset || offset % 8 || len % entry_size[i] ||
		    len / entry_size[i] > UINT32_MAX)
			return invalid("bad section table");
		data[i] = base + offset;
		count[i] = len / entry_size[i];
	}
	const char *strings = data[VMCA_DEBUGINFO_STRINGS];
	uint32_t nr_strings = count[VMCA_DEBUGINFO_STRINGS];
	// Then every offset below the size names a terminated string.
	if (!nr_strings || strings[0] || strings[nr_strings - 1])
		return invalid("bad string table");
	const struct vmca_debuginfo_ctype *types = data[VMCA_DEBUGINFO_TYPES];
	if (!count[VMCA_DEBUGINFO_TYPES] || types[0].kind != VMCA_TYPE_VOID)
		return invalid("bad type table");
	const int hashes[] = {VMCA_DEBUGINFO_TYPE_HASH, VMCA_DEBUGINFO_VAR_HASH,
			      VMCA_DEBUGINFO_SYM_HASH};
	for (size_t i = 0; i < sizeof(hashes) / sizeof(hashes[0]); i++) {
		uint32_t n = count[hashes[i]];
		if (n && !is_power_of_two(n))
			return invalid("bad hash table");
	}
	if (verify_checksum &&
	    vmca_debuginfo_cache_checksum(image, size) != h->checksum)
		return invalid("checksum mismatch");

	di->strings = strings;
	di->strings_size = nr_strings;
	di->types = types;
	di->nr_types = count[VMCA_DEBUGINFO_TYPES];
	di->members = data[VMCA_DEBUGINFO_MEMBERS];
	di->nr_members = count[VMCA_DEBUGINFO_MEMBERS];
	di->enumerators = data[VMCA_DEBUGINFO_ENUMERATORS];
	di->nr_enumerators = count[VMCA_DEBUGINFO_ENUMERATORS];
	di->params = data[VMCA_DEBUGINFO_PARAMS];
	di->nr_params = count[VMCA_DEBUGINFO_PARAMS];
	di->type_hash = data[VMCA_DEBUGINFO_TYPE_HASH];
	di->nr_type_hash = count[VMCA_DEBUGINFO_TYPE_HASH];
	di->vars = data[VMCA_DEBUGINFO_VARS];
	di->nr_vars = count[VMCA_DEBUGINFO_VARS];
	di->var_hash = data[VMCA_DEBUGINFO_VAR_HASH];
	di->nr_var_hash = count[VMCA_DEBUGINFO_VAR_HASH];
	di->syms = data[VMCA_DEBUGINFO_SYMS];
	di->nr_syms = count[VMCA_DEBUGINFO_SYMS];
	di->sym_hash = data[VMCA_DEBUGINFO_SYM_HASH];
	di->nr_sym_hash = count[VMCA_DEBUGINFO_SYM_HASH];
	di->elf_sections = data[VMCA_DEBUGINFO_ELF_SECTIONS];
	di->nr_elf_sections = count[VMCA_DEBUGINFO_ELF_SECTIONS];
	di->pc_units = data[VMCA_DEBUGINFO_PC_UNITS];
	di->nr_pc_units = count[VMCA_DEBUGINFO_PC_UNITS];
	static const char hex[] = "0123456789abcdef";
	for (uint32_t i = 0; i < h->build_id_size; i++) {
		di->build_id[2 * i] = hex[h->build_id[i] >> 4];
		di->build_id[2 * i + 1] = hex[h->build_id[i] & 15];
	}
	di->build_id[2 * h->build_id_size] = '\0';
	di->machine = machine_name(h->elf_machine, h->elf_class);
	return NULL;
}

static struct vmca_error *verify_file(int fd, uint64_t size, uint64_t expected)
{
	_cleanup_free_ uint8_t *buf = malloc(READ_CHUNK);
	if (!buf)
		return &vmca_enomem;
	struct checksum c;
	checksum_init(&c);
	for (uint64_t at = 0; at < size;) {
		size_t want = size - at < READ_CHUNK ? size - at : READ_CHUNK;
		ssize_t r = pread(fd, buf, want, at);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return invalid("truncated");
		// Keep whole blocks; a short read resumes at the remainder.
		size_t whole = (size_t)r & ~(size_t)31;
		if (!whole)
			return invalid("truncated");
		checksum_chunk(&c, buf, whole, at);
		at += whole;
	}
	if (checksum_final(&c) != expected)
		return invalid("checksum mismatch");
	return NULL;
}

struct vmca_error *vmca_debuginfo_cache_load(struct vmca_debuginfo *di,
					     const char *path,
					     const uint8_t *build_id,
					     size_t build_id_size,
					     uint64_t vmlinux_size)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return vmca_error_os(errno, "%s", path);
	struct stat st;
	if (fstat(fd, &st))
		return vmca_error_os(errno, "%s", path);
	if (!S_ISREG(st.st_mode) ||
	    st.st_size < (off_t)sizeof(struct vmca_debuginfo_header) ||
	    (uint64_t)st.st_size > MAX_CACHE_SIZE ||
	    st.st_size % VMCA_DEBUGINFO_IMAGE_ALIGN)
		return invalid("bad size");
	size_t size = st.st_size;
	// Check the header before reading the whole file.
	struct vmca_debuginfo_header h;
	if (pread(fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h))
		return invalid("truncated header");
	if (memcmp(h.magic, VMCA_DEBUGINFO_MAGIC, sizeof(h.magic)) != 0 ||
	    h.version != VMCA_DEBUGINFO_FORMAT_VERSION || h.file_size != size ||
	    h.build_id_size != build_id_size ||
	    memcmp(h.build_id, build_id, build_id_size) != 0)
		return invalid("not for this vmlinux");
	struct vmca_error *err = verify_file(fd, size, h.checksum);
	if (err)
		return err;
	void *map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED)
		return vmca_error_os(errno, "mmap %s", path);
	err = vmca_debuginfo_cache_attach(di, map, size, build_id,
					  build_id_size, vmlinux_size, false);
	if (err) {
		munmap(map, size);
		return err;
	}
	di->image = map;
	di->image_size = size;
	di->image_is_mapped = true;
	return NULL;
}

struct vmca_error *vmca_debuginfo_cache_write(const char *path,
					      const void *image, size_t size)
{
	// The temporary file lives next to the target, so that rename() is
	// atomic, and is hidden: "dir/.name.XXXXXX".
	const char *slash = strrchr(path, '/');
	int dir_len = slash ? (int)(slash - path + 1) : 0;
	_cleanup_free_ char *tmp = NULL;
	if (asprintf(&tmp, "%.*s.%s.XXXXXX", dir_len, path, path + dir_len) < 0)
		return &vmca_enomem;
	int fd = mkstemp(tmp);
	if (fd < 0)
		return vmca_error_os(errno, "%s", tmp);
	struct vmca_error *err = NULL;
	const uint8_t *p = image;
	for (size_t done = 0; done < size;) {
		ssize_t r = write(fd, p + done, size - done);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			err = vmca_error_os(r < 0 ? errno : ENOSPC, "%s", tmp);
			break;
		}
		done += r;
	}
	if (!err && fchmod(fd, 0644))
		err = vmca_error_os(errno, "%s", tmp);
	if (close(fd) && !err)
		err = vmca_error_os(errno, "%s", tmp);
	if (!err && rename(tmp, path))
		err = vmca_error_os(errno, "%s", path);
	if (err)
		unlink(tmp);
	return err;
}

struct vmca_error *vmca_debuginfo_create_from_image(const void *image,
						    size_t size,
						    bool verify_checksum,
						    struct vmca_debuginfo **ret)
{
	struct vmca_debuginfo *di = calloc(1, sizeof(*di));
	void *copy = malloc(size ? size : 1);
	if (!di || !copy) {
		free(di);
		free(copy);
		return &vmca_enomem;
	}
	if (size)
		memcpy(copy, image, size);
	struct vmca_error *err = vmca_debuginfo_cache_attach(
		di, copy, size, NULL, 0, 0, verify_checksum);
	if (err) {
		free(copy);
		free(di);
		return err;
	}
	di->image = copy;
	di->image_size = size;
	di->was_cached = true;
	*ret = di;
	return NULL;
}

// SPDX-License-Identifier: MIT
/** @file The dump through libkdumpfile: the only file that includes it. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libkdumpfile/kdumpfile.h>

#include "flattened.h"
#include "memory.h"
#include "util/cleanup.h"
#include "util/vector.h"

struct vmcoreinfo_entry {
	char *key;
	char *value;
};
DEFINE_VECTOR(vmcoreinfo_vector, struct vmcoreinfo_entry)

struct vmca_memory_vmcoreinfo {
	struct vmcoreinfo_vector lines;
};
DEFINE_VECTOR(range_vector, struct vmca_memory_range)

// Bound on the ranges kept of a bitmap: past it, the rest of the bitmap is
// one range (a pathological bitmap of alternating bits is over-counted,
// not listed).
#define MAX_RANGES (1u << 20)
// The largest page cache asked of libkdumpfile, in pages (4 GiB of 4 KiB
// pages: allocated up front as address space, resident as pages are read).
#define MAX_CACHE_PAGES (UINT64_C(1) << 20)

struct vmca_memory {
	kdump_ctx_t *ctx;
	int fd;
	/** The path the user gave, for error messages. */
	char *path;
	bool is_flattened;
	/** A clone (vmca_memory_clone()): only ctx is its own. */
	bool is_clone;
	/**
	 * Read kernel virtual addresses as physical ones, translated
	 * through the page tables: libkdumpfile's own reading of an ELF
	 * dump's virtual-address segments picks wrong ones (its segments
	 * "sorted by virtual address" are sorted by p_paddr, seg_virt_cmp
	 * in src/kdumpfile/elfdump.c), and reads zeros for module and
	 * vmalloc pages QEMU maps one segment each.
	 */
	bool is_kvaddr_via_phys;
	addrxlat_ctx_t *axctx;
	addrxlat_sys_t *axsys;
	/** VMCOREINFO lines, parsed once on first use (NULL: none). */
	bool has_vmcoreinfo;
	struct vmca_memory_vmcoreinfo *vmcoreinfo;
	/** vmca_memory_ranges(), computed on first use. */
	bool has_ranges;
	struct range_vector ranges;
	/**
	 * The pages a compressed dump holds (a clone has a copy) and its
	 * page shift: physical reads check them and
	 * never ask libkdumpfile for a page the dump left out. libkdumpfile
	 * 0.5.1 crashed (a copy into a NULL cache buffer in kdump_read) after
	 * many reads of ranges with excluded pages, on 6.12 -d 31 kdumps.
	 */
	bool has_present;
	struct range_vector present; // pfn ranges, ascending, disjoint
	unsigned page_shift;
	/** The page cache asked of each libkdumpfile context, in pages. */
	uint64_t cache_pages;
	/** vmca_memory_set_backend(): where reads go, if not NULL. */
	const struct vmca_memory_backend *backend;
	void *backend_arg;
};

static void get_pagemap(struct vmca_memory *m);
static void set_cache(struct vmca_memory *m, kdump_ctx_t *ctx);

// Translate a libkdumpfile failure where it happens, keeping its detailed
// message (kdump_get_err) and mapping the status to our codes.
static struct vmca_error *error_kdump(struct vmca_memory *m,
				      kdump_status status, const char *what)
{
	const char *detail = kdump_get_err(m->ctx);
	if (!detail)
		detail = kdump_strerror(status);
	enum vmca_error_code code = VMCA_ERROR_INVALID;
	if (status == KDUMP_ERR_SYSTEM)
		code = VMCA_ERROR_OS;
	else if (status == KDUMP_ERR_NODATA || status == KDUMP_ERR_ADDRXLAT)
		code = VMCA_ERROR_FAULT;
	else if (status == KDUMP_ERR_NOKEY)
		code = VMCA_ERROR_NOT_FOUND;
	struct vmca_error *err =
		vmca_error_create(code, "%s: %s", what, detail);
	kdump_clear_err(m->ctx);
	return err;
}

static struct vmca_error *open_checked(const char *path, int *ret)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return vmca_error_os(errno, "%s", path);
	struct stat st;
	if (fstat(fd, &st) < 0) {
		struct vmca_error *err = vmca_error_os(errno, "%s", path);
		close(fd);
		return err;
	}
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
		close(fd);
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "%s: not a regular file", path);
	}
	if (S_ISREG(st.st_mode) && st.st_size == 0) {
		close(fd);
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "%s: empty file, not a vmcore", path);
	}
	*ret = fd;
	return NULL;
}

// A kdump-compressed file's headers and bitmaps (makedumpfile's
// diskdump.h): struct disk_dump_header in the first block, then
// sub_hdr_size blocks of struct kdump_sub_header, then bitmap_blocks of
// bitmaps. libkdumpfile 0.5.1 reads them through a mapping of the file
// and trusts the sizes: a file cut inside the header crashes kdump_free()
// after the failed open (SIGSEGV), one cut inside the sub-header or the
// bitmaps faults on the mapping (SIGBUS). So a cut there is found first.
#define DISKDUMP_HEADER_SIZE	   464
#define DISKDUMP_BLOCK_SIZE_OFFSET 428

static struct vmca_error *check_diskdump_headers(int fd, const char *path)
{
	unsigned char h[DISKDUMP_HEADER_SIZE];
	ssize_t n = pread(fd, h, sizeof(h), 0);
	if (n < 8 ||
	    (memcmp(h, "KDUMP   ", 8) != 0 && memcmp(h, "DISKDUMP", 8) != 0))
		return NULL; // not a diskdump: left to libkdumpfile
	struct stat st;
	if (fstat(fd, &st) < 0)
		return vmca_error_os(errno, "%s", path);
	if (n < (ssize_t)sizeof(h))
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "%s: truncated dump (in its header: "
					 "%zd of %d bytes)",
					 path, n, DISKDUMP_HEADER_SIZE);
	int32_t block_size, sub_hdr_size;
	uint32_t bitmap_blocks;
	memcpy(&block_size, h + DISKDUMP_BLOCK_SIZE_OFFSET, 4);
	memcpy(&sub_hdr_size, h + DISKDUMP_BLOCK_SIZE_OFFSET + 4, 4);
	memcpy(&bitmap_blocks, h + DISKDUMP_BLOCK_SIZE_OFFSET + 8, 4);
	if (block_size < DISKDUMP_HEADER_SIZE || block_size > (1 << 20) ||
	    block_size & (block_size - 1) || sub_hdr_size < 0)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "%s: corrupt dump (header: block "
					 "size %" PRId32 ", sub-header %" PRId32
					 " blocks)",
					 path, block_size, sub_hdr_size);
	uint64_t end = (1 + (uint64_t)sub_hdr_size + bitmap_blocks) *
		       (uint64_t)block_size;
	if (S_ISREG(st.st_mode) && end > (uint64_t)st.st_size)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "%s: truncated dump (its headers and "
					 "bitmaps end at byte "
					 "%" PRIu64 ", file has %" PRIu64 ")",
					 path, end, (uint64_t)st.st_size);
	return NULL;
}

// Program header i of the ELF dump whose header is eh.
static struct vmca_error *read_phdr(struct vmca_memory *m, const Elf64_Ehdr *eh,
				    unsigned i, Elf64_Phdr *ph)
{
	if (pread(m->fd, ph, sizeof(*ph),
		  (off_t)(eh->e_phoff + i * sizeof(*ph))) !=
	    (ssize_t)sizeof(*ph))
		return vmca_error_os(errno, "%s", m->path);
	return NULL;
}

// An ELF dump is complete when every segment's data lies within the file.
// libkdumpfile reads past the end of a cut file as zeros, so without this
// a truncated dump would read as wrong data rather than fail.
static struct vmca_error *check_elf_complete(struct vmca_memory *m)
{
	struct stat st;
	if (fstat(m->fd, &st) < 0)
		return vmca_error_os(errno, "%s", m->path);
	Elf64_Ehdr eh;
	if (pread(m->fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh))
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "%s: truncated dump (no ELF header)",
					 m->path);
	if (eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_phentsize != sizeof(Elf64_Phdr))
		return NULL; // 32-bit dumps: left to libkdumpfile
	uint64_t end = eh.e_phoff + (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr);
	if (end > (uint64_t)st.st_size)
		return vmca_error_create(
			VMCA_ERROR_INVALID,
			"%s: truncated dump (program headers end at %" PRIu64
			", file has %" PRIu64 " bytes)",
			m->path, end, (uint64_t)st.st_size);
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;
		struct vmca_error *err = read_phdr(m, &eh, i, &ph);
		if (err)
			return err;
		if (ph.p_filesz > UINT64_MAX - ph.p_offset ||
		    ph.p_offset + ph.p_filesz > (uint64_t)st.st_size)
			return vmca_error_create(
				VMCA_ERROR_INVALID,
				"%s: truncated dump (segment %u ends at byte "
				"%" PRIu64 ", file has %" PRIu64 ")",
				m->path, i, ph.p_offset + ph.p_filesz,
				(uint64_t)st.st_size);
	}
	return NULL;
}

// Probe one page frame: NULL if it reads or is legitimately absent.
static struct vmca_error *probe_pfn(struct vmca_memory *m, uint64_t pfn,
				    uint64_t page_size, bool *is_present)
{
	unsigned char byte;
	size_t len = 1;
	kdump_status status = kdump_read(m->ctx, KDUMP_MACHPHYSADDR,
					 pfn * page_size, &byte, &len);
	*is_present = status == KDUMP_OK;
	if (status == KDUMP_OK || status == KDUMP_ERR_NODATA) {
		kdump_clear_err(m->ctx);
		return NULL;
	}
	const char *detail = kdump_get_err(m->ctx);
	struct vmca_error *err = vmca_error_create(
		VMCA_ERROR_INVALID,
		"%s: truncated or corrupt dump (page frame %#" PRIx64
		" cannot be read: %s)",
		m->path, pfn, detail ? detail : kdump_strerror(status));
	kdump_clear_err(m->ctx);
	return err;
}

// The last set bit of a bitmap at or after from (which is set), for a
// bitmap without a clear bit after it: find_set(x) succeeds exactly while
// x <= the last set bit.
static kdump_addr_t last_set_bit(kdump_bmp_t *bmp, kdump_addr_t from,
				 kdump_addr_t limit)
{
	kdump_addr_t lo = from, hi = limit - 1;
	while (lo < hi) {
		kdump_addr_t mid = lo + (hi - lo + 1) / 2, idx = mid;
		if (kdump_bmp_find_set(bmp, &idx) == KDUMP_OK)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

// A cut compressed dump still opens (its headers and page table are at
// the front) and fails only when a missing page is read. Page data is
// mostly in frame order, so probe the last present frames and a spread
// of frames across the dump: a cut file fails here, with its name.
static struct vmca_error *check_pages_complete(struct vmca_memory *m)
{
	kdump_attr_t attr;
	if (kdump_get_attr(m->ctx, KDUMP_ATTR_FILE_PAGEMAP, &attr) !=
		    KDUMP_OK ||
	    attr.type != KDUMP_BITMAP) {
		kdump_clear_err(m->ctx);
		return NULL;
	}
	kdump_bmp_t *bmp = attr.val.bitmap;
	kdump_addr_t first = 0;
	if (kdump_bmp_find_set(bmp, &first) != KDUMP_OK)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "%s: the dump holds no pages",
					 m->path);
	kdump_addr_t lo = last_set_bit(bmp, first, (UINT64_C(1) << 52) + 1);
	kdump_clear_err(m->ctx);
	kdump_num_t page_size = 4096;
	if (kdump_get_number_attr(m->ctx, KDUMP_ATTR_PAGE_SIZE, &page_size) !=
	    KDUMP_OK)
		kdump_clear_err(m->ctx);

	enum { TAIL_PAGES = 32, TAIL_PROBES = 4096, SPREAD = 256 };
	bool is_present;
	int present = 0;
	for (uint64_t i = 0;
	     i < TAIL_PROBES && present < TAIL_PAGES && i <= lo - first; i++) {
		struct vmca_error *err =
			probe_pfn(m, lo - i, page_size, &is_present);
		if (err)
			return err;
		present += is_present;
	}
	for (uint64_t i = 0; i < SPREAD; i++) {
		kdump_addr_t pfn = first + (lo - first) / SPREAD * i;
		if (kdump_bmp_find_set(bmp, &pfn) != KDUMP_OK) {
			kdump_clear_err(m->ctx);
			break;
		}
		struct vmca_error *err =
			probe_pfn(m, pfn, page_size, &is_present);
		if (err)
			return err;
	}
	return NULL;
}

struct vmca_error *vmca_memory_create(const char *path, const char *cache_dir,
				      struct vmca_memory **ret)
{
	struct vmca_error *err;
	struct vmca_memory *m = calloc(1, sizeof(*m));
	if (!m)
		return &vmca_enomem;
	m->fd = -1;
	m->path = strdup(path);
	if (!m->path) {
		err = &vmca_enomem;
		goto fail;
	}

	err = open_checked(path, &m->fd);
	if (err)
		goto fail;

	if (vmca_flattened_detect(m->fd)) {
		_cleanup_free_ char *standard = NULL;
		err = vmca_flattened_rearrange(m->fd, path, cache_dir,
					       &standard);
		if (err)
			goto fail;
		close(m->fd);
		m->fd = -1;
		err = open_checked(standard, &m->fd);
		if (err)
			goto fail;
		m->is_flattened = true;
	}

	err = check_diskdump_headers(m->fd, path);
	if (err)
		goto fail;
	m->ctx = kdump_new();
	if (!m->ctx) {
		err = &vmca_enomem;
		goto fail;
	}
	kdump_status status = kdump_open_fd(m->ctx, m->fd);
	if (status != KDUMP_OK) {
		const char *detail = kdump_get_err(m->ctx);
		if (!detail)
			detail = kdump_strerror(status);
		if (status == KDUMP_ERR_EOF)
			err = vmca_error_create(VMCA_ERROR_INVALID,
						"%s: truncated dump (%s)", path,
						detail);
		else
			err = vmca_error_create(VMCA_ERROR_INVALID,
						"%s: not a vmcore (%s)", path,
						detail);
		goto fail;
	}
	bool is_elf = strcmp(vmca_memory_format(m), "elf") == 0;
	// The dump's pages and the cache's size, before anything is read
	// through the cache (a cache resized after reads left virtual reads
	// failing on a reopened context: see vmca_memory_setup()).
	if (!is_elf)
		get_pagemap(m);
	// The OS type makes libkdumpfile parse VMCOREINFO (needed to find
	// the vmlinux) before the architecture is known.
	status = kdump_set_string_attr(m->ctx, KDUMP_ATTR_OSTYPE, "linux");
	if (!is_elf)
		kdump_set_number_attr(m->ctx, KDUMP_ATTR_FILE_MMAP_POLICY,
				      KDUMP_MMAP_NEVER);
	if (status != KDUMP_OK) {
		err = error_kdump(m, status, path);
		// Setting it reads the kernel's release from its memory: in a
		// cut file that page may be past the cut (where the kernel
		// was loaded is random), and the cut is the error to report.
		kdump_clear_err(m->ctx);
		struct vmca_error *cut = is_elf ? check_elf_complete(m)
						: check_pages_complete(m);
		if (cut) {
			vmca_error_destroy(err);
			err = cut;
		}
		goto fail;
	}
	if (is_elf)
		err = check_elf_complete(m);
	else
		err = check_pages_complete(m);
	if (err)
		goto fail;
	*ret = m;
	return NULL;

fail:
	vmca_memory_destroy(m);
	return err;
}

// The pages a compressed dump holds, exactly, from libkdumpfile's page
// bitmap (its runs of set bits, as pfn ranges), when it has one whose page
// size is a power of two; else reads go to libkdumpfile unchecked.
static void get_pagemap(struct vmca_memory *m)
{
	kdump_attr_t attr;
	kdump_num_t page_size;
	if (kdump_get_number_attr(m->ctx, KDUMP_ATTR_PAGE_SIZE, &page_size) !=
		    KDUMP_OK ||
	    !page_size || (page_size & (page_size - 1)) ||
	    kdump_get_attr(m->ctx, KDUMP_ATTR_FILE_PAGEMAP, &attr) !=
		    KDUMP_OK ||
	    attr.type != KDUMP_BITMAP) {
		kdump_clear_err(m->ctx);
		return;
	}
	kdump_bmp_t *bmp = attr.val.bitmap; // borrowed, used right here
	unsigned shift = (unsigned)__builtin_ctzll(page_size);
	const kdump_addr_t limit = (UINT64_C(1) << 52) >> shift;
	struct range_vector v;
	range_vector_init(&v);
	uint64_t pages = 0;
	for (kdump_addr_t pfn = 0; pfn < limit;) {
		kdump_addr_t start = pfn, end;
		if (kdump_bmp_find_set(bmp, &start) != KDUMP_OK ||
		    start >= limit)
			break;
		end = start;
		if (kdump_bmp_find_clear(bmp, &end) != KDUMP_OK || end > limit)
			end = last_set_bit(bmp, start, limit) + 1;
		if (v.len == MAX_RANGES ||
		    !range_vector_append(
			    &v, (struct vmca_memory_range){start, end})) {
			range_vector_deinit(&v); // too many: no checks
			kdump_clear_err(m->ctx);
			return;
		}
		pages += end - start;
		pfn = end;
	}
	kdump_clear_err(m->ctx);
	m->present = v;
	m->has_present = true;
	m->page_shift = shift;
	// A page cache that holds every page the dump has (up to
	// MAX_CACHE_PAGES): nothing is evicted, so libkdumpfile's reuse of
	// an evicted entry (see vmca_memory_clone()) cannot happen below
	// that size. It fills only with the pages read.
	if (pages > MAX_CACHE_PAGES)
		pages = MAX_CACHE_PAGES;
	m->cache_pages = pages;
	// A QEMU kdump file leaves the architecture unsaid and is opened
	// again told it (vmca_memory_setup()): the cache is set there, on
	// the context that stays. libkdumpfile allocates cache.size pages
	// on every set and reopen; under ASan each is a gigabyte's shadow
	// poisoned and unpoisoned.
	if (vmca_memory_arch(m))
		set_cache(m, m->ctx);
}

// The page cache's size on every context of a compressed dump.
static void set_cache(struct vmca_memory *m, kdump_ctx_t *ctx)
{
	if (m->cache_pages > 1024 &&
	    kdump_set_number_attr(ctx, "cache.size", m->cache_pages) !=
		    KDUMP_OK)
		kdump_clear_err(ctx);
}

// The first pfn in [first, last] the dump does not hold, or last + 1.
static uint64_t first_absent(const struct vmca_memory *m, uint64_t first,
			     uint64_t last)
{
	const struct vmca_memory_range *r = m->present.data;
	size_t lo = 0, hi = m->present.len;
	// The last range starting at or below first.
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (r[mid].start <= first)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo || r[lo - 1].end <= first)
		return first;
	return r[lo - 1].end <= last ? r[lo - 1].end : last + 1;
}

struct vmca_error *vmca_memory_clone(struct vmca_memory *m,
				     struct vmca_memory **ret)
{
	struct vmca_memory *c = calloc(1, sizeof(*c));
	if (!c)
		return &vmca_enomem;
	c->fd = fcntl(m->fd, F_DUPFD_CLOEXEC, 0);
	if (c->fd < 0) {
		struct vmca_error *err = vmca_error_os(errno, "%s", m->path);
		free(c);
		return err;
	}
	c->ctx = kdump_new();
	if (!c->ctx) {
		close(c->fd);
		free(c);
		return &vmca_enomem;
	}
	// The architecture as m's context has it (vmca_memory_setup() tells
	// it for QEMU's kdump files, whose header leaves it unsaid).
	const char *arch = vmca_memory_arch(m);
	kdump_status status =
		arch ? kdump_set_string_attr(c->ctx, KDUMP_ATTR_ARCH_NAME, arch)
		     : KDUMP_OK;
	if (status == KDUMP_OK)
		status = kdump_open_fd(c->ctx, c->fd);
	// As vmca_memory_open(): the OS type sets up the reading of
	// physical addresses (paging levels from VMCOREINFO).
	if (status == KDUMP_OK)
		status = kdump_set_string_attr(c->ctx, KDUMP_ATTR_OSTYPE,
					       "linux");
	if (status != KDUMP_OK) {
		struct vmca_error *err = error_kdump(c, status, m->path);
		kdump_free(c->ctx);
		close(c->fd);
		free(c);
		return err;
	}
	if (strcmp(vmca_memory_format(m), "elf") != 0)
		kdump_set_number_attr(c->ctx, KDUMP_ATTR_FILE_MMAP_POLICY,
				      KDUMP_MMAP_NEVER);
	// Its cache stays libkdumpfile's default: a reader of pages in
	// order asks for a page again only while it is cached, never after
	// its eviction (the bug above needs that).
	c->path = m->path;
	c->is_flattened = m->is_flattened;
	c->is_clone = true;
	if (m->has_present) {
		range_vector_init(&c->present);
		if (range_vector_reserve(&c->present, m->present.len)) {
			memcpy(c->present.data, m->present.data,
			       m->present.len * sizeof(*m->present.data));
			c->present.len = m->present.len;
			c->has_present = true;
		}
	}
	c->page_shift = m->page_shift;
	// Its reads go where m's do (a scan's worker reads the overlay its
	// caller reads).
	c->backend = m->backend;
	c->backend_arg = m->backend_arg;
	*ret = c;
	return NULL;
}

void vmca_memory_destroy(struct vmca_memory *m)
{
	if (!m)
		return;
	range_vector_deinit(&m->present);
	if (m->is_clone) {
		kdump_free(m->ctx);
		close(m->fd);
		free(m);
		return;
	}
	if (m->axctx)
		addrxlat_ctx_decref(m->axctx);
	if (m->axsys)
		addrxlat_sys_decref(m->axsys);
	if (m->ctx)
		kdump_free(m->ctx);
	if (m->fd >= 0)
		close(m->fd);
	vmca_memory_vmcoreinfo_destroy(m->vmcoreinfo);
	range_vector_deinit(&m->ranges);
	free(m->path);
	free(m);
}

const char *vmca_memory_arch(struct vmca_memory *m)
{
	const char *arch = NULL;
	if (kdump_get_string_attr(m->ctx, KDUMP_ATTR_ARCH_NAME, &arch) !=
	    KDUMP_OK) {
		kdump_clear_err(m->ctx);
		return NULL;
	}
	return arch;
}

struct vmca_error *vmca_memory_setup(struct vmca_memory *m, const char *arch)
{
	// QEMU's kdump header leaves the architecture unsaid (of its
	// utsname only the machine is filled in): libkdumpfile then has "No
	// way to translate", and reads the CPUs' NT_PRSTATUS notes only while
	// it opens a dump whose architecture it knows. Open it again, told.
	if (!vmca_memory_arch(m) && arch) {
		kdump_ctx_t *ctx = kdump_new();
		if (!ctx)
			return &vmca_enomem;
		kdump_status status =
			kdump_set_string_attr(ctx, KDUMP_ATTR_ARCH_NAME, arch);
		if (status == KDUMP_OK)
			status = kdump_open_fd(ctx, m->fd);
		// Once, after the open (which allocates the cache as it goes)
		// and before any page is read through it.
		if (status == KDUMP_OK)
			set_cache(m, ctx);
		if (status == KDUMP_OK)
			status = kdump_set_string_attr(ctx, KDUMP_ATTR_OSTYPE,
						       "linux");
		kdump_ctx_t *old = m->ctx;
		m->ctx = ctx;
		if (status != KDUMP_OK) {
			struct vmca_error *err =
				error_kdump(m, status, m->path);
			m->ctx = old;
			kdump_free(ctx);
			return err;
		}
		kdump_free(old);
	}
	m->is_kvaddr_via_phys = strcmp(vmca_memory_format(m), "elf") == 0;
	return NULL;
}

const char *vmca_memory_format(struct vmca_memory *m)
{
	const char *format = NULL;
	if (kdump_get_string_attr(m->ctx, KDUMP_ATTR_FILE_FORMAT, &format) !=
	    KDUMP_OK) {
		kdump_clear_err(m->ctx);
		return "unknown";
	}
	return format;
}

bool vmca_memory_is_flattened(const struct vmca_memory *m)
{
	return m->is_flattened;
}

void vmca_memory_vmcoreinfo_destroy(struct vmca_memory_vmcoreinfo *vi)
{
	if (!vi)
		return;
	struct vmcoreinfo_entry *e;
	vector_for_each (&vi->lines, e) {
		free(e->key);
		free(e->value);
	}
	vmcoreinfo_vector_deinit(&vi->lines);
	free(vi);
}

struct vmca_error *
vmca_memory_vmcoreinfo_parse(const char *text, size_t len,
			     struct vmca_memory_vmcoreinfo **ret)
{
	_cleanup_free_ char *raw = strndup(text, len);
	struct vmca_memory_vmcoreinfo *vi = calloc(1, sizeof(*vi));
	if (!raw || !vi) {
		free(vi);
		return &vmca_enomem;
	}
	vmcoreinfo_vector_init(&vi->lines);
	char *save = NULL;
	for (char *line = strtok_r(raw, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(line, '=');
		if (!eq)
			continue;
		struct vmcoreinfo_entry *e =
			vmcoreinfo_vector_append_entry(&vi->lines);
		if (!e) {
			vmca_memory_vmcoreinfo_destroy(vi);
			return &vmca_enomem;
		}
		e->key = strndup(line, (size_t)(eq - line));
		e->value = strdup(eq + 1);
		if (!e->key || !e->value) {
			free(e->key);
			free(e->value);
			vi->lines.len--;
			vmca_memory_vmcoreinfo_destroy(vi);
			return &vmca_enomem;
		}
	}
	*ret = vi;
	return NULL;
}

const char *
vmca_memory_vmcoreinfo_lookup(const struct vmca_memory_vmcoreinfo *vi,
			      const char *key)
{
	const struct vmcoreinfo_entry *e;
	vector_for_each (&vi->lines, e) {
		if (strcmp(e->key, key) == 0)
			return e->value;
	}
	return NULL;
}

static void parse_vmcoreinfo(struct vmca_memory *m)
{
	m->has_vmcoreinfo = true;
	_cleanup_free_ char *raw = NULL;
	if (kdump_vmcoreinfo_raw(m->ctx, &raw) != KDUMP_OK || !raw) {
		kdump_clear_err(m->ctx);
		return;
	}
	// Out of memory: no lines, as without a note.
	vmca_error_consume(
		vmca_memory_vmcoreinfo_parse(raw, strlen(raw), &m->vmcoreinfo));
}

const char *vmca_memory_vmcoreinfo(struct vmca_memory *m, const char *key)
{
	if (!m->has_vmcoreinfo)
		parse_vmcoreinfo(m);
	return m->vmcoreinfo ? vmca_memory_vmcoreinfo_lookup(m->vmcoreinfo, key)
			     : NULL;
}

static int compare_range(const void *a, const void *b)
{
	const struct vmca_memory_range *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return (x->end > y->end) - (x->end < y->end);
}

// Sort and merge what touches or overlaps (QEMU's paging ELF maps a
// physical page once per virtual mapping of it).
static void merge_ranges(struct range_vector *v)
{
	if (!v->len)
		return;
	qsort(v->data, v->len, sizeof(*v->data), compare_range);
	size_t out = 0;
	for (size_t i = 1; i < v->len; i++) {
		struct vmca_memory_range *last = &v->data[out];
		if (v->data[i].start <= last->end) {
			if (v->data[i].end > last->end)
				last->end = v->data[i].end;
		} else {
			v->data[++out] = v->data[i];
		}
	}
	v->len = out + 1;
}

static struct vmca_error *elf_ranges(struct vmca_memory *m,
				     struct range_vector *ret)
{
	Elf64_Ehdr eh;
	if (pread(m->fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_phentsize != sizeof(Elf64_Phdr))
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "%s: no 64-bit ELF program headers",
					 m->path);
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;
		struct vmca_error *err = read_phdr(m, &eh, i, &ph);
		if (err)
			return err;
		if (ph.p_type != PT_LOAD || !ph.p_filesz ||
		    ph.p_paddr > UINT64_MAX - ph.p_filesz)
			continue;
		struct vmca_memory_range r = {ph.p_paddr,
					      ph.p_paddr + ph.p_filesz};
		if (!range_vector_append(ret, r))
			return &vmca_enomem;
	}
	merge_ranges(ret);
	return NULL;
}

// The dump's pages (get_pagemap()'s runs) as physical ranges, runs less
// than VMCA_MEMORY_RANGE_GAP_PAGES apart joined.
static struct vmca_error *bitmap_ranges(struct vmca_memory *m,
					struct range_vector *ret)
{
	if (!m->has_present)
		return vmca_error_create(VMCA_ERROR_NOT_FOUND,
					 "%s: no page bitmap", m->path);
	const struct vmca_memory_range *run;
	vector_for_each (&m->present, run) {
		uint64_t start = run->start << m->page_shift;
		uint64_t end = run->end << m->page_shift;
		struct vmca_memory_range *last =
			ret->len ? &ret->data[ret->len - 1] : NULL;
		if (last && run->start - (last->end >> m->page_shift) <
				    VMCA_MEMORY_RANGE_GAP_PAGES) {
			last->end = end;
		} else if (!range_vector_append(ret, (struct vmca_memory_range){
							     start, end})) {
			return &vmca_enomem;
		}
	}
	return NULL;
}

struct vmca_error *vmca_memory_ranges(struct vmca_memory *m,
				      const struct vmca_memory_range **ret,
				      size_t *nr_ret)
{
	if (!m->has_ranges) {
		if (m->is_clone)
			return vmca_error_create(VMCA_ERROR_OTHER,
						 "no ranges of a clone");
		struct range_vector v;
		range_vector_init(&v);
		struct vmca_error *err =
			strcmp(vmca_memory_format(m), "elf") == 0
				? elf_ranges(m, &v)
				: bitmap_ranges(m, &v);
		if (err) {
			range_vector_deinit(&v);
			return err;
		}
		m->ranges = v;
		m->has_ranges = true;
	}
	*ret = m->ranges.data;
	*nr_ret = m->ranges.len;
	return NULL;
}

struct vmca_error *vmca_memory_ranges_size(struct vmca_memory *m, uint64_t *ret)
{
	const struct vmca_memory_range *r;
	size_t nr;
	struct vmca_error *err = vmca_memory_ranges(m, &r, &nr);
	if (err)
		return err;
	uint64_t total = 0;
	for (size_t i = 0; i < nr; i++)
		total += r[i].end - r[i].start;
	*ret = total;
	return NULL;
}

static struct vmca_error *read_as(struct vmca_memory *m, kdump_addrspace_t as,
				  uint64_t addr, void *buf, size_t len)
{
	size_t done = 0;
	while (done < len) {
		size_t n = len - done;
		kdump_status status = kdump_read(m->ctx, as, addr + done,
						 (char *)buf + done, &n);
		done += n;
		if (status == KDUMP_OK)
			break;
		uint64_t where = addr + done;
		const char *detail = kdump_get_err(m->ctx);
		if (!detail)
			detail = kdump_strerror(status);
		const char *space = as == KDUMP_KVADDR ? "" : "physical ";
		struct vmca_error *err;
		if (status == KDUMP_ERR_NODATA)
			err = vmca_error_fault(where,
					       "%saddress %#" PRIx64
					       ": page not in dump (%s)",
					       space, where, detail);
		else if (status == KDUMP_ERR_ADDRXLAT)
			err = vmca_error_fault(where,
					       "%saddress %#" PRIx64
					       ": cannot translate (%s)",
					       space, where, detail);
		else if (status == KDUMP_ERR_EOF || status == KDUMP_ERR_CORRUPT)
			err = vmca_error_fault(
				where,
				"%saddress %#" PRIx64
				": %s: dump truncated or corrupt (%s)",
				space, where, m->path, detail);
		else
			err = vmca_error_fault(where,
					       "%saddress %#" PRIx64 ": %s",
					       space, where, detail);
		kdump_clear_err(m->ctx);
		return err;
	}
	return NULL;
}

// Kernel virtual to physical through libkdumpfile's translation system
// (linear maps for the direct map and the kernel, page tables elsewhere).
static struct vmca_error *kvaddr_to_phys(struct vmca_memory *m, uint64_t vaddr,
					 uint64_t *ret)
{
	if (!m->axsys) {
		kdump_status ks =
			kdump_get_addrxlat(m->ctx, &m->axctx, &m->axsys);
		if (ks != KDUMP_OK) {
			m->axctx = NULL;
			m->axsys = NULL;
			return error_kdump(m, ks, m->path);
		}
	}
	addrxlat_fulladdr_t a = {.addr = vaddr, .as = ADDRXLAT_KVADDR};
	addrxlat_status as = addrxlat_fulladdr_conv(&a, ADDRXLAT_KPHYSADDR,
						    m->axctx, m->axsys);
	if (as != ADDRXLAT_OK) {
		const char *detail = addrxlat_ctx_get_err(m->axctx);
		struct vmca_error *err = vmca_error_fault(
			vaddr, "address %#" PRIx64 ": cannot translate (%s)",
			vaddr, detail ? detail : addrxlat_strerror(as));
		addrxlat_ctx_clear_err(m->axctx);
		return err;
	}
	*ret = a.addr;
	return NULL;
}

static struct vmca_error *read_kvaddr(struct vmca_memory *m, uint64_t vaddr,
				      void *buf, size_t len)
{
	if (!m->is_kvaddr_via_phys)
		return read_as(m, KDUMP_KVADDR, vaddr, buf, len);
	// Page by page: contiguous virtual pages need not be contiguous in
	// physical memory.
	size_t done = 0;
	while (done < len) {
		uint64_t at = vaddr + done;
		size_t n = 4096 - (size_t)(at & 4095);
		if (n > len - done)
			n = len - done;
		uint64_t paddr = 0;
		struct vmca_error *err = kvaddr_to_phys(m, at, &paddr);
		if (err)
			return err;
		err = read_as(m, KDUMP_KPHYSADDR, paddr, (char *)buf + done, n);
		if (err) {
			// Name the address the caller asked for.
			uint64_t where = at + (err->address - paddr);
			struct vmca_error *v =
				strstr(err->message, "page not in dump")
					? vmca_error_fault(where,
							   "address %#" PRIx64
							   ": page not in dump",
							   where)
					: vmca_error_fault(where,
							   "address %#" PRIx64
							   ": %s",
							   where, err->message);
			vmca_error_destroy(err);
			return v;
		}
		done += n;
	}
	return NULL;
}

static struct vmca_error *read_paddr(struct vmca_memory *m, uint64_t paddr,
				     void *buf, size_t len)
{
	if (m->has_present && len && paddr + len > paddr) {
		// The first page of the range the dump left out, if any: the
		// bytes before it are read, and the read fails there, as
		// libkdumpfile's own would.
		uint64_t first = paddr >> m->page_shift;
		uint64_t last = (paddr + len - 1) >> m->page_shift;
		uint64_t idx = first_absent(m, first, last);
		if (idx <= last) {
			uint64_t at = idx << m->page_shift;
			if (at < paddr)
				at = paddr;
			if (at > paddr) {
				struct vmca_error *err =
					read_as(m, KDUMP_KPHYSADDR, paddr, buf,
						(size_t)(at - paddr));
				if (err)
					return err;
			}
			return vmca_error_fault(at,
						"physical address %#" PRIx64
						": page not in dump (Excluded "
						"page)",
						at);
		}
	}
	return read_as(m, KDUMP_KPHYSADDR, paddr, buf, len);
}

struct vmca_error *vmca_memory_read_dump(struct vmca_memory *m,
					 enum vmca_memory_space space,
					 uint64_t addr, void *buf, size_t len)
{
	return space == VMCA_MEMORY_PADDR ? read_paddr(m, addr, buf, len)
					  : read_kvaddr(m, addr, buf, len);
}

void vmca_memory_set_backend(struct vmca_memory *m,
			     const struct vmca_memory_backend *backend,
			     void *arg)
{
	m->backend = backend;
	m->backend_arg = backend ? arg : NULL;
}

struct vmca_error *vmca_memory_read(struct vmca_memory *m, uint64_t vaddr,
				    void *buf, size_t len)
{
	if (m->backend)
		return m->backend->read(m->backend_arg, m, VMCA_MEMORY_KVADDR,
					vaddr, buf, len);
	return read_kvaddr(m, vaddr, buf, len);
}

struct vmca_error *vmca_memory_read_phys(struct vmca_memory *m, uint64_t paddr,
					 void *buf, size_t len)
{
	if (m->backend)
		return m->backend->read(m->backend_arg, m, VMCA_MEMORY_PADDR,
					paddr, buf, len);
	return read_paddr(m, paddr, buf, len);
}

uint32_t vmca_memory_nr_cpus(struct vmca_memory *m)
{
	kdump_num_t n;
	if (kdump_get_number_attr(m->ctx, KDUMP_ATTR_NUM_CPUS, &n) !=
	    KDUMP_OK) {
		kdump_clear_err(m->ctx);
		return 0;
	}
	return n > 65536 ? 65536 : (uint32_t)n;
}

struct vmca_error *vmca_memory_cpu_regs(struct vmca_memory *m, uint32_t cpu,
					const char *const *names, size_t n,
					uint64_t *values, uint64_t *is_set_ret,
					int64_t *pid_ret)
{
	char key[64];
	snprintf(key, sizeof(key), "cpu.%u.reg", cpu);
	kdump_attr_ref_t dir;
	if (kdump_attr_ref(m->ctx, key, &dir) != KDUMP_OK) {
		kdump_clear_err(m->ctx);
		return vmca_error_create(VMCA_ERROR_NOT_FOUND,
					 "%s: no registers of CPU %u in the "
					 "dump's notes",
					 m->path, cpu);
	}
	uint64_t mask = 0;
	for (size_t i = 0; i < n && i < 64; i++) {
		kdump_attr_ref_t reg;
		kdump_attr_t attr;
		if (kdump_sub_attr_ref(m->ctx, &dir, names[i], &reg) !=
		    KDUMP_OK) {
			kdump_clear_err(m->ctx);
			continue;
		}
		if (kdump_attr_ref_get(m->ctx, &reg, &attr) == KDUMP_OK &&
		    attr.type == KDUMP_NUMBER) {
			values[i] = attr.val.number;
			mask |= UINT64_C(1) << i;
		}
		kdump_clear_err(m->ctx);
		kdump_attr_unref(m->ctx, &reg);
	}
	kdump_attr_unref(m->ctx, &dir);
	*is_set_ret = mask;
	snprintf(key, sizeof(key), "cpu.%u.pid", cpu);
	kdump_num_t pid;
	if (kdump_get_number_attr(m->ctx, key, &pid) == KDUMP_OK)
		*pid_ret = (int64_t)pid;
	else
		*pid_ret = -1;
	kdump_clear_err(m->ctx);
	return NULL;
}

struct vmca_error *vmca_memory_vtop(struct vmca_memory *m, uint64_t vaddr,
				    struct vmca_vtop *ret)
{
	addrxlat_ctx_t *axctx;
	addrxlat_sys_t *axsys;
	kdump_status ks = kdump_get_addrxlat(m->ctx, &axctx, &axsys);
	if (ks != KDUMP_OK)
		return error_kdump(m, ks, m->path);

	struct vmca_error *err = NULL;
	struct vmca_vtop result = {0};
	addrxlat_step_t step = {
		.ctx = axctx,
		.sys = axsys,
		.meth = addrxlat_sys_get_meth(axsys, ADDRXLAT_SYS_METH_PGT),
	};
	addrxlat_status as = addrxlat_launch(&step, vaddr);
	// Each step reads one table entry: record where it was and what it
	// held, then the final base is the physical address.
	while (as == ADDRXLAT_OK && step.remain) {
		// The table may be named by a virtual address (the root is
		// swapper_pg_dir's): report where the entry is physically.
		addrxlat_fulladdr_t table = step.base;
		if (addrxlat_fulladdr_conv(&table, ADDRXLAT_KPHYSADDR, axctx,
					   axsys) != ADDRXLAT_OK) {
			addrxlat_ctx_clear_err(axctx);
			table = step.base;
		}
		uint64_t entry_addr = table.addr;
		unsigned remain = step.remain;
		if (remain >= 2 && remain - 1 <= ADDRXLAT_FIELDS_MAX)
			entry_addr += step.idx[remain - 1] * step.elemsz;
		as = addrxlat_step(&step);
		if (as != ADDRXLAT_OK)
			break;
		if (remain >= 2 && result.nlevels < VMCA_VTOP_MAX_LEVELS) {
			result.levels[result.nlevels].entry_paddr = entry_addr;
			result.levels[result.nlevels].entry = step.raw.pte;
			result.nlevels++;
		}
	}
	if (as == ADDRXLAT_OK) {
		// The page offset spans the address fields of the levels the
		// walk did not need to read (all but the last for a 4K page).
		const addrxlat_paging_form_t *pf = &step.meth->param.pgt.pf;
		unsigned shift = 0;
		int skipped = (int)pf->nfields - 1 - result.nlevels;
		for (int i = 0; i <= skipped && i < ADDRXLAT_FIELDS_MAX; i++)
			shift += pf->fieldsz[i];
		uint64_t page_size = shift < 64 ? UINT64_C(1) << shift : 0;
		result.total_levels = (int)pf->nfields - 1;
		as = addrxlat_fulladdr_conv(&step.base, ADDRXLAT_KPHYSADDR,
					    axctx, axsys);
		if (as == ADDRXLAT_OK) {
			result.paddr = step.base.addr;
			result.page_size = page_size;
			*ret = result;
		}
	}
	if (as != ADDRXLAT_OK) {
		const char *detail = addrxlat_ctx_get_err(axctx);
		err = vmca_error_fault(vaddr, "address %#" PRIx64 ": %s", vaddr,
				       detail ? detail : "cannot translate");
	}
	addrxlat_ctx_decref(axctx);
	addrxlat_sys_decref(axsys);
	return err;
}

// SPDX-License-Identifier: MIT
/** @file makedumpfile's flattened format, rearranged to the standard one. */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "flattened.h"
#include "util/progress.h"
#include "util/cleanup.h"

// The layout makedumpfile writes with -F (and QEMU's dump-guest-memory
// kdump-* formats): a 4096-byte header that starts with the signature,
// then records of { be64 offset, be64 size, data[size] }, each data block
// belonging at that offset of the standard file, then an end record whose
// offset and size are -1.
#define FLAT_SIGNATURE	 "makedumpfile"
#define FLAT_HEADER_SIZE 4096
#define FLAT_TYPE	 1
#define FLAT_VERSION	 1
#define FLAT_END	 (-1)
// No single block of a real dump is near this; a larger one is corruption.
#define FLAT_MAX_BLOCK (UINT64_C(1) << 32)
// Offsets past 2^48 bytes cannot belong to any real dump.
#define FLAT_MAX_OFFSET (UINT64_C(1) << 48)

struct flat_header {
	char signature[16];
	int64_t type; // big-endian
	int64_t version;
};

struct flat_record {
	int64_t offset; // big-endian
	int64_t size;
};

bool vmca_flattened_detect(int fd)
{
	struct flat_header h;
	if (pread(fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h))
		return false;
	return memcmp(h.signature, FLAT_SIGNATURE, sizeof(FLAT_SIGNATURE)) ==
		       0 &&
	       (int64_t)be64toh((uint64_t)h.type) == FLAT_TYPE;
}

static uint64_t fnv1a(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;
	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= UINT64_C(0x100000001b3);
	}
	return h;
}

static struct vmca_error *read_full(int fd, const char *path, void *buf,
				    size_t len, uint64_t *pos)
{
	size_t done = 0;
	while (done < len) {
		ssize_t r = pread(fd, (char *)buf + done, len - done, *pos);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return vmca_error_os(errno, "%s: read", path);
		}
		if (r == 0)
			return vmca_error_create(VMCA_ERROR_INVALID,
						 "%s: truncated flattened dump "
						 "(ends at byte %" PRIu64
						 " inside a record)",
						 path, *pos);
		done += (size_t)r;
		*pos += (uint64_t)r;
	}
	return NULL;
}

static struct vmca_error *write_full(int fd, const char *path, const void *buf,
				     size_t len, uint64_t offset)
{
	size_t done = 0;
	while (done < len) {
		ssize_t r = pwrite(fd, (const char *)buf + done, len - done,
				   (off_t)(offset + done));
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return vmca_error_os(errno, "%s: write", path);
		}
		done += (size_t)r;
	}
	return NULL;
}

static struct vmca_error *copy_records(int in, const char *path, int out,
				       const char *out_path,
				       struct vmca_progress *progress)
{
	enum { CHUNK = 1 << 20 };
	_cleanup_free_ char *buf = malloc(CHUNK);
	if (!buf)
		return &vmca_enomem;

	struct stat st;
	if (fstat(in, &st) < 0)
		return vmca_error_os(errno, "%s", path);

	uint64_t pos = FLAT_HEADER_SIZE;
	for (;;) {
		vmca_progress_update(progress, pos);
		struct flat_record rec;
		struct vmca_error *err =
			read_full(in, path, &rec, sizeof(rec), &pos);
		if (err)
			return err;
		int64_t offset = (int64_t)be64toh((uint64_t)rec.offset);
		int64_t size = (int64_t)be64toh((uint64_t)rec.size);
		if (offset == FLAT_END && size == FLAT_END)
			return NULL;
		if (offset < 0 || size < 0 ||
		    (uint64_t)offset >= FLAT_MAX_OFFSET ||
		    (uint64_t)size > FLAT_MAX_BLOCK ||
		    (uint64_t)size > (uint64_t)st.st_size - pos) {
			if (size >= 0 &&
			    (uint64_t)size > (uint64_t)st.st_size - pos &&
			    offset >= 0)
				return vmca_error_create(
					VMCA_ERROR_INVALID,
					"%s: truncated flattened dump (record "
					"at byte %" PRIu64 " needs %" PRId64
					" bytes, file has %" PRIu64 ")",
					path, pos - sizeof(rec), size,
					(uint64_t)st.st_size - pos);
			return vmca_error_create(
				VMCA_ERROR_INVALID,
				"%s: corrupt flattened dump (record at byte "
				"%" PRIu64 ": offset %" PRId64 ", size %" PRId64
				")",
				path, pos - sizeof(rec), offset, size);
		}
		uint64_t dest = (uint64_t)offset;
		uint64_t left = (uint64_t)size;
		while (left) {
			size_t n = left < CHUNK ? (size_t)left : CHUNK;
			err = read_full(in, path, buf, n, &pos);
			if (err)
				return err;
			err = write_full(out, out_path, buf, n, dest);
			if (err)
				return err;
			dest += n;
			left -= n;
		}
	}
}

struct vmca_error *vmca_flattened_rearrange(int fd, const char *path,
					    const char *cache_dir, char **ret)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return vmca_error_os(errno, "%s", path);
	if (!cache_dir)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "%s: flattened dump needs a cache "
					 "directory to be rearranged",
					 path);

	// The rearranged copy is keyed by the source's identity, so a
	// changed or replaced source gets a new copy.
	uint64_t key = UINT64_C(0xcbf29ce484222325);
	_cleanup_free_ char *real = realpath(path, NULL);
	const char *name = real ? real : path;
	key = fnv1a(key, name, strlen(name));
	key = fnv1a(key, &st.st_dev, sizeof(st.st_dev));
	key = fnv1a(key, &st.st_ino, sizeof(st.st_ino));
	key = fnv1a(key, &st.st_size, sizeof(st.st_size));
	key = fnv1a(key, &st.st_mtim, sizeof(st.st_mtim));

	_cleanup_free_ char *out_path = NULL;
	if (asprintf(&out_path, "%s/flat-%016" PRIx64 ".vmcore", cache_dir,
		     key) < 0)
		return &vmca_enomem;
	if (access(out_path, R_OK) == 0) {
		*ret = steal_ptr(out_path);
		return NULL;
	}

	_cleanup_free_ char *tmp_path = NULL;
	if (asprintf(&tmp_path, "%s.tmp.%d", out_path, (int)getpid()) < 0)
		return &vmca_enomem;
	int out =
		open(tmp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0)
		return vmca_error_os(errno, "%s", tmp_path);
	struct vmca_progress progress;
	struct stat pst;
	vmca_progress_begin(&progress, "rearranging the flattened dump (once)",
			    fstat(fd, &pst) == 0 ? (uint64_t)pst.st_size : 0);
	struct vmca_error *err =
		copy_records(fd, path, out, tmp_path, &progress);
	vmca_progress_end(&progress);
	if (!err && close(out) < 0)
		err = vmca_error_os(errno, "%s", tmp_path);
	else if (err)
		close(out);
	if (!err && rename(tmp_path, out_path) < 0)
		err = vmca_error_os(errno, "%s", out_path);
	if (err) {
		unlink(tmp_path);
		return err;
	}
	*ret = steal_ptr(out_path);
	return NULL;
}

// SPDX-License-Identifier: MIT
/** @file Tests of the flattened-format rearrangement on synthetic files. */
#include <endian.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "flattened.h"

static char dir[] = "/tmp/vmca-flat-XXXXXX";

static void put_be64(int fd, int64_t v)
{
	uint64_t be = htobe64((uint64_t)v);
	CHECK(write(fd, &be, 8) == 8);
}

static void record(int fd, int64_t offset, const void *data, int64_t size)
{
	put_be64(fd, offset);
	put_be64(fd, size);
	if (size > 0)
		CHECK(write(fd, data, (size_t)size) == size);
}

// A flattened file whose records arrive out of order and overlap nothing.
static char *make_flat(const char *name, bool with_end, int truncate_by)
{
	char *path;
	CHECK(asprintf(&path, "%s/%s", dir, name) > 0);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	char header[4096] = "makedumpfile";
	uint64_t be = htobe64(1);
	memcpy(header + 16, &be, 8);
	memcpy(header + 24, &be, 8);
	CHECK(write(fd, header, sizeof(header)) == sizeof(header));
	record(fd, 8192, "world", 5);
	record(fd, 0, "hello", 5);
	record(fd, 100, "there", 5);
	if (with_end)
		record(fd, -1, NULL, -1);
	off_t size = lseek(fd, 0, SEEK_END);
	if (truncate_by)
		CHECK(ftruncate(fd, size - truncate_by) == 0);
	close(fd);
	return path;
}

static struct vmca_error *rearrange(const char *path, char **out)
{
	int fd = open(path, O_RDONLY);
	CHECK(vmca_flattened_detect(fd));
	struct vmca_error *err = vmca_flattened_rearrange(fd, path, dir, out);
	close(fd);
	return err;
}

static void test_rearrange(void)
{
	char *path = make_flat("good.flat", true, 0);
	char *out = NULL;
	struct vmca_error *err = rearrange(path, &out);
	CHECK(err == NULL);
	if (!err) {
		int fd = open(out, O_RDONLY);
		char buf[8197] = {0};
		CHECK(pread(fd, buf, sizeof(buf), 0) == 8197);
		CHECK(memcmp(buf, "hello", 5) == 0);
		CHECK(memcmp(buf + 100, "there", 5) == 0);
		CHECK(memcmp(buf + 8192, "world", 5) == 0);
		CHECK(buf[5] == 0 && buf[8191] == 0);
		close(fd);
		// The second call reuses the rearranged copy.
		char *again = NULL;
		err = rearrange(path, &again);
		CHECK(err == NULL && again && strcmp(again, out) == 0);
		free(again);
		unlink(out);
	}
	vmca_error_destroy(err);
	free(out);
	unlink(path);
	free(path);
}

static void test_truncated(void)
{
	char *path = make_flat("trunc.flat", false, 3);
	char *out = NULL;
	struct vmca_error *err = rearrange(path, &out);
	CHECK(err != NULL && strstr(err->message, "truncated"));
	CHECK(err != NULL && strstr(err->message, path));
	vmca_error_destroy(err);
	unlink(path);
	free(path);
}

static void test_missing_end(void)
{
	char *path = make_flat("noend.flat", false, 0);
	char *out = NULL;
	struct vmca_error *err = rearrange(path, &out);
	CHECK(err != NULL && strstr(err->message, "truncated"));
	vmca_error_destroy(err);
	unlink(path);
	free(path);
}

static void test_not_flat(void)
{
	char *path;
	CHECK(asprintf(&path, "%s/plain", dir) > 0);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK(write(fd, "KDUMP   ", 8) == 8);
	CHECK(!vmca_flattened_detect(fd));
	close(fd);
	unlink(path);
	free(path);
}

int main(void)
{
	if (!mkdtemp(dir))
		return 1;
	test_rearrange();
	test_truncated();
	test_missing_end();
	test_not_flat();
	rmdir(dir);
	return check_summary();
}

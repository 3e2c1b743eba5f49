// SPDX-License-Identifier: MIT
/** @file libFuzzer target: makedumpfile's flattened format, rearranged. */
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../analyzer/flattened.h"
#include "standalone.h"

/*
 * The input is written to a file (the rearrangement works on a file
 * descriptor) and rearranged into a fresh directory; whatever the input,
 * the result is an error or a file, never a crash or a hang.
 */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char dir[] = "/tmp/vmca-flat-fuzz-XXXXXX";
	if (!mkdtemp(dir))
		return 0;
	char path[64];
	snprintf(path, sizeof(path), "%s/in", dir);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size) {
		if (fd >= 0)
			close(fd);
		unlink(path);
		rmdir(dir);
		return 0;
	}
	if (vmca_flattened_detect(fd)) {
		char *out = NULL;
		struct vmca_error *err =
			vmca_flattened_rearrange(fd, path, dir, &out);
		vmca_error_destroy(err);
		if (out)
			unlink(out);
		free(out);
	}
	close(fd);
	unlink(path);
	rmdir(dir);
	return 0;
}

#ifdef VMCA_FUZZ_STANDALONE
int main(int argc, char **argv)
{
	return fuzz_standalone_main(argc, argv);
}
#endif

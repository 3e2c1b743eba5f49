// SPDX-License-Identifier: MIT
/** @file Without libFuzzer: a main() that runs the target on given files. */
#ifndef VMCA_TESTS_FUZZ_STANDALONE_H
#define VMCA_TESTS_FUZZ_STANDALONE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/** Run LLVMFuzzerTestOneInput() on each file named in argv. */
static inline int fuzz_standalone_main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		if (!f) {
			perror(argv[i]);
			return 1;
		}
		uint8_t *data = NULL;
		size_t size = 0, cap = 0;
		for (;;) {
			if (size == cap) {
				cap = cap ? 2 * cap : 65536;
				uint8_t *p = realloc(data, cap);
				if (!p) {
					fclose(f);
					free(data);
					return 1;
				}
				data = p;
			}
			size_t n = fread(data + size, 1, cap - size, f);
			if (!n)
				break;
			size += n;
		}
		fclose(f);
		LLVMFuzzerTestOneInput(data, size);
		free(data);
		printf("%s: ok\n", argv[i]);
	}
	return 0;
}

#endif /* VMCA_TESTS_FUZZ_STANDALONE_H */

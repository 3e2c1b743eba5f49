// SPDX-License-Identifier: MIT
/** @file libFuzzer target: the cache image loader, then every query. */
#include "debuginfo_fuzz.h"

/*
 * Seeds: `cache_fuzz --seed ELF OUT` (standalone build) writes the image
 * of a small ELF with DWARF, e.g. one built by `cc -g`. The checksum is
 * not verified, so that mutations reach the tables behind the header.
 */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vmca_debuginfo *di;
	struct vmca_error *err =
		vmca_debuginfo_create_from_image(data, size, false, &di);
	if (err) {
		vmca_error_destroy(err);
		return 0;
	}
	fuzz_queries(di);
	vmca_debuginfo_destroy(di);
	return 0;
}

#ifdef VMCA_FUZZ_STANDALONE
int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "--seed") == 0) {
		struct vmca_debuginfo *di;
		struct vmca_error *err =
			vmca_debuginfo_create(argv[2], NULL, &di);
		if (err) {
			fprintf(stderr, "%s\n", err->message);
			return 1;
		}
		FILE *f = fopen(argv[3], "wb");
		if (!f ||
		    fwrite(di->image, 1, di->image_size, f) != di->image_size ||
		    fclose(f)) {
			perror(argv[3]);
			return 1;
		}
		vmca_debuginfo_destroy(di);
		return 0;
	}
	return fuzz_standalone_main(argc, argv);
}
#endif

// SPDX-License-Identifier: MIT
/** @file libFuzzer target: the DWARF reader and index build, then queries. */
#include "debuginfo_fuzz.h"

/*
 * Input: four little-endian uint32 sizes (.debug_abbrev, .debug_str,
 * .debug_line_str, .debug_str_offsets), those sections, then .debug_info
 * to the end. Seeds: `dwarf_fuzz --seed ELF OUT` (standalone build).
 */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint32_t get_u32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 16)
		return 0;
	struct vmca_debuginfo_dwarf_sections s = {0};
	const uint8_t **parts[] = {&s.abbrev, &s.str, &s.line_str,
				   &s.str_offsets};
	uint64_t *sizes[] = {&s.abbrev_size, &s.str_size, &s.line_str_size,
			     &s.str_offsets_size};
	size_t at = 16;
	for (int i = 0; i < 4; i++) {
		uint32_t n = get_u32(data + 4 * i);
		if (n > size - at)
			return 0;
		*parts[i] = data + at;
		*sizes[i] = n;
		at += n;
	}
	s.info = data + at;
	s.info_size = size - at;
	struct vmca_debuginfo_builder *b;
	if (vmca_debuginfo_builder_create(&b))
		return 0;
	struct vmca_error *err = vmca_debuginfo_index_build(&s, b);
	void *image = NULL;
	size_t image_size;
	struct vmca_debuginfo_header identity = {0};
	if (!err)
		err = vmca_debuginfo_builder_serialize(b, &identity, &image,
						       &image_size);
	vmca_debuginfo_builder_destroy(b);
	struct vmca_debuginfo *di = NULL;
	if (!err)
		err = vmca_debuginfo_create_from_image(image, image_size, true,
						       &di);
	free(image);
	if (err) {
		vmca_error_destroy(err);
		return 0;
	}
	fuzz_queries(di);
	vmca_debuginfo_destroy(di);
	return 0;
}

#ifdef VMCA_FUZZ_STANDALONE
static void put_u32(FILE *f, uint64_t v)
{
	uint8_t b[4] = {v, v >> 8, v >> 16, v >> 24};
	fwrite(b, 1, 4, f);
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "--seed") == 0) {
		struct vmca_debuginfo_elf *elf;
		struct vmca_debuginfo_dwarf_sections s;
		struct vmca_error *err = vmca_debuginfo_elf_open(argv[2], &elf);
		if (!err)
			err = vmca_debuginfo_elf_dwarf(elf, &s);
		if (err) {
			fprintf(stderr, "%s\n", err->message);
			return 1;
		}
		FILE *f = fopen(argv[3], "wb");
		if (!f) {
			perror(argv[3]);
			return 1;
		}
		put_u32(f, s.abbrev_size);
		put_u32(f, s.str_size);
		put_u32(f, s.line_str_size);
		put_u32(f, s.str_offsets_size);
		fwrite(s.abbrev, 1, s.abbrev_size, f);
		fwrite(s.str, 1, s.str_size, f);
		fwrite(s.line_str, 1, s.line_str_size, f);
		fwrite(s.str_offsets, 1, s.str_offsets_size, f);
		fwrite(s.info, 1, s.info_size, f);
		fclose(f);
		vmca_debuginfo_elf_close(elf);
		return 0;
	}
	return fuzz_standalone_main(argc, argv);
}
#endif

// SPDX-License-Identifier: MIT
/** @file A fuzz input read front to back, zeros past its end. */
#ifndef VMCA_TESTS_FUZZ_INPUT_H
#define VMCA_TESTS_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct input {
	const uint8_t *data;
	size_t size, at;
};

/** The next n (at most 8) bytes as a little-endian number. */
static inline uint64_t take(struct input *in, size_t n)
{
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++, in->at++)
		if (in->at < in->size)
			v |= (uint64_t)in->data[in->at] << (8 * i);
	return v;
}

/** n bytes of the rest of the input, zero-filled past its end (owned). */
static inline unsigned char *take_buf(struct input *in, size_t n)
{
	unsigned char *p = calloc(1, n ? n : 1);
	if (!p)
		return NULL;
	if (in->at < in->size) {
		size_t have = in->size - in->at < n ? in->size - in->at : n;
		memcpy(p, in->data + in->at, have);
	}
	in->at += n;
	return p;
}

#endif /* VMCA_TESTS_FUZZ_INPUT_H */

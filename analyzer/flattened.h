// SPDX-License-Identifier: MIT
/** @file makedumpfile's flattened format, rearranged to the standard one. */
#ifndef VMCA_ANALYZER_FLATTENED_H
#define VMCA_ANALYZER_FLATTENED_H

#include <stdbool.h>

#include "util/error.h"

/** Whether the open file fd starts with the flattened-format header. */
bool vmca_flattened_detect(int fd);

/**
 * Rearrange the flattened dump in fd (named path, for errors) into a
 * standard dump file: the job of `makedumpfile -R`. The result is kept in
 * cache_dir under a name derived from the source's identity, written
 * atomically, and reused when present. *ret is the path of the rearranged
 * file (the caller frees it).
 */
struct vmca_error *vmca_flattened_rearrange(int fd, const char *path,
					    const char *cache_dir, char **ret);

#endif /* VMCA_ANALYZER_FLATTENED_H */

// SPDX-License-Identifier: MIT
/** @file Scope guards: free or close a variable when it leaves scope. */
#ifndef VMCA_UTIL_CLEANUP_H
#define VMCA_UTIL_CLEANUP_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline void vmca_cleanup_free(void *p)
{
	free(*(void **)p);
}

static inline void vmca_cleanup_fclose(FILE **fp)
{
	if (*fp)
		fclose(*fp);
}

static inline void vmca_cleanup_close(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}

/** free() the pointer at the end of the scope. */
#define _cleanup_free_ __attribute__((cleanup(vmca_cleanup_free)))
/** fclose() the FILE * at the end of the scope (if non-NULL). */
#define _cleanup_fclose_ __attribute__((cleanup(vmca_cleanup_fclose)))
/** close() the fd at the end of the scope (if >= 0). */
#define _cleanup_close_ __attribute__((cleanup(vmca_cleanup_close)))

/** Return a _cleanup_ pointer without freeing it. */
#define return_ptr(p)                     \
	do {                              \
		__typeof__(p) _ret = (p); \
		(p) = NULL;               \
		return _ret;              \
	} while (0)

/** Take a _cleanup_ pointer out of the scope guard's hands. */
#define steal_ptr(p)                         \
	({                                   \
		__typeof__(p) _stolen = (p); \
		(p) = NULL;                  \
		_stolen;                     \
	})

#endif /* VMCA_UTIL_CLEANUP_H */

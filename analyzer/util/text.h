// SPDX-License-Identifier: MIT
/** @file Text that may be cut, and lists of owned strings (notes). */
#ifndef VMCA_UTIL_TEXT_H
#define VMCA_UTIL_TEXT_H

#include <stdarg.h>
#include <stddef.h>

/**
 * snprintf into dst for text a cut still reads right (an expression, a
 * note, a name): no truncation warning to silence at every call.
 */
void vmca_strf(char *dst, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/** Append a formatted, owned string to the list *items of *nr (silently
 *  not, out of memory). */
void vmca_strv_vaddf(char ***items, size_t *nr, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
void vmca_strv_free(char **items, size_t nr);

#endif /* VMCA_UTIL_TEXT_H */

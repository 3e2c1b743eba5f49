// SPDX-License-Identifier: MIT
/** @file Text that may be cut, and lists of owned strings (notes). */
#include <stdio.h>
#include <stdlib.h>

#include "text.h"

void vmca_strf(char *dst, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(dst, size, fmt, ap);
	va_end(ap);
}

void vmca_strv_vaddf(char ***items, size_t *nr, const char *fmt, va_list ap)
{
	char *text = NULL;
	if (vasprintf(&text, fmt, ap) < 0)
		return;
	char **grown = realloc(*items, (*nr + 1) * sizeof(*grown));
	if (!grown) {
		free(text);
		return;
	}
	*items = grown;
	grown[(*nr)++] = text;
}

void vmca_strv_free(char **items, size_t nr)
{
	for (size_t i = 0; i < nr; i++)
		free(items[i]);
	free(items);
}

// SPDX-License-Identifier: MIT
/** @file A minimal test harness: CHECK macros and a closing summary. */
#ifndef VMCA_TESTS_CHECK_H
#define VMCA_TESTS_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_passed, check_failed;

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (cond) {                                                    \
			check_passed++;                                        \
		} else {                                                       \
			check_failed++;                                        \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, \
				__LINE__, #cond);                              \
		}                                                              \
	} while (0)

#define CHECK_STR(a, b)                                                  \
	do {                                                             \
		const char *_a = (a), *_b = (b);                         \
		if (_a && _b && strcmp(_a, _b) == 0) {                   \
			check_passed++;                                  \
		} else {                                                 \
			check_failed++;                                  \
			fprintf(stderr,                                  \
				"%s:%d: CHECK_STR failed:\n  got:      " \
				"%s\n  expected: %s\n",                  \
				__FILE__, __LINE__, _a ? _a : "(null)",  \
				_b ? _b : "(null)");                     \
		}                                                        \
	} while (0)

/** Print "N passed, N failed" and return the exit status. */
static inline int check_summary(void)
{
	printf("%d passed, %d failed\n", check_passed, check_failed);
	return check_failed ? 1 : 0;
}

#endif /* VMCA_TESTS_CHECK_H */

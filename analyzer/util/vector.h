// SPDX-License-Identifier: MIT
/** @file Type-safe growable arrays. */
#ifndef VMCA_UTIL_VECTOR_H
#define VMCA_UTIL_VECTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/**
 * Define struct NAME { TYPE *data; size_t len, cap; } and its functions:
 * NAME_init, NAME_deinit, NAME_reserve, NAME_append (returns false on
 * allocation failure), NAME_append_entry (pointer to a new zeroed slot or
 * NULL).
 */
#define DEFINE_VECTOR(name, type)                                              \
	struct name {                                                          \
		type *data;                                                    \
		size_t len, cap;                                               \
	};                                                                     \
	__attribute__((unused)) static inline void name##_init(struct name *v) \
	{                                                                      \
		v->data = NULL;                                                \
		v->len = v->cap = 0;                                           \
	}                                                                      \
	__attribute__((unused)) static inline void name##_deinit(              \
		struct name *v)                                                \
	{                                                                      \
		free(v->data);                                                 \
		name##_init(v);                                                \
	}                                                                      \
	__attribute__((unused)) static inline bool name##_reserve(             \
		struct name *v, size_t cap)                                    \
	{                                                                      \
		if (cap <= v->cap)                                             \
			return true;                                           \
		if (cap > ((size_t)-1) / 2 / sizeof(type))                     \
			return false;                                          \
		size_t n = v->cap ? v->cap : 8;                                \
		while (n < cap)                                                \
			n *= 2;                                                \
		type *d = realloc(v->data, n * sizeof(type));                  \
		if (!d)                                                        \
			return false;                                          \
		v->data = d;                                                   \
		v->cap = n;                                                    \
		return true;                                                   \
	}                                                                      \
	__attribute__((unused)) static inline type *name##_append_entry(       \
		struct name *v)                                                \
	{                                                                      \
		if (!name##_reserve(v, v->len + 1))                            \
			return NULL;                                           \
		type *e = &v->data[v->len++];                                  \
		memset(e, 0, sizeof(*e));                                      \
		return e;                                                      \
	}                                                                      \
	__attribute__((unused)) static inline bool name##_append(              \
		struct name *v, type value)                                    \
	{                                                                      \
		if (!name##_reserve(v, v->len + 1))                            \
			return false;                                          \
		v->data[v->len++] = value;                                     \
		return true;                                                   \
	}

// "it &&": an empty vector's data is NULL, and NULL + 0 is undefined.
#define vector_for_each(v, it) \
	for (it = (v)->data; it && it < (v)->data + (v)->len; it++)

#endif /* VMCA_UTIL_VECTOR_H */

// SPDX-License-Identifier: MIT
/** @file Type-safe open-addressing hash maps. */
#ifndef VMCA_UTIL_HASH_MAP_H
#define VMCA_UTIL_HASH_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/**
 * Define struct NAME, a map from KEY to VALUE with linear probing in a
 * power-of-two table, and its functions:
 *  - NAME_init, NAME_deinit (frees the table, not what keys or values
 *    point to: see NAME_for_each);
 *  - VALUE *NAME_find(map, const KEY *key): the value or NULL;
 *  - VALUE *NAME_insert(map, const KEY *key, bool *is_new_ret): the slot
 *    for key, added (zeroed) if absent; NULL on allocation failure.
 * HASH(const KEY *) returns a uint64_t, EQ(const KEY *, const KEY *) a
 * bool. Entries are never removed. Pointers returned stay valid until the
 * next insertion.
 */
#define DEFINE_HASH_MAP(name, key_type, value_type, hash_fn, eq_fn)            \
	struct name##_entry {                                                  \
		key_type key;                                                  \
		value_type value;                                              \
		bool is_used;                                                  \
	};                                                                     \
	struct name {                                                          \
		struct name##_entry *slots;                                    \
		size_t nr_slots, len;                                          \
	};                                                                     \
	__attribute__((unused)) static inline void name##_init(struct name *m) \
	{                                                                      \
		m->slots = NULL;                                               \
		m->nr_slots = m->len = 0;                                      \
	}                                                                      \
	__attribute__((unused)) static inline void name##_deinit(              \
		struct name *m)                                                \
	{                                                                      \
		free(m->slots);                                                \
		name##_init(m);                                                \
	}                                                                      \
	__attribute__((unused)) static inline struct name##_entry              \
		*name##_slot(struct name##_entry *slots, size_t nr_slots,      \
			     const key_type *key)                              \
	{                                                                      \
		size_t mask = nr_slots - 1;                                    \
		size_t i = (size_t)(hash_fn(key)) & mask;                      \
		while (slots[i].is_used && !eq_fn(&slots[i].key, key))         \
			i = (i + 1) & mask;                                    \
		return &slots[i];                                              \
	}                                                                      \
	__attribute__((unused)) static inline value_type *name##_find(         \
		struct name *m, const key_type *key)                           \
	{                                                                      \
		if (!m->len)                                                   \
			return NULL;                                           \
		struct name##_entry *e =                                       \
			name##_slot(m->slots, m->nr_slots, key);               \
		return e->is_used ? &e->value : NULL;                          \
	}                                                                      \
	__attribute__((unused)) static inline bool name##_grow(struct name *m) \
	{                                                                      \
		size_t n = m->nr_slots ? m->nr_slots * 2 : 16;                 \
		if (n > ((size_t)-1) / 2 / sizeof(struct name##_entry))        \
			return false;                                          \
		struct name##_entry *slots = calloc(n, sizeof(*slots));        \
		if (!slots)                                                    \
			return false;                                          \
		for (size_t i = 0; i < m->nr_slots; i++) {                     \
			if (m->slots[i].is_used)                               \
				*name##_slot(slots, n, &m->slots[i].key) =     \
					m->slots[i];                           \
		}                                                              \
		free(m->slots);                                                \
		m->slots = slots;                                              \
		m->nr_slots = n;                                               \
		return true;                                                   \
	}                                                                      \
	__attribute__((unused)) static inline value_type *name##_insert(       \
		struct name *m, const key_type *key, bool *is_new_ret)         \
	{                                                                      \
		if ((m->len + 1) * 4 > m->nr_slots * 3 && !name##_grow(m))     \
			return NULL;                                           \
		struct name##_entry *e =                                       \
			name##_slot(m->slots, m->nr_slots, key);               \
		bool is_new = !e->is_used;                                     \
		if (is_new) {                                                  \
			memset(e, 0, sizeof(*e));                              \
			e->key = *key;                                         \
			e->is_used = true;                                     \
			m->len++;                                              \
		}                                                              \
		if (is_new_ret)                                                \
			*is_new_ret = is_new;                                  \
		return &e->value;                                              \
	}

/** Iterate the used entries of a map: it is a struct NAME_entry *. */
#define hash_map_for_each(m, it)                                           \
	for (it = (m)->slots; it && it < (m)->slots + (m)->nr_slots; it++) \
		if (it->is_used)

/** A 64-bit mix (murmur3's finalizer), for integer keys. */
static inline uint64_t vmca_hash_u64(uint64_t x)
{
	x ^= x >> 33;
	x *= UINT64_C(0xff51afd7ed558ccd);
	x ^= x >> 33;
	x *= UINT64_C(0xc4ceb9fe1a85ec53);
	x ^= x >> 33;
	return x;
}

/** FNV-1a over a NUL-terminated string, mixed with seed. */
static inline uint64_t vmca_hash_string(const char *s, uint64_t seed)
{
	uint64_t h = UINT64_C(14695981039346656037) ^ vmca_hash_u64(seed);
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= UINT64_C(1099511628211);
	}
	return vmca_hash_u64(h);
}

#endif /* VMCA_UTIL_HASH_MAP_H */

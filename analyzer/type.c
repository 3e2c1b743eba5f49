// SPDX-License-Identifier: MIT
/** @file Types of the program: session-wide ids over every debuginfo. */
#include <stdio.h>
#include <stdlib.h>
#include <inttypes.h>
#include <string.h>

#include "../dwarf/debuginfo.h"
#include "util/hash_map.h"
#include "vmca.h"

// Types vmca may make in one session (pointers taken in expressions, int
// types a vmlinux lacks): far more than any command needs.
#define MAX_MADE_TYPES 65536
// Typedef and qualifier chains longer than this only come from a damaged
// index.
#define MAX_CHAIN 64

struct space {
	struct vmca_debuginfo *di;
	uint32_t base;
	uint32_t count;
};
DEFINE_VECTOR(space_vector, struct space)

// A type vmca made: its description and, for an int, its name. Each is
// allocated on its own, so that names stay where they are.
struct made {
	struct vmca_type t;
	char name[32];
};
DEFINE_VECTOR(made_vector, struct made *)

static uint64_t hash_u32(const uint32_t *k)
{
	return vmca_hash_u64(*k);
}

static bool eq_u32(const uint32_t *a, const uint32_t *b)
{
	return *a == *b;
}
DEFINE_HASH_MAP(pointer_map, uint32_t, uint32_t, hash_u32, eq_u32)

struct path_key {
	uint32_t type;
	const char *path; // owned by the table
};

static uint64_t hash_path(const struct path_key *k)
{
	return vmca_hash_string(k->path, k->type);
}

static bool eq_path(const struct path_key *a, const struct path_key *b)
{
	return a->type == b->type && strcmp(a->path, b->path) == 0;
}
DEFINE_HASH_MAP(path_map, struct path_key, struct vmca_member, hash_path,
		eq_path)

struct enumerator {
	uint32_t type;
	int64_t value;
};

static uint64_t hash_name(const char *const *k)
{
	return vmca_hash_string(*k, 0);
}

static bool eq_name(const char *const *a, const char *const *b)
{
	return strcmp(*a, *b) == 0;
}
DEFINE_HASH_MAP(enumerator_map, const char *, struct enumerator, hash_name,
		eq_name)

struct vmca_type_table {
	struct space_vector spaces;
	struct made_vector made;
	struct pointer_map pointers;
	struct path_map paths;
	/** Built on first use; names are the debuginfo's (borrowed). */
	struct enumerator_map enumerators;
	bool has_enumerators;
};

struct vmca_error *vmca_type_table_create(struct vmca_debuginfo *vmlinux,
					  struct vmca_type_table **ret)
{
	struct vmca_type_table *t = calloc(1, sizeof(*t));
	if (!t)
		return &vmca_enomem;
	space_vector_init(&t->spaces);
	made_vector_init(&t->made);
	pointer_map_init(&t->pointers);
	path_map_init(&t->paths);
	enumerator_map_init(&t->enumerators);
	struct space *sp = space_vector_append_entry(&t->spaces);
	if (!sp) {
		free(t);
		return &vmca_enomem;
	}
	sp->di = vmlinux;
	sp->base = 0;
	sp->count = vmca_debuginfo_nr_types(vmlinux);
	*ret = t;
	return NULL;
}

void vmca_type_table_destroy(struct vmca_type_table *t)
{
	if (!t)
		return;
	struct path_map_entry *e;
	hash_map_for_each (&t->paths, e)
		free((char *)e->key.path);
	path_map_deinit(&t->paths);
	enumerator_map_deinit(&t->enumerators);
	pointer_map_deinit(&t->pointers);
	struct made **m;
	vector_for_each (&t->made, m)
		free(*m);
	made_vector_deinit(&t->made);
	space_vector_deinit(&t->spaces);
	free(t);
}

struct vmca_error *vmca_type_table_add(struct vmca_type_table *t,
				       struct vmca_debuginfo *di,
				       uint32_t *base_ret)
{
	const struct space *last = &t->spaces.data[t->spaces.len - 1];
	uint64_t base = (uint64_t)last->base + last->count;
	uint32_t count = vmca_debuginfo_nr_types(di);
	if (base + count > VMCA_TYPE_MADE_BASE)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "too many types in the modules' "
					 "debuginfo");
	struct space *sp = space_vector_append_entry(&t->spaces);
	if (!sp)
		return &vmca_enomem;
	sp->di = di;
	sp->base = (uint32_t)base;
	sp->count = count;
	*base_ret = sp->base;
	return NULL;
}

static struct vmca_type_table *table(struct vmca_session *s)
{
	return vmca_session_type_table(s);
}

// The space of a non-made id (the vmlinux's for unknown ones), and the
// id within it.
static const struct space *space_of(struct vmca_type_table *t, uint32_t id,
				    uint32_t *local_ret)
{
	size_t lo = 0, hi = t->spaces.len;
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;
		if (t->spaces.data[mid].base <= id)
			lo = mid;
		else
			hi = mid;
	}
	const struct space *sp = &t->spaces.data[lo];
	*local_ret = id - sp->base < sp->count ? id - sp->base : 0;
	return sp;
}

static uint32_t global(const struct space *sp, uint32_t local)
{
	return local ? sp->base + local : 0;
}

static const struct made *made_of(struct vmca_type_table *t, uint32_t id)
{
	uint32_t i = id - VMCA_TYPE_MADE_BASE;
	return i < t->made.len ? t->made.data[i] : NULL;
}

void vmca_type_info(struct vmca_session *s, uint32_t id, struct vmca_type *ret)
{
	struct vmca_type_table *t = table(s);
	if (id >= VMCA_TYPE_MADE_BASE) {
		const struct made *m = made_of(t, id);
		if (m) {
			*ret = m->t;
			return;
		}
		id = 0;
	}
	uint32_t local;
	const struct space *sp = space_of(t, id, &local);
	vmca_debuginfo_type(sp->di, local, ret);
	switch (ret->kind) {
	case VMCA_TYPE_POINTER:
	case VMCA_TYPE_TYPEDEF:
	case VMCA_TYPE_CONST:
	case VMCA_TYPE_VOLATILE:
	case VMCA_TYPE_RESTRICT:
	case VMCA_TYPE_ARRAY:
	case VMCA_TYPE_ENUM:
	case VMCA_TYPE_FUNCTION:
		ret->target = global(sp, ret->target);
		break;
	default:
		break;
	}
}

void vmca_type_member_at(struct vmca_session *s, uint32_t id, uint32_t i,
			 struct vmca_member *ret)
{
	struct vmca_type_table *t = table(s);
	uint32_t local;
	if (id >= VMCA_TYPE_MADE_BASE)
		id = 0;
	const struct space *sp = space_of(t, id, &local);
	vmca_debuginfo_member(sp->di, local, i, ret);
	ret->type = global(sp, ret->type);
}

void vmca_type_enumerator_at(struct vmca_session *s, uint32_t id, uint32_t i,
			     const char **name_ret, int64_t *value_ret)
{
	struct vmca_type_table *t = table(s);
	uint32_t local;
	if (id >= VMCA_TYPE_MADE_BASE)
		id = 0;
	const struct space *sp = space_of(t, id, &local);
	vmca_debuginfo_enumerator(sp->di, local, i, name_ret, value_ret);
}

uint32_t vmca_type_parameter_at(struct vmca_session *s, uint32_t id, uint32_t i)
{
	struct vmca_type_table *t = table(s);
	uint32_t local;
	if (id >= VMCA_TYPE_MADE_BASE)
		return 0;
	const struct space *sp = space_of(t, id, &local);
	return global(sp, vmca_debuginfo_parameter(sp->di, local, i));
}

uint32_t vmca_type_unqualified(struct vmca_session *s, uint32_t id)
{
	for (int i = 0; i < MAX_CHAIN; i++) {
		struct vmca_type t;
		vmca_type_info(s, id, &t);
		if (t.kind != VMCA_TYPE_TYPEDEF && t.kind != VMCA_TYPE_CONST &&
		    t.kind != VMCA_TYPE_VOLATILE &&
		    t.kind != VMCA_TYPE_RESTRICT)
			return id;
		id = t.target;
	}
	return 0;
}

uint64_t vmca_type_sizeof(struct vmca_session *s, uint32_t id)
{
	struct vmca_type t;
	vmca_type_info(s, vmca_type_unqualified(s, id), &t);
	return t.size;
}

size_t vmca_type_name(struct vmca_session *s, uint32_t id, const char *var_name,
		      char *buf, size_t size)
{
	struct vmca_type_table *t = table(s);
	if (id < VMCA_TYPE_MADE_BASE) {
		uint32_t local;
		const struct space *sp = space_of(t, id, &local);
		return vmca_debuginfo_type_name(sp->di, local, var_name, buf,
						size);
	}
	const struct made *m = made_of(t, id);
	if (!m)
		return (size_t)snprintf(buf, size, "void%s%s",
					var_name ? " " : "",
					var_name ? var_name : "");
	if (m->t.kind == VMCA_TYPE_INT)
		return (size_t)snprintf(buf, size, "%s%s%s", m->name,
					var_name ? " " : "",
					var_name ? var_name : "");
	if (m->t.kind == VMCA_TYPE_ARRAY) {
		char decl[256];
		snprintf(decl, sizeof(decl), "%s[%" PRIu64 "]",
			 var_name ? var_name : "", m->t.array_len);
		return vmca_type_name(s, m->t.target, decl, buf, size);
	}
	// A pointer: "T *var", or "T (*var)[N]" / "T (*var)(...)" for
	// arrays and functions, as C declares them.
	struct vmca_type target;
	vmca_type_info(s, vmca_type_unqualified(s, m->t.target), &target);
	bool needs_parens = target.kind == VMCA_TYPE_ARRAY ||
			    target.kind == VMCA_TYPE_FUNCTION;
	char decl[256];
	snprintf(decl, sizeof(decl), "%s*%s%s", needs_parens ? "(" : "",
		 var_name ? var_name : "", needs_parens ? ")" : "");
	return vmca_type_name(s, m->t.target, decl, buf, size);
}

struct vmca_error *vmca_type(struct vmca_session *s, const char *name,
			     uint32_t *ret)
{
	return vmca_debuginfo_find_type(vmca_session_debuginfo(s), name, ret);
}

struct vmca_error *vmca_type_find(struct vmca_session *s, const char *name,
				  uint32_t *ret)
{
	uint32_t id;
	struct vmca_error *err = vmca_type(s, name, &id);
	if (err && err->code != VMCA_ERROR_NOT_FOUND)
		return err;
	// Found, and more than a declaration (an opaque struct a module
	// defines): the vmlinux's.
	struct vmca_type info;
	if (!err) {
		vmca_type_info(s, id, &info);
		if (!info.is_declaration) {
			*ret = id;
			return NULL;
		}
	}
	if (vmca_module_debuginfo_load_all(s)) {
		struct vmca_type_table *t = table(s);
		for (size_t i = 1; i < t->spaces.len; i++) {
			const struct space *sp = &t->spaces.data[i];
			uint32_t local;
			if (!vmca_error_consume(vmca_debuginfo_find_type(
				    sp->di, name, &local)))
				continue;
			vmca_debuginfo_type(sp->di, local, &info);
			if (info.is_declaration)
				continue;
			vmca_error_destroy(err);
			*ret = global(sp, local);
			return NULL;
		}
	}
	if (!err) {
		*ret = id;
		return NULL;
	}
	return err;
}

static struct vmca_error *make_type(struct vmca_type_table *t,
				    const struct vmca_type *desc,
				    const char *name, uint32_t *ret)
{
	if (t->made.len >= MAX_MADE_TYPES)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "more than %u types made in one "
					 "session",
					 MAX_MADE_TYPES);
	struct made *m = calloc(1, sizeof(*m));
	if (!m || !made_vector_append(&t->made, m)) {
		free(m);
		return &vmca_enomem;
	}
	m->t = *desc;
	if (name) {
		snprintf(m->name, sizeof(m->name), "%s", name);
		m->t.name = m->name;
	}
	*ret = VMCA_TYPE_MADE_BASE + (uint32_t)(t->made.len - 1);
	return NULL;
}

struct vmca_error *vmca_type_pointer_to(struct vmca_session *s, uint32_t target,
					uint32_t *ret)
{
	struct vmca_type_table *t = table(s);
	uint32_t *found = pointer_map_find(&t->pointers, &target);
	if (found) {
		*ret = *found;
		return NULL;
	}
	struct vmca_type desc = {
		.kind = VMCA_TYPE_POINTER,
		.size = 8,
		.target = target,
	};
	uint32_t id;
	struct vmca_error *err = make_type(t, &desc, NULL, &id);
	if (err)
		return err;
	uint32_t *slot = pointer_map_insert(&t->pointers, &target, NULL);
	if (!slot)
		return &vmca_enomem;
	*slot = id;
	*ret = id;
	return NULL;
}

struct vmca_error *vmca_type_array_of(struct vmca_session *s, uint32_t element,
				      uint64_t len, uint32_t *ret)
{
	struct vmca_type_table *t = table(s);
	for (size_t j = 0; j < t->made.len; j++) {
		const struct vmca_type *m = &t->made.data[j]->t;
		if (m->kind == VMCA_TYPE_ARRAY && m->target == element &&
		    m->array_len == len) {
			*ret = VMCA_TYPE_MADE_BASE + (uint32_t)j;
			return NULL;
		}
	}
	uint64_t size = vmca_type_sizeof(s, element);
	if (len && size > UINT64_MAX / len)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "an array of %" PRIu64
					 " elements of %" PRIu64 " bytes",
					 len, size);
	struct vmca_type desc = {
		.kind = VMCA_TYPE_ARRAY,
		.size = size * len,
		.target = element,
		.array_len = len,
	};
	return make_type(t, &desc, NULL, ret);
}

struct vmca_error *vmca_type_int(struct vmca_session *s, const char *name,
				 uint32_t *ret)
{
	struct vmca_error *err = vmca_type(s, name, ret);
	if (!err) {
		struct vmca_type t;
		vmca_type_info(s, vmca_type_unqualified(s, *ret), &t);
		if (t.kind == VMCA_TYPE_INT)
			return NULL;
	}
	vmca_error_destroy(err);
	// LP64, as every 64-bit Linux.
	static const struct {
		const char *name;
		uint8_t size;
		bool is_signed, is_char, is_bool;
	} ints[] = {
		{"_Bool", 1, false, false, true},
		{"char", 1, true, true, false},
		{"signed char", 1, true, true, false},
		{"unsigned char", 1, false, true, false},
		{"short", 2, true, false, false},
		{"unsigned short", 2, false, false, false},
		{"int", 4, true, false, false},
		{"unsigned int", 4, false, false, false},
		{"long", 8, true, false, false},
		{"unsigned long", 8, false, false, false},
		{"long long", 8, true, false, false},
		{"unsigned long long", 8, false, false, false},
	};
	struct vmca_type_table *t = table(s);
	for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
		if (strcmp(ints[i].name, name) != 0)
			continue;
		for (size_t j = 0; j < t->made.len; j++) {
			if (t->made.data[j]->t.kind == VMCA_TYPE_INT &&
			    strcmp(t->made.data[j]->name, name) == 0) {
				*ret = VMCA_TYPE_MADE_BASE + (uint32_t)j;
				return NULL;
			}
		}
		struct vmca_type desc = {
			.kind = VMCA_TYPE_INT,
			.size = ints[i].size,
			.is_signed = ints[i].is_signed,
			.is_char = ints[i].is_char,
			.is_bool = ints[i].is_bool,
		};
		return make_type(t, &desc, name, ret);
	}
	return vmca_error_create(VMCA_ERROR_NOT_FOUND, "no integer type '%s'",
				 name);
}

struct vmca_error *vmca_type_member_path(struct vmca_session *s, uint32_t id,
					 const char *path,
					 struct vmca_member *ret)
{
	struct vmca_type_table *t = table(s);
	struct path_key key = {.type = id, .path = path};
	struct vmca_member *found = path_map_find(&t->paths, &key);
	if (found) {
		*ret = *found;
		return NULL;
	}
	if (id >= VMCA_TYPE_MADE_BASE) {
		char name[256];
		vmca_type_name(s, id, NULL, name, sizeof(name));
		return vmca_error_create(VMCA_ERROR_NOT_FOUND,
					 "%s has no member %s", name, path);
	}
	uint32_t local;
	const struct space *sp = space_of(t, id, &local);
	struct vmca_member m;
	struct vmca_error *err =
		vmca_debuginfo_member_path(sp->di, local, path, &m);
	if (err)
		return err;
	m.type = global(sp, m.type);
	key.path = strdup(path);
	if (!key.path)
		return &vmca_enomem;
	bool is_new;
	struct vmca_member *slot = path_map_insert(&t->paths, &key, &is_new);
	if (!slot) {
		free((char *)key.path);
		return &vmca_enomem;
	}
	*slot = m;
	*ret = m;
	return NULL;
}

struct vmca_error *vmca_type_enumerator(struct vmca_session *s,
					const char *name, uint32_t *type_ret,
					int64_t *value_ret)
{
	struct vmca_type_table *t = table(s);
	if (!t->has_enumerators) {
		// Named enums first win over anonymous ones of the same
		// constant; the first definition of each wins after that.
		const struct space *sp = &t->spaces.data[0];
		for (uint32_t id = 1; id < sp->count; id++) {
			struct vmca_type ti;
			vmca_debuginfo_type(sp->di, id, &ti);
			if (ti.kind != VMCA_TYPE_ENUM || ti.is_declaration)
				continue;
			for (uint32_t i = 0; i < ti.count; i++) {
				const char *n;
				int64_t value;
				vmca_debuginfo_enumerator(sp->di, id, i, &n,
							  &value);
				if (!n)
					continue;
				bool is_new;
				struct enumerator *e = enumerator_map_insert(
					&t->enumerators, &n, &is_new);
				if (!e)
					return &vmca_enomem;
				if (is_new) {
					e->type = id;
					e->value = value;
				}
			}
		}
		t->has_enumerators = true;
	}
	struct enumerator *e = enumerator_map_find(&t->enumerators, &name);
	if (!e)
		return vmca_error_create(VMCA_ERROR_NOT_FOUND,
					 "no enum constant '%s'", name);
	*type_ret = e->type;
	*value_ret = e->value;
	return NULL;
}

struct vmca_error *vmca_type_size(struct vmca_session *s, const char *name,
				  uint64_t *ret)
{
	uint32_t id;
	struct vmca_error *err = vmca_type(s, name, &id);
	if (err)
		return err;
	*ret = vmca_type_sizeof(s, id);
	return NULL;
}

struct vmca_error *vmca_type_member(struct vmca_session *s,
				    const char *type_name, const char *path,
				    struct vmca_member *ret)
{
	uint32_t id;
	struct vmca_error *err = vmca_type(s, type_name, &id);
	if (err)
		return err;
	err = vmca_type_member_path(s, id, path, ret);
	if (err)
		return vmca_error_wrap(err, "%s", type_name);
	return NULL;
}

struct vmca_error *vmca_type_member_offset(struct vmca_session *s,
					   const char *type_name,
					   const char *path, uint64_t *ret)
{
	struct vmca_member m;
	struct vmca_error *err = vmca_type_member(s, type_name, path, &m);
	if (err)
		return err;
	if (m.bit_size || m.bit_offset % 8)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "%s.%s is a bitfield", type_name,
					 path);
	*ret = m.bit_offset / 8;
	return NULL;
}

bool vmca_type_has_member(struct vmca_session *s, const char *type_name,
			  const char *path)
{
	struct vmca_member m;
	return vmca_error_consume(vmca_type_member(s, type_name, path, &m));
}

uint32_t vmca_type_unwrap_atomic(struct vmca_session *s, uint32_t type)
{
	type = vmca_type_unqualified(s, type);
	struct vmca_type t;
	vmca_type_info(s, type, &t);
	if (t.kind != VMCA_TYPE_STRUCT || t.count != 1)
		return type;
	struct vmca_member m;
	vmca_type_member_at(s, type, 0, &m);
	if (!m.name || strcmp(m.name, "counter") != 0)
		return type;
	return vmca_type_unqualified(s, m.type);
}

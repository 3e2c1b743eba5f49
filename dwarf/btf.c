// SPDX-License-Identifier: MIT
/**
 * @file BTF -> builder: the types of a vmlinux (or module) from its BTF,
 * parsed by libbpf, laid out as the DWARF index lays out its own.
 *
 * BTF is already deduplicated, so each of its types becomes one builder
 * type: a named struct, union, enum or typedef is a definition of its own
 * (its BTF id stands where DWARF's decl_line tells same-named layouts
 * apart), and the name stands for its most referenced definition, as the
 * DWARF index picks the one most units define. Derived types (pointers,
 * qualifiers, arrays, function prototypes) are hash-consed by the builder.
 * Aggregates and typedefs get their id before anything refers to them and
 * are filled in afterwards, so recursion only follows chains of derived
 * types, bounded: BTF read from a dump's memory may be hostile.
 */
#include <bpf/btf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

// Derived types nested deeper than this are damage, not C.
#define MAX_DEPTH 256

enum { UNRESOLVED = 0, BUSY = UINT32_MAX };

struct btf_walk {
	const struct btf *btf;
	const char *what;
	struct vmca_debuginfo_builder *b;
	uint32_t nr_types;
	/** BTF id -> builder id (UNRESOLVED, BUSY while a derived type's
	 *  target is being resolved). void is 0 in both. */
	uint32_t *ids;
	/** How many BTF types refer to each. */
	uint32_t *refs;
	/** BTF ids of aggregates and typedefs made, still to fill in. */
	struct vmca_debuginfo_u32_vector pending;
};

static struct vmca_error *damaged(const struct btf_walk *w, uint32_t id,
				  const char *why)
{
	return vmca_error_create(VMCA_ERROR_INVALID, "%s: BTF type %u: %s",
				 w->what, id, why);
}

static const char *name_of(const struct btf_walk *w, const struct btf_type *t)
{
	const char *name = btf__name_by_offset(w->btf, t->name_off);
	return name && *name ? name : NULL;
}

// Every type id a BTF type refers to, given to fn.
static void for_each_ref(const struct btf_type *t, void (*fn)(void *, uint32_t),
			 void *arg)
{
	switch (btf_kind(t)) {
	case BTF_KIND_PTR:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_FUNC:
	case BTF_KIND_VAR:
	case BTF_KIND_TYPE_TAG:
	case BTF_KIND_DECL_TAG:
		fn(arg, t->type);
		break;
	case BTF_KIND_ARRAY:
		fn(arg, btf_array(t)->type);
		break;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION: {
		const struct btf_member *m = btf_members(t);
		for (uint16_t i = 0; i < btf_vlen(t); i++)
			fn(arg, m[i].type);
		break;
	}
	case BTF_KIND_FUNC_PROTO: {
		fn(arg, t->type);
		const struct btf_param *p = btf_params(t);
		for (uint16_t i = 0; i < btf_vlen(t); i++)
			fn(arg, p[i].type);
		break;
	}
	default:
		break;
	}
}

static void count_ref(void *arg, uint32_t id)
{
	struct btf_walk *w = arg;
	if (id < w->nr_types)
		w->refs[id]++;
}

static struct vmca_error *resolve(struct btf_walk *w, uint32_t id,
				  unsigned depth, uint32_t *ret);

static struct vmca_error *base(struct btf_walk *w, const struct btf_type *t,
			       unsigned kind, uint32_t *ret)
{
	const char *name = name_of(w, t);
	char canonical[64];
	if (name && vmca_debuginfo_canonical_base_name(name, canonical,
						       sizeof(canonical)))
		name = canonical;
	uint8_t flags = 0;
	if (kind == VMCA_TYPE_INT) {
		uint8_t enc = btf_int_encoding(t);
		if (enc & BTF_INT_SIGNED)
			flags |= VMCA_DEBUGINFO_SIGNED;
		if (enc & BTF_INT_BOOL)
			flags |= VMCA_DEBUGINFO_BOOL;
		// pahole writes char as signed or not, rarely as BTF_INT_CHAR.
		if ((enc & BTF_INT_CHAR) ||
		    (name &&
		     (!strcmp(name, "char") || !strcmp(name, "signed char") ||
		      !strcmp(name, "unsigned char"))))
			flags |= VMCA_DEBUGINFO_CHAR;
	}
	return vmca_debuginfo_builder_base(w->b, kind, name, flags, t->size,
					   ret);
}

static struct vmca_error *aggregate(struct btf_walk *w, uint32_t btf_id,
				    const struct btf_type *t, unsigned kind,
				    uint32_t *ret)
{
	const char *name = name_of(w, t);
	struct vmca_error *err;
	uint32_t id;
	bool is_new = true;
	if (name) {
		err = vmca_debuginfo_builder_named_def(
			w->b, kind, name, t->size, btf_id,
			w->refs[btf_id] ? w->refs[btf_id] : 1, &id, &is_new);
	} else {
		err = vmca_debuginfo_builder_add_type(w->b, kind, NULL, &id);
		if (!err)
			w->b->types.data[id].size = t->size;
	}
	if (!err && is_new &&
	    !vmca_debuginfo_u32_vector_append(&w->pending, btf_id))
		err = &vmca_enomem;
	if (!err)
		*ret = id;
	return err;
}

static struct vmca_error *function(struct btf_walk *w, const struct btf_type *t,
				   unsigned depth, uint32_t *ret)
{
	uint32_t ret_type;
	struct vmca_error *err = resolve(w, t->type, depth + 1, &ret_type);
	if (err)
		return err;
	uint16_t n = btf_vlen(t);
	const struct btf_param *p = btf_params(t);
	uint8_t flags = VMCA_DEBUGINFO_PROTOTYPED;
	// A last parameter of type void: "...".
	if (n && !p[n - 1].type) {
		flags |= VMCA_DEBUGINFO_VARIADIC;
		n--;
	}
	uint32_t *params = calloc(n ? n : 1, sizeof(*params));
	if (!params)
		return &vmca_enomem;
	for (uint16_t i = 0; !err && i < n; i++)
		err = resolve(w, p[i].type, depth + 1, &params[i]);
	if (!err)
		err = vmca_debuginfo_builder_function(w->b, ret_type, flags,
						      params, n, ret);
	free(params);
	return err;
}

static struct vmca_error *make(struct btf_walk *w, uint32_t id,
			       const struct btf_type *t, unsigned depth,
			       uint32_t *ret)
{
	uint32_t target;
	struct vmca_error *err;
	switch (btf_kind(t)) {
	case BTF_KIND_INT:
		return base(w, t, VMCA_TYPE_INT, ret);
	case BTF_KIND_FLOAT:
		return base(w, t, VMCA_TYPE_FLOAT, ret);
	case BTF_KIND_PTR:
		err = resolve(w, t->type, depth + 1, &target);
		return err ? err
			   : vmca_debuginfo_builder_derived(
				     w->b, VMCA_TYPE_POINTER, target, 8, ret);
	case BTF_KIND_CONST:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_RESTRICT: {
		unsigned kind = btf_kind(t) == BTF_KIND_CONST ? VMCA_TYPE_CONST
				: btf_kind(t) == BTF_KIND_VOLATILE
					? VMCA_TYPE_VOLATILE
					: VMCA_TYPE_RESTRICT;
		err = resolve(w, t->type, depth + 1, &target);
		return err ? err
			   : vmca_debuginfo_builder_derived(w->b, kind, target,
							    0, ret);
	}
	case BTF_KIND_TYPE_TAG:
		// An attribute (__user, __rcu): C sees the type beneath.
		return resolve(w, t->type, depth + 1, ret);
	case BTF_KIND_ARRAY: {
		const struct btf_array *a = btf_array(t);
		err = resolve(w, a->type, depth + 1, &target);
		return err ? err
			   : vmca_debuginfo_builder_derived(
				     w->b, VMCA_TYPE_ARRAY, target, a->nelems,
				     ret);
	}
	case BTF_KIND_STRUCT:
		return aggregate(w, id, t, VMCA_TYPE_STRUCT, ret);
	case BTF_KIND_UNION:
		return aggregate(w, id, t, VMCA_TYPE_UNION, ret);
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		return aggregate(w, id, t, VMCA_TYPE_ENUM, ret);
	case BTF_KIND_FWD: {
		const char *name = name_of(w, t);
		if (!name)
			return damaged(w, id, "an anonymous declaration");
		return vmca_debuginfo_builder_named_decl(
			w->b, btf_kflag(t) ? VMCA_TYPE_UNION : VMCA_TYPE_STRUCT,
			name, ret);
	}
	case BTF_KIND_TYPEDEF: {
		const char *name = name_of(w, t);
		if (!name)
			return resolve(w, t->type, depth + 1, ret);
		bool is_new;
		err = vmca_debuginfo_builder_typedef(
			w->b, name, id, w->refs[id] ? w->refs[id] : 1, ret,
			&is_new);
		if (!err && is_new &&
		    !vmca_debuginfo_u32_vector_append(&w->pending, id))
			err = &vmca_enomem;
		return err;
	}
	case BTF_KIND_FUNC_PROTO:
		return function(w, t, depth, ret);
	default:
		// FUNC, VAR, DATASEC, DECL_TAG name things, they are no type.
		return damaged(w, id, "not a type where one is expected");
	}
}

static struct vmca_error *resolve(struct btf_walk *w, uint32_t id,
				  unsigned depth, uint32_t *ret)
{
	if (!id) {
		*ret = 0;
		return NULL;
	}
	if (id >= w->nr_types)
		return damaged(w, id, "no such type");
	if (w->ids[id] == BUSY)
		return damaged(w, id, "a cycle of derived types");
	if (w->ids[id] != UNRESOLVED) {
		*ret = w->ids[id];
		return NULL;
	}
	if (depth > MAX_DEPTH)
		return damaged(w, id, "derived types nested too deep");
	const struct btf_type *t = btf__type_by_id(w->btf, id);
	if (!t)
		return damaged(w, id, "no such type");
	w->ids[id] = BUSY;
	uint32_t made;
	struct vmca_error *err = make(w, id, t, depth, &made);
	if (err) {
		w->ids[id] = UNRESOLVED;
		return err;
	}
	// A builder id is never BUSY: the builder holds fewer types.
	w->ids[id] = made;
	*ret = made;
	return NULL;
}

static struct vmca_error *fill_members(struct btf_walk *w, uint32_t btf_id,
				       const struct btf_type *t)
{
	uint16_t n = btf_vlen(t);
	const struct btf_member *m = btf_members(t);
	struct vmca_debuginfo_cmember *members =
		calloc(n ? n : 1, sizeof(*members));
	if (!members)
		return &vmca_enomem;
	struct vmca_error *err = NULL;
	for (uint16_t i = 0; !err && i < n; i++) {
		const char *name = btf__name_by_offset(w->btf, m[i].name_off);
		err = resolve(w, m[i].type, 0, &members[i].type);
		if (!err)
			err = vmca_debuginfo_builder_intern(
				w->b, name && *name ? name : NULL,
				&members[i].name);
		members[i].bit_offset = btf_member_bit_offset(t, i);
		members[i].bit_size = btf_member_bitfield_size(t, i);
	}
	if (!err)
		err = vmca_debuginfo_builder_set_members(w->b, w->ids[btf_id],
							 members, n);
	free(members);
	return err;
}

static struct vmca_error *fill_enum(struct btf_walk *w, uint32_t btf_id,
				    const struct btf_type *t)
{
	uint16_t n = btf_vlen(t);
	struct vmca_debuginfo_cenum *values =
		calloc(n ? n : 1, sizeof(*values));
	if (!values)
		return &vmca_enomem;
	// kflag: a signed enum (pahole 1.24 on); before it, a negative
	// enumerator says so.
	bool is_signed = btf_kflag(t);
	struct vmca_error *err = NULL;
	for (uint16_t i = 0; !err && i < n; i++) {
		const char *name;
		if (btf_kind(t) == BTF_KIND_ENUM64) {
			const struct btf_enum64 *e = &btf_enum64(t)[i];
			name = btf__name_by_offset(w->btf, e->name_off);
			values[i].value = btf_enum64_value(e);
		} else {
			const struct btf_enum *e = &btf_enum(t)[i];
			name = btf__name_by_offset(w->btf, e->name_off);
			// 32 bits, sign-extended as the enum's signedness
			// (known only at the end) says; kept as read here.
			values[i].value = (uint32_t)e->val;
			if (e->val < 0 && !btf_kflag(t))
				is_signed = true;
		}
		err = vmca_debuginfo_builder_intern(
			w->b, name && *name ? name : NULL, &values[i].name);
	}
	if (!err && is_signed && btf_kind(t) == BTF_KIND_ENUM) {
		for (uint16_t i = 0; i < n; i++)
			values[i].value =
				(uint64_t)(int64_t)(int32_t)values[i].value;
	}
	uint32_t id = w->ids[btf_id];
	if (!err) {
		if (is_signed)
			w->b->types.data[id].flags |= VMCA_DEBUGINFO_SIGNED;
		err = vmca_debuginfo_builder_set_enumerators(w->b, id, values,
							     n);
	}
	free(values);
	return err;
}

static struct vmca_error *fill(struct btf_walk *w, uint32_t btf_id)
{
	const struct btf_type *t = btf__type_by_id(w->btf, btf_id);
	switch (btf_kind(t)) {
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		return fill_members(w, btf_id, t);
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		return fill_enum(w, btf_id, t);
	case BTF_KIND_TYPEDEF: {
		uint32_t target;
		struct vmca_error *err = resolve(w, t->type, 0, &target);
		if (!err)
			w->b->types.data[w->ids[btf_id]].target = target;
		return err;
	}
	default:
		return NULL;
	}
}

// A VAR (per-CPU variables are the vmlinux BTF's only ones): its type.
static struct vmca_error *variable(struct btf_walk *w, const struct btf_type *t)
{
	const char *name = name_of(w, t);
	if (!name)
		return NULL;
	uint8_t rank;
	if (vmca_debuginfo_builder_find_var(w->b, name, &rank) &&
	    rank >= VMCA_DEBUGINFO_VAR_EXTERNAL)
		return NULL;
	uint32_t type;
	struct vmca_error *err = resolve(w, t->type, 0, &type);
	if (!err)
		err = vmca_debuginfo_builder_set_var(
			w->b, name, type, VMCA_DEBUGINFO_VAR_EXTERNAL);
	return err;
}

struct vmca_error *vmca_debuginfo_btf_build(const void *data, size_t size,
					    const char *what,
					    struct vmca_debuginfo_builder *b)
{
	if (size > UINT32_MAX)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "%s: BTF of %zu bytes", what, size);
	errno = 0;
	struct btf *btf = btf__new(data, (uint32_t)size);
	if (!btf)
		return vmca_error_create(
			VMCA_ERROR_INVALID, "%s: BTF that libbpf rejects (%s)",
			what, strerror(errno ? errno : EINVAL));
	struct btf_walk w = {.btf = btf, .what = what, .b = b};
	w.nr_types = btf__type_cnt(btf);
	w.ids = calloc(w.nr_types, sizeof(*w.ids));
	w.refs = calloc(w.nr_types, sizeof(*w.refs));
	struct vmca_error *err = NULL;
	if (!w.ids || !w.refs)
		err = &vmca_enomem;
	for (uint32_t id = 1; !err && id < w.nr_types; id++)
		for_each_ref(btf__type_by_id(btf, id), count_ref, &w);
	// Every type in id order, so that the builder's order (and which of
	// equal definitions comes first) follows the BTF's.
	for (uint32_t id = 1; !err && id < w.nr_types; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		int kind = btf_kind(t);
		if (kind == BTF_KIND_FUNC || kind == BTF_KIND_VAR ||
		    kind == BTF_KIND_DATASEC || kind == BTF_KIND_DECL_TAG)
			continue;
		uint32_t made;
		err = resolve(&w, id, 0, &made);
		while (!err && w.pending.len)
			err = fill(&w, w.pending.data[--w.pending.len]);
	}
	for (uint32_t id = 1; !err && id < w.nr_types; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		if (btf_kind(t) == BTF_KIND_VAR)
			err = variable(&w, t);
	}
	vmca_debuginfo_u32_vector_deinit(&w.pending);
	free(w.refs);
	free(w.ids);
	btf__free(btf);
	return err;
}

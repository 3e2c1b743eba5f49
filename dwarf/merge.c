// SPDX-License-Identifier: MIT
/** @file Merging the builder of one half of the units into the other's. */
#include <stdlib.h>

#include "../analyzer/util/cleanup.h"
#include "internal.h"

/*
 * The index build walks the two halves of .debug_info on two threads,
 * each into its own builder; this adds the second to the first as if one
 * walk had gone through all units in order:
 *
 * 1. Named types are looked up by the same keys the walk uses (name, size
 *    and DW_AT_decl_line of a definition; the name of a declaration or
 *    base type), their uses added up, so that a name still stands for the
 *    definition most units have.
 * 2. What a new definition or a variable that wins refers to is copied:
 *    anonymous structs, and derived types hash-consed again. What only
 *    src's duplicates of dst's definitions referred to is left behind.
 *
 * Everything runs in src id order, without recursion: a derived type
 * (pointer, qualifier, array, function) is only ever made after the
 * types it refers to, so its targets have smaller ids.
 */

enum {
	// map[id] is set.
	MERGE_MAPPED = 1 << 0,
	// Referred to by something that is copied.
	MERGE_NEEDED = 1 << 1,
	// Made in dst by the merge: its contents are to be copied.
	MERGE_FILL = 1 << 2,
};

struct merge {
	struct vmca_debuginfo_builder *dst;
	const struct vmca_debuginfo_builder *src;
	uint32_t *map;
	uint8_t *state;
	struct vmca_debuginfo_u32_vector stack;
};

static const char *src_string(const struct merge *m, uint32_t offset)
{
	return offset ? m->src->strings.data + offset : NULL;
}

static bool is_derived(unsigned kind)
{
	switch (kind) {
	case VMCA_TYPE_POINTER:
	case VMCA_TYPE_CONST:
	case VMCA_TYPE_VOLATILE:
	case VMCA_TYPE_RESTRICT:
	case VMCA_TYPE_ARRAY:
	case VMCA_TYPE_FUNCTION:
		return true;
	default:
		return false;
	}
}

static void set_map(struct merge *m, uint32_t id, uint32_t dst_id,
		    bool needs_fill)
{
	m->map[id] = dst_id;
	m->state[id] |= MERGE_MAPPED | (needs_fill ? MERGE_FILL : 0);
}

// Step 1: named types, by their keys.
static struct vmca_error *map_named(struct merge *m)
{
	const struct vmca_debuginfo_builder *src = m->src;
	for (uint32_t id = 1; id < src->types.len; id++) {
		const struct vmca_debuginfo_ctype *t = &src->types.data[id];
		const char *name = src_string(m, t->name);
		uint32_t dst_id;
		bool is_new = false;
		struct vmca_error *err = NULL;
		if (!name)
			continue;
		switch (t->kind) {
		case VMCA_TYPE_STRUCT:
		case VMCA_TYPE_UNION:
		case VMCA_TYPE_ENUM:
			if (t->flags & VMCA_DEBUGINFO_DECLARATION)
				err = vmca_debuginfo_builder_named_decl(
					m->dst, t->kind, name, &dst_id);
			else
				err = vmca_debuginfo_builder_named_def(
					m->dst, t->kind, name, t->size,
					src->decl_lines.data[id],
					src->uses.data[id], &dst_id, &is_new);
			break;
		case VMCA_TYPE_TYPEDEF:
			err = vmca_debuginfo_builder_typedef(
				m->dst, name, src->decl_lines.data[id],
				src->uses.data[id], &dst_id, &is_new);
			break;
		case VMCA_TYPE_INT:
		case VMCA_TYPE_FLOAT:
			err = vmca_debuginfo_builder_base(m->dst, t->kind, name,
							  t->flags, t->size,
							  &dst_id);
			break;
		default:
			continue;
		}
		if (err)
			return err;
		set_map(m, id, dst_id, is_new);
	}
	return NULL;
}

static struct vmca_error *need(struct merge *m, uint32_t id)
{
	if (id >= m->src->types.len ||
	    (m->state[id] & (MERGE_MAPPED | MERGE_NEEDED)))
		return NULL;
	m->state[id] |= MERGE_NEEDED;
	if (!vmca_debuginfo_u32_vector_append(&m->stack, id))
		return &vmca_enomem;
	return NULL;
}

// Mark what type id refers to.
static struct vmca_error *need_refs(struct merge *m, uint32_t id)
{
	const struct vmca_debuginfo_builder *src = m->src;
	const struct vmca_debuginfo_ctype *t = &src->types.data[id];
	struct vmca_error *err = need(m, t->target);
	switch (t->kind) {
	case VMCA_TYPE_STRUCT:
	case VMCA_TYPE_UNION:
		for (uint32_t i = 0; i < t->count && !err; i++)
			err = need(m, src->members.data[t->first + i].type);
		break;
	case VMCA_TYPE_FUNCTION:
		for (uint32_t i = 0; i < t->count && !err; i++)
			err = need(m, src->params.data[t->first + i]);
		break;
	default:
		break;
	}
	return err;
}

static bool src_var_wins(struct merge *m, uint32_t i)
{
	const struct vmca_debuginfo_builder *src = m->src;
	uint8_t rank;
	return !vmca_debuginfo_builder_find_var(
		       m->dst, src_string(m, src->vars.data[i].name), &rank) ||
	       src->var_rank.data[i] > rank;
}

// Step 2: what the new definitions and the winning variables refer to.
static struct vmca_error *mark_needed(struct merge *m, bool *var_wins)
{
	const struct vmca_debuginfo_builder *src = m->src;
	struct vmca_error *err = NULL;
	for (uint32_t id = 1; id < src->types.len && !err; id++) {
		if (m->state[id] & MERGE_FILL)
			err = need_refs(m, id);
	}
	for (uint32_t i = 0; i < src->vars.len && !err; i++) {
		var_wins[i] = src_var_wins(m, i);
		if (var_wins[i])
			err = need(m, src->vars.data[i].type);
	}
	while (!err && m->stack.len)
		err = need_refs(m, m->stack.data[--m->stack.len]);
	return err;
}

// The dst id of src type id; only called once id is mapped.
static uint32_t mapped(const struct merge *m, uint32_t id)
{
	return id < m->src->types.len ? m->map[id] : 0;
}

// Step 3: the needed types that have no key, in id order.
static struct vmca_error *copy_needed(struct merge *m)
{
	const struct vmca_debuginfo_builder *src = m->src;
	struct vmca_debuginfo_u32_vector params = {0};
	struct vmca_error *err = NULL;
	for (uint32_t id = 1; id < src->types.len && !err; id++) {
		if ((m->state[id] & (MERGE_NEEDED | MERGE_MAPPED)) !=
		    MERGE_NEEDED)
			continue;
		const struct vmca_debuginfo_ctype *t = &src->types.data[id];
		uint32_t dst_id;
		if (t->kind == VMCA_TYPE_FUNCTION) {
			params.len = 0;
			if (!vmca_debuginfo_u32_vector_reserve(&params,
							       t->count)) {
				err = &vmca_enomem;
				break;
			}
			for (uint32_t i = 0; i < t->count; i++)
				params.data[params.len++] = mapped(
					m, src->params.data[t->first + i]);
			err = vmca_debuginfo_builder_function(
				m->dst, mapped(m, t->target), t->flags,
				params.data, params.len, &dst_id);
			if (!err)
				set_map(m, id, dst_id, false);
		} else if (is_derived(t->kind)) {
			err = vmca_debuginfo_builder_derived(
				m->dst, t->kind, mapped(m, t->target), t->size,
				&dst_id);
			if (!err)
				set_map(m, id, dst_id, false);
		} else {
			// Anonymous structs, unions, enums and base types:
			// they belong to their one user.
			err = vmca_debuginfo_builder_add_type(
				m->dst, t->kind, src_string(m, t->name),
				&dst_id);
			if (!err) {
				struct vmca_debuginfo_ctype *d =
					&m->dst->types.data[dst_id];
				d->size = t->size;
				d->flags = t->flags;
				set_map(m, id, dst_id, true);
			}
		}
	}
	vmca_debuginfo_u32_vector_deinit(&params);
	return err;
}

// Step 4: the contents of what was made, with src ids mapped.
static struct vmca_error *fill(struct merge *m)
{
	const struct vmca_debuginfo_builder *src = m->src;
	struct vmca_debuginfo_member_vector members = {0};
	struct vmca_debuginfo_enum_vector enumerators = {0};
	struct vmca_error *err = NULL;
	for (uint32_t id = 1; id < src->types.len && !err; id++) {
		if (!(m->state[id] & MERGE_FILL))
			continue;
		const struct vmca_debuginfo_ctype *t = &src->types.data[id];
		uint32_t dst_id = m->map[id];
		struct vmca_debuginfo_ctype *d = &m->dst->types.data[dst_id];
		d->target = mapped(m, t->target);
		d->flags = t->flags;
		if (t->kind == VMCA_TYPE_STRUCT || t->kind == VMCA_TYPE_UNION) {
			members.len = 0;
			if (!vmca_debuginfo_member_vector_reserve(&members,
								  t->count)) {
				err = &vmca_enomem;
				break;
			}
			for (uint32_t i = 0; i < t->count && !err; i++) {
				struct vmca_debuginfo_cmember c =
					src->members.data[t->first + i];
				c.type = mapped(m, c.type);
				err = vmca_debuginfo_builder_intern(
					m->dst, src_string(m, c.name), &c.name);
				members.data[members.len++] = c;
			}
			if (!err)
				err = vmca_debuginfo_builder_set_members(
					m->dst, dst_id, members.data,
					members.len);
		} else if (t->kind == VMCA_TYPE_ENUM) {
			enumerators.len = 0;
			if (!vmca_debuginfo_enum_vector_reserve(&enumerators,
								t->count)) {
				err = &vmca_enomem;
				break;
			}
			for (uint32_t i = 0; i < t->count && !err; i++) {
				struct vmca_debuginfo_cenum c =
					src->enumerators.data[t->first + i];
				err = vmca_debuginfo_builder_intern(
					m->dst, src_string(m, c.name), &c.name);
				enumerators.data[enumerators.len++] = c;
			}
			if (!err)
				err = vmca_debuginfo_builder_set_enumerators(
					m->dst, dst_id, enumerators.data,
					enumerators.len);
		}
	}
	vmca_debuginfo_member_vector_deinit(&members);
	vmca_debuginfo_enum_vector_deinit(&enumerators);
	return err;
}

struct vmca_error *
vmca_debuginfo_builder_merge(struct vmca_debuginfo_builder *dst,
			     const struct vmca_debuginfo_builder *src)
{
	size_t n = src->types.len;
	struct merge m = {
		.dst = dst,
		.src = src,
		.map = calloc(n, sizeof(*m.map)),
		.state = calloc(n, 1),
	};
	_cleanup_free_ bool *var_wins =
		calloc(src->vars.len ? src->vars.len : 1, sizeof(*var_wins));
	struct vmca_error *err = NULL;
	if (!m.map || !m.state || !var_wins) {
		err = &vmca_enomem;
		goto out;
	}
	// Void is void.
	set_map(&m, 0, 0, false);
	err = map_named(&m);
	if (!err)
		err = mark_needed(&m, var_wins);
	if (!err)
		err = copy_needed(&m);
	if (!err)
		err = fill(&m);
	// Step 5: the variables, by rank.
	for (uint32_t i = 0; i < src->vars.len && !err; i++) {
		if (!var_wins[i])
			continue;
		const struct vmca_debuginfo_cvar *v = &src->vars.data[i];
		err = vmca_debuginfo_builder_set_var(
			dst, src_string(&m, v->name), mapped(&m, v->type),
			src->var_rank.data[i]);
	}
out:
	free(m.map);
	free(m.state);
	vmca_debuginfo_u32_vector_deinit(&m.stack);
	return err;
}

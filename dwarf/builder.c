// SPDX-License-Identifier: MIT
/** @file The tables a cold open fills, and their layout as a cache image. */
#include <stdlib.h>
#include <string.h>

#include "../analyzer/util/cleanup.h"
#include "internal.h"

// Tables start with this many slots and double at half load.
#define IDSET_MIN_SLOTS 1024u

static uint32_t mix64(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return (uint32_t)h;
}

static void idset_deinit(struct vmca_debuginfo_idset *set)
{
	free(set->slots);
	set->slots = NULL;
	set->nr_slots = set->count = 0;
}

static struct vmca_debuginfo_slot *
idset_find_slot(const struct vmca_debuginfo_idset *set, uint32_t hash,
		bool (*eq)(const struct vmca_debuginfo_builder *b, uint32_t id,
			   const void *key),
		const struct vmca_debuginfo_builder *b, const void *key)
{
	if (!set->nr_slots)
		return NULL;
	uint32_t mask = set->nr_slots - 1;
	for (uint32_t i = hash & mask;; i = (i + 1) & mask) {
		struct vmca_debuginfo_slot *slot = &set->slots[i];
		if (!slot->id)
			return NULL;
		if (slot->hash == hash && eq(b, slot->id, key))
			return slot;
	}
}

static uint32_t idset_find(const struct vmca_debuginfo_idset *set,
			   uint32_t hash,
			   bool (*eq)(const struct vmca_debuginfo_builder *b,
				      uint32_t id, const void *key),
			   const struct vmca_debuginfo_builder *b,
			   const void *key)
{
	const struct vmca_debuginfo_slot *slot =
		idset_find_slot(set, hash, eq, b, key);
	return slot ? slot->id : 0;
}

static void idset_place(struct vmca_debuginfo_slot *slots, uint32_t nr_slots,
			uint32_t hash, uint32_t id)
{
	uint32_t mask = nr_slots - 1;
	uint32_t i = hash & mask;
	while (slots[i].id)
		i = (i + 1) & mask;
	slots[i].hash = hash;
	slots[i].id = id;
}

// Adds id without looking for an equal one: the caller has.
static struct vmca_error *idset_insert(struct vmca_debuginfo_idset *set,
				       uint32_t hash, uint32_t id)
{
	// Filled to at most 3/4, as the symbol hash (slots_for()).
	if ((uint64_t)(set->count + 1) * 4 > (uint64_t)set->nr_slots * 3) {
		uint64_t n = set->nr_slots ? (uint64_t)set->nr_slots * 2
					   : IDSET_MIN_SLOTS;
		if (n > UINT32_MAX / 2 + 1)
			return &vmca_enomem;
		struct vmca_debuginfo_slot *slots = calloc(n, sizeof(*slots));
		if (!slots)
			return &vmca_enomem;
		for (uint32_t i = 0; i < set->nr_slots; i++) {
			if (set->slots[i].id)
				idset_place(slots, n, set->slots[i].hash,
					    set->slots[i].id);
		}
		free(set->slots);
		set->slots = slots;
		set->nr_slots = n;
	}
	idset_place(set->slots, set->nr_slots, hash, id);
	set->count++;
	return NULL;
}

struct vmca_error *
vmca_debuginfo_builder_create(struct vmca_debuginfo_builder **ret)
{
	struct vmca_debuginfo_builder *b = calloc(1, sizeof(*b));
	if (!b)
		return &vmca_enomem;
	// Offset 0 is the empty string, type 0 is void.
	if (!vmca_debuginfo_char_vector_append(&b->strings, '\0') ||
	    !vmca_debuginfo_type_vector_append_entry(&b->types) ||
	    !vmca_debuginfo_u32_vector_append(&b->decl_lines, 0) ||
	    !vmca_debuginfo_u32_vector_append(&b->uses, 0)) {
		vmca_debuginfo_builder_destroy(b);
		return &vmca_enomem;
	}
	*ret = b;
	return NULL;
}

void vmca_debuginfo_builder_destroy(struct vmca_debuginfo_builder *b)
{
	if (!b)
		return;
	vmca_debuginfo_char_vector_deinit(&b->strings);
	idset_deinit(&b->string_set);
	vmca_debuginfo_type_vector_deinit(&b->types);
	vmca_debuginfo_member_vector_deinit(&b->members);
	vmca_debuginfo_enum_vector_deinit(&b->enumerators);
	vmca_debuginfo_u32_vector_deinit(&b->params);
	idset_deinit(&b->named);
	idset_deinit(&b->defs);
	idset_deinit(&b->decls);
	vmca_debuginfo_u32_vector_deinit(&b->decl_lines);
	vmca_debuginfo_u32_vector_deinit(&b->uses);
	idset_deinit(&b->derived);
	vmca_debuginfo_var_vector_deinit(&b->vars);
	vmca_debuginfo_u8_vector_deinit(&b->var_rank);
	idset_deinit(&b->var_set);
	vmca_debuginfo_sym_vector_deinit(&b->syms);
	vmca_debuginfo_elfsection_vector_deinit(&b->elf_sections);
	vmca_debuginfo_pcunit_vector_deinit(&b->pc_units);
	free(b);
}

static bool string_eq(const struct vmca_debuginfo_builder *b, uint32_t id,
		      const void *key)
{
	return strcmp(b->strings.data + id, key) == 0;
}

struct vmca_error *
vmca_debuginfo_builder_intern(struct vmca_debuginfo_builder *b, const char *s,
			      uint32_t *ret)
{
	if (!s || !*s) {
		*ret = 0;
		return NULL;
	}
	uint32_t hash = vmca_debuginfo_hash_name(0, s);
	uint32_t id = idset_find(&b->string_set, hash, string_eq, b, s);
	if (id) {
		*ret = id;
		return NULL;
	}
	size_t len = strlen(s) + 1;
	if (b->strings.len + len > UINT32_MAX)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "string table exceeds 4 GiB");
	if (!vmca_debuginfo_char_vector_reserve(&b->strings,
						b->strings.len + len))
		return &vmca_enomem;
	uint32_t offset = b->strings.len;
	memcpy(b->strings.data + offset, s, len);
	b->strings.len += len;
	struct vmca_error *err = idset_insert(&b->string_set, hash, offset);
	if (err)
		return err;
	*ret = offset;
	return NULL;
}

struct vmca_error *
vmca_debuginfo_builder_add_type(struct vmca_debuginfo_builder *b, unsigned kind,
				const char *name, uint32_t *ret)
{
	uint32_t name_offset;
	struct vmca_error *err =
		vmca_debuginfo_builder_intern(b, name, &name_offset);
	if (err)
		return err;
	if (b->types.len >= UINT32_MAX)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "more than 2^32 types");
	struct vmca_debuginfo_ctype *t =
		vmca_debuginfo_type_vector_append_entry(&b->types);
	if (!t || !vmca_debuginfo_u32_vector_append(&b->decl_lines, 0) ||
	    !vmca_debuginfo_u32_vector_append(&b->uses, 0))
		return &vmca_enomem;
	t->kind = kind;
	t->name = name_offset;
	*ret = b->types.len - 1;
	return NULL;
}

struct named_key {
	int ns;
	const char *name;
	uint64_t size;
	uint32_t line;
};

static bool named_eq(const struct vmca_debuginfo_builder *b, uint32_t id,
		     const void *key)
{
	const struct named_key *k = key;
	const struct vmca_debuginfo_ctype *t = &b->types.data[id];
	return vmca_debuginfo_kind_ns(t->kind) == k->ns &&
	       strcmp(b->strings.data + t->name, k->name) == 0;
}

static bool def_eq(const struct vmca_debuginfo_builder *b, uint32_t id,
		   const void *key)
{
	const struct named_key *k = key;
	const struct vmca_debuginfo_ctype *t = &b->types.data[id];
	return t->size == k->size && b->decl_lines.data[id] == k->line &&
	       !(t->flags & VMCA_DEBUGINFO_DECLARATION) && named_eq(b, id, key);
}

// The name-keyed sets (named, decls): find by (namespace, name), insert
// a type under its own name.
static uint32_t name_set_find(struct vmca_debuginfo_builder *b,
			      const struct vmca_debuginfo_idset *set, int ns,
			      const char *name)
{
	struct named_key key = {.ns = ns, .name = name};
	return idset_find(set, vmca_debuginfo_hash_name(ns, name), named_eq, b,
			  &key);
}

static struct vmca_error *name_set_insert(struct vmca_debuginfo_builder *b,
					  struct vmca_debuginfo_idset *set,
					  uint32_t id)
{
	const struct vmca_debuginfo_ctype *t = &b->types.data[id];
	int ns = vmca_debuginfo_kind_ns(t->kind);
	return idset_insert(
		set, vmca_debuginfo_hash_name(ns, b->strings.data + t->name),
		id);
}

uint32_t vmca_debuginfo_builder_find_named(struct vmca_debuginfo_builder *b,
					   int ns, const char *name)
{
	return name_set_find(b, &b->named, ns, name);
}

struct vmca_error *
vmca_debuginfo_builder_set_named(struct vmca_debuginfo_builder *b, uint32_t id)
{
	return name_set_insert(b, &b->named, id);
}

static uint32_t def_hash(int ns, const char *name, uint64_t size, uint32_t line)
{
	return mix64(vmca_debuginfo_hash_name(ns, name) ^ (size << 32) ^
		     ((uint64_t)line << 12));
}

uint32_t vmca_debuginfo_builder_find_def(struct vmca_debuginfo_builder *b,
					 int ns, const char *name,
					 uint64_t size, uint32_t line)
{
	struct named_key key = {
		.ns = ns,
		.name = name,
		.size = size,
		.line = line,
	};
	return idset_find(&b->defs, def_hash(ns, name, size, line), def_eq, b,
			  &key);
}

struct vmca_error *
vmca_debuginfo_builder_add_def(struct vmca_debuginfo_builder *b, uint32_t id)
{
	const struct vmca_debuginfo_ctype *t = &b->types.data[id];
	return idset_insert(&b->defs,
			    def_hash(vmca_debuginfo_kind_ns(t->kind),
				     b->strings.data + t->name, t->size,
				     b->decl_lines.data[id]),
			    id);
}

uint32_t vmca_debuginfo_builder_find_decl(struct vmca_debuginfo_builder *b,
					  int ns, const char *name)
{
	return name_set_find(b, &b->decls, ns, name);
}

struct vmca_error *
vmca_debuginfo_builder_add_decl(struct vmca_debuginfo_builder *b, uint32_t id)
{
	return name_set_insert(b, &b->decls, id);
}

struct vmca_error *
vmca_debuginfo_builder_named_def(struct vmca_debuginfo_builder *b,
				 unsigned kind, const char *name, uint64_t size,
				 uint32_t line, uint32_t uses, uint32_t *id_ret,
				 bool *is_new_ret)
{
	int ns = vmca_debuginfo_kind_ns(kind);
	uint32_t id = 0;
	*is_new_ret = false;
	uint32_t first = vmca_debuginfo_builder_find_named(b, ns, name);
	// The common case, without hashing the name again.
	if (first && b->types.data[first].size == size &&
	    b->decl_lines.data[first] == line) {
		b->uses.data[first] += uses;
		*id_ret = first;
		return NULL;
	}
	if (first) {
		id = vmca_debuginfo_builder_find_def(b, ns, name, size, line);
		if (id) {
			b->uses.data[id] += uses;
			*id_ret = id;
			return NULL;
		}
	}
	struct vmca_error *err =
		vmca_debuginfo_builder_add_type(b, kind, name, &id);
	if (err)
		return err;
	b->types.data[id].size = size;
	b->decl_lines.data[id] = line;
	b->uses.data[id] = uses;
	err = vmca_debuginfo_builder_add_def(b, id);
	if (!err && !first)
		err = vmca_debuginfo_builder_set_named(b, id);
	if (err)
		return err;
	*id_ret = id;
	*is_new_ret = true;
	return NULL;
}

struct vmca_error *
vmca_debuginfo_builder_named_decl(struct vmca_debuginfo_builder *b,
				  unsigned kind, const char *name,
				  uint32_t *ret)
{
	int ns = vmca_debuginfo_kind_ns(kind);
	uint32_t id = vmca_debuginfo_builder_find_decl(b, ns, name);
	if (!id) {
		struct vmca_error *err =
			vmca_debuginfo_builder_add_type(b, kind, name, &id);
		if (err)
			return err;
		b->types.data[id].flags |= VMCA_DEBUGINFO_DECLARATION;
		err = vmca_debuginfo_builder_add_decl(b, id);
		if (err)
			return err;
	}
	*ret = id;
	return NULL;
}

struct vmca_error *
vmca_debuginfo_builder_typedef(struct vmca_debuginfo_builder *b,
			       const char *name, uint32_t line, uint32_t uses,
			       uint32_t *id_ret, bool *is_new_ret)
{
	const int ns = VMCA_DEBUGINFO_NS_ORDINARY;
	uint32_t first = vmca_debuginfo_builder_find_named(b, ns, name);
	uint32_t id = first;
	*is_new_ret = false;
	if (first && (b->types.data[first].kind != VMCA_TYPE_TYPEDEF ||
		      b->decl_lines.data[first] == line)) {
		b->uses.data[first] += uses;
		*id_ret = first;
		return NULL;
	}
	if (first) {
		id = vmca_debuginfo_builder_find_def(b, ns, name, 0, line);
		if (id) {
			b->uses.data[id] += uses;
			*id_ret = id;
			return NULL;
		}
	}
	struct vmca_error *err = vmca_debuginfo_builder_add_type(
		b, VMCA_TYPE_TYPEDEF, name, &id);
	if (err)
		return err;
	b->decl_lines.data[id] = line;
	b->uses.data[id] = uses;
	err = vmca_debuginfo_builder_add_def(b, id);
	if (!err && !first)
		err = vmca_debuginfo_builder_set_named(b, id);
	if (err)
		return err;
	*id_ret = id;
	*is_new_ret = true;
	return NULL;
}

struct vmca_error *vmca_debuginfo_builder_base(struct vmca_debuginfo_builder *b,
					       unsigned kind, const char *name,
					       uint8_t flags, uint64_t size,
					       uint32_t *ret)
{
	if (name && *name) {
		uint32_t id = vmca_debuginfo_builder_find_named(
			b, VMCA_DEBUGINFO_NS_ORDINARY, name);
		if (id) {
			*ret = id;
			return NULL;
		}
	}
	uint32_t id = 0;
	struct vmca_error *err =
		vmca_debuginfo_builder_add_type(b, kind, name, &id);
	if (err)
		return err;
	b->types.data[id].flags = flags;
	b->types.data[id].size = size;
	if (name && *name)
		err = vmca_debuginfo_builder_set_named(b, id);
	if (err)
		return err;
	*ret = id;
	return NULL;
}

struct derived_key {
	unsigned kind;
	uint32_t target;
	uint64_t size;
	uint8_t flags;
	const uint32_t *params;
	uint32_t nr_params;
};

static bool derived_eq(const struct vmca_debuginfo_builder *b, uint32_t id,
		       const void *key)
{
	const struct derived_key *k = key;
	const struct vmca_debuginfo_ctype *t = &b->types.data[id];
	if (t->kind != k->kind || t->target != k->target || t->size != k->size)
		return false;
	if (k->kind != VMCA_TYPE_FUNCTION)
		return true;
	return t->flags == k->flags && t->count == k->nr_params &&
	       (!k->nr_params || memcmp(b->params.data + t->first, k->params,
					k->nr_params * sizeof(uint32_t)) == 0);
}

static uint32_t derived_hash(const struct derived_key *k)
{
	uint64_t h = (uint64_t)k->kind << 56 ^ (uint64_t)k->target << 20 ^
		     k->size ^ (uint64_t)k->flags << 48;
	for (uint32_t i = 0; i < k->nr_params; i++)
		h = (h ^ mix64(h + k->params[i])) * 0x100000001b3ull;
	return mix64(h);
}

static struct vmca_error *derived_intern(struct vmca_debuginfo_builder *b,
					 const struct derived_key *k,
					 uint32_t *ret)
{
	uint32_t hash = derived_hash(k);
	uint32_t id = idset_find(&b->derived, hash, derived_eq, b, k);
	if (id) {
		*ret = id;
		return NULL;
	}
	uint32_t first = b->params.len;
	if (k->nr_params) {
		if (b->params.len + k->nr_params >= UINT32_MAX)
			return vmca_error_create(VMCA_ERROR_INVALID,
						 "too many parameters");
		if (!vmca_debuginfo_u32_vector_reserve(
			    &b->params, b->params.len + k->nr_params))
			return &vmca_enomem;
		memcpy(b->params.data + first, k->params,
		       k->nr_params * sizeof(uint32_t));
		b->params.len += k->nr_params;
	}
	struct vmca_error *err =
		vmca_debuginfo_builder_add_type(b, k->kind, NULL, &id);
	if (err)
		return err;
	struct vmca_debuginfo_ctype *t = &b->types.data[id];
	t->target = k->target;
	t->size = k->size;
	t->flags = k->flags;
	t->count = k->nr_params;
	t->first = k->nr_params ? first : 0;
	err = idset_insert(&b->derived, hash, id);
	if (err)
		return err;
	*ret = id;
	return NULL;
}

struct vmca_error *
vmca_debuginfo_builder_derived(struct vmca_debuginfo_builder *b, unsigned kind,
			       uint32_t target, uint64_t size, uint32_t *ret)
{
	struct derived_key k = {.kind = kind, .target = target, .size = size};
	return derived_intern(b, &k, ret);
}

struct vmca_error *vmca_debuginfo_builder_function(
	struct vmca_debuginfo_builder *b, uint32_t ret_type, uint8_t flags,
	const uint32_t *params, uint32_t nr_params, uint32_t *ret)
{
	struct derived_key k = {
		.kind = VMCA_TYPE_FUNCTION,
		.target = ret_type,
		.flags = flags,
		.params = params,
		.nr_params = nr_params,
	};
	return derived_intern(b, &k, ret);
}

struct vmca_error *vmca_debuginfo_builder_set_members(
	struct vmca_debuginfo_builder *b, uint32_t id,
	const struct vmca_debuginfo_cmember *members, uint32_t count)
{
	struct vmca_debuginfo_member_vector *v = &b->members;
	if (v->len + count >= UINT32_MAX)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "more than 2^32 members");
	if (!vmca_debuginfo_member_vector_reserve(v, v->len + count))
		return &vmca_enomem;
	if (count)
		memcpy(v->data + v->len, members, count * sizeof(*members));
	b->types.data[id].first = v->len;
	b->types.data[id].count = count;
	v->len += count;
	return NULL;
}

struct vmca_error *vmca_debuginfo_builder_set_enumerators(
	struct vmca_debuginfo_builder *b, uint32_t id,
	const struct vmca_debuginfo_cenum *e, uint32_t count)
{
	struct vmca_debuginfo_enum_vector *v = &b->enumerators;
	if (v->len + count >= UINT32_MAX)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "more than 2^32 enumerators");
	if (!vmca_debuginfo_enum_vector_reserve(v, v->len + count))
		return &vmca_enomem;
	if (count)
		memcpy(v->data + v->len, e, count * sizeof(*e));
	b->types.data[id].first = v->len;
	b->types.data[id].count = count;
	v->len += count;
	return NULL;
}

uint64_t vmca_debuginfo_builder_type_size(struct vmca_debuginfo_builder *b,
					  uint32_t id)
{
	return vmca_debuginfo_ctype_size(b->types.data, b->types.len, id);
}

static bool var_eq(const struct vmca_debuginfo_builder *b, uint32_t id,
		   const void *key)
{
	return strcmp(b->strings.data + b->vars.data[id - 1].name, key) == 0;
}

bool vmca_debuginfo_builder_find_var(struct vmca_debuginfo_builder *b,
				     const char *name, uint8_t *rank_ret)
{
	uint32_t id = idset_find(&b->var_set, vmca_debuginfo_hash_name(0, name),
				 var_eq, b, name);
	if (!id)
		return false;
	*rank_ret = b->var_rank.data[id - 1];
	return true;
}

struct vmca_error *
vmca_debuginfo_builder_set_var(struct vmca_debuginfo_builder *b,
			       const char *name, uint32_t type, uint8_t rank)
{
	uint32_t hash = vmca_debuginfo_hash_name(0, name);
	uint32_t id = idset_find(&b->var_set, hash, var_eq, b, name);
	if (id) {
		b->vars.data[id - 1].type = type;
		b->var_rank.data[id - 1] = rank;
		return NULL;
	}
	uint32_t name_offset;
	struct vmca_error *err =
		vmca_debuginfo_builder_intern(b, name, &name_offset);
	if (err)
		return err;
	if (b->vars.len >= UINT32_MAX - 1)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "more than 2^32 variables");
	struct vmca_debuginfo_cvar var = {.name = name_offset, .type = type};
	if (!vmca_debuginfo_var_vector_append(&b->vars, var) ||
	    !vmca_debuginfo_u8_vector_append(&b->var_rank, rank))
		return &vmca_enomem;
	return idset_insert(&b->var_set, hash, b->vars.len);
}

struct vmca_error *vmca_debuginfo_builder_add_symbol(
	struct vmca_debuginfo_builder *b, const char *name, uint64_t address,
	uint64_t size, uint16_t section, char type, uint8_t binding)
{
	uint32_t name_offset;
	struct vmca_error *err =
		vmca_debuginfo_builder_intern(b, name, &name_offset);
	if (err)
		return err;
	if (b->syms.len >= UINT32_MAX - 1)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "more than 2^32 symbols");
	struct vmca_debuginfo_csym sym = {
		.address = address,
		.size = size,
		.name = name_offset,
		.section = section,
		.type = type,
		.binding = binding,
	};
	if (!vmca_debuginfo_sym_vector_append(&b->syms, sym))
		return &vmca_enomem;
	return NULL;
}

static int sym_cmp(const void *a, const void *b)
{
	const struct vmca_debuginfo_csym *x = a, *y = b;
	if (x->address != y->address)
		return x->address < y->address ? -1 : 1;
	// Ties in a fixed order so that images are reproducible.
	if (x->binding != y->binding)
		return x->binding > y->binding ? -1 : 1;
	if (x->size != y->size)
		return x->size > y->size ? -1 : 1;
	if (x->name != y->name)
		return x->name < y->name ? -1 : 1;
	return 0;
}

void vmca_debuginfo_builder_sort_symbols(struct vmca_debuginfo_builder *b)
{
	// Sorted already if sorted early (see the index build).
	for (size_t i = 1; i < b->syms.len; i++) {
		if (sym_cmp(&b->syms.data[i - 1], &b->syms.data[i]) > 0) {
			qsort(b->syms.data, b->syms.len, sizeof(*b->syms.data),
			      sym_cmp);
			return;
		}
	}
}

// Filled to at most 3/4: a lookup that hits (most do) probes ~2.5 slots;
// at 1/2 the table was twice the size (4 MB of 6.12's 18 MB index).
static uint32_t slots_for(uint64_t count)
{
	uint64_t n = 16;
	while (n * 3 < count * 4)
		n *= 2;
	return n;
}

// The preferred symbol per name: global, then weak, then local; the
// lowest address among equals.
static struct vmca_error *build_sym_hash(const struct vmca_debuginfo_builder *b,
					 struct vmca_debuginfo_slot **slots_ret,
					 uint32_t *nr_ret)
{
	uint32_t n = slots_for(b->syms.len);
	struct vmca_debuginfo_slot *slots = calloc(n, sizeof(*slots));
	if (!slots)
		return &vmca_enomem;
	for (uint32_t i = 0; i < b->syms.len; i++) {
		const struct vmca_debuginfo_csym *sym = &b->syms.data[i];
		const char *name = b->strings.data + sym->name;
		uint32_t hash = vmca_debuginfo_hash_name(0, name);
		uint32_t j = hash & (n - 1);
		for (;; j = (j + 1) & (n - 1)) {
			if (!slots[j].id) {
				slots[j].hash = hash;
				slots[j].id = i + 1;
				break;
			}
			const struct vmca_debuginfo_csym *other =
				&b->syms.data[slots[j].id - 1];
			if (slots[j].hash == hash && other->name == sym->name) {
				if (sym->binding > other->binding)
					slots[j].id = i + 1;
				break;
			}
		}
	}
	*slots_ret = slots;
	*nr_ret = n;
	return NULL;
}

/*
 * The type each name stands for: its most used definition (a header's
 * struct, not a driver's private one of the same name), the first one
 * among equals; a name with no definition keeps its declaration. Then
 * every reference to a declaration is pointed at that definition.
 */
static struct vmca_error *finalize_names(struct vmca_debuginfo_builder *b,
					 struct vmca_debuginfo_idset *ret)
{
	struct vmca_debuginfo_idset set = {0};
	_cleanup_free_ uint32_t *remap = malloc(b->types.len * sizeof(*remap));
	if (!remap)
		return &vmca_enomem;
	struct vmca_error *err = NULL;
	for (int pass = 0; pass < 2 && !err; pass++) {
		for (uint32_t id = 0; id < b->types.len; id++) {
			const struct vmca_debuginfo_ctype *t =
				&b->types.data[id];
			int ns = vmca_debuginfo_kind_ns(t->kind);
			bool is_declaration =
				t->flags & VMCA_DEBUGINFO_DECLARATION;
			remap[id] = id;
			if (ns < 0 || !t->name || is_declaration != pass)
				continue;
			struct named_key key = {
				.ns = ns,
				.name = b->strings.data + t->name,
			};
			uint32_t hash = vmca_debuginfo_hash_name(ns, key.name);
			struct vmca_debuginfo_slot *slot =
				idset_find_slot(&set, hash, named_eq, b, &key);
			if (!slot) {
				err = idset_insert(&set, hash, id);
				if (err)
					break;
			} else if (is_declaration) {
				remap[id] = slot->id;
			} else if (b->uses.data[id] > b->uses.data[slot->id]) {
				slot->id = id;
			}
		}
	}
	if (err) {
		idset_deinit(&set);
		return err;
	}
	// Index loops: vector_for_each does NULL + 0 on an empty vector,
	// which UBSan rejects.
	for (size_t i = 0; i < b->types.len; i++)
		b->types.data[i].target = remap[b->types.data[i].target];
	for (size_t i = 0; i < b->members.len; i++)
		b->members.data[i].type = remap[b->members.data[i].type];
	for (size_t i = 0; i < b->params.len; i++)
		b->params.data[i] = remap[b->params.data[i]];
	for (size_t i = 0; i < b->vars.len; i++)
		b->vars.data[i].type = remap[b->vars.data[i].type];
	*ret = set;
	return NULL;
}

struct section_src {
	const void *data;
	uint64_t size;
};

struct vmca_error *
vmca_debuginfo_builder_serialize(struct vmca_debuginfo_builder *b,
				 const struct vmca_debuginfo_header *identity,
				 void **image_ret, size_t *size_ret)
{
	if (identity->build_id_size > VMCA_DEBUGINFO_BUILD_ID_MAX)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "build-id longer than %d bytes",
					 VMCA_DEBUGINFO_BUILD_ID_MAX);
	vmca_debuginfo_builder_sort_symbols(b);
	_cleanup_free_ struct vmca_debuginfo_slot *sym_hash = NULL;
	uint32_t nr_sym_hash;
	struct vmca_error *err = build_sym_hash(b, &sym_hash, &nr_sym_hash);
	if (err)
		return err;
	struct vmca_debuginfo_idset names;
	err = finalize_names(b, &names);
	if (err)
		return err;
	_cleanup_free_ struct vmca_debuginfo_slot *name_slots = names.slots;

	struct section_src src[VMCA_DEBUGINFO_NR_SECTIONS] = {
		[VMCA_DEBUGINFO_STRINGS] = {b->strings.data, b->strings.len},
		[VMCA_DEBUGINFO_TYPES] = {b->types.data,
					  b->types.len *
						  sizeof(*b->types.data)},
		[VMCA_DEBUGINFO_MEMBERS] = {b->members.data,
					    b->members.len *
						    sizeof(*b->members.data)},
		[VMCA_DEBUGINFO_ENUMERATORS] =
			{b->enumerators.data,
			 b->enumerators.len * sizeof(*b->enumerators.data)},
		[VMCA_DEBUGINFO_PARAMS] = {b->params.data,
					   b->params.len *
						   sizeof(*b->params.data)},
		[VMCA_DEBUGINFO_TYPE_HASH] = {name_slots,
					      (uint64_t)names.nr_slots *
						      sizeof(*name_slots)},
		[VMCA_DEBUGINFO_VARS] = {b->vars.data,
					 b->vars.len * sizeof(*b->vars.data)},
		[VMCA_DEBUGINFO_VAR_HASH] = {b->var_set.slots,
					     (uint64_t)b->var_set.nr_slots *
						     sizeof(*b->var_set.slots)},
		[VMCA_DEBUGINFO_SYMS] = {b->syms.data,
					 b->syms.len * sizeof(*b->syms.data)},
		[VMCA_DEBUGINFO_SYM_HASH] = {sym_hash,
					     (uint64_t)nr_sym_hash *
						     sizeof(*sym_hash)},
		[VMCA_DEBUGINFO_ELF_SECTIONS] =
			{b->elf_sections.data,
			 b->elf_sections.len * sizeof(*b->elf_sections.data)},
		[VMCA_DEBUGINFO_PC_UNITS] = {b->pc_units.data,
					     b->pc_units.len *
						     sizeof(*b->pc_units.data)},
	};

	struct vmca_debuginfo_header header = {
		.magic = VMCA_DEBUGINFO_MAGIC,
		.version = VMCA_DEBUGINFO_FORMAT_VERSION,
		.byte_order = VMCA_DEBUGINFO_BYTE_ORDER,
		.vmlinux_size = identity->vmlinux_size,
		.build_id_size = identity->build_id_size,
		.nr_sections = VMCA_DEBUGINFO_NR_SECTIONS,
		.elf_machine = identity->elf_machine,
		.elf_class = identity->elf_class,
	};
	memcpy(header.build_id, identity->build_id, sizeof(header.build_id));
	uint64_t offset = sizeof(header);
	for (int i = 0; i < VMCA_DEBUGINFO_NR_SECTIONS; i++) {
		offset = (offset + 7) & ~7ull;
		header.sections[i].offset = offset;
		header.sections[i].size = src[i].size;
		offset += src[i].size;
	}
	offset = (offset + VMCA_DEBUGINFO_IMAGE_ALIGN - 1) &
		 ~(uint64_t)(VMCA_DEBUGINFO_IMAGE_ALIGN - 1);
	header.file_size = offset;

	uint8_t *image = calloc(1, offset);
	if (!image)
		return &vmca_enomem;
	for (int i = 0; i < VMCA_DEBUGINFO_NR_SECTIONS; i++) {
		if (src[i].size)
			memcpy(image + header.sections[i].offset, src[i].data,
			       src[i].size);
	}
	memcpy(image, &header, sizeof(header));
	header.checksum = vmca_debuginfo_cache_checksum(image, offset);
	memcpy(image, &header, sizeof(header));
	*image_ret = image;
	*size_ret = offset;
	return NULL;
}

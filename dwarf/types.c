// SPDX-License-Identifier: MIT
/** @file Type queries on the image: lookup, layout, member paths, C names. */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../analyzer/util/cleanup.h"
#include "internal.h"

// Chains of typedefs and qualifiers, and type nesting, longer than this
// only come from a damaged image.
#define MAX_CHAIN 64
// A damaged image can make a type refer to itself many times over (a
// function taking itself as each of its parameters): bound the work of
// one query, not just its depth. Real kernel types need a few hundred.
#define MAX_VISITS 65536
// type_name() output beyond this is no C anyone reads.
#define MAX_NAME 65536

static const struct vmca_debuginfo_ctype *get_type(struct vmca_debuginfo *di,
						   uint32_t id)
{
	return &di->types[id < di->nr_types ? id : 0];
}

static const char *string_at(struct vmca_debuginfo *di, uint32_t offset)
{
	return offset < di->strings_size ? di->strings + offset : "";
}

// NULL for "no name", as the API reports anonymous things.
static const char *name_at(struct vmca_debuginfo *di, uint32_t offset)
{
	return offset && offset < di->strings_size ? di->strings + offset
						   : NULL;
}

static bool is_qualifier(unsigned kind)
{
	return kind == VMCA_TYPE_CONST || kind == VMCA_TYPE_VOLATILE ||
	       kind == VMCA_TYPE_RESTRICT;
}

uint64_t vmca_debuginfo_ctype_size(const struct vmca_debuginfo_ctype *types,
				   uint32_t nr_types, uint32_t id)
{
	uint64_t factor = 1;
	for (int i = 0; i < MAX_CHAIN && id < nr_types; i++) {
		const struct vmca_debuginfo_ctype *t = &types[id];
		uint64_t size;
		switch (t->kind) {
		case VMCA_TYPE_INT:
		case VMCA_TYPE_FLOAT:
		case VMCA_TYPE_POINTER:
		case VMCA_TYPE_STRUCT:
		case VMCA_TYPE_UNION:
		case VMCA_TYPE_ENUM:
			if (__builtin_mul_overflow(factor, t->size, &size))
				return 0;
			return size;
		case VMCA_TYPE_ARRAY:
			if (__builtin_mul_overflow(factor, t->size, &factor))
				return 0;
			id = t->target;
			break;
		case VMCA_TYPE_TYPEDEF:
		case VMCA_TYPE_CONST:
		case VMCA_TYPE_VOLATILE:
		case VMCA_TYPE_RESTRICT:
			id = t->target;
			break;
		default:
			return 0;
		}
	}
	return 0;
}

// How many members (enumerators, parameters) of t the image really has.
static uint32_t valid_count(struct vmca_debuginfo *di,
			    const struct vmca_debuginfo_ctype *t)
{
	uint32_t nr;
	switch (t->kind) {
	case VMCA_TYPE_STRUCT:
	case VMCA_TYPE_UNION:
		nr = di->nr_members;
		break;
	case VMCA_TYPE_ENUM:
		nr = di->nr_enumerators;
		break;
	case VMCA_TYPE_FUNCTION:
		nr = di->nr_params;
		break;
	default:
		return 0;
	}
	if (t->first > nr || t->count > nr - t->first)
		return 0;
	return t->count;
}

uint32_t vmca_debuginfo_nr_types(const struct vmca_debuginfo *di)
{
	return di->nr_types;
}

void vmca_debuginfo_type(struct vmca_debuginfo *di, uint32_t id,
			 struct vmca_type *ret)
{
	const struct vmca_debuginfo_ctype *t = get_type(di, id);
	memset(ret, 0, sizeof(*ret));
	ret->kind = t->kind <= VMCA_TYPE_RESTRICT ? t->kind : VMCA_TYPE_VOID;
	ret->name = name_at(di, t->name);
	ret->size = vmca_debuginfo_ctype_size(di->types, di->nr_types, id);
	ret->target = t->target < di->nr_types ? t->target : 0;
	ret->count = valid_count(di, t);
	ret->array_len = t->kind == VMCA_TYPE_ARRAY ? t->size : 0;
	ret->is_signed = t->flags & VMCA_DEBUGINFO_SIGNED;
	ret->is_char = t->flags & VMCA_DEBUGINFO_CHAR;
	ret->is_bool = t->flags & VMCA_DEBUGINFO_BOOL;
	ret->is_declaration = t->flags & VMCA_DEBUGINFO_DECLARATION;
	ret->is_variadic = t->flags & VMCA_DEBUGINFO_VARIADIC;
}

void vmca_debuginfo_member(struct vmca_debuginfo *di, uint32_t id, uint32_t i,
			   struct vmca_member *ret)
{
	const struct vmca_debuginfo_ctype *t = get_type(di, id);
	memset(ret, 0, sizeof(*ret));
	if ((t->kind != VMCA_TYPE_STRUCT && t->kind != VMCA_TYPE_UNION) ||
	    i >= valid_count(di, t))
		return;
	const struct vmca_debuginfo_cmember *m = &di->members[t->first + i];
	ret->name = name_at(di, m->name);
	ret->type = m->type < di->nr_types ? m->type : 0;
	ret->bit_offset = m->bit_offset;
	ret->bit_size = m->bit_size;
}

void vmca_debuginfo_enumerator(struct vmca_debuginfo *di, uint32_t id,
			       uint32_t i, const char **name_ret,
			       int64_t *value_ret)
{
	const struct vmca_debuginfo_ctype *t = get_type(di, id);
	*name_ret = "";
	*value_ret = 0;
	if (t->kind != VMCA_TYPE_ENUM || i >= valid_count(di, t))
		return;
	const struct vmca_debuginfo_cenum *e = &di->enumerators[t->first + i];
	*name_ret = string_at(di, e->name);
	*value_ret = (int64_t)e->value;
}

uint32_t vmca_debuginfo_parameter(struct vmca_debuginfo *di, uint32_t id,
				  uint32_t i)
{
	const struct vmca_debuginfo_ctype *t = get_type(di, id);
	if (t->kind != VMCA_TYPE_FUNCTION || i >= valid_count(di, t))
		return 0;
	uint32_t type = di->params[t->first + i];
	return type < di->nr_types ? type : 0;
}

uint32_t vmca_debuginfo_unqualified(struct vmca_debuginfo *di, uint32_t id)
{
	for (int i = 0; i < MAX_CHAIN; i++) {
		const struct vmca_debuginfo_ctype *t = get_type(di, id);
		if (t->kind != VMCA_TYPE_TYPEDEF && !is_qualifier(t->kind))
			break;
		id = t->target < di->nr_types ? t->target : 0;
	}
	return id < di->nr_types ? id : 0;
}

bool vmca_debuginfo_canonical_base_name(const char *name, char *buf,
					size_t size)
{
	int nr_unsigned = 0, nr_signed = 0, nr_short = 0, nr_long = 0;
	int nr_int = 0, nr_char = 0, nr_int128 = 0;
	const char *p = name;
	for (;;) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		const char *word = p;
		while (*p && *p != ' ')
			p++;
		size_t len = p - word;
#define IS(s) (len == sizeof(s) - 1 && memcmp(word, s, len) == 0)
		if (IS("unsigned"))
			nr_unsigned++;
		else if (IS("signed"))
			nr_signed++;
		else if (IS("short"))
			nr_short++;
		else if (IS("long"))
			nr_long++;
		else if (IS("int"))
			nr_int++;
		else if (IS("char"))
			nr_char++;
		else if (IS("__int128"))
			nr_int128++;
		else
			return false;
#undef IS
	}
	if (nr_unsigned + nr_signed > 1 || nr_short > 1 || nr_long > 2 ||
	    nr_int > 1 || nr_char > 1 || nr_int128 > 1 || (nr_short && nr_long))
		return false;
	const char *sign = nr_unsigned ? "unsigned " : "";
	const char *base;
	if (nr_char || nr_int128) {
		if (nr_short || nr_long || nr_int || (nr_char && nr_int128))
			return false;
		if (nr_char && nr_signed)
			sign = "signed ";
		base = nr_char ? "char" : "__int128";
	} else if (nr_short) {
		base = "short";
	} else if (nr_long) {
		base = nr_long == 2 ? "long long" : "long";
	} else if (nr_int || nr_signed || nr_unsigned) {
		base = "int";
	} else {
		return false;
	}
	return (size_t)snprintf(buf, size, "%s%s", sign, base) < size;
}

static uint32_t lookup_type(struct vmca_debuginfo *di, int ns, const char *name)
{
	if (!di->nr_type_hash)
		return 0;
	uint32_t hash = vmca_debuginfo_hash_name(ns, name);
	uint32_t mask = di->nr_type_hash - 1;
	uint32_t i = hash & mask;
	for (uint32_t n = 0; n < di->nr_type_hash; n++, i = (i + 1) & mask) {
		const struct vmca_debuginfo_slot *slot = &di->type_hash[i];
		if (!slot->id)
			return 0;
		if (slot->hash != hash || slot->id >= di->nr_types)
			continue;
		const struct vmca_debuginfo_ctype *t = &di->types[slot->id];
		if (vmca_debuginfo_kind_ns(t->kind) == ns &&
		    strcmp(string_at(di, t->name), name) == 0)
			return slot->id;
	}
	return 0;
}

struct vmca_error *vmca_debuginfo_find_type(struct vmca_debuginfo *di,
					    const char *name, uint32_t *ret)
{
	const char *p = name;
	while (isspace((unsigned char)*p))
		p++;
	static const struct {
		const char *prefix;
		int ns;
	} tags[] = {
		{"struct", VMCA_DEBUGINFO_NS_STRUCT},
		{"union", VMCA_DEBUGINFO_NS_UNION},
		{"enum", VMCA_DEBUGINFO_NS_ENUM},
	};
	int ns = VMCA_DEBUGINFO_NS_ORDINARY;
	for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
		size_t len = strlen(tags[i].prefix);
		if (strncmp(p, tags[i].prefix, len) == 0 &&
		    isspace((unsigned char)p[len])) {
			ns = tags[i].ns;
			p += len;
			while (isspace((unsigned char)*p))
				p++;
			break;
		}
	}
	size_t len = strlen(p);
	while (len && isspace((unsigned char)p[len - 1]))
		len--;
	_cleanup_free_ char *bare = strndup(p, len);
	if (!bare)
		return &vmca_enomem;
	uint32_t id = 0;
	if (ns != VMCA_DEBUGINFO_NS_ORDINARY) {
		id = lookup_type(di, ns, bare);
	} else if (*bare) {
		char canonical[64];
		if (vmca_debuginfo_canonical_base_name(bare, canonical,
						       sizeof(canonical)))
			id = lookup_type(di, ns, canonical);
		for (int n = VMCA_DEBUGINFO_NS_ORDINARY;
		     !id && n <= VMCA_DEBUGINFO_NS_ENUM; n++)
			id = lookup_type(di, n, bare);
	}
	if (!id)
		return vmca_error_create(VMCA_ERROR_NOT_FOUND,
					 "type '%s' not found", name);
	*ret = id;
	return NULL;
}

// Find a member by name in a struct or union, looking into anonymous
// members as C does; bit_offset is from the start of id.
static bool find_member(struct vmca_debuginfo *di, uint32_t id,
			const char *name, size_t len, int depth,
			unsigned *budget, struct vmca_member *ret)
{
	if (depth > MAX_CHAIN)
		return false;
	const struct vmca_debuginfo_ctype *t =
		get_type(di, vmca_debuginfo_unqualified(di, id));
	if (t->kind != VMCA_TYPE_STRUCT && t->kind != VMCA_TYPE_UNION)
		return false;
	uint32_t count = valid_count(di, t);
	for (uint32_t i = 0; i < count; i++) {
		if (!*budget)
			return false;
		--*budget;
		const struct vmca_debuginfo_cmember *m =
			&di->members[t->first + i];
		const char *member_name = name_at(di, m->name);
		if (member_name) {
			if (strlen(member_name) == len &&
			    memcmp(member_name, name, len) == 0) {
				ret->name = member_name;
				ret->type =
					m->type < di->nr_types ? m->type : 0;
				ret->bit_offset = m->bit_offset;
				ret->bit_size = m->bit_size;
				return true;
			}
		} else if (find_member(di, m->type, name, len, depth + 1,
				       budget, ret)) {
			ret->bit_offset += m->bit_offset;
			return true;
		}
	}
	return false;
}

struct vmca_error *vmca_debuginfo_member_path(struct vmca_debuginfo *di,
					      uint32_t id, const char *path,
					      struct vmca_member *ret)
{
	char type_name[256];
	const char *p = path;
	uint32_t cur = id;
	struct vmca_member last = {0};
	uint64_t bits = 0;
	for (;;) {
		const char *start = p;
		while (isalnum((unsigned char)*p) || *p == '_')
			p++;
		if (p == start)
			return vmca_error_create(VMCA_ERROR_INVALID,
						 "invalid member path '%s'",
						 path);
		struct vmca_member m;
		unsigned budget = MAX_VISITS;
		if (!find_member(di, cur, start, p - start, 0, &budget, &m)) {
			vmca_debuginfo_type_name(di, cur, NULL, type_name,
						 sizeof(type_name));
			return vmca_error_create(
				VMCA_ERROR_NOT_FOUND, "%s has no member '%.*s'",
				type_name, (int)(p - start), start);
		}
		bits += m.bit_offset;
		cur = m.type;
		last = m;
		while (*p == '[') {
			char *end;
			uint64_t index = strtoull(p + 1, &end, 0);
			if (end == p + 1 || *end != ']')
				return vmca_error_create(
					VMCA_ERROR_INVALID,
					"invalid member path '%s'", path);
			p = end + 1;
			const struct vmca_debuginfo_ctype *a = get_type(
				di, vmca_debuginfo_unqualified(di, cur));
			if (a->kind != VMCA_TYPE_ARRAY) {
				vmca_debuginfo_type_name(di, cur, NULL,
							 type_name,
							 sizeof(type_name));
				return vmca_error_create(
					VMCA_ERROR_INVALID,
					"'%s': %s is not an array", path,
					type_name);
			}
			// Length 0 is a flexible array: any index goes.
			if (a->size && index >= a->size)
				return vmca_error_create(
					VMCA_ERROR_INVALID,
					"'%s': index %" PRIu64
					" out of range [0, %" PRIu64 ")",
					path, index, a->size);
			cur = a->target < di->nr_types ? a->target : 0;
			uint64_t elem_bits, offset;
			if (__builtin_mul_overflow(
				    vmca_debuginfo_ctype_size(
					    di->types, di->nr_types, cur),
				    8, &elem_bits) ||
			    __builtin_mul_overflow(index, elem_bits, &offset) ||
			    __builtin_add_overflow(bits, offset, &bits))
				return vmca_error_create(
					VMCA_ERROR_INVALID,
					"'%s': offset overflows", path);
			last.type = cur;
			last.bit_size = 0;
		}
		if (!*p)
			break;
		if (*p != '.')
			return vmca_error_create(VMCA_ERROR_INVALID,
						 "invalid member path '%s'",
						 path);
		p++;
	}
	last.bit_offset = bits;
	*ret = last;
	return NULL;
}

/*
 * type_name: C declarators are built inside out. The declarator so far
 * ("comm", "*", "(*)[4]") is wrapped by each level: a pointer prepends
 * "*", an array or function appends "[n]" or "(...)", with parentheses
 * when a pointer meets an array or function.
 */

struct sbuf {
	char *data;
	size_t len, cap;
	bool has_failed;
};

static void sb_insert(struct sbuf *sb, size_t at, const char *s, size_t n)
{
	if (sb->has_failed)
		return;
	if (sb->len + n > MAX_NAME) {
		sb->has_failed = true;
		return;
	}
	if (sb->len + n + 1 > sb->cap) {
		size_t cap = sb->cap ? sb->cap : 64;
		while (cap < sb->len + n + 1)
			cap *= 2;
		char *data = realloc(sb->data, cap);
		if (!data) {
			sb->has_failed = true;
			return;
		}
		sb->data = data;
		sb->cap = cap;
	}
	memmove(sb->data + at + n, sb->data + at, sb->len - at);
	memcpy(sb->data + at, s, n);
	sb->len += n;
	sb->data[sb->len] = '\0';
}

static void sb_append(struct sbuf *sb, const char *s)
{
	sb_insert(sb, sb->len, s, strlen(s));
}

static void sb_prepend(struct sbuf *sb, const char *s)
{
	sb_insert(sb, 0, s, strlen(s));
}

enum {
	QUAL_CONST = 1,
	QUAL_VOLATILE = 2,
	QUAL_RESTRICT = 4,
};

static void append_qualifiers(struct sbuf *sb, unsigned quals, const char *sep)
{
	if (quals & QUAL_CONST) {
		sb_append(sb, "const");
		sb_append(sb, sep);
	}
	if (quals & QUAL_VOLATILE) {
		sb_append(sb, "volatile");
		sb_append(sb, sep);
	}
	if (quals & QUAL_RESTRICT) {
		sb_append(sb, "restrict");
		sb_append(sb, sep);
	}
}

// One type_name() call: the image and what is left of its work budget.
struct namer {
	struct vmca_debuginfo *di;
	unsigned budget;
};

static void declare(struct namer *n, uint32_t id, unsigned quals,
		    struct sbuf *decl, int depth);

// Peel qualifiers off id; returns the qualified type's id.
static uint32_t peel(struct vmca_debuginfo *di, uint32_t id, unsigned *quals)
{
	for (int i = 0; i < MAX_CHAIN; i++) {
		const struct vmca_debuginfo_ctype *t = get_type(di, id);
		if (!is_qualifier(t->kind))
			break;
		*quals |= t->kind == VMCA_TYPE_CONST	  ? QUAL_CONST
			  : t->kind == VMCA_TYPE_VOLATILE ? QUAL_VOLATILE
							  : QUAL_RESTRICT;
		id = t->target < di->nr_types ? t->target : 0;
	}
	return id;
}

static void append_params(struct namer *n, const struct vmca_debuginfo_ctype *t,
			  struct sbuf *decl, int depth)
{
	struct vmca_debuginfo *di = n->di;
	uint32_t count = valid_count(di, t);
	sb_append(decl, "(");
	for (uint32_t i = 0; i < count; i++) {
		struct sbuf param = {0};
		declare(n, di->params[t->first + i], 0, &param, depth + 1);
		if (i)
			sb_append(decl, ", ");
		sb_append(decl,
			  param.has_failed || !param.data ? "?" : param.data);
		free(param.data);
	}
	if (t->flags & VMCA_DEBUGINFO_VARIADIC)
		sb_append(decl, count ? ", ..." : "...");
	else if (!count && (t->flags & VMCA_DEBUGINFO_PROTOTYPED))
		sb_append(decl, "void");
	sb_append(decl, ")");
}

// Turn decl (the declarator so far) into the full declaration of a
// (quals-qualified) object of type id.
static void declare(struct namer *n, uint32_t id, unsigned quals,
		    struct sbuf *decl, int depth)
{
	struct vmca_debuginfo *di = n->di;
	if (depth > MAX_CHAIN || !n->budget) {
		sb_prepend(decl, "? ");
		return;
	}
	n->budget--;
	id = peel(di, id, &quals);
	const struct vmca_debuginfo_ctype *t = get_type(di, id);
	uint32_t target = t->target < di->nr_types ? t->target : 0;
	switch (t->kind) {
	case VMCA_TYPE_POINTER: {
		// Qualifiers here belong to the pointer: "char *const p".
		struct sbuf head = {0};
		sb_append(&head, "*");
		if (quals) {
			append_qualifiers(&head, quals, " ");
			// No space before a closing parenthesis or the end.
			if (!decl->len && !head.has_failed)
				head.data[--head.len] = '\0';
		}
		sb_prepend(decl,
			   head.has_failed || !head.data ? "*" : head.data);
		free(head.data);
		unsigned target_quals = 0;
		const struct vmca_debuginfo_ctype *tt =
			get_type(di, peel(di, target, &target_quals));
		if (tt->kind == VMCA_TYPE_ARRAY ||
		    tt->kind == VMCA_TYPE_FUNCTION) {
			sb_prepend(decl, "(");
			sb_append(decl, ")");
		}
		declare(n, target, 0, decl, depth + 1);
		return;
	}
	case VMCA_TYPE_ARRAY: {
		char dim[32] = "[]";
		if (t->size)
			snprintf(dim, sizeof(dim), "[%" PRIu64 "]", t->size);
		sb_append(decl, dim);
		// A qualified array is an array of qualified elements.
		declare(n, target, quals, decl, depth + 1);
		return;
	}
	case VMCA_TYPE_FUNCTION:
		append_params(n, t, decl, depth);
		declare(n, target, 0, decl, depth + 1);
		return;
	default:
		break;
	}
	struct sbuf base = {0};
	append_qualifiers(&base, quals, " ");
	const char *name = name_at(di, t->name);
	switch (t->kind) {
	case VMCA_TYPE_STRUCT:
	case VMCA_TYPE_UNION:
	case VMCA_TYPE_ENUM:
		sb_append(&base, t->kind == VMCA_TYPE_STRUCT  ? "struct "
				 : t->kind == VMCA_TYPE_UNION ? "union "
							      : "enum ");
		sb_append(&base, name ? name : "{...}");
		break;
	case VMCA_TYPE_VOID:
		sb_append(&base, "void");
		break;
	default:
		sb_append(&base, name ? name : "<anonymous>");
		break;
	}
	if (decl->len)
		sb_append(&base, " ");
	sb_prepend(decl, base.has_failed || !base.data ? "?" : base.data);
	free(base.data);
}

size_t vmca_debuginfo_type_name(struct vmca_debuginfo *di, uint32_t id,
				const char *var_name, char *buf, size_t size)
{
	struct sbuf decl = {0};
	if (var_name)
		sb_append(&decl, var_name);
	struct namer n = {.di = di, .budget = MAX_VISITS};
	declare(&n, id, 0, &decl, 0);
	const char *s = decl.has_failed || !decl.data ? "" : decl.data;
	size_t len = strlen(s);
	if (size) {
		size_t copied = len < size - 1 ? len : size - 1;
		memcpy(buf, s, copied);
		buf[copied] = '\0';
	}
	free(decl.data);
	return len;
}

struct vmca_error *vmca_debuginfo_variable_type(struct vmca_debuginfo *di,
						const char *name, uint32_t *ret)
{
	if (di->nr_var_hash) {
		uint32_t hash = vmca_debuginfo_hash_name(0, name);
		uint32_t mask = di->nr_var_hash - 1;
		uint32_t i = hash & mask;
		for (uint32_t n = 0; n < di->nr_var_hash;
		     n++, i = (i + 1) & mask) {
			const struct vmca_debuginfo_slot *slot =
				&di->var_hash[i];
			if (!slot->id)
				break;
			if (slot->hash != hash || slot->id > di->nr_vars)
				continue;
			const struct vmca_debuginfo_cvar *var =
				&di->vars[slot->id - 1];
			if (strcmp(string_at(di, var->name), name) == 0) {
				*ret = var->type < di->nr_types ? var->type : 0;
				return NULL;
			}
		}
	}
	return vmca_error_create(VMCA_ERROR_NOT_FOUND,
				 "variable '%s' not found", name);
}

// SPDX-License-Identifier: MIT
/** @file Values decoded for people and JSON. */
#include <stdio.h>
#include <string.h>

#include "print.h"
#include "vmca.h"

// Array elements shown per array.
#define MAX_ELEMENTS 256
// Bytes of a string shown.
#define MAX_STRING 512
// JSON numbers above this lose precision in most readers.
#define MAX_JSON_INT (UINT64_C(1) << 53)

// A member line at depth d starts at column 2 + 4d; the closing brace of
// a top-level value (depth -1) at column 0.
static void indent(struct vmca_out *out, int depth)
{
	vmca_out_textf(out, "%*s", depth < 0 ? 0 : 2 + depth * 4, "");
}

bool vmca_print_symbolize(struct vmca_session *s, uint64_t address, char *buf,
			  size_t size)
{
	if (!address)
		return false;
	struct vmca_symbol sym;
	if (!vmca_error_consume(vmca_symbol_lookup(s, address, &sym)))
		return false;
	if (!(address - sym.address < sym.size ||
	      (!sym.size && address == sym.address)))
		return false;
	char where[80] = "";
	if (sym.module)
		snprintf(where, sizeof(where), " [%s]", sym.module);
	if (address == sym.address)
		snprintf(buf, size, "%s%s", sym.name, where);
	else
		snprintf(buf, size, "%s+%#" PRIx64 "%s", sym.name,
			 address - sym.address, where);
	return true;
}

// A C string literal's body: printable ASCII as is, the rest escaped.
static void escape(const unsigned char *p, size_t len, char *buf, size_t size)
{
	size_t n = 0;
	for (size_t i = 0; i < len && n + 5 < size; i++) {
		unsigned char c = p[i];
		if (!c)
			break;
		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
			buf[n++] = (char)c;
		else
			n += (size_t)snprintf(buf + n, size - n, "\\x%02x", c);
	}
	buf[n] = '\0';
}

// Every field a value writes goes under key: "value" in the members form,
// the member's name in the tree form, NULL for a list element.
struct ctx {
	struct vmca_session *s;
	struct vmca_out *out;
	const struct vmca_print_options *opts;
};

static void print_keyed(const struct ctx *c, const char *key,
			const struct vmca_value *v, uint64_t bit_base,
			int depth);

static void print_error(const struct ctx *c, const char *key,
			struct vmca_error *err)
{
	vmca_out_null(c->out, key);
	vmca_out_textf(c->out, "<%s>", err->message);
	vmca_error_destroy(err);
}

static void print_int(const struct ctx *c, const char *key,
		      const struct vmca_type *t, uint64_t v)
{
	const struct vmca_print_options *opts = c->opts;
	bool is_tree = opts->json == VMCA_PRINT_JSON_TREE;
	if (t->is_bool) {
		vmca_out_bool(c->out, key, v != 0);
		vmca_out_textf(c->out, "%s", v ? "true" : "false");
		return;
	}
	if (t->is_signed) {
		int64_t sv = (int64_t)v;
		uint64_t mag = sv < 0 ? -(uint64_t)sv : (uint64_t)sv;
		if (is_tree && mag >= MAX_JSON_INT) {
			char buf[32];
			snprintf(buf, sizeof(buf), "%s%#" PRIx64,
				 sv < 0 ? "-" : "", mag);
			vmca_out_str(c->out, key, buf);
		} else {
			vmca_out_i64(c->out, key, sv);
		}
		if (opts->is_hex)
			vmca_out_textf(c->out, "%s%#" PRIx64, sv < 0 ? "-" : "",
				       mag);
		else
			vmca_out_textf(c->out, "%" PRId64, sv);
		return;
	}
	if (is_tree && v >= MAX_JSON_INT)
		vmca_out_addr(c->out, key, v);
	else
		vmca_out_u64(c->out, key, v);
	if (opts->is_hex || (opts->is_unsigned_hex && v >= 10))
		vmca_out_textf(c->out, "%#" PRIx64, v);
	else
		vmca_out_textf(c->out, "%" PRIu64, v);
}

static void print_enum(const struct ctx *c, const char *key, uint32_t id,
		       const struct vmca_type *t, uint64_t v)
{
	const char *name = NULL;
	for (uint32_t i = 0; i < t->count; i++) {
		const char *n;
		int64_t value;
		vmca_type_enumerator_at(c->s, id, i, &n, &value);
		if ((uint64_t)value == v) {
			name = n;
			break;
		}
	}
	if (name) {
		vmca_out_str(c->out, key, name);
		vmca_out_textf(c->out, "%s", name);
		return;
	}
	vmca_out_i64(c->out, key, (int64_t)v);
	if (c->opts->is_hex)
		vmca_out_textf(c->out, "%#" PRIx64, v);
	else
		vmca_out_textf(c->out, "%" PRId64, (int64_t)v);
}

static void print_pointer(const struct ctx *c, const char *key, uint64_t v)
{
	vmca_out_addr(c->out, key, v);
	vmca_out_textf(c->out, "%#" PRIx64, v);
	char name[256];
	if (vmca_print_symbolize(c->s, v, name, sizeof(name))) {
		if (c->opts->json == VMCA_PRINT_JSON_MEMBERS && key)
			vmca_out_str(c->out, "symbol", name);
		vmca_out_textf(c->out, " <%s>", name);
	}
}

static void print_array(const struct ctx *c, const char *key,
			const struct vmca_value *v, const struct vmca_type *t,
			uint64_t bit_base, int depth)
{
	struct vmca_type elem;
	vmca_type_info(c->s, vmca_type_unqualified(c->s, t->target), &elem);
	if (elem.kind == VMCA_TYPE_INT && elem.is_char && elem.size == 1) {
		unsigned char raw[MAX_STRING];
		uint64_t n = t->size < sizeof(raw) ? t->size : sizeof(raw);
		struct vmca_error *err = vmca_value_read(c->s, v, raw, n);
		if (err) {
			print_error(c, key, err);
			return;
		}
		char buf[4 * MAX_STRING + 8];
		escape(raw, (size_t)n, buf, sizeof(buf));
		vmca_out_str(c->out, key, buf);
		vmca_out_textf(c->out, "\"%s\"", buf);
		return;
	}
	uint64_t n = elem.size ? t->array_len : 0;
	if (n > MAX_ELEMENTS)
		n = MAX_ELEMENTS;
	bool is_aggregate = elem.kind == VMCA_TYPE_STRUCT ||
			    elem.kind == VMCA_TYPE_UNION ||
			    elem.kind == VMCA_TYPE_ARRAY;
	vmca_out_begin_list(c->out, key, 0);
	vmca_out_textf(c->out, "{");
	for (uint64_t i = 0; i < n; i++) {
		if (is_aggregate) {
			vmca_out_textf(c->out, "%s\n", i ? "," : "");
			indent(c->out, depth + 1);
		} else if (i) {
			vmca_out_textf(c->out, ", ");
		}
		struct vmca_value e;
		struct vmca_error *err =
			vmca_value_subscript(c->s, v, (int64_t)i, &e);
		if (err) {
			print_error(c, NULL, err);
			continue;
		}
		print_keyed(c, NULL, &e, bit_base + i * elem.size * 8,
			    depth + 1);
		vmca_value_deinit(&e);
	}
	if (t->array_len > n)
		vmca_out_textf(c->out, ", ...");
	if (is_aggregate && n) {
		vmca_out_textf(c->out, "\n");
		indent(c->out, depth);
	}
	vmca_out_textf(c->out, "}");
	vmca_out_end_list(c->out);
}

static void print_members(const struct ctx *c, uint32_t type,
			  const struct vmca_value *v, uint64_t bit_base,
			  int depth);

static void print_aggregate(const struct ctx *c, const char *key,
			    const struct vmca_value *v, uint32_t id,
			    uint64_t bit_base, int depth)
{
	if (depth + 1 >= c->opts->max_depth) {
		vmca_out_null(c->out, key);
		vmca_out_textf(c->out, "{...}");
		return;
	}
	vmca_out_textf(c->out, "{\n");
	if (c->opts->json == VMCA_PRINT_JSON_TREE)
		vmca_out_begin_object(c->out, key, 0);
	else
		vmca_out_begin_list(c->out, key, 0);
	print_members(c, id, v, bit_base, depth + 1);
	if (c->opts->json == VMCA_PRINT_JSON_TREE)
		vmca_out_end_object(c->out);
	else
		vmca_out_end_list(c->out);
	indent(c->out, depth);
	vmca_out_textf(c->out, "}");
}

static void print_keyed(const struct ctx *c, const char *key,
			const struct vmca_value *v, uint64_t bit_base,
			int depth)
{
	if (v->kind == VMCA_VALUE_ABSENT) {
		vmca_out_null(c->out, key);
		vmca_out_textf(c->out, "<optimized out>");
		return;
	}
	uint32_t id = vmca_type_unqualified(c->s, v->type);
	struct vmca_type t;
	vmca_type_info(c->s, id, &t);
	uint64_t bits;
	struct vmca_error *err;
	switch (t.kind) {
	case VMCA_TYPE_INT:
	case VMCA_TYPE_ENUM:
	case VMCA_TYPE_POINTER:
		err = vmca_value_u64(c->s, v, &bits);
		if (err) {
			print_error(c, key, err);
			return;
		}
		if (t.kind == VMCA_TYPE_INT)
			print_int(c, key, &t, bits);
		else if (t.kind == VMCA_TYPE_ENUM)
			print_enum(c, key, id, &t, bits);
		else
			print_pointer(c, key, bits);
		return;
	case VMCA_TYPE_STRUCT:
	case VMCA_TYPE_UNION:
		print_aggregate(c, key, v, id, bit_base, depth);
		return;
	case VMCA_TYPE_ARRAY:
		print_array(c, key, v, &t, bit_base, depth);
		return;
	case VMCA_TYPE_FUNCTION:
	case VMCA_TYPE_VOID:
		if (v->kind == VMCA_VALUE_REFERENCE) {
			// A function or a symbol without a type: where it is.
			print_pointer(c, key, v->address);
			return;
		}
		break;
	case VMCA_TYPE_FLOAT:
	case VMCA_TYPE_TYPEDEF:
	case VMCA_TYPE_CONST:
	case VMCA_TYPE_VOLATILE:
	case VMCA_TYPE_RESTRICT:
		break;
	}
	vmca_out_null(c->out, key);
	vmca_out_textf(c->out, "?");
}

void vmca_print_value(struct vmca_session *s, struct vmca_out *out,
		      const struct vmca_value *v, int depth,
		      const struct vmca_print_options *opts)
{
	vmca_print_keyed(s, out, "value", v, depth, opts);
}

void vmca_print_keyed(struct vmca_session *s, struct vmca_out *out,
		      const char *key, const struct vmca_value *v, int depth,
		      const struct vmca_print_options *opts)
{
	struct ctx c = {.s = s, .out = out, .opts = opts};
	print_keyed(&c, key, v, 0, depth);
}

// The members of a struct or union: a line each; in JSON, member objects
// of the current list (members form) or keys of the current object (tree
// form, anonymous members' members in place).
static void print_members(const struct ctx *c, uint32_t type,
			  const struct vmca_value *v, uint64_t bit_base,
			  int depth)
{
	bool is_tree = c->opts->json == VMCA_PRINT_JSON_TREE;
	struct vmca_type t;
	vmca_type_info(c->s, type, &t);
	for (uint32_t i = 0; i < t.count; i++) {
		struct vmca_member m;
		vmca_type_member_at(c->s, type, i, &m);
		uint32_t mid = vmca_type_unqualified(c->s, m.type);
		struct vmca_type mt;
		vmca_type_info(c->s, mid, &mt);
		char type_name[512], decl[512];
		vmca_type_name(c->s, m.type, NULL, type_name,
			       sizeof(type_name));
		vmca_type_name(c->s, m.type, m.name ? m.name : "", decl,
			       sizeof(decl));
		uint64_t size =
			mt.kind == VMCA_TYPE_POINTER && !mt.size ? 8 : mt.size;
		// Offsets count from the start of the outermost type.
		uint64_t bits = bit_base + m.bit_offset;
		if (!is_tree) {
			vmca_out_begin_object(c->out, NULL, 0);
			vmca_out_str(c->out, "name", m.name);
			vmca_out_u64(c->out, "offset", bits / 8);
			vmca_out_u64(c->out, "size", m.bit_size ? 0 : size);
			vmca_out_str(c->out, "type", type_name);
			if (m.bit_size) {
				vmca_out_u64(c->out, "bit_offset", bits % 8);
				vmca_out_u64(c->out, "bit_size", m.bit_size);
			}
		}
		indent(c->out, depth);
		if (m.bit_size)
			vmca_out_textf(c->out, "[0x%" PRIx64 ":%" PRIu64 "] ",
				       bits / 8, bits % 8);
		else
			vmca_out_textf(c->out, "[0x%" PRIx64 "] ", bits / 8);
		struct vmca_value mv;
		struct vmca_error *err = NULL;
		if (v) {
			struct vmca_field f = {.parent = type, .member = m};
			err = vmca_value_field(c->s, v, &f, &mv);
		}
		bool has_mv = v && !err;
		bool is_anonymous = !m.name && (mt.kind == VMCA_TYPE_STRUCT ||
						mt.kind == VMCA_TYPE_UNION);
		if (is_anonymous) {
			vmca_out_textf(c->out, "%s {\n",
				       mt.kind == VMCA_TYPE_STRUCT ? "struct"
								   : "union");
			if (!is_tree)
				vmca_out_begin_list(c->out, "members", 0);
			if (!err)
				print_members(c, mid, v ? &mv : NULL, bits,
					      depth + 1);
			if (!is_tree)
				vmca_out_end_list(c->out);
			indent(c->out, depth);
			vmca_out_textf(c->out, "};\n");
		} else {
			vmca_out_textf(c->out, "%s", decl);
			if (m.bit_size)
				vmca_out_textf(c->out, " : %u", m.bit_size);
			const char *key = is_tree ? m.name : "value";
			if (v) {
				vmca_out_textf(c->out, " = ");
				if (err)
					print_error(c, key, err);
				else
					print_keyed(c, key, &mv, bits, depth);
				err = NULL;
			}
			vmca_out_textf(c->out, ";\n");
		}
		if (has_mv)
			vmca_value_deinit(&mv);
		vmca_error_destroy(err);
		if (!is_tree)
			vmca_out_end_object(c->out);
	}
}

void vmca_print_members(struct vmca_session *s, struct vmca_out *out,
			uint32_t type, const struct vmca_value *v, int depth,
			const struct vmca_print_options *opts)
{
	struct ctx c = {.s = s, .out = out, .opts = opts};
	print_members(&c, type, v, 0, depth);
}

// SPDX-License-Identifier: MIT
// plugins/struct.c: a type's layout (offsets, sizes) and, at an address,
// its decoded values.
#include <string.h>

#include "vmca.h"

// Nested structs deeper than this are shown by type only.
#define MAX_DEPTH 12
// Array elements shown per array.
#define MAX_ELEMENTS 256
// Objects larger than this are not read whole.
#define MAX_OBJECT_SIZE (UINT64_C(1) << 24)

struct dumper {
	struct vmca_session *s;
	struct vmca_debuginfo *di;
	struct vmca_out *out;
	/** The object's bytes when an address was given, else NULL. */
	const unsigned char *data;
	uint64_t data_size;
};

static void print_indent(struct dumper *d, int depth)
{
	vmca_out_textf(d->out, "%*s", 2 + depth * 4, "");
}

static void emit_value(struct dumper *d, uint32_t type, uint64_t bit_offset,
		       uint32_t bit_size, int depth);

// A char array as a C string (stops at the first NUL, escapes the rest).
static void emit_char_array(struct dumper *d, uint64_t byte_offset,
			    uint64_t len)
{
	char buf[512];
	size_t n = 0;
	for (uint64_t i = 0; i < len && n + 5 < sizeof(buf); i++) {
		if (byte_offset + i >= d->data_size)
			break;
		unsigned char c = d->data[byte_offset + i];
		if (!c)
			break;
		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
			buf[n++] = (char)c;
		else
			n += (size_t)snprintf(buf + n, sizeof(buf) - n,
					      "\\x%02x", c);
	}
	buf[n] = '\0';
	vmca_out_str(d->out, "value", buf);
	vmca_out_textf(d->out, "\"%s\"", buf);
}

static void emit_members(struct dumper *d, uint32_t type, uint64_t bit_base,
			 int depth);

static void emit_array(struct dumper *d, const struct vmca_type *t,
		       uint64_t bit_offset, int depth)
{
	struct vmca_type elem;
	uint32_t elem_id = vmca_debuginfo_unqualified(d->di, t->target);
	vmca_debuginfo_type(d->di, elem_id, &elem);
	if (elem.kind == VMCA_TYPE_INT && elem.is_char && elem.size == 1) {
		emit_char_array(d, bit_offset / 8, t->array_len);
		return;
	}
	uint64_t n = t->array_len;
	if (n > MAX_ELEMENTS)
		n = MAX_ELEMENTS;
	if (elem.size == 0)
		n = 0;
	vmca_out_begin_list(d->out, "value", 0);
	vmca_out_textf(d->out, "{");
	bool is_aggregate = elem.kind == VMCA_TYPE_STRUCT ||
			    elem.kind == VMCA_TYPE_UNION ||
			    elem.kind == VMCA_TYPE_ARRAY;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t off = bit_offset + i * elem.size * 8;
		if (off / 8 + elem.size > d->data_size)
			break;
		if (is_aggregate) {
			vmca_out_textf(d->out, "%s\n", i ? "," : "");
			print_indent(d, depth + 1);
		} else if (i) {
			vmca_out_textf(d->out, ", ");
		}
		emit_value(d, t->target, off, 0, depth + 1);
	}
	if (t->array_len > n)
		vmca_out_textf(d->out, ", ...");
	if (is_aggregate && n) {
		vmca_out_textf(d->out, "\n");
		print_indent(d, depth);
	}
	vmca_out_textf(d->out, "}");
	vmca_out_end_list(d->out);
}

// One value: in JSON a "value" field (a list or object for aggregates,
// inside the current object or list), in text its C-like rendering.
static void emit_value(struct dumper *d, uint32_t type, uint64_t bit_offset,
		       uint32_t bit_size, int depth)
{
	uint32_t id = vmca_debuginfo_unqualified(d->di, type);
	struct vmca_type t;
	vmca_debuginfo_type(d->di, id, &t);
	uint64_t byte_offset = bit_offset / 8;
	uint64_t size = t.size;
	if (t.kind == VMCA_TYPE_POINTER && !size)
		size = 8;
	if (!bit_size && byte_offset + size > d->data_size) {
		vmca_out_null(d->out, "value");
		vmca_out_textf(d->out, "<out of range>");
		return;
	}
	switch (t.kind) {
	case VMCA_TYPE_INT: {
		uint64_t v =
			vmca_decode_int(d->s, id, d->data, (size_t)d->data_size,
					bit_offset, bit_size);
		if (t.is_bool) {
			vmca_out_bool(d->out, "value", v != 0);
			vmca_out_textf(d->out, "%s", v ? "true" : "false");
		} else if (t.is_signed) {
			vmca_out_i64(d->out, "value", (int64_t)v);
			vmca_out_textf(d->out, "%" PRId64, (int64_t)v);
		} else {
			vmca_out_u64(d->out, "value", v);
			if (v >= 10)
				vmca_out_textf(d->out, "%#" PRIx64, v);
			else
				vmca_out_textf(d->out, "%" PRIu64, v);
		}
		return;
	}
	case VMCA_TYPE_ENUM: {
		uint64_t v =
			vmca_decode_int(d->s, id, d->data, (size_t)d->data_size,
					bit_offset, bit_size);
		const char *name = NULL;
		for (uint32_t i = 0; i < t.count; i++) {
			const char *n;
			int64_t value;
			vmca_debuginfo_enumerator(d->di, id, i, &n, &value);
			if ((uint64_t)value == v) {
				name = n;
				break;
			}
		}
		if (name) {
			vmca_out_str(d->out, "value", name);
			vmca_out_textf(d->out, "%s", name);
		} else {
			vmca_out_i64(d->out, "value", (int64_t)v);
			vmca_out_textf(d->out, "%" PRId64, (int64_t)v);
		}
		return;
	}
	case VMCA_TYPE_POINTER: {
		uint64_t v = 0;
		memcpy(&v, d->data + byte_offset, 8);
		vmca_out_addr(d->out, "value", v);
		vmca_out_textf(d->out, "%#" PRIx64, v);
		struct vmca_symbol sym;
		struct vmca_error *err =
			v ? vmca_symbol_lookup(d->s, v, &sym) : &vmca_not_found;
		if (!err && (v - sym.address < sym.size ||
			     (!sym.size && v == sym.address))) {
			char name[256];
			if (v == sym.address)
				snprintf(name, sizeof(name), "%s", sym.name);
			else
				snprintf(name, sizeof(name), "%s+%#" PRIx64,
					 sym.name, v - sym.address);
			vmca_out_str(d->out, "symbol", name);
			vmca_out_textf(d->out, " <%s>", name);
		}
		vmca_error_destroy(err);
		return;
	}
	case VMCA_TYPE_STRUCT:
	case VMCA_TYPE_UNION:
		if (depth >= MAX_DEPTH) {
			vmca_out_null(d->out, "value");
			vmca_out_textf(d->out, "{...}");
			return;
		}
		vmca_out_begin_list(d->out, "value", 0);
		vmca_out_textf(d->out, "{\n");
		emit_members(d, id, bit_offset, depth + 1);
		print_indent(d, depth);
		vmca_out_textf(d->out, "}");
		vmca_out_end_list(d->out);
		return;
	case VMCA_TYPE_ARRAY:
		emit_array(d, &t, bit_offset, depth);
		return;
	case VMCA_TYPE_FLOAT:
	case VMCA_TYPE_VOID:
	case VMCA_TYPE_FUNCTION:
	case VMCA_TYPE_TYPEDEF:
	case VMCA_TYPE_CONST:
	case VMCA_TYPE_VOLATILE:
	case VMCA_TYPE_RESTRICT:
		break;
	}
	vmca_out_null(d->out, "value");
	vmca_out_textf(d->out, "?");
}

// The members of a struct/union at bit_base (absolute offsets), as JSON
// objects of the current list and as text lines.
static void emit_members(struct dumper *d, uint32_t type, uint64_t bit_base,
			 int depth)
{
	struct vmca_type t;
	vmca_debuginfo_type(d->di, type, &t);
	for (uint32_t i = 0; i < t.count; i++) {
		struct vmca_member m;
		vmca_debuginfo_member(d->di, type, i, &m);
		uint64_t bits = bit_base + m.bit_offset;
		uint32_t mid = vmca_debuginfo_unqualified(d->di, m.type);
		struct vmca_type mt;
		vmca_debuginfo_type(d->di, mid, &mt);
		char type_name[512], decl[512];
		vmca_debuginfo_type_name(d->di, m.type, NULL, type_name,
					 sizeof(type_name));
		vmca_debuginfo_type_name(d->di, m.type, m.name ? m.name : "",
					 decl, sizeof(decl));
		uint64_t size =
			mt.kind == VMCA_TYPE_POINTER && !mt.size ? 8 : mt.size;

		vmca_out_begin_object(d->out, NULL, 0);
		vmca_out_str(d->out, "name", m.name);
		vmca_out_u64(d->out, "offset", bits / 8);
		vmca_out_u64(d->out, "size", m.bit_size ? 0 : size);
		vmca_out_str(d->out, "type", type_name);
		if (m.bit_size) {
			vmca_out_u64(d->out, "bit_offset", bits % 8);
			vmca_out_u64(d->out, "bit_size", m.bit_size);
		}

		print_indent(d, depth);
		if (m.bit_size)
			vmca_out_textf(d->out, "[0x%" PRIx64 ":%" PRIu64 "] ",
				       bits / 8, bits % 8);
		else
			vmca_out_textf(d->out, "[0x%" PRIx64 "] ", bits / 8);
		bool is_anonymous_aggregate =
			!m.name && (mt.kind == VMCA_TYPE_STRUCT ||
				    mt.kind == VMCA_TYPE_UNION);
		if (is_anonymous_aggregate) {
			// Anonymous struct/union: expanded in place, as C
			// reads it.
			vmca_out_textf(d->out, "%s {\n",
				       mt.kind == VMCA_TYPE_STRUCT ? "struct"
								   : "union");
			vmca_out_begin_list(d->out, "members", 0);
			emit_members(d, mid, bits, depth + 1);
			vmca_out_end_list(d->out);
			print_indent(d, depth);
			vmca_out_textf(d->out, "};\n");
		} else if (d->data) {
			vmca_out_textf(d->out, "%s", decl);
			if (m.bit_size)
				vmca_out_textf(d->out, " : %u", m.bit_size);
			vmca_out_textf(d->out, " = ");
			emit_value(d, m.type, bits, m.bit_size, depth);
			vmca_out_textf(d->out, ";\n");
		} else {
			vmca_out_textf(d->out, "%s", decl);
			if (m.bit_size)
				vmca_out_textf(d->out, " : %u", m.bit_size);
			vmca_out_textf(d->out, ";\n");
		}
		vmca_out_end_object(d->out);
	}
}

static struct vmca_error *
struct_run(struct vmca_session *s, struct vmca_out *out, int argc, char **argv)
{
	// Accept "struct task_struct ADDR", "task_struct ADDR" and a quoted
	// "struct task_struct"; -o is crash's spelling for offsets, which
	// are always shown.
	const char *args[3];
	int nargs = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-o") == 0)
			continue;
		if (nargs == 3)
			return vmca_error_create(
				VMCA_ERROR_USAGE,
				"usage: vmca VMCORE struct TYPE [ADDRESS]");
		args[nargs++] = argv[i];
	}
	char name[256];
	int next = 0;
	if (nargs >= 2 &&
	    (strcmp(args[0], "struct") == 0 || strcmp(args[0], "union") == 0 ||
	     strcmp(args[0], "enum") == 0)) {
		snprintf(name, sizeof(name), "%s %s", args[0], args[1]);
		next = 2;
	} else if (nargs >= 1) {
		snprintf(name, sizeof(name), "%s", args[0]);
		next = 1;
	} else {
		return vmca_error_create(
			VMCA_ERROR_USAGE,
			"usage: vmca VMCORE struct TYPE [ADDRESS]");
	}
	if (nargs - next > 1)
		return vmca_error_create(
			VMCA_ERROR_USAGE,
			"usage: vmca VMCORE struct TYPE [ADDRESS]");

	struct vmca_debuginfo *di = vmca_session_debuginfo(s);
	uint32_t type;
	struct vmca_error *err = vmca_type(s, name, &type);
	if (err)
		return err;
	uint32_t id = vmca_debuginfo_unqualified(di, type);
	struct vmca_type t;
	vmca_debuginfo_type(di, id, &t);
	if (t.kind != VMCA_TYPE_STRUCT && t.kind != VMCA_TYPE_UNION)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "'%s' is not a struct or union", name);
	if (t.is_declaration)
		return vmca_error_create(VMCA_ERROR_NOT_FOUND,
					 "%s: only a declaration, no layout in "
					 "the debuginfo",
					 name);

	struct dumper d = {.s = s, .di = di, .out = out};
	_cleanup_free_ unsigned char *data = NULL;
	bool has_address = next < nargs;
	uint64_t address = 0;
	if (has_address) {
		err = vmca_parse_address(s, args[next], &address);
		if (err)
			return err;
		if (t.size > MAX_OBJECT_SIZE)
			return vmca_error_create(VMCA_ERROR_INVALID,
						 "%s is too large to print",
						 name);
		data = malloc(t.size ? t.size : 1);
		if (!data)
			return &vmca_enomem;
		err = vmca_read(s, address, data, t.size);
		if (err)
			return vmca_error_wrap(err, "reading %s at %#" PRIx64,
					       name, address);
		d.data = data;
		d.data_size = t.size;
	}

	char full[512];
	vmca_debuginfo_type_name(di, id, NULL, full, sizeof(full));
	vmca_out_begin_object(out, NULL, VMCA_OUT_TEXT_CUSTOM);
	vmca_out_str(out, "type", full);
	vmca_out_u64(out, "size", t.size);
	if (has_address)
		vmca_out_addr(out, "address", address);
	if (has_address)
		vmca_out_textf(out, "%s at %#" PRIx64 " {\n", full, address);
	else
		vmca_out_textf(out, "%s {\n", full);
	vmca_out_begin_list(out, "members", 0);
	emit_members(&d, id, 0, 0);
	vmca_out_end_list(out);
	vmca_out_textf(out, "}\nSIZE: %" PRIu64 " (%#" PRIx64 ")\n", t.size,
		       t.size);
	vmca_out_end_object(out);
	return NULL;
}

const struct vmca_plugin vmca_plugin_struct = {
	.name = "struct",
	.summary = "a struct's layout (offsets, sizes), or its values at an "
		   "address",
	.usage = "struct [-o] TYPE [ADDRESS|SYMBOL]",
	.help = "TYPE is \"task_struct\", \"struct task_struct\" or a "
		"typedef.\n"
		"Without an address: every member with its offset and size;\n"
		"anonymous structs and unions are expanded in place.\n"
		"With one: the values, decoded (pointers with their symbol,\n"
		"enums by name, char arrays as strings, nested structs).\n"
		"JSON: {\"type\", \"size\", \"address\"?, \"members\": "
		"[{\"name\", \"offset\", \"size\", \"type\", \"bit_offset\"?,\n"
		"\"bit_size\"?, \"value\"?, \"members\"? (anonymous)}]}; "
		"offsets are from the start of TYPE.\n",
	.run = struct_run,
};

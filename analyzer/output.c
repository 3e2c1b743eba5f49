// SPDX-License-Identifier: MIT
/** @file The one output writer: records to an aligned table or JSON. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"
#include "util/cleanup.h"
#include "util/vector.h"

// Nesting deeper than this is a plugin bug; the writer reports it.
#define MAX_DEPTH 32

DEFINE_VECTOR(str_vector, char *)

struct kv {
	char *key;
	char *value;
};
DEFINE_VECTOR(kv_vector, struct kv)

struct row {
	// Cells by column index; NULL where the row has no such field.
	struct str_vector cells;
};
DEFINE_VECTOR(row_vector, struct row)

enum role {
	ROLE_BLOCK,   // object outside a list: "key: value" lines
	ROLE_ROW,     // object inside a table list: one row
	ROLE_LIST,    // list whose kind is not known yet
	ROLE_TABLE,   // list of objects
	ROLE_SCALARS, // list of scalars: "key: a b c"
	ROLE_HIDDEN,  // not rendered in text mode
};

struct frame {
	bool is_list;
	bool is_first;
	bool is_custom;
	enum role role;
	char *key;
	// ROLE_TABLE
	struct str_vector columns;
	struct row_vector rows;
	// ROLE_SCALARS
	char *scalars;
	// ROLE_BLOCK: pending key/value lines
	struct kv_vector block;
};

struct vmca_out {
	bool is_json;
	bool is_broken;
	int depth;
	struct frame stack[MAX_DEPTH];
	char *buf;
	size_t buf_len;
	FILE *mem;
	// vmca_out_line()'s strings.
	struct str_vector lines;
};

struct vmca_out *vmca_out_create(bool is_json)
{
	struct vmca_out *out = calloc(1, sizeof(*out));
	if (!out)
		return NULL;
	out->is_json = is_json;
	out->mem = open_memstream(&out->buf, &out->buf_len);
	if (!out->mem) {
		free(out);
		return NULL;
	}
	return out;
}

static void frame_deinit(struct frame *f)
{
	free(f->key);
	char **s;
	vector_for_each (&f->columns, s)
		free(*s);
	str_vector_deinit(&f->columns);
	struct row *r;
	vector_for_each (&f->rows, r) {
		vector_for_each (&r->cells, s)
			free(*s);
		str_vector_deinit(&r->cells);
	}
	row_vector_deinit(&f->rows);
	free(f->scalars);
	struct kv *kv;
	vector_for_each (&f->block, kv) {
		free(kv->key);
		free(kv->value);
	}
	kv_vector_deinit(&f->block);
	memset(f, 0, sizeof(*f));
}

void vmca_out_destroy(struct vmca_out *out)
{
	if (!out)
		return;
	for (int i = 0; i < out->depth; i++)
		frame_deinit(&out->stack[i]);
	if (out->mem)
		fclose(out->mem);
	free(out->buf);
	char **line;
	vector_for_each (&out->lines, line)
		free(*line);
	str_vector_deinit(&out->lines);
	free(out);
}

bool vmca_out_is_json(const struct vmca_out *out)
{
	return out->is_json;
}

static struct frame *top(struct vmca_out *out)
{
	return out->depth ? &out->stack[out->depth - 1] : NULL;
}

// The length of the well-formed UTF-8 sequence at p (RFC 3629: no
// overlong forms, no surrogates, nothing above U+10FFFF), 0 if p does not
// start one. p is NUL-terminated: a NUL ends the check before the next byte.
static size_t utf8_len(const unsigned char *p)
{
	unsigned char c = p[0], lo = 0x80, hi = 0xbf;
	size_t n;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		lo = c == 0xe0 ? 0xa0 : 0x80;
		hi = c == 0xed ? 0x9f : 0xbf;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		lo = c == 0xf0 ? 0x90 : 0x80;
		hi = c == 0xf4 ? 0x8f : 0xbf;
	} else {
		return 0;
	}
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	}
	return n;
}

// A C1 control character (U+0080..U+009F) in UTF-8: some terminals act on
// it as on ESC plus a letter (U+009B is CSI).
static bool is_c1(const unsigned char *p, size_t n)
{
	return n == 2 && p[0] == 0xc2 && p[1] < 0xa0;
}

// JSON strings: quotes, backslashes and control characters (C0, DEL, C1)
// escaped; well-formed UTF-8 as is; a byte that is not part of well-formed
// UTF-8 (kernel memory is arbitrary) as \u00XX, the code point of the
// byte's value (its Latin-1 reading), so the document stays valid UTF-8.
static void json_string(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	fputc('"', f);
	while (*p) {
		unsigned char c = *p;
		size_t n = utf8_len(p);
		if (is_c1(p, n))
			fprintf(f, "\\u%04x", p[1]);
		else if (n > 1)
			fwrite(p, 1, n, f);
		else if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c == '\r')
			fputs("\\r", f);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
		p += n ? n : 1;
	}
	fputc('"', f);
}

void vmca_out_write_text(FILE *f, const char *s, bool is_layout)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	while (*p) {
		unsigned char c = *p;
		size_t n = utf8_len(p);
		if (is_c1(p, n) || !n) {
			// Byte by byte, as the dump has them.
			for (size_t i = 0; i < (n ? n : 1); i++)
				fprintf(f, "\\x%02x", p[i]);
		} else if (n > 1) {
			fwrite(p, 1, n, f);
		} else if ((c == '\n' || c == '\t') && is_layout) {
			fputc(c, f);
		} else if (c == '\n' || c == '\t' || c == '\r') {
			fputs(c == '\n' ? "\\n" : c == '\t' ? "\\t" : "\\r", f);
		} else if (c < 0x20 || c == 0x7f) {
			fprintf(f, "\\x%02x", c);
		} else {
			fputc(c, f);
		}
		p += n ? n : 1;
	}
}

// Whether vmca_out_write_text() would change s.
static bool text_is_plain(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		size_t n = utf8_len(p);
		if (!n || *p < 0x20 || *p == 0x7f || is_c1(p, n))
			return false;
		p += n;
	}
	return true;
}

static void json_key(struct vmca_out *out, const char *key)
{
	struct frame *f = top(out);
	if (f) {
		if (!f->is_first)
			fputc(',', out->mem);
		f->is_first = false;
	}
	if (key && f && !f->is_list) {
		json_string(out->mem, key);
		fputc(':', out->mem);
	}
}

static char *xstrdup(struct vmca_out *out, const char *s)
{
	char *d = strdup(s ? s : "");
	if (!d)
		out->is_broken = true;
	return d;
}

// A dump string as a text-mode value: on one line, inert
// (vmca_out_write_text without layout).
static char *text_value(struct vmca_out *out, const char *s)
{
	if (!s || text_is_plain(s))
		return xstrdup(out, s);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f) {
		out->is_broken = true;
		return NULL;
	}
	vmca_out_write_text(f, s, false);
	if (fclose(f) != 0) {
		free(buf);
		out->is_broken = true;
		return NULL;
	}
	return buf;
}

static void flush_block(struct vmca_out *out, struct frame *f)
{
	size_t width = 0;
	struct kv *kv;
	vector_for_each (&f->block, kv) {
		size_t n = strlen(kv->key);
		if (n > width)
			width = n;
	}
	vector_for_each (&f->block, kv) {
		fprintf(out->mem, "%*s: %s\n", (int)width, kv->key, kv->value);
		free(kv->key);
		free(kv->value);
	}
	f->block.len = 0;
}

// Text mode: a scalar (already formatted) arrives in the current frame.
static void text_scalar(struct vmca_out *out, const char *key,
			const char *value)
{
	struct frame *f = top(out);
	if (!f || f->is_custom)
		return;
	switch (f->role) {
	case ROLE_LIST:
		f->role = ROLE_SCALARS;
		// fall through
	case ROLE_SCALARS: {
		_cleanup_free_ char *v = text_value(out, value);
		char *joined;
		if (!v ||
		    asprintf(&joined, "%s%s%s", f->scalars ? f->scalars : "",
			     f->scalars ? " " : "", v) < 0) {
			out->is_broken = true;
			return;
		}
		free(f->scalars);
		f->scalars = joined;
		return;
	}
	case ROLE_BLOCK: {
		struct kv *kv = kv_vector_append_entry(&f->block);
		if (!kv) {
			out->is_broken = true;
			return;
		}
		kv->key = xstrdup(out, key);
		kv->value = text_value(out, value);
		return;
	}
	case ROLE_ROW: {
		struct frame *list = &out->stack[out->depth - 2];
		size_t col;
		for (col = 0; col < list->columns.len; col++) {
			if (strcmp(list->columns.data[col], key ? key : "") ==
			    0)
				break;
		}
		if (col == list->columns.len &&
		    !str_vector_append(&list->columns, xstrdup(out, key))) {
			out->is_broken = true;
			return;
		}
		struct row *r = &list->rows.data[list->rows.len - 1];
		while (r->cells.len <= col) {
			if (!str_vector_append(&r->cells, NULL)) {
				out->is_broken = true;
				return;
			}
		}
		free(r->cells.data[col]);
		r->cells.data[col] = text_value(out, value);
		return;
	}
	case ROLE_TABLE:
	case ROLE_HIDDEN:
		return;
	}
}

static void begin(struct vmca_out *out, const char *key, unsigned flags,
		  bool is_list)
{
	if (out->depth >= MAX_DEPTH) {
		out->is_broken = true;
		return;
	}
	struct frame *parent = top(out);
	if (out->is_json) {
		json_key(out, key);
		fputc(is_list ? '[' : '{', out->mem);
	}
	struct frame *f = &out->stack[out->depth++];
	memset(f, 0, sizeof(*f));
	f->is_list = is_list;
	f->is_first = true;
	f->is_custom =
		(flags & VMCA_OUT_TEXT_CUSTOM) || (parent && parent->is_custom);
	f->key = key ? xstrdup(out, key) : NULL;
	if (out->is_json)
		return;

	enum role prole = parent ? parent->role : ROLE_BLOCK;
	if (f->is_custom) {
		f->role = ROLE_HIDDEN;
	} else if (is_list) {
		f->role = prole == ROLE_BLOCK ? ROLE_LIST
			  : prole == ROLE_ROW ? ROLE_LIST
					      : ROLE_HIDDEN;
	} else if (!parent || prole == ROLE_BLOCK) {
		f->role = ROLE_BLOCK;
	} else if (prole == ROLE_LIST || prole == ROLE_TABLE) {
		parent->role = ROLE_TABLE;
		// A table inside a row cannot be drawn.
		bool nested = out->depth >= 3 &&
			      out->stack[out->depth - 3].role == ROLE_ROW;
		if (nested) {
			parent->role = ROLE_HIDDEN;
			f->role = ROLE_HIDDEN;
		} else {
			f->role = ROLE_ROW;
			if (!row_vector_append_entry(&parent->rows))
				out->is_broken = true;
		}
	} else {
		f->role = ROLE_HIDDEN;
	}
	// Keep "key: value" lines before a nested table in order.
	if (parent && parent->role == ROLE_BLOCK && f->role != ROLE_HIDDEN)
		flush_block(out, parent);
}

void vmca_out_begin_object(struct vmca_out *out, const char *key,
			   unsigned flags)
{
	begin(out, key, flags, false);
}

void vmca_out_begin_list(struct vmca_out *out, const char *key, unsigned flags)
{
	begin(out, key, flags, true);
}

static void print_table(struct vmca_out *out, struct frame *f)
{
	size_t ncols = f->columns.len;
	if (!ncols)
		return;
	_cleanup_free_ size_t *width = calloc(ncols, sizeof(*width));
	if (!width) {
		out->is_broken = true;
		return;
	}
	for (size_t c = 0; c < ncols; c++)
		width[c] = strlen(f->columns.data[c]);
	struct row *r;
	vector_for_each (&f->rows, r) {
		for (size_t c = 0; c < r->cells.len; c++) {
			size_t n =
				r->cells.data[c] ? strlen(r->cells.data[c]) : 1;
			if (n > width[c])
				width[c] = n;
		}
	}
	for (size_t c = 0; c < ncols; c++) {
		for (const char *p = f->columns.data[c]; *p; p++)
			fputc(*p >= 'a' && *p <= 'z' ? *p - 32 : *p, out->mem);
		if (c + 1 < ncols)
			fprintf(out->mem, "%*s",
				(int)(width[c] - strlen(f->columns.data[c]) +
				      2),
				"");
	}
	fputc('\n', out->mem);
	vector_for_each (&f->rows, r) {
		for (size_t c = 0; c < ncols; c++) {
			const char *v = c < r->cells.len && r->cells.data[c]
						? r->cells.data[c]
						: "-";
			if (c + 1 < ncols)
				fprintf(out->mem, "%-*s  ", (int)width[c], v);
			else
				fputs(v, out->mem);
		}
		fputc('\n', out->mem);
	}
}

static void end(struct vmca_out *out, bool is_list)
{
	struct frame *f = top(out);
	if (!f || f->is_list != is_list) {
		out->is_broken = true;
		return;
	}
	if (out->is_json) {
		fputc(is_list ? ']' : '}', out->mem);
	} else if (f->role == ROLE_BLOCK) {
		flush_block(out, f);
	} else if (f->role == ROLE_TABLE) {
		print_table(out, f);
	} else if (f->role == ROLE_SCALARS) {
		// Hand the joined list up as one scalar of the parent.
		_cleanup_free_ char *joined = steal_ptr(f->scalars);
		_cleanup_free_ char *key = steal_ptr(f->key);
		frame_deinit(f);
		out->depth--;
		text_scalar(out, key, joined ? joined : "");
		return;
	}
	frame_deinit(f);
	out->depth--;
}

void vmca_out_end_object(struct vmca_out *out)
{
	end(out, false);
}

void vmca_out_end_list(struct vmca_out *out)
{
	end(out, true);
}

static void scalar(struct vmca_out *out, const char *key, const char *json,
		   const char *text, unsigned flags)
{
	if (out->is_json) {
		if (flags & VMCA_OUT_TEXT_ONLY)
			return;
		json_key(out, key);
		fputs(json, out->mem);
	} else if (!(flags & VMCA_OUT_JSON_ONLY)) {
		text_scalar(out, key, text);
	}
}

void vmca_out_u64_flags(struct vmca_out *out, const char *key, uint64_t value,
			unsigned flags)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%" PRIu64, value);
	scalar(out, key, buf, buf, flags);
}

void vmca_out_u64(struct vmca_out *out, const char *key, uint64_t value)
{
	vmca_out_u64_flags(out, key, value, 0);
}

void vmca_out_i64(struct vmca_out *out, const char *key, int64_t value)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%" PRId64, value);
	scalar(out, key, buf, buf, 0);
}

void vmca_out_double(struct vmca_out *out, const char *key, double value)
{
	char buf[64];
	snprintf(buf, sizeof(buf), "%.6f", value);
	scalar(out, key, buf, buf, 0);
}

void vmca_out_bool_flags(struct vmca_out *out, const char *key, bool value,
			 unsigned flags)
{
	scalar(out, key, value ? "true" : "false", value ? "yes" : "no", flags);
}

void vmca_out_bool(struct vmca_out *out, const char *key, bool value)
{
	vmca_out_bool_flags(out, key, value, 0);
}

void vmca_out_null(struct vmca_out *out, const char *key)
{
	scalar(out, key, "null", "-", 0);
}

void vmca_out_addr(struct vmca_out *out, const char *key, uint64_t value)
{
	char json[32], text[32];
	snprintf(json, sizeof(json), "\"0x%" PRIx64 "\"", value);
	snprintf(text, sizeof(text), "%#" PRIx64, value);
	scalar(out, key, json, text, 0);
}

void vmca_out_str_flags(struct vmca_out *out, const char *key,
			const char *value, unsigned flags)
{
	if (!value) {
		scalar(out, key, "null", "-", flags);
		return;
	}
	if (out->is_json) {
		if (flags & VMCA_OUT_TEXT_ONLY)
			return;
		json_key(out, key);
		json_string(out->mem, value);
	} else if (!(flags & VMCA_OUT_JSON_ONLY)) {
		text_scalar(out, key, value);
	}
}

void vmca_out_str(struct vmca_out *out, const char *key, const char *value)
{
	vmca_out_str_flags(out, key, value, 0);
}

void vmca_out_json(struct vmca_out *out, const char *key, const char *json)
{
	if (!out->is_json)
		return;
	json_key(out, key);
	fputs(json, out->mem);
}

void vmca_out_error(struct vmca_out *out, const char *key,
		    const struct vmca_error *err)
{
	if (!out->is_json) {
		text_scalar(out, key, err->message);
		return;
	}
	vmca_out_begin_object(out, key, 0);
	vmca_out_str(out, "code", vmca_error_code_name(err->code));
	vmca_out_str(out, "message", err->message);
	if (err->has_address)
		vmca_out_addr(out, "address", err->address);
	vmca_out_end_object(out);
}

void vmca_out_textf(struct vmca_out *out, const char *fmt, ...)
{
	if (out->is_json)
		return;
	struct frame *f = top(out);
	if (f && f->role == ROLE_BLOCK)
		flush_block(out, f);
	// The text may hold dump strings: it reaches the terminal inert
	// (its newlines and tabs are the layout).
	char *text;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (n < 0) {
		out->is_broken = true;
		return;
	}
	vmca_out_write_text(out->mem, text, true);
	free(text);
}

const char *vmca_out_line(struct vmca_out *out, const char *s)
{
	if (!s || out->is_json || text_is_plain(s))
		return s;
	char *line = text_value(out, s);
	if (!line || !str_vector_append(&out->lines, line)) {
		free(line);
		out->is_broken = true;
		return "?";
	}
	return line;
}

void vmca_out_text_style(struct vmca_out *out, enum vmca_out_style style)
{
	static const char *const sgr[] = {
		[VMCA_OUT_STYLE_BOLD] = "\033[1m",
		[VMCA_OUT_STYLE_ALERT] = "\033[1;31m",
		[VMCA_OUT_STYLE_RESET] = "\033[0m",
	};
	if (out->is_json || (unsigned)style >= sizeof(sgr) / sizeof(sgr[0]))
		return;
	struct frame *f = top(out);
	if (f && f->role == ROLE_BLOCK)
		flush_block(out, f);
	fputs(sgr[style], out->mem);
}

struct vmca_error *vmca_out_finish(struct vmca_out *out, FILE *f)
{
	if (out->depth != 0 || out->is_broken)
		return vmca_error_create(
			VMCA_ERROR_OTHER,
			"output: unbalanced or failed records");
	if (fflush(out->mem) != 0)
		return &vmca_enomem;
	fwrite(out->buf, 1, out->buf_len, f);
	if (out->is_json)
		fputc('\n', f);
	return NULL;
}

void vmca_out_write_error(FILE *f, bool is_json, const struct vmca_error *err)
{
	if (!is_json) {
		fputs("vmca: error: ", stderr);
		vmca_out_write_text(stderr, err->message, true);
		fputc('\n', stderr);
		return;
	}
	fputs("{\"error\":{\"code\":", f);
	json_string(f, vmca_error_code_name(err->code));
	fputs(",\"message\":", f);
	json_string(f, err->message);
	if (err->has_address)
		fprintf(f, ",\"address\":\"0x%" PRIx64 "\"", err->address);
	fputs("}}\n", f);
}

// SPDX-License-Identifier: MIT
/** @file The one output writer: records to an aligned table or JSON. */
#ifndef VMCA_ANALYZER_OUTPUT_H
#define VMCA_ANALYZER_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "util/error.h"

/*
 * A plugin describes its result as nested objects and lists of scalar
 * fields. In JSON mode the writer renders exactly that. In text mode:
 *  - scalar fields of an object print as aligned "key: value" lines;
 *  - a list of objects prints as a table, one row per object, one column
 *    per scalar field (headers are the keys in upper case);
 *  - a list or object opened with VMCA_OUT_TEXT_CUSTOM prints none of its
 *    fields: the plugin writes its text with vmca_out_textf() instead;
 *  - vmca_out_textf() writes text in text mode only; JSON ignores it.
 * Everything is buffered until vmca_out_finish(), so an error can replace
 * partial JSON with a well-formed error object.
 *
 * Strings are the dump's (a comm, a file name, a log line: whoever ran a
 * process on the machine chose them) and stay inert in both formats:
 *  - JSON: quotes, backslashes and control characters (C0, DEL, C1)
 *    escaped; well-formed UTF-8 as is; each byte that is not part of
 *    well-formed UTF-8 as \u00XX, the code point of its value (the
 *    byte's Latin-1 reading), so the output is always valid UTF-8 JSON
 *    and a string of ASCII and such bytes decodes back to its bytes;
 *  - text: control characters, C1 controls and bytes that are not
 *    well-formed UTF-8 as \xNN (byte by byte), \n \t \r in a value as
 *    those two characters; vmca_out_textf() text keeps its newlines and
 *    tabs (the layout) and escapes the rest the same way. No escape
 *    sequence reaches the terminal but vmca_out_text_style()'s.
 */

struct vmca_out;

enum vmca_out_flags {
	VMCA_OUT_TEXT_CUSTOM = 1 << 0,
	/** This field is for JSON only (text mode skips it). */
	VMCA_OUT_JSON_ONLY = 1 << 1,
	/** This field is for text only (a marker column; JSON skips it). */
	VMCA_OUT_TEXT_ONLY = 1 << 2,
};

/** Create a writer; is_json picks the format. NULL on allocation failure. */
struct vmca_out *vmca_out_create(bool is_json);
void vmca_out_destroy(struct vmca_out *out);

bool vmca_out_is_json(const struct vmca_out *out);

/**
 * Begin an object. key is its name inside the enclosing object, NULL
 * inside a list or at the top level.
 */
void vmca_out_begin_object(struct vmca_out *out, const char *key,
			   unsigned flags);
void vmca_out_end_object(struct vmca_out *out);
void vmca_out_begin_list(struct vmca_out *out, const char *key, unsigned flags);
void vmca_out_end_list(struct vmca_out *out);

void vmca_out_u64(struct vmca_out *out, const char *key, uint64_t value);
void vmca_out_i64(struct vmca_out *out, const char *key, int64_t value);
void vmca_out_double(struct vmca_out *out, const char *key, double value);
void vmca_out_bool(struct vmca_out *out, const char *key, bool value);
/** value NULL writes null (text: "-"). */
void vmca_out_str(struct vmca_out *out, const char *key, const char *value);
/** An address: "0x..." string in JSON, hex in text. */
void vmca_out_addr(struct vmca_out *out, const char *key, uint64_t value);
/**
 * A value already rendered as JSON (vmca's own, as a batch worker wrote
 * it: not checked); JSON mode only.
 */
void vmca_out_json(struct vmca_out *out, const char *key, const char *json);
void vmca_out_null(struct vmca_out *out, const char *key);
/** Any scalar field with flags (VMCA_OUT_JSON_ONLY). */
void vmca_out_str_flags(struct vmca_out *out, const char *key,
			const char *value, unsigned flags);
void vmca_out_u64_flags(struct vmca_out *out, const char *key, uint64_t value,
			unsigned flags);
void vmca_out_bool_flags(struct vmca_out *out, const char *key, bool value,
			 unsigned flags);
/** A row-level failure: {"message": ..., "address": ...} under key. */
void vmca_out_error(struct vmca_out *out, const char *key,
		    const struct vmca_error *err);

/** Text-mode only output (a line or part of one), made inert (above). */
void vmca_out_textf(struct vmca_out *out, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/**
 * s as one value for vmca_out_textf()'s "%s": newlines and tabs as \n
 * and \t too (a comm or a file name cannot start a line of its own).
 * Valid until the writer is destroyed; s itself where nothing changes, or
 * in JSON mode; NULL for NULL.
 */
const char *vmca_out_line(struct vmca_out *out, const char *s);

enum vmca_out_style {
	VMCA_OUT_STYLE_BOLD,
	VMCA_OUT_STYLE_ALERT, /**< bold red */
	VMCA_OUT_STYLE_RESET,
};

/**
 * A terminal style in text mode (an SGR sequence; nothing in JSON): the
 * one way an escape sequence gets into the output. The caller decides
 * whether the terminal wants it (isatty, NO_COLOR).
 */
void vmca_out_text_style(struct vmca_out *out, enum vmca_out_style style);

/**
 * Write s (NULL: nothing) to f as inert terminal text (above): with
 * is_layout, newlines and tabs as they are (lines of text); without, as
 * \n and \t (one value on one line).
 */
void vmca_out_write_text(FILE *f, const char *s, bool is_layout);

/**
 * Write everything to f. Returns an error if the records were unbalanced
 * or memory ran out (the writer's own bug, or ENOMEM).
 */
struct vmca_error *vmca_out_finish(struct vmca_out *out, FILE *f);

/** Write err as the command's whole output ({"error": ...} or nothing). */
void vmca_out_write_error(FILE *f, bool is_json, const struct vmca_error *err);

#endif /* VMCA_ANALYZER_OUTPUT_H */

// SPDX-License-Identifier: MIT
/** @file Tests of the output writer: JSON shape and text tables. */
#include <stdlib.h>

#include "check.h"
#include "output.h"

static char *render(struct vmca_out *out)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct vmca_error *err = vmca_out_finish(out, f);
	CHECK(err == NULL);
	vmca_error_destroy(err);
	fclose(f);
	vmca_out_destroy(out);
	return buf;
}

static void emit_sample(struct vmca_out *out)
{
	vmca_out_begin_object(out, NULL, 0);
	vmca_out_str(out, "release", "6.1.0");
	vmca_out_u64(out, "cpus", 2);
	vmca_out_addr(out, "kaslr_offset", 0x1e000000);
	vmca_out_str(out, "panic", NULL);
	vmca_out_begin_list(out, "tasks", 0);
	for (int i = 1; i <= 2; i++) {
		vmca_out_begin_object(out, NULL, 0);
		vmca_out_u64(out, "pid", (uint64_t)i);
		vmca_out_str(out, "comm", i == 1 ? "init" : "kthreadd");
		vmca_out_str_flags(out, "hidden", "x", VMCA_OUT_JSON_ONLY);
		vmca_out_end_object(out);
	}
	vmca_out_end_list(out);
	vmca_out_begin_list(out, "orders", 0);
	vmca_out_bool(out, NULL, true);
	vmca_out_bool(out, NULL, false);
	vmca_out_end_list(out);
	vmca_out_end_object(out);
}

static void test_json(void)
{
	struct vmca_out *out = vmca_out_create(true);
	emit_sample(out);
	char *s = render(out);
	CHECK_STR(s, "{\"release\":\"6.1.0\",\"cpus\":2,\"kaslr_offset\":"
		     "\"0x1e000000\",\"panic\":null,\"tasks\":[{\"pid\":1,"
		     "\"comm\":\"init\",\"hidden\":\"x\"},{\"pid\":2,\"comm\":"
		     "\"kthreadd\",\"hidden\":\"x\"}],\"orders\":[true,false]}"
		     "\n");
	free(s);
}

static void test_text(void)
{
	struct vmca_out *out = vmca_out_create(false);
	emit_sample(out);
	char *s = render(out);
	CHECK_STR(s, "     release: 6.1.0\n"
		     "        cpus: 2\n"
		     "kaslr_offset: 0x1e000000\n"
		     "       panic: -\n"
		     "PID  COMM\n"
		     "1    init\n"
		     "2    kthreadd\n"
		     "orders: yes no\n");
	free(s);
}

static void test_json_escape(void)
{
	struct vmca_out *out = vmca_out_create(true);
	vmca_out_begin_object(out, NULL, 0);
	vmca_out_str(out, "s", "a\"b\\c\n\x01\xff\xc3\xa9");
	vmca_out_end_object(out);
	char *s = render(out);
	CHECK_STR(s, "{\"s\":\"a\\\"b\\\\c\\n\\u0001\\u00ff\xc3\xa9\"}\n");
	free(s);
}

// Dump strings that are not well-formed UTF-8 (overlong forms,
// surrogates, above U+10FFFF, cut sequences) and C1 controls: never raw in
// JSON, which stays valid UTF-8.
static void test_json_hostile(void)
{
	struct vmca_out *out = vmca_out_create(true);
	vmca_out_begin_object(out, NULL, 0);
	vmca_out_str(out, "esc", "\x1b[2J\x1b]0;pwn\x07\x7f");
	vmca_out_str(out, "c1",
		     "\xc2\x9b"
		     "1m\x9b");
	vmca_out_str(out, "overlong", "\xc0\xaf\xe0\x80\xaf");
	vmca_out_str(out, "surrogate", "\xed\xa0\x80");
	vmca_out_str(out, "big", "\xf4\x90\x80\x80");
	vmca_out_str(out, "cut", "\xe2\x82");
	vmca_out_str(out, "ok", "\xe2\x82\xac\xf0\x9f\x98\x80\xc2\xa0");
	vmca_out_end_object(out);
	char *s = render(out);
	CHECK_STR(s, "{\"esc\":\"\\u001b[2J\\u001b]0;pwn\\u0007\\u007f\","
		     "\"c1\":\"\\u009b1m\\u009b\","
		     "\"overlong\":\"\\u00c0\\u00af\\u00e0\\u0080\\u00af\","
		     "\"surrogate\":\"\\u00ed\\u00a0\\u0080\","
		     "\"big\":\"\\u00f4\\u0090\\u0080\\u0080\","
		     "\"cut\":\"\\u00e2\\u0082\","
		     "\"ok\":\"\xe2\x82\xac\xf0\x9f\x98\x80\xc2\xa0\"}\n");
	free(s);
}

// Text mode: no control byte of a dump string reaches the terminal, in a
// table cell, a "key: value" line, a list of scalars or vmca_out_textf();
// a style is the only escape sequence.
static void test_text_hostile(void)
{
	struct vmca_out *out = vmca_out_create(false);
	vmca_out_begin_object(out, NULL, 0);
	vmca_out_str(out, "name", "\x1b[2J\n\t\r\x9b\xc2\x9b\xe2\x82\xac");
	vmca_out_begin_list(out, "tasks", 0);
	vmca_out_begin_object(out, NULL, 0);
	vmca_out_str(out, "comm",
		     "a\"b\\c\nd\xff"
		     "e");
	vmca_out_end_object(out);
	vmca_out_end_list(out);
	vmca_out_begin_list(out, "words", 0);
	vmca_out_str(out, NULL, "\x07");
	vmca_out_end_list(out);
	vmca_out_end_object(out);
	vmca_out_begin_object(out, NULL, VMCA_OUT_TEXT_CUSTOM);
	vmca_out_textf(out, "[1] %s\n\t%s\n", "<\x1b]0;x\x07>", "\x08\x7f\r");
	const char *plain = "init";
	CHECK(vmca_out_line(out, plain) == plain);
	CHECK(vmca_out_line(out, NULL) == NULL);
	vmca_out_textf(out, "(%s)\n", vmca_out_line(out, "a\nb\t\x1b"));
	vmca_out_text_style(out, VMCA_OUT_STYLE_BOLD);
	vmca_out_textf(out, "b");
	vmca_out_text_style(out, VMCA_OUT_STYLE_RESET);
	vmca_out_end_object(out);
	char *s = render(out);
	CHECK_STR(s, "name: \\x1b[2J\\n\\t\\r\\x9b\\xc2\\x9b\xe2\x82\xac\n"
		     "COMM\n"
		     "a\"b\\c\\nd\\xffe\n"
		     "words: \\x07\n"
		     "[1] <\\x1b]0;x\\x07>\n"
		     "\t\\x08\\x7f\\r\n"
		     "(a\\nb\\t\\x1b)\n"
		     "\x1b[1mb\x1b[0m");
	free(s);

	// JSON: no style, no text.
	out = vmca_out_create(true);
	vmca_out_begin_object(out, NULL, 0);
	vmca_out_text_style(out, VMCA_OUT_STYLE_ALERT);
	vmca_out_textf(out, "x");
	vmca_out_end_object(out);
	s = render(out);
	CHECK_STR(s, "{}\n");
	free(s);
}

static void test_write_text(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	vmca_out_write_text(f, "a\nb\x1b", true);
	fputc('|', f);
	vmca_out_write_text(f, "a\nb\x1b", false);
	fputc('|', f);
	vmca_out_write_text(f, NULL, false);
	fclose(f);
	CHECK_STR(buf, "a\nb\\x1b|a\\nb\\x1b|");
	free(buf);
}

static void test_custom_text(void)
{
	struct vmca_out *out = vmca_out_create(false);
	vmca_out_begin_object(out, NULL, VMCA_OUT_TEXT_CUSTOM);
	vmca_out_u64(out, "lost", 0);
	vmca_out_begin_list(out, "records", 0);
	vmca_out_begin_object(out, NULL, 0);
	vmca_out_str(out, "text", "hello");
	vmca_out_textf(out, "[0.0] %s\n", "hello");
	vmca_out_end_object(out);
	vmca_out_end_list(out);
	vmca_out_end_object(out);
	char *s = render(out);
	CHECK_STR(s, "[0.0] hello\n");
	free(s);
}

static void test_unbalanced(void)
{
	struct vmca_out *out = vmca_out_create(true);
	vmca_out_begin_object(out, NULL, 0);
	FILE *f = fopen("/dev/null", "w");
	struct vmca_error *err = vmca_out_finish(out, f);
	CHECK(err != NULL);
	vmca_error_destroy(err);
	fclose(f);
	vmca_out_destroy(out);

	out = vmca_out_create(true);
	vmca_out_end_list(out);
	f = fopen("/dev/null", "w");
	err = vmca_out_finish(out, f);
	CHECK(err != NULL);
	vmca_error_destroy(err);
	fclose(f);
	vmca_out_destroy(out);
}

static void test_error_object(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct vmca_error *err = vmca_error_fault(0xffff888000001000,
						  "address %#llx: page not "
						  "in dump",
						  0xffff888000001000ull);
	vmca_out_write_error(f, true, err);
	fclose(f);
	CHECK_STR(buf, "{\"error\":{\"code\":\"fault\",\"message\":\"address "
		       "0xffff888000001000: page not in dump\",\"address\":"
		       "\"0xffff888000001000\"}}\n");
	free(buf);
	vmca_error_destroy(err);
}

int main(void)
{
	test_json();
	test_text();
	test_json_escape();
	test_json_hostile();
	test_text_hostile();
	test_write_text();
	test_custom_text();
	test_unbalanced();
	test_error_object();
	return check_summary();
}

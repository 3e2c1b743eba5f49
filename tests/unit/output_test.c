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
	test_custom_text();
	test_unbalanced();
	test_error_object();
	return check_summary();
}

// SPDX-License-Identifier: MIT
/** @file libFuzzer target: the C expression language, on a real dump. */
#include <stdlib.h>
#include <string.h>

#include "../../analyzer/expr.h"
#include "session.h"
#include "standalone.h"

/*
 * The input is an expression (at most VMCA_EXPR_MAX_LENGTH bytes, cut at
 * a NUL), evaluated as `vmca eval` does over the dump and vmlinux of
 * $VMCA_FUZZ_DUMP and $VMCA_FUZZ_VMLINUX (opened once): the lexer, the
 * parser, type names, casts, sizeof/offsetof/container_of/per_cpu, and
 * the evaluation with its reads of the dump. A scalar result is read.
 *
 * Seeds (tests/fuzz/make_seeds.py): the expressions the CLI tests and
 * the commands' examples evaluate on the corpus' dumps.
 */

static struct vmca_session *s;

int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	if (!s && !(s = fuzz_session_open("expr_fuzz")))
		exit(1);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!s && !(s = fuzz_session_open("expr_fuzz")))
		exit(1);
	if (size > VMCA_EXPR_MAX_LENGTH + 1)
		size = VMCA_EXPR_MAX_LENGTH + 1;
	char *text = strndup((const char *)data, size);
	if (!text)
		return 0;
	struct vmca_value v;
	struct vmca_error *err = vmca_expr_eval(s, text, &v);
	if (!err) {
		uint64_t u;
		vmca_error_consume(vmca_value_u64(s, &v, &u));
		vmca_value_deinit(&v);
	} else {
		// One line, whatever the input (control bytes are its own).
		if (!err->message)
			abort();
		vmca_error_destroy(err);
	}
	free(text);
	return 0;
}

#ifdef VMCA_FUZZ_STANDALONE
int main(int argc, char **argv)
{
	LLVMFuzzerInitialize(&argc, &argv);
	int status = fuzz_standalone_main(argc, argv);
	vmca_session_destroy(s);
	return status;
}
#endif

// SPDX-License-Identifier: MIT
// plugins/eval.c: a C expression over the dump's types and globals,
// evaluated and printed decoded.
#include <string.h>

#include "vmca.h"

#define DEFAULT_DEPTH 12
#define MAX_DEPTH     64

static struct vmca_error *usage(void)
{
	return vmca_error_create(VMCA_ERROR_USAGE,
				 "usage: vmca VMCORE eval [-x] [-d DEPTH] "
				 "[-f FRAME [-t PID|TASK]] [--] EXPRESSION");
}

static struct vmca_error *eval_run(struct vmca_session *s, struct vmca_out *out,
				   int argc, char **argv)
{
	struct vmca_print_options opts = {
		.json = VMCA_PRINT_JSON_TREE,
		.max_depth = DEFAULT_DEPTH,
	};
	int i = 1;
	bool has_frame = false;
	uint64_t frame = 0, task = 0;
	for (; i < argc; i++) {
		if (strcmp(argv[i], "-x") == 0) {
			opts.is_hex = true;
		} else if (strcmp(argv[i], "-f") == 0 && i + 1 < argc) {
			if (!vmca_parse_u64(argv[++i], &frame) ||
			    frame >= VMCA_UNWIND_MAX_FRAMES *
					     VMCA_DEBUGINFO_MAX_INLINE)
				return usage();
			has_frame = true;
		} else if (strcmp(argv[i], "-t") == 0 && i + 1 < argc) {
			struct vmca_error *terr =
				vmca_parse_task(s, argv[++i], &task);
			if (terr)
				return terr;
		} else if (strcmp(argv[i], "-d") == 0 && i + 1 < argc) {
			uint64_t depth;
			if (!vmca_parse_u64(argv[++i], &depth) ||
			    depth > MAX_DEPTH)
				return vmca_error_create(VMCA_ERROR_USAGE,
							 "bad depth '%s' (at "
							 "most %d)",
							 argv[i], MAX_DEPTH);
			opts.max_depth = (int)depth;
		} else if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		} else {
			break;
		}
	}
	if (i >= argc)
		return usage();
	// The rest is the expression, however the shell split it.
	size_t len = 0;
	for (int j = i; j < argc; j++)
		len += strlen(argv[j]) + 1;
	if (len > VMCA_EXPR_MAX_LENGTH + 1)
		return vmca_error_create(VMCA_ERROR_USAGE,
					 "expression longer than %d bytes",
					 VMCA_EXPR_MAX_LENGTH);
	_cleanup_free_ char *text = malloc(len);
	if (!text)
		return &vmca_enomem;
	text[0] = '\0';
	for (int j = i; j < argc; j++) {
		if (j > i)
			strcat(text, " ");
		strcat(text, argv[j]);
	}

	if (task && !has_frame)
		return usage();
	struct vmca_frame_scope *scope = NULL;
	if (has_frame) {
		struct vmca_error *ferr =
			vmca_frame_scope_create(s, task, frame, &scope);
		if (ferr)
			return vmca_error_wrap(ferr, "eval");
	}
	struct vmca_value v;
	struct vmca_error *err = vmca_expr_eval_scoped(
		s, text, scope ? vmca_frame_scope_expr(scope) : NULL, &v);
	vmca_frame_scope_destroy(scope);
	if (err)
		return vmca_error_wrap(err, "eval");
	// Aggregates are read whole, once; scalars as they are printed.
	struct vmca_type t;
	vmca_type_info(s, vmca_type_unqualified(s, v.type), &t);
	bool is_aggregate = t.kind == VMCA_TYPE_STRUCT ||
			    t.kind == VMCA_TYPE_UNION ||
			    t.kind == VMCA_TYPE_ARRAY;
	(void)is_aggregate;
	struct vmca_value held;
	bool has_held = false;
	if (v.kind == VMCA_VALUE_REFERENCE && t.kind != VMCA_TYPE_FUNCTION &&
	    t.kind != VMCA_TYPE_VOID) {
		// Read once, whole: an unreadable value is the command's error.
		err = vmca_value_fetch(s, &v, &held);
		if (err) {
			vmca_value_deinit(&v);
			return vmca_error_wrap(err, "eval: %s", text);
		}
		has_held = true;
	}

	char type[512];
	vmca_type_name(s, v.type, NULL, type, sizeof(type));
	vmca_out_begin_object(out, NULL, VMCA_OUT_TEXT_CUSTOM);
	vmca_out_str(out, "expression", text);
	vmca_out_str(out, "type", type);
	if (v.kind == VMCA_VALUE_REFERENCE && !v.bit_size)
		vmca_out_addr(out, "address", v.address);
	else
		vmca_out_null(out, "address");
	if ((t.kind == VMCA_TYPE_STRUCT || t.kind == VMCA_TYPE_UNION) &&
	    v.kind == VMCA_VALUE_REFERENCE)
		vmca_out_textf(out, "(%s) at %#" PRIx64 " ", type, v.address);
	else
		vmca_out_textf(out, "(%s) ", type);
	vmca_print_value(s, out, has_held ? &held : &v, -1, &opts);
	vmca_out_textf(out, "\n");
	vmca_out_end_object(out);
	if (has_held)
		vmca_value_deinit(&held);
	vmca_value_deinit(&v);
	return NULL;
}

const struct vmca_plugin vmca_plugin_eval = {
	.name = "eval",
	.summary = "evaluate a C expression over the dump's types and globals",
	.usage = "eval [-x] [-d DEPTH] [-f FRAME [-t PID|TASK]] EXPRESSION",
	.help = "A C expression: literals; globals, functions and enum\n"
		"constants by name; . -> [] ; unary * & - + ! ~ ; arithmetic,\n"
		"shifts, bitwise operators, comparisons, && || ?: with C's\n"
		"rules (LP64) and pointer arithmetic; casts to any type, as\n"
		"(struct oom_control *)0xffff...; sizeof, offsetof(TYPE,\n"
		"MEMBER), container_of(PTR, TYPE, MEMBER), per_cpu(VAR, CPU).\n"
		"The value is printed decoded like struct TYPE ADDRESS does:\n"
		"nested structs, arrays, char arrays as strings, enums by\n"
		"name, pointers with the symbol they point to.\n"
		"-x: integers in hex. -d N: nested aggregates N deep.\n"
		"-f N: with frame N's parameters and variables in scope (bt\n"
		"-l's numbering, of the panic task or CPU 0's, or -t's task):\n"
		"eval -f 3 'oc->totalpages'.\n"
		"JSON: {\"expression\", \"type\", \"address\" (or null),\n"
		"\"value\"}: value is a typed tree: objects for structs and\n"
		"unions, lists for arrays, numbers below 2^53, \"0x...\"\n"
		"strings for pointers and wider integers, enum names, char\n"
		"arrays as strings, null when optimized out.",
	.examples = "eval init_task.comm\ta global's member\n"
		    "eval -x 'per_cpu(runqueues, 0).nr_running'\tCPU 0's "
		    "runqueue, in hex\n"
		    "eval 'sizeof(struct task_struct)'\ta type's size\n"
		    "eval -d 1 init_task.signal\ta pointer followed, nested "
		    "structs one deep\n",
	.run = eval_run,
};

// SPDX-License-Identifier: MIT
// plugins/list.c: walk a list_head, hlist, next-linked chain, rb-tree,
// xarray or maple tree, printing each entry and chosen members.
#include <string.h>

#include "vmca.h"

// Members shown per entry.
#define MAX_SHOW 32

enum list_kind {
	KIND_LIST,
	KIND_HLIST,
	KIND_CHAIN,
	KIND_RB,
	KIND_XARRAY,
	KIND_MAPLE,
};

static const char *const kind_names[] = {
	"list_head", "hlist", "chain", "rbtree", "xarray", "maple_tree",
};

struct list_ctx {
	struct vmca_out *out;
	enum list_kind kind;
	/** The entries' type (0: none given) and the link's offset in it. */
	uint32_t type;
	uint64_t link_offset;
	struct vmca_field fields[MAX_SHOW];
	const char *field_names[MAX_SHOW];
	size_t nr_fields;
	uint64_t count;
	struct vmca_print_options opts;
};

static struct vmca_error *usage(void)
{
	return vmca_error_create(
		VMCA_ERROR_USAGE,
		"usage: vmca VMCORE list [-H HEAD | START] TYPE.MEMBER | "
		"--hlist HEAD TYPE.MEMBER | -o MEMBER START [TYPE] | --rb ROOT "
		"TYPE.MEMBER | --xarray XA [TYPE] | --maple TREE [TYPE] "
		"[-s MEMBER[,MEMBER...]] [--max N] [-f FRAME [-t PID|TASK]]");
}

// An expression's address: a struct in memory is where it is, a pointer
// or an integer what it holds.
static struct vmca_error *address_of_expr(struct vmca_session *s,
					  const char *text,
					  const struct vmca_expr_scope *scope,
					  uint64_t *ret, uint32_t *pointee_ret)
{
	struct vmca_value v;
	struct vmca_error *err = vmca_expr_eval_scoped(s, text, scope, &v);
	if (err)
		return err;
	struct vmca_type t;
	vmca_type_info(s, vmca_type_unqualified(s, v.type), &t);
	if (pointee_ret)
		*pointee_ret = 0;
	if (t.kind == VMCA_TYPE_POINTER || t.kind == VMCA_TYPE_INT ||
	    t.kind == VMCA_TYPE_ENUM) {
		err = vmca_value_u64(s, &v, ret);
		if (!err && pointee_ret && t.kind == VMCA_TYPE_POINTER)
			*pointee_ret = t.target;
	} else if (v.kind == VMCA_VALUE_REFERENCE) {
		*ret = v.address;
		if (pointee_ret)
			*pointee_ret = v.type;
	} else {
		err = vmca_error_create(VMCA_ERROR_INVALID,
					"%s: neither in memory nor an address",
					text);
	}
	vmca_value_deinit(&v);
	return err;
}

// "task_struct.tasks" (or "struct task_struct.se.group_node"): the type
// and the member path of the link in it.
static struct vmca_error *type_member(struct vmca_session *s, const char *arg,
				      bool needs_member, uint32_t *type_ret,
				      const char **member_ret)
{
	char name[256];
	const char *p = arg;
	if (strncmp(p, "struct ", 7) == 0 || strncmp(p, "union ", 6) == 0)
		p = strchr(p, ' ') + 1;
	const char *dot = strchr(p, '.');
	if (needs_member && !dot)
		return vmca_error_create(VMCA_ERROR_USAGE,
					 "'%s': expected TYPE.MEMBER", arg);
	size_t n = dot ? (size_t)(dot - arg) : strlen(arg);
	if (n >= sizeof(name))
		return vmca_error_create(VMCA_ERROR_USAGE, "'%s' is too long",
					 arg);
	memcpy(name, arg, n);
	name[n] = '\0';
	struct vmca_error *err = vmca_type(s, name, type_ret);
	if (err)
		return err;
	*member_ret = dot ? dot + 1 : NULL;
	return NULL;
}

static struct vmca_error *visit(struct vmca_session *s,
				const struct vmca_walk_entry *e, void *arg)
{
	struct list_ctx *c = arg;
	uint64_t entry = e->address;
	if (c->kind == KIND_LIST || c->kind == KIND_HLIST || c->kind == KIND_RB)
		entry -= c->link_offset;
	c->count++;
	vmca_out_begin_object(c->out, NULL, 0);
	vmca_out_addr(c->out, "address", entry);
	vmca_out_textf(c->out, "%#" PRIx64, entry);
	if (c->kind == KIND_XARRAY) {
		vmca_out_u64(c->out, "index", e->index);
		vmca_out_textf(c->out, " [%" PRIu64 "]", e->index);
	} else if (c->kind == KIND_MAPLE) {
		vmca_out_addr(c->out, "index", e->index);
		vmca_out_addr(c->out, "last", e->last);
		vmca_out_textf(c->out, " [%#" PRIx64 "-%#" PRIx64 "]", e->index,
			       e->last);
	}
	if (c->nr_fields) {
		struct vmca_value v;
		vmca_value_init_reference(&v, c->type, entry);
		vmca_out_begin_object(c->out, "members", 0);
		for (size_t i = 0; i < c->nr_fields; i++) {
			struct vmca_value m, held;
			vmca_out_textf(c->out, "  %s = ", c->field_names[i]);
			struct vmca_error *err =
				vmca_value_field(s, &v, &c->fields[i], &m);
			if (!err) {
				err = vmca_value_fetch(s, &m, &held);
				vmca_value_deinit(&m);
			}
			if (err) {
				vmca_out_null(c->out, c->field_names[i]);
				vmca_out_textf(c->out, "<%s>", err->message);
				vmca_error_destroy(err);
				continue;
			}
			vmca_print_keyed(s, c->out, c->field_names[i], &held, 0,
					 &c->opts);
			vmca_value_deinit(&held);
		}
		vmca_out_end_object(c->out);
	}
	vmca_out_textf(c->out, "\n");
	vmca_out_end_object(c->out);
	return NULL;
}

static struct vmca_error *list_run(struct vmca_session *s, struct vmca_out *out,
				   int argc, char **argv)
{
	enum list_kind kind = KIND_LIST;
	bool is_head = false;
	const char *next_member = NULL, *show = NULL;
	const char *positional[2];
	int npos = 0;
	uint64_t max = vmca_walk_default_max(s);
	bool has_frame = false;
	uint64_t frame = 0, task = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "-H") == 0)
			is_head = true;
		else if (strcmp(a, "-f") == 0 && i + 1 < argc) {
			if (!vmca_parse_u64(argv[++i], &frame))
				return usage();
			has_frame = true;
		} else if (strcmp(a, "-t") == 0 && i + 1 < argc) {
			struct vmca_error *terr =
				vmca_parse_task(s, argv[++i], &task);
			if (terr)
				return terr;
		} else if (strcmp(a, "--hlist") == 0)
			kind = KIND_HLIST;
		else if (strcmp(a, "--rb") == 0)
			kind = KIND_RB;
		else if (strcmp(a, "--xarray") == 0)
			kind = KIND_XARRAY;
		else if (strcmp(a, "--maple") == 0)
			kind = KIND_MAPLE;
		else if (strcmp(a, "-o") == 0 && i + 1 < argc)
			kind = KIND_CHAIN, next_member = argv[++i];
		else if (strcmp(a, "-s") == 0 && i + 1 < argc)
			show = argv[++i];
		else if (strcmp(a, "--max") == 0 && i + 1 < argc) {
			if (!vmca_parse_u64(argv[++i], &max) || !max)
				return vmca_error_create(VMCA_ERROR_USAGE,
							 "bad --max '%s'",
							 argv[i]);
		} else if (npos < 2)
			positional[npos++] = a;
		else
			return usage();
	}
	bool needs_member =
		kind == KIND_LIST || kind == KIND_HLIST || kind == KIND_RB;
	if (npos < 1 || (needs_member && npos < 2) ||
	    (is_head && kind != KIND_LIST))
		return usage();

	struct list_ctx c = {
		.out = out,
		.kind = kind,
		.opts = {.json = VMCA_PRINT_JSON_TREE, .max_depth = 4},
	};
	if (task && !has_frame)
		return usage();
	// The start with a frame's variables in scope (-f).
	struct vmca_frame_scope *scope = NULL;
	if (has_frame) {
		struct vmca_error *ferr =
			vmca_frame_scope_create(s, task, frame, &scope);
		if (ferr)
			return vmca_error_wrap(ferr, "list");
	}
	uint64_t start;
	uint32_t pointee;
	struct vmca_error *err = address_of_expr(
		s, positional[0], scope ? vmca_frame_scope_expr(scope) : NULL,
		&start, &pointee);
	vmca_frame_scope_destroy(scope);
	if (err)
		return vmca_error_wrap(err, "list");
	const char *member = NULL;
	if (npos == 2) {
		err = type_member(s, positional[1], needs_member, &c.type,
				  &member);
		if (err)
			return vmca_error_wrap(err, "list");
	} else if (kind == KIND_CHAIN && pointee) {
		c.type = pointee;
	}
	if (member) {
		err = vmca_type_member_path(s, c.type, member,
					    &c.fields[0].member);
		if (err)
			return vmca_error_wrap(err, "list");
		if (c.fields[0].member.bit_size ||
		    c.fields[0].member.bit_offset % 8)
			return vmca_error_create(VMCA_ERROR_INVALID,
						 "list: %s is a bitfield",
						 member);
		c.link_offset = c.fields[0].member.bit_offset / 8;
	}
	uint64_t next_offset = 0;
	if (kind == KIND_CHAIN) {
		if (!c.type)
			return vmca_error_create(VMCA_ERROR_USAGE,
						 "list -o: give the entries' "
						 "TYPE (START has none)");
		struct vmca_member m;
		err = vmca_type_member_path(s, c.type, next_member, &m);
		if (err)
			return vmca_error_wrap(err, "list");
		next_offset = m.bit_offset / 8;
	}
	// The members to show, resolved once.
	_cleanup_free_ char *names = show ? strdup(show) : NULL;
	if (show && !names)
		return &vmca_enomem;
	for (char *tok = names ? strtok(names, ",") : NULL; tok;
	     tok = strtok(NULL, ",")) {
		if (!c.type)
			return vmca_error_create(VMCA_ERROR_USAGE,
						 "list -s: give the entries' "
						 "TYPE");
		if (c.nr_fields == MAX_SHOW)
			return vmca_error_create(VMCA_ERROR_USAGE,
						 "list -s: at most %d members",
						 MAX_SHOW);
		err = vmca_field_init(s, c.type, tok, &c.fields[c.nr_fields]);
		if (err)
			return vmca_error_wrap(err, "list -s");
		c.field_names[c.nr_fields++] = tok;
	}

	char type_name[256] = "";
	if (c.type)
		vmca_type_name(s, c.type, NULL, type_name, sizeof(type_name));
	vmca_out_begin_object(out, NULL, VMCA_OUT_TEXT_CUSTOM);
	vmca_out_str(out, "kind", kind_names[kind]);
	vmca_out_str(out, "type", c.type ? type_name : NULL);
	vmca_out_str(out, "member", member);
	vmca_out_addr(out, "start", start);
	vmca_out_begin_list(out, "entries", VMCA_OUT_TEXT_CUSTOM);
	switch (kind) {
	case KIND_LIST:
		err = vmca_walk_list(s, is_head ? start : start + c.link_offset,
				     is_head, max, visit, &c);
		break;
	case KIND_HLIST:
		err = vmca_walk_hlist(s, start, max, visit, &c);
		break;
	case KIND_CHAIN:
		err = vmca_walk_chain(s, start, next_offset, max, visit, &c);
		break;
	case KIND_RB:
		err = vmca_walk_rbtree(s, start, max, visit, &c);
		break;
	case KIND_XARRAY:
		err = vmca_walk_xarray(s, start, max, visit, &c);
		break;
	case KIND_MAPLE:
		err = vmca_walk_maple(s, start, max, visit, &c);
		break;
	}
	vmca_out_end_list(out);
	vmca_out_u64(out, "count", c.count);
	if (err) {
		// The walk stopped there; what it found is above.
		vmca_out_error(out, "error", err);
		vmca_out_textf(out, "error: %s\n", err->message);
		vmca_error_destroy(err);
	} else {
		vmca_out_null(out, "error");
	}
	vmca_out_end_object(out);
	return NULL;
}

const struct vmca_plugin vmca_plugin_list = {
	.name = "list",
	.summary = "walk a list, chain or tree of the kernel's, with members",
	.usage = "list [-H HEAD | START] TYPE.MEMBER | --hlist HEAD TYPE.MEMBER"
		 " | -o MEMBER START [TYPE] | --rb ROOT TYPE.MEMBER | "
		 "--xarray XA [TYPE] | --maple TREE [TYPE] [-s MEMBER,...] "
		 "[--max N] [-f FRAME [-t PID|TASK]]",
	.help = "HEAD, START, ROOT, XA and TREE are expressions (as eval\n"
		"takes): a struct in memory or a pointer to one.\n"
		"-H HEAD: a struct list_head anchoring a list of TYPE linked "
		"by\n"
		"MEMBER (the head is no entry); START: an entry, whose MEMBER\n"
		"list is walked round from it. --hlist: an hlist_head.\n"
		"-o MEMBER: a chain through the pointer MEMBER, from START to\n"
		"NULL. --rb: an rb_root or rb_root_cached, in order, MEMBER "
		"the\n"
		"rb_node. --xarray: an xarray, radix_tree_root or idr's "
		"idr_rt;\n"
		"--maple: a maple_tree (mm_struct.mm_mt): entries are the\n"
		"pointers stored, as TYPE. -s: members of each entry to show.\n"
		"--max N: stop after N entries (default: what memory holds).\n"
		"-f N: the expression with frame N's variables in scope (as\n"
		"eval -f: the panic task's frames, or -t's task's).\n"
		"A cycle or a broken link is reported with its address and "
		"the\n"
		"walk stops there. JSON: {\"kind\", \"type\", \"member\",\n"
		"\"start\", \"entries\": [{\"address\", \"index\"? (xarray:\n"
		"the index; maple: the first), \"last\"? (maple), "
		"\"members\"?\n"
		"({MEMBER: value, as eval's tree})}], \"count\", \"error\"}.",
	.examples = "list init_task task_struct.tasks -s pid,comm\tevery "
		    "process: the tasks list round from init_task\n"
		    "list -H modules module.list -s name,state\tthe loaded "
		    "modules\n"
		    "list -o parent init_task --max 4\ta chain through a "
		    "pointer member\n",
	.run = list_run,
};

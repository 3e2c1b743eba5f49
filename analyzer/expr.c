// SPDX-License-Identifier: MIT
/** @file C expressions: a lexer, a recursive-descent parser to a tree, and
 * an evaluator over typed values. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "expr.h"
#include "util/hash_map.h"
#include "vmca.h"

// Nesting deeper than this is refused (the parser recurses).
#define MAX_DEPTH 256
// A member designator (offsetof, container_of) or a type name longer
// than this is refused.
#define MAX_NAME 512

enum token_kind {
	TOK_END,
	TOK_NUMBER,
	TOK_IDENT,
	TOK_PUNCT,
};

struct token {
	enum token_kind kind;
	size_t start, end;
	/** TOK_NUMBER */
	uint64_t number;
	bool is_unsigned;
	/** Hex or octal: these also take the unsigned types. */
	bool is_based;
	int longs;
	bool is_char;
	/** TOK_PUNCT: the punctuator, NUL-terminated. */
	char punct[4];
};

enum node_kind {
	N_NUMBER,
	N_IDENT,
	N_MEMBER, // a.name
	N_ARROW,  // a->name
	N_INDEX,  // a[b]
	N_UNARY,  // op a
	N_BINARY, // a op b
	N_LOGICAL,
	N_COND, // a ? b : c
	N_CAST, // (type) a
	N_SIZEOF_TYPE,
	N_SIZEOF_EXPR,
	N_OFFSETOF,	// offsetof(type, name)
	N_CONTAINER_OF, // container_of(a, type, name)
	N_PER_CPU,	// per_cpu(name, a)
};

struct node {
	enum node_kind kind;
	/** The operator, as written ("+", "<<", "&&", "*"...). */
	char op[4];
	size_t start, end;
	struct node *a, *b, *c;
	uint64_t number;
	bool is_unsigned;
	bool is_based;
	int longs;
	bool is_char;
	/** Identifier, member name or member designator. */
	char *name;
	uint32_t type;
	struct node *next_alloc;
};

struct parser {
	struct vmca_session *s;
	const char *text;
	size_t pos;
	struct token tok;
	struct node *nodes;
	int depth;
};

static struct vmca_error *syntax(struct parser *p, size_t at, const char *what)
{
	return vmca_error_create(VMCA_ERROR_USAGE, "column %zu: %s", at + 1,
				 what);
}

static bool is_ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '$';
}

// The next token from p->pos into p->tok.
static struct vmca_error *lex(struct parser *p)
{
	const char *t = p->text;
	while (isspace((unsigned char)t[p->pos]))
		p->pos++;
	struct token *tok = &p->tok;
	memset(tok, 0, sizeof(*tok));
	tok->start = p->pos;
	char c = t[p->pos];
	if (!c) {
		tok->kind = TOK_END;
		tok->end = p->pos;
		return NULL;
	}
	if (isdigit((unsigned char)c)) {
		const char *begin = t + p->pos;
		char *end;
		int base = 10;
		if (begin[0] == '0' && (begin[1] == 'x' || begin[1] == 'X'))
			base = 16;
		else if (begin[0] == '0' && isdigit((unsigned char)begin[1]))
			base = 8;
		errno = 0;
		unsigned long long v = strtoull(begin, &end, base);
		if (errno || (base == 16 && end == begin + 2))
			return syntax(p, p->pos, "bad number");
		tok->number = v;
		tok->is_based = base != 10;
		for (;;) {
			if (*end == 'u' || *end == 'U') {
				if (tok->is_unsigned)
					break;
				tok->is_unsigned = true;
			} else if (*end == 'l' || *end == 'L') {
				if (tok->longs == 2)
					break;
				tok->longs++;
			} else {
				break;
			}
			end++;
		}
		if (is_ident_char(*end))
			return syntax(p, (size_t)(end - t), "bad number");
		tok->kind = TOK_NUMBER;
		p->pos = (size_t)(end - t);
		tok->end = p->pos;
		return NULL;
	}
	if (c == '\'') {
		// 'a', '\n', '\0', '\x41'
		size_t i = p->pos + 1;
		unsigned v;
		if (t[i] == '\\') {
			char e = t[i + 1];
			static const char from[] = "ntr0\\'\"ab";
			static const char to[] = "\n\t\r\0\\'\"\a\b";
			const char *f = e ? strchr(from, e) : NULL;
			if (f) {
				v = (unsigned char)to[f - from];
				i += 2;
			} else if (e == 'x' &&
				   isxdigit((unsigned char)t[i + 2])) {
				char *end;
				v = (unsigned)strtoul(t + i + 2, &end, 16) &
				    0xff;
				i = (size_t)(end - t);
			} else {
				return syntax(p, i,
					      "bad escape in a character");
			}
		} else if (t[i] && t[i] != '\'') {
			v = (unsigned char)t[i];
			i++;
		} else {
			return syntax(p, i, "empty character literal");
		}
		if (t[i] != '\'')
			return syntax(p, i, "expected ' to end the character");
		tok->kind = TOK_NUMBER;
		tok->number = v;
		tok->is_char = true;
		p->pos = i + 1;
		tok->end = p->pos;
		return NULL;
	}
	if (isalpha((unsigned char)c) || c == '_') {
		while (is_ident_char(t[p->pos]))
			p->pos++;
		tok->kind = TOK_IDENT;
		tok->end = p->pos;
		return NULL;
	}
	static const char *const puncts[] = {
		"->", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||", "(",
		")",  "[",  "]",  ".",	",",  "?",  ":",  "!",	"~",  "*",
		"/",  "%",  "+",  "-",	"<",  ">",  "&",  "^",	"|",
	};
	for (size_t i = 0; i < sizeof(puncts) / sizeof(puncts[0]); i++) {
		size_t n = strlen(puncts[i]);
		if (strncmp(t + p->pos, puncts[i], n) == 0) {
			tok->kind = TOK_PUNCT;
			memcpy(tok->punct, puncts[i], n);
			p->pos += n;
			tok->end = p->pos;
			return NULL;
		}
	}
	return syntax(p, p->pos, "unexpected character");
}

static bool is_punct(const struct parser *p, const char *s)
{
	return p->tok.kind == TOK_PUNCT && strcmp(p->tok.punct, s) == 0;
}

static bool is_word(const struct parser *p, const char *s)
{
	size_t n = p->tok.end - p->tok.start;
	return p->tok.kind == TOK_IDENT && strlen(s) == n &&
	       strncmp(p->text + p->tok.start, s, n) == 0;
}

static struct vmca_error *expect(struct parser *p, const char *s)
{
	if (!is_punct(p, s)) {
		char what[32];
		snprintf(what, sizeof(what), "expected '%s'", s);
		return syntax(p, p->tok.start, what);
	}
	return lex(p);
}

static struct node *new_node(struct parser *p, enum node_kind kind,
			     size_t start)
{
	struct node *n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	n->kind = kind;
	n->start = start;
	n->next_alloc = p->nodes;
	p->nodes = n;
	return n;
}

static char *token_text(const struct parser *p)
{
	return strndup(p->text + p->tok.start, p->tok.end - p->tok.start);
}

static struct vmca_error *parse_expr(struct parser *p, struct node **ret);
static struct vmca_error *parse_cast(struct parser *p, struct node **ret);
static struct vmca_error *parse_cond_entry(struct parser *p, struct node **ret);

static const char *const base_words[] = {
	"unsigned", "signed", "char", "short", "int", "long", "_Bool", "void",
};

static bool is_base_word(const struct parser *p)
{
	for (size_t i = 0; i < sizeof(base_words) / sizeof(base_words[0]); i++)
		if (is_word(p, base_words[i]))
			return true;
	return false;
}

// An identifier that names a typedef (not a variable or symbol) starts a
// type name, as in C.
static bool ident_is_typedef(struct parser *p)
{
	_cleanup_free_ char *name = token_text(p);
	if (!name)
		return false;
	struct vmca_variable var;
	if (vmca_error_consume(vmca_variable(p->s, name, &var)))
		return false;
	uint64_t address;
	if (vmca_error_consume(vmca_symbol_address(p->s, name, &address)))
		return false;
	uint32_t id;
	if (!vmca_error_consume(vmca_type(p->s, name, &id)))
		return false;
	struct vmca_type t;
	vmca_type_info(p->s, id, &t);
	return t.kind == VMCA_TYPE_TYPEDEF || t.kind == VMCA_TYPE_INT ||
	       t.kind == VMCA_TYPE_FLOAT;
}

static bool starts_type(struct parser *p)
{
	if (p->tok.kind != TOK_IDENT)
		return false;
	if (is_word(p, "struct") || is_word(p, "union") || is_word(p, "enum") ||
	    is_word(p, "const") || is_word(p, "volatile") || is_base_word(p))
		return true;
	return ident_is_typedef(p);
}

// Append the token to the type name being read (after a space, unless it
// is the first word), then read the next token.
static struct vmca_error *take_word(struct parser *p, char *name, size_t size,
				    size_t *len)
{
	size_t n = p->tok.end - p->tok.start;
	size_t space = *len ? 1 : 0;
	if (*len + space + n >= size)
		return syntax(p, p->tok.start, "type name too long");
	if (space)
		name[(*len)++] = ' ';
	memcpy(name + *len, p->text + p->tok.start, n);
	*len += n;
	name[*len] = '\0';
	return lex(p);
}

// A type name: qualifiers, a struct/union/enum tag, base type words or a
// typedef, then pointers.
static struct vmca_error *parse_type(struct parser *p, uint32_t *ret)
{
	size_t start = p->tok.start;
	char name[MAX_NAME] = "";
	size_t len = 0;
	struct vmca_error *err;
	bool has_base = false, is_tag = false, is_typedef = false;
	for (;;) {
		if (is_word(p, "const") || is_word(p, "volatile")) {
			err = lex(p);
			if (err)
				return err;
			continue;
		}
		if (!has_base && !is_typedef &&
		    (is_word(p, "struct") || is_word(p, "union") ||
		     is_word(p, "enum"))) {
			err = take_word(p, name, sizeof(name), &len);
			if (err)
				return err;
			if (p->tok.kind != TOK_IDENT)
				return syntax(p, p->tok.start,
					      "expected a tag name");
			err = take_word(p, name, sizeof(name), &len);
			if (err)
				return err;
			is_tag = true;
			break;
		}
		if (!is_tag && !is_typedef && is_base_word(p)) {
			err = take_word(p, name, sizeof(name), &len);
			if (err)
				return err;
			has_base = true;
			continue;
		}
		if (!has_base && !is_tag && !is_typedef &&
		    p->tok.kind == TOK_IDENT) {
			err = take_word(p, name, sizeof(name), &len);
			if (err)
				return err;
			is_typedef = true;
			continue;
		}
		break;
	}
	if (!len)
		return syntax(p, start, "expected a type");
	uint32_t id;
	if (strcmp(name, "void") == 0) {
		id = 0;
	} else if (has_base) {
		// The debuginfo's spelling of it ("long unsigned int" is
		// "unsigned long"), or one vmca makes.
		err = vmca_type(p->s, name, &id);
		if (err) {
			vmca_error_destroy(err);
			err = vmca_type_int(p->s, name, &id);
		}
		if (err)
			return vmca_error_wrap(err, "column %zu", start + 1);
	} else {
		err = vmca_type_find(p->s, name, &id);
		if (err)
			return vmca_error_wrap(err, "column %zu", start + 1);
	}
	while (is_punct(p, "*") || is_word(p, "const") ||
	       is_word(p, "volatile")) {
		if (is_punct(p, "*")) {
			err = vmca_type_pointer_to(p->s, id, &id);
			if (err)
				return err;
		}
		err = lex(p);
		if (err)
			return err;
	}
	if (is_punct(p, "["))
		return syntax(p, p->tok.start,
			      "array and function types are not supported "
			      "here");
	*ret = id;
	return NULL;
}

// A member designator: name, then .name or [number], as offsetof takes.
static struct vmca_error *parse_designator(struct parser *p, char **ret)
{
	char buf[MAX_NAME];
	size_t len = 0;
	if (p->tok.kind != TOK_IDENT)
		return syntax(p, p->tok.start, "expected a member name");
	for (;;) {
		size_t n = p->tok.end - p->tok.start;
		if (len + n + 1 >= sizeof(buf))
			return syntax(p, p->tok.start, "member path too long");
		memcpy(buf + len, p->text + p->tok.start, n);
		len += n;
		buf[len] = '\0';
		struct vmca_error *err = lex(p);
		if (err)
			return err;
		if (is_punct(p, ".") || is_punct(p, "[") || is_punct(p, "]")) {
			bool is_dot = is_punct(p, ".");
			bool is_open = is_punct(p, "[");
			if (len + 2 >= sizeof(buf))
				return syntax(p, p->tok.start,
					      "member path too long");
			buf[len++] = p->tok.punct[0];
			buf[len] = '\0';
			err = lex(p);
			if (err)
				return err;
			if (is_dot && p->tok.kind != TOK_IDENT)
				return syntax(p, p->tok.start,
					      "expected a member name");
			if (is_open && p->tok.kind != TOK_NUMBER)
				return syntax(p, p->tok.start,
					      "expected an index");
			if (!is_dot && !is_open) {
				// after ']': another . or [ or the end
				if (is_punct(p, ".") || is_punct(p, "["))
					continue;
				break;
			}
			if (p->tok.kind == TOK_NUMBER) {
				int n2 = snprintf(buf + len, sizeof(buf) - len,
						  "%" PRIu64, p->tok.number);
				if (n2 < 0 || (size_t)n2 >= sizeof(buf) - len)
					return syntax(p, p->tok.start,
						      "member path too long");
				len += (size_t)n2;
				err = lex(p);
				if (err)
					return err;
				if (!is_punct(p, "]"))
					return syntax(p, p->tok.start,
						      "expected ']'");
				continue;
			}
			continue;
		}
		break;
	}
	*ret = strdup(buf);
	return *ret ? NULL : &vmca_enomem;
}

static struct vmca_error *parse_primary(struct parser *p, struct node **ret)
{
	size_t start = p->tok.start;
	struct vmca_error *err;
	if (p->tok.kind == TOK_NUMBER) {
		struct node *n = new_node(p, N_NUMBER, start);
		if (!n)
			return &vmca_enomem;
		n->number = p->tok.number;
		n->is_unsigned = p->tok.is_unsigned;
		n->is_based = p->tok.is_based;
		n->longs = p->tok.longs;
		n->is_char = p->tok.is_char;
		n->end = p->tok.end;
		*ret = n;
		return lex(p);
	}
	if (is_punct(p, "(")) {
		err = lex(p);
		if (err)
			return err;
		struct node *inner;
		err = parse_expr(p, &inner);
		if (err)
			return err;
		if (!is_punct(p, ")"))
			return syntax(p, p->tok.start, "expected ')'");
		inner->start = start;
		inner->end = p->tok.end;
		*ret = inner;
		return lex(p);
	}
	if (p->tok.kind != TOK_IDENT)
		return syntax(p, p->tok.start,
			      p->tok.kind == TOK_END
				      ? "unexpected end"
				      : "expected an expression");
	if (is_word(p, "offsetof") || is_word(p, "container_of") ||
	    is_word(p, "per_cpu")) {
		bool is_offsetof = is_word(p, "offsetof");
		bool is_container = is_word(p, "container_of");
		struct node *n = new_node(p,
					  is_offsetof	 ? N_OFFSETOF
					  : is_container ? N_CONTAINER_OF
							 : N_PER_CPU,
					  start);
		if (!n)
			return &vmca_enomem;
		err = lex(p);
		if (!err)
			err = expect(p, "(");
		if (err)
			return err;
		if (is_container) {
			err = parse_cond_entry(p, &n->a);
			if (!err)
				err = expect(p, ",");
			if (err)
				return err;
		}
		if (n->kind == N_PER_CPU) {
			if (p->tok.kind != TOK_IDENT)
				return syntax(p, p->tok.start,
					      "expected a per-CPU variable");
			n->name = token_text(p);
			if (!n->name)
				return &vmca_enomem;
			err = lex(p);
			if (!err)
				err = expect(p, ",");
			if (!err)
				err = parse_cond_entry(p, &n->a);
		} else {
			err = parse_type(p, &n->type);
			if (!err)
				err = expect(p, ",");
			if (!err)
				err = parse_designator(p, &n->name);
		}
		if (err)
			return err;
		if (!is_punct(p, ")"))
			return syntax(p, p->tok.start, "expected ')'");
		n->end = p->tok.end;
		*ret = n;
		return lex(p);
	}
	struct node *n = new_node(p, N_IDENT, start);
	if (!n)
		return &vmca_enomem;
	n->name = token_text(p);
	if (!n->name)
		return &vmca_enomem;
	n->end = p->tok.end;
	*ret = n;
	return lex(p);
}

static struct vmca_error *parse_postfix(struct parser *p, struct node **ret)
{
	struct node *n = NULL;
	struct vmca_error *err = parse_primary(p, &n);
	if (err)
		return err;
	for (;;) {
		if (is_punct(p, ".") || is_punct(p, "->")) {
			bool is_arrow = is_punct(p, "->");
			err = lex(p);
			if (err)
				return err;
			if (p->tok.kind != TOK_IDENT)
				return syntax(p, p->tok.start,
					      "expected a member name");
			struct node *m = new_node(
				p, is_arrow ? N_ARROW : N_MEMBER, n->start);
			if (!m)
				return &vmca_enomem;
			m->a = n;
			m->name = token_text(p);
			if (!m->name)
				return &vmca_enomem;
			m->end = p->tok.end;
			n = m;
			err = lex(p);
			if (err)
				return err;
		} else if (is_punct(p, "[")) {
			err = lex(p);
			if (err)
				return err;
			struct node *m = new_node(p, N_INDEX, n->start);
			if (!m)
				return &vmca_enomem;
			m->a = n;
			err = parse_expr(p, &m->b);
			if (err)
				return err;
			if (!is_punct(p, "]"))
				return syntax(p, p->tok.start, "expected ']'");
			m->end = p->tok.end;
			n = m;
			err = lex(p);
			if (err)
				return err;
		} else {
			break;
		}
	}
	*ret = n;
	return NULL;
}

static struct vmca_error *parse_unary(struct parser *p, struct node **ret)
{
	size_t start = p->tok.start;
	struct vmca_error *err;
	if (++p->depth > MAX_DEPTH)
		return syntax(p, start, "nested too deeply");
	if (is_punct(p, "-") || is_punct(p, "+") || is_punct(p, "!") ||
	    is_punct(p, "~") || is_punct(p, "*") || is_punct(p, "&")) {
		struct node *n = new_node(p, N_UNARY, start);
		if (!n)
			return &vmca_enomem;
		memcpy(n->op, p->tok.punct, sizeof(n->op));
		err = lex(p);
		if (!err)
			err = parse_cast(p, &n->a);
		if (err)
			return err;
		n->end = n->a->end;
		*ret = n;
		p->depth--;
		return NULL;
	}
	if (is_word(p, "sizeof")) {
		err = lex(p);
		if (err)
			return err;
		if (is_punct(p, "(")) {
			size_t save_pos = p->pos;
			struct token save = p->tok;
			err = lex(p);
			if (err)
				return err;
			if (starts_type(p)) {
				struct node *n =
					new_node(p, N_SIZEOF_TYPE, start);
				if (!n)
					return &vmca_enomem;
				err = parse_type(p, &n->type);
				if (err)
					return err;
				if (!is_punct(p, ")"))
					return syntax(p, p->tok.start,
						      "expected ')'");
				n->end = p->tok.end;
				*ret = n;
				p->depth--;
				return lex(p);
			}
			p->pos = save_pos;
			p->tok = save;
		}
		struct node *n = new_node(p, N_SIZEOF_EXPR, start);
		if (!n)
			return &vmca_enomem;
		err = parse_unary(p, &n->a);
		if (err)
			return err;
		n->end = n->a->end;
		*ret = n;
		p->depth--;
		return NULL;
	}
	err = parse_postfix(p, ret);
	p->depth--;
	return err;
}

static struct vmca_error *parse_cast(struct parser *p, struct node **ret)
{
	size_t start = p->tok.start;
	if (is_punct(p, "(")) {
		size_t save_pos = p->pos;
		struct token save = p->tok;
		struct vmca_error *err = lex(p);
		if (err)
			return err;
		if (starts_type(p)) {
			struct node *n = new_node(p, N_CAST, start);
			if (!n)
				return &vmca_enomem;
			err = parse_type(p, &n->type);
			if (!err)
				err = expect(p, ")");
			if (!err)
				err = parse_cast(p, &n->a);
			if (err)
				return err;
			n->end = n->a->end;
			*ret = n;
			return NULL;
		}
		p->pos = save_pos;
		p->tok = save;
	}
	return parse_unary(p, ret);
}

// Binary operators by precedence, loosest first.
static const char *const levels[][5] = {
	{"||"},
	{"&&"},
	{"|"},
	{"^"},
	{"&"},
	{"==", "!="},
	{"<", ">", "<=", ">="},
	{"<<", ">>"},
	{"+", "-"},
	{"*", "/", "%"},
};
#define NR_LEVELS (sizeof(levels) / sizeof(levels[0]))

static struct vmca_error *parse_binary(struct parser *p, size_t level,
				       struct node **ret)
{
	if (level == NR_LEVELS)
		return parse_cast(p, ret);
	struct node *n = NULL;
	struct vmca_error *err = parse_binary(p, level + 1, &n);
	if (err)
		return err;
	for (;;) {
		const char *op = NULL;
		for (size_t i = 0; i < 5 && levels[level][i]; i++)
			if (is_punct(p, levels[level][i]))
				op = levels[level][i];
		if (!op)
			break;
		struct node *b =
			new_node(p, level < 2 ? N_LOGICAL : N_BINARY, n->start);
		if (!b)
			return &vmca_enomem;
		snprintf(b->op, sizeof(b->op), "%s", op);
		err = lex(p);
		if (err)
			return err;
		b->a = n;
		err = parse_binary(p, level + 1, &b->b);
		if (err)
			return err;
		b->end = b->b->end;
		n = b;
	}
	*ret = n;
	return NULL;
}

static struct vmca_error *parse_cond(struct parser *p, struct node **ret)
{
	struct node *n = NULL;
	struct vmca_error *err = parse_binary(p, 0, &n);
	if (err)
		return err;
	if (!is_punct(p, "?")) {
		*ret = n;
		return NULL;
	}
	if (++p->depth > MAX_DEPTH)
		return syntax(p, p->tok.start, "nested too deeply");
	struct node *c = new_node(p, N_COND, n->start);
	if (!c)
		return &vmca_enomem;
	c->a = n;
	err = lex(p);
	if (!err)
		err = parse_expr(p, &c->b);
	if (!err)
		err = expect(p, ":");
	if (!err)
		err = parse_cond(p, &c->c);
	if (err)
		return err;
	c->end = c->c->end;
	p->depth--;
	*ret = c;
	return NULL;
}

static struct vmca_error *parse_cond_entry(struct parser *p, struct node **ret)
{
	return parse_cond(p, ret);
}

static struct vmca_error *parse_expr(struct parser *p, struct node **ret)
{
	if (++p->depth > MAX_DEPTH)
		return syntax(p, p->tok.start, "nested too deeply");
	struct vmca_error *err = parse_cond(p, ret);
	p->depth--;
	return err;
}

/* Evaluation. */

struct eval {
	struct vmca_session *s;
	const char *text;
	const struct vmca_expr_scope *scope;
	/** The innermost failing node has wrapped the error. */
	bool is_wrapped;
};

static struct vmca_error *eval_node(struct eval *e, const struct node *n,
				    struct vmca_value *ret);

static uint32_t int_type(struct eval *e, int size, bool is_signed)
{
	uint32_t id = 0;
	const char *name = size > 4 ? (is_signed ? "long" : "unsigned long")
				    : (is_signed ? "int" : "unsigned int");
	vmca_error_consume(vmca_type_int(e->s, name, &id));
	return id;
}

// An integer operand after the integer promotions: its bits
// (sign-extended when signed), size (4 or 8) and signedness.
struct num {
	uint64_t bits;
	int size;
	bool is_signed;
};

static struct vmca_error *to_num(struct eval *e, const struct vmca_value *v,
				 struct num *ret)
{
	if (!vmca_type_is_integer(e->s, v->type))
		return vmca_error_create(VMCA_ERROR_INVALID, "not an integer");
	uint64_t bits;
	struct vmca_error *err = vmca_value_u64(e->s, v, &bits);
	if (err)
		return err;
	uint64_t size = vmca_type_sizeof(e->s, v->type);
	bool is_signed = vmca_type_is_signed(e->s, v->type);
	if (v->bit_size && v->bit_size < 32)
		size = 4, is_signed = true;
	if (size < 4) {
		// Everything narrower than int promotes to int.
		size = 4;
		is_signed = true;
	}
	ret->bits = bits;
	ret->size = size > 4 ? 8 : 4;
	ret->is_signed = is_signed;
	return NULL;
}

static uint64_t truncate_to(uint64_t bits, int size, bool is_signed)
{
	if (size >= 8)
		return bits;
	bits &= UINT64_C(0xffffffff);
	if (is_signed && (bits >> 31 & 1))
		bits |= ~UINT64_C(0xffffffff);
	return bits;
}

// The usual arithmetic conversions on two promoted operands (LP64).
static void common(struct num *a, struct num *b, int *size_ret,
		   bool *signed_ret)
{
	int size = a->size > b->size ? a->size : b->size;
	bool is_signed;
	if (a->is_signed == b->is_signed)
		is_signed = a->is_signed;
	else if (a->size == b->size)
		is_signed = false;
	else
		is_signed = (a->size > b->size ? a : b)->is_signed;
	a->bits = truncate_to(a->bits, size, a->is_signed);
	b->bits = truncate_to(b->bits, size, b->is_signed);
	*size_ret = size;
	*signed_ret = is_signed;
}

static void make_int(struct eval *e, struct vmca_value *ret, uint64_t bits,
		     int size, bool is_signed)
{
	vmca_value_init_u64(e->s, ret, int_type(e, size, is_signed),
			    truncate_to(bits, size, is_signed));
}

// An array decays to a pointer to its first element, a function or a
// typeless symbol to its address (void *); anything else stays.
static struct vmca_error *decay(struct eval *e, struct vmca_value *v)
{
	struct vmca_type t;
	vmca_type_info(e->s, vmca_type_unqualified(e->s, v->type), &t);
	uint32_t target;
	if (t.kind == VMCA_TYPE_ARRAY)
		target = t.target;
	else if ((t.kind == VMCA_TYPE_FUNCTION || t.kind == VMCA_TYPE_VOID) &&
		 v->kind == VMCA_VALUE_REFERENCE)
		target = 0;
	else
		return NULL;
	if (v->kind != VMCA_VALUE_REFERENCE)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "an array not in memory");
	uint32_t pointer;
	struct vmca_error *err = vmca_type_pointer_to(e->s, target, &pointer);
	if (err)
		return err;
	uint64_t address = v->address;
	vmca_value_deinit(v);
	vmca_value_init_u64(e->s, v, pointer, address);
	return NULL;
}

static struct vmca_error *truth(struct eval *e, const struct vmca_value *v,
				bool *ret)
{
	struct vmca_value d;
	struct vmca_error *err = vmca_value_copy(&d, v);
	if (!err)
		err = decay(e, &d);
	uint64_t bits = 0;
	if (!err) {
		if (!vmca_type_is_integer(e->s, d.type) &&
		    !vmca_type_is_pointer(e->s, d.type))
			err = vmca_error_create(VMCA_ERROR_INVALID,
						"not a scalar");
		else
			err = vmca_value_u64(e->s, &d, &bits);
	}
	vmca_value_deinit(&d);
	if (!err)
		*ret = bits != 0;
	return err;
}

static uint64_t pointee_size(struct eval *e, uint32_t pointer)
{
	struct vmca_type t;
	vmca_type_info(e->s, vmca_type_unqualified(e->s, pointer), &t);
	uint64_t size = vmca_type_sizeof(e->s, t.target);
	return size ? size : 1; // void * steps by bytes, as GNU C
}

static struct vmca_error *eval_number(struct eval *e, const struct node *n,
				      struct vmca_value *ret)
{
	uint64_t v = n->number;
	int size;
	bool is_signed;
	if (n->is_char) {
		make_int(e, ret, v, 4, true);
		return NULL;
	}
	int longs = n->longs;
	bool is_based = n->is_based;
	// C's rule: the first of int, (unsigned int,) long, unsigned long
	// the value fits.
	if (n->is_unsigned) {
		is_signed = false;
		size = longs || v > UINT32_MAX ? 8 : 4;
	} else if (!longs && v <= INT32_MAX) {
		is_signed = true, size = 4;
	} else if (!longs && is_based && v <= UINT32_MAX) {
		is_signed = false, size = 4;
	} else if (v <= INT64_MAX) {
		is_signed = true, size = 8;
	} else {
		is_signed = false, size = 8;
	}
	make_int(e, ret, v, size, is_signed);
	return NULL;
}

// A name: a global variable, an enum constant, a symbol.
static struct vmca_error *eval_ident(struct eval *e, const struct node *n,
				     struct vmca_value *ret)
{
	// A frame's variable first, as C's scopes go.
	if (e->scope) {
		struct vmca_error *serr =
			e->scope->lookup(e->s, n->name, e->scope->arg, ret);
		if (!serr || serr->code != VMCA_ERROR_NOT_FOUND)
			return serr;
		vmca_error_destroy(serr);
	}
	struct vmca_variable var;
	struct vmca_error *err = vmca_variable(e->s, n->name, &var);
	// A module's, typed by its debuginfo (-m).
	if (err &&
	    vmca_error_consume(vmca_module_variable(e->s, n->name, &var))) {
		vmca_error_destroy(err);
		err = NULL;
	}
	if (!err) {
		vmca_value_init_reference(ret, var.type, var.address);
		return NULL;
	}
	vmca_error_destroy(err);
	int64_t value;
	uint32_t enum_type;
	if (vmca_error_consume(
		    vmca_type_enumerator(e->s, n->name, &enum_type, &value))) {
		vmca_value_init_u64(e->s, ret, enum_type, (uint64_t)value);
		return NULL;
	}
	uint64_t address;
	if (vmca_error_consume(vmca_symbol_address(e->s, n->name, &address))) {
		vmca_value_init_reference(ret, 0, address);
		return NULL;
	}
	return vmca_error_create(VMCA_ERROR_NOT_FOUND,
				 "unknown identifier '%s'", n->name);
}

static struct vmca_error *eval_unary(struct eval *e, const struct node *n,
				     struct vmca_value *ret)
{
	struct vmca_value a;
	struct vmca_error *err = eval_node(e, n->a, &a);
	if (err)
		return err;
	if (strcmp(n->op, "&") == 0) {
		if (a.kind == VMCA_VALUE_REFERENCE &&
		    vmca_type_unqualified(e->s, a.type) == 0) {
			// A typeless symbol: its address, as a void *.
			uint32_t pointer;
			err = vmca_type_pointer_to(e->s, 0, &pointer);
			if (!err)
				vmca_value_init_u64(e->s, ret, pointer,
						    a.address);
		} else {
			err = vmca_value_address_of(e->s, &a, ret);
		}
		vmca_value_deinit(&a);
		return err;
	}
	if (strcmp(n->op, "*") == 0) {
		err = decay(e, &a);
		if (!err)
			err = vmca_value_deref(e->s, &a, ret);
		vmca_value_deinit(&a);
		return err;
	}
	if (strcmp(n->op, "!") == 0) {
		bool t;
		err = truth(e, &a, &t);
		vmca_value_deinit(&a);
		if (!err)
			make_int(e, ret, !t, 4, true);
		return err;
	}
	struct num x;
	err = to_num(e, &a, &x);
	vmca_value_deinit(&a);
	if (err)
		return err;
	uint64_t bits = x.bits;
	if (strcmp(n->op, "-") == 0)
		bits = -bits;
	else if (strcmp(n->op, "~") == 0)
		bits = ~bits;
	make_int(e, ret, bits, x.size, x.is_signed);
	return NULL;
}

static struct vmca_error *arith(struct eval *e, const char *op, struct num a,
				struct num b, struct vmca_value *ret)
{
	int size;
	bool is_signed;
	if (strcmp(op, "<<") == 0 || strcmp(op, ">>") == 0) {
		// The result has the promoted left operand's type.
		size = a.size;
		is_signed = a.is_signed;
		int width = size * 8;
		if ((b.is_signed && (int64_t)b.bits < 0) ||
		    b.bits >= (uint64_t)width)
			return vmca_error_create(VMCA_ERROR_INVALID,
						 "shift count %" PRId64
						 " out of range",
						 (int64_t)b.bits);
		uint64_t bits;
		if (op[0] == '<')
			bits = a.bits << b.bits;
		else if (is_signed)
			bits = (uint64_t)((int64_t)truncate_to(a.bits, size,
							       true) >>
					  b.bits);
		else
			bits = truncate_to(a.bits, size, false) >> b.bits;
		make_int(e, ret, bits, size, is_signed);
		return NULL;
	}
	common(&a, &b, &size, &is_signed);
	uint64_t x = a.bits, y = b.bits;
	if (size == 4 && !is_signed) {
		x &= UINT32_MAX;
		y &= UINT32_MAX;
	}
	int64_t sx = (int64_t)x, sy = (int64_t)y;
	uint64_t r;
	bool is_compare = false;
	switch (op[0]) {
	case '+':
		r = x + y;
		break;
	case '-':
		r = x - y;
		break;
	case '*':
		// The low 64 bits of the product are the same signed or not;
		// in int64_t an overflow would be undefined behaviour.
		r = x * y;
		break;
	case '/':
	case '%':
		if (!y)
			return vmca_error_create(VMCA_ERROR_INVALID,
						 "division by zero");
		if (is_signed && sy == -1 && sx == INT64_MIN)
			r = op[0] == '/' ? x : 0;
		else if (op[0] == '/')
			r = is_signed ? (uint64_t)(sx / sy) : x / y;
		else
			r = is_signed ? (uint64_t)(sx % sy) : x % y;
		break;
	case '&':
		r = x & y;
		break;
	case '|':
		r = x | y;
		break;
	case '^':
		r = x ^ y;
		break;
	case '<':
	case '>':
		is_compare = true;
		if (op[1] == '=')
			r = op[0] == '<' ? (is_signed ? sx <= sy : x <= y)
					 : (is_signed ? sx >= sy : x >= y);
		else
			r = op[0] == '<' ? (is_signed ? sx < sy : x < y)
					 : (is_signed ? sx > sy : x > y);
		break;
	case '=':
		is_compare = true;
		r = x == y;
		break;
	case '!':
		is_compare = true;
		r = x != y;
		break;
	default:
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "unknown operator %s", op);
	}
	if (is_compare)
		make_int(e, ret, r, 4, true);
	else
		make_int(e, ret, r, size, is_signed);
	return NULL;
}

static struct vmca_error *eval_binary(struct eval *e, const struct node *n,
				      struct vmca_value *ret)
{
	struct vmca_value a, b;
	struct vmca_error *err = eval_node(e, n->a, &a);
	if (err)
		return err;
	err = eval_node(e, n->b, &b);
	if (err) {
		vmca_value_deinit(&a);
		return err;
	}
	err = decay(e, &a);
	if (!err)
		err = decay(e, &b);
	if (err)
		goto out;
	const char *op = n->op;
	bool pa = vmca_type_is_pointer(e->s, a.type);
	bool pb = vmca_type_is_pointer(e->s, b.type);
	if (pa || pb) {
		uint64_t x = 0, y = 0;
		err = pa ? vmca_value_u64(e->s, &a, &x) : NULL;
		if (!err && pb)
			err = vmca_value_u64(e->s, &b, &y);
		struct num k;
		if (!err && !pa)
			err = to_num(e, &a, &k), x = k.bits;
		if (!err && !pb)
			err = to_num(e, &b, &k), y = k.bits;
		if (err)
			goto out;
		if (strcmp(op, "+") == 0 && !(pa && pb)) {
			const struct vmca_value *p = pa ? &a : &b;
			uint64_t i = pa ? y : x;
			vmca_value_init_u64(
				e->s, ret, p->type,
				(pa ? x : y) + i * pointee_size(e, p->type));
		} else if (strcmp(op, "-") == 0 && pa && !pb) {
			vmca_value_init_u64(e->s, ret, a.type,
					    x - y * pointee_size(e, a.type));
		} else if (strcmp(op, "-") == 0 && pa && pb) {
			uint64_t size = pointee_size(e, a.type);
			if (size != pointee_size(e, b.type)) {
				err = vmca_error_create(
					VMCA_ERROR_INVALID,
					"subtracting pointers to types of "
					"different sizes");
				goto out;
			}
			make_int(e, ret,
				 (uint64_t)((int64_t)(x - y) / (int64_t)size),
				 8, true);
		} else if (strchr("<>=!", op[0])) {
			struct num nx = {x, 8, false}, ny = {y, 8, false};
			err = arith(e, op, nx, ny, ret);
		} else {
			err = vmca_error_create(VMCA_ERROR_INVALID,
						"'%s' of a pointer", op);
		}
		goto out;
	}
	struct num x, y;
	err = to_num(e, &a, &x);
	if (!err)
		err = to_num(e, &b, &y);
	if (!err)
		err = arith(e, op, x, y, ret);
out:
	vmca_value_deinit(&a);
	vmca_value_deinit(&b);
	return err;
}

static struct vmca_error *eval_node(struct eval *e, const struct node *n,
				    struct vmca_value *ret)
{
	struct vmca_error *err = NULL;
	struct vmca_value a, b;
	bool t;
	switch (n->kind) {
	case N_NUMBER:
		return eval_number(e, n, ret);
	case N_IDENT:
		err = eval_ident(e, n, ret);
		break;
	case N_MEMBER:
	case N_ARROW:
		err = eval_node(e, n->a, &a);
		if (err)
			return err;
		if (n->kind == N_MEMBER && vmca_type_is_pointer(e->s, a.type)) {
			err = vmca_error_create(VMCA_ERROR_INVALID,
						"'.' on a pointer: use '->'");
		} else if (n->kind == N_ARROW &&
			   !vmca_type_is_pointer(e->s, a.type)) {
			err = vmca_error_create(VMCA_ERROR_INVALID,
						"'->' on a non-pointer");
		} else {
			err = vmca_value_member(e->s, &a, n->name, ret);
		}
		vmca_value_deinit(&a);
		break;
	case N_INDEX: {
		err = eval_node(e, n->a, &a);
		if (err)
			return err;
		err = eval_node(e, n->b, &b);
		if (err) {
			vmca_value_deinit(&a);
			return err;
		}
		struct num i;
		err = to_num(e, &b, &i);
		if (!err)
			err = vmca_value_subscript(
				e->s, &a,
				(int64_t)truncate_to(i.bits, i.size,
						     i.is_signed),
				ret);
		vmca_value_deinit(&a);
		vmca_value_deinit(&b);
		break;
	}
	case N_UNARY:
		err = eval_unary(e, n, ret);
		break;
	case N_BINARY:
		err = eval_binary(e, n, ret);
		break;
	case N_LOGICAL:
		err = eval_node(e, n->a, &a);
		if (err)
			return err;
		err = truth(e, &a, &t);
		vmca_value_deinit(&a);
		if (!err && (n->op[0] == '&') == t) {
			err = eval_node(e, n->b, &b);
			if (err)
				return err;
			err = truth(e, &b, &t);
			vmca_value_deinit(&b);
		}
		if (!err)
			make_int(e, ret, t, 4, true);
		break;
	case N_COND:
		err = eval_node(e, n->a, &a);
		if (err)
			return err;
		err = truth(e, &a, &t);
		vmca_value_deinit(&a);
		if (!err)
			return eval_node(e, t ? n->b : n->c, ret);
		break;
	case N_CAST:
		err = eval_node(e, n->a, &a);
		if (err)
			return err;
		if (vmca_type_is_pointer(e->s, n->type) ||
		    vmca_type_is_integer(e->s, n->type))
			err = decay(e, &a);
		if (!err)
			err = vmca_value_cast(e->s, &a, n->type, ret);
		vmca_value_deinit(&a);
		break;
	case N_SIZEOF_TYPE:
	case N_SIZEOF_EXPR: {
		uint32_t type = n->type;
		if (n->kind == N_SIZEOF_EXPR) {
			err = eval_node(e, n->a, &a);
			if (err)
				return err;
			type = a.type;
			vmca_value_deinit(&a);
		}
		uint64_t size = vmca_type_sizeof(e->s, type);
		if (!size && vmca_type_unqualified(e->s, type) != 0) {
			struct vmca_type ti;
			vmca_type_info(e->s, vmca_type_unqualified(e->s, type),
				       &ti);
			if (ti.kind == VMCA_TYPE_FUNCTION || ti.is_declaration)
				err = vmca_error_create(
					VMCA_ERROR_INVALID,
					"sizeof of an incomplete type");
		}
		if (!err)
			make_int(e, ret, size, 8, false);
		break;
	}
	case N_OFFSETOF: {
		struct vmca_member m;
		err = vmca_type_member_path(e->s, n->type, n->name, &m);
		if (!err && (m.bit_size || m.bit_offset % 8))
			err = vmca_error_create(VMCA_ERROR_INVALID,
						"offsetof a bitfield");
		if (!err)
			make_int(e, ret, m.bit_offset / 8, 8, false);
		break;
	}
	case N_CONTAINER_OF:
		err = eval_node(e, n->a, &a);
		if (err)
			return err;
		err = decay(e, &a);
		if (!err)
			err = vmca_value_container_of(e->s, &a, n->type,
						      n->name, ret);
		vmca_value_deinit(&a);
		break;
	case N_PER_CPU: {
		err = eval_node(e, n->a, &a);
		if (err)
			return err;
		struct num cpu;
		err = to_num(e, &a, &cpu);
		vmca_value_deinit(&a);
		struct vmca_variable var;
		if (!err)
			err = vmca_percpu_variable(e->s, n->name,
						   (uint32_t)cpu.bits, &var);
		if (!err)
			vmca_value_init_reference(ret, var.type, var.address);
		break;
	}
	}
	if (err && !e->is_wrapped) {
		e->is_wrapped = true;
		int len = (int)(n->end - n->start);
		return vmca_error_wrap(err, "%.*s", len, e->text + n->start);
	}
	return err;
}

static void free_nodes(struct node *n)
{
	while (n) {
		struct node *next = n->next_alloc;
		free(n->name);
		free(n);
		n = next;
	}
}

struct vmca_error *vmca_expr_eval(struct vmca_session *s, const char *text,
				  struct vmca_value *ret)
{
	return vmca_expr_eval_scoped(s, text, NULL, ret);
}

struct vmca_error *vmca_expr_eval_scoped(struct vmca_session *s,
					 const char *text,
					 const struct vmca_expr_scope *scope,
					 struct vmca_value *ret)
{
	if (strlen(text) > VMCA_EXPR_MAX_LENGTH)
		return vmca_error_create(VMCA_ERROR_USAGE,
					 "expression longer than %d bytes",
					 VMCA_EXPR_MAX_LENGTH);
	struct parser p = {.s = s, .text = text};
	struct node *root = NULL;
	struct vmca_error *err = lex(&p);
	if (!err)
		err = parse_expr(&p, &root);
	if (!err && p.tok.kind != TOK_END)
		err = syntax(&p, p.tok.start,
			     "unexpected text after the "
			     "expression");
	if (!err) {
		struct eval e = {.s = s, .text = text, .scope = scope};
		err = eval_node(&e, root, ret);
	}
	free_nodes(p.nodes);
	return err;
}

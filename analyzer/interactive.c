// SPDX-License-Identifier: MIT
// analyzer/interactive.c: the `vmca> ` session, as crash's: one session
// (dump, index, caches) for many commands, line editing and history by
// libedit (BSD-licensed, so vmca stays MIT; readline is GPL), tab
// completion of commands, symbols, types and members, and `CMD | shell
// pipeline`, `CMD > FILE`, `CMD >> FILE`.
#include <errno.h>
#include <histedit.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "debuginfo.h"
#include "interactive.h"
#include "util/text.h"
#include "util/vector.h"
#include "vmca.h"

#define MAX_ARGS    256
#define MAX_HISTORY 2000
#define MAX_SHOWN   60

DEFINE_VECTOR(name_vector, char *)

struct repl {
	struct vmca_session *s;
	bool is_json;
	// A command of the script failed (its status is 1).
	bool has_failed;
	// Completion candidates, made on the first tab: symbols; struct,
	// union and enum tags; typedefs (sorted, owned).
	bool has_names;
	struct name_vector symbols, types;
};

static const char *const builtins[] = {"help", "quit", "exit", NULL};

static int compare_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void dedupe(struct name_vector *v)
{
	if (v->len > 1)
		qsort(v->data, v->len, sizeof(char *), compare_name);
	size_t out = 0;
	for (size_t i = 0; i < v->len; i++) {
		if (out && !strcmp(v->data[out - 1], v->data[i]))
			free(v->data[i]);
		else
			v->data[out++] = v->data[i];
	}
	v->len = out;
}

static void add_name(struct name_vector *v, const char *prefix,
		     const char *name)
{
	char *n = NULL;
	if (!name || !name[0] || asprintf(&n, "%s%s", prefix, name) < 0)
		return;
	if (!name_vector_append(v, n))
		free(n);
}

static void make_names(struct repl *r)
{
	r->has_names = true;
	struct vmca_debuginfo *di = vmca_session_debuginfo(r->s);
	uint32_t n = vmca_debuginfo_nr_symbols(di);
	for (uint32_t i = 0; i < n; i++) {
		struct vmca_symbol sym;
		vmca_debuginfo_symbol_at(di, i, &sym);
		add_name(&r->symbols, "", sym.name);
	}
	dedupe(&r->symbols);
	uint32_t nt = vmca_debuginfo_nr_types(di);
	for (uint32_t id = 0; id < nt; id++) {
		struct vmca_type t;
		vmca_debuginfo_type(di, id, &t);
		if (!t.name)
			continue;
		if (t.kind == VMCA_TYPE_STRUCT)
			add_name(&r->types, "struct ", t.name);
		else if (t.kind == VMCA_TYPE_UNION)
			add_name(&r->types, "union ", t.name);
		else if (t.kind == VMCA_TYPE_ENUM)
			add_name(&r->types, "enum ", t.name);
		else if (t.kind == VMCA_TYPE_TYPEDEF)
			add_name(&r->types, "", t.name);
	}
	dedupe(&r->types);
}

/* Completion. */

struct candidates {
	struct name_vector v; // borrowed strings
	size_t word_len;      // the part typed
};

static void consider(struct candidates *c, const char *word, size_t n,
		     const char *name)
{
	if (!strncmp(name, word, n))
		name_vector_append(&c->v, (char *)name);
}

// Names in a sorted vector that start with word: binary search to the
// first, then walk.
static void consider_sorted(struct candidates *c, const struct name_vector *v,
			    const char *word, size_t n)
{
	size_t lo = 0, hi = v->len;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (strncmp(v->data[mid], word, n) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < v->len && !strncmp(v->data[i], word, n); i++)
		name_vector_append(&c->v, v->data[i]);
}

// The members of the type an expression's last component names: for
// "init_task.pi" the members of init_task's type starting with "pi".
static void members(struct repl *r, struct candidates *c, const char *word,
		    size_t n, struct name_vector *owned)
{
	const char *dot = NULL;
	for (const char *p = word; p < word + n; p++) {
		if (*p == '.')
			dot = p;
		else if (*p == '>' && p > word && p[-1] == '-')
			dot = p;
	}
	if (!dot)
		return;
	// The variable and the member path before the last dot.
	char base[256];
	size_t bl = (size_t)(dot - word) - (*dot == '>' ? 1 : 0);
	if (bl >= sizeof(base))
		return;
	memcpy(base, word, bl);
	base[bl] = 0;
	for (char *p = base; *p; p++) {
		if (p[0] == '-' && p[1] == '>') {
			memmove(p, p + 1, strlen(p));
			*p = '.';
		}
	}
	char *first = strchr(base, '.');
	if (first)
		*first = 0;
	struct vmca_variable var;
	struct vmca_error *err = vmca_variable(r->s, base, &var);
	if (err) {
		vmca_error_destroy(err);
		return;
	}
	uint32_t type = var.type;
	struct vmca_member m;
	if (first && (err = vmca_type_member_path(r->s, type, first + 1, &m))) {
		vmca_error_destroy(err);
		return;
	}
	if (first)
		type = m.type;
	type = vmca_type_unqualified(r->s, type);
	struct vmca_type t;
	vmca_type_info(r->s, type, &t);
	if (t.kind == VMCA_TYPE_POINTER) {
		type = vmca_type_unqualified(r->s, t.target);
		vmca_type_info(r->s, type, &t);
	}
	if (t.kind != VMCA_TYPE_STRUCT && t.kind != VMCA_TYPE_UNION)
		return;
	const char *prefix = dot + 1;
	size_t pl = (size_t)(word + n - prefix);
	for (uint32_t i = 0; i < t.count; i++) {
		struct vmca_member mi;
		vmca_type_member_at(r->s, type, i, &mi);
		if (!mi.name || strncmp(mi.name, prefix, pl))
			continue;
		char *full = NULL;
		if (asprintf(&full, "%.*s%s", (int)(prefix - word), word,
			     mi.name) < 0)
			continue;
		if (name_vector_append(owned, full))
			name_vector_append(&c->v, full);
		else
			free(full);
	}
}

static unsigned char complete(EditLine *el, int ch)
{
	(void)ch;
	struct repl *r;
	el_get(el, EL_CLIENTDATA, &r);
	const LineInfo *li = el_line(el);
	size_t len = (size_t)(li->cursor - li->buffer);
	const char *line = li->buffer;
	// The word under the cursor; "struct NAME" is one word for types.
	size_t start = len;
	while (start && line[start - 1] != ' ')
		start--;
	bool is_first = true;
	for (size_t i = 0; i < start; i++)
		is_first &= line[i] == ' ';
	char cmd[32] = "";
	sscanf(line, "%31s", cmd);
	bool after_tag =
		start >= 7 && (!strncmp(line + start - 7, "struct ", 7) ||
			       !strncmp(line + start - 6, "union ", 6) ||
			       !strncmp(line + start - 5, "enum ", 5));
	if (after_tag) {
		// Back over the tag: it is part of the type's name.
		start -=
			line[start - 2] == 't' && start >= 7 &&
					!strncmp(line + start - 7, "struct ", 7)
				? 7
			: !strncmp(line + start - 6, "union ", 6) ? 6
								  : 5;
	}
	const char *word = line + start;
	size_t n = len - start;
	struct candidates c = {.word_len = n};
	name_vector_init(&c.v);
	struct name_vector owned;
	name_vector_init(&owned);
	if (is_first) {
		for (const struct vmca_plugin *const *p = vmca_plugins; *p; p++)
			consider(&c, word, n, (*p)->name);
		for (size_t i = 0; builtins[i]; i++)
			consider(&c, word, n, builtins[i]);
	} else if (!strcmp(cmd, "help")) {
		for (const struct vmca_plugin *const *p = vmca_plugins; *p; p++)
			consider(&c, word, n, (*p)->name);
	} else {
		if (!r->has_names)
			make_names(r);
		if (memchr(word, '.', n) || (n >= 2 && strstr(word, "->")))
			members(r, &c, word, n, &owned);
		else {
			if (!strcmp(cmd, "struct") || after_tag)
				consider_sorted(&c, &r->types, word, n);
			if (!after_tag)
				consider_sorted(&c, &r->symbols, word, n);
		}
	}
	unsigned char ret = CC_REFRESH;
	if (c.v.len == 0) {
		ret = CC_ERROR;
	} else {
		// The longest common prefix of the candidates.
		size_t common = strlen(c.v.data[0]);
		for (size_t i = 1; i < c.v.len; i++) {
			size_t k = 0;
			while (k < common && c.v.data[i][k] == c.v.data[0][k])
				k++;
			common = k;
		}
		if (common > n) {
			char *add = strndup(c.v.data[0] + n, common - n);
			if (add) {
				el_insertstr(el, add);
				free(add);
			}
			if (c.v.len == 1)
				el_insertstr(el, " ");
		} else if (c.v.len == 1) {
			el_insertstr(el, " ");
		} else {
			fputc('\n', stdout);
			// Names of the dump's symbols and types: inert.
			for (size_t i = 0; i < c.v.len && i < MAX_SHOWN; i++) {
				vmca_out_write_text(stdout, c.v.data[i], false);
				fputc((i + 1) % 4 && i + 1 < c.v.len ? '\t'
								     : '\n',
				      stdout);
			}
			if (c.v.len > MAX_SHOWN)
				printf("... %zu more\n", c.v.len - MAX_SHOWN);
			ret = CC_REDISPLAY;
		}
	}
	name_vector_deinit(&c.v);
	for (size_t i = 0; i < owned.len; i++)
		free(owned.data[i]);
	name_vector_deinit(&owned);
	return ret;
}

/* Running a line. */

// Split line into words (single and double quotes, backslash) written
// NUL-separated to buf (as long as line), and find the first unquoted |
// or > (what follows goes to the shell, or is the file).
static int split(char *line, char *buf, char **argv, char **pipe_ret,
		 char **file_ret, bool *is_append)
{
	int argc = 0;
	char *in = line, *out = buf;
	*pipe_ret = *file_ret = NULL;
	*is_append = false;
	for (;;) {
		while (*in == ' ' || *in == '\t')
			in++;
		if (!*in)
			break;
		if (*in == '|') {
			*pipe_ret = in + 1;
			break;
		}
		if (*in == '>') {
			*is_append = in[1] == '>';
			*file_ret = in + 1 + *is_append;
			break;
		}
		if (argc == MAX_ARGS - 1)
			return -1;
		argv[argc++] = out;
		char quote = 0;
		while (*in && (quote || (*in != ' ' && *in != '\t' &&
					 *in != '|' && *in != '>'))) {
			if (quote && *in == quote) {
				quote = 0;
				in++;
			} else if (!quote && (*in == '"' || *in == '\'')) {
				quote = *in++;
			} else if (*in == '\\' && in[1] && quote != '\'') {
				in++;
				*out++ = *in++;
			} else {
				*out++ = *in++;
			}
		}
		if (quote)
			return -2;
		*out++ = 0;
	}
	argv[argc] = NULL;
	return argc;
}

static void trim(char *s)
{
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n'))
		s[--n] = 0;
	size_t i = 0;
	while (s[i] == ' ' || s[i] == '\t')
		i++;
	memmove(s, s + i, strlen(s + i) + 1);
}

static void help(FILE *f, const char *name)
{
	if (name) {
		const struct vmca_plugin *p = vmca_plugin_find(name);
		if (!p) {
			fprintf(stderr, "vmca: error: unknown command '%s'\n",
				name);
			return;
		}
		vmca_plugin_print_help(f, p, NULL);
		return;
	}
	fputs("Commands (help COMMAND for one; CMD | pipeline, CMD > FILE, "
	      "CMD >> FILE; quit):\n",
	      f);
	for (const struct vmca_plugin *const *p = vmca_plugins; *p; p++)
		fprintf(f, "  %-8s %s\n", (*p)->name, (*p)->summary);
}

// One line: true to go on, false to quit.
static bool run_line(struct repl *r, char *line)
{
	char *argv[MAX_ARGS], *pipeline, *file;
	bool is_append;
	char *copy = strdup(line), *words = malloc(strlen(line) + 1);
	if (!copy || !words) {
		free(copy);
		free(words);
		return true;
	}
	int argc = split(copy, words, argv, &pipeline, &file, &is_append);
	if (argc == -1 || argc == -2) {
		fprintf(stderr, "vmca: error: %s\n",
			argc == -1 ? "too many words" : "unmatched quote");
		free(copy);
		free(words);
		return true;
	}
	if (argc == 0) {
		free(copy);
		free(words);
		return true;
	}
	if (!strcmp(argv[0], "quit") || !strcmp(argv[0], "exit") ||
	    !strcmp(argv[0], "q")) {
		free(copy);
		free(words);
		return false;
	}
	FILE *target = stdout;
	bool is_pipe = false;
	if (pipeline) {
		trim(pipeline);
		fflush(stdout);
		target = popen(pipeline, "w");
		is_pipe = true;
	} else if (file) {
		trim(file);
		target = *file ? fopen(file, is_append ? "ae" : "we") : NULL;
	}
	if (!target) {
		fprintf(stderr, "vmca: error: %s: %s\n",
			pipeline ? pipeline
			: file	 ? file
				 : "?",
			file && !*file ? "no file named" : strerror(errno));
		free(copy);
		free(words);
		return true;
	}
	if (!strcmp(argv[0], "help")) {
		help(target, argc > 1 ? argv[1] : NULL);
	} else {
		const struct vmca_plugin *p = vmca_plugin_find(argv[0]);
		struct vmca_error *err = NULL;
		struct vmca_out *out = NULL;
		if (!p)
			err = vmca_error_create(VMCA_ERROR_USAGE,
						"unknown command '%s' (try "
						"'help')",
						argv[0]);
		else if (!(out = vmca_out_create(r->is_json)))
			err = &vmca_enomem;
		if (!err)
			err = p->run(r->s, out, argc, argv);
		if (!err)
			err = vmca_out_finish(out, target);
		vmca_out_destroy(out);
		vmca_session_set_exit_status(r->s, 0);
		if (err) {
			vmca_out_write_error(stderr, false, err);
			vmca_error_destroy(err);
			r->has_failed = true;
		}
	}
	if (is_pipe)
		pclose(target);
	else if (target != stdout)
		fclose(target);
	fflush(stdout);
	free(copy);
	free(words);
	return true;
}

// Commands one per line from f (# comments); the status: 1 if one failed.
static int run_lines(struct repl *r, FILE *f)
{
	char *line = NULL;
	size_t cap = 0;
	while (getline(&line, &cap, f) >= 0) {
		trim(line);
		if (line[0] == '#')
			continue;
		if (!run_line(r, line))
			break;
	}
	free(line);
	return r->has_failed ? 1 : 0;
}

static char *prompt(EditLine *el)
{
	(void)el;
	static char p[] = "vmca> ";
	return p;
}

// $XDG_STATE_HOME/vmca/history, else ~/.local/state/vmca/history.
static char *history_path(void)
{
	const char *state = getenv("XDG_STATE_HOME");
	const char *home = getenv("HOME");
	char *dir = NULL, *path = NULL;
	if (state && *state) {
		if (asprintf(&dir, "%s/vmca", state) < 0)
			return NULL;
	} else if (home && *home) {
		char *local = NULL;
		if (asprintf(&local, "%s/.local", home) >= 0) {
			mkdir(local, 0700);
			free(local);
		}
		if (asprintf(&local, "%s/.local/state", home) >= 0) {
			mkdir(local, 0700);
			free(local);
		}
		if (asprintf(&dir, "%s/.local/state/vmca", home) < 0)
			return NULL;
	} else {
		return NULL;
	}
	mkdir(dir, 0700);
	if (asprintf(&path, "%s/history", dir) < 0)
		path = NULL;
	free(dir);
	return path;
}

int vmca_interactive(struct vmca_session *s, bool is_json)
{
	struct repl r = {.s = s, .is_json = is_json};
	name_vector_init(&r.symbols);
	name_vector_init(&r.types);
	// A pipeline that exits early (| head) must not kill the session.
	signal(SIGPIPE, SIG_IGN);
	int status = 0;
	if (!isatty(STDIN_FILENO)) {
		// Commands one per line, no prompt (as `script -`).
		status = run_lines(&r, stdin);
	} else {
		EditLine *el = el_init("vmca", stdin, stdout, stderr);
		History *hist = history_init();
		HistEvent ev;
		char *hpath = history_path();
		if (!el || !hist) {
			fprintf(stderr, "vmca: error: libedit: cannot start\n");
			status = 1;
		} else {
			history(hist, &ev, H_SETSIZE, MAX_HISTORY);
			history(hist, &ev, H_SETUNIQUE, 1);
			if (hpath)
				history(hist, &ev, H_LOAD, hpath);
			el_set(el, EL_EDITOR, "emacs");
			el_set(el, EL_PROMPT, prompt);
			el_set(el, EL_HIST, history, hist);
			el_set(el, EL_CLIENTDATA, &r);
			el_set(el, EL_ADDFN, "vmca-complete",
			       "complete a command, symbol, type or member",
			       complete);
			el_set(el, EL_BIND, "^I", "vmca-complete", NULL);
			el_source(el, NULL); // ~/.editrc
			int n;
			const char *text;
			while ((text = el_gets(el, &n)) && n > 0) {
				char *line = strdup(text);
				if (!line)
					break;
				trim(line);
				if (line[0])
					history(hist, &ev, H_ENTER, line);
				bool go_on = run_line(&r, line);
				free(line);
				if (!go_on)
					break;
			}
			if (hpath)
				history(hist, &ev, H_SAVE, hpath);
		}
		free(hpath);
		if (hist)
			history_end(hist);
		if (el)
			el_end(el);
	}
	for (size_t i = 0; i < r.symbols.len; i++)
		free(r.symbols.data[i]);
	name_vector_deinit(&r.symbols);
	for (size_t i = 0; i < r.types.len; i++)
		free(r.types.data[i]);
	name_vector_deinit(&r.types);
	return status;
}

int vmca_script(struct vmca_session *s, const char *path, bool is_json)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "re") : stdin;
	if (!f) {
		fprintf(stderr, "vmca: error: %s: %s\n", path, strerror(errno));
		return 1;
	}
	struct repl r = {.s = s, .is_json = is_json};
	name_vector_init(&r.symbols);
	name_vector_init(&r.types);
	signal(SIGPIPE, SIG_IGN);
	int status = run_lines(&r, f);
	if (f != stdin)
		fclose(f);
	name_vector_deinit(&r.symbols);
	name_vector_deinit(&r.types);
	return status;
}

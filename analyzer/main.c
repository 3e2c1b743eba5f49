// SPDX-License-Identifier: MIT
/** @file The vmca command line: options, the session, one plugin, output. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmca.h"

static const char usage_text[] =
	"usage: vmca [-k VMLINUX] [-m MODULE_DEBUG_DIR]... [--json] [--force]\n"
	"            [--plugin PATH.so]...\n"
	"            [--cache-dir DIR] [--btf] VMCORE [COMMAND [ARGS]]\n"
	"       vmca [-k VMLINUX] [-m DIR]... batch [-j N] [--timeout S]\n"
	"            [--step-timeout S] [--fail-on KINDS] DIR|FILE...\n"
	"       vmca [OPTIONS] VMCORE script FILE|-\n"
	"       vmca help [COMMAND]\n"
	"       vmca --version\n";

static void print_help(FILE *f)
{
	fputs(usage_text, f);
	fputs("\nOptions:\n"
	      "  -k, --vmlinux FILE   the kernel's vmlinux with debuginfo "
	      "(default: next to\n"
	      "                       the dump, then /usr/lib/debug); a "
	      "directory: the\n"
	      "                       dump's release's vmlinux in it "
	      "(DIR/RELEASE/vmlinux,\n"
	      "                       DIR/vmlinux-RELEASE, the build-id and "
	      "boot/ paths)\n"
	      "  -m, --modules DIR    a directory of module debuginfo "
	      "(repeatable)\n"
	      "  -j, --json           JSON output (one object per command)\n"
	      "  -f, --force          accept a vmlinux whose build-id differs\n"
	      "      --cache-dir DIR  index cache (default "
	      "$XDG_CACHE_HOME/vmca)\n"
	      "      --btf            types from the vmlinux's BTF, no DWARF "
	      "read (no\n"
	      "                       source lines, variables or scopes)\n"
	      "      --plugin PATH    load a command built against "
	      "vmca-plugin.h (repeatable)\n"
	      "\nCommands:\n",
	      f);
	for (const struct vmca_plugin *const *p = vmca_plugins; *p; p++)
		fprintf(f, "  %-8s %s\n", (*p)->name, (*p)->summary);
	size_t n;
	const struct vmca_plugin *const *loaded = vmca_plugins_loaded(&n);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "  %-8s %s (plugin)\n", loaded[i]->name,
			loaded[i]->summary);
}

// Text for roff: backslashes as \e, a leading . or ' kept literal.
static void roff(FILE *f, const char *text)
{
	bool is_bol = true;
	for (const char *p = text; *p; p++) {
		if (is_bol && (*p == '.' || *p == '\''))
			fputs("\\&", f);
		if (*p == '\\')
			fputs("\\e", f);
		else if (*p == '-')
			fputs("\\-", f);
		else
			fputc(*p, f);
		is_bol = *p == '\n';
	}
}

// vmca(1), from the same usage and help texts as `vmca help`.
static void print_man(FILE *f)
{
	fputs(".TH VMCA 1 \"\" \"vmca " VMCA_VERSION "\" \"User Commands\"\n"
	      ".SH NAME\nvmca \\- offline Linux kernel crash dump analyzer\n"
	      ".SH SYNOPSIS\n.nf\n",
	      f);
	roff(f, usage_text);
	fputs(".fi\n.SH DESCRIPTION\n"
	      "vmca opens a kernel crash dump (kdump-compressed, "
	      "makedumpfile's "
	      "flattened form, ELF) with the kernel's vmlinux and its DWARF "
	      "and "
	      "answers what crashed and why, who holds the memory, and what "
	      "the kernel's structures held. Every command prints a readable "
	      "table, or one JSON object with \\fB\\-\\-json\\fR "
	      "(addresses as \"0x...\" strings). With no command, vmca opens "
	      "an interactive session on the dump.\n.SH OPTIONS\n.nf\n",
	      f);
	char *opts = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&opts, &len);
	if (mem) {
		print_help(mem);
		fclose(mem);
		const char *o = strstr(opts, "Options:\n");
		const char *c = strstr(opts, "\nCommands:");
		if (o && c)
			fprintf(f, "%.*s", (int)(c - o - 9), o + 9);
		free(opts);
	}
	fputs(".fi\n.SH COMMANDS\n", f);
	for (const struct vmca_plugin *const *p = vmca_plugins; *p; p++) {
		fputs(".SS ", f);
		roff(f, (*p)->name);
		fputs("\n.nf\n\\fBvmca\\fR [\\fIOPTIONS\\fR] \\fIVMCORE\\fR ",
		      f);
		roff(f, (*p)->usage);
		fputs("\n.fi\n", f);
		roff(f, (*p)->summary);
		fputs(".\n", f);
		if ((*p)->help) {
			fputs(".PP\n.nf\n", f);
			roff(f, (*p)->help);
			fputs("\n.fi\n", f);
		}
		char *ex = NULL;
		size_t exlen = 0;
		FILE *exf = (*p)->examples ? open_memstream(&ex, &exlen) : NULL;
		if (exf) {
			vmca_plugin_print_examples(exf, *p, "VMCORE");
			fclose(exf);
			fputs(".PP\n.nf\n", f);
			roff(f, ex + 1); // past the blank line
			fputs(".fi\n", f);
			free(ex);
		}
	}
	fputs(".SH INTERACTIVE SESSION AND SCRIPTS\n"
	      "\\fBvmca\\fR [\\fIOPTIONS\\fR] \\fIVMCORE\\fR with no "
	      "command reads commands at a \\fBvmca>\\fR prompt (libedit: "
	      "line editing, history in $XDG_STATE_HOME/vmca/history, Tab "
	      "completion of commands, symbols, types and members); "
	      "\\fICMD\\fR | \\fIpipeline\\fR, \\fICMD\\fR > "
	      "\\fIFILE\\fR, \\fBhelp\\fR, \\fBquit\\fR. "
	      "\\fBvmca\\fR \\fIVMCORE\\fR \\fBscript\\fR "
	      "\\fIFILE\\fR|\\- runs a file's commands in one session.\n"
	      ".SH BATCH\n"
	      "\\fBvmca\\fR [\\fB\\-k\\fR \\fIDIR\\fR] \\fBbatch\\fR "
	      "[\\fB\\-j\\fR \\fIN\\fR] [\\fB\\-\\-timeout\\fR "
	      "\\fIS\\fR] [\\fB\\-\\-step\\-timeout\\fR \\fIS\\fR] "
	      "[\\fB\\-\\-fail\\-on\\fR \\fIKINDS\\fR] "
	      "\\fIDIR\\fR|\\fIFILE\\fR... triages many dumps in N worker "
	      "processes, one JSON line per dump.\n"
	      ".SH EXIT STATUS\n0 on success; 1 on an error (a one-line "
	      "message "
	      "naming the file and what is wrong); 2 on a usage error; "
	      "\\fBtriage \\-\\-fail\\-on\\fR: 3 panic, 4 oom, 5 leak, 6 "
	      "fragmentation.\n"
	      ".SH ENVIRONMENT\n.TP\n\\fBVMCA_CACHE_DIR\\fR, "
	      "\\fBXDG_CACHE_HOME\\fR\nwhere the DWARF index is kept.\n"
	      ".TP\n\\fBVMCA_PROGRESS\\fR\n0: no progress on stderr; 1: "
	      "progress even when stderr is no terminal.\n"
	      ".SH EXAMPLES\n.nf\n"
	      "vmca \\-k vmlinux vmcore triage\n"
	      "vmca \\-k vmlinux vmcore triage \\-\\-html report.html\n"
	      "vmca \\-k vmlinux \\-\\-json vmcore bt\n"
	      "vmca \\-k vmlinux vmcore leaks\n"
	      "vmca \\-k /usr/lib/debug batch \\-j 2 /var/crash\n"
	      ".fi\n.SH SEE ALSO\n\\fBcrash\\fR(8), \\fBdrgn\\fR(1), "
	      "\\fBmakedumpfile\\fR(8)\n",
	      f);
}

static int help_command(const char *name)
{
	if (!name) {
		print_help(stdout);
		return 0;
	}
	const struct vmca_plugin *p = vmca_plugin_find(name);
	if (!p) {
		fprintf(stderr, "vmca: error: unknown command '%s'\n", name);
		return 2;
	}
	vmca_plugin_print_help(stdout, p, "VMCORE");
	return 0;
}

/*
 * For bench/: with VMCA_MEMORY_REPORT set, the process's memory before the
 * session is torn down, as /proc/self/status has it: the peak resident set
 * and how much of what is resident now is the process's own (anonymous)
 * and how much is mapped files (the index, the dump, the vmlinux and the
 * libraries: page cache, shared and clean).
 */
static void report_memory(void)
{
	if (!getenv("VMCA_MEMORY_REPORT"))
		return;
	FILE *f = fopen("/proc/self/status", "re");
	if (!f)
		return;
	static const char *const keys[] = {"VmHWM", "RssAnon", "RssFile"};
	long kb[3] = {-1, -1, -1};
	char line[256];
	while (fgets(line, sizeof(line), f)) {
		for (int i = 0; i < 3; i++) {
			size_t n = strlen(keys[i]);
			if (strncmp(line, keys[i], n) == 0 && line[n] == ':')
				kb[i] = strtol(line + n + 1, NULL, 10);
		}
	}
	fclose(f);
	fprintf(stderr,
		"vmca: memory: peak_rss_kb=%ld anon_kb=%ld file_kb=%ld\n",
		kb[0], kb[1], kb[2]);
}

static int fail(bool is_json, struct vmca_error *err)
{
	if (is_json)
		vmca_out_write_error(stdout, true, err);
	vmca_out_write_error(stderr, false, err);
	int status = err->code == VMCA_ERROR_USAGE ? 2 : 1;
	vmca_error_destroy(err);
	return status;
}

int main(int argc, char **argv)
{
	static const struct option long_options[] = {
		{"vmlinux", required_argument, NULL, 'k'},
		{"modules", required_argument, NULL, 'm'},
		{"json", no_argument, NULL, 'j'},
		{"force", no_argument, NULL, 'f'},
		{"cache-dir", required_argument, NULL, 'C'},
		{"plugin", required_argument, NULL, 'P'},
		{"btf", no_argument, NULL, 'B'},
		{"man", no_argument, NULL, 'M'},
		{"version", no_argument, NULL, 'V'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	struct vmca_session_options opts = {0};
	_cleanup_free_ const char **module_dirs =
		calloc((size_t)argc, sizeof(*module_dirs));
	if (!module_dirs)
		return fail(false, &vmca_enomem);
	bool is_json = false;
	int c;
	// '+': options end at the dump, so a command's own options
	// (ps -u) are left to it.
	while ((c = getopt_long(argc, argv, "+k:m:jfh", long_options, NULL)) !=
	       -1) {
		switch (c) {
		case 'k':
			opts.vmlinux_path = optarg;
			break;
		case 'm':
			module_dirs[opts.nmodule_dirs++] = optarg;
			break;
		case 'j':
			is_json = true;
			break;
		case 'f':
			opts.is_forced = true;
			break;
		case 'C':
			opts.cache_dir = optarg;
			break;
		case 'B':
			opts.is_btf = true;
			break;
		case 'P': {
			struct vmca_error *err = vmca_plugin_load(optarg);
			if (err)
				return fail(false, err);
			break;
		}
		case 'V':
			printf("vmca %s\n", VMCA_VERSION);
			return 0;
		case 'M':
			print_man(stdout);
			return 0;
		case 'h':
			print_help(stdout);
			return 0;
		default:
			fputs(usage_text, stderr);
			return 2;
		}
	}
	opts.module_dirs = module_dirs;

	int nargs = argc - optind;
	char **args = argv + optind;
	if (nargs >= 1 && strcmp(args[0], "batch") == 0) {
		struct vmca_batch_options bopts = {
			.vmlinux_path = opts.vmlinux_path,
			.module_dirs = module_dirs,
			.nmodule_dirs = opts.nmodule_dirs,
			.cache_dir = opts.cache_dir,
			.is_forced = opts.is_forced,
			.is_btf = opts.is_btf,
		};
		return vmca_batch_main(nargs, args, &bopts);
	}
	if (nargs >= 1 && strcmp(args[0], "help") == 0)
		return help_command(nargs >= 2 ? args[1] : NULL);
	if (nargs >= 2 && strcmp(args[1], "help") == 0)
		return help_command(nargs >= 3 ? args[2] : NULL);
	if (nargs < 1) {
		fputs(usage_text, stderr);
		return 2;
	}
	if (nargs == 1) {
		// No command: the interactive session on the dump.
		opts.vmcore_path = args[0];
		struct vmca_session *s;
		struct vmca_error *err = vmca_session_create(&opts, &s);
		if (err)
			return fail(is_json, err);
		int status = vmca_interactive(s, is_json);
		vmca_session_destroy(s);
		return status;
	}
	opts.vmcore_path = args[0];
	if (strcmp(args[1], "script") == 0) {
		if (nargs != 3) {
			fputs("usage: vmca VMCORE script FILE|-\n", stderr);
			return 2;
		}
		struct vmca_session *s;
		struct vmca_error *err = vmca_session_create(&opts, &s);
		if (err)
			return fail(is_json, err);
		int status = vmca_script(s, args[2], is_json);
		vmca_session_destroy(s);
		return status;
	}
	const struct vmca_plugin *plugin = vmca_plugin_find(args[1]);
	if (!plugin)
		return fail(is_json,
			    vmca_error_create(VMCA_ERROR_USAGE,
					      "unknown command '%s' (try 'vmca "
					      "help')",
					      args[1]));

	struct vmca_session *s;
	struct vmca_error *err = vmca_session_create(&opts, &s);
	if (err)
		return fail(is_json, err);

	struct vmca_out *out = vmca_out_create(is_json);
	if (!out) {
		vmca_session_destroy(s);
		return fail(is_json, &vmca_enomem);
	}
	err = plugin->run(s, out, nargs - 1, args + 1);
	if (!err)
		err = vmca_out_finish(out, stdout);
	vmca_out_destroy(out);
	size_t nr_warnings;
	const char *const *warnings = vmca_session_warnings(s, &nr_warnings);
	for (size_t i = 0; i < nr_warnings; i++) {
		fputs("vmca: warning: ", stderr);
		vmca_out_write_text(stderr, warnings[i], true);
		fputc('\n', stderr);
	}
	report_memory();
	int status = vmca_session_exit_status(s);
	vmca_session_destroy(s);
	if (err)
		return fail(is_json, err);
	if (fflush(stdout) != 0) {
		perror("vmca: error: writing output");
		return 1;
	}
	return status;
}

// SPDX-License-Identifier: MIT
// analyzer/batch.c: triage over many dumps, N worker processes at once
// (this program re-run: a dump that crashes or hangs its worker takes
// only its own line down), one JSON line per dump as each finishes.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "batch.h"
#include "output.h"
#include "util/text.h"
#include "util/vector.h"

#define MAX_JOBS	64
#define MAX_DEPTH	16
#define MAX_OUTPUT	(UINT64_C(16) << 20)
#define DEFAULT_TIMEOUT 600.0
// triage --fail-on's statuses (plugins/triage.c): above them, errors.
#define MAX_FINDING_EXIT 6

DEFINE_VECTOR(path_vector, char *)

struct job {
	const char *dump;
	pid_t pid;
	// Readable when the worker exits (pidfd_open, Linux 5.3+), -1 if
	// the kernel has none: then the loop polls every 10 ms.
	int pid_fd;
	int out_fd, err_fd;
	char *out, *err;
	size_t out_len, err_len;
	double start;
	bool is_timed_out;
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool is_dump_name(const char *name)
{
	size_t n = strlen(name);
	return strncmp(name, "vmcore", 6) == 0 &&
	       !(n > 4 && strcmp(name + n - 4, ".txt") == 0);
}

static int compare_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

// The dumps under dir, recursively (sorted for a stable order).
static void find_dumps(const char *dir, int depth, struct path_vector *out)
{
	if (depth > MAX_DEPTH)
		return;
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct path_vector here;
	path_vector_init(&here);
	struct dirent *e;
	while ((e = readdir(d))) {
		// Hidden entries are skipped (a tool's work directories,
		// snapshots, vmca's own temporaries).
		if (e->d_name[0] == '.')
			continue;
		char *p = NULL;
		if (asprintf(&p, "%s/%s", dir, e->d_name) < 0)
			continue;
		if (!path_vector_append(&here, p))
			free(p);
	}
	closedir(d);
	if (here.len > 1)
		qsort(here.data, here.len, sizeof(char *), compare_str);
	for (size_t i = 0; i < here.len; i++) {
		struct stat st;
		char *p = here.data[i];
		const char *name = strrchr(p, '/') + 1;
		if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
			find_dumps(p, depth + 1, out);
			free(p);
		} else if (stat(p, &st) == 0 && S_ISREG(st.st_mode) &&
			   is_dump_name(name) && path_vector_append(out, p)) {
			// A link to a dump is a dump (a link to a directory is
			// not followed: no cycles).
			continue;
		} else {
			free(p);
		}
	}
	path_vector_deinit(&here);
}

static int usage(void)
{
	fputs("usage: vmca [-k VMLINUX] [-m DIR]... batch [-j N] [--timeout S] "
	      "[--step-timeout S] [--fail-on KINDS] DIR|FILE...\n",
	      stderr);
	return 2;
}

static bool append(char **buf, size_t *len, const char *data, size_t n)
{
	if (*len + n + 1 > MAX_OUTPUT)
		return false;
	char *p = realloc(*buf, *len + n + 1);
	if (!p)
		return false;
	memcpy(p + *len, data, n);
	*len += n;
	p[*len] = 0;
	*buf = p;
	return true;
}

static bool start_job(struct job *j, const char *self, char **argv)
{
	int out[2], err[2];
	if (pipe2(out, O_CLOEXEC) != 0)
		return false;
	if (pipe2(err, O_CLOEXEC) != 0) {
		close(out[0]);
		close(out[1]);
		return false;
	}
	pid_t pid = fork();
	if (pid < 0) {
		close(out[0]);
		close(out[1]);
		close(err[0]);
		close(err[1]);
		return false;
	}
	if (pid == 0) {
		dup2(out[1], STDOUT_FILENO);
		dup2(err[1], STDERR_FILENO);
		int null = open("/dev/null", O_RDONLY);
		if (null >= 0)
			dup2(null, STDIN_FILENO);
		execv(self, argv);
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	j->pid = pid;
	j->pid_fd = pidfd_open(pid, 0);
	j->out_fd = out[0];
	j->err_fd = err[0];
	j->start = now_s();
	return true;
}

// The line of a finished job; returns its part in the batch's status.
static int report(struct job *j, int wstatus, bool is_ok_start)
{
	double seconds = now_s() - j->start;
	struct vmca_out *out = vmca_out_create(true);
	if (!out)
		return 1;
	int code = -1, result = 1;
	const char *status = "error";
	char message[512] = "";
	if (!is_ok_start) {
		vmca_strf(message, sizeof(message), "cannot start a worker: %s",
			  strerror(errno));
	} else if (j->is_timed_out) {
		status = "timeout";
		vmca_strf(
			message, sizeof(message),
			"no answer within the timeout: the worker was killed");
	} else if (WIFSIGNALED(wstatus)) {
		status = "crashed";
		vmca_strf(message, sizeof(message),
			  "the worker died of signal %d", WTERMSIG(wstatus));
	} else if (WIFEXITED(wstatus)) {
		code = WEXITSTATUS(wstatus);
		// A report, not vmca's error object ({"error": {...}}): an
		// analysis' error inside the report is the report's.
		bool has_json = j->out_len && j->out[0] == '{' &&
				strncmp(j->out, "{\"error\":", 9) != 0;
		if ((code == 0 || (code >= 3 && code <= MAX_FINDING_EXIT)) &&
		    has_json) {
			status = "ok";
			result = code;
		}
	}
	// The worker's own one-line error, if it wrote one.
	if (!strcmp(status, "error") && !message[0]) {
		const char *e = j->err_len ? j->err : "no output";
		const char *nl = strchr(e, '\n');
		size_t n = nl ? (size_t)(nl - e) : strlen(e);
		if (!strncmp(e, "vmca: error: ", 13)) {
			e += 13;
			n = n >= 13 ? n - 13 : 0;
		}
		vmca_strf(message, sizeof(message), "%.*s", (int)n, e);
	}
	vmca_out_begin_object(out, NULL, 0);
	vmca_out_str(out, "dump", j->dump);
	vmca_out_str(out, "status", status);
	if (code >= 0)
		vmca_out_i64(out, "exit", code);
	else
		vmca_out_null(out, "exit");
	vmca_out_double(out, "seconds", seconds);
	if (!strcmp(status, "ok")) {
		// Strip the trailing newline of the worker's one line.
		while (j->out_len && (j->out[j->out_len - 1] == '\n'))
			j->out[--j->out_len] = 0;
		vmca_out_json(out, "triage", j->out);
		vmca_out_null(out, "error");
	} else {
		vmca_out_null(out, "triage");
		vmca_out_str(out, "error", message);
	}
	vmca_out_end_object(out);
	struct vmca_error *err = vmca_out_finish(out, stdout);
	vmca_out_destroy(out);
	vmca_error_destroy(err);
	fflush(stdout);
	return result;
}

static void job_reset(struct job *j)
{
	free(j->out);
	free(j->err);
	if (j->pid_fd >= 0)
		close(j->pid_fd);
	memset(j, 0, sizeof(*j));
	j->pid = -1;
	j->pid_fd = j->out_fd = j->err_fd = -1;
}

int vmca_batch_main(int argc, char **argv,
		    const struct vmca_batch_options *opts)
{
	long jobs = 1;
	double timeout = DEFAULT_TIMEOUT;
	const char *fail_on = NULL, *step_timeout = NULL;
	struct path_vector dumps;
	path_vector_init(&dumps);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		char *end;
		if ((!strcmp(a, "-j") || !strcmp(a, "--jobs")) &&
		    i + 1 < argc) {
			jobs = strtol(argv[++i], &end, 10);
			if (*end || jobs < 1 || jobs > MAX_JOBS)
				return usage();
		} else if (!strncmp(a, "-j", 2) && a[2]) {
			jobs = strtol(a + 2, &end, 10);
			if (*end || jobs < 1 || jobs > MAX_JOBS)
				return usage();
		} else if (!strcmp(a, "--timeout") && i + 1 < argc) {
			timeout = strtod(argv[++i], &end);
			if (*end || !(timeout > 0))
				return usage();
		} else if (!strcmp(a, "--step-timeout") && i + 1 < argc) {
			step_timeout = argv[++i];
			double v = strtod(step_timeout, &end);
			if (*end || !(v > 0))
				return usage();
		} else if (!strcmp(a, "--fail-on") && i + 1 < argc) {
			fail_on = argv[++i];
		} else if (a[0] == '-' && a[1]) {
			return usage();
		} else {
			struct stat st;
			char *p = strdup(a);
			if (!p)
				return 1;
			if (stat(a, &st) == 0 && S_ISDIR(st.st_mode)) {
				find_dumps(a, 0, &dumps);
				free(p);
			} else if (!path_vector_append(&dumps, p)) {
				free(p);
			}
		}
	}
	if (!dumps.len) {
		fprintf(stderr,
			"vmca: error: batch: no dumps given or found\n");
		path_vector_deinit(&dumps);
		return 2;
	}
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0) {
		fprintf(stderr, "vmca: error: batch: /proc/self/exe: %s\n",
			strerror(errno));
		return 1;
	}
	self[n] = 0;
	// The workers' arguments: vmca [-k] [-m]... [--cache-dir] [--force]
	// --json DUMP triage --summary [--fail-on KINDS] [--timeout S]: at
	// most 15 and the -m pairs, and the NULL.
	size_t nargs = 18 + 2 * opts->nmodule_dirs;
	char **args = calloc(nargs, sizeof(char *));
	struct job *js = calloc((size_t)jobs, sizeof(*js));
	if (!args || !js) {
		free(args);
		free(js);
		return 1;
	}
	size_t k = 0, dump_arg;
	args[k++] = self;
	if (opts->vmlinux_path) {
		args[k++] = "-k";
		args[k++] = (char *)opts->vmlinux_path;
	}
	for (size_t i = 0; i < opts->nmodule_dirs; i++) {
		args[k++] = "-m";
		args[k++] = (char *)opts->module_dirs[i];
	}
	if (opts->cache_dir) {
		args[k++] = "--cache-dir";
		args[k++] = (char *)opts->cache_dir;
	}
	if (opts->is_forced)
		args[k++] = "--force";
	if (opts->is_btf)
		args[k++] = "--btf";
	args[k++] = "--json";
	dump_arg = k++;
	args[k++] = "triage";
	args[k++] = "--summary";
	if (fail_on) {
		args[k++] = "--fail-on";
		args[k++] = (char *)fail_on;
	}
	if (step_timeout) {
		args[k++] = "--timeout";
		args[k++] = (char *)step_timeout;
	}
	args[k] = NULL;
	for (long i = 0; i < jobs; i++)
		job_reset(&js[i]);
	int result = 0;
	bool has_error = false;
	size_t next = 0, running = 0;
	while (next < dumps.len || running) {
		// Start workers while there are free slots.
		for (long i = 0; i < jobs && next < dumps.len; i++) {
			if (js[i].pid > 0)
				continue;
			js[i].dump = dumps.data[next++];
			args[dump_arg] = (char *)js[i].dump;
			if (!start_job(&js[i], self, args)) {
				report(&js[i], 0, false);
				has_error = true;
				job_reset(&js[i]);
				continue;
			}
			running++;
		}
		// Read what the workers write, a little at a time, and wake
		// when one exits (its pidfd) or the nearest timeout is due: a
		// free slot starts its next dump at once.
		struct pollfd fds[3 * MAX_JOBS];
		int idx[3 * MAX_JOBS];
		nfds_t nf = 0;
		double wait_s = 1.0;
		for (long i = 0; i < jobs; i++) {
			if (js[i].pid <= 0)
				continue;
			double left = js[i].start + timeout - now_s();
			if (left < wait_s)
				wait_s = left > 0 ? left : 0;
			if (js[i].pid_fd >= 0) {
				fds[nf] = (struct pollfd){js[i].pid_fd, POLLIN,
							  0};
				idx[nf++] = -1;
			} else if (wait_s > 0.01) {
				wait_s = 0.01;
			}
			if (js[i].out_fd >= 0) {
				fds[nf] = (struct pollfd){js[i].out_fd, POLLIN,
							  0};
				idx[nf++] = (int)(2 * i);
			}
			if (js[i].err_fd >= 0) {
				fds[nf] = (struct pollfd){js[i].err_fd, POLLIN,
							  0};
				idx[nf++] = (int)(2 * i + 1);
			}
		}
		if (poll(fds, nf, (int)(wait_s * 1000) + 1) > 0) {
			for (nfds_t f = 0; f < nf; f++) {
				if (idx[f] < 0 ||
				    !(fds[f].revents &
				      (POLLIN | POLLHUP | POLLERR)))
					continue;
				struct job *j = &js[idx[f] / 2];
				bool is_err = idx[f] % 2;
				char buf[65536];
				ssize_t r = read(fds[f].fd, buf, sizeof(buf));
				if (r > 0 &&
				    append(is_err ? &j->err : &j->out,
					   is_err ? &j->err_len : &j->out_len,
					   buf, (size_t)r))
					continue;
				close(fds[f].fd);
				if (is_err)
					j->err_fd = -1;
				else
					j->out_fd = -1;
			}
		}
		// Reap the finished, kill the late.
		for (long i = 0; i < jobs; i++) {
			struct job *j = &js[i];
			if (j->pid <= 0)
				continue;
			if (!j->is_timed_out && now_s() - j->start > timeout) {
				j->is_timed_out = true;
				kill(j->pid, SIGKILL);
			}
			if (j->out_fd >= 0 || j->err_fd >= 0) {
				if (!j->is_timed_out)
					continue;
			}
			int wstatus;
			pid_t w = waitpid(j->pid, &wstatus,
					  j->is_timed_out ? 0 : WNOHANG);
			if (w != j->pid)
				continue;
			if (j->out_fd >= 0)
				close(j->out_fd);
			if (j->err_fd >= 0)
				close(j->err_fd);
			int r = report(j, wstatus, true);
			if (r == 1)
				has_error = true;
			else if (r > result)
				result = r;
			job_reset(j);
			running--;
		}
	}
	for (size_t i = 0; i < dumps.len; i++)
		free(dumps.data[i]);
	path_vector_deinit(&dumps);
	free(args);
	free(js);
	// An error outweighs every finding.
	return has_error ? 1 : result;
}

/*
 * vmca-leaker: guest helper of the vmca test corpus, scenarios "leak" and
 * "leakdebug".
 *
 *   vmca-leaker N [PROC [PREFIX]]     (default /proc/vmca_leak vmca-leak-)
 *
 * Forks N short-lived children, one after the other.  Each child names
 * itself PREFIX + NNN, e.g. "vmca-leak-042" (prctl PR_SET_NAME, so comm
 * is known), writes its own pid to PROC and exits; the parent reaps it
 * (waitpid) before forking the next.  With /proc/vmca_leak the vmca_leak
 * module takes a reference on the child's task_struct and never drops
 * it: the reaped children's task_structs stay allocated, the slab leak
 * of field case 1.  With /proc/vmca_leak_cred it takes a reference on
 * the child's cred (its own, from copy_creds): the creds stay allocated,
 * held by no task.
 *
 * stdout: "leaker <forked> <registered>"; progress and errors on stderr.
 * Built on the host with gcc -static (testdata/generate.py).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static int child(const char *proc, const char *prefix, int i)
{
	char name[16], buf[32];
	int fd, n;

	snprintf(name, sizeof(name), "%s%03d", prefix, i % 1000);
	prctl(PR_SET_NAME, name, 0, 0, 0);
	fd = open(proc, O_WRONLY);
	if (fd < 0)
		return 2;
	n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
	if (write(fd, buf, n) != n)
		return 3;
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	const char *proc = argc > 2 ? argv[2] : "/proc/vmca_leak";
	const char *prefix = argc > 3 ? argv[3] : "vmca-leak-";
	int n = argc > 1 ? atoi(argv[1]) : 150; /* names repeat after 1000 */
	int forked = 0, registered = 0, i;

	for (i = 0; i < n; i++) {
		pid_t pid = fork();
		int status;

		if (pid < 0) {
			fprintf(stderr, "vmca-leaker: fork: %s\n",
				strerror(errno));
			break;
		}
		if (pid == 0)
			_exit(child(proc, prefix, i));
		forked++;
		if (waitpid(pid, &status, 0) != pid) {
			fprintf(stderr, "vmca-leaker: waitpid %d: %s\n",
				(int)pid, strerror(errno));
			break;
		}
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
			registered++;
		else
			fprintf(stderr,
				"vmca-leaker: child %d (pid %d) failed, status "
				"0x%x\n",
				i, (int)pid, status);
	}
	printf("leaker %d %d\n", forked, registered);
	fprintf(stderr,
		"VMCA: leaker: forked %d children, %d registered with %s\n",
		forked, registered, proc);
	return registered == n ? 0 : 1;
}

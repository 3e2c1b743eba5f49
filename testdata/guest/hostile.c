/*
 * vmca-hostile: guest helper of the vmca test corpus, scenario "hostile".
 *
 *   vmca-hostile
 *
 * Strings an unprivileged user can put into a dump, for the test that
 * vmca's output keeps them inert (tests/cli/test_hostile.py): one child
 * process per name in NAMES, each renamed with prctl(PR_SET_NAME) (the
 * kernel keeps 15 bytes and a NUL: the first name is cut on purpose),
 * mapping the file FILE (a VMA's path) and sleeping in pause() forever,
 * and the records of LOG written to /dev/kmsg (one write, one record; a
 * newline inside stays in it).  It prints, on stdout, in hex (the truth
 * channel is a line-based tty):
 *
 *   file <FILE's path>
 *   task <pid> <comm as the kernel holds it, PR_GET_NAME>
 *   log <the record's text as written>
 *
 * and exits; the children stay (reparented to init).
 * Built on the host with gcc -static (testdata/generate.py).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

static const char *const NAMES[] = {
	"<script>alert(1)</script>",
	"\x1b[2J\x1b]0;pwn\x07",
	"a\"b\\c\nd\377e",    // \377: not UTF-8
	"c1\302\2332J\2331m", // CSI as UTF-8 (C2 9B) and as a byte (9B)
	"&amp;'x'>",
};

static const char *const LOG[] = {
	"vmca-hostile: <script>alert(1)</script>",
	"vmca-hostile: \x1b[2J\x1b]0;pwn\x07 cleared",
	"vmca-hostile: a\"b\\c\nd\377e",
	"vmca-hostile: c1\302\2332J\2331m &amp;'x'>",
};

static const char FILE_PATH[] = "/tmp/vmca-\x1b[2J<i>&'\"\\\n\xff";

#define N_NAMES (sizeof(NAMES) / sizeof(NAMES[0]))
#define N_LOG	(sizeof(LOG) / sizeof(LOG[0]))

static void hex(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		printf("%02x", (unsigned char)s[i]);
}

int main(void)
{
	static char page[4096];
	int fd = open(FILE_PATH, O_RDWR | O_CREAT | O_TRUNC, 0644);

	if (fd < 0 || write(fd, page, sizeof(page)) != sizeof(page))
		return 1;
	printf("file ");
	hex(FILE_PATH, strlen(FILE_PATH));
	printf("\n");
	for (size_t i = 0; i < N_NAMES; i++) {
		int fds[2];
		char comm[17] = "";

		fflush(stdout);
		if (pipe(fds) < 0)
			return 1;
		pid_t pid = fork();
		if (pid < 0)
			return 1;
		if (pid == 0) {
			close(fds[0]);
			prctl(PR_SET_NAME, NAMES[i], 0, 0, 0);
			prctl(PR_GET_NAME, comm, 0, 0, 0);
			if (mmap(NULL, sizeof(page), PROT_READ, MAP_SHARED, fd,
				 0) == MAP_FAILED)
				_exit(1);
			if (write(fds[1], comm, 16) != 16)
				_exit(1);
			close(fds[1]);
			// The report is the parent's.
			close(1);
			for (;;)
				pause();
		}
		close(fds[1]);
		if (read(fds[0], comm, 16) != 16)
			return 1;
		close(fds[0]);
		comm[16] = '\0';
		printf("task %d ", (int)pid);
		hex(comm, strlen(comm));
		printf("\n");
	}
	close(fd);
	int kmsg = open("/dev/kmsg", O_WRONLY);
	if (kmsg < 0)
		return 1;
	for (size_t i = 0; i < N_LOG; i++) {
		size_t len = strlen(LOG[i]);
		if (write(kmsg, LOG[i], len) != (ssize_t)len)
			return 1;
		printf("log ");
		hex(LOG[i], len);
		printf("\n");
	}
	close(kmsg);
	return fflush(stdout) != 0;
}

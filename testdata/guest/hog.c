/*
 * vmca-hog: guest helper of the vmca test corpus, the OOM scenarios.
 *
 *   vmca-hog MB REPORT            allocate MB of anonymous memory, touch
 *                                 it, write "hog <pid>" to REPORT, sleep
 *   vmca-hog MB REPORT --signal   the same, but allocate only on SIGUSR1
 *                                 (MB 0: until the allocation fails)
 *
 * The first is the memory hog the OOM killer should pick; the second the
 * trigger, which pushes its cgroup (or the machine) over the limit when
 * the guest, its truth read, sends the signal with the builtin kill.
 * Built on the host with gcc -static (testdata/generate.py).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define CHUNK (1 << 20)

static volatile sig_atomic_t go;

static void on_usr1(int sig)
{
	(void)sig;
	go = 1;
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	long mb = atol(argv[1]);
	int wait = argc > 3 && strcmp(argv[3], "--signal") == 0;
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, &old);
	signal(SIGUSR1, on_usr1);
	FILE *f = fopen(argv[2], "w");
	if (!f)
		return 1;
	if (!wait) {
		for (long i = 0; i < mb; i++) {
			char *p = mmap(NULL, CHUNK, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (p == MAP_FAILED)
				return 1;
			memset(p, 0x5a, CHUNK);
		}
	}
	fprintf(f, "hog %d %ld\n", (int)getpid(), mb);
	fclose(f);
	if (wait) {
		while (!go)
			sigsuspend(&old);
		for (long i = 0; mb == 0 || i < mb; i++) {
			char *p = mmap(NULL, CHUNK, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (p == MAP_FAILED)
				break;
			memset(p, 0x5a, CHUNK);
		}
	}
	for (;;)
		pause();
}

/*
 * vmca-cpuwake: guest helper of the vmca test corpus, every scenario.
 *
 *   vmca-cpuwake CPU
 *
 * Binds itself to CPU, prints "ready <cpu>" on stdout and sleeps in
 * pause().  On SIGUSR1 it wakes up there, prints "cpuwake <cpu> <the cpu
 * it ran on>" and sleeps again; guest/init sends the signal once, after
 * the last process of the set-up has exited, before the truth's warm-up.
 *
 * Why: a CPU that goes idle after a process exits keeps that process's
 * dead mm as its lazy TLB mm (the idle task borrows the last active_mm),
 * and frees it (its page tables' root: an order-1 block with PTI, the
 * mm_struct) only when it next switches to a user task.  Without this
 * helper that switch may come after the truth's last reading, between it
 * and the dump, which then holds two free pages the truth did not see.
 * Running a user task on every CPU first lets each drop what it holds.
 * Built on the host with gcc -static (testdata/generate.py).
 */
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t woken;

static void on_usr1(int sig)
{
	(void)sig;
	woken = 1;
}

int main(int argc, char **argv)
{
	struct sigaction sa;
	cpu_set_t set;
	int cpu;

	if (argc != 2) {
		fprintf(stderr, "usage: vmca-cpuwake CPU\n");
		return 2;
	}
	cpu = atoi(argv[1]);
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) != 0) {
		perror("vmca-cpuwake: sched_setaffinity");
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL) != 0) {
		perror("vmca-cpuwake: sigaction");
		return 1;
	}
	printf("ready %d\n", cpu);
	fflush(stdout);
	for (;;) {
		pause();
		if (woken) {
			woken = 0;
			printf("cpuwake %d %d\n", cpu, sched_getcpu());
			fflush(stdout);
		}
	}
}

/*
 * vmca-stacks: guest helper of the vmca test corpus, scenarios "leak" and
 * "leakdebug": a process that leaks its threads' stacks.
 *
 *   vmca-stacks [N]        (default 64)
 *
 * Creates N threads, one after the other, each on a stack of its own that
 * it mmap()s (STACK_BYTES, read-write, with a PROT_NONE guard page of
 * GUARD_BYTES below it, as glibc lays out its own thread stacks: the
 * guard keeps neighbouring stacks from merging into one VMA) and hands
 * to pthread_create with pthread_attr_setstack.  Each thread touches
 * TOUCH_BYTES of its stack and exits; the process joins it and never
 * munmap()s the stack (glibc frees no stack a caller supplied).  So the
 * process ends with one thread and 2 * N VMAs more than it needs: the
 * thread-stack leak of case 4.  Then it prints its report on stdout
 * (one write) and sleeps in pause() for ever:
 *   stacks <pid> <created> <joined> <stack bytes> <guard bytes>
 *   stack <index> <address of the stack's lowest byte> <bytes>
 * Built on the host with gcc -static (testdata/generate.py).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define STACK_BYTES (256 << 10)
#define GUARD_BYTES 4096
#define TOUCH_BYTES (32 << 10)
#define MAX_THREADS 1024

static void *thread_main(void *arg)
{
	volatile char buf[TOUCH_BYTES];

	memset((char *)buf, 0x5a, sizeof(buf));
	return arg;
}

int main(int argc, char **argv)
{
	static char *stacks[MAX_THREADS];
	int n = argc > 1 ? atoi(argv[1]) : 64;
	int created = 0, joined = 0, i;

	if (n < 0 || n > MAX_THREADS)
		return 2;
	for (i = 0; i < n; i++) {
		pthread_attr_t attr;
		pthread_t t;
		char *p = mmap(NULL, GUARD_BYTES + STACK_BYTES,
			       PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);

		if (p == MAP_FAILED) {
			perror("vmca-stacks: mmap");
			break;
		}
		if (mprotect(p, GUARD_BYTES, PROT_NONE) != 0) {
			perror("vmca-stacks: mprotect");
			break;
		}
		stacks[i] = p + GUARD_BYTES;
		pthread_attr_init(&attr);
		if (pthread_attr_setstack(&attr, stacks[i], STACK_BYTES) != 0 ||
		    pthread_create(&t, &attr, thread_main, NULL) != 0) {
			fprintf(stderr, "vmca-stacks: pthread_create failed\n");
			break;
		}
		pthread_attr_destroy(&attr);
		created++;
		if (pthread_join(t, NULL) == 0)
			joined++;
		/* the stack stays mapped: the leak */
	}
	printf("stacks %d %d %d %d %d\n", (int)getpid(), created, joined,
	       STACK_BYTES, GUARD_BYTES);
	for (i = 0; i < created; i++)
		printf("stack %d %lx %d\n", i, (unsigned long)stacks[i],
		       STACK_BYTES);
	fflush(stdout);
	fclose(stdout);
	for (;;)
		pause();
}

/*
 * vmca-sleeper: guest helper of the vmca test corpus, every scenario.
 *
 *   vmca-sleeper
 *
 * A user process whose memory map is known and stays as it is until the
 * dump: it maps SLEEPER_MAPS anonymous regions of different sizes with
 * alternating protections (so neighbours never merge into one VMA),
 * touches the writable ones, maps its own executable read-only (a file
 * VMA), then prints "sleeper <pid> <maps>" on stdout, closes it and
 * sleeps in pause() forever.  Its VMAs are then the ones of a static
 * binary (text, data, heap, stack, vvar, vdso) plus these; the guest
 * copies /proc/<pid>/maps to the truth channel, and the tests walk the
 * process's VMA tree (maple tree, or rb-tree and list before v6.1) in
 * the dump against it.
 * Built on the host with gcc -static (testdata/generate.py).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define SLEEPER_MAPS 24
#define PAGE	     4096

int main(void)
{
	int i, maps = 0, fd;

	for (i = 0; i < SLEEPER_MAPS; i++) {
		int prot = i % 2 ? PROT_READ | PROT_WRITE : PROT_READ;
		size_t len = (size_t)(i % 5 + 1) * PAGE;
		char *p = mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1,
			       0);

		if (p == MAP_FAILED)
			continue;
		maps++;
		if (prot & PROT_WRITE)
			memset(p, 0x5a, len);
	}
	fd = open("/proc/self/exe", O_RDONLY);
	if (fd >= 0) {
		if (mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 0) !=
		    MAP_FAILED)
			maps++;
		close(fd);
	}
	printf("sleeper %d %d\n", (int)getpid(), maps);
	fflush(stdout);
	fclose(stdout);
	for (;;)
		pause();
}

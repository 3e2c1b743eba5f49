/*
 * vmca-shmem: guest helper of the vmca test corpus, scenarios "leak" and
 * "leakdebug": shared memory that stays allocated, of three kinds.
 *
 *   vmca-shmem DIR
 *
 *  - files in DIR (a tmpfs the guest mounted): FILES of the sizes in
 *    file_mb[], written with a pattern, then closed;
 *  - a SysV shared memory segment (key SHM_KEY, SHM_BYTES), attached and
 *    touched, never removed (no IPC_RMID) and left attached;
 *  - a memfd ("vmca-memfd", MEMFD_BYTES written), held open.
 * Then it prints its report on stdout (one write) and sleeps in pause()
 * for ever:
 *   file <path> <bytes>
 *   sysv <key> <shmid> <bytes> <attached address>
 *   memfd <name> <bytes> <pid> <fd> <link of /proc/self/fd/FD>
 * Built on the host with gcc -static (testdata/generate.py).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <unistd.h>

#define CHUNK	    (1 << 20)
#define SHM_KEY	    0x564d4341 /* "VMCA" */
#define SHM_BYTES   (4 << 20)
#define MEMFD_NAME  "vmca-memfd"
#define MEMFD_BYTES (3 << 20)

static const int file_mb[] = {1, 2, 3, 4, 6, 8}; /* 24 MiB */
#define FILES ((int)(sizeof(file_mb) / sizeof(file_mb[0])))

static char chunk[CHUNK];

static int write_all(int fd, long bytes)
{
	while (bytes > 0) {
		long n = bytes < CHUNK ? bytes : CHUNK;

		if (write(fd, chunk, n) != n)
			return -1;
		bytes -= n;
	}
	return 0;
}

int main(int argc, char **argv)
{
	char report[4096], path[256], link[256];
	int len = 0, i, fd, shmid;
	ssize_t n;
	char *shm;

	if (argc != 2) {
		fprintf(stderr, "usage: vmca-shmem DIR\n");
		return 2;
	}
	for (i = 0; i < CHUNK; i += 8)
		memcpy(chunk + i, "VMCASHM ", 8);
	for (i = 0; i < FILES; i++) {
		snprintf(path, sizeof(path), "%s/file-%d", argv[1], i);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || write_all(fd, (long)file_mb[i] * CHUNK) != 0) {
			perror("vmca-shmem: writing a file");
			return 1;
		}
		close(fd);
		len += snprintf(report + len, sizeof(report) - len,
				"file %s %ld\n", path,
				(long)file_mb[i] * CHUNK);
	}
	shmid = shmget(SHM_KEY, SHM_BYTES, IPC_CREAT | 0600);
	if (shmid < 0) {
		perror("vmca-shmem: shmget");
		return 1;
	}
	shm = shmat(shmid, NULL, 0);
	if (shm == (void *)-1) {
		perror("vmca-shmem: shmat");
		return 1;
	}
	memset(shm, 0x5a, SHM_BYTES);
	len += snprintf(report + len, sizeof(report) - len,
			"sysv 0x%08x %d %d %lx\n", SHM_KEY, shmid, SHM_BYTES,
			(unsigned long)shm);
	fd = memfd_create(MEMFD_NAME, 0);
	if (fd < 0 || write_all(fd, MEMFD_BYTES) != 0) {
		perror("vmca-shmem: memfd");
		return 1;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	link[n > 0 ? n : 0] = 0;
	len += snprintf(report + len, sizeof(report) - len,
			"memfd %s %d %d %d %s\n", MEMFD_NAME, MEMFD_BYTES,
			(int)getpid(), fd, link);
	if (write(1, report, len) != len)
		return 1;
	close(1);
	for (;;)
		pause();
}

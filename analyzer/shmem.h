// SPDX-License-Identifier: MIT
/**
 * @file shmem: the memory each shmem/tmpfs superblock holds (per mount, as
 * df shows it), the SysV shared memory segments and the memfds.
 */
#ifndef VMCA_ANALYZER_SHMEM_H
#define VMCA_ANALYZER_SHMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

struct vmca_session;

/** A shmem superblock, once per mount of it in the initial namespace
 *  (mountpoint "" for the kernel's internal one: SysV, memfd, shared
 *  anonymous memory). */
struct vmca_shmem_mount {
	uint64_t sb, mount;
	char fstype[32];
	/** The mount's source (mnt_devname), "" without a mount. */
	char source[64];
	char mountpoint[256];
	/** statfs's used and size: used_blocks and max_blocks in bytes (0
	 *  for a tmpfs without a size limit, as df shows it). */
	uint64_t used_bytes, size_bytes;
	/** The pages its inodes' page caches hold, and its inodes. */
	uint64_t pages, inodes;
	bool is_pages_known;
};

struct vmca_shmem_sysv {
	uint64_t address;
	int64_t key;
	uint64_t id, size, nattch;
	/** Pages of its shmem file in memory, in bytes. */
	uint64_t rss_bytes;
};

struct vmca_shmem_memfd {
	uint64_t file;
	/** Its name without "memfd:". */
	char name[64];
	uint64_t size, rss_bytes;
	/** The first task (and fd) found holding it. */
	uint64_t pid, fd;
};

struct vmca_shmem {
	struct vmca_shmem_mount *mounts;
	size_t nr_mounts;
	struct vmca_shmem_sysv *sysv;
	size_t nr_sysv;
	struct vmca_shmem_memfd *memfds;
	size_t nr_memfds;
	/** What could not be read (owned). */
	char **notes;
	size_t nr_notes;
};

/**
 * Every superblock whose s_op is shmem's (tmpfs, devtmpfs, a tmpfs-backed
 * rootfs, the internal mount) with its mounts in the initial mount
 * namespace, the SysV segments of the initial IPC namespace, and the memfds
 * every task's file table holds.
 */
struct vmca_error *vmca_shmem_read(struct vmca_session *s,
				   struct vmca_shmem **ret);
void vmca_shmem_destroy(struct vmca_shmem *sh);

#endif /* VMCA_ANALYZER_SHMEM_H */

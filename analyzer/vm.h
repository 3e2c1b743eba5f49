// SPDX-License-Identifier: MIT
/** @file Address spaces: a task's VMAs as /proc/PID/maps, mm counters. */
#ifndef VMCA_ANALYZER_VM_H
#define VMCA_ANALYZER_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

struct vmca_session;

/** Resident pages by the mm counter they count in (MM_FILEPAGES, ...). */
struct vmca_vm_rss {
	uint64_t file, anon, shmem;
};

/** A struct mm_struct's sizes and counters. */
struct vmca_vm_mm {
	uint64_t address;
	/** map_count: the VMAs; total_vm: VIRT in pages. */
	uint64_t map_count, total_vm_pages;
	/**
	 * get_mm_counter() of each (5.10, 6.1: the atomic; since v6.2 the
	 * per-CPU counter summed, percpu_counter_sum()), never below 0.
	 */
	struct vmca_vm_rss rss;
	uint64_t swap_pages;
	uint64_t start_brk, brk, start_stack;
	/** The page tables (a kernel virtual address). */
	uint64_t pgd;
};

/** Read the mm_struct at mm. */
struct vmca_error *vmca_vm_mm(struct vmca_session *s, uint64_t mm,
			      struct vmca_vm_mm *ret);

/** One VMA as /proc/PID/maps prints it (show_map_vma()). */
struct vmca_vm_area {
	/** The struct vm_area_struct. */
	uint64_t vma;
	uint64_t start, end;
	uint64_t vm_flags;
	/** "rw-p": VM_READ, VM_WRITE, VM_EXEC, then VM_MAYSHARE 's' or 'p'. */
	char perms[5];
	/** vm_pgoff << PAGE_SHIFT for a file mapping, else 0. */
	uint64_t offset;
	/** The file's inode: i_sb->s_dev (MAJOR:MINOR) and i_ino. */
	uint32_t dev_major, dev_minor;
	uint64_t inode;
	uint64_t file;
	/**
	 * The file's path as d_path() gives it ("/sbin/init", "/memfd:x
	 * (deleted)"), or the name show_map_vma() chooses ("[heap]",
	 * "[stack]", "[vdso]", "[vvar]", "[anon:NAME]"); NULL for none
	 * (owned).
	 */
	char *path;
	/** The vsyscall page (get_gate_vma()): /proc lists it, no VMA. */
	bool is_gate;
	/**
	 * With VMCA_VM_AREA_RSS: the pages its page tables map, by the
	 * counter they count in (as smaps' Rss, the zero page and other
	 * special mappings not counted), and swap entries.
	 */
	bool has_rss;
	struct vmca_vm_rss rss;
	uint64_t swap_pages;
	/** Why the VMA, its file or its page tables could not be read. */
	struct vmca_error *err;
	struct vmca_error *rss_err;
};

enum vmca_vm_flags {
	/** Walk each VMA's page tables for its RSS. */
	VMCA_VM_AREA_RSS = 1 << 0,
};

struct vmca_vm {
	uint64_t task;
	uint64_t pid, tgid;
	char comm[17];
	/** signal->nr_threads. */
	uint64_t threads;
	struct vmca_vm_mm mm;
	/** In address order; the gate VMA last, where /proc shows it. */
	struct vmca_vm_area *areas;
	size_t nr_areas;
	/** A VMA walk that broke, what could not be named (owned). */
	char **notes;
	size_t nr_notes;
};

/**
 * The address space of task (a struct task_struct): its mm's counters
 * and its VMAs (since v6.1 the maple tree mm->mm_mt, before the
 * mm->mmap list), each named as show_map_vma() names it. A task
 * without an mm (a kernel thread, an exited task) is VMCA_ERROR_NOT_FOUND.
 * A broken VMA walk is noted and the VMAs before it kept. Caller owns
 * *ret (vmca_vm_destroy()).
 */
struct vmca_error *vmca_vm_task(struct vmca_session *s, uint64_t task,
				unsigned flags, struct vmca_vm **ret);
void vmca_vm_destroy(struct vmca_vm *vm);

/** A process with an address space, for the summary. */
struct vmca_vm_process {
	/** The task the row was read from (the leader, where it has the mm). */
	uint64_t task;
	/** Its tgid; the leader's comm. */
	uint64_t pid;
	char comm[17];
	uint64_t threads;
	struct vmca_vm_mm mm;
	/** Why the row is incomplete, or NULL. */
	struct vmca_error *err;
};

struct vmca_vm_summary {
	/** Ordered by pid. */
	struct vmca_vm_process *processes;
	size_t nr_processes;
	char **notes;
	size_t nr_notes;
};

/**
 * Every process whose tasks have an mm (kernel threads excluded), once,
 * with its mm's VMA count, VIRT, RSS and thread count. Caller owns *ret
 * (vmca_vm_summary_destroy()).
 */
struct vmca_error *vmca_vm_summary(struct vmca_session *s,
				   struct vmca_vm_summary **ret);
void vmca_vm_summary_destroy(struct vmca_vm_summary *sum);

/**
 * d_path() of the struct path at path, as /proc shows a file to a reader
 * whose root is init's (pid 1's fs->root, else the global root): the
 * dentries' names up through the mounts, " (deleted)" for an unlinked
 * dentry, and the names pseudo filesystems make (d_op->d_dname():
 * "/memfd:NAME (deleted)", "anon_inode:NAME"). At most size - 1 bytes.
 */
struct vmca_error *vmca_vm_path(struct vmca_session *s, uint64_t path,
				char *buf, size_t size);

#endif /* VMCA_ANALYZER_VM_H */

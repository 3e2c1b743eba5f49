// SPDX-License-Identifier: MIT
/**
 * @file Batch: `vmca triage --json` over many dumps in parallel worker
 * processes, one JSON line per dump.
 */
#ifndef VMCA_ANALYZER_BATCH_H
#define VMCA_ANALYZER_BATCH_H

#include <stdbool.h>
#include <stddef.h>

/** What every worker is started with (vmca's own global options). */
struct vmca_batch_options {
	const char *vmlinux_path;
	const char *const *module_dirs;
	size_t nmodule_dirs;
	const char *cache_dir;
	bool is_forced;
	/** Types from BTF (--btf). */
	bool is_btf;
};

/**
 * `vmca batch [-j N] [--timeout S] [--fail-on KINDS] DIR|FILE...`
 * (argv[0] is "batch"): every dump named, and in each DIR every regular
 * file whose name starts with "vmcore" (not vmcore-dmesg.txt), found
 * recursively, triaged by a worker process (this program, re-run) with at
 * most N at once; each one's line is written to stdout as it finishes. A
 * dump whose worker fails, crashes or outlives S seconds gets its line with
 * the error, and the batch goes on. Returns the exit status: 1 if a dump
 * could not be analyzed, else the highest --fail-on status among them (0
 * if none), 2 for a usage error.
 */
int vmca_batch_main(int argc, char **argv,
		    const struct vmca_batch_options *opts);

#endif /* VMCA_ANALYZER_BATCH_H */

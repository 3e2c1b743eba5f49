// SPDX-License-Identifier: MIT
/** @file The real dump the session-level fuzz targets open, once. */
#ifndef VMCA_TESTS_FUZZ_SESSION_H
#define VMCA_TESTS_FUZZ_SESSION_H

#include <stdio.h>
#include <stdlib.h>

#include "../../analyzer/vmca.h"

/**
 * A session on $VMCA_FUZZ_DUMP with $VMCA_FUZZ_VMLINUX (the caller's to
 * destroy), or NULL after saying on stderr why not (unset: what to set).
 */
static inline struct vmca_session *fuzz_session_open(const char *target)
{
	const char *dump = getenv("VMCA_FUZZ_DUMP");
	const char *vmlinux = getenv("VMCA_FUZZ_VMLINUX");
	if (!dump || !*dump || !vmlinux || !*vmlinux) {
		fprintf(stderr,
			"%s: set VMCA_FUZZ_DUMP and VMCA_FUZZ_VMLINUX to a "
			"vmcore and its vmlinux, e.g. the corpus' 6.1 idle "
			"kdump: testdata/corpus.py path --kernel 6.1 "
			"--scenario idle --kind kdump [--what vmlinux]\n",
			target);
		return NULL;
	}
	struct vmca_session_options opts = {
		.vmcore_path = dump,
		.vmlinux_path = vmlinux,
	};
	struct vmca_session *s;
	struct vmca_error *err = vmca_session_create(&opts, &s);
	if (err) {
		fprintf(stderr, "%s: %s\n", target, err->message);
		vmca_error_destroy(err);
		return NULL;
	}
	return s;
}

#endif /* VMCA_TESTS_FUZZ_SESSION_H */

// SPDX-License-Identifier: MIT
/** @file What the dwarf/ fuzz targets share: run every query on an image. */
#ifndef VMCA_TESTS_DEBUGINFO_FUZZ_H
#define VMCA_TESTS_DEBUGINFO_FUZZ_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../dwarf/internal.h"
#include "standalone.h"

// Bounded so that one input stays fast.
#define FUZZ_MAX_TYPES 4096

/**
 * A failed open's error: one line naming the input ("input: ..."), but
 * for running out of memory; anything else aborts (a finding).
 */
static inline void fuzz_check_open_error(struct vmca_error *err)
{
	if (strchr(err->message, '\n') ||
	    (err->code != VMCA_ERROR_NOMEM &&
	     strncmp(err->message, "input: ", 7) != 0))
		abort();
	vmca_error_destroy(err);
}

static inline void fuzz_queries(struct vmca_debuginfo *di)
{
	char buf[256];
	uint32_t nr =
		di->nr_types < FUZZ_MAX_TYPES ? di->nr_types : FUZZ_MAX_TYPES;
	// Ids the API never returned are out of contract, except that they
	// must not crash either: a few beyond the end.
	for (uint32_t id = 0; id < nr + 3; id++) {
		struct vmca_type t;
		vmca_debuginfo_type(di, id, &t);
		vmca_debuginfo_type_name(di, id, "x", buf, sizeof(buf));
		vmca_debuginfo_unqualified(di, id);
		for (uint32_t i = 0; i < t.count && i < 64; i++) {
			struct vmca_member m;
			const char *name;
			int64_t value;
			vmca_debuginfo_member(di, id, i, &m);
			vmca_debuginfo_enumerator(di, id, i, &name, &value);
			vmca_debuginfo_parameter(di, id, i);
			if (!m.name)
				continue;
			snprintf(buf, sizeof(buf), "%s[1].%s", m.name, m.name);
			struct vmca_error *err =
				vmca_debuginfo_member_path(di, id, m.name, &m);
			vmca_error_destroy(err);
			err = vmca_debuginfo_member_path(di, id, buf, &m);
			vmca_error_destroy(err);
		}
		if (t.name) {
			uint32_t found;
			snprintf(buf, sizeof(buf), "struct %s", t.name);
			vmca_error_destroy(
				vmca_debuginfo_find_type(di, buf, &found));
			vmca_error_destroy(
				vmca_debuginfo_find_type(di, t.name, &found));
			vmca_error_destroy(vmca_debuginfo_variable_type(
				di, t.name, &found));
		}
	}
	for (uint32_t i = 0; i < di->nr_syms && i < FUZZ_MAX_TYPES; i++) {
		struct vmca_symbol sym;
		const char *name = di->syms[i].name < di->strings_size
					   ? di->strings + di->syms[i].name
					   : "";
		vmca_error_destroy(
			vmca_debuginfo_symbol_by_name(di, name, &sym));
		vmca_error_destroy(vmca_debuginfo_symbol_by_address(
			di, di->syms[i].address + 1, &sym));
	}
	struct vmca_symbol sym;
	vmca_error_destroy(vmca_debuginfo_symbol_by_address(di, 0, &sym));
	vmca_error_destroy(vmca_debuginfo_symbol_by_address(di, -1, &sym));
}

/**
 * A target's whole run: open the input with open (errors checked as
 * fuzz_check_open_error() does), query what it opened, close it.
 */
static inline int
fuzz_open_and_query(struct vmca_error *(*open)(const void *data, size_t size,
					       const char *name,
					       struct vmca_debuginfo **ret),
		    const uint8_t *data, size_t size)
{
	struct vmca_debuginfo *di;
	struct vmca_error *err = open(data, size, "input", &di);
	if (err) {
		fuzz_check_open_error(err);
		return 0;
	}
	fuzz_queries(di);
	vmca_debuginfo_destroy(di);
	return 0;
}

#endif /* VMCA_TESTS_DEBUGINFO_FUZZ_H */

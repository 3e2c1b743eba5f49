// SPDX-License-Identifier: MIT
/** @file Tests of the kernel helpers (analyzer/kernel.c) on a real dump. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "vmca.h"

/*
 * usage: kernel_test RELEASE CACHE_DIR
 * RELEASE names a kernel of $VMCA_TESTDATA_DIR (default
 * ~/.cache/vmca-testdata), e.g. 6.1.0-56-cloud-amd64: its idle kdump and
 * vmlinux are opened.
 */

// vmca_cpu_in_mask() reads bit cpu of a struct cpumask variable: a CPU
// number past the mask's bits (NR_CPUS) is an error, not a read of the
// variable after it.
static void test_cpu_in_mask(struct vmca_session *s)
{
	struct vmca_variable v;
	struct vmca_error *err = vmca_variable(s, "__cpu_possible_mask", &v);
	CHECK(err == NULL);
	if (err) {
		vmca_error_destroy(err);
		return;
	}
	uint64_t bits = 8 * vmca_type_sizeof(s, v.type);
	CHECK(bits >= 64 && bits <= VMCA_MAX_CPUS);
	printf("__cpu_possible_mask: %" PRIu64 " bits\n", bits);

	bool is_set = false;
	err = vmca_cpu_in_mask(s, "__cpu_possible_mask", 0, &is_set);
	CHECK(err == NULL && is_set);
	vmca_error_destroy(err);
	is_set = true;
	err = vmca_cpu_in_mask(s, "__cpu_possible_mask", (uint32_t)bits - 1,
			       &is_set);
	CHECK(err == NULL && !is_set);
	vmca_error_destroy(err);

	uint32_t past[] = {(uint32_t)bits, (uint32_t)bits + 63,
			   (uint32_t)bits + 64, UINT32_MAX};
	for (size_t i = 0; i < sizeof(past) / sizeof(past[0]); i++) {
		is_set = false;
		err = vmca_cpu_in_mask(s, "__cpu_possible_mask", past[i],
				       &is_set);
		CHECK(err != NULL);
		if (err) {
			CHECK(err->code == VMCA_ERROR_INVALID);
			CHECK(strstr(err->message, "__cpu_possible_mask"));
		} else {
			fprintf(stderr, "cpu %u: no error\n", past[i]);
		}
		vmca_error_destroy(err);
	}
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: kernel_test RELEASE CACHE_DIR\n");
		return 2;
	}
	const char *data = getenv("VMCA_TESTDATA_DIR");
	char *home_data = NULL;
	if (!data || !*data) {
		const char *home = getenv("HOME");
		if (asprintf(&home_data, "%s/.cache/vmca-testdata",
			     home ? home : "") < 0)
			return 1;
		data = home_data;
	}
	char *vmcore = NULL, *vmlinux = NULL;
	if (asprintf(&vmcore, "%s/dumps/%s/idle/kdump/vmcore", data, argv[1]) <
		    0 ||
	    asprintf(&vmlinux, "%s/kernels/%s/vmlinux", data, argv[1]) < 0)
		return 1;
	struct vmca_session_options opts = {
		.vmcore_path = vmcore,
		.vmlinux_path = vmlinux,
		.cache_dir = argv[2],
	};
	struct vmca_session *s = NULL;
	struct vmca_error *err = vmca_session_create(&opts, &s);
	if (err) {
		fprintf(stderr, "%s: %s\n", vmcore, err->message);
		vmca_error_destroy(err);
		return 1;
	}
	test_cpu_in_mask(s);
	vmca_session_destroy(s);
	free(vmcore);
	free(vmlinux);
	free(home_data);
	return check_summary();
}

// SPDX-License-Identifier: MIT
/** @file Tests of error objects: wrapping, static errors, codes. */
#include <errno.h>

#include "check.h"
#include "error.h"

int main(void)
{
	struct vmca_error *err =
		vmca_error_create(VMCA_ERROR_INVALID, "bad %s", "thing");
	CHECK_STR(err->message, "bad thing");
	err = vmca_error_wrap(err, "reading %d", 42);
	CHECK_STR(err->message, "reading 42: bad thing");
	CHECK(err->code == VMCA_ERROR_INVALID);
	vmca_error_destroy(err);

	// Wrapping a static error copies it; the static one is untouched.
	err = vmca_error_wrap(&vmca_not_found, "type 'foo'");
	CHECK_STR(err->message, "type 'foo': not found");
	CHECK(!err->is_static);
	CHECK_STR(vmca_not_found.message, "not found");
	vmca_error_destroy(err);

	err = vmca_error_os(ENOENT, "%s", "/nonexistent");
	CHECK_STR(err->message, "/nonexistent: No such file or directory");
	CHECK(err->errnum == ENOENT);
	vmca_error_destroy(err);

	err = vmca_error_fault(0x1000, "address %#x", 0x1000);
	CHECK(err->has_address && err->address == 0x1000);
	CHECK_STR(vmca_error_code_name(err->code), "fault");
	vmca_error_destroy(err);

	vmca_error_destroy(NULL);
	vmca_error_destroy(&vmca_enomem);
	return check_summary();
}

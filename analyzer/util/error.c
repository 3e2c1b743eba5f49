// SPDX-License-Identifier: MIT
/** @file Error objects. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

struct vmca_error vmca_enomem = {
	.code = VMCA_ERROR_NOMEM,
	.message = "out of memory",
	.is_static = true,
};

struct vmca_error vmca_not_found = {
	.code = VMCA_ERROR_NOT_FOUND,
	.message = "not found",
	.is_static = true,
};

struct vmca_error *vmca_error_vcreate(enum vmca_error_code code,
				      const char *fmt, va_list ap)
{
	struct vmca_error *err = calloc(1, sizeof(*err));
	if (!err)
		return &vmca_enomem;
	if (vasprintf(&err->message, fmt, ap) < 0) {
		free(err);
		return &vmca_enomem;
	}
	err->code = code;
	return err;
}

struct vmca_error *vmca_error_create(enum vmca_error_code code, const char *fmt,
				     ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct vmca_error *err = vmca_error_vcreate(code, fmt, ap);
	va_end(ap);
	return err;
}

struct vmca_error *vmca_error_os(int errnum, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct vmca_error *err = vmca_error_vcreate(VMCA_ERROR_OS, fmt, ap);
	va_end(ap);
	if (err->is_static)
		return err;
	err->errnum = errnum;
	char *message;
	if (asprintf(&message, "%s: %s", err->message, strerror(errnum)) >= 0) {
		free(err->message);
		err->message = message;
	}
	return err;
}

struct vmca_error *vmca_error_fault(uint64_t address, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct vmca_error *err = vmca_error_vcreate(VMCA_ERROR_FAULT, fmt, ap);
	va_end(ap);
	if (err->is_static)
		return err;
	err->has_address = true;
	err->address = address;
	return err;
}

struct vmca_error *vmca_error_wrap(struct vmca_error *err, const char *fmt, ...)
{
	char *context;
	va_list ap;
	va_start(ap, fmt);
	int r = vasprintf(&context, fmt, ap);
	va_end(ap);
	if (r < 0)
		return err;

	char *message;
	if (asprintf(&message, "%s: %s", context, err->message) < 0) {
		free(context);
		return err;
	}
	free(context);

	if (err->is_static) {
		struct vmca_error *copy = calloc(1, sizeof(*copy));
		if (!copy) {
			free(message);
			return err;
		}
		*copy = *err;
		copy->is_static = false;
		err = copy;
	} else {
		free(err->message);
	}
	err->message = message;
	return err;
}

void vmca_error_destroy(struct vmca_error *err)
{
	if (!err || err->is_static)
		return;
	free(err->message);
	free(err);
}

const char *vmca_error_code_name(enum vmca_error_code code)
{
	switch (code) {
	case VMCA_ERROR_NOMEM:
		return "nomem";
	case VMCA_ERROR_NOT_FOUND:
		return "not_found";
	case VMCA_ERROR_INVALID:
		return "invalid";
	case VMCA_ERROR_OS:
		return "os";
	case VMCA_ERROR_FAULT:
		return "fault";
	case VMCA_ERROR_MISMATCH:
		return "mismatch";
	case VMCA_ERROR_USAGE:
		return "usage";
	case VMCA_ERROR_TIMEOUT:
		return "timeout";
	case VMCA_ERROR_OTHER:
		break;
	}
	return "other";
}

// SPDX-License-Identifier: MIT
/** @file Error objects: every fallible function returns one, NULL is success.
 */
#ifndef VMCA_UTIL_ERROR_H
#define VMCA_UTIL_ERROR_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

enum vmca_error_code {
	VMCA_ERROR_OTHER = 1,
	VMCA_ERROR_NOMEM,
	/** A name (type, symbol, member, command) does not exist. */
	VMCA_ERROR_NOT_FOUND,
	/** Input data (dump, debuginfo, cache) is malformed or truncated. */
	VMCA_ERROR_INVALID,
	/** A system call failed; errnum holds errno. */
	VMCA_ERROR_OS,
	/** An address could not be read or translated; address is set. */
	VMCA_ERROR_FAULT,
	/** The vmlinux does not belong to the dump. */
	VMCA_ERROR_MISMATCH,
	/** Bad command line. */
	VMCA_ERROR_USAGE,
	/** An analysis ran past its deadline (triage --timeout). */
	VMCA_ERROR_TIMEOUT,
};

struct vmca_error {
	enum vmca_error_code code;
	/** errno for VMCA_ERROR_OS, else 0. */
	int errnum;
	bool has_address;
	/** The faulting address for VMCA_ERROR_FAULT. */
	uint64_t address;
	/** Full message, "outer: inner" after wrapping. */
	char *message;
	/** Statically allocated: never freed. */
	bool is_static;
};

/** Out of memory; static, safe to return without allocating. */
extern struct vmca_error vmca_enomem;
/** A generic "not found"; static. */
extern struct vmca_error vmca_not_found;

/**
 * Create an error with a printf-style message. Never returns NULL: on
 * allocation failure it returns &vmca_enomem.
 */
struct vmca_error *vmca_error_create(enum vmca_error_code code, const char *fmt,
				     ...) __attribute__((format(printf, 2, 3)));

struct vmca_error *vmca_error_vcreate(enum vmca_error_code code,
				      const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/** VMCA_ERROR_OS with errnum; the message gets ": strerror(errnum)". */
struct vmca_error *vmca_error_os(int errnum, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/** VMCA_ERROR_FAULT at address. */
struct vmca_error *vmca_error_fault(uint64_t address, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/**
 * Prefix context to err: "context: err->message". Takes ownership of err
 * and returns the wrapped error (err itself, or a new one if err is static).
 * Code, errnum and address are kept. err must not be NULL.
 */
struct vmca_error *vmca_error_wrap(struct vmca_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/** Free err; accepts NULL and static errors. */
void vmca_error_destroy(struct vmca_error *err);

/**
 * For optional data: true if err is NULL (success); otherwise destroy err
 * and return false. if (vmca_error_consume(vmca_read_u64(...))) ...
 */
static inline bool vmca_error_consume(struct vmca_error *err)
{
	if (!err)
		return true;
	vmca_error_destroy(err);
	return false;
}

/** A short name for the code, for JSON ("fault", "not_found", ...). */
const char *vmca_error_code_name(enum vmca_error_code code);

#endif /* VMCA_UTIL_ERROR_H */

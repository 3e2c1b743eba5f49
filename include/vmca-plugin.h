// SPDX-License-Identifier: MIT
/**
 * @file vmca's plugin API: a command built outside vmca's tree, loaded with
 * `vmca --plugin PATH.so VMCORE COMMAND`. Stable: a plugin built against
 * VMCA_PLUGIN_API_VERSION N runs on every vmca that offers version N. This
 * vmca offers 2 (struct vmca_plugin has examples) and 1 (it has not): it
 * calls vmca_plugin_init(2), then, if that declines, vmca_plugin_init(1).
 *
 * A plugin is a shared object that defines
 *
 *     const struct vmca_plugin *vmca_plugin_init(unsigned api_version);
 *
 * returning its command (NULL to decline, e.g. for an api_version it does
 * not know). The command's run() reads the dump through the vmca_api_*
 * functions below (exported by the vmca program) and writes its result
 * with the vmca_api_out_* ones: a readable table, or JSON with --json.
 * Errors are struct vmca_error objects: created with vmca_api_error(),
 * returned from run() (vmca then owns them), or freed with
 * vmca_api_error_free().
 */
#ifndef VMCA_PLUGIN_H
#define VMCA_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VMCA_PLUGIN_API_VERSION 2

struct vmca_session;
struct vmca_out;
struct vmca_error;

/** A command: its name, one line, its usage, longer help, and run(). */
struct vmca_plugin {
	const char *name;
	const char *summary;
	const char *usage;
	/** Longer help text (options), may be NULL. */
	const char *help;
	/** argv[0] is the command name. NULL on success, else an error. */
	struct vmca_error *(*run)(struct vmca_session *s, struct vmca_out *out,
				  int argc, char **argv);
	/**
	 * Since version 2: examples, one per line, each the arguments after
	 * VMCORE (as a shell splits them), a tab, and what it shows:
	 * "ps -u\tthe user tasks". `vmca help CMD` and the man page print
	 * them; the tests run them on real dumps. May be NULL.
	 */
	const char *examples;
};

/** The API version of the vmca the plugin runs in. */
unsigned vmca_api_version(void);

/* Errors. */
struct vmca_error *vmca_api_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
const char *vmca_api_error_message(const struct vmca_error *err);
void vmca_api_error_free(struct vmca_error *err);

/* The dump. Addresses are the kernel's (runtime, KASLR applied). */
struct vmca_error *vmca_api_read(struct vmca_session *s, uint64_t address,
				 void *buf, size_t len);
struct vmca_error *vmca_api_read_u64(struct vmca_session *s, uint64_t address,
				     uint64_t *ret);
/** A symbol's address ("init_task", "jiffies"). */
struct vmca_error *vmca_api_symbol(struct vmca_session *s, const char *name,
				   uint64_t *ret);
/**
 * An integer, enum, bool or pointer member (a path: "pid", "se.vruntime")
 * of the object of type type_name ("struct task_struct") at address.
 */
struct vmca_error *vmca_api_member(struct vmca_session *s, uint64_t address,
				   const char *type_name, const char *path,
				   uint64_t *ret);
/** A char array member ("comm") as a string, at most size - 1 bytes. */
struct vmca_error *vmca_api_member_string(struct vmca_session *s,
					  uint64_t address,
					  const char *type_name,
					  const char *path, char *buf,
					  size_t size);
/**
 * Every task (the idle ones, then each process and its threads), as `ps`
 * lists them: fn(s, task_struct address, arg) for each; an error it
 * returns stops the walk and is returned.
 */
struct vmca_error *
vmca_api_for_each_task(struct vmca_session *s,
		       struct vmca_error *(*fn)(struct vmca_session *s,
						uint64_t task, void *arg),
		       void *arg);

/* Output: objects and lists of fields; in text, a list of objects is a
 * table (one column per field) and an object's fields "key: value". */
void vmca_api_out_begin_object(struct vmca_out *out, const char *key);
void vmca_api_out_end_object(struct vmca_out *out);
void vmca_api_out_begin_list(struct vmca_out *out, const char *key);
void vmca_api_out_end_list(struct vmca_out *out);
void vmca_api_out_u64(struct vmca_out *out, const char *key, uint64_t value);
void vmca_api_out_i64(struct vmca_out *out, const char *key, int64_t value);
void vmca_api_out_str(struct vmca_out *out, const char *key, const char *value);
/** An address: "0x..." in JSON. */
void vmca_api_out_addr(struct vmca_out *out, const char *key, uint64_t value);

/** What the plugin defines. */
const struct vmca_plugin *vmca_plugin_init(unsigned api_version);

#ifdef __cplusplus
}
#endif

#endif /* VMCA_PLUGIN_H */

// SPDX-License-Identifier: MIT
// plugins/log.c: the kernel log from the printk buffer, like dmesg.
#include <string.h>

#include "vmca.h"

static struct vmca_error *log_run(struct vmca_session *s, struct vmca_out *out,
				  int argc, char **argv)
{
	if (argc > 1)
		return vmca_error_create(VMCA_ERROR_USAGE,
					 "usage: vmca VMCORE log");
	struct vmca_printk_log log;
	struct vmca_error *err = vmca_printk_read(s, &log);
	if (err)
		return err;

	vmca_out_begin_object(out, NULL, VMCA_OUT_TEXT_CUSTOM);
	vmca_out_u64(out, "lost", log.nr_lost);
	vmca_out_begin_list(out, "records", 0);
	const struct vmca_printk_record *r;
	vector_for_each (&log.records, r) {
		vmca_out_begin_object(out, NULL, 0);
		vmca_out_u64(out, "seq", r->seq);
		vmca_out_u64(out, "ts_ns", r->ts_ns);
		vmca_out_u64(out, "level", (uint64_t)r->level);
		vmca_out_u64(out, "facility", (uint64_t)r->facility);
		if (r->caller_id) {
			char caller[16];
			snprintf(caller, sizeof(caller), "%c%u",
				 r->caller_id & 0x80000000u ? 'C' : 'T',
				 r->caller_id & ~0x80000000u);
			vmca_out_str(out, "caller", caller);
		}
		vmca_out_str(out, "text", r->text);
		vmca_out_end_object(out);

		// dmesg's layout: every line of a record gets its stamp.
		const char *line = r->text;
		do {
			const char *nl = strchr(line, '\n');
			int len = nl ? (int)(nl - line) : (int)strlen(line);
			vmca_out_textf(
				out, "[%5llu.%06llu] %.*s\n",
				(unsigned long long)(r->ts_ns / 1000000000),
				(unsigned long long)(r->ts_ns % 1000000000 /
						     1000),
				len, line);
			line = nl ? nl + 1 : NULL;
		} while (line);
	}
	vmca_out_end_list(out);
	vmca_out_end_object(out);
	vmca_printk_log_deinit(&log);
	return NULL;
}

const struct vmca_plugin vmca_plugin_log = {
	.name = "log",
	.summary = "the kernel log from the printk ring buffer, like dmesg",
	.usage = "log",
	.help = "JSON: {\"lost\": N, \"records\": [{\"seq\", \"ts_ns\", "
		"\"level\", \"facility\", \"caller\", \"text\"}]}\n",
	.examples = "log\tthe kernel log, as dmesg prints it\n",
	.run = log_run,
};

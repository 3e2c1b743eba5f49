// SPDX-License-Identifier: MIT
// plugins/rd.c: hex dump of memory by virtual or physical address.
#include <ctype.h>
#include <string.h>

#include "vmca.h"

// Enough for any page-sized look, small enough to stay interactive.
#define MAX_BYTES (UINT64_C(1) << 24)

static struct vmca_error *usage(void)
{
	return vmca_error_create(VMCA_ERROR_USAGE,
				 "usage: vmca VMCORE rd [-p] [-8|-16|-32|-64] "
				 "ADDRESS|SYMBOL [COUNT]");
}

static struct vmca_error *rd_run(struct vmca_session *s, struct vmca_out *out,
				 int argc, char **argv)
{
	unsigned unit = 8;
	bool is_physical = false;
	const char *where = NULL, *count_arg = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-p") == 0)
			is_physical = true;
		else if (strcmp(argv[i], "-8") == 0)
			unit = 1;
		else if (strcmp(argv[i], "-16") == 0)
			unit = 2;
		else if (strcmp(argv[i], "-32") == 0)
			unit = 4;
		else if (strcmp(argv[i], "-64") == 0)
			unit = 8;
		else if (!where)
			where = argv[i];
		else if (!count_arg)
			count_arg = argv[i];
		else
			return usage();
	}
	if (!where)
		return usage();
	uint64_t count = 1;
	if (count_arg && (!vmca_parse_u64(count_arg, &count) || count == 0))
		return vmca_error_create(VMCA_ERROR_USAGE, "bad count '%s'",
					 count_arg);
	if (count > MAX_BYTES / unit)
		return vmca_error_create(VMCA_ERROR_USAGE,
					 "count %" PRIu64
					 " too large (max %" PRIu64 " bytes)",
					 count, MAX_BYTES);
	uint64_t address;
	struct vmca_error *err;
	if (is_physical) {
		if (!vmca_parse_hex(where, &address))
			return vmca_error_create(VMCA_ERROR_USAGE,
						 "bad physical address '%s'",
						 where);
	} else {
		err = vmca_parse_address(s, where, &address);
		if (err)
			return err;
	}
	size_t len = (size_t)(count * unit);
	_cleanup_free_ unsigned char *buf = malloc(len);
	if (!buf)
		return &vmca_enomem;
	err = is_physical ? vmca_read_phys(s, address, buf, len)
			  : vmca_read(s, address, buf, len);
	if (err)
		return err;

	vmca_out_begin_object(out, NULL, VMCA_OUT_TEXT_CUSTOM);
	vmca_out_addr(out, "address", address);
	vmca_out_bool(out, "physical", is_physical);
	vmca_out_u64(out, "unit", unit);
	vmca_out_begin_list(out, "values", 0);
	// crash's layout: 16 bytes a line, then the bytes as ASCII.
	for (size_t off = 0; off < len; off += 16) {
		size_t line = len - off < 16 ? len - off : 16;
		vmca_out_textf(out, "%016" PRIx64 ":  ", address + off);
		for (size_t i = 0; i < line; i += unit) {
			uint64_t v = 0;
			memcpy(&v, buf + off + i, unit);
			char hex[24];
			snprintf(hex, sizeof(hex), "%#" PRIx64, v);
			vmca_out_str(out, NULL, hex);
			vmca_out_textf(out, "%0*" PRIx64 " ", (int)unit * 2, v);
		}
		vmca_out_textf(out, "%*s  ",
			       (int)((16 - line) / unit * (unit * 2 + 1)), "");
		for (size_t i = 0; i < line; i++) {
			unsigned char c = buf[off + i];
			vmca_out_textf(out, "%c", isprint(c) ? c : '.');
		}
		vmca_out_textf(out, "\n");
	}
	vmca_out_end_list(out);
	vmca_out_end_object(out);
	return NULL;
}

const struct vmca_plugin vmca_plugin_rd = {
	.name = "rd",
	.summary = "hex dump of memory by virtual (or -p physical) address",
	.usage = "rd [-p] [-8|-16|-32|-64] ADDRESS|SYMBOL[+OFF] [COUNT]",
	.help = "COUNT is in units (default 1, 64-bit units).\n"
		"JSON: {\"address\", \"physical\", \"unit\", \"values\": "
		"[\"0x...\"]}\n",
	.examples = "rd jiffies\ta 64-bit word\n"
		    "rd -8 init_task 32\t32 bytes\n",
	.run = rd_run,
};

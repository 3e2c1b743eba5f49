// SPDX-License-Identifier: MIT
// plugins/sys.c: system summary: release, CPUs, memory, uptime, panic.
#include <string.h>
#include <time.h>

#include "vmca.h"

struct sys_info {
	char release[65], version[65], machine[65], nodename[65];
	uint64_t cpus_present, cpus_online;
	bool has_cpus;
	uint64_t memory_bytes, memory_total_bytes;
	bool has_memory, has_total;
	double uptime_s;
	bool has_uptime;
	int64_t wall_time_s;
	bool has_wall_time;
	const char *panic, *oops;
	struct vmca_printk_log log;
	bool has_log;
};

static struct vmca_error *read_uts(struct vmca_session *s,
				   struct sys_info *info)
{
	struct vmca_variable uts;
	struct vmca_error *err = vmca_variable(s, "init_uts_ns", &uts);
	if (err)
		return err;
	struct {
		const char *path;
		char *buf;
	} fields[] = {
		{"name.release", info->release},
		{"name.version", info->version},
		{"name.machine", info->machine},
		{"name.nodename", info->nodename},
	};
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		uint64_t off;
		err = vmca_type_member_offset(s, "struct uts_namespace",
					      fields[i].path, &off);
		if (!err)
			err = vmca_read_string(s, uts.address + off,
					       fields[i].buf, 65);
		if (err)
			return vmca_error_wrap(err, "reading init_uts_ns");
	}
	return NULL;
}

// Population count of a struct cpumask variable.
static struct vmca_error *count_mask(struct vmca_session *s, const char *name,
				     uint64_t *ret)
{
	struct vmca_variable v;
	struct vmca_error *err = vmca_variable(s, name, &v);
	if (err)
		return err;
	uint64_t size;
	err = vmca_type_size(s, "struct cpumask", &size);
	if (err)
		return err;
	if (size > 1024)
		size = 1024; // NR_CPUS <= 8192 bits
	unsigned char buf[1024];
	err = vmca_read(s, v.address, buf, (size_t)size);
	if (err)
		return err;
	uint64_t n = 0;
	for (size_t i = 0; i < size; i++)
		n += (uint64_t)__builtin_popcount(buf[i]);
	*ret = n;
	return NULL;
}

static struct vmca_error *read_cpus(struct vmca_session *s,
				    struct sys_info *info)
{
	struct vmca_error *err =
		count_mask(s, "__cpu_present_mask", &info->cpus_present);
	if (!err)
		err = count_mask(s, "__cpu_online_mask", &info->cpus_online);
	return err;
}

struct present {
	uint32_t pglist;
	struct vmca_field node_present_pages;
	uint64_t pages;
};

static struct vmca_error *add_present(struct vmca_session *s, uint32_t nid,
				      uint64_t pgdat, void *arg)
{
	(void)nid;
	struct present *p = arg;
	struct vmca_value node, f;
	uint64_t pages;
	vmca_value_init_reference(&node, p->pglist, pgdat);
	struct vmca_error *err =
		vmca_value_field(s, &node, &p->node_present_pages, &f);
	if (!err)
		err = vmca_value_u64(s, &f, &pages);
	if (err)
		return err;
	p->pages += pages;
	return NULL;
}

// Physical memory: the present pages of every node.
static struct vmca_error *read_memory(struct vmca_session *s,
				      struct sys_info *info)
{
	uint64_t page_size = vmca_session_page_size(s);
	struct present p = {0};
	struct vmca_error *err = vmca_type(s, "struct pglist_data", &p.pglist);
	if (!err)
		err = vmca_field_init(s, p.pglist, "node_present_pages",
				      &p.node_present_pages);
	if (!err)
		err = vmca_node_walk(s, add_present, &p);
	if (err)
		return err;
	uint64_t present = p.pages;
	struct vmca_variable v;
	info->memory_bytes = present * page_size;
	info->has_memory = true;

	// Since commit ca79b0c211af ("mm: convert totalram_pages and
	// totalhigh_pages variables to atomic") (v5.0): _totalram_pages.
	if (vmca_error_consume(vmca_variable(s, "_totalram_pages", &v)) ||
	    vmca_error_consume(vmca_variable(s, "totalram_pages", &v))) {
		uint64_t pages;
		if (vmca_error_consume(vmca_read_u64(s, v.address, &pages))) {
			info->memory_total_bytes = pages * page_size;
			info->has_total = true;
		}
	}
	return NULL;
}

// Uptime as /proc/uptime computes it (boot-time clock), and the wall
// clock, both from the timekeeper as of its last update: tkr_mono.base
// holds whole seconds, the rest is tkr_mono.xtime_nsec >> shift.
static struct vmca_error *read_time(struct vmca_session *s,
				    struct sys_info *info)
{
	struct vmca_variable tk;
	struct vmca_error *err = vmca_variable(s, "tk_core", &tk);
	if (err)
		return err;
	static const char *const paths[] = {
		"timekeeper.tkr_mono.base",
		"timekeeper.tkr_mono.xtime_nsec",
		"timekeeper.tkr_mono.shift",
		"timekeeper.offs_boot",
	};
	uint64_t v[4];
	for (size_t i = 0; i < 4; i++) {
		struct vmca_member m;
		err = vmca_type_member_path(s, tk.type, paths[i], &m);
		if (err)
			return err;
		unsigned char buf[8] = {0};
		err = vmca_read(s, tk.address + m.bit_offset / 8, buf,
				i == 2 ? 4 : 8);
		if (err)
			return err;
		memcpy(&v[i], buf, 8);
	}
	uint64_t ns = v[2] < 64 ? v[1] >> v[2] : 0;
	info->uptime_s = (double)(int64_t)(v[0] + ns + v[3]) / 1e9;
	info->has_uptime = true;
	struct vmca_member xtime;
	if (vmca_error_consume(vmca_type_member_path(
		    s, tk.type, "timekeeper.xtime_sec", &xtime))) {
		uint64_t sec;
		if (vmca_error_consume(vmca_read_u64(
			    s, tk.address + xtime.bit_offset / 8, &sec))) {
			info->wall_time_s = (int64_t)sec;
			info->has_wall_time = true;
		}
	}
	return NULL;
}

static const char *find_oops(const struct vmca_printk_log *log)
{
	static const char *const markers[] = {
		"BUG: ",
		"Oops: ",
		"general protection fault",
		"kernel BUG at",
		"Unable to handle kernel",
		"sysrq: Trigger a crash",
	};
	const struct vmca_printk_record *r;
	vector_for_each (&log->records, r) {
		for (size_t i = 0; i < sizeof(markers) / sizeof(markers[0]);
		     i++) {
			if (strncmp(r->text, markers[i], strlen(markers[i])) ==
			    0)
				return r->text;
		}
	}
	return NULL;
}

// Whether the kernel was going down: panic() sets panic_cpu, the kdump
// path on x86 sets crashing_cpu; both are -1 otherwise.
static bool has_crashed(struct vmca_session *s)
{
	static const char *const vars[] = {"panic_cpu", "crashing_cpu"};
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		struct vmca_variable v;
		uint32_t cpu;
		struct vmca_error *err = vmca_variable(s, vars[i], &v);
		if (!err)
			err = vmca_read_u32(s, v.address, &cpu);
		if (!err && cpu != UINT32_MAX)
			return true;
		vmca_error_destroy(err);
	}
	return false;
}

static void out_optional_error(struct vmca_out *out, const char *key,
			       struct vmca_error *err)
{
	// One missing figure does not spoil the summary: say what failed.
	vmca_out_error(out, key, err);
	vmca_error_destroy(err);
}

static struct vmca_error *sys_run(struct vmca_session *s, struct vmca_out *out,
				  int argc, char **argv)
{
	if (argc > 1)
		return vmca_error_create(VMCA_ERROR_USAGE,
					 "usage: vmca VMCORE sys");
	struct sys_info info = {0};
	struct vmca_error *err = read_uts(s, &info);
	if (err)
		return err;
	struct vmca_error *cpu_err = read_cpus(s, &info);
	struct vmca_error *mem_err = read_memory(s, &info);
	struct vmca_error *time_err = read_time(s, &info);
	struct vmca_error *log_err = vmca_printk_read(s, &info.log);
	if (!log_err) {
		info.panic = vmca_printk_find(&info.log,
					      "Kernel panic - not syncing");
		info.oops = find_oops(&info.log);
		// An oops with kdump loaded goes straight to crash_kexec()
		// without panic()'s message: the oops is the panic then.
		if (!info.panic && has_crashed(s))
			info.panic = info.oops ? info.oops
					       : "crashed (no panic message in "
						 "the log)";
	}

	vmca_out_begin_object(out, NULL, 0);
	vmca_out_str(out, "release", info.release);
	vmca_out_str(out, "version", info.version);
	vmca_out_str(out, "machine", info.machine);
	vmca_out_str(out, "nodename", info.nodename);
	if (cpu_err) {
		out_optional_error(out, "cpus", cpu_err);
	} else {
		vmca_out_u64(out, "cpus", info.cpus_present);
		vmca_out_u64(out, "cpus_online", info.cpus_online);
	}
	if (mem_err) {
		out_optional_error(out, "memory_bytes", mem_err);
	} else {
		vmca_out_u64(out, "memory_bytes", info.memory_bytes);
		if (info.has_total)
			vmca_out_u64(out, "memory_total_bytes",
				     info.memory_total_bytes);
	}
	if (time_err) {
		out_optional_error(out, "uptime_s", time_err);
	} else {
		vmca_out_double(out, "uptime_s", info.uptime_s);
		if (info.has_wall_time) {
			char date[64];
			time_t t = (time_t)info.wall_time_s;
			struct tm tm;
			gmtime_r(&t, &tm);
			strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", &tm);
			vmca_out_str(out, "date", date);
		}
	}
	if (log_err) {
		out_optional_error(out, "panic", log_err);
	} else {
		vmca_out_str(out, "panic", info.panic);
		vmca_out_str(out, "oops", info.oops);
	}
	vmca_out_addr(out, "kaslr_offset", vmca_session_kaslr_offset(s));
	vmca_out_str(out, "build_id", vmca_session_build_id(s));
	vmca_out_str(out, "dump_format", vmca_session_dump_format(s));
	vmca_out_bool(out, "flattened", vmca_session_is_flattened(s));
	vmca_out_u64(out, "page_size", vmca_session_page_size(s));
	vmca_out_str(out, "vmcore", vmca_session_vmcore_path(s));
	vmca_out_str(out, "vmlinux", vmca_session_vmlinux_path(s));
	vmca_out_end_object(out);
	vmca_printk_log_deinit(&info.log);
	return NULL;
}

const struct vmca_plugin vmca_plugin_sys = {
	.name = "sys",
	.summary = "system summary: release, CPUs, memory, uptime, panic",
	.usage = "sys",
	.examples = "sys\tthe release, CPUs, memory, uptime and the panic "
		    "message\n",
	.run = sys_run,
};

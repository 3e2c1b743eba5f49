// SPDX-License-Identifier: MIT
/** @file Why the kernel crashed: the crash found in the dump, explained. */
#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crash.h"
#include "disasm.h"
#include "oom.h"
#include "printk.h"
#include "slab_walk.h"
#include "task.h"
#include "vmca.h"
#include "util/cleanup.h"
#include "util/text.h"

// How far before panic()'s message the oops that led to it may start:
// a hung task's report and its backtrace run to ~100 records.
#define MAX_OOPS_RECORDS 400

const char *vmca_crash_kind_name(enum vmca_crash_kind kind)
{
	static const char *const names[] = {
		[VMCA_CRASH_NONE] = "none",
		[VMCA_CRASH_NULL_DEREF] = "null_deref",
		[VMCA_CRASH_BAD_ADDRESS] = "bad_address",
		[VMCA_CRASH_BAD_CALL] = "bad_call",
		[VMCA_CRASH_BUG] = "bug",
		[VMCA_CRASH_WARN] = "warn",
		[VMCA_CRASH_HUNG_TASK] = "hung_task",
		[VMCA_CRASH_LOCKUP] = "lockup",
		[VMCA_CRASH_SYSRQ] = "sysrq",
		[VMCA_CRASH_OOM] = "oom",
		[VMCA_CRASH_STACK_OVERFLOW] = "stack_overflow",
		[VMCA_CRASH_PANIC] = "panic",
	};
	return kind < sizeof(names) / sizeof(names[0]) ? names[kind] : "?";
}

__attribute__((format(printf, 2, 3))) static void note(struct vmca_crash *c,
						       const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmca_strv_vaddf(&c->notes, &c->nr_notes, fmt, ap);
	va_end(ap);
}

static void note_error(struct vmca_crash *c, const char *what,
		       struct vmca_error *err)
{
	note(c, "%s: %s", what, err->message);
	vmca_error_destroy(err);
}

void vmca_crash_destroy(struct vmca_crash *c)
{
	if (!c)
		return;
	free(c->message);
	vmca_stack_trace_destroy(c->trace);
	for (size_t i = 0; i < c->nr_objects; i++)
		vmca_value_deinit(&c->objects[i].value);
	free(c->objects);
	vmca_strv_free(c->notes, c->nr_notes);
	free(c);
}

/* The log: panic()'s message and the oops report before it. */

enum header {
	HEADER_NONE,
	HEADER_NULL,	   // BUG: kernel NULL pointer dereference
	HEADER_PAGING,	   // BUG: unable to handle page fault / paging request
	HEADER_GP,	   // general protection fault
	HEADER_BUG,	   // kernel BUG at
	HEADER_INVALID_OP, // invalid opcode (a BUG() without its line)
	HEADER_WARN,	   // WARNING: CPU: ... at
	HEADER_SOFT_LOCKUP,
	HEADER_HARD_LOCKUP,
	HEADER_HUNG,	 // INFO: task ... blocked for more than
	HEADER_SYSRQ,	 // sysrq: Trigger a crash
	HEADER_OVERFLOW, // stack guard page was hit, kernel stack overflow
	HEADER_OOPS,	 // Oops: (any other)
};

struct log_facts {
	ssize_t panic_record;
	char panic_message[512];
	ssize_t header_record;
	enum header header;
	char header_text[512];
	bool has_address;
	uint64_t address;
	char bug_source[256];
	/** CONFIG_DEBUG_LIST's report ("list_del corruption, ..."). */
	char corruption[512];
	bool has_corrupt_value;
	uint64_t corrupt_value;
	uint64_t seconds;
	char blocked_comm[32];
	uint64_t blocked_pid;
	bool has_cpu;
	uint32_t cpu;
	bool has_pid;
	uint64_t pid;
	char comm[32];
	/** "func+0x16/0x30 [mod]" of the first kernel-mode RIP: line. */
	char rip[256];
	bool has_rsp;
	uint64_t rsp;
};

static void copy_line(char *dst, size_t size, const char *src)
{
	size_t n = strcspn(src, "\n");
	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static enum header header_of(const char *text, struct log_facts *f)
{
	const char *p;
	unsigned long long x;
	if ((p = strstr(text, "BUG: kernel NULL pointer dereference"))) {
		const char *a = strstr(p, "address: ");
		if (a && sscanf(a, "address: %llx", &x) == 1) {
			f->has_address = true;
			f->address = x;
		}
		return HEADER_NULL;
	}
	if ((p = strstr(text,
			"BUG: unable to handle page fault for address:")) ||
	    (p = strstr(text,
			"BUG: unable to handle kernel paging request at"))) {
		// "... for address: X" (v5.x+), "... request at X" (older)
		const char *a = strstr(p, "address: ");
		const char *at = strstr(p, " at ");
		a = a ? a + 9 : at ? at + 4 : NULL;
		if (a && sscanf(a, "%llx", &x) == 1) {
			f->has_address = true;
			f->address = x;
		}
		return HEADER_PAGING;
	}
	if ((p = strstr(text, "general protection fault"))) {
		const char *a = strstr(p, "address 0x");
		if (a && sscanf(a + 8, "%llx", &x) == 1) {
			f->has_address = true;
			f->address = x;
		}
		return HEADER_GP;
	}
	if ((p = strstr(text, "kernel BUG at "))) {
		copy_line(f->bug_source, sizeof(f->bug_source), p + 14);
		char *bang = strrchr(f->bug_source, '!');
		if (bang)
			*bang = '\0';
		return HEADER_BUG;
	}
	if (strstr(text, "invalid opcode: "))
		return HEADER_INVALID_OP;
	if ((p = strstr(text, "WARNING: CPU: "))) {
		const char *at = strstr(p, " at ");
		if (at) {
			copy_line(f->bug_source, sizeof(f->bug_source), at + 4);
			char *space = strchr(f->bug_source, ' ');
			if (space)
				*space = '\0';
		}
		return HEADER_WARN;
	}
	if ((p = strstr(text, "BUG: soft lockup - CPU#"))) {
		unsigned cpu;
		unsigned long long secs;
		if (sscanf(p, "BUG: soft lockup - CPU#%u stuck for %llus", &cpu,
			   &secs) == 2)
			f->seconds = secs;
		// "... stuck for 22s! [insmod:95]"
		const char *open = strstr(p, "! [");
		const char *colon = open ? strrchr(open, ':') : NULL;
		if (open && colon) {
			size_t n = (size_t)(colon - open - 3);
			if (n >= sizeof(f->blocked_comm))
				n = sizeof(f->blocked_comm) - 1;
			memcpy(f->blocked_comm, open + 3, n);
			f->blocked_comm[n] = '\0';
			f->blocked_pid = strtoull(colon + 1, NULL, 10);
		}
		return HEADER_SOFT_LOCKUP;
	}
	if (strstr(text, "Watchdog detected hard LOCKUP"))
		return HEADER_HARD_LOCKUP;
	if ((p = strstr(text, "INFO: task ")) &&
	    strstr(p, " blocked for more than ")) {
		const char *name = p + 11;
		const char *colon = strrchr(name, ':');
		const char *blocked = strstr(name, " blocked for more than ");
		if (colon && colon < blocked) {
			size_t n = (size_t)(colon - name);
			if (n >= sizeof(f->blocked_comm))
				n = sizeof(f->blocked_comm) - 1;
			memcpy(f->blocked_comm, name, n);
			f->blocked_comm[n] = '\0';
			f->blocked_pid = strtoull(colon + 1, NULL, 10);
		}
		f->seconds = strtoull(blocked + 23, NULL, 10);
		return HEADER_HUNG;
	}
	if (strstr(text, "stack guard page was hit") ||
	    strstr(text, "kernel stack overflow"))
		return HEADER_OVERFLOW;
	if (strstr(text, "sysrq: Trigger a crash") ||
	    strstr(text, "SysRq : Trigger a crash"))
		return HEADER_SYSRQ;
	if (strncmp(text, "Oops: ", 6) == 0)
		return HEADER_OOPS;
	return HEADER_NONE;
}

// "CPU: 0 PID: 95 Comm: insmod ..." (6.12: "CPU: 0 UID: 0 PID: 95 ...").
static void cpu_line(const char *text, struct log_facts *f)
{
	const char *p = strstr(text, "CPU: ");
	if (!p || !isdigit((unsigned char)p[5]))
		return;
	const char *pid = strstr(p, " PID: ");
	const char *comm = strstr(p, " Comm: ");
	if (!pid || !comm)
		return;
	f->has_cpu = true;
	f->cpu = (uint32_t)strtoul(p + 5, NULL, 10);
	f->has_pid = true;
	f->pid = strtoull(pid + 6, NULL, 10);
	comm += 7;
	// The comm runs to the next field: "Kdump:", "Tainted:", "Not".
	const char *end = comm + strlen(comm);
	static const char *const next[] = {
		" Kdump: ", " Tainted: ", " Not tainted", "\n"};
	for (size_t i = 0; i < sizeof(next) / sizeof(next[0]); i++) {
		const char *e = strstr(comm, next[i]);
		if (e && e < end)
			end = e;
	}
	size_t n = (size_t)(end - comm);
	while (n && comm[n - 1] == ' ')
		n--;
	if (n >= sizeof(f->comm))
		n = sizeof(f->comm) - 1;
	memcpy(f->comm, comm, n);
	f->comm[n] = '\0';
}

static void read_log(struct vmca_session *s, struct vmca_crash *c,
		     struct log_facts *f)
{
	memset(f, 0, sizeof(*f));
	f->panic_record = f->header_record = -1;
	struct vmca_printk_log log = {0};
	struct vmca_error *err = vmca_printk_read(s, &log);
	if (err) {
		note_error(c, "the kernel log", err);
		return;
	}
	size_t n = log.records.len;
	for (size_t i = n; i-- > 0;) {
		const char *t = log.records.data[i].text;
		const char *p = strstr(t, "Kernel panic - not syncing: ");
		if (p && !strstr(t, "---[ end")) {
			f->panic_record = (ssize_t)i;
			copy_line(f->panic_message, sizeof(f->panic_message),
				  p + 28);
			break;
		}
	}
	size_t from = f->panic_record >= 0 ? (size_t)f->panic_record + 1 : n;
	size_t lowest = from > MAX_OOPS_RECORDS ? from - MAX_OOPS_RECORDS : 0;
	// The last report before panic(): a BUG() reads "kernel BUG at"
	// then "invalid opcode"; the first of a report's lines names it.
	for (size_t i = from; i-- > lowest;) {
		struct log_facts probe = *f;
		enum header h = header_of(log.records.data[i].text, &probe);
		if (h == HEADER_NONE)
			continue;
		if (f->header != HEADER_NONE &&
		    !(f->header == HEADER_INVALID_OP && h == HEADER_BUG) &&
		    !(f->header == HEADER_OOPS && h != HEADER_OOPS))
			break;
		*f = probe;
		f->header = h;
		f->header_record = (ssize_t)i;
		copy_line(f->header_text, sizeof(f->header_text),
			  log.records.data[i].text);
		if (h != HEADER_INVALID_OP && h != HEADER_OOPS)
			break;
	}
	// A BUG() of CONFIG_DEBUG_LIST: its report is the line before.
	for (size_t i = f->header_record > 0 ? (size_t)f->header_record : 0;
	     f->header == HEADER_BUG && i-- > 0 &&
	     i + 6 > (size_t)f->header_record;) {
		const char *t = log.records.data[i].text;
		const char *p = strstr(t, "list_del corruption");
		if (!p)
			p = strstr(t, "list_add corruption");
		if (!p)
			continue;
		copy_line(f->corruption, sizeof(f->corruption), p);
		// "... is LIST_POISON1 (dead000000000100)", "... but was X."
		const char *v = strstr(p, " (");
		const char *was = strstr(p, "but was ");
		unsigned long long x;
		if (strstr(p, "LIST_POISON") && v &&
		    sscanf(v + 2, "%llx", &x) == 1) {
			f->has_corrupt_value = true;
			f->corrupt_value = x;
		} else if (was && sscanf(was + 8, "%llx", &x) == 1) {
			f->has_corrupt_value = true;
			f->corrupt_value = x;
		}
		break;
	}
	if (f->header_record >= 0) {
		for (size_t i = (size_t)f->header_record;
		     i < n && i < (size_t)f->header_record + 80; i++) {
			const char *t = log.records.data[i].text;
			if (!f->has_cpu)
				cpu_line(t, f);
			const char *r = strstr(t, "RIP: 0010:");
			if (r && !f->rip[0])
				copy_line(f->rip, sizeof(f->rip), r + 10);
			r = strstr(t, "RSP: 0018:");
			unsigned long long x;
			if (r && !f->has_rsp &&
			    sscanf(r + 10, "%llx", &x) == 1) {
				f->has_rsp = true;
				f->rsp = x;
			}
		}
	}
	if (f->panic_record >= 0 && !f->has_cpu) {
		for (size_t i = (size_t)f->panic_record;
		     i < n && i < (size_t)f->panic_record + 4; i++)
			cpu_line(log.records.data[i].text, f);
	}
	vmca_printk_log_deinit(&log);
}

/* The task and its frames. */

static void describe_task(struct vmca_session *s, struct vmca_crash *c)
{
	struct vmca_value t, v;
	uint32_t type;
	struct vmca_error *err = vmca_type(s, "struct task_struct", &type);
	if (err) {
		note_error(c, "the crashed task", err);
		return;
	}
	vmca_value_init_reference(&t, type, c->task);
	uint64_t pid;
	if (!(err = vmca_value_member(s, &t, "pid", &v))) {
		err = vmca_value_u64(s, &v, &pid);
		vmca_value_deinit(&v);
		if (!err)
			c->pid = pid;
	}
	if (!err && !(err = vmca_value_member(s, &t, "comm", &v))) {
		err = vmca_value_string(s, &v, c->comm, sizeof(c->comm));
		vmca_value_deinit(&v);
	}
	vmca_value_deinit(&t);
	if (err)
		note_error(c, "the crashed task", err);
}

static bool is_kernel_mode(const struct vmca_regs *r)
{
	return vmca_regs_has(r, VMCA_REG_CS) &&
	       (r->value[VMCA_REG_CS] & 3) == 0;
}

// "func+0x16" of an address, as the oops prints it.
static bool symbol_offset(struct vmca_session *s, uint64_t pc, char *buf,
			  size_t size)
{
	struct vmca_symbol sym;
	if (!vmca_error_consume(vmca_symbol_lookup(s, pc, &sym)))
		return false;
	vmca_strf(buf, size, "%s+%#" PRIx64, sym.name, pc - sym.address);
	return true;
}

// The frame of the instruction the report is about: the one whose PC the
// log's RIP: names, else the frame an exception entry saved.
static bool find_fault_frame(struct vmca_session *s, struct vmca_crash *c,
			     const struct log_facts *f)
{
	const struct vmca_stack_trace *t = c->trace;
	if (!t)
		return false;
	if (f->rip[0]) {
		char want[256];
		copy_line(want, sizeof(want), f->rip);
		char *slash = strchr(want, '/');
		if (slash)
			*slash = '\0';
		for (size_t i = 0; i < t->nr_frames; i++) {
			char name[256];
			const struct vmca_frame *fr = &t->frames[i];
			if (!fr->is_exact_pc ||
			    !symbol_offset(s, fr->pc, name, sizeof(name)) ||
			    strcmp(name, want) != 0)
				continue;
			if (f->has_rsp && fr->sp != f->rsp)
				continue;
			c->has_fault_frame = true;
			c->fault_frame = i;
			return true;
		}
	}
	for (size_t i = 1; i < t->nr_frames; i++) {
		const struct vmca_frame *fr = &t->frames[i];
		struct vmca_symbol sym;
		if (!fr->has_pt_regs || fr->is_partial_regs ||
		    !is_kernel_mode(&fr->regs) ||
		    !vmca_error_consume(vmca_symbol_lookup(
			    s, t->frames[i - 1].pc - 1, &sym)) ||
		    strncmp(sym.name, "asm_exc_", 8) != 0)
			continue;
		c->has_fault_frame = true;
		c->fault_frame = i;
		return true;
	}
	return false;
}

/* The faulting instruction. */

static bool is_canonical(uint64_t a)
{
	uint64_t top = a >> 47;
	return top == 0 || top == 0x1ffff;
}

// What a bad pointer value looks like, in buf ("" if nothing tells); *w
// the slab walk for a slab lookup, made on the first that needs one (the
// caller destroys it).
static void classify_value(struct vmca_session *s, struct vmca_slab_walk **w,
			   uint64_t value, char *buf, size_t size)
{
	buf[0] = '\0';
	// x86_64's CONFIG_ILLEGAL_POINTER_VALUE (poison.h's delta).
	const uint64_t delta = 0xdead000000000000ull;
	if (value >= delta + 0x100 && value < delta + 0x100 + 0x100) {
		vmca_strf(buf, size,
			  "LIST_POISON1 (%#" PRIx64 " + %#" PRIx64
			  "): the next pointer of a list entry already deleted",
			  delta + 0x100, value - (delta + 0x100));
		return;
	}
	if (value >= delta + 0x122 && value < delta + 0x122 + 0x100) {
		vmca_strf(buf, size,
			  "LIST_POISON2 (%#" PRIx64 " + %#" PRIx64
			  "): the prev pointer of a list entry already deleted",
			  delta + 0x122, value - (delta + 0x122));
		return;
	}
	static const struct {
		uint8_t byte;
		const char *name;
	} poisons[] = {
		{0x6b, "POISON_FREE (0x6b): read from a freed slab object"},
		{0x5a, "POISON_INUSE (0x5a): read from an allocated slab "
		       "object never written"},
		{0xa5, "POISON_END (0xa5): the last byte of a poisoned object"},
		{0xcc, "SLUB's red zone (0xcc): beyond the end of an object"},
	};
	for (size_t i = 0; i < sizeof(poisons) / sizeof(poisons[0]); i++) {
		uint64_t pattern = 0x0101010101010101ull * poisons[i].byte;
		// The pattern with a small displacement added.
		if ((value & ~0xfffull) == (pattern & ~0xfffull)) {
			vmca_strf(buf, size, "slab poison %s", poisons[i].name);
			return;
		}
	}
	if (!is_canonical(value)) {
		vmca_strf(buf, size,
			  "a non-canonical address (no mapping can exist): "
			  "garbage, or a pointer with bits flipped");
		return;
	}
	if (value < 0x0000800000000000ull) {
		vmca_strf(buf, size,
			  "a user-space address, dereferenced in kernel mode");
		return;
	}
	if (!*w && !vmca_error_consume(vmca_slab_walk_create(s, w)))
		return;
	struct vmca_slab_find found;
	if (vmca_error_consume(vmca_slab_walk_find(*w, value, &found))) {
		size_t nr;
		struct vmca_slab_cache *caches = vmca_slab_walk_caches(*w, &nr);
		const char *name =
			found.cache < nr ? caches[found.cache].name : "?";
		if (found.state == VMCA_SLAB_FIND_FREE)
			vmca_strf(buf, size,
				  "a free object of slab cache %s (object "
				  "%#" PRIx64 " + %#" PRIx64
				  "): a use after free",
				  name, found.object, found.offset);
		else if (found.state == VMCA_SLAB_FIND_ALLOCATED)
			vmca_strf(buf, size,
				  "inside an allocated object of slab cache %s "
				  "(object %#" PRIx64 " + %#" PRIx64 ")",
				  name, found.object, found.offset);
	}
}

// The memory operand an instruction accesses (not lea's).
static const struct vmca_operand *memory_operand(const struct vmca_insn *i)
{
	if (i->op == VMCA_INSN_LEA)
		return NULL;
	for (size_t o = 0; o < i->nr_ops; o++)
		if (i->ops[o].kind == VMCA_OPERAND_MEM)
			return &i->ops[o];
	return NULL;
}

static bool read_insn(struct vmca_session *s, uint64_t address,
		      struct vmca_insn *ret)
{
	uint8_t code[VMCA_INSN_MAX_BYTES];
	size_t len = sizeof(code);
	// The code may end at a page the dump lacks: take what is there.
	while (len && !vmca_error_consume(vmca_read(s, address, code, len)))
		len = len > 8 ? 8 : len - 1;
	if (!len)
		return false;
	struct vmca_disasm *d;
	if (!vmca_error_consume(
		    vmca_disasm_create(vmca_session_machine(s), false, &d)))
		return false;
	bool ok =
		vmca_error_consume(vmca_disasm_one(d, address, code, len, ret));
	vmca_disasm_destroy(d);
	return ok;
}

// The function (compiled on its own), module and file:line at pc; the
// line the innermost inlined call's if is_inner, else the outermost
// function's (the place of the call in it).
static void describe_at(struct vmca_session *s, uint64_t pc, bool is_inner,
			char *function, size_t function_size, uint64_t *offset,
			char *module, size_t module_size, char *source,
			size_t source_size)
{
	struct vmca_symbol sym;
	if (vmca_error_consume(vmca_function_lookup(s, pc, &sym))) {
		vmca_strf(function, function_size, "%s", sym.name);
		if (offset)
			*offset = pc - sym.address;
		if (sym.module)
			vmca_strf(module, module_size, "%s", sym.module);
	}
	struct vmca_debuginfo_pc *where = malloc(sizeof(*where));
	if (where && vmca_error_consume(vmca_pc_lookup(s, pc, where)) &&
	    where->nr_frames) {
		const struct vmca_debuginfo_location *l =
			&where->frames[is_inner ? 0 : where->nr_frames - 1];
		if (l->file)
			vmca_strf(source, source_size, "%s:%u", l->file,
				  l->line);
	}
	free(where);
}

// The function, module and file:line of the fault frame: the line in that
// function (of the call inlined there, if the code is an inlined call's).
static void describe_pc(struct vmca_session *s, struct vmca_crash *c,
			uint64_t pc)
{
	describe_at(s, pc, false, c->function, sizeof(c->function), &c->offset,
		    c->module, sizeof(c->module), c->source, sizeof(c->source));
}

// The address of a frame's own code: a return address is after the call.
static uint64_t code_pc(const struct vmca_frame *f)
{
	return f->is_exact_pc ? f->pc : f->pc - 1;
}

// The name of the symbol of a frame's code, "" if none.
static const char *frame_function(struct vmca_session *s,
				  const struct vmca_frame *f,
				  struct vmca_symbol *sym)
{
	if (!vmca_error_consume(vmca_symbol_lookup(s, code_pc(f), sym)))
		return "";
	return sym->name;
}

// The first frame after the fault's that is not a checking helper
// (__list_del_entry_valid and the like): who called it.
static void describe_caller(struct vmca_session *s, struct vmca_crash *c)
{
	const struct vmca_stack_trace *t = c->trace;
	for (size_t i = c->fault_frame + 1; i < t->nr_frames; i++) {
		struct vmca_symbol sym;
		const char *name = frame_function(s, &t->frames[i], &sym);
		if (!name[0] || strncmp(name, "__list_", 7) == 0 ||
		    strcmp(name, c->function) == 0)
			continue;
		const struct vmca_frame *f = &t->frames[i];
		describe_at(s, code_pc(f), false, c->caller_function,
			    sizeof(c->caller_function), NULL, c->caller_module,
			    sizeof(c->caller_module), c->caller_source,
			    sizeof(c->caller_source));
		return;
	}
}

// The functions a blocked task sleeps through on its way to the wait.
static bool is_sleep_function(const char *full)
{
	// GCC's clones: __mutex_lock.constprop.0 is __mutex_lock.
	char name[128];
	vmca_strf(name, sizeof(name), "%s", full);
	name[strcspn(name, ".")] = '\0';
	static const char *const names[] = {
		"__schedule",
		"schedule",
		"schedule_preempt_disabled",
		"schedule_timeout",
		"io_schedule",
		"io_schedule_timeout",
		"__mutex_lock",
		"__mutex_lock_slowpath",
		"mutex_lock",
		"mutex_lock_killable",
		"mutex_lock_interruptible",
		"__mutex_lock_killable_slowpath",
		"__mutex_lock_interruptible_slowpath",
		"rwsem_down_write_slowpath",
		"rwsem_down_read_slowpath",
		"down_write",
		"down_read",
		"__down_common",
		"__down",
		"down",
		"wait_for_completion",
		"__wait_for_common",
		"wait_for_common",
		"do_wait_for_common",
		"schedule_hrtimeout_range",
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i]) == 0)
			return true;
	return false;
}

struct lock_search {
	uint64_t address;
	bool found;
};

static void match_lock(struct vmca_session *s,
		       const struct vmca_frame_variable *v, void *arg)
{
	struct lock_search *l = arg;
	uint64_t value;
	if (l->found || strcmp(v->name, "lock") != 0 ||
	    v->value.kind == VMCA_VALUE_ABSENT ||
	    !vmca_error_consume(vmca_value_u64(s, &v->value, &value)) || !value)
		return;
	l->found = true;
	l->address = value;
}

// hung_task: where the blocked task sleeps, the lock it waits for (a
// mutex's or rw_semaphore's lock parameter in its frames) and the owner.
static void describe_wait(struct vmca_session *s, struct vmca_crash *c)
{
	const struct vmca_stack_trace *t = c->trace;
	const char *kind = NULL;
	struct lock_search l = {0};
	for (size_t i = 0; t && i < t->nr_frames; i++) {
		struct vmca_symbol sym;
		const char *name = frame_function(s, &t->frames[i], &sym);
		if (!name[0])
			continue;
		if (is_sleep_function(name)) {
			const char *k =
				strstr(name, "mutex") ? "mutex"
				: strstr(name, "rwsem") || strstr(name, "down_")
					? "rw_semaphore"
					: NULL;
			if (k && !l.found) {
				vmca_error_consume(vmca_frame_variables(
					s, t, i, match_lock, &l));
				if (l.found)
					kind = k;
			}
			continue;
		}
		if (!c->wait_function[0])
			vmca_strf(c->wait_function, sizeof(c->wait_function),
				  "%s", name);
		break;
	}
	if (!l.found)
		return;
	c->lock_address = l.address;
	char name[160] = "";
	if (!vmca_print_symbolize(s, l.address, name, sizeof(name)))
		vmca_strf(name, sizeof(name), "%#" PRIx64, l.address);
	vmca_strf(c->lock, sizeof(c->lock), "%s %s", kind, name);
	// The owner: the task pointer in the lock's owner word, under its
	// flag bits (mutex: 3 low bits; rw_semaphore: writer-owned only).
	char type[64];
	vmca_strf(type, sizeof(type), "struct %s", kind);
	uint64_t off, owner;
	if (!vmca_error_consume(
		    vmca_type_member_offset(s, type, "owner", &off)) ||
	    !vmca_error_consume(vmca_read_u64(s, l.address + off, &owner)))
		return;
	if (strcmp(kind, "rw_semaphore") == 0 && (owner & 1))
		return; // owned by readers: none recorded
	owner &= ~UINT64_C(7);
	if (!owner)
		return;
	c->lock_owner = owner;
	uint32_t tt;
	struct vmca_value task, v;
	if (!vmca_error_consume(vmca_type(s, "struct task_struct", &tt)))
		return;
	vmca_value_init_reference(&task, tt, owner);
	if (vmca_error_consume(vmca_value_member(s, &task, "pid", &v))) {
		vmca_error_consume(vmca_value_u64(s, &v, &c->lock_owner_pid));
		vmca_value_deinit(&v);
	}
	if (vmca_error_consume(vmca_value_member(s, &task, "comm", &v))) {
		vmca_error_consume(vmca_value_string(
			s, &v, c->lock_owner_comm, sizeof(c->lock_owner_comm)));
		vmca_value_deinit(&v);
	}
	vmca_value_deinit(&task);
}

struct object_search {
	uint64_t address;
	size_t scope;
	char variable[128];
	char function[128];
	bool found;
};

static void match_object(struct vmca_session *s,
			 const struct vmca_frame_variable *v, void *arg)
{
	struct object_search *o = arg;
	(void)s;
	if (o->found || v->value.kind != VMCA_VALUE_REFERENCE ||
	    v->value.address != o->address)
		return;
	o->found = true;
	o->scope = v->scope;
	vmca_strf(o->variable, sizeof(o->variable), "%s", v->name);
	vmca_strf(o->function, sizeof(o->function), "%s",
		  v->function ? v->function : "");
}

// The structure the bad pointer was read from, and the frame variable
// that holds it, if one does.
static void add_objects(struct vmca_session *s, struct vmca_crash *c)
{
	const struct vmca_origin *o = &c->origin;
	if (!o->root[0] || !o->has_root_type || !o->has_root_value ||
	    o->depth == 0)
		return;
	struct vmca_type pt;
	vmca_type_info(s, vmca_type_unqualified(s, o->root_type), &pt);
	if (pt.kind != VMCA_TYPE_POINTER)
		return;
	struct vmca_type target;
	vmca_type_info(s, vmca_type_unqualified(s, pt.target), &target);
	if (target.kind != VMCA_TYPE_STRUCT && target.kind != VMCA_TYPE_UNION)
		return;
	struct vmca_crash_object *obj = calloc(1, sizeof(*obj));
	if (!obj)
		return;
	vmca_strf(obj->expression, sizeof(obj->expression), "*%s", o->root);
	vmca_value_init_reference(&obj->value, pt.target, o->root_value);
	// A caller's frame may hold the structure itself.
	struct object_search search = {.address = o->root_value};
	for (size_t i = 0; c->trace && i < c->trace->nr_frames && !search.found;
	     i++) {
		vmca_error_consume(vmca_frame_variables(s, c->trace, i,
							match_object, &search));
		if (search.found) {
			obj->has_frame = true;
			obj->frame =
				vmca_frame_number(s, c->trace, i, search.scope);
			vmca_strf(obj->variable, sizeof(obj->variable), "%s",
				  search.variable);
			vmca_strf(obj->function, sizeof(obj->function), "%s",
				  search.function);
		}
	}
	c->objects = obj;
	c->nr_objects = 1;
}

// The call that went to a bad address: the register or memory it took
// the target from, and where that came from ("fops->write").
static void analyze_call(struct vmca_session *s, struct vmca_crash *c,
			 const struct vmca_insn *call)
{
	enum vmca_reg reg = VMCA_REG_NR;
	const struct vmca_operand *m = memory_operand(call);
	struct vmca_symbol sym;
	if (call->has_target &&
	    vmca_error_consume(vmca_symbol_lookup(s, call->target, &sym)) &&
	    strncmp(sym.name, "__x86_indirect_thunk_", 21) == 0) {
		// A retpoline: call __x86_indirect_thunk_rax calls *%rax (the
		// thunks have aliases: the array's first is rax's).
		for (unsigned r = 0; r < VMCA_REG_RIP && reg == VMCA_REG_NR;
		     r++) {
			char name[64];
			uint64_t at;
			snprintf(name, sizeof(name), "__x86_indirect_thunk_%s",
				 vmca_reg_names[r]);
			if (vmca_error_consume(
				    vmca_symbol_address(s, name, &at)) &&
			    at == call->target)
				reg = (enum vmca_reg)r;
		}
	} else if (!m && call->nr_ops == 1 &&
		   call->ops[0].kind == VMCA_OPERAND_REG) {
		reg = call->ops[0].reg;
	}
	(void)sym;
	struct vmca_origin o;
	struct vmca_error *err = NULL;
	if (reg != VMCA_REG_NR) {
		err = vmca_register_origin(s, c->trace, c->fault_frame,
					   call->address, reg, &o);
		if (!err) {
			c->origin = o;
			vmca_strf(c->member, sizeof(c->member), "%s", o.member);
		}
	} else if (m && m->base != VMCA_REG_NR && m->base != VMCA_REG_RIP &&
		   m->index == VMCA_REG_NR) {
		err = vmca_register_origin(s, c->trace, c->fault_frame,
					   call->address, m->base, &o);
		if (!err) {
			char path[200] = "";
			uint32_t st, mt;
			if (vmca_origin_member(s, &o, m->disp, 8, path,
					       sizeof(path), &st, &mt)) {
				vmca_member_label(s, st, path, c->member,
						  sizeof(c->member));
				size_t n = strlen(o.expression);
				vmca_strf(o.expression + n,
					  sizeof(o.expression) - n, "->%s",
					  path);
			}
			c->origin = o;
		}
	} else {
		note(c,
		     "the call at %#" PRIx64 " takes its target from "
		     "nowhere vmca follows",
		     call->address);
	}
	if (err)
		note_error(c, "where the call's target came from", err);
	else if (c->origin.note[0])
		note(c, "where the call's target came from: %s",
		     c->origin.note);
}

static void analyze_fault(struct vmca_session *s, struct vmca_crash *c,
			  const struct log_facts *f)
{
	const struct vmca_frame *fr = &c->trace->frames[c->fault_frame];
	c->rip = fr->pc;
	describe_pc(s, c, fr->pc);
	struct vmca_insn insn;
	bool has_insn = read_insn(s, fr->pc, &insn);
	if (has_insn)
		vmca_strf(c->instruction, sizeof(c->instruction), "%s %s",
			  insn.mnemonic, insn.operands);
	if (f->has_address) {
		c->has_fault_address = true;
		c->fault_address = f->address;
	}
	// A fetch from a bad RIP: the call that went there.
	if (!has_insn || !c->function[0]) {
		c->kind = VMCA_CRASH_BAD_CALL;
		uint64_t ret_address;
		if (!vmca_regs_has(&fr->regs, VMCA_REG_RSP) ||
		    !vmca_error_consume(vmca_read_u64(
			    s, fr->regs.value[VMCA_REG_RSP], &ret_address))) {
			note(c, "the return address of the bad call is not "
				"in the dump");
			return;
		}
		for (unsigned len = 2; len <= 7; len++) {
			struct vmca_insn call;
			if (!read_insn(s, ret_address - len, &call) ||
			    !call.is_call || call.size != len)
				continue;
			c->call_address = call.address;
			vmca_strf(c->call_instruction,
				  sizeof(c->call_instruction), "%s %s",
				  call.mnemonic, call.operands);
			analyze_call(s, c, &call);
			describe_pc(s, c, call.address);
			break;
		}
		if (!c->call_address)
			note(c,
			     "no call instruction ends at the return address "
			     "%#" PRIx64,
			     ret_address);
		return;
	}
	const struct vmca_operand *m = memory_operand(&insn);
	if (!m) {
		note(c,
		     "the instruction at %#" PRIx64
		     " reads no memory through a register",
		     fr->pc);
		return;
	}
	uint64_t address = (uint64_t)m->disp;
	bool knows_address = true;
	if (m->base != VMCA_REG_NR) {
		c->has_base = m->base != VMCA_REG_RIP;
		c->base_register = m->base;
		c->displacement = m->disp;
		if (m->base == VMCA_REG_RIP)
			address += fr->pc + insn.size;
		else if (vmca_regs_has(&fr->regs, m->base))
			address += c->base_value = fr->regs.value[m->base];
		else
			knows_address = c->has_base = false;
	}
	if (m->index != VMCA_REG_NR) {
		if (vmca_regs_has(&fr->regs, m->index))
			address +=
				fr->regs.value[m->index] * (uint64_t)m->scale;
		else
			knows_address = false;
	}
	if (!c->has_fault_address && knows_address && !m->has_segment) {
		c->has_fault_address = true;
		c->fault_address = address;
	}
	// The kernel's own rule: a fault below the first page is a NULL one
	// (a general protection fault's header says bad_address).
	if (c->has_fault_address &&
	    c->fault_address < vmca_session_page_size(s))
		c->kind = VMCA_CRASH_NULL_DEREF;
	if (!c->has_base)
		return;
	struct vmca_error *err = vmca_register_origin(
		s, c->trace, c->fault_frame, fr->pc, m->base, &c->origin);
	if (err) {
		note_error(c, "where the pointer came from", err);
	} else if (c->origin.note[0]) {
		note(c, "where the pointer came from: %s", c->origin.note);
	}
	char path[200] = "";
	uint32_t st, mt;
	if (m->index == VMCA_REG_NR &&
	    vmca_origin_member(s, &c->origin, m->disp, m->size, path,
			       sizeof(path), &st, &mt))
		vmca_member_label(s, st, path, c->member, sizeof(c->member));
	if (c->kind == VMCA_CRASH_BAD_ADDRESS) {
		struct vmca_slab_walk *w = NULL;
		classify_value(s, &w, c->base_value, c->bad_value,
			       sizeof(c->bad_value));
		// The object the bad pointer was read from may itself be free.
		char root[512];
		if (c->origin.has_root_value && c->origin.depth >= 1) {
			classify_value(s, &w, c->origin.root_value, root,
				       sizeof(root));
			if (strstr(root, "free object")) {
				size_t n = strlen(c->bad_value);
				vmca_strf(c->bad_value + n,
					  sizeof(c->bad_value) - n,
					  "%s%s (%#" PRIx64 ") is %s",
					  n ? "; " : "", c->origin.root,
					  c->origin.root_value, root);
			}
		}
		vmca_slab_walk_destroy(w);
	}
	add_objects(s, c);
}

/* The headline. */

// A path's file name: a headline names vmca_oops.c:99, not the build
// directory.
static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

// " in FUNCTION [module] at file.c:LINE", what of it is known.
static void place(char *buf, size_t size, const char *function,
		  const char *module, const char *source)
{
	buf[0] = '\0';
	if (function[0])
		vmca_strf(buf, size, " in %s%s%s%s", function,
			  module[0] ? " [" : "", module, module[0] ? "]" : "");
	if (source[0]) {
		size_t n = strlen(buf);
		vmca_strf(buf + n, size - n, " at %s", base_name(source));
	}
}

static void headline(struct vmca_crash *c, const struct log_facts *f)
{
	char where[900];
	place(where, sizeof(where), c->function, c->module, c->source);
	char what[600] = "";
	if (c->origin.expression[0] && c->member[0])
		vmca_strf(what, sizeof(what), " of %s (%s)",
			  c->origin.expression, c->member);
	else if (c->member[0])
		vmca_strf(what, sizeof(what), " (%s)", c->member);
	else if (c->origin.expression[0])
		vmca_strf(what, sizeof(what), " of %s", c->origin.expression);
	switch (c->kind) {
	case VMCA_CRASH_NULL_DEREF:
		vmca_strf(c->headline, sizeof(c->headline),
			  "NULL pointer dereference%s%s", what, where);
		break;
	case VMCA_CRASH_BAD_ADDRESS:
		vmca_strf(c->headline, sizeof(c->headline),
			  "bad pointer dereference%s%s: %#" PRIx64 "%s%s", what,
			  where, c->has_base ? c->base_value : c->fault_address,
			  c->bad_value[0] ? ", " : "", c->bad_value);
		break;
	case VMCA_CRASH_BAD_CALL: {
		char target[600] = "";
		if (c->origin.expression[0] && c->member[0])
			vmca_strf(target, sizeof(target), " %s (%s)",
				  c->origin.expression, c->member);
		else if (c->origin.expression[0])
			vmca_strf(target, sizeof(target), " %s",
				  c->origin.expression);
		vmca_strf(c->headline, sizeof(c->headline),
			  "call through a %s function pointer%s%s",
			  c->rip < 4096 ? "NULL" : "bad", target, where);
		if (c->rip >= 4096) {
			size_t n = strlen(c->headline);
			vmca_strf(c->headline + n, sizeof(c->headline) - n,
				  " (target %#" PRIx64 ")", c->rip);
		}
		break;
	}
	case VMCA_CRASH_BUG:
		if (c->corruption[0]) {
			char caller[900];
			place(caller, sizeof(caller), c->caller_function,
			      c->caller_module, c->caller_source);
			// "list_del corruption, X->next is LIST_POISON1 (V)":
			// what was found, after the kernel's prefix.
			const char *found = strpbrk(c->corruption, ",.");
			found = found ? found + 1 + (found[1] == ' ')
				      : c->corruption;
			const char *meaning =
				strstr(c->bad_value, "LIST_POISON") &&
						strncmp(c->corruption,
							"list_del", 8) == 0
					? "list_del() of an entry already "
					  "deleted: "
					: "";
			vmca_strf(c->headline, sizeof(c->headline),
				  "list corruption: %s%s%s (BUG() at %s)",
				  meaning, found, caller,
				  base_name(f->bug_source));
		} else {
			// The BUG()'s own place: its function, and the line
			// the report names.
			char in[300];
			place(in, sizeof(in), c->function, c->module, "");
			vmca_strf(c->headline, sizeof(c->headline),
				  "BUG()%s%s%s", f->bug_source[0] ? " at " : "",
				  base_name(f->bug_source), in);
		}
		break;
	case VMCA_CRASH_WARN: {
		char in[300];
		place(in, sizeof(in), c->function, c->module, "");
		vmca_strf(c->headline, sizeof(c->headline),
			  "WARN()%s%s%s with panic_on_warn",
			  f->bug_source[0] ? " at " : "",
			  base_name(f->bug_source), in);
		break;
	}
	case VMCA_CRASH_HUNG_TASK: {
		char wait[400] = "";
		if (c->wait_function[0])
			vmca_strf(wait, sizeof(wait), " in %s",
				  c->wait_function);
		if (c->lock[0]) {
			size_t n = strlen(wait);
			vmca_strf(wait + n, sizeof(wait) - n,
				  ", waiting for %s", c->lock);
			n = strlen(wait);
			if (c->lock_owner)
				vmca_strf(wait + n, sizeof(wait) - n,
					  " held by %s (pid %" PRIu64 ")",
					  c->lock_owner_comm,
					  c->lock_owner_pid);
		}
		vmca_strf(c->headline, sizeof(c->headline),
			  "hung task: %s:%" PRIu64
			  " blocked for more than %" PRIu64
			  " seconds%s (hung_task_panic)",
			  f->blocked_comm, f->blocked_pid, f->seconds, wait);
		break;
	}
	case VMCA_CRASH_LOCKUP:
		if (f->header == HEADER_HARD_LOCKUP)
			vmca_strf(c->headline, sizeof(c->headline),
				  "hard lockup on CPU %u%s", c->cpu, where);
		else
			vmca_strf(c->headline, sizeof(c->headline),
				  "soft lockup on CPU %u: %s:%" PRIu64
				  " stuck for %" PRIu64 "s%s",
				  c->cpu,
				  f->blocked_comm[0] ? f->blocked_comm
						     : c->comm,
				  f->blocked_pid ? f->blocked_pid : c->pid,
				  f->seconds, where);
		break;
	case VMCA_CRASH_STACK_OVERFLOW: {
		char run[300] = "";
		if (c->recursion_frames)
			vmca_strf(run, sizeof(run),
				  ", after %zu frames of %s on the stack",
				  c->recursion_frames, c->recursion_function);
		vmca_strf(c->headline, sizeof(c->headline),
			  "kernel stack overflow (the guard page hit)%s%s",
			  where, run);
		break;
	}
	case VMCA_CRASH_SYSRQ:
		vmca_strf(c->headline, sizeof(c->headline),
			  "no crash: the dump was forced with sysrq c (by %s, "
			  "pid "
			  "%" PRIu64 ")",
			  c->comm, c->pid);
		break;
	case VMCA_CRASH_OOM:
		vmca_strf(c->headline, sizeof(c->headline),
			  "panic on out of memory (%s)%s%s", f->panic_message,
			  c->oom[0] ? ": " : "", c->oom);
		break;
	case VMCA_CRASH_PANIC:
		vmca_strf(c->headline, sizeof(c->headline), "panic(\"%s\")%s",
			  f->panic_message, where);
		break;
	case VMCA_CRASH_NONE:
		vmca_strf(
			c->headline, sizeof(c->headline),
			"no crash: the dump was taken of a running kernel (no "
			"panic or oops in its log)");
		break;
	}
}

// A stack overflow: the longest run of frames of one function on the
// task's stack (a recursion, as a rule).
static void describe_recursion(struct vmca_session *s, struct vmca_crash *c)
{
	const struct vmca_stack_trace *t = c->trace;
	size_t run = 0, best = 0;
	uint64_t prev = 0, best_at = 0;
	for (size_t i = 0; t && i < t->nr_frames; i++) {
		struct vmca_symbol sym;
		if (!frame_function(s, &t->frames[i], &sym)[0]) {
			run = 0;
			prev = 0;
			continue;
		}
		run = sym.address == prev ? run + 1 : 1;
		prev = sym.address;
		if (run > best) {
			best = run;
			best_at = sym.address;
		}
	}
	struct vmca_symbol sym;
	if (best > 1 &&
	    vmca_error_consume(vmca_symbol_lookup(s, best_at, &sym))) {
		c->recursion_frames = best;
		vmca_strf(c->recursion_function, sizeof(c->recursion_function),
			  "%s", sym.name);
	}
}

// An OOM panic: what the OOM killer's state says (the `oom` command's).
static void describe_oom(struct vmca_session *s, struct vmca_crash *c)
{
	struct vmca_oom *o;
	struct vmca_error *err = vmca_oom_analyze(s, &o);
	if (err) {
		note_error(c, "the OOM killer's state", err);
		return;
	}
	size_t n = 0;
	if (o->memcg && o->has_memcg_counters)
		vmca_strf(c->oom, sizeof(c->oom),
			  "memcg %s at %" PRIu64 " of its %" PRIu64 " pages",
			  o->memcg_path, o->memcg_usage_pages,
			  o->memcg_limit_pages);
	else if (o->has_control)
		vmca_strf(c->oom, sizeof(c->oom), "%s",
			  o->constraint[0] ? o->constraint : "an OOM");
	n = strlen(c->oom);
	if (o->has_choice) {
		const struct vmca_oom_candidate *w = &o->candidates[o->choice];
		vmca_strf(c->oom + n, sizeof(c->oom) - n,
			  "%sthe OOM killer would have chosen %s (pid %" PRIu64
			  ", %" PRId64 " points)",
			  n ? "; " : "", w->comm, w->pid, w->points);
	}
	vmca_oom_destroy(o);
}

// The caller of panic() in the trace, for a panic of no other kind.
static void panic_caller(struct vmca_session *s, struct vmca_crash *c)
{
	const struct vmca_stack_trace *t = c->trace;
	bool in_panic = false;
	for (size_t i = 0; t && i < t->nr_frames; i++) {
		struct vmca_symbol sym;
		const struct vmca_frame *f = &t->frames[i];
		const char *name = frame_function(s, f, &sym);
		// panic() calls vpanic() on newer kernels: past both.
		if (strcmp(name, "panic") == 0 || strcmp(name, "vpanic") == 0) {
			in_panic = true;
		} else if (in_panic) {
			describe_pc(s, c, code_pc(f));
			return;
		}
	}
}

struct vmca_error *vmca_crash_analyze(struct vmca_session *s,
				      struct vmca_crash **ret)
{
	struct vmca_crash *c = calloc(1, sizeof(*c));
	if (!c)
		return &vmca_enomem;
	struct log_facts f;
	read_log(s, c, &f);
	if (f.panic_record >= 0)
		c->message = strdup(f.panic_message);
	else if (f.header != HEADER_NONE)
		c->message = strdup(f.header_text);
	const char *pm = f.panic_record >= 0 ? f.panic_message : "";
	bool is_oops_panic =
		!pm[0] || strstr(pm, "Fatal exception") || strstr(pm, "Oops");
	// The kind, from what the kernel said.
	if (strstr(pm, "sysrq triggered crash") || f.header == HEADER_SYSRQ)
		c->kind = VMCA_CRASH_SYSRQ;
	else if (strstr(pm, "hung_task") ||
		 (is_oops_panic && f.header == HEADER_HUNG))
		c->kind = VMCA_CRASH_HUNG_TASK;
	else if (strstr(pm, "softlockup") || strstr(pm, "Hard LOCKUP") ||
		 strstr(pm, "hardlockup") ||
		 (is_oops_panic && (f.header == HEADER_SOFT_LOCKUP ||
				    f.header == HEADER_HARD_LOCKUP)))
		c->kind = VMCA_CRASH_LOCKUP;
	else if (strstr(pm, "Out of memory") || strstr(pm, "out of memory") ||
		 strstr(pm, "deadlocked on memory"))
		c->kind = VMCA_CRASH_OOM;
	else if (strstr(pm, "panic_on_warn") || f.header == HEADER_WARN)
		c->kind = VMCA_CRASH_WARN;
	else if (f.header == HEADER_OVERFLOW)
		c->kind = VMCA_CRASH_STACK_OVERFLOW;
	else if (f.header == HEADER_BUG || f.header == HEADER_INVALID_OP)
		c->kind = VMCA_CRASH_BUG;
	else if (f.header == HEADER_NULL)
		c->kind = VMCA_CRASH_NULL_DEREF;
	else if (f.header == HEADER_PAGING || f.header == HEADER_GP ||
		 f.header == HEADER_OOPS)
		c->kind = VMCA_CRASH_BAD_ADDRESS;
	else if (pm[0])
		c->kind = VMCA_CRASH_PANIC;
	else
		c->kind = VMCA_CRASH_NONE;
	vmca_strf(c->bug_source, sizeof(c->bug_source), "%s", f.bug_source);
	c->seconds = f.seconds;

	if (c->kind != VMCA_CRASH_NONE) {
		c->task = vmca_task_panic(s);
		if (!c->task && f.has_pid)
			vmca_error_consume(
				vmca_task_by_pid(s, f.pid, &c->task));
		if (c->kind == VMCA_CRASH_HUNG_TASK && f.blocked_pid) {
			uint64_t blocked;
			if (vmca_error_consume(vmca_task_by_pid(
				    s, f.blocked_pid, &blocked)))
				c->task = blocked;
		}
	}
	if (c->task) {
		describe_task(s, c);
		struct vmca_error *err =
			vmca_stack_trace(s, c->task, NULL,
					 VMCA_STACK_TRACE_REGISTERS, &c->trace);
		if (err)
			note_error(c, "the crashed task's backtrace", err);
		if (c->trace && c->trace->nr_frames &&
		    c->trace->frames[0].regs.source == VMCA_REGS_CPU_NOTES) {
			c->has_cpu = true;
			c->cpu = c->trace->frames[0].regs.cpu;
		}
	} else if (c->kind != VMCA_CRASH_NONE) {
		note(c,
		     "no crashed task: neither panic_cpu nor crashing_cpu "
		     "names a CPU%s",
		     f.has_pid ? ", and the log's PID is no task" : "");
	}
	if (!c->has_cpu && f.has_cpu) {
		c->has_cpu = true;
		c->cpu = f.cpu;
	}
	if (!c->task && f.has_pid) {
		c->pid = f.pid;
		vmca_strf(c->comm, sizeof(c->comm), "%s", f.comm);
	}

	bool is_fault =
		c->kind == VMCA_CRASH_NULL_DEREF ||
		c->kind == VMCA_CRASH_BAD_ADDRESS ||
		c->kind == VMCA_CRASH_BAD_CALL || c->kind == VMCA_CRASH_BUG ||
		c->kind == VMCA_CRASH_WARN || c->kind == VMCA_CRASH_LOCKUP ||
		c->kind == VMCA_CRASH_STACK_OVERFLOW;
	if (is_fault && find_fault_frame(s, c, &f)) {
		if (c->kind == VMCA_CRASH_BUG || c->kind == VMCA_CRASH_WARN ||
		    c->kind == VMCA_CRASH_LOCKUP ||
		    c->kind == VMCA_CRASH_STACK_OVERFLOW) {
			const struct vmca_frame *fr =
				&c->trace->frames[c->fault_frame];
			c->rip = fr->pc;
			describe_pc(s, c, fr->pc);
			struct vmca_insn insn;
			if (read_insn(s, fr->pc, &insn))
				vmca_strf(c->instruction,
					  sizeof(c->instruction), "%s %s",
					  insn.mnemonic, insn.operands);
			if (c->kind == VMCA_CRASH_BUG && f.corruption[0]) {
				vmca_strf(c->corruption, sizeof(c->corruption),
					  "%s", f.corruption);
				struct vmca_slab_walk *w = NULL;
				if (f.has_corrupt_value)
					classify_value(s, &w, f.corrupt_value,
						       c->bad_value,
						       sizeof(c->bad_value));
				vmca_slab_walk_destroy(w);
				describe_caller(s, c);
			}
		} else {
			analyze_fault(s, c, &f);
		}
	} else if (is_fault && c->trace) {
		note(c,
		     "no frame of the crashed task's backtrace is the "
		     "instruction the report names (%s)",
		     f.rip[0] ? f.rip : "no RIP: line in the log");
	}
	if (c->kind == VMCA_CRASH_PANIC || c->kind == VMCA_CRASH_OOM)
		panic_caller(s, c);
	if (c->kind == VMCA_CRASH_HUNG_TASK)
		describe_wait(s, c);
	if (c->kind == VMCA_CRASH_OOM)
		describe_oom(s, c);
	if (c->kind == VMCA_CRASH_STACK_OVERFLOW)
		describe_recursion(s, c);
	headline(c, &f);
	*ret = c;
	return NULL;
}

// SPDX-License-Identifier: MIT
/**
 * @file x86_64 unwinding: the kernel's ORC tables, pt_regs frames, the
 * task, IRQ and exception stacks, and frame pointers as the last resort.
 *
 * The ORC step follows the kernel's own unwinder (arch/x86/kernel/
 * unwind_orc.c, unwind_next_frame()): find the entry for the PC, compute
 * the caller's stack pointer from sp_reg and sp_offset, then by the
 * entry's type take the return address below it (a call), or the pt_regs
 * there (an exception or interrupt entry, a full or an iret-only frame),
 * and the caller's frame pointer from bp_reg and bp_offset.
 */
#include <stdlib.h>
#include <string.h>

#include "vmca.h"
#include "unwind.h"
#include "../dwarf/debuginfo.h"

/* ORC's base registers (arch/x86/include/asm/orc_types.h, since v4.14). */
enum {
	ORC_REG_UNDEFINED = 0,
	ORC_REG_PREV_SP = 1,
	ORC_REG_DX = 2,
	ORC_REG_DI = 3,
	ORC_REG_BP = 4,
	ORC_REG_SP = 5,
	ORC_REG_R10 = 6,
	ORC_REG_R13 = 7,
	ORC_REG_BP_INDIRECT = 8,
	ORC_REG_SP_INDIRECT = 9,
};

/* The entry types, as vmca names them whatever the kernel's encoding. */
enum orc_type {
	ORC_UNDEFINED,
	ORC_END_OF_STACK,
	ORC_CALL,
	ORC_REGS,
	ORC_REGS_PARTIAL,
};

/** Where a field of struct orc_entry is, in bits from its start. */
struct orc_field {
	uint32_t bit_offset, bit_size;
};

/**
 * struct orc_entry's layout, from DWARF: s16 sp_offset, s16 bp_offset,
 * then the bitfields sp_reg, bp_reg, type and (before v6.4) end. Without
 * the type in DWARF, orc_types.h's little-endian layout.
 */
struct orc_layout {
	uint64_t size;
	struct orc_field sp_offset, bp_offset, sp_reg, bp_reg, type, end;
	bool has_end;
};

struct orc_entry {
	int16_t sp_offset, bp_offset;
	unsigned sp_reg, bp_reg;
	enum orc_type type;
};

/** A sorted table: ip[i] is relative to its own address. */
struct orc_table {
	const uint8_t *ip;
	const uint8_t *entries;
	/** Runtime address of ip[0]. */
	uint64_t ip_address;
	size_t nr;
	/** [lo, hi) and [init_lo, init_hi): the code it covers. */
	uint64_t lo, hi, init_lo, init_hi;
	/** A module's table, copied from the dump (owned). */
	uint8_t *owned;
};

struct module_orc {
	uint64_t module;
	struct orc_table table;
	struct vmca_error *error;
};

/** What the session keeps for unwinding: tables, layouts. */
struct vmca_unwind_cache {
	bool is_ready;
	struct vmca_error *error;
	/**
	 * The ORC encoding of v6.4 and later, the release that added the
	 * .orc_header section ("x86/unwind/orc: Add ELF section with ORC
	 * version identifier") and split the end-of-stack hint from the
	 * undefined one ("x86,objtool: Split UNWIND_HINT_EMPTY in two"):
	 * type:3 UNDEFINED/END_OF_STACK/CALL/REGS/REGS_PARTIAL, signal:1.
	 * Before: type:2 CALL/REGS/REGS_PARTIAL, end:1 (orc_types.h).
	 */
	bool is_v6_4;
	struct orc_layout layout;
	struct orc_table vmlinux;
	struct vmca_error *vmlinux_error;
	struct module_orc *modules;
	size_t nr_modules;
	/** struct pt_regs: size and where each vmca_reg is (-1: not). */
	uint64_t pt_regs_size;
	int32_t pt_regs_offset[VMCA_REG_NR];
	uint64_t thread_size;
};

void vmca_unwind_cache_destroy(struct vmca_unwind_cache *c)
{
	if (!c)
		return;
	vmca_error_destroy(c->error);
	vmca_error_destroy(c->vmlinux_error);
	for (size_t i = 0; i < c->nr_modules; i++) {
		free(c->modules[i].table.owned);
		vmca_error_destroy(c->modules[i].error);
	}
	free(c->modules);
	free(c);
}

static const struct {
	const char *member;
	enum vmca_reg reg;
} pt_regs_members[] = {
	{"r15", VMCA_REG_R15}, {"r14", VMCA_REG_R14},
	{"r13", VMCA_REG_R13}, {"r12", VMCA_REG_R12},
	{"bp", VMCA_REG_RBP},  {"bx", VMCA_REG_RBX},
	{"r11", VMCA_REG_R11}, {"r10", VMCA_REG_R10},
	{"r9", VMCA_REG_R9},   {"r8", VMCA_REG_R8},
	{"ax", VMCA_REG_RAX},  {"cx", VMCA_REG_RCX},
	{"dx", VMCA_REG_RDX},  {"si", VMCA_REG_RSI},
	{"di", VMCA_REG_RDI},  {"ip", VMCA_REG_RIP},
	{"cs", VMCA_REG_CS},   {"flags", VMCA_REG_RFLAGS},
	{"sp", VMCA_REG_RSP},  {"ss", VMCA_REG_SS},
};

// struct orc_entry's fields as DWARF lays them out (after the orc_types.h
// of the kernels vmca knows where DWARF has no such type).
static struct orc_layout default_orc_layout(bool is_v6_4)
{
	return (struct orc_layout){
		.size = 6,
		.sp_offset = {0, 16},
		.bp_offset = {16, 16},
		.sp_reg = {32, 4},
		.bp_reg = {36, 4},
		.type = {40, is_v6_4 ? 3 : 2},
		.end = {42, 1},
		.has_end = !is_v6_4,
	};
}

static void orc_layout(struct vmca_session *s, struct vmca_unwind_cache *c)
{
	struct orc_layout l = default_orc_layout(c->is_v6_4);
	uint32_t type;
	if (!vmca_error_consume(vmca_type(s, "struct orc_entry", &type)) ||
	    vmca_type_sizeof(s, type) < 5 || vmca_type_sizeof(s, type) > 8) {
		c->layout = l;
		return;
	}
	struct orc_layout d = {.size = vmca_type_sizeof(s, type)};
	struct {
		const char *name;
		struct orc_field *f;
	} fields[] = {
		{"sp_offset", &d.sp_offset}, {"bp_offset", &d.bp_offset},
		{"sp_reg", &d.sp_reg},	     {"bp_reg", &d.bp_reg},
		{"type", &d.type},	     {"end", &d.end},
	};
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		struct vmca_member m;
		if (!vmca_error_consume(vmca_type_member_path(
			    s, type, fields[i].name, &m))) {
			if (fields[i].f == &d.end)
				continue; // v6.4 dropped it
			c->layout = l;
			return;
		}
		uint32_t bits =
			m.bit_size
				? m.bit_size
				: (uint32_t)(8 * vmca_type_sizeof(s, m.type));
		if (m.bit_offset + bits > 8 * d.size || !bits || bits > 16) {
			c->layout = l;
			return;
		}
		*fields[i].f = (struct orc_field){(uint32_t)m.bit_offset, bits};
		if (fields[i].f == &d.end)
			d.has_end = true;
	}
	c->layout = d;
}

static struct vmca_error *vmlinux_table(struct vmca_session *s,
					struct vmca_unwind_cache *c)
{
	struct vmca_debuginfo *di = vmca_session_debuginfo(s);
	struct vmca_debuginfo_section ip, entries;
	struct vmca_error *err =
		vmca_debuginfo_section(di, ".orc_unwind_ip", &ip);
	if (!err)
		err = vmca_debuginfo_section(di, ".orc_unwind", &entries);
	if (err)
		return vmca_error_wrap(err, "vmlinux's ORC tables");
	if (ip.size % 4 || entries.size % c->layout.size ||
	    ip.size / 4 != entries.size / c->layout.size || !ip.data)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "%s: .orc_unwind_ip and .orc_unwind "
					 "do not match",
					 vmca_session_vmlinux_path(s));
	uint64_t offset = vmca_session_kaslr_offset(s);
	c->vmlinux = (struct orc_table){
		.ip = ip.data,
		.entries = entries.data,
		.ip_address = ip.address + offset,
		.nr = ip.size / 4,
	};
	// The table covers the kernel's text and its init text (kept in
	// memory while the kernel boots; the idle task of CPU 0 returns into
	// start_kernel there).
	uint64_t stext, etext, sinit, einit;
	if (vmca_error_consume(vmca_symbol_address(s, "_stext", &stext)) &&
	    vmca_error_consume(vmca_symbol_address(s, "_etext", &etext))) {
		c->vmlinux.lo = stext;
		c->vmlinux.hi = etext;
	} else {
		c->vmlinux.lo = 0;
		c->vmlinux.hi = UINT64_MAX;
	}
	if (vmca_error_consume(vmca_symbol_address(s, "_sinittext", &sinit)) &&
	    vmca_error_consume(vmca_symbol_address(s, "_einittext", &einit))) {
		c->vmlinux.init_lo = sinit;
		c->vmlinux.init_hi = einit;
	}
	return NULL;
}

static struct vmca_error *cache_get(struct vmca_session *s,
				    struct vmca_unwind_cache **ret)
{
	struct vmca_unwind_cache **slot = vmca_session_unwind_cache(s);
	if (!*slot) {
		struct vmca_unwind_cache *c = calloc(1, sizeof(*c));
		if (!c)
			return &vmca_enomem;
		*slot = c;
	}
	struct vmca_unwind_cache *c = *slot;
	if (!c->is_ready) {
		c->is_ready = true;
		struct vmca_debuginfo_section header;
		c->is_v6_4 = vmca_error_consume(vmca_debuginfo_section(
			vmca_session_debuginfo(s), ".orc_header", &header));
		orc_layout(s, c);
		c->vmlinux_error = vmlinux_table(s, c);
		uint32_t regs;
		struct vmca_error *err = vmca_type(s, "struct pt_regs", &regs);
		if (!err) {
			c->pt_regs_size = vmca_type_sizeof(s, regs);
			for (int r = 0; r < VMCA_REG_NR; r++)
				c->pt_regs_offset[r] = -1;
			for (size_t i = 0;
			     !err && i < sizeof(pt_regs_members) /
						     sizeof(pt_regs_members[0]);
			     i++) {
				struct vmca_member m;
				err = vmca_type_member_path(
					s, regs, pt_regs_members[i].member, &m);
				if (!err)
					c->pt_regs_offset[pt_regs_members[i]
								  .reg] =
						(int32_t)(m.bit_offset / 8);
			}
		}
		if (!err && (c->pt_regs_size < 8 || c->pt_regs_size > 4096))
			err = vmca_error_create(VMCA_ERROR_INVALID,
						"struct pt_regs of %" PRIu64
						" bytes",
						c->pt_regs_size);
		if (err)
			c->error = vmca_error_wrap(err, "unwinding");
		// THREAD_SIZE is the size of union thread_union.
		if (vmca_error_consume(vmca_type_size(s, "union thread_union",
						      &c->thread_size)) ||
		    c->thread_size < 4096 || c->thread_size > (1u << 20))
			c->thread_size = 16384;
	}
	if (c->error)
		return vmca_error_create(c->error->code, "%s",
					 c->error->message);
	*ret = c;
	return NULL;
}

// A module's ORC tables, copied from its struct mod_arch_specific.
static struct vmca_error *module_table(struct vmca_session *s,
				       const struct vmca_unwind_cache *c,
				       const struct vmca_module *m,
				       struct orc_table *ret)
{
	uint32_t type;
	struct vmca_error *err = vmca_type(s, "struct module", &type);
	if (err)
		return err;
	struct vmca_value mod, num, ips, ents;
	uint64_t nr, ip_address, entries_address;
	vmca_value_init_reference(&mod, type, m->address);
	err = vmca_value_member(s, &mod, "arch.num_orcs", &num);
	if (!err)
		err = vmca_value_u64(s, &num, &nr);
	if (!err)
		err = vmca_value_member(s, &mod, "arch.orc_unwind_ip", &ips);
	if (!err)
		err = vmca_value_u64(s, &ips, &ip_address);
	if (!err)
		err = vmca_value_member(s, &mod, "arch.orc_unwind", &ents);
	if (!err)
		err = vmca_value_u64(s, &ents, &entries_address);
	if (err)
		return vmca_error_wrap(err, "module %s: ORC tables", m->name);
	if (nr == 0 || nr > (1u << 22))
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "module %s: %" PRIu64 " ORC entries",
					 m->name, nr);
	uint64_t size = c->layout.size;
	uint8_t *buf = malloc(nr * (4 + size));
	if (!buf)
		return &vmca_enomem;
	err = vmca_read(s, ip_address, buf, nr * 4);
	if (!err)
		err = vmca_read(s, entries_address, buf + nr * 4, nr * size);
	if (err) {
		free(buf);
		return vmca_error_wrap(err, "module %s: ORC tables", m->name);
	}
	*ret = (struct orc_table){
		.ip = buf,
		.entries = buf + nr * 4,
		.ip_address = ip_address,
		.nr = nr,
		.lo = 0,
		.hi = UINT64_MAX,
		.owned = buf,
	};
	return NULL;
}

static int32_t get_s32(const uint8_t *p)
{
	int32_t v;
	memcpy(&v, p, 4);
	return v;
}

static uint64_t table_ip(const struct orc_table *t, size_t i)
{
	return t->ip_address + 4 * i +
	       (uint64_t)(int64_t)get_s32(t->ip + 4 * i);
}

static uint64_t field(uint64_t word, struct orc_field f)
{
	return word >> f.bit_offset & ((UINT64_C(1) << f.bit_size) - 1);
}

static void decode(const struct vmca_unwind_cache *c, const uint8_t *p,
		   struct orc_entry *ret)
{
	const struct orc_layout *l = &c->layout;
	uint64_t word = 0;
	for (uint64_t i = 0; i < l->size; i++)
		word |= (uint64_t)p[i] << (8 * i); // x86_64: little-endian
	ret->sp_offset = (int16_t)field(word, l->sp_offset);
	ret->bp_offset = (int16_t)field(word, l->bp_offset);
	ret->sp_reg = (unsigned)field(word, l->sp_reg);
	ret->bp_reg = (unsigned)field(word, l->bp_reg);
	unsigned type = (unsigned)field(word, l->type);
	if (c->is_v6_4) {
		static const enum orc_type types[8] = {
			ORC_UNDEFINED, ORC_END_OF_STACK, ORC_CALL,
			ORC_REGS,      ORC_REGS_PARTIAL, ORC_UNDEFINED,
			ORC_UNDEFINED, ORC_UNDEFINED,
		};
		ret->type = types[type & 7];
	} else if (ret->sp_reg == ORC_REG_UNDEFINED) {
		// Before v6.4 an undefined sp_reg with "end" set marks the
		// end of the stack; without it, no information.
		ret->type = l->has_end && field(word, l->end) ? ORC_END_OF_STACK
							      : ORC_UNDEFINED;
	} else {
		static const enum orc_type types[4] = {
			ORC_CALL, ORC_REGS, ORC_REGS_PARTIAL, ORC_UNDEFINED};
		ret->type = types[type & 3];
	}
}

// The entry for the code at pc: the last whose ip is at or below it.
static bool table_find(const struct vmca_unwind_cache *c,
		       const struct orc_table *t, uint64_t pc,
		       struct orc_entry *ret)
{
	if (!t->nr || ((pc < t->lo || pc >= t->hi) &&
		       (pc < t->init_lo || pc >= t->init_hi)))
		return false;
	size_t lo = 0, hi = t->nr;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (table_ip(t, mid) <= pc)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return false;
	decode(c, t->entries + (lo - 1) * c->layout.size, ret);
	return true;
}

bool vmca_unwind_x86_64_orc_lookup(const uint8_t *ip, const uint8_t *entries,
				   size_t nr, uint64_t ip_address, uint64_t lo,
				   uint64_t hi, bool is_v6_4, uint64_t pc,
				   struct vmca_unwind_orc_entry *ret)
{
	struct vmca_unwind_cache c = {
		.is_v6_4 = is_v6_4,
		.layout = default_orc_layout(is_v6_4),
	};
	const struct orc_table t = {
		.ip = ip,
		.entries = entries,
		.ip_address = ip_address,
		.nr = nr,
		.lo = lo,
		.hi = hi,
	};
	struct orc_entry e;
	if (!table_find(&c, &t, pc, &e))
		return false;
	*ret = (struct vmca_unwind_orc_entry){
		.sp_offset = e.sp_offset,
		.bp_offset = e.bp_offset,
		.sp_reg = e.sp_reg,
		.bp_reg = e.bp_reg,
		.type = (int)e.type,
	};
	return true;
}

// The ORC entry for pc: vmlinux's table, or the module's holding pc.
static struct vmca_error *orc_find(struct vmca_session *s,
				   struct vmca_unwind_cache *c, uint64_t pc,
				   struct orc_entry *ret)
{
	const struct vmca_module *m = vmca_module_at(s, pc);
	if (!m) {
		if (c->vmlinux_error)
			return vmca_error_create(c->vmlinux_error->code, "%s",
						 c->vmlinux_error->message);
		if (!table_find(c, &c->vmlinux, pc, ret))
			return vmca_error_create(VMCA_ERROR_NOT_FOUND,
						 "no ORC entry for %#" PRIx64,
						 pc);
		return NULL;
	}
	struct module_orc *mo = NULL;
	for (size_t i = 0; i < c->nr_modules; i++)
		if (c->modules[i].module == m->address)
			mo = &c->modules[i];
	if (!mo) {
		struct module_orc *grown = realloc(
			c->modules, (c->nr_modules + 1) * sizeof(*grown));
		if (!grown)
			return &vmca_enomem;
		c->modules = grown;
		mo = &c->modules[c->nr_modules++];
		memset(mo, 0, sizeof(*mo));
		mo->module = m->address;
		mo->error = module_table(s, c, m, &mo->table);
	}
	if (mo->error)
		return vmca_error_create(mo->error->code, "%s",
					 mo->error->message);
	if (!table_find(c, &mo->table, pc, ret))
		return vmca_error_create(VMCA_ERROR_NOT_FOUND,
					 "no ORC entry for %#" PRIx64
					 " in module %s",
					 pc, m->name);
	return NULL;
}

static struct vmca_error *read_u64(struct vmca_session *s, uint64_t address,
				   uint64_t *ret)
{
	return vmca_read_u64(s, address, ret);
}

// The pt_regs at address: every register, or (partial) the iret frame's.
static struct vmca_error *read_pt_regs(struct vmca_session *s,
				       const struct vmca_unwind_cache *c,
				       uint64_t address, bool is_partial,
				       struct vmca_regs *ret)
{
	uint8_t buf[4096];
	uint64_t base = address;
	uint64_t size = c->pt_regs_size;
	int32_t ip_offset = c->pt_regs_offset[VMCA_REG_RIP];
	if (is_partial) {
		// Only ip, cs, flags, sp, ss were pushed: from ip on.
		base += (uint64_t)ip_offset;
		size -= (uint64_t)ip_offset;
	}
	struct vmca_error *err = vmca_read(s, base, buf, size);
	if (err)
		return vmca_error_wrap(err, "pt_regs at %#" PRIx64, address);
	memset(ret, 0, sizeof(*ret));
	for (int r = 0; r < VMCA_REG_NR; r++) {
		int32_t off = c->pt_regs_offset[r];
		if (off < 0)
			continue;
		if (is_partial) {
			if (off < ip_offset)
				continue;
			off -= ip_offset;
		}
		if ((uint64_t)off + 8 > size)
			continue;
		uint64_t v;
		memcpy(&v, buf + off, 8);
		if (r == VMCA_REG_CS || r == VMCA_REG_SS)
			v &= 0xffff;
		ret->value[r] = v;
		ret->is_set |= UINT64_C(1) << r;
	}
	return NULL;
}

static bool is_user_mode(const struct vmca_regs *r)
{
	return vmca_regs_has(r, VMCA_REG_CS) && (r->value[VMCA_REG_CS] & 3);
}

// Where ORC's sp_reg or bp_reg points, from the registers known here.
static bool base_register(const struct vmca_unwind_state *st, unsigned reg,
			  uint64_t *ret)
{
	static const enum vmca_reg map[] = {
		[ORC_REG_DX] = VMCA_REG_RDX,  [ORC_REG_DI] = VMCA_REG_RDI,
		[ORC_REG_BP] = VMCA_REG_RBP,  [ORC_REG_SP] = VMCA_REG_RSP,
		[ORC_REG_R10] = VMCA_REG_R10, [ORC_REG_R13] = VMCA_REG_R13,
	};
	if (reg >= sizeof(map) / sizeof(map[0]) || reg < ORC_REG_DX)
		return false;
	enum vmca_reg r = map[reg];
	// The caller-saved ones are known only from a full register set:
	// the starting one or a full pt_regs.
	if (r != VMCA_REG_RSP && r != VMCA_REG_RBP && st->is_partial_regs)
		return false;
	if (!vmca_regs_has(&st->regs, r))
		return false;
	*ret = st->regs.value[r];
	return true;
}

static const char *orc_reg_name(unsigned reg)
{
	static const char *const names[] = {
		"undefined", "prev_sp", "dx",  "di",	      "bp",
		"sp",	     "r10",	"r13", "bp_indirect", "sp_indirect",
	};
	return reg < sizeof(names) / sizeof(names[0]) ? names[reg] : "unknown";
}

static struct vmca_error *orc_step(struct vmca_session *s,
				   struct vmca_unwind_cache *c,
				   const struct orc_entry *orc,
				   struct vmca_unwind_state *st)
{
	uint64_t pc = st->pc, sp;
	switch (orc->type) {
	case ORC_UNDEFINED:
		return vmca_error_create(VMCA_ERROR_NOT_FOUND,
					 "the ORC entry for %#" PRIx64
					 " says nothing (undefined)",
					 pc);
	case ORC_END_OF_STACK:
		st->is_end = true;
		return NULL;
	default:
		break;
	}
	bool is_indirect = false;
	switch (orc->sp_reg) {
	case ORC_REG_SP:
		sp = st->sp + (uint64_t)(int64_t)orc->sp_offset;
		break;
	case ORC_REG_BP:
		if (!base_register(st, ORC_REG_BP, &sp))
			goto no_reg;
		sp += (uint64_t)(int64_t)orc->sp_offset;
		break;
	case ORC_REG_SP_INDIRECT:
		// (%rsp) + offset, since v5.12's "x86/unwind/orc: Change
		// REG_SP_INDIRECT" (no entry of v5.10's vmlinux uses it).
		sp = st->sp;
		is_indirect = true;
		break;
	case ORC_REG_BP_INDIRECT:
		if (!base_register(st, ORC_REG_BP, &sp))
			goto no_reg;
		sp += (uint64_t)(int64_t)orc->sp_offset;
		is_indirect = true;
		break;
	case ORC_REG_R10:
	case ORC_REG_R13:
	case ORC_REG_DI:
	case ORC_REG_DX:
		if (!base_register(st, orc->sp_reg, &sp))
			goto no_reg;
		break;
	default:
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "the ORC entry for %#" PRIx64
					 " has stack base %s",
					 pc, orc_reg_name(orc->sp_reg));
	}
	if (is_indirect) {
		struct vmca_error *err = read_u64(s, sp, &sp);
		if (err)
			return err;
		if (orc->sp_reg == ORC_REG_SP_INDIRECT)
			sp += (uint64_t)(int64_t)orc->sp_offset;
	}
	uint64_t cfa = sp;
	struct vmca_unwind_state next = {0};
	next.regs.source = st->regs.source;
	next.regs.cpu = st->regs.cpu;
	switch (orc->type) {
	case ORC_CALL: {
		uint64_t ra;
		struct vmca_error *err = read_u64(s, cfa - 8, &ra);
		if (err)
			return vmca_error_wrap(err, "return address");
		next.pc = ra;
		next.sp = cfa;
		break;
	}
	case ORC_REGS:
	case ORC_REGS_PARTIAL: {
		bool is_partial = orc->type == ORC_REGS_PARTIAL;
		uint64_t at =
			is_partial
				? cfa - (uint64_t)c
						  ->pt_regs_offset[VMCA_REG_RIP]
				: cfa;
		struct vmca_error *err =
			read_pt_regs(s, c, at, is_partial, &next.regs);
		if (err)
			return err;
		next.regs.source = st->regs.source;
		next.regs.cpu = st->regs.cpu;
		next.pc = next.regs.value[VMCA_REG_RIP];
		next.sp = next.regs.value[VMCA_REG_RSP];
		next.is_exact_pc = true;
		next.has_pt_regs = true;
		next.is_partial_regs = is_partial;
		next.regs_address = at;
		next.is_user = is_user_mode(&next.regs);
		break;
	}
	default:
		break;
	}
	// The caller's frame pointer.
	uint64_t bp = 0;
	bool has_bp = false;
	switch (orc->bp_reg) {
	case ORC_REG_UNDEFINED:
		if (next.has_pt_regs && !next.is_partial_regs) {
			bp = next.regs.value[VMCA_REG_RBP];
			has_bp = true;
		} else {
			has_bp = base_register(st, ORC_REG_BP, &bp);
		}
		break;
	case ORC_REG_PREV_SP: {
		struct vmca_error *err = read_u64(
			s, cfa + (uint64_t)(int64_t)orc->bp_offset, &bp);
		if (err)
			return vmca_error_wrap(err, "saved frame pointer");
		has_bp = true;
		break;
	}
	case ORC_REG_BP: {
		uint64_t old;
		if (!base_register(st, ORC_REG_BP, &old))
			goto no_reg;
		struct vmca_error *err = read_u64(
			s, old + (uint64_t)(int64_t)orc->bp_offset, &bp);
		if (err)
			return vmca_error_wrap(err, "saved frame pointer");
		has_bp = true;
		break;
	}
	default:
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "the ORC entry for %#" PRIx64
					 " has frame base %s",
					 pc, orc_reg_name(orc->bp_reg));
	}
	if (!next.has_pt_regs || next.is_partial_regs) {
		// A call or an iret frame restores no other register; the
		// callee-saved ones are unknown (CFI may tell, later).
		if (has_bp) {
			next.regs.value[VMCA_REG_RBP] = bp;
			next.regs.is_set |= UINT64_C(1) << VMCA_REG_RBP;
		}
		next.regs.value[VMCA_REG_RIP] = next.pc;
		next.regs.value[VMCA_REG_RSP] = next.sp;
		next.regs.is_set |= UINT64_C(1) << VMCA_REG_RIP |
				    UINT64_C(1) << VMCA_REG_RSP;
	}
	*st = next;
	return NULL;

no_reg:
	return vmca_error_create(VMCA_ERROR_NOT_FOUND,
				 "the ORC entry for %#" PRIx64
				 " needs %s, unknown in this frame",
				 pc, orc_reg_name(orc->sp_reg));
}

// Frame pointers (push %rbp; mov %rsp,%rbp): the saved %rbp at (%rbp),
// the return address above it.
static struct vmca_error *frame_pointer_step(struct vmca_session *s,
					     struct vmca_unwind_state *st)
{
	uint64_t bp;
	if (!vmca_regs_has(&st->regs, VMCA_REG_RBP) ||
	    (bp = st->regs.value[VMCA_REG_RBP]) < st->sp || bp & 7)
		return vmca_error_create(VMCA_ERROR_NOT_FOUND,
					 "no frame pointer above the stack "
					 "pointer");
	uint64_t saved[2];
	struct vmca_error *err = vmca_read(s, bp, saved, sizeof(saved));
	if (err)
		return vmca_error_wrap(err, "frame pointer chain");
	struct vmca_unwind_state next = {0};
	next.regs.source = st->regs.source;
	next.regs.cpu = st->regs.cpu;
	next.pc = saved[1];
	next.sp = bp + 16;
	next.regs.value[VMCA_REG_RBP] = saved[0];
	next.regs.value[VMCA_REG_RIP] = next.pc;
	next.regs.value[VMCA_REG_RSP] = next.sp;
	next.regs.is_set = UINT64_C(1) << VMCA_REG_RBP |
			   UINT64_C(1) << VMCA_REG_RIP |
			   UINT64_C(1) << VMCA_REG_RSP;
	*st = next;
	return NULL;
}

// x86_64's DWARF register numbers (the psABI), 16 the return address.
static const enum vmca_reg dwarf_regs[VMCA_DEBUGINFO_CFI_REGS] = {
	VMCA_REG_RAX, VMCA_REG_RDX, VMCA_REG_RCX, VMCA_REG_RBX, VMCA_REG_RSI,
	VMCA_REG_RDI, VMCA_REG_RBP, VMCA_REG_RSP, VMCA_REG_R8,	VMCA_REG_R9,
	VMCA_REG_R10, VMCA_REG_R11, VMCA_REG_R12, VMCA_REG_R13, VMCA_REG_R14,
	VMCA_REG_R15, VMCA_REG_RIP,
};

static bool is_callee_saved(enum vmca_reg r)
{
	return r == VMCA_REG_RBX || r == VMCA_REG_RBP || r == VMCA_REG_R12 ||
	       r == VMCA_REG_R13 || r == VMCA_REG_R14 || r == VMCA_REG_R15;
}

// DWARF CFI: the CFA from its rule, the return address and the saved
// registers from theirs.
static struct vmca_error *cfi_step(struct vmca_session *s,
				   struct vmca_unwind_state *st)
{
	uint64_t lookup = st->is_exact_pc ? st->pc : st->pc - 1;
	struct vmca_debuginfo *di;
	uint64_t address, bias;
	struct vmca_error *err =
		vmca_debuginfo_at(s, lookup, &di, &address, &bias);
	struct vmca_debuginfo_cfi_row row;
	if (!err)
		err = vmca_debuginfo_cfi(di, address, &row);
	if (err)
		return err;
	enum vmca_reg cfa_reg = dwarf_regs[row.cfa_reg];
	if (row.cfa_reg == 16 || !vmca_regs_has(&st->regs, cfa_reg))
		return vmca_error_create(VMCA_ERROR_NOT_FOUND,
					 "the CFI's CFA at %#" PRIx64
					 " needs %s, unknown in this frame",
					 lookup, vmca_reg_names[cfa_reg]);
	uint64_t cfa = st->regs.value[cfa_reg] + (uint64_t)row.cfa_offset;
	struct vmca_unwind_state next = {0};
	next.regs.source = st->regs.source;
	next.regs.cpu = st->regs.cpu;
	for (uint32_t col = 0; col < VMCA_DEBUGINFO_CFI_REGS; col++) {
		enum vmca_reg r = dwarf_regs[col];
		const struct vmca_debuginfo_cfi_rule *rule = &row.regs[col];
		uint64_t v;
		bool is_known = false;
		switch (rule->kind) {
		case VMCA_CFI_SAME:
			// Only the callee-saved ones survive a call.
			if (is_callee_saved(r) && vmca_regs_has(&st->regs, r)) {
				v = st->regs.value[r];
				is_known = true;
			}
			break;
		case VMCA_CFI_OFFSET:
			err = read_u64(s, cfa + (uint64_t)rule->offset, &v);
			if (err)
				return vmca_error_wrap(err, "CFI: saved %s",
						       vmca_reg_names[r]);
			is_known = true;
			break;
		case VMCA_CFI_VAL_OFFSET:
			v = cfa + (uint64_t)rule->offset;
			is_known = true;
			break;
		case VMCA_CFI_REGISTER:
			if (rule->reg < VMCA_DEBUGINFO_CFI_REGS &&
			    vmca_regs_has(&st->regs, dwarf_regs[rule->reg])) {
				v = st->regs.value[dwarf_regs[rule->reg]];
				is_known = true;
			}
			break;
		default:
			break;
		}
		if (is_known && r != VMCA_REG_RSP) {
			next.regs.value[r] = v;
			next.regs.is_set |= UINT64_C(1) << r;
		}
	}
	if (!vmca_regs_has(&next.regs, VMCA_REG_RIP))
		return vmca_error_create(VMCA_ERROR_NOT_FOUND,
					 "the CFI at %#" PRIx64
					 " does not say where the return "
					 "address is",
					 lookup);
	next.pc = next.regs.value[VMCA_REG_RIP];
	next.sp = cfa;
	next.regs.value[VMCA_REG_RSP] = cfa;
	next.regs.is_set |= UINT64_C(1) << VMCA_REG_RSP;
	*st = next;
	return NULL;
}

static bool x86_64_dwarf_register(unsigned regno, enum vmca_reg *ret)
{
	if (regno >= 16)
		return false;
	*ret = dwarf_regs[regno];
	return true;
}

// After an ORC step (which restores only rsp, rip and rbp): the caller's
// callee-saved registers from the callee's CFI, where it saved them.
static void recover_saved(struct vmca_session *s,
			  const struct vmca_unwind_state *callee,
			  struct vmca_unwind_state *caller)
{
	uint64_t lookup = callee->is_exact_pc ? callee->pc : callee->pc - 1;
	struct vmca_debuginfo *di;
	uint64_t address, bias;
	if (!vmca_error_consume(
		    vmca_debuginfo_at(s, lookup, &di, &address, &bias)))
		return;
	struct vmca_debuginfo_cfi_row row;
	if (!vmca_error_consume(vmca_debuginfo_cfi(di, address, &row)) ||
	    row.cfa_reg >= 16 ||
	    !vmca_regs_has(&callee->regs, dwarf_regs[row.cfa_reg]))
		return;
	uint64_t cfa = callee->regs.value[dwarf_regs[row.cfa_reg]] +
		       (uint64_t)row.cfa_offset;
	if (cfa != caller->sp)
		return; // CFI and ORC disagree: trust neither's registers
	for (uint32_t col = 0; col < 16; col++) {
		enum vmca_reg r = dwarf_regs[col];
		if (!is_callee_saved(r) || vmca_regs_has(&caller->regs, r))
			continue;
		const struct vmca_debuginfo_cfi_rule *rule = &row.regs[col];
		uint64_t v;
		if (rule->kind == VMCA_CFI_OFFSET) {
			if (!vmca_error_consume(read_u64(
				    s, cfa + (uint64_t)rule->offset, &v)))
				continue;
		} else if (rule->kind == VMCA_CFI_SAME &&
			   vmca_regs_has(&callee->regs, r)) {
			v = callee->regs.value[r];
		} else {
			continue;
		}
		caller->regs.value[r] = v;
		caller->regs.is_set |= UINT64_C(1) << r;
	}
}

static struct vmca_error *x86_64_step(struct vmca_session *s,
				      struct vmca_unwind_state *st,
				      enum vmca_unwinder *how_ret)
{
	struct vmca_unwind_cache *c;
	struct vmca_error *err = cache_get(s, &c);
	if (err)
		return err;
	struct orc_entry orc;
	uint64_t lookup = st->is_exact_pc ? st->pc : st->pc - 1;
	if (st->pc == 0) {
		// A call through a NULL function pointer: nothing ran at 0,
		// the return address the call pushed is on top of the stack
		// (the kernel's own unwinder's null_orc_entry).
		orc = (struct orc_entry){
			.sp_offset = 8,
			.sp_reg = ORC_REG_SP,
			.bp_reg = ORC_REG_UNDEFINED,
			.type = ORC_CALL,
		};
		*how_ret = VMCA_UNWINDER_ORC;
		return orc_step(s, c, &orc, st);
	}
	err = orc_find(s, c, lookup, &orc);
	if (!err && orc.type != ORC_UNDEFINED) {
		*how_ret = VMCA_UNWINDER_ORC;
		struct vmca_unwind_state callee = *st;
		err = orc_step(s, c, &orc, st);
		if (!err && callee.wants_registers && !st->has_pt_regs &&
		    !st->is_end)
			recover_saved(s, &callee, st);
		return err;
	}
	if (!err)
		err = vmca_error_create(VMCA_ERROR_NOT_FOUND,
					"the ORC entry for %#" PRIx64
					" says nothing (undefined)",
					lookup);
	if (err->code != VMCA_ERROR_NOT_FOUND)
		return err;
	// ORC has nothing here: DWARF CFI, then frame pointers.
	struct vmca_error *cfi = cfi_step(s, st);
	if (!cfi) {
		vmca_error_destroy(err);
		*how_ret = VMCA_UNWINDER_CFI;
		return NULL;
	}
	struct vmca_error *fp = frame_pointer_step(s, st);
	if (!fp) {
		vmca_error_destroy(err);
		vmca_error_destroy(cfi);
		*how_ret = VMCA_UNWINDER_FRAME_POINTER;
		return NULL;
	}
	struct vmca_error *all =
		vmca_error_create(VMCA_ERROR_NOT_FOUND, "%s; %s; %s",
				  err->message, cfi->message, fp->message);
	vmca_error_destroy(err);
	vmca_error_destroy(cfi);
	vmca_error_destroy(fp);
	return all;
}

// A per-CPU pointer: the variable, or the member of pcpu_hot it moved to
// in v6.2.
static bool percpu_pointer(struct vmca_session *s, const char *name,
			   uint32_t cpu, uint64_t *ret)
{
	struct vmca_variable v;
	struct vmca_value val, m;
	if (vmca_error_consume(vmca_percpu_variable(s, name, cpu, &v))) {
		vmca_value_init_reference(&val, v.type, v.address);
		return vmca_error_consume(vmca_value_u64(s, &val, ret));
	}
	if (!vmca_error_consume(vmca_percpu_variable(s, "pcpu_hot", cpu, &v)))
		return false;
	vmca_value_init_reference(&val, v.type, v.address);
	return vmca_error_consume(vmca_value_member(s, &val, name, &m)) &&
	       vmca_error_consume(vmca_value_u64(s, &m, ret));
}

static void add_stack(struct vmca_stack *stacks, size_t *nr, const char *name,
		      uint64_t start, uint64_t end)
{
	if (*nr < VMCA_UNWIND_MAX_STACKS && start < end)
		stacks[(*nr)++] = (struct vmca_stack){name, start, end};
}

static struct vmca_error *x86_64_stacks(struct vmca_session *s, uint64_t task,
					int64_t cpu, struct vmca_stack *stacks,
					size_t *nr_ret)
{
	struct vmca_unwind_cache *c;
	struct vmca_error *err = cache_get(s, &c);
	if (err)
		return err;
	size_t nr = 0;
	uint32_t task_type;
	err = vmca_type(s, "struct task_struct", &task_type);
	struct vmca_value t, st;
	uint64_t stack = 0;
	if (!err) {
		vmca_value_init_reference(&t, task_type, task);
		err = vmca_value_member(s, &t, "stack", &st);
	}
	if (!err)
		err = vmca_value_u64(s, &st, &stack);
	if (err)
		return vmca_error_wrap(err, "task %#" PRIx64 ": its stack",
				       task);
	add_stack(stacks, &nr, "task", stack, stack + c->thread_size);
	if (cpu >= 0) {
		uint64_t top, size;
		if (percpu_pointer(s, "hardirq_stack_ptr", (uint32_t)cpu,
				   &top) &&
		    top) {
			if (vmca_error_consume(vmca_type_size(
				    s, "struct irq_stack", &size)) ||
			    size < 4096 || size > (1u << 20))
				size = 16384;
			// It points at the top, or 8 below it (v5.10).
			uint64_t page = vmca_session_page_size(s);
			uint64_t end = (top + page - 1) & ~(page - 1);
			add_stack(stacks, &nr, "irq", end - size, end);
		}
		uint64_t cea;
		uint32_t cea_type;
		if (percpu_pointer(s, "cea_exception_stacks", (uint32_t)cpu,
				   &cea) &&
		    cea &&
		    vmca_error_consume(vmca_type(
			    s, "struct cea_exception_stacks", &cea_type))) {
			static const struct {
				const char *member, *name;
			} ist[] = {
				{"DF_stack", "double_fault"},
				{"NMI_stack", "nmi"},
				{"DB_stack", "debug"},
				{"MCE_stack", "mce"},
				{"VC_stack", "vc"},
				{"VC2_stack", "vc2"},
			};
			for (size_t i = 0; i < sizeof(ist) / sizeof(ist[0]);
			     i++) {
				struct vmca_member m;
				if (!vmca_error_consume(vmca_type_member_path(
					    s, cea_type, ist[i].member, &m)))
					continue;
				uint64_t sz = vmca_type_sizeof(s, m.type);
				uint64_t start = cea + m.bit_offset / 8;
				add_stack(stacks, &nr, ist[i].name, start,
					  start + sz);
			}
		}
	}
	*nr_ret = nr;
	return NULL;
}

const struct vmca_unwind_arch vmca_unwind_arch_x86_64 = {
	.machine = "x86_64",
	.stacks = x86_64_stacks,
	.step = x86_64_step,
	.is_user = is_user_mode,
	.dwarf_register = x86_64_dwarf_register,
};

// SPDX-License-Identifier: MIT
/** @file Register sets: the dump's notes per CPU, saved contexts per task. */
#include <string.h>

#include "vmca.h"

// libkdumpfile's names for the NT_PRSTATUS registers, as vmca names them.
const char *const vmca_reg_names[VMCA_REG_NR] = {
	"rax", "rbx",	 "rcx", "rdx", "rsi",	  "rdi",     "rbp", "rsp",
	"r8",  "r9",	 "r10", "r11", "r12",	  "r13",     "r14", "r15",
	"rip", "rflags", "cs",	"ss",  "fs_base", "gs_base",
};

uint32_t vmca_regs_nr_cpus(struct vmca_session *s)
{
	return vmca_memory_nr_cpus(vmca_session_memory(s));
}

struct vmca_error *vmca_regs_cpu(struct vmca_session *s, uint32_t cpu,
				 struct vmca_regs *ret, int64_t *pid_ret)
{
	struct vmca_regs r;
	memset(&r, 0, sizeof(r));
	int64_t pid;
	struct vmca_error *err = vmca_memory_cpu_regs(
		vmca_session_memory(s), cpu, vmca_reg_names, VMCA_REG_NR,
		r.value, &r.is_set, &pid);
	if (err)
		return err;
	r.source = VMCA_REGS_CPU_NOTES;
	r.cpu = cpu;
	*ret = r;
	if (pid_ret)
		*pid_ret = pid;
	return NULL;
}

int64_t vmca_regs_task_cpu(struct vmca_session *s, uint64_t task)
{
	uint32_t nr;
	if (!vmca_error_consume(vmca_nr_cpu_ids(s, &nr)))
		return -1;
	struct vmca_field curr;
	bool has_field = false;
	for (uint32_t cpu = 0; cpu < nr; cpu++) {
		struct vmca_variable rq;
		if (!vmca_error_consume(
			    vmca_percpu_variable(s, "runqueues", cpu, &rq)))
			continue;
		if (!has_field) {
			if (!vmca_error_consume(
				    vmca_field_init(s, rq.type, "curr", &curr)))
				return -1;
			has_field = true;
		}
		struct vmca_value v, c;
		uint64_t p;
		vmca_value_init_reference(&v, rq.type, rq.address);
		if (vmca_error_consume(vmca_value_field(s, &v, &curr, &c)) &&
		    vmca_error_consume(vmca_value_u64(s, &c, &p)) && p == task)
			return cpu;
	}
	return -1;
}

uint32_t vmca_regs_task_last_cpu(struct vmca_session *s, uint64_t task)
{
	uint32_t task_type;
	if (!vmca_error_consume(vmca_type(s, "struct task_struct", &task_type)))
		return 0;
	struct vmca_value t, cpu;
	vmca_value_init_reference(&t, task_type, task);
	uint64_t c;
	if ((vmca_error_consume(
		     vmca_value_member(s, &t, "thread_info.cpu", &cpu)) ||
	     vmca_error_consume(vmca_value_member(s, &t, "cpu", &cpu))) &&
	    vmca_error_consume(vmca_value_u64(s, &cpu, &c)))
		return (uint32_t)c;
	return 0;
}

// A task off its CPU: __switch_to_asm pushed the callee-saved registers
// and the return address into __schedule as a struct inactive_task_frame
// at thread.sp (x86_64, since commit 0100301bfdf5 ("sched/x86: Rewrite
// the switch_to() code") (v4.9)).
static struct vmca_error *saved_context(struct vmca_session *s, uint64_t task,
					struct vmca_regs *ret)
{
	struct vmca_value t, sp;
	uint32_t task_type;
	struct vmca_error *err = vmca_type(s, "struct task_struct", &task_type);
	if (err)
		return err;
	vmca_value_init_reference(&t, task_type, task);
	err = vmca_value_member(s, &t, "thread.sp", &sp);
	uint64_t frame;
	if (!err)
		err = vmca_value_u64(s, &sp, &frame);
	if (err)
		return vmca_error_wrap(err, "task %#" PRIx64 ": thread.sp",
				       task);
	static const struct {
		const char *member;
		enum vmca_reg reg;
	} saved[] = {
		{"r15", VMCA_REG_R15},	    {"r14", VMCA_REG_R14},
		{"r13", VMCA_REG_R13},	    {"r12", VMCA_REG_R12},
		{"bx", VMCA_REG_RBX},	    {"bp", VMCA_REG_RBP},
		{"ret_addr", VMCA_REG_RIP},
	};
	uint32_t frame_type;
	err = vmca_type(s, "struct inactive_task_frame", &frame_type);
	if (err)
		return err;
	struct vmca_regs r;
	memset(&r, 0, sizeof(r));
	struct vmca_value f;
	vmca_value_init_reference(&f, frame_type, frame);
	for (size_t i = 0; i < sizeof(saved) / sizeof(saved[0]); i++) {
		struct vmca_value m;
		err = vmca_value_member(s, &f, saved[i].member, &m);
		if (!err)
			err = vmca_value_u64(s, &m, &r.value[saved[i].reg]);
		if (err)
			return vmca_error_wrap(err,
					       "task %#" PRIx64
					       ": saved context at %#" PRIx64,
					       task, frame);
		r.is_set |= UINT64_C(1) << saved[i].reg;
		// The stack as it is after the return to __schedule.
		if (saved[i].reg == VMCA_REG_RIP) {
			struct vmca_member ra;
			err = vmca_type_member_path(s, frame_type, "ret_addr",
						    &ra);
			if (err)
				return err;
			r.value[VMCA_REG_RSP] = frame + ra.bit_offset / 8 + 8;
			r.is_set |= UINT64_C(1) << VMCA_REG_RSP;
		}
	}
	r.cpu = vmca_regs_task_last_cpu(s, task);
	r.source = VMCA_REGS_SAVED_CONTEXT;
	*ret = r;
	return NULL;
}

struct vmca_error *vmca_regs_task(struct vmca_session *s, uint64_t task,
				  struct vmca_regs *ret)
{
	int64_t cpu = vmca_regs_task_cpu(s, task);
	if (cpu >= 0) {
		struct vmca_error *err =
			vmca_regs_cpu(s, (uint32_t)cpu, ret, NULL);
		if (!err)
			return NULL;
		vmca_error_destroy(err);
	}
	return saved_context(s, task, ret);
}

// SPDX-License-Identifier: MIT
/**
 * @file The types of the kernel's global variables, when the types came
 * from BTF: BTF describes every type but no variable (its VARs are the
 * per-CPU ones), so the variables vmca's walks read are declared here, as
 * the kernel declares them. An array's length is its symbol's size over
 * its element's (the symbol table is the kernel's own word); a variable
 * of an anonymous struct type names the struct by its members.
 */
#include <inttypes.h>
#include <string.h>

#include "../dwarf/debuginfo.h"
#include "type.h"
#include "vmca.h"

struct kernel_var {
	const char *name;
	/**
	 * A type name as vmca_type() takes it, then "*" (a pointer to it),
	 * "[]" (an array of it, as long as the symbol) or "*[]" (an array
	 * of pointers); or "{a,b}": the anonymous struct whose members
	 * are a and b.
	 */
	const char *type;
};

static const struct kernel_var kernel_vars[] = {
	// Per-CPU variables are BTF VARs from pahole 1.18 on, but not in
	// Debian 11's 5.10 BTF.
	{"cea_exception_stacks", "struct cea_exception_stacks *"},
	{"current_task", "struct task_struct *"},
	{"hardirq_stack_ptr", "struct irq_stack *"},
	{"pcpu_hot", "struct pcpu_hot"},
	{"rcu_data", "struct rcu_data"},
	{"runqueues", "struct rq"},
	// The rest, in the order of their names.
	{"__cpu_online_mask", "struct cpumask"},
	{"__cpu_possible_mask", "struct cpumask"},
	{"__cpu_present_mask", "struct cpumask"},
	{"__kfence_pool", "char *"},
	{"__pgtable_l5_enabled", "unsigned int"},
	{"_totalram_pages", "atomic_long_t"},
	{"blockdev_superblock", "struct super_block *"},
	{"crashk_res", "struct resource"},
	{"cred_jar", "struct kmem_cache *"},
	{"default_hstate_idx", "unsigned int"},
	{"direct_gbpages", "int"},
	{"direct_pages_count", "unsigned long []"},
	{"files_cachep", "struct kmem_cache *"},
	{"filp_cachep", "struct kmem_cache *"},
	{"hstates", "struct hstate []"},
	{"hugetlb_max_hstate", "int"},
	{"init_ipc_ns", "struct ipc_namespace"},
	{"init_mm", "struct mm_struct"},
	{"init_pid_ns", "struct pid_namespace"},
	{"init_task", "struct task_struct"},
	{"init_user_ns", "struct user_namespace"},
	{"init_uts_ns", "struct uts_namespace"},
	{"iomem_resource", "struct resource"},
	{"jiffies", "unsigned long"},
	{"jiffies_64", "u64"},
	{"kfence_metadata", "struct kfence_metadata *"},
	{"log_buf", "char *"},
	{"log_buf_len", "u32"},
	{"log_first_idx", "u32"},
	{"log_first_seq", "u64"},
	{"log_next_idx", "u32"},
	{"log_next_seq", "u64"},
	{"max_pfn", "unsigned long"},
	{"mm_cachep", "struct kmem_cache *"},
	{"modules", "struct list_head"},
	{"node_data", "struct pglist_data *[]"},
	{"node_states", "nodemask_t []"},
	{"nr_cpu_ids", "unsigned int"},
	{"nr_node_ids", "unsigned int"},
	{"nr_swap_pages", "atomic_long_t"},
	{"nr_swapfiles", "unsigned int"},
	{"nr_swapper_spaces", "unsigned int []"},
	{"nr_vmalloc_pages", "atomic_long_t"},
	{"num_poisoned_pages", "atomic_long_t"},
	{"page_offset_base", "unsigned long"},
	{"panic_cpu", "atomic_t"},
	{"pcpu_nr_populated", "unsigned long"},
	{"pcpu_nr_units", "int"},
	{"pid_ns_cachep", "struct kmem_cache *"},
	{"prb", "struct printk_ringbuffer *"},
	{"signal_cachep", "struct kmem_cache *"},
	{"slab_caches", "struct list_head"},
	{"super_blocks", "struct list_head"},
	{"swap_info", "struct swap_info_struct *[]"},
	{"swapper_spaces", "struct address_space *[]"},
	{"sysctl_overcommit_kbytes", "unsigned long"},
	{"sysctl_overcommit_ratio", "int"},
	{"taint_flags", "struct taint_flag []"},
	{"task_struct_cachep", "struct kmem_cache *"},
	{"tick_nsec", "unsigned long"},
	{"tk_core", "{seq,timekeeper}"},
	{"total_swap_pages", "long"},
	{"totalreserve_pages", "unsigned long"},
	{"user_ns_cachep", "struct kmem_cache *"},
	{"vm_committed_as", "struct percpu_counter"},
	{"vm_node_stat", "atomic_long_t []"},
	{"vm_zone_stat", "atomic_long_t []"},
	{"vmap_area_list", "struct list_head"},
	{"vmap_area_root", "struct rb_root"},
	{"vmemmap_base", "unsigned long"},
	{"vsyscall_mode", "enum vsyscall_mode"},
	{"zswap_pools", "struct list_head"},
};

// The anonymous struct whose members are named as in "{a,b}".
static struct vmca_error *anonymous_struct(struct vmca_session *s,
					   const char *spec, const char *name,
					   uint32_t *ret)
{
	struct vmca_debuginfo *di = vmca_session_debuginfo(s);
	uint32_t n = vmca_debuginfo_nr_types(di);
	for (uint32_t id = 1; id < n; id++) {
		struct vmca_type t;
		vmca_debuginfo_type(di, id, &t);
		if (t.kind != VMCA_TYPE_STRUCT || t.name)
			continue;
		const char *p = spec + 1;
		uint32_t i = 0;
		for (; i < t.count; i++) {
			struct vmca_member m;
			vmca_debuginfo_member(di, id, i, &m);
			size_t len = strcspn(p, ",}");
			if (!m.name || strlen(m.name) != len ||
			    memcmp(m.name, p, len) != 0)
				break;
			p += len + (p[len] == ',');
		}
		if (i == t.count && *p == '}') {
			*ret = id;
			return NULL;
		}
	}
	return vmca_error_create(VMCA_ERROR_NOT_FOUND,
				 "variable '%s': no struct %s in the BTF", name,
				 spec);
}

struct vmca_error *vmca_kernel_variable_type(struct vmca_session *s,
					     const char *name, uint32_t *ret)
{
	const struct kernel_var *v = NULL;
	for (size_t i = 0; i < sizeof(kernel_vars) / sizeof(kernel_vars[0]);
	     i++) {
		if (strcmp(kernel_vars[i].name, name) == 0) {
			v = &kernel_vars[i];
			break;
		}
	}
	if (!v)
		return vmca_error_create(
			VMCA_ERROR_NOT_FOUND,
			"variable '%s' not found (BTF describes no global "
			"variable: its type needs the vmlinux's DWARF)",
			name);
	if (v->type[0] == '{')
		return anonymous_struct(s, v->type, name, ret);
	char base[64];
	size_t len = strcspn(v->type, "*[");
	while (len && v->type[len - 1] == ' ')
		len--;
	if (len >= sizeof(base))
		len = sizeof(base) - 1;
	memcpy(base, v->type, len);
	base[len] = '\0';
	const char *rest = v->type + len;
	uint32_t type;
	struct vmca_error *err = vmca_type(s, base, &type);
	if (err)
		return vmca_error_wrap(err, "the type of variable '%s'", name);
	if (strchr(rest, '*')) {
		err = vmca_type_pointer_to(s, type, &type);
		if (err)
			return err;
	}
	if (strstr(rest, "[]")) {
		struct vmca_symbol sym;
		err = vmca_symbol_by_name(s, name, &sym);
		if (err)
			return err;
		uint64_t size = vmca_type_sizeof(s, type);
		if (!size || sym.size % size)
			return vmca_error_create(
				VMCA_ERROR_INVALID,
				"variable '%s': its symbol's %" PRIu64
				" bytes are no whole number of %s",
				name, sym.size, base);
		err = vmca_type_array_of(s, type, sym.size / size, &type);
		if (err)
			return err;
	}
	*ret = type;
	return NULL;
}

// SPDX-License-Identifier: MIT
/** @file Kernel data helpers: list walks, per-CPU data, address spaces. */
#include <string.h>

#include "vmca.h"

// x86_64 defaults when the kernel has no KASLR'd variables for them.
#define X86_64_START_KERNEL_MAP UINT64_C(0xffffffff80000000)
#define X86_64_PAGE_OFFSET	UINT64_C(0xffff888000000000)
#define X86_64_VMEMMAP_START	UINT64_C(0xffffea0000000000)
#define X86_64_DIRECT_MAP_BYTES (UINT64_C(1) << 46)

struct vmca_error *vmca_list_walk(
	struct vmca_session *s, uint64_t head, uint64_t max,
	struct vmca_error *(*fn)(struct vmca_session *, uint64_t, void *),
	void *arg)
{
	// Brent's cycle detection: a saved node, re-saved at powers of two;
	// meeting it again without passing head means a loop.
	uint64_t saved = head, power = 1, lambda = 0;
	uint64_t prev = head, node;
	struct vmca_error *err = vmca_read_u64(s, head, &node);
	if (err)
		return vmca_error_wrap(err, "list at %#" PRIx64, head);
	for (uint64_t n = 0; node != head; n++) {
		if (n >= max)
			return vmca_error_create(VMCA_ERROR_INVALID,
						 "list at %#" PRIx64
						 ": more than %" PRIu64
						 " entries, giving up",
						 head, max);
		if (node == saved)
			return vmca_error_create(VMCA_ERROR_INVALID,
						 "list at %#" PRIx64
						 ": cycle at %#" PRIx64
						 " not through the head",
						 head, node);
		if (++lambda == power) {
			saved = node;
			power *= 2;
			lambda = 0;
		}
		uint64_t next, back;
		err = vmca_read_u64(s, node, &next);
		if (!err)
			err = vmca_read_u64(s, node + 8, &back);
		if (err)
			return vmca_error_wrap(err,
					       "list at %#" PRIx64
					       ": broken link after %#" PRIx64,
					       head, prev);
		if (back != prev)
			return vmca_error_create(
				VMCA_ERROR_INVALID,
				"list at %#" PRIx64 ": broken link: %#" PRIx64
				"->prev is %#" PRIx64 ", expected %#" PRIx64,
				head, node, back, prev);
		err = fn(s, node, arg);
		if (err)
			return err;
		prev = node;
		node = next;
	}
	return NULL;
}

static uint64_t read_var_or(struct vmca_session *s, const char *name,
			    uint64_t fallback)
{
	struct vmca_variable v;
	uint64_t value;
	struct vmca_error *err = vmca_variable(s, name, &v);
	if (!err)
		err = vmca_read_u64(s, v.address, &value);
	if (err) {
		vmca_error_destroy(err);
		return fallback;
	}
	return value;
}

uint64_t vmca_page_offset(struct vmca_session *s)
{
	return read_var_or(s, "page_offset_base", X86_64_PAGE_OFFSET);
}

uint64_t vmca_vmemmap(struct vmca_session *s)
{
	return read_var_or(s, "vmemmap_base", X86_64_VMEMMAP_START);
}

struct vmca_error *vmca_virt_to_phys(struct vmca_session *s, uint64_t vaddr,
				     uint64_t *ret)
{
	uint64_t page_offset = vmca_page_offset(s);
	if (vaddr >= page_offset &&
	    vaddr - page_offset < X86_64_DIRECT_MAP_BYTES) {
		*ret = vaddr - page_offset;
		return NULL;
	}
	// Anything else (kernel image, vmalloc, modules): the page tables.
	struct vmca_vtop v;
	struct vmca_error *err = vmca_vtop(s, vaddr, &v);
	if (err)
		return err;
	*ret = v.paddr;
	return NULL;
}

uint64_t vmca_phys_to_virt(struct vmca_session *s, uint64_t paddr)
{
	return vmca_page_offset(s) + paddr;
}

struct vmca_error *vmca_page_size_of_struct(struct vmca_session *s,
					    uint64_t *ret)
{
	return vmca_type_size(s, "struct page", ret);
}

struct vmca_error *vmca_pfn_to_page(struct vmca_session *s, uint64_t pfn,
				    uint64_t *ret)
{
	uint64_t size;
	struct vmca_error *err = vmca_page_size_of_struct(s, &size);
	if (err)
		return err;
	*ret = vmca_vmemmap(s) + pfn * size;
	return NULL;
}

struct vmca_error *vmca_page_to_pfn(struct vmca_session *s, uint64_t page,
				    uint64_t *ret)
{
	uint64_t size;
	struct vmca_error *err = vmca_page_size_of_struct(s, &size);
	if (err)
		return err;
	uint64_t base = vmca_vmemmap(s);
	if (page < base || !size || (page - base) % size)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "%#" PRIx64 " is not a struct page",
					 page);
	*ret = (page - base) / size;
	return NULL;
}

struct vmca_error *vmca_nr_cpu_ids(struct vmca_session *s, uint32_t *ret)
{
	struct vmca_variable v;
	struct vmca_error *err = vmca_variable(s, "nr_cpu_ids", &v);
	uint32_t n;
	if (!err)
		err = vmca_read_u32(s, v.address, &n);
	if (err)
		return err;
	if (n == 0 || n > VMCA_MAX_CPUS)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "nr_cpu_ids %u is implausible", n);
	*ret = n;
	return NULL;
}

struct vmca_error *vmca_cpu_in_mask(struct vmca_session *s,
				    const char *mask_name, uint32_t cpu,
				    bool *ret)
{
	struct vmca_variable v;
	struct vmca_error *err = vmca_variable(s, mask_name, &v);
	if (err)
		return err;
	uint64_t word;
	err = vmca_read_u64(s, v.address + (cpu / 64) * 8, &word);
	if (err)
		return err;
	*ret = word >> (cpu % 64) & 1;
	return NULL;
}

struct vmca_error *vmca_percpu_offset(struct vmca_session *s, uint32_t cpu,
				      uint64_t *ret)
{
	uint64_t base;
	struct vmca_error *err =
		vmca_symbol_address(s, "__per_cpu_offset", &base);
	if (err)
		return err;
	if (cpu >= VMCA_MAX_CPUS)
		return vmca_error_create(VMCA_ERROR_INVALID, "cpu %u", cpu);
	return vmca_read_u64(s, base + 8 * (uint64_t)cpu, ret);
}

struct vmca_error *vmca_percpu_variable(struct vmca_session *s,
					const char *name, uint32_t cpu,
					struct vmca_variable *ret)
{
	struct vmca_variable v;
	struct vmca_error *err = vmca_variable(s, name, &v);
	if (err)
		return err;
	// Per-CPU symbols are offsets into the per-CPU area: relative to
	// __per_cpu_start (0 on x86_64 SMP) and not relocated by KASLR.
	uint64_t offset;
	err = vmca_percpu_offset(s, cpu, &offset);
	if (err)
		return err;
	uint64_t start = 0;
	struct vmca_error *e =
		vmca_symbol_address(s, "__per_cpu_start", &start);
	if (e) {
		vmca_error_destroy(e);
		start = vmca_session_kaslr_offset(s);
	}
	ret->address = v.address - start + offset;
	ret->type = v.type;
	return NULL;
}

// SPDX-License-Identifier: MIT
/** @file Address spaces: a task's VMAs as /proc/PID/maps, mm counters. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "task.h"
#include "vm.h"
#include "vmca.h"
#include "util/hash_map.h"
#include "util/text.h"

// include/linux/mm.h's vm_flags bits, the same 5.10 to 6.12 (#defines).
#define VM_READ	    0x1u
#define VM_WRITE    0x2u
#define VM_EXEC	    0x4u
#define VM_MAYSHARE 0x80u
#define VM_HUGETLB  0x00400000u
// include/linux/sched.h's PF_KTHREAD.
#define PF_KTHREAD 0x00200000u
// arch/x86/include/asm/mmu.h: MM_CONTEXT_HAS_VSYSCALL, a mask (v5.10)
// and a bit number 1 (since v6.4, test_bit()): the same bit.
#define MM_CONTEXT_HAS_VSYSCALL_MASK 0x2u
// include/linux/page-flags.h: page->mapping's low bit marks anon (and
// KSM) pages; page->compound_head's a tail page.
#define PAGE_MAPPING_ANON 0x1u
// x86 page table entries (arch/x86/include/asm/pgtable_types.h).
#define PTE_PRESENT    (UINT64_C(1) << 0)
#define PTE_PSE	       (UINT64_C(1) << 7)
#define PTE_PROTNONE   (UINT64_C(1) << 8)
#define PTE_SPECIAL    (UINT64_C(1) << 9)
#define PTE_PFN_MASK   UINT64_C(0x000ffffffffff000)
#define PTRS_PER_TABLE 512
#define PAGE_SHIFT     12

// Bounds on untrusted input: sysctl vm.max_map_count is 65530 by
// default, a path is at most PATH_MAX with components of NAME_MAX.
#define MAX_VMAS     (UINT64_C(1) << 22)
#define MAX_DEPTH    256
#define NAME_MAX     255
#define PATH_MAX     4096
#define VMA_MAX_SIZE 512
#define MAX_TASKS    (UINT64_C(1) << 22)

/* Layouts, resolved once per call. */

struct field {
	uint64_t offset, size;
	bool is_present;
};

struct layout {
	uint32_t page_shift;
	// task_struct, signal_struct
	struct field t_pid, t_tgid, t_flags, t_mm, t_comm, t_signal,
		t_group_leader, t_fs, sig_nr_threads;
	// mm_struct
	struct field mm_map_count, mm_total_vm, mm_start_brk, mm_brk,
		mm_start_stack, mm_pgd, mm_mt, mm_mmap, mm_context_flags;
	bool is_percpu_rss;
	struct field mm_rss[4];
	int64_t counter_index[4]; // MM_FILEPAGES, ANON, SWAPENTS, SHMEM
	// vm_area_struct
	uint64_t vma_size;
	struct field vma_start, vma_end, vma_flags, vma_pgoff, vma_file,
		vma_ops, vma_private, vma_next, vma_anon_name, vma_shared;
	struct field ops_name, special_name;
	// file, inode, super_block, path, dentry, mount
	struct field f_path, f_inode, i_ino, i_sb, sb_s_dev, path_mnt,
		path_dentry, d_parent, d_name_len, d_name_name, d_op,
		d_hash_pprev, dops_d_dname, m_mnt, m_parent, m_mountpoint,
		vfs_mnt_root, fs_root, anon_name_name;
	// struct page
	uint64_t page_struct_size;
	struct field pg_flags, pg_mapping, pg_compound_head;
	int64_t pg_swapbacked;
	bool has_page_classes;
	// What show_map_vma() compares against.
	uint64_t special_mapping_name, gate_vma_name;
};

static struct vmca_error *fld(struct vmca_session *s, const char *type,
			      const char *path, struct field *ret)
{
	struct vmca_member m;
	struct vmca_error *err = vmca_type_member(s, type, path, &m);
	if (err)
		return err;
	uint64_t size = vmca_type_sizeof(s, m.type);
	if (m.bit_size || m.bit_offset % 8)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "%s.%s is a bitfield", type, path);
	ret->offset = m.bit_offset / 8;
	ret->size = size;
	ret->is_present = true;
	return NULL;
}

// A member that only some kernels have.
static void opt(struct vmca_session *s, const char *type, const char *path,
		struct field *ret)
{
	memset(ret, 0, sizeof(*ret));
	vmca_error_consume(fld(s, type, path, ret));
}

static uint64_t sym_or_0(struct vmca_session *s, const char *name)
{
	uint64_t a;
	return vmca_error_consume(vmca_symbol_address(s, name, &a)) ? a : 0;
}

static struct vmca_error *task_layout(struct vmca_session *s, struct layout *l)
{
	static const char t[] = "struct task_struct";
	struct vmca_error *err;
	if ((err = fld(s, t, "pid", &l->t_pid)) ||
	    (err = fld(s, t, "tgid", &l->t_tgid)) ||
	    (err = fld(s, t, "flags", &l->t_flags)) ||
	    (err = fld(s, t, "mm", &l->t_mm)) ||
	    (err = fld(s, t, "comm", &l->t_comm)) ||
	    (err = fld(s, t, "signal", &l->t_signal)) ||
	    (err = fld(s, t, "group_leader", &l->t_group_leader)) ||
	    (err = fld(s, "struct signal_struct", "nr_threads",
		       &l->sig_nr_threads)))
		return err;
	opt(s, t, "fs", &l->t_fs);
	return NULL;
}

static struct vmca_error *mm_layout(struct vmca_session *s, struct layout *l)
{
	static const char m[] = "struct mm_struct";
	struct vmca_error *err;
	if ((err = fld(s, m, "map_count", &l->mm_map_count)) ||
	    (err = fld(s, m, "total_vm", &l->mm_total_vm)) ||
	    (err = fld(s, m, "start_brk", &l->mm_start_brk)) ||
	    (err = fld(s, m, "brk", &l->mm_brk)) ||
	    (err = fld(s, m, "start_stack", &l->mm_start_stack)) ||
	    (err = fld(s, m, "pgd", &l->mm_pgd)))
		return err;
	// Since commit d4af56c5c7c6 ("mm: start tracking VMAs with maple
	// tree") (v6.1) the VMAs are in mm_mt; the mmap list went in
	// commit 763ecb035029 ("mm: remove the vma linked list") (v6.1).
	opt(s, m, "mm_mt", &l->mm_mt);
	opt(s, m, "mmap", &l->mm_mmap);
	if (!l->mm_mt.is_present && !l->mm_mmap.is_present)
		return vmca_error_create(VMCA_ERROR_NOT_FOUND,
					 "struct mm_struct has neither mm_mt "
					 "nor mmap");
	opt(s, m, "context.flags", &l->mm_context_flags);
	// The counters' enum is anonymous; its order is fixed since v4.5
	// (commit eca56ff906bd, "mm, shmem: add internal shmem resident
	// memory accounting"), where the names are not found.
	static const char *const names[4] = {"MM_FILEPAGES", "MM_ANONPAGES",
					     "MM_SWAPENTS", "MM_SHMEMPAGES"};
	for (int i = 0; i < 4; i++) {
		uint32_t type;
		if (!vmca_error_consume(vmca_type_enumerator(
			    s, names[i], &type, &l->counter_index[i])) ||
		    l->counter_index[i] < 0 || l->counter_index[i] > 16)
			l->counter_index[i] = i;
	}
	// An atomic_long_t each before commit f1a7941243c1 ("mm: convert
	// mm's rss stats into percpu_counter") (v6.2), a percpu_counter
	// since.
	l->is_percpu_rss = !vmca_type_has_member(s, m, "rss_stat.count");
	for (int i = 0; i < 4; i++) {
		char path[64];
		vmca_strf(path, sizeof(path),
			  l->is_percpu_rss ? "rss_stat[%" PRId64 "]"
					   : "rss_stat.count[%" PRId64 "]",
			  l->counter_index[i]);
		if ((err = fld(s, m, path, &l->mm_rss[i])))
			return err;
	}
	return NULL;
}

static struct vmca_error *vma_layout(struct vmca_session *s, struct layout *l)
{
	static const char v[] = "struct vm_area_struct";
	struct vmca_error *err;
	if ((err = vmca_type_size(s, v, &l->vma_size)))
		return err;
	if (l->vma_size > VMA_MAX_SIZE)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "struct vm_area_struct is %" PRIu64
					 " bytes",
					 l->vma_size);
	if ((err = fld(s, v, "vm_start", &l->vma_start)) ||
	    (err = fld(s, v, "vm_end", &l->vma_end)) ||
	    (err = fld(s, v, "vm_flags", &l->vma_flags)) ||
	    (err = fld(s, v, "vm_pgoff", &l->vma_pgoff)) ||
	    (err = fld(s, v, "vm_file", &l->vma_file)) ||
	    (err = fld(s, v, "vm_ops", &l->vma_ops)) ||
	    (err = fld(s, v, "vm_private_data", &l->vma_private)) ||
	    (err = fld(s, "struct vm_operations_struct", "name",
		       &l->ops_name)) ||
	    (err = fld(s, "struct vm_special_mapping", "name",
		       &l->special_name)) ||
	    (err = fld(s, "struct file", "f_path", &l->f_path)) ||
	    (err = fld(s, "struct file", "f_inode", &l->f_inode)) ||
	    (err = fld(s, "struct inode", "i_ino", &l->i_ino)) ||
	    (err = fld(s, "struct inode", "i_sb", &l->i_sb)) ||
	    (err = fld(s, "struct super_block", "s_dev", &l->sb_s_dev)))
		return err;
	opt(s, v, "vm_next", &l->vma_next);
	// CONFIG_ANON_VMA_NAME: in a union with shared on 5.17 to 6.x
	// (anonymous VMAs only), a member of its own later.
	opt(s, v, "anon_name", &l->vma_anon_name);
	opt(s, v, "shared", &l->vma_shared);
	opt(s, "struct anon_vma_name", "name", &l->anon_name_name);
	l->special_mapping_name = sym_or_0(s, "special_mapping_name");
	l->gate_vma_name = sym_or_0(s, "gate_vma_name");
	return NULL;
}

static struct vmca_error *path_layout(struct vmca_session *s, struct layout *l)
{
	struct vmca_error *err;
	if ((err = fld(s, "struct path", "mnt", &l->path_mnt)) ||
	    (err = fld(s, "struct path", "dentry", &l->path_dentry)) ||
	    (err = fld(s, "struct dentry", "d_parent", &l->d_parent)) ||
	    (err = fld(s, "struct dentry", "d_name.len", &l->d_name_len)) ||
	    (err = fld(s, "struct dentry", "d_name.name", &l->d_name_name)) ||
	    (err = fld(s, "struct dentry", "d_op", &l->d_op)) ||
	    (err = fld(s, "struct dentry", "d_hash.pprev", &l->d_hash_pprev)) ||
	    (err = fld(s, "struct dentry_operations", "d_dname",
		       &l->dops_d_dname)) ||
	    (err = fld(s, "struct mount", "mnt", &l->m_mnt)) ||
	    (err = fld(s, "struct mount", "mnt_parent", &l->m_parent)) ||
	    (err = fld(s, "struct mount", "mnt_mountpoint",
		       &l->m_mountpoint)) ||
	    (err = fld(s, "struct vfsmount", "mnt_root", &l->vfs_mnt_root)))
		return err;
	opt(s, "struct fs_struct", "root", &l->fs_root);
	return NULL;
}

static void page_layout(struct vmca_session *s, struct layout *l)
{
	l->has_page_classes =
		vmca_error_consume(
			vmca_page_size_of_struct(s, &l->page_struct_size)) &&
		vmca_error_consume(
			fld(s, "struct page", "flags", &l->pg_flags)) &&
		vmca_error_consume(
			fld(s, "struct page", "mapping", &l->pg_mapping)) &&
		vmca_error_consume(fld(s, "struct page", "compound_head",
				       &l->pg_compound_head)) &&
		vmca_error_consume(vmca_enum_value(s, "enum pageflags",
						   "PG_swapbacked",
						   &l->pg_swapbacked)) &&
		l->pg_swapbacked >= 0 && l->pg_swapbacked < 64;
}

/* Reads. */

static uint64_t get(const unsigned char *buf, struct field f)
{
	uint64_t v = 0;
	if (f.is_present && f.size <= 8)
		memcpy(&v, buf + f.offset, f.size); // little-endian (x86_64)
	return v;
}

// *ret is 0 on failure (a static helper: it spares every caller an
// initialization).
static struct vmca_error *rd(struct vmca_session *s, uint64_t base,
			     struct field f, uint64_t *ret)
{
	*ret = 0;
	if (!f.is_present || !f.size || f.size > 8)
		return vmca_error_create(
			VMCA_ERROR_INVALID,
			"no member of 1 to 8 bytes at +%#" PRIx64, f.offset);
	unsigned char buf[8] = {0};
	struct vmca_error *err = vmca_read(s, base + f.offset, buf, f.size);
	if (err)
		return err;
	*ret = get(buf, (struct field){0, f.size, true});
	return NULL;
}

static int64_t sign_extend(uint64_t v, uint64_t size)
{
	if (size >= 8)
		return (int64_t)v;
	uint64_t bit = UINT64_C(1) << (8 * size - 1);
	return (int64_t)((v ^ bit) - bit);
}

struct vmca_error *vmca_vm_mm(struct vmca_session *s, uint64_t mm,
			      struct vmca_vm_mm *ret)
{
	struct layout l;
	memset(&l, 0, sizeof(l));
	struct vmca_error *err = mm_layout(s, &l);
	if (err)
		return err;
	struct vmca_vm_mm m = {.address = mm};
	uint64_t map_count;
	if ((err = rd(s, mm, l.mm_map_count, &map_count)) ||
	    (err = rd(s, mm, l.mm_total_vm, &m.total_vm_pages)) ||
	    (err = rd(s, mm, l.mm_start_brk, &m.start_brk)) ||
	    (err = rd(s, mm, l.mm_brk, &m.brk)) ||
	    (err = rd(s, mm, l.mm_start_stack, &m.start_stack)) ||
	    (err = rd(s, mm, l.mm_pgd, &m.pgd)))
		return vmca_error_wrap(err, "mm_struct at %#" PRIx64, mm);
	int64_t mc = sign_extend(map_count, l.mm_map_count.size);
	m.map_count = mc > 0 ? (uint64_t)mc : 0;
	uint64_t *counters[4] = {&m.rss.file, &m.rss.anon, &m.swap_pages,
				 &m.rss.shmem};
	for (int i = 0; i < 4; i++) {
		int64_t v;
		uint64_t raw;
		if (l.is_percpu_rss) {
			err = vmca_percpu_counter_sum(
				s, mm + l.mm_rss[i].offset, &v);
		} else {
			err = rd(s, mm, l.mm_rss[i], &raw);
			v = sign_extend(raw, l.mm_rss[i].size);
		}
		if (err)
			return vmca_error_wrap(err,
					       "rss counters of mm_struct at "
					       "%#" PRIx64,
					       mm);
		*counters[i] = v > 0 ? (uint64_t)v : 0;
	}
	*ret = m;
	return NULL;
}

/* d_path(). */

struct root {
	uint64_t mnt, dentry;
};

// init's fs->root, the root of the reader /proc shows paths to; else
// zeros (the walk goes to the global root).
static struct root init_root(struct vmca_session *s, const struct layout *l)
{
	struct root r = {0, 0};
	uint64_t init, fs;
	if (!l->t_fs.is_present || !l->fs_root.is_present ||
	    !vmca_error_consume(vmca_task_by_pid(s, 1, &init)) ||
	    !vmca_error_consume(rd(s, init, l->t_fs, &fs)) || !fs)
		return r;
	uint64_t root = fs + l->fs_root.offset;
	if (!vmca_error_consume(rd(s, root, l->path_mnt, &r.mnt)) ||
	    !vmca_error_consume(rd(s, root, l->path_dentry, &r.dentry)))
		r.mnt = r.dentry = 0;
	return r;
}

static struct vmca_error *dentry_name(struct vmca_session *s,
				      const struct layout *l, uint64_t dentry,
				      char *buf, size_t size)
{
	uint64_t len, name;
	struct vmca_error *err;
	if ((err = rd(s, dentry, l->d_name_len, &len)) ||
	    (err = rd(s, dentry, l->d_name_name, &name)))
		return err;
	len &= 0xffffffff;
	if (len > NAME_MAX || len >= size)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "dentry at %#" PRIx64
					 ": a name of %" PRIu64 " bytes",
					 dentry, len);
	if ((err = vmca_read(s, name, buf, len)))
		return err;
	buf[len] = '\0';
	return NULL;
}

// The names pseudo filesystems give their files (d_op->d_dname()).
static struct vmca_error *pseudo_name(struct vmca_session *s,
				      const struct layout *l, uint64_t dentry,
				      uint64_t d_dname, char *buf, size_t size)
{
	char name[NAME_MAX + 1];
	struct vmca_error *err = dentry_name(s, l, dentry, name, sizeof(name));
	if (err)
		return err;
	struct vmca_symbol fn;
	const char *fn_name = "";
	if (vmca_error_consume(vmca_symbol_lookup(s, d_dname, &fn)) &&
	    fn.address == d_dname)
		fn_name = fn.name;
	if (strcmp(fn_name, "simple_dname") == 0) {
		// fs/d_path.c: alloc_file_pseudo()'s files (shmem's
		// internal ones: memfds, SysV segments, /dev/zero maps).
		vmca_strf(buf, size, "/%s (deleted)", name);
	} else if (strcmp(fn_name, "anon_inodefs_dname") == 0) {
		vmca_strf(buf, size, "anon_inode:%s", name);
	} else {
		// sockfs_dname(), pipefs_dname(), ...: "socket:[INO]"
		// needs the inode; the dentry's own name is what is known.
		vmca_strf(buf, size, "%s", name);
	}
	return NULL;
}

static struct vmca_error *path_of(struct vmca_session *s,
				  const struct layout *l, struct root root,
				  uint64_t path, char *buf, size_t size)
{
	uint64_t vfsmnt, dentry, d_op = 0, mnt_root;
	struct vmca_error *err;
	if ((err = rd(s, path, l->path_mnt, &vfsmnt)) ||
	    (err = rd(s, path, l->path_dentry, &dentry)) ||
	    (err = rd(s, dentry, l->d_op, &d_op)) ||
	    (err = rd(s, vfsmnt, l->vfs_mnt_root, &mnt_root)))
		return err;
	uint64_t d_dname = 0, parent;
	if (d_op && (err = rd(s, d_op, l->dops_d_dname, &d_dname)))
		return err;
	if ((err = rd(s, dentry, l->d_parent, &parent)))
		return err;
	// d_path(): a pseudo file's name, unless it is mounted (the root of
	// its own mount).
	if (d_dname && (parent != dentry || dentry != mnt_root))
		return pseudo_name(s, l, dentry, d_dname, buf, size);
	// d_unlinked(): unhashed and not a root.
	uint64_t pprev;
	if ((err = rd(s, dentry, l->d_hash_pprev, &pprev)))
		return err;
	bool is_deleted = !pprev && parent != dentry;
	// __prepend_path(): names up to the root, across mounts.
	char *out = malloc(PATH_MAX + 1);
	if (!out)
		return &vmca_enomem;
	size_t at = PATH_MAX;
	out[at] = '\0';
	uint64_t mnt = vfsmnt - l->m_mnt.offset;
	for (int depth = 0; depth < MAX_DEPTH; depth++) {
		if (dentry == root.dentry && vfsmnt == root.mnt)
			break;
		if ((err = rd(s, vfsmnt, l->vfs_mnt_root, &mnt_root)))
			break;
		if (dentry == mnt_root) {
			uint64_t up;
			if ((err = rd(s, mnt, l->m_parent, &up)))
				break;
			if (up == mnt)
				break; // the global root
			if ((err = rd(s, mnt, l->m_mountpoint, &dentry)))
				break;
			mnt = up;
			vfsmnt = mnt + l->m_mnt.offset;
			continue;
		}
		if ((err = rd(s, dentry, l->d_parent, &parent)))
			break;
		if (parent == dentry)
			break; // escaped
		char name[NAME_MAX + 1];
		if ((err = dentry_name(s, l, dentry, name, sizeof(name))))
			break;
		size_t len = strlen(name);
		if (len + 1 > at)
			break;
		at -= len;
		memcpy(out + at, name, len);
		out[--at] = '/';
		dentry = parent;
	}
	if (!err) {
		if (at == PATH_MAX)
			out[--at] = '/';
		vmca_strf(buf, size, "%s%s", out + at,
			  is_deleted ? " (deleted)" : "");
	}
	free(out);
	return err;
}

struct vmca_error *vmca_vm_path(struct vmca_session *s, uint64_t path,
				char *buf, size_t size)
{
	struct layout l;
	memset(&l, 0, sizeof(l));
	struct vmca_error *err = task_layout(s, &l);
	if (!err)
		err = path_layout(s, &l);
	if (err)
		return err;
	return path_of(s, &l, init_root(s, &l), path, buf, size);
}

/* Page tables: a VMA's resident pages. */

struct table_cache {
	uint64_t paddr;
	bool is_valid;
	uint64_t entries[PTRS_PER_TABLE];
};

struct pt {
	struct vmca_session *s;
	const struct layout *l;
	int levels;
	uint64_t root_paddr;
	uint64_t max_pfn;
	struct table_cache cache[5];
};

static struct vmca_error *table(struct pt *p, int depth, uint64_t paddr,
				const uint64_t **ret)
{
	struct table_cache *c = &p->cache[depth];
	*ret = NULL;
	if (!c->is_valid || c->paddr != paddr) {
		c->is_valid = false;
		struct vmca_error *err = vmca_read_phys(p->s, paddr, c->entries,
							sizeof(c->entries));
		if (err)
			return vmca_error_wrap(
				err, "page table at physical %#" PRIx64, paddr);
		c->paddr = paddr;
		c->is_valid = true;
	}
	*ret = c->entries;
	return NULL;
}

// Which counter a mapped page counts in: mm_counter() (anon, shmem for
// swap-backed file pages, else file), from its folio's head page.
static void count_page(struct pt *p, uint64_t pfn, uint64_t n,
		       struct vmca_vm_rss *rss)
{
	const struct layout *l = p->l;
	if (p->max_pfn && pfn >= p->max_pfn)
		return; // no struct page: vm_normal_page() gives none
	if (!l->has_page_classes) {
		rss->file += n;
		return;
	}
	uint64_t page;
	unsigned char buf[64];
	uint64_t need = l->pg_mapping.offset + l->pg_mapping.size;
	if (need > sizeof(buf) ||
	    !vmca_error_consume(vmca_pfn_to_page(p->s, pfn, &page)) ||
	    !vmca_error_consume(vmca_read(p->s, page, buf, need))) {
		rss->file += n;
		return;
	}
	uint64_t head = get(buf, l->pg_compound_head);
	if (head & 1 &&
	    !vmca_error_consume(vmca_read(p->s, head - 1, buf, need))) {
		rss->file += n;
		return;
	}
	if (get(buf, l->pg_mapping) & PAGE_MAPPING_ANON)
		rss->anon += n;
	else if (get(buf, l->pg_flags) >> l->pg_swapbacked & 1)
		rss->shmem += n;
	else
		rss->file += n;
}

static const int level_shift[5] = {48, 39, 30, 21, 12};

// The entries of the table at depth covering [lo, hi).
static struct vmca_error *walk_table(struct pt *p, int depth, uint64_t paddr,
				     uint64_t lo, uint64_t hi,
				     struct vmca_vm_area *a)
{
	int shift = level_shift[5 - p->levels + depth];
	bool is_last = depth == p->levels - 1;
	const uint64_t *entries;
	struct vmca_error *err = table(p, depth, paddr, &entries);
	if (err)
		return err;
	uint64_t span = UINT64_C(1) << shift;
	for (uint64_t addr = lo; addr < hi;) {
		uint64_t base = addr & ~(span - 1);
		uint64_t next = base + span < base ? hi : base + span;
		uint64_t end = next < hi ? next : hi;
		uint64_t e = entries[(addr >> shift) % PTRS_PER_TABLE];
		if (is_last) {
			if (e & (PTE_PRESENT | PTE_PROTNONE)) {
				if (!(e & PTE_SPECIAL))
					count_page(p,
						   (e & PTE_PFN_MASK) >>
							   PAGE_SHIFT,
						   1, &a->rss);
			} else if (e) {
				a->swap_pages++;
			}
		} else if (e & PTE_PSE && shift <= 30 &&
			   e & (PTE_PRESENT | PTE_PROTNONE)) {
			// A huge page (pud or pmd): its pages in range.
			uint64_t pfn =
				(e & PTE_PFN_MASK & ~(span - 1)) >> PAGE_SHIFT;
			count_page(p, pfn, (end - addr) >> PAGE_SHIFT, &a->rss);
		} else if (e & PTE_PRESENT) {
			// Deeper levels have caches of their own: entries
			// stays valid.
			err = walk_table(p, depth + 1, e & PTE_PFN_MASK, addr,
					 end, a);
			if (err)
				return err;
		}
		addr = end;
	}
	return NULL;
}

static void area_rss(struct pt *p, struct vmca_vm_area *a)
{
	memset(&a->rss, 0, sizeof(a->rss));
	a->swap_pages = 0;
	a->has_rss = true;
	// hugetlbfs pages count in no mm counter and not in smaps' Rss.
	if (a->vm_flags & VM_HUGETLB)
		return;
	a->rss_err = walk_table(p, 0, p->root_paddr, a->start, a->end, a);
	a->has_rss = !a->rss_err;
}

/* VMAs. */

DEFINE_VECTOR(area_vector, struct vmca_vm_area)

struct walk {
	struct vmca_session *s;
	struct vmca_vm *vm;
	struct layout *l;
	struct root root;
	struct area_vector areas;
	bool has_anon_name_union;
};

__attribute__((format(printf, 2, 3))) static void note(struct vmca_vm *vm,
						       const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmca_strv_vaddf(&vm->notes, &vm->nr_notes, fmt, ap);
	va_end(ap);
}

static char *dup_escaped(const char *s)
{
	// seq_file_path(m, file, "\n"): a newline as "\012".
	size_t n = 0;
	for (const char *c = s; *c; c++)
		n += *c == '\n' ? 4 : 1;
	char *out = malloc(n + 1), *o = out;
	if (!out)
		return NULL;
	for (const char *c = s; *c; c++) {
		if (*c == '\n') {
			memcpy(o, "\\012", 4);
			o += 4;
		} else {
			*o++ = *c;
		}
	}
	*o = '\0';
	return out;
}

static struct vmca_error *set_path(struct vmca_vm_area *a, const char *s)
{
	a->path = dup_escaped(s);
	return a->path ? NULL : &vmca_enomem;
}

// The file mapping's device, inode and path.
static struct vmca_error *file_info(struct walk *w, struct vmca_vm_area *a,
				    uint64_t anon_name)
{
	struct vmca_session *s = w->s;
	const struct layout *l = w->l;
	uint64_t inode, sb, ino, dev;
	struct vmca_error *err;
	if ((err = rd(s, a->file, l->f_inode, &inode)) ||
	    (err = rd(s, inode, l->i_ino, &ino)) ||
	    (err = rd(s, inode, l->i_sb, &sb)) ||
	    (err = rd(s, sb, l->sb_s_dev, &dev)))
		return vmca_error_wrap(err, "file at %#" PRIx64, a->file);
	// include/linux/kdev_t.h: MINORBITS 20.
	a->dev_major = (uint32_t)((dev & 0xffffffff) >> 20);
	a->dev_minor = (uint32_t)(dev & 0xfffff);
	a->inode = ino;
	char name[NAME_MAX + 16];
	if (anon_name && l->anon_name_name.is_present &&
	    vmca_error_consume(
		    vmca_read_string(s, anon_name + l->anon_name_name.offset,
				     name, sizeof(name)))) {
		char buf[NAME_MAX + 32];
		vmca_strf(buf, sizeof(buf), "[anon_shmem:%s]", name);
		return set_path(a, buf);
	}
	char *path = malloc(PATH_MAX + 32);
	if (!path)
		return &vmca_enomem;
	err = path_of(s, l, w->root, a->file + l->f_path.offset, path,
		      PATH_MAX + 32);
	if (!err)
		err = set_path(a, path);
	free(path);
	return err ? vmca_error_wrap(err, "the path of file %#" PRIx64, a->file)
		   : NULL;
}

// show_map_vma()'s name of a VMA without a file.
static struct vmca_error *anon_info(struct walk *w, struct vmca_vm_area *a,
				    uint64_t ops, uint64_t private,
				    uint64_t anon_name)
{
	struct vmca_session *s = w->s;
	const struct layout *l = w->l;
	const struct vmca_vm_mm *mm = &w->vm->mm;
	uint64_t name_fn = 0;
	if (ops && !vmca_error_consume(rd(s, ops, l->ops_name, &name_fn)))
		return vmca_error_create(
			VMCA_ERROR_FAULT,
			"vm_ops at %#" PRIx64 " are not in the dump", ops);
	if (name_fn) {
		char name[NAME_MAX + 1];
		uint64_t str;
		if (name_fn == l->special_mapping_name) {
			// ((struct vm_special_mapping *)vm_private_data)->name
			struct vmca_error *err =
				rd(s, private, l->special_name, &str);
			if (!err)
				err = vmca_read_string(s, str, name,
						       sizeof(name));
			if (err)
				return vmca_error_wrap(err, "special mapping's "
							    "name");
			return set_path(a, name);
		}
		if (name_fn == l->gate_vma_name)
			return set_path(a, "[vsyscall]");
		struct vmca_symbol sym;
		note(w->vm,
		     "the VMA at %#" PRIx64 " is named by %s(), not decoded",
		     a->start,
		     vmca_error_consume(vmca_symbol_lookup(s, name_fn, &sym))
			     ? sym.name
			     : "an unknown function");
	}
	// arch_vma_name() is NULL on x86; every VMA here has an mm.
	if (a->start <= mm->brk && a->end >= mm->start_brk)
		return set_path(a, "[heap]");
	if (a->start <= mm->start_stack && a->end >= mm->start_stack)
		return set_path(a, "[stack]");
	char name[NAME_MAX + 16];
	if (anon_name && l->anon_name_name.is_present &&
	    vmca_error_consume(
		    vmca_read_string(s, anon_name + l->anon_name_name.offset,
				     name, sizeof(name)))) {
		char buf[NAME_MAX + 32];
		vmca_strf(buf, sizeof(buf), "[anon:%s]", name);
		return set_path(a, buf);
	}
	return NULL;
}

static struct vmca_error *read_area(struct walk *w, uint64_t vma, bool is_gate)
{
	struct vmca_session *s = w->s;
	const struct layout *l = w->l;
	if (w->areas.len >= MAX_VMAS)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "more than %" PRIu64 " VMAs",
					 MAX_VMAS);
	struct vmca_vm_area *a = area_vector_append_entry(&w->areas);
	if (!a)
		return &vmca_enomem;
	a->vma = vma;
	a->is_gate = is_gate;
	memcpy(a->perms, "----", 5);
	unsigned char buf[VMA_MAX_SIZE];
	struct vmca_error *err = vmca_read(s, vma, buf, l->vma_size);
	if (err) {
		a->err = vmca_error_wrap(err, "vm_area_struct at %#" PRIx64,
					 vma);
		return NULL;
	}
	a->start = get(buf, l->vma_start);
	a->end = get(buf, l->vma_end);
	a->vm_flags = get(buf, l->vma_flags);
	a->perms[0] = a->vm_flags & VM_READ ? 'r' : '-';
	a->perms[1] = a->vm_flags & VM_WRITE ? 'w' : '-';
	a->perms[2] = a->vm_flags & VM_EXEC ? 'x' : '-';
	a->perms[3] = a->vm_flags & VM_MAYSHARE ? 's' : 'p';
	a->file = get(buf, l->vma_file);
	uint64_t anon_name = get(buf, l->vma_anon_name);
	if (w->has_anon_name_union && a->file)
		anon_name = 0; // the union holds shared
	if (a->file) {
		a->offset = get(buf, l->vma_pgoff) << l->page_shift;
		a->err = file_info(w, a, anon_name);
	} else {
		a->err = anon_info(w, a, get(buf, l->vma_ops),
				   get(buf, l->vma_private), anon_name);
	}
	return a->err == &vmca_enomem ? &vmca_enomem : NULL;
}

static struct vmca_error *
maple_entry(struct vmca_session *s, const struct vmca_walk_entry *e, void *arg)
{
	(void)s;
	// Internal entries (XA_ZERO_ENTRY of a failed fork) are no VMAs.
	if ((e->address & 3) == 2 || e->address < 4096)
		return NULL;
	return read_area(arg, e->address, false);
}

static struct vmca_error *
chain_entry(struct vmca_session *s, const struct vmca_walk_entry *e, void *arg)
{
	(void)s;
	return read_area(arg, e->address, false);
}

// The value of enumerator name of the enum type (typedefs stripped).
static bool enumerator_of(struct vmca_session *s, uint32_t type,
			  const char *name, int64_t *ret)
{
	struct vmca_type info;
	type = vmca_type_unqualified(s, type);
	vmca_type_info(s, type, &info);
	for (uint32_t i = 0; info.kind == VMCA_TYPE_ENUM && i < info.count;
	     i++) {
		const char *n;
		int64_t v;
		vmca_type_enumerator_at(s, type, i, &n, &v);
		if (strcmp(n, name) == 0) {
			*ret = v;
			return true;
		}
	}
	return false;
}

// get_gate_vma(): the vsyscall page, listed after the VMAs where
// vsyscall_mode is not NONE and the mm has it (MM_CONTEXT_HAS_VSYSCALL).
static struct vmca_error *gate_area(struct walk *w, uint64_t mm)
{
	struct vmca_session *s = w->s;
	struct vmca_variable mode;
	uint64_t gate, flags;
	uint32_t value;
	int64_t none;
	if (!vmca_error_consume(vmca_variable(s, "vsyscall_mode", &mode)) ||
	    !vmca_error_consume(vmca_symbol_address(s, "gate_vma", &gate)) ||
	    !enumerator_of(s, mode.type, "NONE", &none) ||
	    !vmca_error_consume(vmca_read_u32(s, mode.address, &value)) ||
	    (int64_t)value == none)
		return NULL;
	if (w->l->mm_context_flags.is_present &&
	    (!vmca_error_consume(rd(s, mm, w->l->mm_context_flags, &flags)) ||
	     !(flags & MM_CONTEXT_HAS_VSYSCALL_MASK)))
		return NULL;
	return read_area(w, gate, true);
}

static void init_pt(struct vmca_session *s, struct pt *p,
		    const struct layout *l, const struct vmca_vm_mm *mm,
		    struct vmca_error **err_ret)
{
	memset(p, 0, sizeof(*p));
	p->s = s;
	p->l = l;
	struct vmca_vtop t;
	struct vmca_error *err = vmca_virt_to_phys(s, mm->pgd, &p->root_paddr);
	if (!err)
		err = vmca_vtop(s, mm->pgd, &t);
	if (!err && t.total_levels != 4 && t.total_levels != 5)
		err = vmca_error_create(VMCA_ERROR_INVALID, "%d paging levels",
					t.total_levels);
	if (!err)
		p->levels = t.total_levels;
	const char *max_pfn = vmca_vmcoreinfo(s, "NUMBER(max_pfn)");
	if (max_pfn)
		vmca_parse_u64(max_pfn, &p->max_pfn);
	*err_ret = err;
}

void vmca_vm_destroy(struct vmca_vm *vm)
{
	if (!vm)
		return;
	for (size_t i = 0; i < vm->nr_areas; i++) {
		free(vm->areas[i].path);
		vmca_error_destroy(vm->areas[i].err);
		vmca_error_destroy(vm->areas[i].rss_err);
	}
	free(vm->areas);
	vmca_strv_free(vm->notes, vm->nr_notes);
	free(vm);
}

static struct vmca_error *full_layout(struct vmca_session *s, struct layout *l)
{
	memset(l, 0, sizeof(*l));
	uint64_t page_size = vmca_session_page_size(s);
	l->page_shift =
		page_size ? (uint32_t)__builtin_ctzll(page_size) : PAGE_SHIFT;
	struct vmca_error *err;
	if ((err = task_layout(s, l)) || (err = mm_layout(s, l)) ||
	    (err = vma_layout(s, l)) || (err = path_layout(s, l)))
		return err;
	page_layout(s, l);
	return NULL;
}

struct task_info {
	uint64_t pid, tgid, flags, mm, signal, leader, threads;
	char comm[17];
};

static struct vmca_error *read_task(struct vmca_session *s,
				    const struct layout *l, uint64_t task,
				    struct task_info *t)
{
	memset(t, 0, sizeof(*t));
	struct vmca_error *err;
	if ((err = rd(s, task, l->t_pid, &t->pid)) ||
	    (err = rd(s, task, l->t_tgid, &t->tgid)) ||
	    (err = rd(s, task, l->t_flags, &t->flags)) ||
	    (err = rd(s, task, l->t_mm, &t->mm)) ||
	    (err = rd(s, task, l->t_signal, &t->signal)) ||
	    (err = rd(s, task, l->t_group_leader, &t->leader)))
		return vmca_error_wrap(err, "task_struct at %#" PRIx64, task);
	t->pid &= 0xffffffff;
	t->tgid &= 0xffffffff;
	uint64_t n = l->t_comm.size < sizeof(t->comm) ? l->t_comm.size
						      : sizeof(t->comm) - 1;
	if ((err = vmca_read(s, task + l->t_comm.offset, t->comm, n)))
		return vmca_error_wrap(err, "task_struct at %#" PRIx64, task);
	t->comm[n] = '\0';
	uint64_t threads;
	if (t->signal &&
	    vmca_error_consume(rd(s, t->signal, l->sig_nr_threads, &threads)))
		t->threads = threads & 0xffffffff;
	return NULL;
}

struct vmca_error *vmca_vm_task(struct vmca_session *s, uint64_t task,
				unsigned flags, struct vmca_vm **ret)
{
	struct layout *l = calloc(1, sizeof(*l));
	struct vmca_vm *vm = calloc(1, sizeof(*vm));
	struct pt *p = NULL;
	if (!l || !vm) {
		free(l);
		free(vm);
		return &vmca_enomem;
	}
	struct walk w = {.s = s, .vm = vm, .l = l};
	area_vector_init(&w.areas);
	struct task_info t;
	struct vmca_error *err = full_layout(s, l);
	if (!err)
		err = read_task(s, l, task, &t);
	if (err)
		goto out;
	vm->task = task;
	vm->pid = t.pid;
	vm->tgid = t.tgid;
	vm->threads = t.threads;
	memcpy(vm->comm, t.comm, sizeof(vm->comm));
	if (!t.mm || t.flags & PF_KTHREAD) {
		err = vmca_error_create(
			VMCA_ERROR_NOT_FOUND,
			"task %" PRIu64 " (%s) has no mm%s", t.pid, t.comm,
			t.flags & PF_KTHREAD ? " (a kernel thread)" : "");
		goto out;
	}
	if ((err = vmca_vm_mm(s, t.mm, &vm->mm)))
		goto out;
	w.root = init_root(s, l);
	w.has_anon_name_union = l->vma_anon_name.is_present &&
				l->vma_shared.is_present &&
				l->vma_anon_name.offset == l->vma_shared.offset;
	uint64_t max = MAX_VMAS;
	struct vmca_error *walk_err;
	if (l->mm_mt.is_present) {
		walk_err = vmca_walk_maple(s, t.mm + l->mm_mt.offset, max,
					   maple_entry, &w);
	} else {
		uint64_t first;
		walk_err = rd(s, t.mm, l->mm_mmap, &first);
		if (!walk_err && first)
			walk_err = vmca_walk_chain(s, first, l->vma_next.offset,
						   max, chain_entry, &w);
	}
	if (walk_err == &vmca_enomem) {
		err = walk_err;
		goto out;
	}
	if (walk_err) {
		note(vm, "the VMA walk: %s (the VMAs before it are listed)",
		     walk_err->message);
		vmca_error_destroy(walk_err);
	}
	if ((err = gate_area(&w, t.mm)))
		goto out;
	if (flags & VMCA_VM_AREA_RSS) {
		p = malloc(sizeof(*p));
		if (!p) {
			err = &vmca_enomem;
			goto out;
		}
		struct vmca_error *pt_err;
		init_pt(s, p, l, &vm->mm, &pt_err);
		if (pt_err) {
			note(vm, "the page tables: %s (no RSS per VMA)",
			     pt_err->message);
			vmca_error_destroy(pt_err);
		} else {
			for (size_t i = 0; i < w.areas.len; i++)
				if (!w.areas.data[i].is_gate &&
				    w.areas.data[i].end > w.areas.data[i].start)
					area_rss(p, &w.areas.data[i]);
		}
	}
out:
	vm->areas = w.areas.data;
	vm->nr_areas = w.areas.len;
	free(p);
	free(l);
	if (err) {
		vmca_vm_destroy(vm);
		return err;
	}
	*ret = vm;
	return NULL;
}

/* The summary. */

static uint64_t hash_pid(const uint64_t *k)
{
	return vmca_hash_u64(*k);
}

static bool eq_pid(const uint64_t *a, const uint64_t *b)
{
	return *a == *b;
}

DEFINE_HASH_MAP(pid_map, uint64_t, size_t, hash_pid, eq_pid)
DEFINE_VECTOR(process_vector, struct vmca_vm_process)

struct summary {
	struct layout *l;
	struct vmca_vm_summary *sum;
	struct process_vector rows;
	struct pid_map seen;
};

__attribute__((format(printf, 2, 3))) static void
summary_note(struct summary *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmca_strv_vaddf(&c->sum->notes, &c->sum->nr_notes, fmt, ap);
	va_end(ap);
}

static struct vmca_error *
summary_task(struct vmca_session *s, const struct vmca_task_entry *e, void *arg)
{
	struct summary *c = arg;
	if (e->is_idle)
		return NULL;
	struct task_info t;
	struct vmca_error *err = read_task(s, c->l, e->address, &t);
	if (err) {
		summary_note(c, "%s", err->message);
		vmca_error_destroy(err);
		return NULL;
	}
	// One row per process: the first of its tasks that has the mm
	// (the leader, unless it exited before its threads).
	if (!t.mm || t.flags & PF_KTHREAD)
		return NULL;
	if (c->rows.len >= MAX_TASKS)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "more than %" PRIu64 " processes",
					 MAX_TASKS);
	bool is_new;
	size_t *at = pid_map_insert(&c->seen, &t.tgid, &is_new);
	if (!at)
		return &vmca_enomem;
	if (!is_new)
		return NULL;
	*at = c->rows.len;
	struct vmca_vm_process *r = process_vector_append_entry(&c->rows);
	if (!r)
		return &vmca_enomem;
	r->task = e->address;
	r->pid = t.tgid;
	r->threads = t.threads;
	memcpy(r->comm, t.comm, sizeof(r->comm));
	struct task_info leader;
	if (t.leader && t.leader != e->address &&
	    vmca_error_consume(read_task(s, c->l, t.leader, &leader)))
		memcpy(r->comm, leader.comm, sizeof(r->comm));
	r->err = vmca_vm_mm(s, t.mm, &r->mm);
	if (r->err)
		r->mm.address = t.mm;
	return r->err == &vmca_enomem ? &vmca_enomem : NULL;
}

static void summary_walk_error(struct vmca_session *s, struct vmca_error *err,
			       void *arg)
{
	(void)s;
	summary_note(arg, "the task walk: %s", err->message);
	vmca_error_destroy(err);
}

static int by_pid(const void *a, const void *b)
{
	const struct vmca_vm_process *x = a, *y = b;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

void vmca_vm_summary_destroy(struct vmca_vm_summary *sum)
{
	if (!sum)
		return;
	for (size_t i = 0; i < sum->nr_processes; i++)
		vmca_error_destroy(sum->processes[i].err);
	free(sum->processes);
	vmca_strv_free(sum->notes, sum->nr_notes);
	free(sum);
}

struct vmca_error *vmca_vm_summary(struct vmca_session *s,
				   struct vmca_vm_summary **ret)
{
	struct layout *l = calloc(1, sizeof(*l));
	struct vmca_vm_summary *sum = calloc(1, sizeof(*sum));
	if (!l || !sum) {
		free(l);
		free(sum);
		return &vmca_enomem;
	}
	struct summary c = {.l = l, .sum = sum};
	process_vector_init(&c.rows);
	pid_map_init(&c.seen);
	struct vmca_error *err = task_layout(s, l);
	if (!err)
		err = mm_layout(s, l);
	if (!err)
		err = vmca_task_walk(s, summary_task, summary_walk_error, &c);
	sum->processes = c.rows.data;
	sum->nr_processes = c.rows.len;
	pid_map_deinit(&c.seen);
	free(l);
	if (err) {
		vmca_vm_summary_destroy(sum);
		return err;
	}
	if (sum->nr_processes)
		qsort(sum->processes, sum->nr_processes,
		      sizeof(*sum->processes), by_pid);
	*ret = sum;
	return NULL;
}

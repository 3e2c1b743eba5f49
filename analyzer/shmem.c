// SPDX-License-Identifier: MIT
// analyzer/shmem.c: shmem superblocks and their mounts, SysV shared memory,
// memfds (mm/shmem.c, fs/namespace.c, ipc/shm.c, mm/memfd.c).
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shmem.h"
#include "util/text.h"
#include "vmca.h"

// Bounds on untrusted walks.
#define MAX_SUPERS   (UINT64_C(1) << 16)
#define MAX_MOUNTS   (UINT64_C(1) << 16)
#define MAX_INODES   (UINT64_C(1) << 24)
#define MAX_DEPTH    64
#define MAX_SEGMENTS (UINT64_C(1) << 20)
#define MAX_FDS	     (UINT64_C(1) << 20)
#define IPC_SHM_IDS  2 // ipc/util.h: sem 0, msg 1, shm 2

DEFINE_VECTOR(mount_vector, struct vmca_shmem_mount)
DEFINE_VECTOR(sysv_vector, struct vmca_shmem_sysv)
DEFINE_VECTOR(memfd_vector, struct vmca_shmem_memfd)

struct offsets {
	// struct super_block
	uint64_t sb_list, sb_type, sb_op, sb_fs_info, sb_inodes;
	// struct file_system_type, shmem_sb_info, inode, address_space
	uint64_t fst_name, sbi_max, sbi_used, i_sb_list, i_mapping, i_size,
		as_nrpages;
	// struct mount, vfsmount, dentry
	uint64_t m_parent, m_mountpoint, m_mnt, m_devname, m_link, vm_root,
		vm_sb, d_parent, d_name;
	bool ns_is_list;
	uint64_t ns_mounts;
	// struct file
	uint64_t f_op, f_mapping, f_inode, f_dentry;
	uint64_t shmem_ops, shmem_fops;
};

struct ctx {
	struct vmca_session *s;
	struct offsets o;
	struct mount_vector mounts;
	struct vmca_shmem *sh;
	uint64_t sb; // the superblock of the walk at hand
	uint64_t count, inodes;
	struct memfd_vector memfds;
};

static void note(struct vmca_shmem *sh, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void note(struct vmca_shmem *sh, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmca_strv_vaddf(&sh->notes, &sh->nr_notes, fmt, ap);
	va_end(ap);
}

static void note_error(struct vmca_shmem *sh, const char *what,
		       struct vmca_error *err)
{
	note(sh, "%s: %s", what, err->message);
	vmca_error_destroy(err);
}

static struct vmca_error *off(struct vmca_session *s, const char *type,
			      const char *member, uint64_t *ret)
{
	return vmca_type_member_offset(s, type, member, ret);
}

static struct vmca_error *offsets_init(struct vmca_session *s,
				       struct offsets *o)
{
	const char *sb = "struct super_block", *m = "struct mount";
	struct vmca_error *err;
	if ((err = off(s, sb, "s_list", &o->sb_list)) ||
	    (err = off(s, sb, "s_type", &o->sb_type)) ||
	    (err = off(s, sb, "s_op", &o->sb_op)) ||
	    (err = off(s, sb, "s_fs_info", &o->sb_fs_info)) ||
	    (err = off(s, sb, "s_inodes", &o->sb_inodes)) ||
	    (err = off(s, "struct file_system_type", "name", &o->fst_name)) ||
	    (err = off(s, "struct shmem_sb_info", "max_blocks", &o->sbi_max)) ||
	    (err = off(s, "struct shmem_sb_info", "used_blocks",
		       &o->sbi_used)) ||
	    (err = off(s, "struct inode", "i_sb_list", &o->i_sb_list)) ||
	    (err = off(s, "struct inode", "i_mapping", &o->i_mapping)) ||
	    (err = off(s, "struct inode", "i_size", &o->i_size)) ||
	    (err = off(s, "struct address_space", "nrpages", &o->as_nrpages)) ||
	    (err = off(s, m, "mnt_parent", &o->m_parent)) ||
	    (err = off(s, m, "mnt_mountpoint", &o->m_mountpoint)) ||
	    (err = off(s, m, "mnt", &o->m_mnt)) ||
	    (err = off(s, m, "mnt_devname", &o->m_devname)) ||
	    (err = off(s, "struct vfsmount", "mnt_root", &o->vm_root)) ||
	    (err = off(s, "struct vfsmount", "mnt_sb", &o->vm_sb)) ||
	    (err = off(s, "struct dentry", "d_parent", &o->d_parent)) ||
	    (err = off(s, "struct dentry", "d_name.name", &o->d_name)) ||
	    (err = off(s, "struct file", "f_op", &o->f_op)) ||
	    (err = off(s, "struct file", "f_mapping", &o->f_mapping)) ||
	    (err = off(s, "struct file", "f_inode", &o->f_inode)) ||
	    (err = off(s, "struct file", "f_path.dentry", &o->f_dentry)) ||
	    (err = vmca_symbol_address(s, "shmem_ops", &o->shmem_ops)) ||
	    (err = vmca_symbol_address(s, "shmem_file_operations",
				       &o->shmem_fops)))
		return err;
	// The namespace's mounts: a list (mnt_list) before v6.8, an rbtree
	// (mnt_node) since commit 2eea9ce4310d ("mounts: keep list of
	// mounts in an rbtree").
	o->ns_is_list = vmca_type_has_member(s, "struct mnt_namespace", "list");
	if (o->ns_is_list) {
		if ((err = off(s, "struct mnt_namespace", "list",
			       &o->ns_mounts)) ||
		    (err = off(s, m, "mnt_list", &o->m_link)))
			return err;
	} else if ((err = off(s, "struct mnt_namespace", "mounts",
			      &o->ns_mounts)) ||
		   (err = off(s, m, "mnt_node", &o->m_link))) {
		return err;
	}
	return NULL;
}

// The path of dentry d up to root (exclusive), prepended to buf's end.
static struct vmca_error *dentry_path(struct ctx *c, uint64_t d, uint64_t root,
				      char *buf, size_t size, size_t *pos)
{
	for (int depth = 0; d && d != root; depth++) {
		if (depth == MAX_DEPTH)
			return vmca_error_create(VMCA_ERROR_INVALID,
						 "dentry %#" PRIx64
						 ": path deeper than %d",
						 d, MAX_DEPTH);
		uint64_t parent, name;
		struct vmca_error *err =
			vmca_read_u64(c->s, d + c->o.d_parent, &parent);
		if (!err)
			err = vmca_read_u64(c->s, d + c->o.d_name, &name);
		if (err)
			return err;
		if (parent == d)
			break; // a filesystem's root
		char part[256];
		err = vmca_read_string(c->s, name, part, sizeof(part));
		if (err)
			return err;
		size_t n = strlen(part);
		if (n + 1 > *pos)
			return vmca_error_create(VMCA_ERROR_INVALID,
						 "path longer than %zu", size);
		*pos -= n;
		memcpy(buf + *pos, part, n);
		buf[--*pos] = '/';
		d = parent;
	}
	return NULL;
}

// A mount's mountpoint: its dentry in the parent's tree, then the
// parent's, up to the namespace's root.
static struct vmca_error *mount_path(struct ctx *c, uint64_t m, char *out,
				     size_t size)
{
	char buf[1024];
	size_t pos = sizeof(buf) - 1;
	buf[pos] = 0;
	for (int depth = 0; depth < MAX_DEPTH; depth++) {
		uint64_t parent, mp, proot;
		struct vmca_error *err =
			vmca_read_u64(c->s, m + c->o.m_parent, &parent);
		if (err)
			return err;
		if (!parent || parent == m)
			break;
		err = vmca_read_u64(c->s, m + c->o.m_mountpoint, &mp);
		if (!err)
			err = vmca_read_u64(c->s,
					    parent + c->o.m_mnt + c->o.vm_root,
					    &proot);
		if (!err)
			err = dentry_path(c, mp, proot, buf, sizeof(buf), &pos);
		if (err)
			return err;
		m = parent;
	}
	vmca_strf(out, size, "%s", buf[pos] ? buf + pos : "/");
	return NULL;
}

static struct vmca_error *
visit_mount(struct vmca_session *s, const struct vmca_walk_entry *e, void *arg)
{
	struct ctx *c = arg;
	uint64_t m = e->address - c->o.m_link, sb, devname;
	struct vmca_error *err =
		vmca_read_u64(s, m + c->o.m_mnt + c->o.vm_sb, &sb);
	if (!err)
		err = vmca_read_u64(s, m + c->o.m_devname, &devname);
	if (err) {
		note_error(c->sh, "a mount", err);
		return NULL;
	}
	struct vmca_shmem_mount *r = mount_vector_append_entry(&c->mounts);
	if (!r)
		return &vmca_enomem;
	memset(r, 0, sizeof(*r));
	r->sb = sb;
	r->mount = m;
	if (devname)
		vmca_error_destroy(vmca_read_string(s, devname, r->source,
						    sizeof(r->source)));
	err = mount_path(c, m, r->mountpoint, sizeof(r->mountpoint));
	if (err) {
		vmca_strf(r->mountpoint, sizeof(r->mountpoint), "?");
		note_error(c->sh, "a mount's path", err);
	}
	return NULL;
}

static void read_mounts(struct ctx *c)
{
	struct vmca_session *s = c->s;
	struct vmca_variable it;
	uint64_t nsproxy, ns, nsp_off, mntns_off;
	struct vmca_error *err = vmca_variable(s, "init_task", &it);
	if (!err)
		err = off(s, "struct task_struct", "nsproxy", &nsp_off);
	if (!err)
		err = off(s, "struct nsproxy", "mnt_ns", &mntns_off);
	if (!err)
		err = vmca_read_u64(s, it.address + nsp_off, &nsproxy);
	if (!err)
		err = vmca_read_u64(s, nsproxy + mntns_off, &ns);
	if (!err)
		err = c->o.ns_is_list
			      ? vmca_walk_list(s, ns + c->o.ns_mounts, true,
					       MAX_MOUNTS, visit_mount, c)
			      : vmca_walk_rbtree(s, ns + c->o.ns_mounts,
						 MAX_MOUNTS, visit_mount, c);
	if (err)
		note_error(c->sh, "the initial mount namespace", err);
}

static struct vmca_error *
visit_inode(struct vmca_session *s, const struct vmca_walk_entry *e, void *arg)
{
	struct ctx *c = arg;
	uint64_t inode = e->address - c->o.i_sb_list, mapping, nr;
	struct vmca_error *err =
		vmca_read_u64(s, inode + c->o.i_mapping, &mapping);
	if (!err)
		err = vmca_read_u64(s, mapping + c->o.as_nrpages, &nr);
	if (err)
		return err;
	c->count += nr;
	c->inodes++;
	return NULL;
}

struct super_walk {
	struct ctx *c;
	struct mount_vector supers; // one entry per shmem superblock
};

static struct vmca_error *
visit_super(struct vmca_session *s, const struct vmca_walk_entry *e, void *arg)
{
	struct super_walk *w = arg;
	struct ctx *c = w->c;
	uint64_t sb = e->address - c->o.sb_list, op, type, name, info;
	struct vmca_error *err = vmca_read_u64(s, sb + c->o.sb_op, &op);
	if (err || op != c->o.shmem_ops) {
		vmca_error_destroy(err);
		return NULL;
	}
	struct vmca_shmem_mount r = {.sb = sb};
	err = vmca_read_u64(s, sb + c->o.sb_type, &type);
	if (!err)
		err = vmca_read_u64(s, type + c->o.fst_name, &name);
	if (!err)
		err = vmca_read_string(s, name, r.fstype, sizeof(r.fstype));
	if (!err)
		err = vmca_read_u64(s, sb + c->o.sb_fs_info, &info);
	uint64_t max = 0;
	int64_t used = 0;
	if (!err)
		err = vmca_read_u64(s, info + c->o.sbi_max, &max);
	if (!err)
		err = vmca_percpu_counter_sum(s, info + c->o.sbi_used, &used);
	if (err) {
		note_error(c->sh, "a shmem superblock", err);
		return NULL;
	}
	uint64_t page = vmca_session_page_size(s);
	// shmem_statfs(): blocks only with a size limit.
	r.size_bytes = max * page;
	r.used_bytes = max && used > 0 ? (uint64_t)used * page : 0;
	c->count = c->inodes = 0;
	err = vmca_walk_list(s, sb + c->o.sb_inodes, true, MAX_INODES,
			     visit_inode, c);
	r.inodes = c->inodes;
	if (err) {
		note_error(c->sh, "a shmem superblock's inodes", err);
	} else {
		r.is_pages_known = true;
		r.pages = c->count;
	}
	return mount_vector_append(&w->supers, r) ? NULL : &vmca_enomem;
}

static void read_supers(struct ctx *c)
{
	struct vmca_session *s = c->s;
	struct vmca_shmem *sh = c->sh;
	struct super_walk w = {.c = c};
	mount_vector_init(&w.supers);
	struct vmca_variable v;
	struct vmca_error *err = vmca_variable(s, "super_blocks", &v);
	if (!err)
		err = vmca_walk_list(s, v.address, true, MAX_SUPERS,
				     visit_super, &w);
	if (err)
		note_error(sh, "super_blocks", err);
	// One row per mount of a shmem superblock; the unmounted ones once.
	for (size_t i = 0; i < w.supers.len; i++) {
		struct vmca_shmem_mount *sup = &w.supers.data[i];
		bool is_mounted = false;
		for (size_t j = 0; j < c->mounts.len; j++) {
			struct vmca_shmem_mount *m = &c->mounts.data[j];
			if (m->sb != sup->sb)
				continue;
			is_mounted = true;
			struct vmca_shmem_mount r = *sup;
			r.mount = m->mount;
			memcpy(r.source, m->source, sizeof(r.source));
			memcpy(r.mountpoint, m->mountpoint,
			       sizeof(r.mountpoint));
			void *p = realloc(sh->mounts,
					  (sh->nr_mounts + 1) * sizeof(r));
			if (!p)
				break;
			sh->mounts = p;
			sh->mounts[sh->nr_mounts++] = r;
		}
		if (!is_mounted) {
			void *p = realloc(sh->mounts,
					  (sh->nr_mounts + 1) * sizeof(*sup));
			if (!p)
				break;
			sh->mounts = p;
			sh->mounts[sh->nr_mounts++] = *sup;
		}
	}
	mount_vector_deinit(&w.supers);
}

// The pages of a file's page cache, in bytes.
static uint64_t file_rss(struct ctx *c, uint64_t file)
{
	uint64_t mapping, nr = 0;
	struct vmca_error *err =
		vmca_read_u64(c->s, file + c->o.f_mapping, &mapping);
	if (!err)
		err = vmca_read_u64(c->s, mapping + c->o.as_nrpages, &nr);
	vmca_error_destroy(err);
	return err ? 0 : nr * vmca_session_page_size(c->s);
}

static struct vmca_error *visit_segment(struct vmca_session *s,
					const struct vmca_walk_entry *e,
					void *arg)
{
	struct ctx *c = arg;
	uint64_t perm = e->address, shp, key_off, id_off, file_off, segsz_off,
		 nattch_off, perm_off;
	struct vmca_error *err;
	const char *sk = "struct shmid_kernel";
	if ((err = off(s, sk, "shm_perm", &perm_off)) ||
	    (err = off(s, "struct kern_ipc_perm", "key", &key_off)) ||
	    (err = off(s, "struct kern_ipc_perm", "id", &id_off)) ||
	    (err = off(s, sk, "shm_file", &file_off)) ||
	    (err = off(s, sk, "shm_segsz", &segsz_off)) ||
	    (err = off(s, sk, "shm_nattch", &nattch_off)))
		return err;
	shp = perm - perm_off;
	struct vmca_shmem_sysv r = {.address = shp};
	uint32_t key, id;
	uint64_t file;
	if ((err = vmca_read_u32(s, perm + key_off, &key)) ||
	    (err = vmca_read_u32(s, perm + id_off, &id)) ||
	    (err = vmca_read_u64(s, shp + segsz_off, &r.size)) ||
	    (err = vmca_read_u64(s, shp + nattch_off, &r.nattch)) ||
	    (err = vmca_read_u64(s, shp + file_off, &file))) {
		note_error(c->sh, "a SysV segment", err);
		return NULL;
	}
	r.key = (int32_t)key;
	r.id = id;
	r.rss_bytes = file ? file_rss(c, file) : 0;
	struct vmca_shmem *sh = c->sh;
	void *p = realloc(sh->sysv, (sh->nr_sysv + 1) * sizeof(r));
	if (!p)
		return &vmca_enomem;
	sh->sysv = p;
	sh->sysv[sh->nr_sysv++] = r;
	return NULL;
}

static void read_sysv(struct ctx *c)
{
	struct vmca_session *s = c->s;
	struct vmca_variable ns;
	uint64_t ids_off, ids_size, idr_off;
	struct vmca_error *err = vmca_variable(s, "init_ipc_ns", &ns);
	if (!err)
		err = off(s, "struct ipc_namespace", "ids", &ids_off);
	if (!err)
		err = vmca_type_size(s, "struct ipc_ids", &ids_size);
	if (!err)
		err = off(s, "struct ipc_ids", "ipcs_idr.idr_rt", &idr_off);
	if (!err)
		err = vmca_walk_xarray(s,
				       ns.address + ids_off +
					       IPC_SHM_IDS * ids_size + idr_off,
				       MAX_SEGMENTS, visit_segment, c);
	if (err)
		note_error(c->sh, "SysV shared memory", err);
}

// A task's open files: the memfds among them.
static struct vmca_error *visit_task(struct vmca_session *s,
				     const struct vmca_task_entry *e, void *arg)
{
	struct ctx *c = arg;
	if (e->is_idle)
		return NULL;
	uint64_t files, fdt, fd, max, pid;
	struct vmca_error *err = vmca_read_member(
		s, e->address, "struct task_struct", "files", &files);
	if (err || !files) {
		vmca_error_destroy(err);
		return NULL;
	}
	if ((err = vmca_read_member(s, e->address, "struct task_struct", "pid",
				    &pid)) ||
	    (err = vmca_read_member(s, files, "struct files_struct", "fdt",
				    &fdt)) ||
	    (err = vmca_read_member(s, fdt, "struct fdtable", "fd", &fd)) ||
	    (err = vmca_read_member(s, fdt, "struct fdtable", "max_fds",
				    &max))) {
		vmca_error_destroy(err);
		return NULL;
	}
	max &= 0xffffffff;
	if (max > MAX_FDS)
		max = MAX_FDS;
	for (uint64_t i = 0; i < max; i++) {
		uint64_t file, fop, dentry, name, inode;
		if (!vmca_error_consume(vmca_read_u64(s, fd + 8 * i, &file)) ||
		    !file)
			continue;
		err = vmca_read_u64(s, file + c->o.f_op, &fop);
		if (err || fop != c->o.shmem_fops) {
			vmca_error_destroy(err);
			continue;
		}
		char text[80];
		if ((err = vmca_read_u64(s, file + c->o.f_dentry, &dentry)) ||
		    (err = vmca_read_u64(s, dentry + c->o.d_name, &name)) ||
		    (err = vmca_read_string(s, name, text, sizeof(text)))) {
			vmca_error_destroy(err);
			continue;
		}
		if (strncmp(text, "memfd:", 6) != 0)
			continue;
		bool seen = false;
		for (size_t j = 0; j < c->memfds.len && !seen; j++)
			seen = c->memfds.data[j].file == file;
		if (seen)
			continue;
		struct vmca_shmem_memfd r = {
			.file = file, .pid = pid & 0xffffffff, .fd = i};
		vmca_strf(r.name, sizeof(r.name), "%s", text + 6);
		if (vmca_error_consume(
			    vmca_read_u64(s, file + c->o.f_inode, &inode)))
			vmca_error_destroy(
				vmca_read_u64(s, inode + c->o.i_size, &r.size));
		r.rss_bytes = file_rss(c, file);
		if (!memfd_vector_append(&c->memfds, r))
			return &vmca_enomem;
	}
	return NULL;
}

static void walk_error(struct vmca_session *s, struct vmca_error *err,
		       void *arg)
{
	(void)s;
	note_error(((struct ctx *)arg)->sh, "task walk", err);
}

struct vmca_error *vmca_shmem_read(struct vmca_session *s,
				   struct vmca_shmem **ret)
{
	struct vmca_shmem *sh = calloc(1, sizeof(*sh));
	if (!sh)
		return &vmca_enomem;
	struct ctx c = {.s = s, .sh = sh};
	mount_vector_init(&c.mounts);
	memfd_vector_init(&c.memfds);
	struct vmca_error *err = offsets_init(s, &c.o);
	if (err) {
		free(sh);
		return vmca_error_wrap(err, "shmem");
	}
	read_mounts(&c);
	read_supers(&c);
	read_sysv(&c);
	err = vmca_task_walk(s, visit_task, walk_error, &c);
	if (err)
		note_error(sh, "memfds", err);
	sh->memfds = c.memfds.data;
	sh->nr_memfds = c.memfds.len;
	mount_vector_deinit(&c.mounts);
	*ret = sh;
	return NULL;
}

void vmca_shmem_destroy(struct vmca_shmem *sh)
{
	if (!sh)
		return;
	free(sh->mounts);
	free(sh->sysv);
	free(sh->memfds);
	vmca_strv_free(sh->notes, sh->nr_notes);
	free(sh);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * vmca_leak: test module for the vmca test corpus (testdata/), scenarios
 * "leak" and "leakdebug", in the shape of field case 1 in CASES.md (a
 * driver takes task references and never drops them; task_struct objects
 * pile up in the slab while the system runs a few dozen tasks) and of the
 * other leaks of case 4.
 *
 * Four leaks:
 *
 *  - Task references.  A process writes a pid to /proc/vmca_leak; the
 *    module takes a reference on that task (find_get_pid + get_pid_task)
 *    and keeps the pointer in vmca_leak_tasks[] forever.  The guest's
 *    helper (guest/leaker.c) forks short-lived children that register
 *    themselves and exit; they are reaped, but their task_struct (and
 *    with it signal_struct and cred, freed only by __put_task_struct)
 *    stays allocated with usage == 1, exit_state == EXIT_DEAD and
 *    __state == TASK_DEAD.  The only pointers to them are in
 *    vmca_leak_tasks[] (module .bss): what "who holds them" should find.
 *
 *  - cred references.  A process writes a pid to /proc/vmca_leak_cred;
 *    the module takes a reference on that task's cred (get_task_cred)
 *    and keeps the pointer in vmca_leak_creds[] forever.  A forked
 *    process has a cred of its own (copy_creds), so once the registered
 *    children are reaped their creds are held by no task, only by
 *    vmca_leak_creds[] (module .bss).
 *
 *  - kmalloc objects.  At load time, kmalloc_count objects of
 *    kmalloc_size bytes (GFP_KERNEL) are allocated, filled with
 *      u64 magic 0x564d43414c45414b ("VMCALEAK" read as a big-endian
 *      number; the bytes in memory are "KAELACMV"), u64 index (0..N-1),
 *      then 0xa5 up to kmalloc_size,
 *    and nothing points to them.
 *
 *  - vmalloc areas.  At load time, vmca_leak_vmalloc() vmalloc()s
 *    VMCA_LEAK_NVOBJS areas of the sizes in vmca_leak_vsizes[], each
 *    filled with 0x5a after a u64 magic 0x564d4341564d414c ("VMCAVMAL"
 *    read as a big-endian number; bytes "LAMVACMV") and a u64 index; nothing
 * points to them either (but the kernel's own vmap_area and vm_struct).
 *
 * The leaked objects' and areas' addresses are kept for the ground truth
 * only as addr ^ VMCA_LEAK_XOR, which is no canonical address: no
 * conservative pointer scan takes them for pointers.
 *
 * Reading /proc/vmca_leak reports what the module did (the ground truth
 * the guest copies to its truth channel), one record at a time (a
 * seq_file iterator: the reader's buffer stays one page):
 *   holder <address of vmca_leak_tasks> <capacity>
 *   kmalloc <count> <size> <ksize> <magic>
 *   vmalloc <count> <magic>
 *   kobj <index> <object address>
 *   vobj <index> <area address> <size>
 *   held <index> <pid> <task> <usage> <exit_state> <__state> <signal>
 *        <cred> <real_cred> <comm>
 * Reading /proc/vmca_leak_cred:
 *   credholder <address of vmca_leak_creds> <capacity>
 *   cred <index> <pid> <cred address> <usage> <comm>
 * (addresses in hex without 0x).  Every action is also printed on the
 * console ("vmca_leak: ...").
 */
#include <linux/atomic.h>
#include <linux/cred.h>
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/proc_fs.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/version.h>
#include <linux/vmalloc.h>

#define VMCA_LEAK_MAGIC	    0x564d43414c45414bULL /* "VMCALEAK" */
#define VMCA_LEAK_FILL	    0xa5
#define VMCA_LEAK_VMAGIC    0x564d4341564d414cULL /* "VMCAVMAL" */
#define VMCA_LEAK_VFILL	    0x5a
#define VMCA_LEAK_MAX_TASKS 1024
#define VMCA_LEAK_MAX_CREDS 256
#define VMCA_LEAK_MAX_KOBJS 4096
/* Bits 63..48 0xa5a5 for a kernel address: never canonical. */
#define VMCA_LEAK_XOR 0x5a5a000000000000UL

static unsigned int kmalloc_count = 2000;
module_param(kmalloc_count, uint, 0444);
MODULE_PARM_DESC(kmalloc_count, "kmalloc objects to leak at load time");
static unsigned int kmalloc_size = 200;
module_param(kmalloc_size, uint, 0444);
MODULE_PARM_DESC(kmalloc_size, "size of each leaked kmalloc object (>= 16)");

/* The vmalloc areas: distinct sizes, 64 KiB to 1 MiB. */
static const unsigned long vmca_leak_vsizes[] = {
	64 << 10, 128 << 10, 192 << 10, 256 << 10, 512 << 10, 1024 << 10,
};
#define VMCA_LEAK_NVOBJS ARRAY_SIZE(vmca_leak_vsizes)

/* task_struct::state became __state in v5.14 (commit 2f064a59a11f). */
static unsigned int vmca_leak_task_state(struct task_struct *t)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(5, 14, 0)
	return READ_ONCE(t->__state);
#else
	return (unsigned int)READ_ONCE(t->state);
#endif
}

/* cred::usage is an atomic_t before v6.7 (and before its stable backports),
 * an atomic_long_t since commit f8fa5d76925991976b3e7076f9d1052515ec1fca. */
#define vmca_leak_cred_usage(c)                      \
	((long)_Generic((c)->usage, atomic_t         \
			: atomic_read, atomic_long_t \
			: atomic_long_read)(&(c)->usage))

/* The held references; never dropped. */
struct task_struct *vmca_leak_tasks[VMCA_LEAK_MAX_TASKS];
static unsigned int vmca_leak_ntasks;
const struct cred *vmca_leak_creds[VMCA_LEAK_MAX_CREDS];
static unsigned int vmca_leak_ncreds;
/* Who each cred was taken from, when it was taken. */
static pid_t vmca_leak_cred_pids[VMCA_LEAK_MAX_CREDS];
static char vmca_leak_cred_comms[VMCA_LEAK_MAX_CREDS][TASK_COMM_LEN];
static DEFINE_MUTEX(vmca_leak_lock);

/* The leaked objects and areas, as addr ^ VMCA_LEAK_XOR. */
static unsigned long vmca_leak_kobjs[VMCA_LEAK_MAX_KOBJS];
static unsigned int vmca_leak_kmalloc_done;
static size_t vmca_leak_ksize;
static unsigned long vmca_leak_vobjs[VMCA_LEAK_NVOBJS];
static unsigned int vmca_leak_vmalloc_done;

struct vmca_leak_obj {
	u64 magic;
	u64 index;
	u8 fill[];
};

static struct task_struct *vmca_leak_find_task(int nr)
{
	struct pid *pid;
	struct task_struct *task;

	pid = find_get_pid(nr);
	if (!pid)
		return NULL;
	task = get_pid_task(pid, PIDTYPE_PID);
	put_pid(pid);
	return task;
}

static int vmca_leak_hold(int nr)
{
	struct task_struct *task;
	char comm[TASK_COMM_LEN];
	int ret = 0;

	task = vmca_leak_find_task(nr); /* the reference we keep */
	if (!task)
		return -ESRCH;
	mutex_lock(&vmca_leak_lock);
	if (vmca_leak_ntasks >= VMCA_LEAK_MAX_TASKS) {
		ret = -ENOSPC;
	} else {
		vmca_leak_tasks[vmca_leak_ntasks++] = task;
		get_task_comm(comm, task);
		pr_info("vmca_leak: holding task %u pid=%d comm=%s task=%px "
			"usage=%u\n",
			vmca_leak_ntasks - 1, task->pid, comm, task,
			refcount_read(&task->usage));
	}
	mutex_unlock(&vmca_leak_lock);
	if (ret)
		put_task_struct(task);
	return ret;
}

static int vmca_leak_hold_cred(int nr)
{
	struct task_struct *task;
	const struct cred *cred;
	unsigned int i;
	int ret = 0;

	task = vmca_leak_find_task(nr);
	if (!task)
		return -ESRCH;
	cred = get_task_cred(task); /* the reference we keep */
	mutex_lock(&vmca_leak_lock);
	if (vmca_leak_ncreds >= VMCA_LEAK_MAX_CREDS) {
		ret = -ENOSPC;
	} else {
		i = vmca_leak_ncreds++;
		vmca_leak_creds[i] = cred;
		vmca_leak_cred_pids[i] = task->pid;
		get_task_comm(vmca_leak_cred_comms[i], task);
		pr_info("vmca_leak: holding cred %u pid=%d comm=%s cred=%px "
			"usage=%ld\n",
			i, task->pid, vmca_leak_cred_comms[i], cred,
			vmca_leak_cred_usage(cred));
	}
	mutex_unlock(&vmca_leak_lock);
	put_task_struct(task);
	if (ret)
		put_cred(cred);
	return ret;
}

static ssize_t vmca_leak_write(struct file *file, const char __user *ubuf,
			       size_t count, loff_t *ppos)
{
	int nr, ret;

	ret = kstrtoint_from_user(ubuf, count, 10, &nr);
	if (ret)
		return ret;
	ret = vmca_leak_hold(nr);
	return ret ? ret : count;
}

static ssize_t vmca_leak_cred_write(struct file *file, const char __user *ubuf,
				    size_t count, loff_t *ppos)
{
	int nr, ret;

	ret = kstrtoint_from_user(ubuf, count, 10, &nr);
	if (ret)
		return ret;
	ret = vmca_leak_hold_cred(nr);
	return ret ? ret : count;
}

/*
 * /proc/vmca_leak, one record per line: 3 header lines, the kobj lines,
 * the vobj lines, the held lines.  A record is passed as its number + 1.
 */
#define VMCA_LEAK_HEADER_LINES 3

static unsigned long vmca_leak_records(void)
{
	return VMCA_LEAK_HEADER_LINES + vmca_leak_kmalloc_done +
	       vmca_leak_vmalloc_done + vmca_leak_ntasks;
}

static void *vmca_leak_seq_start(struct seq_file *m, loff_t *pos)
{
	mutex_lock(&vmca_leak_lock);
	if (*pos < 0 || *pos >= vmca_leak_records())
		return NULL;
	return (void *)(unsigned long)(*pos + 1);
}

static void *vmca_leak_seq_next(struct seq_file *m, void *v, loff_t *pos)
{
	++*pos;
	if (*pos >= vmca_leak_records())
		return NULL;
	return (void *)(unsigned long)(*pos + 1);
}

static void vmca_leak_seq_stop(struct seq_file *m, void *v)
{
	mutex_unlock(&vmca_leak_lock);
}

static void vmca_leak_show_held(struct seq_file *m, unsigned int i)
{
	struct task_struct *t = vmca_leak_tasks[i];
	char comm[TASK_COMM_LEN];

	get_task_comm(comm, t);
	seq_printf(m, "held %u %d %px %u %d %u %px %px %px %s\n", i, t->pid, t,
		   refcount_read(&t->usage), t->exit_state,
		   vmca_leak_task_state(t), t->signal,
		   rcu_access_pointer(t->cred),
		   rcu_access_pointer(t->real_cred), comm);
}

static int vmca_leak_seq_show(struct seq_file *m, void *v)
{
	unsigned long r = (unsigned long)v - 1;

	if (r == 0) {
		seq_printf(m, "holder %px %u\n", vmca_leak_tasks,
			   VMCA_LEAK_MAX_TASKS);
		return 0;
	}
	if (r == 1) {
		seq_printf(m, "kmalloc %u %u %zu 0x%llx\n",
			   vmca_leak_kmalloc_done, kmalloc_size,
			   vmca_leak_ksize, VMCA_LEAK_MAGIC);
		return 0;
	}
	if (r == 2) {
		seq_printf(m, "vmalloc %u 0x%llx\n", vmca_leak_vmalloc_done,
			   VMCA_LEAK_VMAGIC);
		return 0;
	}
	r -= VMCA_LEAK_HEADER_LINES;
	if (r < vmca_leak_kmalloc_done) {
		seq_printf(m, "kobj %lu %lx\n", r,
			   vmca_leak_kobjs[r] ^ VMCA_LEAK_XOR);
		return 0;
	}
	r -= vmca_leak_kmalloc_done;
	if (r < vmca_leak_vmalloc_done) {
		seq_printf(m, "vobj %lu %lx %lu\n", r,
			   vmca_leak_vobjs[r] ^ VMCA_LEAK_XOR,
			   vmca_leak_vsizes[r]);
		return 0;
	}
	r -= vmca_leak_vmalloc_done;
	vmca_leak_show_held(m, r);
	return 0;
}

static const struct seq_operations vmca_leak_seq_ops = {
	.start = vmca_leak_seq_start,
	.next = vmca_leak_seq_next,
	.stop = vmca_leak_seq_stop,
	.show = vmca_leak_seq_show,
};

static int vmca_leak_open(struct inode *inode, struct file *file)
{
	return seq_open(file, &vmca_leak_seq_ops);
}

static const struct proc_ops vmca_leak_ops = {
	.proc_open = vmca_leak_open,
	.proc_read = seq_read,
	.proc_lseek = seq_lseek,
	.proc_release = seq_release,
	.proc_write = vmca_leak_write,
};

static int vmca_leak_cred_show(struct seq_file *m, void *v)
{
	unsigned int i;

	mutex_lock(&vmca_leak_lock);
	seq_printf(m, "credholder %px %u\n", vmca_leak_creds,
		   VMCA_LEAK_MAX_CREDS);
	for (i = 0; i < vmca_leak_ncreds; i++)
		seq_printf(m, "cred %u %d %px %ld %s\n", i,
			   vmca_leak_cred_pids[i], vmca_leak_creds[i],
			   vmca_leak_cred_usage(vmca_leak_creds[i]),
			   vmca_leak_cred_comms[i]);
	mutex_unlock(&vmca_leak_lock);
	return 0;
}

static int vmca_leak_cred_open(struct inode *inode, struct file *file)
{
	return single_open(file, vmca_leak_cred_show, NULL);
}

static const struct proc_ops vmca_leak_cred_ops = {
	.proc_open = vmca_leak_cred_open,
	.proc_read = seq_read,
	.proc_lseek = seq_lseek,
	.proc_release = single_release,
	.proc_write = vmca_leak_cred_write,
};

/* noinline: one call site, so all objects come from one kmalloc cache. */
static noinline void vmca_leak_kmalloc(void)
{
	unsigned int i;

	for (i = 0; i < kmalloc_count; i++) {
		struct vmca_leak_obj *o = kmalloc(kmalloc_size, GFP_KERNEL);

		if (!o)
			break;
		o->magic = VMCA_LEAK_MAGIC;
		o->index = i;
		memset(o->fill, VMCA_LEAK_FILL, kmalloc_size - sizeof(*o));
		if (i == 0)
			vmca_leak_ksize = ksize(o);
		/* only the obfuscated address stays: nothing references o */
		vmca_leak_kobjs[i] = (unsigned long)o ^ VMCA_LEAK_XOR;
	}
	vmca_leak_kmalloc_done = i;
}

/* noinline: the caller /proc/vmallocinfo names for every area. */
static noinline void vmca_leak_vmalloc(void)
{
	unsigned int i;

	for (i = 0; i < VMCA_LEAK_NVOBJS; i++) {
		u64 *p = vmalloc(vmca_leak_vsizes[i]);

		if (!p)
			break;
		memset(p, VMCA_LEAK_VFILL, vmca_leak_vsizes[i]);
		p[0] = VMCA_LEAK_VMAGIC;
		p[1] = i;
		vmca_leak_vobjs[i] = (unsigned long)p ^ VMCA_LEAK_XOR;
	}
	vmca_leak_vmalloc_done = i;
}

static int __init vmca_leak_init(void)
{
	if (kmalloc_size < sizeof(struct vmca_leak_obj) ||
	    kmalloc_count > VMCA_LEAK_MAX_KOBJS)
		return -EINVAL;
	if (!proc_create("vmca_leak", 0600, NULL, &vmca_leak_ops))
		return -ENOMEM;
	if (!proc_create("vmca_leak_cred", 0600, NULL, &vmca_leak_cred_ops)) {
		remove_proc_entry("vmca_leak", NULL);
		return -ENOMEM;
	}
	vmca_leak_kmalloc();
	vmca_leak_vmalloc();
	pr_info("vmca_leak: leaked %u of %u kmalloc(%u) objects (ksize %zu), "
		"magic 0x%llx; %u of %zu vmalloc areas; holder arrays %px "
		"%px\n",
		vmca_leak_kmalloc_done, kmalloc_count, kmalloc_size,
		vmca_leak_ksize, VMCA_LEAK_MAGIC, vmca_leak_vmalloc_done,
		VMCA_LEAK_NVOBJS, vmca_leak_tasks, vmca_leak_creds);
	return 0;
}
/*
 * Unloading removes the proc files but keeps the leaks: the references
 * are never dropped.  (An exit function keeps the module from showing
 * up as "[permanent]" in /proc/modules.)
 */
static void __exit vmca_leak_exit(void)
{
	remove_proc_entry("vmca_leak_cred", NULL);
	remove_proc_entry("vmca_leak", NULL);
}

module_init(vmca_leak_init);
module_exit(vmca_leak_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("vmca test corpus: leaks task and cred references, "
		   "kmalloc objects and vmalloc areas");

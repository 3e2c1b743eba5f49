// SPDX-License-Identifier: GPL-2.0
/*
 * vmca_leak: test module for the vmca test corpus (testdata/), scenario
 * "leak", in the shape of field case 1 in CASES.md (a driver takes task
 * references and never drops them; task_struct objects pile up in the
 * slab while the system runs a few dozen tasks).
 *
 * Two leaks:
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
 *  - kmalloc objects.  At load time, kmalloc_count objects of
 *    kmalloc_size bytes (GFP_KERNEL) are allocated, filled with
 *      u64 magic 0x564d43414c45414b ("VMCALEAK" read as a big-endian
 *      number; the bytes in memory are "KAELACMV"), u64 index (0..N-1),
 *      then 0xa5 up to kmalloc_size,
 *    and the pointers are dropped: nothing references them.
 *
 * Reading /proc/vmca_leak reports what the module did (the ground truth
 * the guest copies to its truth channel):
 *   holder <address of vmca_leak_tasks> <capacity>
 *   kmalloc <count> <size> <ksize> <magic>
 *   held <index> <pid> <task address> <usage> <exit_state> <__state> <comm>
 * Every action is also printed on the console ("vmca_leak: ...").
 */
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/proc_fs.h>
#include <linux/refcount.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/version.h>

#define VMCA_LEAK_MAGIC	    0x564d43414c45414bULL /* "VMCALEAK" */
#define VMCA_LEAK_FILL	    0xa5
#define VMCA_LEAK_MAX_TASKS 1024

static unsigned int kmalloc_count = 2000;
module_param(kmalloc_count, uint, 0444);
MODULE_PARM_DESC(kmalloc_count, "kmalloc objects to leak at load time");
static unsigned int kmalloc_size = 200;
module_param(kmalloc_size, uint, 0444);
MODULE_PARM_DESC(kmalloc_size, "size of each leaked kmalloc object (>= 16)");

/* task_struct::state became __state in v5.14 (commit 2f064a59a11f). */
static unsigned int vmca_leak_task_state(struct task_struct *t)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(5, 14, 0)
	return READ_ONCE(t->__state);
#else
	return (unsigned int)READ_ONCE(t->state);
#endif
}

/* The held references; never dropped. */
struct task_struct *vmca_leak_tasks[VMCA_LEAK_MAX_TASKS];
static unsigned int vmca_leak_ntasks;
static DEFINE_MUTEX(vmca_leak_lock);
static unsigned int vmca_leak_kmalloc_done;
static size_t vmca_leak_ksize;

struct vmca_leak_obj {
	u64 magic;
	u64 index;
	u8 fill[];
};

static int vmca_leak_hold(int nr)
{
	struct pid *pid;
	struct task_struct *task;
	char comm[TASK_COMM_LEN];
	int ret = 0;

	pid = find_get_pid(nr);
	if (!pid)
		return -ESRCH;
	task = get_pid_task(pid, PIDTYPE_PID); /* the reference we keep */
	put_pid(pid);
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

static int vmca_leak_show(struct seq_file *m, void *v)
{
	unsigned int i;
	char comm[TASK_COMM_LEN];

	mutex_lock(&vmca_leak_lock);
	seq_printf(m, "holder %px %u\n", vmca_leak_tasks, VMCA_LEAK_MAX_TASKS);
	seq_printf(m, "kmalloc %u %u %zu 0x%llx\n", vmca_leak_kmalloc_done,
		   kmalloc_size, vmca_leak_ksize, VMCA_LEAK_MAGIC);
	for (i = 0; i < vmca_leak_ntasks; i++) {
		struct task_struct *t = vmca_leak_tasks[i];

		get_task_comm(comm, t);
		seq_printf(m, "held %u %d %px %u %d %u %s\n", i, t->pid, t,
			   refcount_read(&t->usage), t->exit_state,
			   vmca_leak_task_state(t), comm);
	}
	mutex_unlock(&vmca_leak_lock);
	return 0;
}

static int vmca_leak_open(struct inode *inode, struct file *file)
{
	return single_open(file, vmca_leak_show, NULL);
}

static const struct proc_ops vmca_leak_ops = {
	.proc_open = vmca_leak_open,
	.proc_read = seq_read,
	.proc_lseek = seq_lseek,
	.proc_release = single_release,
	.proc_write = vmca_leak_write,
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
		/* the pointer is dropped here: nothing references o */
	}
	vmca_leak_kmalloc_done = i;
}

static int __init vmca_leak_init(void)
{
	if (kmalloc_size < sizeof(struct vmca_leak_obj))
		return -EINVAL;
	if (!proc_create("vmca_leak", 0600, NULL, &vmca_leak_ops))
		return -ENOMEM;
	vmca_leak_kmalloc();
	pr_info("vmca_leak: leaked %u of %u kmalloc(%u) objects (ksize %zu), "
		"magic 0x%llx; holder array %px\n",
		vmca_leak_kmalloc_done, kmalloc_count, kmalloc_size,
		vmca_leak_ksize, VMCA_LEAK_MAGIC, vmca_leak_tasks);
	return 0;
}
/*
 * Unloading removes the proc file but keeps the leak: the references are
 * never dropped.  (An exit function keeps the module from showing up as
 * "[permanent]" in /proc/modules.)
 */
static void __exit vmca_leak_exit(void)
{
	remove_proc_entry("vmca_leak", NULL);
}

module_init(vmca_leak_init);
module_exit(vmca_leak_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION(
	"vmca test corpus: leaks task references and kmalloc objects");

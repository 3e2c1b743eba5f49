// SPDX-License-Identifier: GPL-2.0
/*
 * vmca_oops: test module for the vmca test corpus (testdata/).
 *
 * Loading it oopses on purpose, in the shape of field case 2 in
 * CASES.md (oom_evaluate_task): a caller keeps a control structure on
 * its stack whose "chosen" pointer is still NULL, and a noinline helper
 * reads chosen->exit_signal.  The faulting load is "mov 0x28(%reg),..."
 * with %reg == 0, so the oops reads
 *   BUG: kernel NULL pointer dereference, address: 0000000000000028
 * and vmca can map the displacement 0x28 to vmca_oops_task.exit_signal
 * through the module's DWARF, and find struct vmca_oops_ctl in the
 * caller's frame (values below are distinctive on purpose).
 *
 * The guest boots with panic_on_oops=1, so the oops becomes a panic
 * ("Fatal exception") or, with a capture kernel loaded, a kdump.
 *
 * The init function first creates /proc/vmca_oops and waits until
 * something is written to it: the guest loads the module in the
 * background, prints its ground truth with the module loaded (its
 * memory, sysfs nodes and symbols already allocated), and then writes
 * to the file with a shell builtin.  With context=init (the default) the
 * oops still happens inside the module's init (.init.text on the stack,
 * the module "Loading"); with context=timer the init arms a timer and
 * sleeps, and the timer's callback oopses in interrupt context (softirq,
 * on the IRQ stack of the CPU, above the task the interrupt stopped).
 *
 * Either way the crash path passes known values down its frames, for a
 * debugger to find in them: the struct vmca_oops_ctl on the caller's
 * stack (magic 0x564d4341, constraint 2 from init, 3 from the timer), an
 * integer parameter (depth = 42, and points = LONG_MIN), and a pointer
 * to a global (&vmca_oops_global, magic 0x474c4f42), printed first.
 *
 * With context=timer and a second CPU, a kernel thread bound to CPU 1
 * (vmca_oops_spin, created at load, its pid printed) spins there with
 * interrupts off from the write on: panic() cannot stop that CPU with its
 * interrupt and falls back to an NMI, so the dump holds a CPU stopped on
 * its NMI stack above a task's (kdump's NMI saves where it spun).
 */
#include <linux/build_bug.h>
#include <linux/completion.h>
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/limits.h>
#include <linux/module.h>
#include <linux/proc_fs.h>
#include <linux/moduleparam.h>
#include <linux/sched.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/timer.h>
#include <linux/fs.h>
#include <linux/hw_breakpoint.h>
#include <linux/perf_event.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/oom.h>
#include <linux/preempt.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

/* Stands in for task_struct: exit_signal sits at offset 0x28. */
struct vmca_oops_task {
	unsigned long state;  /* 0x00 */
	void *stack;	      /* 0x08 */
	unsigned long flags;  /* 0x10 */
	unsigned long pad[2]; /* 0x18 */
	int exit_signal;      /* 0x28 */
	int pid;	      /* 0x2c */
};

/* Stands in for struct oom_control. */
struct vmca_oops_ctl {
	unsigned long totalpages;      /* 0x00 */
	struct vmca_oops_task *chosen; /* 0x08 */
	long chosen_points;	       /* 0x10 */
	unsigned int constraint;       /* 0x18 */
	unsigned int magic;	       /* 0x1c */
};

#define VMCA_OOPS_MAGIC	       0x564d4341u /* "VMCA" */
#define VMCA_OOPS_GLOBAL_MAGIC 0x474c4f42u /* "GLOB" */
#define VMCA_OOPS_DEPTH	       42

/* The global the crash path passes a pointer to. */
struct vmca_oops_ctl vmca_oops_global = {
	.totalpages = 4096,
	.constraint = 7,
	.magic = VMCA_OOPS_GLOBAL_MAGIC,
};

static char *context = "init";
module_param(context, charp, 0444);
MODULE_PARM_DESC(context, "what to crash with: init (a NULL dereference in "
			  "the module's init), timer (the same from a timer "
			  "callback, in interrupt context), oomctl, bug, "
			  "warn, listdel, uaf, nullcall, hung, lockup, "
			  "overflow, debug");

/*
 * noipa: no inlining, cloning or constant propagation, so the compiler
 * cannot see that chosen is NULL and must emit the load.
 */
static noinline __attribute__((noipa)) int
vmca_oops_evaluate(struct vmca_oops_ctl *ctl, long points)
{
	/* like thread_group_leader(oc->chosen) reading ->exit_signal */
	if (points == ctl->chosen_points && ctl->chosen->exit_signal >= 0)
		return 1;
	return 0;
}

/* One frame more, with an integer and a pointer to a global. */
static noinline __attribute__((noipa)) int
vmca_oops_pass(struct vmca_oops_ctl *ctl, long points, int depth,
	       struct vmca_oops_ctl *global)
{
	int r = vmca_oops_evaluate(ctl, points);

	return r + depth + (int)global->constraint;
}

static void vmca_oops_crash(struct vmca_oops_ctl *ctl)
{
	pr_info("vmca_oops: ctl=%px totalpages=%lu chosen=%px "
		"chosen_points=%ld depth=%d global=%px context=%s\n",
		ctl, ctl->totalpages, ctl->chosen, ctl->chosen_points,
		VMCA_OOPS_DEPTH, &vmca_oops_global, context);
	vmca_oops_pass(ctl, LONG_MIN, VMCA_OOPS_DEPTH, &vmca_oops_global);
}

/*
 * context=oomctl: field case 2 itself, with the kernel's own types: a
 * struct oom_control on the caller's stack whose chosen is still NULL and
 * chosen_points LONG_MIN, and an evaluation that reads exit_signal
 * through an inline helper, the way oom_evaluate_task() calls
 * thread_group_leader(oc->chosen).
 */
static __always_inline bool vmca_thread_group_leader(struct task_struct *p)
{
	return p->exit_signal >= 0;
}

static noinline __attribute__((noipa)) int
vmca_oom_evaluate_task(struct task_struct *task, void *arg)
{
	struct oom_control *oc = arg;

	if (oc->chosen_points == LONG_MIN &&
	    vmca_thread_group_leader(oc->chosen))
		return task->pid;
	return 0;
}

static noinline void vmca_oops_oomctl(void)
{
	struct oom_control oc = {
		.gfp_mask = GFP_KERNEL,
		.order = 3,
		.totalpages = 976562,
		.chosen = NULL,
		.chosen_points = LONG_MIN,
	};

	pr_info("vmca_oops: oc=%px totalpages=%lu order=%d chosen=%px "
		"chosen_points=%ld\n",
		&oc, oc.totalpages, oc.order, oc.chosen, oc.chosen_points);
	vmca_oom_evaluate_task(current, &oc);
}

/* context=bug: BUG_ON() on the control structure's magic. */
static noinline __attribute__((noipa)) void
vmca_oops_check(struct vmca_oops_ctl *ctl)
{
	pr_info("vmca_oops: BUG_ON at line %d\n", __LINE__ + 1);
	BUG_ON(ctl->magic == VMCA_OOPS_MAGIC);
}

/* context=warn: WARN_ON() (the guest sets panic_on_warn). */
static noinline __attribute__((noipa)) void
vmca_oops_warn(struct vmca_oops_ctl *ctl)
{
	pr_info("vmca_oops: WARN_ON at line %d\n", __LINE__ + 1);
	WARN_ON(ctl->magic == VMCA_OOPS_MAGIC);
}

/* context=listdel: list_del() of an entry already deleted. */
struct vmca_oops_item {
	struct list_head node;
	unsigned long magic;
};

static LIST_HEAD(vmca_oops_list);

static noinline __attribute__((noipa)) void
vmca_oops_unlink(struct vmca_oops_item *item)
{
	list_del(&item->node);
}

static noinline void vmca_oops_listdel(void)
{
	struct vmca_oops_item *item = kmalloc(sizeof(*item), GFP_KERNEL);

	if (!item)
		return;
	item->magic = VMCA_OOPS_MAGIC;
	list_add(&item->node, &vmca_oops_list);
	vmca_oops_unlink(item);
	pr_info("vmca_oops: item=%px deleted once, next=%px prev=%px\n", item,
		item->node.next, item->node.prev);
	vmca_oops_unlink(item);
}

/*
 * context=uaf: a pointer read from an object already freed, in a cache
 * with SLAB_POISON: the freed object reads 0x6b6b... (POISON_FREE), and
 * following that pointer faults on a non-canonical address.
 */
struct vmca_oops_holder {
	struct vmca_oops_task *task;
	unsigned long pad[7];
};

static noinline __attribute__((noipa)) int
vmca_oops_use(struct vmca_oops_holder *holder)
{
	return holder->task->exit_signal;
}

static struct vmca_oops_task vmca_oops_a_task = {.exit_signal = 17};

static noinline void vmca_oops_uaf(void)
{
	struct kmem_cache *cache = kmem_cache_create(
		"vmca_oops_uaf", sizeof(struct vmca_oops_holder), 0,
		SLAB_POISON, NULL);
	struct vmca_oops_holder *holder;

	if (!cache)
		return;
	holder = kmem_cache_alloc(cache, GFP_KERNEL);
	if (!holder)
		return;
	holder->task = &vmca_oops_a_task;
	kmem_cache_free(cache, holder);
	pr_info("vmca_oops: holder=%px freed, cache=vmca_oops_uaf\n", holder);
	vmca_oops_use(holder);
}

/*
 * context=nullcall: a call through a file_operations whose write is NULL,
 * as a driver calling an ops member nobody filled in.
 */
static const struct file_operations vmca_oops_fops = {
	.owner = THIS_MODULE,
};

static noinline __attribute__((noipa)) ssize_t
vmca_oops_call_write(const struct file_operations *fops)
{
	loff_t pos = 0;

	return fops->write(NULL, NULL, 0, &pos);
}

static noinline void vmca_oops_nullcall(void)
{
	pr_info("vmca_oops: fops=%px write=%px\n", &vmca_oops_fops,
		vmca_oops_fops.write);
	vmca_oops_call_write(&vmca_oops_fops);
}

/*
 * context=hung: this task blocks on a mutex a kernel thread holds while
 * it sleeps, until the hung task detector panics (the guest sets
 * hung_task_panic and a short timeout).
 */
static DEFINE_MUTEX(vmca_oops_mutex);
static DECLARE_COMPLETION(vmca_oops_locked);

static int vmca_oops_holder_fn(void *unused)
{
	mutex_lock(&vmca_oops_mutex);
	complete(&vmca_oops_locked);
	for (;;)
		schedule_timeout_interruptible(MAX_SCHEDULE_TIMEOUT);
	return 0;
}

static noinline void vmca_oops_hung(void)
{
	struct task_struct *holder =
		kthread_run(vmca_oops_holder_fn, NULL, "vmca_oops_holder");

	if (IS_ERR(holder))
		return;
	wait_for_completion(&vmca_oops_locked);
	pr_info("vmca_oops: mutex=%px held by pid=%d\n", &vmca_oops_mutex,
		holder->pid);
	mutex_lock(&vmca_oops_mutex);
}

/*
 * context=lockup: this CPU spins with preemption off until the soft
 * lockup detector panics (the guest sets softlockup_panic and a short
 * watchdog_thresh).
 */
static noinline __attribute__((noipa)) __noreturn void vmca_oops_stuck(void)
{
	preempt_disable();
	for (;;)
		cpu_relax();
}

/*
 * context=overflow: recursion with large frames until the task's stack
 * runs into its guard page: the page fault cannot be delivered on the
 * exhausted stack, the CPU raises a double fault on its #DF stack, and
 * the kernel reports "stack guard page was hit".
 */
static noinline __attribute__((noipa)) int
vmca_oops_recurse(int depth, volatile char *prev)
{
	volatile char pad[512];

	pad[0] = (char)depth;
	pad[511] = prev ? prev[0] : 0;
	/* Never this deep on a 16 kB stack: a bound for the compiler. */
	if (depth > (1 << 20))
		return 0;
	return vmca_oops_recurse(depth + 1, pad) + pad[1];
}

/*
 * context=debug: a hardware breakpoint on a write to a variable; its
 * handler runs in the #DB exception, on the CPU's #DB stack, and
 * dereferences the NULL chosen there.
 */
static unsigned long vmca_oops_watched;

static void vmca_oops_bp_handler(struct perf_event *bp,
				 struct perf_sample_data *data,
				 struct pt_regs *regs)
{
	vmca_oops_evaluate(bp->overflow_handler_context, LONG_MIN);
}

static noinline void vmca_oops_debug(struct vmca_oops_ctl *ctl)
{
	struct perf_event_attr attr;
	struct perf_event *__percpu *bp;

	hw_breakpoint_init(&attr);
	attr.bp_addr = (unsigned long)&vmca_oops_watched;
	attr.bp_len = HW_BREAKPOINT_LEN_8;
	attr.bp_type = HW_BREAKPOINT_W;
	bp = register_wide_hw_breakpoint(&attr, vmca_oops_bp_handler, ctl);
	if (IS_ERR((void __force *)bp)) {
		pr_info("vmca_oops: no hardware breakpoint: %ld\n",
			PTR_ERR((void __force *)bp));
		return;
	}
	pr_info("vmca_oops: breakpoint on %px\n", &vmca_oops_watched);
	WRITE_ONCE(vmca_oops_watched, 1);
}

static struct timer_list vmca_oops_timer;

static DECLARE_COMPLETION(vmca_oops_spin_go);
static int vmca_oops_spinning;

/* Interrupts off, forever: only an NMI stops this CPU. */
static noinline __attribute__((noipa)) __noreturn void vmca_oops_spin_loop(void)
{
	local_irq_disable();
	WRITE_ONCE(vmca_oops_spinning, 1);
	for (;;)
		cpu_relax();
}

static int vmca_oops_spin(void *unused)
{
	wait_for_completion(&vmca_oops_spin_go);
	vmca_oops_spin_loop();
}

static void vmca_oops_fire(struct timer_list *t)
{
	struct vmca_oops_ctl ctl = {
		.totalpages = 976562,
		.chosen = NULL,
		.chosen_points = LONG_MIN,
		.constraint = 3,
		.magic = VMCA_OOPS_MAGIC,
	};

	vmca_oops_crash(&ctl);
}

static DECLARE_COMPLETION(vmca_oops_go);

static ssize_t vmca_oops_write(struct file *file, const char __user *buf,
			       size_t count, loff_t *pos)
{
	complete(&vmca_oops_go);
	return count;
}

static const struct proc_ops vmca_oops_proc_ops = {
	.proc_write = vmca_oops_write,
};

static int __init vmca_oops_init(void)
{
	struct vmca_oops_ctl ctl = {
		.totalpages = 976562,
		.chosen = NULL,
		.chosen_points = LONG_MIN,
		.constraint = 2,
		.magic = VMCA_OOPS_MAGIC,
	};
	struct proc_dir_entry *entry;
	int ret;

	struct task_struct *spinner = NULL;

	BUILD_BUG_ON(offsetof(struct vmca_oops_task, exit_signal) != 0x28);
	if (strcmp(context, "timer") == 0 && num_online_cpus() >= 2) {
		spinner =
			kthread_create(vmca_oops_spin, NULL, "vmca_oops_spin");
		if (IS_ERR(spinner))
			return PTR_ERR(spinner);
		kthread_bind(spinner, 1);
		wake_up_process(spinner);
		pr_info("vmca_oops: spinner pid=%d cpu=1\n", spinner->pid);
	}
	entry = proc_create("vmca_oops", 0200, NULL, &vmca_oops_proc_ops);
	if (!entry)
		return -ENOMEM;
	pr_info("vmca_oops: waiting for a write to /proc/vmca_oops\n");
	if (wait_for_completion_interruptible(&vmca_oops_go)) {
		proc_remove(entry);
		return -EINTR;
	}
	if (strcmp(context, "timer") == 0) {
		if (spinner) {
			/* This task and the timer on CPU 0, CPU 1 spins. */
			set_cpus_allowed_ptr(current, cpumask_of(0));
			complete(&vmca_oops_spin_go);
			while (!READ_ONCE(vmca_oops_spinning))
				msleep(1);
		}
		/* The callback oopses; the CPU idles meanwhile. */
		timer_setup(&vmca_oops_timer, vmca_oops_fire, TIMER_PINNED);
		mod_timer(&vmca_oops_timer, jiffies + 1);
		schedule_timeout_uninterruptible(10 * HZ);
		/* not reached with panic_on_oops=1 */
		proc_remove(entry);
		return -EINVAL;
	}
	if (strcmp(context, "oomctl") == 0) {
		vmca_oops_oomctl();
	} else if (strcmp(context, "bug") == 0) {
		vmca_oops_check(&ctl);
	} else if (strcmp(context, "warn") == 0) {
		vmca_oops_warn(&ctl);
	} else if (strcmp(context, "listdel") == 0) {
		vmca_oops_listdel();
	} else if (strcmp(context, "uaf") == 0) {
		vmca_oops_uaf();
	} else if (strcmp(context, "nullcall") == 0) {
		vmca_oops_nullcall();
	} else if (strcmp(context, "hung") == 0) {
		vmca_oops_hung();
	} else if (strcmp(context, "debug") == 0) {
		vmca_oops_debug(&ctl);
	} else if (strcmp(context, "overflow") == 0) {
		pr_info("vmca_oops: recursing on a stack of %lu bytes\n",
			(unsigned long)THREAD_SIZE);
		vmca_oops_recurse(0, NULL);
	} else if (strcmp(context, "lockup") == 0) {
		pr_info("vmca_oops: spinning on CPU %d\n",
			raw_smp_processor_id());
		vmca_oops_stuck();
	} else {
		vmca_oops_crash(&ctl);
	}
	ret = ctl.constraint;
	/* not reached with panic_on_oops=1 */
	pr_info("vmca_oops: evaluate returned %d\n", ret);
	proc_remove(entry);
	return -EINVAL;
}

static void __exit vmca_oops_exit(void)
{
}

module_init(vmca_oops_init);
module_exit(vmca_oops_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION(
	"vmca test corpus: deliberate NULL dereference at offset 0x28");

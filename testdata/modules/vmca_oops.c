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
MODULE_PARM_DESC(context, "where to oops: init (the module's init) or "
			  "timer (a timer callback, in interrupt context)");

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
	vmca_oops_crash(&ctl);
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

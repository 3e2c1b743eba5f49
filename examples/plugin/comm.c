// SPDX-License-Identifier: MIT
// An example vmca plugin, built outside vmca's tree against the installed
// vmca-plugin.h:
//
//   cc -shared -fPIC -I PREFIX/include -o comm.so comm.c
//   vmca --plugin ./comm.so VMCORE comm [PREFIX]
//
// `comm`: every task's pid and comm, those whose comm starts with PREFIX
// if one is given.
#include <string.h>

#include <vmca-plugin.h>

struct filter {
	struct vmca_out *out;
	const char *prefix;
};

static struct vmca_error *one_task(struct vmca_session *s, uint64_t task,
				   void *arg)
{
	struct filter *f = arg;
	uint64_t pid;
	char comm[17];
	struct vmca_error *err =
		vmca_api_member(s, task, "struct task_struct", "pid", &pid);
	if (!err)
		err = vmca_api_member_string(s, task, "struct task_struct",
					     "comm", comm, sizeof(comm));
	if (err)
		return err;
	if (f->prefix && strncmp(comm, f->prefix, strlen(f->prefix)) != 0)
		return NULL;
	vmca_api_out_begin_object(f->out, NULL);
	vmca_api_out_u64(f->out, "pid", pid & 0xffffffff);
	vmca_api_out_str(f->out, "comm", comm);
	vmca_api_out_addr(f->out, "task", task);
	vmca_api_out_end_object(f->out);
	return NULL;
}

static struct vmca_error *comm_run(struct vmca_session *s, struct vmca_out *out,
				   int argc, char **argv)
{
	if (argc > 2)
		return vmca_api_error("usage: vmca --plugin comm.so VMCORE "
				      "comm [PREFIX]");
	struct filter f = {out, argc == 2 ? argv[1] : NULL};
	vmca_api_out_begin_object(out, NULL);
	vmca_api_out_begin_list(out, "tasks");
	struct vmca_error *err = vmca_api_for_each_task(s, one_task, &f);
	vmca_api_out_end_list(out);
	vmca_api_out_end_object(out);
	return err;
}

static const struct vmca_plugin comm_plugin = {
	.name = "comm",
	.summary = "every task's pid and comm (an example plugin)",
	.usage = "comm [PREFIX]",
	.help = "JSON: {\"tasks\": [{\"pid\", \"comm\", \"task\"}]}.\n",
	.run = comm_run,
	.examples =
		"comm\tevery task\n"
		"comm kworker/\tthe tasks whose comm starts with kworker/\n",
};

const struct vmca_plugin *vmca_plugin_init(unsigned api_version)
{
	return api_version == VMCA_PLUGIN_API_VERSION ? &comm_plugin : NULL;
}

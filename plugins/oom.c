// SPDX-License-Identifier: MIT
// plugins/oom.c: the OOM killer's state: its oom_control, the tasks ranked.
#include <stdio.h>
#include <string.h>

#include "vmca.h"

static void addr_or_null(struct vmca_out *out, const char *key, uint64_t v)
{
	if (v)
		vmca_out_addr(out, key, v);
	else
		vmca_out_null(out, key);
}

static void control_out(struct vmca_session *s, struct vmca_out *out,
			const struct vmca_oom *o)
{
	if (!o->has_control) {
		vmca_out_null(out, "oom_control");
		return;
	}
	vmca_out_begin_object(out, "oom_control", VMCA_OUT_TEXT_CUSTOM);
	vmca_out_addr(out, "address", o->control);
	vmca_out_str(out, "function", o->function);
	vmca_out_u64(out, "frame", o->frame);
	addr_or_null(out, "memcg", o->memcg);
	vmca_out_u64(out, "gfp_mask", o->gfp_mask);
	vmca_out_str(out, "gfp_flags", o->gfp_flags[0] ? o->gfp_flags : NULL);
	vmca_out_i64(out, "order", o->order);
	vmca_out_u64(out, "totalpages", o->totalpages);
	addr_or_null(out, "chosen", o->chosen);
	vmca_out_i64(out, "chosen_points", o->chosen_points);
	vmca_out_str(out, "constraint",
		     o->constraint[0] ? o->constraint : NULL);
	addr_or_null(out, "nodemask", o->nodemask);
	vmca_out_end_object(out);
	vmca_out_textf(out,
		       "OOM_CONTROL: %#" PRIx64 " (%s's %s, frame #%zu)\n"
		       "  constraint %s, totalpages %" PRIu64 ", order %d, "
		       "gfp_mask %#x%s%s%s\n"
		       "  memcg %#" PRIx64 ", chosen %#" PRIx64
		       ", chosen_points %" PRId64 ", nodemask %#" PRIx64 "\n",
		       o->control, o->function, o->variable, o->frame,
		       o->constraint[0] ? o->constraint : "?", o->totalpages,
		       o->order, o->gfp_mask, o->gfp_flags[0] ? " (" : "",
		       o->gfp_flags, o->gfp_flags[0] ? ")" : "", o->memcg,
		       o->chosen, o->chosen_points, o->nodemask);
	(void)s;
}

static struct vmca_error *oom_run(struct vmca_session *s, struct vmca_out *out,
				  int argc, char **argv)
{
	(void)argv;
	if (argc != 1)
		return vmca_error_create(VMCA_ERROR_USAGE,
					 "usage: vmca VMCORE oom");
	struct vmca_oom *o;
	struct vmca_error *err = vmca_oom_analyze(s, &o);
	if (err)
		return err;
	vmca_out_begin_object(out, NULL, VMCA_OUT_TEXT_CUSTOM);
	control_out(s, out, o);
	if (o->memcg) {
		vmca_out_begin_object(out, "memcg", VMCA_OUT_TEXT_CUSTOM);
		vmca_out_addr(out, "address", o->memcg);
		vmca_out_str(out, "path", o->memcg_path);
		if (o->has_memcg_counters) {
			vmca_out_u64(out, "usage_pages", o->memcg_usage_pages);
			vmca_out_u64(out, "limit_pages", o->memcg_limit_pages);
		} else {
			vmca_out_null(out, "usage_pages");
			vmca_out_null(out, "limit_pages");
		}
		vmca_out_end_object(out);
		vmca_out_textf(out,
			       "MEMCG:       %s (%#" PRIx64 "): usage %" PRIu64
			       " pages, limit %" PRIu64 " pages\n",
			       o->memcg_path, o->memcg, o->memcg_usage_pages,
			       o->memcg_limit_pages);
	} else {
		vmca_out_null(out, "memcg");
	}
	vmca_out_u64(out, "totalpages", o->totalpages);
	vmca_out_textf(out, "\n%8s %-16s %10s %10s %8s %8s %6s  %s\n", "PID",
		       "COMM", "POINTS", "RSS", "SWAP", "PGTABLE", "ADJ",
		       "EXCLUDED");
	vmca_out_begin_list(out, "candidates", VMCA_OUT_TEXT_CUSTOM);
	for (size_t i = 0; i < o->nr_candidates; i++) {
		const struct vmca_oom_candidate *c = &o->candidates[i];
		vmca_out_begin_object(out, NULL, VMCA_OUT_TEXT_CUSTOM);
		vmca_out_u64(out, "pid", c->pid);
		vmca_out_str(out, "comm", c->comm);
		vmca_out_addr(out, "task", c->task);
		if (c->excluded)
			vmca_out_null(out, "points");
		else
			vmca_out_i64(out, "points", c->points);
		vmca_out_i64(out, "oom_score_adj", c->oom_score_adj);
		vmca_out_u64(out, "rss_pages", c->rss_pages);
		vmca_out_u64(out, "swap_pages", c->swap_pages);
		vmca_out_u64(out, "pgtables_pages", c->pgtables_pages);
		vmca_out_str(out, "excluded", c->excluded);
		vmca_out_end_object(out);
		char points[24] = "-";
		if (!c->excluded)
			snprintf(points, sizeof(points), "%" PRId64, c->points);
		vmca_out_textf(out,
			       "%c%7" PRIu64 " %-16s %10s %10" PRIu64
			       " %8" PRIu64 " %8" PRIu64 " %6" PRId64 "  %s\n",
			       o->has_choice && o->choice == i ? '>' : ' ',
			       c->pid, vmca_out_line(out, c->comm), points,
			       c->rss_pages, c->swap_pages, c->pgtables_pages,
			       c->oom_score_adj,
			       c->excluded ? c->excluded : "");
	}
	vmca_out_end_list(out);
	if (o->has_choice) {
		const struct vmca_oom_candidate *c = &o->candidates[o->choice];
		vmca_out_begin_object(out, "chosen_would_be",
				      VMCA_OUT_TEXT_CUSTOM);
		vmca_out_u64(out, "pid", c->pid);
		vmca_out_str(out, "comm", c->comm);
		vmca_out_i64(out, "points", c->points);
		vmca_out_end_object(out);
		vmca_out_textf(out,
			       "\nThe kernel would choose %s (pid %" PRIu64
			       "): the highest badness, %" PRId64
			       " (rss + swap + page tables + oom_score_adj * "
			       "totalpages / 1000).\n",
			       vmca_out_line(out, c->comm), c->pid, c->points);
	} else {
		vmca_out_null(out, "chosen_would_be");
	}
	vmca_out_begin_list(out, "notes", VMCA_OUT_TEXT_CUSTOM);
	for (size_t i = 0; i < o->nr_notes; i++) {
		vmca_out_str(out, NULL, o->notes[i]);
		vmca_out_textf(out, "note: %s\n", o->notes[i]);
	}
	vmca_out_end_list(out);
	vmca_out_end_object(out);
	vmca_oom_destroy(o);
	return NULL;
}

const struct vmca_plugin vmca_plugin_oom = {
	.name = "oom",
	.summary = "the OOM killer's state: oom_control, tasks by badness",
	.usage = "oom",
	.help = "Finds the struct oom_control of the OOM in progress (oc, a "
		"parameter or\n"
		"local in the crashed task's frames: out_of_memory(), "
		"mem_cgroup_out_of_memory(),\n"
		"__alloc_pages_may_oom()), decodes it, and ranks the tasks the "
		"OOM killer\n"
		"considers (a memcg OOM: the memcg's) by the kernel's own "
		"oom_badness():\n"
		"rss + swap entries + page tables + oom_score_adj * "
		"(totalpages / 1000);\n"
		"init, kernel threads, tasks without an mm, oom_score_adj "
		"-1000 and reaped\n"
		"mms are excluded, with the reason. '>' marks the task the "
		"kernel would choose.\n"
		"\n"
		"JSON: {\"oom_control\" {\"address\", \"function\", \"frame\", "
		"\"memcg\", \"gfp_mask\",\n"
		"\"gfp_flags\", \"order\", \"totalpages\", \"chosen\", "
		"\"chosen_points\", \"constraint\",\n"
		"\"nodemask\"} or null, \"memcg\" {\"address\", \"path\", "
		"\"usage_pages\", \"limit_pages\"}\n"
		"or null, \"totalpages\", \"candidates\" [{\"pid\", \"comm\", "
		"\"task\", \"points\",\n"
		"\"oom_score_adj\", \"rss_pages\", \"swap_pages\", "
		"\"pgtables_pages\", \"excluded\"}],\n"
		"\"chosen_would_be\" {\"pid\", \"comm\", \"points\"} or null, "
		"\"notes\"}.",
	.examples =
		"oom\tthe OOM killer's oom_control and the tasks by badness\n",
	.run = oom_run,
};

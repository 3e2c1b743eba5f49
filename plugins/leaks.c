// SPDX-License-Identifier: MIT
// plugins/leaks.c: where the memory is, orphaned kernel objects and the
// objects nothing points to (analyzer/leak.c).
#include <stdio.h>
#include <string.h>

#include "util/text.h"
#include "vmca.h"

// Rows of a list shown in text without --all.
#define TEXT_ROWS 20

static double mb(uint64_t bytes)
{
	return (double)bytes / (1024.0 * 1024.0);
}

static void breakdown_out(struct vmca_out *out, const struct vmca_leak *l)
{
	vmca_out_begin_object(out, "breakdown", VMCA_OUT_TEXT_CUSTOM);
	vmca_out_u64(out, "mem_total_bytes", l->mem_total);
	vmca_out_begin_list(out, "parts", VMCA_OUT_TEXT_CUSTOM);
	vmca_out_textf(out, "MEMORY: MemTotal %.1f MB\n", mb(l->mem_total));
	for (size_t i = 0; i < l->nr_parts; i++) {
		const struct vmca_leak_part *p = &l->parts[i];
		vmca_out_begin_object(out, NULL, VMCA_OUT_TEXT_CUSTOM);
		vmca_out_str(out, "name", p->name);
		vmca_out_str(out, "label", p->label);
		if (p->is_known)
			vmca_out_u64(out, "bytes", p->bytes);
		else
			vmca_out_null(out, "bytes");
		vmca_out_end_object(out);
		if (p->is_known)
			vmca_out_textf(out, "  %-48s %10.1f MB %5.1f%%\n",
				       p->label, mb(p->bytes),
				       l->mem_total
					       ? 100.0 * (double)p->bytes /
							 (double)l->mem_total
					       : 0.0);
		else
			vmca_out_textf(out, "  %-48s %10s\n", p->label, "?");
	}
	vmca_out_end_list(out);
	vmca_out_end_object(out);
}

static void caches_out(struct vmca_out *out, const struct vmca_leak *l,
		       bool all)
{
	vmca_out_begin_list(out, "caches", VMCA_OUT_TEXT_CUSTOM);
	vmca_out_textf(out,
		       "\nSLAB CACHES by memory (* holds 10%% or more of the "
		       "unreclaimable slab)\n"
		       "  %-24s %8s %10s %10s %10s %6s\n",
		       "NAME", "OBJSIZE", "ACTIVE", "TOTAL", "MEMORY", "SHARE");
	for (size_t i = 0; i < l->nr_caches; i++) {
		const struct vmca_leak_cache *c = &l->caches[i];
		vmca_out_begin_object(out, NULL, VMCA_OUT_TEXT_CUSTOM);
		vmca_out_str(out, "name", c->name);
		vmca_out_addr(out, "address", c->address);
		vmca_out_u64(out, "memory_bytes", c->memory_bytes);
		vmca_out_u64(out, "active_objs", c->active_objs);
		vmca_out_u64(out, "total_objs", c->total_objs);
		vmca_out_u64(out, "object_size", c->object_size);
		vmca_out_u64(out, "size", c->size);
		vmca_out_bool(out, "reclaimable", c->is_reclaimable);
		vmca_out_bool(out, "flagged", c->is_flagged);
		vmca_out_double(out, "unreclaimable_share",
				c->unreclaimable_share);
		vmca_out_end_object(out);
		if (i < TEXT_ROWS || all)
			vmca_out_textf(out,
				       "%c %-24s %8u %10" PRIu64 " %10" PRIu64
				       " %8.1fMB %5.1f%%%s\n",
				       c->is_flagged ? '*' : ' ', c->name,
				       c->object_size, c->active_objs,
				       c->total_objs, mb(c->memory_bytes),
				       100.0 * c->unreclaimable_share,
				       c->is_reclaimable ? " (reclaimable)"
							 : "");
	}
	if (l->nr_caches > TEXT_ROWS && !all)
		vmca_out_textf(out, "  ... %zu more (--all)\n",
			       l->nr_caches - TEXT_ROWS);
	vmca_out_end_list(out);
}

static void holders_out(struct vmca_out *out, const struct vmca_leak_object *o)
{
	vmca_out_begin_list(out, "holders", VMCA_OUT_TEXT_CUSTOM);
	for (uint32_t h = 0; h < o->nr_holders; h++) {
		vmca_out_begin_object(out, NULL, VMCA_OUT_TEXT_CUSTOM);
		vmca_out_addr(out, "address", o->holders[h].address);
		vmca_out_str(out, "kind", o->holders[h].kind);
		vmca_out_str(out, "where", o->holders[h].where);
		vmca_out_end_object(out);
	}
	vmca_out_end_list(out);
	vmca_out_u64(out, "holders_found", o->holders_found);
}

static void object_out(struct vmca_out *out, const struct vmca_leak_orphans *k,
		       const struct vmca_leak_object *o, bool is_task,
		       bool text)
{
	vmca_out_begin_object(out, NULL, VMCA_OUT_TEXT_CUSTOM);
	vmca_out_addr(out, "address", o->address);
	if (is_task) {
		vmca_out_u64(out, "pid", o->pid);
		vmca_out_u64(out, "tgid", o->tgid);
		vmca_out_str(out, "comm", o->comm);
		vmca_out_str(out, "state", o->state_name);
		vmca_out_u64(out, "state_value", o->state);
		vmca_out_u64(out, "exit_state", o->exit_state);
		vmca_out_u64(out, "flags", o->flags);
		vmca_out_i64(out, "usage", o->usage);
		if (o->rcu_users >= 0)
			vmca_out_i64(out, "rcu_users", o->rcu_users);
		else
			vmca_out_null(out, "rcu_users");
		if (o->has_ran_ago)
			vmca_out_double(out, "ran_ago_s", o->ran_ago_s);
		else
			vmca_out_null(out, "ran_ago_s");
	} else if (o->owner_task) {
		vmca_out_addr(out, "owner_task", o->owner_task);
	}
	vmca_out_str(out, "explained", o->explained);
	holders_out(out, o);
	vmca_out_end_object(out);
	if (!text)
		return;
	char held[200] = "";
	if (o->nr_holders)
		vmca_strf(held, sizeof(held), "%s%s", o->holders[0].where,
			  o->holders_found > 1 ? " ..." : "");
	else if (o->holders_found == 0)
		vmca_strf(held, sizeof(held), "-");
	if (is_task) {
		char ago[24] = "?";
		if (o->has_ran_ago)
			vmca_strf(ago, sizeof(ago), "%.1fs", o->ran_ago_s);
		vmca_out_textf(out,
			       "    %#" PRIx64 " %7" PRIu64
			       " %-16s %-11s %5" PRId64 " %5" PRId64
			       " %#10" PRIx64 " %8s  %s%s%s\n",
			       o->address, o->pid, vmca_out_line(out, o->comm),
			       o->state_name, o->usage, o->rcu_users, o->flags,
			       ago, held, o->explained ? "  not a leak: " : "",
			       o->explained ? o->explained : "");
	} else {
		vmca_out_textf(out, "    %#" PRIx64 "  %s%s%s\n", o->address,
			       held, o->explained ? "  not a leak: " : "",
			       o->explained ? o->explained : "");
	}
	(void)k;
}

// In text, the groups by pattern (digits as *): what a person reads.
static void comm_groups_out(struct vmca_out *out, const char *key,
			    const struct vmca_leak_comm_group *g, size_t n,
			    bool text)
{
	vmca_out_begin_list(out, key, VMCA_OUT_TEXT_CUSTOM);
	if (n && text)
		vmca_out_textf(out, "    %8s  %-16s %s\n", "COUNT",
			       "COMM (digits *)", "STATE");
	for (size_t i = 0; i < n; i++) {
		vmca_out_begin_object(out, NULL, VMCA_OUT_TEXT_CUSTOM);
		vmca_out_str(out, "comm", g[i].comm);
		vmca_out_str(out, "state", g[i].state);
		vmca_out_u64(out, "count", g[i].count);
		vmca_out_end_object(out);
		if (text && i < TEXT_ROWS)
			vmca_out_textf(
				out, "    %8" PRIu64 "  %-16s %s\n", g[i].count,
				vmca_out_line(out, g[i].comm), g[i].state);
	}
	vmca_out_end_list(out);
}

static void orphans_out(struct vmca_out *out, const struct vmca_leak *l,
			bool all)
{
	vmca_out_begin_object(out, "orphans", VMCA_OUT_TEXT_CUSTOM);
	vmca_out_textf(out,
		       "\nORPHANED OBJECTS (allocated, owned by no task on "
		       "the task lists)\n");
	for (size_t k = 0; k < l->nr_orphans; k++) {
		const struct vmca_leak_orphans *o = &l->orphans[k];
		bool is_task = !strcmp(o->kind, "task_struct");
		vmca_out_begin_object(out, o->kind, VMCA_OUT_TEXT_CUSTOM);
		vmca_out_str(out, "cache", o->cache[0] ? o->cache : NULL);
		if (o->cache_address)
			vmca_out_addr(out, "cache_address", o->cache_address);
		else
			vmca_out_null(out, "cache_address");
		vmca_out_str(out, "skipped", o->skipped);
		vmca_out_u64(out, "allocated", o->allocated);
		vmca_out_u64(out, "owned_by_live", o->owned_by_live);
		vmca_out_u64(out, "owned_by_orphan", o->owned_by_orphan);
		vmca_out_u64(out, "count", o->count);
		vmca_out_u64(out, "memory_bytes", o->memory_bytes);
		vmca_out_u64(out, "explained", o->explained);
		vmca_out_u64(out, "shared_by", o->shared_by);
		vmca_out_u64(out, "other_objects", o->other_objects);
		if (o->skipped) {
			vmca_out_textf(out, "  %s: not checked: %s\n", o->kind,
				       o->skipped);
		} else {
			vmca_out_textf(
				out,
				"  %s (cache %s): %" PRIu64
				" owned by no task (%.2f MB), %" PRIu64
				" more not leaks (in flight or held "
				"legitimately); of %" PRIu64
				" allocated, %" PRIu64 " owned by live tasks%s",
				o->kind, o->cache, o->count,
				mb(o->memory_bytes), o->explained, o->allocated,
				o->owned_by_live, is_task ? "" : ", ");
			if (!is_task)
				vmca_out_textf(out,
					       "%" PRIu64 " by orphaned tasks",
					       o->owned_by_orphan);
			vmca_out_textf(out, "\n");
			if (o->shared_by)
				vmca_out_textf(
					out,
					"    (the cache is shared by %" PRIu64
					" merged caches: %" PRIu64
					" other objects in it told apart "
					"by their contents)\n",
					o->shared_by, o->other_objects);
		}
		comm_groups_out(out, "by_comm", o->by_comm, o->nr_by_comm,
				false);
		comm_groups_out(out, "by_comm_pattern", o->by_pattern,
				o->nr_by_pattern, is_task);
		vmca_out_begin_list(out, "objects", VMCA_OUT_TEXT_CUSTOM);
		if (o->nr_objects) {
			if (is_task)
				vmca_out_textf(out,
					       "    %-18s %7s %-16s %-11s %5s "
					       "%5s %10s %8s  %s\n",
					       "TASK", "PID", "COMM", "STATE",
					       "USAGE", "RCU", "FLAGS",
					       "RAN_AGO", "HELD BY");
			else
				vmca_out_textf(out, "    %-18s  %s\n", "OBJECT",
					       "HELD BY");
		}
		for (size_t i = 0; i < o->nr_objects; i++)
			object_out(out, o, &o->objects[i], is_task,
				   i < TEXT_ROWS || all);
		if (o->nr_objects > TEXT_ROWS && !all)
			vmca_out_textf(out, "    ... %zu more (--all)\n",
				       o->nr_objects - TEXT_ROWS);
		vmca_out_end_list(out);
		vmca_out_end_object(out);
	}
	vmca_out_end_object(out);
}

static void site_out(struct vmca_out *out, const struct vmca_leak_site *a)
{
	if (!a->has_track) {
		vmca_out_null(out, "alloc");
		return;
	}
	vmca_out_begin_object(out, "alloc", VMCA_OUT_TEXT_CUSTOM);
	vmca_out_addr(out, "address", a->addr);
	vmca_out_str(out, "caller", a->symbol);
	vmca_out_i64(out, "pid", a->pid);
	vmca_out_i64(out, "cpu", a->cpu);
	vmca_out_u64(out, "pids", a->pids);
	vmca_out_u64(out, "age_min_jiffies", a->age_min_jiffies);
	vmca_out_u64(out, "age_max_jiffies", a->age_max_jiffies);
	if (a->hz) {
		vmca_out_double(out, "age_min_s",
				(double)a->age_min_jiffies / a->hz);
		vmca_out_double(out, "age_max_s",
				(double)a->age_max_jiffies / a->hz);
	} else {
		vmca_out_null(out, "age_min_s");
		vmca_out_null(out, "age_max_s");
	}
	vmca_out_begin_list(out, "stack", 0);
	for (uint32_t i = 0; i < a->nr_stack; i++)
		vmca_out_str(out, NULL, a->stack[i]);
	vmca_out_end_list(out);
	if (a->has_free) {
		vmca_out_begin_object(out, "last_free", VMCA_OUT_TEXT_CUSTOM);
		vmca_out_str(out, "caller", a->free_symbol);
		vmca_out_i64(out, "pid", a->free_pid);
		vmca_out_end_object(out);
	} else {
		vmca_out_null(out, "last_free");
	}
	vmca_out_end_object(out);
}

static void group_out(struct vmca_out *out, const struct vmca_leak_group *g,
		      bool text)
{
	vmca_out_begin_object(out, NULL, VMCA_OUT_TEXT_CUSTOM);
	vmca_out_u64(out, "count", g->count);
	vmca_out_u64(out, "memory_bytes", g->memory_bytes);
	if (g->has_first_word)
		vmca_out_addr(out, "first_word", g->first_word);
	else
		vmca_out_null(out, "first_word");
	vmca_out_begin_list(out, "words", VMCA_OUT_TEXT_CUSTOM);
	for (uint32_t i = 0; i < g->nr_words; i++) {
		const struct vmca_leak_word *w = &g->words[i];
		vmca_out_begin_object(out, NULL, VMCA_OUT_TEXT_CUSTOM);
		vmca_out_u64(out, "offset", w->offset);
		vmca_out_addr(out, "value", w->value);
		vmca_out_str(out, "symbol", w->symbol[0] ? w->symbol : NULL);
		vmca_out_str(out, "text", w->text[0] ? w->text : NULL);
		vmca_out_end_object(out);
	}
	vmca_out_end_list(out);
	vmca_out_str(out, "text", g->text[0] ? g->text : NULL);
	if (g->text[0])
		vmca_out_u64(out, "text_offset", g->text_offset);
	vmca_out_begin_list(out, "samples", 0);
	for (uint32_t i = 0; i < g->nr_samples; i++)
		vmca_out_addr(out, NULL, g->samples[i]);
	vmca_out_end_list(out);
	site_out(out, &g->alloc);
	vmca_out_end_object(out);
	if (!text)
		return;
	vmca_out_textf(out, "    %8" PRIu64 " objects", g->count);
	if (g->has_first_word) {
		vmca_out_textf(out, ", first word %#" PRIx64, g->first_word);
		if (g->nr_words && g->words[0].offset == 0 &&
		    g->words[0].text[0])
			vmca_out_textf(out, " (\"%s\")", g->words[0].text);
		if (g->nr_words && g->words[0].offset == 0 &&
		    g->words[0].symbol[0])
			vmca_out_textf(out, " (%s)", g->words[0].symbol);
	}
	if (g->text[0])
		vmca_out_textf(out, ", text \"%s\" at +%#x", g->text,
			       g->text_offset);
	for (uint32_t i = 0; i < g->nr_words; i++) {
		if (g->words[i].offset && g->words[i].symbol[0])
			vmca_out_textf(out, ", +%#x %s", g->words[i].offset,
				       g->words[i].symbol);
	}
	if (g->nr_samples)
		vmca_out_textf(out, "; e.g. %#" PRIx64, g->samples[0]);
	vmca_out_textf(out, "\n");
	const struct vmca_leak_site *a = &g->alloc;
	if (!a->has_track)
		return;
	vmca_out_textf(
		out,
		"             allocated at %s by pid %d on CPU %d (%" PRIu64
		" pid%s)",
		a->symbol, a->pid, a->cpu, a->pids, a->pids == 1 ? "" : "s");
	if (a->hz)
		vmca_out_textf(out, ", %.1f-%.1f s ago",
			       (double)a->age_min_jiffies / a->hz,
			       (double)a->age_max_jiffies / a->hz);
	vmca_out_textf(out, "\n");
	for (uint32_t i = 0; i < a->nr_stack; i++)
		vmca_out_textf(out, "               %s\n", a->stack[i]);
}

static void unreferenced_out(struct vmca_out *out, const struct vmca_leak *l,
			     bool all)
{
	const struct vmca_leak_scan *sc = &l->scan;
	vmca_out_begin_object(out, "scan", VMCA_OUT_TEXT_CUSTOM);
	vmca_out_bool(out, "has_run", sc->has_run);
	vmca_out_u64(out, "threads", sc->threads);
	vmca_out_u64(out, "root_pages", sc->root_pages);
	vmca_out_u64(out, "root_bytes", sc->root_bytes);
	vmca_out_u64(out, "missing_root_pages", sc->missing_root_pages);
	vmca_out_u64(out, "missing_struct_pages", sc->missing_struct_pages);
	vmca_out_u64(out, "unread_objects", sc->unread_objects);
	vmca_out_u64(out, "objects", sc->objects);
	vmca_out_u64(out, "allocated", sc->allocated);
	vmca_out_u64(out, "reachable", sc->reachable);
	vmca_out_u64(out, "unreferenced", sc->unreferenced);
	vmca_out_u64(out, "edges", sc->edges);
	vmca_out_u64(out, "bytes_read", sc->bytes_read);
	vmca_out_double(out, "seconds", sc->seconds);
	vmca_out_end_object(out);
	vmca_out_begin_list(out, "unreferenced", VMCA_OUT_TEXT_CUSTOM);
	if (sc->has_run)
		vmca_out_textf(out,
			       "\nUNREFERENCED OBJECTS: %" PRIu64 " of %" PRIu64
			       " allocated objects nothing reachable points "
			       "into\n  (roots: %.1f MB of kernel pages and "
			       "the CPUs' registers; %" PRIu64
			       " pointers between objects; %.1f MB read, %u "
			       "threads)\n",
			       sc->unreferenced, sc->allocated,
			       mb(sc->root_bytes), sc->edges,
			       mb(sc->bytes_read), sc->threads);
	for (size_t i = 0; i < l->nr_unreferenced; i++) {
		const struct vmca_leak_unreferenced *u = &l->unreferenced[i];
		bool text = i < TEXT_ROWS || all;
		vmca_out_begin_object(out, NULL, VMCA_OUT_TEXT_CUSTOM);
		vmca_out_str(out, "cache", u->cache);
		vmca_out_u64(out, "count", u->count);
		vmca_out_u64(out, "memory_bytes", u->memory_bytes);
		vmca_out_u64(out, "allocated", u->allocated);
		if (text)
			vmca_out_textf(out,
				       "  %s: %" PRIu64 " of %" PRIu64
				       " allocated (%.2f MB)\n",
				       u->cache, u->count, u->allocated,
				       mb(u->memory_bytes));
		vmca_out_begin_list(out, "groups", VMCA_OUT_TEXT_CUSTOM);
		for (size_t g = 0; g < u->nr_groups; g++)
			group_out(out, &u->groups[g], text && (g < 3 || all));
		vmca_out_end_list(out);
		vmca_out_u64(out, "other_count", u->other_count);
		vmca_out_begin_list(out, "objects", 0);
		for (size_t o = 0; o < u->nr_objects; o++)
			vmca_out_addr(out, NULL, u->objects[o]);
		vmca_out_end_list(out);
		vmca_out_end_object(out);
	}
	if (l->nr_unreferenced > TEXT_ROWS && !all)
		vmca_out_textf(out, "  ... %zu more caches (--all)\n",
			       l->nr_unreferenced - TEXT_ROWS);
	vmca_out_end_list(out);
}

static void shmem_out(struct vmca_out *out, const struct vmca_shmem *sh)
{
	if (!sh) {
		vmca_out_null(out, "shmem");
		return;
	}
	vmca_out_begin_object(out, "shmem", VMCA_OUT_TEXT_CUSTOM);
	vmca_out_begin_list(out, "mounts", VMCA_OUT_TEXT_CUSTOM);
	vmca_out_textf(
		out,
		"\nSHMEM/TMPFS by superblock and mount (USED and SIZE as "
		"df shows them)\n"
		"  %-24s %-10s %-12s %10s %10s %10s %8s\n",
		"MOUNTPOINT", "TYPE", "SOURCE", "USED", "SIZE", "PAGES",
		"INODES");
	for (size_t i = 0; i < sh->nr_mounts; i++) {
		const struct vmca_shmem_mount *m = &sh->mounts[i];
		vmca_out_begin_object(out, NULL, VMCA_OUT_TEXT_CUSTOM);
		vmca_out_addr(out, "sb", m->sb);
		vmca_out_str(out, "mountpoint",
			     m->mount ? m->mountpoint : NULL);
		vmca_out_str(out, "fstype", m->fstype);
		vmca_out_str(out, "source", m->mount ? m->source : NULL);
		vmca_out_u64(out, "used_bytes", m->used_bytes);
		vmca_out_u64(out, "size_bytes", m->size_bytes);
		if (m->is_pages_known)
			vmca_out_u64(out, "pages", m->pages);
		else
			vmca_out_null(out, "pages");
		vmca_out_u64(out, "inodes", m->inodes);
		vmca_out_end_object(out);
		vmca_out_textf(out,
			       "  %-24s %-10s %-12s %8.1fMB %8.1fMB %10" PRIu64
			       " %8" PRIu64 "\n",
			       m->mount ? m->mountpoint : "(internal)",
			       m->fstype, m->mount ? m->source : "-",
			       mb(m->used_bytes), mb(m->size_bytes), m->pages,
			       m->inodes);
	}
	vmca_out_end_list(out);
	vmca_out_begin_list(out, "sysv", VMCA_OUT_TEXT_CUSTOM);
	if (sh->nr_sysv)
		vmca_out_textf(out, "  SysV shared memory:\n");
	for (size_t i = 0; i < sh->nr_sysv; i++) {
		const struct vmca_shmem_sysv *v = &sh->sysv[i];
		vmca_out_begin_object(out, NULL, VMCA_OUT_TEXT_CUSTOM);
		vmca_out_addr(out, "address", v->address);
		vmca_out_i64(out, "key", v->key);
		vmca_out_u64(out, "shmid", v->id);
		vmca_out_u64(out, "size", v->size);
		vmca_out_u64(out, "nattch", v->nattch);
		vmca_out_u64(out, "rss_bytes", v->rss_bytes);
		vmca_out_end_object(out);
		vmca_out_textf(out,
			       "    key %#010x shmid %" PRIu64
			       ": %.1f MB, %.1f MB "
			       "in memory, %" PRIu64 " attached\n",
			       (uint32_t)v->key, v->id, mb(v->size),
			       mb(v->rss_bytes), v->nattch);
	}
	vmca_out_end_list(out);
	vmca_out_begin_list(out, "memfd", VMCA_OUT_TEXT_CUSTOM);
	if (sh->nr_memfds)
		vmca_out_textf(out, "  memfds:\n");
	for (size_t i = 0; i < sh->nr_memfds; i++) {
		const struct vmca_shmem_memfd *f = &sh->memfds[i];
		vmca_out_begin_object(out, NULL, VMCA_OUT_TEXT_CUSTOM);
		vmca_out_addr(out, "file", f->file);
		vmca_out_str(out, "name", f->name);
		vmca_out_u64(out, "size", f->size);
		vmca_out_u64(out, "rss_bytes", f->rss_bytes);
		vmca_out_u64(out, "pid", f->pid);
		vmca_out_u64(out, "fd", f->fd);
		vmca_out_end_object(out);
		vmca_out_textf(
			out,
			"    %s: %.1f MB, %.1f MB in memory (pid %" PRIu64
			" fd %" PRIu64 ")\n",
			f->name, mb(f->size), mb(f->rss_bytes), f->pid, f->fd);
	}
	vmca_out_end_list(out);
	vmca_out_begin_list(out, "notes", 0);
	for (size_t i = 0; i < sh->nr_notes; i++)
		vmca_out_str(out, NULL, sh->notes[i]);
	vmca_out_end_list(out);
	vmca_out_end_object(out);
}

// The vmap areas by caller (vmca VMCORE vmalloc lists each area).
static void vmalloc_out(struct vmca_out *out, const struct vmca_vmalloc *v,
			bool all)
{
	if (!v) {
		vmca_out_null(out, "vmalloc");
		return;
	}
	uint64_t size = 0, pages = 0;
	for (size_t i = 0; i < v->nr_groups; i++) {
		size += v->groups[i].size;
		pages += v->groups[i].pages;
	}
	vmca_out_begin_object(out, "vmalloc", VMCA_OUT_TEXT_CUSTOM);
	vmca_out_textf(out,
		       "\nVMALLOC by caller (%zu areas, %.1f MB of address "
		       "space, %" PRIu64 " pages; `vmalloc` lists them)\n"
		       "  %-48s %6s %10s %8s\n",
		       v->nr_areas, mb(size), pages, "CALLER", "COUNT", "SIZE",
		       "PAGES");
	vmca_out_begin_list(out, "by_caller", VMCA_OUT_TEXT_CUSTOM);
	for (size_t i = 0; i < v->nr_groups; i++) {
		const struct vmca_vmalloc_group *g = &v->groups[i];
		char name[200];
		vmca_vmalloc_group_label(g, name, sizeof(name));
		vmca_vmalloc_group_json(out, g);
		if (i < 8 || all)
			vmca_out_textf(out,
				       "  %-48s %6" PRIu64 " %8.1fMB %8" PRIu64
				       "\n",
				       name, g->count, mb(g->size), g->pages);
	}
	if (v->nr_groups > 8 && !all)
		vmca_out_textf(out, "  ... %zu more (--all)\n",
			       v->nr_groups - 8);
	vmca_out_end_list(out);
	vmca_out_begin_object(out, "total", 0);
	vmca_out_u64(out, "count", v->nr_areas);
	vmca_out_u64(out, "size", size);
	vmca_out_u64(out, "pages", pages);
	vmca_out_end_object(out);
	vmca_out_end_object(out);
}

static struct vmca_error *leaks_run(struct vmca_session *s,
				    struct vmca_out *out, int argc, char **argv)
{
	struct vmca_leak_options opts = {.scan = true};
	bool all = false;
	for (int i = 1; i < argc; i++) {
		uint64_t n;
		if (!strcmp(argv[i], "--no-scan")) {
			opts.scan = false;
		} else if (!strcmp(argv[i], "--all")) {
			all = true;
		} else if (!strcmp(argv[i], "--threads") && i + 1 < argc &&
			   vmca_parse_u64(argv[i + 1], &n) && n && n <= 64) {
			opts.threads = (uint32_t)n;
			i++;
		} else if (!strcmp(argv[i], "--objects") && i + 1 < argc &&
			   vmca_parse_u64(argv[i + 1], &n) && n) {
			opts.max_objects = n;
			i++;
		} else {
			return vmca_error_create(
				VMCA_ERROR_USAGE,
				"usage: vmca VMCORE leaks [--no-scan] [--all] "
				"[--threads N] [--objects N]");
		}
	}
	struct vmca_leak *l;
	struct vmca_error *err = vmca_leak_analyze(s, &opts, &l);
	if (err)
		return err;
	vmca_out_begin_object(out, NULL, VMCA_OUT_TEXT_CUSTOM);
	breakdown_out(out, l);
	caches_out(out, l, all);
	shmem_out(out, l->shmem);
	vmalloc_out(out, l->vmalloc, all);
	orphans_out(out, l, all);
	unreferenced_out(out, l, all);
	vmca_out_begin_list(out, "notes", VMCA_OUT_TEXT_CUSTOM);
	if (l->nr_notes)
		vmca_out_textf(out, "\nNOTES\n");
	for (size_t i = 0; i < l->nr_notes; i++) {
		vmca_out_str(out, NULL, l->notes[i]);
		vmca_out_textf(out, "  %s\n", l->notes[i]);
	}
	vmca_out_end_list(out);
	vmca_out_end_object(out);
	vmca_leak_destroy(l);
	return NULL;
}

const struct vmca_plugin vmca_plugin_leaks = {
	.name = "leaks",
	.summary =
		"where the memory is, orphaned objects, unreferenced objects",
	.usage = "leaks [--no-scan] [--all] [--threads N] [--objects N]",
	.help = "An account of MemTotal (free, page cache, anon, shmem, slab, "
		"stacks, page\n"
		"tables, vmalloc, per-CPU, hugetlb, the unaccounted rest); the "
		"slab caches by\n"
		"memory, the few that dominate the unreclaimable slab flagged; "
		"the objects of\n"
		"task_struct, signal_struct, cred, mm_struct, files_struct and "
		"pid that no task\n"
		"on the task lists owns (orphans: a leaked reference keeps "
		"them), with the\n"
		"task's comm, pid, state, usage and how long ago it ran, "
		"grouped by comm and\n"
		"state, in-flight ones (an RCU callback pending, a task being "
		"created) apart,\n"
		"and what still points at them; and an offline kmemleak: a "
		"conservative scan\n"
		"from the kernel's own pages (image, data, bss, memory map, "
		"stacks, vmalloc,\n"
		"per-CPU, page tables) and the CPUs' registers through every "
		"allocated slab\n"
		"object, reporting per cache the objects nothing reachable "
		"points into,\n"
		"grouped by content (constant words, symbols they point to, "
		"text).\n"
		"  --no-scan    no pointer scan (no unreferenced objects, no "
		"holders)\n"
		"  --all        every row in text (default: the first 20)\n"
		"  --threads N  worker threads of the scan (default: the CPUs, "
		"at most 8)\n"
		"  --objects N  orphaned objects kept per kind (default 4096)\n"
		"JSON: {\"breakdown\": {\"mem_total_bytes\", \"parts\": "
		"[{\"name\", \"label\",\n"
		"\"bytes\"}]}, \"caches\": [{\"name\", \"address\", "
		"\"memory_bytes\", \"active_objs\",\n"
		"\"total_objs\", \"object_size\", \"size\", \"reclaimable\", "
		"\"flagged\",\n"
		"\"unreclaimable_share\"}], \"orphans\": {KIND: {\"cache\", "
		"\"cache_address\",\n"
		"\"skipped\", \"allocated\", \"owned_by_live\", "
		"\"owned_by_orphan\", \"count\",\n"
		"\"memory_bytes\", \"explained\", \"by_comm\" and "
		"\"by_comm_pattern\" (digit runs as *): [{\"comm\", "
		"\"state\", \"count\"}],\n"
		"\"objects\": [{\"address\", task_struct: \"pid\", \"tgid\", "
		"\"comm\", \"state\",\n"
		"\"state_value\", \"exit_state\", \"flags\", \"usage\", "
		"\"rcu_users\", \"ran_ago_s\";\n"
		"others: \"owner_task\"?; \"explained\", \"holders\": "
		"[{\"address\", \"kind\",\n"
		"\"where\"}], \"holders_found\"}]}}, \"scan\": {\"has_run\", "
		"\"threads\",\n"
		"\"root_pages\", \"root_bytes\", \"missing_root_pages\", "
		"\"missing_struct_pages\",\n"
		"\"unread_objects\", \"objects\", \"allocated\", "
		"\"reachable\", \"unreferenced\",\n"
		"\"edges\", \"bytes_read\", \"seconds\"}, \"unreferenced\": "
		"[{\"cache\", "
		"\"count\",\n"
		"\"memory_bytes\", \"allocated\", \"groups\": [{\"count\", "
		"\"memory_bytes\",\n"
		"\"first_word\", \"words\": [{\"offset\", \"value\", "
		"\"symbol\", \"text\"}], \"text\",\n"
		"\"text_offset\"?, \"samples\", \"alloc\": null or "
		"(slub_debug=U)\n{\"address\", \"caller\", \"pid\", "
		"\"cpu\", \"pids\", \"age_min_jiffies\",\n"
		"\"age_max_jiffies\", \"age_min_s\", \"age_max_s\", "
		"\"stack\", \"last_free\": {\"caller\",\n\"pid\"} or "
		"null}}], \"other_count\", \"objects\"}], "
		"\"vmalloc\": {\"by_caller\": [{\"caller\", \"module\", "
		"\"kind\", "
		"\"count\", \"size\",\n\"pages\"}], \"total\": {\"count\", "
		"\"size\", \"pages\"}}, \"shmem\": {\"mounts\": [{\"sb\",\n"
		"\"mountpoint\", \"fstype\", \"source\", \"used_bytes\", "
		"\"size_bytes\", \"pages\", \"inodes\"}],\n\"sysv\": "
		"[{\"address\", \"key\", \"shmid\", \"size\", \"nattch\", "
		"\"rss_bytes\"}], \"memfd\":\n[{\"file\", \"name\", \"size\", "
		"\"rss_bytes\", \"pid\", \"fd\"}], \"notes\"}, \"notes\": "
		"[...]}.\n",
	.examples = "leaks\twhere the memory is, orphaned and unreferenced "
		    "objects\n"
		    "leaks --no-scan\twithout the pointer scan (fast: no "
		    "unreferenced objects)\n",
	.run = leaks_run,
};

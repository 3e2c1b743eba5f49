// SPDX-License-Identifier: MIT
// analyzer/report_html.c: triage as one self-contained HTML page: no
// scripts, no fonts, no network (a Content-Security-Policy that allows
// none), charts drawn here as inline SVG, the evidence in <details>.
// Every string from the dump is escaped.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_html.h"
#include "vmca.h"

#define CHART_WIDTH 720

static const char *const palette[] = {
	"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
	"#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
	"#86bcb6", "#d37295", "#8cd17d", "#499894"};
#define NR_COLORS (sizeof(palette) / sizeof(palette[0]))

// Text as HTML: <, >, &, quotes escaped; control bytes and bytes outside
// printable ASCII shown as \xNN (a comm or a log line is anyone's).
static void esc(FILE *f, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p;
	     p++) {
		switch (*p) {
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '&':
			fputs("&amp;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&#39;", f);
			break;
		case '\n':
		case '\t':
			fputc(*p, f);
			break;
		default:
			if (*p < 0x20 || *p >= 0x7f)
				fprintf(f, "\\x%02x", *p);
			else
				fputc(*p, f);
		}
	}
}

static double mb(uint64_t bytes)
{
	return (double)bytes / (1024.0 * 1024.0);
}

static void section_begin(FILE *f, const char *id, const char *title,
			  bool is_open)
{
	fprintf(f, "<details id=\"%s\"%s><summary>", id,
		is_open ? " open" : "");
	esc(f, title);
	fputs("</summary>\n", f);
}

static void section_end(FILE *f)
{
	fputs("</details>\n", f);
}

/* Charts. */

// The account of MemTotal: one stacked bar, a legend below.
static void chart_memory(FILE *f, const struct vmca_leak *l)
{
	if (!l->mem_total)
		return;
	size_t n = 0;
	for (size_t i = 0; i < l->nr_parts; i++)
		n += l->parts[i].is_known && l->parts[i].bytes;
	int rows = (int)(n + 1) / 2;
	fprintf(f,
		"<svg class=\"chart\" id=\"chart-memory\" width=\"%d\" "
		"height=\"%d\" role=\"img\" aria-label=\"memory breakdown\">\n",
		CHART_WIDTH, 50 + 20 * rows);
	double x = 0;
	size_t k = 0;
	for (size_t i = 0; i < l->nr_parts; i++) {
		const struct vmca_leak_part *p = &l->parts[i];
		if (!p->is_known || !p->bytes)
			continue;
		double w = (double)CHART_WIDTH * (double)p->bytes /
			   (double)l->mem_total;
		fprintf(f,
			"<rect x=\"%.2f\" y=\"0\" width=\"%.2f\" height=\"30\" "
			"fill=\"%s\"><title>",
			x, w, palette[k % NR_COLORS]);
		esc(f, p->label);
		fprintf(f, ": %.1f MB</title></rect>\n", mb(p->bytes));
		int lx = (int)(k % 2) * (CHART_WIDTH / 2),
		    ly = 50 + (int)(k / 2) * 20;
		fprintf(f,
			"<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" "
			"fill=\"%s\"/><text x=\"%d\" y=\"%d\">",
			lx, ly - 11, palette[k % NR_COLORS], lx + 18, ly);
		esc(f, p->label);
		fprintf(f, " %.1f MB (%.1f%%)</text>\n", mb(p->bytes),
			100.0 * (double)p->bytes / (double)l->mem_total);
		x += w;
		k++;
	}
	fputs("</svg>\n", f);
}

// The largest slab caches: horizontal bars.
static void chart_caches(FILE *f, const struct vmca_leak *l)
{
	size_t n = l->nr_caches < 10 ? l->nr_caches : 10;
	if (!n || !l->caches[0].memory_bytes)
		return;
	double max = (double)l->caches[0].memory_bytes;
	fprintf(f,
		"<svg class=\"chart\" id=\"chart-caches\" width=\"%d\" "
		"height=\"%zu\" role=\"img\" aria-label=\"top slab "
		"caches\">\n",
		CHART_WIDTH, 22 * n + 4);
	for (size_t i = 0; i < n; i++) {
		const struct vmca_leak_cache *c = &l->caches[i];
		double w = 420.0 * (double)c->memory_bytes / max;
		int y = (int)(22 * i);
		fprintf(f, "<text x=\"0\" y=\"%d\">", y + 15);
		esc(f, c->name);
		fprintf(f,
			"%s</text><rect x=\"200\" y=\"%d\" width=\"%.2f\" "
			"height=\"16\" fill=\"%s\"/><text x=\"%.2f\" "
			"y=\"%d\">%.2f MB</text>\n",
			c->is_flagged ? " *" : "", y + 2, w,
			c->is_reclaimable ? palette[3] : palette[2], 206 + w,
			y + 15, mb(c->memory_bytes));
	}
	fputs("</svg>\n", f);
}

// Free memory by order, each zone: bars of pages (blocks << order),
// failing orders marked.
static void chart_zone(FILE *f, const struct vmca_triage_zone *z, size_t i)
{
	uint64_t max = 1;
	for (uint32_t o = 0; o < z->nr_orders; o++) {
		uint64_t pages = z->nr_free[o] << o;
		max = pages > max ? pages : max;
	}
	int bar = 40, h = 120;
	fprintf(f,
		"<svg class=\"chart zone\" id=\"chart-zone-%zu\" width=\"%d\" "
		"height=\"%d\" role=\"img\" aria-label=\"free pages by "
		"order\">\n",
		i, bar * (int)z->nr_orders + 10, h + 40);
	for (uint32_t o = 0; o < z->nr_orders; o++) {
		uint64_t pages = z->nr_free[o] << o;
		double bh = (double)h * (double)pages / (double)max;
		bool fails = z->failing_orders >> o & 1;
		fprintf(f,
			"<rect x=\"%d\" y=\"%.2f\" width=\"%d\" "
			"height=\"%.2f\" "
			"fill=\"%s\"><title>order %u: %" PRIu64
			" blocks, %" PRIu64 " pages%s</title></rect><text "
			"x=\"%d\" y=\"%d\">%u</text>\n",
			bar * (int)o + 4, (double)h - bh, bar - 8, bh,
			fails ? palette[2] : palette[0], o, z->nr_free[o],
			pages, fails ? ", fails the watermark test" : "",
			bar * (int)o + 14, h + 16, o);
	}
	fputs("</svg>\n", f);
}

/* Sections. */

static void crash_section(struct vmca_session *s, FILE *f,
			  const struct vmca_triage *t)
{
	const struct vmca_crash *c = t->crash;
	if (!c)
		return;
	section_begin(f, "crash", "The crash", true);
	fputs("<table>\n", f);
#define ROW(label, value)                               \
	do {                                            \
		fputs("<tr><th>" label "</th><td>", f); \
		esc(f, value);                          \
		fputs("</td></tr>\n", f);               \
	} while (0)
	ROW("kind", vmca_crash_kind_name(c->kind));
	ROW("headline", c->headline);
	if (c->message)
		ROW("message", c->message);
	if (c->task || c->pid) {
		char task[96];
		snprintf(task, sizeof(task), "pid %" PRIu64 " (", c->pid);
		fprintf(f, "<tr><th>task</th><td>%s", task);
		esc(f, c->comm);
		fputs(")</td></tr>\n", f);
	}
	if (c->has_fault_frame) {
		char where[800];
		snprintf(where, sizeof(where),
			 "%#" PRIx64 " %s+%#" PRIx64 "%s%s%s", c->rip,
			 c->function, c->offset, c->module[0] ? " [" : "",
			 c->module, c->module[0] ? "]" : "");
		ROW("at", where);
		if (c->source[0])
			ROW("source", c->source);
	}
	if (c->instruction[0])
		ROW("instruction", c->instruction);
	if (c->origin.expression[0])
		ROW("the pointer came from", c->origin.expression);
	if (c->bad_value[0])
		ROW("value", c->bad_value);
#undef ROW
	fputs("</table>\n", f);
	section_end(f);
	if (!c->trace)
		return;
	// The backtrace as bt prints it.
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	struct vmca_out *out = vmca_out_create(false);
	struct vmca_trace_printer *p = NULL;
	struct vmca_error *err =
		!mem || !out ? &vmca_enomem
			     : vmca_trace_printer_create(s, out, 0, &p);
	if (!err) {
		vmca_out_begin_object(out, NULL, VMCA_OUT_TEXT_CUSTOM);
		vmca_trace_print_frames(p, "frames", c->trace);
		vmca_out_end_object(out);
		err = vmca_out_finish(out, mem);
	}
	// What went wrong is the section's text (after what was printed).
	if (err && mem)
		fprintf(mem, "(the backtrace cannot be shown: %s)\n",
			err->message);
	vmca_error_destroy(err);
	vmca_trace_printer_destroy(p);
	vmca_out_destroy(out);
	if (mem)
		fclose(mem);
	section_begin(f, "backtrace", "Backtrace", true);
	fputs("<pre>", f);
	esc(f, text);
	fputs("</pre>\n", f);
	section_end(f);
	free(text);
}

static void oom_section(FILE *f, const struct vmca_oom *o)
{
	if (!o || !o->has_control)
		return;
	section_begin(f, "oom", "The OOM killer", true);
	fputs("<p>", f);
	esc(f, o->constraint[0] ? o->constraint : "?");
	if (o->memcg_path[0]) {
		fputs(" in memcg ", f);
		esc(f, o->memcg_path);
	}
	fprintf(f, ", order %d, gfp_mask %#x, totalpages %" PRIu64 "</p>\n",
		o->order, o->gfp_mask, o->totalpages);
	fputs("<table><tr><th></th><th>pid</th><th>comm</th><th>points</th>"
	      "<th>excluded</th></tr>\n",
	      f);
	for (size_t i = 0; i < o->nr_candidates && i < 20; i++) {
		const struct vmca_oom_candidate *c = &o->candidates[i];
		fprintf(f, "<tr><td>%s</td><td>%" PRIu64 "</td><td>",
			o->has_choice && o->choice == i ? "&gt;" : "", c->pid);
		esc(f, c->comm);
		fprintf(f, "</td><td>%" PRId64 "</td><td>", c->points);
		esc(f, c->excluded);
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n", f);
	section_end(f);
}

static void leaks_section(FILE *f, const struct vmca_leak *l)
{
	section_begin(f, "memory", "Memory", true);
	chart_memory(f, l);
	fputs("<h3>The largest slab caches (* holds 10% or more of the "
	      "unreclaimable slab)</h3>\n",
	      f);
	chart_caches(f, l);
	section_end(f);
	section_begin(f, "leaks", "Leaks", true);
	fputs("<table><tr><th>kind</th><th>owned by no task</th><th>MB</th>"
	      "<th>not leaks</th><th>most</th></tr>\n",
	      f);
	for (size_t k = 0; k < l->nr_orphans; k++) {
		const struct vmca_leak_orphans *o = &l->orphans[k];
		fputs("<tr><td>", f);
		esc(f, o->kind);
		fprintf(f,
			"</td><td>%" PRIu64 "</td><td>%.2f</td><td>%" PRIu64
			"</td><td>",
			o->count, mb(o->memory_bytes), o->explained);
		if (o->nr_by_pattern) {
			esc(f, o->by_pattern[0].comm);
			fputs(" ", f);
			esc(f, o->by_pattern[0].state);
		}
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n<table><tr><th>cache</th><th>unreferenced</th>"
	      "<th>MB</th><th>the largest group</th></tr>\n",
	      f);
	for (size_t i = 0; i < l->nr_unreferenced && i < 20; i++) {
		const struct vmca_leak_unreferenced *u = &l->unreferenced[i];
		fputs("<tr><td>", f);
		esc(f, u->cache);
		fprintf(f, "</td><td>%" PRIu64 "</td><td>%.2f</td><td>",
			u->count, mb(u->memory_bytes));
		if (u->nr_groups) {
			const struct vmca_leak_group *g = &u->groups[0];
			fprintf(f, "%" PRIu64 " objects", g->count);
			if (g->has_first_word)
				fprintf(f, ", first word %#" PRIx64,
					g->first_word);
			if (g->text[0]) {
				fputs(", text \"", f);
				esc(f, g->text);
				fputs("\"", f);
			}
			if (g->alloc.has_track) {
				fputs(", allocated at ", f);
				esc(f, g->alloc.symbol);
			}
		}
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n", f);
	section_end(f);
}

static void zones_section(FILE *f, const struct vmca_triage *t)
{
	section_begin(f, "fragmentation",
		      "Free pages by order (red: the watermark test fails)",
		      true);
	for (size_t i = 0; i < t->nr_zones; i++) {
		const struct vmca_triage_zone *z = &t->zones[i];
		fprintf(f, "<h3>node %u zone ", z->nid);
		esc(f, z->name);
		fprintf(f, ": %" PRIu64 " free pages</h3>\n", z->free_pages);
		chart_zone(f, z, i);
		if (z->reason[0]) {
			fputs("<p>", f);
			esc(f, z->reason);
			fputs("</p>\n", f);
		}
	}
	section_end(f);
}

static void tail_sections(FILE *f, const struct vmca_triage *t)
{
	if (t->nr_tainted) {
		section_begin(f, "taint", "Tainting modules", false);
		fputs("<ul>\n", f);
		for (size_t i = 0; i < t->nr_tainted; i++) {
			fputs("<li>", f);
			esc(f, t->tainted[i].name);
			fputs(" ", f);
			esc(f, t->tainted[i].flags);
			fputs("</li>\n", f);
		}
		fputs("</ul>\n", f);
		section_end(f);
	}
	section_begin(f, "log", "The log's last lines", false);
	fputs("<pre>", f);
	for (size_t i = 0; i < t->nr_log; i++) {
		esc(f, t->log[i]);
		fputc('\n', f);
	}
	fputs("</pre>\n", f);
	section_end(f);
	section_begin(f, "steps", "Analyses", false);
	fputs("<table><tr><th>analysis</th><th>seconds</th><th>error</th>"
	      "</tr>\n",
	      f);
	for (size_t i = 0; i < t->nr_steps; i++) {
		const struct vmca_triage_step *sp = &t->steps[i];
		fprintf(f, "<tr><td>%s</td><td>%.3f</td><td>", sp->name,
			sp->seconds);
		if (sp->err)
			esc(f, sp->err->message);
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n", f);
	section_end(f);
}

struct vmca_error *vmca_report_html(struct vmca_session *s,
				    const struct vmca_triage *t,
				    const char *path)
{
	FILE *f = fopen(path, "we");
	if (!f)
		return vmca_error_create(VMCA_ERROR_OS, "%s: %s", path,
					 strerror(errno));
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta "
	      "charset=\"utf-8\">\n"
	      "<meta http-equiv=\"Content-Security-Policy\" "
	      "content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
	      "<title>vmca triage: ",
	      f);
	esc(f, vmca_session_vmcore_path(s));
	fputs("</title>\n<style>\n"
	      "body{font-family:sans-serif;margin:2em;max-width:70em;"
	      "color:#222}\n"
	      "h1{font-size:1.3em}h1.crash{color:#b00}\n"
	      "summary{font-weight:bold;font-size:1.1em;cursor:pointer;"
	      "margin:.6em 0}\n"
	      "table{border-collapse:collapse;margin:.5em 0}"
	      "td,th{border:1px solid #ccc;padding:2px 8px;text-align:left;"
	      "vertical-align:top}\n"
	      "pre{background:#f6f6f6;padding:.5em;overflow-x:auto;"
	      "font-size:.85em}\n"
	      "svg.chart text{font-size:12px;font-family:sans-serif}\n"
	      "li.panic,li.oom{color:#b00}li.leak{color:#a50}\n"
	      "</style></head><body>\n",
	      f);
	bool is_crash = t->crash && t->crash->kind != VMCA_CRASH_NONE &&
			t->crash->kind != VMCA_CRASH_SYSRQ;
	fprintf(f, "<h1 id=\"headline\" class=\"%s\">",
		is_crash ? "crash" : "ok");
	esc(f, t->headline);
	fputs("</h1>\n<p>", f);
	esc(f, vmca_vmcoreinfo(s, "OSRELEASE"));
	fputs(" &middot; ", f);
	esc(f, vmca_session_vmcore_path(s));
	fputs("</p>\n", f);
	section_begin(f, "findings", "Findings", true);
	fputs("<ul>\n", f);
	for (size_t i = 0; i < t->nr_findings; i++) {
		const char *k = vmca_triage_kind_name(t->findings[i].kind);
		fprintf(f, "<li class=\"%s\">[%s] ", k, k);
		esc(f, t->findings[i].summary);
		fputs("</li>\n", f);
	}
	if (!t->nr_findings)
		fputs("<li>none</li>\n", f);
	fputs("</ul>\n", f);
	section_end(f);
	crash_section(s, f, t);
	oom_section(f, t->oom);
	if (t->leak)
		leaks_section(f, t->leak);
	zones_section(f, t);
	tail_sections(f, t);
	fputs("</body></html>\n", f);
	bool is_bad = ferror(f);
	if (fclose(f) != 0 || is_bad)
		return vmca_error_create(VMCA_ERROR_OS, "%s: write failed",
					 path);
	return NULL;
}

// SPDX-License-Identifier: MIT
#include "progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

// Wait this long before the first line: quick steps draw nothing.
#define FIRST_S	 0.5
#define PERIOD_S 0.1

void vmca_progress_begin(struct vmca_progress *p, const char *what,
			 uint64_t total)
{
	const char *env = getenv("VMCA_PROGRESS");
	memset(p, 0, sizeof(*p));
	p->what = what;
	p->total = total;
	p->is_on = env && *env ? strcmp(env, "0") != 0 : isatty(STDERR_FILENO);
	p->start = now_s();
	p->last = p->start - PERIOD_S + FIRST_S;
}

void vmca_progress_update(struct vmca_progress *p, uint64_t done)
{
	if (!p->is_on)
		return;
	double t = now_s();
	if (t - p->last < PERIOD_S)
		return;
	p->last = t;
	p->has_drawn = true;
	double elapsed = t - p->start;
	if (p->total && done && done <= p->total) {
		double left =
			elapsed * (double)(p->total - done) / (double)done;
		fprintf(stderr,
			"\r\033[Kvmca: %s: %3.0f%% (%llu/%llu), %.0f s left",
			p->what, 100.0 * (double)done / (double)p->total,
			(unsigned long long)done, (unsigned long long)p->total,
			left + 0.5);
	} else {
		fprintf(stderr, "\r\033[Kvmca: %s: %llu, %.0f s", p->what,
			(unsigned long long)done, elapsed);
	}
	fflush(stderr);
}

void vmca_progress_end(struct vmca_progress *p)
{
	if (p->is_on && p->has_drawn) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
	p->is_on = false;
}

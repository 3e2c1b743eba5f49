/*
 * vmca-fragment: guest helper of the vmca test corpus, scenario "frag"
 * (field case 3 in CASES.md: a high-order allocation fails while plenty
 * of memory is free).
 *
 *   vmca-fragment FILE          (FILE on a tmpfs, e.g. /frag/fill)
 *
 * 1. Reports /proc/buddyinfo as it is ("buddyinfo_before").
 * 2. Keeps the kernel from undoing the fragmentation: sets
 *    vm.compaction_proactiveness = 0 (no proactive compaction by
 *    kcompactd) and vm.watermark_boost_factor = 0 (no boost, hence no
 *    kswapd/kcompactd run after the fallbacks the fill causes).  Both
 *    stay 0.
 * 3. Lowers vm.min_free_kbytes to FILL_MIN_FREE_KBYTES and
 *    vm.watermark_scale_factor to 1 for the fill, so the file can take
 *    nearly all free memory of the largest zone without going below its
 *    low watermark (no kswapd, no OOM).
 * 4. Empties the per-cpu page lists (pcp) into the buddy allocator:
 *    sets vm.percpu_pagelist_high_fraction to PCP_HIGH_FRACTION (pcp
 *    "high" drops to 4 * batch, in 6.12 at the next free), then on each
 *    CPU maps, touches and unmaps anonymous memory until that CPU's pcp
 *    count is down to 5 * batch (each free above "high" sends pages back
 *    to the buddy lists, all migrate types in turn).  Otherwise thousands
 *    of pages freed earlier (the initrd, bulk refills) sit there, out of
 *    reach of the fill, and reach the buddy lists later as high-order
 *    blocks.
 * 5. Pinned to CPU 0, writes FILE page by page (each 4 KiB page starts
 *    with "VMCAFRAG" and the u64 page index) until that zone's free
 *    pages are down to its low watermark + FILL_MARGIN_PAGES.  Order-0
 *    allocations take the smallest free blocks first and split the big
 *    ones in address order, so consecutive file pages mostly sit in
 *    consecutive page frames, and the few free pages left are a handful
 *    of small blocks.
 * 6. Punches every odd page out of the file (fallocate PUNCH_HOLE |
 *    KEEP_SIZE): each freed page's buddy is still in the file, so half
 *    the file comes back as isolated order-0 pages.
 * 7. Restores vm.min_free_kbytes, vm.watermark_scale_factor and
 *    vm.percpu_pagelist_high_fraction: the zones get their normal
 *    watermarks back, with free memory far above them and (nearly)
 *    nothing free at order >= 4.
 *
 * The file stays on the tmpfs after the program exits.  stdout is the
 * report the guest copies to its truth channel ("key value..." lines);
 * stderr gets "VMCA: frag: ..." progress lines for the console.
 * Built on the host with gcc -static (testdata/generate.py).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <sched.h>
#include <sys/mman.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PAGE		     4096
#define CHUNK_PAGES	     16
#define FILL_MIN_FREE_KBYTES 128
#define FILL_MARGIN_PAGES    32
#define PCP_HIGH_FRACTION    1000000
#define CHURN_BYTES	     (4L << 20)

static char filebuf[1 << 16];

static int slurp(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	size_t len = 0;
	ssize_t n;

	if (fd < 0)
		return -1;
	while (len + 1 < size && (n = read(fd, buf + len, size - 1 - len)) > 0)
		len += n;
	close(fd);
	buf[len] = 0;
	return (int)len;
}

static void report_file(const char *key, const char *path)
{
	char *line, *save = NULL;

	if (slurp(path, filebuf, sizeof(filebuf)) < 0) {
		printf("%s unreadable\n", key);
		return;
	}
	for (line = strtok_r(filebuf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		printf("%s %s\n", key, line);
	fflush(stdout);
}

static long read_long(const char *path)
{
	char buf[64];

	if (slurp(path, buf, sizeof(buf)) <= 0)
		return -1;
	return strtol(buf, NULL, 10);
}

static int write_long(const char *path, long v)
{
	char buf[32];
	int fd = open(path, O_WRONLY), n, ok;

	if (fd < 0)
		return -1;
	n = snprintf(buf, sizeof(buf), "%ld\n", v);
	ok = write(fd, buf, n) == n;
	close(fd);
	return ok ? 0 : -1;
}

#define MAX_CPUS 64

struct zone {
	char name[16];
	long free, min, low, high, managed;
	long pcp_count[MAX_CPUS], pcp_high[MAX_CPUS], pcp_batch[MAX_CPUS];
};

/* The zone of node 0 with the most managed pages (DMA32 in a 1 GB guest). */
static int main_zone(struct zone *best)
{
	char *p, *q;
	struct zone z;
	int have = 0, found = 0;

	if (slurp("/proc/zoneinfo", filebuf, sizeof(filebuf)) < 0)
		return -1;
	memset(best, 0, sizeof(*best));
	int cpu = -1;

	for (p = filebuf; p && *p; p = q) {
		char name[16];
		long v;
		int c;

		q = strchr(p, '\n');
		if (q)
			*q++ = 0;
		if (sscanf(p, "Node 0, zone %15s", name) == 1) {
			if (have && z.managed > best->managed)
				*best = z, found = 1;
			memset(&z, 0, sizeof(z));
			strcpy(z.name, name);
			have = 1;
			cpu = -1;
		} else if (!have) {
			continue;
		} else if (sscanf(p, " cpu: %d", &c) == 1) {
			cpu = c >= 0 && c < MAX_CPUS ? c : -1;
		} else if (cpu >= 0 && sscanf(p, " count: %ld", &v) == 1) {
			z.pcp_count[cpu] = v;
		} else if (cpu >= 0 && sscanf(p, " high: %ld", &v) == 1) {
			z.pcp_high[cpu] = v;
		} else if (cpu >= 0 && sscanf(p, " batch: %ld", &v) == 1) {
			z.pcp_batch[cpu] = v;
		} else if (sscanf(p, " pages free %ld", &v) == 1) {
			z.free = v;
		} else if (sscanf(p, " min %ld", &v) == 1) {
			z.min = v;
		} else if (sscanf(p, " low %ld", &v) == 1) {
			z.low = v;
		} else if (sscanf(p, " high %ld", &v) == 1) {
			z.high = v;
		} else if (sscanf(p, " managed %ld", &v) == 1) {
			z.managed = v;
		}
	}
	if (have && z.managed > best->managed)
		*best = z, found = 1;
	return found ? 0 : -1;
}

static int pin(int cpu)
{
	cpu_set_t cpus;

	CPU_ZERO(&cpus);
	CPU_SET(cpu, &cpus);
	return sched_setaffinity(0, sizeof(cpus), &cpus);
}

/* Allocate and free CHURN_BYTES of order-0 pages on the current CPU. */
static void churn(void)
{
	char *p = mmap(NULL, CHURN_BYTES, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long off;

	if (p == MAP_FAILED)
		return;
	madvise(p, CHURN_BYTES, MADV_NOHUGEPAGE);
	for (off = 0; off < CHURN_BYTES; off += PAGE)
		p[off] = 1;
	munmap(p, CHURN_BYTES);
}

/*
 * With a small pcp "high" in place, churn on every online CPU (at least
 * once: 6.12 lowers pcp->high only when pages are freed) until its pcp
 * count for the main zone is at most 5 * batch.  Reports
 * "pcp_flush cpu=N before=B after=A high=H rounds=R" lines.
 */
static void flush_pcp(void)
{
	struct zone z;
	int cpu, ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	for (cpu = 0; cpu < ncpu && cpu < MAX_CPUS; cpu++) {
		long before;
		int round;

		if (pin(cpu) || main_zone(&z))
			continue;
		before = z.pcp_count[cpu];
		for (round = 0; round < 32; round++) {
			if (round > 0 &&
			    z.pcp_count[cpu] <= 5 * z.pcp_batch[cpu])
				break;
			churn();
			if (main_zone(&z))
				break;
		}
		printf("pcp_flush cpu=%d before=%ld after=%ld high=%ld "
		       "rounds=%d\n",
		       cpu, before, z.pcp_count[cpu], z.pcp_high[cpu], round);
	}
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

#define MFK  "/proc/sys/vm/min_free_kbytes"
#define WSF  "/proc/sys/vm/watermark_scale_factor"
#define PCPF "/proc/sys/vm/percpu_pagelist_high_fraction"
/* Before commit 74f44822097c ("mm/page_alloc: introduce
 * vm.percpu_pagelist_high_fraction") (v5.14): a fraction of the zone too,
 * the pcp lists' high mark managed / fraction. */
#define PCPF_OLD "/proc/sys/vm/percpu_pagelist_fraction"
#define PROACT	 "/proc/sys/vm/compaction_proactiveness"
#define BOOST	 "/proc/sys/vm/watermark_boost_factor"

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "/frag/fill";
	static char chunk[CHUNK_PAGES * PAGE];
	struct zone z;
	long orig_mfk, orig_wsf, orig_pcpf, pages = 0, punched = 0, target, i;
	double t0 = now();
	int fd, rc = 0;

	const char *pcpf = access(PCPF, F_OK) == 0 ? PCPF : PCPF_OLD;

	report_file("buddyinfo_before", "/proc/buddyinfo");
	printf("pcp_sysctl %s\n", pcpf);
	orig_mfk = read_long(MFK);
	orig_wsf = read_long(WSF);
	orig_pcpf = read_long(pcpf);
	printf("min_free_kbytes %ld\n", orig_mfk);
	printf("watermark_scale_factor %ld\n", orig_wsf);
	printf("percpu_pagelist_high_fraction %ld\n", orig_pcpf);
	printf("compaction_proactiveness_before %ld\n", read_long(PROACT));
	printf("watermark_boost_factor_before %ld\n", read_long(BOOST));
	if (write_long(PROACT, 0) || write_long(BOOST, 0))
		fprintf(stderr,
			"VMCA: frag: cannot set "
			"compaction_proactiveness/watermark_boost_factor: %s\n",
			strerror(errno));
	printf("compaction_proactiveness %ld\n", read_long(PROACT));
	printf("watermark_boost_factor %ld\n", read_long(BOOST));

	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		fprintf(stderr, "VMCA: frag: open %s: %s\n", path,
			strerror(errno));
		return 1;
	}
	if (write_long(MFK, FILL_MIN_FREE_KBYTES) || write_long(WSF, 1) ||
	    write_long(pcpf, PCP_HIGH_FRACTION)) {
		fprintf(stderr,
			"VMCA: frag: cannot set "
			"min_free_kbytes/watermark_scale_factor/"
			"percpu_pagelist_high_fraction: %s\n",
			strerror(errno));
		write_long(MFK, orig_mfk);
		write_long(WSF, orig_wsf);
		write_long(pcpf, orig_pcpf);
		return 1;
	}
	printf("min_free_kbytes_fill %ld\n", read_long(MFK));
	printf("watermark_scale_factor_fill %ld\n", read_long(WSF));
	printf("percpu_pagelist_high_fraction_fill %ld\n", read_long(pcpf));
	flush_pcp();
	/* the fill runs on CPU 0 only: consecutive pages from one pcp list */
	if (pin(0))
		fprintf(stderr, "VMCA: frag: sched_setaffinity: %s\n",
			strerror(errno));
	if (main_zone(&z)) {
		fprintf(stderr, "VMCA: frag: cannot parse /proc/zoneinfo\n");
		write_long(MFK, orig_mfk);
		write_long(WSF, orig_wsf);
		write_long(pcpf, orig_pcpf);
		return 1;
	}
	target = z.low + FILL_MARGIN_PAGES;
	printf("zone %s\n", z.name);
	printf("fill_zone_start free=%ld min=%ld low=%ld high=%ld "
	       "managed=%ld\n",
	       z.free, z.min, z.low, z.high, z.managed);
	printf("fill_target_free_pages %ld\n", target);
	fprintf(stderr,
		"VMCA: frag: zone %s free %ld pages, filling %s down to %ld "
		"free\n",
		z.name, z.free, path, target);

	/* fill */
	for (;;) {
		long step = (z.free - target) / 2, n;

		if (z.free <= target)
			break;
		if (step < CHUNK_PAGES)
			step = CHUNK_PAGES;
		for (n = 0; n < step; n += CHUNK_PAGES) {
			int k;

			for (k = 0; k < CHUNK_PAGES; k++) {
				uint64_t idx = pages + k;

				memcpy(chunk + k * PAGE, "VMCAFRAG", 8);
				memcpy(chunk + k * PAGE + 8, &idx, 8);
			}
			if (write(fd, chunk, sizeof(chunk)) !=
			    (ssize_t)sizeof(chunk)) {
				fprintf(stderr,
					"VMCA: frag: write at page %ld: %s\n",
					pages, strerror(errno));
				rc = 1;
				goto filled;
			}
			pages += CHUNK_PAGES;
		}
		if (main_zone(&z))
			break;
	}
filled:
	main_zone(&z);
	printf("file %s\n", path);
	printf("file_pages %ld\n", pages);
	printf("file_bytes %ld\n", pages * PAGE);
	printf("fill_zone_end free=%ld min=%ld low=%ld high=%ld managed=%ld\n",
	       z.free, z.min, z.low, z.high, z.managed);
	report_file("buddyinfo_filled", "/proc/buddyinfo");
	fprintf(stderr,
		"VMCA: frag: wrote %ld pages (%ld MB) in %.1fs, zone %s free "
		"%ld pages\n",
		pages, pages * PAGE >> 20, now() - t0, z.name, z.free);

	/* punch every other page */
	for (i = 1; i < pages; i += 2) {
		if (fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			      (off_t)i * PAGE, PAGE)) {
			fprintf(stderr,
				"VMCA: frag: fallocate punch at page %ld: %s\n",
				i, strerror(errno));
			rc = 1;
			break;
		}
		punched++;
	}
	printf("punched_pages %ld\n", punched);
	report_file("buddyinfo_punched", "/proc/buddyinfo");

	if (write_long(MFK, orig_mfk) || write_long(WSF, orig_wsf) ||
	    write_long(pcpf, orig_pcpf))
		fprintf(stderr,
			"VMCA: frag: cannot restore "
			"min_free_kbytes/watermark_scale_factor/"
			"percpu_pagelist_high_fraction: %s\n",
			strerror(errno));
	printf("min_free_kbytes_after %ld\n", read_long(MFK));
	printf("watermark_scale_factor_after %ld\n", read_long(WSF));
	printf("percpu_pagelist_high_fraction_after %ld\n", read_long(pcpf));
	main_zone(&z);
	printf("zone_after free=%ld min=%ld low=%ld high=%ld managed=%ld\n",
	       z.free, z.min, z.low, z.high, z.managed);
	report_file("buddyinfo_after", "/proc/buddyinfo");
	fprintf(stderr,
		"VMCA: frag: punched %ld pages; zone %s free %ld pages (min "
		"%ld) after %.1fs\n",
		punched, z.name, z.free, z.min, now() - t0);
	close(fd);
	fflush(stdout);
	return rc;
}

#!/bin/sh
# SPDX-License-Identifier: MIT
# Time and memory of opening a vmlinux's debug info: cold (building the
# index cache) and warm (mapping it), with /usr/bin/time -v, RUNS times
# each (default 5): the minimum and the median, as other work on the
# machine makes single runs noisy.
#
# usage: [RUNS=n] bench/debuginfo_cold.sh DEBUGINFO_TEST_BINARY [KERNEL|VMLINUX...]
# Kernels default to both of the testdata corpus.
set -eu

bin=$1
shift
runs=${RUNS:-5}
data=${VMCA_TESTDATA_DIR:-$HOME/.cache/vmca-testdata}
[ $# -gt 0 ] || set -- 5.10.0-32-cloud-amd64 6.1.0-56-cloud-amd64 6.12.117+deb12-cloud-amd64
cache=$(mktemp -d)
trap 'rm -rf "$cache"' EXIT

measure() { # vmlinux -> "seconds kbytes" of one open
	/usr/bin/time -v "$bin" --open "$1" "$cache" 2>"$cache/time" >/dev/null
	awk -F': ' '
/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0
	for (i = 1; i <= n; i++) s = s * 60 + t[i]; wall = s }
/Maximum resident set size/ { rss = $2 }
END { printf "%.2f %d\n", wall, rss }' "$cache/time"
}

median() { # column file -> the minimum and the median of that column
	cut -d' ' -f"$1" "$2" | sort -n |
		awk '{ v[NR] = $1 } END { print v[1], v[int((NR + 1) / 2)] }'
}

summary() { # label kernel file-of-"seconds kbytes"
	set -- "$1" "$2" "$(median 1 "$3")" "$(median 2 "$3")" "$(wc -l <"$3")"
	echo "$@" | awk '{
	printf "%-5s %-28s wall min %.2f s median %.2f s  peak RSS min %d MiB median %d MiB  (%d runs)\n",
		$1, $2, $3, $4, $5 / 1024, $6 / 1024, $7 }'
}

for k in "$@"; do
	vmlinux=$k
	[ -f "$vmlinux" ] || vmlinux=$data/kernels/$k/vmlinux
	name=$(basename "$(dirname "$vmlinux")")
	# Page-cache warm vmlinux, as after the first vmca run on a dump.
	cat "$vmlinux" >/dev/null
	: >"$cache/cold"
	: >"$cache/warm"
	for _ in $(seq "$runs"); do
		rm -f "$cache"/*.vmcaidx
		measure "$vmlinux" >>"$cache/cold"
		measure "$vmlinux" >>"$cache/warm"
	done
	summary cold "$name" "$cache/cold"
	summary warm "$name" "$cache/warm"
	printf '      cache %s bytes\n' "$(stat -c %s "$cache"/*.vmcaidx)"
done

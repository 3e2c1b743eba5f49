#!/bin/sh
# SPDX-License-Identifier: MIT
# Time and memory of opening a vmlinux's debug info: cold (building the
# index cache) and warm (mapping it), with /usr/bin/time -v.
#
# usage: bench/debuginfo_cold.sh DEBUGINFO_TEST_BINARY [KERNEL|VMLINUX...]
# Kernels default to both of the testdata corpus.
set -eu

bin=$1
shift
data=${VMCA_TESTDATA_DIR:-$HOME/.cache/vmca-testdata}
[ $# -gt 0 ] || set -- 6.1.0-56-cloud-amd64 6.12.117+deb12-cloud-amd64
cache=$(mktemp -d)
trap 'rm -rf "$cache"' EXIT

measure() { # label vmlinux
	/usr/bin/time -v "$bin" --open "$2" "$cache" 2>"$cache/time" >"$cache/out"
	wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$cache/time")
	rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$cache/time")
	printf '%-5s %-32s wall %s  peak RSS %s MiB  (%s)\n' "$1" \
		"$(basename "$(dirname "$2")")" "$wall" $((rss / 1024)) \
		"$(cat "$cache/out")"
}

for k in "$@"; do
	vmlinux=$k
	[ -f "$vmlinux" ] || vmlinux=$data/kernels/$k/vmlinux
	# Page-cache warm vmlinux, as after the first vmca run on a dump.
	cat "$vmlinux" >/dev/null
	rm -f "$cache"/*.vmcaidx
	measure cold "$vmlinux"
	measure warm "$vmlinux"
	printf '      cache %s bytes\n' "$(stat -c %s "$cache"/*.vmcaidx)"
done

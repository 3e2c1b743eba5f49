#!/bin/sh
# SPDX-License-Identifier: MIT
# On a fresh machine: install what is needed, build vmca, make one real
# dump (Debian's 6.1 cloud kernel, a NULL dereference in a test module,
# captured by kdump and makedumpfile) and show what vmca reads of the
# crash in it: why it crashed, in one command (panic: the faulting
# instruction, the member and the expression that produced the NULL
# pointer, the structure it came from), the system summary (sys), the end
# of the kernel log with the oops and its registers (log), the task
# list with the task that crashed marked ">" (ps), and that task's
# backtrace with each frame's variables (bt -l; -m: the test module's
# debuginfo, beside the dump).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
sh tests/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "$(nproc)" >/dev/null
what() {
	python3 testdata/corpus.py path --kernel 6.1 --scenario panic \
		--kind kdump --what "$1"
}
vmcore=$(what vmcore)
vmlinux=$(what vmlinux)
modules=$(dirname "$vmcore")/modules
for cmd in panic sys "log" ps "bt -l"; do
	echo "\$ vmca -k $vmlinux -m $modules $vmcore $cmd"
	if [ "$cmd" = log ]; then
		build/vmca -k "$vmlinux" -m "$modules" "$vmcore" log | tail -n 40
	else
		# shellcheck disable=SC2086
		build/vmca -k "$vmlinux" -m "$modules" "$vmcore" $cmd
	fi
	echo
done

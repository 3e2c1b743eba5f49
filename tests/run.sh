#!/bin/sh
# SPDX-License-Identifier: MIT
# The whole suite: a release build and an ASan/UBSan build, each running
# the unit tests and the CLI tests against real vmcores, generated into
# the cache on first use (~/.cache/vmca-testdata, or $VMCA_TESTDATA_DIR);
# the sanitizer build runs all but the matrix tests labelled full-matrix
# (all of them with VMCA_SANITIZE_ALL=1);
# then a libFuzzer build (clang, ASan/UBSan) that fuzzes every target
# for $VMCA_FUZZ_SECONDS (20) from its seeds (tests/fuzz/fuzz.cmake).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
sh tests/deps.sh
# The corpus first, once for both builds.
python3 testdata/generate.py
jobs=$(nproc)
status=0
for variant in release sanitize; do
	dir="build-test-$variant"
	# The sanitizer pass leaves out the matrix tests labelled
	# full-matrix (tests/CMakeLists.txt says which and why).
	if [ "$variant" = sanitize ]; then
		extra="-DVMCA_SANITIZE=address,undefined -DCMAKE_BUILD_TYPE=Debug"
		select="-LE full-matrix"
		if [ "${VMCA_SANITIZE_ALL:-0}" = 1 ]; then
			select=""
		fi
	else
		extra="-DCMAKE_BUILD_TYPE=Release"
		select=""
	fi
	# shellcheck disable=SC2086
	cmake -S . -B "$dir" -DVMCA_WERROR=ON $extra >/dev/null
	cmake --build "$dir" -j "$jobs"
	echo "== $variant build: ctest" >&2
	# shellcheck disable=SC2086
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		ctest --test-dir "$dir" --output-on-failure -j "$jobs" $select ||
		status=1
done
# The fuzz targets only (not the program or the Python module), then the
# libFuzzer runs, $jobs at a time (each is one process).
dir=build-test-fuzz
CC=clang cmake -S . -B "$dir" -DVMCA_WERROR=ON -DVMCA_FUZZ=ON \
	-DVMCA_SANITIZE=address,undefined -DCMAKE_BUILD_TYPE=Debug \
	-DVMCA_FUZZ_SECONDS="${VMCA_FUZZ_SECONDS:-20}" >/dev/null
cmake --build "$dir" -j "$jobs" --target vmca_fuzz_targets
echo "== fuzz build: ctest -L libfuzzer" >&2
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	ctest --test-dir "$dir" --output-on-failure -j "$jobs" -L libfuzzer ||
	status=1
exit $status

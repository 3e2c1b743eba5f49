#!/bin/sh
# SPDX-License-Identifier: MIT
# Install what vmca builds and tests with, from Debian's packages, when
# missing (clang and its libFuzzer runtime: the fuzz build of run.sh). (The corpus generator installs its own: QEMU, kernels, ...)
set -eu
pkgs="cmake make gcc pkg-config python3 libkdumpfile-dev libdwarf-dev
libelf-dev libcapstone-dev libbpf-dev dwarves clang-format chromium
libedit-dev tmux python3-dev python3-jsonschema clang libclang-rt-14-dev"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "deps: installing$missing" >&2
	SUDO=""
	[ "$(id -u)" -eq 0 ] || SUDO=sudo
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
		--no-install-recommends $missing >/dev/null
fi

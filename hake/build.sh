#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Configure (once) and build. Usage: build.sh BUILDDIR
set -eu
b=${1:-build}
cd "$(dirname "$0")/.."
if [ ! -f "$b/build.ninja" ]; then
	meson setup "$b" --cross-file hake/riscv64-cross.ini >"$b.setup.log" 2>&1 || {
		cat "$b.setup.log" >&2
		exit 1
	}
	mv "$b.setup.log" "$b/meson-logs/setup.log"
fi
ninja -C "$b" --quiet

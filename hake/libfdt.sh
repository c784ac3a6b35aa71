#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Extract libfdt from Debian's linux-source-6.1 package into OUTDIR.
# Usage: libfdt.sh OUTDIR CACHEDIR FILE...  (FILEs are the outputs Meson expects)
set -eu
out=$1
cache=$2
shift 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$(dirname "$0")/linux-source.sh" "$tmp" "$cache" 'scripts/dtc/libfdt/*'
for f in "$@"; do
	[ -f "$tmp/scripts/dtc/libfdt/$f" ] || { echo "libfdt: $f not found in linux-source-6.1" >&2; exit 1; }
	cp "$tmp/scripts/dtc/libfdt/$f" "$out/$f"
done

#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Extract parts of Debian's linux-source-6.1 package (libfdt, the HiFive
# Unmatched device tree) into OUTDIR, keeping their paths in the source tree.
# Usage: linux-source.sh OUTDIR CACHEDIR PATTERN...  (tar wildcards under
# linux-source-6.1/, e.g. 'scripts/dtc/libfdt/*')
# The .deb is kept in CACHEDIR so a rebuild does not download it again.
# Nothing from it is ever copied into the repository.
set -eu
out=$1
cache=$2
shift 2
mkdir -p "$cache" "$out"

deb=$(ls "$cache"/linux-source-6.1_*_all.deb 2>/dev/null | head -n1 || true)
if [ -z "$deb" ]; then
	echo "linux-source: downloading linux-source-6.1 (Debian package) into $cache" >&2
	get() { (cd "$cache" && apt-get download -q linux-source-6.1 >/dev/null 2>"$cache/download.log"); }
	# A machine with stale or no package lists: refresh them once, as root.
	if ! get && [ "$(id -u)" -eq 0 ]; then
		apt-get update -q >/dev/null 2>&1 || true
		get || true
	fi
	if ! ls "$cache"/linux-source-6.1_*_all.deb >/dev/null 2>&1; then
		echo "linux-source: 'apt-get download linux-source-6.1' failed:" >&2
		cat "$cache/download.log" >&2
		echo "linux-source: run 'apt-get update' as root and try again" >&2
		exit 1
	fi
	deb=$(ls "$cache"/linux-source-6.1_*_all.deb | head -n1)
fi
pats=()
for p in "$@"; do pats+=("linux-source-6.1/$p"); done
dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/src/linux-source-6.1.tar.xz |
	xz -dc | tar -x -C "$out" --strip-components=1 --wildcards "${pats[@]}"

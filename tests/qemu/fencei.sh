#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Instruction-cache coherence, counted: the U74's instruction cache does not
# see ordinary stores (QEMU's does), so a CPU driver must execute fence.i on
# a core before that core runs code written since. `cores` shows how many
# each kernel executed. Boot with `cores; spawn hello 1; wait 2 1; cores`
# (hello is domain 2 on core 1; once waited for, it has run) and check
# that every core synced at least twice by the prompt (as it started, and
# before its monitor first ran) and that starting hello on core 1 made core
# 1 sync at least twice more (its text mapped executable, and its first
# run), while the other cores' counts did not move.
# Usage: fencei.sh <build-dir> <accel> <cores>
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$1 accel=$2 n=$3
log=$(timeout -k 5 120 "$top/hake/qemu.sh" --kernel "$build/reef.elf" --smp "$n" \
	--accel "$accel" --append 'run=cores; spawn hello 1; wait 2 1; cores' 2>&1 | tr -d '\r')
rc=$?
[ $rc = 0 ] || { echo "$log" | tail -20; echo "FAIL: QEMU exited $rc"; exit 1; }
# Column 9 of a table row is FENCE.I (of 10); the first table's rows, then the second's.
echo "$log" | awk -v n="$n" '
	/^CORE +HART/ { table++; next }
	table && $1 ~ /^[0-9]+$/ && NF == 10 { f[table, $1] = $9; rows[table]++ }
	END {
		bad = 0
		if (rows[1] != n || rows[2] != n) { print "FAIL: tables of " rows[1] " and " rows[2] " cores, not " n; exit 1 }
		for (k = 0; k < n; k++) {
			if (f[1, k] < 2) { print "FAIL: core " k " synced " f[1, k] " times by the prompt"; bad = 1 }
			d = f[2, k] - f[1, k]
			if (k == 1 && d < 2) { print "FAIL: starting hello on core 1 synced it " d " times"; bad = 1 }
			if (k != 1 && d != 0) { print "FAIL: core " k " synced " d " times for a domain on core 1"; bad = 1 }
		}
		if (!bad) printf "fence.i: every core synced at start, core 1 %d more times for hello\n", f[2, 1] - f[1, 1]
		exit bad
	}' || { echo "$log" | sed -n '/reef>/,$p'; exit 1; }

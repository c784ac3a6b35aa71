#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Placement by ISA (ADR 0018): on a tree where only hart 3 has F and D
# (hake/heterodtb.sh: virt-fp3.dtb), `spawn mandel` with no core must run
# mandel on the lowest-numbered core with F and D (core 0 if it has them;
# the firmware picks the boot hart, so which core that is comes from the
# `cores` table), with mandel's checksum; if core 0 lacks them, its spawnd
# must have said so.
# Usage: placement.sh <build-dir> <accel> <checksum>
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$1 accel=$2 sum=$3
log=$(timeout -k 5 120 "$top/hake/qemu.sh" --kernel "$build/reef.elf" --smp 4 \
	--accel "$accel" --dtb "$build/tests/virt-fp3.dtb" \
	--append 'run=cores; spawn mandel; cores' 2>&1 | tr -d '\r')
rc=$?
[ $rc = 0 ] || { echo "$log" | tail -20; echo "FAIL: QEMU exited $rc"; exit 1; }
echo "$log" | awk -v sum="$sum" '
	/^CORE +HART/ { table++; next }
	table == 1 && $1 ~ /^[0-9]+$/ && NF == 10 { isa[$1] = $5; n++ }
	/^spawned mandel as domain [0-9]+ on core [0-9]+$/ { placed = $NF }
	/^spawned mandel as domain [0-9]+$/ { placed = 0 }
	/^spawnd: mandel needs rv64imafdc, core 0 lacks fd$/ { refused = 1 }
	/^\[[0-9]+\.[0-9]+\] / { sub(/^\[[0-9]+\.[0-9]+\] /, "") }
	$0 ~ "^mandel: core [0-9]+ checksum " { ran = $3; got = $5 }
	END {
		if (n != 4) { print "FAIL: a table of " n " cores, not 4"; exit 1 }
		want = -1
		for (k = 0; k < 4 && want < 0; k++)
			if (isa[k] ~ /fd/) want = k
		if (want < 0) { print "FAIL: no core with F and D in the table"; exit 1 }
		if (placed == "" || ran == "") { print "FAIL: mandel did not start or run"; exit 1 }
		if (placed != want || ran != want) { print "FAIL: mandel placed on core " placed ", ran on " ran ", not core " want; exit 1 }
		if (got != sum) { print "FAIL: checksum " got ", not " sum; exit 1 }
		if ((want != 0) != refused) { print "FAIL: core 0 " (refused ? "refused" : "did not refuse") " mandel"; exit 1 }
		printf "placement: mandel on core %d (%s), the first with F and D; core 0 %s\n", want, isa[want], want ? "refused it" : "had them"
	}' || { echo "$log" | sed -n '/reef>/,$p'; exit 1; }

#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# hake/ubench.sh under QEMU -icount, twice: every case is in micro.csv and
# micro.md, the message counts are exact (a share 2, its revoke 2, the
# rest none), and both runs count the same instructions for every case
# (median and minimum): the same command, the same numbers. No timing is
# judged.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=$1
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cases="null copy delete retype revoke_local lmp_rtt ump_rtt ump_oneway share share_revoke"
for run in 1 2; do
	ACCEL=icount CORES=2 OUT="$out/$run" "$top/hake/ubench.sh" "$build" ||
		{ echo "FAIL: run $run: the driver failed"; cat "$out/$run/micro-boot.log" 2>/dev/null; exit 1; }
done
csv1=$out/1/micro.csv csv2=$out/2/micro.csv
head -1 "$csv1" | grep -qx 'op,accel,cores,rounds,msgs,instr_median,instr_min,ticks_median,ticks_min' ||
	{ echo "FAIL: micro.csv's columns: $(head -1 "$csv1")"; exit 1; }
for c in $cases; do
	for csv in "$csv1" "$csv2"; do
		n=$(grep -c "^$c,icount,2,31," "$csv")
		[ "$n" = 1 ] || { echo "FAIL: $n rows of $c (2 cores, 31 rounds) in $csv"; exit 1; }
	done
	grep -q "^| $c | 2 | 31 | " "$out/1/micro.md" || { echo "FAIL: micro.md lacks $c"; exit 1; }
done
rows=$(tail -n +2 "$csv1" | wc -l)
[ "$rows" = 10 ] || { echo "FAIL: $rows rows in micro.csv, not 10"; exit 1; }
bad=$(awk -F, 'NR > 1 && $5 != ($1 == "share" ? 2 : $1 == "share_revoke" ? 2 : 0)' "$csv1")
[ -z "$bad" ] || { echo "FAIL: message counts off:"; echo "$bad"; exit 1; }
# Instruction counts (columns 1 to 7) the same in both runs, case by case.
if ! diff <(cut -d, -f1-7 "$csv1") <(cut -d, -f1-7 "$csv2"); then
	echo "FAIL: two -icount runs counted different instructions"
	exit 1
fi
echo "ubench: $rows cases, message counts exact, instructions the same in two runs"

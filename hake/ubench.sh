#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Reef's microbenchmarks (docs/ubench.md): boot QEMU once with
# `run=ubench`, collect its lines into <out>/micro.csv and a Markdown
# table <out>/micro.md (the console in <out>/micro-boot.log).
#
# micro.csv, one row per case:
#   op            the case (null copy delete retype revoke_local lmp_rtt
#                 ump_rtt ump_oneway share share_revoke)
#   accel         QEMU's mode: what instr means (below)
#   cores         harts booted
#   rounds        rounds measured (after one to warm up)
#   msgs          inter-monitor messages one operation took
#   instr_median  rdinstret delta around one operation, median and
#   instr_min     minimum: under icount the instructions all harts executed
#                 (plus idle time skipped when all waited for a timer), the
#                 same in every run; under multi or single host ticks
#   ticks_median  rdtime delta (10 MHz on QEMU virt), median and minimum:
#   ticks_min     under icount virtual time, under TCG host time
#
# Usage: hake/ubench.sh [build-dir]
#   ACCEL=icount   QEMU's TCG mode (icount, multi or single)
#   CORES=2        harts (at least 2: the cross-core cases use core 1;
#                  compare counts at the same number, they depend on it)
#   OUT=<build-dir>/bench  where the results go
set -eu
b=${1:-build}
cd "$(dirname "$0")/.."
accel=${ACCEL:-icount}
cores=${CORES:-2}
out=${OUT:-$b/bench}
case $cores in '' | *[!0-9]*) echo "ubench: not a core count: $cores" >&2; exit 1 ;; esac
[ "$cores" -ge 2 ] && [ "$cores" -le 128 ] || { echo "ubench: 2 to 128 cores, not $cores" >&2; exit 1; }
[ -f "$b/reef.elf" ] || { echo "ubench: no $b/reef.elf (make first)" >&2; exit 1; }
mkdir -p "$out"
log=$out/micro-boot.log
if ! timeout -k 5 300 hake/qemu.sh --kernel "$b/reef.elf" --smp "$cores" --accel "$accel" \
	--append 'run=ubench' >"$log.raw" 2>&1; then
	tr -d '\r' <"$log.raw" >"$log"
	rm -f "$log.raw"
	echo "ubench: QEMU failed, timed out or a case failed (its console: $log)" >&2
	exit 1
fi
tr -d '\r' <"$log.raw" >"$log"
rm -f "$log.raw"
csv=$out/micro.csv
# "[0.6] ubench op=copy cores=2 rounds=31 msgs=0 instr_median=.. instr_min=.. ticks_median=.. ticks_min=.."
rows=$(sed -n 's/^.*ubench op=/op=/p' "$log" | awk -v accel="$accel" '{
	delete v
	for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
	print v["op"] "," accel "," v["cores"] "," v["rounds"] "," v["msgs"] "," v["instr_median"] "," \
		v["instr_min"] "," v["ticks_median"] "," v["ticks_min"]
}')
[ -n "$rows" ] || { echo "ubench: no results (its console: $log)" >&2; exit 1; }
{
	echo "op,accel,cores,rounds,msgs,instr_median,instr_min,ticks_median,ticks_min"
	echo "$rows"
} >"$csv"
md=$out/micro.md
{
	if [ "$accel" = icount ]; then
		echo "Under QEMU -icount: instructions of all harts, the same in every run; ticks of virtual time at 10 MHz."
	else
		echo "Under QEMU TCG ($accel): \"instructions\" are host ticks, ticks host time: noisy, a ratio within one run at most."
	fi
	echo
	echo "| operation | cores | rounds | messages | instructions (median) | instructions (min) | ticks (median) | ticks (min) |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|"
	echo "$rows" | awk -F, '{ printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $3, $4, $5, $6, $7, $8, $9 }'
} >"$md"
echo "ubench: $(echo "$rows" | wc -l) cases on $cores cores ($accel): $csv, $md"

#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# make bench: boot Reef in QEMU once per core count, run the shell's
# `bench` (cross-core revocation: targeted, star and broadcast, for 0 to
# N-1 holders), and collect its machine-readable lines into
# <out>/revoke.csv, a Markdown table <out>/revoke.md and, with gnuplot,
# plots <out>/revoke-msgs.{png,svg} (messages against cores, every other
# core a holder) and <out>/revoke-ticks.{png,svg} (median rdtime ticks:
# host time under TCG, noisy, a ratio within one run at most).
#
# Usage: hake/bench.sh [build-dir]
#   CORES="2 4 8 16 32 64"  the sweep (1 to 128)
#   ACCEL=multi             QEMU's TCG mode (multi, single or icount)
#   OUT=<build-dir>/bench   where the results go
#   PLOT=1                  0: no plots (no gnuplot needed)
#   DOCS=                   a folder: also write the results page bench.md
#                           there, with the plots beside it (make bench-docs:
#                           docs/, the page the README quotes)
set -eu
b=${1:-build}
cd "$(dirname "$0")/.."
cores=${CORES:-"2 4 8 16 32 64"}
accel=${ACCEL:-multi}
out=${OUT:-$b/bench}
plot=${PLOT:-1}
[ -f "$b/reef.elf" ] || { echo "bench: no $b/reef.elf (make first)" >&2; exit 1; }
mkdir -p "$out"
csv=$out/revoke.csv
echo "cores,holders,mode,msgs,ticks_median,ticks_min" >"$csv"
for n in $cores; do
	case $n in '' | *[!0-9]*) echo "bench: not a core count: $n" >&2; exit 1 ;; esac
	[ "$n" -ge 1 ] && [ "$n" -le 128 ] || { echo "bench: 1 to 128 cores, not $n" >&2; exit 1; }
	log=$out/boot-$n.log
	start=$(date +%s)
	if ! timeout -k 5 900 hake/qemu.sh --kernel "$b/reef.elf" --smp "$n" --accel "$accel" \
		--append 'run=bench' >"$log.raw" 2>&1; then
		echo "bench: $n cores: QEMU failed or timed out (its console: $log)" >&2
		tr -d '\r' <"$log.raw" >"$log"
		exit 1
	fi
	tr -d '\r' <"$log.raw" >"$log"
	rm -f "$log.raw"
	# "[0.6] bench revoke cores=4 holders=1 mode=star msgs=2 depth=2 ticks_median=.. ticks_min=.."
	rows=$(sed -n 's/^.*bench revoke //p' "$log" | awk '{
		delete v
		for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		print v["cores"] "," v["holders"] "," v["mode"] "," v["msgs"] "," v["ticks_median"] "," v["ticks_min"]
	}')
	[ -n "$rows" ] || { echo "bench: $n cores: no results (its console: $log)" >&2; exit 1; }
	echo "$rows" >>"$csv"
	echo "bench: $n cores: $(echo "$rows" | wc -l) cases in $(($(date +%s) - start)) s"
done

md=$out/revoke.md
{
	echo "| cores | holders | mode | messages | ticks (median) | ticks (min) |"
	echo "|---:|---:|---|---:|---:|---:|"
	tail -n +2 "$csv" | awk -F, '{ printf "| %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6 }'
} >"$md"
echo "bench: $csv, $md"

[ "$plot" = 1 ] || exit 0
command -v gnuplot >/dev/null || { echo "bench: no gnuplot: no plots (hake/deps.sh installs it)" >&2; exit 0; }
# One data file per mode: every other core a holder.
for mode in targeted star broadcast; do
	awk -F, -v m="$mode" 'NR > 1 && $3 == m && $2 == $1 - 1 { print $1, $4, $5 }' "$csv" \
		>"$out/all-$mode.dat"
done
for fmt in png svg; do
	term="pngcairo size 800,500"
	[ "$fmt" = svg ] && term="svg size 800,500"
	gnuplot <<EOF
set terminal $term
set datafile separator " "
set key left top
set grid
set logscale x 2
set xlabel "cores (every other core holds a copy)"
set output "$out/revoke-msgs.$fmt"
set ylabel "inter-monitor messages per revoke"
plot "$out/all-targeted.dat" using 1:2 with linespoints title "targeted", \
     "$out/all-star.dat" using 1:2 with linespoints title "star", \
     "$out/all-broadcast.dat" using 1:2 with linespoints title "broadcast (Barrelfish)"
set output "$out/revoke-ticks.$fmt"
set ylabel "median rdtime ticks (TCG: host time, noisy)"
plot "$out/all-targeted.dat" using 1:3 with linespoints title "targeted", \
     "$out/all-star.dat" using 1:3 with linespoints title "star", \
     "$out/all-broadcast.dat" using 1:3 with linespoints title "broadcast (Barrelfish)"
EOF
done
echo "bench: plots in $out (revoke-msgs, revoke-ticks; png and svg)"

[ -n "${DOCS:-}" ] || exit 0
mkdir -p "$DOCS/bench"
cp "$out"/revoke-msgs.svg "$out"/revoke-ticks.svg "$out/revoke.csv" "$DOCS/bench/"
model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
{
	echo "# Cross-core revocation: results"
	echo
	echo "Written by \`make bench-docs\` (hake/bench.sh); do not edit. Command:"
	echo "\`make bench CORES=\"$cores\" ACCEL=$accel\`, at commit"
	echo "$(git rev-parse --short HEAD 2>/dev/null || echo '?'), on $(nproc) host cores"
	echo "(${model:-unknown CPU}), $(qemu-system-riscv64 --version | head -1)."
	echo
	echo "One frame shared with k of N cores, then revoked, three ways: *targeted*"
	echo "(Reef: the holders, in one pass down a binary tree), *star* (the"
	echo "owner asks each holder) and *broadcast* (Barrelfish's pattern: every"
	echo "other core, mark then sweep, 4(N-1) messages). Messages are exact (the"
	echo "tests assert them). Ticks are \`rdtime\` under QEMU TCG, which follows"
	echo "the host clock: they show ratios within one run at most, and vary"
	echo "between runs; on a HiFive Unmatched the same benchmark would count"
	echo "real time of real parallel harts."
	echo
	echo "![messages](bench/revoke-msgs.svg) ![ticks](bench/revoke-ticks.svg)"
	echo
	echo "All cases ([CSV](bench/revoke.csv)):"
	echo
	cat "$md"
} >"$DOCS/bench.md"
echo "bench: the results page $DOCS/bench.md"

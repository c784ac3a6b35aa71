#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# make bench: the cross-core revocation benchmark (services/bench) over
# core counts and shapes. For each core count it boots Reef twice:
#
#   icount  QEMU -icount (single-threaded, deterministic): messages, depth
#           and instructions (rdinstret: every hart's; mostly the same each
#           run, see the results page)
#   multi   multi-threaded TCG: rdtime ticks, median and 10th/90th
#           percentile (host time: noisy, a ratio within one run at most)
#
# and merges both into <out>/revoke.csv, one row per case:
#
#   shape,cores,size,holders,mode,msgs,depth,instr,ticks_median,ticks_p10,ticks_p90,cycles_median,xnode
#
# shape    copies | chain | tree | many | concurrent (services/bench/main.c)
# cores    N, the cores online
# size     the shape's size: copies k holders, chain d links, tree m
#          children, many n descendants per core, concurrent c revokers
# holders  cores holding something of the root (concurrent: of each
#          revoker's object)
# mode     targeted | star | broadcast
# msgs     inter-monitor messages of one revoke (concurrent: of all c)
# depth    the revoke's critical path in message hops (0: not reported)
# instr    instructions (icount) of one revoke, median over the rounds
#          (concurrent: of all c, from the first message to the last answer)
# ticks_*  rdtime ticks (multi-threaded TCG) around the same: median,
#          10th and 90th percentile over the rounds
# cycles_median  rdcycle cycles of the revoking hart around the same,
#          median, from the same boot as the ticks (on a board: the
#          hart's real cycles; under TCG: host ticks, meaning little)
# xnode    of msgs, the messages between cores on different NUMA nodes
#          (ADR 0019; 0 without NUMA=)
#
# plus a Markdown table <out>/revoke.md and, with gnuplot, plots (PNG and
# SVG) <out>/revoke-<name>.{png,svg}: msgs, instr, ticks (copies against
# cores), ratio (copies, one holder: targeted / broadcast against cores),
# chain (against the chain's length), many (against n), concurrent
# (revokes per million instructions against cores, the most revokers of
# each core count) and concurrent-tcg (revokes per second, noisy). Each boot
# runs `mem` before and after and fails unless every pool is back.
#
# Usage: hake/bench.sh [build-dir]
#   CORES="2 4 8 16 32 64 128"  core counts (1 to 128)
#   SHAPES="copies chain tree many concurrent"
#   ACCEL="icount multi"    which boots (either alone: its columns only)
#   COPIES= CHAIN= TREE= MANY= CONCURRENT=
#                           each shape's sizes ("1 2 4"; sizes a core count
#                           cannot take are left out there); empty: the
#                           program's own sweep: copies 0 1 2 4 .. N-1,
#                           chain 1 2 4 .. N-1, tree 1 4 16 .. 4(N-1),
#                           many 1 10 100 1000, concurrent 1 2 4 .. N/2
#                           (while c N <= 1024)
#   MANY_HOLDERS=4          many: the cores holding n descendants each
#   CONCURRENT_HOLDERS=2    concurrent: the cores each object is shared with
#   ROUNDS=11               rounds per case (ROUNDS_ICOUNT=5 under icount,
#                           whose rounds differ little)
#   OUT=<build-dir>/bench   where the results go
#   PLOT=1                  0: no plots (no gnuplot needed)
#   DOCS=                   a folder: also write the results page bench.md
#                           there, with its plots and CSV (make bench-docs)
#   TIMEOUT=1800            seconds one boot may take
#   NUMA=                   boot with that many NUMA nodes (hake/qemu.sh
#                           --numa: sockets of equal shares of the harts;
#                           more than 2 take QEMU's APLIC); every core
#                           count must be a multiple of it
#   MICRO=1                 0: no microbenchmarks (hake/ubench.sh)
#   TRACE=1                 0: no traced revokes and timelines
#   TRACE_CORES=8           the traced machine's cores
set -eu
b=${1:-build}
cd "$(dirname "$0")/.."
cores=${CORES:-"2 4 8 16 32 64 128"}
shapes=${SHAPES:-"copies chain tree many concurrent"}
accels=${ACCEL:-"icount multi"}
rounds=${ROUNDS:-11}
rounds_icount=${ROUNDS_ICOUNT:-5}
out=${OUT:-$b/bench}
plot=${PLOT:-1}
limit=${TIMEOUT:-1800}
numa=${NUMA:-}
[ -f "$b/reef.elf" ] || { echo "bench: no $b/reef.elf (make first)" >&2; exit 1; }
for a in $accels; do
	case $a in icount | multi) ;; *) echo "bench: ACCEL is icount, multi or both, not $a" >&2; exit 1 ;; esac
done
for s in $shapes; do
	case $s in copies | chain | tree | many | concurrent) ;; *) echo "bench: no shape $s" >&2; exit 1 ;; esac
done
mkdir -p "$out"
started=$(date +%s)

# The sizes of shape $1 that $2 cores can take, comma-separated ("" with
# none given: the program's sweep; "-" when none fits).
sizes() {
	local v
	case $1 in
	copies) v=${COPIES:-} ;; chain) v=${CHAIN:-} ;; tree) v=${TREE:-} ;;
	many) v=${MANY:-} ;; concurrent) v=${CONCURRENT:-} ;;
	esac
	[ -n "$v" ] || return 0
	echo "$v" | tr ', ' '\n\n' | awk -v s="$1" -v n="$2" '
		/^[0-9]+$/ {
			if (s == "copies") ok = $1 <= n - 1
			else if (s == "tree") ok = $1 >= 1 && $1 <= 1024
			else if (s == "many") ok = $1 >= 1 && $1 <= 1000
			else ok = $1 >= 1 && $1 <= n - 1
			if (ok) l = l (l == "" ? "" : ",") $1
		}
		END { print l == "" ? "-" : l }'
}

# The shell commands for n cores, r rounds: one bench per shape, between
# two mem.
script() {
	local n=$1 r=$2 cmd="mem" s z h
	for s in $shapes; do
		z=$(sizes "$s" "$n")
		[ "$z" != "-" ] || continue
		[ "$s" = copies ] || [ "$n" -ge 2 ] || continue
		h=""
		[ "$s" = many ] && h=" holders=${MANY_HOLDERS:-4}"
		[ "$s" = concurrent ] && h=" holders=${CONCURRENT_HOLDERS:-2}"
		cmd="$cmd; bench $s${z:+ $z}$h rounds=$r"
	done
	echo "run=$cmd; mem"
}

# One boot: n cores, accel a; its rows into <out>/rows-<a>-<n>.csv
# (shape,cores,size,holders,mode,msgs,depth,instr,ticks_median,ticks_p10,ticks_p90,cycles_median,xnode).
boot() {
	local n=$1 a=$2 r=$rounds log=$out/boot-$2-$1.log t0 rows
	[ "$a" = icount ] && r=$rounds_icount
	local args
	args=$(script "$n" "$r")
	[ ${#args} -lt 256 ] || { echo "bench: the boot arguments are too long: $args" >&2; exit 1; }
	t0=$(date +%s)
	if ! timeout -k 5 "$limit" hake/qemu.sh --kernel "$b/reef.elf" --smp "$n" --accel "$a" \
		${numa:+--numa "$numa"} --append "$args" >"$log.raw" 2>&1; then
		tr -d '\r' <"$log.raw" >"$log"
		rm -f "$log.raw"
		echo "bench: $n cores, $a: QEMU failed or timed out (its console: $log)" >&2
		grep -E '^(\[[0-9.]+\] )?bench: ' "$log" | grep -v 'bench: revoke,' | head -5 >&2 || true
		exit 1
	fi
	tr -d '\r' <"$log.raw" >"$log"
	rm -f "$log.raw"
	# The pools before and after: "mem: <free> free of <total> bytes on <n> cores".
	local pools
	pools=$(sed -n 's/^mem: \([0-9]*\) free of [0-9]* bytes on .*/\1/p' "$log" | uniq | wc -l)
	[ "$pools" = 1 ] || { echo "bench: $n cores, $a: the pools are not all back (its console: $log)" >&2; exit 1; }
	# "[0.6] bench revoke shape=chain cores=4 size=2 holders=2 mode=star msgs=8 depth=0 instr=.. ticks_median=.."
	rows=$(sed -n 's/^.*bench revoke //p' "$log" | awk '{
		delete v
		for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		print v["shape"] "," v["cores"] "," v["size"] "," v["holders"] "," v["mode"] "," \
		      v["msgs"] "," v["depth"] "," v["instr"] "," v["ticks_median"] "," v["ticks_p10"] "," v["ticks_p90"] "," v["cycles"] "," v["xnode"]
	}')
	[ -n "$rows" ] || { echo "bench: $n cores, $a: no results (its console: $log)" >&2; exit 1; }
	echo "$rows" >"$out/rows-$a-$n.csv"
	sed -n 's/^.*bench: revoke, .* timebase \([0-9]*\) Hz$/\1/p' "$log" | head -1 >"$out/timebase"
	echo "bench: $n cores, $a: $(echo "$rows" | wc -l) cases ($(echo "$rows" | cut -d, -f1 | uniq | tr '\n' ' ' | sed 's/ $//')) in $(($(date +%s) - t0)) s"
}

csv=$out/revoke.csv
echo "shape,cores,size,holders,mode,msgs,depth,instr,ticks_median,ticks_p10,ticks_p90,cycles_median,xnode" >"$csv"
case $numa in *[!0-9]* | 0) echo "bench: NUMA is a number of nodes, not $numa" >&2; exit 1 ;; esac
for n in $cores; do
	case $n in '' | *[!0-9]*) echo "bench: not a core count: $n" >&2; exit 1 ;; esac
	[ "$n" -ge 1 ] && [ "$n" -le 128 ] || { echo "bench: 1 to 128 cores, not $n" >&2; exit 1; }
	[ -z "$numa" ] || [ $((n % numa)) = 0 ] || { echo "bench: NUMA=$numa nodes do not divide $n cores" >&2; exit 1; }
	rm -f "$out/rows-icount-$n.csv" "$out/rows-multi-$n.csv"
	for a in $accels; do
		boot "$n" "$a"
	done
	# Merged on the case: counts and instructions from icount, ticks from
	# multi (the messages of both must agree: they do not depend on time).
	touch "$out/rows-icount-$n.csv" "$out/rows-multi-$n.csv"
	awk -F, -v OFS=, '
		FILENAME ~ /rows-icount/ { k = $1 FS $2 FS $3 FS $4 FS $5; ic[k] = $6 FS $7 FS $8; msgs[k] = $6; xn[k] = $13; order[++n] = k; next }
		{
			k = $1 FS $2 FS $3 FS $4 FS $5; tc[k] = $9 FS $10 FS $11 FS $12
			if (!(k in ic)) { order[++n] = k; ic[k] = $6 FS $7 FS; xn[k] = $13 }
			else if (msgs[k] != $6) printf "bench: %s: %s messages under icount, %s under multi\n", k, msgs[k], $6 > "/dev/stderr"
		}
		END { for (i = 1; i <= n; i++) { k = order[i]; print k, ic[k], (k in tc) ? tc[k] : ",,,", xn[k] } }
	' "$out/rows-icount-$n.csv" "$out/rows-multi-$n.csv" >>"$csv"
	rm -f "$out/rows-icount-$n.csv" "$out/rows-multi-$n.csv"
done
echo "bench: $(($(tail -n +2 "$csv" | wc -l))) cases in $(($(date +%s) - started)) s: $csv"

md=$out/revoke.md
{
	echo "| shape | cores | size | holders | mode | messages | depth | instructions | ticks (median) | ticks (p10) | ticks (p90) |"
	echo "|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|"
	tail -n +2 "$csv" | awk -F, '{ printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11 }'
} >"$md"
echo "bench: the table $md"

# The microbenchmarks (hake/ubench.sh: micro.csv, micro.md) and, with
# plots, the timelines of a targeted and a broadcast revoke of one frame
# held by every other core of TRACE_CORES, traced by the monitors
# (hake/timeline.sh: timeline-{targeted,broadcast}-N.{png,svg}).
if [ "${MICRO:-1}" = 1 ]; then
	ACCEL=icount CORES=2 OUT="$out" hake/ubench.sh "$b" || { echo "bench: ubench failed" >&2; exit 1; }
fi
tn=${TRACE_CORES:-8}
traced=0
if [ "${TRACE:-1}" = 1 ] && [ "$plot" = 1 ] && command -v gnuplot >/dev/null; then
	k=$((tn - 1))
	timeout -k 5 300 hake/qemu.sh --kernel "$b/reef.elf" --smp "$tn" --accel icount \
		--append "trace=on run=ubench trace $k targeted; ubench trace $k broadcast" 2>&1 |
		tr -d '\r' >"$out/trace-$tn.log"
	for m in targeted broadcast; do
		d=1
		[ $m = broadcast ] && d=2
		DUMP=$d hake/timeline.sh "$out/trace-$tn.log" "$out/timeline-$m-$tn" \
			"$m revoke of a frame held by $k of $tn cores (QEMU -icount)" >/dev/null ||
			{ echo "bench: no $m timeline (its console: $out/trace-$tn.log)" >&2; exit 1; }
	done
	traced=1
	echo "bench: timelines $out/timeline-{targeted,broadcast}-$tn.{png,svg}"
fi

[ "$plot" = 1 ] || exit 0
command -v gnuplot >/dev/null || { echo "bench: no gnuplot: no plots (hake/deps.sh installs it)" >&2; exit 0; }
tb=$(cat "$out/timebase" 2>/dev/null || echo 10000000)
big=$(tail -n +2 "$csv" | cut -d, -f2 | sort -n | tail -1)
d=$out/dat
mkdir -p "$d"
# Data files, "x y [y2 y3]" by x:
#   copies-<mode>-one: cores, msgs, instr, ticks median, p10, p90 (one holder)
#   copies-<mode>-all: the same with every other core a holder
#   ratio: cores, instr targeted/broadcast, ticks targeted/broadcast (one holder)
#   chain-<mode>, many-<mode>: size, instr (the largest core count)
#   concurrent-<mode>: cores, revokes per million instructions, per second
#     (the most revokers at each core count)
for m in targeted star broadcast; do
	awk -F, -v m="$m" '$1 == "copies" && $5 == m && $3 == 1 { print $2, $6, $8, $9, $10, $11 }' "$csv" >"$d/copies-$m-one"
	awk -F, -v m="$m" '$1 == "copies" && $5 == m && $3 == $2 - 1 && $3 > 0 { print $2, $6, $8, $9, $10, $11 }' "$csv" >"$d/copies-$m-all"
	awk -F, -v m="$m" -v n="$big" '$1 == "chain" && $5 == m && $2 == n { print $3, $8, $9 }' "$csv" >"$d/chain-$m"
	awk -F, -v m="$m" -v n="$big" '$1 == "many" && $5 == m && $2 == n { print $3, $8, $9 }' "$csv" >"$d/many-$m"
	awk -F, -v m="$m" -v tb="$tb" '$1 == "concurrent" && $5 == m && ($3 >= c[$2] || !($2 in seen)) {
		if (!($2 in seen)) { seen[$2] = 1; order[++n] = $2 }
		c[$2] = $3; i[$2] = $8 > 0 ? $3 * 1e6 / $8 : "?"; t[$2] = $9 > 0 ? $3 * tb / $9 : "?" }
		END { for (j = 1; j <= n; j++) print order[j], i[order[j]], t[order[j]] }' "$csv" >"$d/concurrent-$m"
done
awk -F, '$1 == "copies" && $3 == 1 && ($5 == "targeted" || $5 == "broadcast") {
	k = $2; v[k, $5, "i"] = $8; v[k, $5, "t"] = $9; if (!(k in seen)) { seen[k] = 1; order[++n] = k } }
	END { for (i = 1; i <= n; i++) { k = order[i]
		ri = v[k, "broadcast", "i"] > 0 ? v[k, "targeted", "i"] / v[k, "broadcast", "i"] : "?"
		rt = v[k, "broadcast", "t"] > 0 ? v[k, "targeted", "t"] / v[k, "broadcast", "t"] : "?"
		print k, ri, rt } }' "$csv" >"$d/ratio"
# A series only if it has numbers (ACCEL=icount has no ticks, multi no instructions).
has() { awk -v c="$2" '$c != "" && $c != "?" { f = 1 } END { exit !f }' "$1" 2>/dev/null; }
series() { # file column title [style]
	has "$1" "$2" && printf '"%s" using 1:%s with linespoints %s title "%s", ' "$1" "$2" "${4:-}" "$3"
	return 0
}
plotit() { # name "gnuplot settings" plot-list
	local name=$1 set=$2 list=${3%, }
	[ -n "$list" ] || return 0
	for fmt in png svg; do
		local term="pngcairo size 800,560"
		[ "$fmt" = svg ] && term="svg size 800,560"
		gnuplot <<EOF
set terminal $term
set output "$out/revoke-$name.$fmt"
set datafile missing "?"
set key below
set grid
$set
plot $list
EOF
	done
	made="$made $name"
}
made=""
modes="targeted star broadcast"
title() { case $1 in broadcast) echo "broadcast (Barrelfish)" ;; *) echo "$1" ;; esac; }
l=""
for m in $modes; do
	l="$l$(series "$d/copies-$m-one" 2 "$(title "$m"), 1 holder")"
	l="$l$(series "$d/copies-$m-all" 2 "$(title "$m"), N-1 holders" "dashtype 2")"
done
plotit msgs 'set logscale x 2
set logscale y 2
set xlabel "cores N"
set ylabel "inter-monitor messages per revoke"
set title "copies: one frame, copies on 1 or N-1 cores"' "$l"
l=""
for m in $modes; do
	l="$l$(series "$d/copies-$m-one" 3 "$(title "$m"), 1 holder")"
	l="$l$(series "$d/copies-$m-all" 3 "$(title "$m"), N-1 holders" "dashtype 2")"
done
plotit instr 'set logscale x 2
set logscale y 10
set xlabel "cores N"
set ylabel "instructions per revoke (QEMU -icount, all harts)"
set title "copies: one frame, copies on 1 or N-1 cores"' "$l"
l=""
for m in $modes; do
	has "$d/copies-$m-one" 4 && l="$l\"$d/copies-$m-one\" using 1:4:5:6 with yerrorlines title \"$(title "$m"), 1 holder\", "
	has "$d/copies-$m-all" 4 && l="$l\"$d/copies-$m-all\" using 1:4:5:6 with yerrorlines dashtype 2 title \"$(title "$m"), N-1 holders\", "
done
plotit ticks 'set logscale x 2
set logscale y 10
set xlabel "cores N"
set ylabel "rdtime ticks per revoke, median and p10-p90 (TCG: host time, noisy)"
set title "copies: one frame, copies on 1 or N-1 cores"' "$l"
l="$(series "$d/ratio" 2 "instructions (icount)")$(series "$d/ratio" 3 "ticks (TCG, noisy)" "dashtype 2")"
plotit ratio 'set logscale x 2
set xlabel "cores N"
set ylabel "targeted / broadcast"
set yrange [0:*]
set title "copies, one holder: the cost of asking one core against asking all"' "$l"
l=""
for m in $modes; do l="$l$(series "$d/chain-$m" 2 "$(title "$m")")"; done
plotit chain "set logscale x 2
set logscale y 10
set xlabel \"chain length d (links on d cores)\"
set ylabel \"instructions per revoke (QEMU -icount)\"
set title \"chain, $big cores: revoking the root of a derivation chain\"" "$l"
l=""
for m in $modes; do l="$l$(series "$d/many-$m" 2 "$(title "$m")")"; done
plotit many "set logscale x 10
set logscale y 10
set xlabel \"descendants n on each holding core\"
set ylabel \"instructions per revoke (QEMU -icount)\"
set title \"many, $big cores: a parent with n descendants on each of ${MANY_HOLDERS:-4} cores\"" "$l"
l=""
for m in $modes; do l="$l$(series "$d/concurrent-$m" 2 "$(title "$m")")"; done
plotit concurrent 'set logscale x 2
set logscale y 10
set xlabel "cores N (the most revokers at once: N/2, at most 1024/N, by default)"
set ylabel "revokes per million instructions (QEMU -icount)"
set title "concurrent: unrelated objects, each revoked by its own core, all at once"' "$l"
l=""
for m in $modes; do l="$l$(series "$d/concurrent-$m" 3 "$(title "$m")")"; done
plotit concurrent-tcg 'set logscale x 2
set logscale y 10
set xlabel "cores N (the most revokers at once: N/2, at most 1024/N, by default)"
set ylabel "revokes per second (TCG: host time, noisy)"
set title "concurrent: unrelated objects, each revoked by its own core, all at once"' "$l"
echo "bench: plots in $out:$made (png and svg)"

[ -n "${DOCS:-}" ] || exit 0
mkdir -p "$DOCS/bench"
rm -f "$DOCS"/bench/revoke-*.svg
for p in $made; do cp "$out/revoke-$p.svg" "$DOCS/bench/"; done
cp "$csv" "$DOCS/bench/"
[ "$traced" = 1 ] && cp "$out"/timeline-*-"$tn".svg "$DOCS/bench/"
model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
cmd="make bench CORES=\"$cores\""
[ "$shapes" = "copies chain tree many concurrent" ] || cmd="$cmd SHAPES=\"$shapes\""
for v in COPIES CHAIN TREE MANY CONCURRENT MANY_HOLDERS CONCURRENT_HOLDERS ROUNDS ROUNDS_ICOUNT; do
	[ -z "${!v:-}" ] || cmd="$cmd $v=\"${!v}\""
done
[ "$accels" = "icount multi" ] || cmd="$cmd ACCEL=\"$accels\""
# What the sweep shows, computed from the CSV (so the page never says
# what its numbers do not): one holder on the most cores, and the chain.
findings() {
	awk -F, '
		NR == 1 { next }
		{ k = $1 SUBSEP $2 SUBSEP $3 SUBSEP $5; msgs[k] = $6; depth[k] = $7; ins[k] = $8; tk[k] = $9 }
		$1 == "copies" && $3 == 1 && $2 > big { big = $2 }
		$1 == "chain" && $5 == "targeted" && $2 >= cn { if ($2 > cn) { cn = $2; nd = 0 } d[++nd] = $3 }
		function c(n,   s, r) { s = sprintf("%d", n); r = ""
			while (length(s) > 3) { r = "," substr(s, length(s) - 2) r; s = substr(s, 1, length(s) - 3) }
			return s r }
		END {
			if (big) {
				t = "copies" SUBSEP big SUBSEP 1 SUBSEP "targeted"; b = "copies" SUBSEP big SUBSEP 1 SUBSEP "broadcast"
				if ((t in ins) && (b in ins) && ins[t] > 0) {
					printf "**One holder on %d cores** (copies, k = 1): the targeted revoke sends %d messages at depth %d and executes %s instructions on all harts; the broadcast sends %d at depth %d and executes %s, %.1f times as many", big, msgs[t], depth[t], c(ins[t]), msgs[b], depth[b], c(ins[b]), ins[b] / ins[t]
					if (tk[t] > 0 && tk[b] > 0)
						printf " (its median ticks under multi-threaded TCG: %.1f times as many)", tk[b] / tk[t]
					print "."
					print ""
				}
			}
			if (nd < 2)
				exit
			printf "**The chain on %d cores**, targeted: each link is a capability retyped on the next core from the one before, and core 0, the owner, keeps a record of each, so the revoke reaches all d links'"'"' cores at once down its tree, at a depth of 2⌊log2(d+1)⌋ hops (a revoke that followed the chain link by link would take 2d):\n\n", cn
			print "| links d | messages | depth | instructions | more per link than d before |"
			print "|---:|---:|---:|---:|---:|"
			for (i = 1; i <= nd; i++) {
				k = "chain" SUBSEP cn SUBSEP d[i] SUBSEP "targeted"
				step = i > 1 ? c((ins[k] - ins[p]) / (d[i] - d[i - 1])) : "-"
				printf "| %d | %d | %d | %s | %s |\n", d[i], msgs[k], depth[k], c(ins[k]), step
				p = k
			}
			print ""
			kc = "copies" SUBSEP cn SUBSEP d[nd] SUBSEP "targeted"; k1 = "copies" SUBSEP cn SUBSEP 1 SUBSEP "targeted"
			if ((kc in ins) && (k1 in ins) && d[nd] > 1)
				printf "(A copy on one more core costs %s instructions: copies from 1 to %d holders on the same cores.) ", c((ins[kc] - ins[k1]) / (d[nd] - 1)), d[nd]
			print "The last column is the cost of one more link: whether it stays the same as the chain grows is whether the revoke'"'"'s cost per level is flat (SemperOS: about 2,000 cycles per level of a depth-100 chain at 2 GHz within one kernel, a figure of another kind: one core'"'"'s cycles, not the instructions of all harts, and no cores crossed)."
		}' "$csv"
}
img() { [ -f "$out/revoke-$1.svg" ] && echo "![$1](bench/revoke-$1.svg)"; return 0; }
{
	echo "# Cross-core revocation: results"
	echo
	echo "Written by \`make bench-docs\` (hake/bench.sh); do not edit. Command:"
	echo "\`$cmd\`, at commit $(git rev-parse --short HEAD 2>/dev/null || echo '?'),"
	echo "on $(nproc) host cores (${model:-unknown CPU}), $(qemu-system-riscv64 --version | head -1);"
	echo "the sweep took $(($(date +%s) - started)) s."
	echo
	echo "Each case builds a shape of capabilities across N cores, revokes its"
	echo "root and measures that (services/bench/main.c says how each is built):"
	echo
	echo "- *copies* k: a frame with copies on k other cores;"
	echo "- *chain* d: a derivation chain d links deep, each link retyped on the"
	echo "  next core from the one before (the owner, core 0, makes each and keeps"
	echo "  a record of it);"
	echo "- *tree* m: a RAM retyped into m frames spread over the cores;"
	echo "- *many* n: a parent with n descendants on each of ${MANY_HOLDERS:-4} cores;"
	echo "- *concurrent* c: c cores each revoke an object of their own, shared with"
	echo "  the next ${CONCURRENT_HOLDERS:-2} cores, all at once (messages and instructions are"
	echo "  those of all c revokes together; the plot takes the most revokers of each"
	echo "  core count: by default N/2, at most 1024/N)."
	echo
	echo "Three ways: *targeted* (Reef: the cores that may hold something, down a"
	echo "binary tree), *star* (the owner asks each of those) and *broadcast*"
	echo "(Barrelfish's pattern: the owner asks every other core, 4(N-1)"
	echo "messages). A broadcast from an owner on core k > 0 (concurrent) reaches"
	echo "the cores its monitor has no channel of its own to through monitor 0, so"
	echo "its messages count those twice and monitor 0 carries them all: a"
	echo "channel for every pair, as Barrelfish's monitors have, is more than"
	echo "monitor 0 can make from about 24 cores on, and c such broadcasts at once"
	echo "on N cores can run a monitor out of memory (63 on 64 cores did, 64 on"
	echo "128, and once 32 on 128; the default keeps c N within 1024)."
	echo
	echo "What the columns can show. Messages and depth are exact (the tests"
	echo "assert them). Instructions come from a boot under QEMU -icount"
	echo "(single-threaded, one instruction a nanosecond of virtual time):"
	echo "rdinstret counts what every hart executed, so they are the total work"
	echo "of a revoke, but not its latency on parallel hardware (the harts take"
	echo "turns). They are mostly the same on every run: two sweeps of 2 to 64"
	echo "cores agreed to the instruction in 329 of 363 cases (all on 2, 4, 8"
	echo "and 64 cores but concurrent), the others within 6%, but for the"
	echo "concurrent broadcasts through monitor 0, which differed by up to 84%."
	echo "Ticks come from a multi-threaded TCG"
	echo "boot: rdtime follows the host clock, with N virtual harts on"
	echo "$(nproc) host cores that run a few at a time, so they show ratios within"
	echo "one run at most and vary between runs (p10 and p90 show how much)."
	echo "Neither shows what a HiFive Unmatched would: there rdcycle counts each"
	echo "hart's own cycles and rdtime real time, with the harts truly in"
	echo "parallel, so the targeted tree's log-depth critical path and the cost"
	echo "of a broadcast's N-1 unicasts would show as latency; that run has not"
	echo "been made (4 harts only there)."
	echo
	echo "A fuller sweep: larger sizes, e.g. \`make bench CHAIN=\"1 2 4 8 16 32 63 127\""
	echo "MANY=\"1 10 100 1000\" MANY_HOLDERS=16 ROUNDS=21\` (hake/bench.sh lists every"
	echo "variable); 128 cores, QEMU's limit here, take about as long as all the"
	echo "others together."
	echo
	echo "## What it shows"
	echo
	findings
	echo
	for p in msgs instr ticks ratio chain many concurrent concurrent-tcg; do img "$p"; done | paste -sd' ' -
	echo
	if [ "$traced" = 1 ]; then
		echo 'One revoke traced message by message (`trace=on`, docs/tracing.md):'
		echo "a frame held by every other core of $tn, targeted, then broadcast."
		echo
		echo "![targeted](bench/timeline-targeted-$tn.svg) ![broadcast](bench/timeline-broadcast-$tn.svg)"
		echo
	fi
	if [ -f "$out/micro.md" ]; then
		echo 'The primitives underneath (`ubench`, docs/ubench.md):'
		echo
		cat "$out/micro.md"
		echo
	fi
	echo "All cases ([CSV](bench/revoke.csv); instructions from -icount, ticks from"
	echo "multi-threaded TCG):"
	echo
	cat "$md"
} >"$DOCS/bench.md"
echo "bench: the results page $DOCS/bench.md"

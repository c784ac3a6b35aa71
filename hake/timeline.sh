#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The timeline of one traced operation (docs/tracing.md): reads the
# `trace ...` lines the monitors printed on a Reef console (boot argument
# trace=on; `ubench trace <holders> <mode>` prints one revoke's), pairs
# every send with its receive (per directed pair of cores, in order: each
# channel is FIFO) and draws, with gnuplot, one arrow per message from
# (send time, sender) to (receive time, receiver), labelled by its type:
# <out-prefix>.png and <out-prefix>.svg, and the pairs in <out-prefix>.csv
# (columns: from, to, type, name, t_send, t_recv, in the clock's units).
#
# Usage: hake/timeline.sh <console-log> <out-prefix> [title]
#   DUMP=n     which dump of the log (`trace dump <n>`); default the last
#   CLOCK=t    the time axis: t (rdtime ticks, one clock on every hart) or
#              instr (rdinstret: under QEMU -icount one virtual clock of
#              all harts, 100 times finer than t at 10 MHz; on a board each
#              hart's own count, which do not compare: use t there)
#   PLOT=1     0: only the CSV and the summary (no gnuplot needed)
# The title defaults to what the `ubench trace` line after the dump says.
# Prints `timeline: <n> messages ...`; exits 1 when there is nothing to
# draw, 0 otherwise (unpaired sends or receives, say after records were
# dropped, are counted in that line and left out of the plot).
set -eu
[ $# -ge 2 ] || { echo "usage: hake/timeline.sh <console-log> <out-prefix> [title]" >&2; exit 2; }
log=$1 out=$2 title=${3:-}
clock=${CLOCK:-t}
case $clock in t | instr) ;; *) echo "timeline: CLOCK=t or CLOCK=instr" >&2; exit 2 ;; esac
[ -f "$log" ] || { echo "timeline: no $log" >&2; exit 1; }
mkdir -p "$(dirname "$out")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The console without carriage returns and the CPU driver's "[c.d] " tags.
tr -d '\r' <"$log" | sed -E 's/^\[[0-9]+\.[0-9]+\] //' >"$work/log"
dump=${DUMP:-$(sed -n 's/^trace dump \([0-9][0-9]*\) .*/\1/p' "$work/log" | tail -1)}
[ -n "$dump" ] || { echo "timeline: no 'trace dump' in $log (boot with trace=on)" >&2; exit 1; }
# That dump's records, its core count, and the ubench line after it.
awk -v d="$dump" '
	/^trace dump [0-9]+ / { on = ($3 == d); if (on) { split($4, c, "="); print "cores", c[2] } next }
	on && /^trace core=[0-9]+ dir=/ { print; next }
	on && /^ubench trace / { print; on = 0 }
' "$work/log" >"$work/dump"
cores=$(awk '$1 == "cores" { print $2; exit }' "$work/dump")
[ -n "$cores" ] || { echo "timeline: no dump $dump in $log" >&2; exit 1; }
timebase=$(sed -n 's/.*timebase \([0-9][0-9]*\) Hz.*/\1/p' "$work/log" | head -1)

# Pair: the i-th send from a to b is the i-th receive at b from a.
awk -v clock="$clock" -v csv="$out.csv" '
	/^trace core=/ {
		delete v
		for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		if (v["dir"] == "send") { k = v["core"] "," v["peer"]; n = ns[k]++ ; S[k, n] = v[clock]; SN[k, n] = v["name"]; ST[k, n] = v["type"]; sends++ }
		else { k = v["peer"] "," v["core"]; n = nr[k]++; R[k, n] = v[clock]; RN[k, n] = v["name"]; recvs++ }
		keys[k] = 1
	}
	END {
		print "from,to,type,name,t_send,t_recv" >csv
		for (k in keys) {
			m = ns[k] < nr[k] ? ns[k] : nr[k]
			unpaired += ns[k] + nr[k] - 2 * m
			for (i = 0; i < m; i++) {
				if (SN[k, i] != RN[k, i]) { mismatched++; continue }
				print k "," ST[k, i] "," SN[k, i] "," S[k, i] "," R[k, i] >csv
				pairs++
			}
		}
		printf "%d %d %d %d %d\n", sends, recvs, pairs, unpaired, mismatched
	}' "$work/dump" >"$work/counts"
read -r sends recvs pairs unpaired mismatched <"$work/counts"
# (sorted by send time, for people and for diff)
{ head -1 "$out.csv"; tail -n +2 "$out.csv" | sort -t, -k5,5n -k1,1n -k2,2n; } >"$work/csv"
mv "$work/csv" "$out.csv"
t0=$(tail -n +2 "$out.csv" | awk -F, 'NR == 1 || $5 < m { m = $5 } END { print m + 0 }')
t1=$(tail -n +2 "$out.csv" | awk -F, '$6 > m { m = $6 } END { print m + 0 }')
echo "timeline: dump $dump, $cores cores: $pairs messages ($sends sends, $recvs receives," \
	"$unpaired unpaired, $mismatched of another type), $((t1 - t0)) $clock from the first" \
	"send to the last receive: $out.csv"
[ "$pairs" -gt 0 ] || { echo "timeline: no message to draw" >&2; exit 1; }
[ "${PLOT:-1}" = 1 ] || exit 0
command -v gnuplot >/dev/null || { echo "timeline: no gnuplot (hake/deps.sh installs it)" >&2; exit 1; }

if [ -z "$title" ]; then
	title=$(awk '/^ubench trace / {
		delete v; for (i = 3; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		printf "Reef: a %s revoke, %s holders of %s cores, %s messages", v["mode"], v["holders"], v["cores"], v["msgs"] }' "$work/dump")
	title=${title:-"Reef: trace dump $dump, $cores cores"}
fi
if [ "$clock" = t ]; then
	xlabel="time since the first send (rdtime ticks${timebase:+ at $timebase Hz})"
else
	xlabel="time since the first send (rdinstret: under QEMU -icount, instructions of all harts)"
fi
# One data block per message type (a colour and a key entry each):
# x, y, dx, dy, and the label's place.
names=$(tail -n +2 "$out.csv" | cut -d, -f4 | sort -u)
plots="" i=0
for n in $names; do
	tail -n +2 "$out.csv" | awk -F, -v n="$n" -v t0="$t0" '$4 == n {
		printf "%d %d %d %d %.1f %.2f %s\n", $5 - t0, $1, $6 - $5, $2 - $1, ($5 + $6) / 2 - t0, ($1 + $2) / 2, $4 }' \
		>"$work/type-$i.dat"
	plots+="${plots:+, }'$work/type-$i.dat' using 1:2:3:4 with vectors head filled size screen 0.008,20 lw 1.5 lc $((i + 1)) title '$n'"
	plots+=", '$work/type-$i.dat' using 5:6:7 with labels font ',7' offset 0,0.35 tc lt $((i + 1)) notitle"
	i=$((i + 1))
done
span=$((t1 - t0))
for fmt in png svg; do
	term="pngcairo noenhanced size 1000,$((200 + 45 * cores))"
	[ "$fmt" = svg ] && term="svg noenhanced size 1000,$((200 + 45 * cores)) dynamic"
	gnuplot <<EOF
set terminal $term
set output "$out.$fmt"
set title "${title//\"/\\\"}"
set xlabel "$xlabel"
set ylabel "core"
set yrange [$cores - 0.5:-0.5]
set ytics 1
set xrange [0:$((span + span / 20 + 1))]
set grid ytics
set key outside right top
plot $plots
EOF
done
echo "timeline: $out.png, $out.svg"

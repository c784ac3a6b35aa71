#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The trace (docs/tracing.md) on 4 cores under QEMU -icount: one traced
# revoke each way (targeted, broadcast) with 3 holders. Each dump has as
# many sends, and as many receives, as the revoke's reply says it took
# messages (whatever that number is), nothing dropped, every monitor
# printed; hake/timeline.sh pairs every one and draws a non-empty SVG and
# PNG. Without trace=on the request is refused (ERR_TRACE_OFF). Counts
# only: no timing is judged.
set -u
top=$(cd "$(dirname "$0")/../" && pwd)
build=$1
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
fail() { echo "FAIL: $*"; echo "---- console ----"; cat "$out/log"; exit 1; }
timeout -k 5 120 "$top/hake/qemu.sh" --kernel "$build/reef.elf" --smp 4 --accel icount \
	--append 'trace=on run=ubench trace 3 targeted; ubench trace 3 broadcast' 2>&1 |
	tr -d '\r' >"$out/log"
grep -q '^run: 0 command(s) failed$' "$out/log" || fail "the run failed"
# The lines without the CPU driver's tags.
sed -E 's/^\[[0-9]+\.[0-9]+\] //' "$out/log" >"$out/plain"
for d in 1 2; do
	mode=$([ $d = 1 ] && echo targeted || echo broadcast)
	sum=$(grep "^ubench trace cores=4 holders=3 mode=$mode " "$out/plain")
	[ -n "$sum" ] || fail "no ubench trace line for $mode"
	msgs=$(echo "$sum" | sed -E 's/.* msgs=([0-9]+) .*/\1/')
	[ "$msgs" -gt 0 ] || fail "$mode: the revoke took $msgs messages"
	echo "$sum" | grep -q " traced=4 lines=$((2 * msgs)) dropped=0$" || fail "$mode: $sum"
	awk -v d=$d '/^trace dump / { on = ($3 == d) } on' "$out/plain" >"$out/dump$d"
	sends=$(grep -c '^trace core=[0-3] dir=send ' "$out/dump$d")
	recvs=$(grep -c '^trace core=[0-3] dir=recv ' "$out/dump$d")
	[ "$sends" = "$msgs" ] || fail "$mode: $sends sends traced, the revoke says $msgs messages"
	[ "$recvs" = "$msgs" ] || fail "$mode: $recvs receives traced, the revoke says $msgs messages"
	n=$(grep -cE '^trace core=[0-3] records=[0-9]+ dropped=0$' "$out/dump$d")
	[ "$n" = 4 ] || fail "$mode: $n of 4 monitors printed their records with none dropped"
	DUMP=$d "$top/hake/timeline.sh" "$out/log" "$out/$mode" >"$out/tl$d" 2>&1 ||
		{ cat "$out/tl$d"; fail "$mode: timeline.sh failed"; }
	grep -q "^timeline: dump $d, 4 cores: $msgs messages ($msgs sends, $msgs receives, 0 unpaired, 0 of another type)" "$out/tl$d" ||
		{ cat "$out/tl$d"; fail "$mode: timeline.sh did not pair every message"; }
	[ "$(tail -n +2 "$out/$mode.csv" | wc -l)" = "$msgs" ] || fail "$mode: $out/$mode.csv"
	for f in svg png; do
		[ -s "$out/$mode.$f" ] || fail "$mode: no $f"
	done
	# (the targeted revoke is one pass, ADR 0017; the broadcast marks first)
	label=CAP_REVOKE
	[ "$mode" = broadcast ] && label=CAP_MARK
	grep -q '<svg' "$out/$mode.svg" && grep -q "$label" "$out/$mode.svg" ||
		fail "$mode: the SVG has no arrow labelled $label"
	echo "trace: $mode revoke, $msgs messages: each traced as sent and received, drawn"
done
timeout -k 5 120 "$top/hake/qemu.sh" --kernel "$build/reef.elf" --smp 2 --accel icount \
	--append 'run=ubench trace 1 targeted' 2>&1 | tr -d '\r' >"$out/log"
grep -q '^\[0\.[0-9]*\] ubench: trace: ERR_TRACE_OFF: ' "$out/log" || fail "no ERR_TRACE_OFF without trace=on"
grep -q '^error: ubench: ERR_BENCH_FAILED: ' "$out/log" || fail "the shell did not say ubench failed"
echo "trace: without trace=on, ERR_TRACE_OFF"

#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `make bench`'s driver on 2, 4 and 8 cores under QEMU -icount (no plots):
# every shape and mode there, and their message counts and depths from
# formulas; then one configuration twice, which must give the same
# instructions to the last one. Timings are printed by the benchmark,
# never judged here.
#
# Messages: a revoke asks each core it reaches a question and hears an
# answer in each of its passes: PER_CORE messages per core (one pass since
# ADR 0017: 2; set it here, in this one place, when the protocol
# changes). Targeted and star reach the cores that hold something:
#   copies k: k   chain d: d   tree m: min(m, N-1)   many: its holders
#   concurrent c with h holders each: c * h (the sum of c revokes)
# A broadcast asks every other core, both passes, 4(N-1), whatever holds
# a copy; concurrent's c owners on cores k > 0 reach the cores they have
# no channel of their own to through monitor 0 (twice the messages), so
# there c * 4(N-1) <= msgs <= c * 8(N-1), a multiple of 4.
# Depth, the critical path in message hops, once the monitors report it
# (all 0: not checked): DEPTH_HOPS per pass for each level of the tree
# over k cores (floor(log2(k + 1)) levels) when targeted, for the one
# level of a star, and for each of a broadcast's two passes (mark, sweep)
# (0 with no core to ask).
set -u
PER_CORE=2
PASSES=$((PER_CORE / 2))
DEPTH_HOPS=2 # a question down and an answer up, per level and pass
top=$(cd "$(dirname "$0")/.." && pwd)
build=$1
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
fail() {
	echo "FAIL: $*"
	exit 1
}
MICRO=0 TRACE=0 CORES="2 4 8" ACCEL=icount ROUNDS_ICOUNT=3 TREE="1 4 16" MANY="1 10" PLOT=0 OUT="$out" \
	"$top/hake/bench.sh" "$build" || fail "the driver failed"
csv=$out/revoke.csv
rows=$(tail -n +2 "$csv" | wc -l)
for n in 2 4 8; do
	for s in copies chain tree many concurrent; do
		for m in targeted star broadcast; do
			grep -q "^$s,$n,[0-9]*,[0-9]*,$m," "$csv" || fail "no $s case, $m, on $n cores"
		done
	done
	grep -q "^copies,$n,$((n - 1)),$((n - 1)),broadcast," "$csv" ||
		fail "no copies case with $((n - 1)) holders on $n cores"
done
# shape,cores,size,holders,mode,msgs,depth,...
bad=$(awk -F, -v P="$PER_CORE" 'NR > 1 {
	n = $2; size = $3; h = $4; m = $5; msgs = $6
	reach = $1 == "copies" || $1 == "chain" ? size : $1 == "tree" ? (size < n - 1 ? size : n - 1) : h
	if ($1 == "concurrent" && m == "broadcast")
		ok = msgs >= size * 4 * (n - 1) && msgs <= size * 8 * (n - 1) && msgs % 4 == 0 &&
		     (n > 2 || msgs == size * 4)
	else if ($1 == "concurrent")
		ok = msgs == size * P * h
	else if (m == "broadcast")
		ok = msgs == 4 * (n - 1)
	else
		ok = msgs == P * reach && h == reach
	if (!ok) print
}' "$csv")
[ -z "$bad" ] || fail "message counts off (PER_CORE=$PER_CORE):
$bad"
if awk -F, 'NR > 1 && $7 != 0 { f = 1 } END { exit !f }' "$csv"; then
	bad=$(awk -F, -v D="$DEPTH_HOPS" -v S="$PASSES" '
		function lv(k, d) { d = 0; for (k++; k > 1; k = int(k / 2)) d++; return d }
		NR > 1 {
			n = $2; h = $4; m = $5
			k = m == "broadcast" ? n - 1 : h
			want = m == "targeted" ? D * S * lv(k) : m == "broadcast" ? (k > 0 ? D * 2 : 0) : (k > 0 ? D * S : 0)
			if ($1 == "concurrent" && m == "broadcast")
				ok = $7 >= want
			else
				ok = $7 == want
			if (!ok) print $0 " (depth " want " expected)"
		}' "$csv")
	[ -z "$bad" ] || fail "depths off (DEPTH_HOPS=$DEPTH_HOPS, $PASSES passes):
$bad"
	depth="depths exact"
else
	depth="depths not reported yet (0): not checked"
fi
grep -q '^| copies | 8 | 7 | 7 | broadcast | 28 |' "$out/revoke.md" ||
	fail "the table lacks copies on 8 cores, 7 holders, broadcast, 28"
# Both boots merged: instructions from -icount, ticks from multi-threaded
# TCG, the messages the same in both.
MICRO=0 TRACE=0 CORES=4 SHAPES="copies concurrent" COPIES="1 3" CONCURRENT=2 ROUNDS=3 \
	ROUNDS_ICOUNT=3 ACCEL="icount multi" PLOT=0 OUT="$out/both" "$top/hake/bench.sh" "$build" \
	2>"$out/both.err" ||
	fail "the driver failed with both boots: $(cat "$out/both.err")"
! grep -q 'under multi' "$out/both.err" || fail "the boots disagree: $(cat "$out/both.err")"
[ "$(tail -n +2 "$out/both/revoke.csv" | wc -l)" = 9 ] || fail "not 9 cases with both boots"
bad=$(awk -F, 'NR > 1 && ($8 == "" || $9 == "" || $10 == "" || $11 == "" || $12 !~ /^[0-9]+$/ || $10 > $9 || $9 > $11)' "$out/both/revoke.csv")
[ -z "$bad" ] || fail "instructions, ticks or cycles missing or out of order:
$bad"
# On one node no message crosses nodes (xnode, the last column: 0). On 2
# NUMA nodes of 2 cores (ADR 0019), 3 holders, owner core 0 with one core
# of its node: the tree enters the other node once (2 of its 6 messages,
# depth 4: the other node's leader one level down, its second core the
# next); the star crosses twice for each of the 2 cores there; the
# broadcast's 12 messages are relayed by that node's leader (4 across,
# depth 8: 4 hops a pass).
bad=$(awk -F, 'NR > 1 && $13 != 0' "$csv")
[ -z "$bad" ] || fail "messages across nodes on one node:
$bad"
MICRO=0 TRACE=0 CORES=4 NUMA=2 SHAPES=copies COPIES=3 ROUNDS_ICOUNT=3 ACCEL=icount PLOT=0 \
	OUT="$out/numa" "$top/hake/bench.sh" "$build" >/dev/null || fail "the driver failed with NUMA=2"
for want in copies,4,3,3,targeted,6,4,2 copies,4,3,3,star,6,2,4 copies,4,3,3,broadcast,12,8,4; do
	awk -F, -v w="$want" 'NR > 1 && $1 "," $2 "," $3 "," $4 "," $5 "," $6 "," $7 "," $13 == w { f = 1 } END { exit !f }' \
		"$out/numa/revoke.csv" || fail "NUMA=2: no row $want (shape..msgs,depth,xnode):
$(cat "$out/numa/revoke.csv")"
done
# Deterministic: the same boot under -icount twice, the same instructions.
for i in 1 2; do
	"$top/hake/qemu.sh" --kernel "$build/reef.elf" --smp 4 --accel icount \
		--append "run=bench chain 3 rounds=3; bench concurrent 3 targeted rounds=3" 2>&1 |
		tr -d '\r' | sed -n 's/^.*bench revoke //p' >"$out/twice-$i"
done
[ "$(wc -l <"$out/twice-1")" = 4 ] || fail "the twice-run boot gave $(wc -l <"$out/twice-1") results, not 4"
cmp -s "$out/twice-1" "$out/twice-2" || fail "two -icount runs differ:
$(diff "$out/twice-1" "$out/twice-2")"
echo "bench driver: $rows cases, message counts exact (PER_CORE=$PER_CORE), $depth; none across nodes on one, exact on 2 nodes; both boots merged; -icount twice: the same instructions"

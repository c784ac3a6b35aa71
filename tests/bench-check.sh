#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `make bench`'s driver on 2, 4 and 8 cores (no plots): every case there,
# and the exact message counts: a broadcast asks every other core, 4(N-1)
# messages whatever holds a copy; targeted and star ask the holders, 2 per
# holder (one pass, a question and an answer: ADR 0017). And the depth of
# each revoke's critical path in hops, from the consoles: targeted 2 per
# level of the tree, 2 floor(log2(k + 1)) for k holders; star 2; broadcast
# 4 (two phases). Timings are printed by the benchmark, never judged here.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=$1
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
CORES="2 4 8" PLOT=0 OUT="$out" "$top/hake/bench.sh" "$build" || { echo "FAIL: the driver failed"; exit 1; }
csv=$out/revoke.csv
rows=$(tail -n +2 "$csv" | wc -l)
[ "$rows" -ge 30 ] || { echo "FAIL: $rows cases in $csv"; exit 1; }
for n in 2 4 8; do
	for m in targeted star broadcast; do
		grep -q "^$n,$((n - 1)),$m," "$csv" || { echo "FAIL: no $m case with $((n - 1)) holders on $n cores"; exit 1; }
	done
done
bad=$(awk -F, 'NR > 1 && (($3 == "broadcast" && $4 != 4 * ($1 - 1)) || ($3 != "broadcast" && $4 != 2 * $2))' "$csv")
[ -z "$bad" ] || { echo "FAIL: message counts off:"; echo "$bad"; exit 1; }
bad=$(sed -n 's/^.*bench revoke //p' "$out"/boot-*.log | awk '{
	delete v
	for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
	want = 0
	if (v["mode"] == "broadcast" && v["cores"] > 1) want = 4
	if (v["mode"] == "star" && v["holders"] > 0) want = 2
	if (v["mode"] == "targeted") for (n = v["holders"] + 1; n > 1; n = int(n / 2)) want += 2
	if (v["depth"] == "" || v["depth"] != want) print $0 " (want depth=" want ")"
}')
[ -z "$bad" ] || { echo "FAIL: depths off:"; echo "$bad"; exit 1; }
grep -q '^| 8 | 7 | broadcast | 28 |' "$out/revoke.md" || { echo "FAIL: the table lacks 8 cores, 7 holders, broadcast, 28"; exit 1; }
echo "bench driver: $rows cases, message counts and depths exact"

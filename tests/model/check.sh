#!/bin/bash
# SPDX-License-Identifier: MIT
# Model-check the distributed capability protocol (capproto.pml, described in
# docs/protocol.md) with spin: exhaustive safety searches for 3 and 4 cores,
# then mutants with a known protocol bug, each of which spin must catch.
#
# usage: tests/model/check.sh            (needs spin and gcc; 2-5 min on 2 cores)
# env:   SPIN, CC, JOBS (parallel searches, default 2), KEEP=1 keeps the work dir
#
# Prints spin's summary per run and one line per configuration:
#   model: <name>: ok (<states> states, <seconds> s)
#   model: <name>: FAILED <why>
# and exits 0 only if every line says ok: the correct model has no assertion
# violation and no invalid end state, its search was complete (no depth
# truncation, not out of memory), and every mutant was caught.

set -u

here=$(cd "$(dirname "$0")" && pwd)
model=$here/capproto.pml
SPIN=${SPIN:-spin}
CC=${CC:-gcc}
JOBS=${JOBS:-2}

for tool in "$SPIN" "$CC"; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "model: FAILED: $tool not found (Debian: apt-get install spin gcc)"
		exit 1
	fi
done

work=$(mktemp -d "${TMPDIR:-/tmp}/reef-model.XXXXXX")
if [ "${KEEP:-0}" = 1 ]; then
	echo "model: work directory $work"
else
	trap 'rm -rf "$work"' EXIT
fi

# Exhaustive search: -DSAFETY (assertions and invalid end states; the model's
# checker process turns a stuck protocol into an assertion at timeout),
# -DCOLLAPSE (lossless state compression: half the memory, no loss of
# coverage), a memory cap per search so two parallel runs stay under 4 GB,
# a depth bound far above the deepest path (~2,200 steps).
PAN_CFLAGS="-DSAFETY -DCOLLAPSE -DMEMLIM=1900"
PAN_RUN="-m100000 -n"

# run NAME EXPECT OPT SPIN_DEFINES...
#   EXPECT: pass (complete search, no error) | fail (an assertion must fire)
#   OPT: gcc optimisation (-O1 for the long searches, -O0 for quick ones)
run() {
	local name=$1 expect=$2 opt=$3
	shift 3
	local dir=$work/$name
	mkdir -p "$dir"
	cp "$model" "$dir/capproto.pml"
	(
		cd "$dir" || exit 1
		if ! "$SPIN" "$@" -a capproto.pml >spin.log 2>&1; then
			echo "spin -a failed" >verdict
			exit 0
		fi
		# shellcheck disable=SC2086
		if ! "$CC" $opt $PAN_CFLAGS -o pan pan.c >cc.log 2>&1; then
			echo "gcc failed" >verdict
			exit 0
		fi
		# shellcheck disable=SC2086
		./pan $PAN_RUN >pan.log 2>&1
		echo finished >verdict
	)
}

# judge NAME EXPECT: print the summary and the verdict line; return 1 on failure.
judge() {
	local name=$1 expect=$2 dir=$work/$1
	local log=$dir/pan.log verdict
	verdict=$(cat "$dir/verdict" 2>/dev/null || echo "did not run")
	if [ "$verdict" != finished ]; then
		echo "model: $name: FAILED ($verdict)"
		cat "$dir"/spin.log "$dir"/cc.log 2>/dev/null | head -20
		return 1
	fi
	echo "--- $name"
	grep -E 'violated|error|State-vector|states, stored|transitions|total actual memory|elapsed time|Search not completed|too small|out of memory|MEMLIM' "$log" | sed 's/^/    /'
	local states secs errors
	states=$(awk '/states, stored/ { print $1; exit }' "$log")
	secs=$(sed -n 's/^pan: elapsed time \([0-9.]*\) seconds.*/\1/p' "$log" | head -1)
	errors=$(sed -n 's/.*errors: \([0-9]*\).*/\1/p' "$log" | head -1)
	states=${states:-?}
	secs=${secs:-0}
	if [ "$expect" = pass ]; then
		if [ "$errors" != 0 ]; then
			echo "model: $name: FAILED ($(grep -m1 -E 'violated|error|invalid end' "$log"))"
			return 1
		fi
		if grep -qE 'Search not completed|too small|out of memory|MEMLIM' "$log"; then
			echo "model: $name: FAILED (search incomplete: $(grep -m1 -E 'Search not completed|too small|out of memory|MEMLIM' "$log"))"
			return 1
		fi
		echo "model: $name: ok ($states states, $secs s)"
	else
		# A full channel (q_full) is a bound of the model, not a protocol
		# property: it does not count as catching the mutant.
		local caught
		caught=$(grep -m1 'assertion violated' "$log" | grep -v 'q_full' |
			sed 's/^pan:1: assertion violated *//; s/ (at depth.*//')
		if [ "${errors:-0}" = 0 ] || [ -z "$caught" ]; then
			echo "model: $name: FAILED (the mutant was not caught: errors: ${errors:-?})"
			return 1
		fi
		echo "model: $name: ok ($states states, $secs s; caught: $caught)"
	fi
	return 0
}

# name          expect  opt  spin defines
configs=(
	"3core          pass -O1 -DNCORES=3 -DFANOUT=1 -DMAXOPS=6 -DQSZ=6"
	"4core-fanout2  pass -O1 -DNCORES=4 -DFANOUT=2 -DMAXOPS=5 -DQSZ=6"
	# Mutants: each removes one rule the protocol depends on.
	"mutant-copy-unrecorded     fail -O0 -DMAXOPS=5 -DQSZ=6 -DBUG_COPY_UNRECORDED"
	"mutant-no-retype-check     fail -O0 -DMAXOPS=5 -DQSZ=6 -DBUG_NO_RETYPE_CHECK"
	"mutant-tree-inflight       fail -O0 -DMAXOPS=5 -DQSZ=6 -DBUG_TREE_INFLIGHT"
	"mutant-retype-early-unlock fail -O0 -DMAXOPS=5 -DQSZ=6 -DBUG_RETYPE_EARLY_UNLOCK"
	"mutant-no-flush            fail -O0 -DMAXOPS=5 -DQSZ=6 -DBUG_NO_FLUSH"
	"mutant-no-delay            fail -O1 -DMAXOPS=6 -DQSZ=6 -DBUG_NO_DELAY"
	# ... and two of the revoke in one pass (ADR 0017).
	"mutant-early-answer        fail -O0 -DMAXOPS=5 -DQSZ=6 -DBUG_EARLY_ANSWER"
	"mutant-early-free          fail -O0 -DMAXOPS=5 -DQSZ=6 -DBUG_EARLY_FREE"
)

start=$(date +%s)
for c in "${configs[@]}"; do
	# shellcheck disable=SC2086
	set -- $c
	while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do
		wait -n
	done
	run "$@" &
done
wait

failed=0
for c in "${configs[@]}"; do
	# shellcheck disable=SC2086
	set -- $c
	judge "$1" "$2" || failed=$((failed + 1))
done
echo "model: $((${#configs[@]} - failed)) passed, $failed failed ($(($(date +%s) - start)) s)"
[ "$failed" = 0 ]

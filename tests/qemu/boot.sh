#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Boot Reef once in QEMU (with "poweroff") and judge the serial output:
#   - QEMU exits 0 within the timeout (the system powered itself off);
#   - exactly N lines "core K online hart H", K and H each unique, K < N + failed;
#   - exactly one "reef: N cores online";
#   - N lines "monitor K ready" (K unique) and one "reef: N monitors joined";
#   - exactly F lines "hart H failed to start: ...";
#   - no "unexpected trap" or "fatal" line unless --allow-trap;
#   - every --expect REGEX matches a line;
#   - the lines each --expect-same REGEX matches are two or more, all alike
#     (e.g. `mem` before and after: every byte came back);
#   - no line matches an --expect-none REGEX;
#   - exactly N lines match an --expect-count N REGEX.
# A domain's lines carry the CPU driver's tag "[core.domain] " (ADR 0013);
# the checks above see the lines without it, as the programs wrote them.
# --raw-count N REGEX and --raw-none REGEX judge the console as it is, tags
# and all (GNU grep -E: back-references such as \1 work).
# Usage: boot.sh --kernel F --expect-cores N [--machine M] [--smp N] [--accel A] [--dtb F]
#                [--numa N] [--aia aplic]
#                [--append ARGS] [--expect-failed F] [--expect REGEX]... [--allow-trap]
#                [--timeout S] [--uboot [--uboot-drop-reserved]] [--no-poweroff] [--input TEXT]
#                [--expect-exit N] [--expect-same REGEX]... [--expect-none REGEX]...
#                [--expect-count N REGEX]... [--raw-count N REGEX]... [--raw-none REGEX]...
#                [--type-ahead TEXT]
# --input types TEXT (printf %b escapes) on the serial console after 2 s.
# --type-ahead types TEXT as soon as the first byte of output appears (the
# firmware has set up the UART), long before the prompt; it fails if the
# prompt was already there. Earlier bytes the firmware's UART set-up
# discards (OpenSBI resets the receiver, ADR 0013).
# --no-poweroff leaves ending the run to user space (the shell's run= powers off).
# --twice boots a second time and fails unless both serial outputs are the
# same byte for byte (with --accel icount, a deterministic run must be).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
qemu_args=() append="poweroff" cores="" failed=0 allow_trap=0 limit=150 expects=() input="" want_rc=0
sames=() nones=() counts=() raw_counts=() raw_nones=() ahead=""
twice=0
while [ $# -gt 0 ]; do
	case $1 in
	--kernel|--machine|--smp|--accel|--mem|--dtb|--numa|--aia) qemu_args+=("$1" "$2"); shift ;;
	--append) append="$append $2"; shift ;;
	--no-poweroff) append=${append#poweroff} ;;
	--expect-cores) cores=$2; shift ;;
	--expect-failed) failed=$2; shift ;;
	--expect) expects+=("$2"); shift ;;
	--expect-same) sames+=("$2"); shift ;;
	--expect-none) nones+=("$2"); shift ;;
	--expect-count) counts+=("$2" "$3"); shift 2 ;;
	--raw-count) raw_counts+=("$2" "$3"); shift 2 ;;
	--raw-none) raw_nones+=("$2"); shift ;;
	--type-ahead) ahead=$2; shift ;;
	--allow-trap) allow_trap=1 ;;
	--uboot|--uboot-drop-reserved) qemu_args+=("$1") ;;
	--input) input=$2; shift ;;
	--expect-exit) want_rc=$2; shift ;;
	--timeout) limit=$2; shift ;;
	--twice) twice=1 ;;
	*) echo "boot.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done
[ -n "$cores" ] || { echo "boot.sh: --expect-cores is required" >&2; exit 2; }

log=$(mktemp)
trap 'rm -f "$log" "$log.raw" "$log.tagged" "$log.late"' EXIT
start=$(date +%s%N)
# Straight into a regular file, not a pipe: QEMU writes the console
# without blocking, so a pipe that is full for a moment (a loaded host)
# keeps the UART busy and the guest waiting on it, which changes what an
# -icount run executes. A file never is full (and can be watched).
if [ -n "$input$ahead" ]; then
	# Typing ahead needs the host to type between the firmware's banner
	# and the prompt; a busy host may miss that window: then nothing was
	# tried, and the run is made again (at most 3 times), not judged.
	for attempt in 1 2 3; do
		rm -f "$log.late" "$log.raw" # (the writer watches it grow from empty)
		fifo=$(mktemp -u)
		mkfifo "$fifo"
		(
			if [ -n "$ahead" ]; then
				# The firmware's banner is the first output: from then on the
				# UART keeps what it gets. Looked at every 10 ms of host time.
				while [ ! -s "$log.raw" ]; do sleep 0.01; done
				! grep -q 'reef> ' "$log.raw" || echo late >"$log.late"
				printf "%b" "$ahead"
			fi
			if [ -n "$input" ]; then
				sleep 2 # typed slowly enough that it arrives after the shell is up
				printf "%b" "$input"
			fi
			exec sleep "$limit"
		) >"$fifo" 2>/dev/null </dev/null &
		writer=$!
		timeout -k 5 "$limit" "$top/hake/qemu.sh" "${qemu_args[@]}" --stdin --append "$append" \
			<"$fifo" >"$log.raw" 2>&1
		rc=$?
		kill "$writer" 2>/dev/null
		rm -f "$fifo"
		[ -e "$log.late" ] || break
	done
else
	timeout -k 5 "$limit" "$top/hake/qemu.sh" "${qemu_args[@]}" --append "$append" \
		>"$log.raw" 2>&1
	rc=$?
fi
tr -d '\r' <"$log.raw" >"$log"
rm -f "$log.raw"
if [ $twice = 1 ]; then
	log2=$(mktemp)
	trap 'rm -f "$log" "$log2" "$log.raw" "$log2.raw"' EXIT
	timeout -k 5 "$limit" "$top/hake/qemu.sh" "${qemu_args[@]}" --append "$append" \
		>"$log2.raw" 2>&1
	rc2=$?
	tr -d '\r' <"$log2.raw" >"$log2"
	rm -f "$log2.raw"
fi
ms=$((($(date +%s%N) - start) / 1000000))
# The console as it was, and the lines as the programs wrote them.
cp "$log" "$log.tagged"
sed -E -i 's/^\[[0-9]+\.[0-9]+\] //' "$log"
[ $twice = 0 ] || sed -E -i 's/^\[[0-9]+\.[0-9]+\] //' "$log2"

problems=()
fail() { problems+=("$*"); }

if [ $twice = 1 ]; then
	[ "$rc2" = "$rc" ] || fail "the second run exited with status $rc2, the first with $rc"
	if ! cmp -s "$log" "$log2"; then
		fail "the second run's output differs from the first:"
		problems+=("$(diff "$log" "$log2" | head -20)")
	fi
fi

[ ! -e "$log.late" ] || fail "--type-ahead: the prompt was already there; nothing was typed ahead"

case $rc in
"$want_rc") ;;
124|137) fail "timed out after ${limit}s" ;;
*) fail "QEMU exited with status $rc, expected $want_rc" ;;
esac

online=$(grep -cE '^core [0-9]+ online hart [0-9]+( |$)' "$log")
[ "$online" -eq "$cores" ] || fail "expected $cores 'core K online' lines, saw $online"
dupk=$(grep -oE '^core [0-9]+ online' "$log" | sort | uniq -d)
[ -z "$dupk" ] || fail "a core came online twice: $dupk"
duph=$(grep -oE '^core [0-9]+ online hart [0-9]+' "$log" | awk '{print $5}' | sort | uniq -d)
[ -z "$duph" ] || fail "a hart runs two cores: $duph"
maxk=$((cores + failed))
while read -r k; do
	[ "$k" -lt "$maxk" ] || fail "core id $k is not dense (expected < $maxk)"
done < <(grep -oE '^core [0-9]+ online' "$log" | awk '{print $2}')
garbled=$(grep -E 'online hart' "$log" | grep -vE '^core [0-9]+ online hart [0-9]+( |$)')
[ -z "$garbled" ] || fail "interleaved console line: $garbled"

n=$(grep -cE "^reef: $cores cores online$" "$log")
[ "$n" -eq 1 ] || fail "expected one 'reef: $cores cores online' line, saw $n"
nm=$(grep -oE '^monitor [0-9]+ ready$' "$log" | sort -u | wc -l)
[ "$nm" -eq "$cores" ] || fail "expected $cores distinct 'monitor K ready' lines, saw $nm"
n=$(grep -cE "^reef: $cores monitors joined$" "$log")
[ "$n" -eq 1 ] || fail "expected one 'reef: $cores monitors joined' line, saw $n"
nf=$(grep -cE '^hart [0-9]+ failed to start: ' "$log")
[ "$nf" -eq "$failed" ] || fail "expected $failed 'failed to start' lines, saw $nf"
if [ $allow_trap = 0 ] && grep -qE 'unexpected trap|fatal' "$log"; then
	fail "unexpected trap or fatal error"
fi
for re in "${expects[@]}"; do
	grep -qE -- "$re" "$log" || fail "no line matches: $re"
done
for re in "${sames[@]}"; do
	n=$(grep -cE -- "$re" "$log")
	kinds=$(grep -E -- "$re" "$log" | sort -u | wc -l)
	[ "$n" -ge 2 ] && [ "$kinds" -eq 1 ] ||
		fail "expected two or more lines alike matching $re, saw $n in $kinds kinds"
done
for re in "${nones[@]}"; do
	! grep -qE -- "$re" "$log" || fail "a line matches: $re"
done
for ((i = 0; i < ${#counts[@]}; i += 2)); do
	n=$(grep -cE -- "${counts[i + 1]}" "$log")
	[ "$n" -eq "${counts[i]}" ] || fail "expected ${counts[i]} lines matching ${counts[i + 1]}, saw $n"
done
for ((i = 0; i < ${#raw_counts[@]}; i += 2)); do
	n=$(grep -cE -- "${raw_counts[i + 1]}" "$log.tagged")
	[ "$n" -eq "${raw_counts[i]}" ] ||
		fail "expected ${raw_counts[i]} console lines matching ${raw_counts[i + 1]}, saw $n"
done
for re in "${raw_nones[@]}"; do
	! grep -qE -- "$re" "$log.tagged" || fail "a console line matches: $re"
done

if [ ${#problems[@]} -eq 0 ]; then
	echo "ok: $cores cores online, $cores monitors joined in ${ms} ms"
	exit 0
fi
echo "---- serial output ----"
cat "$log.tagged"
echo "-----------------------"
for p in "${problems[@]}"; do echo "FAIL: $p"; done
exit 1

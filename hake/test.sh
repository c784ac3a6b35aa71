#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Run every test suite (host unit tests, QEMU boot tests, style) and end
# with one line "N passed, N failed". Exit status non-zero on any failure.
# Usage: test.sh BUILDDIR [meson test args...]
set -u
b=${1:-build}
shift || true
cd "$(dirname "$0")/.."
meson test -C "$b" --print-errorlogs "$@"
rc=$?
python3 - "$b/meson-logs/testlog.json" "$rc" <<'PY'
import json, sys
passed = failed = skipped = 0
try:
    for line in open(sys.argv[1]):
        r = json.loads(line)["result"]
        if r in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif r == "SKIP":
            skipped += 1
        else:
            failed += 1
except OSError:
    pass
if passed + failed == 0 and sys.argv[2] != "0":
    failed = 1  # meson could not even start the tests
print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
sys.exit(1 if failed or sys.argv[2] != "0" else 0)
PY

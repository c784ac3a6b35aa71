#!/bin/sh
# SPDX-License-Identifier: MIT
# A short, seeded libFuzzer run for `make test`: new inputs go to a scratch
# corpus that is thrown away, so the seed directories in the source tree
# (read only) stay as they are.
# usage: run.sh FUZZER RUNS [SEED_DIR...]
set -eu
fuzzer=$1
runs=$2
shift 2
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
# A crash must fail the test: libFuzzer exits 77 by default, which Meson
# counts as skipped.
"$fuzzer" -runs="$runs" -seed=1 -error_exitcode=1 -artifact_prefix="$scratch/" "$scratch" "$@"

#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# House style: every tracked C file is clang-formatted (.clang-format).
set -u
cd "$(dirname "$0")/.."
files=$(git ls-files '*.c' '*.h' 2>/dev/null)
[ -n "$files" ] || { echo "style: no tracked C files (not a git checkout?)"; exit 1; }
# shellcheck disable=SC2086
clang-format --dry-run --Werror $files

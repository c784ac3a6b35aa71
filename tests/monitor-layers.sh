#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# monitor/ reads as layers (monitor/README.md): no file includes the header
# of a layer above its own, and no function is longer than 60 lines.
set -u
cd "$(dirname "$0")/../monitor" || exit 1
# Layer of each header, and of each file (the loop, main.c, is the top).
declare -A rank=(
	[coreset.h]=0 [monitor.h]=0 [chan.c]=0 [trace.h]=0 [trace.c]=0
	[ops.h]=1 [ops.c]=1
	[records.h]=2 [domains.h]=2 [records.c]=2 [places.h]=2 [places.c]=2 [domains.c]=2
	[connect.h]=3 [connect.c]=3
	[share.h]=4 [revoke.h]=4 [share.c]=4 [retype.c]=4 [revoke.c]=4 [release.c]=4
	[roles.h]=5 [names.h]=5 [names.c]=5 [chans.h]=5 [chans.c]=5 [memmore.c]=5 [clients.c]=5 [spawn.c]=5 [services.c]=5 [cores.c]=5 [tracing.c]=5
	[main.c]=6
)
bad=0
for f in *.c *.h; do
	[ -n "${rank[$f]:-}" ] || { echo "monitor/$f: no layer (add it to tests/monitor-layers.sh)"; bad=1; continue; }
	while read -r h; do
		[ -n "${rank[$h]:-}" ] || { echo "monitor/$f includes \"$h\", which has no layer"; bad=1; continue; }
		if [ "${rank[$h]}" -gt "${rank[$f]}" ]; then
			echo "monitor/$f (layer ${rank[$f]}) includes $h (layer ${rank[$h]})"
			bad=1
		fi
	done < <(sed -n 's/^#include "\(.*\)"$/\1/p' "$f")
done
# A function starts at a line that begins with its name (house style puts
# the type on the same line) and ends at the first "}" in column 0.
long=$(awk 'FNR == 1 { start = 0 }
	/^[a-z].*\(/ && !/;$/ && !start { name = $0; start = FNR }
	/^}/ && start { if (FNR - start + 1 > 60) printf "monitor/%s:%d: %d lines: %s\n", FILENAME, start, FNR - start + 1, name; start = 0 }' *.c)
[ -z "$long" ] || { echo "$long"; bad=1; }
[ $bad = 0 ] && echo "monitor: layers kept, no function over 60 lines"
exit $bad

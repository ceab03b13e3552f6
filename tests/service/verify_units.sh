#!/usr/bin/env bash
# The systemd units in assets/systemd/ parse as systemd reads them (systemd-analyze verify), with their
# ExecStart pointed at the program just built; each has the watchdog, restart and notify settings the
# program relies on. Usage: verify_units.sh ONEMAP_BINARY
set -euo pipefail
bin=$1
src=$(cd "$(dirname "$0")/../../assets/systemd" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
for unit in "$src"/onemap-*.service; do
  name=$(basename "$unit")
  for want in '^Type=notify$' '^Restart=always$' '^WatchdogSec=[0-9]+$' '^ExecStart=/usr/local/bin/onemap (kiosk|wall|desk) '; do
    grep -Eq "$want" "$unit" || { echo "$name: no line matching $want" >&2; status=1; }
  done
  sed "s|/usr/local/bin/onemap|$bin|" "$unit" > "$work/$name"
  if ! out=$(systemd-analyze verify "$work/$name" 2>&1) || [[ -n "$out" ]]; then
    echo "$name: systemd-analyze verify says: $out" >&2
    status=1
  fi
done
[[ $(ls "$src"/onemap-*.service | wc -l) -eq 3 ]] || { echo "expected one unit per mode (kiosk, wall, desk)" >&2; status=1; }
exit $status

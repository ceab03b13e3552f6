#!/usr/bin/env bash
# Snapshot sync (a benchmark, not a test): `onemap manifest` and `onemap sync` on one bundle, from a
# path and over HTTP (Debian's python3 -m http.server on a loopback port), printed as a table of
# wall time, throughput and peak memory (GNU time when installed).
# Usage: tests/bench/bench_sync.sh [BUNDLE]   default: out/demo-province.gpkg (made if absent)
set -euo pipefail
cd "$(dirname "$0")/../.."
bundle=${1:-out/demo-province.gpkg}
bin=$PWD/build/kiosk/onemap
[[ -f "$bundle" ]] || $bin demo --scale province --out "$bundle"
work=$(mktemp -d "${TMPDIR:-/tmp}/onemap-bench-sync.XXXXXX")
server=""
trap '[[ -n "$server" ]] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT
mkdir -p "$work/published" "$work/kiosk"
cp "$bundle" "$work/published/snap.gpkg"
size=$(stat -c %s "$work/published/snap.gpkg")

rows=()
# run LABEL COMMAND…: one row with wall seconds, MB/s over the bundle's size, peak RSS.
run() {
  local label=$1; shift
  local t0 t1 secs rss="-"
  t0=$(date +%s.%N)
  if [[ -x /usr/bin/time ]]; then
    /usr/bin/time -f "%M" -o "$work/rss" "$@" >"$work/out" 2>"$work/err" || { echo "failed: $label"; cat "$work/err"; exit 1; }
    rss=$(( $(tail -1 "$work/rss") / 1024 ))
  else
    "$@" >"$work/out" 2>"$work/err" || { echo "failed: $label"; cat "$work/err"; exit 1; }
  fi
  t1=$(date +%s.%N)
  secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
  rows+=("$(printf '| %-52s | %7.2f | %8.0f | %8s |' "$label" "$secs" "$(awk -v n="$size" -v s="$secs" 'BEGIN { print n / 1048576 / s }')" "$rss")")
}

run "manifest (hash only, --no-prepare)" "$bin" manifest "$work/published/snap.gpkg" --no-prepare --source bench
run "sync from a path (copy, hash, quick_check, rename)" "$bin" sync --from "$work/published/snap.gpkg" --bundle "$work/kiosk/a.gpkg"
run "sync again: up to date (local manifest)" "$bin" sync --from "$work/published/snap.gpkg" --bundle "$work/kiosk/a.gpkg"
rm "$work/kiosk/a.gpkg.manifest.json"
run "sync again: up to date (no local manifest: hash F)" "$bin" sync --from "$work/published/snap.gpkg" --bundle "$work/kiosk/a.gpkg"

port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
/usr/bin/python3 -m http.server --bind 127.0.0.1 "$port" --directory "$work/published" >/dev/null 2>&1 &
server=$!
for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null && break; sleep 0.1; done
url="http://127.0.0.1:$port/snap.gpkg"
run "sync over HTTP (loopback, python3 http.server)" "$bin" sync --from "$url" --bundle "$work/kiosk/b.gpkg"
run "sync over HTTP, --no-quick-check" "$bin" sync --from "$url" --bundle "$work/kiosk/c.gpkg"
run "sync over HTTP again: up to date" "$bin" sync --from "$url" --bundle "$work/kiosk/b.gpkg"
cmp -s "$work/published/snap.gpkg" "$work/kiosk/b.gpkg" || { echo "synced bundle differs from the snapshot"; exit 1; }

echo
echo "onemap sync on $(basename "$bundle"): $((size / 1048576)) MiB, $(nproc) cores"
echo
printf '| %-52s | %7s | %8s | %8s |\n' "step" "s" "MiB/s" "peak MiB"
printf '|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..54})" "---------" "----------" "----------"
printf '%s\n' "${rows[@]}"

#!/usr/bin/env bash
# Soak run (a benchmark, not a test): the wall's tour and random desk clicks for a while, then memory
# at start and end and frame-time percentiles. Usage: tests/bench/soak_gui.sh [SECONDS] [BUNDLE]
#   defaults: 1800 s; out/demo-province.gpkg (made if absent). Needs Xvfb and xdotool.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-1800}
bundle=${2:-out/demo-province.gpkg}
bin=build/kiosk/onemap
[[ -f "$bundle" ]] || $bin demo --scale province --out "$bundle"
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

Xvfb :91 -screen 0 1920x1080x24 >/dev/null 2>&1 &
Xvfb :92 -screen 0 1920x1080x24 >/dev/null 2>&1 &
sleep 1
printf '[wall]\ntour_interval_s = 5\nidle_timeout_s = 10\n' > "$work/wall.toml"
DISPLAY=:91 $bin wall --bundle "$bundle" --config "$work/wall.toml" --perf-file "$work/wall.perf" 2>"$work/wall.err" &
wall=$!
DISPLAY=:92 $bin desk --bundle "$bundle" --size 1920x1080 --perf-file "$work/desk.perf" --export-dir "$work" 2>"$work/desk.err" &
desk=$!
# A program that is gone is reported with its exit status and its log, not as a missing /proc file.
alive() {
  local name=$1 pid=$2
  if ! kill -0 "$pid" 2>/dev/null; then
    wait "$pid" && status=0 || status=$?
    echo "onemap soak: the $name exited early (status $status); its log:" >&2
    cat "$work/$name.err" >&2
    exit 1
  fi
}
rss() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
sleep 30   # start-up and the first scene build are not part of the soak
alive wall $wall; alive desk $desk
wall_start=$(rss $wall); desk_start=$(rss $desk)
end=$((SECONDS + seconds))
clicks=0
while ((SECONDS < end)); do
  x=$((200 + RANDOM % 1000)); y=$((100 + RANDOM % 850))
  if ((RANDOM % 5 == 0)); then DISPLAY=:92 xdotool mousemove $x $y click 3; else DISPLAY=:92 xdotool mousemove $x $y click 1; fi
  clicks=$((clicks + 1))
  sleep 0.$((3 + RANDOM % 7))
  ((clicks % 50 == 0)) && { alive wall $wall; alive desk $desk; }
done
sleep 6
alive wall $wall; alive desk $desk
wall_end=$(rss $wall); desk_end=$(rss $desk)
echo "onemap soak: ${seconds} s, ${clicks} random desk clicks, wall tour every 5 s"
echo
echo "| program | first frame (s after start) | RSS start (MiB) | RSS end (MiB) | frames | p50 ms | p95 ms | p99 ms | max ms |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
for p in wall desk; do
  start_var=${p}_start; end_var=${p}_end
  perf=$(cat "$work/$p.perf" 2>/dev/null || echo '{}')
  get() { grep -o "\"$1\":[0-9.]*" <<<"$perf" | head -1 | cut -d: -f2; }  # the first: the whole run, not "recent"
  printf '| %s | %s | %.0f | %.0f | %s | %s | %s | %s | %s |\n' "$p" "$(get first_frame_s)" "$(bc -l <<<"${!start_var}/1024")" "$(bc -l <<<"${!end_var}/1024")" \
    "$(get frames)" "$(get p50_ms)" "$(get p95_ms)" "$(get p99_ms)" "$(get max_ms)"
done

#!/bin/sh
# Build the table-row fuzz target with clang + libFuzzer (+ASan/UBSan) and run it on the corpus.
#   tests/fuzz/run_fuzz.sh [seconds]      (default 60; needs clang and libclang-rt-14-dev)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
seconds=${1:-60}
build="$root/build-fuzz"
CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja -DONEMAP_BUILD_FUZZ=ON -DONEMAP_BUILD_TESTS=OFF \
  -DONEMAP_BUILD_BENCHMARKS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j2 --target onemap_fuzz_table_row
work=$(mktemp -d)
cp "$here"/corpus/table_row/* "$work"/
# New inputs go to a scratch copy; add interesting ones to corpus/table_row by hand.
"$build/tests/fuzz/onemap_fuzz_table_row" -max_total_time="$seconds" -max_len=512 "$work"
echo "corpus grew to $(ls "$work" | wc -l) inputs in $work"

#!/usr/bin/env bash
# Builds floatip for the benchmark exactly as packaging/build-deb.sh ships it: release, the Swift
# standard library and Foundation linked statically (--static-swift-stdlib, in .build-static/
# like the package), stripped (--strip-unneeded). Prints the stripped binary's path on its last line.
set -euo pipefail
cd "$(dirname "$0")/.."
build=(swift build --scratch-path .build-static -c release --static-swift-stdlib)
log=$(mktemp)
"${build[@]}" --product floatip >"$log" 2>&1 || { cat "$log" >&2; rm -f "$log"; exit 1; }
rm -f "$log"
binary=$("${build[@]}" --show-bin-path)/floatip
stripped=.build-static/bench/floatip
mkdir -p "$(dirname "$stripped")"
cp "$binary" "$stripped"
command -v strip >/dev/null && strip --strip-unneeded "$stripped"
echo "$PWD/$stripped"

#!/usr/bin/env bash
# The idle cost alone: floatip and keepalived side by side in one run, both left alone at the same
# advertisement interval, CPU (utime + stime), RSS and private (anonymous) memory of every daemon.
# Not a test: it prints numbers. Runs as root in namespaces it creates and removes (198.18.0.0/15).
#
#   bench/idle.sh                            100 ms interval, 60 s (about 1.5 min)
#   bench/idle.sh --idle-intervals 0.02,0.1,1 --idle-seconds 30
#   bench/idle.sh --floatip /path/to/floatip  measure another floatip binary (an older build)
#
# Results go to /tmp/floatip-bench-idle/results.json; docs/benchmarks.md is left alone.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/prepare.sh bench/idle.sh
bin=
for argument in "$@"; do
    [ "$argument" = --floatip ] && bin=given
done
if [ -z "$bin" ]; then
    echo "building floatip (release, static Swift libraries, stripped: as the .deb ships it)"
    set -- --floatip "$(bench/build-floatip.sh | tail -n 1)" "$@"
fi
out=/tmp/floatip-bench-idle
mkdir -p "$out"
python3 bench/failover.py --keepalived "$(command -v keepalived || echo /usr/sbin/keepalived)" \
    --kinds "" --sizes "" --no-defaults --idle-intervals 0.1 --idle-seconds 60 \
    --output "$out/results.json" --command "sudo bench/idle.sh $*" "$@"

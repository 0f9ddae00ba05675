#!/usr/bin/env bash
# floatip against keepalived, client-observed, in one run (issue 6). Not a test: it reports numbers.
# Runs as root in network namespaces it creates and removes (198.18.0.0/15 only, no route out).
#
#   bench/failover.sh            the full run (about 30 min): writes docs/benchmarks.md,
#                                docs/benchmarks-outages.png and bench/results/latest.json
#   bench/failover.sh --quick    a smoke run (about 3 min: 3 repetitions, 100 ms only, 10 s idle),
#                                written to /tmp/floatip-bench-quick/
# Any other option goes to bench/failover.py (see its --help): --reps N, --intervals 0.02,0.1,1,
# --no-defaults, --sizes 1,100,1000, --idle-seconds 60, --seed N.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/prepare.sh bench/failover.sh
python3 -c 'import matplotlib' 2>/dev/null || { echo "installing matplotlib (pip)"; python3 -m pip install -q matplotlib; }

echo "building floatip (release, static Swift libraries, stripped: as the .deb ships it)"
bin=$(bench/build-floatip.sh | tail -n 1)

out=docs
json=bench/results/latest.json
for argument in "$@"; do
    [ "$argument" = --quick ] && { out=/tmp/floatip-bench-quick; json=$out/results.json; }
done
mkdir -p "$out" "$(dirname "$json")"
python3 bench/failover.py --floatip "$bin" --keepalived "$(command -v keepalived || echo /usr/sbin/keepalived)" \
    --output "$json" --command "sudo bench/failover.sh $*" "$@"
python3 bench/report.py "$json" "$out/benchmarks.md" "$out/benchmarks-outages.png" bench/findings.md

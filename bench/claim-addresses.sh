#!/usr/bin/env bash
# Micro-benchmark (not a test): time to claim 1, 100 and 1,000 addresses with the local mover:
# add every address (with its lifetime) and send the first announcement of each (one round).
# Runs as root in two namespaces it creates and removes; addresses from 198.18.0.0/15 only.
#   bench/claim-addresses.sh [REPETITIONS]      (default 10; builds floatip in release first)
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "run as root: the benchmark creates network namespaces" >&2; exit 1; }
reps=${1:-10}
swift build -c release --product floatip >/dev/null
bin=$(swift build -c release --show-bin-path)/floatip

run=fipb$$
a=$run-a
b=$run-b
work=$(mktemp -d)
cleanup() { ip netns del "$a" 2>/dev/null || true; ip netns del "$b" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT INT TERM
ip netns add "$a"
ip netns add "$b"
ip -n "$a" link add eth0 type veth peer name eth0 netns "$b"
ip -n "$a" link set eth0 up
ip -n "$b" link set eth0 up
ip -n "$a" addr add 198.18.0.1/16 dev eth0

config() { # N → a config with N floating addresses 198.18.(1+i/250).(1+i%250)
    local n=$1 list="" i
    for ((i = 0; i < n; i++)); do list+="198.18.$((1 + i / 250)).$((1 + i % 250)), "; done
    cat <<YAML
cluster: bench
node: { name: n1, address: 198.18.0.1 }
secret_file: /etc/floatip/secret
groups:
  - name: g
    addresses: [${list%, }]
    interface: eth0
    priority: 100
    announce: { count: 1, repeat_after: off }
YAML
}

echo "floatip local mover: claim = add N addresses (3 s lifetime) + first gratuitous ARP of each"
echo "machine: $(nproc) CPUs, $(uname -r); $reps repetitions each"
printf '%8s %10s %10s %10s %12s\n' addresses min median max per-address
for n in 1 100 1000; do
    config "$n" > "$work/c$n.yaml"
    times=()
    for ((r = 0; r < reps; r++)); do
        line=$(ip netns exec "$a" "$bin" mover claim -c "$work/c$n.yaml" -g g)
        ip netns exec "$a" "$bin" mover release -c "$work/c$n.yaml" -g g >/dev/null
        # "claimed g: … in 12.3 ms (…)" → microseconds
        t=$(sed -E 's/.* in ([0-9.]+) (µs|ms|s) .*/\1 \2/' <<<"$line")
        times+=("$(awk '{ f = ($2 == "s") ? 1e6 : ($2 == "ms") ? 1e3 : 1; printf "%.0f", $1 * f }' <<<"$t")")
    done
    sorted=($(printf '%s\n' "${times[@]}" | sort -n))
    min=${sorted[0]}; max=${sorted[-1]}; med=${sorted[$((reps / 2))]}
    awk -v n="$n" -v lo="$min" -v md="$med" -v hi="$max" \
        'BEGIN { printf "%8d %8.2fms %8.2fms %8.2fms %10.1fµs\n", n, lo / 1000, md / 1000, hi / 1000, md / n }'
done

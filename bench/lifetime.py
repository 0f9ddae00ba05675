#!/usr/bin/env python3
"""What `address_lifetime` buys and costs, measured (not a test: it prints numbers).

For each lifetime L, a holder (`floatip mover claim --hold`, the local mover renewing every third
of L) keeps 198.18.0.100 on a veth in a namespace this script creates and removes:
  - cost: the holder's CPU (every thread's schedstat) over `--idle-seconds` of holding;
  - frozen: the holder is stopped (SIGSTOP) and the address sampled every 10 ms; how long the
    frozen server keeps it (what a paused VM answers ARP for beside the new holder);
  - tolerance: the holder is stopped for a given time and continued; whether the address was
    ever missing (a live but slow holder losing its own address: the price of a short lifetime).

    sudo bench/lifetime.py --floatip .build-static/release/floatip [--lifetimes 1,2,3] [--repeats 5]

Every namespace and process it makes it removes, also on Ctrl-C; addresses from 198.18.0.0/15.
"""
import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time

VIP = "198.18.0.100"


def ip(*args, check=True):
    return subprocess.run(["ip", *args], check=check, capture_output=True, text=True).stdout


def holds(namespace):
    return f" {VIP}/" in ip("-n", namespace, "-o", "-4", "addr", "show", "dev", "eth0")


def cpu_ms(pid):
    """Time on CPU of every thread of `pid`, in ms (schedstat: nanoseconds, not clock ticks)."""
    total = 0
    for thread in os.listdir(f"/proc/{pid}/task"):
        try:
            total += int(open(f"/proc/{pid}/task/{thread}/schedstat").read().split()[0])
        except (FileNotFoundError, ProcessLookupError):
            pass
    return total / 1e6


def wait_until(predicate, limit):
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()


def measure(binary, lifetime, repeats, idle_seconds, stalls, workdir):
    namespace = f"fiplt{os.getpid()}"
    peer = namespace + "p"
    holder = None
    try:
        ip("netns", "add", namespace)
        ip("netns", "add", peer)
        ip("-n", namespace, "link", "add", "eth0", "type", "veth", "peer", "name", "eth0", "netns", peer)
        ip("-n", namespace, "link", "set", "eth0", "up")
        ip("-n", peer, "link", "set", "eth0", "up")
        ip("-n", namespace, "addr", "add", "198.18.0.1/24", "dev", "eth0")
        config = os.path.join(workdir, f"lifetime-{lifetime}.yaml")
        with open(config, "w") as out:
            out.write(
                "cluster: bench\nnode: { name: n1, address: 198.18.0.1 }\nsecret_file: /etc/floatip/secret\n"
                f"groups:\n  - {{ name: web, addresses: [{VIP}/32], interface: eth0, priority: 100, "
                f"address_lifetime: {lifetime}s }}\n")
        holder = subprocess.Popen(
            ["ip", "netns", "exec", namespace, binary, "mover", "claim", "-c", config, "-g", "web", "--hold"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if not wait_until(lambda: holds(namespace), 10):
            raise RuntimeError("the holder did not claim within 10 s")
        # `ip netns exec` execs floatip in place: the PID is the holder's.
        time.sleep(1)
        before = cpu_ms(holder.pid)
        time.sleep(idle_seconds)
        cost = (cpu_ms(holder.pid) - before) / idle_seconds  # ms of CPU per second

        frozen = []
        for _ in range(repeats):
            holder.send_signal(signal.SIGSTOP)
            stopped = time.monotonic()
            wait_until(lambda: not holds(namespace), lifetime + 10)
            frozen.append(time.monotonic() - stopped)
            holder.send_signal(signal.SIGCONT)
            if not wait_until(lambda: holds(namespace), 5):
                raise RuntimeError("the holder did not restore the address after SIGCONT")
            time.sleep(lifetime / 3 + 0.5)

        tolerance = {}
        for stall in stalls:
            lost = 0
            for _ in range(repeats):
                time.sleep(lifetime / 3 + 0.3)
                holder.send_signal(signal.SIGSTOP)
                end = time.monotonic() + stall
                missing = False
                while time.monotonic() < end:
                    missing = missing or not holds(namespace)
                    time.sleep(0.01)
                holder.send_signal(signal.SIGCONT)
                missing = missing or not holds(namespace)
                if missing:
                    lost += 1
                    wait_until(lambda: holds(namespace), 5)
            tolerance[str(stall)] = lost
        return {"lifetime_s": lifetime, "cpu_ms_per_s": round(cost, 3), "frozen_keeps_s": [round(f, 3) for f in frozen],
                "stall_lost_address": tolerance, "repeats": repeats}
    finally:
        if holder is not None:
            try:
                holder.send_signal(signal.SIGCONT)
                holder.send_signal(signal.SIGTERM)
                holder.wait(timeout=5)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                holder.kill()
                holder.wait()
        ip("netns", "del", namespace, check=False)
        ip("netns", "del", peer, check=False)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--floatip", required=True)
    parser.add_argument("--lifetimes", default="1,2,3")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--idle-seconds", type=float, default=20)
    parser.add_argument("--stalls", default="0.3,0.5,0.7,1.0,1.5,2.0")
    arguments = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("run as root: the benchmark creates network namespaces")
    signal.signal(signal.SIGINT, lambda *_: sys.exit(130))
    stalls = [float(s) for s in arguments.stalls.split(",")]
    results = []
    with tempfile.TemporaryDirectory(prefix="floatip-lifetime-") as workdir:
        for lifetime in [int(x) for x in arguments.lifetimes.split(",")]:
            result = measure(arguments.floatip, lifetime, arguments.repeats, arguments.idle_seconds, stalls, workdir)
            results.append(result)
            frozen = result["frozen_keeps_s"]
            lost = ", ".join(f"{s} s: {n}/{arguments.repeats}" for s, n in result["stall_lost_address"].items())
            print(f"address_lifetime {lifetime}s: holder CPU {result['cpu_ms_per_s']} ms/s; a frozen holder keeps the "
                  f"address {min(frozen):.2f}–{max(frozen):.2f} s (median {statistics.median(frozen):.2f}); "
                  f"a live holder stalled loses it: {lost}", flush=True)
    print(json.dumps(results))


if __name__ == "__main__":
    main()

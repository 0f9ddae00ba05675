#!/usr/bin/env python3
"""floatip against keepalived, in one run, client-observed (run it through bench/failover.sh).

Builds two labs side by side (bench/labnet.py): one whose nodes run `floatip agent`, one whose
nodes run keepalived (VRRP), each with the same responder (`floatip lab responder`) and a client
probe asking the floating address every 2 ms (bench/probe.py). For each setting (the same
advertisement interval for both, and each at its defaults) it alternates trials A B A B:

  link       web1's link goes down (failover), comes back (failback, preemption)
  death      web1's daemon is SIGKILLed and its address removed (host death); then restarted
  planned    floatip maintenance on / keepalived clean stop on web1; then back
  many       (one interval) a group of 1, 100, 1,000 addresses; web1's link goes down
  idle       both labs left alone; CPU, RSS and anonymous memory of every daemon over 60 s

Every fault comes after a random delay in [0, advertisement interval), so it lands at a random
point of the advertisement cycle. Results go to a JSON file; bench/report.py turns them into
docs/benchmarks.md and a plot.
"""
import argparse
import json
import os
import platform
import random
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from labnet import VIP, Network, Registry, extra_addresses  # noqa: E402
from probing import Probe, gap_end, handover_gap, outage, quiet_gap  # noqa: E402
from systems import FloatIP, Keepalived, Setting, ms  # noqa: E402


def now():
    return time.monotonic()


class Bench:
    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        self.directory = "/run/floatip-bench/%d" % os.getpid()
        os.makedirs(self.directory, mode=0o700)
        self.registry = Registry(self.directory)
        self.results = {"trials": [], "idle": [], "failures": []}
        self.systems = []

    def log(self, text):
        print("%8.1f s  %s" % (now() - self.started, text), flush=True)

    # ---- setup ---------------------------------------------------------------------------------

    def build(self):
        self.started = now()
        for cls, tag, binary in ((FloatIP, "b%df" % os.getpid(), self.args.floatip),
                                 (Keepalived, "b%dk" % os.getpid(), self.args.keepalived)):
            if cls.name not in self.args.systems:
                continue
            network = Network(self.registry, tag)
            network.build()
            directory = os.path.join(self.directory, cls.name)
            system = cls(self.registry, network, binary, directory)
            for node in (1, 2):
                self.registry.spawn(network.nodes[node], [
                    self.args.floatip, "lab", "responder", "--node", "web%d" % node, "--directory", self.directory,
                    "--lifetime", "10800"], os.path.join(directory, "web%d-responder.log" % node))
            self.systems.append(system)
        self.log("labs built (%s), addresses from 198.18.0.0/16"
                 % ", ".join("%s: %s" % (s.name, s.network.tag) for s in self.systems))

    def configure(self, system, setting, addresses):
        for node in (2, 1):
            system.stop(node)
        system.configure(setting, addresses)
        system.network.set_link(1, True)
        for node in (1, 2):
            system.start(node)
        if not self.wait_steady(system, limit=20 + 6 * system.dead_interval()):
            raise RuntimeError("%s: web1 did not become the only holder (logs in %s)" % (system.name, system.directory))

    def reconfigure_all(self, setting, addresses):
        for system in self.systems:
            self.configure(system, setting, addresses)
        self.log("setting %s, %d address%s: %s" % (
            setting.label, len(addresses), "" if len(addresses) == 1 else "es",
            " | ".join("%s %s" % (s.name, s.describe(setting)) for s in self.systems)))

    def wait_steady(self, system, limit):
        """Until web1 alone holds the VIP (both daemons running), then a short settle."""
        deadline = now() + limit
        while now() < deadline:
            self.registry.reap()
            # The first and the last floating address on web1 only.
            held = {n: [system.network.has_address(n, a) for a in (VIP, system.addresses[-1])] for n in (1, 2)}
            if all(system.processes(n) for n in (1, 2)) and all(held[1]) and not any(held[2]):
                time.sleep(max(0.3, 2 * system.advert_interval()))
                return True
            time.sleep(0.02)
        return False

    def recover(self, system, setting, addresses, why):
        self.results["failures"].append({"system": system.name, "setting": setting.label, "what": why})
        self.log("%s: %s; restarting its daemons" % (system.name, why))
        self.configure(system, setting, addresses)

    # ---- trials --------------------------------------------------------------------------------

    def probe(self, system, addresses, targets, neighbours=False):
        all_file = os.path.join(system.directory, "addresses")
        with open(all_file, "w") as f:
            f.write("\n".join(addresses if neighbours else []) + "\n")
        return Probe(self.registry, system.network, targets, all_file=all_file, neighbours=neighbours)

    def start_probe(self, system, addresses, targets, neighbours=False):
        probe = self.probe(system, addresses, targets, neighbours)
        if neighbours:
            warm = probe.wait_warm()
            if not warm or warm[0] != warm[1]:
                probe.stop()
                raise TrialError("warm-up: %s of %d addresses answered" % (warm and warm[0], len(addresses)))
        if probe.wait_answer(0, "web1", 0, 5.0) is None:
            probe.stop()
            raise TrialError("web1 did not answer the client before the fault")
        time.sleep(0.2)
        return probe

    def fault_wait(self, system):
        """Bounded wait for a failover: generous multiples of the system's own dead interval."""
        return 10 + 5 * system.dead_interval()

    def back_wait(self, system):
        return 15 + system.preempt_delay() + 5 * system.dead_interval()

    def random_phase(self, system):
        time.sleep(self.rng.uniform(0, system.advert_interval()))

    def fault_and_back(self, system, fault, back, names, always=None):
        """One trial: at a random point of the advertisement cycle `fault()` (web2 must take over),
        then `back()` (web1 must answer again). Rows for both steps, named `names`."""
        probe = self.start_probe(system, [VIP], [VIP])
        steps = ((fault, "web2", self.fault_wait(system)), (back, "web1", self.back_wait(system)))
        marks = []
        quiet_since = now()  # the probe has been answered steadily for 200 ms
        try:
            self.random_phase(system)
            for (action, node, limit), name in zip(steps, names):
                started = now()
                action()
                answered = probe.wait_answer(0, node, started, limit)
                if answered is None:
                    raise TrialError("%s never answered after: %s" % (node, name))
                marks.append((name, quiet_since, started, answered))
                quiet_since = answered
                time.sleep(0.2)
        finally:
            if always:
                always()
            record = probe.stop()
        return [self.row(record, name, started, answered, quiet_since=since)
                for name, since, started, answered in marks]

    def trial_link(self, system, setting):
        """web1's link down (failover), then up again (failback: web1 preempts)."""
        return self.fault_and_back(
            system, lambda: system.network.set_link(1, False), lambda: system.network.set_link(1, True),
            ("failover (link down)", "failback"), always=lambda: system.network.set_link(1, True))

    def trial_death(self, system, setting):
        """web1's daemon SIGKILLed and its address gone (host death), then the daemon started again."""
        return self.fault_and_back(system, lambda: system.crash(1), lambda: system.start(1),
                                   ("failover (host death)", "failback after restart"))

    def trial_planned(self, system, setting):
        """The system's planned move away from web1, then back."""
        return self.fault_and_back(system, system.planned, system.planned_back, ("planned switchover", "planned return"))

    def trial_many(self, system, setting):
        addresses = system.addresses
        probe = self.start_probe(system, addresses, [addresses[0], addresses[-1]], neighbours=True)
        try:
            self.random_phase(system)
            down = now()
            system.network.set_link(1, False)
            first = probe.wait_answer(0, "web2", down, self.fault_wait(system))
            last_probed = probe.wait_answer(1, "web2", down, self.fault_wait(system))
            if first is None or last_probed is None:
                raise TrialError("web2 never answered on the first or last address")
            time.sleep(0.5)
            verified = probe.verify()
        finally:
            record = probe.stop()
            system.network.set_link(1, True)
        # When the client's neighbour entry of each address moved to web2's MAC.
        mac_of_web2 = next(m for m, n in system.network.macs.items() if n == "web2")
        moved = {}
        for at, dst, mac, _state in record["neighbours"]:
            if at >= down and mac == mac_of_web2 and dst not in moved:
                moved[dst] = at
        reached = [moved[a] for a in addresses if a in moved]
        row = self.row(record, "failover (link down)", down, first)
        row.update({
            "addresses": len(addresses),
            "first": first - down, "last_probed": last_probed - down,
            "moved": len(reached), "last_moved": (max(reached) - down) if reached else None,
            # Time from the first address answering on web2 to the last one the client reaches there.
            "spread": (max(max(reached), last_probed) - min(min(reached), first)) if reached else None,
            "verified": verified,
            "lost_events": sum(1 for e in record["neighbours"] if e[1] == "lost"),
        })
        system.network.flush_client_neighbours()  # never two clients' 1,000 entries at once (gc_thresh3)
        if not self.wait_steady(system, 20 + self.back_wait(system)):
            raise TrialError("web1 did not take the addresses back")
        return [row]

    def row(self, record, scenario, start, end, quiet_since=None):
        # The first answer from the new node, exactly as recorded (the live ANS line only tells it is there).
        node = next((n for a, n, t in zip(record["answered"], record["node"], record["target"]) if t == 0 and a == end),
                    None)
        end = min((a for a, n, t in zip(record["answered"], record["node"], record["target"])
                   if t == 0 and n == node and a is not None and a >= start), default=end)
        gap, failed = outage(record, 0, start, end)
        # The probe's own noise: the longest gap in the (up to) 200 ms before the fault, when nothing
        # happened (after the previous step's answer, for the step back).
        since = max(start - 0.2, quiet_since if quiet_since is not None else start - 0.2)
        return {"scenario": scenario, "outage": gap, "failed": failed, "took": end - start,
                "quiet": quiet_gap(record, 0, since, start), "gap_end": gap_end(record, 0, start, end),
                "handover_gap": handover_gap(record, 0, end)}

    def run_trials(self, setting, kind, trial, reps, addresses):
        for rep in range(reps):
            for system in self.systems:  # A B A B
                if self.stop_requested:
                    raise KeyboardInterrupt
                try:
                    rows = trial(system, setting)
                except TrialError as error:
                    self.recover(system, setting, addresses, "%s trial %d: %s" % (kind, rep + 1, error))
                    continue
                for row in rows:
                    row.update({"system": system.name, "setting": setting.label, "kind": kind, "rep": rep + 1})
                    self.results["trials"].append(row)
                summary = ", ".join("%s %s (%d failed)" % (r["scenario"], ms(r["outage"]), r["failed"]) for r in rows)
                self.log("%s %s #%d %s: %s" % (setting.label, kind, rep + 1, system.name, summary))
                if not self.wait_steady(system, 20 + self.back_wait(system)):
                    self.recover(system, setting, addresses, "%s trial %d: web1 did not settle as holder" % (kind, rep + 1))

    # ---- idle cost -----------------------------------------------------------------------------

    def idle(self, setting, seconds):
        ticks = os.sysconf("SC_CLK_TCK")

        def cpu(pids):
            """Clock ticks of utime + stime (the kernel samples them: 10 ms steps, biased for short
            wake-ups), and the scheduler's own run time in ns summed over every thread (schedstat)."""
            ticks_total = nanoseconds = 0
            for pid in pids:
                with open("/proc/%d/stat" % pid) as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                ticks_total += int(fields[11]) + int(fields[12])  # utime + stime
                for task in os.listdir("/proc/%d/task" % pid):
                    try:
                        with open("/proc/%d/task/%s/schedstat" % (pid, task)) as f:
                            nanoseconds += int(f.read().split()[0])
                    except (OSError, ValueError, IndexError):
                        pass  # a thread that ended meanwhile
            return ticks_total, nanoseconds

        def memory(pids):
            rss = anon = 0
            for pid in pids:
                with open("/proc/%d/smaps_rollup" % pid) as f:
                    for line in f:
                        key, _, value = line.partition(":")
                        if key == "Rss":
                            rss += int(value.split()[0])
                        elif key == "Anonymous":
                            anon += int(value.split()[0])
            return rss * 1024, anon * 1024

        time.sleep(5)
        watched = [(s, n, s.processes(n)) for s in self.systems for n in (1, 2)]
        before = [cpu(p) for _, _, p in watched]
        start = now()
        peaks = [(0, 0)] * len(watched)
        while now() - start < seconds:
            time.sleep(min(5, seconds - (now() - start)) if seconds > now() - start else 0)
            peaks = [tuple(max(a, b) for a, b in zip(peak, memory(p))) for peak, (_, _, p) in zip(peaks, watched)]
        elapsed = now() - start
        for (system, node, pids), first, peak in zip(watched, before, peaks):
            last = cpu(pids)
            row = {"system": system.name, "setting": setting.label, "node": "web%d" % node,
                   "role": "holder" if node == 1 else "standby", "processes": len(pids),
                   "cpu_percent": 100.0 * (last[1] - first[1]) / 1e9 / elapsed,
                   "cpu_percent_ticks": 100.0 * (last[0] - first[0]) / ticks / elapsed, "seconds": elapsed,
                   "rss": peak[0], "anonymous": peak[1]}
            self.results["idle"].append(row)
            self.log("idle %s %s %s: %.3f %% of a core (utime + stime: %.3f %%), RSS %.1f MiB, anonymous %.1f MiB" % (
                setting.label, system.name, row["node"], row["cpu_percent"], row["cpu_percent_ticks"],
                row["rss"] / 2**20, row["anonymous"] / 2**20))

    # ---- the whole run -------------------------------------------------------------------------

    def main(self):
        args = self.args
        self.stop_requested = False
        settings = [Setting(ms(i), i) for i in args.intervals]
        if args.defaults:
            settings.append(Setting("defaults", None, defaults=True))
        self.results["meta"] = meta(args)
        self.build()
        trials = (("link", self.trial_link), ("death", self.trial_death), ("planned", self.trial_planned))
        for setting in settings if args.kinds else []:
            self.reconfigure_all(setting, [VIP])
            for kind, trial in trials:
                if kind not in args.kinds.split(","):
                    continue
                self.run_trials(setting, kind, trial, args.reps, [VIP])
        many = Setting(ms(args.many_interval), args.many_interval)
        for count in args.sizes:
            addresses = [VIP] + extra_addresses(count - 1)
            self.reconfigure_all(many, addresses)
            self.run_trials(many, "many-%d" % count, self.trial_many, args.reps, addresses)
        idle_settings = [Setting(ms(interval), interval) for interval in args.idle_intervals]
        if args.defaults and args.idle_intervals:
            idle_settings.append(Setting("defaults", None, defaults=True))  # the trade-off plot's fourth point
        for setting in idle_settings:
            self.reconfigure_all(setting, [VIP])
            self.idle(setting, args.idle_seconds)
        self.results["meta"]["duration"] = now() - self.started
        self.results["meta"]["load_end"] = os.getloadavg()


class TrialError(Exception):
    pass


def meta(args):
    def first_line(*argv):
        try:
            return subprocess.run(argv, capture_output=True, text=True).stdout.strip().splitlines()[0]
        except (OSError, IndexError):
            return "?"

    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        memory = int(f.readline().split()[1]) * 1024
    distro = "?"
    if os.path.exists("/etc/os-release"):
        for line in open("/etc/os-release"):
            if line.startswith("PRETTY_NAME="):
                distro = line.split("=", 1)[1].strip().strip('"')
    keepalived_version = subprocess.run([args.keepalived, "--version"], capture_output=True, text=True)
    return {
        "command": args.command, "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "cpus": os.cpu_count(), "cpu": cpu, "memory": memory, "kernel": platform.release(), "distro": distro,
        "swift": first_line("swift", "--version"),
        "keepalived": (keepalived_version.stdout + keepalived_version.stderr).strip().splitlines()[0],
        "floatip_commit": first_line("git", "-C", os.path.dirname(os.path.abspath(__file__)), "describe", "--always", "--dirty"),
        "load_start": os.getloadavg(), "reps": args.reps, "intervals": args.intervals, "sizes": args.sizes,
        "many_interval": args.many_interval, "idle_seconds": args.idle_seconds, "seed": args.seed,
        "python": platform.python_version(), "quick": args.quick,
    }


def parse():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--floatip", required=True, help="the floatip binary (a release build)")
    parser.add_argument("--keepalived", default="/usr/sbin/keepalived")
    parser.add_argument("--quick", action="store_true", help="smoke run: 3 repetitions, 100 ms only, 10 s idle")
    parser.add_argument("--reps", type=int, default=10)
    parser.add_argument("--intervals", default="0.02,0.1,1", help="advertisement intervals in seconds")
    parser.add_argument("--no-defaults", dest="defaults", action="store_false")
    parser.add_argument("--sizes", default="1,100,1000")
    parser.add_argument("--many-interval", type=float, default=0.1)
    parser.add_argument("--idle-intervals", default="0.02,0.1,1")
    parser.add_argument("--idle-seconds", type=float, default=60)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--keep-logs", action="store_true", help="copy the logs to /tmp/floatip-bench-PID-logs")
    parser.add_argument("--systems", default="floatip,keepalived", help="for debugging: only these")
    parser.add_argument("--kinds", default="link,death,planned", help="for debugging: only these trials")
    parser.add_argument("--output", required=True, help="results JSON file")
    parser.add_argument("--command", default=" ".join(sys.argv))
    args = parser.parse_args()
    if args.quick:
        args.reps, args.intervals, args.defaults = 3, "0.1", False
        args.idle_intervals, args.idle_seconds = "0.1", 10
    args.intervals = [float(x) for x in args.intervals.split(",") if x]
    args.idle_intervals = [float(x) for x in args.idle_intervals.split(",") if x]
    args.sizes = [int(x) for x in args.sizes.split(",") if x]
    if args.seed is None:
        args.seed = random.SystemRandom().randrange(1 << 31)
    return args


def main():
    if os.geteuid() != 0:
        print("bench/failover.py needs root (it builds network namespaces): run it with sudo", file=sys.stderr)
        return 1
    args = parse()
    bench = Bench(args)

    def interrupted(number, _frame):
        bench.stop_requested = True
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, interrupted)
    signal.signal(signal.SIGTERM, interrupted)
    status = 0
    try:
        bench.main()
    except KeyboardInterrupt:
        print("interrupted: removing the labs", file=sys.stderr)
        status = 130
    except Exception as error:  # noqa: BLE001 - any failure still removes the labs
        print("failed: %s; removing the labs" % error, file=sys.stderr)
        status = 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if status != 0 or args.keep_logs:
            kept = "/tmp/floatip-bench-%d-logs" % os.getpid()
            shutil.copytree(bench.directory, kept, ignore=shutil.ignore_patterns("secret", "token"), dirs_exist_ok=True)
            print("logs kept in %s" % kept, file=sys.stderr)
        processes, namespaces = bench.registry.cleanup()
        print("removed: %d processes ended, %d namespaces deleted (floatip-b%d*)" % (processes, namespaces, os.getpid()),
              file=sys.stderr)
    if status == 0:
        with open(args.output, "w") as f:
            json.dump(bench.results, f, indent=1)
        print("results: %s" % args.output)
    return status


if __name__ == "__main__":
    sys.exit(main())

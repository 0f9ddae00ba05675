"""The harness's side of the client probe (bench/probe.py): start it in the client namespace,
follow who answers, stop it and compute outages from its record (docs/lab.md, "How outages are
measured", with a 2 ms spacing)."""
import json
import os
import subprocess
import sys
import threading
import time

from labnet import IP

PROBE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "probe.py")
SPACING = 0.002
TIMEOUT = 0.1


class Probe:
    def __init__(self, registry, network, targets, all_file=None, neighbours=False, max_seconds=120):
        argv = [IP, "netns", "exec", network.client, sys.executable, PROBE, "--targets", ",".join(targets),
                "--spacing", str(SPACING), "--timeout", str(TIMEOUT), "--max-seconds", str(max_seconds),
                # Names the run's directory, so the registry may end it by PID.
                "--all", all_file or os.devnull]
        if neighbours:
            argv.append("--neighbours")
        self.registry = registry
        self.process = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                        start_new_session=True)
        registry.pids.add(self.process.pid)
        self.lock = threading.Condition()
        self.changes = []  # (target, node, time)
        self.warm = None
        self.verified = None
        self.record = None
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.process.stdout:
            word, _, rest = line.strip().partition(" ")
            with self.lock:
                if word == "ANS":
                    target, node, at = rest.split()
                    self.changes.append((int(target), node, float(at)))
                elif word == "WARM":
                    self.warm = tuple(int(x) for x in rest.split())
                elif word == "VERIFIED":
                    self.verified = json.loads(rest)
                elif word == "RECORD":
                    self.record = json.loads(rest)
                self.lock.notify_all()
        with self.lock:
            self.lock.notify_all()

    def wait_warm(self, limit=10.0):
        with self.lock:
            self.lock.wait_for(lambda: self.warm is not None or self.process.poll() is not None, limit)
            return self.warm

    def wait_answer(self, target, node, after, limit):
        """The time of the first answer from `node` to `target` at or after `after` (None on timeout)."""
        deadline = time.monotonic() + limit

        def found():
            return next((t for (i, n, t) in self.changes if i == target and n == node and t >= after), None)

        with self.lock:
            while True:
                at = found()
                if at is not None or self.process.poll() is not None:
                    return at
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.lock.wait(min(left, 0.05))

    def verify(self, limit=10.0):
        with self.lock:
            self.verified = None
        self.process.stdin.write("verify\n")
        self.process.stdin.flush()
        with self.lock:
            self.lock.wait_for(lambda: self.verified is not None, limit)
            return self.verified

    def stop(self):
        try:
            self.process.stdin.write("stop\n")
            self.process.stdin.flush()
        except BrokenPipeError:
            pass
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.reader.join(5)
        return self.record


def gaps(record, target, start, end):
    """The gaps (from, to) between consecutive answers to `target`, from the last answer before
    `start` up to the first answer at or after `end`."""
    answers = sorted(a for a, t in zip(record["answered"], record["target"]) if t == target and a is not None)
    before = max((a for a in answers if a < start), default=start)
    after = min((a for a in answers if a >= end), default=end)
    inside = [before] + [a for a in answers if before < a < after] + [after]
    return list(zip(inside, inside[1:]))


def outage(record, target, start, end):
    """Longest gap between consecutive answers to `target`, from the last answer before `start` up
    to the first at or after `end`; and the requests sent in [start, end) not answered in TIMEOUT."""
    gap = max((b - a for a, b in gaps(record, target, start, end)), default=0.0)
    failed = sum(1 for s, a, t in zip(record["sent"], record["answered"], record["target"])
                 if t == target and start <= s < end and (a is None or a - s > TIMEOUT))
    return gap, failed


def quiet_gap(record, target, start, end):
    """The longest gap between consecutive answers to `target` within [start, end): the probe's own
    noise (scheduling on a busy machine) when nothing happens, to read the other gaps against."""
    answers = sorted(a for a, t in zip(record["answered"], record["target"]) if t == target and a is not None
                     and start <= a < end)
    return max((b - a for a, b in zip(answers, answers[1:])), default=None)


def handover_gap(record, target, end):
    """The gap that ends at `end` (the first answer from the new node): from the answer before it."""
    before = max((a for a, t in zip(record["answered"], record["target"]) if t == target and a is not None
                  and a < end), default=None)
    return None if before is None else end - before


def gap_end(record, target, start, end):
    """When the longest gap of `outage(record, target, start, end)` ended, relative to `end`."""
    pairs = gaps(record, target, start, end)
    if not pairs:
        return None
    return max(pairs, key=lambda p: p[1] - p[0])[1] - end

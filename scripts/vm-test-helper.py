#!/usr/bin/env python3
"""The VM tier's small helpers (scripts/vm-test runs them; docs/testing.md).

  vm-test-helper.py run SOCKET TIMEOUT COMMAND   run COMMAND in a VM over its control channel
  vm-test-helper.py probe OUT ADDRESS            ask ADDRESS:7480 every 5 ms until SIGTERM (at most 600 s)
  vm-test-helper.py window OUT FROM TO [NODE]    what the probe saw between two wall-clock times
  vm-test-helper.py arp OUT ADDRESS IFACE        ask who has ADDRESS every 50 ms until SIGTERM (at most 120 s)
  vm-test-helper.py both OUT FROM                when, after FROM, more than one MAC answered ARP for it

`run` talks to the guest's vm-control service (scripts/vm-image) through the virtio-serial port's
Unix socket on the host: it sends one line, prints the output, and exits with the command's
status; 124 when no answer came within TIMEOUT seconds, 125 when the socket could not be reached.

`probe` is the client: the same request as floatip's lab probe (an 8-byte sequence number to UDP
port 7480, answered with the node's name), on absolute 5 ms deadlines; a request without an answer
within 100 ms failed, one never answered was lost. It appends `TIME NODE` to OUT.switches whenever the answering node changes
(so the script can wait for "web2 answers"), and on SIGTERM writes every request to OUT as JSON.
"""
import json
import os
import select
import signal
import socket
import struct
import sys
import time

END = "@@vm-control-end "


def run(path, timeout, command):
    deadline = time.monotonic() + timeout
    nonce = "@@vm-control-begin %d-%d" % (os.getpid(), time.monotonic_ns())
    try:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(max(0.1, deadline - time.monotonic()))
        sock.connect(path)
    except OSError as error:
        print("cannot reach the control socket %s: %s" % (path, error), file=sys.stderr)
        return 125
    # The nonce separates this command's output from anything an earlier, abandoned one left.
    sock.sendall(("echo '%s'; %s\n" % (nonce, command)).encode())
    data = b""
    started = False
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            print("no answer within %g s to: %s" % (timeout, command), file=sys.stderr)
            return 124
        ready, _, _ = select.select([sock], [], [], left)
        if not ready:
            continue
        chunk = sock.recv(65536)
        if not chunk:
            print("the control channel closed during: %s" % command, file=sys.stderr)
            return 124
        data += chunk
        text = data.decode(errors="replace")
        if not started:
            at = text.find(nonce + "\n")
            if at < 0:
                continue
            data = text[at + len(nonce) + 1:].encode()
            text = data.decode(errors="replace")
            started = True
        at = text.find("\n" + END)
        if at >= 0 and text.find("\n", at + 1) >= 0:
            status = int(text[at + 1 + len(END):].split("\n", 1)[0])
            sys.stdout.write(text[:at].rstrip("\n") + ("\n" if text[:at].strip() else ""))
            return status


def probe(out, address, port=7480, spacing=0.005, timeout=0.1, longest=600.0):
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setblocking(False)
    sent = []  # [sent_at, answered_at or None, node or None]
    last_node = None
    switches = open(out + ".switches", "a", buffering=1)
    begin = time.monotonic()
    wall = time.time() - begin  # wall clock = monotonic + wall
    next_send = begin
    while not stop and time.monotonic() - begin < longest:
        now = time.monotonic()
        if now >= next_send:
            try:
                sock.sendto(struct.pack("!Q", len(sent)), (address, port))
            except OSError:
                pass  # no route/neighbour yet: the request simply fails
            sent.append([now, None, None])
            next_send += spacing
            if next_send < now - spacing:  # a stall: skip rather than burst
                next_send = now + spacing
        ready, _, _ = select.select([sock], [], [], max(0, next_send - time.monotonic()))
        while ready:
            try:
                data, _ = sock.recvfrom(2048)
            except BlockingIOError:
                break
            at = time.monotonic()
            if len(data) < 8:
                continue
            seq = struct.unpack("!Q", data[:8])[0]
            node = data[8:].decode(errors="replace").strip() or "?"
            if seq < len(sent) and sent[seq][1] is None:
                sent[seq][1] = at
                sent[seq][2] = node
            if node != last_node:
                last_node = node
                switches.write("%.6f %s\n" % (at + wall, node))
    time.sleep(timeout)
    while True:
        try:
            data, _ = sock.recvfrom(2048)
        except BlockingIOError:
            break
        seq = struct.unpack("!Q", data[:8])[0] if len(data) >= 8 else len(sent)
        if seq < len(sent) and sent[seq][1] is None:
            sent[seq][1], sent[seq][2] = time.monotonic(), data[8:].decode(errors="replace").strip()
    # Late answers are kept (with their time): a request answered after `timeout` failed, one never
    # answered was lost. Under emulation a stalled VM answers late; a missing address never.
    records = [[s + wall, (a + wall) if a is not None else None, n] for s, a, n in sent]
    with open(out + ".tmp", "w") as f:
        json.dump({"spacing": spacing, "timeout": timeout, "requests": records}, f)
    os.rename(out + ".tmp", out)
    return 0


def window(out, start, end, node=None):
    """Requests sent in [start, end]: how many, how many failed (no answer within the timeout), how
    many were lost (never answered), the longest gap between answers
    (from the last answer before start to the first after end), and when NODE first answered."""
    with open(out) as f:
        records = json.load(f)["requests"]
    with open(out) as f:
        timeout = json.load(f)["timeout"]
    inside = [r for r in records if start <= r[0] <= end]
    failed = sum(1 for r in inside if r[1] is None or r[1] - r[0] > timeout)
    lost = sum(1 for r in inside if r[1] is None)
    answers = sorted(r[1] for r in records if r[1] is not None)
    before = [a for a in answers if a < start]
    after = [a for a in answers if a > end]
    span = ([before[-1]] if before else []) + [a for a in answers if start <= a <= end] + ([after[0]] if after else [])
    gap = max((b - a for a, b in zip(span, span[1:])), default=0.0)
    nodes = {}
    for r in inside:
        if r[2]:
            nodes[r[2]] = nodes.get(r[2], 0) + 1
    result = {"requests": len(inside), "failed": failed, "lost": lost, "longest_gap_ms": round(gap * 1000, 1), "answered_by": nodes}
    if node:
        first = next((r[1] for r in records if r[1] is not None and r[1] >= start and r[2] == node), None)
        result["first_" + node] = None if first is None else round(first - start, 3)
    print(json.dumps(result, sort_keys=True))
    return 0


def arp(out, address, iface, spacing=0.05, longest=120.0):
    """Who answers ARP for ADDRESS, seen from the client: one broadcast request per round, every
    reply recorded as [round's start (wall clock), MAC]. Two MACs in a round: two servers hold it."""
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0806))
    sock.bind((iface, 0x0806))
    mine = sock.getsockname()[4][:6]
    ip = socket.inet_aton
    source = ip(os.environ.get("ARP_SOURCE", "198.18.0.200"))
    request = (b"\xff" * 6 + mine + b"\x08\x06" + b"\x00\x01\x08\x00\x06\x04\x00\x01" + mine + source
               + b"\x00" * 6 + ip(address))
    replies, rounds = [], []
    begin = time.monotonic()
    while not stop and time.monotonic() - begin < longest:
        round_at = time.time()
        rounds.append(round_at)
        sock.send(request)
        until = time.monotonic() + spacing
        while (left := until - time.monotonic()) > 0:
            ready, _, _ = select.select([sock], [], [], left)
            if not ready:
                continue
            frame = sock.recv(128)
            if len(frame) >= 42 and frame[20:22] == b"\x00\x02" and frame[28:32] == ip(address):
                replies.append([round_at, frame[22:28].hex(":")])
    with open(out + ".tmp", "w") as f:
        json.dump({"rounds": rounds, "replies": replies}, f)
    os.rename(out + ".tmp", out)
    return 0


def both(out, start):
    """The rounds after START in which two or more MACs answered: first and last (seconds after
    START), and when each MAC answered first and last."""
    with open(out) as f:
        record = json.load(f)
    by_round = {}
    for at, mac in record["replies"]:
        if at >= start:
            by_round.setdefault(at, set()).add(mac)
    doubled = sorted(at for at, macs in by_round.items() if len(macs) > 1)
    macs = {}
    for at, mac in record["replies"]:
        if at >= start:
            first, last = macs.get(mac, (at, at))
            macs[mac] = (min(first, at), max(last, at))
    result = {
        "rounds": sum(1 for r in record["rounds"] if r >= start),
        "both_first": round(doubled[0] - start, 2) if doubled else None,
        "both_last": round(doubled[-1] - start, 2) if doubled else None,
        "macs": {mac: [round(a - start, 2), round(b - start, 2)] for mac, (a, b) in sorted(macs.items())},
    }
    print(json.dumps(result, sort_keys=True))
    return 0


def main(argv):
    if len(argv) >= 4 and argv[0] == "run":
        return run(argv[1], float(argv[2]), " ".join(argv[3:]))
    if len(argv) == 3 and argv[0] == "probe":
        return probe(argv[1], argv[2])
    if len(argv) in (4, 5) and argv[0] == "window":
        return window(argv[1], float(argv[2]), float(argv[3]), argv[4] if len(argv) == 5 else None)
    if len(argv) == 4 and argv[0] == "arp":
        return arp(argv[1], argv[2], argv[3])
    if len(argv) == 3 and argv[0] == "both":
        return both(argv[1], float(argv[2]))
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

#!/usr/bin/env python3
"""The benchmark's client probe (run inside the client namespace by bench/failover.py).

Asks each TARGET address every SPACING (absolute deadlines, no drift) with an 8-byte sequence
number, the lab responder's protocol (`floatip lab responder`: the answer repeats the sequence
number and adds the node's name). Records when each request went out and when, and by whom, it
was answered, on CLOCK_MONOTONIC (the same clock as the harness: namespaces do not change it).

Optionally it also listens to the client's neighbour table (rtnetlink RTM_NEWNEIGH) and records
every change of an address's MAC: with many floating addresses that is when the client's kernel
starts sending to the new holder, for every address, without asking 1,000 addresses every 2 ms.

Protocol on standard input/output (one line each):
  stdout  WARM <answered> <total>        after the warm-up round over --all (if given)
  stdout  ANS <target> <node> <time>     the first answer, and every change of the answering node
  stdin   verify                         one round over --all (3 tries, 100 ms apart)
  stdout  VERIFIED <json: node -> count, "none" -> count>
  stdin   stop                           stop, wait --timeout for late answers, print the record
  stdout  RECORD <json>
Bounded: it stops by itself after --max-seconds.
"""
import argparse
import json
import select
import socket
import struct
import sys
import time

RTMGRP_NEIGH = 4
RTM_NEWNEIGH = 28
NDA_DST = 1
NDA_LLADDR = 2
WARM_BIT = 1 << 63


def parse_neighbour_events(data, now, events):
    offset = 0
    while offset + 16 <= len(data):
        length, kind, _flags, _seq, _pid = struct.unpack_from("=IHHII", data, offset)
        if length < 16:
            break
        if kind == RTM_NEWNEIGH and length >= 28:
            family = data[offset + 16]
            state = struct.unpack_from("=H", data, offset + 24)[0]
            dst = mac = None
            at = offset + 28
            while at + 4 <= offset + length:
                rta_len, rta_type = struct.unpack_from("=HH", data, at)
                if rta_len < 4:
                    break
                payload = data[at + 4:at + rta_len]
                if rta_type == NDA_DST and family == socket.AF_INET and len(payload) == 4:
                    dst = socket.inet_ntoa(payload)
                elif rta_type == NDA_LLADDR:
                    mac = ":".join("%02x" % b for b in payload)
                at += (rta_len + 3) & ~3
            if dst and mac:
                events.append((now, dst, mac, state))
        offset += (length + 3) & ~3


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--targets", required=True, help="comma-separated addresses asked every tick")
    parser.add_argument("--all", default="", help="file with every address (warm-up and verify rounds)")
    parser.add_argument("--port", type=int, default=7480)
    parser.add_argument("--spacing", type=float, default=0.002)
    parser.add_argument("--timeout", type=float, default=0.1)
    parser.add_argument("--max-seconds", type=float, default=120.0)
    parser.add_argument("--neighbours", action="store_true")
    args = parser.parse_args()

    targets = args.targets.split(",")
    every = open(args.all).read().split() if args.all else []
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    sock.setblocking(False)
    poller = select.poll()
    poller.register(sock, select.POLLIN)
    stdin = sys.stdin.fileno()
    poller.register(stdin, select.POLLIN)
    neigh = None
    events = []
    if args.neighbours:
        neigh = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
        neigh.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
        neigh.bind((0, RTMGRP_NEIGH))
        neigh.setblocking(False)
        poller.register(neigh, select.POLLIN)

    sent, target_of, answered, node_of = [], [], [], []
    warm_answer = {}
    last_node = [None] * len(targets)

    def out(line):
        sys.stdout.write(line + "\n")
        sys.stdout.flush()

    def drain():
        while True:
            try:
                data = sock.recv(512)
            except BlockingIOError:
                return
            now = time.monotonic()
            if len(data) <= 8:
                continue
            seq = struct.unpack(">Q", data[:8])[0]
            node = data[8:].decode("utf-8", "replace")
            if seq & WARM_BIT:
                warm_answer.setdefault(seq & ~WARM_BIT, node)
                continue
            if seq < len(sent) and answered[seq] is None:
                answered[seq] = now
                node_of[seq] = node
                t = target_of[seq]
                if last_node[t] != node:
                    last_node[t] = node
                    out("ANS %d %s %r" % (t, node, now))  # repr: the exact float, so the harness finds it in the record

    def drain_neighbours():
        while neigh is not None:
            try:
                data = neigh.recv(1 << 16)
            except BlockingIOError:
                return
            except OSError:  # ENOBUFS: events lost; recorded as a marker
                events.append((time.monotonic(), "lost", "", 0))
                continue
            parse_neighbour_events(data, time.monotonic(), events)

    def wait_until(deadline):
        """Handles answers and commands until `deadline`; returns a command line if one came."""
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            for fd, _ in poller.poll(max(0, int(left * 1000))):
                if fd == stdin:
                    line = sys.stdin.readline()
                    return line.strip() if line else "stop"
                if neigh is not None and fd == neigh.fileno():
                    drain_neighbours()
                else:
                    drain()

    def round_over_all():
        """Asks every address of --all (up to 3 tries); address index -> node."""
        warm_answer.clear()
        for _ in range(3):
            missing = [i for i in range(len(every)) if i not in warm_answer]
            if not missing:
                break
            for i in missing:
                try:
                    sock.sendto(struct.pack(">Q", WARM_BIT | i), (every[i], args.port))
                except OSError:
                    pass
            end = time.monotonic() + 0.1
            while time.monotonic() < end:
                if poller.poll(5):
                    drain()
                    drain_neighbours()
        return dict(warm_answer)

    if every:
        answers = round_over_all()
        out("WARM %d %d" % (len(answers), len(every)))

    start = time.monotonic()
    limit = int(args.max_seconds / args.spacing)
    tick = 0
    command = None
    while tick < limit:
        command = wait_until(start + tick * args.spacing)
        if command == "verify":
            answers = round_over_all()
            counts = {}
            for i in range(len(every)):
                node = answers.get(i, "none")
                counts[node] = counts.get(node, 0) + 1
            out("VERIFIED " + json.dumps(counts))
            # Resume on the next deadline from now (the verify round took a while).
            tick = int((time.monotonic() - start) / args.spacing) + 1
            continue
        if command == "stop":
            break
        now = time.monotonic()
        for index, address in enumerate(targets):
            sent.append(now)
            target_of.append(index)
            answered.append(None)
            node_of.append(None)
            try:
                sock.sendto(struct.pack(">Q", len(sent) - 1), (address, args.port))
            except OSError:
                pass  # no neighbour yet, or unreachable: counted as failed
        tick += 1
    wait_until(time.monotonic() + args.timeout)
    drain_neighbours()
    out("RECORD " + json.dumps({
        "targets": targets, "sent": sent, "target": target_of, "answered": answered, "node": node_of,
        "neighbours": events,
    }))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Turns bench/failover.py's results (JSON) into docs/benchmarks.md and a plot of the outages.

    bench/report.py RESULTS.json DOC.md PLOT.png [FINDINGS.md]

FINDINGS.md (hand-written: what the numbers mean, why a target is missed) is copied into the
document as it is; everything else is computed from the results.
"""
import json
import math
import os
import sys
from collections import OrderedDict

SYSTEMS = ("floatip", "keepalived")
UNPLANNED = ("failover (link down)", "failover (host death)")
GAPLESS = ("failback", "planned switchover", "planned return", "failback after restart")


def ms(seconds):
    if seconds is None:
        return "–"
    value = seconds * 1000
    if value >= 1000:
        return "%.2f s" % seconds
    return ("%.0f ms" if value >= 100 else "%.1f ms") % value


def stats(values):
    values = sorted(v for v in values if v is not None)
    if not values:
        return None
    n = len(values)
    middle = values[n // 2] if n % 2 else (values[n // 2 - 1] + values[n // 2]) / 2
    return {"n": n, "min": values[0], "median": middle, "p90": values[max(0, math.ceil(0.9 * n) - 1)], "max": values[-1]}


def select(trials, **match):
    return [t for t in trials if all(t.get(k) == v for k, v in match.items())]


def core(trials):
    """The trials of scenarios 1-3 (the many-address trials have tables of their own)."""
    return [t for t in trials if not t["kind"].startswith("many")]


def settings_of(trials):
    return list(OrderedDict((t["setting"], None) for t in trials if not t["kind"].startswith("many")))


def ratio(a, b):
    if not a or not b or b["median"] == 0:
        return "–"
    return "%.2f" % (a["median"] / b["median"])


def outage_tables(trials):
    trials = core(trials)
    lines = []
    scenarios = list(OrderedDict((t["scenario"], None) for t in trials if not t["kind"].startswith("many")))
    for scenario in scenarios:
        lines += ["", "### %s" % scenario[0].upper() + scenario[1:], "",
                  "| setting | system | n | min | median | p90 | max | failed requests (median / max) "
                  "| ratio of medians floatip / keepalived | event → expected node answers (median) "
                  "| probe's own longest gap before the event (median / max) "
                  "| gap at the hand-over: before the first answer from the expected node (median / max) |",
                  "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
        for setting in settings_of(trials):
            rows = {s: select(trials, scenario=scenario, setting=setting, system=s) for s in SYSTEMS}
            outs = {s: stats([r["outage"] for r in rows[s]]) for s in SYSTEMS}
            for s in SYSTEMS:
                o = outs[s]
                if not o:
                    continue
                failed = stats([r["failed"] for r in rows[s]])
                took = stats([r["took"] for r in rows[s]])
                quiet = stats([r.get("quiet") for r in rows[s]])
                handover = stats([r.get("handover_gap") for r in rows[s]])
                lines.append("| %s | %s | %d | %s | **%s** | %s | %s | %g / %d | %s | %s | %s | %s |" % (
                    setting, s, o["n"], ms(o["min"]), ms(o["median"]), ms(o["p90"]), ms(o["max"]),
                    failed["median"], failed["max"], ratio(outs["floatip"], outs["keepalived"]) if s == "floatip" else "",
                    ms(took["median"]), "%s / %s" % (ms(quiet["median"]), ms(quiet["max"])) if quiet else "–",
                    "%s / %s" % (ms(handover["median"]), ms(handover["max"])) if handover else "–"))
    return lines


def many_table(trials):
    many = [t for t in trials if t["kind"].startswith("many")]
    if not many:
        return []
    lines = ["", "| addresses | system | n | first answers on web2 (median) | client reaches the last one on web2: "
             "after the first, min / median / p90 / max | entries moved by announcements (min of n) "
             "| verify round: all on web2 |",
             "| ---: | --- | ---: | ---: | ---: | ---: | ---: |"]
    for count in sorted(set(t["addresses"] for t in many)):
        for s in SYSTEMS:
            rows = select(many, addresses=count, system=s)
            if not rows:
                continue
            spread = stats([r["spread"] for r in rows])
            first = stats([r["first"] for r in rows])
            verified = sum(1 for r in rows if (r.get("verified") or {}).get("web2") == count)
            lines.append("| %d | %s | %d | %s | %s | %d / %d | %d of %d trials |" % (
                count, s, len(rows), ms(first["median"]),
                "%s / **%s** / %s / %s" % (ms(spread["min"]), ms(spread["median"]), ms(spread["p90"]), ms(spread["max"]))
                if spread else "–", min(r["moved"] for r in rows), count, verified, len(rows)))
    return lines


def idle_table(idle):
    if not idle:
        return []
    lines = ["", "| interval | system | node | processes | CPU (% of one core) | RSS | private (anonymous) |",
             "| --- | --- | --- | ---: | ---: | ---: | ---: |"]
    for row in idle:
        lines.append("| %s | %s | %s (%s) | %d | %.3f %% | %.1f MiB | %.1f MiB |" % (
            row["setting"], row["system"], row["node"], row["role"], row["processes"], row["cpu_percent"],
            row["rss"] / 2**20, row["anonymous"] / 2**20))
    return lines


def targets(results):
    trials, idle = core(results["trials"]), results["idle"]
    many = results["trials"]
    lines = ["| target | measured | met |", "| --- | --- | --- |"]

    def add(text, measured, ok):
        lines.append("| %s | %s | %s |" % (text, measured, "yes" if ok else "**no**"))

    for setting in settings_of(trials):
        for scenario in UNPLANNED:
            f = stats([t["outage"] for t in select(trials, scenario=scenario, setting=setting, system="floatip")])
            k = stats([t["outage"] for t in select(trials, scenario=scenario, setting=setting, system="keepalived")])
            if not f or not k:
                continue
            if setting == "defaults":
                add("%s at defaults: floatip median ≤ 400 ms" % scenario, ms(f["median"]), f["median"] <= 0.4)
            else:
                add("%s at %s: floatip median ≤ 0.8 × keepalived's" % (scenario, setting),
                    "%s vs %s: ratio %s" % (ms(f["median"]), ms(k["median"]), ratio(f, k)), f["median"] <= 0.8 * k["median"])
    for scenario in GAPLESS:
        rows = select(trials, scenario=scenario, system="floatip")
        if rows:
            worst = max(rows, key=lambda r: r["outage"])
            failed = sum(r["failed"] for r in rows)
            add("floatip %s: zero failed requests, longest gap ≤ 10 ms (all %d trials, every setting)" % (scenario, len(rows)),
                "%d failed; longest gap %s (%s)" % (failed, ms(worst["outage"]), worst["setting"]),
                failed == 0 and worst["outage"] <= 0.010)
    rows = [t for t in many if t["kind"] == "many-1000" and t["system"] == "floatip"]
    if rows:
        spread = stats([r["spread"] for r in rows])
        add("1,000 addresses: all reachable on the new holder ≤ 250 ms after the first (floatip, every trial)",
            "median %s, max %s" % (ms(spread["median"]), ms(spread["max"])) if spread else "–",
            bool(spread) and spread["max"] <= 0.25)
    for setting in ("100 ms", "1 s"):
        rows = [r for r in idle if r["setting"] == setting]
        cpu = {(r["system"], r["node"]): r["cpu_percent"] for r in rows}
        for node, what in (("web1", "holder against keepalived's master"), ("web2", "standby against its backup")):
            f, k = cpu.get(("floatip", node)), cpu.get(("keepalived", node))
            if f is not None and k is not None:
                add("idle at %s, %s (%s): CPU ≤ keepalived's" % (setting, node, what),
                    "%.3f %% vs %.3f %%" % (f, k), f <= k)
        pair = [cpu.get((system, node)) for system in SYSTEMS for node in ("web1", "web2")]
        if None not in pair:
            add("idle at %s, the pair: CPU ≤ keepalived's" % setting,
                "%.3f %% vs %.3f %%" % (pair[0] + pair[1], pair[2] + pair[3]), pair[0] + pair[1] <= pair[2] + pair[3])
        for r in rows:
            if r["system"] == "floatip":
                add("idle at %s, %s: private memory ≤ 5 MiB" % (setting, r["node"]),
                    "%.1f MiB private (RSS %.1f MiB)" % (r["anonymous"] / 2**20, r["rss"] / 2**20),
                    r["anonymous"] <= 5 * 2**20)
    return lines


def tradeoff_points(results, scenario="failover (link down)"):
    """Per system, per setting: (idle CPU of the pair in %, median failover in ms, setting)."""
    trials = core(results["trials"])
    points = {}
    for system in SYSTEMS:
        for setting in settings_of(trials):
            idle = [r["cpu_percent"] for r in results["idle"] if r["system"] == system and r["setting"] == setting]
            outage = stats([t["outage"] for t in select(trials, scenario=scenario, setting=setting, system=system)])
            if len(idle) == 2 and outage:
                points.setdefault(system, []).append((sum(idle), outage["median"] * 1000, setting))
    return points


def tradeoff_plot(results, path):
    """Failover time (median, link down) against the pair's idle CPU, one point per setting."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    points = tradeoff_points(results)
    figure, ax = plt.subplots(figsize=(7, 4.5))
    colours = {"floatip": "tab:blue", "keepalived": "tab:orange"}
    for system, rows in points.items():
        rows = sorted(rows)
        ax.plot([r[0] for r in rows], [r[1] for r in rows], marker="o", color=colours[system], label=system)
        for x, y, label in rows:
            ax.annotate(label, (x, y), textcoords="offset points", xytext=(5, 5), fontsize=8, color=colours[system])
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("idle CPU of the pair (% of one core)")
    ax.set_ylabel("failover, link down: median outage (ms)")
    ax.set_title("What each setting costs at rest and buys in a failover (same run)", fontsize=10)
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=110)


def tradeoff_table(results):
    points = tradeoff_points(results)
    if not points:
        return []
    lines = ["", "| system | setting | idle CPU of the pair | failover (link down), median |", "| --- | --- | ---: | ---: |"]
    for system, rows in points.items():
        for cpu, outage, setting in rows:
            lines.append("| %s | %s | %.3f %% | %.0f ms |" % (system, setting, cpu, outage))
    return lines


def plot(results, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker  # noqa: F401 - used through matplotlib.ticker

    everything = results["trials"]
    trials = core(everything)
    settings = settings_of(trials)
    scenarios = list(OrderedDict((t["scenario"], None) for t in trials))
    many = sorted(set(t["addresses"] for t in everything if t["kind"].startswith("many")))
    panels = len(scenarios) + (1 if many else 0)
    columns = 2
    rows = (panels + columns - 1) // columns
    figure, axes = plt.subplots(rows, columns, figsize=(12, 3.6 * rows), squeeze=False)
    colours = {"floatip": "tab:blue", "keepalived": "tab:orange"}

    def strip(ax, groups, labels, ylabel, title):
        for g, (label_values) in enumerate(groups):
            for offset, system in ((-0.18, "floatip"), (0.18, "keepalived")):
                values = [max(v * 1000, 0.1) for v in label_values.get(system, []) if v is not None]  # log scale: 0 shown as 0.1 ms
                if not values:
                    continue
                ax.boxplot([values], positions=[g + offset], widths=0.3, showfliers=False,
                           medianprops={"color": colours[system]}, boxprops={"color": colours[system]},
                           whiskerprops={"color": colours[system]}, capprops={"color": colours[system]})
                jitter = [g + offset + (i % 7 - 3) * 0.02 for i in range(len(values))]
                ax.scatter(jitter, values, s=9, color=colours[system], alpha=0.7,
                           label=system if g == 0 else None)
        ax.set_xticks(range(len(labels)))
        ax.set_xticklabels(labels)
        ax.set_yscale("log")
        plain = matplotlib.ticker.FuncFormatter(lambda value, _: "%g" % value)
        ax.yaxis.set_major_formatter(plain)
        ax.yaxis.set_minor_formatter(matplotlib.ticker.FuncFormatter(
            lambda value, _: "%g" % value if ("%g" % value).lstrip("0.")[:1] in ("2", "5") else ""))
        ax.tick_params(axis="y", which="minor", labelsize=7)
        ax.set_ylabel(ylabel)
        ax.set_title(title, fontsize=10)
        ax.grid(axis="y", alpha=0.3, which="both")

    for index, scenario in enumerate(scenarios):
        ax = axes[index // columns][index % columns]
        groups = [{s: [t["outage"] for t in select(trials, scenario=scenario, setting=st, system=s)] for s in SYSTEMS}
                  for st in settings]
        strip(ax, groups, settings, "longest gap (ms)", scenario)
        if scenario in GAPLESS:
            ax.axhline(10, color="grey", linestyle="--", linewidth=0.8)  # the bound for these
            ax.set_ylim(bottom=1)
        if index == 0:
            ax.legend(loc="upper left", fontsize=8)
    if many:
        index = len(scenarios)
        ax = axes[index // columns][index % columns]
        groups = [{s: [t["spread"] for t in everything if t["kind"] == "many-%d" % n and t["system"] == s] for s in SYSTEMS}
                  for n in many]
        strip(ax, groups, ["%d addresses" % n for n in many], "first → last reached (ms)",
              "many addresses: first to last on the new holder (%s)" % ms(results["meta"]["many_interval"]))
    for index in range(panels, rows * columns):
        axes[index // columns][index % columns].axis("off")
    figure.suptitle("Client-observed outages (probe every 2 ms): floatip vs keepalived, same run", fontsize=11)
    figure.tight_layout()
    figure.savefig(path, dpi=110)


def document(results, plot_name, findings, tradeoff_name="benchmarks-tradeoff.png"):
    meta = results["meta"]
    load = meta["load_start"]
    load_end = meta.get("load_end", load)
    busy = max(load[0], load[1], load_end[0], load_end[1]) > 1.5
    lines = [
        "# Benchmarks: floatip against keepalived",
        "",
        "<!-- Generated by bench/report.py from the results of bench/failover.sh; the findings come from "
        "bench/findings.md. Do not edit by hand: run the benchmark again. -->",
        "",
        "Measured on one Linux machine, in network namespaces the benchmark makes and removes (addresses from "
        "198.18.0.0/15 only, no route out), client-observed: a client asks the floating address every 2 ms and "
        "records who answers. floatip and keepalived run side by side in two identical labs and take turns "
        "(A B A B) in one run.",
        "",
        "## The run",
        "",
        "```sh",
        meta["command"],
        "```",
        "",
        "- Date: %s; duration %.1f min%s." % (meta["date"], meta.get("duration", 0) / 60,
                                                " (a --quick smoke run)" if meta.get("quick") else ""),
        "- Machine: %d CPUs (%s), %.1f GiB memory, kernel %s, %s; %s; %s; Python %s." % (
            meta["cpus"], meta["cpu"], meta["memory"] / 2**30, meta["kernel"], meta["distro"], meta["swift"],
            meta["keepalived"], meta["python"]),
        "- floatip: release build of commit %s." % meta["floatip_commit"],
        "- Repetitions: %d per system, scenario and setting; random seed %d." % (meta["reps"], meta["seed"]),
        "- Load average (1, 5, 15 min) at the start %s, at the end %s.%s" % (
            " / ".join("%.2f" % x for x in load), " / ".join("%.2f" % x for x in load_end),
            " **The machine was busy** (load above 1.5 on 2 cores: other builds were running), so timings carry "
            "scheduling noise; both systems were exposed to it alike, alternating trial by trial." if busy else ""),
        "",
        "## Targets (issues 6 and 22)",
        "",
    ]
    lines += targets(results)
    if findings:
        lines += ["", findings.strip()]
    lines += [
        "",
        "## Method",
        "",
        "- **Labs.** Two labs like `floatip lab` (docs/lab.md): a bridge, web1 (priority 200), web2 (190) and a "
        "client; nodes 198.18.0.N/16, client 198.18.0.200/16, floating address 198.18.0.100/32. Each node runs "
        "`floatip lab responder` (UDP 7480, answers with its name) and the system under test. floatip: "
        "`floatip agent` with one required `interface` check on eth0. keepalived: one `vrrp_instance` per node, "
        "`state BACKUP`, `unicast_peer` to the other node, `track_interface eth0`, the address as "
        "`virtual_ipaddress ... dev eth0` (more addresses as `virtual_ipaddress_excluded`), run as "
        "`keepalived -n -l -D -P -f CONF -p PIDFILE -r VRRP_PIDFILE` in the node's namespace.",
        "- **Same interval, same dead multiplier.** At each setting both advertise every *interval* "
        "(keepalived VRRPv3 `advert_int`, floatip `timers.interval`). keepalived's backup declares the master down "
        "after 3 × interval + Skew_Time, Skew_Time = (256 − 190) / 256 × interval, so 3.26 × interval; floatip's "
        "`dead_after` is a whole number and 3 is the closest (3.0 × interval). floatip's `preempt_delay` is 1 s "
        "(keepalived preempts at once: its default). **Defaults** means each system's own: floatip 20 ms × 15 "
        "(300 ms), `preempt_delay` 10 s; keepalived VRRPv2, `advert_int 1` (master down 3.26 s).",
        "- **Probe.** From the client namespace, a request every 2 ms on absolute deadlines (bench/probe.py); a "
        "request not answered within 100 ms failed. **Outage** = the longest gap between two consecutive answers, "
        "from the last answer before the fault to the first answer from the new holder; **failed requests** = "
        "requests sent from the fault until then that got no answer. With nothing lost the gap is about 2 ms.",
        "- **Random phase.** Before every fault the harness sleeps a random time in [0, interval) so the fault "
        "lands at a random point of the advertisement cycle.",
        "- **Scenarios.** *failover (link down)*: `ip link set eth0 down` on web1 (holder); *failback*: the link "
        "comes back and web1 preempts. *failover (host death)*: web1's daemon SIGKILLed (keepalived: parent "
        "frozen with SIGSTOP, VRRP child and parent SIGKILLed, so no parent-death signal gives the child a clean "
        "exit) and the address deleted from eth0 at once; *failback after restart*: the daemon started again. "
        "*planned switchover*: floatip `floatip maintenance on` on web1 (make-before-break); keepalived's fastest "
        "planned move, a clean stop of web1 (SIGTERM: it sends a priority-0 advertisement and web2 takes over "
        "after Skew_Time; lowering web1's priority instead would make web2 wait the whole master-down interval, "
        "because a VRRP backup discards lower-priority advertisements, RFC 5798 6.4.2). *planned return*: "
        "`maintenance off` / keepalived started again. Times are taken just before the fault command runs.",
        "- **Many addresses** (%s interval): one group of N addresses (198.18.0.100 and 198.18.1.1 …); the client "
        "first asks each once (so its neighbour table points every address at web1), then web1's link goes down. "
        "The probe asks the first and the last address every 2 ms, and the client's neighbour table is watched "
        "(rtnetlink): an address is *reached on the new holder* when the client's entry for it moves to web2's "
        "MAC (after web2 added it and announced it) or, for the two probed addresses, when web2 answers. The "
        "figure is the time from the first address answering on web2 to the last one reached; a final round "
        "asks every address once to check they all answer from web2." % ms(meta["many_interval"]),
        "- **Idle cost**: both labs left alone for %g s per interval (after 5 s to settle); CPU = the scheduler's "
        "run time of every thread of the daemon's processes (keepalived: parent and VRRP child; "
        "/proc/PID/task/TID/schedstat, in ns: utime + stime are sampled in 10 ms ticks and miss or double-count "
        "short wake-ups) over the wall time, in %% of one core; "
        "RSS and anonymous (private) memory from /proc/PID/smaps_rollup, the peak of samples every 5 s."
        % meta["idle_seconds"],
        "",
        "## Outages",
        "",
        "![outage distributions](%s)" % plot_name,
    ]
    lines += outage_tables(results["trials"])
    lines += ["", "## Many addresses", ""] + many_table(results["trials"])
    lines += ["", "## Idle cost", ""] + idle_table(results["idle"])
    lines += ["", "## The trade: failover time against idle cost", "",
              "One point per setting (each system's defaults, 20 ms, 100 ms, 1 s): below and left is better "
              "(faster at the same cost, cheaper at the same speed).", "",
              "![failover time against idle CPU](%s)" % tradeoff_name] + tradeoff_table(results)
    failures = results.get("failures") or []
    lines += ["", "## Trials that failed", ""]
    if failures:
        lines += ["- %s, %s: %s (the daemons were restarted; the trial is not in the tables)" % (
            f["system"], f["setting"], f["what"]) for f in failures]
    else:
        lines.append("None.")
    return "\n".join(lines) + "\n"


def main():
    if len(sys.argv) < 4:
        print(__doc__, file=sys.stderr)
        return 64
    results = json.load(open(sys.argv[1]))
    doc, image = sys.argv[2], sys.argv[3]
    findings = open(sys.argv[4]).read() if len(sys.argv) > 4 and os.path.exists(sys.argv[4]) else ""
    plot(results, image)
    tradeoff = os.path.join(os.path.dirname(image), "benchmarks-tradeoff.png")
    tradeoff_plot(results, tradeoff)
    folder = os.path.dirname(os.path.abspath(doc))
    with open(doc, "w") as f:
        f.write(document(results, os.path.relpath(image, folder), findings, os.path.relpath(tradeoff, folder)))
    print("wrote %s, %s and %s" % (doc, image, tradeoff))
    return 0


if __name__ == "__main__":
    sys.exit(main())

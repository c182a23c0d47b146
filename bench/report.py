"""The summary table of a bench run: medians of the rounds, one row per peer and page.

Reads what ``bench/run`` leaves in its results folder: ``bench/results.tsv``
and ``bench/meta.txt`` (written by ``../shared/peers/bench.sh``: one line per
round, peer and kind), ``bench.log`` (bench.sh's log, which says when each
measurement ended) and ``busy.tsv`` (``busy.py``'s CPU samples, one a second).

- req/s, p50 and p99 are the medians of the rounds; the ratio is taken per
  round against nginx-static's req/s in that same round, then its median is
  shown, so slow drift of this shared machine cancels out.
- CPU ms/req is the server's own CPU time (its process tree, both cores)
  per request while it was measured: it barely moves when other processes
  take cores away, unlike req/s. It leaves out PostgreSQL's and Redis' work
  for the peers that use them.
- others' CPU is the CPU that processes which are neither a server under
  test nor wrk nor a database used during the row's worst round (100 % = one
  core of the two): a row measured while someone's tests ran shows it.

Then, for whichever phases the run had (see bench/README.md):

- publish-to-visible (``storm-*.json``, written by ``storm.py``): per
  surface, the median, p99 and maximum time from the publish request to the
  first response showing the story, over the publishes; the reader load's
  requests/s, p50 and p99 without publishing and during the storm, and its
  non-2xx responses and socket errors;
- memory (``memory.tsv`` from ``../shared/peers/memsnap.sh``, ``peak.tsv``
  from bench/run): RSS and PSS of every server after its load, per process,
  and the peak RSS (``VmHWM``) of Masthead's processes.

Standard library only; the peers' ``bench_report.py table`` shows every round.

Usage: python bench/report.py RESULTS_DIR
"""

from __future__ import annotations

import csv
import json
import math
import os
import re
import sys
from collections import defaultdict
from pathlib import Path
from statistics import mean, median

# wrk's output is parsed by the peers' own parser, so every table reads it the same way.
PEERS_DIR = Path(
    os.environ.get("PEERS_DIR") or Path(__file__).resolve().parents[2] / "shared" / "peers"
)


def parse_wrk(raw: str):
    """wrk's output as the peers' bench_report.parse reads it (imported when first needed,
    so the tables' own code and its tests do not need the peers' folder)."""
    if str(PEERS_DIR) not in sys.path:
        sys.path.insert(0, str(PEERS_DIR))
    from bench_report import parse

    return parse(raw)


REFERENCE = "nginx-static"
SURFACES = ("home", "desk", "recent", "feed", "desk_feed")
MEASURED = re.compile(r"^\[(\d\d:\d\d:\d\d)\] r(\d+) (\S+) (\S+): ")


def clock_seconds(clock: str) -> int:
    hours, minutes, seconds = (int(part) for part in clock.split(":"))
    return hours * 3600 + minutes * 60 + seconds


def duration_of(meta: Path) -> int:
    found = re.search(r"duration=(\d+)", meta.read_text())
    return int(found.group(1)) if found else 15


def cpu_windows(
    results: Path, suffix: str = "", extra: str = ""
) -> dict[tuple[str, str, str], tuple[float, ...]]:
    """(round, peer, kind) -> (server CPU %, others' CPU %[, ``extra``'s CPU %]), means
    over its wrk run; ``suffix`` "-busy": the WIRE_BUSY passes (bench-busy.log)."""
    busy, log = results / "busy.tsv", results / f"bench{suffix}.log"
    if not busy.exists() or not log.exists():
        return {}
    duration = duration_of(results / f"bench{suffix}" / "meta.txt")
    samples = []
    for line in busy.read_text().splitlines():
        clock, _load, others, _busiest, servers = (line.split("\t") + [""] * 5)[:5]
        per_server = dict(item.rsplit(":", 1) for item in servers.split())
        samples.append((clock_seconds(clock), float(others), per_server))
    windows = {}
    for line in log.read_text().splitlines():
        found = MEASURED.match(line)
        if not found:
            continue
        end = clock_seconds(found.group(1))
        round_, peer, kind = found.group(2), found.group(3), found.group(4)
        # The log line follows wrk's end by well under a second; skip the first
        # second of the run, where the sample still holds the gap before it.
        inside = [s for s in samples if end - duration + 1 < s[0] <= end]
        if not inside:
            continue
        server = [float(s[2][peer]) for s in inside if peer in s[2]]
        # The wire worker is a named "server" in busy.tsv, so not in "others".
        added = [float(s[2][extra]) for s in inside if extra in s[2]] if extra else []
        windows[(round_, peer, kind)] = (
            mean(server) if server else float("nan"),
            mean(s[1] for s in inside),
            *([mean(added)] if added else []),
        )
    return windows


def fmt(value: float | None, digits: int = 1) -> str:
    if value is None or value != value:
        return "-"
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:.{digits}f}"


def pages_table(results: Path) -> str:
    with open(results / "bench" / "results.tsv", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    windows = cpu_windows(results)
    reference = {
        (row["kind"], row["round"]): float(row["rps"])
        for row in rows
        if row["peer"] == REFERENCE and row["rps"]
    }
    cells: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for row in rows:
        cells[(row["peer"], row["kind"])].append(row)

    lines = [
        "| peer | kind | bytes | req/s | p50 ms | p99 ms | ÷ nginx-static | req/s by round "
        "| CPU ms/req | others' CPU | errors | RSS MB |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for (peer, kind), measured in cells.items():
        good = [row for row in measured if row["rps"]]
        if not good:
            status = measured[-1]["status"]
            lines.append(f"| {peer} | {kind} | HTTP {status} |" + " - |" * 9)
            continue
        rps = [float(row["rps"]) for row in good]
        timed = [row for row in good if float(row["rps"]) > 0]  # wrk shows no latency without any
        ratios = [
            float(row["rps"]) / reference[(kind, row["round"])]
            for row in good
            if (kind, row["round"]) in reference
        ]
        cpu = [windows.get((row["round"], peer, kind)) for row in good]
        cost = [
            c[0] * 10 / float(row["rps"])
            for c, row in zip(cpu, good, strict=True)
            if c and float(row["rps"]) > 0  # 0: no request finished within the run
        ]
        others = [c[1] for c in cpu if c]
        errors = sum(int(row["non2xx"] or 0) + int(row["sock_err"] or 0) for row in good)
        rss = [float(row["rss_mb"]) for row in good if row["rss_mb"]]
        cells_out = [
            peer,
            kind,
            good[-1]["bytes"],
            fmt(median(rps), 0),
            fmt(median(float(row["p50_ms"]) for row in timed) if timed else None, 2),
            fmt(median(float(row["p99_ms"]) for row in timed) if timed else None, 1),
            f"{median(ratios):.3g}" if ratios else "-",
            " / ".join(fmt(value, 0) for value in rps),
            f"{median(cost):.3g}" if cost else "-",
            f"{max(others):.0f} %" if others else "-",
            str(errors),
            fmt(max(rss), 0) if rss else "-",
        ]
        lines.append("| " + " | ".join(cells_out) + " |")
    return "\n".join(lines)


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (p99 of 100 values is the 99th smallest)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def ms(seconds: float) -> str:
    return fmt(seconds * 1000, 0)


def spread_row(label: str, what: str, times: list[float | None], slowest: str) -> str:
    """| label | what | n | median | p99 | max | missing | slowest |, over the times not None."""
    seen = [took for took in times if took is not None]
    cells = [label, what, str(len(times))]
    if seen:
        cells += [ms(median(seen)), ms(percentile(seen, 0.99)), ms(max(seen))]
    else:
        cells += ["-", "-", "-"]
    return "| " + " | ".join([*cells, str(len(times) - len(seen)), slowest]) + " |"


def storm_tables(storms: list[dict], others: dict[str, float] | None = None) -> str:
    """Publish-to-visible per surface, then the reader load without and during the storm.

    ``others``: label -> mean CPU % of other processes during that storm (busy.py).
    """
    lines = [
        "| run | surface | publishes | median ms | p99 ms | max ms | not visible in time "
        "| slowest single poll ms |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for storm in storms:
        label, publishes = storm["label"], storm["publishes"]
        lines.append(
            spread_row(label, "(publish request)", [p["publish_s"] for p in publishes], "-")
        )
        for surface in SURFACES:
            slowest = [p.get("slowest_poll_s", {}).get(surface) for p in publishes]
            slowest = [took for took in slowest if took is not None]
            lines.append(
                spread_row(
                    label,
                    surface,
                    [p["visible_s"].get(surface) for p in publishes],
                    ms(max(slowest)) if slowest else "-",
                )
            )
        # Every surface of one publish: when the last of them showed the story.
        last = [
            None if None in p["visible_s"].values() else max(p["visible_s"].values())
            for p in publishes
        ]
        lines.append(spread_row(label, "**all surfaces**", last, "-"))
    lines += [
        "",
        "| run | load URL | req/s without | p50 ms | p99 ms | req/s during storm | p50 ms | p99 ms "
        "| non-2xx + socket errors (without / during) | storm s | poll errors | others' CPU |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for storm in storms:
        before = {load["url"]: load for load in storm["baseline"]}
        other = (others or {}).get(storm["label"])
        for load in storm["during"]:
            base = before.get(load["url"])
            errors_before = base["non2xx"] + base["socket_errors"] if base else "-"
            base = base or {}
            cells = [
                storm["label"],
                load["url"].removeprefix("http://127.0.0.1"),
                fmt(base.get("rps"), 0),
                fmt(base.get("p50_ms"), 2),
                fmt(base.get("p99_ms"), 1),
                fmt(load["rps"], 0),
                fmt(load["p50_ms"], 2),
                fmt(load["p99_ms"], 1),
                f"{errors_before} / {load['non2xx'] + load['socket_errors']}",
                f"{storm['storm_seconds']:.0f}",
                str(storm["poll_errors"]),
                f"{other:.0f} %" if other is not None else "-",
            ]
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def others_cpu(busy: Path) -> float | None:
    """Mean CPU % of other processes over a busy.py file (100 % = one core)."""
    if not busy.exists():
        return None
    values = [float(line.split("\t")[2]) for line in busy.read_text().splitlines() if line]
    return mean(values) if values else None


def memory_table(results: Path) -> str:
    """memsnap.sh's RSS/PSS per server and process, with Masthead's peak RSS beside it."""
    peaks = {}
    if (results / "peak.tsv").exists():
        for line in (results / "peak.tsv").read_text().splitlines():
            name, total, per_process = [*line.split("\t"), "", ""][:3]
            peaks[name] = (total, per_process)
    lines = [
        "| server | processes | RSS MB | PSS MB | per process: name:RSS/PSS MB "
        "| peak RSS MB (VmHWM, per process) |",
        "|---|---:|---:|---:|---|---|",
    ]
    for line in (results / "memory.tsv").read_text().splitlines():
        name, processes, rss, pss, per_process = [*line.split("\t"), "", "", "", ""][:5]
        total, peak_list = peaks.get(name, ("", ""))
        peak = f"{total} ({peak_list.strip()})" if total else "-"
        lines.append(f"| {name} | {processes} | {rss} | {pss} | {per_process.strip()} | {peak} |")
    load = results / "memory-load.tsv"
    if load.exists() and load.read_text().strip():
        lines += [
            "",
            "The load before the snapshot (urls.py's paths in turn, urls.lua):",
            "",
            "| server | paths | req/s | p50 ms | p99 ms | non-2xx | socket errors |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for line in load.read_text().splitlines():
            name, paths, rps, p50, p99, non2xx, errors = [*line.split("\t"), *[""] * 7][:7]
            cells = [name, paths, fmt(float(rps), 0), fmt(float(p50), 2), fmt(float(p99), 1)]
            lines.append("| " + " | ".join([*cells, non2xx, errors]) + " |")
    return "\n".join(lines)


def read_rounds(path: Path) -> dict[tuple[str, str], dict[str, dict]]:
    """(peer, kind) -> round -> row of a bench.sh results.tsv, measured rows only."""
    with open(path, newline="") as handle:
        rows = [row for row in csv.DictReader(handle, delimiter="\t") if row["rps"]]
    cells: dict[tuple[str, str], dict[str, dict]] = defaultdict(dict)
    for row in rows:
        cells[(row["peer"], row["kind"])][row["round"]] = row
    return cells


def busy_table(results: Path) -> str:
    """WIRE_BUSY=1: each row idle and with the wire worker busy, round by round.

    busy ÷ idle is taken per round (the idle and busy passes of one round are
    minutes apart) and its median shown; so is each pass's ratio to
    nginx-static. "wire CPU" is the wire workers' and feed servers' CPU during
    the busy measurement (100 % = one core), "others" everyone else's.
    """
    idle = read_rounds(results / "bench" / "results.tsv")
    busy = read_rounds(results / "bench-busy" / "results.tsv")
    idle_cpu, busy_cpu = cpu_windows(results), cpu_windows(results, "-busy", extra="wire")
    lines = [
        "| row | kind | req/s idle | req/s busy | **busy ÷ idle** (by round) | ÷ nginx-static "
        "idle / busy | p99 ms idle / busy | CPU ms/req idle / busy | wire CPU | others' CPU |",
        "|---|---|---:|---:|---:|---|---|---|---:|---:|",
    ]

    def ratio_to_nginx(cells, peer, kind) -> str:
        ours, reference = cells.get((peer, kind), {}), cells.get((REFERENCE, kind), {})
        found = [float(ours[r]["rps"]) / float(reference[r]["rps"]) for r in ours if r in reference]
        return f"{median(found):.2f}" if found else "-"

    def cost(cells, windows, peer, kind) -> str:
        found = [
            windows[(r, peer, kind)][0] * 10 / float(row["rps"])
            for r, row in cells.get((peer, kind), {}).items()
            if (r, peer, kind) in windows and float(row["rps"]) > 0
        ]
        return f"{median(found):.3g}" if found else "-"

    for (peer, kind), by_round in busy.items():
        before = idle.get((peer, kind), {})
        rounds = sorted(set(by_round) & set(before))
        if not rounds:
            continue
        ratios = [float(by_round[r]["rps"]) / float(before[r]["rps"]) for r in rounds]
        wire = [
            busy_cpu[(r, peer, kind)][2]
            for r in rounds
            if len(busy_cpu.get((r, peer, kind), ())) > 2
        ]
        others = [busy_cpu[(r, peer, kind)][1] for r in rounds if (r, peer, kind) in busy_cpu]
        cells = [
            peer,
            kind,
            fmt(median(float(before[r]["rps"]) for r in rounds), 0),
            fmt(median(float(by_round[r]["rps"]) for r in rounds), 0),
            f"**{median(ratios):.2f}** ({' / '.join(f'{x:.2f}' for x in ratios)})",
            f"{ratio_to_nginx(idle, peer, kind)} / {ratio_to_nginx(busy, peer, kind)}",
            f"{fmt(median(float(before[r]['p99_ms']) for r in rounds))} / "
            f"{fmt(median(float(by_round[r]['p99_ms']) for r in rounds))}",
            f"{cost(idle, idle_cpu, peer, kind)} / {cost(busy, busy_cpu, peer, kind)}",
            f"{mean(wire):.0f} %" if wire else "-",
            f"{max(others):.0f} %" if others else "-",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    progress = results / "wire-busy.tsv"
    if progress.exists():
        with open(progress, newline="") as handle:
            passes = list(csv.DictReader(handle, delimiter="\t"))
        if passes:
            lines += [
                "",
                "| round | backend | wire items stored during the busy pass | items/s "
                "| sources still queued after it |",
                "|---:|---|---:|---:|---:|",
            ]
            for row in passes:
                stored = int(row["stored_after"]) - int(row["stored_before"])
                seconds = max(1, int(row["seconds"]))
                lines.append(
                    f"| {row['round']} | {row['backend']} | {stored:,} | {stored / seconds:,.0f} "
                    f"| {row['sources_left']} |"
                )
    return "\n".join(lines)


def summarise(results: Path) -> str:
    parts = []
    if (results / "bench" / "results.tsv").exists():
        parts += ["## Warm pages", "", pages_table(results)]
    if (results / "bench-busy" / "results.tsv").exists():
        parts += ["", "## Warm pages while the wire ingests (WIRE_BUSY=1)", "", busy_table(results)]
    # In the order they ran: sqlite, pg, two-servers.
    files = sorted(results.glob("storm-*.json"), key=lambda path: path.stat().st_mtime)
    storms = [json.loads(path.read_text()) for path in files]
    if storms:
        others = {s["label"]: others_cpu(results / f"busy-storm-{s['label']}.tsv") for s in storms}
        parts += ["", "## Publish-to-visible", "", storm_tables(storms, others)]
    if (results / "memory.tsv").exists():
        parts += ["", "## Memory after the load", "", memory_table(results)]
    return "\n".join(parts).strip()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    print(summarise(Path(sys.argv[1])))

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

Standard library only; the peers' ``bench_report.py table`` shows every round.

Usage: python bench/report.py RESULTS_DIR
"""

from __future__ import annotations

import csv
import re
import sys
from collections import defaultdict
from pathlib import Path
from statistics import mean, median

REFERENCE = "nginx-static"
MEASURED = re.compile(r"^\[(\d\d:\d\d:\d\d)\] r(\d+) (\S+) (\S+): ")


def clock_seconds(clock: str) -> int:
    hours, minutes, seconds = (int(part) for part in clock.split(":"))
    return hours * 3600 + minutes * 60 + seconds


def duration_of(meta: Path) -> int:
    found = re.search(r"duration=(\d+)", meta.read_text())
    return int(found.group(1)) if found else 15


def cpu_windows(results: Path) -> dict[tuple[str, str, str], tuple[float, float]]:
    """(round, peer, kind) -> (server CPU %, others' CPU %), means over its wrk run."""
    busy, log = results / "busy.tsv", results / "bench.log"
    if not busy.exists() or not log.exists():
        return {}
    duration = duration_of(results / "bench" / "meta.txt")
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
        windows[(round_, peer, kind)] = (
            mean(server) if server else float("nan"),
            mean(s[1] for s in inside),
        )
    return windows


def fmt(value: float | None, digits: int = 1) -> str:
    if value is None or value != value:
        return "-"
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:.{digits}f}"


def summarise(results: Path) -> str:
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
        ratios = [
            float(row["rps"]) / reference[(kind, row["round"])]
            for row in good
            if (kind, row["round"]) in reference
        ]
        cpu = [windows.get((row["round"], peer, kind)) for row in good]
        cost = [c[0] * 10 / float(row["rps"]) for c, row in zip(cpu, good, strict=True) if c]
        others = [c[1] for c in cpu if c]
        errors = sum(int(row["non2xx"] or 0) + int(row["sock_err"] or 0) for row in good)
        rss = [float(row["rss_mb"]) for row in good if row["rss_mb"]]
        cells_out = [
            peer,
            kind,
            good[-1]["bytes"],
            fmt(median(rps), 0),
            fmt(median(float(row["p50_ms"]) for row in good), 2),
            fmt(median(float(row["p99_ms"]) for row in good), 1),
            f"{median(ratios):.3g}" if ratios else "-",
            " / ".join(fmt(value, 0) for value in rps),
            f"{median(cost):.3g}" if cost else "-",
            f"{max(others):.0f} %" if others else "-",
            str(errors),
            fmt(max(rss), 0) if rss else "-",
        ]
        lines.append("| " + " | ".join(cells_out) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    print(summarise(Path(sys.argv[1])))

"""CPU use during a bench run: the servers under test, and everyone else.

This machine is shared: a test suite or a browser someone else starts during
a measurement takes cores from the server being measured, and requests/s
drop for reasons that have nothing to do with the server. Every INTERVAL
seconds this sampler reads each process's CPU time from /proc and writes one
line with

- the CPU % of each named server (the process tree under its pid file), so
  the report can show CPU milliseconds per request, which foreign load
  barely changes, next to requests/s, which it does;
- the CPU % of processes that are no server under test, no database and no
  load generator ("others"), and the busiest of them by name, so a number
  taken while something else ran can be recognised afterwards.

100 % is one core. Processes that start and end between two samples are not
seen (short ``wrk`` runs, short test processes): "others" is a lower bound.
Standard library only (psutil and pidstat are not installed here).

Usage: python bench/busy.py INTERVAL OUT.tsv [NAME=PIDFILE[,PIDFILE...] ...]
Output lines: time, load average, others %, busiest others, NAME:% for each server.
"""

from __future__ import annotations

import os
import sys
import time
from collections import defaultdict

TICKS = os.sysconf("SC_CLK_TCK")
SHOWN = 4
# Not "others": the load generator and the databases the peers use. This
# sampler and its shell are "python3"/"bash" and use well under 1 %.
INFRASTRUCTURE = {"wrk", "curl", "postgres", "redis-server"}


def processes() -> dict[int, tuple[str, int, float]]:
    """pid -> (command name, parent pid, seconds of user+system CPU so far)."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                stat = handle.read()
        except OSError:
            continue  # the process ended between listdir and open
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        found[int(entry)] = (name, int(fields[1]), (int(fields[11]) + int(fields[12])) / TICKS)
    return found


def tree(root: int, table: dict[int, tuple[str, int, float]]) -> set[int]:
    children = defaultdict(list)
    for pid, (_name, parent, _cpu) in table.items():
        children[parent].append(pid)
    members, todo = set(), [root]
    while todo:
        pid = todo.pop()
        if pid in table and pid not in members:
            members.add(pid)
            todo.extend(children[pid])
    return members


def percent(pid: int, now: dict, before: dict, elapsed: float) -> float:
    """CPU % of one process between two samples (a new process: since it started)."""
    name, _parent, cpu = now[pid]
    return max(0.0, cpu - before.get(pid, (name, 0, 0.0))[2]) / elapsed * 100


def read_pid(path: str) -> int | None:
    try:
        with open(path) as handle:
            return int(handle.read().strip())
    except (OSError, ValueError):
        return None


def sample(interval: float, out, servers: dict[str, list[str]]) -> None:
    before, started = processes(), time.monotonic()
    while True:
        time.sleep(interval)
        now, ended = processes(), time.monotonic()
        elapsed = ended - started
        owned: set[int] = set()
        per_server = []
        for name, pid_files in servers.items():
            members = set()
            for path in pid_files:
                pid = read_pid(path)
                if pid is not None:
                    members |= tree(pid, now)
            owned |= members
            server_cpu = sum(percent(pid, now, before, elapsed) for pid in members)
            per_server.append(f"{name}:{server_cpu:.1f}")
        others: dict[str, float] = defaultdict(float)
        for pid, (name, _parent, _cpu) in now.items():
            if pid not in owned and name not in INFRASTRUCTURE:
                others[name] += percent(pid, now, before, elapsed)
        busiest = sorted(others.items(), key=lambda item: -item[1])[:SHOWN]
        with open("/proc/loadavg") as handle:
            load = handle.read().split()[0]
        out.write(
            "\t".join(
                [
                    time.strftime("%H:%M:%S"),
                    load,
                    f"{sum(others.values()):.1f}",
                    " ".join(f"{name}:{percent:.0f}" for name, percent in busiest),
                    " ".join(per_server),
                ]
            )
            + "\n"
        )
        out.flush()
        before, started = now, ended


def parse_servers(arguments: list[str]) -> dict[str, list[str]]:
    servers = {}
    for argument in arguments:
        name, _, paths = argument.partition("=")
        servers[name] = [path for path in paths.split(",") if path]
    return servers


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    with open(sys.argv[2], "a") as target:
        sample(float(sys.argv[1]), target, parse_servers(sys.argv[3:]))

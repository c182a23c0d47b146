"""The wire benchmarks' copy and tables (bench/wire_copy.py, bench/report.py's busy table).

The copy must be what the benchmarks claim: valid in each format (the
parsers refuse nothing), new items that dedupe never folds, the same bytes
for the same seed. The busy table takes busy ÷ idle round by round.
Run: .venv/bin/pytest -q bench/tests
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import report
import wire_copy

from masthead.wire import ingest, parsers


@pytest.mark.parametrize("kind", wire_copy.KINDS)
def test_documents_are_valid_and_every_item_is_new_copy(kind):
    body = wire_copy.document(kind, 60, seed=7, prefix="urn:test")
    parsed = parsers.parse(body, kind)

    assert parsed.refused == []
    assert [copy.provider_id for copy in parsed.items] == [f"urn:test-{n}" for n in range(1, 61)]
    assert all(not copy.problems for copy in parsed.items)
    fingerprints = {ingest._fingerprint(c.headline, c.body_html)[0] for c in parsed.items}
    assert len(fingerprints) == 60  # no two alike: dedupe folds nothing
    words = [len(ingest.body_text(copy.body_html).split()) for copy in parsed.items]
    assert 150 < sum(words) / len(words) < 600  # an agency story's length


def test_the_same_seed_gives_the_same_bytes_and_another_seed_other_copy():
    now = datetime(2026, 11, 30, 14, tzinfo=UTC)
    for kind in wire_copy.KINDS:
        first = wire_copy.document(kind, 5, 1, "urn:a", now=now)
        assert wire_copy.document(kind, 5, 1, "urn:a", now=now) == first
    bodies = [
        {
            c.body_html
            for c in parsers.parse(wire_copy.document("rss", 5, seed, "urn:a"), "rss").items
        }
        for seed in (1, 2)
    ]
    assert not bodies[0] & bodies[1]


HEADER = (
    "round\tpeer\tkind\turl\tstatus\tbytes\trps\tp50_ms\tp99_ms\tnon2xx\tsock_err\t"
    "rss_mb\trss_procs_mb\n"
)


def results(folder: Path, rows: list[tuple[str, str, str, float]]) -> None:
    folder.mkdir(parents=True)
    lines = [HEADER] + [
        f"{r}\t{peer}\t{kind}\thttp://127.0.0.1/\t200\t100\t{rps}\t0.5\t4.0\t0\t0\t50\t50\n"
        for r, peer, kind, rps in rows
    ]
    (folder / "results.tsv").write_text("".join(lines))


def test_busy_table_takes_busy_over_idle_round_by_round(tmp_path):
    results(
        tmp_path / "bench",
        [
            ("1", "nginx-static", "article", 40_000), ("1", "masthead", "article", 36_000),
            ("2", "nginx-static", "article", 20_000), ("2", "masthead", "article", 18_000),
        ],
    )  # fmt: skip
    results(
        tmp_path / "bench-busy",
        [
            ("1", "nginx-static", "article", 38_000), ("1", "masthead", "article", 32_400),
            ("2", "nginx-static", "article", 20_000), ("2", "masthead", "article", 17_100),
        ],
    )  # fmt: skip
    (tmp_path / "wire-busy.tsv").write_text(
        "round\tbackend\tstored_before\tstored_after\tsources_left\tseconds\n"
        "1\tsqlite\t0\t3000\t250\t30\n"
    )

    table = report.busy_table(tmp_path)

    masthead = next(line for line in table.splitlines() if line.startswith("| masthead |"))
    # Round 1: 32,400 / 36,000 = 0.90; round 2: 17,100 / 18,000 = 0.95; median 0.925.
    # (The medians of req/s, 18,000 … 36,000, would say nothing: the machine halved.)
    assert "**0.93** (0.90 / 0.95)" in masthead or "**0.92** (0.90 / 0.95)" in masthead
    assert "| 0.90 / 0.85 |" in masthead  # ÷ nginx-static idle / busy, medians of rounds
    assert "| 1 | sqlite | 3,000 | 100 | 250 |" in table
    assert "| nginx-static | article |" in table
    assert "Warm pages while the wire ingests" in report.summarise(tmp_path)

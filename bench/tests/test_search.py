"""The search benchmark (bench/search.py) on a tiny corpus, and its corpus.

bench/search.py runs as the benchmark runs it, in a process of its own on a
200-story SQLite folder (whatever database the tests use): it loads the
corpus, builds the index, runs every query and writes its tables. Then the
same folder with another story count is refused, untouched.
Run: .venv/bin/pytest -q bench/tests/test_search.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import generate
import search

SCRIPT = Path(search.__file__)


def run(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CACHE_URL")}
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=240,
        check=False,
    )


def test_a_tiny_corpus_runs_end_to_end_and_a_different_size_is_refused(tmp_path):
    data, out = tmp_path / "data", tmp_path / "out"
    done = run("--sqlite", str(data), "--stories", "200", "--rounds", "2", "--out", str(out))
    assert done.returncode == 0, done.stderr[-3000:]

    table = (out / "table.md").read_text()
    for kind in (*search.KINDS, "all"):
        assert f"| {kind} |" in table
    samples = json.loads((out / "samples.json").read_text())
    assert samples["info"]["stories"] == 200
    assert samples["info"]["rebuilt"] is True
    assert samples["info"]["rounds"] == 2
    queries = samples["queries"]
    assert {q["kind"] for q in queries} == set(search.KINDS)
    for index in range(len(queries)):
        assert len(samples["samples"]["masthead"][str(index)]) == 2
    missing = next(i for i, q in enumerate(queries) if q["text"] == search.MISSING_WORD)
    assert samples["hits"]["masthead"][str(missing)] == 0
    common = next(i for i, q in enumerate(queries) if q["label"] == "common (rank 3)")
    assert samples["hits"]["masthead"][str(common)] == search.RESULTS  # in nearly every story
    assert "sqlite" in (out / "versions.txt").read_text()
    # Each search's own CPU time and its wait for a CPU (Linux's schedstat), per round.
    for index in range(len(queries)):
        pairs = samples["cpu"][str(index)]
        assert len(pairs) == 2 and all(on > 0 and queued >= 0 for on, queued in pairs)
    assert "| all |" in table.split("waiting for a CPU")[1]

    again = run("--sqlite", str(data), "--stories", "300", "--rounds", "1", "--out", str(out))
    assert again.returncode != 0
    assert "holds 200 stories, not 300" in again.stderr


def test_the_news_vocabulary_is_fixed_and_zipf_shaped():
    vocabulary = generate.news_vocabulary()
    assert vocabulary == generate.news_vocabulary()
    assert len(vocabulary) == len(set(vocabulary)) == generate.NEWS_VOCABULARY_SIZE
    assert vocabulary[:3] == ["tehran", "parliament", "budget"]
    assert search.MISSING_WORD not in vocabulary

    import random

    text = generate.Text("news", random.Random(5))
    words = text.sample(200_000)
    top, rank_1000 = words.count(vocabulary[0]), words.count(vocabulary[999])
    assert 500 < top / max(rank_1000, 1) < 2000  # frequency ∝ 1 / rank
    # the default text is the one the page benchmarks were measured on
    assert set(generate.Text("small", random.Random(5)).sample(8)) <= set(generate.WORDS)


def test_percentile_is_nearest_rank():
    values = [float(n) for n in range(1, 101)]
    assert search.percentile(values, 0.5) == 50
    assert search.percentile(values, 0.95) == 95
    assert search.percentile([7.0], 0.95) == 7

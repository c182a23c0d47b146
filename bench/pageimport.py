"""The page importer against trafilatura alone, on the test set of pages.

    .venv/bin/python bench/pageimport.py [PAGES_DIR]

For every page in masthead/wire/tests/pages/ (an .html or .txt file with the
expected result beside it as .json): body F1 (token overlap with the
expected body) and whether headline and byline are exactly right and the
published date is the right day (trafilatura returns days only), for
Masthead's importer and for trafilatura used as its docs show (``extract``
for the body, ``bare_extraction`` for title, author, date).
Prints one table and the means; docs/wire-pageimport.md records a run.

    .venv/bin/python bench/pageimport.py --trafilatura-eval CHECKOUT

runs both on trafilatura's own evaluation set instead (a checkout of
github.com/adbar/trafilatura: tests/evaldata.json names ~1,000 real pages in
tests/eval/ and tests/cache/ with snippets their main text must and must not
contain), scoring the share of snippets each gets right, as trafilatura's
tests/evaluate.py does. The pages are not copied into this repository.
"""

from __future__ import annotations

import html
import json
import logging
import os
import re
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings")
os.environ.setdefault("MASTHEAD_DATA_DIR", "/tmp/masthead-bench-pageimport")

import django  # noqa: E402

django.setup()

import trafilatura  # noqa: E402

from masthead.wire.pageimport import PageError, read_file, read_page  # noqa: E402
from masthead.wire.pageimport.source import decode  # noqa: E402

PAGES = ROOT / "masthead" / "wire" / "tests" / "pages"


def tokens(text: str) -> Counter:
    return Counter(re.findall(r"\w+", (text or "").casefold()))


def f1(predicted: str, expected: str) -> float:
    got, want = tokens(predicted), tokens(expected)
    overlap = sum((got & want).values())
    if not got or not want or not overlap:
        return 1.0 if not got and not want else 0.0
    precision, recall = overlap / sum(got.values()), overlap / sum(want.values())
    return 2 * precision * recall / (precision + recall)


def pages(folder: Path):
    for expected in sorted(folder.rglob("*.json")):
        for suffix in (".html", ".txt"):
            page = expected.with_suffix(suffix)
            if page.exists():
                yield page, json.loads(expected.read_text(encoding="utf-8"))


def ours(path: Path) -> dict:
    try:
        return read_page(read_file(path)).as_json()
    except PageError as error:
        return {"error": str(error)}


def trafilatura_alone(path: Path) -> dict:
    raw = read_file(path)
    try:
        text = decode(raw)
    except PageError:
        text = raw.data.decode("utf-8", "replace")
    if path.suffix == ".txt":
        # trafilatura reads HTML only: the scrape's blocks as paragraphs of a bare page.
        blocks = re.split(r"\n\s*\n", text)
        text = (
            "<html><body>" + "".join(f"<p>{html.escape(b)}</p>" for b in blocks) + "</body></html>"
        )
    body = trafilatura.extract(text, include_comments=False) or ""
    meta = trafilatura.bare_extraction(text, with_metadata=True, include_comments=False)
    meta = meta.as_dict() if hasattr(meta, "as_dict") else (meta or {})
    return {
        "headline": meta.get("title") or "",
        "byline": meta.get("author") or "",
        "published": meta.get("date"),
        "body": body,
    }


def trafilatura_eval(checkout: Path) -> None:
    tests = checkout / "tests"
    cases = json.loads((tests / "evaldata.json").read_text(encoding="utf-8"))
    scores = {"ours": Counter(), "trafilatura": Counter()}
    refused: Counter = Counter()
    for case in cases.values():
        path = next(
            (
                tests / folder / case["file"]
                for folder in ("eval", "cache")
                if (tests / folder / case["file"]).exists()
            ),
            None,
        )
        if path is None:
            continue
        try:
            mine = read_page(read_file(path)).body_text()
        except PageError as error:
            mine = ""
            refused[str(error).split(": ", 1)[-1][:60]] += 1
        theirs = trafilatura.extract(path.read_bytes(), include_comments=False) or ""
        for name, text in (("ours", mine), ("trafilatura", theirs)):
            score = scores[name]
            score["pages"] += 1
            score["with"] += len(case["with"])
            score["with found"] += sum(snippet in text for snippet in case["with"])
            score["without"] += len(case["without"])
            score["without absent"] += sum(snippet not in text for snippet in case["without"])
    for name, score in scores.items():
        recall = score["with found"] / score["with"]
        precision = score["without absent"] / score["without"]
        right = (score["with found"] + score["without absent"]) / (score["with"] + score["without"])
        print(
            f"{name:<12} {score['pages']} pages: wanted snippets found {recall:.3f}, "
            f"unwanted snippets left out {precision:.3f}, all snippets right {right:.3f}"
        )
    print("refused by ours:", dict(refused))


def main() -> None:
    logging.disable(logging.WARNING)  # trafilatura logs every page it finds little on
    if len(sys.argv) == 3 and sys.argv[1] == "--trafilatura-eval":
        trafilatura_eval(Path(sys.argv[2]))
        return
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else PAGES
    rows, totals = [], {"ours": [], "trafilatura": []}
    exact = {"ours": Counter(), "trafilatura": Counter()}
    seconds = {"ours": 0.0, "trafilatura": 0.0}
    for path, want in pages(folder):
        row = [str(path.relative_to(folder))]
        for name, run in (("ours", ours), ("trafilatura", trafilatura_alone)):
            started = time.perf_counter()
            got = run(path)
            seconds[name] += time.perf_counter() - started
            score = f1(got.get("body", ""), want["body"])
            totals[name].append(score)
            marks = ""
            for field in ("headline", "byline", "published"):
                value, wanted = got.get(field) or None, want[field] or None
                if field == "published":  # the same day counts: trafilatura gives dates only
                    value, wanted = value and value[:10], wanted and wanted[:10]
                right = value == wanted
                exact[name][field] += right
                marks += field[0].upper() if right else "."
            row.append(f"{score:.3f} {marks}")
        rows.append(row)
    count = len(rows)
    print(f"{'page':<32} {'ours (F1, H B P)':<18} {'trafilatura':<18}")
    for name, a, b in rows:
        print(f"{name:<32} {a:<18} {b:<18}")
    print()
    for name in ("ours", "trafilatura"):
        mean = sum(totals[name]) / count
        hits = ", ".join(f"{field} {exact[name][field]}/{count}" for field in exact[name])
        print(
            f"{name:<12} mean body F1 {mean:.3f}, min {min(totals[name]):.3f}; exact: {hits}; "
            f"{1000 * seconds[name] / count:.0f} ms a page"
        )


if __name__ == "__main__":
    main()

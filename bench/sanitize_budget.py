"""How long the body sanitizer takes on hostile and large input (RELIABILITY.md B5).

    .venv/bin/python bench/sanitize_budget.py [--repeat 3]

The budgets: 100 KB of input in under 200 ms, 1 MB in under 2 s (so 2 ms
per KB, applied to every input here), and ten times the input in at most
about twelve times the time (linear, not quadratic).
``masthead/stories/tests/test_sanitize.py`` checks what comes out of the
same inputs (and the depth bound that keeps deep nesting linear); the times
are measured here, not in the tests. Prints each case's median
time and whether it is within its budget.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings")

SEED_ARTICLE = Path(__file__).resolve().parents[1] / "masthead/demo/data/seed-article.txt"
NESTING = ["<div>", "<blockquote>", "<b>", "<span>", "<ul><li>", "<dl><dd>", "<table><tr><td>"]


def paragraphs(size: int) -> str:
    lines = [line.strip() for line in SEED_ARTICLE.read_text(encoding="utf-8").splitlines()]
    texts = [line.replace("&", "&amp;") for line in lines if len(line) > 80]
    parts, total = [], 0
    while total < size:
        part = f"<p>{texts[len(parts) % len(texts)]}</p>"
        parts.append(part)
        total += len(part)
    return "".join(parts)


MS_PER_KB = 2.0  # B5: 100 KB < 200 ms, 1 MB < 2 s


def cases() -> list[tuple[str, str]]:
    """(name, body) of each measured input: those of the tests, and the B5 sizes."""
    text = paragraphs(200).removeprefix("<p>").split("</p>")[0]
    found = [
        ("100 KB of paragraphs", paragraphs(100_000)),
        ("1 MB of paragraphs", paragraphs(1_000_000)),
        ("1 MB of divs", f"<div>{text}</div>" * (1_000_000 // len(text))),
        ("40,000 nested <dl><dd>", "<dl><dd>" * 40_000 + "x"),
    ]
    found += [(f"10,000 nested {unit}", unit * 10_000 + "the text") for unit in NESTING]
    found += [
        (f"5,000 unknown blocks {unit}", (unit + "w ") * 5_000 + "end")
        for unit in ("<div>", "<section><div>", "<div><b>", "<li><div>", "<h1><div>")
    ]
    return found


def median_ms(sanitize, body: str, repeat: int) -> float:
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        sanitize(body)
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    import django

    django.setup()
    from masthead.newsroom.sanitize import sanitize_body

    print("| input | size | median ms | budget ms | within |")
    print("|---|---:|---:|---:|---|")
    measured = {}
    for name, body in cases():
        ms = measured[name] = median_ms(sanitize_body, body, args.repeat)
        budget = len(body) / 1000 * MS_PER_KB
        within = "yes" if ms < budget else "**no**"
        print(f"| {name} | {len(body):,} | {ms:,.1f} | {budget:,.0f} | {within} |")
    ratio = measured["1 MB of paragraphs"] / measured["100 KB of paragraphs"]
    print(f"\n10x input (100 KB → 1 MB of paragraphs): {ratio:.1f}x the time (budget ≤ ~12x)")


if __name__ == "__main__":
    main()

"""The threat map in docs/security.md cannot rot (issue 14).

Its table "Threat classes and their tests" has one row per RELIABILITY.md §2
class. This test fails if a class is missing or listed twice, if a linked
``path::test_name`` names a file that does not exist or a test not defined in
it, if a row claims *covered* or *partial* with no test, if any other link
of the tests column (a bench, docs/reliability.md) leads to no file, or if a
*pending* row does not name the file that will close it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[2]
DOC = REPOSITORY / "docs" / "security.md"
SECTION = "## Threat classes and their tests"

# RELIABILITY.md §2: 2.1 authorisation … 2.8 dependency hygiene.
ROWS = (
    [f"A{n}" for n in range(1, 6)]
    + [f"B{n}" for n in range(1, 6)]
    + [f"C{n}" for n in range(1, 7)]
    + [f"D{n}" for n in range(1, 4)]
    + [f"E{n}" for n in range(1, 11)]
    + [f"F{n}" for n in range(1, 6)]
    + [f"R{n}" for n in range(1, 11)]
    + [f"V{n}" for n in range(1, 3)]
)
STATUSES = ("covered", "partial:", "not applicable:", "pending:")
TEST_LINK = re.compile(r"`(?P<path>[\w./-]+\.py)::(?P<name>\w+)`\]\((?P<href>[^)]+)\)")
# A file a pending row names: a path with a folder, or a Python file.
NAMED_FILE = re.compile(r"`[^`]*(?:/[^`]*|\.py)`")
# Any other link of the tests column (a bench file, docs/reliability.md), relative to docs/.
OTHER_LINK = re.compile(r"\]\((?P<href>[^)#\s]+)\)")


def threat_table(text: str) -> dict[str, dict[str, str]]:
    """Row id → its cells, from the section's table; a row listed twice raises."""
    start = text.index(SECTION)
    end = text.find("\n## ", start + len(SECTION))
    section = text[start : end if end != -1 else len(text)]
    rows: dict[str, dict[str, str]] = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 5 or not re.fullmatch(r"[A-Z]\d+", cells[0]):
            continue
        row_id, threat, what, tests, status = cells
        if row_id in rows:
            raise AssertionError(f"{row_id} is listed twice")
        rows[row_id] = {"class": threat, "what": what, "tests": tests, "status": status}
    return rows


def defines(path: Path, name: str) -> bool:
    return re.search(rf"^(?:async )?def {re.escape(name)}\(", path.read_text(), re.M) is not None


def problems_of(rows: dict[str, dict[str, str]], root: Path) -> list[str]:
    """Every way the table fails the rules above, as readable lines."""
    found = []
    for row_id in ROWS:
        if row_id not in rows:
            found.append(f"{row_id}: missing")
    for row_id, row in rows.items():
        if row_id not in ROWS:
            found.append(f"{row_id}: not a RELIABILITY.md §2 row")
        if not row["class"] or not row["what"]:
            found.append(f"{row_id}: the class and what Masthead does must be said")
        status = row["status"]
        if not status.startswith(STATUSES):
            found.append(f"{row_id}: status {status!r} is none of {STATUSES}")
        links = list(TEST_LINK.finditer(row["tests"]))
        if status.startswith(("covered", "partial:")) and not links:
            found.append(f"{row_id}: {status.split(':')[0]} but no test is linked")
        if "pending:" in status and not NAMED_FILE.search(status.split("pending:", 1)[1]):
            found.append(f"{row_id}: pending without naming the file that will close it")
        for link in links:
            path, name = link["path"], link["name"]
            if link["href"] != f"../{path}":
                found.append(f"{row_id}: {path}::{name} links to {link['href']}")
            test_file = root / path
            if not test_file.is_file():
                found.append(f"{row_id}: {path} does not exist")
            elif not defines(test_file, name):
                found.append(f"{row_id}: {path} defines no {name}")
        test_hrefs = {link["href"] for link in links}
        for other in OTHER_LINK.finditer(row["tests"]):
            href = other["href"]
            if href not in test_hrefs and not (root / "docs" / href).exists():
                found.append(f"{row_id}: {href} does not exist")
    return found


def test_every_threat_class_links_tests_that_exist():
    rows = threat_table(DOC.read_text())

    assert problems_of(rows, REPOSITORY) == []


def test_the_table_is_in_the_order_of_reliability_md():
    assert list(threat_table(DOC.read_text())) == ROWS


ROW = "| {row} | A class | What it does | {tests} | {status} |"  # one row of the table
GOOD_LINK = (
    "[`masthead/tests/test_threat_map.py::test_every_threat_class_links_tests_that_exist`]"
    "(../masthead/tests/test_threat_map.py)"
)


@pytest.mark.parametrize(
    ("tests", "status", "problem"),
    [
        (GOOD_LINK, "covered", None),
        ("—", "pending: the matrix (`masthead/tests/test_permission_matrix.py`)", None),
        ("—", "not applicable: no such feature", None),
        ("—", "covered", "covered but no test is linked"),
        ("—", "partial: the race", "partial but no test is linked"),
        ("—", "pending: someone will write it", "pending without naming the file"),
        (GOOD_LINK, "done", "status 'done' is none of"),
        (
            GOOD_LINK.replace("test_every_threat", "test_no_such"),
            "covered",
            "defines no test_no_such",
        ),
        (
            GOOD_LINK.replace("test_threat_map.py", "test_gone.py"),
            "covered",
            "test_gone.py does not exist",
        ),
        (GOOD_LINK + "<br>[`bench/faults.py`](../bench/faults.py)", "covered", None),
        (GOOD_LINK + "<br>[docs/reliability.md](reliability.md)", "covered", None),
        (
            GOOD_LINK + "<br>[`bench/gone.py`](../bench/gone.py)",
            "covered",
            "../bench/gone.py does not exist",
        ),
        (
            GOOD_LINK.replace("(../masthead/tests/test_threat_map.py)", "(../elsewhere.py)"),
            "covered",
            "links to ../elsewhere.py",
        ),
    ],
)
def test_the_rules_catch_what_they_should(tests, status, problem):
    """The checker itself: a broken row is reported, a sound one is not."""
    lines = [SECTION, "", "| row | class | what | tests | status |", "| --- |"]
    lines += [ROW.format(row=row, tests=GOOD_LINK, status="covered") for row in ROWS[1:]]
    lines.append(ROW.format(row=ROWS[0], tests=tests, status=status))

    found = problems_of(threat_table("\n".join(lines)), REPOSITORY)

    if problem is None:
        assert found == []
    else:
        assert len(found) == 1 and problem in found[0], found


def test_a_missing_or_doubled_row_is_caught():
    lines = [SECTION, ""]
    lines += [ROW.format(row=row, tests=GOOD_LINK, status="covered") for row in ROWS[:-1]]

    assert problems_of(threat_table("\n".join(lines)), REPOSITORY) == ["V2: missing"]
    with pytest.raises(AssertionError, match="A1 is listed twice"):
        threat_table("\n".join([*lines, lines[2]]))

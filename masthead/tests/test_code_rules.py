"""Rules of the code itself, read from its syntax tree (RELIABILITY.md A5 and V2).

- No ``**`` keyword splat into a query method (``filter``, ``exclude``,
  ``annotate``, ``values`` …) unless it is a dict written out with constant
  keys: a request-derived dict would let a caller name any lookup
  (``author__user__password__startswith``). The few splats whose keys the
  code itself makes are listed in ``REVIEWED_SPLATS``, each with its reason.
- ``mark_safe`` only in the sanitiser module and the reviewed places in
  ``REVIEWED_MARK_SAFE``; ``format_html`` and ``format_html_join`` only with a
  literal template; ``|safe`` and ``{% autoescape off %}`` only in the
  reviewed templates (DESIGN invariant 5).
- ``Story.objects`` in ``site/``, ``api/`` and ``wire/`` only as
  ``Story.objects.live()`` (DESIGN invariant 1), but for the reviewed staff
  and import paths in ``REVIEWED_STORY_QUERIES``.

A new use fails with its file and line; an allow-list entry whose code is gone
fails too, so the lists do not rot.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from masthead.api.schemas import AuthorQuery, DeskListQuery, StoryListQuery, TagListQuery

PACKAGE = Path(__file__).resolve().parents[1]
QUERY_METHODS = {
    "filter",
    "exclude",
    "annotate",
    "alias",
    "values",
    "values_list",
    "order_by",
    "aggregate",
    "get",
    "extra",
    "update",
    "create",
    "get_or_create",
    "update_or_create",
}
SANITIZER = "newsroom/sanitize.py"

# (file, the splatted expression) → why its keys are the code's, never a request's.
REVIEWED_SPLATS = {
    (
        "accounts/management/commands/remove_two_factor.py",
        "{user_model.USERNAME_FIELD: username}",
    ): ("the key is the user model's USERNAME_FIELD; the operator's argument is a value"),
    ("demo/rows.py", "words"): "a dict of three fixed field names built two lines above",
    ("factories.py", "fields"): "test and benchmark factories: callers are code",
    ("factories.py", "{'name': 'Test Outlet', 'short_name': 'TO', **fields}"): (
        "test and benchmark factories: callers are code"
    ),
    (
        "media/uses.py",
        "{flag: True}",
    ): "flag is one of two column names chosen by the caller's code",
    ("site/selectors.py", "columns"): "fixed counter subqueries of the page cache",
    ("site/selectors.py", "where"): "{'slug': …} or {'pk': …}, chosen by the function's arguments",
    ("site/sitemaps.py", "self.range"): "published_at bounds the sitemap section computes",
    ("site/sitemaps.py", "{SECTION_RELATIONS[kind]: OuterRef('pk')}"): (
        "keys from a module constant, indexed by a section kind the URL conf validated"
    ),
    ("stories/services.py", "values"): "StoryContent.CONTENT_FIELDS, read off the Content",
    ("wire/push.py", "fields"): "columns the push receiver sets, built in the function",
    ("wire/tasks.py", "_released(source, now)"): "lease columns, built by the task",
    ("wire/tasks.py", "fields"): "poll result columns, built by the task",
}

# file → why it may call mark_safe (every other use escapes or sanitises through these).
REVIEWED_MARK_SAFE = {
    "accounts/authenticator.py": "the QR code SVG that the qrcode library drew from our own URI",
    "search/highlight.py": "search snippets: every piece escaped before the marks are added",
    "site/templatetags/reporting_tags.py": "bodies sanitised on the way in (invariant 5)",
    "site/templatetags/site_meta.py": "JSON-LD escaped for <script> by script_safe_json",
    "site/templatetags/site_tags.py": (
        "stored bodies, sanitised on the way in; attributes built from validated settings"
    ),
    "wire/templatetags/wire_tags.py": "the sanitiser's own output",
    "backoffice/templatetags/backoffice_tags.py": (
        "desk_digits: markup already safe, its text's digits swapped for native ones"
    ),
}

# template → why it may print a value unescaped.
REVIEWED_UNESCAPED_TEMPLATES = {
    "backoffice/templates/backoffice/editor.html": "bodies stored sanitised (invariant 5)",
    "site/templates/site/policy.html": "policy pages stored sanitised by the same allow-list",
    "sourcing/templates/sourcing/mail/report_outcome_subject.txt": "plain-text e-mail",
    "sourcing/templates/sourcing/mail/report_outcome.txt": "plain-text e-mail",
    "accounts/templates/accounts/email/password_reset_subject.txt": "plain-text e-mail",
    "accounts/templates/accounts/email/password_reset.txt": "plain-text e-mail",
    "accounts/templates/accounts/email/email_changed.txt": "plain-text e-mail",
    "accounts/templates/accounts/email/email_changed_subject.txt": "plain-text e-mail",
}

# (file, the query after Story.objects) → why it does not go through live().
REVIEWED_STORY_QUERIES = {
    ("api/desk_views.py", "select_related"): "the staff API: permissions.can_read on each row",
    ("api/selectors.py", "gone"): "withdrawn stories' ids for the canceled list (no content)",
    ("site/page_cache.py", "filter"): "invalidation by id after a change, renders nothing",
    ("site/selectors.py", "select_related"): "the article row; the view checks is_live()/gone",
    ("site/sitemaps.py", "filter"): "lastmod subqueries restricted to live() rows",
    ("site/views.py", "gone"): "the 410 page of a withdrawn story (headline and notice only)",
    ("wire/autopublish.py", "get"): "the story auto-publish itself just created",
    ("wire/pageimport/store.py", "values_list"): "the importer's slug check, staff-side",
    ("wire/views.py", "filter"): "the wire desk (staff): stories this person may edit",
    ("wire/wxr/importer.py", "filter"): "the WordPress importer (operator), not a public surface",
}


def source_files():
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if "/tests/" in f"/{relative}" or "/migrations/" in relative:
            continue
        yield relative, ast.parse(path.read_text(encoding="utf-8"), filename=relative)


def called_name(call: ast.Call) -> str:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return ""


def is_literal_dict(node: ast.expr) -> bool:
    return isinstance(node, ast.Dict) and all(
        isinstance(key, ast.Constant) and isinstance(key.value, str) for key in node.keys
    )


def splats() -> dict[tuple[str, str], list[int]]:
    found: dict[tuple[str, str], list[int]] = {}
    for relative, tree in source_files():
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and called_name(node) in QUERY_METHODS):
                continue
            if not isinstance(node.func, ast.Attribute):
                continue
            for keyword in node.keywords:
                if keyword.arg is None and not is_literal_dict(keyword.value):
                    key = (relative, ast.unparse(keyword.value))
                    found.setdefault(key, []).append(node.lineno)
    return found


def test_no_request_dict_is_splatted_into_a_query():
    found = splats()
    new = [f"{path}:{lines[0]} **{expr}" for (path, expr), lines in found.items()
           if (path, expr) not in REVIEWED_SPLATS]  # fmt: skip
    assert not new, "Keyword splats into a query (review them, or pass named lookups): " + (
        "; ".join(new)
    )
    gone = sorted(set(REVIEWED_SPLATS) - set(found))
    assert not gone, f"Reviewed splats no longer in the code: {gone}"


def test_mark_safe_only_in_the_sanitiser_and_reviewed_places():
    users = set()
    for relative, tree in source_files():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and called_name(node) == "mark_safe":
                users.add(relative)
    new = sorted(users - set(REVIEWED_MARK_SAFE) - {SANITIZER})
    assert not new, f"mark_safe outside the sanitiser and the reviewed list: {new}"
    assert not set(REVIEWED_MARK_SAFE) - users, "a reviewed mark_safe is gone: drop it"


def test_format_html_only_with_a_literal_template():
    loose = []
    for relative, tree in source_files():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = called_name(node)
            position = {"format_html": 0, "format_html_join": 1}.get(name)
            if position is None or relative == SANITIZER:
                continue
            template = node.args[position] if len(node.args) > position else None
            if not (isinstance(template, ast.Constant) and isinstance(template.value, str)):
                loose.append(f"{relative}:{node.lineno} {ast.unparse(node)[:80]}")
    assert not loose, "format_html with a template that is not a literal: " + "; ".join(loose)


UNESCAPED = re.compile(r"\|\s*safe(seq)?\b|\{%\s*autoescape\s+off\s*%\}")


def test_templates_print_unescaped_only_where_reviewed():
    users = set()
    for path in PACKAGE.rglob("templates/**/*"):
        is_template = path.is_file() and path.suffix in {".html", ".txt", ".xml", ".js"}
        if is_template and UNESCAPED.search(path.read_text(encoding="utf-8")):
            users.add(path.relative_to(PACKAGE).as_posix())
    new = sorted(users - set(REVIEWED_UNESCAPED_TEMPLATES))
    assert not new, f"|safe or autoescape off outside the reviewed templates: {new}"
    assert not set(REVIEWED_UNESCAPED_TEMPLATES) - users, "a reviewed template is clean now"


def story_queries() -> dict[tuple[str, str], list[int]]:
    found: dict[tuple[str, str], list[int]] = {}
    for relative, tree in source_files():
        if relative.split("/")[0] not in ("site", "api", "wire"):
            continue
        parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
        for node in ast.walk(tree):
            is_story_objects = (
                isinstance(node, ast.Attribute)
                and node.attr == "objects"
                and isinstance(node.value, ast.Name)
                and node.value.id == "Story"
            )
            if not is_story_objects:
                continue
            parent = parents.get(node)
            method = parent.attr if isinstance(parent, ast.Attribute) else "(the manager)"
            if method != "live":
                found.setdefault((relative, method), []).append(node.lineno)
    return found


def test_public_apps_read_stories_through_live():
    found = story_queries()
    new = [f"{path}:{lines[0]} Story.objects.{method}" for (path, method), lines in found.items()
           if (path, method) not in REVIEWED_STORY_QUERIES]  # fmt: skip
    assert not new, "Story.objects outside live() in site/, api/ or wire/: " + "; ".join(new)
    gone = sorted(set(REVIEWED_STORY_QUERIES) - set(found))
    assert not gone, f"Reviewed Story.objects uses no longer in the code: {gone}"


def test_the_scans_see_what_they_look_for(tmp_path):
    """The scanners find a splat, a mark_safe and a Story.objects when there is one."""
    tree = ast.parse(
        "def view(request):\n"
        "    Story.objects.filter(**request.GET.dict())\n"
        "    return mark_safe(request.GET['x'])\n"
    )
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)]
    assert any(
        called_name(call) == "filter" and any(k.arg is None for k in call.keywords)
        for call in calls
    )
    assert any(called_name(call) == "mark_safe" for call in calls)
    assert not is_literal_dict(ast.parse("{name: 1}", mode="eval").body)
    assert is_literal_dict(ast.parse("{'slug': 1}", mode="eval").body)


# Over HTTP: the public API takes only the keys it lists --------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "ordering=author__user__password",
        "ordering=-pk",
        "filter=author.email:~a",
        "author__email__startswith=a",
        "desk=politics&order_by=created_by__password",
    ],
)
def test_the_public_api_refuses_keys_it_does_not_list(client, query):
    asked = {pair.split("=")[0] for pair in query.split("&")}
    for address, takes in (
        ("/api/stories", StoryListQuery),
        ("/api/tags", TagListQuery),
        ("/api/desks", DeskListQuery),
        ("/api/authors", AuthorQuery),
        ("/api/authors/nima-sadeghi", AuthorQuery),
    ):
        response = client.get(f"{address}?{query}")
        assert response.status_code == 400, (address, query, response.content)
        assert response["Content-Type"].startswith("application/problem+json")
        first_unknown = sorted(asked - set(takes.model_fields))[0]
        assert f"“{first_unknown}”" in response.json()["detail"]


@pytest.mark.django_db
def test_the_public_api_still_takes_the_keys_it_lists(client):
    assert client.get("/api/stories?desk=politics&limit=5").status_code == 200
    assert client.get("/api/tags?limit=5").status_code == 200
    assert client.get("/api/desks?language=en").status_code == 200
    assert client.get("/api/authors?language=en").status_code == 200

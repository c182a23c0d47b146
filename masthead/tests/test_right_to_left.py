"""Right to left, kept by rule (docs/editions.md, "Right to left").

One stylesheet serves both directions: every CSS file under ``masthead/`` is
written with logical properties (``margin-inline-start``, ``inset-inline-end``,
``text-align: start``, ``float: inline-start`` ...). These tests read each
file and fail on any declaration bound to the left or the right, so a
regression shows here rather than on a Persian page nobody looked at.

A declaration that must stay physical says why in a comment just before it,
inside the same declaration: ``/* physical: the focal point is measured from
the picture's left edge */ left: var(--fx);``. A physical value that flips
with the direction needs its ``[dir="rtl"]`` twin, annotated the same way.

The web font is checked here too: Vazirmatn's file, its licence, where it
came from, and that the stylesheets load it only for Arabic script.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1]
STYLESHEETS = sorted(PACKAGE.glob("*/static/**/*.css"))
FONTS = PACKAGE / "site" / "static" / "site" / "fonts"

COMMENT = re.compile(r"/\*.*?\*/", re.S)
# The words a value may name a side by: "float: left", "to right", "left center".
SIDE_WORD = re.compile(r"(?<![\w-])(left|right)(?![\w-])")
# A property named after a side: margin-left, border-right-width, left, right,
# border-top-left-radius, scroll-padding-right ...
SIDE_PROPERTY = re.compile(r"(^|-)(left|right)($|-)")
# Shorthands whose fourth value is the left side, the second the right.
BOX_SHORTHANDS = {
    "margin",
    "padding",
    "inset",
    "border-width",
    "border-style",
    "border-color",
    "scroll-margin",
    "scroll-padding",
}
SHADOWS = {"box-shadow", "text-shadow"}
LENGTH = re.compile(r"^-?(\d*\.)?\d+([a-z%]+)?$")


def declarations(css: str):
    """Each declaration as (line, property, value, annotation), comments apart."""
    for block in re.finditer(r"\{([^{}]*)\}", css, re.S):
        offset = block.start(1)
        # Semicolons inside comments do not end a declaration.
        for piece in re.finditer(r"(?:/\*.*?\*/|[^;/]|/(?!\*))+", block.group(1), re.S):
            text = piece.group(0)
            annotation = " ".join(COMMENT.findall(text))
            declaration = COMMENT.sub("", text).strip()
            if ":" not in declaration:
                continue
            name, value = (part.strip() for part in declaration.split(":", 1))
            line = css.count("\n", 0, offset + piece.start() + len(text) - len(text.lstrip())) + 1
            yield line, name.lower(), value, annotation


def top_level_split(value: str, separator: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for character in value:
        depth += character == "("
        depth -= character == ")"
        if character == separator and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += character
    return [*parts, current]


def is_zero(token: str) -> bool:
    return re.fullmatch(r"-?0*\.?0+([a-z%]+)?", token) is not None


def why_physical(name: str, value: str) -> str | None:
    """Why this declaration is bound to a side, or None if it reads either way."""
    if name.startswith("--"):
        return None
    if SIDE_PROPERTY.search(name):
        return f"{name} names a side: use its logical twin (inline-start/end)"
    bare = re.sub(r"url\([^)]*\)|\"[^\"]*\"|'[^']*'", "", value.lower())
    if SIDE_WORD.search(bare):
        return f"{name}: {value} names a side: use start/end, inline-start/end"
    words = [word for word in top_level_split(bare.replace("!important", "").strip(), " ") if word]
    if name in BOX_SHORTHANDS and len(words) == 4 and words[1] != words[3]:
        return f"{name}: {value} differs left and right: use {name}-inline/-block"
    if name == "border-radius":
        corners = top_level_split(bare, "/")[0].split()
        if len(set(corners)) > 1:
            return f"border-radius: {value} differs by corner: use border-start-start-radius ..."
    if name in SHADOWS:
        for shadow in top_level_split(bare, ","):
            lengths = [token for token in shadow.split() if LENGTH.match(token)]
            if lengths and not is_zero(lengths[0]):
                return f"{name}: {value} is offset to one side: draw it with a border-inline-*"
    return None


def test_there_are_stylesheets_to_check():
    assert {path.name for path in STYLESHEETS} >= {"site.css", "backoffice.css", "media.css"}


@pytest.mark.parametrize("path", STYLESHEETS, ids=lambda path: str(path.relative_to(PACKAGE)))
def test_stylesheets_name_no_side(path):
    physical = [
        f"{path.relative_to(PACKAGE)}:{line}: {reason}"
        for line, name, value, annotation in declarations(path.read_text())
        if (reason := why_physical(name, value)) and "physical:" not in annotation
    ]
    assert not physical, "\n".join(physical)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("margin-left", "1rem"),
        ("padding-right", "0"),
        ("border-left", "4px solid red"),
        ("border-top-right-radius", "3px"),
        ("left", "0"),
        ("right", "1rem"),
        ("text-align", "left"),
        ("text-align", "right"),
        ("float", "right"),
        ("clear", "left"),
        ("background", 'url("feed.svg") no-repeat left center / 1em 1em'),
        ("mask-image", "linear-gradient(to right, #000, transparent)"),
        ("margin", "0 0 0 auto"),
        ("padding", "1rem 2rem 1rem 0"),
        ("border-radius", "4px 0 0 4px"),
        ("box-shadow", "inset 4px 0 0 #b3261e"),
    ],
)
def test_the_rule_catches_each_physical_form(name, value):
    assert why_physical(name, value)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("margin-inline-start", "1rem"),
        ("inset-inline-end", "0"),
        ("text-align", "start"),
        ("float", "inline-start"),
        ("margin", "0 auto"),
        ("margin", "0 0 0.35rem"),
        ("padding", "0.3rem 0.6rem 0.1rem 0.6rem"),
        ("border-radius", "50%"),
        ("box-shadow", "inset 0 -2px 0 var(--accent)"),
        ("box-shadow", "0 0 0 2px var(--ink), inset 0 0 0 2px var(--ink)"),
        ("content", '"left"'),
        ("top", "0.45rem"),
        ("--gradient", "to right"),
    ],
)
def test_the_rule_lets_logical_forms_through(name, value):
    assert why_physical(name, value) is None


def test_an_annotation_says_why_a_declaration_stays_physical():
    css = ".mark { /* physical: image coordinates; from the left */ left: var(--fx); right: 0; }"
    flagged = [
        name
        for _, name, value, annotation in declarations(css)
        if why_physical(name, value) and "physical:" not in annotation
    ]
    assert flagged == ["right"]


# The body editor's stylesheet: django-prose-editor's editor.css binds its menu, dialogs and
# placeholder to the left; the back office loads a logical-property copy instead.

EDITOR_COPY = PACKAGE / "backoffice" / "static" / "backoffice" / "prose-editor.css"


def installed_editor_css() -> bytes:
    from importlib.resources import files

    return (
        files("django_prose_editor").joinpath("static/django_prose_editor/editor.css").read_bytes()
    )


def rules(css: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """Each rule's selector and its declarations (name, value), comments apart."""
    found = []
    for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", COMMENT.sub("", css)):
        pieces = [piece for piece in re.split(r";(?![^(]*\))", body) if piece.strip()]
        pairs = [tuple(part.strip() for part in piece.split(":", 1)) for piece in pieces]
        found.append((selector.strip(), pairs))
    return found


def test_the_editor_copy_is_derived_from_the_installed_editor_css():
    import hashlib

    digest = hashlib.sha256(installed_editor_css()).hexdigest()
    assert f"source-sha256: {digest}" in EDITOR_COPY.read_text(), (
        "django-prose-editor's editor.css changed: derive backoffice/prose-editor.css from it "
        "again (its header says how)"
    )


def test_the_editor_copy_differs_from_the_original_only_where_it_names_a_side():
    original = rules(installed_editor_css().decode())
    copy = rules(EDITOR_COPY.read_text())
    assert [selector for selector, _ in copy] == [selector for selector, _ in original]
    sided = 0
    for (selector, theirs), (_, ours) in zip(original, copy, strict=True):
        assert len(ours) == len(theirs), selector
        for (name, value), (our_name, our_value) in zip(theirs, ours, strict=True):
            if why_physical(name, value) is None and name not in ("top", "bottom"):
                assert (our_name, our_value) == (name, value), selector
            else:
                sided += 1
                assert why_physical(our_name, our_value) is None, (selector, our_name)
    assert sided >= 10  # the copy exists because the original binds sides


def test_the_body_editor_loads_the_logical_copy_not_the_packages_stylesheet():
    from masthead.backoffice.forms import StoryForm

    css = [str(link) for link in StoryForm.base_fields["body"].widget.media.render_css()]
    # (The file names may carry the static files' content hash: prose-editor.1a2b….css.)
    assert any("backoffice/prose-editor." in link for link in css), css
    assert not any("django_prose_editor/editor." in link for link in css), css


# The web font


def font_faces(path: Path) -> list[str]:
    return re.findall(r"@font-face\s*\{([^}]*)\}", COMMENT.sub("", path.read_text()))


def test_vazirmatn_is_committed_with_its_licence_and_origin():
    font = FONTS / "Vazirmatn-Variable.woff2"
    assert font.read_bytes()[:4] == b"wOF2"
    licence = (FONTS / "OFL.txt").read_text()
    assert "SIL Open Font License" in licence and "Vazirmatn" in licence
    readme = (FONTS / "README.md").read_text()
    assert re.search(r"npm package \*\*vazirmatn \d+\.\d+\.\d+\*\*", readme)


@pytest.mark.parametrize(
    "stylesheet",
    [
        PACKAGE / "site/static/site/site.css",
        PACKAGE / "backoffice/static/backoffice/backoffice.css",
    ],
    ids=["site", "backoffice"],
)
def test_stylesheets_load_vazirmatn_from_this_host_for_arabic_script_only(stylesheet):
    (face,) = font_faces(stylesheet)
    assert re.search(r'font-family:\s*"Vazirmatn"', face)
    assert "font-display: swap" in face
    (url,) = re.findall(r'url\("([^"]+)"\)', face)
    assert "//" not in url, "served from this host"
    # As the static files storage resolves it: from the stylesheet's static name.
    static_name = stylesheet.relative_to(stylesheet.parents[2] / "static").as_posix()
    assert posixpath.normpath(posixpath.join(posixpath.dirname(static_name), url)) == (
        "site/fonts/Vazirmatn-Variable.woff2"
    )
    ranges = re.search(r"unicode-range:\s*([^;]+)", face).group(1)
    covered = set()
    for part in ranges.split(","):
        start, _, end = part.strip().removeprefix("U+").partition("-")
        covered.update(range(int(start, 16), int(end or start, 16) + 1))
    persian = "خبرگزاری‌ها ۱۴۰۵ گزارش دادند"  # with a ZWNJ and Persian digits
    assert {ord(character) for character in persian if character != " "} <= covered
    assert not covered & set(range(0x0000, 0x0250)), "no Latin character downloads it"
    # Vazirmatn first in both stacks: Latin text skips it, Arabic script gets it.
    assert re.search(r'--sans:\s*"Vazirmatn",', stylesheet.read_text())
    assert re.search(r'--serif:\s*"Vazirmatn",', stylesheet.read_text())


def test_the_content_security_policy_allows_fonts_from_this_host_only(settings):
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    fonts = directives.get("font-src", directives["default-src"])
    assert list(fonts) == ["'self'"]

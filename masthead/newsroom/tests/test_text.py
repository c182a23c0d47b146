"""Plain-text fields (headlines, names, bios) cleaned of what changes how text reads."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from masthead.newsroom.text import clean_line, clean_paragraphs, strip_invisible

RLO, LRO, PDF, RLE, LRE = "\u202e", "\u202d", "\u202c", "\u202b", "\u202a"
RLM, LRM, ALM = "\u200f", "\u200e", "\u061c"
RLI, LRI, FSI, PDI = "\u2067", "\u2066", "\u2068", "\u2069"
ZWNJ = "\u200c"
REMOVED = {chr(code) for code in [*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0)]}
REMOVED |= {RLO, LRO, PDF, RLE, LRE}
# Unicode noncharacters (U+FDD0-U+FDEF and the last two code points of every plane).
REMOVED |= {chr(code) for code in range(0xFDD0, 0xFDF0)}
REMOVED |= {chr(plane * 0x10000 + last) for plane in range(17) for last in (0xFFFE, 0xFFFF)}
LINE_BREAKS = set("\r\x0b\x0c\x85")  # these separate words; other controls just go
PERSIAN = "ایران می\u200cگوید پیام آمریکا را دریافت نکرده است"
ARABIC = "قالت وكالة رويترز إن ترامب أرسل رسالة"


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Trump cancels \u2018imminent\u2019 attack", "Trump cancels \u2018imminent\u2019 attack"),
        (f"{RLO}gnp.exe", "gnp.exe"),
        (f"Invoice {RLO}fdp.exe{PDF} attached", "Invoice fdp.exe attached"),
        (f"{LRO}left{PDF} and {RLE}embedded{PDF} {LRE}too{PDF}", "left and embedded too"),
        ("NUL\x00 byte", "NUL byte"),
        ("bell\x07 escape\x1b[31m red", "bell escape[31m red"),
        ("C1\x85next\x9bline", "C1 nextline"),
        ("delete\x7f", "delete"),
        (f"Tehran {RLM}{LRM}{ALM} marks", f"Tehran {RLM}{LRM}{ALM} marks"),
        (
            f"{RLI}Reuters{PDI} and {LRI}AP{PDI} {FSI}x{PDI}",
            f"{RLI}Reuters{PDI} and {LRI}AP{PDI} {FSI}x{PDI}",
        ),
        (PERSIAN, PERSIAN),
        (ARABIC, ARABIC),
        ("cafe\u0301", "caf\u00e9"),
        ("e\u202e\u0301", "\u00e9"),  # NFC composes once the override between them is gone
        ("Spaces   \t and\u00a0\u00a0non-breaking\u2003ones", "Spaces and non-breaking ones"),
        ("  trimmed  ", "trimmed"),
        ("two\r\nlines\rjoined\nhere", "two lines joined here"),
        ("form\x0cfeed and line\u2028separator", "form feed and line separator"),
        ("<script>alert(1)</script>", "<script>alert(1)</script>"),  # templates escape it
    ],
)
def test_clean_line(raw, clean):
    assert clean_line(raw) == clean


@pytest.mark.parametrize("empty", [None, "", "   ", "\x00\x01", f"{RLO}{PDF}", "\r\n\t"])
def test_clean_line_of_nothing_is_empty(empty):
    assert clean_line(empty) == ""


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("One.\n\nTwo.", "One.\n\nTwo."),
        ("One.\r\n\r\n\r\n\r\nTwo.", "One.\n\nTwo."),
        ("One.\n  \t \nTwo.", "One.\n\nTwo."),
        ("  Line one  \n  line two  ", "Line one\nline two"),
        ("Too   many\u00a0 spaces", "Too many spaces"),
        (f"{RLO}Bio{PDF} of\x00 the\x1b author", "Bio of the author"),
        (f"\n\n{PERSIAN}\n\n\n{ARABIC}\n\n", f"{PERSIAN}\n\n{ARABIC}"),
        ("para\u2029graph", "para\ngraph"),
        ("cafe\u0301", "caf\u00e9"),
    ],
)
def test_clean_paragraphs(raw, clean):
    assert clean_paragraphs(raw) == clean


@pytest.mark.parametrize("empty", [None, "", "\n\n\n", " \r\n \r\n ", "\x00"])
def test_clean_paragraphs_of_nothing_is_empty(empty):
    assert clean_paragraphs(empty) == ""


def test_strip_invisible_keeps_layout_and_marks():
    text = f"a\tb\nc{RLM}{RLI}d{PDI}{ZWNJ}e"

    assert strip_invisible(text) == text


def test_strip_invisible_normalises_line_breaks():
    assert strip_invisible("a\r\nb\rc\x0bd\x0ce\x85f\u2028g\u2029h") == "a\nb\nc\nd\ne\nf\ng\nh"


# Text as it arrives: letters of several scripts, accents, spaces, breaks and invisibles.
hostile_text = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from(sorted(REMOVED | {RLM, LRM, ALM, RLI, LRI, FSI, PDI, ZWNJ})),
        st.sampled_from(["\r", "\n", "\u2028", "\u2029", "\u00a0", "\u0301", "\u0651"]),
    ),
    max_size=60,
)
property_settings = hypothesis_settings(max_examples=200, deadline=None)


@property_settings
@given(hostile_text)
def test_clean_line_is_idempotent_nfc_and_clean(text):
    once = clean_line(text)

    assert clean_line(once) == once
    assert unicodedata.is_normalized("NFC", once)
    assert not REMOVED & set(once)
    assert "\n" not in once
    assert once == once.strip()
    assert "  " not in once


@property_settings
@given(hostile_text)
def test_clean_paragraphs_is_idempotent_nfc_and_clean(text):
    once = clean_paragraphs(text)

    assert clean_paragraphs(once) == once
    assert unicodedata.is_normalized("NFC", once)
    assert not REMOVED & set(once)
    assert "\n\n\n" not in once
    assert once == once.strip()


@property_settings
@given(hostile_text)
def test_clean_line_keeps_every_visible_character(text):
    """Only removed characters and surplus whitespace go; nothing visible is lost."""
    cleaned = clean_line(text)
    broken = "".join(" " if c in LINE_BREAKS else c for c in text)
    expected = unicodedata.normalize("NFC", "".join(c for c in broken if c not in REMOVED))

    assert "".join(cleaned.split()) == "".join(expected.split())

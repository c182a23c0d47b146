"""One spelling for text that readers type in several: Persian, Arabic and Latin.

Both sides of a search pass through ``normalize``: the text put in the index
and the words a reader types, so a story written with Arabic ``ي``/``ك``
matches a query typed on a Persian keyboard (``ی``/``ک``), ``۱۴۰۳`` matches
``١٤٠٣`` and ``1403``, and ``می‌خواهد`` (with a zero-width non-joiner) matches
``میخواهد``. The Persian edition reuses this module for its own search.

What it folds:

- Unicode compatibility forms (NFKC-like: Arabic presentation forms, full-width
  Latin) to their plain letters;
- Arabic yeh and alef maksura to Persian yeh, Arabic kaf to Persian keheh,
  teh marbuta and heh with yeh above to heh, hamza and madda on alef to alef;
- Arabic diacritics (harakat, superscript alef, Quranic marks), the tatweel,
  and Latin/Greek/Cyrillic accents;
- Persian (``۰-۹``) and Arabic-Indic (``٠-٩``) digits to ASCII digits;
- the zero-width non-joiner and other invisible format characters (joined);
  ``zwnj_parts`` gives the separate halves, which the index also keeps so
  that ``می خواهد`` typed with a space finds the word too;
- control characters (NUL included) to spaces.

Case is left to the engines (both fold it). Why our own code: the
normalisers that exist (hazm, parsivar) are large NLP packages pulling in
models; this is a table and two ``str.translate`` calls.
"""

from __future__ import annotations

import re
import unicodedata

ZWNJ = "\u200c"

LETTERS = {
    "\u064a": "\u06cc",  # ARABIC LETTER YEH -> FARSI YEH
    "\u0649": "\u06cc",  # ALEF MAKSURA -> FARSI YEH
    "\u0643": "\u06a9",  # ARABIC LETTER KAF -> KEHEH
    "\u0629": "\u0647",  # TEH MARBUTA -> HEH
    "\u06c0": "\u0647",  # HEH WITH YEH ABOVE -> HEH
    "\u06d5": "\u0647",  # AE -> HEH
    "\u0623": "\u0627",  # ALEF WITH HAMZA ABOVE -> ALEF
    "\u0625": "\u0627",  # ALEF WITH HAMZA BELOW -> ALEF
    "\u0622": "\u0627",  # ALEF WITH MADDA ABOVE -> ALEF
    "\u0671": "\u0627",  # ALEF WASLA -> ALEF
    "\u0624": "\u0648",  # WAW WITH HAMZA ABOVE -> WAW
    "\u0626": "\u06cc",  # YEH WITH HAMZA ABOVE -> FARSI YEH
}
DIGITS = {
    **{0x06F0 + n: str(n) for n in range(10)},  # Persian
    **{0x0660 + n: str(n) for n in range(10)},  # Arabic-Indic
}
# Marks dropped after decomposition: Latin/Greek/Cyrillic accents and the
# Arabic ones. Marks of other scripts (Devanagari vowel signs …) are letters'
# parts there and stay.
DROPPED_MARKS = re.compile(r"[\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
# Invisible format characters that join (ZWNJ, ZWJ, soft hyphen, direction marks, BOM).
JOINERS = re.compile(r"[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

_TABLE = str.maketrans({**{ord(k): v for k, v in LETTERS.items()}, **DIGITS})


# Arabic-script marks and the tatweel alone: what ``fold_arabic_script`` drops.
ARABIC_MARKS = re.compile(r"[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")


def fold_arabic_script(text: str) -> str:
    """Only the Persian/Arabic part of ``normalize``: one letter for each keyboard's
    yeh, kaf, heh and hamza forms, no diacritics or tatweel, no invisible joiners, and
    ASCII digits; Latin text (accents included) is left as it is.

    Addresses use it (``newsroom/slugs.py``): the same headline typed on an Arabic
    or a Persian keyboard gets one slug.
    """
    if not text:
        return ""
    text = ARABIC_MARKS.sub("", JOINERS.sub("", text))
    return text.translate(_TABLE)


def normalize(text: str) -> str:
    """The spelling the index keeps and queries are matched in (see the module docstring)."""
    if not text:
        return ""
    text = CONTROLS.sub(" ", text)
    text = unicodedata.normalize("NFKD", text)
    text = DROPPED_MARKS.sub("", text)
    text = JOINERS.sub("", text)
    text = unicodedata.normalize("NFC", text)
    return text.translate(_TABLE)


def zwnj_parts(text: str) -> str:
    """The halves of every word written with a zero-width non-joiner, normalised.

    ``می‌خواهد`` is indexed as ``میخواهد`` by ``normalize``; these halves
    (``می خواهد``) are indexed too, at the lowest weight, for readers who
    type a space where the non-joiner goes.
    """
    if ZWNJ not in (text or ""):
        return ""
    words = [word for word in re.split(r"\s+", text) if ZWNJ in word]
    return normalize(" ".join(word.replace(ZWNJ, " ") for word in words))

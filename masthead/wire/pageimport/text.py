"""Reading a page scraped to plain text: find the story in the page's words.

A scrape has no markup, only the page's text in reading order: site chrome
(the site's name, a menu, today's date), maybe the kicker, the headline, a
byline and a date line, the body, then more chrome: share lines, an author
box (a name, then a bio that names them), "Recent Posts" teasers with their
ages, a copyright line. ``read_text`` takes it apart the way a reader does:

* the **headline** is the first headline-shaped line (a few words, no full
  stop) that the body follows within a few lines; the line just above it is
  the **kicker** when it is short and not chrome; what stands above is the
  site's chrome, so a date there is the site's header date, never the story's;
* between the headline and the first paragraph: the **byline** ("By …") and
  the **date line**, the only place a date is read from, and only when it is
  written out with a year ("21 June 2019"), never from an age ("16 mins ago");
* the **body** runs until an end marker ("Recent Posts", "Related", comments,
  a copyright line) or the author box, without the chrome lines in between
  (``boilerplate.py``);
* after "Recent Posts"-style markers, headline/opening/age groups become
  ``Teaser`` objects (the demo loader turns them into stories of their own).

The demo's seed page (masthead/demo/data/seed-article.txt) is this shape.
"""

from __future__ import annotations

import re

from masthead.newsroom.text import clean_line
from masthead.wire.pageimport import boilerplate
from masthead.wire.pageimport.article import Article, Block, Teaser
from masthead.wire.pageimport.dates import written_date
from masthead.wire.pageimport.metadata import is_placeholder, safe_url
from masthead.wire.pageimport.source import PageError

AGE = re.compile(
    r"^(\d+)\s+(sec|secs|second|seconds|min|mins|minute|minutes|hour|hours|hr|hrs|day|days|"
    r"week|weeks|month|months|year|years)\s+ago$",
    re.IGNORECASE,
)
_CRAWL_HEADER = re.compile(
    r"^(url|source|source url|link|permalink|title|retrieved|retrieved on|scraped|scraped at|"
    r"crawled|crawled at|crawl date|fetched|fetched at|downloaded|accessed|date accessed|"
    r"saved|saved on|captured)\s*:\s*(.*)$",
    re.IGNORECASE,
)
_BY = re.compile(
    r"^(?:by|written by|posted by|words by|author|نویسنده|نوشته|بقلم|كتب|إعداد)\s*[:\-–—]?\s+(.+)$",
    re.IGNORECASE,
)
# "Posted on August 3, 2022 by Tom Hale", "By Tom Hale on August 3, 2022"
_POSTED = re.compile(
    r"^(?:(?:posted|published)(?:\s+on)?\s+(?P<date>.+?)\s+by\s+(?P<name>.+)"
    r"|by\s+(?P<name2>.+?)\s+(?:on|,)\s+(?P<date2>.+))$",
    re.IGNORECASE,
)
_MONTH_NAMES = re.compile(
    r"\b(?:"
    "فروردین|اردیبهشت|خرداد|تیر|مرداد|شهریور|مهر|آبان|آذر|دی|بهمن|اسفند|ژانویه|فوریه|مارس|آوریل|"
    "مه|ژوئن|ژوئیه|اوت|سپتامبر|اکتبر|نوامبر|دسامبر|يناير|فبراير|مارس|أبريل|مايو|يونيو|يوليو|"
    "أغسطس|سبتمبر|أكتوبر|نوفمبر|ديسمبر|كانون|شباط|آذار|نيسان|أيار|حزيران|تموز|آب|أيلول|تشرين"
    r")\b|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b",
    re.IGNORECASE,
)
_ABOUT = re.compile(r"^about [\w .&'’-]{1,40}$", re.IGNORECASE)
_ONLY_NUMBERS = re.compile(r"^[\d\s/:.,|\-–—]+$")
_SPLIT_META = re.compile(r"\s+[|•·–—]\s+|\s+-\s+")
_TERMINAL = tuple(".!?؟…\"”»')")
_NAV = re.compile(r"[|›»>/]|\s{3,}")
_PERSIAN_LETTERS = re.compile("[پچژگکی]")
_ARABIC_SCRIPT = re.compile("[\u0600-\u06ff]")
_LATIN = re.compile("[A-Za-z]")


def read_text(text: str, *, origin: str = "") -> Article:
    units = _units(text)
    article = Article()
    units = _strip_crawl_header(units, article)
    if not units:
        raise PageError(f"{origin}: the text has no lines to import.")
    start = _headline_index(units, article)
    if start is None:
        raise PageError(f"{origin}: no headline found (a short line followed by the story).")
    after = start + 1
    if start and _is_headline_shaped(units[start - 1]) and not _is_kicker_sized(units[start - 1]):
        start, after = start - 1, start + 1  # the line above is the headline; ours, its dek
    article.headline = units[start]
    article.kicker = _kicker(units, start)
    body_from = _read_meta_zone(units, after, article)
    _read_body(units, body_from, article)
    article.language = _language(article.headline + " " + article.body_text())
    return article.finish()


def _units(text: str) -> list[str]:
    """Lines of text, hard-wrapped paragraphs joined back together."""
    units: list[str] = []
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = clean_line(raw)
        if not line:
            units.append("")
            continue
        previous = units[-1] if units else ""
        if previous and _is_wrapped(previous, line):
            units[-1] = previous + " " + line
        else:
            units.append(line)
    return [unit for unit in units if unit]


def _is_wrapped(previous: str, line: str) -> bool:
    """Whether ``line`` continues ``previous`` (a paragraph hard-wrapped at ~72 columns)."""
    if len(previous) < 50 or previous.endswith(_TERMINAL):
        return False
    return line[:1].islower() or line[:1].isdigit() or previous.endswith((",", ";", "-", "–"))


def _strip_crawl_header(units: list[str], article: Article) -> list[str]:
    at = 0
    while at < len(units) and (match := _CRAWL_HEADER.match(units[at])):
        name, value = match.group(1).casefold(), match.group(2).strip()
        if name in ("url", "source url", "link", "permalink", "source"):
            article.canonical_url = article.canonical_url or safe_url(value)
        at += 1
    return units[at:]


def _words(unit: str) -> int:
    return len(unit.split())


def _is_paragraph(unit: str) -> bool:
    words = _words(unit)
    return words >= 15 or (words >= 8 and unit.endswith(_TERMINAL))


def _is_headline_shaped(unit: str) -> bool:
    words = _words(unit)
    return (
        2 <= words <= 30
        and len(unit) <= 250
        and not unit.endswith((".", ":", ",", "،", ";"))
        and not _BY.match(unit)
        and not looks_like_date(unit)
        and not AGE.match(unit)
        and not boilerplate.chrome_kind(unit)
        and not boilerplate.ends_article(unit)
        and not _NAV.search(unit)
    )


def looks_like_date(unit: str) -> bool:
    """A date line, readable or not ("۱۳ اسفند ۱۴۰۲ - ۰۹:۴۵" is one we do not convert)."""
    if written_date(unit) or _posted(unit):
        return True
    if _words(unit) > 8 or not any(character.isdigit() for character in unit):
        return False
    return bool(_MONTH_NAMES.search(unit) or _ONLY_NUMBERS.match(unit))


def _posted(unit: str) -> tuple[str, str] | None:
    """(name, date) of a "Posted on DATE by NAME" or "By NAME on DATE" line."""
    match = _POSTED.match(unit)
    if not match:
        return None
    name = match.group("name") or match.group("name2")
    date = match.group("date") or match.group("date2")
    return (name, date) if written_date(date) else None


def _is_meta_line(unit: str) -> bool:
    """A line that may stand between a headline and its body: byline, date, chrome."""
    if _BY.match(unit) or looks_like_date(unit) or boilerplate.chrome_kind(unit):
        return True
    return any(looks_like_date(part) for part in _SPLIT_META.split(unit)) and _words(unit) <= 16


def _headline_index(units: list[str], article: Article) -> int | None:
    """The headline-shaped line closest above the first paragraph (meta lines between)."""
    for index, unit in enumerate(units):
        if not _is_headline_shaped(unit):
            continue
        for following in units[index + 1 : index + 16]:
            if _is_paragraph(following):
                return index
            if not _is_meta_line(following):
                break
    return None


def _is_kicker_sized(unit: str) -> bool:
    return _words(unit) <= 5 and len(unit) <= 40


def _kicker(units: list[str], start: int) -> str:
    if start == 0:
        return ""
    candidate = units[start - 1]
    if (
        not _is_kicker_sized(candidate)
        or candidate.endswith(_TERMINAL)
        or _NAV.search(candidate)
        or written_date(candidate)
        or AGE.match(candidate)
        or boilerplate.chrome_kind(candidate)
        or boilerplate.ends_article(candidate)
    ):
        return ""
    # The site's name stands alone above too, or in the copyright line: not a kicker.
    # (A section's name in the menu line is fine: kickers are often section names.)
    lowered = candidate.casefold()
    if any(lowered == unit.casefold() for unit in units[: start - 1]):
        return ""
    if any(lowered in unit.casefold() for unit in units[start:] if boilerplate.chrome_kind(unit)):
        return ""
    return candidate


def _read_meta_zone(units: list[str], at: int, article: Article) -> int:
    """Byline and date lines under the headline; returns where the body starts."""
    while at < len(units) and not _is_paragraph(units[at]):
        unit = units[at]
        if not _is_meta_line(unit):
            break
        if posted := _posted(unit):
            name, date = posted
            article.published = article.published or written_date(date)
            article.byline = article.byline or _byline(name)
            at += 1
            continue
        for part in _SPLIT_META.split(unit):
            if date := written_date(part):
                article.published = article.published or date
            elif match := _BY.match(part):
                article.byline = article.byline or _byline(match.group(1))
        at += 1
    return at


def _byline(text: str) -> str:
    text = re.split(r"\s*[|•·]\s*", text)[0].strip(" ,;:-–—")
    return "" if is_placeholder(text) else text


def _read_body(units: list[str], at: int, article: Article) -> None:
    while at < len(units):
        unit = units[at]
        if boilerplate.ends_article(unit):
            resume = boilerplate.story_goes_on(unit, units[at + 1 :])
            if resume is None:
                _read_teasers(units, at + 1, article)
                return
            at += 1 + resume
            continue
        if _ABOUT.match(unit) and any(_ends(later) for later in units[at + 1 : at + 8]):
            return  # "About Northwind Rail", then the press contact: the boilerplate
        if _is_author_box(units, at):
            article.byline = article.byline or unit
            article.author_bio = units[at + 1]
            at += 2
            continue
        kind = boilerplate.chrome_kind(unit)
        if kind == "copyright":
            return
        if kind is None and not (AGE.match(unit)) and not (_BY.match(unit) and _words(unit) <= 8):
            article.blocks.append(Block("p", unit))
        at += 1


def _ends(unit: str) -> bool:
    return boilerplate.ends_article(unit) or boilerplate.chrome_kind(unit) == "copyright"


def _is_author_box(units: list[str], at: int) -> bool:
    """A name (a few capitalised words) followed by a bio that names them."""
    if at + 1 >= len(units):
        return False
    name, bio = units[at], units[at + 1]
    if not (1 <= _words(name) <= 6) or name.endswith(_TERMINAL) or len(name) > 60:
        return False
    if not all(word[:1].isupper() for word in name.split() if word[:1].isalpha()):
        return False
    if not _is_paragraph(bio):
        return False
    opening = bio[: len(name) + 40]
    return name in opening


def _read_teasers(units: list[str], at: int, article: Article) -> None:
    waiting: list[str] = []
    for unit in units[at:]:
        if boilerplate.chrome_kind(unit) == "copyright":
            break
        if AGE.match(unit):
            if waiting:
                article.teasers.append(Teaser(waiting[0], " ".join(waiting[1:]), unit))
            waiting = []
        elif not (boilerplate.ends_article(unit) or boilerplate.chrome_kind(unit)):
            waiting.append(unit)
    article.teasers.extend(Teaser(headline) for headline in waiting)


def _language(text: str) -> str:
    arabic, latin = len(_ARABIC_SCRIPT.findall(text)), len(_LATIN.findall(text))
    if arabic > latin:
        return "fa" if _PERSIAN_LETTERS.search(text) else "ar"
    return ""

"""What the demo's generated stories are made of: each desk's own material, and the label rules.

Each desk has a file ``data/desk-<slug>.toml`` written for it: story
templates (headline, dek, body, tags, kind of piece, picture) and the pools
their slots are filled from. A Politics story is made only of the Politics
file, so a football story can never land on the Economy desk. Slots:
``{club}`` takes a value of the pool ``club``, ``{club_b}`` a different value
of the same pool, ``{club.name}`` a field of a table value; ``{min, max}``
pools give whole numbers.

Labels follow ``LABEL_RULES``: a label only on the desks it fits, "Breaking"
only while a story is under ``BREAKING_FOR`` old, "IFP Exclusive" on about
one story in ``EXCLUSIVE_ONE_IN`` of those written as exclusives. The rules
are documented in docs/site.md ("The demo outlet").
"""

from __future__ import annotations

import dataclasses
import random
import string
import tomllib
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache
from pathlib import Path
from types import SimpleNamespace

from masthead.stories.models import Label

DATA = Path(__file__).with_name("data")
DESK_SLUGS = ("politics", "economy", "society", "culture", "sports", "media-wire")


@dataclass(frozen=True)
class LabelRule:
    slug: str
    name: str
    kind: str
    desks: frozenset[str]
    max_age: timedelta | None = None


BREAKING_FOR = timedelta(hours=3)
EXCLUSIVE_ONE_IN = 4  # of the stories written so that they may be exclusives
NEWS_DESKS = frozenset({"politics", "economy", "society", "sports", "media-wire"})
# The demo's labels: which desks each fits, and how old a story may be to carry it.
LABEL_RULES = [
    LabelRule("ifp-exclusive", "IFP Exclusive", Label.Kind.EXCLUSIVE, NEWS_DESKS - {"media-wire"}),
    LabelRule("breaking", "Breaking", Label.Kind.BREAKING, NEWS_DESKS, max_age=BREAKING_FOR),
    LabelRule(
        "analysis",
        "Analysis",
        Label.Kind.ANALYSIS,
        frozenset({"politics", "economy", "media-wire"}),
    ),
    LabelRule(
        "opinion",
        "Opinion",
        Label.Kind.OPINION,
        frozenset({"politics", "economy", "society", "culture", "sports"}),
    ),
    LabelRule(
        "interview",
        "Interview",
        Label.Kind.INTERVIEW,
        frozenset({"economy", "society", "culture", "sports"}),
    ),
    LabelRule(
        "explainer",
        "Explainer",
        Label.Kind.BACKGROUND,
        frozenset({"politics", "economy", "society"}),
    ),
    LabelRule("review", "Review", Label.Kind.REVIEW, frozenset({"culture"})),
    LabelRule("reportage", "Reportage", Label.Kind.REPORTAGE, frozenset({"society", "culture"})),
]
RULES = {rule.slug: rule for rule in LABEL_RULES}
# The labels as the Persian edition shows them (Label.names).
PERSIAN_LABEL_NAMES = {
    "ifp-exclusive": "اختصاصی ایران فرانت پیج",
    "breaking": "فوری",
    "analysis": "تحلیل",
    "opinion": "یادداشت",
    "interview": "گفت‌وگو",
    "explainer": "شرح ماجرا",
    "review": "نقد",
    "reportage": "گزارش",
}
# A template's kind of piece → the label it carries (plain news carries none).
KIND_LABELS = {
    "analysis": "analysis",
    "opinion": "opinion",
    "interview": "interview",
    "explainer": "explainer",
    "review": "review",
    "reportage": "reportage",
}


class MaterialError(ValueError):
    """A desk's material file is malformed or breaks the label rules."""


@dataclass(frozen=True)
class Template:
    headline: str
    dek: str
    body: tuple[str, ...]
    tags: tuple[str, ...]
    kind: str = "news"
    exclusive: bool = False
    dateline: str = ""
    image: dict | None = None
    weight: int = 1
    # Issue 11: where the story's claims come from (``masthead/sourcing/kinds.py``).
    # An unnamed source carries ``approval_reason``: the loader records the desk
    # editor's approval with it. ``date = "published"`` takes the story's day.
    sources: tuple[dict, ...] = ()
    method_note: str = ""
    makes_allegation: bool = False
    dateline_kind: str = ""


@dataclass(frozen=True)
class DeskMaterial:
    slug: str
    pools: dict
    templates: tuple[Template, ...]


@dataclass
class Written:
    """One story made from a template, every slot filled."""

    headline: str
    dek: str
    paragraphs: list[str]
    tags: list[str]
    kind: str
    exclusive: bool
    dateline: str
    image: dict | None = None
    values: dict = field(default_factory=dict)
    sources: list[dict] = field(default_factory=list)
    method_note: str = ""
    makes_allegation: bool = False
    dateline_kind: str = ""


def allowed(slug: str, desk: str, age: timedelta) -> bool:
    """Whether the label ``slug`` may be on a story of ``desk`` that is ``age`` old."""
    rule = RULES[slug]
    return desk in rule.desks and (rule.max_age is None or age < rule.max_age)


def label_for(
    desk: str, kind: str, age: timedelta, exclusive: bool, rng: random.Random
) -> str | None:
    """The label slug a story of ``kind`` on ``desk`` carries at ``age``, by LABEL_RULES."""
    slug = KIND_LABELS.get(kind)
    if slug is None and exclusive and rng.randrange(EXCLUSIVE_ONE_IN) == 0:
        slug = "ifp-exclusive"
    return slug if slug is not None and allowed(slug, desk, age) else None


@cache
def desk_material(slug: str, folder: Path = DATA) -> DeskMaterial:
    path = folder / f"desk-{slug}.toml"
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise MaterialError(f"{path.name}: {error}") from None
    templates = []
    for number, story in enumerate(raw.get("story", []), start=1):
        try:
            template = Template(
                headline=story["headline"],
                dek=story["dek"],
                body=tuple(story["body"]),
                tags=tuple(story.get("tags", ())),
                kind=story.get("kind", "news"),
                exclusive=story.get("exclusive", False),
                dateline=story.get("dateline", ""),
                image=story.get("image"),
                weight=story.get("weight", 1),
                sources=tuple(story.get("sources", ())),
                method_note=story.get("method_note", ""),
                makes_allegation=story.get("makes_allegation", False),
                dateline_kind=story.get("dateline_kind", ""),
            )
        except (KeyError, TypeError) as error:
            raise MaterialError(f"{path.name}, story {number}: missing or wrong {error}") from None
        bare = dataclasses.replace(template, sources=(), method_note="")
        if extra := set(_slots(template)) - set(_slots(bare)):
            raise MaterialError(
                f"{path.name}, story {number}: sources use slots the story has not: {sorted(extra)}"
            )
        label = KIND_LABELS.get(template.kind)
        if template.kind != "news" and label is None:
            raise MaterialError(f"{path.name}, story {number}: unknown kind {template.kind!r}")
        if label is not None and slug not in RULES[label].desks:
            raise MaterialError(
                f"{path.name}, story {number}: {template.kind} does not fit the {slug} desk"
            )
        templates.append(template)
    if not templates:
        raise MaterialError(f"{path.name}: no [[story]]")
    return DeskMaterial(slug=slug, pools=raw.get("pools", {}), templates=tuple(templates))


_FORMATTER = string.Formatter()


def _slots(template: Template) -> list[str]:
    texts = [template.headline, template.dek, template.dateline, *template.body]
    if template.image:
        texts.extend(value for value in template.image.values() if isinstance(value, str))
    # Sources and the method note come last: they reuse the story's slots, so the
    # values drawn for the story are the same with or without them.
    texts.append(template.method_note)
    for source in template.sources:
        texts.extend(value for value in source.values() if isinstance(value, str))
    names = []
    for text in texts:
        for _, name, _, _ in _FORMATTER.parse(text):
            if name:
                root = name.split(".")[0].split("[")[0]
                if root not in names:
                    names.append(root)
    return names


def _pool_of(material: DeskMaterial, slot: str):
    if slot in material.pools:
        return slot, material.pools[slot]
    base = slot.rsplit("_", 1)[0]
    if slot.endswith(("_b", "_c")) and base in material.pools:
        return base, material.pools[base]
    raise MaterialError(f"desk-{material.slug}.toml: no pool for the slot {{{slot}}}")


def _draw(pool, taken: list, rng: random.Random):
    if isinstance(pool, dict):  # a range of whole numbers
        return rng.randrange(pool["min"], pool["max"] + 1, pool.get("step", 1))
    choices = [value for value in pool if value not in taken] or list(pool)
    value = rng.choice(choices)
    return SimpleNamespace(**value) if isinstance(value, dict) else value


def write(material: DeskMaterial, template: Template, rng: random.Random) -> Written:
    """Fill every slot of ``template`` once, so the same value reads the same everywhere."""
    values: dict = {}
    drawn: dict[str, list] = {}
    for slot in _slots(template):
        pool_name, pool = _pool_of(material, slot)
        value = _draw(pool, drawn.setdefault(pool_name, []), rng)
        drawn[pool_name].append(vars(value) if isinstance(value, SimpleNamespace) else value)
        values[slot] = value

    def fill(text: str) -> str:
        try:
            return _FORMATTER.vformat(text, (), values)
        except (AttributeError, KeyError, IndexError, ValueError) as error:
            raise MaterialError(
                f"desk-{material.slug}.toml: cannot fill “{text}”: {error}"
            ) from None

    image = None
    if template.image:
        image = {
            key: fill(value) if isinstance(value, str) else value
            for key, value in template.image.items()
        }
    return Written(
        headline=_sentence_case(fill(template.headline)),
        dek=_sentence_case(fill(template.dek)),
        paragraphs=[_sentence_case(fill(text)) for text in template.body],
        tags=list(template.tags),
        kind=template.kind,
        exclusive=template.exclusive,
        dateline=fill(template.dateline),
        image=image,
        values=values,
        sources=[
            {key: fill(value) if isinstance(value, str) else value for key, value in source.items()}
            for source in template.sources
        ],
        method_note=fill(template.method_note),
        makes_allegation=template.makes_allegation,
        dateline_kind=template.dateline_kind,
    )


def _sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]


def stories_for(slug: str, count: int, rng: random.Random, folder: Path = DATA) -> list[Written]:
    """``count`` stories of one desk, no headline twice, templates taken in turn.

    Templates are dealt like cards (``weight`` copies of each, shuffled), so
    neighbouring stories of a desk are of different kinds; a template whose
    headline has no slot left to vary is used once.
    """
    material = desk_material(slug, folder)
    headlines: set[str] = set()
    made: list[Written] = []
    exhausted: set[int] = set()
    while len(made) < count:
        deck = [
            i
            for i, t in enumerate(material.templates)
            for _ in range(t.weight)
            if i not in exhausted
        ]
        if not deck:
            raise MaterialError(
                f"desk-{slug}.toml: only {len(made)} different headlines, {count} wanted"
            )
        rng.shuffle(deck)
        for index in deck:
            if len(made) == count:
                break
            template = material.templates[index]
            for _ in range(12):
                written = write(material, template, rng)
                if written.headline not in headlines:
                    headlines.add(written.headline)
                    made.append(written)
                    break
            else:
                exhausted.add(index)
    return made

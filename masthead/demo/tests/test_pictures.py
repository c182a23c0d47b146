"""The demo's graphics in the language of their spec (pictures.py, graphic_words.py).

Real rendering throughout: the words a graphic draws are read from
``pictures.drawn_text()``, which records every string ``Canvas.text`` draws.
"""

from __future__ import annotations

import hashlib
import io
import re

import pytest
from PIL import Image, ImageDraw

from masthead.demo import persian, pictures

# Latin letters or ASCII digits: what a Persian graphic must not draw of its own.
LATIN = re.compile(r"[A-Za-z0-9]")
# Reviewed: the map data set's proper name, printed in Latin letters as Persian newsrooms do.
ALLOWED_LATIN = ["Natural Earth"]

# One English picture of every kind and what it renders to before graphics spoke Persian
# (JPEG bytes of the pinned Pillow; a Pillow upgrade that changes encoding renews them).
ENGLISH = {
    "map": (
        {"kind": "map", "place": "Tabriz", "title": "Tabriz", "subtitle": "The bazaar"},
        "440200ab4319f91e2e5ff85ab12a055f74cd973bcb1919bde6f6f477a8cdbaab",
    ),
    "map-iraq": (
        {"kind": "map", "place": "Baghdad", "country": "Iraq", "title": "Baghdad"},
        "a3ac38a945e311a3c4cbd7bc4ab41c64e3098fb1549ef08d5c9d4812dd109b51",
    ),
    "bars": (
        {
            "kind": "bars",
            "title": "Budget",
            "subtitle": "Growth, %",
            "bars": ["Tax", "Oil", "Bonds"],
            "values": [-6, 48],
            "unit": "%",
            "highlight": "Oil",
        },
        "18517dc839a6032cc82c829f47180e47abc5fdbd4e28e8c230dae40d7526af55",
    ),
    "line": (
        {
            "kind": "line",
            "title": "Rial",
            "subtitle": "per dollar, last 12 weeks",
            "start": 500000,
            "end": 620000,
        },
        "d8b72ab3379b71283bdf041db6479e9d2db330675976243eea93ef2af3914eb3",
    ),
    "table": (
        {"kind": "table", "title": "League", "subtitle": "Week 12", "mark": "Esteghlal", "lead": 2},
        "89cfba5b72e340c458765f311dca2b75218fd066c3d4d580c994b060d9a8219e",
    ),
    "score": (
        {
            "kind": "score",
            "home": "Esteghlal",
            "away": "Sepahan",
            "score": "2 - 0",
            "competition": "Pro League",
            "venue": "Azadi Stadium, Tehran",
        },
        "0e02121ee722e5dae7ea54b933d94eb8adc69813470eb2115781ef9169dd93ae",
    ),
    "seats": (
        {
            "kind": "seats",
            "title": "Vote",
            "subtitle": "Budget bill",
            "yes": 150,
            "no": 80,
            "abstain": 20,
        },
        "0ca9ba7557d1cac09c01335bf95f48429d3607407d2e5eb9720dafe5ae74bcd3",
    ),
    "tiles": (
        {
            "kind": "tiles",
            "title": "Fajr Film Festival",
            "subtitle": "Competition",
            "detail": "22 films",
        },
        "2522cce6ded4d7e9b850e4f1b5b2d42e813fe77222c8d83065495391c7d14329",
    ),
}

# The outlet's mark (the English collective's picture, rows.cached_mark) before marks took a
# language: PNG bytes of the pinned Pillow.
ENGLISH_MARK = "377a2a79591ec23dd9b6dfa47460a66d7f861ba6762be83833f7cdd5ab20a698"

# Kinds the Persian material does not use yet, in Persian all the same.
MORE_PERSIAN = [
    {
        "kind": "line",
        "title": "نرخ دلار در بازار آزاد",
        "subtitle": "هزار تومان، ۱۲ هفتهٔ گذشته",
        "start": 58000.5,
        "end": 71250,
    },
    {"kind": "line", "title": "تورم ماهانه", "subtitle": "درصد", "start": 2.5, "end": 3.75},
    {"kind": "table", "title": "جدول لیگ برتر", "subtitle": "هفتهٔ دوازدهم", "mark": "Esteghlal"},
    {
        "kind": "seats",
        "title": "رأی مجلس",
        "subtitle": "کلیات لایحه",
        "yes": 152,
        "no": 88,
        "abstain": 14,
    },
    {
        "kind": "bars",
        "title": "تغییر قیمت",
        "subtitle": "درصد",
        "bars": ["نان", "برنج"],
        "values": [-12, 30],
    },
]


def persian_specs() -> list[dict]:
    """Every picture spec of the Persian material, as the edition's loader hands it on."""
    raw = persian.material()
    specs = []
    for story in [raw["translation"], *raw["story"]]:
        if "image" in story:
            specs.append(story["image"])
        specs += [figure["image"] for figure in story.get("figures", [])]
    return [persian._picture_spec(spec) for spec in specs if spec["kind"] != "photo"]


def drawn(spec: dict, seed: str = "test") -> list[str]:
    pictures._base_map.cache_clear()  # a cached map draws no words: draw them again
    with pictures.drawn_text() as strings:
        pictures.render(spec, seed)
    return strings


@pytest.mark.parametrize("name", list(ENGLISH))
def test_an_english_graphic_is_what_it_always_was(name):
    spec, sha256 = ENGLISH[name]
    pictures._base_map.cache_clear()
    assert hashlib.sha256(pictures.render(spec, f"seed-{name}")).hexdigest() == sha256


def test_the_persian_material_uses_these_kinds():
    assert {spec["kind"] for spec in persian_specs()} == {"map", "bars", "tiles", "score"}


@pytest.mark.parametrize(
    "spec",
    [*persian_specs(), *({**spec, "language": "fa"} for spec in MORE_PERSIAN)],
    ids=lambda spec: f"{spec['kind']}-{spec.get('place', spec.get('title'))}",
)
def test_a_persian_graphic_draws_no_latin_letters_or_digits(spec):
    strings = drawn(spec)
    assert strings
    for text in strings:
        for allowed in ALLOWED_LATIN:
            text = text.replace(allowed, "")
        assert not LATIN.search(text), text


def test_a_persian_map_names_places_seas_and_scale_in_persian():
    spec = next(spec for spec in persian_specs() if spec.get("place") == "Tabriz")
    strings = drawn(spec)
    for word in ["تبریز", "تهران", "ترکیه", "عراق", "دریای خزر", "خلیج فارس", "۲۰۰ کیلومتر"]:
        assert word in strings
    assert "داده‌های نقشه: Natural Earth" in strings


def test_every_place_country_and_sea_has_a_persian_name():
    words = pictures.words_for("fa")
    names = [*pictures.PLACES, *pictures.COUNTRY_LABELS, *pictures.SEA_LABELS]
    assert [name for name in names if name not in words.names] == []


def test_persian_numbers_have_persian_digits_and_separators():
    words = pictures.words_for("fa")
    assert words.number(pictures._number(71250)) == "۷۱٬۲۵۰"
    assert words.number(pictures._number(2.5)) == "۲٫۵"


def _ink_columns(jpeg: bytes, top: int, bottom: int) -> tuple[int, int]:
    """The leftmost and rightmost columns with dark ink between rows ``top`` and ``bottom``."""
    image = Image.open(io.BytesIO(jpeg)).convert("L").crop((0, top, pictures.WIDTH, bottom))
    columns = [
        x
        for x in range(image.width)
        if min(image.getpixel((x, y)) for y in range(0, image.height, 2)) < 90
    ]
    return min(columns), max(columns)


def test_a_persian_title_is_anchored_right():
    spec = {
        "kind": "bars",
        "title": "صادرات غیرنفتی",
        "subtitle": "میلیارد دلار",
        "bars": ["چین"],
        "values": [2, 9],
    }
    left, right = _ink_columns(pictures.render({**spec, "language": "fa"}, "t"), 40, 92)
    assert pictures.WIDTH - 66 < right <= pictures.WIDTH - 50
    assert left > pictures.WIDTH / 2
    english = {**spec, "title": "Non-oil exports"}
    left, right = _ink_columns(pictures.render(english, "t"), 40, 92)
    assert 50 <= left < 66
    assert right < pictures.WIDTH / 2


def test_persian_is_drawn_in_vazirmatn():
    """Real Persian glyphs, not boxes: the typeface the site serves, read from its WOFF2."""
    assert pictures._rtl_font(40).getname()[0] == "Vazirmatn"


def test_the_english_mark_is_what_it_always_was():
    assert hashlib.sha256(pictures.logo_mark("IFP")).hexdigest() == ENGLISH_MARK


def test_the_persian_collectives_mark_is_set_in_vazirmatn_right_to_left(monkeypatch):
    """The mark the demo gives the Persian collective (persian._mark), not DejaVu's Arabic."""
    set_in = []
    draw_text = ImageDraw.ImageDraw.text

    def recording(self, xy, text, *args, font=None, direction=None, **kwargs):
        set_in.append((text, font.getname()[0], direction))
        return draw_text(self, xy, text, *args, font=font, direction=direction, **kwargs)

    monkeypatch.setattr(ImageDraw.ImageDraw, "text", recording)
    persian._mark.__wrapped__()  # not the copy an earlier load cached

    assert set_in == [(persian.MARK, "Vazirmatn", "rtl")]

"""The demo outlet's pictures: news graphics drawn here, a few real photographs, portraits.

No network and no photo rights to clear: the graphics a news site publishes
every day (locator maps, charts, a league table, a vote, a festival card)
are drawn with Pillow from the story's own facts, so each story's picture is
its own; five public-domain/CC0 photographs ship in ``data/`` (sources and
licences in ``data/LICENCES.md``); staff portraits are illustrated.
Everything is deterministic: the same story gets the same picture.

A graphic speaks the language of its spec (``language``, English by
default): the words it draws itself come from that language's table in
``graphic_words.py``, and a right-to-left language's graphic is laid out as
in a mirror (``Canvas.mirrored``: header and footer anchored right, a
chart's labels on the right) except the geography of a map. Persian is
drawn in Vazirmatn, the typeface the site serves (``site/static/site/fonts``),
shaped right to left by Pillow's libraqm layout.
"""

from __future__ import annotations

import io
import json
import math
import random
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from PIL import Image as PillowImage
from PIL import ImageDraw, ImageFont

from masthead.demo.graphic_words import GraphicWords, words_for

DATA = Path(__file__).with_name("data")
# The Persian typeface the site itself serves; FreeType reads WOFF2 (the site's file, unchanged).
PERSIAN_FONT = Path(__file__).parents[1] / "site/static/site/fonts/Vazirmatn-Variable.woff2"
ENGLISH = words_for("en")
WIDTH, HEIGHT = 1200, 675
SCALE = 2  # drawn at twice the size, then reduced: smooth edges without an anti-aliasing API

PAPER = (253, 252, 249)
INK = (28, 28, 30)
SOFT = (96, 96, 104)
RULE = (220, 216, 208)
ACCENT = (163, 22, 26)
SEA = (214, 228, 238)
LAND = (238, 234, 224)
HOME = (249, 232, 196)


@dataclass(frozen=True)
class Photo:
    file: str
    alt: str
    credit: str


# Real photographs (data/LICENCES.md): file, what it shows, credit as printed.
PHOTOS = {
    "coffee": Photo(
        "photo-coffee.jpg",
        "An espresso in a red cup and saucer on a wooden café table",
        "Rachel Michetti (CC0)",
    ),
    "cat": Photo(
        "photo-cat.jpg",
        "Close-up of a tabby cat with green eyes",
        "Stefan van der Walt (CC0)",
    ),
    "deep-field": Photo(
        "photo-deep-field.jpg",
        "Thousands of distant galaxies as points of light on a black sky",
        "NASA, ESA (public domain)",
    ),
    "photographer": Photo(
        "photo-photographer.jpg",
        "Black-and-white photo of a man looking through a camera on a tripod in a park",
        "Lav Varshney (CC0)",
    ),
    "rocket-launch": Photo(
        "photo-rocket-launch.jpg",
        "A rocket standing on its launch pad at dusk between lightning towers",
        "SpaceX (public domain)",
    ),
}


@cache
def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    """DejaVu Sans where the system has it, else the font bundled with Pillow."""
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    for folder in ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu"):
        try:
            return ImageFont.truetype(f"{folder}/{name}", size)
        except OSError:
            continue
    return ImageFont.load_default(size)


@cache
def _rtl_font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    """Vazirmatn at the weight asked for; DejaVu Sans (which has Arabic script) if this
    FreeType cannot read WOFF2."""
    try:
        font = ImageFont.truetype(str(PERSIAN_FONT), size)
    except OSError:
        return _font(size, bold)
    font.set_variation_by_name("Bold" if bold else "Regular")
    return font


# The strings drawn while ``drawn_text()`` is open (the tests read what a graphic says).
_drawn: ContextVar[list[str] | None] = ContextVar("drawn", default=None)


@contextmanager
def drawn_text() -> Iterator[list[str]]:
    """Collect every string the graphics draw inside the ``with`` block, in order."""
    drawn: list[str] = []
    token = _drawn.set(drawn)
    try:
        yield drawn
    finally:
        _drawn.reset(token)


class Canvas:
    """A drawing in output pixels, drawn at SCALE and reduced when saved.

    In a right-to-left language's words the canvas is ``mirrored``: every
    x is measured from the right and text anchored left is anchored right,
    so one layout serves both directions; ``geographic()`` turns that off
    for what must keep its sides (a map's land and places).
    """

    def __init__(
        self,
        width: int = WIDTH,
        height: int = HEIGHT,
        background=PAPER,
        words: GraphicWords = ENGLISH,
    ):
        self.width, self.height = width, height
        self.image = PillowImage.new("RGB", (width * SCALE, height * SCALE), background)
        self.draw = ImageDraw.Draw(self.image)
        self.words = words
        self.mirrored = words.is_rtl

    @contextmanager
    def geographic(self) -> Iterator[None]:
        """Draw with x from the left whatever the language: east stays east."""
        mirrored, self.mirrored = self.mirrored, False
        try:
            yield
        finally:
            self.mirrored = mirrored

    def _x(self, x):
        return self.width - x if self.mirrored else x

    def _box(self, box):
        if not self.mirrored:
            return box
        x0, y0, x1, y1 = box
        return (self.width - x1, y0, self.width - x0, y1)

    def _angles(self, start, end):
        return (180 - end, 180 - start) if self.mirrored else (start, end)

    def _xy(self, points):
        return [(self._x(x) * SCALE, y * SCALE) for x, y in points]

    def rect(self, box, fill=None, outline=None, width=1, radius=0):
        x0, y0, x1, y1 = (v * SCALE for v in self._box(box))
        self.draw.rounded_rectangle(
            (x0, y0, x1, y1), radius * SCALE, fill=fill, outline=outline, width=width * SCALE
        )

    def ellipse(self, box, fill=None, outline=None, width=1):
        self.draw.ellipse(
            [v * SCALE for v in self._box(box)], fill=fill, outline=outline, width=width * SCALE
        )

    def chord(self, box, start, end, fill):
        self.draw.chord([v * SCALE for v in self._box(box)], *self._angles(start, end), fill=fill)

    def arc(self, box, start, end, fill, width=1):
        self.draw.arc(
            [v * SCALE for v in self._box(box)],
            *self._angles(start, end),
            fill=fill,
            width=width * SCALE,
        )

    def polygon(self, points, fill=None, outline=None, width=1):
        self.draw.polygon(self._xy(points), fill=fill, outline=outline, width=width * SCALE)

    def line(self, points, fill=INK, width=1):
        self.draw.line(self._xy(points), fill=fill, width=width * SCALE, joint="curve")

    def text(self, xy, text, size=24, fill=INK, bold=False, anchor="la"):
        x, y = xy
        if (drawn := _drawn.get()) is not None:
            drawn.append(text)
        if self.words.is_rtl:
            self._rtl_text(x, y, text, size, fill, bold, anchor)
            return
        self.draw.text(
            (x * SCALE, y * SCALE), text, font=_font(size * SCALE, bold), fill=fill, anchor=anchor
        )

    def _rtl_text(self, x, y, text, size, fill, bold, anchor):
        if self.mirrored:
            x, anchor = self._x(x), {"l": "r", "r": "l"}.get(anchor[0], anchor[0]) + anchor[1:]
        self.draw.text(
            (x * SCALE, y * SCALE),
            text,
            font=_rtl_font(size * SCALE, bold),
            fill=fill,
            anchor=anchor,
            direction="rtl",
            language=self.words.language,
        )

    def text_width(self, text, size=24, bold=False) -> float:
        if self.words.is_rtl:
            font = _rtl_font(size * SCALE, bold)
            width = self.draw.textlength(
                text, font=font, direction="rtl", language=self.words.language
            )
            return width / SCALE
        return self.draw.textlength(text, font=_font(size * SCALE, bold)) / SCALE

    def fit(self, text: str, size: int, width: float, bold=False) -> int:
        """The largest size up to ``size`` at which ``text`` fits in ``width``."""
        while size > 12 and self.text_width(text, size, bold) > width:
            size -= 1
        return size

    def jpeg(self, quality: int = 84) -> bytes:
        out = io.BytesIO()
        self.image.reduce(SCALE).save(out, "JPEG", quality=quality)
        return out.getvalue()

    def png(self) -> bytes:
        out = io.BytesIO()
        self.image.reduce(SCALE).save(out, "PNG")
        return out.getvalue()


def _header(canvas: Canvas, title: str, subtitle: str = "", colour=ACCENT) -> float:
    canvas.rect((0, 0, WIDTH, 8), fill=colour)
    canvas.text((56, 44), title, canvas.fit(title, 40, WIDTH - 112, bold=True), bold=True)
    if subtitle:
        canvas.text((56, 98), subtitle, canvas.fit(subtitle, 24, WIDTH - 112), fill=SOFT)
        return 150
    return 112


def _footer(canvas: Canvas, source: str) -> None:
    canvas.line([(56, HEIGHT - 52), (WIDTH - 56, HEIGHT - 52)], fill=RULE, width=1)
    canvas.text((56, HEIGHT - 38), source, 18, fill=SOFT)
    outlet = canvas.words.outlet
    canvas.text((WIDTH - 56, HEIGHT - 38), outlet, 18, fill=SOFT, bold=True, anchor="ra")


# --- maps ------------------------------------------------------------------------------

# Places the stories name: (longitude, latitude).
PLACES = {
    "Tehran": (51.39, 35.69),
    "Isfahan": (51.67, 32.65),
    "Mashhad": (59.61, 36.30),
    "Tabriz": (46.29, 38.08),
    "Shiraz": (52.53, 29.59),
    "Ahvaz": (48.67, 31.32),
    "Kerman": (57.08, 30.28),
    "Rasht": (49.58, 37.28),
    "Yazd": (54.36, 31.89),
    "Bandar Abbas": (56.27, 27.18),
    "Bushehr": (50.84, 28.97),
    "Kermanshah": (47.07, 34.31),
    "Zahedan": (60.86, 29.50),
    "Urmia": (45.08, 37.55),
    "Hamedan": (48.52, 34.80),
    "Qom": (50.88, 34.64),
    "Sari": (53.06, 36.56),
    "Gorgan": (54.43, 36.84),
    "Chabahar": (60.64, 25.29),
    "Kish Island": (53.98, 26.54),
    "Strait of Hormuz": (56.45, 26.57),
    "Baghdad": (44.36, 33.31),
    "Beirut": (35.50, 33.89),
    "Damascus": (36.29, 33.51),
    "Gaza": (34.45, 31.50),
    "Amman": (35.93, 31.95),
    "Riyadh": (46.72, 24.71),
    "Doha": (51.53, 25.29),
    "Muscat": (58.41, 23.59),
    "Kabul": (69.16, 34.53),
    "Baku": (49.87, 40.41),
    "Yerevan": (44.51, 40.18),
    "Ankara": (32.86, 39.93),
    "Sanaa": (44.21, 15.35),
    "Cairo": (31.24, 30.04),
    "Islamabad": (73.05, 33.68),
    "Ashgabat": (58.38, 37.95),
    "Abu Dhabi": (54.37, 24.45),
    "Kuwait City": (47.98, 29.37),
    "Manama": (50.59, 26.23),
}
# Where each country's name goes on a map.
COUNTRY_LABELS = {
    "Iran": (54.5, 32.9),
    "Iraq": (43.6, 32.6),
    "Turkey": (36.5, 39.2),
    "Syria": (38.6, 35.3),
    "Saudi Arabia": (44.5, 24.4),
    "Afghanistan": (65.8, 33.6),
    "Pakistan": (67.5, 28.3),
    "Turkmenistan": (58.8, 39.4),
    "Azerbaijan": (47.6, 40.6),
    "Oman": (56.9, 21.0),
    "Jordan": (36.8, 30.7),
    "Egypt": (29.5, 26.8),
    "Yemen": (47.5, 16.0),
    "Kuwait": (47.6, 29.4),
    "Qatar": (51.2, 25.3),
    "United Arab Emirates": (54.0, 23.6),
    "Israel": (34.9, 31.1),
    "Lebanon": (35.9, 34.0),
    "Uzbekistan": (64.0, 41.6),
    "Armenia": (44.9, 40.0),
}
SEA_LABELS = {
    "Caspian Sea": (50.9, 39.7),
    "Persian Gulf": (51.4, 27.4),
    "Gulf of Oman": (58.6, 24.6),
    "Arabian Sea": (63.0, 21.0),
    "Red Sea": (38.3, 20.5),
    "Mediterranean": (32.0, 34.2),
    "Black Sea": (35.5, 43.0),
}


@cache
def _region() -> dict[str, list[list[list[float]]]]:
    return json.loads((DATA / "region.json").read_text(encoding="utf-8"))["countries"]


@dataclass(frozen=True)
class _MapView:
    lon0: float
    lat0: float
    span_lat: float
    top: int  # the title band's height; the map fills the canvas below it

    @property
    def kx(self) -> float:
        return math.cos(math.radians(self.lat0))

    @property
    def span_lon(self) -> float:
        return self.span_lat * WIDTH / (HEIGHT - self.top) / self.kx

    def at(self, lon: float, lat: float) -> tuple[float, float]:
        x = (lon - self.lon0) / self.span_lon * WIDTH + WIDTH / 2
        y = (self.lat0 - lat) / self.span_lat * (HEIGHT - self.top) + (HEIGHT + self.top) / 2
        return x, y


@lru_cache(maxsize=4)  # each is ~10 MB of pixels; most maps share the view of Iran
def _base_map(view: _MapView, country: str, language: str = "en") -> PillowImage.Image:
    """Land, sea, borders and names: the same for every map of one country, view and
    language."""
    words = words_for(language)
    canvas = Canvas(background=SEA, words=words)
    with canvas.geographic():
        _geography(canvas, view, country)
    km = 200 if view.span_lat > 12 else 100
    bar = km / 111.32 / view.span_lon * WIDTH / view.kx
    # The scale and the credit change sides in a right-to-left language (a mirrored canvas).
    canvas.rect((WIDTH - 40 - bar, HEIGHT - 30, WIDTH - 40, HEIGHT - 24), fill=INK)
    scale = words.scale.format(words.number(str(km)))
    canvas.text((WIDTH - 40, HEIGHT - 38), scale, 18, fill=INK, anchor="rb")
    canvas.text((40, HEIGHT - 24), words.map_credit, 18, fill=(70, 90, 110), anchor="ls")
    return canvas.image


def _geography(canvas: Canvas, view: _MapView, country: str) -> None:
    words = canvas.words
    for name, rings in _region().items():
        fill = HOME if name == country else LAND
        for ring in rings:
            points = [view.at(lon, lat) for lon, lat in ring]
            canvas.polygon(points, fill=fill)
            canvas.line([*points, points[0]], fill=(186, 180, 168), width=1)
    for ring in _region().get(country, []):
        points = [view.at(lon, lat) for lon, lat in ring]
        canvas.line([*points, points[0]], fill=(150, 110, 60), width=2)
    small = (
        {"Israel", "Lebanon", "Kuwait", "Qatar", "Armenia", "Jordan"}
        if view.span_lat > 12
        else set()
    )
    for name, (lon, lat) in COUNTRY_LABELS.items():
        x, y = view.at(lon, lat)
        if (
            60 < x < WIDTH - 60
            and view.top + 20 < y < HEIGHT - 60
            and name not in {country, *small}
        ):
            canvas.text((x, y), words.country(name), 17, fill=(140, 134, 122), anchor="mm")
    for name, (lon, lat) in SEA_LABELS.items():
        x, y = view.at(lon, lat)
        if 60 < x < WIDTH - 60 and view.top + 20 < y < HEIGHT - 60:
            canvas.text((x, y), words.name(name), 18, fill=(90, 120, 150), anchor="mm")


CAPITALS = {"Iran": "Tehran", "Iraq": "Baghdad", "Lebanon": "Beirut", "Syria": "Damascus"}


def locator_map(
    *, place: str, title: str, subtitle: str = "", country: str = "Iran", language: str = "en"
) -> bytes:
    """A news locator map: the region, ``country`` shaded, ``place`` marked."""
    top = 150 if subtitle else 112
    if country == "Iran":
        view = _MapView(53.6, 32.3, 16.5, top)  # the whole country in view
    else:
        lon, lat = PLACES.get(place, COUNTRY_LABELS.get(country, (45.0, 30.0)))
        view = _MapView(lon, lat, 7.0, top)
    words = words_for(language)
    canvas = Canvas(words=words)
    canvas.image.paste(_base_map(view, country, words.language))
    with canvas.geographic():
        _places(canvas, view, [CAPITALS.get(country, place), place], place)
    canvas.rect((0, 0, WIDTH, top), fill=(255, 255, 255))
    canvas.line([(0, top), (WIDTH, top)], fill=RULE, width=1)
    _header(canvas, title, subtitle)
    return canvas.jpeg()


def _places(canvas: Canvas, view: _MapView, names: list[str], place: str) -> None:
    """Dots and names of ``names``, ``place`` marked; a name reads away from its dot, to
    the right in a left-to-right language, to the left in a right-to-left one."""
    for name in dict.fromkeys(names):
        x, y = view.at(*PLACES[name])
        marked = name == place
        radius = 9 if marked else 6
        canvas.ellipse(
            (x - radius, y - radius, x + radius, y + radius),
            fill=ACCENT if marked else INK,
            outline=(255, 255, 255),
            width=2,
        )
        size = 26 if marked else 20
        shown = canvas.words.name(name)
        label_w = canvas.text_width(shown, size, bold=marked)
        if canvas.words.is_rtl:
            left = x - 16 - label_w if x - 16 - label_w > 20 else x + 16
        else:
            left = x + 16 if x + 16 + label_w < WIDTH - 20 else x - 16 - label_w
        if marked:
            canvas.rect(
                (left - 6, y - 20, left + label_w + 6, y + 18), fill=(255, 255, 255), radius=4
            )
        canvas.text((left, y), shown, size, fill=INK, bold=marked, anchor="lm")


# --- charts ----------------------------------------------------------------------------


def _nice_step(span: float) -> float:
    raw = span / 5
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * power:
            return factor * power
    return 10 * power


def _number(value: float) -> str:
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.1f}".rstrip("0").rstrip(".") if value % 1 else f"{value:.0f}"


def line_chart(
    *,
    title: str,
    subtitle: str,
    start: float,
    end: float,
    seed: str,
    points: int = 12,
    labels: list[str] | None = None,
    source: str = "",
    colour=ACCENT,
    language: str = "en",
) -> bytes:
    """A line chart of a series that goes from ``start`` to ``end`` with some noise."""
    words = words_for(language)
    rng = random.Random(seed)
    values = []
    for i in range(points):
        trend = start + (end - start) * i / (points - 1)
        values.append(trend * (1 + rng.uniform(-0.035, 0.035)) if 0 < i < points - 1 else trend)
    canvas = Canvas(words=words)
    top = _header(canvas, title, subtitle)
    low, high = min(values), max(values)
    step = _nice_step(high - low or abs(high) or 1)
    floor, ceil = math.floor(low / step) * step, math.ceil(high / step) * step
    left, right, bottom = 150, WIDTH - 80, HEIGHT - 110

    def y_of(value):
        return bottom - (value - floor) / ((ceil - floor) or 1) * (bottom - top - 20)

    tick = floor
    while tick <= ceil + step / 2:
        y = y_of(tick)
        canvas.line([(left, y), (right, y)], fill=RULE, width=1)
        canvas.text((left - 14, y), words.number(_number(tick)), 20, fill=SOFT, anchor="rm")
        tick += step
    xs = [left + (right - left) * i / (points - 1) for i in range(points)]
    labels = labels or [f"{i + 1}" for i in range(points)]
    for i, x in enumerate(xs):
        if i % max(1, points // 6) == 0 or i == points - 1:
            canvas.text((x, bottom + 22), words.number(labels[i]), 19, fill=SOFT, anchor="mm")
    line = [(x, y_of(v)) for x, v in zip(xs, values, strict=True)]
    canvas.polygon([*line, (right, bottom), (left, bottom)], fill=(*_tint(colour),))
    canvas.line(line, fill=colour, width=4)
    x, y = line[-1]
    canvas.ellipse((x - 8, y - 8, x + 8, y + 8), fill=colour, outline=(255, 255, 255), width=2)
    last = words.number(_number(values[-1]))
    canvas.text((x - 14, y - 16), last, 26, fill=colour, bold=True, anchor="rb")
    _footer(canvas, source or words.source)
    return canvas.jpeg()


def _tint(colour, amount=0.86):
    return tuple(int(c + (255 - c) * amount) for c in colour)


def bar_chart(
    *,
    title: str,
    subtitle: str,
    bars: list[tuple[str, float]],
    unit: str = "",
    source: str = "",
    colour=ACCENT,
    highlight: str = "",
    language: str = "en",
) -> bytes:
    """Horizontal bars, largest first, the story's own bar in the accent colour (growing
    leftwards, names on the right, in a right-to-left language)."""
    words = words_for(language)
    canvas = Canvas(words=words)
    top = _header(canvas, title, subtitle)
    bars = sorted(bars, key=lambda bar: -bar[1])
    label_w = max(canvas.text_width(name, 22) for name, _ in bars) + 24
    left, right = 56 + label_w, WIDTH - 140
    row = min(54, (HEIGHT - 80 - top) / len(bars))
    low = min(0, *(value for _, value in bars))
    high = max(0, *(value for _, value in bars))
    scale = (right - left) / ((high - low) or 1)
    zero = left + -low * scale
    signed = low < 0  # changes: show the sign, falls in another colour
    if signed:
        canvas.line([(zero, top), (zero, top + 10 + len(bars) * row)], fill=SOFT, width=2)
    for i, (name, value) in enumerate(bars):
        y = top + 10 + i * row
        if highlight:
            fill = colour if name == highlight else (150, 150, 156)
        else:
            fill = (60, 110, 150) if value < 0 else colour
        end = zero + value * scale
        canvas.text((left - 16, y + row * 0.4), name, 22, fill=INK, anchor="rm")
        canvas.rect((min(zero, end), y + 6, max(zero, end), y + row * 0.8 - 6), fill=fill)
        shown = words.number(f"{'+' if signed and value > 0 else ''}{_number(value)}{unit}")
        canvas.text(
            (max(zero, end) + 12, y + row * 0.4),
            shown,
            21,
            fill=INK,
            bold=name == highlight,
            anchor="lm",
        )
    _footer(canvas, source or words.source)
    return canvas.jpeg()


def league_table(
    *,
    title: str,
    subtitle: str,
    clubs: list[str],
    seed: str,
    mark: list[str],
    lead: int = 0,
    language: str = "en",
) -> bytes:
    """The top of a league table, ``mark``ed clubs in bold; with ``lead``, the first
    club leads the others by that many points."""
    rng = random.Random(seed)
    played = rng.randrange(8, 22)
    results = []  # club, won, drawn, goal difference
    for club in clubs:
        won = rng.randrange(played // 4, played * 3 // 4)
        drawn = rng.randrange(0, played - won + 1)
        results.append([club, won, drawn, rng.randrange(-8, 14)])
    if lead:
        best = max(won * 3 + drawn for _, won, drawn, _ in results[1:])
        target = best + lead
        results[0][1:3] = [target // 3, target % 3]
        results[0][3] = max(results[0][3], 6)
        played = max(played, target // 3 + target % 3)
    rows = [
        (club, played, won, drawn, played - won - drawn, difference, won * 3 + drawn)
        for club, won, drawn, difference in results
    ]
    rows.sort(key=lambda r: (-r[6], -r[5], r[0]))
    words = words_for(language)
    canvas = Canvas(words=words)
    top = _header(canvas, title, subtitle, colour=(20, 100, 120))
    columns = list(zip(words.columns, range(1, 7), strict=True))
    row_h = (HEIGHT - 80 - top - 40) / len(rows)
    canvas.rect((56, top, WIDTH - 56, top + 40), fill=(20, 100, 120))
    canvas.text((110, top + 20), words.club, 20, fill=(255, 255, 255), bold=True, anchor="lm")
    for j, (name, _) in enumerate(columns):
        canvas.text(
            (620 + j * 90, top + 20), name, 20, fill=(255, 255, 255), bold=True, anchor="mm"
        )
    for i, row in enumerate(rows):
        y = top + 40 + i * row_h
        if i % 2:
            canvas.rect((56, y, WIDTH - 56, y + row_h), fill=(240, 244, 245))
        bold = row[0] in mark
        canvas.text((80, y + row_h / 2), words.number(str(i + 1)), 22, fill=SOFT, anchor="mm")
        canvas.text((110, y + row_h / 2), row[0], 22, fill=INK, bold=bold, anchor="lm")
        for j, (_, index) in enumerate(columns):
            value = row[index]
            shown = words.number(f"+{value}" if index == 5 and value > 0 else str(value))
            canvas.text(
                (620 + j * 90, y + row_h / 2),
                shown,
                22,
                fill=INK,
                bold=bold or index == 6,
                anchor="mm",
            )
    _footer(canvas, words.league_source)
    return canvas.jpeg()


def score_card(
    *, home: str, away: str, score: str, competition: str, venue: str, language: str = "en"
) -> bytes:
    """Full time: the two clubs and the score over a pitch (the home side first in the
    reading direction)."""
    words = words_for(language)
    canvas = Canvas(background=(28, 96, 52), words=words)
    for stripe in range(0, WIDTH, 120):
        canvas.rect((stripe, 0, stripe + 60, HEIGHT), fill=(33, 106, 58))
    white = (245, 245, 240)
    canvas.rect((60, 60, WIDTH - 60, HEIGHT - 60), outline=white, width=3)
    canvas.line([(WIDTH / 2, 60), (WIDTH / 2, HEIGHT - 60)], fill=white, width=3)
    canvas.ellipse(
        (WIDTH / 2 - 90, HEIGHT / 2 - 90, WIDTH / 2 + 90, HEIGHT / 2 + 90), outline=white, width=3
    )
    canvas.rect((60, HEIGHT / 2 - 150, 240, HEIGHT / 2 + 150), outline=white, width=3)
    canvas.rect(
        (WIDTH - 240, HEIGHT / 2 - 150, WIDTH - 60, HEIGHT / 2 + 150), outline=white, width=3
    )
    canvas.rect(
        (WIDTH / 2 - 420, HEIGHT / 2 - 120, WIDTH / 2 + 420, HEIGHT / 2 + 130),
        fill=(16, 24, 20),
        radius=14,
    )
    canvas.text(
        (WIDTH / 2, HEIGHT / 2 - 84),
        words.full_time.format(competition.upper()),
        22,
        fill=(190, 210, 195),
        bold=True,
        anchor="mm",
    )
    for name, x in ((home, WIDTH / 2 - 230), (away, WIDTH / 2 + 230)):
        canvas.text(
            (x, HEIGHT / 2 + 6),
            name,
            canvas.fit(name, 40, 330, bold=True),
            fill=white,
            bold=True,
            anchor="mm",
        )
    shown = words.number(score)
    canvas.text((WIDTH / 2, HEIGHT / 2 + 6), shown, 76, fill=white, bold=True, anchor="mm")
    canvas.text((WIDTH / 2, HEIGHT / 2 + 90), venue, 22, fill=(190, 210, 195), anchor="mm")
    return canvas.jpeg()


def seats(
    *,
    title: str,
    subtitle: str,
    yes: int,
    no: int,
    abstain: int,
    total: int = 290,
    language: str = "en",
) -> bytes:
    """A parliament vote as a hemicycle of seats: for, against, abstained, absent."""
    words = words_for(language)
    canvas = Canvas(words=words)
    top = _header(canvas, title, subtitle)
    voted, against, abstained, away = words.votes
    groups = [
        (voted, yes, (24, 110, 70)),
        (against, no, ACCENT),
        (abstained, abstain, (214, 160, 40)),
    ]
    absent = total - yes - no - abstain
    colours = [c for _, n, c in groups for _ in range(n)] + [(210, 208, 202)] * absent
    cx, cy, inner, outer = WIDTH / 2 + 150, HEIGHT - 90, 150, 430
    rows = 10
    spots = []
    for r in range(rows):
        radius = inner + (outer - inner) * r / (rows - 1)
        count = round(
            total * radius / sum(inner + (outer - inner) * k / (rows - 1) for k in range(rows))
        )
        for k in range(count):
            angle = math.pi * k / max(1, count - 1)
            spots.append((angle, radius))
    spots = sorted(spots[:total], key=lambda s: (-s[0], s[1]))
    while len(spots) < total:
        spots.append((0.0, outer))
    for (angle, radius), colour in zip(spots, colours, strict=False):
        x, y = cx + radius * math.cos(angle), cy - radius * math.sin(angle)
        canvas.ellipse((x - 9, y - 9, x + 9, y + 9), fill=colour)
    y = top + 40
    for name, count, colour in [*groups, (away, absent, (210, 208, 202))]:
        canvas.rect((56, y - 14, 84, y + 14), fill=colour, radius=4)
        canvas.text((100, y), f"{name}", 24, anchor="lm")
        canvas.text((330, y), words.number(str(count)), 28, bold=True, anchor="rm")
        y += 56
    _footer(canvas, words.seats_source.format(words.number(str(total))))
    return canvas.jpeg()


PATTERN_PALETTES = [
    ((18, 58, 110), (40, 140, 160), (236, 226, 200)),  # lapis, turquoise, ivory
    ((110, 30, 40), (214, 160, 60), (246, 236, 214)),  # garnet, saffron, cream
    ((20, 80, 70), (120, 170, 120), (240, 232, 210)),  # jade
    ((60, 40, 90), (200, 120, 70), (244, 230, 210)),  # aubergine, copper
]


@lru_cache(maxsize=4)
def _tiles(palette: int, size: int) -> PillowImage.Image:
    deep, light, cream = PATTERN_PALETTES[palette]
    canvas = Canvas(background=deep)
    for row in range(-1, int(HEIGHT / (size * 0.87)) + 2):
        for col in range(-1, WIDTH // size + 2):
            cx, cy = col * size + (size / 2 if row % 2 else 0), row * size * 0.87
            star = []
            for k in range(16):
                radius = size * (0.48 if k % 2 == 0 else 0.30)
                angle = math.pi * k / 8 + math.pi / 16
                star.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
            canvas.polygon(star, fill=light, outline=cream, width=2)
            canvas.ellipse(
                (cx - size * 0.1, cy - size * 0.1, cx + size * 0.1, cy + size * 0.1), fill=cream
            )
    return canvas.image


def tile_card(*, title: str, subtitle: str, detail: str, seed: str, language: str = "en") -> bytes:
    """A culture desk card: a star tiling, as on Persian tilework, behind the event's name."""
    rng = random.Random(seed)
    palette = rng.randrange(len(PATTERN_PALETTES))
    deep, _, cream = PATTERN_PALETTES[palette]
    canvas = Canvas(words=words_for(language))
    canvas.image.paste(_tiles(palette, rng.choice((110, 130, 150))))
    canvas.rect((150, 150, WIDTH - 150, HEIGHT - 150), fill=cream, radius=6)
    canvas.rect((162, 162, WIDTH - 162, HEIGHT - 162), outline=deep, width=3, radius=4)
    kicker = subtitle.upper()
    canvas.text(
        (WIDTH / 2, HEIGHT / 2 - 60),
        kicker,
        canvas.fit(kicker, 24, 820, bold=True),
        fill=deep,
        bold=True,
        anchor="mm",
    )
    canvas.text(
        (WIDTH / 2, HEIGHT / 2 + 4),
        title,
        canvas.fit(title, 54, 820, bold=True),
        fill=INK,
        bold=True,
        anchor="mm",
    )
    canvas.text(
        (WIDTH / 2, HEIGHT / 2 + 72), detail, canvas.fit(detail, 26, 820), fill=SOFT, anchor="mm"
    )
    return canvas.jpeg()


def photo(name: str) -> bytes:
    return (DATA / PHOTOS[name].file).read_bytes()


# --- people ------------------------------------------------------------------------------

SKIN = [(241, 204, 170), (226, 184, 146), (204, 160, 120), (234, 196, 162), (186, 138, 100)]
HAIR = [(38, 30, 26), (58, 42, 32), (24, 22, 22), (86, 64, 48)]
GREY_HAIR = (128, 126, 122)
BACKDROPS = [(214, 226, 236), (236, 222, 206), (220, 232, 218), (232, 218, 228), (226, 224, 236)]
CLOTHES = [(40, 56, 84), (80, 84, 92), (96, 40, 48), (32, 80, 74), (68, 56, 44), (36, 36, 42)]
SCARVES = [(112, 36, 56), (36, 62, 108), (58, 88, 78), (140, 100, 56), (68, 58, 88), (30, 30, 34)]


@dataclass(frozen=True)
class Look:
    """How an illustrated portrait looks; colours and shapes come from the name."""

    scarf: bool = False
    beard: bool = False
    glasses: bool = False
    grey: bool = False


def portrait(name: str, look: Look) -> bytes:
    """An illustrated head-and-shoulders portrait, the same for the same name."""
    rng = random.Random(name)
    skin, hair = rng.choice(SKIN), GREY_HAIR if look.grey else rng.choice(HAIR)
    size, cx = 480, 240
    canvas = Canvas(size, size, background=rng.choice(BACKDROPS))
    face = (cx - 74, 122, cx + 74, 312)
    if look.scarf:
        scarf = rng.choice(SCARVES)
        # The scarf falls from round the head over the shoulders; a coat below it.
        canvas.ellipse((cx - 200, 380, cx + 200, 660), fill=rng.choice(CLOTHES))
        canvas.ellipse((cx - 112, 70, cx + 112, 350), fill=scarf)
        canvas.polygon(
            [(cx - 112, 220), (cx - 150, 420), (cx + 150, 420), (cx + 112, 220)], fill=scarf
        )
        canvas.ellipse((cx - 150, 380, cx + 150, 470), fill=scarf)
        canvas.ellipse(face, fill=skin)
        canvas.chord((cx - 74, 122, cx + 74, 212), 180, 360, fill=hair)
        canvas.arc((cx - 90, 100, cx + 90, 330), 195, 345, fill=_shade(scarf, 0.8), width=26)
    else:
        canvas.ellipse((cx - 200, 372, cx + 200, 660), fill=rng.choice(CLOTHES))
        canvas.polygon([(cx - 58, 374), (cx, 446), (cx + 58, 374)], fill=(246, 246, 242))
        canvas.rect((cx - 34, 270, cx + 34, 390), fill=_shade(skin, 0.9), radius=24)
        canvas.polygon([(cx - 40, 372), (cx, 410), (cx + 40, 372)], fill=_shade(skin, 0.9))
        for side in (-1, 1):  # ears
            ex = cx + side * 72
            canvas.ellipse((ex - 15, 196, ex + 15, 246), fill=_shade(skin, 0.94))
        canvas.ellipse(face, fill=skin)
        hairline = rng.choice((178, 190, 200))
        canvas.chord((cx - 80, 104, cx + 80, hairline + 40), 180, 360, fill=hair)
        canvas.rect((cx - 80, hairline - 22, cx - 66, hairline + 20), fill=hair)
        canvas.rect((cx + 66, hairline - 22, cx + 80, hairline + 20), fill=hair)
        if rng.random() < 0.5:  # a side parting
            canvas.polygon(
                [(cx - 80, hairline - 6), (cx - 24, 124), (cx + 10, 122), (cx - 40, hairline - 14)],
                fill=_shade(hair, 1.25),
            )
        if look.beard:
            canvas.chord((cx - 72, 170, cx + 72, 316), 15, 165, fill=_shade(hair, 1.15))
            canvas.rect((cx - 30, 258, cx + 30, 270), fill=_shade(hair, 1.15), radius=6)
    eye_y = 214
    for side in (-1, 1):
        ex = cx + side * 31
        canvas.ellipse((ex - 7, eye_y - 7, ex + 7, eye_y + 7), fill=(40, 34, 30))
        canvas.line(
            [(ex - 18, eye_y - 24), (ex + 16, eye_y - 27)]
            if side < 0
            else [(ex - 16, eye_y - 27), (ex + 18, eye_y - 24)],
            fill=hair if not look.grey else (90, 88, 86),
            width=6,
        )
        if look.glasses:
            canvas.rect(
                (ex - 25, eye_y - 18, ex + 25, eye_y + 18), outline=(40, 40, 44), width=4, radius=10
            )
    if look.glasses:
        canvas.line([(cx - 6, eye_y - 2), (cx + 6, eye_y - 2)], fill=(40, 40, 44), width=4)
    canvas.line([(cx + 2, 226), (cx - 7, 252), (cx + 5, 256)], fill=_shade(skin, 0.78), width=4)
    mouth = [(cx - 20, 280), (cx, 286), (cx + 20, 280)]
    canvas.line(mouth, fill=(196, 120, 110) if look.beard else (156, 84, 78), width=5)
    # Head and shoulders fill the frame, as in a byline photo.
    box = (70 * SCALE, 44 * SCALE, 410 * SCALE, 384 * SCALE)
    framed = canvas.image.resize((size, size), PillowImage.Resampling.LANCZOS, box=box)
    out = io.BytesIO()
    framed.save(out, "JPEG", quality=86)
    return out.getvalue()


def _shade(colour, amount):
    return tuple(max(0, min(255, int(c * amount))) for c in colour)


def logo_mark(short_name: str = "IFP", colour=ACCENT, language: str = "en") -> bytes:
    """The outlet's mark, the collective's picture: its short name on its colour, set as
    that ``language``'s graphics are (Persian: in Vazirmatn, right to left)."""
    size = 480
    canvas = Canvas(size, size, background=colour, words=words_for(language))
    canvas.text(
        (size / 2, size / 2 + 8),
        short_name,
        canvas.fit(short_name, 170, 360, bold=True),
        fill=(255, 255, 255),
        bold=True,
        anchor="mm",
    )
    return canvas.png()


# --- a story's picture from its material -----------------------------------------------

MAP_CREDIT = "IFP graphic; map data: Natural Earth (public domain)"
CHART_CREDIT = "IFP graphic; sample figures of the demo outlet"


class PictureError(ValueError):
    """A picture spec of the demo material names no picture this module draws."""


def credit_for(spec: dict) -> str:
    """The credit printed under the picture ``spec`` asks for, or its own ``credit``."""
    if spec.get("credit") and spec.get("kind") != "photo":
        return spec["credit"]  # a graphic's credit in the story's language; a photo's stays
    kind = spec.get("kind")
    if kind == "photo":
        return PHOTOS[spec["name"]].credit
    if kind == "map":
        return MAP_CREDIT
    if kind in {"score", "tiles"}:
        return "IFP graphic"
    return CHART_CREDIT


def render(spec: dict, seed: str) -> bytes:
    """The picture a story's material asks for (JPEG), in the spec's ``language``."""
    kind = spec.get("kind")
    rng = random.Random(seed)
    language = spec.get("language", "en")
    words = words_for(language)
    if kind == "photo":
        return photo(spec["name"])
    if kind == "map":
        return locator_map(
            place=spec["place"],
            country=spec.get("country", "Iran"),
            title=spec["title"],
            subtitle=spec.get("subtitle", ""),
            language=language,
        )
    if kind == "line":
        weeks = [words.weeks_ago.format(n) for n in range(11, 0, -1)] + [words.now]
        return line_chart(
            title=spec["title"],
            subtitle=spec["subtitle"],
            start=float(spec["start"]),
            end=float(spec["end"]),
            seed=seed,
            labels=weeks if words.week in spec.get("subtitle", "") else list(words.months),
            language=language,
        )
    if kind == "bars":
        low, high = spec["values"]
        bars = [(name, rng.randint(low, high)) for name in spec["bars"]]
        return bar_chart(
            title=spec["title"],
            subtitle=spec["subtitle"],
            bars=bars,
            unit=spec.get("unit", ""),
            highlight=spec.get("highlight", ""),
            language=language,
        )
    if kind == "table":
        clubs = [
            "Esteghlal",
            "Persepolis",
            "Sepahan",
            "Tractor",
            "Foolad",
            "Gol Gohar",
            "Zob Ahan",
            "Malavan",
            "Chadormalu",
            "Esteghlal Khuzestan",
        ]
        rng.shuffle(clubs)
        clubs, mark = [words.name(club) for club in clubs], words.name(spec["mark"])
        shown = [mark, *[club for club in clubs if club != mark][:7]]
        return league_table(
            title=spec["title"],
            subtitle=spec["subtitle"],
            clubs=shown,
            seed=seed,
            mark=[mark],
            lead=int(spec.get("lead", 0)),
            language=language,
        )
    if kind == "score":
        return score_card(
            home=spec["home"],
            away=spec["away"],
            score=spec["score"],
            competition=spec["competition"],
            venue=spec["venue"],
            language=language,
        )
    if kind == "seats":
        return seats(
            title=spec["title"],
            subtitle=spec["subtitle"],
            yes=int(spec["yes"]),
            no=int(spec["no"]),
            abstain=int(spec["abstain"]),
            language=language,
        )
    if kind == "tiles":
        return tile_card(
            title=spec["title"],
            subtitle=spec["subtitle"],
            detail=spec["detail"],
            seed=seed,
            language=language,
        )
    raise PictureError(f"no picture of kind {kind!r}")

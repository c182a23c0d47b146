"""The words the demo's graphics draw themselves, one table per language.

A picture spec's own words (a map's title, a chart's bars) come in the
story's language; everything else ``pictures.py`` draws — place, country and
sea names on a map, the scale, the credit and footer lines, table headings,
numbers — comes from the table of the spec's ``language`` here. English is
the default and the identity: its table holds exactly the words the graphics
have always drawn, so an English picture is the same, byte for byte. Persian
is written right to left, in Persian digits with the Arabic decimal (٫) and
thousands (٬) separators that Iranian news graphics print, and its place
names are spelt as Iranian media spell them.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class GraphicWords:
    language: str
    is_rtl: bool = False
    # A place, country or sea (a key of pictures.PLACES, COUNTRY_LABELS, SEA_LABELS, or a
    # league club) as shown; a name not in it is shown as it is written.
    names: dict[str, str] = field(default_factory=dict)
    capital_countries: bool = True  # country names in capitals, where the script has case
    scale: str = "{} km"
    map_credit: str = "Map data: Natural Earth"
    outlet: str = "IFP graphic"
    source: str = "Source: IFP demo data"
    full_time: str = "{} · FULL TIME"
    club: str = "Club"
    columns: tuple[str, ...] = ("P", "W", "D", "L", "GD", "Pts")
    league_source: str = "Persian Gulf Pro League · IFP demo data"
    votes: tuple[str, ...] = ("For", "Against", "Abstained", "Absent")
    seats_source: str = "Parliament has {} seats · IFP demo data"
    months: tuple[str, ...] = (
        "Azar",
        "Dey",
        "Bahman",
        "Esfand",
        "Farvardin",
        "Ordibehesht",
        "Khordad",
        "Tir",
        "Mordad",
        "Shahrivar",
        "Mehr",
        "Aban",
    )
    weeks_ago: str = "{} wk ago"
    now: str = "now"
    week: str = "week"  # a line chart whose subtitle says it counts weeks is labelled in weeks
    digits: str = "0123456789"
    decimal: str = "."
    thousands: str = ","

    def name(self, key: str) -> str:
        return self.names.get(key, key)

    def country(self, key: str) -> str:
        return self.name(key).upper() if self.capital_countries else self.name(key)

    def number(self, text: str) -> str:
        """A number formatted in Python's way (``1,234.5``) in this language's digits."""
        if self.digits == "0123456789":
            return text
        table = str.maketrans(
            {
                **dict(zip("0123456789", self.digits, strict=True)),
                ".": self.decimal,
                ",": self.thousands,
            }
        )
        return text.translate(table)


PERSIAN = GraphicWords(
    language="fa",
    is_rtl=True,
    names={
        # pictures.PLACES
        "Tehran": "تهران",
        "Isfahan": "اصفهان",
        "Mashhad": "مشهد",
        "Tabriz": "تبریز",
        "Shiraz": "شیراز",
        "Ahvaz": "اهواز",
        "Kerman": "کرمان",
        "Rasht": "رشت",
        "Yazd": "یزد",
        "Bandar Abbas": "بندرعباس",
        "Bushehr": "بوشهر",
        "Kermanshah": "کرمانشاه",
        "Zahedan": "زاهدان",
        "Urmia": "ارومیه",
        "Hamedan": "همدان",
        "Qom": "قم",
        "Sari": "ساری",
        "Gorgan": "گرگان",
        "Chabahar": "چابهار",
        "Kish Island": "جزیرهٔ کیش",
        "Strait of Hormuz": "تنگهٔ هرمز",
        "Baghdad": "بغداد",
        "Beirut": "بیروت",
        "Damascus": "دمشق",
        "Gaza": "غزه",
        "Amman": "امان",
        "Riyadh": "ریاض",
        "Doha": "دوحه",
        "Muscat": "مسقط",
        "Kabul": "کابل",
        "Baku": "باکو",
        "Yerevan": "ایروان",
        "Ankara": "آنکارا",
        "Sanaa": "صنعا",
        "Cairo": "قاهره",
        "Islamabad": "اسلام‌آباد",
        "Ashgabat": "عشق‌آباد",
        "Abu Dhabi": "ابوظبی",
        "Kuwait City": "شهر کویت",
        "Manama": "منامه",
        # pictures.COUNTRY_LABELS
        "Iran": "ایران",
        "Iraq": "عراق",
        "Turkey": "ترکیه",
        "Syria": "سوریه",
        "Saudi Arabia": "عربستان سعودی",
        "Afghanistan": "افغانستان",
        "Pakistan": "پاکستان",
        "Turkmenistan": "ترکمنستان",
        "Azerbaijan": "جمهوری آذربایجان",
        "Oman": "عمان",
        "Jordan": "اردن",
        "Egypt": "مصر",
        "Yemen": "یمن",
        "Kuwait": "کویت",
        "Qatar": "قطر",
        "United Arab Emirates": "امارات متحدهٔ عربی",
        "Israel": "اسرائیل",
        "Lebanon": "لبنان",
        "Uzbekistan": "ازبکستان",
        "Armenia": "ارمنستان",
        # pictures.SEA_LABELS
        "Caspian Sea": "دریای خزر",
        "Persian Gulf": "خلیج فارس",
        "Gulf of Oman": "دریای عمان",
        "Arabian Sea": "دریای عرب",
        "Red Sea": "دریای سرخ",
        "Mediterranean": "دریای مدیترانه",
        "Black Sea": "دریای سیاه",
        # The league table's clubs (pictures.render)
        "Esteghlal": "استقلال",
        "Persepolis": "پرسپولیس",
        "Sepahan": "سپاهان",
        "Tractor": "تراکتور",
        "Foolad": "فولاد",
        "Gol Gohar": "گل‌گهر",
        "Zob Ahan": "ذوب‌آهن",
        "Malavan": "ملوان",
        "Chadormalu": "چادرملو",
        "Esteghlal Khuzestan": "استقلال خوزستان",
    },
    capital_countries=False,
    scale="{} کیلومتر",
    # The data set's own name stays in Latin letters, as Persian newsrooms print it.
    map_credit="داده‌های نقشه: Natural Earth",
    outlet="گرافیک ایران فرانت پیج",
    source="منبع: داده‌های نمایشی ایران فرانت پیج",
    full_time="{} · پایان بازی",
    club="باشگاه",
    columns=("بازی", "برد", "مساوی", "باخت", "تفاضل", "امتیاز"),
    league_source="لیگ برتر خلیج فارس · داده‌های نمایشی ایران فرانت پیج",
    votes=("موافق", "مخالف", "ممتنع", "غایب"),
    seats_source="مجلس {} کرسی دارد · داده‌های نمایشی ایران فرانت پیج",
    months=(
        "آذر",
        "دی",
        "بهمن",
        "اسفند",
        "فروردین",
        "اردیبهشت",
        "خرداد",
        "تیر",
        "مرداد",
        "شهریور",
        "مهر",
        "آبان",
    ),
    weeks_ago="{} هفته پیش",
    now="اکنون",
    week="هفته",
    digits="۰۱۲۳۴۵۶۷۸۹",
    decimal="٫",
    thousands="٬",
)

WORDS = {"en": GraphicWords(language="en"), "fa": PERSIAN}


def words_for(language: str) -> GraphicWords:
    """The table of ``language`` (``"fa"``, ``"fa-IR"``); English for any other."""
    return WORDS.get((language or "en").split("-", 1)[0].lower(), WORDS["en"])

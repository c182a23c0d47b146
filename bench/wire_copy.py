"""Agency documents for the wire benchmarks: RSS 2.0, ninjs 2.1 and NewsML-G2.

Copy in the style of ``masthead/wire/tests/fixtures/`` (fictional wire
stories: dateline, agency tag, quotes, figures), made from templates with
random places, people, numbers and topics, so that every item's text differs
and the dedupe fingerprint never folds two of them. A body is 6–9 paragraphs
(~350 words, the length of a typical agency story), with a summary, byline,
dateline, 2–4 subjects, urgency, and created / version times in the last day.

``document(kind, count, seed, prefix)`` returns the bytes of one document of
``count`` items, ids ``{prefix}-{n}``; the same arguments give the same
bytes. Each document is valid in its format (ninjs against the IPTC 2.1
schema, NewsML-G2 against the 2.35 XSD): the parsers check that, and the
benchmarks stop if an item is refused.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from xml.sax.saxutils import escape, quoteattr

KINDS = ("rss", "ninjs", "newsml")

PLACES = [
    ("DUBAI", "Dubai"),
    ("PARIS", "Paris"),
    ("CAIRO", "Cairo"),
    ("TEHRAN", "Tehran"),
    ("BAGHDAD", "Baghdad"),
    ("SINGAPORE", "Singapore"),
    ("WASHINGTON", "Washington"),
    ("BERLIN", "Berlin"),
    ("NAIROBI", "Nairobi"),
    ("LAGOS", "Lagos"),
    ("TOKYO", "Tokyo"),
    ("MADRID", "Madrid"),
    ("ANKARA", "Ankara"),
    ("DOHA", "Doha"),
    ("BRUSSELS", "Brussels"),
    ("GENEVA", "Geneva"),
    ("MUSCAT", "Muscat"),
    ("BEIRUT", "Beirut"),
    ("AMMAN", "Amman"),
    ("RIYADH", "Riyadh"),
    ("KYIV", "Kyiv"),
    ("WARSAW", "Warsaw"),
    ("LIMA", "Lima"),
    ("JAKARTA", "Jakarta"),
    ("MANILA", "Manila"),
    ("OTTAWA", "Ottawa"),
    ("ROME", "Rome"),
]
FIRST = [
    "Parisa",
    "John",
    "Florence",
    "Timour",
    "Humeyra",
    "Elwely",
    "Maria",
    "Samia",
    "Tom",
    "Ayşe",
    "Kenji",
    "Nadia",
    "Omar",
    "Lena",
    "Pedro",
    "Grace",
    "Ivan",
    "Leila",
    "Chen",
    "Amina",
    "David",
    "Sofia",
    "Yusuf",
    "Hanna",
    "Mateo",
    "Zainab",
]
LAST = [
    "Hafezi",
    "Irish",
    "Tan",
    "Azhari",
    "Pamuk",
    "Elwelly",
    "Nasr",
    "Heavens",
    "Perry",
    "Yilmaz",
    "Sato",
    "Karimi",
    "Haddad",
    "Fischer",
    "Alves",
    "Mwangi",
    "Petrov",
    "Saleh",
    "Wei",
    "Bello",
    "Stone",
    "Rossi",
    "Demir",
    "Berg",
    "Ruiz",
    "Osei",
]
ROLES = [
    "foreign minister",
    "central bank governor",
    "finance minister",
    "UN envoy",
    "army spokesman",
    "energy minister",
    "prime minister",
    "opposition leader",
    "health ministry spokeswoman",
    "port authority chief",
    "trade minister",
]
ORGS = [
    "the United Nations",
    "the European Commission",
    "the World Bank",
    "OPEC",
    "the International Monetary Fund",
    "the Red Crescent",
    "the central bank",
    "the foreign ministry",
    "the state oil company",
    "parliament",
    "the IAEA",
    "the interior ministry",
    "the port authority",
    "the electoral commission",
]
TOPICS = [
    ("nuclear talks", "diplomacy"),
    ("oil output", "energy"),
    ("interest rates", "economy"),
    ("the ceasefire", "conflict"),
    ("grain exports", "agriculture"),
    ("the budget", "politics"),
    ("flood relief", "disaster"),
    ("the election", "politics"),
    ("fuel subsidies", "economy"),
    ("border talks", "diplomacy"),
    ("the currency", "markets"),
    ("aid convoys", "humanitarian"),
    ("power cuts", "energy"),
    ("the port strike", "labour"),
    ("wheat prices", "markets"),
    ("vaccine supplies", "health"),
    ("rail links", "transport"),
    ("the debt deal", "economy"),
]
VERBS = [
    "will resume",
    "agreed to extend",
    "moved to cut",
    "plans to raise",
    "rejected",
    "called for an end to",
    "signalled a pause in",
    "pledged to review",
    "suspended",
    "backed a new plan on",
    "warned over",
    "delayed a vote on",
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
UNITS = [
    "percent",
    "million dollars",
    "billion euros",
    "tonnes",
    "barrels a day",
    "people",
    "trucks",
    "kilometres",
    "seats",
    "flights",
]
OPENERS = [
    "{dateline}, {date} ({agency}) - {org_c} {verb} {topic} on {day}, {person}, the {role}, "
    "said, in a move that could affect some {n1} {unit} by the end of the year.",
    "{dateline}, {date} ({agency}) - {person_c} said on {day} that {org} {verb} {topic} after "
    "{n1} days of talks, the first such step since {year}.",
    "{dateline}, {date} ({agency}) - Officials in {place} {verb} {topic} on {day}, two sources "
    "told {agency}, as pressure grew on {org} to act before the {n1}-day deadline.",
]
SENTENCES = [
    '"We expect the first results within {n2} weeks," {person} told reporters in {place2}.',
    "The figure was {n1} {unit}, up from {n2} a year earlier, according to {org}.",
    "{org_c} did not respond to a request for comment on {day}.",
    "Analysts said the decision on {topic} reflected concern over {topic2} and a slowing economy.",
    "Talks on {topic2} are due to resume in {place2} on {day2}, a spokesperson said.",
    "About {n1} people gathered outside the offices of {org} in {place}, witnesses said.",
    "The {role} told state television that {n2} {unit} had been set aside for the plan.",
    "{person_c}, who took office in {year}, has made {topic} a priority of the government.",
    "Shares in the region fell {n3}.{n4}% in early trade before recovering, dealers said.",
    "A previous round of talks in {place2} ended in {year} without an agreement.",
    "Diplomats said a deal on {topic2} could come as early as {day2}, though gaps remained.",
    'In a statement, {org} said it "remains committed" to {topic} and to talks with {place2}.',
    "The {role} is expected to brief lawmakers on {day2}, according to a draft agenda.",
    "Rescue and relief teams had reached {n2} villages by nightfall, the Red Crescent said.",
    "Brent crude futures were up {n3} cents at ${n2}.{n4} a barrel by {n5} GMT.",
    "The measure still needs the approval of {org}, which meets again on {day2}.",
    "Critics said the plan would cost at least {n1} {unit} and do little for {topic2}.",
    "{agency} could not independently verify the figures given by {org}.",
]
CLOSER = "(Reporting by {person}; additional reporting by {person2}; editing by {person3})"
HEADLINES = [
    "{place} {verb} {topic} as {org} weighs next step",
    "{org_c} {verb} {topic}, {role} says",
    "{place} and {place2} agree talks on {topic2} after {n2}-day standoff",
    "{person_c} says {topic} will cost {n1} {unit}",
    "{place} {verb} {topic}; {topic2} talks set for {day2}",
]


class Writer:
    """Wire copy from templates: every item of every seed differs in its words."""

    def __init__(self, seed: int, agency: str = "Example Wire"):
        self.random = random.Random(seed)
        self.agency = agency

    def _person(self) -> str:
        pick = self.random.choice
        return f"{pick(FIRST)} {pick(LAST)}"

    def _slots(self, when: datetime) -> dict:
        r = self.random
        dateline, place = r.choice(PLACES)
        topic, subject = r.choice(TOPICS)
        topic2, subject2 = r.choice(TOPICS)
        org = r.choice(ORGS)
        person = self._person()
        return {
            "dateline": dateline,
            "place": place,
            "place2": r.choice(PLACES)[1],
            "date": f"{when:%b} {when.day}",
            "agency": self.agency,
            "org": org,
            "org_c": org[0].upper() + org[1:],
            "verb": r.choice(VERBS),
            "topic": topic,
            "topic2": topic2,
            "subjects": list(dict.fromkeys([subject, subject2, place, r.choice(TOPICS)[1]])),
            "day": DAYS[when.weekday()],
            "day2": r.choice(DAYS),
            "person": person,
            "person_c": person,
            "person2": self._person(),
            "person3": self._person(),
            "role": r.choice(ROLES),
            "unit": r.choice(UNITS),
            "n1": r.randint(12, 98_000),
            "n2": r.randint(2, 990),
            "n3": r.randint(1, 99),
            "n4": r.randint(10, 99),
            "n5": f"{r.randint(6, 21):02d}{r.choice(['00', '15', '30', '45'])}",
            "year": r.randint(1998, 2025),
        }

    def item(self, provider_id: str, now: datetime) -> dict:
        """One story's fields (plain text; body as a list of paragraphs)."""
        r = self.random
        created = now - timedelta(seconds=r.randint(600, 86_000))
        updated = created + timedelta(seconds=r.randint(0, 500))
        slots = self._slots(created)
        paragraphs = [r.choice(OPENERS).format(**slots)]
        for _ in range(r.randint(5, 8)):
            paragraphs.append(
                " ".join(
                    r.choice(SENTENCES).format(**{**self._slots(created), **_keep(slots)})
                    for _ in range(r.randint(2, 3))
                )
            )
        paragraphs.append(CLOSER.format(**slots))
        return {
            "id": provider_id,
            "version": str(r.randint(1, 3)),
            "headline": r.choice(HEADLINES).format(**slots),
            "summary": paragraphs[0].split(") - ", 1)[-1],
            "paragraphs": paragraphs,
            "byline": f"By {slots['person']} and {slots['person2']}",
            "dateline": f"{slots['dateline']}, {slots['date']}",
            "subjects": slots["subjects"][: r.randint(2, 4)],
            "urgency": r.choice([2, 3, 3, 4, 4, 4, 5, 5, 6]),
            "created": created,
            "updated": updated,
            "url": f"https://wire.example.com/world/{provider_id.rsplit(':', 1)[-1]}/",
        }


def _keep(slots: dict) -> dict:
    """The slots a story keeps throughout (its place, topic, people)."""
    names = ("dateline", "place", "topic", "person", "person_c", "org", "org_c", "role", "agency")
    return {name: slots[name] for name in names}


def _html(paragraphs: list[str]) -> str:
    return "".join(f"<p>{escape(p)}</p>" for p in paragraphs)


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def rss(items: list[dict], title: str, now: datetime) -> bytes:
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/">\n<channel>\n'
        f"<title>{escape(title)}</title>\n<link>https://wire.example.com/world/</link>\n"
        "<description>Agency wire (benchmark copy)</description>\n<language>en-us</language>\n"
    ]
    for item in items:
        categories = "".join(f"<category>{escape(s)}</category>" for s in item["subjects"])
        out.append(
            "<item>\n"
            f"<title>{escape(item['headline'])}</title>\n<link>{escape(item['url'])}</link>\n"
            f'<guid isPermaLink="false">{escape(item["id"])}</guid>\n'
            f"<pubDate>{format_datetime(item['created'], usegmt=True)}</pubDate>\n"
            f"<dc:creator>{escape(item['byline'])}</dc:creator>\n{categories}\n"
            f"<description>{escape(item['summary'])}</description>\n"
            f"<content:encoded><![CDATA[{_html(item['paragraphs'])}]]></content:encoded>\n"
            "</item>\n"
        )
    out.append("</channel>\n</rss>\n")
    return "".join(out).encode()


def ninjs(items: list[dict], title: str, now: datetime) -> bytes:
    standard = {
        "name": "ninjs",
        "version": "2.1",
        "schema": "http://www.iptc.org/std/ninjs/ninjs-schema_2.1.json#",
    }
    objects = [
        {
            "standard": standard,
            "uri": item["id"],
            "version": item["version"],
            "type": "text",
            "language": "en",
            "urgency": item["urgency"],
            "pubstatus": "usable",
            "firstcreated": _iso(item["created"]),
            "versioncreated": _iso(item["updated"]),
            "headlines": [{"role": "main", "value": item["headline"]}],
            "descriptions": [
                {"role": "summary", "contenttype": "text/plain", "value": item["summary"]}
            ],
            "bodies": [
                {"role": "main", "contenttype": "text/html", "value": _html(item["paragraphs"])}
            ],
            "by": item["byline"],
            "located": item["dateline"],
            "copyrightholder": title,
            "subjects": [{"name": s} for s in item["subjects"]],
        }
        for item in items
    ]
    return json.dumps(objects, ensure_ascii=False, indent=1).encode()


def newsml(items: list[dict], title: str, now: datetime) -> bytes:
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<newsMessage xmlns="http://iptc.org/std/nar/2006-10-01/">\n<header>\n'
        f"<sent>{_iso(now)}</sent>\n"
        f"<origin>{escape(title)}</origin>\n</header>\n<itemSet>\n"
    ]
    for item in items:
        subjects = "".join(
            f'<subject type="cpnat:abstract" qcode="medtop:{20000000 + n}">'
            f"<name>{escape(s)}</name></subject>"
            for n, s in enumerate(item["subjects"])
        )
        paragraphs = "".join(f"<p>{escape(p)}</p>" for p in item["paragraphs"])
        out.append(
            f'<newsItem guid={quoteattr(item["id"])} version="{item["version"]}" '
            'standard="NewsML-G2" standardversion="2.35" conformance="power" xml:lang="en">\n'
            '<catalogRef href="http://www.iptc.org/std/catalog/catalog.IPTC-G2-Standards_38.xml"/>\n'
            "<itemMeta>\n"
            '<itemClass qcode="ninat:text"/>\n'
            f"<provider literal={quoteattr(title)}/>\n"
            f"<versionCreated>{_iso(item['updated'])}</versionCreated>\n"
            f"<firstCreated>{_iso(item['created'])}</firstCreated>\n"
            '<pubStatus qcode="stat:usable"/>\n'
            f'<link rel="irel:seeAlso" href={quoteattr(item["url"])}/>\n'
            "</itemMeta>\n<contentMeta>\n"
            f"<urgency>{item['urgency']}</urgency>\n"
            f"<creator><name>{escape(item['byline'].removeprefix('By '))}</name></creator>\n"
            '<language tag="en"/>\n'
            f"{subjects}\n"
            f"<headline>{escape(item['headline'])}</headline>\n"
            f"<by>{escape(item['byline'])}</by>\n"
            f"<dateline>{escape(item['dateline'])}</dateline>\n"
            f'<description role="drol:summary">{escape(item["summary"])}</description>\n'
            "</contentMeta>\n<contentSet>\n"
            '<inlineXML contenttype="application/xhtml+xml">\n'
            '<html xmlns="http://www.w3.org/1999/xhtml"><head><title>'
            f"{escape(item['headline'])}</title></head><body>{paragraphs}</body></html>\n"
            "</inlineXML>\n</contentSet>\n</newsItem>\n"
        )
    out.append("</itemSet>\n</newsMessage>\n")
    return "".join(out).encode()


WRITERS = {"rss": rss, "ninjs": ninjs, "newsml": newsml}


def document(
    kind: str,
    count: int,
    seed: int,
    prefix: str,
    *,
    title: str = "Example Wire",
    now: datetime | None = None,
) -> bytes:
    """``count`` items of ``kind`` with ids ``{prefix}-1`` …, dated in the day before
    ``now``; the same arguments (``now`` included) give the same bytes."""
    writer = Writer(seed, agency=title)
    now = now or datetime.now(UTC).replace(microsecond=0)
    items = [writer.item(f"{prefix}-{n}", now) for n in range(1, count + 1)]
    return WRITERS[kind](items, title, now)

"""The demo outlet's sourcing and trust data (issue 11).

- The lead's real sourcing: the Reuters report, the New York Times report,
  two unnamed US officials (approved by the Politics editor) and the denial
  by the spokesman of Iran's Supreme National Security Council, each pointing
  at the paragraphs of the seed page that rely on it.
- The running story the lead belongs to: a thread of three stories (the first
  report of the drone's downing, Washington's reaction, the lead), the lead
  marked developing, with update notes published the way editors publish them.
- Readers' error reports: one new, one that led to a published correction,
  one declined with a reason.
- What the demo's authors know, the languages they work in, where they are.

Times are relative to the load's ``now``, like every other time of the demo.
The events of the thread are the real ones of June 2019 (the seed page's);
where the text quotes someone, it is what they said in public then.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from django.utils.html import escape

from masthead.newsroom.models import Author, Desk
from masthead.sourcing.kinds import APPROVAL, clean_sources
from masthead.sourcing.models import ErrorReport
from masthead.stories import services
from masthead.stories.models import Correction, Revision, Story, StoryThread

LEAD_AGE = timedelta(hours=1)

# The seed page's body, paragraph by paragraph (1-based):
#  1 Iran denies the message through Oman       8 "a senior administration official said"
#  2 Reuters quotes an Iranian official         9 "according to a senior administration official"
#  3 … and a second official                   10 the strike was set for dawn
#  4 the SNSC spokesman's denial               11 military officials told it was off
#  5 "The New York Times reported on Friday"   12 advisers split
#  6 officials expecting a strike at 7 pm      13 Trump's public appearance
#  7 officials: targets approved               14 "he told reporters"
LEAD_METHOD_NOTE = (
    "This report was written in Tehran from two reports published by other outlets on "
    "Friday, which it names where it relies on them: Reuters' report of a message from "
    "President Trump sent through Oman, quoting two Iranian officials, and The New York "
    "Times' report of the strikes called off on Thursday night, quoting US officials. We did "
    "not speak to the officials either outlet quotes. We asked the Supreme National Security "
    "Council about the Reuters report; its spokesman's denial is the council's answer."
)


def lead_sources(editor: Author, now: datetime) -> list[dict]:
    """The seed story's sources, as the desk would have entered them in the sources panel."""
    published = now - LEAD_AGE
    day = published.date().isoformat()
    return approved(
        [
            {
                "id": "reuters",
                "kind": "outlet_report",
                "outlet": "Reuters",
                "title": "Exclusive: Iran says Trump warned via Oman of imminent U.S. attack",
                "date": day,
                "paragraphs": [1, 2, 3],
            },
            {
                "id": "nyt",
                "kind": "outlet_report",
                "outlet": "The New York Times",
                "title": "Trump Approves Strikes on Iran, but Then Abruptly Pulls Back",
                "date": day,
                "paragraphs": [5, 6, 7, 8, 9, 10, 11, 12, 13, 14],
            },
            {
                "id": "usofficials",
                "kind": "unnamed",
                "description": "two US officials",
                "count": 2,
                "anonymity_reason": (
                    "They spoke on condition of anonymity to discuss confidential military "
                    "plans, as The New York Times, which quoted them, reported."
                ),
                "how_known": (
                    "Not our sources: both are quoted by The New York Times (one a senior "
                    "administration official, the other briefed on the military planning). "
                    "The desk checked every sentence attributed to them against the Times' "
                    "report before publication; we know no more of who they are than the "
                    "Times says."
                ),
                "approval_reason": (
                    "Their account of the called-off strike is the news; it is attributed to "
                    "the Times throughout and matches what the president said in public."
                ),
                "paragraphs": [8, 9],
            },
            {
                "id": "snscdenial",
                "kind": "response",
                "party": "Spokesman of Iran's Supreme National Security Council",
                "outcome": "denied",
                "summary": (
                    "Denied that Iran had received any message from the United States, "
                    "through Oman or otherwise."
                ),
                "date": day,
                "paragraphs": [1, 4],
            },
        ],
        editor,
        published - timedelta(minutes=25),
    )


def approved(sources: list[dict], editor: Author, when: datetime) -> list[dict]:
    """``sources`` cleaned, each unnamed one approved by ``editor`` at ``when``.

    An unnamed source's ``approval_reason`` (the data's way to say why it was
    approved) becomes its approval as ``sourcing/services.py`` records one:
    who (the editor's account and name), when, and why. The demo writes it
    directly, like the rest of its seed data; nothing else does.
    """
    result = []
    for source in sources:
        source = dict(source)
        reason = source.pop("approval_reason", "")
        if source.get("date") == "published":
            source["date"] = when.date().isoformat()
        if source.get("kind") == "unnamed" and reason and editor.user_id:
            source[APPROVAL] = {
                "by_id": editor.user_id,
                "by_name": editor.name,
                "at": when.isoformat(),
                "reason": reason,
            }
        result.append(source)
    return clean_sources(result)


def keep_seed_approvals(stories: list[Story]) -> None:
    """Give the revisions just kept of ``stories`` the approvals their rows were loaded with.

    A revision never takes an approval from what it is given (only
    ``sourcing.services.approve_source`` writes one, as a new revision of its
    own, timed by the clock), so the snapshot of a loaded story may lack
    them. The demo's seed data puts them back on the revisions it made, so
    that what its editors approved before publication reads so, and publishing
    an update through the services passes the outlet's rules.
    """
    for story in stories:
        if any(APPROVAL in source for source in story.sources):
            Revision.objects.filter(
                pk__in={story.latest_revision_id, story.published_revision_id} - {None}
            ).update(sources=story.sources)


# --- The running story ---------------------------------------------------------------

THREAD_TITLE = "The downing of a US drone over the Strait of Hormuz"
THREAD_SLUG = "us-drone-strait-of-hormuz"

# (slug, age, headline, dek, paragraphs, sources, developing for)
THREAD_STORIES = [
    (
        "irgc-shoots-down-intruding-us-spy-drone-over-hormozgan",
        timedelta(hours=23, minutes=10),
        "IRGC shoots down ‘intruding’ US spy drone over Hormozgan",
        "The Guards say the drone had entered Iranian airspace; Washington says it was flying "
        "over international waters.",
        [
            "The Islamic Revolution Guards Corps (IRGC) says it shot down a US surveillance "
            "drone over the southern province of Hormozgan early on Thursday, after the aircraft "
            "entered Iranian airspace.",
            "A statement by the IRGC carried by Iranian media identified the aircraft as an "
            "RQ-4 Global Hawk and said it was brought down by the Guards' air defence near "
            "Kuh-e Mobarak, in the east of the province.",
            "US Central Command confirmed that a US Navy surveillance drone had been shot down "
            "by an Iranian surface-to-air missile, but said it was flying over international "
            "waters above the Strait of Hormuz at the time.",
            "The downing came a week after attacks on two tankers in the Gulf of Oman, which "
            "Washington blamed on Iran. Tehran denied any role.",
        ],
        [
            {
                "id": "irgc",
                "kind": "statement",
                "speaker": "Islamic Revolution Guards Corps",
                "role": "Statement carried by Iranian media",
                "summary": "Said its air defence shot down a US drone that had entered Iranian "
                "airspace over Hormozgan province.",
                "date": "published",
                "paragraphs": [1, 2],
            },
            {
                "id": "centcom",
                "kind": "statement",
                "speaker": "US Central Command",
                "summary": "Confirmed the downing of a US Navy drone and said it was over "
                "international waters.",
                "date": "published",
                "paragraphs": [3],
            },
        ],
        timedelta(hours=6),
    ),
    (
        "trump-says-iran-made-a-very-big-mistake-by-downing-drone",
        timedelta(hours=15, minutes=40),
        "Trump says Iran ‘made a very big mistake’ by downing drone",
        "The US president later said the downing may not have been intended; Iran says it "
        "will take the case to the United Nations.",
        [
            "US President Donald Trump said on Thursday that Iran had “made a very big "
            "mistake” by shooting down a US surveillance drone, in a message on Twitter hours "
            "after the IRGC announced the downing.",
            "Speaking to reporters at the White House later in the day, Trump said he found it "
            "hard to believe that the downing was intended, and suggested it may have been the "
            "act of someone “loose and stupid”.",
            "Iran's foreign minister, Mohammad Javad Zarif, said the drone had been shot down "
            "over Iranian territory and that Iran would take the matter to the United Nations.",
            "Iran's ambassador to the UN wrote to the Secretary-General and the Security "
            "Council to protest against what he called a violation of Iranian airspace.",
        ],
        [
            {
                "id": "tweet",
                "kind": "statement",
                "speaker": "Donald Trump",
                "role": "President of the United States, on Twitter",
                "summary": "“Iran made a very big mistake!”",
                "date": "published",
                "paragraphs": [1],
            },
            {
                "id": "remarks",
                "kind": "statement",
                "speaker": "Donald Trump",
                "role": "Remarks to reporters at the White House",
                "summary": "Said he found it hard to believe the downing was intended.",
                "date": "published",
                "paragraphs": [2],
            },
            {
                "id": "zarif",
                "kind": "person",
                "name": "Mohammad Javad Zarif",
                "role": "Foreign minister",
                "organisation": "Ministry of Foreign Affairs of Iran",
                "on_record": True,
                "paragraphs": [3],
            },
            {
                "id": "unletter",
                "kind": "document",
                "title": "Letter to the UN Secretary-General and the President of the "
                "Security Council on the violation of Iranian airspace",
                "publisher": "Permanent Mission of the Islamic Republic of Iran to the UN",
                "date": "published",
                "paragraphs": [4],
            },
        ],
        None,
    ),
]

# The lead's updates: (minutes after the lead was published, the public note).
LEAD_UPDATES = [
    (
        20,
        "Iran's foreign ministry has summoned the Swiss chargé d'affaires, who represents US "
        "interests in Tehran, to protest against the drone's violation of Iranian airspace.",
    ),
    (
        35,
        "The US Federal Aviation Administration has barred US airlines from flying over the "
        "Strait of Hormuz and the Gulf of Oman, citing the risk to civilian aircraft.",
    ),
    (
        48,
        "The IRGC has shown reporters what it said was wreckage of the drone, recovered from "
        "Iranian waters.",
    ),
]

# The correction a reader's report led to, on the first report of the thread.
FIRST_REPORT_CORRECTION = (
    "An earlier version of this story said the drone belonged to the US Air Force. It was a "
    "US Navy aircraft, as US Central Command said.",
    timedelta(hours=19),
)


def _paragraphs(texts: list[str]) -> str:
    return "".join(f"<p>{escape(text)}</p>" for text in texts)


def load_thread(put_story, desk: Desk, staff: Author, lead: Story, now: datetime) -> StoryThread:
    """The lead's running story: the first report, the follow-up, the lead (developing).

    ``put_story`` is the loader's ``_put_story``: the thread's stories are
    loaded like the rest of the demo, then joined to the thread.
    """
    thread, _ = StoryThread.objects.update_or_create(
        slug=THREAD_SLUG,
        defaults={"title": THREAD_TITLE, "created_at": now - THREAD_STORIES[0][1]},
    )
    editor = desk.editor
    for slug, age, headline, dek, paragraphs, sources, developing_for in THREAD_STORIES:
        published = now - age
        story = put_story(
            slug=slug,
            headline=headline,
            dek=dek,
            body=_paragraphs(paragraphs),
            desk=desk,
            label=None,
            authors=[staff],
            tags=list(lead.tags.all()),
            published_at=published,
            dateline="Tehran",
            sources=approved(sources, editor, published),
            dateline_kind="written",
        )
        story.thread = thread
        story.developing_since = published if developing_for else None
        story.developing_until = published + developing_for if developing_for else None
        story.save(update_fields=["thread", "developing_since", "developing_until"])
    lead.thread = thread
    lead.developing_since = lead.published_at
    lead.developing_until = None
    lead.save(update_fields=["thread", "developing_since", "developing_until"])
    return thread


def publish_lead_updates(editor_user, lead: Story, now: datetime) -> None:
    """The lead's update notes, published by its editor (``publish_update``), timed after it."""
    published = now - LEAD_AGE
    have = set(
        Correction.objects.filter(story=lead, kind=Correction.Kind.UPDATE).values_list(
            "note", flat=True
        )
    )
    for _, note in LEAD_UPDATES:
        if note not in have:
            services.publish_update(editor_user, lead, note)
    _retime(
        lead,
        Correction.Kind.UPDATE,
        {note: published + timedelta(minutes=m) for m, note in LEAD_UPDATES},
    )


def _retime(story: Story, kind: str, times: dict[str, datetime]) -> None:
    """Give the story's notes of ``kind`` the demo's relative times (the services use the clock)."""
    for correction in Correction.objects.filter(story=story, kind=kind):
        when = times.get(correction.note)
        if when is not None and correction.published_at != when:
            Correction.objects.filter(pk=correction.pk).update(published_at=when)
    latest = max(times.values())
    Story.objects.filter(pk=story.pk).update(updated_at=latest)


# --- Readers' error reports ------------------------------------------------------------


def _client_hash(label: str) -> str:
    """Stands in for the keyed hash of a client the report form stores (never an address)."""
    return hashlib.sha256(f"masthead-demo-reader:{label}".encode()).hexdigest()


def load_error_reports(editor_user, lead: Story, now: datetime) -> None:
    """A new report on the lead, one that led to a correction, one declined."""
    first_report = Story.objects.get(slug=THREAD_STORIES[0][0])
    follow_up = Story.objects.get(slug=THREAD_STORIES[1][0])
    note, correction_age = FIRST_REPORT_CORRECTION
    correction = Correction.objects.filter(story=first_report, note=note).first()
    if correction is None:
        services.publish_correction(editor_user, first_report, note)
        correction = Correction.objects.get(story=first_report, note=note)
    corrected_at = now - correction_age
    Correction.objects.filter(pk=correction.pk).update(published_at=corrected_at)
    Story.objects.filter(pk=first_report.pk).update(updated_at=corrected_at)
    reports = [
        (
            lead,
            "The story gives the drone's cost as $130 million. Is that the price of the "
            "aircraft alone, or of the aircraft with its ground equipment? Other reports give "
            "different figures.",
            "",
            "",
            timedelta(minutes=22),
            ErrorReport.Status.NEW,
            None,
            "",
            None,
        ),
        (
            first_report,
            "The drone was not an Air Force drone. US Central Command's own statement calls "
            "it a US Navy aircraft (a BAMS-D, the Navy's version of the Global Hawk).",
            "https://www.centcom.mil/",
            "reader.one@example.net",
            timedelta(hours=20, minutes=35),
            ErrorReport.Status.CORRECTED,
            correction_age,
            "",
            correction,
        ),
        (
            follow_up,
            "Trump never said “loose and stupid”. This quote is made up.",
            "",
            "reader.two@example.org",
            timedelta(hours=9, minutes=5),
            ErrorReport.Status.DECLINED,
            timedelta(hours=8, minutes=30),
            "The words are in the president's remarks to reporters at the White House on "
            "Thursday, which were filmed and transcribed by the press pool; the quote stands.",
            None,
        ),
    ]
    for number, (story, text, evidence, email, age, status, decided, reason, linked) in enumerate(
        reports, start=1
    ):
        decided_at = now - decided if decided else None
        ErrorReport.objects.update_or_create(
            story=story,
            what_is_wrong=text,
            defaults={
                "evidence_url": evidence,
                "email": email,
                "client_hash": _client_hash(str(number)),
                "received_at": now - age,
                "status": status,
                "decided_by": editor_user if decided else None,
                "decided_at": decided_at,
                "decision_reason": reason,
                "correction": linked,
                "reporter_told_at": decided_at if (decided and email) else None,
            },
        )


# --- Author expertise (Trust Project) ---------------------------------------------------

# name: (expertise, one a line; languages; location; other work, one address a line)
AUTHOR_PROFILES = {
    "IFP Editorial Staff": (
        "Iranian politics and foreign policy\nIran's economy\nNews of the region",
        "English, Persian",
        "Tehran",
        "",
    ),
    "Farhad Nazari": (
        "Iranian politics\nPress law and media ethics",
        "Persian, English",
        "Tehran",
        "",
    ),
    "Maryam Alavi": (
        "Iran's foreign policy\nIran–US relations\nThe nuclear talks\nParliament",
        "Persian, English, Arabic",
        "Tehran",
        "",
    ),
    "Reza Karimi": (
        "Oil and energy\nMonetary policy and the rial\nSanctions",
        "Persian, English",
        "Tehran",
        "",
    ),
    "Leila Hosseini": (
        "Health and medicine\nEducation\nWater and the environment",
        "Persian, English",
        "Tehran",
        "",
    ),
    "Sara Rahimi": (
        "Iranian cinema\nPersian literature\nCultural heritage",
        "Persian, English, French",
        "Tehran",
        "",
    ),
    "Ali Moradi": ("Football\nOlympic sports", "Persian, English", "Tehran", ""),
    "Hamid Jafari": (
        "News agencies and wire copy\nVerification of images and video\nThe Gulf region",
        "Persian, English, Arabic",
        "Tehran",
        "",
    ),
    "Nima Sadeghi": (
        "Parliament and legislation\nProvincial politics\nElections",
        "Persian, English",
        "Tehran",
        "",
    ),
    "Parisa Ahmadi": (
        "Prices and the cost of living\nCurrency markets\nHousing",
        "Persian, English",
        "Tehran",
        "",
    ),
    "Kaveh Nouri": (
        "Water and drought\nUrban transport\nAir pollution",
        "Persian, English",
        "Isfahan",
        "https://water-atlas.example/authors/kaveh-nouri",
    ),
    "Shirin Farahani": (
        "Iranian cinema\nBooks and publishing\nFootball",
        "Persian, English, French",
        "Tehran",
        "",
    ),
    "Babak Tehrani": (
        "Football\nWrestling\nVolleyball",
        "Persian, English",
        "Tabriz",
        "",
    ),
    "Azadeh Rostami": (
        "Oil markets and OPEC\nThe IAEA and nuclear diplomacy\nUN humanitarian agencies",
        "Persian, English, Arabic",
        "Tehran",
        "https://energy-review.example/contributors/azadeh-rostami",
    ),
}


def load_author_profiles() -> None:
    for name, (expertise, languages, location, other_work) in AUTHOR_PROFILES.items():
        Author.objects.filter(name=name).update(
            expertise=expertise, languages=languages, location=location, other_work=other_work
        )

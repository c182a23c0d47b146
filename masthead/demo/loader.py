"""Load the demo outlet: desks, authors, staff accounts and stories.

Idempotent: every row is found by its natural key (slug, username) and
brought to the same state, so running it twice leaves one outlet, not two.
Times are relative to the moment of loading, so the recent posts read
“16 mins ago” … “6 hours ago” right after loading, as on the seed page.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from PIL import Image as PillowImage
from PIL import ImageDraw

from masthead.demo import persian, rows, trust, wire
from masthead.demo.material import (
    LABEL_RULES,
    PERSIAN_LABEL_NAMES,
    allowed,
    label_for,
    stories_for,
)
from masthead.demo.pictures import Look
from masthead.demo.seed import SeedPage, load_seed
from masthead.media import figures
from masthead.media.models import Image
from masthead.newsroom.editions import default_edition_id
from masthead.newsroom.models import Author, Desk, Outlet, PolicyPage, StaffRole
from masthead.newsroom.roles import access_for
from masthead.search.engine import paused_indexing, rebuild_index
from masthead.stories import services, translations
from masthead.stories.models import Label, Story, Tag
from masthead.stories.services import snapshot_revision

DEMO_PASSWORD = "masthead-demo"
STORIES_PER_DESK = 50
RANDOM_SEED = 20261125

DESKS = [
    # name, slug, editor name, job title, how the editor's portrait looks
    ("Politics", "politics", "Maryam Alavi", "Politics editor", Look(scarf=True)),
    ("Economy", "economy", "Reza Karimi", "Economy editor", Look(beard=True, glasses=True)),
    ("Society", "society", "Leila Hosseini", "Society editor", Look(scarf=True, glasses=True)),
    ("Culture", "culture", "Sara Rahimi", "Culture editor", Look(scarf=True)),
    ("Sports", "sports", "Ali Moradi", "Sports editor", Look(beard=True)),
    ("Media Wire", "media-wire", "Hamid Jafari", "Wire editor", Look(grey=True, glasses=True)),
]
GENERATED_STORIES = STORIES_PER_DESK * len(DESKS)
# Each writer works for their own desk (the same position in DESKS) and the next one.
WRITERS = [
    ("Nima Sadeghi", "Journalist", Look()),
    ("Parisa Ahmadi", "News-writer", Look(scarf=True)),
    ("Kaveh Nouri", "Analyst", Look(glasses=True, beard=True)),
    ("Shirin Farahani", "Journalist", Look(scarf=True, glasses=True)),
    ("Babak Tehrani", "News-writer", Look()),
    ("Azadeh Rostami", "Analyst", Look(scarf=True)),
]
CHIEF = ("Farhad Nazari", Look(grey=True, beard=True))
# Tags the seed page's stories carry; the generated stories bring their desks' own.
TAGS = ["Iran", "United States", "Nuclear talks", "IAEA", "Gaza", "Oil", "Sanctions", "Football"]
# Which desk each recent post of the seed page belongs to, its tags, and its label
# (each label checked against the rules: "Breaking" only while a story is fresh).
RECENT_POSTS = [
    ("politics", ["Iran", "United States"], None),
    ("media-wire", ["United States"], None),
    ("media-wire", ["Gaza"], None),
    ("politics", ["IAEA", "Iran"], None),
    ("media-wire", ["Gaza"], None),
    ("politics", ["IAEA", "Iran", "Nuclear talks"], None),
]
DESK_DATELINES = {
    "politics": "Tehran",
    "economy": "Tehran",
    "society": "Tehran",
    "culture": "Tehran",
    "sports": "Tehran",
    "media-wire": "",
}
# The lead: the seed page has no standfirst; the demo's editor wrote one, and a map.
LEAD_DEK = (
    "Iran denies that any message from Washington came through Oman, while US officials say "
    "strikes on Iranian radar and missile sites were approved after the downing of a US drone, "
    "then called off on Thursday night with planes already in the air."
)
LEAD_IMAGE = {
    "kind": "map",
    "place": "Strait of Hormuz",
    "title": "The Strait of Hormuz",
    "subtitle": "The US surveillance drone was shot down over the region on Thursday",
    "caption": "The Strait of Hormuz, near where the IRGC shot down a US surveillance drone.",
    "alt": "Locator map of Iran with the Strait of Hormuz marked",
}

# Two figures in the lead story's body, after these paragraphs (0-based).
LEAD_FIGURES = [
    (
        1,
        {
            "kind": "map",
            "place": "Bandar Abbas",
            "title": "Bandar Abbas",
            "subtitle": "Iran's main port on the Strait of Hormuz",
            "caption": "Bandar Abbas, where Iran's navy guards the Strait of Hormuz.",
            "alt": "Locator map of southern Iran with Bandar Abbas marked on the coast",
        },
    ),
    (
        8,
        {
            "kind": "line",
            "title": "Brent crude after the drone was shot down",
            "subtitle": "Dollars a barrel, by week",
            "start": 61,
            "end": 65,
            "caption": "Oil prices rose in the week the drone was shot down.",
            "alt": "Line chart: the price of Brent crude rising from about 61 to 65 dollars",
        },
    ),
]
# A small gallery in the first of the Recent Posts.
GALLERY_CAPTION = "Where the IRGC's commanders spoke this week."
GALLERY = [
    {
        "kind": "map",
        "place": place,
        "title": place,
        "subtitle": subtitle,
        "caption": f"{place}: {subtitle[0].lower()}{subtitle[1:]}.",
        "alt": f"Locator map of Iran with {place} marked",
    }
    for place, subtitle in (
        ("Tehran", "A speech to Basij commanders"),
        ("Mashhad", "Friday prayers at the Imam Reza shrine"),
        ("Isfahan", "An address to air force cadets"),
    )
]


# The demo outlet's standards, stating its sourcing rules; plainly sample text. Each kind names
# the schema.org property search engines read (PolicyPage.SCHEMA_PROPERTIES).
DEMO_NOTE = "This is sample text of the Masthead demo outlet, not a real outlet's policy."
POLICY_PAGES = [
    # kind, title, slug, summary, paragraphs
    (
        PolicyPage.Kind.MISSION,
        "Our mission and what we cover",
        "mission",
        "News from Iran and the region, told accurately and in plain English.",
        [
            "Iran Front Page reports the news of Iran and its region for readers in Iran and "
            "abroad who read English: politics, the economy, society, culture and sport, and "
            "the world's news as it touches Iran.",
            "We give priority to what affects people's lives (prices, water, jobs, schools) "
            "and to what decides them (parliament, the government, the courts, diplomacy). We "
            "report what officials say and check it against what we can see and document.",
            "Each of our six desks has an editor who answers for everything it publishes; "
            "their names and addresses are on the masthead page.",
        ],
    ),
    (
        PolicyPage.Kind.ETHICS,
        "Ethics policy",
        "ethics",
        "Accuracy, independence and fairness come before speed.",
        [
            "We publish what we have checked, and we say how we know it. When we rely on "
            "another outlet's report, we name the outlet. When we cannot confirm a claim, we "
            "attribute it to whoever made it and say that we could not confirm it.",
            "Our journalists do not accept gifts, travel or payment from people or "
            "organisations they cover, and declare to their editor any interest they have in "
            "a story. Advertising and sponsored content never appear as news and are always "
            "labelled.",
            "Before we publish a story that accuses a person or an organisation of wrongdoing, "
            "we ask them for a response, give them a fair time to answer, and report their "
            "answer, or that they declined, or that none came by the time of publication. Our "
            "system will not publish such a story until the response sought is recorded.",
        ],
    ),
    (
        PolicyPage.Kind.UNNAMED_SOURCES,
        "Unnamed sources",
        "unnamed-sources",
        "We name our sources unless naming them would put them at risk, and an editor "
        "approves every exception.",
        [
            "We use an unnamed source only when the information matters to readers, cannot be "
            "had on the record, and the source is in a position to know it.",
            "Every unnamed source must be approved by the editor of the desk that publishes the "
            "story, who records why anonymity was granted. The editor knows who the source is "
            "and how the reporter knows them. A story with an unnamed source that no editor has "
            "approved cannot be published: our publishing system refuses it.",
            "The story describes the source as precisely as it safely can (“a senior official "
            "at the oil ministry”, not “a source”) and says why they were not named. The "
            "“How we reported this” box under each story lists its unnamed sources as "
            "described, with the reason.",
            "When we report what unnamed sources told another outlet, we say which outlet, "
            "and we do not present them as our own sources.",
        ],
    ),
    (
        PolicyPage.Kind.NO_BYLINES,
        "Stories signed by IFP Editorial Staff",
        "no-bylines",
        "A story signed “IFP Editorial Staff” is the desk's work, edited like every other, "
        "and its editor answers for it.",
        [
            "Most of our stories carry the names of the journalists who wrote them. Some are "
            "signed “IFP Editorial Staff” instead: short reports, stories written from agency "
            "copy and other outlets' reports, stories several of us worked on, and stories whose "
            "writer would be at risk if named.",
            "The byline does not mean that nobody is responsible. The editor of the desk that "
            "published the story answers for it; the desk is named on the story, and its editor "
            "and address are on the masthead page.",
            "A story signed by IFP Editorial Staff follows the same rules as every other: its "
            "sources are listed in the “How we reported this” box, and its unnamed sources are "
            "approved by the desk's editor.",
        ],
    ),
    (
        PolicyPage.Kind.CORRECTIONS,
        "Corrections policy",
        "corrections-policy",
        "When we get something wrong, we correct it openly and say what changed.",
        [
            "We correct errors of fact as soon as we have confirmed them. The correction is "
            "added to the story with the time it was made, says what was wrong and what is "
            "right, and is listed on our corrections page. We do not change a published fact "
            "silently.",
            "A clarification is added when a story was accurate but could be misread. An "
            "update is added when a developing story moves on; updates are listed on the "
            "story with their times.",
            "Every story has a “Report an error” link. Reports go to the corrections queue of "
            "the desk that published the story; its editor decides, and if you leave an "
            "address, we tell you what we decided and why.",
        ],
    ),
    (
        PolicyPage.Kind.FACT_CHECKING,
        "Verification and fact-checking",
        "fact-checking",
        "What we check before a story is published, and how we say what we could not check.",
        [
            "Every figure, quote and claim is checked by the writer and read by an editor "
            "before publication. Figures are checked against the document they come from; "
            "quotes against a recording, a transcript or the published statement.",
            "When we report another outlet's report, we say so and credit it, and we do not "
            "add details it does not contain. When we report a claim we could not confirm, we "
            "attribute it and say that we could not confirm it.",
            "Pictures and videos from third parties are checked for where and when they were "
            "made before we use them, and credited.",
            "The “How we reported this” box on each story lists its sources (people, "
            "documents, other outlets' reports, statements and the responses we sought) and "
            "which paragraphs rely on each.",
        ],
    ),
    (
        PolicyPage.Kind.DIVERSITY,
        "Diverse voices",
        "diverse-voices",
        "Whom we quote and whom we cover, and how we try to widen it.",
        [
            "Iran is a country of many peoples, languages and regions. Too much news, ours "
            "included, is told from Tehran by officials. We look for the people a story is "
            "about: residents, workers, farmers, patients, fans.",
            "Our correspondents in the provinces report from where things happen, and our "
            "stories say whether they were reported from their dateline or written from "
            "elsewhere.",
            "We keep a count of the people our stories quote, by gender and region, and review "
            "it every quarter.",
        ],
    ),
    (
        PolicyPage.Kind.OWNERSHIP,
        "Ownership and funding",
        "ownership-and-funding",
        "Who owns this outlet and how it is paid for.",
        [
            "The demo outlet is owned by nobody: it exists to show what Masthead does. A real "
            "outlet names its owners, anyone who holds more than a small share, and its main "
            "sources of income (advertising, subscriptions, grants) here, and says what say, "
            "if any, they have over what it publishes.",
        ],
    ),
    (
        PolicyPage.Kind.FEEDBACK,
        "Contact us and tell us what we missed",
        "feedback",
        "Every message to a desk is read by its editor and answered within two working days.",
        [
            "Write to the newsroom or to the desk that published a story. Tips, complaints and "
            "corrections all go to the addresses on the masthead page.",
            "To report an error in a story, use the “Report an error” link under it: say what "
            "is wrong and, if you can, link to the evidence. The desk's editor accepts or "
            "declines every report, and tells you the outcome if you leave an address.",
            "We publish how many readers' reports led to corrections each month, and how long "
            "the corrections took, on our corrections page.",
        ],
    ),
]


def load_policy_pages() -> None:
    """The default (English) edition's policy pages; found by edition and kind, so loading twice
    keeps one of each. The Persian edition's are its own (``persian.py``)."""
    edition_id = default_edition_id()
    for position, (kind, title, slug, summary, paragraphs) in enumerate(POLICY_PAGES):
        PolicyPage.objects.update_or_create(
            edition_id=edition_id,
            kind=kind,
            defaults={
                "title": title,
                "slug": slug,
                "summary": summary,
                "body": rows.paragraphs([*paragraphs, DEMO_NOTE]),
                "is_published": True,
                "position": position,
            },
        )


def _demo_logo() -> Image:
    """A plain wordmark for the publisher logo search engines show."""
    caption = "Iran Front Page demo wordmark"
    logo = Image.objects.filter(caption=caption).first()
    if logo is None:
        picture = PillowImage.new("RGB", (600, 60), (255, 255, 255))
        draw = ImageDraw.Draw(picture)
        draw.rectangle([0, 0, 10, 60], fill=(122, 28, 36))
        draw.text((28, 10), "IFP · Iran Front Page (demo)", fill=(20, 20, 20), font_size=34)
        out = io.BytesIO()
        picture.save(out, "PNG", optimize=True)
        logo = Image(alt_text="Iran Front Page", caption=caption, credit="Masthead demo")
        logo.file.save("demo-logo.png", ContentFile(out.getvalue()), save=False)
        logo.save()
    return logo


@dataclass
class DemoResult:
    stories: int
    logins: list[tuple[str, str, str]]


@transaction.atomic
def load_demo(seed: SeedPage | None = None, now: datetime | None = None) -> DemoResult:
    # Every story is indexed once, at the end, not at each of its saves (its row, tags,
    # bylines, revisions); the demo's back-dated update times (trust.py) are set by bulk
    # updates, which no receiver sees, so the index is rebuilt in any case.
    with paused_indexing():
        result = _load_outlet(seed, now)
    rebuild_index()
    return result


def _load_outlet(seed: SeedPage | None, now: datetime | None) -> DemoResult:
    seed = seed or load_seed()
    now = now or timezone.now()
    rng = random.Random(RANDOM_SEED)

    outlet = Outlet.objects.order_by("pk").first() or Outlet()
    outlet.name = "Iran Front Page"
    outlet.short_name = "IFP"
    outlet.tagline = "News from Iran and the region (demo)"
    outlet.about = (
        "Iran Front Page reports news from Iran and the region. Its editorial staff "
        "writes the news; the editor of each desk answers for what that desk publishes. "
        "This copy is a demo outlet: its recent stories are adapted from the real site, "
        "the rest are generated sample content."
    )
    outlet.email = "newsroom@ifp.example"
    outlet.phone = "+98 21 0000 0000"
    outlet.address = "PO Box 00000-00000, Tehran, Iran (demo address)"
    outlet.is_demo = True
    outlet.logo = _demo_logo()
    outlet.save()
    load_policy_pages()

    staff = rows.author(
        seed.author_name,
        kind=Author.Kind.COLLECTIVE,
        bio=seed.author_bio,
        email="editorial@ifp.example",
        job_title="",
    )
    # A collective has no face: it shows the outlet's mark.
    rows.portrait(
        staff,
        f"{outlet.name} logo",
        "Iran Front Page (demo)",
        lambda: (rows.cached_mark(outlet.short_name), "png"),
    )
    labels = {
        rule.slug: Label.objects.update_or_create(
            slug=rule.slug,
            defaults={
                "name": rule.name,
                "kind": rule.kind,
                "position": i,
                "names": {"fa": PERSIAN_LABEL_NAMES[rule.slug]},
            },
        )[0]
        for i, rule in enumerate(LABEL_RULES)
    }
    tags: dict[str, Tag] = {}

    def tagged(names: list[str]) -> list[Tag]:
        for name in names:
            if name not in tags:
                tags[name] = Tag.objects.update_or_create(
                    slug=slugify(name), defaults={"name": name}
                )[0]
        return [tags[name] for name in names]

    tagged(TAGS)
    logins = [("admin", DEMO_PASSWORD, "administrator (Django admin)")]
    # Hashing is slow by design: hash the one demo password once.
    password_hash = make_password(DEMO_PASSWORD)
    admin = rows.staff_user("admin", password_hash, is_superuser=True)
    rows.role(admin, StaffRole.Role.ADMINISTRATOR)

    desks: dict[str, Desk] = {}
    for position, (name, slug, editor_name, title, look) in enumerate(DESKS):
        editor = rows.author(
            editor_name,
            job_title=title,
            email=f"{slug}@ifp.example",
            bio=f"{editor_name} edits the {name} desk and answers for every report it publishes.",
        )
        rows.illustrated(editor, look)
        desks[slug] = Desk.objects.update_or_create(
            slug=slug,
            defaults={
                "name": name,
                "editor": editor,
                "position": position,
                "email": f"{slug}@ifp.example",
                "phone": f"+98 21 0000 00{position + 1:02d}",
                "description": f"{name} news, edited by {editor_name}.",
            },
        )[0]
        username = f"editor.{slug.replace('-', '')}"
        rows.role(
            rows.staff_user(username, password_hash, editor),
            StaffRole.Role.DESK_EDITOR,
            desks[slug],
        )
        logins.append((username, DEMO_PASSWORD, f"{name} desk editor"))
    writers = []
    for name, title, look in WRITERS:
        writer = rows.author(
            name,
            job_title=title,
            bio=f"{name} is a {title.lower()} at Iran Front Page.",
            email=f"{slugify(name)}@ifp.example",
        )
        rows.illustrated(writer, look)
        writers.append(writer)
    desk_order = list(desks.values())
    writer_users = []
    for number, writer in enumerate(writers):
        username = f"writer.{writer.slug.split('-')[0]}"
        user = rows.staff_user(username, password_hash, writer)
        own_desks = [desk_order[number % 6], desk_order[(number + 1) % 6]]
        for desk in own_desks:
            rows.role(user, StaffRole.Role.WRITER, desk)
        writer_users.append(user)
        where = " and ".join(desk.name for desk in own_desks)
        logins.append((username, DEMO_PASSWORD, f"{writer.job_title}, writes for {where}"))
    chief_name, chief_look = CHIEF
    chief = rows.author(
        chief_name,
        job_title="Editor-in-chief",
        email="chief@ifp.example",
        bio=f"{chief_name} is the editor-in-chief of Iran Front Page.",
    )
    rows.illustrated(chief, chief_look)
    rows.role(rows.staff_user("chief", password_hash, chief), StaffRole.Role.CHIEF_EDITOR)
    logins.insert(1, ("chief", DEMO_PASSWORD, "chief editor (every desk)"))

    current_images = {
        story.slug: story.lead_image
        for story in Story.objects.select_related("lead_image").filter(lead_image__isnull=False)
    }
    # The seed page's story: the lead, one hour old, by the collective.
    lead_slug = slugify(seed.headline)
    in_body = rows.body_pictures(lead_slug, [spec for _, spec in LEAD_FIGURES])
    placed = [(after, image) for (after, _), image in zip(LEAD_FIGURES, in_body, strict=True)]
    lead = rows.put_story(
        slug=lead_slug,
        headline=seed.headline,
        dek=LEAD_DEK,
        body=rows.with_figures(seed.paragraphs, placed),
        desk=desks["politics"],
        label=labels["ifp-exclusive"],
        authors=[staff],
        tags=tagged(["Iran", "United States"]),
        published_at=now - timedelta(hours=1),
        dateline="Tehran",
        lead_image=rows.picture(LEAD_IMAGE, lead_slug, current_images.get(lead_slug)),
        top_rank=1,
        sources=trust.lead_sources(desks["politics"].editor, now),
        method_note=trust.LEAD_METHOD_NOTE,
        dateline_kind="written",
    )
    # Its "Recent Posts": live stories as old as the page says.
    for index, post in enumerate(seed.recent_posts):
        desk_slug, tag_names, label_slug = RECENT_POSTS[index % len(RECENT_POSTS)]
        age = post.age + timedelta(
            seconds=index
        )  # a second apart: posts of one age keep the page's order
        label = label_slug if label_slug and allowed(label_slug, desk_slug, age) else None
        body = rows.paragraphs(
            [post.opening, "This demo story carries the opening of the original report only."]
        )
        if index == 0:
            shown = rows.body_pictures(slugify(post.headline), GALLERY)
            body += figures.gallery_html(map(figures.figure_html, shown), GALLERY_CAPTION)
        rows.put_story(
            slug=slugify(post.headline),
            headline=post.headline,
            dek=post.opening,
            body=body,
            desk=desks[desk_slug],
            label=labels[label] if label else None,
            authors=[staff],
            tags=tagged(tag_names),
            published_at=now - age,
            top_rank=index + 2 if index < 3 else None,
        )
    # Generated archive, older than the recent posts, so every list paginates.
    # Each desk's stories are written from that desk's own material.
    written = {slug: stories_for(slug, STORIES_PER_DESK, rng) for slug in desks}
    photos_used: set[str] = set()
    for number in range(GENERATED_STORIES):
        position = number % len(desk_order)
        desk = desk_order[position]
        story = written[desk.slug][number // len(desk_order)]
        age = timedelta(hours=7 + number * 5, minutes=rng.randrange(60))
        # The desk's own writer, with the desk's second writer now and then, or the collective.
        byline = [writers[position]]
        if number % 7 == 0:
            byline.append(writers[(position - 1) % len(writers)])
        if number % 11 == 0:
            byline = [staff]
        label = label_for(desk.slug, story.kind, age, story.exclusive, rng)
        slug = f"{slugify(story.headline)}-{number + 1}"
        lead_image = None
        spec = story.image
        if spec and spec["kind"] == "photo":
            # A photo illustrates one story only; later stories of the template go without.
            if spec["name"] not in photos_used:
                photos_used.add(spec["name"])
                lead_image = rows.picture(spec, slug, current_images.get(slug))
        elif spec and (number // len(desk_order)) % 2 == 0:
            lead_image = rows.picture(spec, slug, current_images.get(slug))
        published_at = now - age
        rows.put_story(
            slug=slug,
            headline=story.headline,
            dek=story.dek,
            body=rows.paragraphs(story.paragraphs),
            desk=desk,
            label=labels[label] if label else None,
            authors=byline,
            tags=tagged(story.tags),
            dateline=story.dateline or DESK_DATELINES[desk.slug],
            published_at=published_at,
            lead_image=lead_image,
            # Unnamed sources approved by the desk's editor before publication.
            sources=trust.approved(
                story.sources, desk.editor, published_at - timedelta(minutes=30)
            ),
            method_note=story.method_note,
            makes_allegation=story.makes_allegation,
            dateline_kind=story.dateline_kind,
        )
    # The Persian edition at /fa/: its desks, staff (some of them the English writers) and stories.
    persian_edition = persian.load_edition(
        now=now,
        labels=labels,
        password_hash=password_hash,
        password=DEMO_PASSWORD,
        logins=logins,
        current_images=current_images,
    )
    # The lead and its Persian translation name each other (hreflang, "Also in").
    translations.link(lead, persian_edition.translation)
    # The lead's running story, loaded like the rest before the revisions are kept.
    trust.load_thread(rows.put_story, desks["politics"], staff, lead, now)
    snapshotted = list(Story.objects.filter(latest_revision__isnull=True))
    for story in snapshotted:
        note = (
            persian.LOADED_NOTE
            if story.language == persian.LANGUAGE
            else "Loaded with the demo outlet"
        )
        snapshot_revision(story, note=note)
    trust.keep_seed_approvals(snapshotted)
    # What editors did after publication, through the same services they use.
    politics_editor = desks["politics"].editor.user
    trust.publish_lead_updates(politics_editor, lead, now)
    trust.load_error_reports(politics_editor, lead, now)
    persian.load_corrections(now)
    trust.load_author_profiles()
    _workflow_examples(desks, writer_users, now)
    wire.load_sources(desks, now)
    return DemoResult(stories=Story.objects.count(), logins=logins)


# Stories in every state of the workflow, made the way staff make them.
WORKFLOW_EXAMPLES = [
    # (final state, headline, desk slug, dek, body)
    (
        "draft",
        "Tehran metro extension faces new delays",
        "society",
        "The metro company says the southern extension will open a year late.",
        [
            "The extension of Tehran's metro to the southern districts will open a year later "
            "than planned, the city's metro company said.",
            "The company blamed late payments from the government and the price of imported "
            "signalling equipment.",
        ],
    ),
    (
        "submitted",
        "Wheat harvest forecast revised upwards",
        "economy",
        "Autumn rain in the north-west raises the outlook for next year's crop.",
        [
            "The agriculture ministry has raised its forecast for next year's wheat harvest "
            "after good autumn rain in the north-west.",
            "Farmers in the south and east, where the drought continues, expect a smaller crop.",
        ],
    ),
    (
        "in_edit",
        "Parliament committee questions fuel subsidy plan",
        "politics",
        "Lawmakers want to know how the savings would reach low-income households.",
        [
            "Parliament's energy committee has asked the government to explain how savings from "
            "its fuel subsidy plan would reach low-income households.",
            "Under the plan, the price of subsidised petrol would rise in steps over two years, "
            "with cash transfers to households in the lowest income groups.",
            "The committee will hear the oil minister next week. A member of the committee "
            "said several lawmakers would ask for the first price rise to be delayed until the "
            "cash transfers had reached every eligible household.",
        ],
    ),
    (
        "ready",
        "Isfahan film week opens with restored classics",
        "culture",
        "Six films restored from the national film archive open the week.",
        [
            "A week of restored classics of Iranian cinema opened in Isfahan with six films "
            "from the national film archive.",
            "Screenings continue every evening until Friday.",
        ],
    ),
    (
        "scheduled",
        "Central bank to announce new exchange rate policy",
        "economy",
        "The bank is expected to narrow the gap between its rate and the open market.",
        [
            "The central bank will announce changes to its exchange rate policy, officials said, "
            "expected to narrow the gap between its own rate and the open market.",
            "Importers have asked for a transition period.",
        ],
    ),
    (
        "withdrawn",
        "Report on stadium closure",
        "sports",
        "The league is said to be closing a stadium after crowd trouble.",
        [
            "The league has closed a stadium for two matches after crowd trouble, according to "
            "a source at the federation.",
        ],
    ),
]


# The story in edit waits for its editor's approval of an unnamed source: the
# sources panel shows it, and the outlet's rule keeps it from being published.
WORKFLOW_SOURCES = {
    "Parliament committee questions fuel subsidy plan": [
        {
            "id": "letter",
            "kind": "document",
            "title": "Energy committee's questions to the government on the fuel subsidy plan",
            "publisher": "Parliament's energy committee",
            "paragraphs": [1, 2],
        },
        {
            "id": "member",
            "kind": "unnamed",
            "description": "a member of the energy committee",
            "count": 1,
            "anonymity_reason": "The committee has not yet voted, and its members agreed not "
            "to speak on the record before the minister's hearing.",
            "how_known": "Spoke to our parliamentary correspondent by phone; a member of the "
            "committee since it was formed, known to the desk for years.",
            "paragraphs": [3],
        },
    ],
}


def _workflow_examples(desks: dict[str, Desk], writers: list, now: datetime) -> None:
    editors = {
        desk.slug: desk.editor.user for desk in desks.values() if desk.editor and desk.editor.user
    }
    for state, headline, desk_slug, dek, paragraphs in WORKFLOW_EXAMPLES:
        if Story.objects.filter(slug=slugify(headline)).exists():
            continue
        desk, editor = desks[desk_slug], editors[desk_slug]
        writer = next(w for w in writers if access_for(w).writes_for(desk.pk))
        story = services.create_story(
            writer,
            services.Content(
                headline=headline,
                desk=desk,
                dek=dek,
                body=rows.paragraphs(paragraphs),
                sources=WORKFLOW_SOURCES.get(headline, []),
            ),
        )
        if state == "draft":
            continue
        services.submit_story(writer, story)
        if state == "submitted":
            continue
        services.claim_story(editor, story)
        if state == "in_edit":
            continue
        services.approve_story(editor, story)
        if state == "ready":
            continue
        if state == "scheduled":
            # Real time, not the load's: a schedule is always for the future.
            services.schedule_story(editor, story, max(now, timezone.now()) + timedelta(hours=3))
            continue
        services.publish_story(editor, story)
        services.withdraw_story(
            editor, story, "Withdrawn: the stadium was not closed; our source was mistaken."
        )

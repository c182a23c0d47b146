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

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape
from django.utils.text import slugify
from PIL import Image as PillowImage
from PIL import ImageDraw

from masthead.demo.seed import SeedPage, load_seed
from masthead.media.models import Image
from masthead.newsroom.models import Author, Desk, Outlet, PolicyPage, StaffRole
from masthead.newsroom.roles import access_for
from masthead.stories import services
from masthead.stories.models import Byline, Label, Story, Tag
from masthead.stories.services import snapshot_revision

DEMO_PASSWORD = "masthead-demo"
GENERATED_STORIES = 300
RANDOM_SEED = 20261125

DESKS = [
    # name, slug, editor name, job title, colour of its illustration
    ("Politics", "politics", "Maryam Alavi", "Politics editor", (122, 28, 36)),
    ("Economy", "economy", "Reza Karimi", "Economy editor", (24, 86, 64)),
    ("Society", "society", "Leila Hosseini", "Society editor", (46, 70, 140)),
    ("Culture", "culture", "Sara Rahimi", "Culture editor", (120, 72, 20)),
    ("Sports", "sports", "Ali Moradi", "Sports editor", (20, 100, 120)),
    ("Media Wire", "media-wire", "Hamid Jafari", "Wire editor", (70, 70, 78)),
]
WRITERS = [
    ("Nima Sadeghi", "Journalist"),
    ("Parisa Ahmadi", "News-writer"),
    ("Kaveh Nouri", "Analyst"),
    ("Shirin Farahani", "Journalist"),
    ("Babak Tehrani", "News-writer"),
    ("Azadeh Rostami", "Analyst"),
]
LABELS = [
    ("IFP Exclusive", "ifp-exclusive", Label.Kind.EXCLUSIVE),
    ("Breaking", "breaking", Label.Kind.BREAKING),
    ("Analysis", "analysis", Label.Kind.ANALYSIS),
    ("Opinion", "opinion", Label.Kind.OPINION),
    ("Interview", "interview", Label.Kind.INTERVIEW),
]
TAGS = [
    "Iran",
    "United States",
    "Nuclear talks",
    "IAEA",
    "Gaza",
    "Oil",
    "Sanctions",
    "Tehran",
    "Elections",
    "Football",
]
# Which desk each recent post of the seed page belongs to, and its tags.
RECENT_DESKS = ["politics", "politics", "media-wire", "politics", "media-wire", "politics"]
RECENT_TAGS = [["Iran"], ["United States"], ["Gaza"], ["IAEA", "Iran"], ["Gaza"], ["IAEA", "Iran"]]

SUBJECTS = [
    "Tehran",
    "Parliament",
    "Central bank",
    "Oil ministry",
    "Foreign minister",
    "Tehran stock exchange",
    "Football federation",
    "Health ministry",
    "Isfahan council",
    "Film festival jury",
    "Caspian ports",
    "Farmers' union",
    "Metro operator",
    "Tabriz carpet makers",
    "Judiciary chief",
]
VERBS = [
    "weighs",
    "unveils",
    "rejects",
    "backs",
    "delays",
    "expands",
    "questions",
    "defends",
    "reviews",
    "signs",
    "warns over",
    "cuts",
]
OBJECTS = [
    "new budget plan",
    "fuel price reform",
    "regional trade deal",
    "water rationing measures",
    "rail link to the north",
    "talks on currency reform",
    "summer festival programme",
    "youth employment scheme",
    "league schedule",
    "air quality rules",
    "import tariffs",
    "housing loans",
    "heritage restoration",
    "border crossing hours",
]
SENTENCES = [
    "Officials said the decision followed weeks of consultation with the provinces.",
    "Critics argue the plan leaves too many questions unanswered.",
    "The measure is expected to take effect at the start of the next Iranian month.",
    "A spokesman told reporters that further details would be published within days.",
    "Analysts say the move reflects pressure from rising prices and a weaker rial.",
    "Lawmakers from several factions have asked for a full debate before any vote.",
    "Local businesses said they had not been told how the change would affect them.",
    "The ministry did not respond to a request for comment by the time of publication.",
    "Previous attempts at a similar reform stalled in parliament two years ago.",
    "Residents interviewed in the capital gave a mixed reaction to the announcement.",
]


# The demo outlet's standards: short, and plainly sample text. Each kind names
# the schema.org property search engines read (PolicyPage.SCHEMA_PROPERTIES).
DEMO_NOTE = "This is sample text of the Masthead demo outlet, not a real outlet's policy."
POLICY_PAGES = [
    # kind, title, slug, summary, paragraphs
    (
        PolicyPage.Kind.CORRECTIONS,
        "Corrections policy",
        "corrections-policy",
        "When we get something wrong, we correct it openly and say what changed.",
        [
            "We correct errors of fact as soon as we confirm them. The correction is added "
            "to the story with the time it was made, and listed on our corrections page.",
            "Write to the editor of the desk that published the story; their address is "
            "on the masthead page.",
        ],
    ),
    (
        PolicyPage.Kind.UNNAMED_SOURCES,
        "Unnamed sources",
        "unnamed-sources",
        "We name our sources unless naming them would put them at risk.",
        [
            "An unnamed source is used only when the information matters, cannot be had "
            "on the record, and at least one editor knows who the source is.",
            "The story says why the source was not named and how they know what they say.",
        ],
    ),
    (
        PolicyPage.Kind.NO_BYLINES,
        "Stories without a personal byline",
        "no-bylines",
        "Reports signed by IFP Editorial Staff are edited like every other report.",
        [
            "Short reports, wire rewrites and stories that would endanger a reporter are "
            "signed by IFP Editorial Staff. The desk's editor answers for them.",
        ],
    ),
    (
        PolicyPage.Kind.ETHICS,
        "Ethics policy",
        "ethics",
        "Accuracy, independence and fairness come before speed.",
        [
            "Our journalists do not accept gifts or payment from people they cover, and "
            "declare any interest in a story to their editor.",
            "We give people we report on a fair chance to respond before we publish.",
        ],
    ),
    (
        PolicyPage.Kind.OWNERSHIP,
        "Ownership and funding",
        "ownership-and-funding",
        "Who owns this outlet and how it is paid for.",
        [
            "The demo outlet is owned by nobody: it exists to show what Masthead does. A "
            "real outlet names its owners and its main sources of income here.",
        ],
    ),
    (
        PolicyPage.Kind.FEEDBACK,
        "Contact us and tell us what we missed",
        "feedback",
        "Every message to a desk is read by its editor and answered within two working days.",
        [
            "Write to the newsroom or to the desk that published a story. Tips, complaints "
            "and corrections all go to the same addresses, listed on the masthead page.",
        ],
    ),
    (
        PolicyPage.Kind.FACT_CHECKING,
        "Verification and fact-checking",
        "fact-checking",
        "What we check before a story is published.",
        [
            "Every figure, quote and claim is checked by the writer and read by an editor "
            "before publication. Claims we cannot verify are attributed to who made them.",
        ],
    ),
]


def load_policy_pages() -> None:
    """The demo outlet's policy pages; found by kind, so loading twice keeps one of each."""
    for position, (kind, title, slug, summary, paragraphs) in enumerate(POLICY_PAGES):
        PolicyPage.objects.update_or_create(
            kind=kind,
            defaults={
                "title": title,
                "slug": slug,
                "summary": summary,
                "body": _paragraphs([*paragraphs, DEMO_NOTE]),
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


def _illustration(colour: tuple[int, int, int], title: str) -> bytes:
    """A plain, deterministic picture (no photo rights to clear for a demo)."""
    width, height = 1200, 675
    picture = PillowImage.new("RGB", (width, height), colour)
    draw = ImageDraw.Draw(picture)
    for band in range(0, height, 6):
        shade = int(40 * band / height)
        draw.line(
            [(0, band), (width, band)], fill=tuple(max(0, c - shade) for c in colour), width=6
        )
    for ring in range(5):
        radius = 120 + ring * 70
        draw.ellipse(
            [
                width * 0.7 - radius,
                height * 0.45 - radius,
                width * 0.7 + radius,
                height * 0.45 + radius,
            ],
            outline=tuple(min(255, c + 40) for c in colour),
            width=3,
        )
    draw.text((60, height - 90), title, fill=(255, 255, 255), font_size=44)
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=82, optimize=True)
    return out.getvalue()


def _image(key: str, colour, title: str, alt: str, caption: str) -> Image:
    credit = "Masthead demo illustration"
    image = Image.objects.filter(credit=credit, caption=caption).first()
    if image is None:
        image = Image(alt_text=alt, caption=caption, credit=credit)
        image.file.save(f"demo-{key}.jpg", ContentFile(_illustration(colour, title)), save=False)
        image.save()
    return image


def _author(name: str, **fields) -> Author:
    author, _ = Author.objects.update_or_create(
        slug=slugify(name, allow_unicode=True), defaults={"name": name, **fields}
    )
    return author


def _role(user, role: str, desk: Desk | None = None) -> None:
    StaffRole.objects.get_or_create(user=user, role=role, desk=desk)


def _staff_user(username: str, password_hash: str, author: Author | None = None, **flags):
    user, created = get_user_model().objects.get_or_create(username=username)
    for flag, value in flags.items():
        setattr(user, flag, value)
    user.is_staff = True
    if created or not user.has_usable_password():
        user.password = password_hash
    user.save()
    if author is not None and author.user_id != user.pk:
        author.user = user
        author.save(update_fields=["user"])
    return user


def _paragraphs(texts: list[str]) -> str:
    return "".join(f"<p>{escape(text)}</p>" for text in texts)


def _put_story(
    *,
    slug: str,
    headline: str,
    dek: str,
    body: str,
    desk: Desk,
    label: Label | None,
    authors: list[Author],
    tags: list[Tag],
    published_at: datetime,
    dateline: str = "",
    lead_image: Image | None = None,
    top_rank: int | None = None,
    status: str = Story.Status.PUBLISHED,
) -> Story:
    story, _ = Story.objects.update_or_create(
        slug=slug,
        defaults={
            "headline": headline,
            "dek": dek,
            "body": body,
            "desk": desk,
            "label": label,
            "published_at": published_at,
            "updated_at": published_at,
            "dateline": dateline,
            "lead_image": lead_image,
            "top_rank": top_rank,
            "status": status,
            "language": "en",
        },
    )
    Byline.objects.filter(story=story).exclude(author__in=authors).delete()
    for position, author in enumerate(authors):
        Byline.objects.update_or_create(story=story, author=author, defaults={"position": position})
    story.tags.set(tags)
    return story


@transaction.atomic
def load_demo(seed: SeedPage | None = None, now: datetime | None = None) -> DemoResult:
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
    outlet.is_demo = True
    outlet.logo = _demo_logo()
    outlet.save()
    load_policy_pages()

    staff = _author(
        seed.author_name,
        kind=Author.Kind.COLLECTIVE,
        bio=seed.author_bio,
        email="editorial@ifp.example",
        job_title="",
    )
    labels = {
        slug: Label.objects.update_or_create(
            slug=slug, defaults={"name": name, "kind": kind, "position": i}
        )[0]
        for i, (name, slug, kind) in enumerate(LABELS)
    }
    tags = {
        name: Tag.objects.update_or_create(slug=slugify(name), defaults={"name": name})[0]
        for name in TAGS
    }
    logins = [("admin", DEMO_PASSWORD, "administrator (Django admin)")]
    # Hashing is slow by design: hash the one demo password once.
    password_hash = make_password(DEMO_PASSWORD)
    admin = _staff_user("admin", password_hash, is_superuser=True)
    _role(admin, StaffRole.Role.ADMINISTRATOR)

    desks: dict[str, Desk] = {}
    images: dict[str, Image] = {}
    for position, (name, slug, editor_name, title, colour) in enumerate(DESKS):
        editor = _author(
            editor_name,
            job_title=title,
            email=f"{slug}@ifp.example",
            bio=f"{editor_name} edits the {name} desk and answers for every report it publishes.",
        )
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
        _role(_staff_user(username, password_hash, editor), StaffRole.Role.DESK_EDITOR, desks[slug])
        logins.append((username, DEMO_PASSWORD, f"{name} desk editor"))
        images[slug] = _image(
            slug,
            colour,
            name,
            alt=f"Abstract illustration in the colours of the {name} desk",
            caption=f"{name} desk illustration",
        )
    writers = [
        _author(
            name,
            job_title=title,
            bio=f"{name} is a {title.lower()} at Iran Front Page.",
            email=f"{slugify(name)}@ifp.example",
        )
        for name, title in WRITERS
    ]
    desk_order = list(desks.values())
    writer_users = []
    for number, writer in enumerate(writers):
        username = f"writer.{writer.slug.split('-')[0]}"
        user = _staff_user(username, password_hash, writer)
        # Each writer works for two desks, so every desk has writers.
        own_desks = [desk_order[number % 6], desk_order[(number + 1) % 6]]
        for desk in own_desks:
            _role(user, StaffRole.Role.WRITER, desk)
        writer_users.append(user)
        where = " and ".join(desk.name for desk in own_desks)
        logins.append((username, DEMO_PASSWORD, f"{writer.job_title}, writes for {where}"))
    chief = _author(
        "Farhad Nazari",
        job_title="Editor-in-chief",
        email="chief@ifp.example",
        bio="Farhad Nazari is the editor-in-chief of Iran Front Page.",
    )
    _role(_staff_user("chief", password_hash, chief), StaffRole.Role.CHIEF_EDITOR)
    logins.insert(1, ("chief", DEMO_PASSWORD, "chief editor (every desk)"))

    # The seed page's story: the lead, one hour old, by the collective. The page
    # has no standfirst (its first paragraph is the lead), so no dek.
    _put_story(
        slug=slugify(seed.headline),
        headline=seed.headline,
        dek="",
        body=_paragraphs(seed.paragraphs),
        desk=desks["politics"],
        label=labels["ifp-exclusive"],
        authors=[staff],
        tags=[tags["Iran"], tags["United States"]],
        published_at=now - timedelta(hours=1),
        dateline="Tehran",
        lead_image=_image(
            "lead",
            (30, 40, 70),
            "Politics",
            alt="Abstract illustration of concentric circles over a dark blue field",
            caption="Tensions between Tehran and Washington rose after the downing of a US drone.",
        ),
        top_rank=1,
    )
    # Its "Recent Posts": live stories as old as the page says.
    for index, post in enumerate(seed.recent_posts):
        _put_story(
            slug=slugify(post.headline),
            headline=post.headline,
            dek=post.opening,
            body=_paragraphs(
                [post.opening, "This demo story carries the opening of the original report only."]
            ),
            desk=desks[RECENT_DESKS[index % len(RECENT_DESKS)]],
            label=None,
            authors=[staff],
            tags=[tags[name] for name in RECENT_TAGS[index % len(RECENT_TAGS)]],
            # A second apart, so posts of the same age keep the page's order.
            published_at=now - post.age - timedelta(seconds=index),
            top_rank=index + 2 if index < 3 else None,
        )
    # Generated archive, older than the recent posts, so every list paginates.
    desk_list = list(desks.values())
    tag_list = list(tags.values())
    label_list = [None, None, None, *labels.values()]
    for number in range(GENERATED_STORIES):
        desk = desk_list[number % len(desk_list)]
        headline = f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)}"
        sentences = rng.sample(SENTENCES, 6)
        byline = [writers[number % len(writers)]]
        if number % 7 == 0:
            byline.append(writers[(number + 3) % len(writers)])
        if number % 11 == 0:
            byline = [staff]
        _put_story(
            slug=f"{slugify(headline)}-{number + 1}",
            headline=headline,
            dek=sentences[0],
            body=_paragraphs([" ".join(sentences[i : i + 2]) for i in range(0, 6, 2)]),
            desk=desk,
            label=rng.choice(label_list),
            authors=byline,
            tags=rng.sample(tag_list, 2),
            dateline=rng.choice(["Tehran", "Isfahan", "Tabriz", "Mashhad", ""]),
            published_at=now - timedelta(hours=7 + number * 5, minutes=rng.randrange(60)),
            lead_image=images[desk.slug] if number % 3 == 0 else None,
        )
    for story in Story.objects.filter(latest_revision__isnull=True):
        snapshot_revision(story, note="Loaded with the demo outlet")
    _workflow_examples(desks, writer_users, now)
    return DemoResult(stories=Story.objects.count(), logins=logins)


# Stories in every state of the workflow, made the way staff make them.
WORKFLOW_EXAMPLES = [
    # (final state, headline, desk slug)
    ("draft", "Tehran metro extension faces new delays", "society"),
    ("submitted", "Wheat harvest forecast revised upwards", "economy"),
    ("in_edit", "Parliament committee questions fuel subsidy plan", "politics"),
    ("ready", "Isfahan film week opens with restored classics", "culture"),
    ("scheduled", "Central bank to announce new exchange rate policy", "economy"),
    ("withdrawn", "Report on stadium closure", "sports"),
]


def _workflow_examples(desks: dict[str, Desk], writers: list, now: datetime) -> None:
    editors = {
        desk.slug: desk.editor.user for desk in desks.values() if desk.editor and desk.editor.user
    }
    body = _paragraphs([SENTENCES[0], SENTENCES[3], SENTENCES[7]])
    for state, headline, desk_slug in WORKFLOW_EXAMPLES:
        if Story.objects.filter(slug=slugify(headline)).exists():
            continue
        desk, editor = desks[desk_slug], editors[desk_slug]
        writer = next(w for w in writers if access_for(w).writes_for(desk.pk))
        story = services.create_story(
            writer, services.Content(headline=headline, desk=desk, dek=SENTENCES[4], body=body)
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

"""The demo outlet's Persian edition: its desks, staff, stories and policy pages, from
``data/edition-fa.toml``.

The edition lives at ``/fa/`` (docs/editions.md). Its material is written in
Persian for the demo, like the English desk files: six desks, each with a
Persian editor, three or four stories a desk, the seed story translated, and
the edition's own standards (the policy pages its footer and masthead list).
Staff work in both editions: Persian writers hold roles on Persian desks,
and some of the English writers hold roles on Persian desks too, sign some of
their stories, and are shown there in Persian (name, title, bio, expertise,
languages, location: ``AuthorName``).

Loading is idempotent like the rest of the demo (``rows.py``): every row is
found by its natural key (the edition's slug, a desk's slug, a username, a
story's slug) and brought to the same state. A story's age counts from the
load's ``now``, so the edition shows "۱۶ دقیقه پیش" right after loading and
Solar Hijri dates for the older stories.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path

from django.conf import settings

from masthead.demo import pictures, rows
from masthead.demo.material import DATA, RULES, MaterialError, allowed
from masthead.demo.pictures import Look
from masthead.newsroom.models import Author, AuthorName, Desk, Edition, PolicyPage, StaffRole
from masthead.newsroom.slugs import unicode_slug
from masthead.stories import services
from masthead.stories.models import Correction, Label, Story, Tag

EDITION_FILE = DATA / "edition-fa.toml"
LANGUAGE = "fa"
_AGE = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$")
# Credits in Persian under the Persian stories' pictures (pictures.credit_for in English).
CREDITS = {
    "map": "گرافیک: ایران فرانت پیج؛ دادهٔ نقشه: Natural Earth (مالکیت عمومی)",
    "score": "گرافیک: ایران فرانت پیج",
    "tiles": "گرافیک: ایران فرانت پیج",
}
CHART_CREDIT = "گرافیک: ایران فرانت پیج؛ ارقام نمونهٔ رسانهٔ نمایشی"
PORTRAIT_ALT = "چهرهٔ طراحی‌شدهٔ {name}"
# The Persian collective's mark: "IFP" as Persian readers say it.
MARK = "آی‌اف‌پی"
# The note of the first revision the demo keeps of a Persian story (the back office's history).
LOADED_NOTE = "با رسانهٔ نمایشی بارگذاری شد"
# Where the edition's people work, and in what (Author.languages, location: trust.py's profiles).
PROFILE = {"languages": "فارسی", "location": "تهران"}


def parse_age(text: str) -> timedelta:
    """``"16m"``, ``"2h30m"``, ``"1d2h"``, ``"12d"`` as a duration."""
    match = _AGE.match(text.strip())
    if not text.strip() or not match:
        raise MaterialError(f"{EDITION_FILE.name}: “{text}” is not an age such as “2h30m”.")
    days, hours, minutes = (int(part or 0) for part in match.groups())
    return timedelta(days=days, hours=hours, minutes=minutes)


def story_slug(headline: str) -> str:
    """A Persian story's address: its headline's words, folded as every slug is (Persian digits
    to ASCII, no zero-width non-joiner), so either keyboard's spelling reaches it."""
    return unicode_slug(headline, 100)


@cache
def material(path: Path = EDITION_FILE) -> dict:
    """The edition's material, checked: desks known, labels within the rules, slugs unique."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise MaterialError(f"{path.name}: {error}") from None
    follows = {desk["slug"]: desk["follows"] for desk in raw["desk"]}
    slugs = set()
    for number, story in enumerate([raw["translation"], *raw["story"]]):
        where = f"{path.name}, story {number}"
        if story["desk"] not in follows:
            raise MaterialError(f"{where}: no desk {story['desk']!r}")
        label = story.get("label")
        if label and (
            label not in RULES
            or not allowed(label, follows[story["desk"]], parse_age(story["age"]))
        ):
            raise MaterialError(f"{where}: the label {label!r} does not fit it (LABEL_RULES)")
        slug = story_slug(story["headline"])
        if slug in slugs:
            raise MaterialError(f"{where}: a second story at /{slug}/")
        slugs.add(slug)
    kinds = [policy["kind"] for policy in raw["policy"]]
    for kind in kinds:
        if kind not in PolicyPage.Kind.values or kind == PolicyPage.Kind.OTHER:
            raise MaterialError(f"{path.name}: no policy page kind {kind!r}")
    if len(set(kinds)) != len(kinds):
        raise MaterialError(f"{path.name}: a policy page kind twice (one of each kind)")
    return raw


@dataclass
class PersianEdition:
    edition: Edition
    desks: dict[str, Desk]
    translation: Story


def load_edition(
    *,
    now: datetime,
    labels: dict[str, Label],
    password_hash: str,
    password: str,
    logins: list[tuple[str, str, str]],
    current_images: dict,
) -> PersianEdition:
    """The Persian edition, its desks, staff and stories; logins are added to ``logins``."""
    raw = material()
    # DEMO_PERSIAN_HOST puts the edition on a host of its own (docs/editions.md); else /fa/.
    edition = _edition({**raw["edition"], "host": settings.DEMO_PERSIAN_HOST})
    desks = _desks(raw["desk"], edition, password_hash, password, logins)
    authors = {author.name: author for author in (desk.editor for desk in desks.values())}
    authors |= _writers(raw["writer"], desks, password_hash, password, logins)
    _bilingual(raw["bilingual"], desks, logins)
    # Staff whose profile is English sign Persian stories by their Persian name.
    authors |= _staff_names(raw["staff_name"])
    collective = _collective(raw["collective"])
    tags: dict[str, Tag] = {}

    def put(story: dict) -> Story:
        slug = story_slug(story["headline"])
        desk = desks[story["desk"]]
        image = None
        if spec := story.get("image"):
            spec = _picture_spec(spec)
            seed = f"fa-{desk.slug}-{slug}"
            image = rows.picture(spec, seed, current_images.get(slug))
        return rows.put_story(
            slug=slug,
            headline=story["headline"],
            dek=story["dek"],
            body=_body(slug, story),
            desk=desk,
            label=labels[story["label"]] if story.get("label") else None,
            authors=[authors[name] for name in story.get("byline", ())] or [collective],
            tags=[_tag(name, tags) for name in story.get("tags", ())],
            published_at=now - parse_age(story["age"]),
            dateline=story.get("dateline", ""),
            lead_image=image,
            top_rank=story.get("top_rank"),
            dateline_kind=story.get("dateline_kind", ""),
            language=LANGUAGE,
        )

    translation = put(raw["translation"])
    for story in raw["story"]:
        put(story)
    _policy_pages(raw["policy"], raw["policies"]["demo_note"], edition)
    return PersianEdition(edition=edition, desks=desks, translation=translation)


def load_corrections(now: datetime) -> None:
    """The edition's corrections and clarifications, published by each desk's editor through
    ``services.publish_correction`` (once: loading again finds them), timed by their ages."""
    for spec in material().get("correction", []):
        story = Story.objects.select_related("desk__editor__user").get(
            slug=story_slug(spec["headline"]), desk__edition__slug="fa"
        )
        correction = Correction.objects.filter(story=story, note=spec["note"]).first()
        if correction is None:
            services.publish_correction(story.desk.editor.user, story, spec["note"], spec["kind"])
            correction = Correction.objects.get(story=story, note=spec["note"])
        published_at = now - parse_age(spec["age"])
        Correction.objects.filter(pk=correction.pk).update(published_at=published_at)
        Story.objects.filter(pk=story.pk).update(updated_at=published_at)


def _body(slug: str, story: dict) -> str:
    """The paragraphs as HTML, with the story's figures (if any) after their paragraphs."""
    figures = story.get("figures", [])
    if not figures:
        return rows.paragraphs(story["body"])
    specs = [_picture_spec(figure["image"]) for figure in figures]
    shown = rows.body_pictures(slug, specs)
    placed = [(figure["after"], image) for figure, image in zip(figures, shown, strict=True)]
    return rows.with_figures(story["body"], placed)


def _policy_pages(specs: list[dict], demo_note: str, edition: Edition) -> None:
    """The edition's standards, found by edition and kind so loading twice keeps one of each."""
    for position, spec in enumerate(specs):
        PolicyPage.objects.update_or_create(
            edition=edition,
            kind=spec["kind"],
            defaults={
                "title": spec["title"],
                "slug": unicode_slug(spec["title"], 80),
                "summary": spec["summary"],
                "body": rows.paragraphs([*spec["body"], demo_note]),
                "is_published": True,
                "position": position,
            },
        )


def _edition(fields: dict) -> Edition:
    edition = Edition.objects.filter(slug=fields["slug"]).first() or Edition()
    for name, value in fields.items():
        setattr(edition, name, value)
    edition.full_clean()  # the edition rules (a free root, a known language and zone)
    edition.save()
    return edition


def _desks(
    specs: list[dict], edition: Edition, password_hash: str, password: str, logins: list
) -> dict[str, Desk]:
    desks = {}
    for position, spec in enumerate(specs):
        slug, name = spec["slug"], spec["name"]
        editor = rows.author(
            spec["editor"],
            job_title=spec["job_title"],
            email=f"{slug}@ifp.example",
            bio=f"{spec['editor']} دبیر سرویس {name} ایران فرانت پیج است و پاسخ‌گوی همهٔ "
            "گزارش‌هایی است که این سرویس منتشر می‌کند.",
            expertise=spec["expertise"],
            **PROFILE,
        )
        rows.illustrated(editor, Look(**spec["look"]), PORTRAIT_ALT.format(name=editor.name))
        desks[slug] = Desk.objects.update_or_create(
            slug=slug,
            defaults={
                "name": name,
                "edition": edition,
                "editor": editor,
                # After the English desks wherever all desks are listed together.
                "position": 10 + position,
                "email": f"{slug}@ifp.example",
                "phone": f"+98 21 0000 01{position + 1:02d}",
                "description": spec["description"],
            },
        )[0]
        username = f"editor.{slug}"
        user = rows.staff_user(username, password_hash, editor)
        rows.role(user, StaffRole.Role.DESK_EDITOR, desks[slug])
        logins.append((username, password, f"Persian edition: {name} desk editor"))
    return desks


def _writers(
    specs: list[dict], desks: dict[str, Desk], password_hash: str, password: str, logins: list
) -> dict[str, Author]:
    writers = {}
    for spec in specs:
        writer = rows.author(
            spec["name"],
            job_title=spec["job_title"],
            bio=spec["bio"],
            email=f"{spec['username'].split('.')[-1]}@ifp.example",
            expertise=spec["expertise"],
            **PROFILE,
        )
        rows.illustrated(writer, Look(**spec["look"]), PORTRAIT_ALT.format(name=writer.name))
        user = rows.staff_user(spec["username"], password_hash, writer)
        for slug in spec["desks"]:
            rows.role(user, StaffRole.Role.WRITER, desks[slug])
        where = " و ".join(desks[slug].name for slug in spec["desks"])
        logins.append(
            (spec["username"], password, f"{spec['job_title']}، {where} (Persian edition)")
        )
        writers[writer.name] = writer
    return writers


def _bilingual(specs: list[dict], desks: dict[str, Desk], logins: list) -> None:
    """English writers who also write for Persian desks: a writer's role on each."""
    for spec in specs:
        user = Author.objects.select_related("user").get(name=spec["name"]).user
        for slug in spec["desks"]:
            rows.role(user, StaffRole.Role.WRITER, desks[slug])
        also = " and ".join(desks[slug].name for slug in spec["desks"])
        for index, (username, password, what) in enumerate(logins):
            if username == user.username:
                logins[index] = (username, password, f"{what}; in Persian for {also}")


def _staff_names(specs: list[dict]) -> dict[str, Author]:
    """What the Persian edition shows of staff whose profile is English (``AuthorName``):
    name, job title, bio, expertise, languages, location; the authors by that name."""
    fields = ("name", "job_title", "bio", "expertise", "languages", "location")
    authors = {}
    for spec in specs:
        name = AuthorName(
            author=Author.objects.get(name=spec["profile"]),
            language=LANGUAGE,
            **{field: spec.get(field, "") for field in fields},
        )
        name.full_clean(validate_unique=False, validate_constraints=False)
        AuthorName.objects.update_or_create(
            author=name.author,
            language=LANGUAGE,
            defaults={field: getattr(name, field) for field in fields},
        )
        authors[name.name] = name.author
    return authors


def _collective(spec: dict) -> Author:
    staff = rows.author(
        spec["name"],
        kind=Author.Kind.COLLECTIVE,
        bio=spec["bio"],
        email=spec["email"],
        job_title="",
        expertise=spec["expertise"],
        **PROFILE,
    )
    rows.portrait(
        staff,
        spec["logo_alt"],
        "ایران فرانت پیج (نمایشی)",
        lambda: (_mark(), "png"),
    )
    return staff


@cache
def _mark() -> bytes:
    return pictures.logo_mark(MARK, language=LANGUAGE)


def _credit(spec: dict) -> str:
    return CREDITS.get(spec["kind"], CHART_CREDIT)


def _picture_spec(spec: dict) -> dict:
    """A Persian picture spec as rendered: the Persian credit, and drawn in Persian, right to
    left (``language``: every word and digit the graphic draws itself)."""
    return {**spec, "credit": _credit(spec), "language": LANGUAGE}


def _tag(name: str, tags: dict[str, Tag]) -> Tag:
    if name not in tags:
        tag, _ = Tag.objects.update_or_create(slug=unicode_slug(name), defaults={"name": name})
        tags[name] = tag
    return tags[name]

"""Input and output schemas of the API (pydantic, through django-ninja).

Input schemas list exactly the fields a client may set and forbid every
other (``extra="forbid"``): sending ``status``, ``published_at``,
``created_by`` or ``id`` is refused with 422 and changes nothing. Text is
refused if it holds NUL characters or lone surrogates, which databases
reject, and times must be within years 1900–9000 so that converting them
to UTC cannot overflow.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import AfterValidator, ConfigDict, Field, StringConstraints

from masthead.api.cursors import MAX_LENGTH as MAX_CURSOR_CHARS
from masthead.newsroom.sanitize import MAX_BODY_CHARS


def _storable_text(value: str) -> str:
    if "\x00" in value:
        raise ValueError("Text may not contain NUL characters.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("Text is not valid Unicode (lone surrogate).") from None
    return value


def _reasonable_time(value: datetime) -> datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    if not 1900 <= value.year <= 9000:
        raise ValueError("Give a time between the years 1900 and 9000.")
    return value.astimezone(UTC)


Text = Annotated[str, AfterValidator(_storable_text)]


def _storable_json(value: Any, depth: int = 0) -> Any:
    """Every string of a JSON value storable (no NUL, no lone surrogate), nesting shallow."""
    if depth > 4:
        raise ValueError("Nested too deep.")
    if isinstance(value, str):
        return _storable_text(value)
    if isinstance(value, dict):
        for key, item in value.items():
            _storable_text(key)
            _storable_json(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _storable_json(item, depth + 1)
    return value


Sources = Annotated[
    list[dict[str, Any]],
    Field(
        max_length=60,
        description=(
            "The story's sources (docs/sourcing.md): each an object with a `kind` and its "
            "fields. `approval` is read-only: what you send is ignored."
        ),
    ),
    AfterValidator(_storable_json),
]
MethodNote = Annotated[Text, StringConstraints(max_length=5000)]
DatelineKind = Literal["", "reported", "written"]
Slug = Annotated[str, StringConstraints(min_length=1, max_length=120, pattern=r"^[-\w]+$")]
Language = Annotated[
    str, StringConstraints(max_length=16, pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
]
Time = Annotated[datetime, AfterValidator(_reasonable_time)]
AuthorId = Annotated[int, Field(ge=1, le=2**62)]


class StrictInput(Schema):
    model_config = ConfigDict(extra="forbid")


# Public output ---------------------------------------------------------------


class ImageOut(Schema):
    url: str
    width: int
    height: int
    alt_text: str
    caption: str
    credit: str


class AuthorSummaryOut(Schema):
    id: int
    name: str
    slug: str
    kind: Literal["person", "collective"]
    url: str | None = Field(
        description="The author's page in the edition of what names them (a story's, a desk's, "
        "or the `language` asked for); null for a former author."
    )


class AuthorOut(AuthorSummaryOut):
    job_title: str
    bio: str = Field(description="Plain text; blank lines separate paragraphs.")
    email: str
    phone: str
    photo: ImageOut | None


class DeskSummaryOut(Schema):
    id: int
    name: str
    slug: str
    url: str


class DeskOut(DeskSummaryOut):
    edition: str = Field(
        description="The edition the desk writes for, by its slug (`en`, `fa`): a desk is one "
        "edition's."
    )
    language: str = Field(
        description="Its edition's language (`en`, `fa`): the language of its name and "
        "description and of its editor's name here."
    )
    description: str
    email: str
    phone: str
    editor: AuthorSummaryOut | None = Field(description="The editor responsible for the desk.")


class TagOut(Schema):
    id: int
    name: str
    slug: str
    url: str


class LabelOut(Schema):
    name: str = Field(
        description="As the kicker shows it in the story's language, e.g. “IFP Exclusive”."
    )
    slug: str
    kind: str = Field(description="Type of work: news, exclusive, analysis, opinion, …")


class BylineOut(Schema):
    author: AuthorSummaryOut
    role: str = Field(description="Optional: “Additional reporting”, “Photos” …")


class CorrectionOut(Schema):
    kind: Literal["correction", "clarification", "update", "reinstatement"]
    note: str
    published_at: datetime


class DevelopingOut(Schema):
    active: bool = Field(description="Under live coverage now (its updates form a timeline).")
    since: datetime = Field(description="When the story was marked developing.")
    until: datetime | None = Field(description="When live coverage ended; null while active.")


class ThreadOut(Schema):
    id: int
    title: str = Field(description="The running story the thread links (plain text).")


class StorySummaryOut(Schema):
    id: int
    api_url: str = Field(description="This story in the API; stable, built from the id.")
    pubstatus: Literal["usable"] = Field(description="`usable`: a live story.")
    url: str = Field(description="The story's page on the site.")
    slug: str
    headline: str
    dek: str
    label: LabelOut | None
    desk: DeskSummaryOut
    bylines: list[BylineOut] = Field(
        description="The authors in order, named in the story's language and linked to their "
        "pages in its edition."
    )
    tags: list[TagOut]
    dateline: str
    language: str = Field(description="The story's language (`en`, `fa`): that of its words.")
    lead_image: ImageOut | None
    published_at: datetime = Field(description="First publication.")
    updated_at: datetime = Field(description="Last public update (equals published_at if none).")
    developing: DevelopingOut | None = Field(
        description="Live coverage, if the story was ever marked developing; else null."
    )
    thread: ThreadOut | None = Field(
        description="The thread (running story) this story belongs to; else null."
    )


class StoryOut(StorySummaryOut):
    body: str = Field(description="Sanitised HTML.")
    seo_title: str
    seo_description: str
    corrections: list[CorrectionOut]
    sources: list[dict[str, Any]] = Field(
        description="The sources as readers see them (docs/sourcing.md): no staff-only field."
    )
    method_note: str = Field(description="How we reported this.")
    dateline_kind: str = Field(
        description="`reported` from the dateline, `written` from it, or ''."
    )


class CanceledStoryOut(Schema):
    """A story withdrawn after publication: take down every copy of it."""

    id: int
    api_url: str
    pubstatus: Literal["canceled"]
    withdrawn_at: datetime = Field(description="When the story was withdrawn.")


class StoryPageOut(Schema):
    items: list[StorySummaryOut | CanceledStoryOut] = Field(
        description="With `updated_since`, stories withdrawn since then come as canceled items."
    )
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )
    next_url: str | None


class ProblemOut(Schema):
    type: str
    title: str
    status: int
    detail: str
    instance: str
    errors: list[dict[str, Any]] | None = None


class ProblemTypeOut(Schema):
    type: str
    title: str
    status: int
    description: str


class ApiIndexOut(Schema):
    name: str
    version: str
    docs: str
    openapi: str
    links: dict[str, str]


# Public list query -------------------------------------------------------------


class StoryListQuery(Schema):
    q: Annotated[str, StringConstraints(max_length=1000)] | None = Field(
        None,
        description='Search: words all present, `"exact phrase"`, `-word` to leave out, '
        "`or` between two words; at most 200 characters. Results come most relevant first "
        "(headline over body, recent over old); not with `tag`, `language` or `updated_since`.",
    )
    desk: Slug | None = Field(None, description="Desk slug, e.g. `politics`.")
    author: Slug | None = Field(None, description="Author slug.")
    tag: Slug | None = Field(None, description="Tag slug.")
    label: Slug | None = Field(None, description="Label slug, e.g. `exclusive`.")
    language: Language | None = Field(None, description="Language code, e.g. `en`, `fa`.")
    updated_since: Time | None = Field(
        None, description="Only stories whose last public update is at or after this time."
    )
    cursor: Annotated[str, StringConstraints(max_length=MAX_CURSOR_CHARS)] | None = Field(
        None, description="`next_cursor` of the previous page, exactly as given."
    )
    limit: int = Field(20, ge=1, le=100, description="Stories per page, 1–100.")


class AuthorQuery(Schema):
    language: Language | None = Field(
        None,
        description="The language of one of the outlet's editions, e.g. `fa` (any case): "
        "each author's name, job title, bio and portrait alt text in it where they have them, "
        "else their profile's, and `url` their page in that edition. A language no edition is "
        "in is a 422 problem. Without it: the profile's words and the default edition's page.",
    )


class DeskListQuery(Schema):
    language: Language | None = Field(
        None,
        description="Only the desks of the editions in this language, e.g. `fa` (any case). "
        "A language no edition is in gives an empty list, as with stories.",
    )


class TagListQuery(Schema):
    cursor: Annotated[str, StringConstraints(max_length=MAX_CURSOR_CHARS)] | None = Field(
        None, description="`next_cursor` of the previous page, exactly as given."
    )
    limit: int = Field(100, ge=1, le=100, description="Tags per page, 1–100.")


class TagPageOut(Schema):
    items: list[TagOut]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )
    next_url: str | None


# Staff input -------------------------------------------------------------------


class StoryCreateIn(StrictInput):
    headline: Annotated[Text, StringConstraints(min_length=1, max_length=200)]
    desk: Slug = Field(description="Slug of a desk you write for.")
    dek: Annotated[Text, StringConstraints(max_length=400)] = ""
    body: Annotated[Text, StringConstraints(max_length=MAX_BODY_CHARS)] = Field(
        "", description="HTML; sanitised by the same allow-list as the back office."
    )
    label: Slug | None = Field(None, description="Label slug, or null.")
    dateline: Annotated[Text, StringConstraints(max_length=100)] = ""
    tags: list[Slug] = Field(default_factory=list, max_length=50, description="Tag slugs.")
    authors: list[AuthorId] = Field(
        default_factory=list,
        max_length=20,
        description="Author ids for the bylines, in order; default: your own author profile.",
    )
    language: Language | None = Field(None, description="Default: the outlet's language.")
    seo_title: Annotated[Text, StringConstraints(max_length=120)] = ""
    seo_description: Annotated[Text, StringConstraints(max_length=300)] = ""
    sources: Sources = Field(default_factory=list)
    method_note: MethodNote = Field("", description="How we reported this; shown to readers.")
    makes_allegation: bool = Field(
        False, description="The story accuses someone: the outlet's rules may ask for a response."
    )
    dateline_kind: DatelineKind = Field(
        "", description="`reported` from the dateline, or `written` from there."
    )
    note: Annotated[Text, StringConstraints(max_length=300)] = Field(
        "", description="Revision note, for the story's history."
    )


class StoryUpdateIn(StrictInput):
    """A full replacement of the editable content: send every field, as GET gave it."""

    base_revision: int | None = Field(
        None,
        description=(
            "The `latest_revision` your edit started from, for clients that cannot send "
            "`If-Match`; a newer one answers 409. Send one of the two: without either "
            "the answer is 428."
        ),
    )
    headline: Annotated[Text, StringConstraints(min_length=1, max_length=200)]
    desk: Slug
    dek: Annotated[Text, StringConstraints(max_length=400)]
    body: Annotated[Text, StringConstraints(max_length=MAX_BODY_CHARS)]
    label: Slug | None
    dateline: Annotated[Text, StringConstraints(max_length=100)]
    tags: list[Slug] = Field(max_length=50)
    authors: list[AuthorId] = Field(max_length=20)
    language: Language
    seo_title: Annotated[Text, StringConstraints(max_length=120)]
    seo_description: Annotated[Text, StringConstraints(max_length=300)]
    # Left out (null), these keep what the latest revision has: clients written
    # before sources existed do not wipe them.
    sources: Sources | None = None
    method_note: MethodNote | None = None
    makes_allegation: bool | None = None
    dateline_kind: DatelineKind | None = None
    note: Annotated[Text, StringConstraints(max_length=300)] = ""


class NoteIn(StrictInput):
    note: Annotated[Text, StringConstraints(max_length=500)] = ""


class RequiredNoteIn(StrictInput):
    note: Annotated[Text, StringConstraints(min_length=1, max_length=500)]


class ScheduleIn(StrictInput):
    when: Time = Field(description="When the story goes public; must be in the future.")
    embargo: bool = Field(
        False, description="Also close preview links until then (nothing is shown anywhere)."
    )
    note: Annotated[Text, StringConstraints(max_length=500)] = ""


class CorrectionIn(StrictInput):
    note: Annotated[Text, StringConstraints(min_length=1, max_length=2000)] = Field(
        description="Public: what was wrong and what is right now."
    )
    kind: Literal["correction", "clarification"] = "correction"


# Staff output ------------------------------------------------------------------


class StoryContentOut(Schema):
    """The editable content of the latest revision: PUT it back with your changes."""

    headline: str
    desk: str
    dek: str
    body: str
    label: str | None
    dateline: str
    tags: list[str]
    authors: list[int]
    language: str
    seo_title: str
    seo_description: str
    sources: list[dict[str, Any]] = Field(
        description="In full, with staff-only fields and each unnamed source's `approval`."
    )
    method_note: str
    makes_allegation: bool
    dateline_kind: str


class DeskStoryOut(Schema):
    id: int
    status: str = Field(
        description="draft, submitted, in_edit, ready, scheduled, published or withdrawn."
    )
    desk: DeskSummaryOut
    latest_revision: int | None = Field(description="Send as `base_revision` when you save.")
    published_revision: int | None
    content: StoryContentOut
    lead_image: ImageOut | None = Field(description="Read-only here; set in the back office.")
    published_at: datetime | None
    updated_at: datetime | None
    embargoed_until: datetime | None
    url: str | None = Field(description="The public page, while the story is live.")
    transitions: list[str] = Field(description="The workflow actions you may take now.")

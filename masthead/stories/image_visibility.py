"""Who may see an uploaded image: one rule for the media gate and the story form.

The question is always about a stored file: rows that share one (new words
for a published picture make a new row, see docs/back-office.md) share its
fate. A file is

- **public** while a public record shows it: the lead image of a live story
  (``Story.objects.live()``; the story row holds the published revision's),
  an image in the body of a live story's published revision (its
  ``media.ImageUse`` with ``in_published``, kept by the story services),
  the photo of an author (shown with every byline and on author pages), or
  an image of the outlet's own records (its logo, or any other image field
  the ``Outlet`` model has);
- **seen by staff** who may read (``permissions.can_read``) a story that has
  it as the lead image of any of its revisions, or in the body of its latest
  or published revision (its ``ImageUse`` rows; older revisions' bodies are
  not searched, which would read every revision's text): their desks'
  stories for editors, every desk's for chief editors, their own for writers.

Nobody else sees it, whoever learned its name (from a preview, a shared
draft, a log): the media gate answers 404 and the story form refuses the
image's id like one that does not exist. Images of a revision whose preview
link someone holds are the gate's business (``site/media.py``).
"""

from __future__ import annotations

from django.db.models import Q

from masthead.media.models import Image, ImageUse
from masthead.newsroom.models import Author, Outlet
from masthead.newsroom.roles import access_for
from masthead.stories import permissions
from masthead.stories.models import Revision, Story
from masthead.stories.versions import SITE

# Bound on the rows one look-up reads; a file is used by a handful of rows.
ROWS_READ = 200


def _outlet_images(ids: list[int]) -> Q:
    fields = [
        field.name
        for field in Outlet._meta.concrete_fields
        if field.is_relation and field.related_model is Image
    ]
    shown = Q(pk__in=[])
    for name in fields:
        shown |= Q(**{f"{name}_id__in": ids})
    return shown


def image_ids(file_name: str) -> list[int]:
    """The image rows that share the stored file ``file_name`` (the rules below take these)."""
    return list(Image.objects.filter(file=file_name).values_list("pk", flat=True)[:ROWS_READ])


def public_scopes(ids: list[int]) -> set[str]:
    """The content scopes of the public pages that show the file (its image rows ``ids``);
    empty if it is not public."""
    if not ids:
        return set()
    live = Story.objects.live().filter(lead_image_id__in=ids)
    scopes = {f"story:{pk}" for pk in live.values_list("pk", flat=True)[:ROWS_READ]}
    in_bodies = ImageUse.objects.filter(
        image_id__in=ids, role=ImageUse.Role.BODY, in_published=True
    ).values_list("story_id")
    live_bodies = Story.objects.live().filter(pk__in=in_bodies).values_list("pk", flat=True)
    scopes.update(f"story:{pk}" for pk in live_bodies[:ROWS_READ])
    authors = Author.objects.filter(photo_id__in=ids).values_list("pk", flat=True)
    scopes.update(f"author:{pk}" for pk in authors[:ROWS_READ])
    if Outlet.objects.filter(_outlet_images(ids)).exists():
        scopes.add(SITE)
    return scopes


def _library_staff_can_see(access, ids: list[int]) -> bool:
    """A library image no story uses yet: seen by its uploader, its desk's editors, chief editors.

    Once a story uses the file, the story's readers are who see it (below).
    """
    used = (
        Image.objects.filter(pk__in=ids, uses__isnull=False).exists()
        or Revision.objects.filter(lead_image_id__in=ids).exists()
        or Story.objects.filter(lead_image_id__in=ids).exists()
    )
    if used:
        return False
    if access.is_chief_editor:
        return True
    mine_or_my_desks = Q(uploaded_by_id=access.user_id) | Q(desk_id__in=access.editor_desks)
    return Image.objects.filter(pk__in=ids).filter(mine_or_my_desks).exists()


def staff_can_see(user, ids: list[int]) -> bool:
    """Whether ``user`` may read a story that shows the file (lead image or body
    figure), or may see it in the media library before any story uses it."""
    # Who asks is read first, whatever the file: reading the session adds
    # "Vary: Cookie", and a file that exists must answer like one that does not.
    access = access_for(user)
    if not access.has_content_role or not ids:
        return False
    if _library_staff_can_see(access, ids):
        return True
    in_revisions = Revision.objects.filter(lead_image_id__in=ids).values_list("story_id")
    on_stories = Story.objects.filter(lead_image_id__in=ids).values_list("pk")
    story_ids = {pk for (pk,) in in_revisions.distinct()[:ROWS_READ]}
    story_ids.update(pk for (pk,) in on_stories[:ROWS_READ])
    in_bodies = ImageUse.objects.filter(image_id__in=ids, role=ImageUse.Role.BODY)
    story_ids.update(pk for (pk,) in in_bodies.values_list("story_id")[:ROWS_READ])
    stories = Story.objects.filter(pk__in=story_ids).only("pk", "desk_id", "created_by_id")
    return any(permissions.can_read(user, story) for story in stories)


def can_see(user, image: Image) -> bool:
    """Whether ``user`` may see (and so choose) ``image``: public, or on a story they may read."""
    if not image.file.name:
        return False
    ids = image_ids(image.file.name)
    return bool(public_scopes(ids)) or staff_can_see(user, ids)

"""The media gate: every file under ``MEDIA_URL`` is served through the visibility rule.

With ``SERVE_MEDIA`` (the default) Masthead answers ``/media/…`` itself,
and only with the files of ``media.Image`` rows, looked up by name:

- a file that is public (``stories.image_visibility.public_scopes``: the lead
  image of a live story, an author's photo, the outlet's logo …) is served
  with the public caching headers of the site's pages
  (``Cache-Control: public, max-age=PUBLIC_CACHE_SECONDS …``), a
  ``Last-Modified`` for conditional requests, and a ``Surrogate-Key`` naming
  the stories that show it, so the CDN purge that follows a withdrawal
  (``site/purge.py``) takes the file down with the page;
- a file only unpublished stories carry is served to staff who may read one
  of them, and to holders of a valid preview link of a revision that shows
  it as its lead image or in its body (``?preview=<token>``, which the
  preview page adds to the image's address), with ``Cache-Control: private, no-store``;
- a rendition's file (``media/renditions.py``) goes with its image's file:
  served when, to whom and with the headers that file would be;
- anything else — such a file for anyone else, a file no image row names,
  a folder, a path that climbs out — answers exactly like a file that does
  not exist: the site's 404.

Files are read through Django's storage API, not the local disk, so the
gate works unchanged on S3-compatible storage kept private (see
docs/operations.md "Media"). Unguessable names alone would not do: a name
leaks with every preview, and the file of an embargoed story must stay shut
until its time even for someone who saw the preview.
"""

from __future__ import annotations

from django.core.exceptions import SuspiciousFileOperation
from django.http import FileResponse, Http404, HttpRequest, HttpResponseBase
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

from masthead.media import renditions
from masthead.media.models import Image
from masthead.media.uses import image_ids_in_body
from masthead.site.http import mark_private, patch_public_cache_control, surrogate_keys
from masthead.stories import image_visibility
from masthead.stories.preview import PreviewUnavailable, revision_for_token


def serve_media(request: HttpRequest, path: str) -> HttpResponseBase:
    if not _is_plain_name(path):
        raise Http404("No such file.")
    # A rendition (a size of the picture) has exactly the fate of its image's file.
    source = renditions.source_file_name(path)
    images = image_visibility.image_ids(source)
    scopes = image_visibility.public_scopes(images)
    if scopes:
        response = _file_response(request, path)
        patch_public_cache_control(response)
        return surrogate_keys(response, *sorted(scopes))
    if image_visibility.staff_can_see(request.user, images) or _previews_it(request, source):
        response = _file_response(request, path, conditional=False)
        mark_private(response)
        return response
    raise Http404("No such file.")


def _is_plain_name(path: str) -> bool:
    """A relative name of plain parts, as ``image_path`` makes them: no folder, no climbing."""
    parts = path.split("/")
    return (
        bool(path)
        and "\\" not in path
        and "\0" not in path
        and "" not in parts
        and (not {".", ".."} & set(parts))
    )


def _previews_it(request: HttpRequest, path: str) -> bool:
    token = request.GET.get("preview")
    if not token:
        return False
    try:
        revision = revision_for_token(token)
    except PreviewUnavailable:
        return False
    if revision.lead_image is not None and revision.lead_image.file.name == path:
        return True
    in_body = image_ids_in_body(revision.body)
    return bool(in_body) and Image.objects.filter(pk__in=in_body, file=path).exists()


def _file_response(request: HttpRequest, name: str, conditional: bool = True):
    storage = Image._meta.get_field("file").storage
    try:
        modified = int(storage.get_modified_time(name).timestamp())
        if conditional:
            not_modified = get_conditional_response(request, last_modified=modified)
            if not_modified is not None:
                return not_modified
        content_type = renditions.content_type_for(name)
        response = FileResponse(storage.open(name, "rb"), content_type=content_type)
    except (FileNotFoundError, IsADirectoryError, SuspiciousFileOperation):
        raise Http404("No such file.") from None
    response["Last-Modified"] = http_date(modified)
    return response

"""The image picker the body editor opens: library images the writer may use, as JSON.

``GET /desk/media/picker/?q=words`` answers the newest images whose caption,
alt text or credit holds the words, among the images the library shows the
person asking (``media_views.library_images``, the queryset form of
``stories.image_visibility``; the story form still checks each figure's
image with ``can_see``), each with what the editor needs to write a figure
(``media/figures.py``). A small list for the dialog, not the library: that
page has its own search and filters.
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_safe

from masthead.backoffice.access import staff_member_required
from masthead.backoffice.media_views import library_images, with_words
from masthead.media.models import Image
from masthead.newsroom.text import clean_line

# Images answered at most, and rows looked at to find them (each is checked).
PAGE_SIZE = 24
QUERY_MAX = 100


def image_json(image: Image) -> dict:
    return {
        "id": image.pk,
        "src": image.file.url,
        "alt": image.shown_alt,
        "decorative": image.decorative,
        "caption": image.caption,
        "credit": image.credit,
        "width": image.width,
        "height": image.height,
    }


@staff_member_required
@require_safe
def picker(request: HttpRequest) -> JsonResponse:
    words = clean_line(request.GET.get("q", ""))[:QUERY_MAX]
    # The library's own rule as one query, not a visibility check per row scanned.
    images = library_images(request.access).exclude(file="").order_by("-uploaded_at", "-pk")
    images = with_words(images, words)
    found = [image_json(image) for image in images[:PAGE_SIZE]]
    response = JsonResponse({"query": words, "images": found})
    response["Cache-Control"] = "private, no-store"
    return response

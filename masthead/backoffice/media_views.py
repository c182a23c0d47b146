"""The media library in the back office: the list, uploading, an image's page.

Thin views over ``masthead.media.services`` (``upload_image``,
``update_image``, ``set_focal_point``), which check permissions, audit and
keep a refused file from being stored. Which images a person finds here is
the queryset form of ``stories.image_visibility`` (``library_images``):
chief editors every image; others the images no story uses yet that they
uploaded or that belong to a desk they edit, the images of stories they may
read, and the images readers see on live stories.

Uploading works without script: one multi-file form, one request, a message
per file. With script (``backoffice/media_upload.js``) each file goes in a
request of its own with a progress bar, and the answer is JSON.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from masthead.backoffice.access import staff_member_required
from masthead.backoffice.media_forms import (
    FocalPointForm,
    ImageWordsForm,
    LibraryFilterForm,
    LibraryUploadForm,
)
from masthead.backoffice.selectors import readable_stories
from masthead.media import services
from masthead.media.models import Image, ImageUse
from masthead.newsroom.roles import StaffAccess
from masthead.newsroom.text import clean_line
from masthead.stories import permissions
from masthead.stories.models import Revision, Story

LIBRARY_PAGE = 24
CROPS = [
    ("16x9", gettext_lazy("16:9 cards")),
    ("1x1", gettext_lazy("1:1 thumbnails")),
    ("191x100", gettext_lazy("1.91:1 share images")),
]
# How the page names each use of a picture, in the staff member's language.
ROLE_WORDS = {
    ImageUse.Role.LEAD: gettext_lazy("Lead image"),
    ImageUse.Role.BODY: gettext_lazy("In the body"),
}


def library_images(access: StaffAccess) -> QuerySet[Image]:
    """The images ``access`` finds in the library (see the module docstring)."""
    if access.is_chief_editor:
        return Image.objects.all()
    if not access.has_content_role:
        return Image.objects.none()
    unused = (
        ~Exists(ImageUse.objects.filter(image=OuterRef("pk")))
        & ~Exists(Revision.objects.filter(lead_image=OuterRef("pk")))
        & ~Exists(Story.objects.filter(lead_image=OuterRef("pk")))
    )
    library = unused & (Q(uploaded_by_id=access.user_id) | Q(desk_id__in=access.editor_desks))
    readable = readable_stories(access).values("pk")
    in_readable = Exists(ImageUse.objects.filter(image=OuterRef("pk"), story__in=readable))
    lead_readable = Exists(Revision.objects.filter(lead_image=OuterRef("pk"), story__in=readable))
    live = Story.objects.live().values("pk")
    public = Exists(
        ImageUse.objects.filter(image=OuterRef("pk"), in_published=True, story__in=live)
    ) | Exists(Story.objects.live().filter(lead_image=OuterRef("pk")))
    return Image.objects.filter(library | in_readable | lead_readable | public)


def _with_use_counts(images: QuerySet[Image]) -> QuerySet[Image]:
    """Each image's number of stories: a subquery per row shown, not a join over the library."""
    stories = (
        ImageUse.objects.filter(image=OuterRef("pk"))
        .filter(Q(in_working=True) | Q(in_published=True))
        .order_by()
        .values("image")
        .annotate(count=Count("story", distinct=True))
        .values("count")
    )
    return images.annotate(story_count=Coalesce(Subquery(stories), 0))


def with_words(images: QuerySet[Image], words: str) -> QuerySet[Image]:
    """The images with every word of ``words`` in their caption, alt text, credit,
    copyright or source (the library's search box and the editor's picker)."""
    for word in words.split():
        anywhere = Q()
        for name in services.SEARCHED_FIELDS:
            anywhere |= Q(**{f"{name}__icontains": word})
        images = images.filter(anywhere)
    return images


def _filtered(images: QuerySet[Image], form: LibraryFilterForm) -> QuerySet[Image]:
    if not (form.is_bound and form.is_valid()):
        return images
    data = form.cleaned_data
    images = with_words(images, clean_line(data["q"]))
    if credit := clean_line(data["credit"]):
        images = images.filter(credit__icontains=credit)
    if data["desk"]:
        images = images.filter(desk=data["desk"])
    if data["uploader"]:
        images = images.filter(uploaded_by=data["uploader"])
    zone = timezone.get_current_timezone()
    if data["uploaded_from"]:
        images = images.filter(
            uploaded_at__gte=datetime.combine(data["uploaded_from"], time.min, tzinfo=zone)
        )
    if data["uploaded_to"] and data["uploaded_to"] < date.max:  # the last day has no next
        end = datetime.combine(data["uploaded_to"] + timedelta(days=1), time.min, tzinfo=zone)
        images = images.filter(uploaded_at__lt=end)
    return images


def focal_classes(image: Image) -> str:
    """The CSS classes that carry the focal point (``backoffice/media.css``: no inline styles)."""
    return f"fx-{round(image.focal_x * 100)} fy-{round(image.focal_y * 100)}"


def _page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")
    if not raw.isdigit() or not 1 <= int(raw) <= 10_000:
        raise Http404("No such page.")
    return int(raw)


@staff_member_required
@require_safe
def library(request: HttpRequest) -> HttpResponse:
    form = LibraryFilterForm(request.GET or None)
    page = _page_number(request)
    images = _filtered(library_images(request.access), form)
    start = (page - 1) * LIBRARY_PAGE
    rows = list(
        _with_use_counts(images)
        .select_related("uploaded_by", "desk")
        .prefetch_related("renditions")  # the thumbnails' srcset: one query for the page
        .order_by("-uploaded_at", "-pk")[start : start + LIBRARY_PAGE + 1]
    )
    for image in rows:
        image.focal_classes = focal_classes(image)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "images": rows[:LIBRARY_PAGE],
        "page": page,
        "has_more": len(rows) > LIBRARY_PAGE,
        "filter_query": query.urlencode(),
        "upload_form": LibraryUploadForm(access=request.access),
        "can_upload": services.can_upload(request.user),
        "quota": services.quota_for(request.user),
    }
    return render(request, "backoffice/media_library.html", context)


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _file_label(upload) -> str:
    return clean_line(getattr(upload, "name", "") or "")[:120] or "The file"


@staff_member_required
@require_POST
def upload(request: HttpRequest) -> HttpResponse:
    """One or more files; JSON for one file sent by script, else messages and the library."""
    form = LibraryUploadForm(request.POST, access=request.access)
    files = request.FILES.getlist("files")
    as_json = _wants_json(request)
    if not form.is_valid():
        error = "Choose a desk you write for, or none."
        if as_json:
            return JsonResponse({"error": error}, status=400)
        messages.error(request, error)
        return redirect("backoffice:media")
    if not files:
        error = "Choose one or more image files to upload."
        if as_json:
            return JsonResponse({"error": error}, status=400)
        messages.error(request, error)
        return redirect("backoffice:media")
    stored, refused = [], []
    for upload_file in files:
        label = _file_label(upload_file)
        try:
            image = services.upload_image(request.user, upload_file, desk=form.cleaned_data["desk"])
        except PermissionDenied as error:
            if as_json:
                return JsonResponse({"error": str(error)}, status=403)
            raise
        except ValidationError as error:
            refused.append((label, " ".join(error.messages)))
        else:
            stored.append((label, image))
    if as_json:
        if refused:
            return JsonResponse({"name": refused[0][0], "error": refused[0][1]}, status=400)
        label, image = stored[0]
        return JsonResponse(
            {
                "name": label,
                "id": image.pk,
                "url": reverse("backoffice:media_image", args=[image.pk]),
                "caption": image.caption,
                "credit": image.credit,
            },
            status=201,
        )
    for label, reason in refused:
        messages.error(
            request,
            gettext("%(label)s: not stored. %(reason)s") % {"label": label, "reason": reason},
        )
    if stored:
        names = ", ".join(label for label, _ in stored)
        messages.success(
            request,
            gettext("Stored %(count)s image(s): %(names)s.")
            % {"count": len(stored), "names": names},
        )
    return redirect("backoffice:media")


def _visible_image(request: HttpRequest, image_id: int) -> Image:
    image = (
        library_images(request.access)
        .select_related("uploaded_by", "desk")
        .filter(pk=image_id)
        .first()
    )
    if image is None:
        raise Http404("No such image.")
    return image


def _uses(request: HttpRequest, image: Image) -> dict:
    uses = (
        ImageUse.objects.filter(image=image)
        .filter(Q(in_working=True) | Q(in_published=True))
        .select_related("story")
        .order_by("-story__modified_at", "story_id", "role")
    )
    stories: dict[int, dict] = {}
    for use in uses:
        entry = stories.setdefault(
            use.story_id, {"story": use.story, "roles": [], "published": False}
        )
        entry["roles"].append(str(ROLE_WORDS.get(use.role, use.get_role_display())))
        entry["published"] = entry["published"] or use.in_published
    readable = [e for e in stories.values() if permissions.can_read(request.user, e["story"])]
    return {
        "uses": readable,
        "use_count": len(stories),
        "hidden_uses": len(stories) - len(readable),
    }


def _image_page(request, image: Image, words=None, focal=None, status=200) -> HttpResponse:
    can_change = services.can_change(request.user, image)
    context = {
        "image": image,
        "can_change": can_change,
        "words_form": words or ImageWordsForm(instance=image),
        "focal_form": focal
        or FocalPointForm(initial={"focal_x": image.focal_x, "focal_y": image.focal_y}),
        "focal_classes": focal_classes(image),
        "crops": CROPS,
        **_uses(request, image),
    }
    return render(request, "backoffice/media_image.html", context, status=status)


@staff_member_required
def image_page(request: HttpRequest, image_id: int) -> HttpResponse:
    """An image's page; POST changes its words."""
    image = _visible_image(request, image_id)
    if request.method != "POST":
        return _image_page(request, image)
    words = ImageWordsForm(request.POST, instance=image)
    if words.is_valid():
        try:
            services.update_image(request.user, image, **words.cleaned_data)
        except ValidationError as error:
            for name, errors in error.message_dict.items():
                words.add_error(name if name in words.fields else None, errors)
        else:
            messages.success(request, gettext_lazy("Saved."))
            return redirect("backoffice:media_image", image_id=image.pk)
    return _image_page(request, image, words=words, status=400)


@staff_member_required
@require_POST
def focal_point(request: HttpRequest, image_id: int) -> HttpResponse:
    image = _visible_image(request, image_id)
    form = FocalPointForm(request.POST)
    as_json = _wants_json(request)
    if form.is_valid():
        data = form.cleaned_data
        try:
            image = services.set_focal_point(request.user, image, data["focal_x"], data["focal_y"])
        except ValidationError as error:
            for name, errors in error.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            if as_json:
                return JsonResponse({"focal_x": image.focal_x, "focal_y": image.focal_y})
            messages.success(request, gettext_lazy("Focal point saved: every crop keeps it."))
            return redirect("backoffice:media_image", image_id=image.pk)
    if as_json:
        return JsonResponse(
            {"error": " ".join(e for es in form.errors.values() for e in es)}, status=400
        )
    return _image_page(request, image, focal=form, status=400)

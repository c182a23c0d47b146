"""The outlet's tags for its editors: the list, renaming and merging.

Thin views over ``masthead.stories.services`` (``rename_tag``, ``merge_tags``),
which check that the actor is a desk or chief editor, keep every old address
answering 301, record the change in the audit trail and bump what readers
see. Writers add tags while writing (the story form's "New tags").
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST, require_safe

from masthead.backoffice.access import staff_member_required
from masthead.backoffice.forms import TagMergeForm, TagRenameForm
from masthead.stories import services
from masthead.stories.models import Tag


@staff_member_required
@require_safe
def tag_list(request: HttpRequest) -> HttpResponse:
    services.check_manages_tags(request.user)
    tags = Tag.objects.annotate(story_count=Count("stories")).order_by("name")
    return render(request, "backoffice/tag_list.html", {"tags": tags})


def _tag_page(request, tag: Tag, rename: TagRenameForm, merge: TagMergeForm, status=200):
    context = {
        "tag": tag,
        "story_count": tag.stories.count(),
        "old_slugs": list(tag.old_slugs.order_by("slug")),
        "rename_form": rename,
        "merge_form": merge,
    }
    return render(request, "backoffice/tag_form.html", context, status=status)


@staff_member_required
def tag_edit(request: HttpRequest, tag_id: int) -> HttpResponse:
    """The tag's page; POST renames it."""
    services.check_manages_tags(request.user)
    tag = get_object_or_404(Tag, pk=tag_id)
    merge = TagMergeForm(tag=tag)
    if request.method != "POST":
        return _tag_page(request, tag, TagRenameForm(initial={"name": tag.name}), merge)
    rename = TagRenameForm(request.POST)
    if rename.is_valid():
        old_name = tag.name
        try:
            tag = services.rename_tag(request.user, tag, rename.cleaned_data["name"])
        except ValidationError as error:
            rename.add_error("name", error.messages)
        else:
            messages.success(
                request, f"“{old_name}” is now “{tag.name}”; its old address redirects."
            )
            return redirect("backoffice:tag", tag_id=tag.pk)
    return _tag_page(request, tag, rename, merge, status=400)


@staff_member_required
@require_POST
def tag_merge(request: HttpRequest, tag_id: int) -> HttpResponse:
    services.check_manages_tags(request.user)
    tag = get_object_or_404(Tag, pk=tag_id)
    merge = TagMergeForm(request.POST, tag=tag)
    if merge.is_valid():
        target = merge.cleaned_data["into"]
        try:
            services.merge_tags(request.user, tag, target)
        except ValidationError as error:
            merge.add_error(None, error.messages)
        else:
            messages.success(
                request,
                f"“{tag.name}” is merged into “{target.name}”; its address redirects there.",
            )
            return redirect("backoffice:tag", tag_id=target.pk)
    return _tag_page(request, tag, TagRenameForm(initial={"name": tag.name}), merge, status=400)

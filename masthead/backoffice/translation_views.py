"""The back office's controls for translations. Thin: parse, call
``masthead.stories.translations``, say what happened.

The panel on the story page (``backoffice/_translations_panel.html``, filled by
``templatetags/translation_tags.py``) posts here. "Translate" makes a new
draft on a desk of another edition, linked to this story, and opens it: the
editor shows the other versions' text beside the fields. Refusals
(``PermissionDenied``) answer 403 like the other story actions; invalid input
(a forged desk, an unknown story number, a second version in one edition)
comes back as a message, nothing changed.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_POST

from masthead.backoffice.access import staff_member_required, story_or_404
from masthead.newsroom.models import Desk
from masthead.stories import translations
from masthead.stories.models import Story
from masthead.stories.translations import TranslationError


class TranslateForm(forms.Form):
    desk = forms.ModelChoiceField(
        Desk.objects.all(),
        error_messages={
            "invalid_choice": gettext_lazy("Choose a desk from the list."),
            "required": gettext_lazy("Choose a desk from the list."),
        },
    )


class LinkForm(forms.Form):
    other = forms.IntegerField(
        min_value=1,
        error_messages={
            "invalid": gettext_lazy(
                "Give the other story's number (it is in its address: /desk/stories/42/)."
            ),
            "min_value": gettext_lazy("Give the other story's number."),
            "required": gettext_lazy("Give the other story's number."),
        },
    )


def _story(request: HttpRequest, story_id: int) -> Story:
    return story_or_404(request, story_id, Story.objects.select_related("desk__edition"))


def _errors(form: forms.Form) -> str:
    return " ".join(message for errors in form.errors.values() for message in errors)


@staff_member_required
@require_POST
def translate(request: HttpRequest, story_id: int) -> HttpResponse:
    story = _story(request, story_id)
    form = TranslateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _errors(form))
        return redirect("backoffice:story", story_id=story.pk)
    desk = form.cleaned_data["desk"]
    try:
        draft = translations.start_translation(request.user, story, desk)
    except TranslationError as error:
        messages.error(request, str(error))
        return redirect("backoffice:story", story_id=story.pk)
    messages.success(
        request,
        gettext(
            "A draft translation on the %(desk)s desk (%(edition)s): "
            "write it with the original beside it."
        )
        % {"desk": desk.name, "edition": desk.edition.name},
    )
    return redirect("backoffice:story", story_id=draft.pk)


@staff_member_required
@require_POST
def link(request: HttpRequest, story_id: int) -> HttpResponse:
    story = _story(request, story_id)
    form = LinkForm(request.POST)
    if not form.is_valid():
        messages.error(request, _errors(form))
        return redirect("backoffice:story", story_id=story.pk)
    other = Story.objects.filter(pk=form.cleaned_data["other"]).first()
    if other is None or not translations.may_see(request.user, other):
        # One answer for a story that does not exist and one the user may not open.
        messages.error(request, gettext("There is no story with that number that you may open."))
        return redirect("backoffice:story", story_id=story.pk)
    try:
        translations.link(story, other, actor=request.user)
    except (TranslationError, PermissionDenied) as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            gettext("Linked with “%(headline)s” as a translation.") % {"headline": other.headline},
        )
    return redirect("backoffice:story", story_id=story.pk)


@staff_member_required
@require_POST
def unlink(request: HttpRequest, story_id: int) -> HttpResponse:
    story = _story(request, story_id)
    translations.unlink(story, actor=request.user)
    messages.success(request, gettext("The story is no longer linked to its translations."))
    return redirect("backoffice:story", story_id=story.pk)

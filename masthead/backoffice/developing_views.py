"""The back office's controls for developing stories and threads. Thin: parse, call
``masthead.stories.developing``, say what happened.

The panel on the story page (``backoffice/_developing_panel.html``, filled
by ``templatetags/developing_tags.py``) posts here; every answer goes back
to the story page with a message. Refusals (``PermissionDenied``) answer 403
like the other story actions; invalid input (a forged or vanished thread, an
unusable title) comes back as a message, nothing changed.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_POST

from masthead.backoffice.access import staff_member_required, story_or_404
from masthead.stories import developing
from masthead.stories.models import Story, StoryThread


class DevelopingForm(forms.Form):
    action = forms.ChoiceField(choices=[("start", "Start"), ("end", "End")])


class ThreadForm(forms.Form):
    """Choose a thread (empty: none), or start a new one by its title."""

    thread = forms.ModelChoiceField(StoryThread.objects.all(), required=False)
    new_title = forms.CharField(max_length=developing.THREAD_TITLE_MAX, required=False)

    def clean(self):
        data = super().clean()
        if data.get("thread") and data.get("new_title"):
            raise ValidationError(gettext_lazy("Choose a thread or start a new one, not both."))
        return data


def _story(request: HttpRequest, story_id: int) -> Story:
    return story_or_404(request, story_id, Story.objects.select_related("desk", "thread"))


def _form_errors(form: forms.Form) -> str:
    return " ".join(message for errors in form.errors.values() for message in errors)


@staff_member_required
@require_POST
def set_developing(request: HttpRequest, story_id: int) -> HttpResponse:
    story = _story(request, story_id)
    form = DevelopingForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext_lazy("Choose to start or to end live coverage."))
        return redirect("backoffice:story", story_id=story.pk)
    try:
        if form.cleaned_data["action"] == "start":
            developing.start_developing(request.user, story)
            messages.success(
                request,
                gettext_lazy("The story is marked developing: its updates form a timeline."),
            )
        else:
            developing.end_developing(request.user, story)
            messages.success(
                request, gettext_lazy("Live coverage ended: the story is a plain article again.")
            )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("backoffice:story", story_id=story.pk)


@staff_member_required
@require_POST
def set_thread(request: HttpRequest, story_id: int) -> HttpResponse:
    story = _story(request, story_id)
    form = ThreadForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form) or "Choose a thread from the list.")
        return redirect("backoffice:story", story_id=story.pk)
    developing.check_runs_coverage(request.user, story)
    thread, title = form.cleaned_data["thread"], form.cleaned_data["new_title"]
    try:
        with transaction.atomic():  # a new thread is kept only with its first story
            if title:
                thread = developing.create_thread(request.user, title)
            developing.set_thread(request.user, story, thread)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if thread is None:
            messages.success(request, gettext_lazy("The story is in no thread now."))
        else:
            messages.success(
                request,
                gettext("The story is in the thread “%(title)s”.") % {"title": thread.title},
            )
    return redirect("backoffice:story", story_id=story.pk)

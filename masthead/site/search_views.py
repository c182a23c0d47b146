"""The readers' search page, ``/search/`` (docs/search.md). Thin: read the form, ask
``search.engine.search_stories`` with the public gate, render.

Never stored by the page cache or a CDN (``Cache-Control: private, no-store``):
every query is its own address, so a cache would only fill up with them, and
results follow publishing to the second. ``noindex`` keeps result pages out
of search engines. A query the engine cannot run (empty, too long, only
operators, a foreign cursor) gets the form again with the reason and a 400.
"""

from __future__ import annotations

from django import forms
from django.db.models import Exists, OuterRef
from django.shortcuts import render
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from masthead.newsroom.models import Author, Desk
from masthead.search.engine import InvalidQuery, search_stories
from masthead.search.query import MAX_QUERY_CHARS
from masthead.site.editions import edition_of
from masthead.site.http import mark_private
from masthead.site.query import query_parameters
from masthead.stories.models import Label, Story

PER_PAGE = 20
PARAMETERS = ("q", "desk", "author", "label", "from", "to", "after")


class SearchForm(forms.Form):
    q = forms.CharField(required=False, strip=True, label=_("Search for"))
    desk = forms.ModelChoiceField(
        Desk.objects.all(), required=False, to_field_name="slug", empty_label=_("All desks")
    )
    author = forms.ModelChoiceField(
        Author.objects.filter(is_active=True), required=False, to_field_name="slug",
        empty_label=_("Any author"),
    )  # fmt: skip
    label = forms.ModelChoiceField(
        Label.objects.none(), required=False, to_field_name="slug", empty_label=_("Any kind")
    )
    since = forms.DateField(
        required=False,
        label=pgettext_lazy("date range", "From"),
        widget=forms.DateInput({"type": "date"}),
    )
    until = forms.DateField(
        required=False,
        label=pgettext_lazy("date range", "To"),
        widget=forms.DateInput({"type": "date"}),
    )
    after = forms.CharField(required=False, max_length=400, widget=forms.HiddenInput)

    def __init__(self, data, edition=None, **kwargs):
        # The address says from/to; the form's fields cannot be named after keywords.
        data = data.copy()
        for address, name in (("from", "since"), ("to", "until")):
            if address in data:
                data[name] = data.pop(address)[-1]
        super().__init__(data, **kwargs)
        # Only the kinds of work readers can see, as of this request: a label made for
        # an unpublished story is neither offered nor accepted (like an unknown label).
        self.fields["label"].queryset = Label.objects.public()
        if edition is not None:
            # A reader searches their edition: its desks are the ones to pick from.
            self.fields["desk"].queryset = Desk.objects.filter(edition_id=edition.pk)
            # and its bylines, and the kinds of work named in its language.
            # EXISTS, a probe of each writer's bylines (not a list of every live story's).
            bylined = Story.objects.live().in_edition(edition.pk).filter(authors=OuterRef("pk"))
            self.fields["author"].queryset = Author.objects.filter(Exists(bylined), is_active=True)
            self.fields["label"].label_from_instance = lambda label: label.name_in(edition.language)
            self.fields["author"].label_from_instance = lambda author: (
                author.in_language(edition.language).name
            )
        self.fields["q"].widget.attrs.update(
            {"type": "search", "maxlength": MAX_QUERY_CHARS, "dir": "auto", "autocomplete": "off"}
        )


@query_parameters(*PARAMETERS)
@require_safe
def search(request):
    edition = edition_of(request)
    form = SearchForm(request.GET, edition=edition)
    context = {"form": form, "page": None, "message": ""}
    status = 200
    if not form.is_valid():
        context["message"] = gettext("Some of the filters are not ones this site has; check them.")
        status = 400
    elif "q" in request.GET:
        values = form.cleaned_data
        try:
            context["page"] = search_stories(
                values["q"],
                desk=values["desk"],
                author=values["author"],
                label=values["label"],
                since=values["since"],
                until=values["until"],
                cursor=values["after"] or None,
                limit=PER_PAGE,
                edition=edition,
            )
        except InvalidQuery as error:
            context["message"] = str(error)
            status = 400
        else:
            context["next_url"] = _next_url(request, context["page"].next_cursor)
    response = render(request, "site/search.html", context, status=status)
    mark_private(response)
    response["X-Robots-Tag"] = "noindex"
    return response


def _next_url(request, cursor: str | None) -> str:
    if not cursor:
        return ""
    query = request.GET.copy()
    query["after"] = cursor
    return f"{request.path}?{query.urlencode()}"

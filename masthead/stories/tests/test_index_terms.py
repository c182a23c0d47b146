"""Query terms written for the indexes (masthead/stories/index_terms.py)."""

from __future__ import annotations

import pytest
from django.db.models import F

from masthead.factories import make_story
from masthead.stories.index_terms import Constants
from masthead.stories.models import Story

pytestmark = pytest.mark.django_db


def test_the_gate_writes_the_public_statuses_as_the_public_indexes_condition_does():
    sql, params = Story.objects.live().query.sql_with_params()

    assert "\"status\" IN ('published', 'scheduled')" in sql
    assert "published" not in params
    assert "scheduled" not in params


@pytest.mark.parametrize(
    "values",
    [[], ["published", "x') OR 1=1 --"], ["Published"], ["draft;"], ["a" * 33], [""]],
)
def test_only_lower_case_words_are_written_into_the_sql(values):
    with pytest.raises(ValueError, match="lower-case words only"):
        Constants(F("status"), values)


def test_the_written_values_select_as_bound_ones_do():
    shown = make_story(status=Story.Status.PUBLISHED)
    make_story(status=Story.Status.DRAFT)

    written = Story.objects.filter(Constants(F("status"), ["published", "withdrawn"]))

    assert list(written) == [shown]
    assert list(written) == list(Story.objects.filter(status__in=["published", "withdrawn"]))

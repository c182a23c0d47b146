from __future__ import annotations

from dataclasses import replace

import pytest

from masthead.backoffice.merge import merge, same_content
from masthead.factories import make_desk, make_tag
from masthead.stories.services import Content

pytestmark = pytest.mark.django_db


@pytest.fixture
def base():
    return Content(headline="Base", desk=make_desk("Politics"), dek="Dek", body="<p>Body</p>")


def test_changes_on_different_fields_merge_without_conflict(base):
    mine = replace(base, headline="Mine")
    theirs = replace(base, dek="Their dek", tags=[make_tag("Iran")])
    result = merge(base, mine, theirs)
    assert result.conflicts == []
    assert (result.merged.headline, result.merged.dek) == ("Mine", "Their dek")
    assert [tag.name for tag in result.merged.tags] == ["Iran"]
    assert set(result.theirs) == {"dek", "tags"} and result.mine == ["headline"]


def test_both_changing_a_field_keeps_mine_and_reports_a_conflict(base):
    result = merge(base, replace(base, body="<p>Mine</p>"), replace(base, body="<p>Theirs</p>"))
    assert result.conflicts == ["body"]
    assert result.merged.body == "<p>Mine</p>"


def test_without_a_base_every_difference_is_a_conflict(base):
    result = merge(None, replace(base, headline="Mine"), base)
    assert result.conflicts == ["headline"]


def test_same_content_compares_what_would_be_stored(base):
    assert same_content(base, replace(base, headline="  Base ", body="<p>Body</p>"))
    assert not same_content(base, replace(base, headline="Other"))

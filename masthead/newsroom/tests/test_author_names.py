"""An author's words in another edition's language (``newsroom/author_names.py``,
``AuthorName``): cleaned and bounded as the profile's own, falling back to them field by
field."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from masthead.factories import make_author, make_edition
from masthead.newsroom.author_names import set_names
from masthead.newsroom.models import AuthorName

pytestmark = pytest.mark.django_db


@pytest.fixture
def kaveh():
    make_edition("fa")
    return make_author(
        "Kaveh Nouri",
        expertise="Water and drought",
        languages="Persian, English",
        location="Isfahan",
        other_work="https://water-atlas.example/kaveh",
    )


def persian(kaveh, **fields) -> AuthorName:
    return AuthorName(author=kaveh, language="fa", name="کاوه نوری", **fields)


def test_the_words_are_cleaned_as_the_profiles(kaveh):
    name = persian(
        kaveh,
        expertise=" آب و خشکسالی \n\n\u202eحمل‌ونقل شهری\x00\n",
        languages="فارسی ،انگلیسی،  عربی",
        location="  اصفهان\u202c ",
        other_work="\nhttps://atlas-ab.example/kaveh\n",
    )
    name.full_clean()

    assert name.expertise == "آب و خشکسالی\nحمل‌ونقل شهری"
    assert name.languages == "فارسی، انگلیسی، عربی"  # kept with the Persian comma
    assert name.location == "اصفهان"
    assert name.other_work == "https://atlas-ab.example/kaveh"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("expertise", "آ" * 121, "at most 120 characters"),
        ("expertise", "\n".join(f"حوزه {n}" for n in range(21)), "At most 20 entries"),
        ("languages", "زبان" * 11, "at most 40 characters"),
        ("languages", "ا" * 201, "at most 200 characters"),
        ("location", "ق" * 121, "at most 120 characters"),
        ("other_work", "javascript:alert(1)", "web address"),
        ("other_work", "<a href='https://x.example'>x</a>", "web address"),
        ("other_work", "\n".join(f"https://x.example/{n}" for n in range(13)), "At most 12"),
    ],
)
def test_hostile_words_are_refused_and_nothing_is_saved(kaveh, field, value, message):
    AuthorName.objects.create(author=kaveh, language="fa", name="کاوه نوری", location="اصفهان")

    with pytest.raises(ValidationError) as refused:
        set_names(kaveh, {"fa": {"name": "کاوه نوری", field: value}})

    assert message in " ".join(refused.value.message_dict[f"{field}_fa"])
    kept = AuthorName.objects.get(author=kaveh, language="fa")
    assert [kept.expertise, kept.languages, kept.other_work] == ["", "", ""]
    assert kept.location == "اصفهان"


def test_words_without_a_name_are_refused(kaveh):
    with pytest.raises(ValidationError) as refused:
        set_names(kaveh, {"fa": {"name": "", "location": "اصفهان"}})

    assert "Give the name too" in str(refused.value)
    assert not AuthorName.objects.exists()


def test_each_blank_field_falls_back_to_the_profiles(kaveh):
    set_names(kaveh, {"fa": {"name": "کاوه نوری", "location": "اصفهان"}})
    shown = kaveh.in_language("fa")

    assert (shown.name, shown.location) == ("کاوه نوری", "اصفهان")
    assert shown.expertise_list == ["Water and drought"]
    assert shown.language_list == ["Persian", "English"]
    assert shown.other_work_list == ["https://water-atlas.example/kaveh"]
    assert kaveh.in_language("en").location == "Isfahan"


def test_fields_not_given_are_kept(kaveh):
    set_names(kaveh, {"fa": {"name": "کاوه نوری", "location": "اصفهان"}})
    changed = set_names(kaveh, {"fa": {"name": "کاوه نوری", "job_title": "تحلیلگر"}})

    assert changed
    kept = AuthorName.objects.get(author=kaveh)
    assert (kept.job_title, kept.location) == ("تحلیلگر", "اصفهان")
    assert not set_names(kaveh, {"fa": {"name": "کاوه نوری", "location": "اصفهان"}})

"""A desk's material file that is wrong is refused with a message naming the file and why."""

from __future__ import annotations

import random
import re

import pytest

from masthead.demo.material import MaterialError, desk_material, stories_for

GOOD_STORY = """
[[story]]
headline = "Parliament debates the {bill}"
dek = "Lawmakers discussed the {bill}."
body = ["Parliament debated the {bill} on Sunday."]
"""


def _material(tmp_path, text: str, slug: str = "politics"):
    (tmp_path / f"desk-{slug}.toml").write_text(text, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[pools\nbill = 1", "desk-politics.toml"),
        ("[pools]\nbill = ['water bill']\n", "no [[story]]"),
        ('[pools]\nbill = ["water bill"]\n[[story]]\nheadline = "x"\n', "missing or wrong"),
        (
            '[pools]\nbill = ["a"]\n' + GOOD_STORY + 'kind = "review"\n',
            "does not fit the politics desk",
        ),
        ('[pools]\nbill = ["a"]\n' + GOOD_STORY + 'kind = "gossip"\n', "unknown kind 'gossip'"),
    ],
)
def test_malformed_material_is_refused_clearly(tmp_path, text, message):
    folder = _material(tmp_path, text)

    with pytest.raises(MaterialError, match=re.escape(message)):
        desk_material("politics", folder)


def test_a_slot_without_a_pool_is_named(tmp_path):
    folder = _material(tmp_path, GOOD_STORY)

    with pytest.raises(MaterialError, match=r"no pool for the slot \{bill\}"):
        stories_for("politics", 1, random.Random(1), folder)


def test_too_few_different_headlines_is_refused(tmp_path):
    folder = _material(tmp_path, '[pools]\nbill = ["water bill", "pension bill"]\n' + GOOD_STORY)

    assert len(stories_for("politics", 2, random.Random(1), folder)) == 2
    with pytest.raises(MaterialError, match="only 2 different headlines, 3 wanted"):
        stories_for("politics", 3, random.Random(1), folder)


def test_the_same_value_reads_the_same_everywhere_and_b_slots_differ(tmp_path):
    text = """
[pools]
club = ["Esteghlal", "Persepolis"]
[[story]]
headline = "{club} beat {club_b}"
dek = "{club} won."
body = ["{club} beat {club_b} at home."]
"""
    folder = _material(tmp_path, text, slug="sports")

    (story,) = stories_for("sports", 1, random.Random(3), folder)

    winner, loser = story.headline.split(" beat ")
    assert winner != loser
    assert story.dek == f"{winner} won."
    assert story.paragraphs == [f"{winner} beat {loser} at home."]


def test_sources_may_only_use_the_story_s_own_slots(tmp_path):
    # A slot of their own would draw another value and change every later story.
    text = '[pools]\nbill = ["a"]\nvotes = ["1"]\n' + GOOD_STORY.replace(
        "[[story]]\n",
        '[[story]]\nsources = [{ kind = "document", title = "The {bill}: {votes} votes" }]\n',
    )

    with pytest.raises(MaterialError, match=re.escape("sources use slots the story has not")):
        desk_material("politics", _material(tmp_path, text))


def test_sources_are_filled_like_the_story(tmp_path):
    text = '[pools]\nbill = ["water bill"]\n' + GOOD_STORY.replace(
        "[[story]]\n",
        '[[story]]\nmethod_note = "From the {bill}."\n'
        'sources = [{ id = "text", kind = "document", title = "The {bill}", paragraphs = [1] }]\n',
    )

    (story,) = stories_for("politics", 1, random.Random(1), _material(tmp_path, text))

    assert story.sources == [
        {"id": "text", "kind": "document", "title": "The water bill", "paragraphs": [1]}
    ]
    assert story.method_note == "From the water bill."

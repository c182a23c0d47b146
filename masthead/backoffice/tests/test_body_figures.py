"""Figures in the story form: the picker's list, the checks on save, the no-script field."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile

from masthead.backoffice.tests.editor_posts import form_data
from masthead.factories import make_story
from masthead.media.figures import figure_html
from masthead.media.models import Image
from masthead.media.tests.images import png_bytes
from masthead.stories import services
from masthead.stories.models import Story
from masthead.stories.services import Content

pytestmark = pytest.mark.django_db


def image(alt: str, colour=(1, 2, 3), **words) -> Image:
    made = Image(alt_text=alt, **words)
    made.file.save("p.png", ContentFile(png_bytes(40, 24, colour)), save=False)
    made.save()
    return made


@pytest.fixture
def public_image(db) -> Image:
    shown = image("Delegates at the table", caption="Talks in Vienna", credit="Reuters")
    make_story(lead_image=shown)
    return shown


@pytest.fixture
def secret_image(people, other_desk) -> Image:
    """Another desk's draft shows it: nobody on this desk may use it."""
    hidden = image("Secret: the minister resigns", colour=(9, 9, 9), caption="Resignation")
    services.create_story(
        people["other_editor"], Content(headline="Secret", desk=other_desk, lead_image=hidden)
    )
    return hidden


def new_story(desk, **changes) -> dict:
    return {"action": "save", "headline": "A new story", "desk": desk.pk, "body": "", **changes}


# The picker ---------------------------------------------------------------------


def test_the_picker_lists_only_images_the_writer_may_use(client_for, public_image, secret_image):
    response = client_for("writer").get("/desk/media/picker/")

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    listed = response.json()["images"]
    assert [entry["id"] for entry in listed] == [public_image.pk]
    assert listed[0] | {} == {
        "id": public_image.pk,
        "src": public_image.file.url,
        "alt": "Delegates at the table",
        "decorative": False,
        "caption": "Talks in Vienna",
        "credit": "Reuters",
        "width": 40,
        "height": 24,
    }
    assert "minister" not in response.content.decode()


def test_the_picker_searches_captions_alt_text_and_credits(client_for, public_image):
    other = image("A crowd", colour=(5, 5, 5), caption="Rally in Tabriz")
    make_story(lead_image=other)
    client = client_for("writer")

    def ids(query):
        return [
            entry["id"]
            for entry in client.get("/desk/media/picker/", {"q": query}).json()["images"]
        ]

    assert ids("tabriz") == [other.pk]
    assert ids("delegates vienna") == [public_image.pk]
    assert ids("reuters") == [public_image.pk]
    assert ids("nothing-like-this") == []
    assert ids("<script>") == []


def test_the_picker_is_for_staff_only(client, people, public_image):
    assert client.get("/desk/media/picker/").status_code == 302
    client.force_login(people["reader"])
    assert client.get("/desk/media/picker/").status_code in (302, 403)


# The story form -----------------------------------------------------------------


def test_a_figure_is_saved_pinned_to_its_image_and_round_trips(client_for, desk, public_image):
    client = client_for("writer")
    sent = figure_html(public_image, "Our caption", "Our credit").replace(
        public_image.file.url, "/media/images/someone-elses.png"
    )

    response = client.post("/desk/stories/new/", new_story(desk, body=f"<p>Text.</p>{sent}"))

    assert response.status_code == 302, response.context["form"].errors
    story = Story.objects.get(headline="A new story")
    expected = figure_html(public_image, "Our caption", "Our credit")
    assert story.latest_revision.body == f"<p>Text.</p>{expected}"
    # What the editor loads, saved again unchanged, is the same body.
    editor = client.get(f"/desk/stories/{story.pk}/").content.decode()
    assert f"data-image=&quot;{public_image.pk}&quot;" in editor
    again = client.post(f"/desk/stories/{story.pk}/", form_data(story))
    assert again.status_code == 302
    assert Story.objects.get(pk=story.pk).latest_revision.body == f"<p>Text.</p>{expected}"


@pytest.mark.parametrize("which", ["secret", "missing"])
def test_a_figure_of_an_image_the_writer_may_not_see_is_refused(
    client_for, desk, secret_image, which
):
    pk = secret_image.pk if which == "secret" else 999_999
    body = f'<figure data-image="{pk}"><img src="{secret_image.file.url}"></figure>'

    response = client_for("writer").post("/desk/stories/new/", new_story(desk, body=body))

    assert response.status_code == 400
    (error,) = response.context["form"].errors["body"]
    assert f"image {pk}, which does not exist or which you may not use" in error
    assert not Story.objects.filter(headline="A new story").exists()
    assert "the minister resigns" not in response.content.decode()


def test_without_script_a_figure_is_added_by_image_number(client_for, desk, public_image):
    client = client_for("writer")
    data = new_story(
        desk, body="<p>Text.</p>", figure_image=public_image.pk, figure_caption="At the table"
    )

    assert client.post("/desk/stories/new/", data).status_code == 302

    body = Story.objects.get(headline="A new story").latest_revision.body
    assert body == "<p>Text.</p>" + figure_html(public_image, "At the table", "Reuters")


def test_without_script_an_unusable_number_is_a_field_error(client_for, desk, secret_image):
    data = new_story(desk, figure_image=secret_image.pk)

    response = client_for("writer").post("/desk/stories/new/", data)

    assert response.status_code == 400
    assert response.context["form"].errors["figure_image"] == [
        "No image with that number that you may use."
    ]

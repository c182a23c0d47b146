"""The media library pages: who finds which image, filters, usage counts, uploads, hostile input."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from masthead.factories import make_story
from masthead.media import services
from masthead.media.models import Image, ImageUse
from masthead.media.tests.embedded import iim, jpeg
from masthead.newsroom.models import AuditEvent

LIBRARY = reverse("backoffice:media")
UPLOAD = reverse("backoffice:media_upload")


def photo(name="photo.jpg", caption=b"", credit=b"") -> SimpleUploadedFile:
    fields = {}
    if caption:
        fields[(2, 120)] = caption
    if credit:
        fields[(2, 110)] = credit
    return SimpleUploadedFile(name, jpeg(iptc=iim(fields) if fields else None), "image/jpeg")


def add(person, desk=None, **fields) -> Image:
    return services.upload_image(person, photo(), desk=desk, **fields)


def image_ids(response) -> set[int]:
    return {image.pk for image in response.context["images"]}


@pytest.fixture
def library(people, desk, other_desk):
    """Images of each kind of visibility."""
    mine = add(people["writer"], desk, caption="Writer's unused photo", credit="Reuters")
    politics = add(people["editor"], desk, caption="Politics desk photo", credit="AFP")
    economy = add(people["other_editor"], other_desk, caption="Economy desk photo", credit="AP")
    public = add(people["other_editor"], other_desk, caption="On a live story")
    live_story = make_story("Live story", desk=other_desk, lead_image=public)
    ImageUse.objects.create(image=public, story=live_story, role="lead", in_published=True)
    draft = make_story("Secret draft", desk=other_desk, status="draft", published_at=None, age=None)
    embargoed = add(people["other_editor"], other_desk, caption="In a secret draft")
    ImageUse.objects.create(image=embargoed, story=draft, role="body", in_working=True)
    return {
        "mine": mine,
        "politics": politics,
        "economy": economy,
        "public": public,
        "embargoed": embargoed,
        "live_story": live_story,
        "draft": draft,
    }


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("writer", {"mine", "public"}),
        ("other_writer", {"public"}),
        ("editor", {"mine", "politics", "public"}),
        ("other_editor", {"economy", "public", "embargoed"}),
        ("chief", {"mine", "politics", "economy", "public", "embargoed"}),
    ],
)
def test_who_finds_which_image(client_for, library, name, expected):
    response = client_for(name).get(LIBRARY)
    assert response.status_code == 200
    assert image_ids(response) == {library[key].pk for key in expected}
    for key, image in library.items():
        if key in ("live_story", "draft"):
            continue
        page = client_for(name).get(reverse("backoffice:media_image", args=[image.pk]))
        assert page.status_code == (200 if key in expected else 404), key
        # The file itself, through the media gate, follows the same rule.
        served = client_for(name).get(image.file.url)
        assert served.status_code == (200 if key in expected else 404), key


def test_administrators_and_readers_get_no_library(client_for, library):
    assert client_for("admin").get(LIBRARY).context["images"] == []
    assert client_for("reader").get(LIBRARY).status_code == 403


def test_search_and_filters(client_for, library, people, desk, other_desk):
    chief = client_for("chief")
    assert image_ids(chief.get(LIBRARY, {"q": "desk photo"})) == {
        library["politics"].pk,
        library["economy"].pk,
    }
    assert image_ids(chief.get(LIBRARY, {"credit": "afp"})) == {library["politics"].pk}
    # Every word, each in any of the image's words (here a caption and a credit).
    assert image_ids(chief.get(LIBRARY, {"q": "photo  afp"})) == {library["politics"].pk}
    assert image_ids(chief.get(LIBRARY, {"q": "photo reuters desk"})) == set()
    assert image_ids(chief.get(LIBRARY, {"desk": desk.pk})) == {
        library["mine"].pk,
        library["politics"].pk,
    }
    assert image_ids(chief.get(LIBRARY, {"uploader": people["writer"].pk})) == {library["mine"].pk}
    Image.objects.filter(pk=library["economy"].pk).update(
        uploaded_at=timezone.now() - timedelta(days=40)
    )
    old_day = (timezone.localdate() - timedelta(days=40)).isoformat()
    assert image_ids(chief.get(LIBRARY, {"uploaded_from": old_day, "uploaded_to": old_day})) == {
        library["economy"].pk
    }
    assert library["economy"].pk not in image_ids(
        chief.get(LIBRARY, {"uploaded_from": timezone.localdate().isoformat()})
    )


@pytest.mark.parametrize(
    "query",
    [
        {"desk": "not-a-number"},
        {"desk": "999999"},
        {"uploader": "' OR 1=1 --"},
        {"uploaded_from": "2026-13-45"},
        {"uploaded_from": "0001-01-01", "uploaded_to": "9999-12-31"},
        {"q": "x" * 5000},
        {"q": "%_\\'\"<script>"},
        {"credit": "\u202egnp.exe"},
    ],
)
def test_hostile_filters_are_answered_not_crashed(client_for, library, query):
    response = client_for("chief").get(LIBRARY, query)
    assert response.status_code == 200
    assert b"<script>" not in response.content.split(b"<main")[1]


@pytest.mark.parametrize("page", ["0", "-1", "abc", "99999999999999999999"])
def test_bad_pages_are_404(client_for, library, page):
    assert client_for("chief").get(LIBRARY, {"page": page}).status_code == 404


def test_pagination(client_for, people, settings):
    settings.MEDIA_QUOTA_BYTES_PER_USER = 0
    for _ in range(25):
        add(people["writer"])
    client = client_for("writer")
    first = client.get(LIBRARY)
    assert len(first.context["images"]) == 24 and first.context["has_more"]
    second = client.get(LIBRARY, {"page": 2})
    assert len(second.context["images"]) == 1 and not second.context["has_more"]
    assert b"Older" in first.content and b"Newer" in second.content


def test_usage_counts_and_links(client_for, library, people, desk):
    image = library["politics"]
    own = make_story("Politics story", desk=desk)
    elsewhere = make_story("Economy story", desk=library["draft"].desk)
    ImageUse.objects.create(image=image, story=own, role="lead", in_published=True)
    ImageUse.objects.create(image=image, story=own, role="body", in_working=True)
    ImageUse.objects.create(image=image, story=elsewhere, role="body", in_working=True)
    response = client_for("editor").get(LIBRARY)
    assert "Used in 2 stories" in response.content.decode()
    page = client_for("editor").get(reverse("backoffice:media_image", args=[image.pk]))
    text = page.content.decode()
    assert "Used in 2 stories" in text
    assert reverse("backoffice:story", args=[own.pk]) in text
    assert "Economy story" not in text  # a story they may not open: counted, not named
    assert "1 story you cannot open" in text


def test_upload_without_script(client_for, people, desk, media_root):
    client = client_for("writer")
    response = client.post(
        UPLOAD,
        {
            "desk": desk.pk,
            "files": [
                photo("one.jpg", caption=b"First caption"),
                photo("two.jpg"),
                SimpleUploadedFile("\u202egnp.exe", b"MZ not an image", "image/png"),
                SimpleUploadedFile("<img src=x onerror=alert(1)>.jpg", b"nope", "image/jpeg"),
            ],
        },
    )
    assert response.status_code == 302 and response.url == LIBRARY
    assert Image.objects.count() == 2
    assert set(Image.objects.values_list("desk", flat=True)) == {desk.pk}
    assert Image.objects.filter(caption="First caption").exists()
    page = client.get(LIBRARY)
    text = page.content.decode()
    assert "Stored 2 image(s): one.jpg, two.jpg." in text
    assert "gnp.exe: not stored." in text and "\u202e" not in text
    assert "&lt;img src=x onerror=alert(1)&gt;.jpg: not stored." in text
    assert len([p for p in media_root.rglob("*") if p.is_file()]) == 2


def test_upload_with_script_answers_json(client_for, desk):
    client = client_for("writer")
    accepted = client.post(
        UPLOAD, {"desk": desk.pk, "files": photo()}, HTTP_ACCEPT="application/json"
    )
    assert accepted.status_code == 201
    body = json.loads(accepted.content)
    assert body["url"] == reverse("backoffice:media_image", args=[body["id"]])
    refused = client.post(
        UPLOAD,
        {"files": SimpleUploadedFile("x.svg", b"<svg/>", "image/svg+xml")},
        HTTP_ACCEPT="application/json",
    )
    assert (
        refused.status_code == 400
        and "SVG files are not accepted" in json.loads(refused.content)["error"]
    )
    empty = client.post(UPLOAD, {}, HTTP_ACCEPT="application/json")
    assert empty.status_code == 400


def test_upload_refusals(client_for, desk, other_desk, settings, media_root):
    # A desk they do not write for is not a choice.
    response = client_for("writer").post(
        UPLOAD, {"desk": other_desk.pk, "files": photo()}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 400
    assert client_for("admin").post(UPLOAD, {"files": photo()}).status_code == 403
    assert client_for("reader").post(UPLOAD, {"files": photo()}).status_code == 403
    settings.MEDIA_QUOTA_BYTES_PER_USER = 10
    over = client_for("writer").post(UPLOAD, {"files": photo()}, HTTP_ACCEPT="application/json")
    assert over.status_code == 400 and "quota" in json.loads(over.content)["error"]
    assert not Image.objects.exists()
    assert not [p for p in media_root.rglob("*") if p.is_file()]
    assert client_for("writer").get(UPLOAD).status_code == 405


def test_editing_words(client_for, library, people):
    image = library["politics"]
    url = reverse("backoffice:media_image", args=[image.pk])
    form = {"alt_text": "Two men", "caption": "<b>Bold</b>\u202e", "credit": "AFP", "copyright": ""}
    response = client_for("editor").post(url, form)
    assert response.status_code == 302
    image.refresh_from_db()
    assert image.caption == "<b>Bold</b>" and image.alt_text == "Two men"
    page = client_for("editor").get(url).content.decode()
    assert "&lt;b&gt;Bold&lt;/b&gt;" in page
    too_long = client_for("editor").post(url, {**form, "credit": "x" * 201})
    assert too_long.status_code == 400
    # The uploader of another image, on the same desk, may look but not change.
    writer = client_for("writer").post(reverse("backoffice:media_image", args=[library["mine"].pk]))
    assert writer.status_code in (302, 400)
    other = client_for("other_writer")
    assert other.post(url, form).status_code == 404  # not visible to them at all
    assert AuditEvent.objects.filter(action="image_update", target_id=image.pk).count() == 1


def test_read_only_for_those_who_may_not_change(client_for, library, people, desk):
    # The other writer sees the public image but may not change it.
    url = reverse("backoffice:media_image", args=[library["public"].pk])
    page = client_for("writer").get(url)
    assert page.status_code == 200 and not page.context["can_change"]
    assert client_for("writer").post(url, {"caption": "Hijacked"}).status_code == 403
    focal = reverse("backoffice:media_focal_point", args=[library["public"].pk])
    assert client_for("writer").post(focal, {"focal_x": 0.1, "focal_y": 0.1}).status_code == 403
    library["public"].refresh_from_db()
    assert library["public"].caption == "On a live story"


@pytest.mark.parametrize(
    "values",
    [
        {"focal_x": "1.5", "focal_y": "0.5"},
        {"focal_x": "nan", "focal_y": "0.5"},
        {"focal_x": "inf", "focal_y": "0.5"},
        {"focal_x": "", "focal_y": "0.5"},
        {"focal_x": "0.5"},
        {"focal_x": "1e309", "focal_y": "0"},
    ],
)
def test_hostile_focal_points(client_for, library, values):
    image = library["politics"]
    url = reverse("backoffice:media_focal_point", args=[image.pk])
    assert client_for("editor").post(url, values).status_code == 400
    assert client_for("editor").post(url, values, HTTP_ACCEPT="application/json").status_code == 400
    image.refresh_from_db()
    assert (image.focal_x, image.focal_y) == (0.5, 0.5)


def test_focal_point_page_and_json(client_for, library):
    image = library["politics"]
    url = reverse("backoffice:media_focal_point", args=[image.pk])
    answer = client_for("editor").post(
        url, {"focal_x": "0.3", "focal_y": "0.7"}, HTTP_ACCEPT="application/json"
    )
    assert json.loads(answer.content) == {"focal_x": 0.3, "focal_y": 0.7}
    page = client_for("editor").get(reverse("backoffice:media_image", args=[image.pk]))
    assert b"fx-30 fy-70" in page.content
    assert page["Cache-Control"] == "no-store, private" or "no-store" in page["Cache-Control"]


def test_nav_link(client_for, library):
    assert reverse("backoffice:media").encode() in client_for("writer").get(LIBRARY).content
    admin_page = client_for("admin").get(reverse("backoffice:mine")).content
    assert b'href="/desk/media/"' not in admin_page


def test_the_library_page_reads_a_fixed_number_of_queries(
    client_for, people, settings, django_assert_max_num_queries
):
    settings.MEDIA_QUOTA_BYTES_PER_USER = 0
    for _ in range(3):
        add(people["writer"])
    client = client_for("writer")
    client.get(LIBRARY)
    # The thumbnails' renditions are prefetched: one query for the whole page.
    with django_assert_max_num_queries(15) as few:
        client.get(LIBRARY)
    for _ in range(20):
        add(people["writer"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(LIBRARY)

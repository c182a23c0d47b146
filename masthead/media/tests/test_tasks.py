"""The worker's renditions: queued on commit when an image needs them; files follow their rows.

Tests run tasks with django-tasks' ImmediateBackend (conftest.py): the task
runs when the save's transaction commits, as a worker would run it then.
"""

from __future__ import annotations

import io

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from PIL import Image as PillowImage

from masthead.media.models import Image, Rendition
from masthead.media.renditions import plan
from masthead.media.tasks import make_image_renditions

pytestmark = pytest.mark.django_db


def jpeg(size=(640, 360), colour=(30, 120, 200)) -> bytes:
    out = io.BytesIO()
    PillowImage.new("RGB", size, colour).save(out, "JPEG", quality=90)
    return out.getvalue()


def new_image(size=(640, 360), colour=(30, 120, 200)) -> Image:
    image = Image(file=ContentFile(jpeg(size, colour), name="photo.jpg"), alt_text="A photo")
    image.save()
    return image


def files_of(image: Image) -> set[str]:
    return set(Rendition.objects.filter(image=image).values_list("file", flat=True))


def on_disk(settings, names) -> set[str]:
    return {name for name in names if (settings.MEDIA_ROOT / name).exists()}


def test_saving_a_new_image_makes_its_renditions_after_the_commit(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        image = new_image()
    assert not Rendition.objects.filter(image=image).exists()  # nothing before the commit

    for callback in queued:
        callback()

    assert Rendition.objects.filter(image=image).count() == len(plan(640, 360, 0.5, 0.5))


def test_saving_words_alone_queues_nothing(django_capture_on_commit_callbacks):
    image = new_image()
    with django_capture_on_commit_callbacks(execute=True) as queued:
        image.caption = "New words"
        image.save()
    assert queued == []


def test_a_moved_focal_point_replaces_the_crops_and_their_files(
    settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        image = new_image()
    before = files_of(image)
    crops_before = set(
        Rendition.objects.filter(image=image).exclude(crop="").values_list("file", flat=True)
    )

    with django_capture_on_commit_callbacks(execute=True):
        image.focal_x, image.focal_y = 0.9, 0.1
        image.save()

    after = files_of(image)
    assert len(after) == len(before)
    assert not crops_before & after
    assert on_disk(settings, crops_before) == set()  # stale files removed
    assert on_disk(settings, after) == after
    for row in Rendition.objects.filter(image=image).exclude(crop=""):
        assert (row.focal_x, row.focal_y) == (0.9, 0.1)


def test_a_new_file_drops_the_old_set_at_once_and_makes_a_new_one(
    settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        image = new_image()
    before = files_of(image)

    with django_capture_on_commit_callbacks(execute=True):
        image.file.save("other.jpg", ContentFile(jpeg((400, 400), (200, 30, 30))), save=False)
        image.save()

    after = files_of(image)
    assert after and not before & after
    assert on_disk(settings, before) == set()
    assert {(r.width, r.height) for r in Rendition.objects.filter(image=image, crop="")} == {
        (320, 320),
        (400, 400),
    }


def test_deleting_an_image_removes_its_rendition_files(
    settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        image = new_image()
    names = files_of(image)
    assert on_disk(settings, names) == names

    with django_capture_on_commit_callbacks(execute=True):
        image.delete()

    assert on_disk(settings, names) == set()


def test_a_rolled_back_deletion_keeps_the_files(settings, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        image = new_image()
    names = files_of(image)

    with django_capture_on_commit_callbacks(execute=False) as queued:
        Rendition.objects.filter(image=image).first().delete()
    # Not committed: the callbacks that would remove the file have not run.
    assert on_disk(settings, names) == names
    assert len(queued) == 1


def test_the_task_is_idempotent_and_forgets_deleted_images(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        image = new_image()
    count = Rendition.objects.filter(image=image).count()

    assert make_image_renditions.call(image.pk) == 0
    assert Rendition.objects.filter(image=image).count() == count
    assert make_image_renditions.call(10**9) == 0


def test_the_command_makes_what_is_missing_in_batches_and_nothing_twice(capsys):
    images = [new_image((300 + 10 * n, 200)) for n in range(3)]
    Rendition.objects.filter(image=images[0]).delete()  # none made yet (no commit in tests)

    call_command("make_renditions", "--batch-size", "2")

    out = capsys.readouterr().out
    total = sum(len(plan(image.width, image.height, 0.5, 0.5)) for image in images)
    assert f"Made {total} renditions and removed 0 stale ones for 3 images." in out
    call_command("make_renditions", "--batch-size", "2")
    assert "Made 0 renditions and removed 0 stale ones for 0 images." in capsys.readouterr().out
    assert Rendition.objects.count() == total


def test_the_command_reports_an_unreadable_file_and_goes_on(settings, capsys):
    broken, fine = new_image(), new_image((320, 200))
    (settings.MEDIA_ROOT / broken.file.name).write_bytes(b"not a picture any more")

    call_command("make_renditions")

    captured = capsys.readouterr()
    assert f"image {broken.pk}" in captured.err
    assert "1 images could not be read" in captured.out
    assert not Rendition.objects.filter(image=broken).exists()
    assert Rendition.objects.filter(image=fine).exists()
    assert not list((settings.MEDIA_ROOT / "renditions").rglob("*.*")) or all(
        Rendition.objects.filter(file=str(path.relative_to(settings.MEDIA_ROOT))).exists()
        for path in (settings.MEDIA_ROOT / "renditions").rglob("*.*")
    )

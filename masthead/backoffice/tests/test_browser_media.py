"""The media library in headless Chromium: a writer uploads several photos at once (one
refused), watches each file's progress, opens one and clicks its focal point; the crop
previews follow. Both pages pass axe-core and break no rule of the Content-Security-Policy.

Uses the demo outlet and the sessions of ``test_browser.py`` (its fixtures are
imported, not copied). Saves ``media-library.png`` and ``media-focal-point.png``
(``bin/screenshots`` refreshes the docs' copies).
"""

from __future__ import annotations

import io

import pytest
from PIL import Image as PillowImage
from PIL import ImageDraw
from playwright.sync_api import expect

from masthead.backoffice.tests.test_browser import (  # noqa: F401 - fixtures
    browser,
    demo,
    live_server,
    open_tab,
    sessions,
    shoot,
    sign_in,
)
from masthead.media.models import Image
from masthead.media.tests.embedded import app13, iim

pytestmark = pytest.mark.browser


def agency_photo(colour, caption: str, credit: str, size=(1200, 800)) -> bytes:
    """A landscape 'photo': sky, ground and a sun off to the upper left, with IPTC words."""
    picture = PillowImage.new("RGB", size, colour)
    draw = ImageDraw.Draw(picture)
    width, height = size
    draw.rectangle((0, height * 2 // 3, width, height), fill=(70, 110, 60))
    draw.ellipse(
        (width // 8, height // 8, width // 8 + 180, height // 8 + 180), fill=(250, 200, 40)
    )
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=85)
    data = out.getvalue()
    words = iim({(1, 90): b"\x1b%G", (2, 120): caption.encode(), (2, 110): credit.encode()})
    return data[:2] + app13(words) + data[2:]


def axe_violations(page) -> list:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        (violation["id"], [node["target"] for node in violation["nodes"]][:3])
        for violation in results.response["violations"]
    ]


def test_upload_several_photos_and_pick_a_focal_point(
    browser,  # noqa: F811
    live_server,  # noqa: F811
    sessions,  # noqa: F811
    orm_beside_playwright,
    tmp_path,
):
    files = []
    for name, colour, caption, credit in [
        ("azadi-square.jpg", (120, 170, 230), "Crowds gather at Azadi Square", "Reuters"),
        ("caspian-coast.jpg", (90, 140, 200), "Fishing boats on the Caspian coast", "AFP"),
        ("alborz.jpg", (160, 190, 235), "Snow on the Alborz mountains", "IFP photo desk"),
    ]:
        path = tmp_path / name
        path.write_bytes(agency_photo(colour, caption, credit))
        files.append(path)
    refused = tmp_path / "logo.svg"
    refused.write_text("<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>")

    base = live_server.url
    page, problems = open_tab(browser)
    sign_in(page, base, sessions["writer.nima"])
    page.get_by_role("navigation", name="Back office").get_by_role("link", name="Media").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Media library")
    expect(page.get_by_text("or drop files here")).to_be_visible()

    # Choosing files sends each in a request of its own, with its own progress bar.
    page.locator("input[type=file]").set_input_files([*files[:2], refused])
    uploads = page.locator("[data-upload-list] li[data-state]")
    expect(uploads).to_have_count(3)
    expect(page.locator("[data-upload-list] li[data-state=stored]")).to_have_count(2)
    expect(page.locator("[data-upload-list] li[data-state=refused]")).to_contain_text(
        "SVG files are not accepted"
    )
    for bar in page.locator("[data-upload-list] li[data-state=stored] progress").all():
        expect(bar).to_have_attribute("value", "100")

    # Dropping a file on the form does the same.
    data = files[2].read_bytes()
    page.evaluate(
        """([bytes, name]) => {
            const transfer = new DataTransfer();
            transfer.items.add(new File([new Uint8Array(bytes)], name, {type: "image/jpeg"}));
            const zone = document.querySelector("[data-drop-zone]");
            zone.dispatchEvent(new DragEvent("dragover", {dataTransfer: transfer, bubbles: true}));
            zone.dispatchEvent(new DragEvent("drop", {dataTransfer: transfer, bubbles: true}));
        }""",
        [list(data), files[2].name],
    )
    expect(page.locator("[data-upload-list] li[data-state=stored]")).to_have_count(3)
    stored = Image.objects.order_by("-pk")[:3]
    assert {image.caption for image in stored} == {
        "Crowds gather at Azadi Square",
        "Fishing boats on the Caspian coast",
        "Snow on the Alborz mountains",
    }
    assert {image.credit for image in stored} == {"Reuters", "AFP", "IFP photo desk"}

    page.get_by_role("link", name="Show the library with the new images").click()
    cards = page.locator(".media-card")
    expect(cards.first).to_contain_text("Snow on the Alborz mountains")
    expect(cards.first.locator("img")).to_be_visible()
    page.wait_for_load_state("networkidle")
    shoot(page, "media-library.png")
    assert axe_violations(page) == []

    # The focal point: a click on the picture, saved at once; the crops follow.
    cards.filter(has_text="Crowds gather at Azadi Square").get_by_role("link").first.click()
    picture = page.locator("[data-focal-picker] img")
    expect(picture).to_be_visible()
    box = picture.bounding_box()
    picture.click(position={"x": box["width"] * 0.2, "y": box["height"] * 0.25})
    expect(page.get_by_text("Focal point saved: every crop keeps it.")).to_be_visible()
    image = Image.objects.get(caption="Crowds gather at Azadi Square")
    assert abs(image.focal_x - 0.2) < 0.02 and abs(image.focal_y - 0.25) < 0.02
    expect(page.locator("[data-crop-previews]")).to_have_class("crop-previews fx-20 fy-25")
    position = page.locator(".crop--16x9 img").evaluate(
        "img => getComputedStyle(img).objectPosition"
    )
    assert position == "20% 25%"

    # The keyboard way: the number fields and their button.
    page.get_by_label("Across (0 left, 1 right)").fill("0.7")
    page.get_by_label("Down (0 top, 1 bottom)").fill("0.4")
    page.get_by_role("button", name="Save focal point").click()
    expect(page.locator("[data-focal-picker]")).to_have_class("focal-picker fx-70 fy-40")
    expect(page.get_by_text("Focal point saved: every crop keeps it.")).to_be_visible()
    image.refresh_from_db()
    assert (image.focal_x, image.focal_y) == (0.7, 0.4)
    page.get_by_label("Across (0 left, 1 right)").fill("0.2")
    page.get_by_label("Down (0 top, 1 bottom)").fill("0.25")
    # Until its answer: the save makes the renditions again before answering, and a test
    # that ended first would tear the database down under that work (seen under load).
    with page.expect_response(lambda answer: answer.url.endswith("/focal-point/")):
        page.get_by_role("button", name="Save focal point").click()
    expect(page.locator("[data-focal-picker]")).to_have_class("focal-picker fx-20 fy-25")
    page.wait_for_load_state("networkidle")
    shoot(page, "media-focal-point.png")
    assert axe_violations(page) == []
    # The refused SVG's 400 is the browser's one console line; nothing else went wrong.
    refusal = "Failed to load resource: the server responded with a status of 400 (Bad Request)"
    assert problems == [refusal]

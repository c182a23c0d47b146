"""The demo's Persian edition at a host of its own (``fa.localhost``, as
``DEMO_PERSIAN_HOST=fa.localhost masthead demo`` serves it), in headless Chromium: its home
page, an article and a desk page at desktop and phone widths are served at that host, laid
out right to left, load nothing from a third host, break no Content-Security-Policy rule,
and axe-core finds no serious or critical violation. The run takes the screenshots
docs/editions.md shows (``fa-host-*.png``; ``bin/screenshots`` writes them to
``docs/screenshots/``).

Chromium resolves every ``*.localhost`` name to the loopback address itself (RFC 6761), so
the live server on ``localhost`` answers for ``fa.localhost`` with no resolver set-up.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from playwright.sync_api import Browser, sync_playwright
from pytest_django.live_server_helper import LiveServer

from masthead.browser_testing import (
    failed_for_real,
    launch_chromium,
    report_csp_violations,
    screenshot_path,
    whitenoise_live_server,
)

pytestmark = pytest.mark.browser

HOST = "fa.localhost"
DESKTOP, PHONE = 1280, 390
SERIOUS = {"serious", "critical"}


@pytest.fixture(scope="module", autouse=True)
def media_root(tmp_path_factory) -> Iterator[Path]:
    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        yield


@pytest.fixture(scope="module")
def site_server(collected_static, django_db_setup) -> Iterator[LiveServer]:
    with whitenoise_live_server() as server:
        port = urlsplit(server.url).port
        # The main host is SITE_URL's; the edition's host is served with its scheme and port.
        with override_settings(
            ALLOWED_HOSTS=["localhost", HOST],
            SITE_URL=f"http://localhost:{port}",
            DEMO_PERSIAN_HOST=HOST,
        ):
            yield server


@pytest.fixture(scope="module")
def demo(site_server, django_db_blocker) -> Iterator[dict[str, str]]:
    """The demo with its Persian edition at ``fa.localhost``; the paths of its pages.

    Its images' renditions are queued, not made (browser_testing.load_demo_with_tasks_queued
    says why): pages show the stored files until they exist."""
    from django.conf import settings

    from masthead.demo.loader import load_demo
    from masthead.newsroom.models import Desk
    from masthead.stories.models import Story

    dummy = {
        "default": {
            "BACKEND": "django_tasks.backends.dummy.DummyBackend",
            "QUEUES": settings.TASK_QUEUES,
        }
    }
    with django_db_blocker.unblock(), override_settings(TASKS=dummy):
        load_demo(now=timezone.now().replace(microsecond=0))
        persian = Story.objects.live().filter(desk__edition__slug="fa")
        lead = persian.filter(top_rank__isnull=False).order_by("top_rank").first()
        desk = Desk.objects.filter(edition__slug="fa").order_by("position").first()
        paths = {
            "home": "/",
            "article": urlsplit(lead.get_absolute_url()).path,
            "desk": urlsplit(desk.get_absolute_url()).path,
        }
    yield paths
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def browser(db, demo) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.mark.parametrize("width", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("page_name", ["home", "article", "desk"])
def test_the_edition_at_its_own_host_in_chromium(browser, site_server, demo, page_name, width):
    from axe_playwright_python.sync_playwright import Axe

    port = urlsplit(site_server.url).port
    url = f"http://{HOST}:{port}{demo[page_name]}"
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="fa-IR")
    problems: list[str] = []
    hosts: set[str] = set()
    report_csp_violations(context, lambda text: problems.append(f"CSP: {text}"))
    page = context.new_page()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
    page.on("response", lambda r: r.status >= 400 and problems.append(f"{r.status} {r.url}"))
    page.on(
        "requestfailed",
        lambda request: failed_for_real(request) and problems.append(f"failed {request.url}"),
    )
    page.on("pageerror", lambda error: problems.append(str(error)))

    response = page.goto(url, wait_until="networkidle")
    page.evaluate("document.fonts.ready.then(() => true)")

    assert response.status == 200, url
    assert page.url == url  # served there, not moved to the main host
    assert page.evaluate("document.documentElement.lang") == "fa"
    assert page.evaluate("document.documentElement.dir") == "rtl"
    assert problems == []
    # The page and everything it loads come from the edition's host.
    assert hosts == {f"{HOST}:{port}"}
    # Laid out from the right: the site's name sits at the right of the header.
    name = page.locator(".site-name").first.bounding_box()
    assert name["x"] + name["width"] > width / 2
    assert page.evaluate("document.scrollingElement.scrollWidth") <= width

    violations = Axe().run(page).response["violations"]
    serious = [
        (v["id"], v["impact"], [node["target"] for node in v["nodes"]][:3])
        for v in violations
        if v["impact"] in SERIOUS
    ]
    assert serious == []

    suffix = "" if width == DESKTOP else "-phone"
    page.screenshot(path=screenshot_path(f"fa-host-{page_name}{suffix}.png"), full_page=False)
    context.close()

"""What the browser tests share: Debian's Chromium, a live server that serves
static files through WhiteNoise as production does, where screenshots go, and
the report of Content-Security-Policy violations every tab listens for.
Playwright drives the browser; no browser is downloaded.

Screenshots go to the git-ignored ``.screenshots/`` folder, so a test run
never changes the pictures the docs show; ``bin/screenshots`` runs the
browser tests with ``MASTHEAD_SCREENSHOTS=docs/screenshots`` to refresh them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from pytest_django.live_server_helper import LiveServer

CHROMIUM = "/usr/bin/chromium"
# Headless in a root sandbox with no network: nothing of Chromium's own may call out.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
REPOSITORY = Path(__file__).resolve().parents[1]
# The browser tests' own screenshots (ignored by git), and the docs' pictures.
SCREENSHOTS = REPOSITORY / ".screenshots"
DOCS_SCREENSHOTS = REPOSITORY / "docs" / "screenshots"


def launch_chromium(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


@contextmanager
def whitenoise_live_server() -> Iterator[LiveServer]:
    """pytest-django's live server without its finder-based static handler.

    The site links hashed static names (manifest storage); WhiteNoise in the
    middleware serves them from STATIC_ROOT, as in production.
    """
    server = LiveServer("localhost", start=False)
    server.thread.static_handler = lambda application: application
    server.start()
    try:
        yield server
    finally:
        server.stop()


def load_demo_with_tasks_queued(settings) -> None:
    """Load the demo outlet as ``masthead demo`` does before its worker starts:
    the tasks it queues (its images' renditions above all) wait, they do not run.

    ``settings`` is pytest-django's fixture. Under the suite's autouse
    ``tasks_run_at_once`` a load made the renditions of every demo image inside
    the fixture, about a second each: 100 s of every browser test on
    PostgreSQL. Pages show an image's stored file until its renditions exist
    (``{% picture %}``'s fallback); the renditions themselves are tested where
    they are made (masthead/media/tests, backoffice/tests/test_story_with_photos.py).
    """
    from masthead.demo.loader import load_demo

    run_at_once = settings.TASKS
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.dummy.DummyBackend",
            "QUEUES": settings.TASK_QUEUES,
        }
    }
    try:
        load_demo()
    finally:
        settings.TASKS = run_at_once


def screenshot_path(name: str) -> Path:
    """Where a test saves the screenshot ``name``: ``MASTHEAD_SCREENSHOTS`` if set."""
    folder = Path(os.environ.get("MASTHEAD_SCREENSHOTS") or SCREENSHOTS)
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name


def failed_for_real(request) -> bool:
    """A failed request that is a fault: not one the browser cancelled because the
    page navigated away while it was loading (net::ERR_ABORTED)."""
    return "ERR_ABORTED" not in (request.failure or "")


# Runs in every page before its own scripts: each Content-Security-Policy
# violation (a blocked script, style, image, frame, eval …) is reported to the test.
_REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.mastheadCspViolation(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline"}` +
      ` on ${event.documentURI} (${event.sourceFile || "page"}:${event.lineNumber})` +
      (event.sample ? `: ${event.sample}` : "")
  );
}, true);
"""


def report_csp_violations(context, report: Callable[[str], None]) -> None:
    """Call ``report`` with a description of every CSP violation in ``context``'s pages."""
    context.expose_function("mastheadCspViolation", report)
    context.add_init_script(_REPORT_CSP_VIOLATIONS)

"""What ``masthead check`` adds to Django's deploy check: dependency floors and embedded mode.

**Dependency floors.** Some releases of the libraries Masthead leans on had
holes that Masthead's design walks straight into (DESIGN.md, "Known pitfalls";
RELIABILITY V1). ``FLOORS`` names the lowest safe release of each, with why;
pyproject.toml asks for at least as much (a test keeps them in step), but an
environment can still be built by hand, or a library downgraded later. The
system check ``masthead.E001`` fails ``check`` (and so ``migrate``) below a
floor, and ``masthead serve`` refuses to start.

**Embedded mode.** Without TLS (``HTTPS=false``: the demo, a laptop, an
intranet on loopback) four of Django's deploy warnings are about TLS that is
not there. ``masthead check`` silences exactly ``EMBEDDED_SILENCES`` then,
and says so; with ``HTTPS=true`` nothing is silenced but the HSTS-preload
reminder an operator opts into (settings.py). ``masthead manage check
--deploy`` stays Django's own, unsilenced.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from django.core.checks import Error, Tags, register
from packaging.version import Version

# Distribution → (lowest safe release, why).
FLOORS: dict[str, tuple[str, str]] = {
    "Django": (
        "5.2.18",
        "the 2026 security releases fixed cache-middleware bugs the page cache leans on",
    ),
    "Pillow": ("12.2", "decompression-bomb and decoder fixes for uploaded images"),
    "lxml": ("6.1", "the hardened parser of feeds and imports needs libxml2 fixes"),
    "nh3": ("0.3.7", "the sanitiser every story body goes through (ammonia fixes)"),
}

# Django deploy warnings that only say "there is no TLS" (embedded mode, HTTPS=false).
EMBEDDED_SILENCES: dict[str, str] = {
    "security.W004": "HSTS: a browser must not be told to insist on TLS that is not there",
    "security.W008": "SSL redirect: there is no HTTPS to redirect to",
    "security.W012": "secure session cookie: a Secure cookie is never sent over plain HTTP",
    "security.W016": "secure CSRF cookie: the same, for the CSRF cookie",
}


def installed_version(distribution: str) -> str | None:
    try:
        return version(distribution)
    except PackageNotFoundError:
        return None


def dependency_problems() -> list[str]:
    """One line per library below its floor (or missing)."""
    problems = []
    for distribution, (floor, why) in FLOORS.items():
        installed = installed_version(distribution)
        if installed is None:
            problems.append(f"{distribution} is not installed (Masthead needs {floor} or newer)")
        elif Version(installed) < Version(floor):
            problems.append(
                f"{distribution} {installed} is older than {floor}, the lowest safe release "
                f"({why}); upgrade it: pip install '{distribution}>={floor}'"
            )
    return problems


@register(Tags.security)
def check_dependency_floors(app_configs=None, **kwargs) -> list[Error]:
    return [Error(problem, id="masthead.E001") for problem in dependency_problems()]

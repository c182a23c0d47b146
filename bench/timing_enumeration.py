"""Can a stranger tell a staff account that exists from one that does not, by the clock?
(RELIABILITY.md E5: a statistical timing check as a bench, 2 × 2000 samples,
Mann–Whitney p > 0.01.)

    .venv/bin/python bench/timing_enumeration.py [--samples 2000]

Against Masthead's own views in one process (Django's test client, a fresh
SQLite database in a temporary folder): a failed sign-in with a name that
exists and with one that does not, and a password-reset request for an
address that exists and for one that does not. The two kinds of request are
sent in a shuffled order, each from its own client address (so the per-name
and address lockout never starts: the lockout's own answer is tested in
``masthead/accounts/tests``), and timed around the whole request.

The password hasher is PBKDF2 as in production with 1,000 iterations instead
of 1,000,000: Django hashes the password for an unknown name too, so the
hashing costs both kinds alike, and at full strength its noise (~0.3–1 s a
request here) would hide the differences this looks for — a query more, a
row written, a mail sent — and 4,000 samples would take an hour.

Prints one Markdown table (docs/security.md and docs/performance.md record a
run): medians, the difference, the Mann–Whitney U test's two-sided p
(normal approximation with the tie correction) and whether p > 0.01.
"""

from __future__ import annotations

import argparse
import logging
import math
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings")
os.environ["MASTHEAD_DATA_DIR"] = tempfile.mkdtemp(prefix="masthead-timing-")
os.environ.pop("DATABASE_URL", None)
os.environ.pop("CACHE_URL", None)

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.hashers import PBKDF2PasswordHasher  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

PASSWORD = "a long passphrase nobody guesses"


class BenchPBKDF2(PBKDF2PasswordHasher):
    """Production's hasher with fewer iterations (see the module's docstring)."""

    iterations = 1000


def mann_whitney_p(a: list[float], b: list[float]) -> float:
    """The two-sided p of the Mann–Whitney U test, normal approximation, tie-corrected."""
    pooled = sorted([(value, 0) for value in a] + [(value, 1) for value in b])
    ranks = [0.0] * len(pooled)
    ties = 0.0
    i = 0
    while i < len(pooled):
        j = i
        while j + 1 < len(pooled) and pooled[j + 1][0] == pooled[i][0]:
            j += 1
        for k in range(i, j + 1):
            ranks[k] = (i + j) / 2 + 1
        size = j - i + 1
        ties += size**3 - size
        i = j + 1
    n1, n2 = len(a), len(b)
    rank_sum = sum(rank for rank, (_v, group) in zip(ranks, pooled, strict=True) if group == 0)
    u = rank_sum - n1 * (n1 + 1) / 2
    n = n1 + n2
    sigma = math.sqrt(n1 * n2 / 12 * ((n + 1) - ties / (n * (n - 1))))
    z = (u - n1 * n2 / 2) / sigma if sigma else 0.0
    return math.erfc(abs(z) / math.sqrt(2))


def sample(send, kinds: dict[str, object], samples: int) -> dict[str, list[float]]:
    order = [kind for kind in kinds for _ in range(samples)]
    random.shuffle(order)
    times: dict[str, list[float]] = {kind: [] for kind in kinds}
    for number, kind in enumerate(order):
        address = f"10.{number // 65536 % 256}.{number // 256 % 256}.{number % 256}"
        client = Client(REMOTE_ADDR=address, HTTP_HOST="localhost")
        started = time.perf_counter()
        status = send(client, kinds[kind])
        times[kind].append(time.perf_counter() - started)
        if status not in (200, 302):
            raise SystemExit(f"{kind}: HTTP {status}")
    return times


def row(name: str, times: dict[str, list[float]]) -> str:
    (first, a), (second, b) = times.items()
    median_a, median_b = statistics.median(a) * 1000, statistics.median(b) * 1000
    p = mann_whitney_p(a, b)
    verdict = "yes" if p > 0.01 else "**no**"
    return (
        f"| {name} | {len(a)} × {len(b)} | {first} {median_a:.2f} ms | {second} {median_b:.2f} ms "
        f"| {median_b - median_a:+.2f} ms | {p:.3g} | {verdict} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=2000, help="of each kind (2000)")
    options = parser.parse_args()
    call_command("migrate", verbosity=0)
    logging.disable(logging.WARNING)  # one axes line per failed sign-in
    from django.contrib.auth import get_user_model

    plain_static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    with override_settings(
        PASSWORD_HASHERS=[f"{__name__}.BenchPBKDF2"],
        STORAGES={**settings.STORAGES, "staticfiles": plain_static},  # no collectstatic here
    ):
        get_user_model().objects.create_user(
            "writer", "writer@example.org", PASSWORD, is_staff=True
        )

        def sign_in(client, name):
            return client.post(
                "/account/login/", {"username": name, "password": "wrong password"}
            ).status_code

        def reset(client, email):
            return client.post("/account/password/reset/", {"email": email}).status_code

        rows = [
            row(
                "failed sign-in",
                sample(
                    sign_in, {"known name": "writer", "unknown name": "nobody"}, options.samples
                ),
            ),
            row(
                "password-reset request",
                sample(
                    reset,
                    {"known address": "writer@example.org", "unknown address": "no@example.org"},
                    options.samples,
                ),
            ),
        ]
    engine = settings.DATABASES["default"]["ENGINE"]
    print(f"Django {django.get_version()}, {engine}, load {os.getloadavg()[0]:.1f}")
    print("| request | samples | median | median | difference | Mann–Whitney p | p > 0.01 |")
    print("|---|---|---|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()

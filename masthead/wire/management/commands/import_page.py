"""`masthead import page FILE_OR_URL`: one article page from another site as a draft."""

from __future__ import annotations

import json
import sys

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError

from masthead.newsroom.models import Desk, StaffRole
from masthead.wire.pageimport import DEFAULT_MAX_BYTES, PageError, read_source

EXIT_REFUSED = 2


class Command(BaseCommand):
    help = (
        "Import one article page as a draft story: a saved HTML page, a page scraped to "
        "plain text, or an http(s) URL. The page's headline, kicker, byline, publication "
        "date, lead image URL and body are read from its own metadata (JSON-LD, Open "
        "Graph, microdata) and its text; page chrome (share lines, related stories, "
        "captions, comments, copyright) is left out. Importing the same page again "
        "updates its draft. --dry-run --json prints what would be stored and stores "
        "nothing. Exit status 2 with one line on stderr when the page cannot be imported."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", metavar="FILE_OR_URL", help="a file path or http(s) URL")
        parser.add_argument(
            "--desk", metavar="SLUG", help="the desk of the draft (default: the first desk)"
        )
        parser.add_argument(
            "--as",
            dest="username",
            metavar="USERNAME",
            help="the staff member the draft is made by, who must write for the desk "
            "(default: the first chief editor)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="read the page, store nothing, show the result"
        )
        parser.add_argument(
            "--json",
            action="store_true",
            help="print one JSON object: headline, kicker, byline, published, lead_image, body",
        )
        parser.add_argument(
            "--encoding",
            metavar="CHARSET",
            default="",
            help="read the page in this charset, whatever it declares (e.g. utf-8)",
        )
        parser.add_argument(
            "--max-mb",
            type=float,
            default=DEFAULT_MAX_BYTES / 1024 / 1024,
            help=f"refuse pages larger than this (default {DEFAULT_MAX_BYTES // 1024 // 1024})",
        )

    def handle(self, *args, **options):
        try:
            self._import(options)
        except (PageError, CommandError) as error:
            self._refuse(str(error))
        except PermissionDenied as error:
            self._refuse(f"not allowed: {error}")
        except ValidationError as error:
            self._refuse("the draft was refused: " + "; ".join(error.messages))
        except IntegrityError:
            # Two imports of one new page at once: the second one's draft was rolled back.
            self._refuse("this page was imported by someone else just now; run it again.")

    def _refuse(self, message: str) -> None:
        self.stderr.write(f"masthead import page: {message}")
        sys.exit(EXIT_REFUSED)

    def _import(self, options) -> None:
        desk = None if options["dry_run"] else _desk(options["desk"])
        actor = None if options["dry_run"] else _actor(options["username"])
        if options["dry_run"] and options["desk"]:
            _desk(options["desk"])  # a wrong slug is an error in a dry run too
        max_bytes = int(options["max_mb"] * 1024 * 1024)
        page, article = read_source(
            options["source"], max_bytes=max_bytes, encoding=options["encoding"]
        )
        for warning in article.warnings:
            self.stderr.write(f"masthead import page: warning: {warning}")
        if options["dry_run"]:
            self._show(article.as_json(), options["json"])
            return
        from masthead.wire.pageimport.store import import_article

        result = import_article(
            actor,
            article,
            desk=desk,
            source_key=article.canonical_url or page.url or f"file://{page.origin}",
            source_url=article.canonical_url or page.url,
            source_file="" if page.url else page.origin,
        )
        summary = {
            **article.as_json(),
            "story": result.story.pk,
            "slug": result.story.slug,
            "desk": desk.slug,
            "outcome": result.outcome,
            "label": result.label.name if result.label else None,
        }
        self._show(summary, options["json"])

    def _show(self, record: dict, as_json: bool) -> None:
        if as_json:
            self.stdout.write(json.dumps(record, ensure_ascii=False))
            return
        for key, value in record.items():
            if key == "body":
                value = f"{len(value.split())} words in {value.count(chr(10) * 2) + 1} paragraphs"
            self.stdout.write(f"{key:>10}: {value if value not in (None, '') else '—'}")


def _desk(slug: str | None) -> Desk:
    if slug:
        desk = Desk.objects.filter(slug=slug).first()
        if desk is None:
            known = ", ".join(Desk.objects.values_list("slug", flat=True)) or "none yet"
            raise CommandError(f"no desk “{slug}” (desks: {known}).")
        return desk
    desk = Desk.objects.first()
    if desk is None:
        raise CommandError("there is no desk yet; make one in the back office first.")
    return desk


def _actor(username: str | None):
    """``--as USERNAME``, else the first chief editor: someone who may write on every desk.

    Administrators and superusers hold no content role by themselves
    (stories/permissions.py), so they are no default.
    """
    users = get_user_model().objects.filter(is_active=True)
    if username:
        user = users.filter(username=username).first()
        if user is None:
            raise CommandError(f"no active user “{username}”.")
        return user
    chief = (
        StaffRole.objects.filter(role=StaffRole.Role.CHIEF_EDITOR, user__is_active=True)
        .select_related("user")
        .order_by("user__pk")
        .first()
    )
    if chief is None:
        raise CommandError(
            "no chief editor to import as; name a staff member who writes for the desk "
            "with --as USERNAME."
        )
    return chief.user

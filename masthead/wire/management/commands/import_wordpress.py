"""`masthead import wordpress EXPORT.xml [--uploads DIR] [--dry-run]`: move a WordPress site in."""

from __future__ import annotations

import json
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from masthead.newsroom.models import Desk
from masthead.wire.wxr.importer import Options, import_wordpress
from masthead.wire.wxr.report import Action, PostOutcome


class Command(BaseCommand):
    help = (
        "Import a WordPress export (Tools → Export → All content, a WXR 1.1/1.2 file, "
        "optionally gzip-compressed): posts become stories in the state WordPress had them "
        "in, with their dates; categories become desks, tags tags, users authors; featured "
        "images are read from a local copy of wp-content/uploads (never downloaded). Run it "
        "again after a newer export: changed posts are updated, nothing is duplicated, and "
        "stories changed in Masthead since are left alone. Old addresses (permalinks, "
        "/?p=123) answer 301 to the stories. Exit status: 0 all imported, 1 some posts "
        "failed, 2 the export was refused (nothing stored). See docs/wire-wordpress.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("export", help="the WXR file exported from WordPress (.xml or .xml.gz)")
        parser.add_argument(
            "--uploads",
            metavar="DIR",
            help="a local copy of the site's wp-content/uploads folder, for featured images",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="do everything and report it, then store nothing (holds one transaction open "
            "for the whole run: on SQLite, run it on a copy of the data folder if the site is "
            "busy)",
        )
        parser.add_argument(
            "--json",
            action="store_true",
            help="print JSON Lines: one object per post, then a summary object",
        )
        parser.add_argument(
            "--quiet",
            action="store_true",
            help="print only posts that were skipped, failed or have warnings, and the summary",
        )
        parser.add_argument(
            "--default-desk",
            metavar="SLUG",
            default="",
            help="the desk of posts with no category (default: a desk “News”, made if needed)",
        )
        parser.add_argument(
            "--desk",
            metavar="CATEGORY=DESK",
            action="append",
            default=[],
            help="put posts of a WordPress category (its slug) on an existing desk (its slug), "
            "instead of a desk made from the category; repeat for more",
        )
        parser.add_argument(
            "--timezone",
            metavar="ZONE",
            default="",
            help="the WordPress site's time zone (e.g. Asia/Tehran), for posts whose export "
            f"has local times only (default: {settings.TIME_ZONE})",
        )
        parser.add_argument(
            "--language",
            metavar="CODE",
            default="",
            help="the stories' language (e.g. fa), when the export's is wrong; a post's own "
            "Polylang/WPML language still wins",
        )

    def handle(self, *args, **options):
        path = Path(options["export"])
        if not path.is_file():
            raise CommandError(f"There is no file {path}.")
        uploads = None
        if options["uploads"]:
            uploads = Path(options["uploads"])
            if not uploads.is_dir():
                raise CommandError(f"The uploads folder {uploads} does not exist.")
        desk_map = self._desk_map(options["desk"])
        default_desk = options["default_desk"]
        if default_desk and not Desk.objects.filter(slug=default_desk).exists():
            raise CommandError(f"There is no desk with the slug {default_desk!r}.")
        zone = options["timezone"] or settings.TIME_ZONE
        try:
            site_zone = ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise CommandError(
                f"Unknown time zone {zone!r} (use a name like Asia/Tehran)."
            ) from None
        as_json, quiet = options["json"], options["quiet"]

        def show(outcome: PostOutcome) -> None:
            if as_json:
                self.stdout.write(outcome.as_json())
            elif not quiet or outcome.reasons or outcome.action == Action.FAILED:
                self.stdout.write(outcome.line())

        report = import_wordpress(
            path,
            Options(
                uploads=uploads,
                dry_run=options["dry_run"],
                default_desk=default_desk,
                desk_map=desk_map,
                timezone=site_zone,
                language=options["language"],
            ),
            on_outcome=show,
        )
        if as_json:
            self.stdout.write(json.dumps(report.summary(), ensure_ascii=False))
        elif report.error:
            self.stderr.write(report.summary_text())
        else:
            self.stdout.write(report.summary_text())
        if report.error:
            raise SystemExit(2)
        if not report.ok:
            raise SystemExit(1)

    @staticmethod
    def _desk_map(pairs: list[str]) -> dict[str, str]:
        mapping = {}
        for pair in pairs:
            category, _, desk = pair.partition("=")
            if not category or not desk:
                raise CommandError(f"--desk takes CATEGORY=DESK (slugs), not {pair!r}.")
            if not Desk.objects.filter(slug=desk).exists():
                raise CommandError(f"There is no desk with the slug {desk!r}.")
            mapping[category.strip()] = desk.strip()
        return mapping

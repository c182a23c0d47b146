"""`masthead restore DIR [--replace]`: a backup, checked, in place of the database and media."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from masthead.backups import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by `masthead backup`: every checksum is checked first, "
        "then the database and the media are replaced."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", help="the backup folder (with its manifest.json)")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="overwrite a database that already holds stories or accounts",
        )

    def handle(self, *args, folder: str, replace: bool, **options):
        try:
            done = restore(Path(folder), replace=replace)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored the {done.vendor} database and {done.media_files:,} media files "
                f"from {done.folder}. Run `masthead manage migrate` if this release is newer."
            )
        )

"""`masthead backup DIR`: the database and the media, with checksums (masthead/backups.py)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from masthead.backups import BackupError, backup


class Command(BaseCommand):
    help = "Back up the database and the media into a new folder, with a checksum manifest."

    def add_arguments(self, parser):
        parser.add_argument("folder", help="a new (or empty) folder to write the backup into")

    def handle(self, *args, folder: str, **options):
        try:
            done = backup(Path(folder))
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up the {done.vendor} database ({done.database_bytes:,} bytes) and "
                f"{done.media_files:,} media files ({done.media_bytes:,} bytes) to {done.folder}"
            )
        )

"""``manage.py search_rebuild``: index every story again (docs/search.md)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from masthead.search.engines import current_engine
from masthead.search.indexing import REBUILD_BATCH, rebuild_index


class Command(BaseCommand):
    help = (
        "Index every story again, in batches by id (one transaction each), then drop "
        "words of stories that no longer exist. Safe while the site runs: searches keep "
        "answering from the rows not yet rewritten. Run it after restoring a backup, "
        "after loading stories with bulk SQL, or after renaming a tag or an author."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch",
            type=int,
            default=REBUILD_BATCH,
            help=f"Stories per transaction (default {REBUILD_BATCH}).",
        )

    def handle(self, *args, batch: int, verbosity: int = 1, **options):
        if batch < 1 or batch > 100_000:
            raise CommandError("--batch must be between 1 and 100000.")
        started = time.monotonic()
        engine = current_engine()

        def progress(done: int) -> None:
            if verbosity > 1:
                self.stdout.write(f"{done:,} stories indexed")

        count = rebuild_index(batch=batch, progress=progress)
        seconds = time.monotonic() - started
        self.stdout.write(f"Indexed {count:,} stories with {engine.name} in {seconds:.1f} s.")

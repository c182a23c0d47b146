"""Blank the client hash and e-mail of readers' reports past their retention period.

``masthead worker`` does this every hour (``PERIODIC_WORK``); this command is
for a site that runs no worker, from cron.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand

from masthead.sourcing.reports import expire_personal_data


class Command(BaseCommand):
    help = (
        "Blank the client hash and e-mail of readers' error reports older than "
        "ERROR_REPORT_RETENTION_DAYS."
    )

    def handle(self, *args, **options):
        blanked = expire_personal_data()
        self.stdout.write(
            f"{blanked} report(s) older than {settings.ERROR_REPORT_RETENTION_DAYS} days "
            "had their client hash and e-mail removed."
        )

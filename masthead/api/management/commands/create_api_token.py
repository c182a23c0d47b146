"""`masthead manage create_api_token USERNAME --name NAME`: issue an API token."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from masthead.api.services import issue_token


class Command(BaseCommand):
    help = (
        "Issue an API token for the staff account USERNAME and print it once. "
        "Programs send it as `Authorization: Bearer <token>` to the write API "
        "(/api/desk/…); they may do exactly what the account may do in the back "
        "office. Only a digest is stored: a lost token cannot be shown again, "
        "revoke it (revoke_api_token) and issue a new one."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="the staff account the token acts as")
        parser.add_argument(
            "--name", required=True, help="what the token is for, e.g. “wire bot” (shown in lists)"
        )
        parser.add_argument(
            "--expires-days",
            type=int,
            metavar="N",
            help="the token stops working after N days (default: until revoked)",
        )

    def handle(self, *args, username: str, name: str, expires_days: int | None, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no account named {username!r}.")
        if not user.is_active:
            raise CommandError(f"The account {username!r} is deactivated.")
        if expires_days is not None and expires_days < 1:
            raise CommandError("--expires-days must be 1 or more.")
        issued = issue_token(user, name, expires_in_days=expires_days)
        expiry = (
            f"expires {issued.token.expires_at:%Y-%m-%d %H:%M} UTC"
            if issued.token.expires_at
            else "does not expire"
        )
        self.stderr.write(
            f"API token “{issued.token.name}” for {username} ({expiry}). "
            "It is shown this once; store it now."
        )
        self.stdout.write(issued.raw)

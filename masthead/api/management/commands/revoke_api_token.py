"""`masthead manage revoke_api_token HINT`: stop an API token from working."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from masthead.api.models import ApiToken, digest
from masthead.api.services import revoke_token


class Command(BaseCommand):
    help = (
        "Revoke an API token at once. Name it by the first characters that lists "
        "show (its hint, e.g. mh_AbC1234) or by the whole token."
    )

    def add_arguments(self, parser):
        parser.add_argument("token", help="the token's hint or the whole token")

    def handle(self, *args, token: str, **options):
        matches = list(ApiToken.objects.select_related("user").filter(hint=token[:10]))
        if len(token) > 10:
            matches = [match for match in matches if match.token_digest == digest(token)]
        if not matches:
            raise CommandError(f"No API token starts with {token[:10]!r}.")
        if len(matches) > 1:
            raise CommandError("Several tokens share that hint: give the whole token.")
        revoked = revoke_token(matches[0])
        self.stdout.write(f"Revoked “{revoked.name}” of {revoked.user}.")

"""`masthead manage remove_two_factor USERNAME`: for someone who lost phone and backup codes."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from masthead.accounts.services import remove_two_factor


class Command(BaseCommand):
    help = (
        "Remove the authenticator app and backup codes of one staff account, e.g. after a "
        "lost phone. If their role requires two-factor, they set it up again at their next "
        "sign-in; confirm who is asking before you run this."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="the account's username (case-sensitive)")

    def handle(self, *args, username: str, **options):
        user_model = get_user_model()
        try:
            user = user_model.objects.get(**{user_model.USERNAME_FIELD: username})
        except user_model.DoesNotExist:
            raise CommandError(f"No account with the username {username!r}.") from None
        removed = remove_two_factor(user)
        if removed:
            self.stdout.write(f"Removed two-factor sign-in from {username!r}.")
        else:
            self.stdout.write(f"{username!r} had no two-factor device; nothing changed.")

"""`masthead manage load_demo`: load (or refresh) the demo outlet."""

from django.core.management.base import BaseCommand, CommandError

from masthead.demo.loader import load_demo
from masthead.demo.material import MaterialError
from masthead.demo.seed import SeedFormatError


class Command(BaseCommand):
    help = (
        "Load the demo outlet (Iran Front Page, built from the seed article page): "
        "desks, authors, demo staff accounts and a few hundred stories. "
        "Safe to run again: it brings the same rows back to the same state."
    )

    def handle(self, *args, **options):
        try:
            result = load_demo()
        except SeedFormatError as error:
            raise CommandError(f"The seed page cannot be read: {error}") from None
        except MaterialError as error:
            raise CommandError(f"The demo's desk material is wrong: {error}") from None
        self.stdout.write(self.style.SUCCESS(f"Demo outlet loaded: {result.stories} stories."))
        self.stdout.write("Demo logins:")
        for username, password, role in result.logins:
            self.stdout.write(f"  {username:<22} {password:<16} {role}")

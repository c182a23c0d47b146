"""What must follow a change to an account, wherever it is made: sessions, audit, the owner told.

The back office's staff pages, the sign-in pages and the Django admin all
change accounts; each calls these functions so the consequences are the same:

* ``end_sessions``: a deactivated account is signed out everywhere, so
  reactivating it later does not bring its old sessions back. (A password
  change needs nothing from here: Django ties every session to the password
  hash, so the other sessions fail their next request on their own.)
* ``record_email_change``: the audit trail keeps who changed the sign-in
  address from what to what, and the old address is told by mail (queued
  for a worker), since a password reset to the new one would hand over the
  account.
* ``record_password_change``: who changed a password, and how; never the
  password.

Sessions live in the database (Django's default engine): ending a person's
sessions reads the sessions that have not expired, which are only signed-in
staff (readers never get one), and deletes theirs.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext

from masthead.accounts.tasks import send_email
from masthead.newsroom import audit
from masthead.newsroom.models import Outlet


def end_sessions(user, *, keep_session_key: str | None = None) -> int:
    """Sign ``user`` out everywhere (except the session ``keep_session_key``); how many ended."""
    user_id = str(user.pk)
    ended = [
        session.session_key
        for session in Session.objects.filter(expire_date__gt=timezone.now())
        .only("session_key", "session_data")
        .iterator()
        if session.session_key != keep_session_key
        and session.get_decoded().get(SESSION_KEY) == user_id
    ]
    Session.objects.filter(session_key__in=ended).delete()
    return len(ended)


def record_email_change(actor, user, old_email: str, new_email: str) -> bool:
    """Audit the change of ``user``'s address; mail the old one once the change is kept.

    Returns whether a notice will go out (there is none without an old address).
    """
    audit.record(
        actor,
        "staff_email",
        user,
        note=f"{old_email or 'no address'} → {new_email or 'no address'}",
        before=old_email,
        after=new_email,
    )
    if not old_email:
        return False
    context = {
        "outlet_name": Outlet.current().name or "Masthead",
        "username": user.get_username(),
        "old_email": old_email,
        "new_email": new_email,
        "changed_by": actor.get_username() if actor is not None else gettext("an operator"),
        "changed_at": timezone.now(),
    }
    subject = render_to_string("accounts/email/email_changed_subject.txt", context).strip()
    body = render_to_string("accounts/email/email_changed.txt", context)

    def notify() -> None:
        send_email.enqueue(subject, body, [old_email], settings.DEFAULT_FROM_EMAIL)

    # After commit (a rolled-back change tells nobody), sent by a worker
    # (masthead/accounts/tasks.py); robust: the change is kept even when the
    # notice cannot be queued (the failure is logged).
    transaction.on_commit(notify, robust=True)
    return True


def record_password_change(actor, user, how: str) -> None:
    """Audit that ``user``'s password changed; ``how`` in a few words ("set in the admin")."""
    audit.record(actor, "staff_password", user, note=how)

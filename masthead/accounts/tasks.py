"""Mail to staff, sent by a `masthead worker` rather than in the request that caused it.

A request that sends mail waits on the mail server (seconds, or the 10 s
time-out when it is down), and the time a reset request takes would tell
whether the address has an account. The request renders the message and
queues it; the worker sends it through ``EMAIL_BACKEND``. A failure is the
task's: recorded FAILED with its traceback (and logged), never the user's.
The queued task holds the rendered message, a reset link included, until
its result is pruned (``TASKS_KEEP_DAYS``); the link itself works once and
for ``PASSWORD_RESET_TIMEOUT``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django_tasks import task


@task()
def send_email(
    subject: str, body: str, recipients: list[str], from_email: str = "", html_body: str = ""
) -> int:
    message = EmailMultiAlternatives(
        subject, body, from_email or settings.DEFAULT_FROM_EMAIL, recipients
    )
    if html_body:
        message.attach_alternative(html_body, "text/html")
    return message.send()

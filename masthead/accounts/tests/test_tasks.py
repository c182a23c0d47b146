"""Staff mail goes out from a worker, not from the request that caused it."""

from __future__ import annotations

import pytest
from django.core import mail

from masthead.worker import database_queue

# The worker, like a server process, drops connections in a transaction it did not open.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def queued_in_database(settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }


def run_worker() -> None:
    database_queue.run(
        queues=["default"], worker_id="test", once=True, max_tasks=None, on_shutdown=lambda: None
    )


def test_a_reset_request_queues_the_mail_and_a_worker_sends_it(client, people, queued_in_database):
    from django_tasks_db.models import DBTaskResult

    writer = people["writer"]

    response = client.post("/account/password/reset/", {"email": writer.email})

    assert response.status_code == 302
    assert mail.outbox == []
    [queued] = DBTaskResult.objects.all()
    assert queued.task_path == "masthead.accounts.tasks.send_email"

    run_worker()

    [message] = mail.outbox
    assert message.to == [writer.email] and "/account/password/reset/" in message.body
    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL" and queued.return_value == 1


def test_a_mail_server_that_is_down_fails_the_task_not_the_request(
    client, people, queued_in_database, settings
):
    from django_tasks_db.models import DBTaskResult

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2

    response = client.post("/account/password/reset/", {"email": people["writer"].email})
    run_worker()

    assert response.status_code == 302
    [failed] = DBTaskResult.objects.all()
    assert failed.status == "FAILED" and failed.exception_class_path.endswith("Error")

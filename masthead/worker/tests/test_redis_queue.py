"""The RQ worker's command listener stops promptly, whatever it was doing."""

from __future__ import annotations

import threading
import time

import redis
from rq import Queue

from masthead.worker.redis_queue import RQWorker


def test_the_command_listener_stops_even_after_it_read_the_unsubscribe_reply(redis_url):
    connection = redis.Redis.from_url(redis_url)
    worker = RQWorker([Queue("listener-test", connection=connection)], connection=connection)
    worker.subscribe()
    try:
        wait_for(lambda: worker.pubsub.subscribed)
        # The race RQ 3.0 + redis-py 8.2 lose at shutdown: the listener
        # handles the unsubscribe reply before it is told to stop, then
        # waits out its wake interval for a subscription that never comes.
        worker.pubsub.unsubscribe()
        wait_for(lambda: not worker.pubsub.subscribed)

        stopping = threading.Thread(target=worker.unsubscribe, daemon=True)
        stopping.start()
        stopping.join(timeout=15)  # RQ's own interval is 60 s

        assert not stopping.is_alive(), "the worker's shutdown waits on its command listener"
        assert not worker.pubsub_thread.is_alive()
    finally:
        connection.close()


def wait_for(condition, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline
        time.sleep(0.01)

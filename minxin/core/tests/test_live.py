"""The listener delivers each live signal once, and none from before it started."""

from __future__ import annotations

import queue

import pytest

from minxin.core.events import DatabaseBroker
from minxin.core.live import Hub


@pytest.mark.django_db(transaction=True)
def test_a_new_listener_delivers_only_what_is_sent_after_it_started() -> None:
    broker = DatabaseBroker()
    broker.send("hall:test", {"type": "old"})
    hub = Hub()
    inbox: queue.SimpleQueue[dict] = queue.SimpleQueue()
    unsubscribe = hub.subscribe("hall:test", inbox.put)
    try:
        import time

        time.sleep(0.6)  # the listener takes its starting point
        broker.send("hall:test", {"type": "new"})
        broker.send("hall:other", {"type": "elsewhere"})
        first = inbox.get(timeout=5)
        assert first["type"] == "new"
        time.sleep(0.6)
        assert inbox.empty()  # not the old one, not another hall's, and "new" only once
    finally:
        unsubscribe()

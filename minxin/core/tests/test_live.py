"""The listener delivers each live signal once, none from before it started, none lost to a late commit
or a lost connection; on PostgreSQL the insert wakes it with a NOTIFY; the table replays a topic."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from minxin.core import clock
from minxin.core.events import NOTIFY_CHANNEL, DatabaseBroker
from minxin.core.live import Hub
from minxin.core.models import LiveMessage

pytestmark = pytest.mark.django_db(transaction=True)
postgresql_only = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL only")


@pytest.fixture
def listening() -> Iterator[tuple[Hub, queue.SimpleQueue[dict[str, Any]]]]:
    """A fresh hub with one subscriber to hall:test, ready (it knows where it starts)."""
    hub = Hub()
    inbox: queue.SimpleQueue[dict[str, Any]] = queue.SimpleQueue()
    unsubscribe = hub.subscribe("hall:test", inbox.put)
    assert hub.wait_ready(timeout=10)
    yield hub, inbox
    unsubscribe()


def received(inbox: queue.SimpleQueue[dict[str, Any]], count: int) -> list[dict[str, Any]]:
    return [inbox.get(timeout=10) for _ in range(count)]


def latest_id() -> int:
    return LiveMessage.objects.order_by("-id").values_list("id", flat=True)[0]


def test_a_new_listener_delivers_only_what_is_sent_after_it_started() -> None:
    broker = DatabaseBroker()
    broker.send("hall:test", {"type": "old"})
    hub = Hub()
    inbox: queue.SimpleQueue[dict[str, Any]] = queue.SimpleQueue()
    unsubscribe = hub.subscribe("hall:test", inbox.put)
    try:
        assert hub.wait_ready(timeout=10)
        broker.send("hall:test", {"type": "new"})
        broker.send("hall:other", {"type": "elsewhere"})
        first = inbox.get(timeout=5)
        assert first["type"] == "new"
        assert first["seq"] == LiveMessage.objects.get(payload__type="new").pk  # the frame's id
        time.sleep(1.2)  # a poll on SQLite, the fallback poll on PostgreSQL
        assert inbox.empty()  # not the old one, not another hall's, and "new" only once
    finally:
        unsubscribe()


def test_leaving_never_waits_for_the_hub_lock() -> None:
    """A stream's generator left unfinished is closed by the garbage collector in whichever thread
    allocates at that moment, which can be the listener inside its own lock: leaving must not block."""
    hub = Hub()
    unsubscribe = hub.subscribe("hall:test", lambda _message: None)
    left = threading.Event()

    def leave_while_holding_the_lock() -> None:
        with hub._lock:
            unsubscribe()
        left.set()

    threading.Thread(target=leave_while_holding_the_lock, daemon=True).start()
    assert left.wait(5), "unsubscribe blocked on the hub's lock"
    assert hub.watchers() == 0


def test_publishing_is_one_statement_on_both_databases() -> None:
    with CaptureQueriesContext(connection) as context:
        DatabaseBroker().send("hall:test", {"type": "called", "number": "A001"})
    assert len(context.captured_queries) == 1
    assert LiveMessage.objects.get().payload == {"type": "called", "number": "A001"}


@postgresql_only
def test_on_postgresql_publishing_notifies_the_listeners_with_the_row_id() -> None:
    import psycopg

    listener = psycopg.connect(**connection.get_connection_params(), autocommit=True)
    try:
        listener.execute(f"LISTEN {NOTIFY_CHANNEL}")
        DatabaseBroker().send("hall:test", {"type": "called"})
        notifications = list(listener.notifies(timeout=5, stop_after=1))
    finally:
        listener.close()
    assert [(n.channel, n.payload) for n in notifications] == [(NOTIFY_CHANNEL, str(latest_id()))]


@pytest.fixture
def ids_far_ahead() -> None:
    """An empty table whose next id lies far above 0, as after the purge of a busy hour."""
    LiveMessage.objects.bulk_create(
        [LiveMessage(topic="hall:old", payload={}, created_at=clock.now()) for _ in range(1500)]
    )
    LiveMessage.objects.all().delete()


@postgresql_only
@pytest.mark.parametrize("ids", ["from_the_start", "far_ahead"])
def test_a_message_committed_after_a_later_one_is_still_delivered(request, ids) -> None:
    """Ids are handed out at insert and become visible at commit, so a lower id can appear later; also
    when the listener starts on an empty table and the first ids it sees lie far above 0."""
    if ids == "far_ahead":
        request.getfixturevalue("ids_far_ahead")
    _hub, inbox = request.getfixturevalue("listening")
    inserted, release = threading.Event(), threading.Event()

    def slow_publisher() -> None:
        with transaction.atomic():
            DatabaseBroker().send("hall:test", {"type": "slow"})
            inserted.set()
            release.wait(10)
        connection.close()

    slow = threading.Thread(target=slow_publisher)
    slow.start()
    assert inserted.wait(10)
    DatabaseBroker().send("hall:test", {"type": "fast"})
    fast = inbox.get(timeout=5)
    release.set()
    slow.join()
    late = inbox.get(timeout=5)
    assert (fast["type"], late["type"]) == ("fast", "slow")
    assert late["seq"] < fast["seq"]


@postgresql_only
def test_what_is_committed_while_the_listener_reconnects_is_delivered_after_it(listening) -> None:
    _hub, inbox = listening
    DatabaseBroker().send("hall:test", {"type": "before"})
    assert inbox.get(timeout=5)["type"] == "before"
    with connection.cursor() as cursor:  # cut the listener's connection (it LISTENs on it)
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND (query LIKE 'LISTEN%%' OR query LIKE '%%core_livemessage%%')"
        )
        assert cursor.fetchall(), "the listener's connection was not found"
    DatabaseBroker().send("hall:test", {"type": "during"})
    DatabaseBroker().send("hall:test", {"type": "after"})
    assert [m["type"] for m in received(inbox, 2)] == ["during", "after"]


def test_a_replay_waits_for_the_listener_so_nothing_falls_between_them() -> None:
    hub = Hub()
    inbox: queue.SimpleQueue[dict[str, Any]] = queue.SimpleQueue()
    unsubscribe = hub.subscribe("hall:test", inbox.put)  # the listener starts, and takes a moment
    try:
        assert hub.replay("hall:test", 0) == []
        DatabaseBroker().send("hall:test", {"type": "right after"})  # not in the replay: must come live
        assert inbox.get(timeout=5)["type"] == "right after"
    finally:
        unsubscribe()


def test_the_table_replays_a_topic_after_an_id(listening) -> None:
    hub, _inbox = listening
    broker = DatabaseBroker()
    for kind in ("first", "second", "third"):
        broker.send("hall:test", {"type": kind})
        broker.send("hall:other", {"type": kind})
    first = LiveMessage.objects.get(topic="hall:test", payload__type="first").pk
    replayed = hub.replay("hall:test", first)
    rows = LiveMessage.objects.filter(topic="hall:test", id__gt=first).order_by("id")
    assert [(m["type"], m["seq"]) for m in replayed] == [(row.payload["type"], row.pk) for row in rows]
    assert [m["type"] for m in replayed] == ["second", "third"]
    assert hub.replay("hall:test", latest_id()) == []

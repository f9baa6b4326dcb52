"""The listening side of `core.events`: one background thread per process receives every live signal
(Redis pub/sub, or the LiveMessage table) and hands it to the subscribers of its topic. Event streams
subscribe here, so ten thousand watchers in one process cost one listener, not ten thousand.

On PostgreSQL the listener LISTENs for the NOTIFY that each insert sends and reads the table as soon as
one arrives (and every FALLBACK_POLL_SECONDS regardless); on SQLite it polls every POLL_SECONDS. The
table is the truth either way: a missed notification only delays a message, a listener that lost its
connection goes on from the last row it delivered, and a reconnecting stream is sent the rows it missed.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Q

from minxin.core.events import NOTIFY_CHANNEL, REDIS_CHANNEL_PREFIX
from minxin.core.sql import listen

logger = logging.getLogger(__name__)
Callback = Callable[[dict[str, Any]], None]
POLL_SECONDS = 0.25
FALLBACK_POLL_SECONDS = 1.0
IDLE_SECONDS = 2.0
BATCH = 1000
REPLAY_LIMIT = 1000
# Rows are inserted by many processes, so an id can become visible after a higher one. An id skipped
# over is looked for again until it shows up or GAP_SECONDS pass (a rolled-back insert never shows up).
GAP_SECONDS = 10.0
MAX_GAPS = 1000
REDIS_RETRY_SECONDS = 3.0  # how often a listener that lost Redis tries it again


class Hub:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: dict[str, set[Callback]] = {}
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._leaving: deque[tuple[str, Callback]] = deque()

    def subscribe(self, topic: str, callback: Callback) -> Callable[[], None]:
        with self._lock:
            self._settle()
            self._subscribers.setdefault(topic, set()).add(callback)
            if self._thread is None or not self._thread.is_alive():
                self._ready.clear()
                self._thread = threading.Thread(target=self._run, name="minxin-live", daemon=True)
                self._thread.start()

        def unsubscribe() -> None:
            # No lock here: a stream's generator left unfinished is closed by the garbage collector, in
            # whichever thread allocates at that moment, which may be inside this lock (seen as a
            # deadlock in the test suite). The next holder of the lock applies the removal.
            self._leaving.append((topic, callback))

        return unsubscribe

    def _settle(self) -> None:
        """Apply the unsubscriptions queued since (under the lock)."""
        while self._leaving:
            topic, callback = self._leaving.popleft()
            self._subscribers.get(topic, set()).discard(callback)

    def wait_ready(self, timeout: float) -> bool:
        """Wait until the listener knows where it starts: every message committed after that is delivered."""
        return self._ready.wait(timeout)

    def replay(self, topic: str, after: int) -> list[dict[str, Any]]:
        """The messages of `topic` after id `after` that the table still holds, oldest first, as they are
        dispatched (at most REPLAY_LIMIT, the latest). Call it after subscribing: a message is then here
        or still to be dispatched (or both: the caller drops the second copy by its id), never neither.
        Runs a query: call it from a thread that may block."""
        from minxin.core.models import LiveMessage

        if not self.wait_ready(timeout=10.0):
            logger.warning("live listener not ready; replaying anyway")
        rows = list(
            LiveMessage.objects.filter(topic=topic, id__gt=after)
            .order_by("-id")
            .values_list("id", "payload")[:REPLAY_LIMIT]
        )
        return [{**payload, "seq": row_id} for row_id, payload in reversed(rows)]

    def watchers(self) -> int:
        with self._lock:
            self._settle()
            return sum(len(callbacks) for callbacks in self._subscribers.values())

    def dispatch(self, topic: str, message: dict[str, Any]) -> None:
        with self._lock:
            self._settle()
            callbacks = list(self._subscribers.get(topic, ()))
        for callback in callbacks:
            try:
                callback(message)
            except Exception:
                logger.exception("live subscriber failed")

    def _run(self) -> None:
        """Listen while anyone watches; with nobody left for a few seconds, close the connection and end
        (the next subscriber starts a new listener). After a database error, reconnect and go on from
        where the listener was, so the messages committed meanwhile are delivered too."""
        reader = TableReader()
        while True:
            with self._lock:
                # Decided under the lock that subscribe() takes, so no subscriber is left without a listener.
                self._settle()
                if not any(self._subscribers.values()):
                    self._thread = None
                    return
            try:
                if settings.REDIS_URL:
                    self._listen_redis(reader)
                else:
                    self._listen_database(reader)
            except DatabaseError:
                logger.exception("live listener lost the database; reconnecting")
                time.sleep(1)
            except Exception:
                # Anything else may come back on every read (a row it cannot handle): skip what is there.
                logger.exception("live listener failed; starting afresh")
                reader = TableReader()
                time.sleep(1)
            finally:
                connection.close()

    def _idle(self, since: list[float]) -> bool:
        """True once nobody has watched for IDLE_SECONDS (`since` holds when the hub became empty)."""
        if self.watchers():
            since.clear()
            return False
        if not since:
            since.append(time.monotonic())
        return time.monotonic() - since[0] > IDLE_SECONDS

    def _listen_redis(self, reader: TableReader) -> None:
        """Redis pub/sub, and beside it the LiveMessage table every second: a publisher that cannot reach
        Redis writes the table instead (`core.events.RedisBroker`), so an outage loses no event. While
        Redis is down the table alone carries the signals, and Redis is tried again every few seconds."""
        if reader.last is None:
            reader.start()
        self._ready.set()
        empty_since: list[float] = []
        pubsub = None
        retry_at = 0.0
        while not self._idle(empty_since):
            if pubsub is None and time.monotonic() >= retry_at:
                pubsub = self._redis_subscribe()
                retry_at = time.monotonic() + REDIS_RETRY_SECONDS
            if pubsub is not None:
                pubsub = self._redis_drain(pubsub)
            else:
                time.sleep(FALLBACK_POLL_SECONDS)
            for row_id, topic, payload in reader.read():
                self.dispatch(topic, {**payload, "seq": row_id})

    @staticmethod
    def _redis_subscribe() -> Any:
        import redis

        try:
            client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1.0)
            pubsub = client.pubsub(ignore_subscribe_messages=True)
            pubsub.psubscribe(REDIS_CHANNEL_PREFIX + "*")
        except redis.RedisError as error:
            logger.warning("live listener cannot reach Redis (%s); reading the table meanwhile", error)
            return None
        return pubsub

    def _redis_drain(self, pubsub: Any) -> Any:
        """Deliver what Redis has for up to FALLBACK_POLL_SECONDS; None when the connection is lost."""
        import redis

        try:
            item = pubsub.get_message(timeout=FALLBACK_POLL_SECONDS)
        except (redis.RedisError, OSError) as error:
            logger.warning("live listener lost Redis (%s); reading the table meanwhile", error)
            with contextlib.suppress(Exception):
                pubsub.close()
            return None
        if item and item.get("type") == "pmessage":
            topic = item["channel"].decode()[len(REDIS_CHANNEL_PREFIX) :]
            self.dispatch(topic, json.loads(item["data"]))
        return pubsub

    def _listen_database(self, reader: TableReader) -> None:
        notified = connection.vendor == "postgresql"
        if notified:
            listen(NOTIFY_CHANNEL)  # before the first read: nothing falls between
        if reader.last is None:
            reader.start()  # what was there before this listener started is history, not news
        self._ready.set()
        empty_since: list[float] = []
        while not self._idle(empty_since):
            rows = reader.read()
            for row_id, topic, payload in rows:
                self.dispatch(topic, {**payload, "seq": row_id})
            if len(rows) == BATCH:
                continue
            if notified:
                # Returns at the first notification (or with those that came during the read), else after
                # the fallback delay. The connection is this thread's own and stays in autocommit.
                with connection.wrap_database_errors:  # psycopg's errors as Django's DatabaseError
                    # Only the wake-up matters: the rows are read from the table.
                    list(connection.connection.notifies(timeout=FALLBACK_POLL_SECONDS, stop_after=1))
            else:
                time.sleep(POLL_SECONDS)


class TableReader:
    """Where a listener is in the LiveMessage table: the highest id delivered, and the lower ids skipped
    over because they were not visible yet (`gaps`, with when each was noticed)."""

    def __init__(self) -> None:
        self.last: int | None = None
        self.gaps: dict[int, float] = {}

    def start(self) -> None:
        from minxin.core.models import LiveMessage

        self.last = LiveMessage.objects.order_by("-id").values_list("id", flat=True).first() or 0
        recent = set(LiveMessage.objects.filter(id__gt=self.last - MAX_GAPS).values_list("id", flat=True))
        now = time.monotonic()
        # Ids missing between the recent rows may still be committed; below them they are long gone.
        self.gaps = {n: now for n in range(min(recent, default=self.last), self.last) if n not in recent}

    def read(self) -> list[tuple[int, str, dict[str, Any]]]:
        """The rows not delivered yet, oldest first (at most BATCH)."""
        from minxin.core.models import LiveMessage

        assert self.last is not None, "start() first"
        now = time.monotonic()
        self.gaps = {n: at for n, at in self.gaps.items() if now - at < GAP_SECONDS}
        wanted = Q(id__gt=self.last) | Q(id__in=list(self.gaps)) if self.gaps else Q(id__gt=self.last)
        rows = list(
            LiveMessage.objects.filter(wanted).order_by("id").values_list("id", "topic", "payload")[:BATCH]
        )
        for row_id, _topic, _payload in rows:
            if self.gaps.pop(row_id, None) is not None:
                continue
            # Ids skipped over may still commit; after a long jump (an empty table at start, ids far
            # above 0 after a purge) only the nearest MAX_GAPS can still be in flight.
            self.gaps.update(dict.fromkeys(range(max(self.last + 1, row_id - MAX_GAPS), row_id), now))
            self.last = row_id
        return rows


hub = Hub()

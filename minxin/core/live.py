"""The listening side of `core.events`: one background thread per process receives every live signal
(Redis pub/sub, or polling the LiveMessage table) and hands it to the subscribers of its topic. Event
streams subscribe here, so ten thousand watchers in one process cost one poll, not ten thousand."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection

from minxin.core.events import REDIS_CHANNEL_PREFIX

logger = logging.getLogger(__name__)
Callback = Callable[[dict[str, Any]], None]
POLL_SECONDS = 0.25
IDLE_SECONDS = 2.0
REREAD_MARGIN = 200


class Hub:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: dict[str, set[Callback]] = {}
        self._thread: threading.Thread | None = None

    def subscribe(self, topic: str, callback: Callback) -> Callable[[], None]:
        with self._lock:
            self._subscribers.setdefault(topic, set()).add(callback)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="minxin-live", daemon=True)
                self._thread.start()

        def unsubscribe() -> None:
            with self._lock:
                self._subscribers.get(topic, set()).discard(callback)

        return unsubscribe

    def watchers(self) -> int:
        with self._lock:
            return sum(len(callbacks) for callbacks in self._subscribers.values())

    def dispatch(self, topic: str, message: dict[str, Any]) -> None:
        with self._lock:
            callbacks = list(self._subscribers.get(topic, ()))
        for callback in callbacks:
            try:
                callback(message)
            except Exception:
                logger.exception("live subscriber failed")

    def _run(self) -> None:
        """Listen while anyone watches; with nobody left for a few seconds, close the connection and end
        (the next subscriber starts a new listener)."""
        while True:
            with self._lock:
                # Decided under the lock that subscribe() takes, so no subscriber is left without a listener.
                if not any(self._subscribers.values()):
                    self._thread = None
                    return
            try:
                if settings.REDIS_URL:
                    self._listen_redis()
                else:
                    self._poll_database()
            except Exception:
                logger.exception("live listener failed; retrying")
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

    def _listen_redis(self) -> None:
        import redis

        pubsub = redis.Redis.from_url(settings.REDIS_URL).pubsub(  # type: ignore[no-untyped-call]
            ignore_subscribe_messages=True
        )
        pubsub.psubscribe(REDIS_CHANNEL_PREFIX + "*")
        empty_since: list[float] = []
        while not self._idle(empty_since):
            item = pubsub.get_message(timeout=1.0)
            if item and item.get("type") == "pmessage":
                topic = item["channel"].decode()[len(REDIS_CHANNEL_PREFIX) :]
                self.dispatch(topic, json.loads(item["data"]))

    def _poll_database(self) -> None:
        """Poll new rows for every topic at once. Rows are inserted after commit by many processes, so
        ids may become visible out of order: re-read a margin below the highest id seen and skip what
        was already delivered, rather than lose a row committed a moment late."""
        from minxin.core.models import LiveMessage

        last = LiveMessage.objects.order_by("-id").values_list("id", flat=True).first() or 0
        delivered: deque[int] = deque(maxlen=REREAD_MARGIN * 4)
        # What was there before this listener started is history, not news: mark it as delivered.
        delivered.extend(LiveMessage.objects.filter(id__gt=last - REREAD_MARGIN).values_list("id", flat=True))
        seen: set[int] = set(delivered)
        empty_since: list[float] = []
        while not self._idle(empty_since):
            close_old_connections()
            rows = list(
                LiveMessage.objects.filter(id__gt=last - REREAD_MARGIN)
                .order_by("id")
                .values_list("id", "topic", "payload")[:1000]
            )
            fresh = [row for row in rows if row[0] not in seen]
            for row_id, topic, payload in fresh:
                if len(delivered) == delivered.maxlen:
                    seen.discard(delivered[0])
                delivered.append(row_id)
                seen.add(row_id)
                last = max(last, row_id)
                self.dispatch(topic, {**payload, "seq": row_id})
            if not fresh:
                time.sleep(POLL_SECONDS)


hub = Hub()

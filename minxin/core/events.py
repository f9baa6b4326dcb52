"""Live signals, published only after the transaction that caused them commits.

`publish_on_commit` is the only way application code emits a signal: if the transaction rolls back,
nothing is sent, so a board never shows a call that did not happen. The broker is chosen by settings:
Redis pub/sub when REDIS_URL is set (several processes), otherwise an in-process broker.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any, Protocol

from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)


class Broker(Protocol):
    def send(self, topic: str, message: dict[str, Any]) -> None: ...


class LocalBroker:
    """Delivers to subscribers in this process. Enough for a single-process demo and for tests."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: dict[str, list[queue.SimpleQueue[dict[str, Any]]]] = {}

    def send(self, topic: str, message: dict[str, Any]) -> None:
        with self._lock:
            targets = list(self._subscribers.get(topic, ()))
        for target in targets:
            target.put(message)

    @contextmanager
    def subscribe(self, topic: str) -> Iterator[queue.SimpleQueue[dict[str, Any]]]:
        inbox: queue.SimpleQueue[dict[str, Any]] = queue.SimpleQueue()
        with self._lock:
            self._subscribers.setdefault(topic, []).append(inbox)
        try:
            yield inbox
        finally:
            with self._lock:
                self._subscribers[topic].remove(inbox)


class RedisBroker:
    def __init__(self, url: str) -> None:
        import redis

        self._client = redis.Redis.from_url(url)

    def send(self, topic: str, message: dict[str, Any]) -> None:
        self._client.publish(f"minxin:{topic}", json.dumps(message, ensure_ascii=False))


@cache
def broker() -> Broker:
    if settings.REDIS_URL:
        return RedisBroker(settings.REDIS_URL)
    return LocalBroker()


def publish_on_commit(topic: str, message: dict[str, Any]) -> None:
    """Send `message` on `topic` once the current transaction commits (at once in autocommit)."""

    def send() -> None:
        try:
            broker().send(topic, message)
        except Exception:
            # A live signal is a convenience; the committed state is the truth. Never fail the request.
            logger.exception("could not publish on %s", topic)

    transaction.on_commit(send)

"""Live signals, published only after the transaction that caused them commits.

`publish_on_commit` is the only way application code emits a signal: if the transaction rolls back,
nothing is sent, so a board never shows a call that did not happen. Delivery crosses processes: the
web workers publish, the process that holds the event streams (SSE) listens. With REDIS_URL it goes
through Redis pub/sub; without, through a small table (`LiveMessage`) that each listening process
polls once for all its watchers. `core.live` is the listening side.
"""

from __future__ import annotations

import json
import logging
from functools import cache
from typing import Any, Protocol

from django.conf import settings
from django.db import transaction

from minxin.core import clock

logger = logging.getLogger(__name__)
REDIS_CHANNEL_PREFIX = "minxin:"


class Broker(Protocol):
    def send(self, topic: str, message: dict[str, Any]) -> None: ...


class DatabaseBroker:
    def send(self, topic: str, message: dict[str, Any]) -> None:
        from minxin.core.models import LiveMessage

        LiveMessage.objects.create(topic=topic, payload=message, created_at=clock.now())


class RedisBroker:
    def __init__(self, url: str) -> None:
        import redis

        self._client = redis.Redis.from_url(url)

    def send(self, topic: str, message: dict[str, Any]) -> None:
        self._client.publish(REDIS_CHANNEL_PREFIX + topic, json.dumps(message, ensure_ascii=False))


@cache
def broker() -> Broker:
    if settings.REDIS_URL:
        return RedisBroker(settings.REDIS_URL)
    return DatabaseBroker()


def publish_on_commit(topic: str, message: dict[str, Any]) -> None:
    """Send `message` on `topic` once the current transaction commits (at once in autocommit)."""

    def send() -> None:
        try:
            broker().send(topic, message)
        except Exception:
            # A live signal is a convenience; the committed state is the truth. Never fail the request.
            logger.exception("could not publish on %s", topic)

    transaction.on_commit(send)


def live_messages_purge() -> int:
    """Worker job: drop delivered signals (a listener only ever looks a few seconds back)."""
    import datetime as dt

    from minxin.core.models import LiveMessage

    deleted, _details = LiveMessage.objects.filter(
        created_at__lt=clock.now() - dt.timedelta(minutes=10)
    ).delete()
    return deleted

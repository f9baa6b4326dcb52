"""Live signals, published only after the transaction that caused them commits.

Application code emits a signal with `publish_on_commit` (sent after the transaction commits: if it
rolls back nothing is sent, so a board never shows a call that did not happen), or, on the queue's hot
paths, with `publish_within` (the signal's row is inserted by the same statement, so it commits with
it). Delivery crosses processes: the web workers publish, the process that holds the event streams
(SSE) listens. With REDIS_URL it goes
through Redis pub/sub; without, through a small table (`LiveMessage`): each row's id is the event's id
in the stream, so a client that reconnects is sent what it missed (Last-Event-ID). On PostgreSQL the
insert also sends a NOTIFY in the same statement, which wakes the listeners at once; on SQLite they poll.
`core.live` is the listening side.
"""

from __future__ import annotations

import json
import logging
from functools import cache
from typing import Any, Protocol

from django.conf import settings
from django.db import connection, transaction

from minxin.core import clock
from minxin.core.sql import NOTIFYING_INSERT, Statement, live_message_notify_insert

logger = logging.getLogger(__name__)
REDIS_CHANNEL_PREFIX = "minxin:"
NOTIFY_CHANNEL = "minxin_live"
LIVE_MESSAGE_MINUTES = 10  # how long a reconnecting client can be sent what it missed


class Broker(Protocol):
    replayable: bool  # whether a message's id can be handed back to fetch what followed it

    def send(self, topic: str, message: dict[str, Any]) -> None: ...


class DatabaseBroker:
    replayable = True

    def send(self, topic: str, message: dict[str, Any]) -> None:
        from minxin.core.models import LiveMessage

        if connection.vendor != "postgresql":
            LiveMessage.objects.create(topic=topic, payload=message, created_at=clock.now())
            return
        # One statement: the NOTIFY is delivered when the row commits, never before it is visible, and
        # costs the publishing request no second round trip. The payload is only a wake-up call: the
        # listener reads the table, so a lost notification delays a message but never loses it.
        payload = LiveMessage._meta.get_field("payload").get_db_prep_save(message, connection)
        live_message_notify_insert(topic=topic, payload=payload, at=clock.now(), channel=NOTIFY_CHANNEL)


class RedisBroker:
    """Pub/sub only: messages carry no id and nothing is kept, so a reconnecting client gets no replay.

    When Redis cannot be reached the message goes into the LiveMessage table instead, which the
    listeners read beside Redis (`core.live`): a Redis outage delays nothing and loses nothing."""

    replayable = False

    def __init__(self, url: str) -> None:
        import redis

        # Short timeouts: a Redis that hangs must not hold the request that publishes.
        self._client = redis.Redis.from_url(url, socket_connect_timeout=1.0, socket_timeout=1.0)
        self._fallback = DatabaseBroker()

    def send(self, topic: str, message: dict[str, Any]) -> None:
        import redis

        try:
            self._client.publish(REDIS_CHANNEL_PREFIX + topic, json.dumps(message, ensure_ascii=False))
        except redis.RedisError as error:
            logger.warning("Redis unavailable (%s): live signal on %s goes through the table", error, topic)
            self._fallback.send(topic, message)


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


def publish_within(
    statement: Statement,
    *,
    source: str,
    topic: str,
    message: dict[str, Any],
    computed: dict[str, str] | None = None,
    name: str = "live_message",
) -> Statement | None:
    """`statement` extended to publish `message` on `topic` itself: one more CTE `name` inserts the
    LiveMessage row and sends its NOTIFY for each row of the CTE `source` (none, none sent). `computed`
    sets message keys from SQL expressions over that row, e.g. {"number": "t.number"}: constants of the
    caller, never input. `name` names the CTE and prefixes its parameters (another name for a second
    message in the same statement). None when signals do not go through this database's table (Redis,
    or SQLite): the caller publishes after it commits.

    The hot paths (a number taken, a call, a step at the window) save a round trip this way, and the
    signal still cannot outrun its cause: the row and the notification commit with the statement.
    """
    if connection.vendor != "postgresql" or not isinstance(broker(), DatabaseBroker):
        return None
    if not (name.isidentifier() and source.isidentifier()):
        raise ValueError("publish_within: the CTE names are plain identifiers")
    pairs = ", ".join(f"'{key}', {expression}" for key, expression in (computed or {}).items())
    payload = f"%({name}_payload)s::jsonb" + (f" || jsonb_build_object({pairs})" if pairs else "")
    # `source` and `computed` are the caller's constants; every value is a parameter.
    rows = f"SELECT %({name}_topic)s, {payload}, %({name}_at)s FROM {source}"  # noqa: S608
    cte = f"{name} AS ({NOTIFYING_INSERT.format(rows=rows, channel=f'%({name}_channel)s')})"
    # The payload goes as JSON text to the `::jsonb` above (what the JSONField would send, without its
    # adapter's round of wrapping on a hot path); plain values only, as the field requires.
    return statement.with_cte(
        cte,
        {
            f"{name}_topic": topic,
            f"{name}_payload": json.dumps(message),
            f"{name}_at": clock.now(),
            f"{name}_channel": NOTIFY_CHANNEL,
        },
    )


def live_messages_purge() -> int:
    """Worker job: drop old signals. A listener only looks a few seconds back; a reconnecting client is
    sent what it missed from the rows still kept."""
    import datetime as dt

    from minxin.core.models import LiveMessage

    deleted, _details = LiveMessage.objects.filter(
        created_at__lt=clock.now() - dt.timedelta(minutes=LIVE_MESSAGE_MINUTES)
    ).delete()
    return deleted

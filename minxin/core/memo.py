"""A small per-process cache for hot-path lookups (a hall's services, rules, opening state).

A request that takes a number must not re-read the configuration every time (DESIGN.md: cache
hall/queue lookups in the process, invalidate on change). Entries expire after a few seconds, so a
change made through another process reaches every process within that time; a change made in this
process clears the affected entries at once (see `forget_on_change`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.db import models
from django.db.models.signals import post_delete, post_save

T = TypeVar("T")
_lock = threading.Lock()
_entries: dict[tuple[Any, ...], tuple[float, Any]] = {}


def memo(key: tuple[Any, ...], ttl: float, compute: Callable[[], T]) -> T:
    now = time.monotonic()
    with _lock:
        hit = _entries.get(key)
    if hit is not None and hit[0] > now:
        value: T = hit[1]
        return value
    value = compute()
    with _lock:
        _entries[key] = (now + ttl, value)
    return value


def forget(prefix: str) -> None:
    with _lock:
        for key in [key for key in _entries if key and key[0] == prefix]:
            del _entries[key]


def forget_all() -> None:
    with _lock:
        _entries.clear()


def forget_on_change(prefix: str, *senders: type[models.Model]) -> None:
    """Drop the entries under `prefix` whenever one of `senders` is saved or deleted in this process."""

    def receiver(**_kwargs: Any) -> None:
        forget(prefix)

    for sender in senders:
        post_save.connect(
            receiver, sender=sender, weak=False, dispatch_uid=f"memo:{prefix}:{sender.__name__}"
        )
        post_delete.connect(
            receiver, sender=sender, weak=False, dispatch_uid=f"memo:{prefix}:{sender.__name__}:del"
        )

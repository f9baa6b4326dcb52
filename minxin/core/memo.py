"""A small per-process cache for hot-path lookups (a hall's services, rules, opening state).

A request that takes a number must not re-read the configuration every time (DESIGN.md: cache
hall/queue lookups in the process, invalidate on change). Entries expire after a few seconds, so a
change made through another process reaches every process within that time; a change made in this
process clears the affected entries at once (see `forget_on_change`).

Memory is bounded whatever callers send: the cache holds at most `MEMO_MAX_ENTRIES` entries (the least
recently used go first), and a lookup that finds nothing (`None`) is never kept, so requests for
made-up hall or service codes cannot grow it.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.db import models
from django.db.models.signals import post_delete, post_save

T = TypeVar("T")
_lock = threading.Lock()
_entries: OrderedDict[tuple[Any, ...], tuple[float, Any]] = OrderedDict()


def memo(key: tuple[Any, ...], ttl: float, compute: Callable[[], T]) -> T:
    now = time.monotonic()
    with _lock:
        hit = _entries.get(key)
        if hit is not None:
            if hit[0] > now:
                _entries.move_to_end(key)
                value: T = hit[1]
                return value
            del _entries[key]
    value = compute()
    if value is None:
        return value
    with _lock:
        _entries[key] = (now + ttl, value)
        _entries.move_to_end(key)
        while len(_entries) > settings.MEMO_MAX_ENTRIES:
            _entries.popitem(last=False)
    return value


def memo_size() -> int:
    with _lock:
        return len(_entries)


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

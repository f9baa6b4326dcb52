"""Fixed-window rate limits held in the database, so they hold across every app process.

One INSERT … ON CONFLICT DO UPDATE … RETURNING statement counts the hit and reads the total, so
parallel requests cannot both slip under the limit.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from minxin.core import clock
from minxin.core.errors import Throttled
from minxin.core.models import Throttle
from minxin.core.sql import throttle_upsert


def throttle_hit(*, scope: str, subject: str, limit: int, period_seconds: int) -> None:
    """Count one use of `scope` by `subject` in the current window; raise Throttled past `limit`."""
    now = clock.now()
    window = int(now.timestamp()) // period_seconds
    window_end = dt.datetime.fromtimestamp((window + 1) * period_seconds, tz=dt.UTC)
    if throttle_upsert(key=f"{scope}:{subject}:{window}", expires_at=window_end) > limit:
        retry_after = max(int((window_end - now).total_seconds()), 1)
        raise Throttled(_("Too many requests. Please try again later."), retry_after=retry_after)


def throttles_purge() -> int:
    """Delete the windows that have ended. Returns how many."""
    deleted, _details = Throttle.objects.filter(expires_at__lt=clock.now()).delete()
    return deleted

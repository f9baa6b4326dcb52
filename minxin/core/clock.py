"""The one clock. Every read of the current time goes through `now()`, so tests can move it
(time_machine patches the underlying clock)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone


def now() -> dt.datetime:
    """The current time, aware, in UTC."""
    return timezone.now()


def local_now(zone: str) -> dt.datetime:
    """The current time in an IANA zone (a hall's, a unit's, a post's)."""
    return now().astimezone(ZoneInfo(zone))


def local_today(zone: str) -> dt.date:
    """Today's date in an IANA zone: daily number resets and "today" use this, never the server's date."""
    return local_now(zone).date()


def local_midnight(day: dt.date, zone: str) -> dt.datetime:
    """The aware instant at which `day` starts in `zone`."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=ZoneInfo(zone))

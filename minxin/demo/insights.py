"""Demo: the aggregates behind the dashboards, brought up to date over the demo history, and last
month's reports.

Built through the app's own services. `load` must be idempotent (loading twice changes nothing).
"""

from __future__ import annotations

import datetime as dt


def load(*, today: dt.date) -> str:
    """Load this part of the demo city; returns a one-line summary for the console."""
    return ""

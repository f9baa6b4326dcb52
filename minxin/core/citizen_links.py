"""Which records tie a citizen to a hall: a number taken there, a case filed there.

Staff may see a citizen's full phone number only in a hall where the citizen has business (issue 12).
Those records live in apps above `orgs` (queueing, cases), which `orgs` must not import; the settings
declare them instead (CITIZEN_HALL_LINKS: a model label and the lookups of the phone's keyed hash, the
hall and, optionally, the instant after which a record still counts), and this module resolves the
models by label at call time. An app that is not installed is skipped.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.apps import apps
from django.conf import settings

from minxin.core import clock


def citizen_hall_link(*, phone_hash: str, hall_id: int) -> str | None:
    """The name of the first declared record that ties the phone to the hall (e.g. "ticket"), or None."""
    if not phone_hash:
        return None
    now = clock.now()
    for link in settings.CITIZEN_HALL_LINKS:
        model = _model(link["model"])
        if model is None:
            continue
        condition: dict[str, Any] = {link["phone_hash"]: phone_hash, link["hall"]: hall_id}
        if link.get("since"):
            condition[f"{link['since']}__gte"] = now - dt.timedelta(days=settings.PHONE_REVEAL_WITHIN_DAYS)
        if model._default_manager.filter(**condition).exists():
            return str(link["name"])
    return None


def _model(label: str) -> Any:
    app_label, _dot, name = label.partition(".")
    try:
        return apps.get_model(app_label, name)
    except LookupError:
        return None

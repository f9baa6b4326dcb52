"""Importing past cases in bulk (from a former case system, or the demo city's generated history).

A historic case is described by what happened and when (received, accepted, working days used,
suspended, extended, decided, delivered, completed); the importer computes every deadline with the
working-day calendar exactly as intake would (`history_plan`), writes cases, materials, steps, history,
suspensions, extensions, notices and light flips with a few bulk inserts, and numbers the cases from the
hall's counter in one step. Cases still open are left with their light and next check set, so the
supervision job carries on from there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction

from minxin.cases.models import (
    Case,
    CaseExtension,
    CaseHistory,
    CaseMaterial,
    CaseNotice,
    CaseStep,
    CaseSuspension,
    LightFlip,
)
from minxin.cases.services.history_plan import case_built
from minxin.cases.services.history_story import Built, HistoricCase
from minxin.cases.services.intake import case_number_next
from minxin.core.numbering import counter_next
from minxin.core.workdays import WorkingCalendar
from minxin.orgs.models import Hall

__all__ = ["HistoricCase", "cases_import_history"]


def _numbered(hall: Hall, rows: Sequence[HistoricCase]) -> list[tuple[HistoricCase, str]]:
    """The rows in the order received, each with its case number: one counter step per year."""
    first = min(r.received_on for r in rows)
    by_year: dict[int, list[HistoricCase]] = {}
    for row in sorted(rows, key=lambda r: r.received_on):
        by_year.setdefault(row.received_on.year, []).append(row)
    numbers: list[str] = []
    prefix = case_number_next(hall=hall, year=first.year).rsplit("-", 2)[0]  # also reserves one
    for year, group in by_year.items():
        last = counter_next(scope="case", key=f"{hall.pk}:{year}", step=len(group))
        numbers += [f"{prefix}-{year}-{seq:06d}" for seq in range(last - len(group) + 1, last + 1)]
    ordered = [row for group in by_year.values() for row in group]
    return list(zip(ordered, numbers, strict=True))


def _bulk_write(built: list[Built]) -> None:
    Case.objects.bulk_create([b.case for b in built], batch_size=500)
    for b in built:
        for obj in (
            *b.materials,
            *b.steps,
            *b.history,
            *b.suspensions,
            *b.extensions,
            *b.notices,
            *b.flips,
        ):
            obj.case = b.case  # type: ignore[attr-defined]
    CaseMaterial.objects.bulk_create([m for b in built for m in b.materials], batch_size=1000)
    CaseStep.objects.bulk_create([s for b in built for s in b.steps], batch_size=1000)
    CaseHistory.objects.bulk_create([h for b in built for h in b.history], batch_size=1000)
    CaseSuspension.objects.bulk_create([s for b in built for s in b.suspensions], batch_size=1000)
    CaseExtension.objects.bulk_create([e for b in built for e in b.extensions], batch_size=1000)
    CaseNotice.objects.bulk_create([n for b in built for n in b.notices], batch_size=1000)
    LightFlip.objects.bulk_create([f for b in built for f in b.flips], batch_size=1000)


def cases_import_history(*, hall: Hall, rows: Sequence[HistoricCase], today: dt.date) -> int:
    """Write `rows` as cases of `hall`, as they would stand on `today`. Returns how many were written."""
    if not rows:
        return 0
    zone = ZoneInfo(hall.time_zone)
    first = min(r.received_on for r in rows)
    calendar = WorkingCalendar(first - dt.timedelta(days=30), today + dt.timedelta(days=200))
    yellow_days = int(settings.CASES_YELLOW_WORKING_DAYS)
    with transaction.atomic():
        built = [
            case_built(row, number, hall, zone, calendar, today, yellow_days)
            for row, number in _numbered(hall, rows)
        ]
        _bulk_write(built)
    return len(built)

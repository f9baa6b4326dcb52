"""Demo: the aggregates behind the dashboards, brought up to date over the demo history, and last
month's reports (halls' and the competition's).

Built through the app's own services. `load` must be idempotent (loading twice changes nothing).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Max

from minxin.insights.models import AggregateCursor, HallMonthStats
from minxin.insights.selectors import month_add
from minxin.insights.services.aggregates import CURSOR, aggregates_rebuild
from minxin.insights.services.competition_reports import competition_reports_job
from minxin.insights.services.reports import report_generate
from minxin.insights.services.wall import wall_refresh_all
from minxin.orgs.models import Hall
from minxin.queueing.models import TicketEvent


def load(*, today: dt.date) -> str:
    """Recompute every aggregate from the demo's tickets, move the worker's cursor past the history
    (so it starts with the live traffic), prepare last month's hall reports and the wall's figures."""
    last_event = TicketEvent.objects.aggregate(last=Max("id"))["last"] or 0
    hours = aggregates_rebuild()
    AggregateCursor.objects.update_or_create(name=CURSOR, defaults={"settled_event_id": last_event})
    last_month = month_add(today.replace(day=1), -1)
    halls = Hall.objects.filter(
        pk__in=HallMonthStats.objects.filter(month=last_month).values("hall_id")
    ).select_related("unit__region")
    reports = 0
    for hall in halls:
        report_generate(hall=hall, month=last_month, by="worker")
        reports += 1
    competition = competition_reports_job(today=today)  # regions where something happened; once
    wall_refresh_all()
    return (
        f"insights: {hours} hour figures, {reports} hall reports and {competition} competition reports"
        f" for {last_month:%Y-%m}"
    )

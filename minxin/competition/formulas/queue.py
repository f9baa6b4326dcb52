"""Formulas over the queue's tickets (docs/queue.md)."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from minxin.competition import sql
from minxin.competition.formulas.base import (
    Formula,
    Measure,
    Results,
    Scope,
    _grouped,
    quantize,
    register,
    share,
)


def _called_within_15(scope: Scope) -> Results:
    rows = _grouped(scope, "queue", sql.queue_stats)
    return {
        unit: Measure(
            share(int(within), int(called)), {"called": int(called), "called_within_15": int(within)}
        )
        for unit, (_issued, called, within, _no_show) in rows.items()
        if called
    }


def _no_show_share(scope: Scope) -> Results:
    rows = _grouped(scope, "queue", sql.queue_stats)
    return {
        unit: Measure(share(int(no_show), int(called)), {"called": int(called), "no_show": int(no_show)})
        for unit, (_issued, called, _within, no_show) in rows.items()
        if called
    }


def _wait_p90(scope: Scope) -> Results:
    rows = _grouped(scope, "queue_p90", sql.queue_wait_p90)
    return {
        unit: Measure(
            quantize(Decimal(str(p90)) / Decimal(60)),
            {"called": int(n), "p90_seconds": str(Decimal(str(p90)).quantize(Decimal("0.001")))},
        )
        for unit, (p90, n) in rows.items()
        if n
    }


def _crowded_days(scope: Scope) -> Results:
    rows = _grouped(scope, "queue_crowd", sql.queue_crowding)
    return {
        unit: Measure(
            share(int(crowded), int(days)), {"queue_days": int(days), "crowded_queue_days": int(crowded)}
        )
        for unit, (days, crowded) in rows.items()
        if days
    }


register(
    Formula(
        name="queue_called_within_15",
        label=_("Numbers called within 15 minutes"),
        definition=_(
            "Share of the numbers called in the period whose wait (from taking the number, or from "
            "checking in for a remote number, to the first call) was at most 15 minutes."
        ),
        unit="share",
        better="higher",
        compute=_called_within_15,
    )
)
register(
    Formula(
        name="queue_wait_p90",
        label=_("Wait, 9 in 10 at most (minutes)"),
        definition=_(
            "The 90th percentile of the waits of the numbers called in the period, by nearest rank: the "
            "wait at rank ceil(0.9 n) of the n waits in ascending order, in minutes."
        ),
        unit="minutes",
        better="lower",
        compute=_wait_p90,
    )
)
register(
    Formula(
        name="queue_no_show_share",
        label=_("No-show share"),
        definition=_("Share of the numbers called in the period whose holder did not come to the window."),
        unit="share",
        better="lower",
        compute=_no_show_share,
    )
)
register(
    Formula(
        name="queue_crowded_days",
        label=_("Crowd alerts (share of queue-days)"),
        definition=_(
            "Share of the queue-days with numbers on which more citizens were waiting in the queue at some "
            "moment than the hall's crowd-alert limit (the moment a window desk asks for an extra window)."
        ),
        unit="share",
        better="lower",
        compute=_crowded_days,
    )
)

"""The e-supervision light of a historic case: the flips it went through (yellow, then perhaps red)
and, while it is open, the next check the supervision job carries on from."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from minxin.cases.models import Case, Light, LightFlip
from minxin.cases.services.history_story import Built
from minxin.cases.services.supervision import LightPlan, light_plan, midnight
from minxin.core.workdays import WorkingCalendar
from minxin.orgs.models import Hall


def _midnight(day: dt.date, zone: str) -> dt.datetime:
    moment = midnight(day, zone)
    assert moment is not None
    return moment


def _flip(case: Case, hall: Hall, day: dt.date, from_light: str, to_light: str, reason: str) -> LightFlip:
    return LightFlip(
        department=case.department,
        hall=hall,
        at=_midnight(day, hall.time_zone),
        from_light=from_light,
        to_light=to_light,
        reason=reason,
    )


def case_lights(
    built: Built,
    *,
    hall: Hall,
    accepted_on: dt.date,
    promised: dt.date,
    statutory: dt.date,
    light_day: dt.date,
    today: dt.date,
    yellow_days: int,
    calendar: WorkingCalendar,
) -> dt.datetime | None:
    """Set the case's light as of `light_day` (its decision, or today), append its flips, and return
    the next check of an open case (None once red)."""
    case = built.case

    def plan_from(light: str, yellow_on: dt.date | None) -> LightPlan:
        return light_plan(
            light=light,
            yellow_on=yellow_on,
            promised_due=promised,
            statutory_due=statutory,
            today=light_day,
            yellow_days=yellow_days,
            calendar=calendar,
        )

    plan = plan_from(Light.NONE, None)
    plan_light, yellow_on, red_reason = plan.light, plan.yellow_on, plan.reason
    if plan_light != Light.NONE:
        yellow_from = max(calendar.subtract(promised, yellow_days), accepted_on)
        plan2 = plan_from(Light.YELLOW, yellow_from)
        yellow_on = yellow_from
        built.flips.append(_flip(case, hall, yellow_from, Light.NONE, Light.YELLOW, "promised_near"))
        plan_light = plan2.light
        if plan2.light == Light.RED:
            red_on = min(
                statutory + dt.timedelta(days=1),
                calendar.add(yellow_from, int(settings.CASES_SUPERVISION_WORKING_DAYS))
                + dt.timedelta(days=1),
            )
            reason = red_reason or "yellow_not_cleared"
            built.flips.append(_flip(case, hall, red_on, Light.YELLOW, Light.RED, reason))
    case.light, case.yellow_on = plan_light, yellow_on
    if built.flips:
        case.light_changed_at = built.flips[-1].at
    next_on = plan.next_check_on if plan_light == plan.light else None
    if plan_light == Light.YELLOW and next_on is None:
        next_on = today + dt.timedelta(days=1)
    return midnight(next_on, hall.time_zone) if plan_light != Light.RED else None

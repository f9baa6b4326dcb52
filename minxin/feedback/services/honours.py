"""Honours: monthly service stars and red-flag windows proposed by rules stored as data and confirmed by
the hall manager; model-worker nominations by units with evidence, decided by the city office."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from minxin.accounts.models import Role, User
from minxin.core import clock
from minxin.core.audit import audit_record
from minxin.core.errors import Conflict, Forbidden, InvalidInput
from minxin.feedback.models import Honour, HonourKind, HonourRule, Nomination
from minxin.feedback.selectors import Figures, month_bounds, rating_figures
from minxin.orgs.models import Hall
from minxin.orgs.selectors import staff_roles_in_hall

TEXT_MAX = 2000


def honour_rule(*, hall: Hall, kind: str) -> HonourRule:
    """The hall's own rule of `kind`, else the general one, else the defaults (unsaved)."""
    rules = {
        rule.hall_id: rule
        for rule in HonourRule.objects.filter(kind=kind).filter(Q(hall=hall) | Q(hall__isnull=True))
    }
    return rules.get(hall.pk) or rules.get(None) or HonourRule(kind=kind)


def _eligible(rows: list[Figures], rule: HonourRule) -> list[Figures]:
    fit = [
        row
        for row in rows
        if row.key is not None
        and row.scored >= rule.min_rated
        and (row.satisfaction_rate or Decimal(0)) >= rule.min_satisfaction
        and row.bad <= rule.max_bad
    ]
    # Best first: satisfaction, then mean, then how many were rated (more evidence), then key (stable).
    fit.sort(key=lambda row: (-(row.satisfaction_rate or 0), -(row.mean or 0), -row.scored, row.key or 0))
    return fit[: rule.places]


def _figures_json(row: Figures) -> dict[str, object]:
    return {
        "count": row.count,
        "scored": row.scored,
        "mean": str(row.mean) if row.mean is not None else None,
        "satisfaction_rate": str(row.satisfaction_rate) if row.satisfaction_rate is not None else None,
        "bad": row.bad,
        "served": row.served,
    }


def honours_propose(*, hall: Hall, month: dt.date) -> list[Honour]:
    """Propose the month's stars (clerks) and red-flag windows of `hall` by its rules. Proposing again
    adds only what is new (the unique holders per month make it idempotent); decided ones stay."""
    first, last = month_bounds(month)
    now = clock.now()
    made: list[Honour] = []
    for kind, by, holder in (
        (HonourKind.SERVICE_STAR, "clerk", "clerk_id"),
        (HonourKind.RED_FLAG_WINDOW, "window", "window_id"),
    ):
        rows = rating_figures(by=by, date_from=first, date_to=last, hall_ids=[hall.pk])  # type: ignore[arg-type]
        for rank, row in enumerate(_eligible(rows, honour_rule(hall=hall, kind=kind)), start=1):
            made.append(
                Honour(
                    kind=kind,
                    hall=hall,
                    month=first,
                    rank=rank,
                    figures=_figures_json(row),
                    proposed_at=now,
                    **{holder: row.key},
                )
            )
    Honour.objects.bulk_create(made, ignore_conflicts=True)
    return list(Honour.objects.filter(hall=hall, month=first).select_related("clerk", "window"))


def honour_decide(*, honour: Honour, actor: User, confirm: bool, citation: str = "") -> Honour:
    """The hall manager confirms (with an optional citation) or declines a proposal, once."""
    if not staff_roles_in_hall(user=actor, hall=honour.hall) & {Role.HALL_MANAGER, Role.SYSTEM_ADMIN}:
        raise Forbidden(_("Only the hall's manager confirms its honours."), code="out_of_scope")
    text = citation.strip()[:200]
    status = Honour.Status.CONFIRMED if confirm else Honour.Status.DECLINED
    with transaction.atomic():
        done = Honour.objects.filter(pk=honour.pk, status=Honour.Status.PROPOSED).update(
            status=status, decided_by=actor, decided_at=clock.now(), citation=text
        )
        if not done:
            raise Conflict(_("This honour has already been decided."), code="honour_decided")
        audit_record(
            actor=actor, action=f"feedback.honour.{status}", target=honour, details={"citation": text}
        )
    honour.refresh_from_db()
    return honour


def nomination_evidence(*, nominee: User, hall: Hall, year: int, until: dt.date) -> dict[str, object]:
    """The figures attached to a nomination: the nominee's ratings and services of the last twelve
    months up to `until`, the months they were a service star, and their cases completed on time."""
    from django.db.models import F

    from minxin.cases.models import Case, CaseStatus

    since = until - dt.timedelta(days=365)
    rows = rating_figures(by="clerk", date_from=since, date_to=until, hall_ids=[hall.pk])
    mine = next((row for row in rows if row.key == nominee.pk), None)
    stars = list(
        Honour.objects.filter(
            kind=HonourKind.SERVICE_STAR, clerk=nominee, status=Honour.Status.CONFIRMED, month__gte=since
        )
        .order_by("month")
        .values_list("month", flat=True)
    )
    completed = Case.objects.filter(clerk=nominee, status=CaseStatus.COMPLETED, completed_at__date__gte=since)
    on_time = completed.filter(Q(promised_due__isnull=True) | Q(completed_at__date__lte=F("promised_due")))
    evidence: dict[str, object] = {
        "from": since.isoformat(),
        "to": until.isoformat(),
        "cases_completed": completed.count(),
        "cases_on_time": on_time.count(),
        "service_star_months": [month.strftime("%Y-%m") for month in stars],
    }
    if mine is not None:
        evidence |= _figures_json(mine) | {"rectified_on_time": mine.rectified_on_time}
    else:
        evidence |= {"count": 0, "served": 0}
    return evidence


def nomination_file(
    *, nominee: User, hall: Hall, actor: User, title: str, year: int, citation: str
) -> Nomination:
    """A unit (through a manager of one of its halls) nominates a staff member of that hall."""
    if not staff_roles_in_hall(user=actor, hall=hall) & {Role.HALL_MANAGER, Role.SYSTEM_ADMIN}:
        raise Forbidden(_("Only a manager of the unit's hall nominates."), code="out_of_scope")
    if not staff_roles_in_hall(user=nominee, hall=hall) & {
        Role.WINDOW_CLERK,
        Role.HALL_MANAGER,
        Role.DEPARTMENT_OFFICER,
    }:
        raise InvalidInput(_("The nominee does not work in this hall."), details={"field": "nominee"})
    name, text = title.strip()[:64], citation.strip()[:TEXT_MAX]
    if not name:
        raise InvalidInput(_("Please fill in this field."), details={"field": "title"})
    if not text:
        raise InvalidInput(_("Please fill in this field."), details={"field": "citation"})
    until = clock.local_today(hall.time_zone)
    with transaction.atomic():
        try:
            with transaction.atomic():
                nomination = Nomination.objects.create(
                    unit=hall.unit,
                    hall=hall,
                    region=hall.unit.region,
                    nominee=nominee,
                    title=name,
                    year=year,
                    citation=text,
                    evidence=nomination_evidence(nominee=nominee, hall=hall, year=year, until=until),
                    nominated_by=actor,
                    nominated_at=clock.now(),
                )
        except IntegrityError:
            raise Conflict(
                _("This person is already nominated for this title."), code="already_nominated"
            ) from None
        audit_record(
            actor=actor, action="feedback.nomination.filed", target=nomination, details={"title": name}
        )
    return nomination


def nomination_decide(*, nomination: Nomination, actor: User, approve: bool, reason: str) -> Nomination:
    """The city office approves or rejects a nomination, with reasons, once."""
    if not staff_roles_in_hall(user=actor, hall=nomination.hall) & {Role.CITY_OFFICE, Role.SYSTEM_ADMIN}:
        raise Forbidden(_("Only the city office decides nominations."), code="out_of_scope")
    text = reason.strip()[:TEXT_MAX]
    if not text:
        raise InvalidInput(_("Please give the reasons."), details={"field": "reason"})
    status = Nomination.Status.APPROVED if approve else Nomination.Status.REJECTED
    with transaction.atomic():
        done = Nomination.objects.filter(pk=nomination.pk, status=Nomination.Status.SUBMITTED).update(
            status=status, decided_by=actor, decided_at=clock.now(), decision_reason=text
        )
        if not done:
            raise Conflict(_("This nomination has already been decided."), code="nomination_decided")
        audit_record(
            actor=actor, action=f"feedback.nomination.{status}", target=nomination, details={"reason": text}
        )
    nomination.refresh_from_db()
    return nomination

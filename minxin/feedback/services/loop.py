"""The bad-review loop: verify (with the clerk's account) → rectify → reply to the citizen → recheck by
the hall manager. Each step is a conditional update from the status it expects, so two officers
acting at once cannot both move it; each writes a step row and an audit entry.

Deadlines: each step is due `loop_working_days(hall)` working days after it began (counted from the
next day, in the hall's zone); `escalate_at` is the end of the due day. The worker's
`rectifications_escalate` claims passed ones by clearing `escalate_at` in a conditional update, so a
late step is escalated to the city office once, however many workers run.
"""

from __future__ import annotations

import datetime as dt
import logging
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from minxin.accounts import personal
from minxin.accounts.models import Role, User
from minxin.accounts.sms import SmsDeliveryError
from minxin.catalog.selectors import departments_for_officer
from minxin.core import clock
from minxin.core.audit import audit_record
from minxin.core.errors import Conflict, Forbidden, InvalidInput
from minxin.core.workdays import WorkingCalendarMissing, add_working_days
from minxin.feedback.models import (
    OPEN_STATUSES,
    Appeal,
    LoopDeadline,
    Rating,
    Rectification,
    RectificationStatus,
    RectificationStep,
    Score,
)
from minxin.orgs.models import Hall, Region
from minxin.orgs.selectors import staff_roles_in_hall

logger = logging.getLogger(__name__)
NOTE_MAX = 2000
S = RectificationStatus


def loop_working_days(hall: Hall) -> int:
    """The working days per step for `hall`: the nearest region above it with its own limit, else the
    setting."""
    path = hall.unit.region.path
    ancestors = [path[: i + 1] for i, char in enumerate(path) if char == "/"]
    regions = Region.objects.filter(path__in=ancestors).values_list("pk", "path")
    depth = {pk: len(region_path) for pk, region_path in regions}
    limits = LoopDeadline.objects.filter(region_id__in=list(depth)).values_list("region_id", "working_days")
    best = max(limits, key=lambda row: depth[row[0]], default=None)
    return int(best[1]) if best else int(settings.FEEDBACK_LOOP_WORKING_DAYS)


def step_deadline(hall: Hall, at: dt.datetime) -> tuple[dt.date, dt.datetime]:
    """(due date, escalation instant) of a step that begins at `at` in `hall`."""
    start = at.astimezone(ZoneInfo(hall.time_zone)).date()
    days = loop_working_days(hall)
    try:
        due = add_working_days(start, days)
    except WorkingCalendarMissing:
        # A citizen's rating is never refused for want of next year's holiday calendar: count
        # Monday–Friday, and say so in the log so that the calendar gets loaded.
        logger.warning("working-day calendar missing after %s: bad-review deadline counts weekdays", start)
        due = start
        while days:
            due += dt.timedelta(days=1)
            days -= int(due.weekday() < 5)
    return due, clock.local_midnight(due + dt.timedelta(days=1), hall.time_zone)


def _step(
    rectification: Rectification, kind: str, actor: User | None, note: str = "", at: dt.datetime | None = None
) -> None:
    RectificationStep.objects.create(
        rectification=rectification, kind=kind, at=at or clock.now(), actor=actor, note=note
    )


def rectification_open(*, rating: Rating, at: dt.datetime) -> Rectification:
    """Open the loop of a bad rating (called by the rating's insert, in its transaction)."""
    due, escalate_at = step_deadline(rating.hall, at)
    rectification = Rectification.objects.create(
        rating=rating,
        hall=rating.hall,
        department_id=rating.department_id,
        opened_at=at,
        step_due=due,
        escalate_at=escalate_at,
    )
    _step(rectification, RectificationStep.Kind.OPENED, None, at=at)
    return rectification


def may_handle(*, user: User, rectification: Rectification) -> bool:
    """The owner acts: an officer of its department, or a manager of its hall (who owns the loops of
    comprehensive windows)."""
    roles = staff_roles_in_hall(user=user, hall=rectification.hall)
    if roles & {Role.SYSTEM_ADMIN, Role.HALL_MANAGER}:
        return True
    if Role.DEPARTMENT_OFFICER in roles and rectification.department_id is not None:
        return (
            departments_for_officer(user=user, hall=rectification.hall)
            .filter(pk=rectification.department_id)
            .exists()
        )
    return False


def may_recheck(*, user: User, rectification: Rectification) -> bool:
    return bool(
        staff_roles_in_hall(user=user, hall=rectification.hall) & {Role.SYSTEM_ADMIN, Role.HALL_MANAGER}
    )


def may_decide_appeal(*, user: User, rectification: Rectification) -> bool:
    return bool(
        staff_roles_in_hall(user=user, hall=rectification.hall) & {Role.SYSTEM_ADMIN, Role.CITY_OFFICE}
    )


def _note(text: str, field: str, *, required: bool = True) -> str:
    value = text.strip()
    if required and not value:
        raise InvalidInput(_("Please fill in this field."), details={"field": field})
    if len(value) > NOTE_MAX:
        raise InvalidInput(
            _("The text is longer than %(max)s characters.") % {"max": NOTE_MAX}, details={"field": field}
        )
    return value


def _move(
    rectification: Rectification,
    *,
    source: str,
    target: str,
    actor: User,
    kind: str,
    note: str,
    **changes: object,
) -> Rectification:
    """Move from `source` to `target` with `changes`, starting the next step's deadline (none once
    closed); Conflict when someone else moved it first."""
    now = clock.now()
    if target == S.CLOSED:
        changes |= {"escalate_at": None, "closed_at": now}
    else:
        due, escalate_at = step_deadline(rectification.hall, now)
        changes |= {"step_due": due, "escalate_at": escalate_at}
    with transaction.atomic():
        moved = Rectification.objects.filter(pk=rectification.pk, status=source).update(
            status=target, **changes
        )
        if not moved:
            raise Conflict(
                _("This case has moved on: please reload it."),
                code="rectification_changed",
                details={
                    "status": Rectification.objects.values_list("status", flat=True).get(pk=rectification.pk)
                },
            )
        _step(rectification, kind, actor, note, at=now)
        audit_record(
            actor=actor, action=f"feedback.rectification.{kind}", target=rectification, details={"to": target}
        )
    rectification.refresh_from_db()
    return rectification


def _ensure(allowed: bool) -> None:
    if not allowed:
        raise Forbidden(_("You may not act on this bad review."), code="out_of_scope")


def rectification_verify(
    *, rectification: Rectification, actor: User, clerk_account: str, finding: str
) -> Rectification:
    """Verification: what the clerk says happened and what the department found."""
    _ensure(may_handle(user=actor, rectification=rectification))
    account, found = _note(clerk_account, "clerk_account"), _note(finding, "finding")
    return _move(
        rectification,
        source=S.VERIFYING,
        target=S.RECTIFYING,
        actor=actor,
        kind=RectificationStep.Kind.VERIFIED,
        note=found,
        clerk_account=account,
        finding=found,
    )


def rectification_rectify(*, rectification: Rectification, actor: User, measures: str) -> Rectification:
    _ensure(may_handle(user=actor, rectification=rectification))
    text = _note(measures, "measures")
    return _move(
        rectification,
        source=S.RECTIFYING,
        target=S.REPLYING,
        actor=actor,
        kind=RectificationStep.Kind.RECTIFIED,
        note=text,
        measures=text,
    )


def rectification_reply(*, rectification: Rectification, actor: User, reply: str) -> Rectification:
    """The reply to the citizen: shown on their rating page, and sent by SMS when a phone is known (after
    the commit; a failed SMS does not undo the reply, which the page shows anyway)."""
    _ensure(may_handle(user=actor, rectification=rectification))
    text = _note(reply, "reply")
    moved = _move(
        rectification,
        source=S.REPLYING,
        target=S.RECHECKING,
        actor=actor,
        kind=RectificationStep.Kind.REPLIED,
        note=text,
        reply=text,
        replied_at=clock.now(),
    )
    encrypted = Rating.objects.values_list("phone_encrypted", flat=True).get(pk=rectification.rating_id)
    if encrypted:
        message = _("%(hall)s replies to your rating: %(reply)s") % {
            "hall": rectification.hall.name,
            "reply": text,
        }
        transaction.on_commit(lambda: _send_quietly(encrypted, message))
    return moved


def notice_send(*, phone: str, text: str) -> None:
    """Through the platform's notice backend (NOTICE_BACKEND: SMS, a WeChat message adapter, the
    console in development), as the queue's and the cases' notices go."""
    from minxin.queueing.notices import _backend

    _backend(settings.NOTICE_BACKEND).send(phone=phone, text=text)


def _send_quietly(encrypted: str, text: str) -> None:
    try:
        notice_send(phone=personal.decrypt(encrypted), text=text)
    except (SmsDeliveryError, ValueError):
        logger.warning("reply to a bad review not delivered by SMS")


def rectification_recheck(
    *, rectification: Rectification, actor: User, passed: bool, note: str
) -> Rectification:
    """The hall manager's recheck: closes the loop, or returns it to the department to rectify again."""
    _ensure(may_recheck(user=actor, rectification=rectification))
    text = _note(note, "note", required=not passed)
    if passed:
        return _move(
            rectification,
            source=S.RECHECKING,
            target=S.CLOSED,
            actor=actor,
            kind=RectificationStep.Kind.RECHECKED,
            note=text,
            resolution=Rectification.Resolution.RECTIFIED,
        )
    return _move(
        rectification,
        source=S.RECHECKING,
        target=S.RECTIFYING,
        actor=actor,
        kind=RectificationStep.Kind.RETURNED,
        note=text,
    )


def rectification_appeal(*, rectification: Rectification, actor: User, ground: str, reason: str) -> Appeal:
    """An appeal against a mistaken or malicious review, once per review, while its loop is open."""
    _ensure(may_handle(user=actor, rectification=rectification))
    if ground not in Appeal.Ground.values:
        raise InvalidInput(_("Unknown ground of appeal."), details={"field": "ground"})
    text = _note(reason, "reason")
    if rectification.status not in OPEN_STATUSES:
        raise Conflict(_("This bad review is closed."), code="rectification_closed")
    with transaction.atomic():
        try:
            with transaction.atomic():
                appeal = Appeal.objects.create(
                    rectification=rectification,
                    ground=ground,
                    reason=text,
                    filed_by=actor,
                    filed_at=clock.now(),
                )
        except IntegrityError:
            raise Conflict(_("An appeal has already been filed."), code="appeal_exists") from None
        _step(rectification, RectificationStep.Kind.APPEALED, actor, text)
        audit_record(actor=actor, action="feedback.appeal.filed", target=appeal, details={"ground": ground})
    return appeal


def appeal_decide(*, appeal: Appeal, actor: User, upheld: bool, reason: str) -> Appeal:
    """The city office decides, with reasons. Upheld: the rating is excluded from the scores (never
    deleted) and the loop closes; rejected: the loop goes on where it stood."""
    rectification = appeal.rectification
    _ensure(may_decide_appeal(user=actor, rectification=rectification))
    text = _note(reason, "reason")
    now = clock.now()
    status = Appeal.Status.UPHELD if upheld else Appeal.Status.REJECTED
    with transaction.atomic():
        decided = Appeal.objects.filter(pk=appeal.pk, status=Appeal.Status.PENDING).update(
            status=status, decided_by=actor, decided_at=now, decision_reason=text
        )
        if not decided:
            raise Conflict(_("This appeal has already been decided."), code="appeal_decided")
        kind = RectificationStep.Kind.APPEAL_UPHELD if upheld else RectificationStep.Kind.APPEAL_REJECTED
        _step(rectification, kind, actor, text, at=now)
        if upheld:
            Rating.objects.filter(pk=rectification.rating_id, excluded_at__isnull=True).update(
                excluded_at=now
            )
            Rectification.objects.filter(pk=rectification.pk).exclude(status=S.CLOSED).update(
                status=S.CLOSED,
                closed_at=now,
                escalate_at=None,
                resolution=Rectification.Resolution.APPEAL_UPHELD,
            )
        audit_record(actor=actor, action=f"feedback.appeal.{status}", target=appeal, details={"reason": text})
    appeal.refresh_from_db()
    return appeal


def rectification_follow_up(*, rectification: Rectification, score: int) -> Rectification:
    """The citizen's satisfaction with the reply, once, after it was given."""
    if isinstance(score, bool) or score not in Score.values:
        raise InvalidInput(_("The score must be a whole number from 1 to 5."), details={"field": "score"})
    now = clock.now()
    with transaction.atomic():
        done = Rectification.objects.filter(
            pk=rectification.pk, replied_at__isnull=False, follow_up_score__isnull=True
        ).update(follow_up_score=score, follow_up_at=now)
        if not done:
            raise Conflict(_("There is no reply to rate, or you rated it already."), code="follow_up_closed")
        _step(rectification, RectificationStep.Kind.FOLLOW_UP, None, str(score), at=now)
    rectification.refresh_from_db()
    return rectification


ESCALATE_BATCH = 200


def rectifications_escalate() -> int:
    """Worker job: escalate each step past its due day to the city office, once. A row is claimed by
    clearing its `escalate_at` where it is still the passed value, so a second worker finds nothing."""
    now = clock.now()
    due = list(
        Rectification.objects.filter(escalate_at__lte=now, status__in=OPEN_STATUSES)
        .order_by("escalate_at")
        .values_list("pk", "escalate_at")[:ESCALATE_BATCH]
    )
    done = 0
    for pk, escalate_at in due:
        with transaction.atomic():
            claimed = Rectification.objects.filter(pk=pk, escalate_at=escalate_at).update(
                escalate_at=None, late=True, escalations=F("escalations") + 1
            )
            if not claimed:
                continue
            rectification = Rectification.objects.get(pk=pk)
            _step(rectification, RectificationStep.Kind.ESCALATED, None, rectification.status, at=now)
            audit_record(
                actor=None,
                action="feedback.rectification.escalated",
                target=rectification,
                details={"status": rectification.status, "due": rectification.step_due.isoformat()},
            )
            done += 1
    return done

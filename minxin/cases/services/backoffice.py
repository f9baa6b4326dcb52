"""The back office (后台分类审批) and the result (统一出件): steps, suspension and resumption (both
clocks stop; resuming moves both deadlines by the working days suspended), the one extension, the
decision, delivery and completion. Each is one function writing one history row."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from minxin.accounts import personal
from minxin.accounts.models import User
from minxin.cases.models import (
    Case,
    CaseExtension,
    CaseStatus,
    CaseStep,
    CaseSuspension,
    Decision,
    DeliveryMethod,
    Light,
    SuspensionKind,
)
from minxin.cases.services.clocks import case_resume_locked
from minxin.cases.services.common import (
    case_locked,
    case_move,
    case_require,
    hall_today,
    history_add,
    staff_may_act_at_window,
    staff_may_decide,
)
from minxin.cases.services.materials import gaps_outstanding
from minxin.cases.services.supervision import case_light_schedule
from minxin.core import clock
from minxin.core.audit import audit_record
from minxin.core.errors import Conflict, InvalidInput
from minxin.core.workdays import WorkingCalendar

logger = logging.getLogger(__name__)
RUNNING = (CaseStatus.ACCEPTED, CaseStatus.IN_REVIEW)


def _invalid(field_name: str, message: str, code: str) -> InvalidInput:
    return InvalidInput(message, code=code, details={"field": field_name})


def applicant_notify(case: Case, text: str) -> None:
    """Tell the applicant through the notice backend (SMS, WeChat adapter) after the commit; a failure
    is logged without the phone and does not undo the step."""
    from minxin.queueing.notices import _backend

    encrypted = case.applicant.phone_encrypted
    if not encrypted:
        return

    def send() -> None:
        from minxin.accounts.sms import SmsDeliveryError

        try:
            _backend(settings.NOTICE_BACKEND).send(phone=personal.decrypt(encrypted), text=text)
        except SmsDeliveryError:
            logger.warning("notice for case %s not delivered", case.number)

    transaction.on_commit(send)


def case_step_advance(*, case: Case, actor: User) -> CaseStep | None:
    """Finish the current step and start the next (accept → review → decide). The decision step is
    finished by `case_decide`, not here."""
    case_require(case=case, user=actor, allowed=staff_may_decide(user=actor, case=case))
    now = clock.now()
    with transaction.atomic():
        locked = case_locked(case_id=case.pk)
        if locked.status not in RUNNING:
            raise Conflict(_("Only a running case moves to its next step."), code="case_wrong_status")
        steps = list(
            CaseStep.objects.select_for_update()
            .filter(case=locked, finished_at__isnull=True)
            .order_by("position")
        )
        if len(steps) <= 1:
            raise Conflict(_("The case is at its decision step: decide it."), code="decide_next")
        current, following = steps[0], steps[1]
        CaseStep.objects.filter(pk=current.pk, finished_at__isnull=True).update(finished_at=now, actor=actor)
        CaseStep.objects.filter(pk=following.pk).update(started_at=now)
        from_status: str = locked.status
        if from_status == CaseStatus.ACCEPTED:
            case_move(case=locked, from_statuses=[CaseStatus.ACCEPTED], to_status=CaseStatus.IN_REVIEW)
        history_add(
            case=locked,
            action=f"step_{current.kind}_done",
            from_status=from_status,
            actor=actor,
            details={"step": current.kind, "next": following.kind},
        )
        case_light_schedule(case=locked, now=now)
    return following


def case_suspend(*, case: Case, actor: User, kind: str, reason: str) -> CaseSuspension:
    """Stop both clocks (hearing, testing, inspection, expert review, appraisal, 容缺 materials)."""
    case_require(case=case, user=actor, allowed=staff_may_decide(user=actor, case=case))
    if kind not in SuspensionKind.values:
        raise _invalid("kind", _("Unknown kind of suspension."), "invalid_kind")
    if not reason.strip():
        raise _invalid("reason", _("Give the reason for the suspension."), "reason_required")
    now = clock.now()
    with transaction.atomic():
        locked = case_locked(case_id=case.pk)
        today = hall_today(locked.hall)
        from_status = locked.status
        case_light_schedule(case=locked, now=now)  # a light due before the stop is still shown
        case_move(
            case=locked,
            from_statuses=RUNNING,
            to_status=CaseStatus.SUSPENDED,
            suspended_since=today,
            next_check_at=None,
        )
        suspension = CaseSuspension.objects.create(
            case=locked, kind=kind, reason=reason.strip(), started_on=today, started_by=actor
        )
        history_add(
            case=locked,
            action="suspend",
            from_status=from_status,
            actor=actor,
            note=reason.strip(),
            details={"kind": kind},
        )
    return suspension


def case_resume(*, case: Case, actor: User) -> Case:
    case_require(case=case, user=actor, allowed=staff_may_decide(user=actor, case=case))
    with transaction.atomic():
        locked = case_locked(case_id=case.pk)
        case_resume_locked(case=locked, actor=actor, now=clock.now())
    return locked


def case_extend(*, case: Case, actor: User, reason: str) -> CaseExtension:
    """The one extension (行政许可法 Art. 42): the statutory deadline moves by
    CASES_EXTENSION_WORKING_DAYS working days; `actor` is recorded as the approver. A second is refused."""
    case_require(case=case, user=actor, allowed=staff_may_decide(user=actor, case=case))
    if not reason.strip():
        raise _invalid("reason", _("Give the reason for the extension."), "reason_required")
    now = clock.now()
    days = int(settings.CASES_EXTENSION_WORKING_DAYS)
    with transaction.atomic():
        locked = case_locked(case_id=case.pk)
        if locked.status not in (*RUNNING, CaseStatus.SUSPENDED):
            raise Conflict(_("Only a case not yet decided can be extended."), code="case_wrong_status")
        if CaseExtension.objects.filter(case=locked).exists() or locked.extended_days:
            raise Conflict(
                _("The limit of this case has already been extended once."), code="already_extended"
            )
        assert locked.statutory_due is not None
        previous = locked.statutory_due
        calendar = WorkingCalendar(previous, previous + dt.timedelta(days=days * 3 + 30))
        new_due = calendar.add(previous, days)
        extension = CaseExtension.objects.create(
            case=locked,
            days=days,
            reason=reason.strip(),
            approver=actor,
            at=now,
            previous_due=previous,
            new_due=new_due,
        )
        updated = Case.objects.filter(pk=locked.pk, extended_days=0).update(
            statutory_due=new_due, extended_days=days
        )
        if not updated:
            raise Conflict(
                _("The limit of this case has already been extended once."), code="already_extended"
            )
        locked.statutory_due, locked.extended_days = new_due, days
        history_add(
            case=locked,
            action="extend",
            from_status=locked.status,
            actor=actor,
            note=reason.strip(),
            details={
                "working_days": days,
                "statutory_due": new_due.isoformat(),
                "previous": previous.isoformat(),
            },
        )
        audit_record(actor=actor, action="cases.extend", target=locked, details={"days": days})
        if locked.status in RUNNING and locked.light != Light.RED:
            case_light_schedule(case=locked, now=now)
    return extension


def case_decide(*, case: Case, actor: User, decision: str, reasons: str = "") -> Case:
    """Approve or reject (reasons required for a rejection). Outstanding 容缺 materials and an open
    suspension block the decision. A light already due is recorded first; after it the light is kept."""
    case_require(case=case, user=actor, allowed=staff_may_decide(user=actor, case=case))
    if decision not in Decision.values:
        raise _invalid("decision", _("Decide approve or reject."), "invalid_decision")
    if decision == Decision.REJECT and not reasons.strip():
        raise _invalid("reasons", _("Give the reasons for the rejection."), "reasons_required")
    now = clock.now()
    with transaction.atomic():
        locked = case_locked(case_id=case.pk)
        if locked.status == CaseStatus.SUSPENDED:
            raise Conflict(_("Resume the case before deciding it."), code="case_suspended")
        if gaps_outstanding(locked):
            raise Conflict(_("Missing materials are still outstanding."), code="gaps_outstanding")
        from_status = locked.status
        if from_status in RUNNING:
            case_light_schedule(case=locked, now=now)
        assert locked.accepted_on is not None
        used = WorkingCalendar(locked.accepted_on, hall_today(locked.hall)).between(
            locked.accepted_on, hall_today(locked.hall)
        )
        case_move(
            case=locked,
            from_statuses=RUNNING,
            to_status=CaseStatus.DECIDED,
            handling_days=max(used - locked.suspended_days, 0),
            decision=decision,
            decision_reasons=reasons.strip(),
            decided_at=now,
            next_check_at=None,
        )
        CaseStep.objects.filter(case=locked, finished_at__isnull=True).update(finished_at=now, actor=actor)
        history_add(
            case=locked,
            action=f"decide_{decision}",
            from_status=from_status,
            actor=actor,
            note=reasons.strip(),
        )
        audit_record(actor=actor, action=f"cases.decide_{decision}", target=locked)
        with translation.override(settings.LANGUAGE_CODE):
            text = _(
                "Your case %(number)s (%(item)s) has been decided. We will tell you when the result is ready."
            ) % {
                "number": locked.number,
                "item": locked.item_version.name,
            }
        applicant_notify(locked, text)
    return locked


def case_deliver(
    *, case: Case, actor: User, method: str, tracking: str = "", carrier: str = "", address: str = ""
) -> Case:
    """Send the result out: ready at the unified result window, posted (carrier and tracking number
    required) or taken home. Mail and home delivery save the applicant the pickup trip."""
    allowed = staff_may_act_at_window(user=actor, case=case) or staff_may_decide(user=actor, case=case)
    case_require(case=case, user=actor, allowed=allowed)
    if method not in DeliveryMethod.values:
        raise _invalid("method", _("Unknown delivery method."), "invalid_method")
    tracking, carrier = tracking.strip(), carrier.strip()
    if method == DeliveryMethod.MAIL and not tracking:
        raise _invalid("tracking", _("Enter the tracking number of the mail."), "tracking_required")
    if len(tracking) > 64 or len(carrier) > 64:
        raise _invalid("tracking", _("The tracking number is too long."), "tracking_too_long")
    now = clock.now()
    with transaction.atomic():
        locked = case_locked(case_id=case.pk)
        fields: dict[str, object] = {
            "delivery_method": method,
            "delivered_at": now,
            "delivery_tracking": tracking,
        }
        if method == DeliveryMethod.MAIL:
            fields["delivery_carrier"] = carrier or "EMS"
        if address.strip():
            fields["delivery_address"] = address.strip()[:255]
        case_move(case=locked, from_statuses=[CaseStatus.DECIDED], to_status=CaseStatus.DELIVERING, **fields)
        history_add(
            case=locked,
            action=f"deliver_{method}",
            from_status=CaseStatus.DECIDED,
            actor=actor,
            details={"carrier": fields.get("delivery_carrier", ""), "tracking": tracking},
        )
        with translation.override(settings.LANGUAGE_CODE):
            if method == DeliveryMethod.WINDOW:
                text = _("The result of case %(number)s is ready at the result window of %(hall)s.")
            elif method == DeliveryMethod.MAIL:
                text = _("The result of case %(number)s has been posted (%(carrier)s %(tracking)s).")
            else:
                text = _("The result of case %(number)s is on its way to your home.")
            text = text % {
                "number": locked.number,
                "hall": locked.hall.name,
                "carrier": fields.get("delivery_carrier", ""),
                "tracking": tracking,
            }
        applicant_notify(locked, text)
    return locked


def case_complete(*, case: Case, actor: User) -> Case:
    """The result reached the applicant. A pickup at the window is one more trip; mail and home are not."""
    allowed = staff_may_act_at_window(user=actor, case=case) or staff_may_decide(user=actor, case=case)
    case_require(case=case, user=actor, allowed=allowed)
    now = clock.now()
    with transaction.atomic():
        locked = case_locked(case_id=case.pk)
        trips = locked.trips_made + (1 if locked.delivery_method == DeliveryMethod.WINDOW else 0)
        case_move(
            case=locked,
            from_statuses=[CaseStatus.DELIVERING],
            to_status=CaseStatus.COMPLETED,
            completed_at=now,
            trips_made=trips,
        )
        history_add(
            case=locked,
            action="complete",
            from_status=CaseStatus.DELIVERING,
            actor=actor,
            details={"trips": trips},
        )
    return locked

"""Intake at the window (一窗受理): the case number, the materials check and the four outcomes.

The applicant lives in `applicants`, the materials' checks in `materials`, and the return of a
correction (补正) or of 容缺 materials in `returns` (all re-exported by the `services` package)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from minxin.accounts.models import User
from minxin.cases.models import (
    Case,
    CaseMaterial,
    CaseNotice,
    CaseStatus,
    HallCaseSettings,
    IntakeOutcome,
    NoticeKind,
)
from minxin.cases.services.applicants import ApplicantData, applicant_upsert
from minxin.cases.services.common import (
    WINDOW_ROLES,
    Deadlines,
    baseline_trips,
    deadlines_for,
    field_error,
    hall_today,
    history_add,
    steps_create,
)
from minxin.cases.services.materials import MaterialCheck, checks_validated, materials_rows, notice_content
from minxin.cases.services.supervision import case_light_schedule
from minxin.catalog.models import ItemVersion, Material, Window
from minxin.catalog.selectors import current_versions
from minxin.core import clock
from minxin.core.audit import audit_record
from minxin.core.errors import Forbidden, NotFound
from minxin.core.numbering import counter_next
from minxin.core.workdays import add_working_days
from minxin.orgs.models import Hall
from minxin.orgs.selectors import staff_may_act_in_hall
from minxin.queueing.models import Ticket

STATUS_OF_OUTCOME = {
    IntakeOutcome.ACCEPT: CaseStatus.ACCEPTED,
    IntakeOutcome.ACCEPT_WITH_GAPS: CaseStatus.ACCEPTED,
    IntakeOutcome.CORRECT: CaseStatus.CORRECTION,
    IntakeOutcome.REFUSE: CaseStatus.REFUSED,
}
NOTICE_OF_OUTCOME = {
    IntakeOutcome.ACCEPT: NoticeKind.ACCEPTANCE,
    IntakeOutcome.ACCEPT_WITH_GAPS: NoticeKind.GAPS,
    IntakeOutcome.CORRECT: NoticeKind.CORRECTION,
    IntakeOutcome.REFUSE: NoticeKind.REFUSAL,
}


@dataclass(slots=True)
class IntakeResult:
    case: Case
    notice: CaseNotice | None = None
    missing: list[CaseMaterial] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Intake:
    """What the window decided, checked and ready to be written."""

    hall: Hall
    clerk: User
    version: ItemVersion
    outcome: str
    reasons: str
    legal_basis: str
    checks: dict[int, MaterialCheck]
    missing: list[Material]
    deadlines: Deadlines | None
    gap_due: dt.date | None
    today: dt.date
    now: dt.datetime


def case_number_next(*, hall: Hall, year: int) -> str:
    settings_row = HallCaseSettings.objects.filter(hall=hall).only("number_prefix").first()
    prefix = (
        settings_row.number_prefix if settings_row and settings_row.number_prefix else hall.code
    ).upper()
    seq = counter_next(scope="case", key=f"{hall.pk}:{year}")
    return f"{prefix}-{year}-{seq:06d}"


def _version_for_hall(*, hall: Hall, item_public_id: str, today: dt.date) -> ItemVersion:
    version = (
        current_versions(on=today)
        .filter(item__public_id=item_public_id, item__department__hall=hall, item__department__is_active=True)
        .first()
    )
    if version is None:
        raise NotFound(_("This hall handles no such item."), code="item_not_found")
    return version


def _request_checked(
    *,
    hall: Hall,
    clerk: User,
    outcome: str,
    window: Window | None,
    ticket: Ticket | None,
    delivery_method: str,
) -> None:
    """The clerk's scope and the request's own fields, before anything is looked up."""
    if not staff_may_act_in_hall(user=clerk, hall=hall, roles=WINDOW_ROLES):
        raise Forbidden(_("You may not take in cases in this hall."), code="out_of_scope")
    if outcome not in IntakeOutcome.values:
        raise field_error("outcome", _("Unknown outcome."), "invalid_outcome")
    if window is not None and window.hall_id != hall.pk:
        raise field_error("window", _("This window is in another hall."), "invalid_window")
    if ticket is not None and ticket.hall_id != hall.pk:
        raise field_error("ticket", _("This number was taken in another hall."), "invalid_ticket")
    if delivery_method not in ("window", "mail", "home"):
        raise field_error("delivery", _("Unknown delivery method."), "invalid_delivery")


def _missing(version: ItemVersion, checks: dict[int, MaterialCheck]) -> tuple[list[Material], list[Material]]:
    """The materials not presented or faulty: (mandatory ones, the others)."""
    mandatory_missing: list[Material] = []
    optional_missing: list[Material] = []
    for material in Material.objects.filter(version=version):
        check = checks.get(material.pk)
        if check is None or not (check.presented and check.ok):
            (mandatory_missing if material.mandatory else optional_missing).append(material)
    return mandatory_missing, optional_missing


def _outcome_checked(
    outcome: str, *, mandatory_missing: list[Material], optional_missing: list[Material], reasons: str
) -> None:
    """The outcome the law allows for what is missing (行政许可法 Art. 32)."""
    missing = mandatory_missing + optional_missing
    if outcome == IntakeOutcome.ACCEPT and missing:
        raise field_error(
            "materials",
            _("Materials are missing or faulty: issue a one-time correction notice or accept with gaps."),
            "materials_incomplete",
        )
    if outcome == IntakeOutcome.CORRECT and not missing:
        raise field_error("materials", _("Nothing is missing: accept the case."), "nothing_to_correct")
    if outcome == IntakeOutcome.REFUSE and not reasons:
        raise field_error("reasons", _("Give the reasons for not accepting."), "reasons_required")
    if outcome == IntakeOutcome.ACCEPT_WITH_GAPS:
        if mandatory_missing:
            raise field_error(
                "materials",
                _("Key materials are missing; only non-key materials may be supplied later."),
                "key_material_missing",
            )
        if not optional_missing:
            raise field_error("materials", _("Nothing is missing: accept the case."), "nothing_to_correct")


def _intake_prepared(
    *,
    hall: Hall,
    clerk: User,
    item: str,
    materials: Sequence[MaterialCheck],
    outcome: str,
    reasons: str,
    legal_basis: str,
    delivery_method: str,
) -> _Intake:
    """Every check of the intake, and the deadlines it stamps (WorkingCalendarMissing when a year is
    not loaded), before anything is written."""
    now = clock.now()
    today = hall_today(hall)
    version = _version_for_hall(hall=hall, item_public_id=item, today=today)
    if delivery_method != "window" and not version.mail_delivery:
        raise field_error("delivery", _("This item's result cannot be mailed."), "delivery_not_offered")
    checks = checks_validated(version, materials)
    reasons = reasons.strip()
    mandatory_missing, optional_missing = _missing(version, checks)
    _outcome_checked(
        outcome, mandatory_missing=mandatory_missing, optional_missing=optional_missing, reasons=reasons
    )
    deadlines = None
    if outcome in (IntakeOutcome.ACCEPT, IntakeOutcome.ACCEPT_WITH_GAPS):
        deadlines = deadlines_for(version=version, accepted_on=today)
    gap_due = (
        add_working_days(today, int(settings.CASES_GAP_WORKING_DAYS))
        if outcome == IntakeOutcome.ACCEPT_WITH_GAPS
        else None
    )
    return _Intake(
        hall=hall,
        clerk=clerk,
        version=version,
        outcome=outcome,
        reasons=reasons,
        legal_basis=legal_basis,
        checks=checks,
        missing=mandatory_missing + optional_missing,
        deadlines=deadlines,
        gap_due=gap_due,
        today=today,
        now=now,
    )


def _case_create(
    intake: _Intake,
    *,
    applicant: ApplicantData,
    window: Window | None,
    ticket: Ticket | None,
    delivery_method: str,
    delivery_address: str,
) -> Case:
    now, today, version, deadlines = intake.now, intake.today, intake.version, intake.deadlines
    person = applicant_upsert(data=applicant, now=now)
    status = STATUS_OF_OUTCOME[IntakeOutcome(intake.outcome)]
    refused = status == CaseStatus.REFUSED
    return Case.objects.create(
        number=case_number_next(hall=intake.hall, year=today.year),
        hall=intake.hall,
        department=version.item.department,
        item_version=version,
        applicant=person,
        status=status,
        outcome=intake.outcome,
        clerk=intake.clerk,
        window=window,
        ticket=ticket,
        created_at=now,
        accepted_at=now if deadlines else None,
        accepted_on=today if deadlines else None,
        refused_at=now if refused else None,
        promised_due=deadlines.promised_due if deadlines else None,
        statutory_due=deadlines.statutory_due if deadlines else None,
        refusal_reasons=intake.reasons if refused else "",
        refusal_basis=(intake.legal_basis.strip() or version.legal_basis) if refused else "",
        delivery_method=delivery_method,
        delivery_address=delivery_address.strip()[:255],
        trips_made=1,
        baseline_trips=baseline_trips(version),
    )


def _case_materials_create(intake: _Intake, case: Case, missing_ids: set[int]) -> list[CaseMaterial]:
    """The case's material rows: what is missing goes on the correction notice, or gets its gap's due."""
    rows = materials_rows(case, intake.version, intake.checks)
    for row in rows:
        if row.material_id in missing_ids and intake.outcome == IntakeOutcome.CORRECT:
            row.on_notice = True
        if row.material_id in missing_ids and intake.outcome == IntakeOutcome.ACCEPT_WITH_GAPS:
            row.gap_due = row.gap_due or intake.gap_due
    CaseMaterial.objects.bulk_create(rows)
    return rows


def _intake_record(
    intake: _Intake, case: Case, rows: list[CaseMaterial], missing_ids: set[int]
) -> CaseNotice:
    """The steps, the outcome's notice, the history row, the light's schedule and the audit entry."""
    if intake.deadlines is not None:
        steps_create(case=case, deadlines=intake.deadlines, now=intake.now)
    notice = CaseNotice.objects.create(
        case=case,
        kind=NOTICE_OF_OUTCOME[IntakeOutcome(intake.outcome)],
        issued_at=intake.now,
        issued_by=intake.clerk,
        content=notice_content(case, rows, missing_ids, intake.reasons),
    )
    outcome, clerk = intake.outcome, intake.clerk
    history_add(case=case, action=f"intake_{outcome}", from_status="", actor=clerk, note=intake.reasons)
    if intake.deadlines is not None:
        case_light_schedule(case=case, now=intake.now)
    audit_record(actor=clerk, action=f"cases.intake_{outcome}", target=case, details={"number": case.number})
    return notice


def case_intake(
    *,
    hall: Hall,
    clerk: User,
    item: str,
    applicant: ApplicantData,
    materials: Sequence[MaterialCheck],
    outcome: str,
    reasons: str = "",
    legal_basis: str = "",
    window: Window | None = None,
    ticket: Ticket | None = None,
    delivery_method: str = "window",
    delivery_address: str = "",
) -> IntakeResult:
    """Take an application in at the window and record one of the four outcomes (行政许可法 Art. 32).

    accept: every mandatory material presented and correct; deadlines stamped from the item version
    (refused with WorkingCalendarMissing when a year is not loaded). correct: at least one material
    missing or faulty; all of them go on one notice. refuse: reasons required. accept_with_gaps: only
    non-mandatory materials missing, each with a due date. Every outcome gets a case number."""
    _request_checked(
        hall=hall, clerk=clerk, outcome=outcome, window=window, ticket=ticket, delivery_method=delivery_method
    )
    intake = _intake_prepared(
        hall=hall,
        clerk=clerk,
        item=item,
        materials=materials,
        outcome=outcome,
        reasons=reasons,
        legal_basis=legal_basis,
        delivery_method=delivery_method,
    )
    missing_ids = {m.pk for m in intake.missing}
    with transaction.atomic():
        case = _case_create(
            intake,
            applicant=applicant,
            window=window,
            ticket=ticket,
            delivery_method=delivery_method,
            delivery_address=delivery_address,
        )
        rows = _case_materials_create(intake, case, missing_ids)
        notice = _intake_record(intake, case, rows, missing_ids)
    missing_rows = [row for row in rows if row.material_id in missing_ids]
    return IntakeResult(case=case, notice=notice, missing=missing_rows)

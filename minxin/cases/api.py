"""The cases API (one ninja Router, mounted under /api/v1/ by minxin.api)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from minxin.accounts.api_auth import BearerToken, CitizenSession, StaffSession, request_user, staff_auth
from minxin.accounts.models import Citizen, User
from minxin.cases import selectors
from minxin.cases.models import Case, CaseStatus
from minxin.cases.services import (
    ApplicantData,
    MaterialCheck,
    case_complete,
    case_decide,
    case_deliver,
    case_extend,
    case_intake,
    case_materials_supply,
    case_resume,
    case_step_advance,
    case_suspend,
)
from minxin.catalog.selectors import window_of_hall
from minxin.core.errors import Forbidden, InvalidInput, NotFound
from minxin.orgs.api import hall_or_404
from minxin.queueing.services import ticket_for_clerk

router = Router(tags=["cases"])
staff_or_citizen = [BearerToken(), StaffSession(), CitizenSession()]


class ApplicantIn(Schema):
    kind: Literal["person", "company"]
    name: str = Field(..., min_length=1, max_length=128)
    id_number: str = Field("", max_length=32, description="Resident ID number (person)")
    credit_code: str = Field("", max_length=32, description="Unified social credit code (company)")
    phone: str = Field(..., max_length=20)
    contact_name: str = Field("", max_length=64)
    address: str = Field("", max_length=255)


class MaterialIn(Schema):
    material: int
    presented: bool = False
    ok: bool = False
    original: bool = False
    note: str = Field("", max_length=255)
    due: dt.date | None = None


class CaseIn(Schema):
    item: uuid.UUID
    applicant: ApplicantIn
    materials: list[MaterialIn] = Field(default_factory=list, max_length=200)
    outcome: Literal["accept", "correct", "refuse", "accept_with_gaps"]
    reasons: str = Field("", max_length=2000)
    legal_basis: str = Field("", max_length=2000)
    ticket: uuid.UUID | None = None
    window: str | None = Field(None, max_length=8, description="Window number in the hall")
    delivery: Literal["window", "mail", "home"] = "window"
    delivery_address: str = Field("", max_length=255)


class ApplicantOut(Schema):
    kind: str
    name: str
    id_masked: str
    phone_masked: str


class MaterialOut(Schema):
    material: int
    name: str
    mandatory: bool
    presented: bool
    original: bool
    ok: bool
    note: str
    on_notice: bool
    due: dt.date | None
    received: bool


class HistoryOut(Schema):
    at: dt.datetime
    action: str
    from_status: str
    to_status: str
    actor: str
    note: str


class StepOut(Schema):
    kind: str
    days: int
    due: dt.date
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    light: str


class CaseOut(Schema):
    id: uuid.UUID
    number: str
    status: str
    status_label: str
    outcome: str
    hall: str
    department: str
    item: uuid.UUID
    item_name: str
    received_at: dt.datetime
    accepted_on: dt.date | None
    promised_due: dt.date | None
    statutory_due: dt.date | None
    suspended_days: int
    extended_days: int
    light: str
    decision: str
    decision_reasons: str
    refusal_reasons: str
    refusal_basis: str
    decided_at: dt.datetime | None
    completed_at: dt.datetime | None
    on_time: bool | None
    delivery: str
    delivery_carrier: str
    delivery_tracking: str
    trips_made: int
    baseline_trips: int
    applicant: ApplicantOut
    public_url: str
    materials: list[MaterialOut] = []
    steps: list[StepOut] = []
    history: list[HistoryOut] = []

    @staticmethod
    def of(case: Case, *, detail: bool = False) -> CaseOut:
        on_time = None
        if case.decided_at is not None and case.promised_due is not None:
            on_time = case.decided_at.astimezone(_zone(case)).date() <= case.promised_due
        out = CaseOut(
            id=case.public_id,
            number=case.number,
            status=case.status,
            status_label=str(CaseStatus(case.status).label),
            outcome=case.outcome,
            hall=case.hall.code,
            department=case.department.name,
            item=case.item_version.item.public_id,
            item_name=case.item_version.name,
            received_at=case.created_at,
            accepted_on=case.accepted_on,
            promised_due=case.promised_due,
            statutory_due=case.statutory_due,
            suspended_days=case.suspended_days,
            extended_days=case.extended_days,
            light=case.light,
            decision=case.decision,
            decision_reasons=case.decision_reasons,
            refusal_reasons=case.refusal_reasons,
            refusal_basis=case.refusal_basis,
            decided_at=case.decided_at,
            completed_at=case.completed_at,
            on_time=on_time,
            delivery=case.delivery_method,
            delivery_carrier=case.delivery_carrier,
            delivery_tracking=case.delivery_tracking,
            trips_made=case.trips_made,
            baseline_trips=case.baseline_trips,
            applicant=ApplicantOut(
                kind=case.applicant.kind,
                name=case.applicant.name,
                id_masked=case.applicant.id_masked,
                phone_masked=case.applicant.phone_masked,
            ),
            public_url=reverse("cases:public", args=[case.public_id]),
        )
        if detail:
            out.materials = [
                MaterialOut(
                    material=row.material_id,
                    name=row.material.name,
                    mandatory=row.material.mandatory,
                    presented=row.presented,
                    original=row.original,
                    ok=row.ok,
                    note=row.note,
                    on_notice=row.on_notice,
                    due=row.gap_due,
                    received=row.received_at is not None,
                )
                for row in selectors.case_materials(case)
            ]
            out.steps = [
                StepOut(
                    kind=s.kind,
                    days=s.days,
                    due=s.due,
                    started_at=s.started_at,
                    finished_at=s.finished_at,
                    light=s.light,
                )
                for s in case.steps.order_by("position")
            ]
            out.history = [
                HistoryOut(
                    at=h.at,
                    action=h.action,
                    from_status=h.from_status,
                    to_status=h.to_status,
                    actor=h.actor_label,
                    note=h.note,
                )
                for h in selectors.case_history(case)
            ]
        return out


def _zone(case: Case) -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo(case.hall.time_zone)


def _staff_case(request: HttpRequest, case_id: uuid.UUID) -> tuple[User, Case]:
    user = request_user(request)
    case = selectors.case_for_staff(user=user, public_id=str(case_id))
    if case is None:
        raise NotFound(_("No such case."), code="case_not_found")
    return user, case


def _detail(case: Case) -> CaseOut:
    fresh = Case.objects.select_related("hall", "department", "item_version__item", "applicant").get(
        pk=case.pk
    )
    return CaseOut.of(fresh, detail=True)


@router.post(
    "/halls/{hall}/cases", response={201: CaseOut}, auth=staff_auth, summary="Take in a case at the window"
)
def case_intake_api(request: HttpRequest, hall: str, payload: CaseIn) -> Status[CaseOut]:
    user = request_user(request)
    the_hall = hall_or_404(hall)
    window = None
    if payload.window:
        window = window_of_hall(hall=the_hall, number=payload.window)
        if window is None:
            raise InvalidInput(_("No such window."), code="invalid_window", details={"field": "window"})
    ticket = ticket_for_clerk(user=user, public_id=str(payload.ticket)) if payload.ticket else None
    applicant = payload.applicant
    identifier = applicant.id_number if applicant.kind == "person" else applicant.credit_code
    result = case_intake(
        hall=the_hall,
        clerk=user,
        item=str(payload.item),
        applicant=ApplicantData(
            kind=applicant.kind,
            name=applicant.name,
            id_number=identifier,
            phone=applicant.phone,
            contact_name=applicant.contact_name,
            address=applicant.address,
        ),
        materials=[
            MaterialCheck(
                material=m.material,
                presented=m.presented,
                ok=m.ok,
                original=m.original,
                note=m.note,
                due=m.due,
            )
            for m in payload.materials
        ],
        outcome=payload.outcome,
        reasons=payload.reasons,
        legal_basis=payload.legal_basis,
        window=window,
        ticket=ticket,
        delivery_method=payload.delivery,
        delivery_address=payload.delivery_address,
    )
    return Status(201, _detail(result.case))


@router.get("/cases/{case_id}", response=CaseOut, auth=staff_or_citizen, summary="A case with its history")
def case_get_api(request: HttpRequest, case_id: uuid.UUID) -> CaseOut:
    auth = request.auth  # type: ignore[attr-defined]
    if isinstance(auth, Citizen):
        case = selectors.case_for_citizen(citizen=auth, public_id=str(case_id))
    elif isinstance(auth, User):
        case = selectors.case_for_staff(user=auth, public_id=str(case_id))
    else:
        case = None
    if case is None:
        raise NotFound(_("No such case."), code="case_not_found")
    return _detail(case)


class SuspendIn(Schema):
    kind: Literal["hearing", "testing", "inspection", "expert_review", "appraisal", "materials"]
    reason: str = Field(..., max_length=2000)


class ReasonIn(Schema):
    reason: str = Field(..., max_length=2000)


class DecideIn(Schema):
    decision: Literal["approve", "reject"]
    reasons: str = Field("", max_length=2000)


class DeliverIn(Schema):
    method: Literal["window", "mail", "home"]
    tracking: str = Field("", max_length=64)
    carrier: str = Field("", max_length=64)
    address: str = Field("", max_length=255)


class MaterialsIn(Schema):
    materials: list[MaterialIn] = Field(..., min_length=1, max_length=200)
    in_person: bool = True


@router.post("/cases/{case_id}/suspend", response=CaseOut, auth=staff_auth, summary="Stop both clocks")
def case_suspend_api(request: HttpRequest, case_id: uuid.UUID, payload: SuspendIn) -> CaseOut:
    user, case = _staff_case(request, case_id)
    case_suspend(case=case, actor=user, kind=payload.kind, reason=payload.reason)
    return _detail(case)


@router.post("/cases/{case_id}/resume", response=CaseOut, auth=staff_auth, summary="Restart both clocks")
def case_resume_api(request: HttpRequest, case_id: uuid.UUID) -> CaseOut:
    user, case = _staff_case(request, case_id)
    case_resume(case=case, actor=user)
    return _detail(case)


@router.post(
    "/cases/{case_id}/extend", response=CaseOut, auth=staff_auth, summary="Extend the statutory limit once"
)
def case_extend_api(request: HttpRequest, case_id: uuid.UUID, payload: ReasonIn) -> CaseOut:
    user, case = _staff_case(request, case_id)
    case_extend(case=case, actor=user, reason=payload.reason)
    return _detail(case)


@router.post("/cases/{case_id}/advance", response=CaseOut, auth=staff_auth, summary="Finish the current step")
def case_advance_api(request: HttpRequest, case_id: uuid.UUID) -> CaseOut:
    user, case = _staff_case(request, case_id)
    case_step_advance(case=case, actor=user)
    return _detail(case)


@router.post("/cases/{case_id}/decide", response=CaseOut, auth=staff_auth, summary="Approve or reject")
def case_decide_api(request: HttpRequest, case_id: uuid.UUID, payload: DecideIn) -> CaseOut:
    user, case = _staff_case(request, case_id)
    case_decide(case=case, actor=user, decision=payload.decision, reasons=payload.reasons)
    return _detail(case)


@router.post("/cases/{case_id}/deliver", response=CaseOut, auth=staff_auth, summary="Send the result out")
def case_deliver_api(request: HttpRequest, case_id: uuid.UUID, payload: DeliverIn) -> CaseOut:
    user, case = _staff_case(request, case_id)
    case_deliver(
        case=case,
        actor=user,
        method=payload.method,
        tracking=payload.tracking,
        carrier=payload.carrier,
        address=payload.address,
    )
    return _detail(case)


@router.post(
    "/cases/{case_id}/complete", response=CaseOut, auth=staff_auth, summary="The result reached the applicant"
)
def case_complete_api(request: HttpRequest, case_id: uuid.UUID) -> CaseOut:
    user, case = _staff_case(request, case_id)
    case_complete(case=case, actor=user)
    return _detail(case)


@router.post(
    "/cases/{case_id}/materials", response=CaseOut, auth=staff_auth, summary="Materials brought back"
)
def case_materials_api(request: HttpRequest, case_id: uuid.UUID, payload: MaterialsIn) -> CaseOut:
    user, case = _staff_case(request, case_id)
    case_materials_supply(
        case=case,
        actor=user,
        materials=[
            MaterialCheck(
                material=m.material, presented=m.presented, ok=m.ok, original=m.original, note=m.note
            )
            for m in payload.materials
        ],
        in_person=payload.in_person,
    )
    return _detail(case)


class MetricsFilter(Schema):
    from_: dt.date = Field(..., alias="from")
    to: dt.date


class MetricsOut(Schema):
    hall: str
    start: dt.date = Field(..., alias="from")
    end: dt.date = Field(..., alias="to")
    entry_rate: Decimal
    materials_cut_rate: Decimal
    time_limit_cut_rate: Decimal
    trips_saved: Decimal
    zero_trip_item_share: Decimal
    one_trip_item_share: Decimal
    on_time_rate: Decimal
    speed_up_rate: Decimal
    one_visit_rate: Decimal
    cases_by_status: dict[str, int]
    cases_by_light: dict[str, int]


@router.get(
    "/halls/{hall}/metrics",
    response=MetricsOut,
    auth=staff_auth,
    by_alias=True,
    summary="The hall's headline metrics",
)
def hall_metrics_api(request: HttpRequest, hall: str, filters: Query[MetricsFilter]) -> dict[str, Any]:
    user = request_user(request)
    the_hall = hall_or_404(hall)
    if not selectors.staff_may_supervise(user=user, hall=the_hall):
        raise Forbidden(_("You may not see this hall's metrics."), code="out_of_scope")
    if filters.to < filters.from_:
        raise InvalidInput(
            _("The period ends before it starts."), code="invalid_period", details={"field": "to"}
        )
    if (filters.to - filters.from_).days > 366 * 3:
        raise InvalidInput(
            _("The period is longer than three years."), code="invalid_period", details={"field": "from"}
        )
    metrics = selectors.hall_metrics(hall=the_hall, start=filters.from_, end=filters.to)
    return {"hall": the_hall.code, "from": filters.from_, "to": filters.to, **metrics}


class LitCaseOut(Schema):
    id: uuid.UUID
    number: str
    item_name: str
    status: str
    light: str
    promised_due: dt.date | None
    statutory_due: dt.date | None


class DepartmentSupervisionOut(Schema):
    department: str
    code: str
    yellow: list[LitCaseOut]
    red: list[LitCaseOut]
    yellow_cards: int
    red_cards: int


class SupervisionOut(Schema):
    hall: str
    departments: list[DepartmentSupervisionOut]


def _lit(case: Case) -> LitCaseOut:
    return LitCaseOut(
        id=case.public_id,
        number=case.number,
        item_name=case.item_version.name,
        status=case.status,
        light=case.light,
        promised_due=case.promised_due,
        statutory_due=case.statutory_due,
    )


@router.get(
    "/halls/{hall}/supervision",
    response=SupervisionOut,
    auth=staff_auth,
    summary="Yellow and red cases by department",
)
def hall_supervision_api(request: HttpRequest, hall: str) -> SupervisionOut:
    user = request_user(request)
    the_hall = hall_or_404(hall)
    if not selectors.staff_may_supervise(user=user, hall=the_hall):
        raise Forbidden(_("You may not supervise this hall."), code="out_of_scope")
    rows = selectors.hall_supervision(hall=the_hall)
    return SupervisionOut(
        hall=the_hall.code,
        departments=[
            DepartmentSupervisionOut(
                department=row.department.name,
                code=row.department.code,
                yellow=[_lit(c) for c in row.yellow],
                red=[_lit(c) for c in row.red],
                yellow_cards=row.yellow_cards,
                red_cards=row.red_cards,
            )
            for row in rows
        ],
    )

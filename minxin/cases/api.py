"""The cases API (one ninja Router, mounted under /api/v1/ by minxin.api)."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from minxin.accounts.api_auth import BearerToken, CitizenSession, StaffSession, request_user, staff_auth
from minxin.accounts.models import Citizen, User
from minxin.cases import selectors
from minxin.cases.models import Case
from minxin.cases.schemas import (
    CaseIn,
    CaseOut,
    DecideIn,
    DeliverIn,
    DepartmentSupervisionOut,
    MaterialsIn,
    MetricsFilter,
    MetricsOut,
    ReasonIn,
    SupervisionOut,
    SuspendIn,
    lit_case_out,
)
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
from minxin.core.errors import InvalidInput, NotFound
from minxin.orgs.selectors import hall_for
from minxin.queueing.services import ticket_for_clerk

router = Router(tags=["cases"])
staff_or_citizen = [BearerToken(), StaffSession(), CitizenSession()]


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
    the_hall = hall_for(code=hall)
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


@router.get(
    "/halls/{hall}/metrics",
    response=MetricsOut,
    auth=staff_auth,
    by_alias=True,
    summary="The hall's headline metrics",
)
def hall_metrics_api(request: HttpRequest, hall: str, filters: Query[MetricsFilter]) -> dict[str, Any]:
    user = request_user(request)
    the_hall = hall_for(
        code=hall,
        user=user,
        roles=selectors.SUPERVISE_ROLES,
        refusal=_("You may not see this hall's metrics."),
    )
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


@router.get(
    "/halls/{hall}/supervision",
    response=SupervisionOut,
    auth=staff_auth,
    summary="Yellow and red cases by department",
)
def hall_supervision_api(request: HttpRequest, hall: str) -> SupervisionOut:
    user = request_user(request)
    the_hall = hall_for(
        code=hall, user=user, roles=selectors.SUPERVISE_ROLES, refusal=_("You may not supervise this hall.")
    )
    rows = selectors.hall_supervision(hall=the_hall)
    return SupervisionOut(
        hall=the_hall.code,
        departments=[
            DepartmentSupervisionOut(
                department=row.department.name,
                code=row.department.code,
                yellow=[lit_case_out(c) for c in row.yellow],
                red=[lit_case_out(c) for c in row.red],
                yellow_cards=row.yellow_cards,
                red_cards=row.red_cards,
            )
            for row in rows
        ],
    )

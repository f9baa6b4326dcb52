"""Home and on-site service (上门服务): requested for an elderly or disabled citizen or a company,
scheduled with staff and a time, tracked to completion. The citizen makes no trip (trips = 0)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from minxin.accounts import personal
from minxin.accounts.models import User
from minxin.appointments.models import HomeVisit, HomeVisitEvent, VisitStatus
from minxin.appointments.services.bookings import _phone_parts
from minxin.cases.models import ApplicantKind, Case, IntakeOutcome
from minxin.cases.services import ApplicantData, MaterialCheck, case_intake
from minxin.cases.services.common import history_add
from minxin.catalog.models import ItemVersion, Material, ServiceItem
from minxin.catalog.selectors import current_versions
from minxin.core import clock
from minxin.core.audit import audit_record
from minxin.core.errors import Conflict, InvalidInput
from minxin.orgs.models import Hall


def _event(visit: HomeVisit, status: str, *, actor: User | None, note: str = "") -> None:
    HomeVisitEvent.objects.create(visit=visit, status=status, at=clock.now(), actor=actor, note=note[:255])


def visit_request(
    *,
    hall: Hall,
    matter: str,
    requester: str,
    name: str,
    phone: str,
    address: str,
    item: ServiceItem | None = None,
    notes: str = "",
    actor: User | None = None,
) -> HomeVisit:
    """A request for a visit, by the citizen on the web or taken down by staff (on the phone, 12345)."""
    if requester not in HomeVisit.Requester.values:
        raise InvalidInput(_("Choose who the visit is for."), details={"field": "requester"})
    for field, value in (("matter", matter), ("name", name), ("address", address)):
        if not value.strip():
            raise InvalidInput(_("This field is required."), details={"field": field})
    phone_hash, phone_masked, phone_encrypted = _phone_parts(phone)
    with transaction.atomic():
        visit = HomeVisit.objects.create(
            hall=hall,
            item=item,
            matter=matter.strip()[:128],
            requester=requester,
            name=name.strip()[:64],
            phone_hash=phone_hash,
            phone_masked=phone_masked,
            phone_encrypted=phone_encrypted,
            address=address.strip()[:255],
            notes=notes.strip(),
            requested_at=clock.now(),
        )
        _event(visit, VisitStatus.REQUESTED, actor=actor)
        if actor is not None:
            audit_record(actor=actor, action="appointments.visit_request", target=visit)
    return visit


def visit_schedule(*, visit: HomeVisit, staff: User, when: dt.datetime, actor: User) -> HomeVisit:
    """Give the visit its staff member and time (again, to reschedule). Scope is the caller's to check."""
    if when <= clock.now():
        raise InvalidInput(_("Choose a time in the future."), details={"field": "scheduled_for"})
    with transaction.atomic():
        changed = HomeVisit.objects.filter(
            pk=visit.pk, status__in=[VisitStatus.REQUESTED, VisitStatus.SCHEDULED]
        ).update(status=VisitStatus.SCHEDULED, staff=staff, scheduled_for=when)
        if not changed:
            raise Conflict(_("This visit is closed."), code="visit_closed")
        visit.refresh_from_db()
        _event(visit, VisitStatus.SCHEDULED, actor=actor, note=f"{staff.get_username()} {when.isoformat()}")
        audit_record(actor=actor, action="appointments.visit_schedule", target=visit)
    return visit


@dataclass(frozen=True, slots=True)
class VisitIntake:
    """What the staff member records at the citizen's home to open the case: the applicant's ID number
    (a company: its unified social credit code) and the materials seen there, presented and correct."""

    id_number: str
    materials_ok: frozenset[int] = frozenset()
    item_public_id: str = ""


def visit_version(visit: HomeVisit, item_public_id: str = "") -> ItemVersion | None:
    """The current version of the visit's item (or of the item chosen now) in the visit's hall."""
    public_id = item_public_id or (str(visit.item.public_id) if visit.item else "")
    if not public_id:
        return None
    today = clock.local_today(visit.hall.time_zone)
    return (
        current_versions(on=today)
        .filter(item__public_id=public_id, item__department__hall=visit.hall)
        .select_related("item")
        .first()
    )


def _open_case(visit: HomeVisit, *, actor: User, intake: VisitIntake) -> Case:
    """上门受理: the case is taken in at the citizen's home through the cases app's own intake, with the
    materials seen there (all present: accepted; else a one-time correction notice), the result brought
    home when the item allows it, and no trip counted (the visit was the trip, made by staff)."""
    version = visit_version(visit, intake.item_public_id)
    if version is None:
        raise InvalidInput(_("Choose an item this hall handles."), details={"field": "item"})
    materials = list(Material.objects.filter(version=version).values_list("pk", flat=True))
    checks = [
        MaterialCheck(material=pk, presented=pk in intake.materials_ok, ok=pk in intake.materials_ok)
        for pk in materials
    ]
    company = visit.requester == HomeVisit.Requester.COMPANY
    applicant = ApplicantData(
        kind=ApplicantKind.COMPANY if company else ApplicantKind.PERSON,
        name=visit.name,
        id_number=intake.id_number,
        phone=personal.decrypt(visit.phone_encrypted),
        address=visit.address,
    )
    complete = all(pk in intake.materials_ok for pk in materials)
    result = case_intake(
        hall=visit.hall,
        clerk=actor,
        item=str(version.item.public_id),
        applicant=applicant,
        materials=checks,
        outcome=IntakeOutcome.ACCEPT if complete else IntakeOutcome.CORRECT,
        delivery_method="home" if version.mail_delivery else "window",
        delivery_address=visit.address if version.mail_delivery else "",
    )
    case = result.case
    Case.objects.filter(pk=case.pk).update(trips_made=0)  # taken in at home: the citizen made no trip
    case.trips_made = 0
    history_add(
        case=case, action="home_visit", from_status=case.status, actor=actor, note=str(visit.public_id)
    )
    return case


def visit_complete(
    *, visit: HomeVisit, actor: User, outcome: str, intake: VisitIntake | None = None
) -> HomeVisit:
    """The visit is done. A visit for an item opens its case here (see `_open_case`), in the same
    transaction: a refused intake (a bad ID number) leaves the visit scheduled."""
    if not outcome.strip():
        raise InvalidInput(_("Say what was done."), details={"field": "outcome"})
    needs_case = visit.item_id is not None or bool(intake and intake.item_public_id)
    if needs_case and (intake is None or not intake.id_number.strip()):
        raise InvalidInput(
            _("Enter the applicant's ID number to open the case."), details={"field": "id_number"}
        )
    with transaction.atomic():
        changed = HomeVisit.objects.filter(pk=visit.pk, status=VisitStatus.SCHEDULED).update(
            status=VisitStatus.DONE, completed_at=clock.now(), outcome=outcome.strip()[:255]
        )
        if not changed:
            raise Conflict(_("Only a scheduled visit can be completed."), code="visit_not_scheduled")
        visit.refresh_from_db()
        if needs_case and intake is not None:
            case = _open_case(visit, actor=actor, intake=intake)
            HomeVisit.objects.filter(pk=visit.pk).update(case=case, item=case.item_version.item)
            visit.refresh_from_db()
        _event(visit, VisitStatus.DONE, actor=actor, note=visit.outcome)
        audit_record(actor=actor, action="appointments.visit_complete", target=visit)
    return visit


def visit_cancel(*, visit: HomeVisit, actor: User, reason: str) -> HomeVisit:
    with transaction.atomic():
        changed = HomeVisit.objects.filter(
            pk=visit.pk, status__in=[VisitStatus.REQUESTED, VisitStatus.SCHEDULED]
        ).update(status=VisitStatus.CANCELLED)
        if not changed:
            raise Conflict(_("This visit is closed."), code="visit_closed")
        visit.refresh_from_db()
        _event(visit, VisitStatus.CANCELLED, actor=actor, note=reason)
        audit_record(actor=actor, action="appointments.visit_cancel", target=visit)
    return visit

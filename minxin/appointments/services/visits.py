"""Home and on-site service (上门服务): requested for an elderly or disabled citizen or a company,
scheduled with staff and a time, tracked to completion. The citizen makes no trip (trips = 0)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from minxin.accounts.models import User
from minxin.catalog.models import ServiceItem
from minxin.core import clock
from minxin.core.audit import audit_record
from minxin.core.errors import Conflict, InvalidInput
from minxin.orgs.models import Hall

from ..models import HomeVisit, HomeVisitEvent, VisitStatus
from .bookings import _phone_parts


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


def visit_complete(*, visit: HomeVisit, actor: User, outcome: str) -> HomeVisit:
    if not outcome.strip():
        raise InvalidInput(_("Say what was done."), details={"field": "outcome"})
    with transaction.atomic():
        changed = HomeVisit.objects.filter(pk=visit.pk, status=VisitStatus.SCHEDULED).update(
            status=VisitStatus.DONE, completed_at=clock.now(), outcome=outcome.strip()[:255]
        )
        if not changed:
            raise Conflict(_("Only a scheduled visit can be completed."), code="visit_not_scheduled")
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

"""开始办件: the clerk's intake page at the window, with the called number's data filled in (免填单)."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from minxin.accounts import personal
from minxin.accounts.models import Role, User
from minxin.cases import selectors
from minxin.cases.forms import applicant_from_post, material_checks_from_post
from minxin.cases.services import (
    case_intake,
)
from minxin.cases.views.common import user_of
from minxin.catalog.models import ItemVersion, Material
from minxin.catalog.selectors import current_versions, window_of_hall, windows_for_clerk
from minxin.core import clock
from minxin.core.audit import audit_record
from minxin.core.errors import DomainError
from minxin.orgs.models import Hall
from minxin.orgs.selectors import hall_for
from minxin.queueing.models import Ticket
from minxin.queueing.services import ticket_for_clerk


def _ticket_for_intake(request: HttpRequest, hall: Hall) -> Ticket | None:
    ticket_id = request.GET.get("ticket") or request.POST.get("ticket") or ""
    if not ticket_id:
        return None
    try:
        ticket = ticket_for_clerk(user=user_of(request), public_id=ticket_id)
    except DomainError:
        return None
    return ticket if ticket.hall_id == hall.pk else None


def _proposed_items(hall: Hall, ticket: Ticket | None, query: str) -> list[ItemVersion]:
    versions = current_versions(on=clock.local_today(hall.time_zone)).filter(
        item__department__hall=hall, item__department__is_active=True
    )
    if query:
        for word in query.split():
            versions = versions.filter(name__icontains=word) | versions.filter(item__code__icontains=word)
    elif ticket is not None:
        of_service = versions.filter(item__queue_services=ticket.service_id)
        if of_service.exists():
            versions = of_service
    return list(versions.select_related("item__department").order_by("item__department__name", "name")[:60])


@login_required
def intake_page(request: HttpRequest, hall: str) -> HttpResponse:
    """开始办件: pick the item (the called number's service items first), check the applicant and the
    materials, then one of the four outcomes. The number's phone and what earlier cases know of the
    applicant are filled in (免填单); the clerk only confirms."""
    user = user_of(request)
    the_hall = hall_for(
        code=hall,
        user=user,
        roles=[Role.WINDOW_CLERK, Role.HALL_MANAGER],
        refusal=_("Only the hall's clerks take in cases."),
    )
    ticket = _ticket_for_intake(request, the_hall)
    window_number = request.GET.get("window") or request.POST.get("window") or ""
    window = window_of_hall(hall=the_hall, number=window_number) if window_number else None
    if window is None:
        window = windows_for_clerk(user=user, hall=the_hall).filter(clerks=user).first()
    item_id = request.GET.get("item") or request.POST.get("item") or ""
    version = (
        current_versions(on=clock.local_today(the_hall.time_zone))
        .filter(item__public_id=item_id, item__department__hall=the_hall)
        .select_related("item__department")
        .first()
        if _is_uuid(item_id)
        else None
    )
    context: dict[str, Any] = {"hall": the_hall, "ticket": ticket, "window": window, "version": version}
    if version is None:
        context["items"] = _proposed_items(the_hall, ticket, request.GET.get("q", "").strip())
        context["query"] = request.GET.get("q", "")
        return render(request, "cases/intake.html", context)
    materials = list(Material.objects.filter(version=version).order_by("position", "id"))
    context["materials"] = materials
    if request.method == "POST":
        return _intake_post(request, context, hall=the_hall, user=user, version=version, materials=materials)
    context["values"] = _prefill(request, user, ticket)
    return render(request, "cases/intake.html", context)


def _intake_post(
    request: HttpRequest,
    context: dict[str, Any],
    *,
    hall: Hall,
    user: User,
    version: ItemVersion,
    materials: list[Material],
) -> HttpResponse:
    """The clerk's outcome: to the case's page with its notice, or the form again naming the field."""
    try:
        result = case_intake(
            hall=hall,
            clerk=user,
            item=str(version.item.public_id),
            applicant=applicant_from_post(request.POST),
            materials=material_checks_from_post(request.POST, materials),
            outcome=request.POST.get("outcome", ""),
            reasons=request.POST.get("reasons", ""),
            legal_basis=request.POST.get("legal_basis", ""),
            window=context["window"],
            ticket=context["ticket"],
            delivery_method=request.POST.get("delivery", "window"),
            delivery_address=request.POST.get("address", ""),
        )
    except DomainError as error:
        context.update(error=error.message, field=error.details.get("field", ""), values=request.POST)
        return render(request, "cases/intake.html", context, status=error.status)
    notice = result.notice
    messages.success(
        request,
        _("Case %(number)s: %(notice)s issued.")
        % {"number": result.case.number, "notice": notice.get_kind_display() if notice else ""},
    )
    target = reverse("cases:case", args=[result.case.public_id])
    return HttpResponseRedirect(f"{target}?notice={notice.kind if notice else ''}")


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _prefill(request: HttpRequest, user: User, ticket: Ticket | None) -> dict[str, str]:
    """免填单: the called number's phone, and the applicant an earlier case knew with that phone. The
    clear ID number is shown to the clerk to confirm; that access is audited."""
    values: dict[str, str] = {"kind": "person"}
    if ticket is None or not ticket.phone_encrypted:
        return values
    values["phone"] = personal.decrypt(ticket.phone_encrypted)
    known = selectors.applicant_prefill(phone_hash=ticket.phone_hash)
    if known is not None:
        values.update(kind=known.kind, name=known.name, id_number=personal.decrypt(known.id_encrypted))
        values.update(contact_name=known.contact_name, address=known.address)
        audit_record(actor=user, action="cases.applicant_prefilled", target=known, request=request)
    return values

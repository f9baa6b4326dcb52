"""The citizen's cases, the case's public page (behind the notice's QR code) and 办件查询."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from minxin.accounts.services import citizen_of_session
from minxin.cases import selectors
from minxin.cases.models import Case
from minxin.core.audit import client_ip
from minxin.core.errors import DomainError
from minxin.core.throttle import throttle_hit


def citizen_cases_page(request: HttpRequest) -> HttpResponse:
    citizen = citizen_of_session(request.session)
    if citizen is None:
        return HttpResponseRedirect(f"{reverse('accounts:citizen-login')}?next={reverse('cases:mine')}")
    cases = list(selectors.citizen_cases(citizen=citizen)[:50])
    return render(request, "cases/mine.html", {"rows": selectors.cases_progress(cases)})


def public_case(request: HttpRequest, public_id: Any) -> HttpResponse:
    """The case's public page (behind the notice's QR code): progress without personal data."""
    case = (
        Case.objects.select_related("hall", "department", "item_version").filter(public_id=public_id).first()
    )
    if case is None:
        raise Http404(_("No such case."))
    return render(request, "cases/public.html", {"row": selectors.cases_progress([case])[0]})


def lookup(request: HttpRequest) -> HttpResponse:
    """办件查询: the case number and the last four digits of the applicant's phone; rate-limited per
    address so numbers cannot be tried in bulk."""
    context: dict[str, Any] = {"number": "", "last4": ""}
    if request.method == "POST" or request.GET.get("number"):
        data = request.POST if request.method == "POST" else request.GET
        number, last4 = data.get("number", "").strip()[:32], data.get("last4", "").strip()[:4]
        context.update(number=number, last4=last4)
        try:
            throttle_hit(
                scope="cases-lookup",
                subject=client_ip(request) or "-",
                limit=settings.CASES_LOOKUPS_PER_HOUR,
                period_seconds=3600,
            )
        except DomainError as error:
            context["error"] = error.message
            return render(request, "cases/lookup.html", context, status=429)
        case = selectors.case_lookup(number=number, phone_last4=last4)
        if case is None:
            context["error"] = _("No case matches this number and phone.")
            return render(request, "cases/lookup.html", context, status=404)
        return HttpResponseRedirect(reverse("cases:public", args=[case.public_id]))
    return render(request, "cases/lookup.html", context)

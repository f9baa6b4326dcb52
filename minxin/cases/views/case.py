"""A case's staff page, its back-office actions and its printable notices."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minxin.cases import selectors
from minxin.cases.forms import material_checks_from_post
from minxin.cases.models import Case, CaseNotice, DeliveryMethod, SuspensionKind
from minxin.cases.services import (
    case_complete,
    case_decide,
    case_deliver,
    case_extend,
    case_materials_supply,
    case_resume,
    case_step_advance,
    case_suspend,
)
from minxin.cases.services.common import staff_may_act_at_window, staff_may_decide
from minxin.cases.views.common import qr_svg, user_of
from minxin.catalog.models import Material
from minxin.core.errors import DomainError, InvalidInput


def _staff_case(request: HttpRequest, public_id: Any) -> Case:
    case = selectors.case_for_staff(user=user_of(request), public_id=str(public_id))
    if case is None:
        raise Http404(_("No such case."))
    return case


@login_required
def case_page(request: HttpRequest, public_id: Any) -> HttpResponse:
    case = _staff_case(request, public_id)
    user = user_of(request)
    context = {
        "case": case,
        "materials": selectors.case_materials(case),
        "history": [
            (entry, str(selectors.ACTION_LABELS.get(entry.action, entry.action)))
            for entry in selectors.case_history(case)
        ],
        "steps": list(case.steps.order_by("position")),
        "suspensions": list(case.suspensions.order_by("started_on")),
        "notices": list(case.notices.order_by("issued_at")),
        "may_decide": staff_may_decide(user=user, case=case),
        "may_window": staff_may_act_at_window(user=user, case=case),
        "suspension_kinds": SuspensionKind.choices,
        "delivery_methods": DeliveryMethod.choices,
        "just_issued": request.GET.get("notice", ""),
        "extended": hasattr(case, "extension"),
    }
    return render(request, "cases/case.html", context)


@login_required
@require_POST
def case_action(request: HttpRequest, public_id: Any) -> HttpResponse:
    case = _staff_case(request, public_id)
    user = user_of(request)
    action = request.POST.get("do", "")
    post = request.POST
    try:
        if action == "advance":
            case_step_advance(case=case, actor=user)
        elif action == "suspend":
            case_suspend(case=case, actor=user, kind=post.get("kind", ""), reason=post.get("reason", ""))
        elif action == "resume":
            case_resume(case=case, actor=user)
        elif action == "extend":
            case_extend(case=case, actor=user, reason=post.get("reason", ""))
        elif action == "decide":
            case_decide(
                case=case, actor=user, decision=post.get("decision", ""), reasons=post.get("reasons", "")
            )
        elif action == "deliver":
            case_deliver(
                case=case,
                actor=user,
                method=post.get("method", ""),
                tracking=post.get("tracking", ""),
                carrier=post.get("carrier", ""),
                address=post.get("address", ""),
            )
        elif action == "complete":
            case_complete(case=case, actor=user)
        elif action == "materials":
            materials = Material.objects.filter(version=case.item_version).order_by("position", "id")
            case_materials_supply(
                case=case, actor=user, materials=material_checks_from_post(post, materials, only_marked=True)
            )
        else:
            raise InvalidInput(_("Unknown action."), details={"field": "do"})
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Done."))
    return HttpResponseRedirect(reverse("cases:case", args=[case.public_id]))


@login_required
def notice_page(request: HttpRequest, public_id: Any, kind: str) -> HttpResponse:
    """A notice on A4: the case number, the item, the materials and a QR code to the case's public page."""
    case = _staff_case(request, public_id)
    notice = CaseNotice.objects.filter(case=case, kind=kind).select_related("issued_by").first()
    if notice is None:
        raise Http404(_("No such notice."))
    public_url = request.build_absolute_uri(reverse("cases:public", args=[case.public_id]))
    context = {
        "case": case,
        "notice": notice,
        "materials": selectors.case_materials(case),
        "qr": qr_svg(public_url),
        "public_url": public_url,
        "lookup_url": request.build_absolute_uri(reverse("cases:lookup")),
    }
    return render(request, "cases/notice.html", context)

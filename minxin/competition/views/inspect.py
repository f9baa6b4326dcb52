"""The assessor's phone page: the checklist, deductions, photos (GPS and time stamped by the server)."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from minxin.competition.models import Indicator, Inspection
from minxin.competition.services import evidence as evidence_services
from minxin.competition.views.common import (
    _round,
    _staff,
)
from minxin.core import clock
from minxin.core.errors import DomainError
from minxin.orgs.models import Unit


def _findings(request: HttpRequest, indicators: list[Indicator]) -> list[evidence_services.FindingData]:
    """The checklist's lines with findings: the count × the indicator's deduction, at most its points."""
    findings = []
    for indicator in indicators:
        count = int(request.POST.get(f"count-{indicator.code}", "0") or 0)
        if count < 0 or count > 50:
            raise DomainError(_("Between 0 and 50 findings per line."))
        if count:
            findings.append(
                evidence_services.FindingData(
                    indicator.code,
                    (indicator.deduction * count).quantize(Decimal("0.01")).min(indicator.points),
                    request.POST.get(f"note-{indicator.code}", ""),
                )
            )
    return findings


@login_required
def inspect(request: HttpRequest, round_id: uuid.UUID, unit_id: int) -> HttpResponse:
    """The assessor's phone page: the checklist of the rubric's indicators, a deduction per finding,
    photos from the camera, the phone's GPS fix; the server stamps the time."""
    user = _staff(request)
    round = _round(round_id)
    unit = get_object_or_404(Unit.objects.select_related("region"), pk=unit_id)
    try:
        evidence_services.require_assessor_of(user=user, round=round, unit=unit)
    except DomainError as error:
        raise PermissionDenied(error.message) from error
    indicators = [i for i in round.rubric.indicators.select_related("dimension") if not i.is_bonus]
    if request.method == "POST":
        try:
            findings = _findings(request, indicators)
            inspection = evidence_services.inspection_submit(
                assessor=user,
                round=round,
                unit=unit,
                findings=findings,
                kind=request.POST.get("kind", "unannounced"),
                note=request.POST.get("note", ""),
                latitude=request.POST.get("latitude"),
                longitude=request.POST.get("longitude"),
                accuracy=(request.POST.get("accuracy") or "").split(".")[0],
                photos=request.FILES.getlist("photos"),
            )
        except ValueError:
            messages.error(request, _("Give the number of findings as a whole number."))
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("Inspection recorded at %(time)s (server time).")
                % {"time": clock.local_now(unit.time_zone).strftime("%H:%M:%S")},
            )
            return redirect(
                reverse("competition:inspect", args=[round.public_id, unit.pk]) + f"#i-{inspection.public_id}"
            )
    past = Inspection.objects.filter(round=round, unit=unit, assessor=user).prefetch_related(
        "findings__indicator", "photos"
    )
    return render(
        request,
        "competition/inspect.html",
        {
            "round": round,
            "unit": unit,
            "indicators": indicators,
            "past": past,
            "kinds": Inspection.Kind.choices,
        },
    )

"""The officer's staff pages: the competition home, opening a round, the round page and its buttons."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minxin.accounts.models import User
from minxin.competition import selectors
from minxin.competition.models import (
    Assignment,
    Inspection,
    Objection,
    Round,
    Rubric,
)
from minxin.competition.services import rounds as round_services
from minxin.competition.views.common import (
    CATEGORIES,
    _ancestors,
    _round,
    _staff,
)
from minxin.competition.views.public import TIE_BREAK_TEXT
from minxin.core.errors import DomainError
from minxin.orgs.models import Region, Unit

# Staff pages -------------------------------------------------------------------------------------------


@login_required
def staff_home(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    rounds = list(selectors.rounds_for_staff(user=user).annotate(units=Count("scores"))[:60])
    assignments = list(
        Assignment.objects.filter(assessor=user, round__status=Round.Status.OPEN)
        .select_related("unit__region", "round__region")
        .order_by("round__period_start", "unit__region__path", "unit__name")
    )
    done = set(
        Inspection.objects.filter(assessor=user, round__status=Round.Status.OPEN).values_list(
            "round_id", "unit_id"
        )
    )
    officer_regions = [
        m.region
        for m in user.memberships.filter(role="campaign_officer").select_related("region")
        if m.region
    ]
    own_units = list(selectors.units_of_staff(user=user).select_related("region")[:10])
    own_rounds = [
        (unit, r)
        for unit in own_units
        for r in Round.objects.filter(
            category=unit.flag_category, region__path__in=_ancestors(unit.region.path)
        ).select_related("region")[:6]
    ]
    if not rounds and not assignments and not officer_regions and not own_rounds and not user.is_superuser:
        raise PermissionDenied
    return render(
        request,
        "competition/staff_home.html",
        {
            "rounds": rounds,
            "assignments": [(a, (a.round_id, a.unit_id) in done) for a in assignments],
            "officer_regions": officer_regions,
            "rubrics": Rubric.objects.order_by("code", "-version"),
            "categories": CATEGORIES.choices,
            "own_rounds": own_rounds,
        },
    )


@login_required
@require_POST
def round_open_view(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    try:
        rubric = Rubric.objects.filter(public_id=request.POST.get("rubric", "")).first()
        region = Region.objects.filter(code=request.POST.get("region", "")).first()
        if rubric is None or region is None:
            raise DomainError(_("Choose a rubric and a region."))
        from datetime import date

        round = round_services.round_open(
            officer=user,
            rubric=rubric,
            region=region,
            category=request.POST.get("category", ""),
            period_start=date.fromisoformat(request.POST.get("period_start", "")),
            period_end=date.fromisoformat(request.POST.get("period_end", "")),
        )
    except ValueError:
        messages.error(request, _("Give the period's first and last day."))
        return redirect("competition:staff-home")
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("competition:staff-home")
    return redirect("competition:round", round.public_id)


@login_required
def round_page(request: HttpRequest, round_id: uuid.UUID) -> HttpResponse:
    user = _staff(request)
    round = _round(round_id)
    officer = selectors.officer_may_run(user=user, region=round.region)
    if not officer and not selectors.assessor_may_work_in(user=user, region=round.region):
        raise PermissionDenied
    units = list(selectors.units_of_round(round=round).order_by("region__path", "name")[:500])
    assigned: dict[int, list[str]] = {}
    for a in Assignment.objects.filter(round=round).select_related("assessor"):
        assigned.setdefault(a.unit_id, []).append(str(a.assessor))
    inspected = dict(
        Inspection.objects.filter(round=round)
        .values("unit_id")
        .annotate(n=Count("id"))
        .values_list("unit_id", "n")
    )
    scores = list(selectors.round_scores(round=round)[:500])
    objections = list(Objection.objects.filter(round=round).select_related("unit", "indicator", "raised_by"))
    assessors = (
        User.objects.filter(
            memberships__role="assessor",
            memberships__region__path__in=_ancestors(round.region.path),
            is_active=True,
        )
        .distinct()
        .order_by("username")
        if officer
        else User.objects.none()
    )
    return render(
        request,
        "competition/round.html",
        {
            "round": round,
            "is_officer": officer,
            "units": [(u, assigned.get(u.pk, []), inspected.get(u.pk, 0)) for u in units],
            "scores": scores,
            "objections": objections,
            "assessors": assessors,
            "open_objections": sum(1 for o in objections if o.status == "open"),
            "tie_breaks": TIE_BREAK_TEXT(),
        },
    )


@login_required
@require_POST
def round_action(request: HttpRequest, round_id: uuid.UUID, action: str) -> HttpResponse:
    """compute, freeze, assign: the officer's buttons on the round page."""
    user = _staff(request)
    round = _round(round_id)
    try:
        if action == "compute":
            count = round_services.round_compute(officer=user, round=round)
            messages.success(request, _("Scores computed for %(count)s units.") % {"count": count})
        elif action == "freeze":
            round_services.round_freeze(officer=user, round=round)
            messages.success(request, _("The round is frozen and its flags awarded."))
        elif action == "assign":
            unit = get_object_or_404(Unit, pk=request.POST.get("unit") or 0)
            assessor = get_object_or_404(User, username=request.POST.get("assessor", ""))
            round_services.round_assign(officer=user, round=round, unit=unit, assessor=assessor)
            messages.success(
                request, _("%(user)s assesses %(unit)s.") % {"user": assessor, "unit": unit.name}
            )
        else:
            raise Http404
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("competition:round", round.public_id)

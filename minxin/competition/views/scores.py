"""A unit's score in a round with the evidence of each number, and the actions on it (objections,
reviews, vetoes)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minxin.accounts.models import User
from minxin.competition import selectors
from minxin.competition.formulas import REGISTRY
from minxin.competition.models import (
    DocumentReview,
    Evidence,
    Inspection,
    Method,
    Objection,
    QuestionnaireAnswer,
    Round,
    UnitScore,
    VetoFinding,
)
from minxin.competition.services import evidence as evidence_services
from minxin.competition.services import rounds as round_services
from minxin.competition.views.common import (
    _may_see_unit_score,
    _round,
    _staff,
)
from minxin.core.errors import DomainError
from minxin.orgs.models import Unit
from minxin.queueing.kiosk import ticket_qr_svg


@login_required
def unit_score(request: HttpRequest, round_id: uuid.UUID, unit_id: int) -> HttpResponse:
    """Every number of a unit's score traced to its evidence: formula inputs, findings with photos,
    reviews, answers, veto findings; the forms for the unit's staff (objection, evidence), the assessor
    (document review) and the officer (veto, withdraw a finding, answer objections)."""
    user = _staff(request)
    round = _round(round_id)
    unit = get_object_or_404(Unit.objects.select_related("region"), pk=unit_id)
    is_officer, is_assessor, is_own, _region_assessor = _may_see_unit_score(user, round, unit)
    indicators = list(round.rubric.indicators.select_related("dimension"))
    score = UnitScore.objects.filter(round=round, unit=unit).first()
    lines = selectors.breakdown_rows(score=score, indicators=indicators) if score else []
    for line in lines:
        formula = REGISTRY.get(line["indicator"].formula)
        line["definition"] = str(formula.definition) if formula and line["method"] == "formula" else ""
        line["method_label"] = Method(line["method"]).label
    inspections = list(
        Inspection.objects.filter(round=round, unit=unit)
        .select_related("assessor")
        .prefetch_related("findings__indicator", "photos")
    )
    answers = QuestionnaireAnswer.objects.filter(round=round, unit=unit).count()
    survey_url = request.build_absolute_uri(reverse("competition:survey", args=[round.public_id, unit.pk]))
    return render(
        request,
        "competition/unit_score.html",
        {
            "round": round,
            "unit": unit,
            "score": score,
            "lines": lines,
            "inspections": inspections,
            "reviews": DocumentReview.objects.filter(round=round, unit=unit).select_related(
                "indicator", "reviewer"
            ),
            "evidence": Evidence.objects.filter(round=round, unit=unit).select_related("indicator"),
            "vetoes": VetoFinding.objects.filter(round=round, unit=unit).select_related("item"),
            "objections": Objection.objects.filter(round=round, unit=unit).select_related("indicator"),
            "answers": answers,
            "survey_url": survey_url,
            "survey_qr": mark_safe(  # noqa: S308 - SVG we generated
                ticket_qr_svg(survey_url, label=_("Questionnaire about %(unit)s") % {"unit": unit.name})
            ),
            "is_officer": is_officer,
            "is_assessor": is_assessor,
            "is_own": is_own,
            "document_indicators": [i for i in indicators if "document" in (i.method, i.fallback)],
            "veto_items": round.rubric.veto_items.all(),
            "indicators": indicators,
        },
    )


def _review(request: HttpRequest, user: User, round: Round, unit: Unit) -> str:
    post = request.POST
    try:
        points = Decimal(post.get("points", ""))
    except InvalidOperation:
        raise DomainError(_("Points must be a number.")) from None
    evidence_services.document_review(
        assessor=user,
        round=round,
        unit=unit,
        indicator_code=post.get("indicator", ""),
        points=points,
        note=post.get("note", ""),
    )
    return _("Review saved.")


def _evidence(request: HttpRequest, user: User, round: Round, unit: Unit) -> str:
    evidence_services.evidence_upload(
        user=user,
        round=round,
        unit=unit,
        indicator_code=request.POST.get("indicator", ""),
        summary=request.POST.get("summary", ""),
        file=request.FILES.get("file"),
    )
    return _("Evidence uploaded.")


def _veto(request: HttpRequest, user: User, round: Round, unit: Unit) -> str:
    evidence_services.veto_record(
        officer=user,
        round=round,
        unit=unit,
        item_code=request.POST.get("item", ""),
        note=request.POST.get("note", ""),
    )
    return _("Veto recorded: the unit is not eligible in this round.")


def _object(request: HttpRequest, user: User, round: Round, unit: Unit) -> str:
    round_services.objection_raise(
        user=user,
        round=round,
        unit=unit,
        text=request.POST.get("text", ""),
        indicator_code=request.POST.get("indicator", ""),
    )
    return _("Objection sent to the campaign office.")


def _answer(request: HttpRequest, user: User, round: Round, unit: Unit) -> str:
    post = request.POST
    objection = get_object_or_404(Objection, public_id=post.get("objection", ""), round=round, unit=unit)
    round_services.objection_answer(
        officer=user, objection=objection, upheld=post.get("upheld") == "1", answer=post.get("answer", "")
    )
    return _("Objection answered.")


def _withdraw(request: HttpRequest, user: User, round: Round, unit: Unit) -> str:
    from minxin.competition.models import Finding

    finding = get_object_or_404(
        Finding, pk=request.POST.get("finding") or 0, inspection__round=round, inspection__unit=unit
    )
    evidence_services.inspection_withdraw_finding(
        officer=user, finding=finding, reason=request.POST.get("reason", "")
    )
    return _("Finding withdrawn; compute the round again.")


ACTIONS: dict[str, Callable[[HttpRequest, User, Round, Unit], str]] = {
    "review": _review,
    "evidence": _evidence,
    "veto": _veto,
    "object": _object,
    "answer": _answer,
    "withdraw": _withdraw,
}


@login_required
@require_POST
def unit_score_action(request: HttpRequest, round_id: uuid.UUID, unit_id: int, action: str) -> HttpResponse:
    user = _staff(request)
    round = _round(round_id)
    unit = get_object_or_404(Unit.objects.select_related("region"), pk=unit_id)
    handler = ACTIONS.get(action)
    if handler is None:
        raise Http404
    try:
        messages.success(request, handler(request, user, round, unit))
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("competition:unit-score", round.public_id, unit.pk)

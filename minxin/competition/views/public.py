"""Public pages: the honour board, a round's ranking, a unit's page, flag certificates, the citizens'
questionnaire."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from minxin.accounts.models import User
from minxin.accounts.services import citizen_of_session
from minxin.competition import selectors
from minxin.competition.models import (
    FlagAward,
    QuestionnaireAnswer,
    Round,
    Title,
    TitleEvent,
    UnitScore,
)
from minxin.competition.services import evidence as evidence_services
from minxin.competition.views.common import (
    CATEGORIES,
    _cities,
    _round,
)
from minxin.core import clock
from minxin.core.errors import DomainError
from minxin.feedback.selectors import honour_roll
from minxin.orgs.models import Region, Unit

# Public pages ------------------------------------------------------------------------------------------


def honour_board(request: HttpRequest) -> HttpResponse:
    """Current flag holders per city and category, black flags, title holders, the latest rankings."""
    city = Region.objects.filter(code=request.GET.get("city", ""), level=Region.Level.CITY).first()
    category = request.GET.get("category", "")
    if category not in CATEGORIES.values:
        category = ""
    holders = selectors.current_holders(region=city, category=category)
    roll = honour_roll(region=city)
    context = {
        "model_workers": roll["model_workers"][:30],
        "hall_honours": roll["halls"][:30],
        "holders": holders,
        "titles": selectors.live_titles(region=city, category=category),
        "cities": _cities(),
        "city": city,
        "category": category,
        "categories": CATEGORIES.choices,
    }
    return render(request, "competition/honour.html", context)


def round_ranking(request: HttpRequest, round_id: uuid.UUID) -> HttpResponse:
    round = _round(round_id)
    if round.status != Round.Status.FROZEN:
        raise Http404(_("The ranking is published when the round is frozen."))
    scores = selectors.round_scores(round=round)
    flags = dict(FlagAward.objects.filter(round=round).values_list("unit_id", "colour"))
    dimensions = list(round.rubric.dimensions.exclude(code="bonus"))
    rows = [
        {
            "score": s,
            "flag": flags.get(s.unit_id),
            "dimensions": [s.breakdown.get("dimensions", {}).get(d.code, "") for d in dimensions],
        }
        for s in scores[:2000]
    ]
    return render(
        request,
        "competition/ranking.html",
        {"round": round, "rows": rows, "dimensions": dimensions, "tie_breaks": TIE_BREAK_TEXT()},
    )


def TIE_BREAK_TEXT() -> list[str]:
    return [
        _("Higher total first."),
        _("Equal totals: more indicator points without bonus first."),
        _("Still equal: fewer deductions first."),
        _("Equal on all three: the same rank (1, 2, 2, 4)."),
    ]


def unit_page(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = get_object_or_404(Unit.objects.select_related("region"), pk=unit_id)
    history = list(selectors.flag_history(unit=unit))
    scores = list(
        UnitScore.objects.filter(unit=unit, round__status=Round.Status.FROZEN)
        .select_related("round__region")
        .order_by("-round__period_start")[:24]
    )
    titles = list(Title.objects.filter(unit=unit).select_related("granted_by").prefetch_related("events"))
    staff = isinstance(request.user, User) and selectors.is_unit_staff(user=request.user, unit=unit)
    officer = isinstance(request.user, User) and selectors.officer_may_run(
        user=request.user, region=unit.region
    )
    return render(
        request,
        "competition/unit.html",
        {
            "unit": unit,
            "history": history,
            "scores": scores,
            "titles": titles,
            "is_staff_of_unit": staff,
            "is_officer": officer and not staff,
            "red_count": sum(1 for f in history if f.colour == "red"),
            "black_count": sum(1 for f in history if f.colour == "black"),
            "steps": TitleEvent.Step.choices[1:],
            "today": clock.now().date(),
        },
    )


def certificate(request: HttpRequest, award_id: uuid.UUID) -> HttpResponse:
    award = get_object_or_404(
        FlagAward.objects.select_related("unit__region", "round__region"), public_id=award_id
    )
    return render(request, "competition/certificate.html", {"award": award})


def survey(request: HttpRequest, round_id: uuid.UUID, unit_id: int) -> HttpResponse:
    """The citizens' questionnaire about a unit: sign in with the phone's one-time code, answer once."""
    round = _round(round_id)
    unit = get_object_or_404(Unit, pk=unit_id)
    questions = list(evidence_services.questionnaire_indicators(round))
    citizen = citizen_of_session(request.session)
    done = False
    if request.method == "POST" and citizen is not None:
        try:
            answers = {q.code: int(request.POST.get(q.code, "0") or 0) for q in questions}
            evidence_services.answer_submit(
                citizen=citizen,
                round=round,
                unit=unit,
                answers=answers,
                comment=request.POST.get("comment", ""),
            )
            done = True
        except ValueError:
            messages.error(request, _("Choose one of the five levels."))
        except DomainError as error:
            messages.error(request, error.message)
    elif citizen is not None:
        done = QuestionnaireAnswer.objects.filter(
            round=round, unit=unit, phone_hash=citizen.phone_hash
        ).exists()
    login = reverse("accounts:citizen-login") + "?next=" + request.path
    levels = [
        (5, _("Very satisfied")),
        (4, _("Satisfied")),
        (3, _("Basically satisfied")),
        (2, _("Dissatisfied")),
        (1, _("Very dissatisfied")),
    ]
    return render(
        request,
        "competition/survey.html",
        {
            "round": round,
            "unit": unit,
            "questions": questions,
            "citizen": citizen,
            "done": done,
            "login_url": login,
            "levels": levels,
            "is_open": round.status == Round.Status.OPEN,
        },
    )

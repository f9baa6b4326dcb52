"""Pages of the competition: the public honour board, unit pages, certificates and questionnaires; the
staff pages of rounds (officer), the assessor's phone inspection page and the evidence of each score."""

from __future__ import annotations

import uuid
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minxin.accounts.models import User
from minxin.accounts.services import citizen_of_session
from minxin.competition import selectors
from minxin.competition.formulas import REGISTRY
from minxin.competition.models import (
    Assignment,
    DocumentReview,
    Evidence,
    FlagAward,
    Inspection,
    Method,
    Objection,
    QuestionnaireAnswer,
    Round,
    Rubric,
    Title,
    TitleEvent,
    UnitScore,
    VetoFinding,
)
from minxin.competition.services import evidence as evidence_services
from minxin.competition.services import flags as flag_services
from minxin.competition.services import rounds as round_services
from minxin.core import clock
from minxin.core.errors import DomainError
from minxin.feedback.selectors import honour_roll
from minxin.orgs.models import Region, Unit
from minxin.queueing.kiosk import ticket_qr_svg

CATEGORIES = Unit.FlagCategory


def _staff(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def _round(round_id: uuid.UUID) -> Round:
    return get_object_or_404(Round.objects.select_related("region", "rubric"), public_id=round_id)


def _cities() -> list[Region]:
    return list(Region.objects.filter(level=Region.Level.CITY).order_by("path"))


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


def _ancestors(path: str) -> list[str]:
    return [path[: i + 1] for i, char in enumerate(path) if char == "/"]


def _redirect_back(request: HttpRequest, fallback: str) -> HttpResponse:
    return redirect(request.POST.get("next") or fallback)


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


def _may_see_unit_score(user: User, round: Round, unit: Unit) -> tuple[bool, bool, bool, bool]:
    officer = selectors.officer_may_run(user=user, region=round.region)
    assessor = Assignment.objects.filter(round=round, unit=unit, assessor=user).exists()
    own = selectors.is_unit_staff(user=user, unit=unit)
    region_assessor = selectors.assessor_may_work_in(user=user, region=round.region)
    if not (officer or assessor or own or region_assessor):
        raise PermissionDenied
    return officer and not own, assessor and not own, own, region_assessor


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


@login_required
@require_POST
def unit_score_action(request: HttpRequest, round_id: uuid.UUID, unit_id: int, action: str) -> HttpResponse:
    user = _staff(request)
    round = _round(round_id)
    unit = get_object_or_404(Unit.objects.select_related("region"), pk=unit_id)
    post = request.POST
    try:
        if action == "review":
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
            messages.success(request, _("Review saved."))
        elif action == "evidence":
            evidence_services.evidence_upload(
                user=user,
                round=round,
                unit=unit,
                indicator_code=post.get("indicator", ""),
                summary=post.get("summary", ""),
                file=request.FILES.get("file"),
            )
            messages.success(request, _("Evidence uploaded."))
        elif action == "veto":
            evidence_services.veto_record(
                officer=user,
                round=round,
                unit=unit,
                item_code=post.get("item", ""),
                note=post.get("note", ""),
            )
            messages.success(request, _("Veto recorded: the unit is not eligible in this round."))
        elif action == "object":
            round_services.objection_raise(
                user=user,
                round=round,
                unit=unit,
                text=post.get("text", ""),
                indicator_code=post.get("indicator", ""),
            )
            messages.success(request, _("Objection sent to the campaign office."))
        elif action == "answer":
            objection = get_object_or_404(
                Objection, public_id=post.get("objection", ""), round=round, unit=unit
            )
            round_services.objection_answer(
                officer=user,
                objection=objection,
                upheld=post.get("upheld") == "1",
                answer=post.get("answer", ""),
            )
            messages.success(request, _("Objection answered."))
        elif action == "withdraw":
            from minxin.competition.models import Finding

            finding = get_object_or_404(
                Finding, pk=post.get("finding") or 0, inspection__round=round, inspection__unit=unit
            )
            evidence_services.inspection_withdraw_finding(
                officer=user, finding=finding, reason=post.get("reason", "")
            )
            messages.success(request, _("Finding withdrawn; compute the round again."))
        else:
            raise Http404
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("competition:unit-score", round.public_id, unit.pk)


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
        findings = []
        try:
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


@login_required
@require_POST
def flag_action(request: HttpRequest, award_id: uuid.UUID, action: str) -> HttpResponse:
    user = _staff(request)
    award = get_object_or_404(
        FlagAward.objects.select_related("unit__region", "round__region"), public_id=award_id
    )
    try:
        if action == "rectify":
            flag_services.flag_rectification_report(user=user, award=award, text=request.POST.get("text", ""))
            messages.success(request, _("Rectification reported; the campaign office verifies it."))
        elif action == "remove":
            flag_services.flag_remove(officer=user, award=award, note=request.POST.get("note", ""))
            messages.success(request, _("Black flag removed after a verified rectification."))
        else:
            raise Http404
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("competition:unit", award.unit_id)


@login_required
@require_POST
def title_action(request: HttpRequest, title_id: uuid.UUID) -> HttpResponse:
    user = _staff(request)
    title = get_object_or_404(Title.objects.select_related("unit__region", "granted_by"), public_id=title_id)
    try:
        from datetime import date

        flag_services.title_step(
            officer=user,
            title=title,
            step=request.POST.get("step", ""),
            decision=request.POST.get("decision", ""),
            decided_on=date.fromisoformat(request.POST.get("decided_on", "")),
        )
        messages.success(request, _("Title updated."))
    except ValueError:
        messages.error(request, _("Give the date of the decision."))
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("competition:unit", title.unit_id)

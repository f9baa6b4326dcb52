"""Demo: months of ratings on the demo history, the bad-review loop at every stage, honours.

Ratings cover the demo halls' served tickets (a few weeks) and Qinhuangdao's completed cases (months):
mostly good, as in the report; good and middling ones are imported in bulk like a former system's
records, and every bad one goes through `ticket_rate`/`case_rate` so that it opens its loop. A few bad
reviews are then walked to each stage (to verify, to rectify, to reply, to recheck, closed with the
citizen's follow-up, late and escalated, one upheld appeal, one pending), this month's service stars
and red-flag windows are proposed by the rules and confirmed, and two model workers approved.
`load` is idempotent (loading twice changes nothing).
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction

from minxin.accounts.models import User
from minxin.cases.models import Case, CaseStatus
from minxin.core import clock
from minxin.core.errors import DomainError
from minxin.feedback.models import Honour, HonourKind, HonourRule, Nomination, Rating, Rectification
from minxin.feedback.services import (
    RatingInput,
    appeal_decide,
    case_rate,
    honour_decide,
    honours_propose,
    nomination_decide,
    nomination_file,
    rectification_appeal,
    rectification_follow_up,
    rectification_recheck,
    rectification_rectify,
    rectification_reply,
    rectification_verify,
    rectifications_escalate,
    ticket_rate,
)
from minxin.feedback.services.ratings import (
    HistoricRating,
    case_rating_fields,
    ratings_import,
    ticket_rating_fields,
)
from minxin.orgs.models import Hall
from minxin.queueing.models import Ticket, TicketStatus

HALLS = ("qhd-zwfw", "sjz-tax")
TICKET_SHARE = 0.45  # of served numbers, rated (on site participation is high with a device)
CASE_SHARE = 0.6
# Scores of the history: mostly very satisfied, as the report's halls are.
SCORES = (5, 4, 3)
WEIGHTS = (78, 17, 5)
CHANNELS = ("device", "device", "device", "qr", "web")
BAD_COMMENTS = (
    "等了很久窗口还在聊天",
    "材料要求前后说法不一致，多跑了一趟",
    "工作人员态度生硬",
    "系统一直卡，办了一个小时",
    "一次性告知不清楚",
    "窗口提前下班",
    "说话不耐烦",
    "指南和窗口要求不一样",
    "排队叫号混乱",
    "咨询电话打不通",
)


def load(*, today: dt.date) -> str:
    """Load this part of the demo city; returns a one-line summary for the console."""
    halls = list(Hall.objects.filter(code__in=HALLS).select_related("unit__region"))
    if not halls:
        return "no demo halls: ratings skipped"
    if Rating.objects.filter(hall__in=halls).exists():
        return f"ratings already loaded ({Rating.objects.filter(hall__in=halls).count()})"
    with transaction.atomic():  # all or nothing, so that "already loaded" means loaded
        return _load(halls, today=today)


def _load(halls: list[Hall], *, today: dt.date) -> str:
    rng = random.Random("minxin-demo-feedback")  # noqa: S311 - demo data, not security
    _rules(halls)
    bad: list[Rating] = []
    imported = 0
    for hall in halls:
        count, bad_here = _rate_tickets(hall, rng, today=today)
        imported += count
        bad += bad_here
    count, bad_cases = _rate_cases(rng)
    imported += count
    bad += bad_cases
    _walk_the_loop(bad, today=today)
    honours = _honours(halls, today=today)
    workers = _model_workers(today=today)
    return (
        f"{imported + len(bad)} ratings ({len(bad)} bad, every stage of the loop), "
        f"{honours} honours, {workers} model workers"
    )


def _rules(halls: list[Hall]) -> None:
    """The general rules, and the demo halls' own: one demo clerk serves a whole hall's history, so
    their star rule tolerates a few bad reviews that stood (a real hall would keep the general one)."""
    HonourRule.objects.get_or_create(
        kind=HonourKind.SERVICE_STAR,
        hall=None,
        defaults={"min_rated": 20, "min_satisfaction": 95, "max_bad": 0, "places": 3},
    )
    HonourRule.objects.get_or_create(
        kind=HonourKind.RED_FLAG_WINDOW,
        hall=None,
        defaults={"min_rated": 15, "min_satisfaction": 95, "max_bad": 0, "places": 2},
    )
    for hall in halls:
        HonourRule.objects.get_or_create(
            kind=HonourKind.SERVICE_STAR,
            hall=hall,
            defaults={"min_rated": 20, "min_satisfaction": 95, "max_bad": 10, "places": 1},
        )


def _channel(rng: random.Random) -> str:
    return rng.choice(CHANNELS)


def _rate_tickets(hall: Hall, rng: random.Random, *, today: dt.date) -> tuple[int, list[Rating]]:
    tickets = list(
        Ticket.objects.filter(hall=hall, status=TicketStatus.DONE, finished_at__isnull=False)
        .select_related("hall__unit", "service", "window")
        .order_by("finished_at", "id")
    )
    rows: list[HistoricRating] = []
    bad: list[Rating] = []
    # The bad ones sit at a few windows only, so that the others can earn a red flag.
    windows = sorted({ticket.window_id for ticket in tickets if ticket.window_id})
    troubled = set(windows[:: max(len(windows) // 2, 1)][:2])
    for ticket in tickets:
        if rng.random() > TICKET_SHARE:
            continue
        at = (ticket.finished_at or clock.now()) + dt.timedelta(minutes=rng.uniform(0.2, 3))
        if ticket.window_id in troubled and rng.random() < 0.03:
            rating = ticket_rate(
                ticket=ticket,
                given=RatingInput(
                    score=rng.choice((1, 2, 2)),
                    channel=_channel(rng),
                    indicators=rng.sample(["efficiency", "professional", "attitude"], k=rng.randint(1, 2)),
                    comment=rng.choice(BAD_COMMENTS),
                ),
                at=at,
            )
            bad.append(rating)
            continue
        score = rng.choices(SCORES, weights=WEIGHTS)[0]
        rows.append(
            HistoricRating(
                fields=ticket_rating_fields(ticket), score=score, channel=_channel(rng), rated_at=at
            )
        )
    return ratings_import(rows), bad


def _rate_cases(rng: random.Random) -> tuple[int, list[Rating]]:
    cases = list(
        Case.objects.filter(hall__code=HALLS[0], status=CaseStatus.COMPLETED, completed_at__isnull=False)
        .select_related("hall__unit", "applicant", "item_version")
        .order_by("completed_at", "id")
    )
    rows: list[HistoricRating] = []
    bad: list[Rating] = []
    for case in cases:
        if rng.random() > CASE_SHARE:
            continue
        at = (case.completed_at or clock.now()) + dt.timedelta(hours=rng.uniform(1, 60))
        if rng.random() < 0.02:
            bad.append(
                case_rate(
                    case=case,
                    given=RatingInput(
                        score=2,
                        channel="sms",
                        indicators=rng.sample(["efficiency", "guide_accuracy", "convenience"], k=1),
                        comment=rng.choice(BAD_COMMENTS),
                    ),
                    at=at,
                )
            )
            continue
        score = rng.choices(SCORES, weights=WEIGHTS)[0]
        rows.append(
            HistoricRating(
                fields=case_rating_fields(case),
                score=score,
                channel=rng.choice(("sms", "qr", "web")),
                rated_at=at,
            )
        )
    return ratings_import(rows), bad


def _staff(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def _walk_the_loop(bad: list[Rating], *, today: dt.date) -> None:
    """Older bad reviews closed; the newest left at each stage; one late, one appeal upheld, one
    pending. Escalation runs once at the end, as the worker would."""
    manager, officer, city = _staff("manager"), _staff("officer"), _staff("city")
    admin = _staff("admin")
    if admin is None:
        return
    handler = officer or admin
    rectifications = list(
        Rectification.objects.filter(rating__in=bad)
        .select_related("hall__unit__region", "rating")
        .order_by("opened_at")
    )
    # The department officer covers one department; the manager handles the others' in the demo.
    stages = ["verify", "rectify", "reply", "recheck"]
    newest = rectifications[-4:]
    older = rectifications[:-4]
    for index, rectification in enumerate(older):
        actor = _actor(rectification, handler, manager or admin)
        if index == 0 and city is not None:
            appeal = rectification_appeal(
                rectification=rectification,
                actor=actor,
                ground="malicious",
                reason="监控录像显示该群众当日未到该窗口办理，评价与事实不符。",
            )
            appeal_decide(appeal=appeal, actor=city, upheld=True, reason="经调取录像核实，申诉理由成立。")
            continue
        if index == 1:
            rectification_appeal(
                rectification=rectification,
                actor=actor,
                ground="outside_remit",
                reason="群众不满的是法定材料要求，窗口无权减免。",
            )
            continue
        if index == 2:
            continue  # left untouched: escalated below as late
        _close(rectification, actor, manager or admin, follow_up=index % 2 == 0)
    for stage, rectification in zip(stages, newest, strict=False):
        actor = _actor(rectification, handler, manager or admin)
        _advance(rectification, actor, manager or admin, until=stage)
    rectifications_escalate()


def _actor(rectification: Rectification, officer: User, manager: User) -> User:
    """The department officer where they may act, else the hall's manager, else the administrator
    (the tax hall has no manager in the demo)."""
    from minxin.feedback.services.loop import may_handle

    for candidate in (officer, manager):
        if may_handle(user=candidate, rectification=rectification):
            return candidate
    return _staff("admin") or manager


def _rechecker(rectification: Rectification, manager: User) -> User:
    from minxin.feedback.services.loop import may_recheck

    return manager if may_recheck(user=manager, rectification=rectification) else (_staff("admin") or manager)


def _advance(rectification: Rectification, actor: User, manager: User, *, until: str) -> None:
    steps = ("verify", "rectify", "reply", "recheck")
    for step in steps[: steps.index(until)]:
        _step(rectification, step, actor, manager)


def _step(rectification: Rectification, step: str, actor: User, manager: User) -> None:
    comment = rectification.rating.comment
    if step == "verify":
        rectification_verify(
            rectification=rectification,
            actor=actor,
            clerk_account="当时办理量大，解释不够耐心，承认存在问题。",
            finding=f"经调取录像和询问当事人，群众反映“{comment}”情况属实。",
        )
    elif step == "rectify":
        rectification_rectify(
            rectification=rectification,
            actor=actor,
            measures="对窗口人员进行批评教育，开展服务规范和一次性告知培训，并在周例会上通报。",
        )
    elif step == "reply":
        rectification_reply(
            rectification=rectification,
            actor=actor,
            reply="您反映的问题已核实并整改，已对相关人员批评教育。感谢您的监督，欢迎再次评价。",
        )
    elif step == "recheck":
        rectification_recheck(
            rectification=rectification,
            actor=_rechecker(rectification, manager),
            passed=True,
            note="整改到位，同意办结。",
        )


def _close(rectification: Rectification, actor: User, manager: User, *, follow_up: bool) -> None:
    for step in ("verify", "rectify", "reply", "recheck"):
        _step(rectification, step, actor, manager)
    if follow_up:
        rectification_follow_up(rectification=rectification, score=4)


def _honours(halls: list[Hall], *, today: dt.date) -> int:
    """This month's and last month's proposals, confirmed by the hall's manager (the admin for the tax
    hall, which has no manager in the demo)."""
    manager, admin = _staff("manager"), _staff("admin")
    this_month = today.replace(day=1)
    last_month = (this_month - dt.timedelta(days=1)).replace(day=1)
    made = 0
    for hall in halls:
        decider = manager if manager is not None and hall.code == HALLS[0] else admin
        if decider is None:
            continue
        for month in (last_month, this_month):
            for honour in honours_propose(hall=hall, month=month):
                if honour.status != Honour.Status.PROPOSED:
                    continue
                citation = (
                    "服务热情周到，群众满意率名列前茅。"
                    if honour.kind == HonourKind.SERVICE_STAR
                    else "窗口秩序优、环境优，群众零差评。"
                )
                honour_decide(honour=honour, actor=decider, confirm=True, citation=citation)
                made += 1
    return made


def _model_workers(*, today: dt.date) -> int:
    manager, city = _staff("manager"), _staff("city")
    hall = Hall.objects.filter(code=HALLS[0]).select_related("unit__region").first()
    if manager is None or city is None or hall is None:
        return 0
    nominees: list[tuple[str, str, str]] = [
        (
            "clerk",
            "秦皇岛市文明服务标兵",
            "扎根窗口一线，坚持“马上办、办得好”，群众满意率保持在99%以上，获评本月服务之星。",
        ),
        ("officer", "秦皇岛市岗位学雷锋标兵", "牵头梳理一次性告知清单，推动差评整改闭环，群众回访满意。"),
    ]
    approved = 0
    for username, title, citation in nominees:
        nominee = _staff(username)
        if (
            nominee is None
            or Nomination.objects.filter(nominee=nominee, title=title, year=today.year).exists()
        ):
            continue
        nomination = nomination_file(
            nominee=nominee, hall=hall, actor=manager, title=title, year=today.year, citation=citation
        )
        nomination_decide(
            nomination=nomination, actor=city, approve=True, reason="事迹突出，群众评价数据优良，同意授予。"
        )
        approved += 1
    return approved


def simulate_step() -> int:
    """Rate some of the numbers the simulator finished in the last minutes, as citizens at the devices
    would (mostly good; now and then a bad one, which opens its loop)."""
    rng = random.Random()  # noqa: S311 - demo traffic, not security
    since = clock.now() - dt.timedelta(minutes=5)
    rated = 0
    for ticket in (
        Ticket.objects.filter(hall__code__in=HALLS, status=TicketStatus.DONE, finished_at__gte=since)
        .exclude(pk__in=Rating.objects.filter(ticket__isnull=False, rated_at__gte=since).values("ticket_id"))
        .select_related("hall__unit", "service", "window")[:20]
    ):
        if Rating.objects.filter(ticket=ticket).exists() or rng.random() > 0.5:
            continue
        score = 1 if rng.random() < 0.01 else rng.choices(SCORES, weights=WEIGHTS)[0]
        try:
            ticket_rate(
                ticket=ticket, given=RatingInput(score=score, channel="device", indicators=_bad(score, rng))
            )
        except DomainError:  # rated meanwhile, or throttled: nothing to do
            continue
        rated += 1
    return rated


def _bad(score: int, rng: random.Random) -> list[str]:
    return [rng.choice(["efficiency", "professional", "attitude"])] if score <= 2 else []

"""Demo: Hebei's units in the three categories, six frozen monthly rounds and one open.

Built through the app's own services. `load` must be idempotent (loading twice changes nothing).

Each category has the default 三比三看 rubric and a province-wide flag rule (one red flag per city for a
score of at least 90, the lowest below 80 gets the black flag, three black flags in six rounds suspend
the title). Six monthly rounds are played and frozen, so red flags have moved, a weak water company
collects three black flags (its title is suspended) and one black flag was removed after a verified
rectification; the current month's round is open, with the demo assessor's inspections under way.
The past rounds' time stamps are set back to their months afterwards (the services stamp "now").
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction

from minxin.accounts.models import Role, User
from minxin.competition.models import FlagAward, FlagRule, Inspection, Round, Rubric, Title
from minxin.competition.services.evidence import FindingData, document_review, inspection_submit
from minxin.competition.services.flags import flag_remove, title_grant, title_step
from minxin.competition.services.rounds import round_assign, round_compute, round_freeze, round_open
from minxin.competition.services.rubrics import rubric_default_create
from minxin.orgs.models import Region, StaffMembership, Unit
from minxin.orgs.services import membership_grant

CATEGORIES = ("administration", "enforcement", "service")
WEAK_UNIT = "邢台市自来水公司"  # collects three black flags: its title is suspended
PAST_ROUNDS = 6
D = Decimal


def _month_start(day: dt.date, back: int) -> dt.date:
    month = day.year * 12 + day.month - 1 - back
    return dt.date(month // 12, month % 12 + 1, 1)


def _month_end(start: dt.date) -> dt.date:
    return (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)


def _users() -> tuple[User, User]:
    officer = User.objects.get(username="campaign")
    assessor = User.objects.get(username="assessor")
    province = Region.objects.get(code="130000")
    # The demo officer runs the province's rounds besides Langfang's (the honour board spans 11 cities).
    if not StaffMembership.objects.filter(user=officer, role=Role.CAMPAIGN_OFFICER, region=province).exists():
        membership_grant(user=officer, role=Role.CAMPAIGN_OFFICER, region=province)
    return officer, assessor


def _quality(unit: Unit) -> int:
    """A unit's lasting quality: points it tends to lose (0 … 18)."""
    if unit.name == WEAK_UNIT:
        return 30
    return random.Random(unit.name).randint(0, 18)  # noqa: S311 - demo data, not secrets


def _findings(lose: int, rng: random.Random) -> list[FindingData]:
    notes = {
        "environment": ["等候区座椅破损", "卫生间无人保洁", "宣传栏过期"],
        "culture": ["未设志愿服务岗", "文明用语提示缺失"],
        "careful": ["一次性告知单不全", "补正材料未一次说清"],
    }
    rows: list[FindingData] = []
    for code in ("environment", "culture", "careful"):
        taken = 0
        while lose >= 2 and taken + 2 <= 11:
            rows.append(FindingData(code, D(2), rng.choice(notes[code])))
            lose -= 2
            taken += 2
            if lose < 20 and rng.random() < 0.3:
                break
    return rows


def _play(
    round: Round, officer: User, assessor: User, units: list[Unit], *, month: int, finish: bool
) -> None:
    rng = random.Random(f"{round.category}-{round.period_start}")  # noqa: S311 - demo data
    for position, unit in enumerate(units):
        if not finish and position % 3:
            continue  # the open round: the demo assessor has a third of the units to visit
        round_assign(officer=officer, round=round, unit=unit, assessor=assessor)
        lose = 45 if unit.name == WEAK_UNIT else max(0, _quality(unit) + rng.randint(-6, 8))
        if finish or rng.random() < 0.4:  # the open round: inspections under way
            inspection_submit(
                assessor=assessor,
                round=round,
                unit=unit,
                findings=_findings(lose, rng),
                kind=rng.choice(["announced", "unannounced"]),
                latitude=D("38.04") + D(rng.randint(0, 99999)) / 100000,
                longitude=D("114.51") + D(rng.randint(0, 99999)) / 100000,
            )
        if finish:
            for code in ("refined", "utmost"):
                points = D(11) - D(min(11, max(0, lose - 10 + rng.randint(-2, 2)))) / 2
                document_review(assessor=assessor, round=round, unit=unit, indicator_code=code, points=points)
            if rng.random() < 0.15:
                document_review(
                    assessor=assessor,
                    round=round,
                    unit=unit,
                    indicator_code="innovation",
                    points=D(rng.randint(2, 5)),
                )
    if finish:
        round_compute(officer=officer, round=round)
        round_freeze(officer=officer, round=round)


def _backdate(round: Round) -> None:
    """The services stamp the time of loading; move a past round's stamps into its month."""
    end = dt.datetime.combine(round.period_end, dt.time(9), tzinfo=dt.UTC)
    Round.objects.filter(pk=round.pk).update(
        opened_at=end - dt.timedelta(days=20),
        computed_at=end + dt.timedelta(days=2),
        frozen_at=end + dt.timedelta(days=4),
    )
    Inspection.objects.filter(round=round).update(submitted_at=end - dt.timedelta(days=6))
    FlagAward.objects.filter(round=round).update(awarded_at=end + dt.timedelta(days=4))


def _titles(officer: User, province: Region, units: list[Unit]) -> None:
    for position, unit in enumerate(units):
        if position % 3 and unit.name != WEAK_UNIT:
            continue
        title = title_grant(
            officer=officer,
            unit=unit,
            granted_by=province,
            name="河北省文明单位",
            decision="冀文明委〔2024〕12号",
            decided_on=dt.date(2024, 12, 20),
        )
        if position % 9 == 0 and unit.name != WEAK_UNIT:
            title_step(
                officer=officer,
                title=title,
                step="recheck",
                decision="冀文明办〔2025〕7号 复查",
                decided_on=dt.date(2025, 11, 10),
            )
            title_step(
                officer=officer,
                title=title,
                step="retained",
                decision="复查合格，保留称号",
                decided_on=dt.date(2025, 12, 15),
            )


def _remove_one_black_flag(officer: User) -> str:
    award = (
        FlagAward.objects.filter(colour="black", removed_at__isnull=True)
        .exclude(unit__name=WEAK_UNIT)
        .order_by("round__period_start", "id")
        .first()
    )
    if award is None:
        return ""
    FlagAward.objects.filter(pk=award.pk).update(
        rectification="更换等候区座椅，增设导办员，完善一次性告知单", rectified_at=award.awarded_at
    )
    award.refresh_from_db()
    flag_remove(officer=officer, award=award, note="实地复查通过")
    return award.unit.name


@transaction.atomic
def load(*, today: dt.date) -> str:
    """Load this part of the demo city; returns a one-line summary for the console."""
    if Rubric.objects.filter(code__startswith="sanbi-").exists():
        return f"competition: {Round.objects.count()} rounds already loaded"
    officer, assessor = _users()
    province = Region.objects.get(code="130000")
    rounds = 0
    for category in CATEGORIES:
        rubric = rubric_default_create(category=category)
        FlagRule.objects.create(
            region=province,
            category=category,
            red_min_score=D(90),
            red_top_k=1,
            red_quota_per_city=1,
            red_max_consecutive=3,
            black_bottom_k=1,
            black_max_score=D(80),
            suspend_after_black=3,
            black_window_rounds=6,
        )
        units = list(
            Unit.objects.filter(flag_category=category, is_active=True).order_by("region__path", "name")
        )
        _titles(officer, province, units)
        for back in range(PAST_ROUNDS, -1, -1):
            start = _month_start(today, back)
            round = round_open(
                officer=officer,
                rubric=rubric,
                region=province,
                category=category,
                period_start=start,
                period_end=_month_end(start),
            )
            _play(round, officer, assessor, units, month=back, finish=back > 0)
            if back > 0:
                _backdate(round)
            rounds += 1
    removed = _remove_one_black_flag(officer)
    suspended = Title.objects.filter(status="yellow_card").count()
    flags = FlagAward.objects.filter(colour="red").count()
    return (
        f"competition: {rounds} rounds (6 frozen per category, this month's open), "
        f"{flags} red flags awarded, "
        f"black flag of {removed} removed, {suspended} title(s) suspended"
    )

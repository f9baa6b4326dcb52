"""Seeding and checks for bench_voting.py, run as a separate process with Django set up.

setup    an officer with an API token and an open campaign of 60 candidates → JSON
verify   ballots and identifiers in the benchmark's campaign → JSON
results  200,000 ballots × 60 candidates loaded with COPY, then each rule timed → JSON
"""

from __future__ import annotations

import datetime as dt
import json
import random
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

django.setup()

from django.db import connection  # noqa: E402

from minxin.accounts.models import Role, User  # noqa: E402
from minxin.accounts.services import api_token_create  # noqa: E402
from minxin.core import clock  # noqa: E402
from minxin.orgs.models import Region  # noqa: E402
from minxin.orgs.services import membership_grant, region_create  # noqa: E402
from minxin.voting import rules, tally  # noqa: E402
from minxin.voting.models import Ballot, BallotIdentifier, Campaign  # noqa: E402
from minxin.voting.services import CampaignData, CandidateData, campaign_create, campaign_open  # noqa: E402

CANDIDATES = 60
T = TypeVar("T")


def _campaign(title: str, officer: User, region: Region, rng: random.Random, step: float = 1.0) -> Campaign:
    now = clock.now()
    costs = [Decimal(rng.choice([50, 80, 120, 200, 300, 500, 800, 1200]) * 10_000) for _ in range(CANDIDATES)]
    data = CampaignData(
        title=title,
        region=region,
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(days=1),
        candidates=[
            CandidateData(name=f"项目{n + 1}", category=f"类别{n % 8 + 1}", cost=c)
            for n, c in enumerate(costs)
        ],
        min_choices=1,
        max_choices=5,
        result_rule="equal_shares",
        budget=sum(costs, Decimal(0)) * Decimal("0.4"),
        completion_step=Decimal(str(step)),
    )
    return campaign_open(campaign=campaign_create(data=data, actor=officer), actor=officer)


def setup() -> dict[str, object]:
    province = region_create(code="130000", name="河北省", level="province")
    region = region_create(code="131000", name="廊坊市", level="city", parent=province)
    officer = User.objects.create_user(username="bench-officer", password="bench-officer-pass")
    membership_grant(user=officer, role=Role.CAMPAIGN_OFFICER, region=region)
    token = api_token_create(user=officer, name="bench").secret
    campaign = _campaign("bench: ballots over HTTP", officer, region, random.Random(1))
    return {"campaign": str(campaign.public_id), "token": token}


def verify(campaign_id: str) -> dict[str, object]:
    campaign = Campaign.objects.get(public_id=campaign_id)
    ballots = Ballot.objects.filter(campaign=campaign).count()
    identifiers = BallotIdentifier.objects.filter(campaign=campaign, kind="id_number")
    return {
        "ballots": ballots,
        "id_numbers": identifiers.count(),
        "distinct_id_numbers": identifiers.values("value_hash").distinct().count(),
        "receipts_distinct": Ballot.objects.filter(campaign=campaign).values("receipt").distinct().count(),
    }


def _load(campaign: Campaign, count: int, rng: random.Random) -> float:
    """`count` ballots of 1–5 choices with skewed popularity, by COPY; returns the seconds it took."""
    popularity = [1 / (i + 1) ** 0.8 for i in range(CANDIDATES)]
    rng.shuffle(popularity)
    numbers = list(range(1, CANDIDATES + 1))
    channels = ["wechat", "wechat", "wechat", "web", "paper", "email", "phone"]
    columns = (
        "campaign_id, public_id, receipt, choices, channel, cast_at, ip_hash, ip_prefix, device_hash, "
        "idempotency_hash, quarantine_reason"
    )
    began, now = time.perf_counter(), clock.now()
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {Ballot._meta.db_table} ({columns}) FROM STDIN") as copy,
    ):
        for n in range(count):
            picked: set[int] = set()
            want = rng.randint(1, 5)
            while len(picked) < want:
                picked.add(rng.choices(numbers, weights=popularity)[0])
            choices = ",".join(map(str, sorted(picked)))
            row = (
                campaign.pk,
                f"00000000-0000-4000-8000-{n:012d}",
                f"B{n:09d}",
                choices,
                rng.choice(channels),
            )
            copy.write_row((*row, now, "", "", "", "", ""))
    return time.perf_counter() - began


CPU: dict[str, float] = {}  # the same steps in CPU seconds (this process): the machine may be shared


def _timed(timings: dict[str, float], name: str, work: Callable[[], T]) -> T:
    began, cpu = time.perf_counter(), time.process_time()
    value = work()
    timings[name] = time.perf_counter() - began
    CPU[name] = time.process_time() - cpu
    return value


def results(count: int, step: float) -> dict[str, object]:
    rng = random.Random(2)
    officer = User.objects.get(username="bench-officer")
    campaign = _campaign("bench: results", officer, Region.objects.get(code="131000"), rng, step)
    loaded = _load(campaign, count, rng)
    Campaign.objects.filter(pk=campaign.pk).update(state="closed")
    campaign.refresh_from_db()
    timings: dict[str, float] = {}
    counted, held = _timed(timings, "group_ballots_sql", lambda: tally.ballot_groups(campaign))
    candidates = list(campaign.candidates.order_by("number"))
    index_of = {c.number: i for i, c in enumerate(candidates)}
    merged: dict[str, int] = {}
    for choices, _channel, n in counted:
        merged[choices] = merged.get(choices, 0) + n
    profile = _timed(
        timings,
        "build_profile",
        lambda: [([index_of[int(x)] for x in choices.split(",")], n) for choices, n in merged.items()],
    )
    costs = [float(c.cost) for c in candidates]
    votes = _timed(timings, "ranking", lambda: rules.support_counts(profile, len(candidates)))
    order = rules.tie_order(votes=votes, costs=costs, numbers=[c.number for c in candidates])
    budget = float(campaign.budget or 0)
    funded_greedy = _timed(
        timings, "greedy", lambda: rules.greedy(order=order, costs=costs, budget=budget, votes=votes)
    )
    tie_rank = [0] * len(candidates)
    for position, c in enumerate(order):
        tie_rank[c] = position
    method = rules.EqualShares(profile=profile, costs=costs, tie_rank=tie_rank)
    fixed = _timed(timings, "equal_shares_fixed_budget", lambda: method.run(budget / method.voters))
    completion = rules.EqualShares(profile=profile, costs=costs, tie_rank=tie_rank)
    outcome = _timed(timings, "equal_shares_add1", lambda: completion.with_add1(budget=budget, step=step))
    full = _timed(
        timings,
        "results_document_total",
        lambda: tally.results_compute(
            campaign=campaign, candidates=candidates, counted=counted, quarantined=held
        ),
    )
    timings["results_document_total"] += timings["group_ballots_sql"]
    return {
        "ballots": count,
        "distinct_ballots": len(profile),
        "copy_seconds": round(loaded, 2),
        "seconds": {k: round(v, 3) for k, v in timings.items()},
        "cpu_seconds": {k: round(v, 3) for k, v in CPU.items()},
        "funded": {
            "greedy": len(funded_greedy),
            "equal_shares_fixed": len(fixed),
            "equal_shares_add1": len(outcome.funded),
        },
        "add1_rounds": outcome.completion_rounds,
        "add1_runs_of_the_method": completion.runs,
        "add1_step": step,
        "participants": full["participants"],
    }


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "setup":
        answer = setup()
    elif command == "verify":
        answer = verify(sys.argv[2])
    else:
        answer = results(int(sys.argv[2]), float(sys.argv[3]))
    print(json.dumps(answer, ensure_ascii=False))

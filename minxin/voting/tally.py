"""Counting a closed campaign: totals per candidate and channel, turnout, and the funded projects by
each rule (rules.py), kept as a snapshot that every reader is served; plus the exports (CSV, JSON, the
Pabulib `.pb` format of participatory-budgeting research).

Counting is set-based: the database groups identical ballots (`GROUP BY choices, channel`), so the
work in Python grows with the number of *distinct* ballots, not with the voters.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count
from django.utils.translation import gettext as _

from minxin.core import clock
from minxin.core.errors import Conflict
from minxin.voting import rules
from minxin.voting.models import (
    Ballot,
    Campaign,
    CampaignState,
    Candidate,
    Channel,
    EligibleVoter,
    ResultSnapshot,
)

TIE_BREAK = "votes desc, then cost asc, then ballot number asc"
RESULTS_LEASE_SECONDS = 600  # a worker counting a campaign holds it this long at most


def _percent(part: int, whole: int) -> str | None:
    if not whole:
        return None
    return str((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def ballot_groups(campaign: Campaign) -> tuple[list[tuple[str, str, int]], list[tuple[str, str, int]]]:
    """(counted, quarantined): identical ballots grouped as (choices, channel, how many)."""
    base = Ballot.objects.filter(campaign=campaign)
    counted = (
        base.filter(quarantined_at__isnull=True).values_list("choices", "channel").annotate(n=Count("id"))
    )
    held = base.filter(quarantined_at__isnull=False).values_list("choices", "channel").annotate(n=Count("id"))
    return list(counted.order_by()), list(held.order_by())


@dataclass
class _Counts:
    """Grouped ballots turned into a profile and the per-channel and quarantined counts."""

    profile: list[tuple[list[int], int]] = field(default_factory=list)
    by_channel: dict[str, int] = field(default_factory=dict)
    votes_by_channel: list[dict[str, int]] = field(default_factory=list)
    held_votes: list[int] = field(default_factory=list)
    held_by_channel: dict[str, int] = field(default_factory=dict)


def _counts(
    candidates: list[Candidate], counted: list[tuple[str, str, int]], quarantined: list[tuple[str, str, int]]
) -> _Counts:
    index_of = {candidate.number: i for i, candidate in enumerate(candidates)}
    out = _Counts(
        votes_by_channel=[dict.fromkeys(Channel.values, 0) for _ in candidates],
        held_votes=[0] * len(candidates),
    )
    profile_by_choices: dict[str, int] = {}
    for choices, channel, n in counted:
        profile_by_choices[choices] = profile_by_choices.get(choices, 0) + n
        out.by_channel[channel] = out.by_channel.get(channel, 0) + n
        for x in choices.split(","):
            if int(x) in index_of:
                out.votes_by_channel[index_of[int(x)]][channel] += n
    for choices, n in profile_by_choices.items():
        out.profile.append(([index_of[int(x)] for x in choices.split(",") if int(x) in index_of], n))
    for choices, channel, n in quarantined:
        out.held_by_channel[channel] = out.held_by_channel.get(channel, 0) + n
        for x in choices.split(","):
            if int(x) in index_of:
                out.held_votes[index_of[int(x)]] += n
    return out


def _funded(
    campaign: Campaign,
    profile: list[tuple[list[int], int]],
    costs: list[float],
    order: list[int],
    votes: list[int],
) -> tuple[list[int], list[int], dict[str, Any] | None]:
    """(greedy, Equal Shares with add1, Equal Shares figures) within the campaign's budget, if any."""
    if not campaign.budget:
        return [], [], None
    budget = float(campaign.budget)
    tie_rank = [0] * len(costs)
    for rank, index in enumerate(order):
        tie_rank[index] = rank
    funded_greedy = rules.greedy(order=order, costs=costs, budget=budget, votes=votes)
    outcome = rules.EqualShares(profile=profile, costs=costs, tie_rank=tie_rank).with_add1(
        budget=budget, step=float(campaign.completion_step)
    )
    mes_info = {
        "per_voter_budget": round(outcome.per_voter_budget, 2),
        "completion_rounds": outcome.completion_rounds,
        "spent": round(outcome.spent, 2),
    }
    return funded_greedy, outcome.funded, mes_info


def _ranking(
    candidates: list[Candidate], order: list[int], votes: list[int], counts: _Counts, participants: int
) -> list[dict[str, Any]]:
    size, ranking = len(candidates), []
    for rank, index in enumerate(order, start=1):
        candidate = candidates[index]
        neighbours = [votes[order[rank - 2]]] if rank > 1 else []
        neighbours += [votes[order[rank]]] if rank < size else []
        ranking.append(
            {
                "candidate": candidate.number,
                "name": candidate.name,
                "category": candidate.category,
                "cost": str(candidate.cost),
                "votes": votes[index],
                "share": _percent(votes[index], participants),
                "rank": rank,
                "tied": votes[index] in neighbours,
                "votes_by_channel": {k: v for k, v in counts.votes_by_channel[index].items() if v},
                "quarantined_votes": counts.held_votes[index],
            }
        )
    return ranking


def results_compute(
    *,
    campaign: Campaign,
    candidates: list[Candidate],
    counted: list[tuple[str, str, int]],
    quarantined: list[tuple[str, str, int]],
    eligible: int | None = None,
) -> dict[str, Any]:
    """The results document (see docs/voting.md) from grouped ballots."""
    counts = _counts(candidates, counted, quarantined)
    votes = rules.support_counts(counts.profile, len(candidates))
    costs = [float(c.cost) for c in candidates]
    numbers = [c.number for c in candidates]
    order = rules.tie_order(votes=votes, costs=costs, numbers=numbers)
    participants = sum(counts.by_channel.values())
    funded_greedy, funded_mes, mes_info = _funded(campaign, counts.profile, costs, order, votes)
    ranking = _ranking(candidates, order, votes, counts, participants)
    categories: dict[str, int] = {}
    for index, candidate in enumerate(candidates):
        categories[candidate.category] = categories.get(candidate.category, 0) + votes[index]
    return {
        "campaign": str(campaign.public_id),
        "title": campaign.title,
        "state": campaign.state,
        "published": campaign.state == CampaignState.RESULTS,
        "computed_at": clock.now().isoformat(),
        "rule": campaign.result_rule,
        "ballot": campaign.ballot_kind,
        "budget": str(campaign.budget) if campaign.budget is not None else None,
        "tie_break": TIE_BREAK,
        "participants": participants,
        "quarantined": sum(counts.held_by_channel.values()),
        "eligible": eligible,
        "turnout": _percent(participants, eligible or 0),
        "ballots_by_channel": counts.by_channel,
        "quarantined_by_channel": counts.held_by_channel,
        "ranking": ranking,
        "categories": categories,
        "funded": {
            "greedy": [numbers[i] for i in funded_greedy],
            "equal_shares": [numbers[i] for i in funded_mes],
        },
        "greedy_spent": round(sum(costs[i] for i in funded_greedy), 2),
        "equal_shares": mes_info,
    }


def _eligible(campaign: Campaign) -> int | None:
    listed = EligibleVoter.objects.filter(campaign=campaign).count()
    return listed or campaign.eligible_count


def result_snapshot_refresh(*, campaign: Campaign) -> dict[str, Any]:
    counted, held = ballot_groups(campaign)
    data = results_compute(
        campaign=campaign,
        candidates=list(campaign.candidates.order_by("number")),
        counted=counted,
        quarantined=held,
        eligible=_eligible(campaign),
    )
    ResultSnapshot.objects.update_or_create(
        campaign=campaign, defaults={"data": data, "computed_at": clock.now()}
    )
    return data


def results_schedule(*, campaign: Campaign) -> bool:
    """Count a campaign that has just closed (or changed after close): in this request when it is small,
    else by the worker (`results_due`), so closing a large campaign answers at once. True when counted
    here."""
    if Ballot.objects.filter(campaign=campaign).count() <= settings.VOTING_RESULTS_INLINE_MAX:
        result_snapshot_refresh(campaign=campaign)
        return True
    now = clock.now()
    Campaign.objects.filter(pk=campaign.pk).update(results_due_at=now)
    campaign.results_due_at = now
    return False


def results_due() -> int:
    """Worker job: count every campaign whose results are due. Each is claimed by moving its due time a
    lease ahead (a conditional update: two workers never count it twice; one that dies leaves it due
    again when the lease ends), and released only if nothing asked for a new count meanwhile."""
    now = clock.now()
    counted = 0
    for pk, due in Campaign.objects.filter(results_due_at__lte=now).values_list("pk", "results_due_at")[:10]:
        lease = now + dt.timedelta(seconds=RESULTS_LEASE_SECONDS)
        if not Campaign.objects.filter(pk=pk, results_due_at=due).update(results_due_at=lease):
            continue
        result_snapshot_refresh(campaign=Campaign.objects.select_related("region").get(pk=pk))
        Campaign.objects.filter(pk=pk, results_due_at=lease).update(results_due_at=None)
        counted += 1
    return counted


def results_for(*, campaign: Campaign) -> dict[str, Any]:
    """The results once voting has closed; 409 `not_closed` before, for everyone (admins included), and
    409 `results_pending` while the worker counts a large campaign for the first time. A recount in
    progress serves the previous count marked `"recounting": true`."""
    if not campaign.counts_visible:
        raise Conflict(_("Counts stay hidden until voting closes."), code="not_closed")
    snapshot = ResultSnapshot.objects.filter(campaign=campaign).first()
    pending = campaign.results_due_at is not None
    if snapshot is None and pending:
        raise Conflict(
            _("The results are being counted; they will be here in a few minutes."), code="results_pending"
        )
    data = snapshot.data if snapshot is not None else result_snapshot_refresh(campaign=campaign)
    data = dict(data)
    data["state"] = campaign.state
    data["published"] = campaign.state == CampaignState.RESULTS
    data["recounting"] = pending
    return data


def results_csv(data: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    channels = list(Channel.values)
    writer.writerow(
        [
            "rank",
            "number",
            "name",
            "category",
            "cost",
            "votes",
            "share_percent",
            *channels,
            "quarantined_votes",
            "funded_greedy",
            "funded_equal_shares",
        ]
    )
    greedy, mes = set(data["funded"]["greedy"]), set(data["funded"]["equal_shares"])
    for row in data["ranking"]:
        writer.writerow(
            [
                row["rank"],
                row["candidate"],
                row["name"],
                row["category"],
                row["cost"],
                row["votes"],
                row["share"] or "",
                *(row["votes_by_channel"].get(channel, 0) for channel in channels),
                row["quarantined_votes"],
                int(row["candidate"] in greedy),
                int(row["candidate"] in mes),
            ]
        )
    return out.getvalue()


def results_json(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


def _pb_text(value: str) -> str:
    return " ".join(str(value).replace(";", ",").split())


def results_pabulib(*, campaign: Campaign, data: dict[str, Any]) -> Iterator[str]:
    """The `.pb` file (pabulib.org format): META, PROJECTS, VOTES sections, `;`-separated. Voters are
    numbered in receipt order (random), never in the order they voted; quarantined ballots are left out."""
    rule = {"ranking": "greedy", "greedy": "greedy", "equal_shares": "equalshares/add1"}[campaign.result_rule]
    vote_type = "ordinal" if campaign.ballot_kind == "ranking" else "approval"
    votes = {row["candidate"]: row["votes"] for row in data["ranking"]}
    funded = set(data["funded"]["equal_shares" if campaign.result_rule == "equal_shares" else "greedy"])
    candidates = list(campaign.candidates.order_by("number"))
    budget = campaign.budget if campaign.budget is not None else sum((c.cost for c in candidates), Decimal(0))
    meta = [
        ("description", _pb_text(campaign.title)),
        ("country", "China"),
        ("unit", _pb_text(campaign.region.name)),
        ("instance", str(campaign.opens_at.year)),
        ("num_projects", str(len(candidates))),
        ("num_votes", str(data["participants"])),
        ("budget", str(int(budget))),
        ("vote_type", vote_type),
        ("rule", rule),
        ("date_begin", campaign.opens_at.strftime("%d.%m.%Y")),
        ("date_end", campaign.closes_at.strftime("%d.%m.%Y")),
        ("min_length", str(campaign.min_choices)),
        ("max_length", str(campaign.max_choices)),
        ("language", "chinese"),
    ]
    yield "META\nkey;value\n"
    yield "".join(f"{key};{value}\n" for key, value in meta)
    yield "PROJECTS\nproject_id;cost;votes;name;category;selected\n"
    for c in candidates:
        selected = 1 if c.number in funded else 0
        name, category = _pb_text(c.name), _pb_text(c.category)
        yield f"{c.number};{int(c.cost)};{votes.get(c.number, 0)};{name};{category};{selected}\n"
    yield "VOTES\nvoter_id;vote;voting_method\n"
    rows = (
        Ballot.objects.filter(campaign=campaign, quarantined_at__isnull=True)
        .order_by("receipt")
        .values_list("choices", "channel")
    )
    chunk: list[str] = []
    for voter, (choices, channel) in enumerate(rows.iterator(chunk_size=5000), start=1):
        chunk.append(f"{voter};{choices};{channel}\n")
        if len(chunk) >= 5000:
            yield "".join(chunk)
            chunk = []
    if chunk:
        yield "".join(chunk)

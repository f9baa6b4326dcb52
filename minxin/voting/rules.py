"""The result rules, written from their definitions (docs/voting.md), free of any database.

A profile is a list of distinct ballots with how many voters cast each: `(candidate indices, weight)`.
Candidates are indices 0..n-1 with a cost; `tie_rank[c]` orders every tie the same stated way: more
votes, then lower cost, then the lower ballot number (`tie_order`).

Method of Equal Shares (approval utilities: an approver values a project at 1). Every voter starts with
an equal share of the budget. Repeatedly, for every project not yet funded, find the smallest ρ such that
its approvers, each paying min(own remaining budget, ρ), cover its cost; fund the project with the
smallest ρ (ties by `tie_rank`), charge its approvers, and stop when no project can be paid for.
Completion "add1": while the outcome is not exhaustive (some unfunded project would still fit the real
budget), run the method again with every voter's share raised by `step`, and keep that outcome as long
as its cost stays within the real budget; stop at the first raise that does not.

The method and its speed: equal_shares.py (re-exported here).
"""

from __future__ import annotations

from collections.abc import Sequence

from minxin.voting.equal_shares import EPS, EqualShares, EqualSharesOutcome

__all__ = ["EPS", "EqualShares", "EqualSharesOutcome", "greedy", "support_counts", "tie_order"]


def support_counts(profile: Sequence[tuple[Sequence[int], int]], size: int) -> list[int]:
    votes = [0] * size
    for choices, weight in profile:
        for index in choices:
            votes[index] += weight
    return votes


def tie_order(*, votes: Sequence[int], costs: Sequence[float], numbers: Sequence[int]) -> list[int]:
    """Candidates from the most supported down: more votes, then lower cost, then lower ballot number."""
    return sorted(range(len(votes)), key=lambda c: (-votes[c], costs[c], numbers[c]))


def greedy(
    *, order: Sequence[int], costs: Sequence[float], budget: float, votes: Sequence[int] | None = None
) -> list[int]:
    """Down the ranking, fund each project that still fits the remaining budget (skip those that do not);
    a project nobody chose is never funded."""
    funded, left = [], budget
    for index in order:
        if votes is not None and votes[index] <= 0:
            continue
        if costs[index] <= left * (1 + EPS) + EPS:
            funded.append(index)
            left -= costs[index]
    return funded

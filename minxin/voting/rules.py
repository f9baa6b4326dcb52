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

Speed: voters whose approval sets agree on the projects funded so far hold equal budgets, so a project's
approvers are kept as groups (key = ballot mask & funded mask → weight) rather than one by one; funding a
project splits only the groups of its own approvers. States are cached by the funded sequence, so the
completion's repeated runs reuse the work of the sequences they share.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass, field

EPS = 1e-9


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


@dataclass
class EqualSharesOutcome:
    funded: list[int]
    per_voter_budget: float
    completion_rounds: int
    spent: float


@dataclass
class _State:
    counts: list[dict[int, int]]
    touched: frozenset[int] = frozenset()  # projects whose approvers paid for the step into this state
    children: dict[int, _State] = field(default_factory=dict)


def _key(rho: float) -> float:
    """ρ to 12 significant digits: equal shares computed along different paths compare equal, so the
    stated tie-break decides between them."""
    return float(f"{rho:.12g}")


class EqualShares:
    def __init__(
        self, *, profile: Sequence[tuple[Sequence[int], int]], costs: Sequence[float], tie_rank: Sequence[int]
    ):
        self.costs = [float(cost) for cost in costs]
        self.size = len(self.costs)
        self.tie_rank = list(tie_rank)
        self.members: list[tuple[int, ...]] = []
        self.masks: list[int] = []
        self.weights: list[int] = []
        self.supporters: list[list[int]] = [[] for _ in range(self.size)]
        totals = [0] * self.size
        for choices, weight in profile:
            if weight <= 0:
                continue
            members = tuple(sorted(set(choices)))
            index = len(self.members)
            self.members.append(members)
            self.masks.append(sum(1 << c for c in members))
            self.weights.append(weight)
            for c in members:
                self.supporters[c].append(index)
                totals[c] += weight
        self.voters = sum(self.weights)
        self.totals = totals
        # ρ is at least cost / approvers: look at projects in that order and stop once it passes the best.
        self.by_bound = sorted(
            (c for c in range(self.size) if totals[c] > 0 or self.costs[c] == 0),
            key=lambda c: (self.costs[c] / totals[c] if totals[c] else 0.0, self.tie_rank[c]),
        )
        self.root = _State(counts=[{0: totals[c]} if totals[c] else {} for c in range(self.size)])

    def run(self, per_voter: float) -> list[int]:
        """The fixed-budget method with `per_voter` for everyone: the funded projects in funding order.

        Lazy evaluation: within a run budgets only fall, so a project's ρ only rises (or it becomes
        unaffordable for good). Each project sits in a heap under the last ρ computed for it; only the
        projects whose approvers paid for the last funded one are recomputed, when they reach the top."""
        state, funded_mask = self.root, 0
        funded: list[int] = []
        budgets: dict[int, float] = {0: per_voter}
        heap: list[tuple[float, int, int, int]] = []  # (ρ, tie rank, project, round computed)
        for c in self.by_bound:
            rho = self._rho(self.costs[c], state.counts[c], budgets)
            if rho is not None:
                heap.append((_key(rho), self.tie_rank[c], c, 0))
        heapq.heapify(heap)
        stale: dict[int, int] = {}  # project → the round whose funding last changed its approvers
        round_number = 0
        while heap:
            _rho_key, rank, c, computed = heap[0]
            if funded_mask >> c & 1:
                heapq.heappop(heap)
                continue
            if stale.get(c, -1) >= computed:
                rho = self._rho(self.costs[c], state.counts[c], budgets)
                if rho is None:
                    heapq.heappop(heap)
                else:
                    heapq.heapreplace(heap, (_key(rho), rank, c, round_number + 1))
                continue
            heapq.heappop(heap)
            rho = self._rho(self.costs[c], state.counts[c], budgets)
            if rho is None:  # cannot happen: fresh entries are exact; kept for safety
                continue
            bit = 1 << c
            for group in state.counts[c]:
                have = budgets[group]
                budgets[group | bit] = have - min(have, rho)
            state = self._advance(state, c, funded_mask)
            funded_mask |= bit
            funded.append(c)
            round_number += 1
            for other in state.touched:
                stale[other] = round_number
        return funded

    @staticmethod
    def _rho(cost: float, groups: dict[int, int], budgets: dict[int, float]) -> float | None:
        if cost <= 0:
            return 0.0
        if len(groups) == 1:
            ((group, weight),) = groups.items()
            return cost / weight if budgets[group] * weight >= cost * (1 - EPS) else None
        weight_left = sum(groups.values())
        if min(map(budgets.__getitem__, groups)) * weight_left >= cost * (1 - EPS):
            return cost / weight_left  # nobody runs short: an equal split
        items = sorted((budgets[group], weight) for group, weight in groups.items())
        if sum(b * w for b, w in items) < cost * (1 - EPS):
            return None
        left = cost
        for have, weight in items:
            if have * weight_left >= left * (1 - EPS):
                return left / weight_left
            left -= have * weight
            weight_left -= weight
        return None

    def _advance(self, state: _State, chosen: int, funded_mask: int) -> _State:
        cached = state.children.get(chosen)
        if cached is not None:
            return cached
        bit = 1 << chosen
        done = funded_mask | bit
        counts = list(state.counts)
        copied: set[int] = set()
        for index in self.supporters[chosen]:
            weight = self.weights[index]
            old = self.masks[index] & funded_mask
            new = old | bit
            for c in self.members[index]:
                if done >> c & 1:
                    continue
                if c not in copied:
                    counts[c] = dict(counts[c])
                    copied.add(c)
                groups = counts[c]
                left = groups[old] - weight
                if left:
                    groups[old] = left
                else:
                    del groups[old]
                groups[new] = groups.get(new, 0) + weight
        child = _State(counts=counts, touched=frozenset(copied))
        state.children[chosen] = child
        return child

    def with_add1(self, *, budget: float, step: float = 1.0, max_rounds: int = 100_000) -> EqualSharesOutcome:
        """Equal Shares with the add1 completion (module docstring)."""
        if self.voters == 0:
            return EqualSharesOutcome(funded=[], per_voter_budget=0.0, completion_rounds=0, spent=0.0)
        per_voter = budget / self.voters
        outcome = self.run(per_voter)
        rounds = 0
        while rounds < max_rounds and step > 0:
            spent = sum(self.costs[c] for c in outcome)
            chosen = set(outcome)
            room = budget - spent
            if not any(
                c not in chosen and self.costs[c] <= room * (1 + EPS) + EPS and self.totals[c]
                for c in range(self.size)
            ):
                break
            following = self.run(per_voter + step)
            if sum(self.costs[c] for c in following) > budget * (1 + EPS) + EPS:
                break
            per_voter += step
            outcome = following
            rounds += 1
        return EqualSharesOutcome(
            funded=outcome,
            per_voter_budget=per_voter,
            completion_rounds=rounds,
            spent=sum(self.costs[c] for c in outcome),
        )

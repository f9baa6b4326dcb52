"""Voter groups as arrays: the ballot types approving each project, and per funded sequence (a state)
each type's group; a project's groups, their weights and ρ (docs/voting.md, "Complexity")."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

EPS = 1e-9
Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.intp]
NOBODY: Ints = np.zeros(0, dtype=np.intp)


@dataclass(frozen=True, eq=False)
class Problem:
    costs: list[float]
    tie_rank: list[int]
    totals: list[int]  # the weight of each project's approvers
    voters: int
    types: int  # distinct ballots (with a positive weight)
    approvers: list[Ints]  # per project: the ballot types approving it
    weights: list[Floats]  # their weights
    neighbours: list[frozenset[int]]  # per project: the projects its approvers also approve

    @property
    def size(self) -> int:
        return len(self.costs)


def problem(
    profile: Sequence[tuple[Sequence[int], int]], costs: Sequence[float], tie_rank: Sequence[int]
) -> Problem:
    size = len(costs)
    members: list[list[int]] = [[] for _ in range(size)]
    weight_of: list[list[int]] = [[] for _ in range(size)]
    masks: list[int] = []
    for choices, weight in profile:
        if weight <= 0:
            continue
        chosen = sorted(set(choices))
        for c in chosen:
            members[c].append(len(masks))
            weight_of[c].append(weight)
        masks.append(sum(1 << c for c in chosen))
    neighbours = []
    for c in range(size):
        union = 0
        for t in set(members[c]):
            union |= masks[t]
        neighbours.append(frozenset(d for d in range(size) if union >> d & 1 and d != c))
    return Problem(
        costs=[float(cost) for cost in costs],
        tie_rank=list(tie_rank),
        totals=[sum(w) for w in weight_of],
        voters=sum(weight for _choices, weight in profile if weight > 0),
        types=len(masks),
        approvers=[np.array(m, dtype=np.intp) for m in members],
        weights=[np.array(w, dtype=np.float64) for w in weight_of],
        neighbours=neighbours,
    )


@dataclass(eq=False)
class State:
    """The voter groups after a funded sequence: `group[t]` is ballot type t's group (types agreeing on
    the funded projects they approve), numbered 0..size-1; shared by every run along the sequence."""

    problem: Problem
    group: Ints
    size: int
    touched: frozenset[int] = frozenset()  # projects whose approvers paid for the step into this state
    children: dict[int, State] = field(default_factory=dict)
    made: dict[int, tuple[Ints, Floats, Ints]] = field(default_factory=dict)

    def groups(self, c: int) -> tuple[Ints, Floats, Ints]:
        """Project c's groups (ascending), their weights, and each approver type's place among them."""
        found = self.made.get(c)
        if found is None:
            ids, where = np.unique(self.group[self.problem.approvers[c]], return_inverse=True)
            weights: Floats = np.bincount(where, weights=self.problem.weights[c], minlength=len(ids)).astype(
                np.float64
            )
            found = (ids.astype(np.intp), weights, where.astype(np.intp))
            self.made[c] = found
        return found

    def advance(self, chosen: int) -> State:
        """After funding `chosen`: its groups split off as new groups size, size + 1, … (cached)."""
        child = self.children.get(chosen)
        if child is None:
            ids, _weights, where = self.groups(chosen)
            group = self.group.copy()
            group[self.problem.approvers[chosen]] = self.size + where
            child = State(self.problem, group, self.size + len(ids), self.problem.neighbours[chosen])
            self.children[chosen] = child
        return child


def root(problem: Problem) -> State:
    return State(problem, np.zeros(problem.types, dtype=np.intp), 1)


def rho(cost: float, weights: Floats, have: Floats, total: int) -> tuple[float, Ints] | None:
    """The smallest ρ with Σ weight × min(budget, ρ) = cost over a project's groups (`have` their
    budgets, `total` their weight) and the places of the groups that pay all they have; None when
    together they hold less than the cost."""
    if cost <= 0:
        return 0.0, NOBODY
    if not len(have):
        return None
    if float(have.min()) * total >= cost * (1 - EPS):
        return cost / total, NOBODY  # nobody runs short: an equal split
    if float(have @ weights) < cost * (1 - EPS):
        return None
    order = np.argsort(have, kind="stable")
    have, weights = have[order], weights[order]
    paid = np.cumsum(have * weights)  # paid[i - 1]: what the i poorest groups hold
    counted = np.cumsum(weights)
    # The first group (poorest first) that can pay an equal share of what is left; every group before
    # it pays all it has: a binary search, as Σ weight × min(budget, have[i]) grows with i.
    low, high = 0, len(have) - 1
    while low < high:
        middle = (low + high) // 2
        before, count = (float(paid[middle - 1]), float(counted[middle - 1])) if middle else (0.0, 0.0)
        if float(have[middle]) * (total - count) >= (cost - before) * (1 - EPS):
            high = middle
        else:
            low = middle + 1
    before, count = (float(paid[low - 1]), float(counted[low - 1])) if low else (0.0, 0.0)
    return (cost - before) / (total - count), order[:low]

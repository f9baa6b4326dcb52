"""Voter groups as arrays: the ballot types approving each project, and per funded sequence (a state)
each type's group; a project's groups, their weights and ρ (docs/voting.md, "Complexity")."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import chain

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
    pairs: tuple[Ints, Ints, Floats]  # every (project, approving type, weight), by project

    def money(self, group: Ints, values: Floats) -> Floats:
        """Per project: Σ weight × values[group of the type] over its approvers."""
        projects, types, weights = self.pairs
        return np.bincount(projects, weights=weights * values[group[types]], minlength=self.size).astype(
            np.float64, copy=False
        )

    @property
    def size(self) -> int:
        return len(self.costs)


def problem(
    profile: Sequence[tuple[Sequence[int], int]], costs: Sequence[float], tie_rank: Sequence[int]
) -> Problem:
    size = len(costs)
    kept = [(sorted(set(choices)), weight) for choices, weight in profile if weight > 0]
    lengths = np.fromiter((len(choices) for choices, _weight in kept), dtype=np.intp, count=len(kept))
    chosen = np.fromiter(chain.from_iterable(c for c, _w in kept), dtype=np.intp, count=int(lengths.sum()))
    weight = np.fromiter((w for _c, w in kept), dtype=np.float64, count=len(kept))
    types = np.repeat(np.arange(len(kept), dtype=np.intp), lengths)  # each (type, project) pair
    order = np.argsort(chosen, kind="stable")
    edges = np.searchsorted(chosen[order], np.arange(size + 1))
    approvers = [types[order[edges[c] : edges[c + 1]]] for c in range(size)]
    weights = [weight[members] for members in approvers]
    starts = np.concatenate(([0], np.cumsum(lengths)))  # each type's first pair
    neighbours = [_neighbours(c, approvers[c], lengths, starts, chosen) for c in range(size)]
    return Problem(
        costs=[float(cost) for cost in costs],
        tie_rank=list(tie_rank),
        totals=[int(w.sum()) for w in weights],
        voters=int(weight.sum()),
        types=len(kept),
        approvers=approvers,
        weights=weights,
        neighbours=neighbours,
        pairs=(chosen[order], types[order], weight[types[order]]),
    )


def _neighbours(c: int, mine: Ints, lengths: Ints, starts: Ints, chosen: Ints) -> frozenset[int]:
    """The projects that some approver of c also approves: every pair of c's approving types."""
    counts = lengths[mine]
    shift = np.repeat(starts[mine] - np.concatenate(([0], np.cumsum(counts)[:-1])), counts)
    pairs = shift + np.arange(int(counts.sum()))
    return frozenset(int(d) for d in np.unique(chosen[pairs])) - {c}


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

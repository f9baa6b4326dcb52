"""One run of the fixed-budget method at a share per voter, with the lazy heap, and optionally the proof
that it makes the same choices as a lower run at every share in between (the package docstring)."""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np

from minxin.voting.equal_shares.groups import Floats, Ints, Problem, State, rho

Entry = tuple[float, int, int, int, float, Ints]  # (ρ key, tie rank, project, round, ρ, short places)


@dataclass(frozen=True, slots=True, eq=False)
class Run:
    share: float
    funded: list[int]
    rhos: list[float]  # the ρ each funded project was bought at
    budgets: Floats  # every group's budget when it came to be
    certified: bool  # the same choices as the lower run, proved for every share in between
    state: State  # the groups at the end of the run
    slopes: Floats | None  # d budget / d share per group (runs without `lower`)


def _key(value: float) -> float:
    """ρ to 12 significant digits: equal shares computed along different paths compare equal, so the
    stated tie-break decides between them."""
    return float(f"{value:.12g}")


def _above(rival: float, chosen: float, rival_ranks_lower: bool) -> bool:
    """The rival's ρ loses to the chosen one's: not below it when ties go to the chosen project, else
    clearly above it (beyond the rounding of `_key`)."""
    return rival >= chosen if rival_ranks_lower else rival > chosen * (1 + 1e-10) + 1e-12


class Pass:
    """One run of the fixed-budget method at `share` per voter (optionally proving it against `lower`)."""

    def __init__(self, problem: Problem, start: State, share: float, lower: Run | None) -> None:
        self.problem, self.share, self.lower = problem, share, lower
        self.state = start
        self.funded_mask = 0
        self.funded: list[int] = []
        self.rhos: list[float] = []
        self.budgets: Floats = np.full(1, share)
        # When proving: how fast each group's budget at least grows with the share (1 + Σ rates).
        self.growth: Floats = np.ones(1)
        # Without a proof to make: how fast each group's budget grows with the share, right here.
        self.slopes: Floats | None = np.ones(1) if lower is None else None
        self.rates: dict[tuple[int, int], float] = {}  # (project, round of its entry) → `_rate`
        self.stale: dict[int, int] = {}  # project → the round whose funding last changed its approvers
        self.heap: list[Entry] = []
        for c in range(problem.size):
            entry = self._entry(c, 0)
            if entry is not None:
                self.heap.append(entry)
        heapq.heapify(self.heap)

    def _entry(self, c: int, round_: int) -> Entry | None:
        ids, weights, _where = self.state.groups(c)
        found = rho(self.problem.costs[c], weights, self.budgets[ids], self.problem.totals[c])
        if found is None:
            return None
        return (_key(found[0]), self.problem.tie_rank[c], c, round_, found[0], found[1])

    def run(self) -> Run:
        while self.heap:
            chosen = self._top()
            if chosen is None:
                continue
            if self.lower is not None and not self._proved(chosen):
                return self._result(certified=False)
            self._fund(chosen)
        certified = self.lower is not None and len(self.funded) == len(self.lower.funded)
        return self._result(certified=certified)

    def _result(self, *, certified: bool) -> Run:
        return Run(self.share, self.funded, self.rhos, self.budgets, certified, self.state, self.slopes)

    def _top(self) -> Entry | None:
        """Pop the top entry if it is fresh (its ρ exact now); otherwise refresh or drop it: None."""
        entry = self.heap[0]
        if self.funded_mask >> entry[2] & 1:
            heapq.heappop(self.heap)
            return None
        if self.stale.get(entry[2], -1) >= entry[3]:
            self._refresh()
            return None
        return heapq.heappop(self.heap)

    def _refresh(self) -> None:
        """Recompute the top entry's ρ at the current state, or drop it if now unaffordable."""
        entry = self._entry(self.heap[0][2], len(self.funded) + 1)
        if entry is None:
            heapq.heappop(self.heap)
        else:
            heapq.heapreplace(self.heap, entry)

    def _fund(self, entry: Entry) -> None:
        c, paid, short = entry[2], entry[4], entry[5]
        ids, weights, _where = self.state.groups(c)
        have = self.budgets[ids]
        keeps = have > paid
        if self.lower is not None:
            born = self.lower.budgets[self.state.size : self.state.size + len(ids)]
            grown = np.where(born > 0.0, self.growth[ids] + self._rate(entry), 0.0)
            self.growth = np.concatenate((self.growth, grown))
        if self.slopes is not None:
            # ρ = (cost − Σ weight × budget over the short groups) / (weight of the rest), so ρ falls at
            # Σ weight × slope over the short groups / that weight, and the rest keep slope + that.
            rest = self.problem.totals[c] - float(weights[short].sum())
            fall = float(weights[short] @ self.slopes[ids[short]]) / rest if rest > 0 else 0.0
            self.slopes = np.concatenate((self.slopes, np.where(keeps, self.slopes[ids] + fall, 0.0)))
        self.budgets = np.concatenate((self.budgets, np.where(keeps, have - paid, 0.0)))
        self.state = self.state.advance(c)
        self.funded_mask |= 1 << c
        self.funded.append(c)
        self.rhos.append(paid)
        for other in self.state.touched:
            self.stale[other] = len(self.funded)

    def _rate(self, entry: Entry) -> float:
        """How fast the entry's project's ρ at least falls per unit of share between the lower run and
        this one: Σ weight × (budget growth) over its approvers short here (so short at every share in
        between) that still held money there (so they never ran short: their budget b − Σρ grows at
        least as fast as `growth` says), over the weight of those not short here. Once per entry (its
        project's groups are as when it was made)."""
        assert self.lower is not None
        key = (entry[2], entry[3])
        rate = self.rates.get(key)
        if rate is None:
            c, short = entry[2], entry[5]
            ids, weights, _where = self.state.groups(c)
            groups, part = ids[short], weights[short]
            held = float((part * (self.lower.budgets[groups] > 0.0)) @ self.growth[groups])
            rest = self.problem.totals[c] - float(part.sum())
            rate = self.rates[key] = held / rest if rest > 0 else 0.0
        return rate

    def _proved(self, entry: Entry) -> bool:
        """The same choice as the lower run at this step, and every rival beats it across the interval
        on the linear bounds of the package docstring, checked at both ends."""
        assert self.lower is not None
        lower, step = self.lower, len(self.funded)
        rank, c = entry[1], entry[2]
        if step >= len(lower.funded) or lower.funded[step] != c:
            return False
        bar, width = lower.rhos[step], self.share - lower.share
        bar_high = bar - self._rate(entry) * width  # the chosen ρ at this share, at most
        set_aside: list[Entry] = []
        proved = True
        while self.heap and (self.heap[0][0], self.heap[0][1]) < (_key(bar), rank):
            rival = self.heap[0]
            if self.funded_mask >> rival[2] & 1:
                heapq.heappop(self.heap)
            elif self.stale.get(rival[2], -1) >= rival[3]:
                self._refresh()
            else:
                set_aside.append(heapq.heappop(self.heap))
                low_end = rival[4] + self._rate(rival) * width  # the rival's ρ at the lower share, at least
                if not (
                    _above(low_end, bar, rival[1] > rank) and _above(rival[4], bar_high, rival[1] > rank)
                ):
                    proved = False
                    break
        for rival in set_aside:
            heapq.heappush(self.heap, rival)
        return proved

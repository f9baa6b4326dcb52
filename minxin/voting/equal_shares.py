"""The Method of Equal Shares with the add1 completion (definitions: rules.py and docs/voting.md).

Speed (docs/voting.md, "Complexity"):

- Voter types. Voters whose ballots agree on the projects funded so far hold equal budgets, so a
  project's approvers are kept as groups (key = ballot mask & funded mask → weight), not one by one;
  funding a project splits only its own approvers' groups. States are cached by funded sequence, so the
  completion's runs share the work of the sequences they have in common.
- Lazy evaluation. Within a run budgets only fall, so a project's ρ only rises: each project waits in a
  heap under the last ρ computed for it and is recomputed only when it reaches the top after a funding
  its approvers paid for.
- Proved skips in the completion. Along a fixed funding sequence, every budget grows and every ρ falls
  as the share b grows. Moreover a group still holding money at the lower share b₀ pays ρ for everything
  it funds (never runs short) at every share above it, so its budget b − Σρ grows at least as fast as b;
  a project's ρ therefore falls at least at the rate s = (weight of its approvers that are short at the
  higher share b₁ yet held money at b₀) / (weight of all its approvers). A run at b₁ (`_Pass` with
  `lower`) that makes the same choices as the run at b₀, where at every step each rival's ρ at b₁ plus
  s·(b₁ − b) stays above the chosen project's ρ at b₀ minus its own rate × (b − b₀), at both ends
  (both bounds are linear in b), proves that every share in between makes the same choices; the
  completion then takes all those raises at once, exactly as the step-by-step loop would.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from operator import mul

EPS = 1e-9
Entry = tuple[float, int, int, int, float, tuple[int, ...]]  # (ρ key, tie rank, project, round, ρ, short)


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


@dataclass(frozen=True, slots=True)
class _Run:
    share: float
    funded: list[int]
    rhos: list[float]  # the ρ each funded project was bought at
    budgets: dict[int, float]  # every group's budget when it came to be
    certified: bool  # the same choices as the lower run, proved for every share in between
    state: _State  # the groups at the end of the run
    slopes: dict[int, float] | None  # d budget / d share per group (runs without `lower`)


def _key(rho: float) -> float:
    """ρ to 12 significant digits: equal shares computed along different paths compare equal, so the
    stated tie-break decides between them."""
    return float(f"{rho:.12g}")


def _rho(
    cost: float, groups: dict[int, int], budgets: dict[int, float], total: int
) -> tuple[float, tuple[int, ...]] | None:
    """The smallest ρ with Σ weight × min(budget, ρ) = cost over a project's groups (`total` their
    weight) and the groups that pay all they have; None when together they hold less than the cost."""
    if cost <= 0:
        return 0.0, ()
    if not groups:
        return None
    have = list(map(budgets.__getitem__, groups))
    if min(have) * total >= cost * (1 - EPS):
        return cost / total, ()  # nobody runs short: an equal split
    weights = list(groups.values())
    if sum(map(mul, have, weights)) < cost * (1 - EPS):
        return None
    order = sorted(range(len(have)), key=have.__getitem__)
    have = [have[i] for i in order]
    weights = [weights[i] for i in order]
    paid = [0.0, *accumulate(map(mul, have, weights))]  # paid[i]: what the i poorest groups hold
    counted = [0, *accumulate(weights)]
    # The first group (poorest first) that can pay an equal share of what is left; every group before
    # it pays all it has. Σ weight × min(budget, have[i]) grows with i: a binary search.
    low, high = 0, len(have) - 1
    while low < high:
        middle = (low + high) // 2
        if have[middle] * (total - counted[middle]) >= (cost - paid[middle]) * (1 - EPS):
            high = middle
        else:
            low = middle + 1
    masks = list(groups)
    return (cost - paid[low]) / (total - counted[low]), tuple(masks[i] for i in order[:low])


class _Pass:
    """One run of the fixed-budget method at `share` per voter (optionally proving it against `lower`)."""

    def __init__(self, method: EqualShares, share: float, lower: _Run | None) -> None:
        self.method, self.share, self.lower = method, share, lower
        self.state = method.root
        self.funded_mask = 0
        self.funded: list[int] = []
        self.rhos: list[float] = []
        self.budgets: dict[int, float] = {0: share}
        # When proving: how fast each group's budget at least grows with the share (1 + Σ rates).
        self.growth: dict[int, float] = {0: 1.0}
        # Without a proof to make: how fast each group's budget grows with the share, right here.
        self.slopes: dict[int, float] | None = {0: 1.0} if lower is None else None
        self.rates: dict[tuple[int, int], float] = {}  # (project, round of its entry) → `_rate`
        self.stale: dict[int, int] = {}  # project → the round whose funding last changed its approvers
        self.heap: list[Entry] = []
        for c in range(method.size):
            found = _rho(method.costs[c], self.state.counts[c], self.budgets, method.totals[c])
            if found is not None:
                self.heap.append((_key(found[0]), method.tie_rank[c], c, 0, found[0], found[1]))
        heapq.heapify(self.heap)

    def run(self) -> _Run:
        while self.heap:
            chosen = self._top()
            if chosen is None:
                continue
            if self.lower is not None and not self._proved(chosen):
                return self._result(certified=False)
            self._fund(chosen)
        certified = self.lower is not None and len(self.funded) == len(self.lower.funded)
        return self._result(certified=certified)

    def _result(self, *, certified: bool) -> _Run:
        return _Run(self.share, self.funded, self.rhos, self.budgets, certified, self.state, self.slopes)

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
        method, c = self.method, self.heap[0][2]
        found = _rho(method.costs[c], self.state.counts[c], self.budgets, method.totals[c])
        if found is None:
            heapq.heappop(self.heap)
        else:
            entry = (_key(found[0]), method.tie_rank[c], c, len(self.funded) + 1, found[0], found[1])
            heapq.heapreplace(self.heap, entry)

    def _fund(self, entry: Entry) -> None:
        c, rho = entry[2], entry[4]
        groups, bit, budgets = self.state.counts[c], 1 << c, self.budgets
        if self.lower is not None:
            self._carry_growth(c, groups, bit, self._rate(entry))
        if self.slopes is not None:
            self._carry_slopes(c, groups, bit, entry)
        for group in groups:
            have = budgets[group]
            budgets[group | bit] = have - rho if have > rho else 0.0
        self.state = self.method.advance(self.state, c, self.funded_mask)
        self.funded_mask |= bit
        self.funded.append(c)
        self.rhos.append(rho)
        for other in self.state.touched:
            self.stale[other] = len(self.funded)

    def _carry_growth(self, c: int, groups: dict[int, int], bit: int, rate: float) -> None:
        """After funding `c` (whose ρ falls at least at `rate`): a group that still holds money at the
        lower share pays ρ, so its budget grows at least `rate` faster than before."""
        assert self.lower is not None
        before, growth = self.lower.budgets, self.growth
        for group in groups:
            child = group | bit
            if before.get(child, 0.0) > 0.0:
                growth[child] = growth[group] + rate

    def _carry_slopes(self, c: int, groups: dict[int, int], bit: int, entry: Entry) -> None:
        """ρ = (cost − Σ weight × budget over the groups paying all they have) / (weight of the rest), so
        dρ/db = −Σ weight × slope over those groups / that weight; the rest keep slope − dρ/db."""
        assert self.slopes is not None
        slopes, budgets, rho, short = self.slopes, self.budgets, entry[4], entry[5]
        rest = self.method.totals[c] - sum(groups[g] for g in short)
        fall = sum(groups[g] * slopes[g] for g in short) / rest if rest > 0 else 0.0
        for group in groups:
            slopes[group | bit] = slopes[group] + fall if budgets[group] > rho else 0.0

    def _rate(self, entry: Entry) -> float:
        """`_fall` for a heap entry, once per entry (its project's groups are as when it was made)."""
        key = (entry[2], entry[3])
        rate = self.rates.get(key)
        if rate is None:
            rate = self.rates[key] = self._fall(entry[2], entry[5])
        return rate

    def _fall(self, c: int, short: tuple[int, ...]) -> float:
        """How fast project `c`'s ρ at least falls per unit of share between the lower run and this one:
        Σ weight × (budget growth) over its approvers short here (so short at every share in between)
        that still held money there (so they never ran short: their budget b − Σρ grows at least as fast
        as `growth` says), over the weight of those not short here."""
        assert self.lower is not None
        groups, before, growth = self.state.counts[c], self.lower.budgets, self.growth
        held = sum(groups[g] * growth[g] for g in short if before.get(g, 0.0) > 0.0)
        rest = self.method.totals[c] - sum(groups[g] for g in short)
        return held / rest if rest > 0 else 0.0

    def _proved(self, entry: Entry) -> bool:
        """The same choice as the lower run at this step, and every rival beats it across the interval
        on the linear bounds of the module docstring, checked at both ends."""
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


def _above(rival: float, chosen: float, rival_ranks_lower: bool) -> bool:
    """The rival's ρ loses to the chosen one's: not below it when ties go to the chosen project, else
    clearly above it (beyond the rounding of `_key`)."""
    return rival >= chosen if rival_ranks_lower else rival > chosen * (1 + 1e-10) + 1e-12


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
        self.root = _State(counts=[{0: totals[c]} if totals[c] else {} for c in range(self.size)])
        self.runs = 0  # how many runs of the method (for the benchmark)

    def run(self, per_voter: float) -> list[int]:
        """The fixed-budget method with `per_voter` for everyone: the funded projects in funding order."""
        return self._run(per_voter).funded

    def _run(self, per_voter: float, lower: _Run | None = None) -> _Run:
        self.runs += 1
        return _Pass(self, per_voter, lower).run()

    def advance(self, state: _State, chosen: int, funded_mask: int) -> _State:
        """The groups after funding `chosen`: its approvers' groups split by it (cached per sequence)."""
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

    def _exhaustive(self, funded: Sequence[int], budget: float) -> bool:
        """No unfunded project with a vote would still fit the real budget."""
        chosen = set(funded)
        room = budget - sum(self.costs[c] for c in funded)
        return not any(
            c not in chosen and self.costs[c] <= room * (1 + EPS) + EPS and self.totals[c]
            for c in range(self.size)
        )

    def _ahead(self, run: _Run, step: float) -> float | None:
        """Raises until some project left out by `run` may become affordable, on the tangent: its
        approvers' money Σ weight × budget grows at Σ weight × slope (None without slopes or growth)."""
        if run.slopes is None or step <= 0:
            return None
        funded, budgets, slopes = set(run.funded), run.budgets, run.slopes
        best: float | None = None
        for c, groups in enumerate(run.state.counts):
            if c in funded or not groups:
                continue
            money = sum(map(mul, groups.values(), map(budgets.__getitem__, groups)))
            growth = sum(map(mul, groups.values(), map(slopes.__getitem__, groups)))
            if growth > 0:
                raises = (self.costs[c] * (1 - EPS) - money) / growth / step
                best = raises if best is None else min(best, raises)
        return best

    def _plan(self, run: _Run, rounds: int, step: float, default: int) -> tuple[int, int | None]:
        """The next jump and the raise it aims at: a little short of the predicted change (the tangent
        is a guess; the proof decides), or `default` without a prediction."""
        ahead = self._ahead(run, step)
        if ahead is None or ahead > 1e9:
            return default, None
        aim = rounds + math.floor(ahead * 0.97) - 1
        return max(1, aim - rounds), aim

    def with_add1(self, *, budget: float, step: float = 1.0, max_rounds: int = 100_000) -> EqualSharesOutcome:
        """Equal Shares with the add1 completion: raise every share by `step` while the outcome is not
        exhaustive, keep a raise whose outcome fits the budget, stop at the first that does not. Raises
        whose outcome is proved unchanged are taken together: from raise k it tries k + jump (doubling
        the jump while the proof holds, halving it when not, and not doubling again right after); at
        jump 1 it runs the raise itself."""
        if self.voters == 0:
            return EqualSharesOutcome(funded=[], per_voter_budget=0.0, completion_rounds=0, spent=0.0)
        base = budget / self.voters
        current = self._run(base)
        rounds, failed = 0, False
        jump, aim = self._plan(current, 0, step, 1)
        while rounds < max_rounds and step > 0 and not self._exhaustive(current.funded, budget):
            jump = max(1, min(jump, max_rounds - rounds))
            if jump > 1:
                ahead = self._run(base + (rounds + jump) * step, lower=current)
                if ahead.certified:  # the same outcome at every raise up to here: all taken
                    rounds, current = rounds + jump, ahead
                    jump, failed = (jump if failed else jump * 2), False
                    if aim is not None:
                        jump = max(1, min(jump, aim - rounds))
                else:
                    jump, failed, aim = jump // 2, True, None
                continue
            following = self._run(base + (rounds + 1) * step)
            if following.funded != current.funded and (
                sum(self.costs[c] for c in following.funded) > budget * (1 + EPS) + EPS
            ):
                break
            rounds, current = rounds + 1, following
            jump, aim = self._plan(current, rounds, step, 2)
        return EqualSharesOutcome(
            funded=current.funded,
            per_voter_budget=base + rounds * step,
            completion_rounds=rounds,
            spent=sum(self.costs[c] for c in current.funded),
        )

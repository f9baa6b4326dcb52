"""The method and its add1 completion over the runs of run.py (the package docstring)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from minxin.voting.equal_shares.groups import EPS, problem, root
from minxin.voting.equal_shares.run import Pass, Run


@dataclass
class EqualSharesOutcome:
    funded: list[int]
    per_voter_budget: float
    completion_rounds: int
    spent: float


class EqualShares:
    def __init__(
        self, *, profile: Sequence[tuple[Sequence[int], int]], costs: Sequence[float], tie_rank: Sequence[int]
    ):
        self.problem = problem(profile, costs, tie_rank)
        self.costs = self.problem.costs
        self.size = self.problem.size
        self.totals = self.problem.totals
        self.voters = self.problem.voters
        self.root = root(self.problem)
        self.runs = 0  # how many runs of the method (for the benchmark)

    def run(self, per_voter: float) -> list[int]:
        """The fixed-budget method with `per_voter` for everyone: the funded projects in funding order."""
        return self._run(per_voter).funded

    def _run(self, per_voter: float, lower: Run | None = None) -> Run:
        self.runs += 1
        return Pass(self.problem, self.root, per_voter, lower).run()

    def _exhaustive(self, funded: Sequence[int], budget: float) -> bool:
        """No unfunded project with a vote would still fit the real budget."""
        chosen = set(funded)
        room = budget - sum(self.costs[c] for c in funded)
        return not any(
            c not in chosen and self.costs[c] <= room * (1 + EPS) + EPS and self.totals[c]
            for c in range(self.size)
        )

    def _ahead(self, run: Run, step: float) -> float | None:
        """Raises until some project left out by `run` may become affordable, on the tangent: its
        approvers' money Σ weight × budget grows at Σ weight × slope (None without slopes or growth)."""
        if run.slopes is None or step <= 0:
            return None
        money = self.problem.money(run.state.group, run.budgets)
        growth = self.problem.money(run.state.group, run.slopes)
        best: float | None = None
        for c in set(range(self.size)).difference(run.funded):
            if self.totals[c] and growth[c] > 0:
                raises = (self.costs[c] * (1 - EPS) - float(money[c])) / float(growth[c]) / step
                best = raises if best is None else min(best, raises)
        return best

    def _plan(self, run: Run, rounds: int, step: float, default: int) -> tuple[int, int | None]:
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

"""The Method of Equal Shares with the add1 completion (definitions: rules.py and docs/voting.md).

Speed (docs/voting.md, "Complexity"):

- Voter types (groups.py). Voters whose ballots agree on the projects funded so far hold equal budgets,
  so a project's approvers are kept as groups, not one by one: a state (one per funded sequence, cached,
  so the completion's runs share the sequences they have in common) numbers each distinct ballot's group
  in a numpy array; funding a project splits off its approvers' groups as new numbers, and a run keeps
  every group's budget in one array, so ρ, the payments and the proofs are array operations.
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
- Aimed jumps (method.py). A run without a proof also tracks each group's d budget / d share, so the
  money of each left-out project's approvers and its growth give, on the tangent, the raise where that
  project may become affordable; the proved jump aims a little short of it, then single raises find the
  change. A wrong guess costs runs, never correctness: the proof decides.
"""

from minxin.voting.equal_shares.groups import EPS
from minxin.voting.equal_shares.method import EqualShares, EqualSharesOutcome

__all__ = ["EPS", "EqualShares", "EqualSharesOutcome"]

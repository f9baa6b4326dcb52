"""The result rules on instances checked by hand (docs/voting.md shows the working) and on a real,
published election: Warszawa 2017, Wesoła, Plac Wojska Polskiego (Pabulib)."""

from __future__ import annotations

from minxin.voting.rules import EqualShares, greedy, support_counts, tie_order


def _solve(costs, ballots, budget, step=1.0):
    profile = [(list(choices), 1) for choices in ballots]
    votes = support_counts(profile, len(costs))
    order = tie_order(votes=votes, costs=costs, numbers=list(range(len(costs))))
    rank = [0] * len(costs)
    for position, index in enumerate(order):
        rank[index] = position
    mes = EqualShares(profile=profile, costs=costs, tie_rank=rank)
    return (
        order,
        greedy(order=order, costs=costs, budget=budget),
        mes,
        mes.with_add1(budget=budget, step=step),
    )


def test_equal_shares_funds_a_group_in_proportion_to_its_size_where_greedy_does_not() -> None:
    # X1–X4 (0–3) are wanted by 6 voters, Y1–Y3 (4–6) by 4; each costs 2, the budget is 10 (1 each).
    ballots = [[0, 1, 2, 3]] * 6 + [[4, 5, 6]] * 4
    _order, funded_greedy, _mes, outcome = _solve([2.0] * 7, ballots, 10.0)
    assert funded_greedy == [0, 1, 2, 3, 4]
    assert sorted(outcome.funded) == [0, 1, 2, 4, 5]
    assert outcome.completion_rounds == 0  # the budget is spent: already exhaustive


def test_add1_raises_the_shares_until_the_next_raise_would_overspend() -> None:
    # A=20 by all four; B=18 by v1,v2; C=12 by v3,v4; D=8 by v4; budget 40 (10 each).
    ballots = [[0, 1], [0, 1], [0, 2], [0, 2, 3]]
    _order, funded_greedy, mes, outcome = _solve([20.0, 18.0, 12.0, 8.0], ballots, 40.0)
    assert mes.run(10.0) == [0]  # after A everyone holds 5: nothing else can be paid for
    assert outcome.funded == [0, 2]  # at 13 each A and C; at 14 B joins and the cost (50) passes 40
    assert outcome.per_voter_budget == 13.0
    assert outcome.completion_rounds == 3
    assert funded_greedy == [0, 2, 3]  # C before B: equal votes, the lower cost first


def test_ties_on_votes_go_to_the_lower_cost_then_the_lower_number() -> None:
    order = tie_order(votes=[3, 5, 3, 3], costs=[10.0, 50.0, 5.0, 5.0], numbers=[1, 2, 3, 4])
    assert order == [1, 2, 3, 0]


# Warszawa 2017, district Wesoła, area Plac Wojska Polskiego: 4 projects, 27 voters, budget 51,195 zł;
# rule greedy; published outcome ("selected"): all four. Source: Pabulib (pabulib.org), instance
# poland_warszawa_2017_plac-wojska-polskiego; the votes below are that file's VOTES section.
WARSAW_COSTS = {427: 15995, 915: 5825, 2567: 20000, 1623: 2900}
WARSAW_VOTES = """427|2567|915|915|427,915,2567,1623|2567,915|2567,915|427,2567,915|2567|
915,1623,2567,427|427|427|2567,1623|915|427|427,2567,1623,915|915,2567,427|915,427|915|427|2567|
427,2567,1623,915|427|915|427|427|427"""
WARSAW_SELECTED = {427, 915, 2567, 1623}


def _warsaw():
    ids = list(WARSAW_COSTS)
    ballots = [
        [ids.index(int(x)) for x in vote.split(",")] for vote in WARSAW_VOTES.replace("\n", "").split("|")
    ]
    return ids, _solve([float(WARSAW_COSTS[i]) for i in ids], ballots, 51195.0)


def test_warsaw_2017_plac_wojska_polskiego_votes_match_the_published_counts() -> None:
    ids, (_order, _g, _m, _o) = _warsaw()
    profile = [
        ([ids.index(int(x)) for x in vote.split(",")], 1)
        for vote in WARSAW_VOTES.replace("\n", "").split("|")
    ]
    assert len(profile) == 27
    assert dict(zip(ids, support_counts(profile, 4), strict=True)) == {427: 16, 915: 14, 2567: 12, 1623: 5}


def test_warsaw_2017_greedy_reproduces_the_published_outcome() -> None:
    ids, (_order, funded_greedy, _mes, _outcome) = _warsaw()
    assert {ids[i] for i in funded_greedy} == WARSAW_SELECTED


def test_warsaw_2017_equal_shares_needs_add1_to_reach_the_published_outcome() -> None:
    ids, (_order, _greedy, mes, outcome) = _warsaw()
    # Without completion the shares (1,896.11 each) fund 915, 1623 and 427 only (worked in docs/voting.md).
    assert [ids[i] for i in mes.run(51195 / 27)] == [915, 1623, 427]
    assert {ids[i] for i in outcome.funded} == WARSAW_SELECTED
    assert outcome.spent == 44720

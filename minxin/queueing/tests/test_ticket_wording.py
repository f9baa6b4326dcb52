"""One rule decides what a ticket says (issue 20, point 2), tested as a table by state; then the ticket
page shows it for a remote number not checked in."""

from __future__ import annotations

from typing import Any

import pytest

from minxin.queueing.estimates import Estimate
from minxin.queueing.selectors import ticket_wording

BAND = Estimate(minutes=12, low=6, high=20)
ZERO = Estimate(minutes=0, low=0, high=0)


@pytest.mark.parametrize(
    ("status", "ahead", "estimate", "headline", "show_ahead", "wait", "check_in"),
    [
        ("reserved", 0, ZERO, "check_in", True, "none", True),  # never "you are next" before check-in
        ("reserved", 3, BAND, "check_in", True, "band", True),
        ("reserved", 1, ZERO, "check_in", True, "soon", True),
        ("waiting", 0, ZERO, "next", False, "none", False),
        ("waiting", 0, BAND, "next", False, "none", False),  # nobody ahead: no band beside "next"
        ("waiting", 1, ZERO, "wait", True, "soon", False),  # 前面 1 人 never beside 无需等候
        ("waiting", 4, BAND, "wait", True, "band", False),
        ("waiting", 4, None, "wait", True, "unknown", False),
        ("called", 0, None, "go_to_window", False, "", False),
        ("serving", 0, None, "being_served", False, "", False),
        ("done", 0, None, "ended", False, "", False),
        ("no_show", 0, None, "ended", False, "", False),
        ("lapsed", 0, None, "ended", False, "", False),
    ],
)
def test_one_rule_by_state(
    status: str, ahead: int, estimate: Any, headline: str, show_ahead: bool, wait: str, check_in: bool
) -> None:
    wording = ticket_wording(status=status, ahead=ahead, estimate=estimate)
    assert (wording.headline, wording.show_ahead, wording.wait, wording.check_in) == (
        headline,
        show_ahead,
        wait,
        check_in,
    )


@pytest.mark.parametrize("ahead", range(6))
@pytest.mark.parametrize("estimate", [None, ZERO, BAND])
@pytest.mark.parametrize("status", ["reserved", "waiting"])
def test_no_state_contradicts_itself(status: str, ahead: int, estimate: Any) -> None:
    wording = ticket_wording(status=status, ahead=ahead, estimate=estimate)
    assert not (wording.headline == "next" and wording.ahead > 0)
    assert not (wording.wait == "none" and wording.ahead > 0)
    assert not (wording.wait == "band" and wording.ahead == 0)
    assert not (wording.check_in and wording.headline == "next")
    assert wording.wait != "band" or 0 < wording.low <= wording.minutes <= wording.high

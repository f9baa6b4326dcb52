"""The per-process memo stays bounded whatever callers ask for."""

from __future__ import annotations

import pytest

from minxin.core.memo import forget_all, memo, memo_size


def test_the_memo_never_holds_more_than_its_bound(settings) -> None:
    settings.MEMO_MAX_ENTRIES = 100
    forget_all()
    for index in range(1_000):
        memo(("bound", index), 60, lambda index=index: index)
    assert memo_size() == 100
    # The most recently used survive; the oldest went first.
    assert memo(("bound", 999), 60, lambda: "recomputed") == 999
    assert memo(("bound", 0), 60, lambda: "recomputed") == "recomputed"


def test_a_lookup_that_finds_nothing_is_not_kept() -> None:
    forget_all()
    calls = []
    for _ in range(3):
        assert memo(("missing", "x"), 60, lambda: calls.append(1)) is None
    assert len(calls) == 3
    assert memo_size() == 0


def test_an_expired_entry_is_dropped_when_looked_up() -> None:
    forget_all()
    memo(("short", 1), -1, lambda: "old")
    assert memo(("short", 1), 60, lambda: "new") == "new"
    assert memo_size() == 1


@pytest.mark.django_db
def test_unknown_and_overlong_hall_codes_do_not_grow_the_memo(client) -> None:
    forget_all()
    for index in range(200):
        client.get(f"/api/v1/halls/no-such-hall-{index}-{'x' * 200}")
        client.get(f"/api/v1/halls/no-such-hall-{index}")
    assert memo_size() < 20

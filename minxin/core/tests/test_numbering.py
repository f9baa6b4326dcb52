from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection

from minxin.core.numbering import counter_next, counter_value
from minxin.core.tests.procs import run_workers


@pytest.mark.django_db
def test_counter_starts_at_one_and_counts_per_scope() -> None:
    assert counter_value(scope="ticket", key="qhd:A:2026-11-29") == 0
    assert [counter_next(scope="ticket", key="qhd:A:2026-11-29") for _ in range(3)] == [1, 2, 3]
    assert counter_next(scope="ticket", key="qhd:B:2026-11-29") == 1
    assert counter_next(scope="case", key="qhd:A:2026-11-29") == 1
    assert counter_value(scope="ticket", key="qhd:A:2026-11-29") == 3


@pytest.mark.django_db
def test_counter_refuses_a_non_positive_step() -> None:
    with pytest.raises(ValueError, match="positive"):
        counter_next(scope="ticket", key="x", step=0)


@pytest.mark.django_db(transaction=True)
def test_parallel_threads_never_get_the_same_number() -> None:
    def take(_: Any) -> list[int]:
        try:
            return [counter_next(scope="race", key="threads") for _ in range(40)]
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        numbers = [n for chunk in pool.map(take, range(8)) for n in chunk]
    assert sorted(numbers) == list(range(1, 321))


@pytest.mark.django_db(transaction=True)
def test_parallel_processes_never_get_the_same_number() -> None:
    code = (
        "from concurrent.futures import ThreadPoolExecutor\n"
        "from django.db import connection\n"
        "from minxin.core.numbering import counter_next\n"
        "def take(_):\n"
        "    try:\n"
        "        return [counter_next(scope='race', key='processes') for _ in range(25)]\n"
        "    finally:\n"
        "        connection.close()\n"
        "with ThreadPoolExecutor(4) as pool:\n"
        "    print(json.dumps([n for chunk in pool.map(take, range(4)) for n in chunk]))\n"
    )
    results = run_workers(code, processes=4)
    numbers = [n for chunk in results for n in chunk]  # type: ignore[attr-defined]
    assert sorted(numbers) == list(range(1, 401))
    assert counter_value(scope="race", key="processes") == 400

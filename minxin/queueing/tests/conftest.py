from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine

# Monday 2026-11-30, 10:00 in Shanghai: the cast's halls are open (9–12, 13:30–17).
OPEN = dt.datetime(2026, 11, 30, 2, 0, tzinfo=dt.UTC)


@dataclass
class Line:
    hall: Any
    queue_a: Any
    queue_b: Any
    huji: Any
    qiye: Any


@pytest.fixture(autouse=True)
def no_wait_models_held() -> Any:
    """Wait models held for a batch (forecasting._PendingModels) belong to the test that made them."""
    from minxin.queueing import forecasting

    forecasting._PENDING.take()
    yield
    forecasting._PENDING.take()


@pytest.fixture
def at_open_hall() -> Any:
    with time_machine.travel(OPEN, tick=True) as traveller:
        yield traveller


@pytest.fixture
def line(cast: Any) -> Line:
    from minxin.queueing.models import Queue, Service

    queue_a = Queue.objects.create(hall=cast.hall, code="huji", prefix="A", name="户籍", position=1)
    queue_b = Queue.objects.create(hall=cast.hall, code="qiye", prefix="B", name="企业", position=2)
    huji = Service.objects.create(hall=cast.hall, code="huji", name="户籍业务", queue=queue_a)
    qiye = Service.objects.create(hall=cast.hall, code="qiye", name="企业开办", queue=queue_b)
    return Line(hall=cast.hall, queue_a=queue_a, queue_b=queue_b, huji=huji, qiye=qiye)


@pytest.fixture
def redis_url() -> Iterator[str]:
    """A throwaway redis-server on a free port of 127.0.0.1 (skipped without Debian's redis-server)."""
    from minxin.core.tests.procs import free_port, wait_for_port

    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server not installed (Debian's redis-server)")
    port = free_port()
    server = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    wait_for_port(port, seconds=10)
    yield f"redis://127.0.0.1:{port}/0"
    server.terminate()
    server.wait(timeout=10)

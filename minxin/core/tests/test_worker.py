from __future__ import annotations

import datetime as dt
import io
import os
import signal
import subprocess
import sys
import time

import pytest
import time_machine
from django.core.management import call_command

from minxin.accounts.models import OtpChallenge
from minxin.accounts.services import otp_request
from minxin.core.models import Throttle
from minxin.core.tests.procs import ROOT, other_process_database_url


@pytest.mark.django_db
def test_the_worker_purges_spent_rate_limits_and_old_codes(sms_outbox) -> None:
    with time_machine.travel(dt.datetime(2026, 11, 29, 9, 0, tzinfo=dt.UTC), tick=False) as traveller:
        otp_request(phone="13812345678", ip="10.0.0.1")
        assert Throttle.objects.count() == 3
        assert OtpChallenge.objects.count() == 1
        call_command("worker", "--once", stdout=io.StringIO())
        assert Throttle.objects.count() == 3  # nothing has expired yet
        traveller.shift(dt.timedelta(days=2))
        call_command("worker", "--once", stdout=io.StringIO())
    assert Throttle.objects.count() == 0
    assert OtpChallenge.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_the_worker_process_stops_cleanly_on_sigterm() -> None:
    env = os.environ | {"DATABASE_URL": other_process_database_url(), "DEBUG": "1"}
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "worker", "--tick", "0.1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        line = worker.stdout.readline() if worker.stdout else ""
        assert "core.purge_throttles" in line
        assert time.monotonic() < deadline
        worker.send_signal(signal.SIGTERM)
        out, err = worker.communicate(timeout=20)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert worker.returncode == 0, err
    assert "worker: stopped" in out

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command

from minxin.catalog.models import Department, ItemVersion, Window
from minxin.demo import data
from minxin.orgs.models import Hall, StaffMembership, Unit
from minxin.queueing.models import Queue, Ticket, WindowState

pytestmark = pytest.mark.django_db
MONDAY_10AM = dt.datetime(2026, 11, 30, 2, 0, tzinfo=dt.UTC)


def test_the_demo_data_is_consistent() -> None:
    data.validate()


@pytest.fixture
def demo_city() -> None:
    """The halls, catalog, queues and logins (`--base`); each other system's part has its own tests
    (minxin/<app>/tests/test_demo_part.py), and the whole demo loads twice below."""
    with time_machine.travel(MONDAY_10AM, tick=False):
        call_command("load_demo", "--base", stdout=io.StringIO())


@pytest.mark.usefixtures("demo_city")
def test_load_demo_builds_the_city_of_the_report() -> None:
    qhd = Hall.objects.get(code="qhd-zwfw")
    assert Department.objects.filter(hall=qhd).count() == 43
    assert ItemVersion.objects.filter(item__department__hall=qhd, status="published").count() == 253
    assert Window.objects.filter(hall=qhd, kind="comprehensive").count() >= 10
    assert Hall.objects.filter(code="sjz-tax").exists()
    assert set(Unit.objects.values_list("region__parent__code", flat=True)) >= {"130000"}
    assert Unit.objects.values("region").distinct().count() >= 11
    roles = set(StaffMembership.objects.values_list("role", flat=True))
    assert len(roles) == 9
    assert Queue.objects.filter(hall=qhd).count() == 8
    assert WindowState.objects.filter(window__hall=qhd, status="open").exists()


@pytest.mark.usefixtures("demo_city")
def test_the_demo_carries_weeks_of_history_for_the_estimates() -> None:
    from minxin.queueing.forecasting import queue_estimate

    done = Ticket.objects.filter(status="done", hall__code="qhd-zwfw")
    assert done.count() > 3000
    assert done.values("service_date").distinct().count() == 21
    assert Ticket.objects.filter(status="lapsed").exists()  # remote numbers that never came
    queue = Queue.objects.get(hall__code="qhd-zwfw", code="property")
    with time_machine.travel(MONDAY_10AM, tick=False):
        estimate = queue_estimate(queue=queue, ahead_present=40, ahead_remote=5)
    assert estimate is not None
    assert 0 < estimate.low <= estimate.minutes <= estimate.high


def test_the_whole_demo_loads_and_loading_it_twice_changes_nothing() -> None:
    from django.apps import apps

    with time_machine.travel(MONDAY_10AM, tick=False):
        call_command("load_demo", stdout=io.StringIO())
    ours = [model for model in apps.get_models() if model.__module__.startswith("minxin.")]
    counts = {model._meta.label: model.objects.count() for model in ours}
    with time_machine.travel(MONDAY_10AM, tick=False):
        call_command("load_demo", stdout=io.StringIO())
    again = {model._meta.label: model.objects.count() for model in ours}
    changed = {label: (counts[label], again[label]) for label in counts if counts[label] != again[label]}
    # Live signals and audit entries may be written by a reload; everything the demo builds may not.
    assert {label for label in changed if label not in {"core.LiveMessage", "core.AuditEntry"}} == set()
    for label in ("cases.Case", "feedback.Rating", "voting.Ballot", "watch.Post", "appointments.Booking"):
        assert counts.get(label, 0) > 0, label


@pytest.mark.usefixtures("demo_city")
def test_the_simulator_moves_the_queue_through_the_services() -> None:
    from minxin.demo import simulator

    with time_machine.travel(MONDAY_10AM, tick=False) as traveller:
        for _ in range(120):
            traveller.shift(dt.timedelta(seconds=15))
            simulator.simulate_step()
    today = Ticket.objects.filter(service_date=dt.date(2026, 11, 30))
    assert today.filter(channel="kiosk").exists()
    assert today.filter(channel="web").exists()
    assert today.filter(status="done").count() > 10
    assert today.filter(status="done", started_at__isnull=False, finished_at__isnull=False).count() > 10

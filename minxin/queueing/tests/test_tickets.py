from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from minxin.core.errors import Conflict, InvalidInput, NotFound
from minxin.queueing.models import Priority, QueueRules, Ticket, TicketEvent, WorkProfile, WorkProfileQueue
from minxin.queueing.selectors import ticket_ahead
from minxin.queueing.services import (
    ticket_call_next,
    ticket_cancel,
    ticket_check_in,
    ticket_finish,
    ticket_issue,
    ticket_no_show,
    ticket_recall,
    ticket_rejoin,
    ticket_start,
    ticket_transfer,
    tickets_lapse,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("at_open_hall")]


def issue(line, service="huji", channel="kiosk", **kwargs):
    return ticket_issue(hall=line.hall, service_code=service, channel=channel, **kwargs)


def test_numbers_count_per_queue_and_people_ahead_come_for_free(line) -> None:
    first, second, other = issue(line), issue(line), issue(line, "qiye")
    assert [first.ticket.number, second.ticket.number, other.ticket.number] == ["A001", "A002", "B001"]
    assert (first.ahead, second.ahead, other.ahead) == (0, 1, 0)
    assert first.ticket.status == "waiting"
    assert ticket_ahead(second.ticket) == (1, 0)
    assert TicketEvent.objects.filter(ticket=first.ticket, kind="issued", channel="kiosk").exists()


def test_numbers_start_again_at_local_midnight(line, at_open_hall) -> None:
    assert issue(line).ticket.number == "A001"
    at_open_hall.move_to(dt.datetime(2026, 12, 1, 1, 30, tzinfo=dt.UTC))  # 09:30 next day in Shanghai
    fresh = issue(line)
    assert fresh.ticket.number == "A001"
    assert fresh.ticket.service_date == dt.date(2026, 12, 1)


def test_a_closed_hall_or_an_unknown_service_gives_no_number(line, at_open_hall) -> None:
    with pytest.raises(NotFound):
        issue(line, "nothing")
    at_open_hall.move_to(dt.datetime(2026, 11, 30, 4, 30, tzinfo=dt.UTC))  # 12:30, lunch break
    with pytest.raises(Conflict) as closed:
        issue(line)
    assert closed.value.code == "hall_closed"
    assert not Ticket.objects.exists()


def test_a_daily_quota_is_kept(line) -> None:
    line.huji.daily_quota = 2
    line.huji.save(update_fields=["daily_quota"])
    issue(line), issue(line)
    with pytest.raises(Conflict) as full:
        issue(line)
    assert full.value.code == "quota_reached"
    assert Ticket.objects.count() == 2


def test_a_refused_number_uses_up_no_place_of_the_daily_quota(line) -> None:
    from minxin.core.numbering import counter_value

    line.huji.daily_quota = 2
    line.huji.save(update_fields=["daily_quota"])
    issue(line, channel="counter", phone="13812345678")
    for _ in range(3):  # a kiosk retrying for a phone that already holds a number
        with pytest.raises(Conflict) as twice:
            issue(line, channel="counter", phone="13812345678")
        assert twice.value.code == "phone_has_ticket"
    issue(line, channel="counter", phone="13912345678")  # the second place is still there
    with pytest.raises(Conflict) as full:
        issue(line)
    assert full.value.code == "quota_reached"
    key = f"{line.huji.pk}:{Ticket.objects.first().service_date.isoformat()}"
    assert counter_value(scope="quota", key=key) == 2  # a refusal takes no place either
    line.huji.daily_quota = 3
    line.huji.save(update_fields=["daily_quota"])
    issue(line)  # raising the quota during the day frees exactly what it adds
    assert Ticket.objects.count() == 3


def test_a_remote_number_waits_for_check_in_and_lapses_without_it(line, at_open_hall) -> None:
    remote = issue(line, channel="web", phone="13812345678")
    walk_in = issue(line)
    assert remote.ticket.status == "reserved"
    assert walk_in.ahead == 1
    assert walk_in.ahead_reserved == 1
    ticket_check_in(ticket=remote.ticket)
    assert Ticket.objects.get(pk=remote.ticket.pk).status == "waiting"
    late = issue(line, channel="app", phone="13912345678")
    at_open_hall.shift(dt.timedelta(minutes=61))
    assert tickets_lapse() == 1
    assert tickets_lapse() == 0
    assert Ticket.objects.get(pk=late.ticket.pk).status == "lapsed"
    with pytest.raises(Conflict):
        ticket_check_in(ticket=late.ticket)


def test_a_remote_number_needs_a_phone_and_one_phone_holds_one_number(line) -> None:
    with pytest.raises(InvalidInput):
        issue(line, channel="web")
    issue(line, channel="web", phone="13812345678")
    with pytest.raises(Conflict) as twice:
        issue(line, "qiye", channel="web", phone="138 1234 5678")
    assert twice.value.code == "phone_has_ticket"


def test_remote_numbers_can_be_switched_off(line) -> None:
    QueueRules.objects.update_or_create(hall=line.hall, defaults={"remote_enabled": False})
    with pytest.raises(Conflict) as refused:
        issue(line, channel="web", phone="13812345678")
    assert refused.value.code == "remote_disabled"


def test_the_same_idempotency_key_returns_the_same_ticket(line) -> None:
    first = issue(line, channel="api", idempotency_key="req-1")
    again = issue(line, channel="api", idempotency_key="req-1")
    assert again.replayed
    assert again.ticket.pk == first.ticket.pk
    assert Ticket.objects.count() == 1


def test_a_key_reused_by_another_caller_or_for_another_request_is_refused(cast, line) -> None:
    first = issue(line, channel="api", idempotency_key="req-1", actor=cast.alice)
    assert issue(line, channel="api", idempotency_key="req-1", actor=cast.alice).ticket.pk == first.ticket.pk
    others = [
        {"channel": "api", "actor": cast.bob},  # another caller
        {"channel": "api", "actor": None},
        {"channel": "kiosk", "actor": cast.alice},  # another channel
        {"service": "qiye", "channel": "api", "actor": cast.alice},  # another service
        {"channel": "api", "actor": cast.alice, "phone": "13812345678"},  # another phone
        {"channel": "api", "actor": cast.alice, "priority": Priority.GREEN_CHANNEL},  # another priority
    ]
    for other in others:
        with pytest.raises(InvalidInput) as refused:
            issue(line, idempotency_key="req-1", **other)
        assert refused.value.code == "idempotency_key_reused", other
    assert Ticket.objects.count() == 1
    mine = issue(line, channel="web", phone="13812345678", idempotency_key="web-1")
    assert (
        issue(line, channel="web", phone="138 1234 5678", idempotency_key="web-1").ticket.pk == mine.ticket.pk
    )
    with pytest.raises(InvalidInput):
        issue(line, channel="web", phone="13912345678", idempotency_key="web-1")  # another citizen


def test_call_next_takes_the_green_channel_first_then_the_longest_wait(cast, line, at_open_hall) -> None:
    first = issue(line)
    at_open_hall.shift(dt.timedelta(seconds=5))
    issue(line, "qiye")
    elderly = issue(line, priority=Priority.GREEN_CHANNEL, priority_reason="elderly")
    called = ticket_call_next(window=cast.window2, clerk=cast.bob)
    assert called is not None
    assert called.pk == elderly.ticket.pk
    ticket_finish(ticket=called, clerk=cast.bob)
    assert ticket_call_next(window=cast.window2, clerk=cast.bob).pk == first.ticket.pk


def test_a_green_channel_number_counts_only_the_priority_numbers_before_it(line, at_open_hall) -> None:
    for _ in range(3):
        issue(line)
    first_green = issue(line, priority=Priority.GREEN_CHANNEL, priority_reason="elderly")
    second_green = issue(line, priority=Priority.GREEN_CHANNEL, priority_reason="pregnant")
    normal = issue(line)
    assert (first_green.ahead, second_green.ahead, normal.ahead) == (0, 1, 5)
    assert ticket_ahead(second_green.ticket) == (second_green.ahead, second_green.ahead_reserved)


def test_a_window_with_a_called_number_must_finish_it_first(cast, line) -> None:
    issue(line), issue(line)
    ticket_call_next(window=cast.window1, clerk=cast.bob)
    with pytest.raises(Conflict) as busy:
        ticket_call_next(window=cast.window1, clerk=cast.bob)
    assert busy.value.code == "window_busy"
    assert Ticket.objects.filter(status="called").count() == 1


def test_next_with_finish_current_finishes_the_number_at_the_window_and_calls_the_next(cast, line) -> None:
    first, second = issue(line).ticket, issue(line).ticket
    ticket_call_next(window=cast.window1, clerk=cast.bob)
    called = ticket_call_next(window=cast.window1, clerk=cast.bob, finish_current=True)
    assert called is not None
    assert (called.pk, called.status, called.window_id) == (second.pk, "called", cast.window1.pk)
    first.refresh_from_db()
    assert first.status == "done"
    assert first.finished_at is not None
    assert first.started_at == first.called_at  # never marked as started: counts from its call
    assert first.events.filter(kind="finished", window=cast.window1, actor=cast.bob).count() == 1
    # Nobody left: the number at the window is still finished, and nothing is called.
    assert ticket_call_next(window=cast.window1, clerk=cast.bob, finish_current=True) is None
    second.refresh_from_db()
    assert second.status == "done"
    assert second.events.filter(kind="finished").count() == 1
    # Nothing at the window and nobody waiting: nothing happens.
    assert ticket_call_next(window=cast.window1, clerk=cast.bob, finish_current=True) is None
    assert TicketEvent.objects.filter(kind="finished").count() == 2
    assert not Ticket.objects.filter(window=cast.window1, status__in=["called", "serving"]).exists()


def test_next_with_finish_current_at_a_paused_window_changes_nothing(cast, line) -> None:
    from minxin.queueing.services import window_set_state

    issue(line), issue(line)
    held = ticket_call_next(window=cast.window1, clerk=cast.bob)
    assert held is not None
    ticket_start(ticket=held, clerk=cast.bob)
    window_set_state(window=cast.window1, clerk=cast.bob, status="paused")
    with pytest.raises(Conflict) as refused:
        ticket_call_next(window=cast.window1, clerk=cast.bob, finish_current=True)
    assert refused.value.code == "window_not_open"
    held.refresh_from_db()
    assert (held.status, held.finished_at) == ("serving", None)
    assert not held.events.filter(kind="finished").exists()
    assert Ticket.objects.filter(status="waiting").count() == 1


def test_nobody_waiting_gives_none(cast, line) -> None:
    assert ticket_call_next(window=cast.window1, clerk=cast.bob) is None


def test_a_work_profile_limits_the_queues_and_its_wait_rule_jumps_the_order(cast, line, at_open_hall) -> None:
    profile = WorkProfile.objects.create(window=cast.window1, strategy=WorkProfile.Strategy.IN_ORDER)
    WorkProfileQueue.objects.create(profile=profile, queue=line.queue_a, position=1)
    WorkProfileQueue.objects.create(profile=profile, queue=line.queue_b, position=2, first_after_minutes=30)
    old_b = issue(line, "qiye")
    at_open_hall.shift(dt.timedelta(minutes=10))
    a = issue(line)
    assert ticket_call_next(window=cast.window1, clerk=cast.bob).pk == a.ticket.pk  # A listed first
    ticket_finish(ticket=Ticket.objects.get(pk=a.ticket.pk), clerk=cast.bob)
    issue(line)
    at_open_hall.shift(dt.timedelta(minutes=25))  # B has now waited 35 minutes
    assert ticket_call_next(window=cast.window1, clerk=cast.bob).pk == old_b.ticket.pk


def test_recalls_are_limited_then_the_number_is_a_no_show_that_may_rejoin(cast, line, at_open_hall) -> None:
    issue(line)
    called = ticket_call_next(window=cast.window1, clerk=cast.bob)
    ticket_recall(ticket=called, clerk=cast.bob)
    ticket_recall(ticket=called, clerk=cast.bob)
    missed = ticket_recall(ticket=called, clerk=cast.bob)  # the third passes the hall's limit of 2
    assert missed.status == "no_show"
    back = ticket_rejoin(ticket=missed)
    assert back.status == "waiting"
    again = ticket_call_next(window=cast.window1, clerk=cast.bob)
    with pytest.raises(Conflict) as early:
        ticket_no_show(ticket=again, clerk=cast.bob)  # the citizen may still be walking to the window
    assert early.value.code == "no_show_too_early"
    assert Ticket.objects.get(pk=again.pk).status == "called"
    at_open_hall.shift(dt.timedelta(seconds=59))
    with pytest.raises(Conflict):
        ticket_no_show(ticket=again, clerk=cast.bob)
    at_open_hall.shift(dt.timedelta(seconds=1))
    ticket_no_show(ticket=again, clerk=cast.bob)
    at_open_hall.shift(dt.timedelta(minutes=11))
    with pytest.raises(Conflict) as late:
        ticket_rejoin(ticket=again)
    assert late.value.code == "rejoin_closed"


def test_a_transfer_with_raised_priority_is_called_before_earlier_numbers(cast, line, at_open_hall) -> None:
    issue(line, phone="13812345678")
    at_open_hall.shift(dt.timedelta(seconds=5))
    earlier_b = issue(line, "qiye")
    at_desk = ticket_call_next(window=cast.window1, clerk=cast.bob)
    assert at_desk.number == "A001"
    ticket_start(ticket=at_desk, clerk=cast.bob)
    moved = ticket_transfer(ticket=at_desk, clerk=cast.bob, to_service=line.qiye, raise_priority=True)
    assert (moved.number, moved.priority) == ("B002", Priority.RETURNING)
    assert moved.phone_hash == at_desk.phone_hash
    assert Ticket.objects.get(pk=at_desk.pk).status == "transferred"
    assert ticket_call_next(window=cast.window2, clerk=cast.bob).pk == moved.pk
    ticket_finish(ticket=Ticket.objects.get(pk=moved.pk), clerk=cast.bob)
    assert ticket_call_next(window=cast.window2, clerk=cast.bob).pk == earlier_b.ticket.pk


def test_a_transfer_to_a_window_is_only_called_there(cast, line) -> None:
    issue(line)
    at_desk = ticket_call_next(window=cast.window2, clerk=cast.bob)
    moved = ticket_transfer(ticket=at_desk, clerk=cast.bob, to_window=cast.window1)
    assert ticket_call_next(window=cast.window2, clerk=cast.bob) is None
    assert ticket_call_next(window=cast.window1, clerk=cast.bob).pk == moved.pk


def test_a_transfer_goes_only_to_a_window_that_calls_the_queue_and_a_service_that_takes_numbers(
    cast, line
) -> None:
    profile = WorkProfile.objects.create(window=cast.window1)
    WorkProfileQueue.objects.create(profile=profile, queue=line.queue_b)
    issue(line)
    at_desk = ticket_call_next(window=cast.window2, clerk=cast.bob)
    with pytest.raises(InvalidInput) as nowhere:
        ticket_transfer(ticket=at_desk, clerk=cast.bob, to_window=cast.window1)  # window 1 calls B only
    assert nowhere.value.code == "window_does_not_call_queue"
    line.queue_b.is_active = False
    line.queue_b.save(update_fields=["is_active"])
    with pytest.raises(InvalidInput):
        ticket_transfer(ticket=at_desk, clerk=cast.bob, to_service=line.qiye)
    assert Ticket.objects.get(pk=at_desk.pk).status == "called"  # nothing changed
    assert Ticket.objects.count() == 1


def test_a_citizen_can_cancel_only_while_in_line(cast, line) -> None:
    waiting = issue(line).ticket
    assert ticket_cancel(ticket=waiting).status == "cancelled"
    issue(line)
    called = ticket_call_next(window=cast.window1, clerk=cast.bob)
    with pytest.raises(Conflict):
        ticket_cancel(ticket=called)


def test_time_zone_of_the_hall_decides_the_day(line) -> None:
    # 23:30 UTC on Nov 29 is 07:30 on Nov 30 in Shanghai: before opening, so no number at all.
    with (
        time_machine.travel(dt.datetime(2026, 11, 29, 23, 30, tzinfo=dt.UTC), tick=False),
        pytest.raises(Conflict),
    ):
        issue(line)


def test_a_citizen_is_told_once_when_few_are_ahead(cast, line, capsys) -> None:
    from minxin.queueing.notices import tickets_notify

    QueueRules.objects.update_or_create(hall=line.hall, defaults={"notify_ahead": 1})
    for _ in range(2):
        issue(line)
    mine = issue(line, channel="web", phone="13812345678")
    assert tickets_notify() == 0  # two ahead
    ticket_call_next(window=cast.window1, clerk=cast.bob)
    assert tickets_notify() == 1
    assert tickets_notify() == 0  # once only
    out = capsys.readouterr().out
    assert "138****5678" in out
    assert "13812345678" not in out
    assert mine.ticket.number in out


def test_a_paused_window_does_not_call(cast, line) -> None:
    from minxin.queueing.services import window_set_state

    issue(line)
    window_set_state(window=cast.window1, clerk=cast.bob, status="paused")
    with pytest.raises(Conflict) as refused:
        ticket_call_next(window=cast.window1, clerk=cast.bob)
    assert refused.value.code == "window_not_open"
    window_set_state(window=cast.window1, clerk=cast.bob, status="open")
    assert ticket_call_next(window=cast.window1, clerk=cast.bob) is not None


def test_tickets_left_at_closing_are_closed_the_next_day(cast, line, at_open_hall) -> None:
    from minxin.queueing.services import tickets_close_out_days

    issue(line)
    waiting = issue(line, channel="web", phone="13812345678").ticket
    ticket_check_in(ticket=waiting)
    called = ticket_call_next(window=cast.window1, clerk=cast.bob)
    assert tickets_close_out_days() == 0  # the day is not over
    at_open_hall.move_to(dt.datetime(2026, 12, 1, 1, 30, tzinfo=dt.UTC))
    assert tickets_close_out_days() == 2
    assert Ticket.objects.get(pk=waiting.pk).status == "lapsed"
    assert Ticket.objects.get(pk=called.pk).status == "no_show"
    again = issue(line, channel="web", phone="13812345678")  # the phone is free again
    assert again.ticket.number == "A001"
    ticket_check_in(ticket=again.ticket)
    assert ticket_call_next(window=cast.window1, clerk=cast.bob).pk == again.ticket.pk  # window free again

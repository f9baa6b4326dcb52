"""A post through its states as the clock moves: up, late, missed, escalated, acknowledged, up again."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from minxin.watch.models import CheckIn, Flip, MissedSlot, Post, PostState
from minxin.watch.services import Report, check_in_record, escalation_acknowledge, post_pause, post_resume
from minxin.watch.tests.conftest import SEASON_DAY

pytestmark = pytest.mark.django_db

NORMAL = Report(status="normal")


def fresh(post: Post) -> Post:
    return Post.objects.select_related("unit__region", "plan", "escalation").get(pk=post.pk)


def at(traveller: Any, minutes: float) -> None:
    traveller.move_to(SEASON_DAY + dt.timedelta(minutes=minutes))


def test_a_new_post_is_due_at_the_end_of_its_current_slot(watch) -> None:
    assert watch.tower.next_due_at == SEASON_DAY + dt.timedelta(minutes=15)
    assert watch.tower.alert_at == watch.tower.next_due_at


def test_a_report_moves_the_deadline_to_the_end_of_the_next_slot(watch, at_season_day) -> None:
    at(at_season_day, 3)
    recorded = check_in_record(post=watch.tower, report=NORMAL, channel="app")
    assert recorded.check_in.slot_start == SEASON_DAY
    post = fresh(watch.tower)
    assert post.next_due_at == SEASON_DAY + dt.timedelta(minutes=30)
    assert post.state == PostState.UP


def test_late_in_grace_then_missed_with_flips_dated_at_the_true_deadline(
    watch, at_season_day, sweep, notices
) -> None:
    at(at_season_day, 15.5)
    sweep()
    assert fresh(watch.tower).state == PostState.LATE
    at(at_season_day, 20.7)  # grace (5 min) ended at 10:20; the worker comes 42 s later
    sweep()
    post = fresh(watch.tower)
    assert post.state == PostState.MISSED
    flips = list(Flip.objects.filter(post=post).order_by("at").values_list("new_state", "at"))
    assert flips == [
        ("late", SEASON_DAY + dt.timedelta(minutes=15)),
        ("missed", SEASON_DAY + dt.timedelta(minutes=20)),
    ]
    assert MissedSlot.objects.filter(post=post, covered_by__isnull=True).count() == 1
    assert [n.recipient for n in notices if n.text.startswith("大光顶子山")] == [
        "大光顶子山望海楼"
    ]  # stage 0: the tower itself, by text


def test_stages_escalate_until_acknowledged(watch, at_season_day, sweep, notices) -> None:
    at(at_season_day, 21)
    sweep()
    at(at_season_day, 31)  # stage 1 at +10 min: the unit's lookout staff
    sweep()
    post = fresh(watch.tower)
    assert post.state == PostState.ESCALATED
    assert "Lena" in [n.recipient for n in notices if n.text.startswith("大光顶子山")]
    escalation = escalation_acknowledge(post=post, actor=watch.carl, note="打电话联系上了")
    assert escalation.acknowledged_by == watch.carl
    at(at_season_day, 45)  # stage 2 (+20) would tell the command centre: acknowledged, so it does not
    sweep()
    assert "Carl" not in [n.recipient for n in notices if n.text.startswith("大光顶子山")]


def test_each_unreported_slot_counts_once(watch, at_season_day, sweep) -> None:
    at(at_season_day, 66)  # slots ending 10:15, 10:30, 10:45, 11:00 are past their grace
    sweep()
    sweep()
    assert MissedSlot.objects.filter(post=watch.tower).count() == 4


def test_a_report_ends_the_run_of_misses(watch, at_season_day, sweep) -> None:
    at(at_season_day, 25)
    sweep()
    at(at_season_day, 27)
    check_in_record(post=watch.tower, report=NORMAL, channel="app")
    post = fresh(watch.tower)
    assert post.state == PostState.UP
    assert post.escalation is None
    assert post.next_due_at == SEASON_DAY + dt.timedelta(minutes=45)


def test_an_offline_report_sent_late_covers_the_slot_it_was_made_in(watch, at_season_day, sweep) -> None:
    made = SEASON_DAY + dt.timedelta(minutes=7)
    at(at_season_day, 40)
    sweep()  # 10:00–10:15 counted missed at 10:20, 10:15–10:30 at 10:35
    assert MissedSlot.objects.filter(post=watch.tower, covered_by__isnull=True).count() == 2
    recorded = check_in_record(post=watch.tower, report=NORMAL, channel="app", made_at=made)
    assert recorded.covered_missed
    assert recorded.check_in.slot_start == SEASON_DAY
    assert recorded.check_in.late
    assert recorded.check_in.received_at == SEASON_DAY + dt.timedelta(minutes=40)
    assert MissedSlot.objects.filter(post=watch.tower, covered_by__isnull=True).count() == 1


def test_a_report_dated_in_the_future_is_refused(watch) -> None:
    from minxin.core.errors import InvalidInput

    with pytest.raises(InvalidInput) as refused:
        check_in_record(
            post=watch.tower, report=NORMAL, channel="app", made_at=SEASON_DAY + dt.timedelta(hours=1)
        )
    assert refused.value.details == {"field": "made_at"}


def test_a_report_days_old_is_refused(watch) -> None:
    from minxin.core.errors import InvalidInput

    with pytest.raises(InvalidInput):
        check_in_record(
            post=watch.tower, report=NORMAL, channel="app", made_at=SEASON_DAY - dt.timedelta(days=3)
        )


def test_the_same_offline_report_sent_twice_is_kept_once(watch) -> None:
    import uuid

    key = uuid.uuid4()
    first = check_in_record(post=watch.tower, report=NORMAL, channel="app", client_id=key)
    again = check_in_record(post=watch.tower, report=NORMAL, channel="app", client_id=key)
    assert again.duplicate
    assert again.check_in.pk == first.check_in.pk
    assert CheckIn.objects.filter(post=watch.tower).count() == 1


def test_a_paused_post_is_not_expected_until_resumed(watch, at_season_day, sweep) -> None:
    post_pause(post=watch.tower, actor=watch.carl, reason="检修")
    at(at_season_day, 120)
    sweep()
    assert fresh(watch.tower).state == PostState.PAUSED
    assert not MissedSlot.objects.filter(post=watch.tower).exists()
    post = post_resume(post=watch.tower, actor=watch.carl)
    assert post.state == PostState.UP
    assert post.next_due_at == SEASON_DAY + dt.timedelta(minutes=135)


def test_a_danger_level_tightens_the_current_night_slot_at_once(watch, at_season_day, sweep) -> None:
    from minxin.watch.services import danger_level_set

    night = SEASON_DAY + dt.timedelta(hours=12, minutes=5)  # 22:05 local: an hourly slot until 23:00
    at_season_day.move_to(night)
    check_in_record(post=watch.tower, report=NORMAL, channel="app")
    assert fresh(watch.tower).next_due_at == SEASON_DAY + dt.timedelta(hours=14)  # end of 23:00–24:00
    danger_level_set(
        region=watch.region, level=4, starts_at=night, ends_at=night + dt.timedelta(hours=6), actor=watch.carl
    )
    assert fresh(watch.tower).next_due_at == SEASON_DAY + dt.timedelta(hours=12, minutes=15)


def test_the_worker_looks_often_enough_to_flag_a_miss_within_a_minute() -> None:
    from minxin.core.jobs import registered_jobs

    (job,) = [job for job in registered_jobs() if job.name == "watch.sweep"]
    assert job.every_seconds <= 30


def test_the_worker_job_flags_a_miss_seconds_after_grace(
    watch, at_season_day, django_capture_on_commit_callbacks
) -> None:
    from minxin.core.jobs import registered_jobs

    (job,) = [job for job in registered_jobs() if job.name == "watch.sweep"]
    at(at_season_day, 20 + job.every_seconds / 60)  # the worst case: the job ran just before grace ended
    with django_capture_on_commit_callbacks(execute=True):
        job.run()
    assert fresh(watch.tower).state == PostState.MISSED


def test_a_night_slot_missed_after_midnight_counts_on_the_new_local_day(watch, at_season_day, sweep) -> None:
    from minxin.watch.selectors import missed_today

    at(at_season_day, 13 * 60 + 50)  # 23:50 local, hourly night slots
    check_in_record(post=watch.tower, report=NORMAL, channel="app")
    assert fresh(watch.tower).next_due_at == SEASON_DAY + dt.timedelta(hours=15)  # 01:00 on the 16th
    at(at_season_day, 15 * 60 + 6)  # 01:06: the 00:00–01:00 slot is past its grace
    sweep()
    (missed,) = MissedSlot.objects.filter(
        post=watch.tower, slot_start__gte=SEASON_DAY + dt.timedelta(hours=13)
    )
    assert missed.local_date == dt.date(2026, 4, 16)
    assert missed_today([fresh(watch.tower)]) == {watch.tower.pk: 1}

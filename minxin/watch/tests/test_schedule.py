"""Expected slots from the duty plan, in the post's zone: day and night, seasons, midnight, the
danger-level override, sunrise and sunset. Pure functions: no database."""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

from minxin.watch.schedule import DangerWindow, Rules, slot_at, slots_between, sun_rise_set

SHANGHAI = ZoneInfo("Asia/Shanghai")


def rules(**overrides: object) -> Rules:
    base = {
        "zone": "Asia/Shanghai",
        "lat": 42.40,
        "lon": 117.20,
        "season_day_minutes": 15,
        "season_night_minutes": 60,
        "day_minutes": 60,
        "night_minutes": 120,
        "danger_minutes": 15,
        "danger_level_from": 4,
        "grace": dt.timedelta(minutes=5),
        "solar": False,
        "day_starts": dt.time(6),
        "day_ends": dt.time(19),
        "seasons": ((3, 15, 6, 15), (9, 15, 12, 15)),
        "danger": (),
    }
    return Rules(**(base | overrides))  # type: ignore[arg-type]


def local(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


def test_in_season_by_day_slots_are_15_minutes_on_the_quarter_hour() -> None:
    slot = slot_at(rules(), local(2026, 4, 15, 10, 7))
    assert (slot.start, slot.end) == (local(2026, 4, 15, 10, 0), local(2026, 4, 15, 10, 15))


def test_in_season_at_night_slots_are_hourly() -> None:
    slot = slot_at(rules(), local(2026, 4, 15, 22, 40))
    assert (slot.start, slot.end) == (local(2026, 4, 15, 22, 0), local(2026, 4, 15, 23, 0))


def test_a_season_day_has_96_slots_minus_what_night_merges() -> None:
    day = slots_between(rules(), local(2026, 4, 15, 0, 0), local(2026, 4, 16, 0, 0))
    assert len(day) == 13 * 4 + 11  # 06:00–19:00 by quarter hours, 11 night hours


def test_night_slots_run_across_midnight_in_the_posts_zone() -> None:
    before = slot_at(rules(), local(2026, 4, 15, 23, 30))
    after = slot_at(rules(), local(2026, 4, 16, 0, 10))
    assert before.end == local(2026, 4, 16, 0, 0)
    assert after.start == local(2026, 4, 16, 0, 0)


def test_the_slot_at_the_edge_of_day_ends_when_day_begins() -> None:
    plan = rules(day_starts=dt.time(5, 40))
    night = slot_at(plan, local(2026, 4, 15, 5, 20))
    day = slot_at(plan, local(2026, 4, 15, 5, 41))
    assert (night.start, night.end) == (local(2026, 4, 15, 5, 0), local(2026, 4, 15, 5, 40))
    assert (day.start, day.end) == (local(2026, 4, 15, 5, 40), local(2026, 4, 15, 5, 45))


def test_out_of_season_the_plan_is_looser() -> None:
    summer = slot_at(rules(), local(2026, 7, 20, 10, 7))
    assert summer.minutes == 60
    winter_night = slot_at(rules(), local(2026, 1, 20, 23, 7))
    assert (winter_night.start, winter_night.end) == (local(2026, 1, 20, 22, 0), local(2026, 1, 21, 0, 0))


def test_seasons_start_and_end_at_local_midnight_both_days_included() -> None:
    assert slot_at(rules(), local(2026, 3, 14, 23, 59)).minutes == 120
    assert slot_at(rules(), local(2026, 3, 15, 0, 0)).minutes == 60
    assert slot_at(rules(), local(2026, 6, 15, 12, 0)).minutes == 15
    assert slot_at(rules(), local(2026, 6, 16, 12, 0)).minutes == 60
    assert slot_at(rules(), local(2026, 12, 15, 23, 30)).minutes == 60
    assert slot_at(rules(), local(2026, 12, 16, 0, 30)).minutes == 120


def test_a_season_across_new_year() -> None:
    winter = rules(seasons=((11, 1, 2, 28),))
    assert slot_at(winter, local(2026, 1, 10, 10, 0)).minutes == 15
    assert slot_at(winter, local(2026, 3, 10, 10, 0)).minutes == 60


def test_danger_level_4_tightens_the_night_to_15_minutes_from_its_start() -> None:
    start, end = local(2026, 4, 15, 22, 20), local(2026, 4, 16, 2, 0)
    plan = rules(danger=(DangerWindow(starts_at=start, ends_at=end, level=4),))
    cut = slot_at(plan, local(2026, 4, 15, 22, 10))
    assert (cut.start, cut.end) == (local(2026, 4, 15, 22, 0), local(2026, 4, 15, 22, 20))
    tight = slot_at(plan, local(2026, 4, 16, 0, 5))
    assert (tight.start, tight.end) == (local(2026, 4, 16, 0, 0), local(2026, 4, 16, 0, 15))
    after = slot_at(plan, local(2026, 4, 16, 2, 30))
    assert (after.start, after.end) == (local(2026, 4, 16, 2, 0), local(2026, 4, 16, 3, 0))


def test_danger_level_3_changes_nothing() -> None:
    plan = rules(
        danger=(DangerWindow(starts_at=local(2026, 4, 15, 0, 0), ends_at=local(2026, 4, 17, 0, 0), level=3),)
    )
    assert slot_at(plan, local(2026, 4, 15, 23, 5)).minutes == 60


def test_sunrise_and_sunset_at_saihanba() -> None:
    rise, fall = sun_rise_set(dt.date(2026, 6, 21), 42.40, 117.20)
    assert local(2026, 6, 21, 4, 25) <= rise.astimezone(SHANGHAI) <= local(2026, 6, 21, 4, 45)
    assert local(2026, 6, 21, 19, 40) <= fall.astimezone(SHANGHAI) <= local(2026, 6, 21, 20, 0)


def test_solar_plans_switch_at_sunrise() -> None:
    plan = rules(solar=True)
    rise, _fall = sun_rise_set(dt.date(2026, 4, 15), 42.40, 117.20)
    rise_local = rise.astimezone(SHANGHAI)
    assert slot_at(plan, rise_local - dt.timedelta(minutes=1)).minutes == 60
    first_day = slot_at(plan, rise_local)
    assert first_day.minutes == 15
    assert first_day.start == rise_local


def test_slots_partition_time_without_gaps() -> None:
    plan = rules(
        solar=True,
        danger=(
            DangerWindow(starts_at=local(2026, 4, 15, 21, 7), ends_at=local(2026, 4, 16, 3, 0), level=5),
        ),
    )
    slots = slots_between(plan, local(2026, 4, 15, 0, 0), local(2026, 4, 17, 0, 0))
    for first, second in itertools.pairwise(slots):
        assert first.end == second.start
        assert first.start < first.end

from __future__ import annotations

import datetime as dt

import pytest

from minxin.core.errors import InvalidInput
from minxin.orgs.selectors import hall_is_open
from minxin.orgs.services import hall_closure_add, hall_create, hall_set_opening_hours

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


@pytest.mark.django_db
def test_opening_follows_the_halls_own_time_zone(cast) -> None:
    # Monday 2026-11-30 10:00 in Shanghai is 02:00 UTC
    assert hall_is_open(hall=cast.hall, at=dt.datetime(2026, 11, 30, 2, 0, tzinfo=dt.UTC))
    assert not hall_is_open(hall=cast.hall, at=dt.datetime(2026, 11, 30, 12, 15, tzinfo=SHANGHAI))  # lunch
    assert not hall_is_open(hall=cast.hall, at=dt.datetime(2026, 11, 29, 10, 0, tzinfo=SHANGHAI))  # Sunday


@pytest.mark.django_db
def test_a_closure_shuts_an_ordinary_working_day(cast) -> None:
    hall_closure_add(hall=cast.hall, date=dt.date(2026, 11, 30), reason="系统升级")
    assert not hall_is_open(hall=cast.hall, at=dt.datetime(2026, 11, 30, 10, 0, tzinfo=SHANGHAI))


@pytest.mark.django_db
def test_a_period_that_closes_before_it_opens_is_refused(cast) -> None:
    with pytest.raises(InvalidInput):
        hall_set_opening_hours(hall=cast.hall, periods=[(0, dt.time(17), dt.time(9))])
    assert cast.hall.opening_hours.count() == 10


@pytest.mark.django_db
def test_an_unknown_time_zone_is_refused_for_a_hall(cast) -> None:
    with pytest.raises(InvalidInput) as refused:
        hall_create(code="bad-zone", name="x", unit=cast.hall.unit, time_zone="Asia/Atlantis")
    assert refused.value.details == {"field": "time_zone"}


@pytest.mark.django_db
def test_a_public_holiday_closes_the_hall_and_a_make_up_saturday_opens_it(cast) -> None:
    from minxin.core.workdays import calendar_seed

    calendar_seed(first_year=2017, last_year=2017)
    # Monday 2017-10-02 is in the National Day holiday; Saturday 2017-09-30 is a make-up working day.
    assert not hall_is_open(hall=cast.hall, at=dt.datetime(2017, 10, 2, 10, 0, tzinfo=SHANGHAI))
    assert hall_is_open(hall=cast.hall, at=dt.datetime(2017, 9, 30, 10, 0, tzinfo=SHANGHAI))
    assert not hall_is_open(hall=cast.hall, at=dt.datetime(2017, 10, 14, 10, 0, tzinfo=SHANGHAI))

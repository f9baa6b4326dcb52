from __future__ import annotations

import datetime as dt

import pytest

from minxin.core.models import CalendarDay
from minxin.core.workdays import add_working_days, calendar_seed, is_working_day


@pytest.mark.django_db
def test_twenty_working_days_from_2017_09_28_is_november_first() -> None:
    # DOMAIN.md §2: the National Day holiday (10/1–10/8) and the make-up Saturday 9/30 both count.
    calendar_seed(first_year=2017, last_year=2017)
    assert add_working_days(dt.date(2017, 9, 28), 20) == dt.date(2017, 11, 1)


@pytest.mark.django_db
def test_a_make_up_saturday_is_a_working_day_and_a_holiday_weekday_is_not() -> None:
    calendar_seed(first_year=2017, last_year=2017)
    assert is_working_day(dt.date(2017, 9, 30))
    assert not is_working_day(dt.date(2017, 10, 2))
    assert not is_working_day(dt.date(2017, 10, 14))  # an ordinary Saturday


@pytest.mark.django_db
def test_an_edited_exception_survives_a_reseed() -> None:
    CalendarDay.objects.create(date=dt.date(2017, 10, 9), is_working_day=False, name="local closure")
    calendar_seed(first_year=2017, last_year=2017)
    assert not is_working_day(dt.date(2017, 10, 9))
    assert add_working_days(dt.date(2017, 10, 9), 0) == dt.date(2017, 10, 9)


@pytest.mark.django_db
def test_seed_calendar_command_loads_the_years_asked_for() -> None:
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("seed_calendar", "--from", "2017", "--to", "2017", stdout=out)
    assert CalendarDay.objects.filter(date__year=2017).count() > 10
    assert "2017" in out.getvalue()

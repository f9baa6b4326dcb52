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


@pytest.mark.django_db
def test_seeding_marks_each_known_year_complete_and_stops_at_the_package_end() -> None:
    from minxin.core.models import CalendarYear

    calendar_seed(first_year=2025, last_year=2027)
    assert set(CalendarYear.objects.filter(is_complete=True).values_list("year", flat=True)) == {2025, 2026}


@pytest.mark.django_db
def test_a_count_into_a_year_not_covered_is_refused_naming_the_year() -> None:
    from minxin.core.workdays import WorkingCalendarMissing

    calendar_seed(first_year=2026, last_year=2026)
    with pytest.raises(WorkingCalendarMissing) as raised:
        add_working_days(dt.date(2026, 12, 20), 20)
    assert raised.value.year == 2027
    assert "2027" in raised.value.message


@pytest.mark.django_db
def test_a_start_in_an_uncovered_year_is_refused_even_for_zero_days() -> None:
    from minxin.core.workdays import WorkingCalendarMissing

    with pytest.raises(WorkingCalendarMissing):
        add_working_days(dt.date(2017, 10, 9), 0)


@pytest.mark.django_db
def test_a_start_on_a_holiday_counts_from_the_next_working_day() -> None:
    calendar_seed(first_year=2017, last_year=2017)
    # 10/1 is a holiday; the first working day after it is 10/9 (10/1–10/8 off)
    assert add_working_days(dt.date(2017, 10, 1), 1) == dt.date(2017, 10, 9)


@pytest.mark.django_db
def test_subtract_and_between_agree_with_add() -> None:
    from minxin.core.workdays import subtract_working_days, working_days_between

    calendar_seed(first_year=2017, last_year=2017)
    # the latest day from which 10/10 is two working days away is the last holiday, 10/8
    assert subtract_working_days(dt.date(2017, 10, 10), 2) == dt.date(2017, 10, 8)
    assert add_working_days(dt.date(2017, 10, 8), 2) == dt.date(2017, 10, 10)
    assert working_days_between(dt.date(2017, 9, 28), dt.date(2017, 11, 1)) == 20


@pytest.mark.django_db
def test_a_year_loaded_from_csv_is_covered() -> None:
    from minxin.core.workdays import calendar_rows_parse, calendar_year_load

    rows = calendar_rows_parse("date,type,name\n2027-01-01,holiday,元旦\n2027-02-06,workday,春节调休\n")
    assert calendar_year_load(year=2027, rows=rows, source="test") == 2
    assert not is_working_day(dt.date(2027, 1, 1))
    assert add_working_days(dt.date(2027, 2, 5), 1) == dt.date(2027, 2, 6)


@pytest.mark.django_db
def test_a_bad_csv_line_is_reported_with_its_number() -> None:
    from minxin.core.errors import InvalidInput
    from minxin.core.workdays import calendar_rows_parse

    with pytest.raises(InvalidInput) as raised:
        calendar_rows_parse("2027-01-01,holiday,元旦\n2027-13-01,holiday,x\n")
    assert "2027-13-01" in raised.value.message
    assert raised.value.details == {"field": "file"}

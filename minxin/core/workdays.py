"""Working days under the State Council's yearly holiday arrangement, including make-up working days.

Monday–Friday are working days unless `CalendarDay` says otherwise; Saturday and Sunday are rest days
unless `CalendarDay` marks them as make-up working days (调休). Counting starts on the day after the
start date (行政许可法: the limit runs from the day after acceptance).
"""

from __future__ import annotations

import datetime as dt

from minxin.core.models import CalendarDay


def exceptions_between(start: dt.date, end: dt.date) -> dict[dt.date, bool]:
    rows = CalendarDay.objects.filter(date__gte=start, date__lte=end).values_list("date", "is_working_day")
    return dict(rows)


def is_working_day(day: dt.date, exceptions: dict[dt.date, bool] | None = None) -> bool:
    table = exceptions if exceptions is not None else exceptions_between(day, day)
    if day in table:
        return table[day]
    return day.weekday() < 5


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date on which the `days`-th working day after `start` falls (0 gives `start`)."""
    if days < 0:
        raise ValueError("days must not be negative")
    # Holidays never stretch a span beyond about 2.2× its length; fetch a generous window once.
    horizon = start + dt.timedelta(days=days * 3 + 30)
    table = exceptions_between(start, horizon)
    current, counted = start, 0
    while counted < days:
        current += dt.timedelta(days=1)
        if current > horizon:
            horizon = current + dt.timedelta(days=days * 3 + 30)
            table.update(exceptions_between(current, horizon))
        if is_working_day(current, table):
            counted += 1
    return current


def calendar_seed(*, first_year: int, last_year: int) -> int:
    """Load the holiday and make-up day exceptions for the given years from the chinese_calendar package
    (which covers 2004 onwards to its last published year). Existing rows are left as they are, so
    corrections made in admin survive a reseed. Returns the number of rows created."""
    import chinese_calendar

    created = 0
    for year in range(first_year, last_year + 1):
        day = dt.date(year, 1, 1)
        while day.year == year:
            try:
                on_holiday, name = chinese_calendar.get_holiday_detail(day)
            except NotImplementedError:
                return created
            working = not on_holiday
            if working != (day.weekday() < 5):
                label = str(name.value if hasattr(name, "value") else name or "")
                _row, made = CalendarDay.objects.get_or_create(
                    date=day, defaults={"is_working_day": working, "name": label[:64]}
                )
                created += int(made)
            day += dt.timedelta(days=1)
    return created

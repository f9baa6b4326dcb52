"""Working days under the State Council's yearly holiday arrangement, including make-up working days.

Monday–Friday are working days unless `CalendarDay` says otherwise; Saturday and Sunday are rest days
unless `CalendarDay` marks them as make-up working days (调休). Counting starts on the day after the
start date (行政许可法: the limit runs from the day after acceptance).

Strict: every date a count passes through must lie in a year whose arrangement is loaded
(`CalendarYear.is_complete`). Otherwise the count raises `WorkingCalendarMissing` naming the year: a
deadline computed as if that year had no holidays would be wrong by up to eight days, and a case must
never show a wrong deadline.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from minxin.core.errors import Conflict, InvalidInput
from minxin.core.models import CalendarDay, CalendarYear


class WorkingCalendarMissing(Conflict):
    """A working-day count reached a year whose holiday arrangement is not loaded."""

    code = "working_calendar_missing"

    def __init__(self, year: int) -> None:
        super().__init__(
            _(
                "The working-day calendar for %(year)d is not loaded yet; enter that year's holidays "
                "and make-up working days in the admin first."
            )
            % {"year": year},
            details={"year": year},
        )
        self.year = year


def covered_years() -> set[int]:
    return set(CalendarYear.objects.filter(is_complete=True).values_list("year", flat=True))


def calendar_covered_until(*, today: dt.date) -> dt.date | None:
    """The last day of the unbroken run of complete years starting with `today`'s year, or None when
    this year itself is not covered."""
    years = covered_years()
    if today.year not in years:
        return None
    last = today.year
    while last + 1 in years:
        last += 1
    return dt.date(last, 12, 31)


def exceptions_between(start: dt.date, end: dt.date) -> dict[dt.date, bool]:
    rows = CalendarDay.objects.filter(date__gte=start, date__lte=end).values_list("date", "is_working_day")
    return dict(rows)


def is_working_day(day: dt.date, exceptions: dict[dt.date, bool] | None = None) -> bool:
    table = exceptions if exceptions is not None else exceptions_between(day, day)
    if day in table:
        return table[day]
    return day.weekday() < 5


class WorkingCalendar:
    """The covered years and the exceptions of a span of dates, loaded once: a sweep or a demo that
    computes thousands of deadlines asks the database twice instead of twice per deadline. Counts
    that leave the loaded span load more; a year not marked complete raises WorkingCalendarMissing."""

    def __init__(self, first: dt.date, last: dt.date) -> None:
        self.years = covered_years()
        self.first, self.last = first, last
        self.table = exceptions_between(first, last)

    def _ensure(self, day: dt.date) -> None:
        if day.year not in self.years:
            raise WorkingCalendarMissing(day.year)
        if day > self.last:
            new_last = day + dt.timedelta(days=120)
            self.table.update(exceptions_between(self.last + dt.timedelta(days=1), new_last))
            self.last = new_last
        elif day < self.first:
            new_first = day - dt.timedelta(days=120)
            self.table.update(exceptions_between(new_first, self.first - dt.timedelta(days=1)))
            self.first = new_first

    def is_working_day(self, day: dt.date) -> bool:
        self._ensure(day)
        return is_working_day(day, self.table)

    def add(self, start: dt.date, days: int) -> dt.date:
        """The date on which the `days`-th working day after `start` falls (0 gives `start`)."""
        if days < 0:
            raise ValueError("days must not be negative")
        self._ensure(start)
        current, counted = start, 0
        while counted < days:
            current += dt.timedelta(days=1)
            counted += int(self.is_working_day(current))
        return current

    def subtract(self, end: dt.date, days: int) -> dt.date:
        """The latest date from which `end` is `days` working days away (as `add` counts): the day a
        "due within N working days" warning starts. 0 gives `end`."""
        if days < 0:
            raise ValueError("days must not be negative")
        self._ensure(end)
        current, counted = end, 0
        while counted < days:
            counted += int(self.is_working_day(current))
            current -= dt.timedelta(days=1)
        return current

    def between(self, start: dt.date, end: dt.date) -> int:
        """Working days after `start` up to and including `end` (0 when end ≤ start)."""
        count, current = 0, start
        while current < end:
            current += dt.timedelta(days=1)
            count += int(self.is_working_day(current))
        return count


def working_calendar(start: dt.date, days: int = 0) -> WorkingCalendar:
    # Holidays never stretch a span beyond about 2.2× its length; fetch a generous window once.
    return WorkingCalendar(start - dt.timedelta(days=days * 3 + 30), start + dt.timedelta(days=days * 3 + 30))


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date on which the `days`-th working day after `start` falls (0 gives `start`).

    Raises WorkingCalendarMissing when the count passes through a year not marked complete."""
    return working_calendar(start, days).add(start, days)


def subtract_working_days(end: dt.date, days: int) -> dt.date:
    """The latest date from which `end` is `days` working days away (see WorkingCalendar.subtract)."""
    return working_calendar(end, days).subtract(end, days)


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after `start` up to and including `end` (0 when end ≤ start)."""
    return WorkingCalendar(start, max(start, end)).between(start, end)


def calendar_seed(*, first_year: int, last_year: int) -> int:
    """Load the holiday and make-up day exceptions for the given years from the chinese_calendar package
    (which covers 2004 onwards to its last published year) and mark each year it knows complete.
    Existing rows are left as they are, so corrections made in admin survive a reseed. Returns the
    number of rows created."""
    import chinese_calendar

    created = 0
    for year in range(first_year, last_year + 1):
        rows: list[tuple[dt.date, bool, str]] = []
        day = dt.date(year, 1, 1)
        try:
            while day.year == year:
                on_holiday, name = chinese_calendar.get_holiday_detail(day)
                working = not on_holiday
                if working != (day.weekday() < 5):
                    label = str(name.value if hasattr(name, "value") else name or "")
                    rows.append((day, working, label[:64]))
                day += dt.timedelta(days=1)
        except NotImplementedError:
            return created
        with transaction.atomic():
            existing = set(CalendarDay.objects.filter(date__year=year).values_list("date", flat=True))
            fresh = [
                CalendarDay(date=date, is_working_day=working, name=label)
                for date, working, label in rows
                if date not in existing
            ]
            CalendarDay.objects.bulk_create(fresh, ignore_conflicts=True)
            created += len(fresh)
            CalendarYear.objects.update_or_create(
                year=year,
                defaults={"is_complete": True, "source": "chinese_calendar"},
            )
    return created


@dataclass(frozen=True, slots=True)
class CalendarRow:
    date: dt.date
    is_working_day: bool
    name: str


def calendar_rows_parse(text: str) -> list[CalendarRow]:
    """Rows of a CSV `date,type,name` (type: holiday/休 or workday/班), as the admin import takes them.
    A header row is skipped; every bad line is reported with its number."""
    rows: list[CalendarRow] = []
    errors: list[str] = []
    for number, fields in enumerate(csv.reader(io.StringIO(text.lstrip("\ufeff"))), start=1):
        if not fields or not "".join(fields).strip():
            continue
        raw_date = fields[0].strip()
        if number == 1 and not raw_date[:1].isdigit():
            continue
        kind = fields[1].strip().lower() if len(fields) > 1 else ""
        name = fields[2].strip() if len(fields) > 2 else ""
        try:
            date = dt.date.fromisoformat(raw_date)
        except ValueError:
            errors.append(
                _("line %(line)d: %(value)s is not a date (YYYY-MM-DD)") % {"line": number, "value": raw_date}
            )
            continue
        if kind in {"holiday", "休", "rest", "0"}:
            working = False
        elif kind in {"workday", "班", "work", "1"}:
            working = True
        else:
            errors.append(_("line %(line)d: the type must be holiday or workday") % {"line": number})
            continue
        rows.append(CalendarRow(date=date, is_working_day=working, name=name[:64]))
    if errors:
        raise InvalidInput("; ".join(errors), code="calendar_csv_invalid", details={"field": "file"})
    return rows


def calendar_year_load(*, year: int, rows: Iterable[CalendarRow], source: str, complete: bool = True) -> int:
    """Replace the exceptions of `year` with `rows` and mark the year complete (or not). Returns the
    number of exceptions stored. Rows outside the year are refused."""
    rows = list(rows)
    outside = [row.date.isoformat() for row in rows if row.date.year != year]
    if outside:
        raise InvalidInput(
            _("These dates are not in %(year)d: %(dates)s") % {"year": year, "dates": ", ".join(outside[:5])},
            code="calendar_date_outside_year",
            details={"field": "file"},
        )
    with transaction.atomic():
        CalendarDay.objects.filter(date__year=year).delete()
        CalendarDay.objects.bulk_create(
            [CalendarDay(date=row.date, is_working_day=row.is_working_day, name=row.name) for row in rows]
        )
        CalendarYear.objects.update_or_create(year=year, defaults={"is_complete": complete, "source": source})
    return len(rows)

"""Deadlines in working days on the official Chinese calendar (限期整改 “within N working days”).

Weekends are not simply Saturday and Sunday: the State Council moves days around public
holidays (调休), so some weekends are working days and some weekdays are holidays. The
`chinese_calendar` package carries the published arrangements; it covers a fixed range of
years and refuses dates outside it. A deadline computed from a guess would be wrong in a
way nobody notices, so an uncovered year is an error that says which years are known.
"""
import datetime
import time

import chinese_calendar


class CalendarNotCovered(ValueError):
    """The holiday calendar has no data for the year asked about."""


_PACKAGE_YEARS = None
_ENTERED = None  # (loaded at, {year: {date: is_working}})
_ENTERED_TTL = 60.0  # seconds; other processes see a newly entered year within a minute


def _package_years() -> tuple[int, int]:
    global _PACKAGE_YEARS
    if _PACKAGE_YEARS is None:
        from chinese_calendar.constants import holidays

        days = holidays.keys()
        _PACKAGE_YEARS = (min(days).year, max(days).year)
    return _PACKAGE_YEARS


def _entered() -> dict:
    """Years entered as data (`models.CalendarYear`), read once a minute at most."""
    global _ENTERED
    now = time.monotonic()
    if _ENTERED is None or now - _ENTERED[0] > _ENTERED_TTL:
        from .models import CalendarDay, CalendarYear

        years = {y: {} for y in CalendarYear.objects.values_list("year", flat=True)}
        for day, working, year in CalendarDay.objects.values_list("date", "is_working", "arrangement__year"):
            years.setdefault(year, {})[day] = working
        _ENTERED = (now, years)
    return _ENTERED[1]


def forget_entered_years(**_kwargs):
    """Called when an arrangement changes, so this process reads it again."""
    global _ENTERED
    _ENTERED = None


def covered_years() -> tuple[int, int]:
    """(first, last) year known: the package's years extended by consecutive entered years."""
    first, last = _package_years()
    entered = _entered()
    while last + 1 in entered:
        last += 1
    return first, last


def is_working_day(day: datetime.date) -> bool:
    if isinstance(day, datetime.datetime):
        day = day.date()
    entered = _entered()
    if day.year in entered:
        return entered[day.year].get(day, day.weekday() < 5)
    first, last = _package_years()
    if not first <= day.year <= last:
        first, last = covered_years()
        raise CalendarNotCovered(
            f"the official holiday calendar covers {first}–{last}; it has no data for {day.year}. "
            f"Enter that year's arrangement (admin: holiday arrangements, or `manage.py workcalendar load`) "
            f"once the State Council publishes it, or update the chinese_calendar package."
        )
    return chinese_calendar.is_workday(day)


def add_working_days(start: datetime.date, n: int) -> datetime.date:
    """The n-th working day after `start` (n ≥ 1), or `start` itself for n = 0.

    `start` is the day the order is issued and does not count, whether or not it is a
    working day: an order issued on 30 September 2025 with 3 working days is due on
    9 October, after the National Day holiday. Negative n counts backwards.
    """
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError("n is a whole number of working days")
    if isinstance(start, datetime.datetime):
        start = start.date()
    step = datetime.timedelta(days=1 if n >= 0 else -1)
    day, left = start, abs(n)
    while left:
        day += step
        if is_working_day(day):
            left -= 1
    return day


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Working days after `start` up to and including `end` (0 when end ≤ start)."""
    count, day = 0, start
    while day < end:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count

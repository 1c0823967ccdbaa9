"""Periods as values: a week, month, quarter or year with its first and last day and a label.

Scores are stored per period, the rhythm runs per week, agreements per year; passing a
`Period` around instead of loose (start, end) pairs keeps “which quarter is this” in one
place. Labels are stable strings (2026, 2026Q3, 2026-07, 2026-W05) used in URLs, commands
and exports; `Period.parse(label)` is the inverse of `label`.
"""
import datetime
import re
from dataclasses import dataclass

WEEK, MONTH, QUARTER, YEAR = "week", "month", "quarter", "year"
KINDS = (WEEK, MONTH, QUARTER, YEAR)

_LABELS = [
    (re.compile(r"^(\d{4})$"), YEAR),
    (re.compile(r"^(\d{4})Q([1-4])$"), QUARTER),
    (re.compile(r"^(\d{4})-(\d{2})$"), MONTH),
    (re.compile(r"^(\d{4})-W(\d{2})$"), WEEK),
]


def monday_of(day: datetime.date) -> datetime.date:
    """The Monday of the ISO week holding `day`: the key of every weekly report and sheet."""
    return day - datetime.timedelta(days=day.weekday())


class PeriodError(ValueError):
    """A label or kind that names no period."""


@dataclass(frozen=True, order=True)
class Period:
    start: datetime.date
    end: datetime.date
    kind: str

    # --- constructors -----------------------------------------------------------------

    @classmethod
    def year(cls, year: int) -> "Period":
        return cls(datetime.date(year, 1, 1), datetime.date(year, 12, 31), YEAR)

    @classmethod
    def quarter(cls, year: int, q: int) -> "Period":
        if not 1 <= q <= 4:
            raise PeriodError(f"quarter {q} does not exist")
        start = datetime.date(year, 3 * q - 2, 1)
        return cls(start, _month_end(year, 3 * q), QUARTER)

    @classmethod
    def month(cls, year: int, month: int) -> "Period":
        if not 1 <= month <= 12:
            raise PeriodError(f"month {month} does not exist")
        return cls(datetime.date(year, month, 1), _month_end(year, month), MONTH)

    @classmethod
    def week(cls, day: datetime.date) -> "Period":
        """The ISO week (Monday to Sunday) containing `day`."""
        monday = monday_of(day)
        return cls(monday, monday + datetime.timedelta(days=6), WEEK)

    @classmethod
    def containing(cls, kind: str, day: datetime.date) -> "Period":
        if kind == YEAR:
            return cls.year(day.year)
        if kind == QUARTER:
            return cls.quarter(day.year, (day.month - 1) // 3 + 1)
        if kind == MONTH:
            return cls.month(day.year, day.month)
        if kind == WEEK:
            return cls.week(day)
        raise PeriodError(f"“{kind}” is not a kind of period")

    @classmethod
    def parse(cls, label: str) -> "Period":
        text = (label or "").strip().upper()
        for pattern, kind in _LABELS:
            m = pattern.match(text)
            if not m:
                continue
            year = int(m.group(1))
            if not 1 <= year <= 9998:
                break
            if kind == YEAR:
                return cls.year(year)
            if kind == QUARTER:
                return cls.quarter(year, int(m.group(2)))
            if kind == MONTH:
                return cls.month(year, int(m.group(2)))
            try:
                return cls.week(datetime.date.fromisocalendar(year, int(m.group(2)), 1))
            except ValueError:
                break
        raise PeriodError(f"“{label}” is not a period (examples: 2026, 2026Q3, 2026-07, 2026-W05)")

    # --- what a period knows ----------------------------------------------------------

    @property
    def label(self) -> str:
        if self.kind == YEAR:
            return f"{self.start.year}"
        if self.kind == QUARTER:
            return f"{self.start.year}Q{(self.start.month - 1) // 3 + 1}"
        if self.kind == MONTH:
            return f"{self.start:%Y-%m}"
        iso = self.start.isocalendar()
        return f"{iso.year}-W{iso.week:02d}"

    @property
    def agreement_year(self) -> int:
        """The year whose agreements a period is measured against: the year it ends in."""
        return self.end.year

    def previous(self) -> "Period":
        return Period.containing(self.kind, self.start - datetime.timedelta(days=1))

    def next(self) -> "Period":
        return Period.containing(self.kind, self.end + datetime.timedelta(days=1))

    def __contains__(self, day: datetime.date) -> bool:
        return self.start <= day <= self.end

    def __str__(self) -> str:
        return self.label


def _month_end(year: int, month: int) -> datetime.date:
    first_next = datetime.date(year + (month == 12), month % 12 + 1, 1)
    return first_next - datetime.timedelta(days=1)

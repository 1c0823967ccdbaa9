"""Periods as values: labels that round-trip, the right first and last days, neighbours."""
import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xiezuo.core.periods import KINDS, Period, PeriodError

D = datetime.date


@pytest.mark.parametrize("label, start, end, kind", [
    ("2026", D(2026, 1, 1), D(2026, 12, 31), "year"),
    ("2026Q1", D(2026, 1, 1), D(2026, 3, 31), "quarter"),
    ("2026q3", D(2026, 7, 1), D(2026, 9, 30), "quarter"),
    ("2024-02", D(2024, 2, 1), D(2024, 2, 29), "month"),
    ("2026-W01", D(2025, 12, 29), D(2026, 1, 4), "week"),  # ISO week 1 of 2026 starts in 2025
    ("2020-W53", D(2020, 12, 28), D(2021, 1, 3), "week"),
])
def test_labels(label, start, end, kind):
    p = Period.parse(label)
    assert (p.start, p.end, p.kind) == (start, end, kind)
    assert Period.parse(p.label) == p


@pytest.mark.parametrize("label", ["", "2026Q5", "2026Q0", "2026-13", "2025-W53", "26Q1", "Q3", "2026-W1", "0000", "abc"])
def test_bad_labels(label):
    with pytest.raises(PeriodError):
        Period.parse(label)


def test_neighbours_and_membership():
    q = Period.quarter(2026, 1)
    assert q.previous().label == "2025Q4" and q.next().label == "2026Q2"
    assert D(2026, 3, 31) in q and D(2026, 4, 1) not in q
    assert Period.parse("2026-W01").agreement_year == 2026
    assert Period.week(D(2025, 12, 31)).label == "2026-W01"


@given(st.sampled_from(KINDS), st.dates(min_value=D(2000, 1, 1), max_value=D(2099, 12, 31)))
def test_every_day_lies_in_exactly_one_period_of_each_kind(kind, day):
    p = Period.containing(kind, day)
    assert day in p and Period.parse(p.label) == p
    assert p.previous().end + datetime.timedelta(days=1) == p.start
    assert p.next().start - datetime.timedelta(days=1) == p.end

"""Deadlines in working days on the official calendar: across the National Day holiday of
2025 (1–8 October, with Mid-Autumn on the 6th) and its make-up working days (Sunday
28 September and Saturday 11 October), and a clear error for years the calendar lacks."""
import datetime

import pytest

from xiezuo.rhythm.workdays import CalendarNotCovered, add_working_days, covered_years, is_working_day, working_days_between

D = datetime.date
pytestmark = pytest.mark.django_db  # entered arrangements are read from the database


@pytest.mark.parametrize("day, working", [
    (D(2025, 9, 26), True),   # Friday
    (D(2025, 9, 27), False),  # Saturday
    (D(2025, 9, 28), True),   # Sunday, made a working day (调休)
    (D(2025, 10, 1), False),
    (D(2025, 10, 3), False),  # a Friday inside the holiday
    (D(2025, 10, 6), False),  # Mid-Autumn Festival, a Monday
    (D(2025, 10, 8), False),  # the last day off, a Wednesday
    (D(2025, 10, 9), True),
    (D(2025, 10, 11), True),  # Saturday, made a working day
    (D(2025, 10, 12), False),
])
def test_the_calendar_around_national_day_2025(day, working):
    assert is_working_day(day) is working


@pytest.mark.parametrize("n, due", [
    (0, D(2025, 9, 26)),
    (1, D(2025, 9, 28)),   # the make-up Sunday counts
    (2, D(2025, 9, 29)),
    (3, D(2025, 9, 30)),
    (4, D(2025, 10, 9)),   # the eight days off do not
    (5, D(2025, 10, 10)),
    (6, D(2025, 10, 11)),  # the make-up Saturday counts
    (7, D(2025, 10, 13)),
    (10, D(2025, 10, 16)),
])
def test_an_order_issued_on_friday_26_september(n, due):
    assert add_working_days(D(2025, 9, 26), n) == due


def test_an_order_issued_during_the_holiday_counts_from_the_first_working_day():
    assert add_working_days(D(2025, 10, 3), 1) == D(2025, 10, 9)
    assert add_working_days(datetime.datetime(2025, 9, 30, 17, 30), 1) == D(2025, 10, 9)


def test_counting_back_and_counting_between():
    assert add_working_days(D(2025, 10, 9), -1) == D(2025, 9, 30)
    assert add_working_days(D(2025, 10, 13), -7) == D(2025, 9, 26)
    assert working_days_between(D(2025, 9, 26), D(2025, 10, 13)) == 7
    assert working_days_between(D(2025, 10, 13), D(2025, 9, 26)) == 0


def test_years_the_calendar_does_not_know_are_an_error_that_says_so():
    first, last = covered_years()
    assert first <= 2025 <= last
    with pytest.raises(CalendarNotCovered) as exc:
        is_working_day(D(last + 1, 1, 5))
    assert str(last + 1) in str(exc.value) and f"{first}–{last}" in str(exc.value)
    with pytest.raises(CalendarNotCovered):
        add_working_days(D(last, 12, 20), 30)
    with pytest.raises(CalendarNotCovered):
        add_working_days(D(first, 1, 5), -10)


def test_n_must_be_a_whole_number():
    with pytest.raises(TypeError):
        add_working_days(D(2025, 9, 26), 1.5)
    with pytest.raises(TypeError):
        add_working_days(D(2025, 9, 26), True)


def test_a_year_entered_as_data_extends_the_calendar(tmp_path):
    """The next year's arrangement, published before a package release, is entered from a
    CSV; deadlines then run into it, holidays and make-up days included."""
    from django.core.management import call_command
    from django.core.management.base import CommandError

    from xiezuo.rhythm.models import CalendarDay
    from xiezuo.core.models import AuditEntry

    first, last = covered_years()
    year = last + 1
    new_year = D(year, 1, 1)
    saturday = next(D(year, 1, d) for d in range(2, 9) if D(year, 1, d).weekday() == 5)
    bad = tmp_path / "bad.csv"
    bad.write_text(f"date,working,name\n{year}-01-01,0,元旦\n{year}-13-01,0,?\n{year + 1}-01-01,0,x\n{saturday},yes,调休\n")
    with pytest.raises(CommandError) as exc:
        call_command("workcalendar", "load", str(bad), "--year", str(year), "--source", "test")
    message = str(exc.value)
    assert "row 3, date" in message and "row 4, date" in message and "row 5, working" in message
    assert not CalendarDay.objects.exists()
    with pytest.raises(CalendarNotCovered):
        is_working_day(new_year)

    good = tmp_path / "good.csv"
    good.write_text(f"date,working,name\n{year}-01-01,0,元旦\n{saturday},1,元旦调休\n")
    call_command("workcalendar", "load", str(good), "--year", str(year), "--source", "国办发明电（测试）")
    assert covered_years() == (first, year)
    assert is_working_day(new_year) is False
    assert is_working_day(saturday) is True
    assert is_working_day(saturday + datetime.timedelta(days=1)) is False  # an ordinary Sunday
    assert add_working_days(D(last, 12, 31), 1) != new_year
    assert AuditEntry.objects.filter(object_type="rhythm.calendarday", action="create").count() == 2
    with pytest.raises(CalendarNotCovered):
        is_working_day(D(year + 1, 3, 1))


def test_only_the_national_coordinator_enters_the_country_calendar(users):
    """The command enters a year as the system; on the platform only the national coordinator
    may, and the notice the days come from is required."""
    from xiezuo.core.errors import PermissionDenied, ValidationError
    from xiezuo.rhythm.actions import enter_holiday_arrangement
    from xiezuo.rhythm.models import CalendarYear

    year = covered_years()[1] + 1
    days = [(D(year, 1, 1), False, "元旦")]
    with pytest.raises(PermissionDenied):
        enter_holiday_arrangement(users["west_office"], year=year, source="国办发明电（测试）", days=days)
    with pytest.raises(ValidationError) as exc:
        enter_holiday_arrangement(users["national"], year=year, source=" ", days=[(D(year + 1, 1, 1), False, "x")])
    assert set(exc.value.message_dict) == {"source", "days"}
    assert not CalendarYear.objects.filter(year=year).exists()
    enter_holiday_arrangement(users["national"], year=year, source="国办发明电（测试）", days=days)
    assert is_working_day(D(year, 1, 1)) is False

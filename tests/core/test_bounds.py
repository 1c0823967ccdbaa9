"""Bad input never reaches the database or a 500 (issue 12): amounts above the stated maximum
(100亿元) and days outside 2000-01-01 … 2099-12-31 are refused with the field named on the
pages and in the actions; pages with a malformed week answer with a message; the money pages
and `ledger balances` still answer when an absurd row got in before the bound existed."""
import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from tests.support import agreement_of, county_pair
from tests.support import agreement, today  # noqa: F401 (fixtures)
from xiezuo.core.dates import FIRST_DAY, LAST_DAY, check_day, parse_day
from xiezuo.core.errors import ValidationError
from xiezuo.core.money import MAX_FEN, MoneyError, check_fen, yuan_to_fen
from xiezuo.ledger import actions as ledger
from xiezuo.ledger.choices import Kind
from xiezuo.ledger.models import Posting
from xiezuo.pairings.models import Agreement
from xiezuo.projects.actions import create_project
from xiezuo.regions.models import Region

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
WAN = 10_000_00


# --- the stated bounds ------------------------------------------------------------------------


def test_the_maximum_amount_leaves_room_for_millions_of_rows_in_a_64_bit_sum():
    assert MAX_FEN == 10**12  # 100亿元
    assert 9_000_000 * MAX_FEN < 2**63 - 1


@pytest.mark.parametrize("typed", ["1e30", "10000000000.01", "99999999999999999999", "1e999999"])
def test_yuan_above_the_maximum_are_refused(typed):
    with pytest.raises(MoneyError, match="too large"):
        yuan_to_fen(typed)


def test_the_maximum_itself_is_accepted():
    assert yuan_to_fen("10,000,000,000") == MAX_FEN
    assert check_fen(MAX_FEN) == MAX_FEN
    for fen in (MAX_FEN + 1, 2**62, 2**63 - 1, 2**63, 2**64):
        with pytest.raises(MoneyError):
            check_fen(fen)


def test_days_outside_the_range_are_refused():
    assert check_day(FIRST_DAY) == FIRST_DAY and check_day(LAST_DAY) == LAST_DAY
    for day in (datetime.date(1, 1, 1), datetime.date(1999, 12, 31), datetime.date(2100, 1, 1), datetime.date(9999, 12, 31)):
        with pytest.raises(ValueError, match="outside the range 2000-01-01 to 2099-12-31"):
            check_day(day)
    with pytest.raises(ValueError):
        parse_day("0001-01-01")


# --- pages --------------------------------------------------------------------------------------


def test_allocating_1e30_yuan_on_the_funds_page_is_a_form_error(client_as, agreement):
    client = client_as("east_office")
    url = reverse("ledger-allocate")
    key = client.get(url).context["form"]["idempotency_key"].value()
    response = client.post(url, {"agreement": agreement.pk, "amount": "1e30", "idempotency_key": key})
    assert response.status_code == 200
    assert "100亿元" in response.context["form"].errors["amount"][0]  # the maximum, named in either language
    assert not Posting.objects.filter(kind=Kind.ALLOCATION).exists()


def test_allocating_above_the_maximum_through_the_action_names_the_amount(users, agreement):
    with pytest.raises(ValidationError) as caught:
        ledger.allocate(users["east_office"], agreement=agreement, amount_fen=2**62, idempotency_key="huge")
    assert "amount_fen" in caught.value.message_dict
    assert not Posting.objects.exists()


@pytest.mark.parametrize("week", ["0001-W01", "9999-W52", "0000-W01", "2026-W99", "1999-W52", "abc"])
def test_a_weekly_sheet_for_a_week_out_of_range_shows_this_week_with_the_reason(client_as, week):
    response = client_as("east_office").get(reverse("weekly-sheet"), {"week": week})
    assert response.status_code == 200
    assert response.context["week_error"]


@pytest.mark.parametrize("year", [1, 1999, 2100, 9999])
def test_project_dates_outside_the_range_are_refused(users, year):
    with pytest.raises(ValidationError) as caught:
        create_project(users["county_office"], name="远古项目", category="industry", county=Region.objects.get(code="513436"),
                       pairing=county_pair(), planned_start=datetime.date(year, 1, 1), planned_end=datetime.date(year, 12, 31))
    assert "planned_start" in caught.value.message_dict


def test_a_posting_dated_year_1_is_refused(users, agreement):
    with pytest.raises(ValidationError) as caught:
        ledger.allocate(users["east_office"], agreement=agreement, amount_fen=WAN, idempotency_key="old",
                        booked_on=datetime.date(1, 1, 1))
    assert "outside the range" in caught.value.message_dict["booked_on"][0]


# --- rows that got in before the bound: the pages still answer ----------------------------------


@pytest.fixture
def absurd_rows(users, agreement, monkeypatch):
    """What issue 12 found stored: an agreement of 2^63 − 1 fen and allocations of 2^62 fen
    under two pairings, whose total passes 2^63 (allowed here by lifting the bound, as before
    the change)."""
    Agreement.objects.filter(pk=agreement.pk).update(fiscal_aid_fen=2**63 - 1)
    monkeypatch.setattr("xiezuo.ledger.rules.MAX_FEN", 2**63 - 1)
    other = agreement_of(county_pair("330281", "513431"))
    for key, a in (("big-1", agreement), ("big-2", other)):
        ledger.allocate(users["national"], agreement=a, amount_fen=2**62, idempotency_key=key)
    assert Posting.objects.filter(kind=Kind.ALLOCATION).count() == 2


@pytest.mark.parametrize("username", ["national", "east_office", "west_office", "county_office", "auditor"])
@pytest.mark.parametrize("page", ["dashboard", "ledger-index"])
def test_money_pages_answer_even_with_absurd_rows_stored(client_as, absurd_rows, username, page):
    assert client_as(username).get(reverse(page)).status_code == 200


def test_ledger_balances_command_answers_even_with_absurd_rows_stored(absurd_rows):
    out = io.StringIO()
    call_command("ledger", "balances", stdout=out)
    assert out.getvalue()


def test_sums_stay_exact_for_real_amounts(users, agreement, today):
    """The overflow-proof sum on SQLite gives the same figure to the fen."""
    from django.db.models import Sum

    amounts = [MAX_FEN, MAX_FEN - 1, 1, 12_345]
    for i, amount in enumerate(amounts):
        ledger.allocate(users["national"], agreement=agreement, amount_fen=amount, idempotency_key=f"exact-{i}")
    total = Posting.objects.filter(kind=Kind.ALLOCATION).aggregate(s=Sum("amount_fen"))["s"]
    assert total == sum(amounts)
    assert Posting.objects.filter(kind=Kind.ARRIVAL).aggregate(s=Sum("amount_fen"))["s"] is None
    assert timezone.localdate()


def test_a_pairing_and_a_weekly_report_dated_outside_the_range_are_refused(users):
    """The page form and the action refuse what the API refuses: a pairing starting in year 1
    and a weekly report for a week in 9999, each naming its field."""
    from xiezuo.pairings.actions import create_pairing
    from xiezuo.projects.actions import submit_report

    with pytest.raises(ValidationError) as refused:
        create_pairing(users["national"], kind="county", east_region=Region.objects.get(code="330212"),
                       west_region=Region.objects.get(code="513436"), valid_from=datetime.date(1, 1, 1))
    assert "valid_from" in refused.value.message_dict
    project = create_project(users["county_office"], code="MG-RANGE", name="美姑县测试项目", category="industry",
                             county=Region.objects.get(code="513436"), pairing=county_pair(),
                             planned_start=datetime.date(2026, 1, 5), planned_end=datetime.date(2026, 12, 31))
    with pytest.raises(ValidationError) as refused:
        submit_report(users["county_office"], project, week=datetime.date(9999, 1, 4), percent=5)
    assert "week" in refused.value.message_dict

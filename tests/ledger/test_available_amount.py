"""The stage forms show what may be posted before an amount is typed, in 元: what has arrived
at the paying office and is not yet disbursed (可拨付余额), what a project's account holds
(可支出余额), what an agreement committed and is not yet allocated; the same figures the
ledger checks an overdraw against, and only for rows the user may post on."""
import pytest
from django.urls import reverse

from tests.support import agreement, english_client_as, gd_office, guiyang, gz_money, meigu, money, today  # noqa: F401
from xiezuo.core.money import format_yuan
from xiezuo.ledger.actions import office_of
from xiezuo.ledger.balances import balance
from xiezuo.ledger.choices import Purpose
from xiezuo.ledger.models import Account

pytestmark = pytest.mark.django_db
WAN = 10_000_00


def yuan(fen):
    return format_yuan(fen).replace("¥", "")


def receiving(meigu):
    return balance(Account.objects.get(owner=office_of(meigu.county), purpose=Purpose.WEST_RECEIVING, project=None))


def box(response):
    page = response.content.decode()
    assert 'data-testid="available"' in page
    return page.split('data-testid="available"')[1].split("</div>")[0]


def test_the_disbursement_form_shows_what_may_be_disbursed_before_anything_is_typed(client_as, money, meigu, english):
    shown = box(client_as("county_office").get(reverse("ledger-disburse")))
    assert "available to disburse" in shown and f"{yuan(receiving(meigu))} yuan" in shown
    assert "美姑县" in shown  # at which office


def test_the_amount_follows_the_project_chosen(client_as, money, meigu, english):
    c = client_as("county_office")
    shown = box(c.get(reverse("ledger-disburse"), {"project": meigu.code}))
    assert f"{yuan(receiving(meigu))} yuan" in shown
    held = balance(Account.objects.get(project=meigu, purpose=Purpose.PROJECT))
    assert held == 30 * WAN
    shown = box(c.get(reverse("ledger-spend"), {"project": meigu.code}))
    assert "available to spend" in shown and "300,000.00 yuan" in shown
    data = c.get(reverse("ledger-available"), {"stage": "spending", "pick": meigu.code}).json()["available"]
    assert data["fen"] == 30 * WAN and data["text"] == "300,000.00"


def test_the_figure_is_what_the_ledger_refuses_beyond(client_as, money, meigu, english):
    c = client_as("county_office")
    available = c.get(reverse("ledger-available"), {"stage": "disbursement", "pick": meigu.code}).json()["available"]
    over = c.post(reverse("ledger-disburse"), {"project": meigu.code, "amount": f"{available['fen'] / 100 + 0.01:.2f}",
                                                "idempotency_key": "over-1"})
    assert over.status_code == 200 and f"¥{available['text']}" in over.content.decode()
    ok = c.post(reverse("ledger-disburse"), {"project": meigu.code, "amount": "10000", "idempotency_key": "ok-1"})
    assert ok.status_code == 302
    after = c.get(reverse("ledger-available"), {"stage": "disbursement", "pick": meigu.code}).json()["available"]
    assert after["fen"] == available["fen"] - 10000_00


def test_the_allocation_form_shows_what_the_agreement_has_left(client_as, money, agreement, english):
    shown = box(client_as("east_office").get(reverse("ledger-allocate"), {"agreement": agreement.pk}))
    assert "committed, not yet allocated" in shown
    assert f"{yuan(agreement.fiscal_aid_fen - 100 * WAN)} yuan" in shown


def test_the_amount_is_not_told_for_rows_one_may_not_post_on(client_as, client, money, meigu, guiyang, gz_money):
    county = client_as("county_office")
    assert county.get(reverse("ledger-available"), {"stage": "spending", "pick": guiyang.code}).json()["available"] is None
    assert county.get(reverse("ledger-available"), {"stage": "arrival", "pick": gz_money.pk}).json()["available"] is None
    # the side that does not post the stage is refused; readers and strangers too
    assert client_as("east_office").get(reverse("ledger-available"), {"stage": "spending", "pick": meigu.code}).status_code == 403
    assert county.get(reverse("ledger-available"), {"stage": "allocation", "pick": "1"}).status_code == 403
    assert client_as("viewer").get(reverse("ledger-available"), {"stage": "spending", "pick": meigu.code}).status_code == 403
    assert client.get(reverse("ledger-available"), {"stage": "spending", "pick": meigu.code}).status_code == 302


def test_the_pickers_are_searchable(client_as, money, meigu):
    page = client_as("east_office").get(reverse("ledger-allocate")).content.decode()
    assert 'data-search-select="choices"' in page and 'name="agreement"' in page
    page = client_as("county_office").get(reverse("ledger-disburse")).content.decode()
    assert 'data-search-select="text"' in page and reverse("ledger-project-search") in page
    # a project may be typed by its name
    response = client_as("county_office").post(reverse("ledger-disburse"), {"project": meigu.name, "amount": "1",
                                                                           "idempotency_key": "by-name"})
    assert response.status_code == 302

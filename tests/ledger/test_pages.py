"""The funds pages: who sees which postings and is offered which stage forms (a matrix of
roles), balances and replays, filters and export, and the ledger's rule that each side posts
only its own steps, through the pages; double submits post once.

Pages answer in English here (the language switch's cookie, see `support.english_client_as`)
so that tests can match the wording.
"""
import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.support import office, xlsx_rows
from tests.support import agreement, client_for, english_client_as, gd_office, guiyang, gz_money, meigu, money, today  # noqa: F401 (fixtures, defined once)
from xiezuo.ledger.choices import Kind
from xiezuo.ledger.models import Posting

pytestmark = pytest.mark.django_db
WAN = 10_000_00
ROLES = ("national", "east_office", "west_office", "county_office", "viewer", "auditor", "gd_office")


# --- the matrix ----------------------------------------------------------------------


# role → (sees the 美姑 postings, stage forms offered)
LEDGER_MATRIX = {
    "national": (True, {"allocate", "arrival", "disburse", "spend"}),
    "east_office": (True, {"allocate"}),
    "west_office": (True, {"arrival", "disburse", "spend"}),
    "county_office": (True, {"arrival", "disburse", "spend"}),
    "viewer": (True, set()),
    "auditor": (True, set()),
    "gd_office": (False, {"allocate"}),
}


@pytest.mark.parametrize("role", ROLES)
def test_ledger_pages_for_each_role(role, client_for, money, gz_money):
    sees, stages = LEDGER_MATRIX[role]
    c = client_for(role)
    index = c.get(reverse("ledger-index"))
    assert index.status_code == 200
    for p in money.values():
        assert c.get(reverse("ledger-posting", args=[p.pk])).status_code == (200 if sees else 404)
    sees_gz = role in ("national", "auditor", "gd_office")
    assert c.get(reverse("ledger-posting", args=[gz_money.pk])).status_code == (200 if sees_gz else 404)
    postings = c.get(reverse("ledger-postings")).content.decode()
    assert (f"#{money['disb'].pk}<" in postings) is sees
    for stage in ("allocate", "arrival", "disburse", "spend"):
        assert c.get(reverse(f"ledger-{stage}")).status_code == (200 if stage in stages else 403), stage


# --- funds --------------------------------------------------------------------------


def test_ledger_index_figures_and_balances(client_as, money, english):
    response = client_as("county_office").get(reverse("ledger-index"))
    figures = {f["key"]: f["fen"] for f in response.context["figures"]}
    assert figures["allocated"] == 100 * WAN and figures["arrived"] == 100 * WAN
    assert figures["disbursed"] == 40 * WAN and figures["spent"] == 10 * WAN and figures["committed"] > 0
    balances = {(a.owner.region.code, a.purpose, a.project_id): a.balance for a in response.context["accounts"]}
    assert balances[("513436", "west_receiving", None)] == 60 * WAN
    assert balances[("513436", "project", money["disb"].project_id)] == 30 * WAN
    assert balances[("513436", "project_spending", money["disb"].project_id)] == 10 * WAN
    assert balances[("513436", "in_transit", None)] == 0
    assert response.context["timeliness"]["allocated_fen"] == 100 * WAN


def test_account_page_replays_its_entries(client_as, money):
    from xiezuo.ledger.models import Account

    account = Account.objects.get(owner=office("513436"), purpose="west_receiving")
    response = client_as("west_office").get(reverse("ledger-account", args=[account.pk]))
    assert response.status_code == 200
    assert [running for _e, running in response.context["lines"]] == [100 * WAN, 60 * WAN]
    assert response.context["balance"] == 60 * WAN
    assert client_as("national").get(reverse("ledger-account", args=[account.pk])).status_code == 200


def test_account_page_out_of_scope_is_404(client_for, money):
    from xiezuo.ledger.models import Account

    account = Account.objects.get(owner=office("513436"), purpose="west_receiving")
    assert client_for("gd_office").get(reverse("ledger-account", args=[account.pk])).status_code == 404


def test_postings_filters_and_export(client_as, money, english):
    c = client_as("national")
    url = reverse("ledger-postings")
    page = c.get(url, {"kind": "disbursement"})
    assert [p.pk for p in page.context["page"]] == [money["disb"].pk]
    assert {p.pk for p in c.get(url, {"q": money["disb"].project.code}).context["page"]} == {money["disb"].pk, money["spend"].pk}
    rows = xlsx_rows(c.get(url, {"format": "xlsx", "kind": "allocation"}))
    header, body = rows[0], rows[1:]
    assert len(body) == 1
    row = dict(zip(header, body[0]))
    assert "amount (fen)" not in row and row["amount (yuan)"] == 1_000_000
    assert row["kind"] == "allocation" and row["idempotency key"] == "t-alloc" and row["reversed"] == "no"
    assert row["western side"] == office("513436").name


def test_posting_page_shows_balanced_entries_and_reversal_links(client_as, money, english):
    c = client_as("county_office")
    response = c.get(reverse("ledger-posting", args=[money["spend"].pk]))
    assert response.context["debits"] == response.context["credits"] == 10 * WAN
    assert response.context["may_reverse"] and 'data-testid="reverse-link"' in response.content.decode()
    url = reverse("ledger-reverse", args=[money["spend"].pk])
    form = c.get(url).context["form"]
    key = form["idempotency_key"].value()
    assert key.startswith("web-")
    assert c.post(url, {"reason": "", "idempotency_key": key}).status_code == 200  # a reason is required
    response = c.post(url, {"reason": "重复登记", "idempotency_key": key})
    assert response.status_code == 302
    reversal = Posting.objects.get(reversal_of=money["spend"])
    again = c.post(url, {"reason": "重复登记", "idempotency_key": key})  # the double submit
    assert again.status_code == 302 and again["Location"] == response["Location"]
    assert Posting.objects.filter(reversal_of=money["spend"]).count() == 1
    original = c.get(reverse("ledger-posting", args=[money["spend"].pk])).content.decode()
    assert 'data-testid="reversal-link"' in original and not c.get(
        reverse("ledger-posting", args=[money["spend"].pk])).context["may_reverse"]
    assert 'data-testid="reversal-of-link"' in c.get(reverse("ledger-posting", args=[reversal.pk])).content.decode()
    # A reversal is not reversed; the original not twice.
    assert c.get(reverse("ledger-reverse", args=[reversal.pk])).status_code == 403
    response = c.post(url, {"reason": "again", "idempotency_key": "web-another"})
    assert "this posting was already reversed" in response.content.decode()


def _key(client, url, **params):
    return client.get(url, params).context["form"]["idempotency_key"].value()


def test_the_stages_through_the_pages_and_double_submits_post_once(client_as, meigu, agreement, today):
    east, west = client_as("east_office"), client_as("county_office")
    url = reverse("ledger-allocate")
    data = {"agreement": agreement.pk, "amount": "500,000", "memo": "第一批", "idempotency_key": _key(east, url)}
    first = east.post(url, data)
    assert first.status_code == 302
    assert east.post(url, data)["Location"] == first["Location"]
    alloc = Posting.objects.get(kind=Kind.ALLOCATION, memo="第一批")
    assert Posting.objects.filter(kind=Kind.ALLOCATION).count() == 1 and alloc.amount_fen == 50 * WAN

    url = reverse("ledger-arrival")
    assert alloc in west.get(url).context["form"].fields["allocation"].queryset
    data = {"allocation": alloc.pk, "arrived_on": today.isoformat(), "idempotency_key": _key(west, url)}
    first = west.post(url, data)
    assert first.status_code == 302
    assert west.post(url, data)["Location"] == first["Location"]
    assert Posting.objects.filter(kind=Kind.ARRIVAL).count() == 1
    assert alloc not in west.get(url).context["form"].fields["allocation"].queryset

    url = reverse("ledger-disburse")
    data = {"project": meigu.code, "amount": "200,000", "idempotency_key": _key(west, url, project=meigu.code)}
    assert west.post(url, data).status_code == 302
    assert west.post(url, data).status_code == 302
    assert Posting.objects.filter(kind=Kind.DISBURSEMENT).count() == 1

    url = reverse("ledger-spend")
    data = {"project": meigu.code, "amount": "50,000", "booked_on": today.isoformat(), "idempotency_key": _key(west, url)}
    assert west.post(url, data).status_code == 302
    assert west.post(url, data).status_code == 302
    spend = Posting.objects.get(kind=Kind.SPENDING)
    assert spend.amount_fen == 5 * WAN and spend.booked_on == today


def test_east_cannot_post_the_wests_steps_and_west_cannot_allocate(client_as, money, meigu, agreement, today):
    before = Posting.objects.count()
    east = client_as("east_office")
    for stage in ("arrival", "disburse", "spend"):
        assert east.get(reverse(f"ledger-{stage}")).status_code == 403
    assert east.post(reverse("ledger-disburse"), {"project": meigu.code, "amount": "1", "idempotency_key": "e1"}).status_code == 403
    assert east.post(reverse("ledger-spend"), {"project": meigu.code, "amount": "1", "idempotency_key": "e2"}).status_code == 403
    assert east.post(reverse("ledger-arrival"), {"allocation": money["alloc"].pk, "arrived_on": today.isoformat(),
                                                 "idempotency_key": "e3"}).status_code == 403
    for role in ("west_office", "county_office"):
        west = client_as(role)
        assert west.get(reverse("ledger-allocate")).status_code == 403
        assert west.post(reverse("ledger-allocate"), {"agreement": agreement.pk, "amount": "1", "idempotency_key": "w1"}).status_code == 403
    # Reversing is for the side that posted: the east may not reverse the west's disbursement, nor the west the allocation.
    assert east.get(reverse("ledger-reverse", args=[money["disb"].pk])).status_code == 403
    assert east.post(reverse("ledger-reverse", args=[money["disb"].pk]), {"reason": "x", "idempotency_key": "e4"}).status_code == 403
    assert client_as("county_office").post(reverse("ledger-reverse", args=[money["alloc"].pk]),
                                           {"reason": "x", "idempotency_key": "w2"}).status_code == 403
    for role in ("viewer", "auditor"):
        for stage in ("allocate", "arrival", "disburse", "spend"):
            assert client_as(role).post(reverse(f"ledger-{stage}"), {}).status_code == 403
    assert Posting.objects.count() == before


def test_stage_forms_refuse_bad_input(client_as, money, meigu, agreement, guiyang, today, english):
    west = client_as("county_office")
    url = reverse("ledger-disburse")
    cases = [
        ({"amount": "-5"}, "amount", "amounts cannot be negative"),
        ({"amount": "0"}, "amount", "the amount must be more than zero"),
        ({"amount": "0.001"}, "amount", "at most two decimal places"),
        ({"amount": "999,999,999"}, "amount", "more than has arrived"),
        ({"project": guiyang.code}, "project", "no project"),
        ({"project": "P-NOPE"}, "project", "no project"),
        ({"booked_on": (today + datetime.timedelta(days=3)).isoformat()}, "booked_on", "is in the future"),
    ]
    for change, field, message in cases:
        data = {"project": meigu.code, "amount": "1", "idempotency_key": f"bad-{field}-{change}", **change}
        response = west.post(url, data)
        assert response.status_code == 200, change
        assert message in " ".join(response.context["form"].errors.get(field, [])), (change, response.context["form"].errors)
    spend = west.post(reverse("ledger-spend"), {"project": meigu.code, "amount": "400,000", "idempotency_key": "too-much"})
    assert "more than the project holds" in " ".join(spend.context["form"].errors["amount"])
    # The same key with another body is refused.
    reuse = west.post(url, {"project": meigu.code, "amount": "2", "idempotency_key": "t-disb"})
    assert "was already used" in " ".join(reuse.context["form"].non_field_errors() + reuse.context["form"].errors.get("idempotency_key", []))
    east = client_as("east_office")
    bad = east.post(reverse("ledger-allocate"), {"agreement": agreement.pk, "amount": "abc", "idempotency_key": "x"})
    assert "amount" in bad.context["form"].errors
    arrival = west.post(reverse("ledger-arrival"), {"allocation": money["alloc"].pk, "arrived_on": today.isoformat(),
                                                    "idempotency_key": "second-arrival"})
    assert "already arrived" in " ".join(arrival.context["form"].errors["allocation"])
    assert Posting.objects.count() == 4


def test_project_page_offers_the_ledger_steps_only_to_the_western_side(client_as, meigu):
    disburse = reverse("ledger-disburse") + f"?project={meigu.code}"
    for role, offered in (("county_office", True), ("west_office", True), ("national", True), ("east_office", False),
                          ("viewer", False)):
        html = client_as(role).get(reverse("project-detail", args=[meigu.pk])).content.decode()
        assert (disburse in html) is offered, role


def test_ledger_index_pages_its_accounts(client_as, money, english):
    response = client_as("national").get(reverse("ledger-index"), {"year": "abc"})
    assert response.status_code == 200 and response.context["year"] == timezone.localdate().year
    assert response.context["page"].paginator.count >= 5


def test_ledger_writes_out_of_scope(client_for, money, agreement, english):
    c = client_for("gd_office")
    assert c.get(reverse("ledger-reverse", args=[money["disb"].pk])).status_code == 404
    assert c.post(reverse("ledger-reverse", args=[money["alloc"].pk]), {"reason": "x", "idempotency_key": "g1"}).status_code == 404
    # Another province's agreement is not among the choices of the Guangdong office.
    response = c.post(reverse("ledger-allocate"), {"agreement": agreement.pk, "amount": "1", "idempotency_key": "g2"})
    assert response.status_code == 200 and "agreement" in response.context["form"].errors
    assert not Posting.objects.filter(idempotency_key__in=["g1", "g2"]).exists()

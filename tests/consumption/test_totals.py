"""The consumption figures kept as a summary table: every writer adds to it in its own
transaction, certification decisions move purchases between counted and not counted, the
figures equal those summed from the purchases (the computation the table replaced), and
`check()` names a tampered row."""
import datetime

import pytest
from django.db import connection, transaction
from django.db.models import Q, Sum
from django.db.models.functions import ExtractMonth

from xiezuo.consumption import actions, totals
from xiezuo.consumption.choices import Channel
from xiezuo.consumption.figures import channel_figures, own_agreements
from xiezuo.consumption.filtersets import purchases
from xiezuo.consumption.models import Purchase, counted_q
from xiezuo.consumption.purchases import PurchaseRow
from xiezuo.consumption.rules import purchase_field_errors
from xiezuo.ingest.batch import ingest
from xiezuo.pairings.models import Agreement

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)
ROLES = ("national", "east_office", "west_office", "county_office", "viewer", "auditor", "gd_office", "foundation")


def buy(user, cw, product, day, evidence, amount=100_00, channel="ecommerce", buyer="union"):
    return actions.record_purchase(user, buyer=cw[buyer], product=cw[product], amount_fen=amount, purchased_on=day, channel=channel,
                                   evidence_number=evidence)


def old_figures(user, year) -> dict:
    """The channel figures as they were computed before the summary table: summed from the
    purchases the user sees, the certificate condition evaluated per purchase."""
    qs = purchases(user, year=year).order_by()
    by_channel = dict(qs.values_list("channel").annotate(s=Sum("amount_fen")).values_list("channel", "s"))
    months = {r["m"]: (r["recorded"] or 0, r["counted"] or 0) for r in qs.annotate(m=ExtractMonth("purchased_on")).values("m").annotate(
        recorded=Sum("amount_fen"), counted=Sum("amount_fen", filter=counted_q()))}
    against = {}
    for a in own_agreements(user, year):
        against[a.pk] = Purchase.objects.filter(
            counted_q(), buyer_region__code__startswith=a.pairing.east_region.prefix, county__code__startswith=a.pairing.west_region.prefix,
            purchased_on__year=year).aggregate(s=Sum("amount_fen"))["s"] or 0
    return {"by_channel": [(c.value, by_channel.get(c.value, 0) or 0) for c in Channel],
            "by_month": [(m, *months.get(m, (0, 0))) for m in range(1, 13)], "against": against}


def new_figures(user, year) -> dict:
    f = channel_figures(user, year)
    return {"by_channel": [(v, fen) for v, _label, fen in f["by_channel"]], "by_month": f["by_month"],
            "against": {a.pk: fen for a, fen in f["agreements"]}}


@pytest.fixture
def agreements(cw, today):
    """Consumption commitments of the year for the demo's region pairings around 美姑县."""
    from xiezuo.pairings.models import Pairing

    made = []
    for p in Pairing.objects.filter(kind__in=("province", "prefecture", "county"), status="approved"):
        a = Agreement.objects.filter(pairing=p, year=today.year).first()
        if a is None:
            a = Agreement.objects.create(pairing=p, year=today.year, fiscal_aid_fen=0, consumption_fen=1_000_000_00)
        made.append(a)
    return made


def world(users, cw, today):
    """Purchases inside and outside the certificate's validity, of an uncertified product, by a
    buyer outside the pairings, through several channels, then a revocation and a certificate
    approved after its purchases (one expired before today)."""
    east, county, national = users["east_office"], users["county_office"], users["national"]
    cert = cw["cert"]
    buy(east, cw, "potato", cert.valid_from - DAY, "W-before", 11_00, "fair")
    buy(east, cw, "potato", cert.valid_from, "W-first", 12_00, "direct", buyer="unit")
    buy(county, cw, "potato", today - 20 * DAY, "W-mid", 13_00, "locker", buyer="people")
    buy(east, cw, "potato", today - 5 * DAY, "W-revoked-day", 14_00)
    buy(east, cw, "potato", today, "W-after", 15_00, "platform")
    buy(national, cw, "potato", today - DAY, "W-gz", 16_00, "store", buyer="gz")
    for i, day in enumerate((today - 40 * DAY, today - 30 * DAY, today - 3 * DAY, today - 2 * DAY)):
        buy(county, cw, "chicken", day, f"W-chicken-{i}", 17_00 + i, "ecommerce")
    actions.revoke_certificate(users["west_office"], cert, revoked_on=today - 5 * DAY, reason="抽检不合格")
    late = actions.apply_certification(county, cw["chicken"])
    actions.decide_certificate(users["west_office"], late, approve=True, number="SC-LATE", valid_from=today - 35 * DAY,
                               valid_to=today - 3 * DAY)  # expired two days ago


def test_figures_equal_the_sums_of_the_purchases(users, cw, today, agreements):
    world(users, cw, today)
    assert totals.check() == []
    years = {today.year, (today - 40 * DAY).year, (cw["cert"].valid_from - DAY).year}
    for role in ROLES:
        for year in years:
            assert new_figures(users[role], year) == old_figures(users[role], year), (role, year)
    national = channel_figures(users["national"], today.year)
    assert national["counted_against_fen"] > 0 and national["counted_fen"] < national["recorded_fen"]


def test_the_unfiltered_list_totals_from_the_summary_equal_the_lists_own_sums(users, cw, today):
    from django.test import Client

    from xiezuo.consumption.filtersets import totals as list_totals

    world(users, cw, today)
    for role in ROLES:
        summed = list_totals(purchases(users[role]))
        assert totals.recorded_and_counted(users[role]) == summed, role
    client = Client()
    client.force_login(users["east_office"])
    page = client.get("/consumption/")
    assert page.status_code == 200 and page.context["totals"] == list_totals(purchases(users["east_office"]))
    filtered = client.get("/consumption/", {"channel": "ecommerce"})
    assert filtered.context["totals"] == list_totals(purchases(users["east_office"], channel="ecommerce"))


def test_the_purchase_list_shows_and_counts_what_the_scoping_rule_shows_each_role(users, cw, today, client):
    """The list's scope as conditions on the purchase's own columns, its order through another
    plan for a county, its length from the summary: the same rows, order and totals as the
    scoping rule applied to the purchases directly."""
    from xiezuo.consumption.filtersets import totals as list_totals
    from xiezuo.core.scoping import visible

    world(users, cw, today)
    for i in range(30):  # more than a page for the county office
        buy(users["county_office"], cw, "potato", today - (i % 7) * DAY, f"P-{i}", 1_00 + i, "fair")
    for role in ROLES:
        user = users[role]
        for filters in ({}, {"channel": "fair"}, {"region": "513436"}):
            plain = visible(user, Purchase.objects.filter(**({"channel": "fair"} if "channel" in filters else {})))
            if "region" in filters:
                plain = plain.filter(Q(county__code__startswith="513436") | Q(buyer_region__code__startswith="513436"))
            plain = plain.order_by("-purchased_on", "-id")
            assert list(purchases(user, **filters).values_list("id", flat=True)) == list(plain.values_list("id", flat=True)), (role, filters)
            sums = plain.aggregate(recorded=Sum("amount_fen"), counted=Sum("amount_fen", filter=counted_q()))
            expected = {"recorded": sums["recorded"] or 0, "counted": sums["counted"] or 0, "n": plain.count()}
            assert list_totals(purchases(user, **filters)) == expected, (role, filters)
            if not filters:
                assert totals.recorded_and_counted(user) == expected, role
        client.force_login(user)
        for filters in ({}, {"channel": "fair"}):
            page = client.get("/consumption/", filters)
            assert page.status_code == 200, role
            plain = visible(user, Purchase.objects.filter(**filters)).order_by("-purchased_on", "-id")
            assert page.context["page"].paginator.count == plain.count(), (role, filters)
            assert [p.pk for p in page.context["page"]] == list(plain.values_list("id", flat=True)[:len(page.context["page"])]), role
            assert page.context["totals"] == list_totals(purchases(user, **filters)), (role, filters)
    assert totals.check() == []


def test_a_revocation_and_an_approval_move_purchases_in_their_own_transaction(users, cw, today):
    east = users["east_office"]
    buy(east, cw, "potato", today - 2 * DAY, "R-1", 50_00)
    buy(east, cw, "chicken", today - 2 * DAY, "R-2", 70_00)
    before = channel_figures(users["national"], today.year)["counted_fen"]
    with transaction.atomic():
        actions.revoke_certificate(users["west_office"], cw["cert"], revoked_on=today - 2 * DAY, reason="x")
        assert channel_figures(users["national"], today.year)["counted_fen"] == before - 50_00
        transaction.set_rollback(True)
    assert channel_figures(users["national"], today.year)["counted_fen"] == before
    cert = actions.apply_certification(users["county_office"], cw["chicken"])
    actions.decide_certificate(users["west_office"], cert, approve=True, number="SC-C", valid_from=today - 3 * DAY, valid_to=today)
    assert channel_figures(users["national"], today.year)["counted_fen"] == before + 70_00
    assert totals.check() == []


def test_a_write_changes_the_figures_in_its_own_transaction_and_a_rollback_leaves_them(users, cw, today):
    east = users["east_office"]
    start = channel_figures(east, today.year)
    with transaction.atomic():
        buy(east, cw, "potato", today, "T-1", 99_00, "fair")
        inside = channel_figures(east, today.year)
        assert inside["recorded_fen"] == start["recorded_fen"] + 99_00
        assert inside["counted_fen"] == start["counted_fen"] + 99_00
        transaction.set_rollback(True)
    assert channel_figures(east, today.year) == start
    # a refused batch (ingestion) leaves them too
    item = {"type": "purchase", "client_id": "t-1", "buyer": cw["union"].pk, "product": cw["potato"].pk, "amount_fen": 5_00,
            "purchased_on": today.isoformat(), "channel": "fair", "evidence_number": "T-2"}
    out = ingest(east, [item, dict(item, client_id="t-2")])  # the same evidence number twice
    assert not out.ok and channel_figures(east, today.year) == start
    out = ingest(east, [item])
    assert out.ok and channel_figures(east, today.year)["recorded_fen"] == start["recorded_fen"] + 5_00
    assert totals.check() == []


def test_check_names_a_tampered_row_and_rebuild_repairs_it(users, cw, today):
    buy(users["east_office"], cw, "potato", today, "X-1", 30_00, "fair")
    assert totals.check() == []
    with connection.cursor() as cur:
        cur.execute(f"UPDATE {totals.TABLE} SET fen = fen + 7 WHERE east = '' AND west = '' AND channel = 'fair'")
    diffs = totals.check()
    assert diffs == [(today.year, "", "", today.month, "fair", 1, 30_07, 30_00)]
    assert totals.rebuild() > 0 and totals.check() == []


@pytest.mark.parametrize("change", [
    {}, {"amount_fen": 0}, {"amount_fen": -1}, {"amount_fen": 10**12}, {"amount_fen": 10**12 + 1}, {"amount_fen": True},
    {"amount_fen": 1.5}, {"purchased_on": datetime.date(1999, 12, 31)}, {"purchased_on": "2026-01-01"}, {"future": True},
    {"channel": "nowhere"}, {"channel": None}, {"evidence_number": ""}, {"evidence_number": "  "}, {"evidence_number": "x" * 64},
    {"evidence_number": "x" * 65}, {"evidence_number": "a\x00b"}, {"evidence_number": 12}, {"channel_name": "y" * 100},
    {"channel_name": "y" * 101}, {"channel_name": "\x00"}, {"channel_name": None},
])
def test_the_usual_purchase_answer_equals_every_check(change, today):
    """`purchase_field_errors` answers a plainly valid purchase without running each check:
    the answer must be the one the checks give, on either side of every bound."""
    from xiezuo.consumption import rules

    row = PurchaseRow(amount_fen=1, purchased_on=today, channel="fair", evidence_number="E-1")
    for name, value in change.items():
        if name == "future":
            row.purchased_on = today + DAY
        else:
            setattr(row, name, value)
    fast = rules._plainly_valid(row, today)
    original = rules._plainly_valid
    try:
        rules._plainly_valid = lambda p, t: False
        slow = purchase_field_errors(row, today)
    finally:
        rules._plainly_valid = original
    assert purchase_field_errors(row, today) == slow
    if fast:
        assert slow == {}


def test_ingestion_names_a_product_the_sender_cannot_see(users, cw, today, english):
    """The batch reads buyers and products as plain values: one the sender may not see is
    unknown, as in the API."""
    from xiezuo.consumption.models import Product
    from xiezuo.orgs.models import Organisation
    from xiezuo.regions.models import Region

    gd = Region.objects.get(code="440106")
    elsewhere = Product.objects.create(name="广州某产品", supplier=Organisation.objects.create(name="广州某公司", kind="enterprise", region=gd),
                                       county=gd)
    item = {"type": "purchase", "client_id": "v-1", "buyer": cw["union"].pk, "product": elsewhere.pk, "amount_fen": 5_00,
            "purchased_on": today.isoformat(), "channel": "fair", "evidence_number": "V-1"}
    out = ingest(users["east_office"], [item])
    assert [(r["field"], r["reason"]) for r in out.refused] == [("product", f"no product has the id “{elsewhere.pk}”")]
    assert not Purchase.objects.filter(Q(evidence_number="V-1")).exists()

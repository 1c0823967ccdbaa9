"""The farmers' shares of a land-quota split are households of the county's monitoring
registry: split exactly to the fen by the hand-worked figures, chosen by number, head's name
or full ID number (shown masked), imported from Excel all or nothing, and shown — row by row to
the county's side, as counts to the eastern buyer — on the trade page, in the API and on the
household page."""
import pytest
from django.utils import translation
from django.core.exceptions import PermissionDenied, ValidationError

from tests.support import counts, pair, problems, project, reason, run  # noqa: F401  (fixtures)
from xiezuo.core.models import AuditEntry
from xiezuo.households.lookup import find_households
from xiezuo.markets.importers import SplitImporter
from xiezuo.markets.land import actions as land
from xiezuo.markets.models import HouseholdShare, ProceedsSplit
from xiezuo.regions.models import Region

from .world import farmers, listing, prices, zhejiang

pytestmark = pytest.mark.django_db
HEADERS = ["成交编号", "户编号", "权重"]


@pytest.fixture
def trade(users):
    prices(users["national"])
    lst = listing(users["county_office"], area="0.0001")
    return land.buy(users["east_office"], listing=lst, buyer=zhejiang(), area="0.0001")  # 0.0001 mu × 20万 = 2,000 fen


def test_three_equal_shares_exact_to_the_fen(users, trade):
    a, b, c = farmers(users["county_office"])
    split = land.split_proceeds(users["county_office"], trade=trade, households=[(a, 1), (b, 1), (c, 1)])
    # 2,000 fen at 85:15 = 1,700 + 300; 1,700 / 3 = 566.67 each: 566 × 3 = 1,698, the two fen left
    # go to the largest remainders, all equal, so to the earlier shares
    assert (split.farmers_fen, split.collective_fen) == (1_700, 300)
    assert [(s.household_id, s.fen) for s in split.shares.order_by("position")] == [(a.pk, 567), (b.pk, 567), (c.pk, 566)]
    audited = AuditEntry.objects.filter(object_type="markets.householdshare", action="create")
    assert audited.count() == 3 and all("阿苦" not in str(e.after) for e in audited)


def test_refused_shares_name_their_position(users, trade, english):
    a, b = farmers(users["county_office"], names=("阿苦日哈", "吉克阿衣"))
    other = farmers(users["west_office"], names=("沙马拉且",), county="513433")[0]
    with pytest.raises(ValidationError) as exc:
        land.split_proceeds(users["county_office"], trade=trade, households=[(a, 2), (a, 1), (other, 1), (b, 0), ("曲比石古", 3)])
    errors = exc.value.message_dict
    assert "named twice" in errors["households[1].household"][0]
    assert "registry of" in errors["households[2].household"][0] and "registry of" in errors["households[4].household"][0]
    assert "above zero" in errors["households[3].weight"][0]
    assert not ProceedsSplit.objects.exists() and not HouseholdShare.objects.exists()


@pytest.mark.parametrize("role, allowed", [("county_office", True), ("west_office", True), ("east_office", False),
                                           ("viewer", False), ("auditor", False)])
def test_who_may_split(users, trade, role, allowed):
    (a,) = farmers(users["county_office"], names=("阿苦日哈",))
    if allowed:
        assert land.split_proceeds(users[role], trade=trade, households=[(a, 1)]).shares.count() == 1
    else:
        with pytest.raises(PermissionDenied):
            land.split_proceeds(users[role], trade=trade, households=[(a, 1)])


def test_find_a_household_by_number_name_or_id_number(users):
    a, b = farmers(users["county_office"], names=("阿苦日哈", "吉克阿衣"))
    meigu = Region.objects.get(code="513436")
    county = users["county_office"]
    assert find_households(county, meigu, a.number) == [a]
    assert find_households(county, meigu, "吉克阿衣") == [b]  # the head's name, through its keyed hash
    assert find_households(county, meigu, " 吉克 阿衣 ") == [b]
    assert find_households(county, meigu, b.members.get().id_number) == [b]
    assert find_households(county, meigu, "无此人") == []
    for role in ("east_office", "viewer"):
        assert find_households(users[role], meigu, a.number) == []


def test_the_trade_page_lists_shares_to_the_county_and_counts_to_the_buyer(users, trade, client_as):
    a, b = farmers(users["county_office"], names=("阿苦日哈", "吉克阿衣"))
    url = f"/markets/land/trades/{trade.pk}/"
    page = client_as("county_office").get(url + "?q=阿苦日哈").content.decode()
    full = a.members.get().id_number
    assert a.number in page and full not in page and full[-4:] in page  # the candidate's ID number, masked
    r = client_as("county_office").post(f"/markets/land/trades/{trade.pk}/split/", {"households": f"{a.number}, 3\n{b.number}，2"})
    assert r.status_code == 302
    page = client_as("county_office").get(url).content.decode()
    assert 'data-testid="shares"' in page and a.number in page and "阿苦日哈" in page and "¥10.20" in page and "¥6.80" in page
    page = client_as("east_office").get(url).content.decode()
    assert 'data-testid="share-count"' in page and 'data-testid="shares"' not in page
    assert a.number not in page and "阿苦日哈" not in page and full[-4:] not in page


def test_a_bad_line_in_the_form_is_named(users, trade, client_as):
    (a,) = farmers(users["county_office"], names=("阿苦日哈",))
    c = client_as("county_office")
    r = c.post(f"/markets/land/trades/{trade.pk}/split/", {"households": f"{a.number}, 3\n999999, 2"}, follow=True)
    assert "999999" in r.content.decode() and not ProceedsSplit.objects.exists()


def test_the_household_page_shows_the_payout_to_its_county_only(users, trade, client_as, project):
    a, b = farmers(users["county_office"], names=("阿苦日哈", "吉克阿衣"))
    land.split_proceeds(users["county_office"], trade=trade, households=[(a, 3), (b, 2)])
    url = a.get_absolute_url()
    page = client_as("county_office").get(url).content.decode()
    assert trade.listing.code in page and "¥10.20" in page  # 1,700 fen × 3/5 = 1,020 fen, not yet paid out
    land.pay_out(users["county_office"], trade=trade, project=project)
    page = client_as("county_office").get(url).content.decode()
    split = ProceedsSplit.objects.get(trade=trade)
    assert split.paid_on.isoformat() in page and "¥10.20" in page
    for role, status in (("west_office", 200), ("national", 200), ("auditor", 200), ("east_office", 404), ("viewer", 403)):
        r = client_as(role).get(url)
        assert r.status_code == status, role
        if status == 200:
            assert trade.listing.code in r.content.decode()
    # the eastern office and the viewer see the registry as counts only
    for role in ("east_office", "viewer"):
        assert a.number not in client_as(role).get("/households/").content.decode()


def test_the_api_answers_shares_to_the_county(users, trade, client_as):
    a, b = farmers(users["county_office"], names=("阿苦日哈", "吉克阿衣"))
    url = f"/api/v1/markets/land/trades/{trade.pk}/split"
    r = client_as("county_office").post(url, {"households": [{"number": a.number, "weight": 3}, {"number": "nope", "weight": 2}]},
                                        content_type="application/json")
    assert r.status_code in (400, 422) and "households[1].number" in r.content.decode()
    r = client_as("east_office").post(url, {"households": [{"household": a.pk, "weight": 3}]}, content_type="application/json")
    assert r.status_code in (400, 403, 422) and not ProceedsSplit.objects.exists()
    r = client_as("county_office").post(url, {"households": [{"number": a.number, "weight": 3}, {"household": b.pk, "weight": 2}]},
                                        content_type="application/json")
    body = r.json()
    assert r.status_code == 201 and [(h["number"], h["fen"]) for h in body["households"]] == [(a.number, 1_020), (b.number, 680)]


def test_import_of_a_split_all_or_nothing_with_bad_rows_named(users, trade):
    a, b, c = farmers(users["county_office"])
    other = farmers(users["west_office"], names=("沙马拉且",), county="513433")[0]
    rows = [[trade.pk, a.number, 3],
            [trade.pk, "513436999999", 2],     # row 3: no such household in 美姑县
            [trade.pk, other.number, 1],       # row 4: a household of another county
            [trade.pk, a.number, 1],           # row 5: repeats row 2
            [999_999, b.number, 1],            # row 6: no such trade
            [trade.pk, c.number, 0]]           # row 7: weight zero
    result = run(SplitImporter(), users["county_office"], HEADERS, rows)
    assert problems(result) == {(3, "户编号"), (4, "户编号"), (5, "户编号"), (6, "成交编号"), (7, "权重")}
    assert "513436999999" in reason(result, 3, "户编号")
    assert not ProceedsSplit.objects.exists() and not HouseholdShare.objects.exists()
    result = run(SplitImporter(), users["county_office"], HEADERS, [[trade.pk, a.number, 3], [trade.pk, b.number, 2]])
    assert not result.errors and counts(result) == (2, 0, 0)
    split = ProceedsSplit.objects.get(trade=trade)
    assert [(s.household_id, s.fen) for s in split.shares.order_by("position")] == [(a.pk, 1_020), (b.pk, 680)]
    again = run(SplitImporter(), users["county_office"], HEADERS, [[trade.pk, c.number, 1]])
    assert problems(again) == {(2, "成交编号")}  # already split: the trade is named
    result = run(SplitImporter(), users["east_office"], HEADERS, [[trade.pk, a.number, 3]]) if SplitImporter().allowed(
        users["east_office"]) else None
    assert result is None or result.errors


def test_recorded_names_are_matched_only_when_unambiguous(users):
    """The data migration's rule (markets 0006): a name held by one head of the county links
    the share; a name held by two households, or by none, stays recorded as unmatched."""
    import importlib

    from xiezuo.households.models import Member

    migration = importlib.import_module("xiezuo.markets.migrations.0006_household_shares")
    a, b, c = farmers(users["county_office"], names=("阿苦日哈", "吉克阿衣", "吉克阿衣"))
    meigu = Region.objects.get(code="513436")
    assert migration.match(Member, meigu.pk, "阿苦日哈", set()) == a.pk
    assert migration.match(Member, meigu.pk, "吉克阿衣", set()) is None  # two households: not guessed
    assert migration.match(Member, meigu.pk, "曲比石古", set()) is None
    assert migration.match(Member, meigu.pk, "阿苦日哈", {a.pk}) is None  # already linked in the same split


def test_the_demo_split_points_at_registry_households(users):
    from xiezuo.households.demo import seed_demo as seed_households
    from xiezuo.markets.demo import seed_demo

    seed_households(n=8)
    assert seed_demo() == 1
    split = ProceedsSplit.objects.get(trade__listing__is_demo=True)
    shares = list(split.shares.select_related("household"))
    assert len(shares) == 3 and all(s.household.is_demo and s.household.county.code == "513436" for s in shares)
    assert sum(s.fen for s in shares) == split.farmers_fen


def test_an_unmatched_share_stays_visible_to_the_county(users, trade, client_as):
    """A share recorded by name before the registry link and not matched (migration 0006) keeps
    its name, weight and fen on the trade page, marked to resolve; the buyer sees the count."""
    split = land.split_proceeds(users["county_office"], trade=trade)
    HouseholdShare.objects.create(split=split, position=0, unmatched_name="曲比石古", weight=1, fen=split.farmers_fen)
    url = f"/markets/land/trades/{trade.pk}/"
    page = client_as("county_office").get(url).content.decode()
    assert 'data-testid="unmatched"' in page and "曲比石古" in page and "¥17.00" in page
    page = client_as("east_office").get(url).content.decode()
    assert "曲比石古" not in page and 'data-testid="share-count"' in page


def test_an_unmatched_share_is_linked_to_a_household_of_the_county(users, trade, client_as):
    """The county office links a share kept by name to a registry household of the listing's
    county: audited, the amounts unchanged; refused with the reason for a household of another
    county, one already in the split, a share already linked, and for the eastern side."""
    a, b = farmers(users["county_office"], names=("阿苦日哈", "吉克阿衣"))
    split = land.split_proceeds(users["county_office"], trade=trade, households=[(a, 3)])
    kept = HouseholdShare.objects.get(split=split)
    kept.fen = 1_000
    kept.save()
    loose = HouseholdShare.objects.create(split=split, position=1, unmatched_name="曲比石古", weight=2, fen=700)
    other = farmers(users["national"], names=("王建国",), county="522301")[0]  # a Guizhou county
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        land.link_share(users["county_office"], share=loose, household=a)
    assert "already has a share" in str(exc.value)
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        land.link_share(users["national"], share=loose, household=other)
    assert "not of" in str(exc.value)
    with pytest.raises(PermissionDenied):
        land.link_share(users["east_office"], share=loose, household=b)
    page = client_as("county_office").get(f"/markets/land/trades/{trade.pk}/").content.decode()
    assert 'data-testid="link-share"' in page
    assert 'data-testid="link-share"' not in client_as("east_office").get(f"/markets/land/trades/{trade.pk}/").content.decode()
    r = client_as("county_office").post(f"/markets/land/trades/{trade.pk}/link-share/", {"share": loose.pk, "number": other.number})
    assert r.status_code == 302
    loose.refresh_from_db()
    assert loose.household_id is None  # not a household of 美姑县: refused by the form
    r = client_as("county_office").post(f"/markets/land/trades/{trade.pk}/link-share/", {"share": loose.pk, "number": b.number})
    assert r.status_code == 302
    loose.refresh_from_db()
    assert (loose.household_id, loose.weight, loose.fen, loose.unmatched_name) == (b.pk, 2, 700, "曲比石古")
    assert AuditEntry.objects.filter(object_type="markets.householdshare", object_id=str(loose.pk), action="update").exists()
    assert sum(s.fen for s in split.shares.all()) == 1_700
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        land.link_share(users["county_office"], share=loose, household=b)
    assert "already linked" in str(exc.value)
    page = client_as("county_office").get(f"/markets/land/trades/{trade.pk}/").content.decode()
    assert 'data-testid="unmatched"' not in page and b.number in page


def test_trade_units_read_as_numbered_units(users, trade, client_as):
    from xiezuo.markets.units import unit_numbers, units_text

    assert unit_numbers(0, 300_000) == "1–300,000" and unit_numbers(6, 7) == "7"
    with translation.override("en"):
        assert units_text(0, 300_000) == "quota unit nos. 1–300,000 (300,000 units)"
    with translation.override("zh-hans"):
        assert units_text(0, 300_000) == "指标单位编号 1–300,000（共 300,000 个）"
        one = units_text(0, 1)
    page = client_as("county_office").get(f"/markets/land/trades/{trade.pk}/").content.decode()
    assert "[0, 1)" not in page and f">{one}" in page.split('data-testid="trade-units"')[1][:60]

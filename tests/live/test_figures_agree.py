"""The dashboard's money figures and its Sankey agree with the ledger and with each other:
one basis (every year to date) for every stage, so a county that disbursed last year and
spends this year no longer shows 已拨付 0.00 beside 已支出 128.87万元, and the national
Sankey shows every eastern province whose money was disbursed, not only this year's one."""
import datetime

import pytest
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from tests.support import county_pair
from xiezuo.ledger import actions as ledger
from xiezuo.ledger.balances import standing
from xiezuo.ledger.figures import stage_totals
from xiezuo.ledger.models import Posting
from xiezuo.live.figures import FIRST_YEAR, dashboard
from xiezuo.orgs.models import Organisation
from xiezuo.pairings.models import Agreement, Pairing
from xiezuo.projects.models import Project
from xiezuo.regions.models import Region

pytestmark = pytest.mark.django_db
WAN = 10_000_00
ROLES = ("national", "auditor", "east_office", "west_office", "county_office", "viewer")


def _project(code, county, pairing, today):
    return Project.objects.create(code=code, name=f"项目{code}", category="industry", county=Region.objects.get(code=county),
                                  pairing=pairing, status="in_progress", planned_start=today - datetime.timedelta(days=500),
                                  planned_end=today + datetime.timedelta(days=200))


@pytest.fixture
def last_year_money(users):
    """美姑县 received and disbursed money last year and spends it this year; 广州 — 贵阳
    disbursed last year into a 贵阳 county project (another eastern province)."""
    today = timezone.localdate()
    last = datetime.date(today.year - 1, 8, 1)
    national = users["national"]
    pair = county_pair()
    meigu = _project("AGREE-1", "513436", pair, today)
    a = ledger.allocate(national, agreement=Agreement.objects.get(pairing=pair, year=today.year - 1), amount_fen=200 * WAN,
                        idempotency_key="agree-a1", booked_on=last)
    ledger.confirm_arrival(national, allocation=a, arrived_on=last, idempotency_key="agree-r1")
    ledger.disburse(national, project=meigu, amount_fen=150 * WAN, idempotency_key="agree-d1", booked_on=last)
    ledger.record_spending(national, project=meigu, amount_fen=128 * WAN, idempotency_key="agree-s1", spent_on=today)

    gz = Pairing.objects.get(kind="prefecture", east_region__code="440100", west_region__code="520100")
    guiyang = _project("AGREE-2", "520111", gz, today)
    agreement, _created = Agreement.objects.get_or_create(pairing=gz, year=today.year - 1, defaults={"fiscal_aid_fen": 500 * WAN})
    a2 = ledger.allocate(national, agreement=agreement, amount_fen=80 * WAN, idempotency_key="agree-a2", booked_on=last)
    ledger.confirm_arrival(national, allocation=a2, arrived_on=last, idempotency_key="agree-r2")
    ledger.disburse(national, project=guiyang, amount_fen=50 * WAN, idempotency_key="agree-d2", booked_on=last,
                    source=Organisation.objects.get(kind="office", region__code="520100"))
    return meigu, guiyang


def test_a_county_that_disbursed_last_year_shows_it_beside_this_years_spending(client_as, users, last_year_money):
    money = dashboard(users["county_office"])["money"]
    assert money["spent"] >= 128 * WAN
    assert money["disbursed"] >= money["spent"] > 0
    page = client_as("county_office").get(reverse("dashboard"), {"partial": "figures"}).content.decode()
    assert 'data-testid="money-basis"' in page
    disbursed = page.split('data-stage="disbursed">')[1].split("<")[0]
    assert disbursed not in ("0.00", "—")


@pytest.mark.parametrize("role", ROLES)
def test_the_stages_chain_and_equal_the_ledger_for_every_role(users, last_year_money, role):
    user = users[role]
    today = timezone.localdate()
    money = dashboard(user)["money"]
    years = range(FIRST_YEAR, today.year + 1)
    assert {k: money[k] for k in ("allocated", "arrived", "disbursed", "spent")} == stage_totals(user, years)
    assert money["allocated"] >= money["arrived"]
    assert money["disbursed"] >= money["spent"]
    if role in ("national", "auditor"):  # the whole ledger: nothing disbursed that did not arrive
        assert money["arrived"] >= money["disbursed"]
        total = standing(Posting.objects.filter(kind="disbursement")).aggregate(s=Sum("amount_fen"))["s"]
        assert money["disbursed"] == total


def test_the_national_sankey_shows_every_eastern_province_that_disbursed(users, last_year_money):
    data = dashboard(users["national"])
    sankey, money = data["sankey"], data["money"]
    names = [n["name"] for n in sankey["nodes"]]
    assert len(names) == len(set(names))
    assert {"浙江省", "广东省"} <= set(names)
    east = {"浙江省", "广东省", "上海市", "北京市", "天津市", "江苏省", "福建省", "山东省", "—"}
    into_west = sum(link["value"] for link in sankey["links"] if link["source"] in east)
    assert into_west == money["disbursed"]  # the flows add up to the disbursed figure beside them


def test_the_sankey_is_by_province_when_counties_are_many(users, last_year_money, monkeypatch):
    from xiezuo.live import figures

    monkeypatch.setattr(figures, "SANKEY_COUNTIES", 1)
    sankey = figures.sankey(users["national"], range(FIRST_YEAR, timezone.localdate().year + 1))
    assert sankey["by"] == "province"
    assert {"四川省", "贵州省"} <= {n["name"] for n in sankey["nodes"]}


def test_national_sums_stand_three_to_a_row_instead_of_overlapping(client_as, users, last_year_money, monkeypatch):
    """Five figures fit a row up to ten characters each; a national sum of a hundred billion
    yuan ("12,257,338.00" in 10k yuan) ran into its neighbours, so long figures stand three
    to a row."""
    page = client_as("county_office").get(reverse("dashboard"), {"partial": "figures"}).content.decode()
    assert "row-cols-md-5" in page and "row-cols-md-3" not in page  # 150.00 and the like
    import xiezuo.live.figures as figures

    real = figures.money_stages
    monkeypatch.setattr(figures, "money_stages", lambda user, years: {**real(user, years), "committed": 12_257_338_00 * 10_000})
    page = client_as("national").get(reverse("dashboard"), {"partial": "figures"}).content.decode()
    assert "row-cols-md-3" in page and "row-cols-md-5" not in page
    assert page.split('data-stage="committed">')[1].split("<")[0] == "12,257,338.00"

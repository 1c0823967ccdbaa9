"""The funds page (资金) at national scale (issue 13): its arrival timeliness and its accounts
are read by indexed ways instead of sums over postings joined to themselves and a condition
tested on every account — with exactly the figures and the accounts of before. The old
functions are kept here as they were and compared with the new ones on a generated world
with reversals in it, for every demo office, a stranger from another province and several
years."""
import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import F, Sum
from django.test.utils import CaptureQueriesContext

from tests.support import shared_world
from xiezuo.core.scoping import visible
from xiezuo.datagen import national
from xiezuo.ledger import actions as ledger
from xiezuo.ledger.balances import AccountOrder, accounts_page, arrival_timeliness, standing, visible_accounts
from xiezuo.ledger.choices import Kind, Purpose
from xiezuo.ledger.dues import due_in_force
from xiezuo.ledger.figures import arrival_timeliness_for
from xiezuo.ledger.filtersets import accounts
from xiezuo.ledger.models import Account, Posting
from xiezuo.orgs.models import Organisation
from xiezuo.pairings.models import Agreement, Pairing
from xiezuo.projects.models import Project
from xiezuo.users.models import Profile

TODAY = datetime.date(2026, 11, 30)
ROLES = ("national", "auditor", "east_office", "west_office", "county_office", "viewer")
WAN = 10_000_00


def old_arrival_timeliness(allocations):
    """The function as it was before 6 December 2026 (three sums, the last over the arrivals
    joined to their allocations twice)."""
    allocations = standing(allocations).filter(kind=Kind.ALLOCATION)
    arrivals = standing(Posting.objects.filter(kind=Kind.ARRIVAL, allocation__in=allocations))
    allocated = allocations.aggregate(s=Sum("amount_fen"))["s"] or 0
    arrived = arrivals.aggregate(s=Sum("amount_fen"))["s"] or 0
    arrivals = arrivals.annotate(due=due_in_force("allocation__"))
    on_time = (arrivals.filter(due__isnull=True) | arrivals.filter(arrived_on__lte=F("due"))).aggregate(
        s=Sum("amount_fen"))["s"] or 0
    return {"allocated_fen": allocated, "arrived_fen": arrived, "on_time_fen": on_time}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """A small generated nation, plus corrections: an arrival and an allocation reversed, and a third
    allocation that arrived."""
    with shared_world(django_db_blocker):
        national.generate(scale=0.001, seed=11, today=TODAY, log=lambda *_a: None)
        User = get_user_model()
        east, county = User.objects.get(username="east_office"), User.objects.get(username="county_office")
        pair = Pairing.objects.get(kind="county", east_region__code="330212", west_region__code="513436")
        agreement = Agreement.objects.get(pairing=pair, year=TODAY.year)
        a1 = ledger.allocate(east, agreement=agreement, amount_fen=100 * WAN, idempotency_key="fast-a1",
                             booked_on=TODAY - datetime.timedelta(days=30))
        r1 = ledger.confirm_arrival(county, allocation=a1, arrived_on=TODAY, idempotency_key="fast-r1")
        ledger.reverse(county, posting=r1, reason="录入错误", idempotency_key="fast-x1")
        ledger.confirm_arrival(county, allocation=a1, arrived_on=TODAY - datetime.timedelta(days=3), idempotency_key="fast-r2")
        a2 = ledger.allocate(east, agreement=agreement, amount_fen=7 * WAN, idempotency_key="fast-a2",
                             booked_on=TODAY - datetime.timedelta(days=30))
        ledger.reverse(east, posting=a2, reason="重复下达", idempotency_key="fast-x2")
        a3 = ledger.allocate(east, agreement=agreement, amount_fen=9 * WAN, idempotency_key="fast-a3",
                             booked_on=TODAY - datetime.timedelta(days=30))
        ledger.confirm_arrival(county, allocation=a3, arrived_on=TODAY, idempotency_key="fast-r3")
        stranger = User.objects.create_user("gd_office_fast", password="x")
        Profile.objects.create(user=stranger, role="office_admin",
                               organisation=Organisation.objects.get(kind="office", region__code="440000"))
        # accounts in view through their project's county only: a Guangdong office's spending accounts
        # for projects in Sichuan (as a market payment opens them), and a Sichuan county office's
        # account for a project in another province (in view through its owner)
        guangdong = Organisation.objects.get(kind="office", region__code="440000")
        sichuan = list(Project.objects.filter(county__code__startswith="51").exclude(
            ledger_accounts__purpose=Purpose.PROJECT_SPENDING).order_by("id")[:3])
        elsewhere = Project.objects.exclude(county__code__startswith="51").exclude(
            ledger_accounts__purpose=Purpose.PROJECT_SPENDING).order_by("id").first()
        assert len(sichuan) == 3 and elsewhere is not None
        for project in sichuan:
            Account.objects.create(owner=guangdong, purpose=Purpose.PROJECT_SPENDING, project=project)
        Account.objects.create(owner=Organisation.objects.get(kind="office", region__code="513436"),
                               purpose=Purpose.PROJECT_SPENDING, project=elsewhere)
        yield


def everyone():
    User = get_user_model()
    return list(User.objects.filter(username__in=ROLES)) + [User.objects.get(username="gd_office_fast")]


def test_the_world_has_corrections_and_late_money(world, db):
    assert Posting.objects.filter(kind=Kind.REVERSAL).count() >= 2
    assert Posting.objects.filter(kind=Kind.ARRIVAL).count() > 10
    national_figures = arrival_timeliness(Posting.objects.all())
    assert 0 < national_figures["on_time_fen"] < national_figures["arrived_fen"] <= national_figures["allocated_fen"]


def test_timeliness_is_exactly_the_old_figure_for_every_office_and_year(world, db):
    years = sorted(set(Agreement.objects.values_list("year", flat=True)))
    assert len(years) >= 3
    for user in everyone():
        for year in years:
            scoped = visible(user, Posting.objects.filter(kind=Kind.ALLOCATION, agreement__year=year))
            assert arrival_timeliness_for(user, year) == old_arrival_timeliness(scoped), (user.username, year)
    assert arrival_timeliness(Posting.objects.all()) == old_arrival_timeliness(Posting.objects.all())
    assert arrival_timeliness(Posting.objects.none()) == {"allocated_fen": 0, "arrived_fen": 0, "on_time_fen": 0}


def test_the_accounts_each_office_sees_are_the_same_and_in_the_same_order(world, db):
    for user in everyone():
        old = list(accounts(user).values_list("id", flat=True))
        assert sorted(visible_accounts(user).values_list("id", flat=True)) == sorted(old), user.username
        for number in (1, 2, 3, 7, 9999):
            page = accounts_page(user, number, 50)
            assert page.paginator.count == len(old)
            assert [a.pk for a in page.object_list] == old[(page.number - 1) * 50:page.number * 50], user.username
        # any window of the order, at every size: the groups a window spans are read together
        order = AccountOrder(user)
        for size in (1, 7, 50, len(old) + 1):
            for start in sorted({*range(0, len(old) + 1, max(len(old) // 23, 1)), len(old) - 1}):
                assert order[start:start + size] == old[start:start + size], (user.username, start, size)
    # accounts in view only through their project: the west office sees the Guangdong office's
    # spending accounts for its projects, and the Guangdong office sees them through their owner
    west, stranger = get_user_model().objects.get(username="west_office"), everyone()[-1]
    through = set(Account.objects.filter(owner__region__code="440000", project__county__code__startswith="51")
                  .values_list("id", flat=True))
    assert len(through) == 3 and through <= set(visible_accounts(west).values_list("id", flat=True))
    assert any(g[3] for g in AccountOrder(west).groups)
    # the stranger from Guangdong sees no account of Sichuan's county
    county_accounts = set(Account.objects.filter(owner__region__code__startswith="513436").values_list("id", flat=True))
    assert county_accounts and not county_accounts & set(visible_accounts(everyone()[-1]).values_list("id", flat=True))


def test_the_funds_page_shows_the_same_figures_and_no_longer_sums_over_a_self_join(world, client_as):
    year = TODAY.year
    for role in ("national", "west_office", "county_office"):
        user = get_user_model().objects.get(username=role)
        client = client_as(role)
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/funds/", {"year": year})
        assert response.status_code == 200
        expected = old_arrival_timeliness(visible(user, Posting.objects.filter(kind=Kind.ALLOCATION, agreement__year=year)))
        html = response.content.decode()
        assert 'data-testid="timeliness"' in html
        assert response.context["timeliness"] == expected
        sums = [q["sql"] for q in queries if "SUM(" in q["sql"].upper() and "ledger_posting" in q["sql"]]
        # the arrivals were summed twice over a nested query of the allocations in force
        assert not any('"allocation_id" IN (SELECT' in q for q in sums), sums
        accounts_shown = [a.pk for a in response.context["accounts"]]
        assert accounts_shown == list(accounts(user).values_list("id", flat=True)[:50])


def test_a_reader_without_scope_is_refused(world, client_as, db):
    user = get_user_model().objects.create_user("nobody_fast", password="x")
    from django.test import Client
    c = Client()
    c.force_login(user)
    assert c.get("/funds/").status_code in (403, 404)


def test_a_page_number_out_of_range_or_not_a_number_shows_a_page_of_accounts(world, client_as):
    client = client_as("national")
    last = client.get("/funds/", {"page": "99999"})
    assert last.status_code == 200 and last.context["page"].number == last.context["page"].paginator.num_pages > 1
    assert last.context["accounts"]
    first = client.get("/funds/", {"page": "abc"})
    assert first.status_code == 200 and first.context["page"].number == 1

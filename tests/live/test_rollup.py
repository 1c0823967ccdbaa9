"""The dashboard's running ledger rollup gives exactly the SQL figures, for every role, as
postings, reversals and changes of context (an agreement's year, an organisation's region)
come in; and the dashboard computes only the parts that are looked at."""
import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from xiezuo.users.models import Profile
from xiezuo.ledger import actions as ledger
from xiezuo.ledger.figures import disbursed_by_project_group, stage_totals
from xiezuo.live import figures
from xiezuo.ledger.models import Entry
from xiezuo.ledger.rollup import LEDGER_ROLLUP, LedgerRollup, money_stages
from xiezuo.live.figures import dashboard
from xiezuo.orgs.models import Organisation
from xiezuo.pairings.models import Agreement, Pairing
from xiezuo.projects.models import Project
from xiezuo.regions.models import Region

pytestmark = pytest.mark.django_db
WAN = 10_000_00
ROLES = ("national", "auditor", "east_office", "west_office", "county_office", "viewer")


@pytest.fixture
def stranger(db):
    user = get_user_model().objects.create_user("gd_office_rollup", password="x")
    Profile.objects.create(user=user, role="office_admin", organisation=Organisation.objects.get(kind="office", region__code="440000"))
    return user


@pytest.fixture
def setting(users):
    today = timezone.localdate()
    pair = Pairing.objects.get(kind="county", east_region__code="330212", west_region__code="513436")
    agreement = Agreement.objects.get(pairing=pair, year=today.year)
    project = Project.objects.create(code="ROLLUP-1", name="冷链物流", category="consumption", county=Region.objects.get(code="513436"),
                                     pairing=pair, status="in_progress", planned_start=today - datetime.timedelta(days=60),
                                     planned_end=today + datetime.timedelta(days=200))
    return agreement, project


def assert_same(users, extra=()):
    year = timezone.localdate().year
    for user in [users[r] for r in ROLES] + list(extra):
        for y in (year - 1, year):
            expected = stage_totals(user, y)
            assert LEDGER_ROLLUP.stage_totals(user, y) == expected, (user.username, y)
            # a rollup started from scratch agrees too
            assert LedgerRollup().stage_totals(user, y) == expected, (user.username, y)
            assert figures.disbursed_by_project_group(user, y) == sorted(disbursed_by_project_group(user, y)), (user.username, y)


def test_rollup_equals_the_sql_figures_through_postings_and_reversals(users, setting, stranger):
    agreement, project = setting
    east, county = users["east_office"], users["county_office"]
    assert_same(users, [stranger])
    a1 = ledger.allocate(east, agreement=agreement, amount_fen=100 * WAN, idempotency_key="r-a1")
    assert_same(users, [stranger])
    ledger.confirm_arrival(county, allocation=a1, arrived_on=timezone.localdate(), idempotency_key="r-r1")
    d1 = ledger.disburse(county, project=project, amount_fen=60 * WAN, idempotency_key="r-d1")
    ledger.record_spending(county, project=project, amount_fen=25 * WAN, idempotency_key="r-s1")
    assert_same(users, [stranger])
    assert money_stages(users["county_office"], timezone.localdate().year)["disbursed"] >= 60 * WAN

    # a reversal takes the original out of every figure, in the rollup as in SQL
    s2 = ledger.record_spending(county, project=project, amount_fen=5 * WAN, idempotency_key="r-s2")
    assert_same(users)
    ledger.reverse(users["county_office"], posting=s2, reason="录入错误", idempotency_key="r-x2")
    assert_same(users, [stranger])
    a2 = ledger.allocate(east, agreement=agreement, amount_fen=7 * WAN, idempotency_key="r-a2")
    ledger.reverse(east, posting=a2, reason="重复下达", idempotency_key="r-x3")  # posted and reversed between two looks
    assert_same(users, [stranger])
    assert LEDGER_ROLLUP.upto == Entry.objects.order_by("-seq").values_list("seq", flat=True).first()  # chain order
    assert d1.entries.order_by("seq").last().seq < LEDGER_ROLLUP.upto


def test_rollup_follows_changes_of_context(users, setting, stranger):
    agreement, project = setting
    a1 = ledger.allocate(users["east_office"], agreement=agreement, amount_fen=30 * WAN, idempotency_key="c-a1")
    ledger.confirm_arrival(users["county_office"], allocation=a1, arrived_on=timezone.localdate(), idempotency_key="c-r1")
    ledger.disburse(users["county_office"], project=project, amount_fen=10 * WAN, idempotency_key="c-d1")
    assert_same(users, [stranger])
    # the agreement moves to last year; the county office moves to Guangdong (context, not ledger rows)
    Agreement.objects.filter(pairing=agreement.pairing, year=agreement.year - 1).update(year=agreement.year - 10)
    Agreement.objects.filter(pk=agreement.pk).update(year=agreement.year - 1)
    Organisation.objects.filter(kind="office", region__code="513436").update(region=Region.objects.get(code="440106"))
    assert_same(users, [stranger])
    # the project moves county: the county office sees it through the project's county
    Project.objects.filter(pk=project.pk).update(county=Region.objects.get(code="513401"))
    assert_same(users, [stranger])


def test_rollup_starts_over_when_the_chain_it_saw_is_gone(users, setting):
    agreement, _project = setting
    ledger.allocate(users["east_office"], agreement=agreement, amount_fen=11 * WAN, idempotency_key="g-a1")
    assert_same(users)
    rollup = LedgerRollup()
    rollup.stage_totals(users["national"], agreement.year)
    rollup.mark = "0" * 64  # as if the entry it saw had been rolled back and replaced
    before = rollup.upto
    assert rollup.stage_totals(users["national"], agreement.year) == stage_totals(users["national"], agreement.year)
    assert rollup.upto == before and rollup.mark == Entry.objects.get(seq=before).hash


def test_rollup_built_up_to_an_entry_leaves_what_was_chained_after_it_to_the_fold(users, setting):
    """A fresh rollup sums the postings chained up to the entry it read; a posting (or a
    reversal) chained after that entry, committed while the grouped query ran, is folded in
    by the next look, never counted twice or missed."""
    agreement, _project = setting
    east = users["east_office"]
    a1 = ledger.allocate(east, agreement=agreement, amount_fen=30 * WAN, idempotency_key="b-a1")
    upto = Entry.objects.order_by("-seq").values_list("seq", flat=True).first()
    ledger.allocate(east, agreement=agreement, amount_fen=4 * WAN, idempotency_key="b-a2")
    ledger.reverse(east, posting=a1, reason="重复下达", idempotency_key="b-x1")
    rollup = LedgerRollup()
    rollup._build(upto)
    rollup.upto, rollup.mark = upto, rollup._mark_of(upto)
    assert sum(fen for fen, _p in rollup.sums[("allocation", agreement.pk)].values()) == 30 * WAN  # as of entry `upto`
    totals = rollup.stage_totals(users["national"], agreement.year)
    assert totals == stage_totals(users["national"], agreement.year)
    assert sum(fen for fen, _p in rollup.sums[("allocation", agreement.pk)].values()) == 4 * WAN


def test_dashboard_computes_only_the_parts_looked_at(users, setting):
    full = CaptureQueriesContext(connection)
    with full:
        d = dashboard(users["west_office"])
        for key in ("projects", "late_count", "late", "people", "money", "sankey", "points", "feed"):
            d[key]
    part = CaptureQueriesContext(connection)
    with part:
        d = dashboard(users["west_office"])
        d["money"], d["projects"]
    assert 0 < len(part.captured_queries) < len(full.captured_queries)
    assert d["year"] == timezone.localdate().year
    with pytest.raises(KeyError):
        d["nothing"]
    assert isinstance(figures.dashboard(users["national"])["late_count"], int)


def test_counts_and_points_from_one_query_match_the_separate_ones(users, setting):
    for role in ROLES:
        counts, points = figures.projects_and_points(users[role])
        assert counts == figures.project_counts(users[role])
        separate = figures.map_points(users[role])
        assert sorted(p["code"] for p in points) == sorted(p["code"] for p in separate)
        assert {p["code"]: p["value"] for p in points} == {p["code"]: p["value"] for p in separate}


def _run_warm_up():
    import threading

    figures.warm_up_in_background()
    for thread in threading.enumerate():
        if thread.name == "ledger-rollup-warm-up":
            thread.join(10)


def test_a_web_process_builds_its_rollup_at_start_under_the_lock(monkeypatch):
    """xiezuo.wsgi starts the build, so a worker's first dashboard request does not pay for
    it; a request arriving meanwhile waits on the same lock."""
    calls = []
    monkeypatch.setattr(LEDGER_ROLLUP, "refresh", lambda: calls.append(LEDGER_ROLLUP.lock.locked()))
    _run_warm_up()
    assert calls == [True]


def test_a_failed_warm_up_is_logged_and_left_to_the_first_request(monkeypatch, caplog):
    from django.db import DatabaseError

    def refuse():
        raise DatabaseError('relation "ledger_entry" does not exist')

    monkeypatch.setattr(LEDGER_ROLLUP, "refresh", refuse)
    _run_warm_up()
    assert "ledger rollup not built at start" in caplog.text
    assert not LEDGER_ROLLUP.lock.locked()

"""Concurrency on PostgreSQL: parallel disbursements from one account never overdraw it,
parallel postings keep the hash chain linear, and parallel retries of one request post once.

These tests commit (transaction=True), so pytest-django empties every table after each
one; a module fixture loads the region tree and the demo data again afterwards so the
tests that follow find the database as the session set it up.
"""
import datetime
import threading

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import timezone, translation

from xiezuo.ledger import actions as ledger
from xiezuo.ledger.balances import balance, balances, replayed, totals
from xiezuo.ledger.chain import verify
from xiezuo.ledger.choices import Kind, Purpose
from xiezuo.ledger.models import Account, Entry, Posting
from xiezuo.pairings.models import Agreement, Pairing
from xiezuo.projects.models import Project
from xiezuo.regions.models import Region

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL (SQLite serialises writers anyway)"),
]


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English (the msgids); users see them in Chinese."""
    with translation.override("en"):
        yield


WAN = 10_000_00


def ensure_seeded():
    """Load the region tree and the demo data unless they are there (a transactional test
    before this one emptied the database)."""
    from xiezuo.regions.loader import load_former_poverty, load_tree
    from xiezuo.web.demo import seed_demo

    if not Region.objects.exists():
        load_tree()
        load_former_poverty()
        seed_demo()


@pytest.fixture(scope="module", autouse=True)
def reload_session_data(django_db_setup, django_db_blocker):
    yield
    with django_db_blocker.unblock():
        ensure_seeded()


def in_parallel(n, work):
    """Run work(i) in n threads started together; return (results, errors)."""
    barrier = threading.Barrier(n)
    results, errors = [None] * n, [None] * n

    def run(i):
        try:
            translation.activate("en")
            barrier.wait()
            results[i] = work(i)
        except Exception as exc:  # noqa: BLE001 - collected and asserted by the caller
            errors[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results, errors


@pytest.fixture
def setup_money(transactional_db):
    ensure_seeded()
    User = get_user_model()
    east, county = User.objects.get(username="east_office"), User.objects.get(username="county_office")
    pair = Pairing.objects.get(kind="county", east_region__code="330212", west_region__code="513436")
    agreement = Agreement.objects.get(pairing=pair, year=timezone.localdate().year)
    today = timezone.localdate()
    project = Project.objects.create(code="CONC-1", name="并发测试项目", category="industry", county=Region.objects.get(code="513436"),
                                     pairing=pair, status="in_progress", planned_start=today, planned_end=today + datetime.timedelta(days=30))
    alloc = ledger.allocate(east, agreement=agreement, amount_fen=100 * WAN, idempotency_key="conc-alloc")
    ledger.confirm_arrival(county, allocation=alloc, arrived_on=today, idempotency_key="conc-arr")
    return {"east": east, "county": county, "agreement": agreement, "project": project}


@pytest.mark.django_db(transaction=True)
def test_parallel_disbursements_never_overdraw(setup_money):
    n, each = 12, 30 * WAN  # 12 × 30万 asked for, 100万 arrived: at most 3 can be paid
    project = setup_money["project"]

    def work(i):
        county = get_user_model().objects.get(username="county_office")
        return ledger.disburse(county, project=Project.objects.get(pk=project.pk), amount_fen=each, idempotency_key=f"conc-d{i}")

    results, errors = in_parallel(n, work)
    paid = [r for r in results if r is not None]
    refused = [e for e in errors if e is not None]
    assert all(isinstance(e, ValidationError) and "more than has arrived" in str(e) for e in refused), refused
    assert len(paid) + len(refused) == n
    assert len(paid) == 3
    disbursed = sum(p.amount_fen for p in Posting.objects.filter(kind=Kind.DISBURSEMENT))
    assert disbursed == 3 * each <= 100 * WAN
    receiving = Account.objects.get(purpose=Purpose.WEST_RECEIVING, owner__region__code="513436")
    assert balance(receiving) == 100 * WAN - disbursed >= 0
    assert balance(Account.objects.get(purpose=Purpose.PROJECT, project=project)) == disbursed
    debits, credits = totals()
    assert debits == credits
    assert verify().ok


@pytest.mark.django_db(transaction=True)
def test_parallel_postings_keep_the_chain_linear(setup_money):
    n = 16

    def work(i):
        east = get_user_model().objects.get(username="east_office")
        agreement = Agreement.objects.get(pk=setup_money["agreement"].pk)
        return ledger.allocate(east, agreement=agreement, amount_fen=(i + 1) * 100, idempotency_key=f"conc-a{i}")

    results, errors = in_parallel(n, work)
    assert errors == [None] * n
    seqs = list(Entry.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1)) and len(seqs) == 2 * (n + 2)
    verdict = verify()
    assert verdict.ok and verdict.entries == 2 * (n + 2)


@pytest.mark.django_db(transaction=True)
def test_parallel_retries_of_one_request_post_once(setup_money):
    n = 10
    project = setup_money["project"]

    def work(i):
        county = get_user_model().objects.get(username="county_office")
        return ledger.disburse(county, project=Project.objects.get(pk=project.pk), amount_fen=7 * WAN, idempotency_key="conc-same")

    results, errors = in_parallel(n, work)
    assert errors == [None] * n
    assert len({r.pk for r in results}) == 1
    assert Posting.objects.filter(kind=Kind.DISBURSEMENT).count() == 1
    assert balance(Account.objects.get(purpose=Purpose.PROJECT, project=project)) == 7 * WAN
    assert verify().ok


@pytest.mark.django_db(transaction=True)
def test_arrivals_into_and_disbursements_out_of_one_account_at_once_neither_deadlock_nor_drift(setup_money):
    """An arrival credits the receiving account while holding the chain head; a disbursement
    holds that account's lock and waits for the head. Locked FOR UPDATE, the arrival's
    foreign-key check at commit waited for the disbursement: a deadlock. FOR NO KEY UPDATE
    lets both through, and every carried balance stays the replay of the entries."""
    east, project = setup_money["east"], setup_money["project"]
    allocations = [ledger.allocate(east, agreement=setup_money["agreement"], amount_fen=5 * WAN, idempotency_key=f"mix-a{i}")
                   for i in range(6)]
    today = timezone.localdate()

    def work(i):
        county = get_user_model().objects.get(username="county_office")
        if i % 2 == 0:
            return ledger.confirm_arrival(county, allocation=Posting.objects.get(pk=allocations[i // 2].pk), arrived_on=today,
                                          idempotency_key=f"mix-r{i}")
        return ledger.disburse(county, project=Project.objects.get(pk=project.pk), amount_fen=WAN, idempotency_key=f"mix-d{i}")

    results, errors = in_parallel(12, work)
    assert errors == [None] * 12
    receiving = Account.objects.get(purpose=Purpose.WEST_RECEIVING, owner__region__code="513436")
    assert balance(receiving) == 100 * WAN + 6 * 5 * WAN - 6 * WAN
    accounts = list(Account.objects.all())
    assert balances(accounts) == replayed(accounts)
    assert verify().ok

"""Ledger postings through bulk ingestion: the ledger's own rules, item by item, in batch
order; all-or-nothing with every refusal named; the client id is the idempotency key (also
across the single-posting actions); the chain stays intact and balances are the replay."""
import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from tests.ledger.test_concurrency import reload_session_data  # noqa: F401 - reloads the data a transactional test empties
from tests.support import account, agreement_of, county_pair, office
from xiezuo.ingest.batch import ingest
from xiezuo.ledger import actions as ledger
from xiezuo.ledger import batch as ledger_batch
from xiezuo.ledger.balances import balance, totals
from xiezuo.ledger.chain import verify
from xiezuo.ledger.choices import Kind, Purpose
from xiezuo.ledger.models import Account, ChainHead, Entry, Posting
from xiezuo.pairings.models import Agreement, Pairing
from xiezuo.projects.models import ProgressReport, Project
from xiezuo.regions.models import Region

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
WAN = 10_000_00  # 1万元 in fen


@pytest.fixture
def pair():
    return county_pair()


@pytest.fixture
def agreement(pair):
    return agreement_of(pair)


@pytest.fixture
def project(pair):
    today = timezone.localdate()
    return Project.objects.create(code="INGEST-L-1", name="美姑县马铃薯基地", category="industry",
                                  county=Region.objects.get(code="513436"), pairing=pair, status="in_progress",
                                  planned_start=today - datetime.timedelta(days=90), planned_end=today + datetime.timedelta(days=200))


def P(client_id, stage, **fields):
    return {"type": "posting", "client_id": client_id, "stage": stage, **fields}


def flow(agreement, project, prefix="f", amount=100 * WAN):
    """Allocate, arrive, disburse 60 %, spend 25 %, reverse the spending: one batch."""
    today = timezone.localdate().isoformat()
    return [
        P(f"{prefix}-a", "allocate", agreement=agreement.pk, amount_fen=amount, memo="第一批"),
        P(f"{prefix}-r", "confirm_arrival", allocation=f"{prefix}-a", arrived_on=today),
        P(f"{prefix}-d", "disburse", project=project.code, amount_fen=amount * 60 // 100),
        P(f"{prefix}-s", "record_spending", project=project.code, amount_fen=amount * 25 // 100),
        P(f"{prefix}-x", "reverse", posting=f"{prefix}-s", reason="重复记账"),
    ]


def refused(outcome):
    return {(r["index"], r["field"]) for r in outcome.refused}


def test_a_whole_flow_in_one_batch_posts_by_the_ledgers_rules(users, agreement, project):
    outcome = ingest(users["national"], flow(agreement, project))
    assert (outcome.applied, outcome.duplicates, outcome.refused) == (5, 0, [])
    postings = {p.idempotency_key: p for p in Posting.objects.all()}
    assert [postings[k].kind for k in ("f-a", "f-r", "f-d", "f-s", "f-x")] == [
        Kind.ALLOCATION, Kind.ARRIVAL, Kind.DISBURSEMENT, Kind.SPENDING, Kind.REVERSAL]
    assert postings["f-r"].allocation_id == postings["f-a"].pk and postings["f-r"].arrived_on == timezone.localdate()
    assert postings["f-x"].reversal_of_id == postings["f-s"].pk and postings["f-x"].memo == "重复记账"
    assert postings["f-a"].due_date == agreement.funds_due_date and postings["f-a"].memo == "第一批"
    assert postings["f-a"].created_by == users["national"]
    # balances are the replay of entries, and every posting balances
    assert balance(account("330212", Purpose.EAST_BUDGET)) == 100 * WAN
    assert balance(account("513436", Purpose.IN_TRANSIT)) == 0
    assert balance(account("513436", Purpose.WEST_RECEIVING)) == 40 * WAN
    assert balance(account("513436", Purpose.PROJECT, project)) == 60 * WAN  # the spending was reversed
    assert balance(account("513436", Purpose.PROJECT_SPENDING, project)) == 0
    debits, credits = totals()
    assert debits == credits
    verdict = verify()
    assert verdict.ok and verdict.postings == 5 and verdict.entries == 10
    # the body is hashed as the action hashes it: the action sees its own retry
    again = ledger.allocate(users["national"], agreement=agreement, amount_fen=100 * WAN, idempotency_key="f-a", memo="第一批")
    assert again.pk == postings["f-a"].pk


def test_retrying_a_batch_posts_once_and_another_body_is_refused(users, agreement, project):
    items = flow(agreement, project)
    ingest(users["national"], items)
    head = ChainHead.objects.get().last_hash
    again = ingest(users["national"], items)
    assert (again.applied, again.duplicates, again.refused) == (0, 5, [])
    assert Posting.objects.count() == 5 and ChainHead.objects.get().last_hash == head
    changed = [dict(items[0], amount_fen=99 * WAN)]
    outcome = ingest(users["national"], changed)
    assert refused(outcome) == {(0, "client_id")}
    assert "different body" in outcome.refused[0]["reason"]
    assert Posting.objects.count() == 5


def test_a_posting_made_by_the_action_is_the_same_key(users, agreement):
    made = ledger.allocate(users["east_office"], agreement=agreement, amount_fen=5 * WAN, idempotency_key="act-1")
    same = ingest(users["east_office"], [P("act-1", "allocate", agreement=agreement.pk, amount_fen=5 * WAN)])
    assert (same.applied, same.duplicates) == (0, 1)
    other = ingest(users["east_office"], [P("act-1", "allocate", agreement=agreement.pk, amount_fen=6 * WAN)])
    assert refused(other) == {(0, "client_id")}
    assert Posting.objects.get(idempotency_key="act-1").pk == made.pk


def test_each_side_posts_only_its_own_steps(users, agreement, project):
    east, west, county = users["east_office"], users["west_office"], users["county_office"]
    assert refused(ingest(west, [P("w-a", "allocate", agreement=agreement.pk, amount_fen=WAN)])) == {(0, "agreement")}
    assert ingest(east, [P("e-a", "allocate", agreement=agreement.pk, amount_fen=10 * WAN)]).applied == 1
    today = timezone.localdate().isoformat()
    outcome = ingest(east, [P("e-r", "confirm_arrival", allocation="e-a", arrived_on=today),
                            P("e-d", "disburse", project=project.code, amount_fen=WAN),
                            P("e-s", "record_spending", project=project.code, amount_fen=WAN)])
    assert refused(outcome) == {(0, "allocation"), (1, "source"), (2, "project")}
    assert "western side" in outcome.refused[0]["reason"]
    assert ingest(county, [P("c-r", "confirm_arrival", allocation="e-a", arrived_on=today),
                           P("c-d", "disburse", project=project.code, amount_fen=WAN)]).applied == 2
    # the side that posted reverses: not the east for a disbursement, not the west for an allocation
    assert refused(ingest(east, [P("e-x", "reverse", posting="c-d", reason="错")])) == {(0, "posting")}
    assert refused(ingest(west, [P("w-x", "reverse", posting="e-a", reason="错")])) == {(0, "posting")}
    for reader in ("viewer", "auditor"):
        outcome = ingest(users[reader], [P(f"{reader}-a", "allocate", agreement=agreement.pk, amount_fen=WAN)])
        assert outcome.applied == 0 and outcome.refused
    assert verify().ok


def test_no_overdraft_checked_in_batch_order(users, agreement, project):
    national, today = users["national"], timezone.localdate().isoformat()
    items = [
        P("o-a", "allocate", agreement=agreement.pk, amount_fen=100 * WAN),
        P("o-d0", "disburse", project=project.code, amount_fen=WAN),  # nothing has arrived yet
        P("o-r", "confirm_arrival", allocation="o-a", arrived_on=today),
        P("o-d1", "disburse", project=project.code, amount_fen=60 * WAN),
        P("o-d2", "disburse", project=project.code, amount_fen=60 * WAN),  # 40 left
        P("o-s", "record_spending", project=project.code, amount_fen=61 * WAN),  # the project holds 60
    ]
    outcome = ingest(national, items)
    assert outcome.applied == 0
    assert refused(outcome) == {(1, "amount_fen"), (4, "amount_fen"), (5, "amount_fen")}
    reasons = {r["index"]: r["reason"] for r in outcome.refused}
    assert "more than has arrived" in reasons[1]
    assert "more than has arrived" in reasons[4] and "400,000.00" in reasons[4]
    assert "more than the project holds" in reasons[5]
    assert not Posting.objects.exists() and not Entry.objects.exists()
    assert ChainHead.objects.filter(last_seq__gt=0).count() == 0
    # spending on a project that never received money
    assert refused(ingest(national, [P("o-s2", "record_spending", project=project.code, amount_fen=1)])) == {(0, "amount_fen")}


def test_stage_rules_arrive_once_reverse_once(users, agreement, project):
    national, today = users["national"], timezone.localdate()
    ingest(national, flow(agreement, project, "s"))
    yesterday = (today - datetime.timedelta(days=1)).isoformat()
    items = [
        P("t-r", "confirm_arrival", allocation="s-a", arrived_on=today.isoformat()),  # already arrived
        P("t-x1", "reverse", posting="s-s", reason="再冲"),  # already reversed
        P("t-x2", "reverse", posting="s-x", reason="冲销冲销"),  # a reversal
        P("t-x3", "reverse", posting="s-a", reason="撤回"),  # its arrival stands
        P("t-r2", "confirm_arrival", allocation="s-d", arrived_on=today.isoformat()),  # not an allocation
        P("t-r3", "confirm_arrival", allocation=Posting.objects.get(idempotency_key="s-a").pk,
          arrived_on=(today + datetime.timedelta(days=1)).isoformat()),  # in the future
        P("t-x4", "reverse", posting="s-d", reason="", booked_on=yesterday),
    ]
    outcome = ingest(national, items)
    assert refused(outcome) == {(0, "allocation"), (1, "posting"), (2, "posting"), (3, "posting"), (4, "allocation"),
                                (5, "arrived_on"), (6, "reason")}
    reasons = {r["index"]: r["reason"] for r in outcome.refused}
    assert "already arrived" in reasons[0] and "already reversed" in reasons[1]
    assert "not reversed" in reasons[2] and "reverse its arrival first" in reasons[3] and "future" in reasons[5]
    # in order, the allocation can be undone: spend back, undo the disbursement, the arrival, then the allocation
    ok = ingest(national, [P("u-x1", "reverse", posting="s-d", reason="撤回拨付"),
                           P("u-x2", "reverse", posting="s-r", reason="撤回到位"),
                           P("u-x3", "reverse", posting="s-a", reason="撤回下达"),
                           P("u-x4", "reverse", posting="u-x3", reason="no")])
    assert refused(ok) == {(3, "posting")}
    ok = ingest(national, [P("u-x1", "reverse", posting="s-d", reason="撤回拨付"),
                           P("u-x2", "reverse", posting="s-r", reason="撤回到位"),
                           P("u-x3", "reverse", posting="s-a", reason="撤回下达")])
    assert ok.applied == 3, ok.refused
    for purpose in (Purpose.IN_TRANSIT, Purpose.WEST_RECEIVING):
        assert balance(account("513436", purpose)) == 0
    assert balance(account("330212", Purpose.EAST_BUDGET)) == 0
    assert verify().ok


def test_references_bad_shapes_and_every_refusal_named(users, agreement, project):
    national = users["national"]
    items = [
        P("b-r", "confirm_arrival", allocation="b-a", arrived_on="2026-01-01"),  # 0: refers to a later item
        P("b-a", "allocate", agreement=agreement.pk, amount_fen=1.5),  # 1: fractional fen
        P("b-r2", "confirm_arrival", allocation="b-a", arrived_on="2026-01-01"),  # 2: refers to a refused item
        P("b-n", "allocate", agreement=agreement.pk, amount_fen=-5),  # 3
        P("b-t", "allocate", agreement=agreement.pk, amount_fen=True),  # 4
        P("b-u", "allocate", agreement=agreement.pk, amount_fen=5, amount=5),  # 5: unknown field
        P("b-g", "gossip"),  # 6: unknown stage
        P("b-m", "allocate", agreement=agreement.pk, amount_fen=5, memo="长" * 301),  # 7
        P("b-q", "allocate", agreement=999999, amount_fen=5),  # 8
        P("b-p", "disburse", project="NOPE", amount_fen=5),  # 9
        P("b-x", "reverse", posting=123456789, reason="x"),  # 10
        P("b-d", "allocate", agreement=agreement.pk, amount_fen=5, booked_on="2026/01/01"),  # 11
        P(" b-s", "allocate", agreement=agreement.pk, amount_fen=5),  # 12: spaces around the key
        P("b-nul", "allocate", agreement=agreement.pk, amount_fen=5, memo="a\x00b"),  # 13
    ]
    outcome = ingest(national, items)
    assert outcome.applied == 0
    assert refused(outcome) == {(0, "allocation"), (1, "amount_fen"), (2, "allocation"), (3, "amount_fen"), (4, "amount_fen"),
                                (5, "amount"), (6, "stage"), (7, "memo"), (8, "agreement"), (9, "project"), (10, "posting"),
                                (11, "booked_on"), (12, "client_id"), (13, "memo")}
    reasons = {r["index"]: r["reason"] for r in outcome.refused}
    assert "later in the batch" in reasons[0] and "refused" in reasons[2]
    assert all(r["client_id"] == items[r["index"]]["client_id"] and r["kind"] == "posting" for r in outcome.refused)
    assert not Posting.objects.exists()


def test_a_mixed_batch_is_all_or_nothing(users, agreement, project):
    national = users["national"]
    good_report = {"type": "report", "client_id": "m-rep", "project": project.code, "week": "2026-11-18", "percent": 40}
    bad = P("m-d", "disburse", project=project.code, amount_fen=WAN)  # nothing has arrived
    outcome = ingest(national, [good_report, P("m-a", "allocate", agreement=agreement.pk, amount_fen=WAN), bad])
    assert refused(outcome) == {(2, "amount_fen")}
    assert not ProgressReport.objects.filter(project=project).exists() and not Posting.objects.exists()
    outcome = ingest(national, [good_report, P("m-a", "allocate", agreement=agreement.pk, amount_fen=WAN)])
    assert outcome.applied == 2
    # a client id is one namespace: a report's id cannot name a posting
    assert refused(ingest(national, [P("m-rep", "allocate", agreement=agreement.pk, amount_fen=WAN)])) == {(0, "client_id")}
    assert refused(ingest(national, [dict(good_report, client_id="m-a")])) == {(0, "client_id")}


def test_one_live_event_per_batch(users, agreement, project, monkeypatch):
    sent = []
    monkeypatch.setattr(ledger_batch, "publish", lambda kind, data: sent.append((kind, data)))
    ingest(users["national"], flow(agreement, project))
    assert len(sent) == 1
    kind, data = sent[0]
    assert kind == "ledger" and data["count"] == 5 and len(data["items"]) == 5
    assert {it["county"] for it in data["items"]} == {"513436"} and {it["east"] for it in data["items"]} == {"330212"}
    assert all(it["id"] and it["amount_fen"] > 0 for it in data["items"])


def test_a_disbursement_from_an_office_above_the_county(users, agreement, project):
    """`source` names the paying office (the province's here), as the action allows."""
    national = users["national"]
    province = office("510000")
    ingest(national, flow(agreement, project, "p"))
    outcome = ingest(national, [P("p-d2", "disburse", project=project.code, amount_fen=WAN, source=province.pk)])
    assert refused(outcome) == {(0, "amount_fen")}  # nothing arrived at the province
    outcome = ingest(national, [P("p-d3", "disburse", project=project.code, amount_fen=WAN, source=office("330212").pk)])
    assert refused(outcome) == {(0, "source")}


# --- concurrency (PostgreSQL): batches and single postings never overdraw one account ------

@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL (SQLite serialises writers anyway)")
@pytest.mark.django_db(transaction=True)
def test_parallel_batches_and_actions_never_overdraw():
    from tests.ledger.test_concurrency import ensure_seeded, in_parallel

    ensure_seeded()
    User = get_user_model()
    east, county = User.objects.get(username="east_office"), User.objects.get(username="county_office")
    pair = Pairing.objects.get(kind="county", east_region__code="330212", west_region__code="513436")
    agreement = Agreement.objects.get(pairing=pair, year=timezone.localdate().year)
    today = timezone.localdate()
    project = Project.objects.create(code="CONC-I-1", name="并发批量", category="industry", county=Region.objects.get(code="513436"),
                                     pairing=pair, status="in_progress", planned_start=today, planned_end=today + datetime.timedelta(days=30))
    alloc = ledger.allocate(east, agreement=agreement, amount_fen=100 * WAN, idempotency_key="ci-alloc")
    ledger.confirm_arrival(county, allocation=alloc, arrived_on=today, idempotency_key="ci-arr")
    n, each = 8, 30 * WAN  # 8 × 2 × 30万 asked for, 100万 arrived: at most 3 can be paid

    def work(i):
        user = User.objects.get(username="county_office")
        if i % 2:
            return ledger.disburse(user, project=Project.objects.get(pk=project.pk), amount_fen=each, idempotency_key=f"ci-s{i}")
        outcome = ingest(user, [P(f"ci-b{i}", "disburse", project=project.code, amount_fen=each)])
        assert outcome.refused or outcome.applied == 1
        return outcome

    results, errors = in_parallel(n, work)
    assert all(e is None or "more than has arrived" in str(e) for e in errors), errors
    batches = [r for r in results if r is not None and not isinstance(r, Posting)]
    assert all("more than has arrived" in r.refused[0]["reason"] for r in batches if r.refused)
    disbursed = sum(p.amount_fen for p in Posting.objects.filter(kind=Kind.DISBURSEMENT))
    assert disbursed == 3 * each
    receiving = Account.objects.get(purpose=Purpose.WEST_RECEIVING, owner__region__code="513436")
    assert balance(receiving) == 100 * WAN - disbursed >= 0
    assert verify().ok


class PausedBatch:
    """A batch ingested in a thread of its own that stops once its postings are written
    (their ids taken from the sequence, their references checked and key-share-locked) and
    before it takes the chain head, until `finish()`: the moment another writer can pass it."""

    def __init__(self, monkeypatch, user, items):
        import threading

        self.written, self.go, self.outcomes = threading.Event(), threading.Event(), []
        real = ledger_batch.check_deferred

        def pause():
            real()
            if threading.current_thread() is self.thread:
                self.written.set()
                assert self.go.wait(30)

        monkeypatch.setattr(ledger_batch, "check_deferred", pause)

        def run():
            try:
                self.outcomes.append(ingest(user, items))
            finally:
                connection.close()

        self.thread = threading.Thread(target=run)
        self.thread.start()
        assert self.written.wait(30)

    def finish(self):
        self.go.set()
        self.thread.join(30)
        assert self.outcomes and self.outcomes[0].ok
        return self.outcomes[0]


def two_writers(test):
    """PostgreSQL only (SQLite serialises writers), with committed transactions."""
    for mark in (pytest.mark.postgres, pytest.mark.django_db(transaction=True),
                 pytest.mark.skipif(connection.vendor != "postgresql", reason="two writers at once need PostgreSQL")):
        test = mark(test)
    return test


@two_writers
def test_the_dashboard_counts_a_batch_that_commits_after_a_higher_numbered_one(monkeypatch):
    """A batch writes its postings (ids from the sequence) before it takes the chain head, so
    a batch that started later can commit first with higher ids. The dashboard's money
    summary is written in each batch's own transaction: the earlier batch, committed later,
    is counted once, when it commits — equal to the sums the database gives, midway and after."""
    from tests.ledger.test_concurrency import ensure_seeded
    from xiezuo.ledger.figures import stage_totals as _sql_stage_totals
    from xiezuo.ledger.totals import stage_totals

    ensure_seeded()
    national = get_user_model().objects.get(username="national")
    year = timezone.localdate().year
    # two eastern offices' agreements: the batches lock different accounts
    county_pair = Agreement.objects.get(pairing__kind="county", pairing__east_region__code="330212",
                                        pairing__west_region__code="513436", year=year)
    province_pair = Agreement.objects.get(pairing__kind="province", pairing__east_region__code="330000", year=year)
    before = stage_totals(national, year)["allocated"]
    slow = PausedBatch(monkeypatch, national, [P("late-a", "allocate", agreement=county_pair.pk, amount_fen=7 * WAN)])
    try:
        fast = ingest(national, [P("early-a", "allocate", agreement=province_pair.pk, amount_fen=5 * WAN)])
        assert fast.ok
        midway = stage_totals(national, year)
        assert midway["allocated"] == before + 5 * WAN == _sql_stage_totals(national, year)["allocated"]
    finally:
        slow.finish()
    late, early = Posting.objects.get(idempotency_key="late-a"), Posting.objects.get(idempotency_key="early-a")
    assert late.pk < early.pk and late.entries.first().seq > early.entries.first().seq  # numbered first, chained last
    after = stage_totals(national, year)
    assert after["allocated"] == before + 12 * WAN
    assert after == _sql_stage_totals(national, year)
    assert verify().ok


@two_writers
def test_deleting_a_row_that_an_uncommitted_batch_names_waits_for_the_batch_and_is_refused(monkeypatch):
    """The postings' references are checked per statement, not by foreign keys; the check
    key-share-locks each row it names, as a foreign key does, so a delete in another
    transaction waits until the batch commits and the guard then sees the posting."""
    import threading
    import time

    from django.db import IntegrityError, transaction

    from tests.ledger.test_concurrency import ensure_seeded
    from xiezuo.users.models import Profile

    ensure_seeded()
    User = get_user_model()
    national = User.objects.get(username="national")
    poster = User.objects.create_user("race-poster", password="x")  # named by no posting yet
    Profile.objects.create(user=poster, role=national.profile.role, organisation=national.profile.organisation)
    agreement = Agreement.objects.get(pairing__kind="county", pairing__east_region__code="330212",
                                      pairing__west_region__code="513436", year=timezone.localdate().year)
    batch = PausedBatch(monkeypatch, poster, [P("race-a", "allocate", agreement=agreement.pk, amount_fen=WAN)])
    answer = []

    def delete_the_poster():
        try:
            with transaction.atomic(), connection.cursor() as cur:
                cur.execute(f"DELETE FROM {Profile._meta.db_table} WHERE user_id = %s", [poster.pk])
                cur.execute("DELETE FROM auth_user WHERE id = %s", [poster.pk])
            answer.append("deleted")
        except IntegrityError as exc:
            answer.append(str(exc))
        finally:
            connection.close()

    deleter = threading.Thread(target=delete_the_poster)
    try:
        deleter.start()
        time.sleep(1)
        assert answer == []  # waiting for the batch's key-share lock on the user's row
    finally:
        batch.finish()
        deleter.join(30)
    assert answer and f"#{poster.pk} of auth_user is named by ledger posting #" in answer[0]
    assert User.objects.filter(pk=poster.pk).exists() and Profile.objects.filter(user=poster).exists()
    assert Posting.objects.get(idempotency_key="race-a").created_by_id == poster.pk
    assert verify().ok


def test_the_batch_event_shows_each_dashboard_only_its_own_postings():
    """The live stream keeps the items a user may see, and the total becomes theirs."""
    import json

    from xiezuo.core.scoping import scope_for
    from xiezuo.live.stream import filter_event

    User = get_user_model()
    message = json.dumps({"kind": "ledger", "data": {"kind": "2 postings", "count": 2, "amount_fen": 300, "items": [
        {"id": 1, "kind": "disbursement", "amount_fen": 100, "county": "513436", "east": "330212"},
        {"id": 2, "kind": "disbursement", "amount_fen": 200, "county": "522301", "east": "440300"}]}})
    county = json.loads(filter_event(scope_for(User.objects.get(username="county_office")), message))["data"]
    assert (county["count"], county["amount_fen"], [it["id"] for it in county["items"]]) == (1, 100, [1])
    national = json.loads(filter_event(scope_for(User.objects.get(username="national")), message))["data"]
    assert (national["count"], national["amount_fen"]) == (2, 300)


def test_a_posting_single_or_batch_marks_its_regions_facts_changed(users, agreement, project):
    """The ledger tells what computes from its facts which regions changed and since when:
    once per posting by an action, once per batch (the union of codes, the earliest date)."""
    from xiezuo.core.facts import facts_changed
    from xiezuo.ledger.batch import PostingItem, post_many

    sent = []

    def receiver(sender, region_codes, date, **kwargs):
        sent.append((set(region_codes), date))

    facts_changed.connect(receiver)
    try:
        today = timezone.localdate()
        earlier = today - datetime.timedelta(days=3)
        ledger.allocate(users["east_office"], agreement=agreement, amount_fen=5 * WAN, idempotency_key="fc-1", booked_on=today)
        assert sent == [({"330212", "513436"}, today)]
        sent.clear()
        ids = post_many(users["national"], [
            PostingItem(index=0, key="fc-a", stage="allocate", agreement=agreement.pk, amount_fen=5 * WAN, booked_on=earlier),
            PostingItem(index=1, key="fc-r", stage="confirm_arrival", allocation="fc-a", arrived_on=today),
            PostingItem(index=2, key="fc-d", stage="disburse", project=project.code, amount_fen=2 * WAN),
        ])
        assert len(ids) == 3
        assert sent == [({"330212", "513436"}, earlier)]  # one signal for the batch
        sent.clear()
        outcome = ingest(users["national"], [P("fc-s", "record_spending", project=project.code, amount_fen=WAN)])
        assert outcome.applied == 1 and sent == [({"330212", "513436"}, today)]
    finally:
        facts_changed.disconnect(receiver)


def test_the_batch_action_refuses_by_the_actions_rules(users, agreement, project):
    from xiezuo.core.errors import ValidationError, messages_of
    from xiezuo.ledger.batch import PostingItem, post_many

    with pytest.raises(ValidationError) as raised:
        post_many(users["national"], [PostingItem(index=0, key="pm-d", stage="disburse", project=project.code, amount_fen=WAN)])
    assert messages_of(raised.value) == {"0.amount_fen": ["more than has arrived: ¥0.00 has arrived at "
                                                          f"{office('513436')} and is not yet disbursed"]}
    assert not Posting.objects.exists()

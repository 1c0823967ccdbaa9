"""The ledger: fiscal aid moves allocation → arrival → disbursement → spending, every movement
is a balanced, append-only, hash-chained posting; each side posts only its own steps."""
import datetime
import importlib

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation

from tests.support import account, agreement_of, county_pair, office
from xiezuo.users.models import Profile
from xiezuo.core.errors import messages_of
from xiezuo.core.scoping import visible
from xiezuo.ledger import actions as ledger
from xiezuo.ledger.balances import arrival_timeliness, balance, balances, replayed, totals
from xiezuo.ledger.chain import verify
from xiezuo.ledger.choices import Kind, Purpose, Side
from xiezuo.ledger.figures import stage_totals
from xiezuo.ledger.models import Account, AppendOnlyError, ChainHead, Entry, Posting
from xiezuo.pairings.models import Agreement, Pairing
from xiezuo.projects.models import Project
from xiezuo.regions.models import Region

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English (the msgids); users see them in Chinese."""
    with translation.override("en"):
        yield


D = datetime.date
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
    return Project.objects.create(code="LEDGER-TEST-1", name="美姑县高山蔬菜基地", category="industry",
                                  county=Region.objects.get(code="513436"), pairing=pair, status="in_progress",
                                  planned_start=today - datetime.timedelta(days=90), planned_end=today + datetime.timedelta(days=200))


@pytest.fixture
def stranger(db):
    """An office admin of Guangdong: outside the Zhejiang–Sichuan pair."""
    user = get_user_model().objects.create_user("gd_office", password="x")
    Profile.objects.create(user=user, role="office_admin", organisation=office("440000"))
    return user


@pytest.fixture
def arrived(users, agreement):
    """100万元 allocated by the east and arrived in 美姑县."""
    alloc = ledger.allocate(users["east_office"], agreement=agreement, amount_fen=100 * WAN, idempotency_key="alloc-1")
    ledger.confirm_arrival(users["county_office"], allocation=alloc, arrived_on=timezone.localdate(), idempotency_key="arr-1")
    return alloc


def errors_of(exc_info):
    return messages_of(exc_info.value)


# --- the stages ---------------------------------------------------------------------


def test_fiscal_aid_moves_through_the_four_stages(users, agreement, project):
    east, county = users["east_office"], users["county_office"]
    alloc = ledger.allocate(east, agreement=agreement, amount_fen=100 * WAN, idempotency_key="a1", memo="2026年第一批")
    assert alloc.kind == Kind.ALLOCATION and alloc.due_date == agreement.funds_due_date
    assert balance(account("330212", Purpose.EAST_BUDGET)) == 100 * WAN
    assert balance(account("513436", Purpose.IN_TRANSIT)) == 100 * WAN

    arrival = ledger.confirm_arrival(county, allocation=alloc, arrived_on=timezone.localdate(), idempotency_key="r1")
    assert arrival.arrived_on == timezone.localdate() and arrival.due_date == agreement.funds_due_date
    assert balance(account("513436", Purpose.IN_TRANSIT)) == 0
    assert balance(account("513436", Purpose.WEST_RECEIVING)) == 100 * WAN

    ledger.disburse(county, project=project, amount_fen=60 * WAN, idempotency_key="d1")
    assert balance(account("513436", Purpose.WEST_RECEIVING)) == 40 * WAN
    assert balance(account(None, Purpose.PROJECT, project)) == 60 * WAN

    ledger.record_spending(county, project=project, amount_fen=25 * WAN, idempotency_key="s1")
    assert balance(account(None, Purpose.PROJECT, project)) == 35 * WAN
    assert balance(account(None, Purpose.PROJECT_SPENDING, project)) == 25 * WAN

    debits, credits = totals()
    assert debits == credits
    assert all(p.entries.count() == 2 for p in Posting.objects.all())
    assert verify().ok
    year = timezone.localdate().year
    assert stage_totals(users["west_office"], year) == {"allocated": 100 * WAN, "arrived": 100 * WAN,
                                                        "disbursed": 60 * WAN, "spent": 25 * WAN}


def test_a_province_office_disburses_from_its_own_account(users, project):
    province_pair = Pairing.objects.get(kind="province", east_region__code="330000", west_region__code="510000")
    agreement = Agreement.objects.get(pairing=province_pair, year=timezone.localdate().year)
    alloc = ledger.allocate(users["east_office"], agreement=agreement, amount_fen=500 * WAN, idempotency_key="pa")
    ledger.confirm_arrival(users["west_office"], allocation=alloc, arrived_on=timezone.localdate(), idempotency_key="pr")
    ledger.disburse(users["west_office"], project=project, source=office("510000"), amount_fen=50 * WAN, idempotency_key="pd")
    assert balance(account("510000", Purpose.WEST_RECEIVING)) == 450 * WAN
    assert balance(account(None, Purpose.PROJECT, project)) == 50 * WAN
    # the county office cannot pay out of the province's account
    with pytest.raises(PermissionDenied):
        ledger.disburse(users["county_office"], project=project, source=office("510000"), amount_fen=1, idempotency_key="pd2")
    # and a source must be above the project's county
    with pytest.raises(ValidationError) as exc:
        ledger.disburse(users["national"], project=project, source=office("520000"), amount_fen=1, idempotency_key="pd3")
    assert "source" in errors_of(exc)


def test_arrival_keeps_dates_for_timeliness(users, agreement):
    east, county = users["east_office"], users["county_office"]
    due = agreement.funds_due_date
    early = ledger.allocate(east, agreement=agreement, amount_fen=30 * WAN, idempotency_key="t1", booked_on=due - datetime.timedelta(days=40))
    late = ledger.allocate(east, agreement=agreement, amount_fen=70 * WAN, idempotency_key="t2", booked_on=due - datetime.timedelta(days=10))
    ledger.allocate(east, agreement=agreement, amount_fen=11 * WAN, idempotency_key="t3", booked_on=due)  # not arrived yet
    on_time = ledger.confirm_arrival(county, allocation=early, arrived_on=due, idempotency_key="t1a")
    overdue = ledger.confirm_arrival(county, allocation=late, arrived_on=due + datetime.timedelta(days=3), idempotency_key="t2a")
    assert (on_time.arrived_on, on_time.due_date) == (due, due)
    assert overdue.arrived_on > overdue.due_date
    assert arrival_timeliness(Posting.objects.filter(agreement=agreement)) == {
        "allocated_fen": 111 * WAN, "arrived_fen": 100 * WAN, "on_time_fen": 30 * WAN}


def test_an_allocation_arrives_once_and_not_before_it_was_made(users, agreement):
    alloc = ledger.allocate(users["east_office"], agreement=agreement, amount_fen=WAN, idempotency_key="o1",
                            booked_on=timezone.localdate() - datetime.timedelta(days=5))
    county = users["county_office"]
    with pytest.raises(ValidationError) as exc:
        ledger.confirm_arrival(county, allocation=alloc, arrived_on=alloc.booked_on - datetime.timedelta(days=1), idempotency_key="o2")
    assert "before" in errors_of(exc)["arrived_on"][0]
    with pytest.raises(ValidationError) as exc:
        ledger.confirm_arrival(county, allocation=alloc, arrived_on=timezone.localdate() + datetime.timedelta(days=1), idempotency_key="o3")
    assert "future" in errors_of(exc)["arrived_on"][0]
    with pytest.raises(ValidationError) as exc:
        ledger.confirm_arrival(county, allocation=alloc, arrived_on=None, idempotency_key="o4")
    assert "arrived_on" in errors_of(exc)
    first = ledger.confirm_arrival(county, allocation=alloc, arrived_on=timezone.localdate(), idempotency_key="o5")
    with pytest.raises(ValidationError) as exc:
        ledger.confirm_arrival(county, allocation=alloc, arrived_on=timezone.localdate(), idempotency_key="o6")
    assert "already arrived" in errors_of(exc)["allocation"][0]
    # a mistaken arrival is reversed, then confirmed again
    ledger.reverse(county, posting=first, reason="到账日期录错", idempotency_key="o7")
    again = ledger.confirm_arrival(county, allocation=alloc, arrived_on=timezone.localdate() - datetime.timedelta(days=1), idempotency_key="o8")
    assert again.arrived_on == timezone.localdate() - datetime.timedelta(days=1)
    assert balance(account("513436", Purpose.WEST_RECEIVING)) == WAN
    assert balance(account("513436", Purpose.IN_TRANSIT)) == 0


# --- idempotency --------------------------------------------------------------------


def test_a_retried_request_posts_once(users, agreement, project, arrived):
    county = users["county_office"]
    first = ledger.disburse(county, project=project, amount_fen=10 * WAN, idempotency_key="retry-1")
    entries = Entry.objects.count()
    again = ledger.disburse(county, project=project, amount_fen=10 * WAN, idempotency_key="retry-1")
    assert again.pk == first.pk
    assert Entry.objects.count() == entries
    assert balance(account(None, Purpose.PROJECT, project)) == 10 * WAN
    # the retry is answered even after the money has moved on
    ledger.disburse(county, project=project, amount_fen=90 * WAN, idempotency_key="retry-2")
    assert ledger.disburse(county, project=project, amount_fen=10 * WAN, idempotency_key="retry-1").pk == first.pk


def test_the_same_key_with_another_body_is_refused(users, agreement, project, arrived):
    county = users["county_office"]
    ledger.disburse(county, project=project, amount_fen=10 * WAN, idempotency_key="k-1")
    entries = Entry.objects.count()
    for kwargs in ({"amount_fen": 11 * WAN}, {"amount_fen": 10 * WAN, "memo": "改了"}):
        with pytest.raises(ValidationError) as exc:
            ledger.disburse(county, project=project, idempotency_key="k-1", **kwargs)
        assert "different body" in errors_of(exc)["idempotency_key"][0]
    with pytest.raises(ValidationError) as exc:  # another kind of posting under the same key
        ledger.record_spending(county, project=project, amount_fen=10 * WAN, idempotency_key="k-1")
    assert "idempotency_key" in errors_of(exc)
    assert Entry.objects.count() == entries


# --- bad input ----------------------------------------------------------------------


@pytest.mark.parametrize("amount", [0, -100, 1.5, "100", None, True])
def test_amounts_must_be_whole_positive_fen(users, agreement, project, arrived, amount):
    entries = Entry.objects.count()
    with pytest.raises(ValidationError) as exc:
        ledger.allocate(users["east_office"], agreement=agreement, amount_fen=amount, idempotency_key="bad-a")
    assert "amount_fen" in errors_of(exc)
    for call in (ledger.disburse, ledger.record_spending):
        with pytest.raises(ValidationError) as exc:
            call(users["county_office"], project=project, amount_fen=amount, idempotency_key="bad-d")
        assert "amount_fen" in errors_of(exc)
    assert Entry.objects.count() == entries


@pytest.mark.parametrize("key", ["", "  ", " padded", "x" * 65, None, 17])
def test_an_idempotency_key_is_required(users, agreement, key):
    with pytest.raises(ValidationError) as exc:
        ledger.allocate(users["east_office"], agreement=agreement, amount_fen=WAN, idempotency_key=key)
    assert "idempotency_key" in errors_of(exc)


def test_disbursing_more_than_has_arrived_is_refused(users, agreement, project, arrived):
    county = users["county_office"]
    # a second allocation is still in transit: it does not count as arrived
    ledger.allocate(users["east_office"], agreement=agreement, amount_fen=500 * WAN, idempotency_key="pending")
    entries = Entry.objects.count()
    with pytest.raises(ValidationError) as exc:
        ledger.disburse(county, project=project, amount_fen=100 * WAN + 1, idempotency_key="too-much")
    msg = errors_of(exc)["amount_fen"][0]
    assert "more than has arrived" in msg and "¥1,000,000.00" in msg
    assert Entry.objects.count() == entries
    ledger.disburse(county, project=project, amount_fen=100 * WAN, idempotency_key="exactly")
    assert balance(account("513436", Purpose.WEST_RECEIVING)) == 0


def test_spending_more_than_the_project_holds_is_refused(users, project, arrived):
    county = users["county_office"]
    with pytest.raises(ValidationError) as exc:
        ledger.record_spending(county, project=project, amount_fen=1, idempotency_key="s-none")
    assert "more than the project holds" in errors_of(exc)["amount_fen"][0]
    ledger.disburse(county, project=project, amount_fen=5 * WAN, idempotency_key="s-d")
    with pytest.raises(ValidationError) as exc:
        ledger.record_spending(county, project=project, amount_fen=5 * WAN + 1, idempotency_key="s-over")
    assert "more than the project holds" in errors_of(exc)["amount_fen"][0]


def test_a_cancelled_project_takes_no_money(users, project, arrived):
    county = users["county_office"]
    ledger.disburse(county, project=project, amount_fen=5 * WAN, idempotency_key="c-1")
    Project.objects.filter(pk=project.pk).update(status="cancelled")
    for call, key in ((ledger.disburse, "c-2"), (ledger.record_spending, "c-3")):
        with pytest.raises(ValidationError) as exc:
            call(county, project=project, amount_fen=WAN, idempotency_key=key)
        assert "cancelled" in errors_of(exc)["project"][0]
    # the money already paid in can still be returned by reversing the disbursement
    ledger.reverse(county, posting=Posting.objects.get(idempotency_key="c-1"), reason="项目取消，资金收回", idempotency_key="c-4")
    assert balance(account("513436", Purpose.WEST_RECEIVING)) == 100 * WAN


def test_unbalanced_or_one_sided_postings_are_refused(users, project, arrived):
    receiving = account("513436", Purpose.WEST_RECEIVING)
    target = ledger.account_for(office("513436"), Purpose.PROJECT, project)
    entries = Entry.objects.count()
    cases = [
        [(target, Side.DEBIT, 100), (receiving, Side.CREDIT, 99)],
        [(target, Side.DEBIT, 100)],
        [(target, Side.DEBIT, 0), (receiving, Side.CREDIT, 0)],
        [(target, Side.DEBIT, -5), (receiving, Side.CREDIT, -5)],
        [(target, "X", 5), (receiving, Side.CREDIT, 5)],
    ]
    for lines in cases:
        with pytest.raises(ValidationError) as exc, transaction.atomic():
            ledger.post(users["county_office"], kind=Kind.DISBURSEMENT, key="raw", rhash="0" * 64, lines=lines,
                        booked_on=timezone.localdate(), project=project)
        assert "entries" in errors_of(exc)
    assert Entry.objects.count() == entries


def test_dates_in_the_future_are_refused(users, agreement):
    with pytest.raises(ValidationError) as exc:
        ledger.allocate(users["east_office"], agreement=agreement, amount_fen=WAN, idempotency_key="f",
                        booked_on=timezone.localdate() + datetime.timedelta(days=1))
    assert "booked_on" in errors_of(exc)


# --- append only, reversals ---------------------------------------------------------


def test_ledger_rows_are_never_changed_or_deleted(arrived):
    entry = Entry.objects.first()
    posting = entry.posting
    entry.amount_fen += 1
    for attempt in (entry.save, entry.delete, posting.save, posting.delete,
                    lambda: Entry.objects.filter(pk=entry.pk).update(amount_fen=1),
                    lambda: Entry.objects.filter(pk=entry.pk).delete(),
                    lambda: Posting.objects.all().update(memo="x"),
                    lambda: Posting.objects.all().delete()):
        with pytest.raises(AppendOnlyError):
            attempt()
    assert Entry.objects.get(pk=entry.pk).amount_fen == entry.amount_fen - 1


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="database triggers are installed on PostgreSQL")
def test_postgresql_refuses_updates_behind_the_applications_back(arrived):
    from django.db import DatabaseError

    for sql in ("UPDATE ledger_entry SET amount_fen = amount_fen + 1", "DELETE FROM ledger_posting"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql)


def test_a_reversal_mirrors_the_original_and_restores_balances(users, project, arrived):
    county = users["county_office"]
    accounts = list(Account.objects.all())
    before = balances(accounts)
    d = ledger.disburse(county, project=project, amount_fen=40 * WAN, idempotency_key="rv-d")
    r = ledger.reverse(county, posting=d, reason="拨付对象错误", idempotency_key="rv-r")
    assert r.reversal_of_id == d.pk and r.kind == Kind.REVERSAL and r.amount_fen == d.amount_fen
    mirrored = {(e.account_id, e.side, e.amount_fen) for e in r.entries.all()}
    assert mirrored == {(e.account_id, "C" if e.side == "D" else "D", e.amount_fen) for e in d.entries.all()}
    after = balances(Account.objects.all())
    assert all(after[a.pk] == before.get(a.pk, 0) for a in Account.objects.all())
    assert d.entries.count() == 2  # the original stays
    with pytest.raises(ValidationError) as exc:
        ledger.reverse(county, posting=d, reason="again", idempotency_key="rv-r2")
    assert "already reversed" in errors_of(exc)["posting"][0]
    with pytest.raises(ValidationError) as exc:
        ledger.reverse(county, posting=r, reason="undo the undo", idempotency_key="rv-r3")
    assert "posting" in errors_of(exc)
    with pytest.raises(ValidationError) as exc:
        ledger.reverse(county, posting=d, reason="  ", idempotency_key="rv-r4")
    assert "reason" in errors_of(exc)


def test_a_reversal_cannot_overdraw_or_skip_a_stage(users, project, arrived):
    county, east = users["county_office"], users["east_office"]
    d = ledger.disburse(county, project=project, amount_fen=40 * WAN, idempotency_key="ov-d")
    ledger.record_spending(county, project=project, amount_fen=30 * WAN, idempotency_key="ov-s")
    with pytest.raises(ValidationError) as exc:  # 30万 of it is already spent
        ledger.reverse(county, posting=d, reason="收回", idempotency_key="ov-r")
    assert "more than the project holds" in errors_of(exc)["posting"][0]
    with pytest.raises(ValidationError) as exc:  # the allocation has arrived
        ledger.reverse(east, posting=arrived, reason="撤回", idempotency_key="ov-a")
    assert "arrival first" in errors_of(exc)["posting"][0]


# --- permissions --------------------------------------------------------------------


def test_the_east_allocates_the_west_confirms_and_disburses(users, agreement, project, stranger):
    east, west, county = users["east_office"], users["west_office"], users["county_office"]
    for user in (west, county, users["viewer"], users["auditor"], stranger):
        with pytest.raises(PermissionDenied):
            ledger.allocate(user, agreement=agreement, amount_fen=WAN, idempotency_key="p-a")
    alloc = ledger.allocate(east, agreement=agreement, amount_fen=10 * WAN, idempotency_key="p-a")
    for user in (east, users["viewer"], users["auditor"], stranger):
        with pytest.raises(PermissionDenied):
            ledger.confirm_arrival(user, allocation=alloc, arrived_on=timezone.localdate(), idempotency_key="p-r")
    ledger.confirm_arrival(west, allocation=alloc, arrived_on=timezone.localdate(), idempotency_key="p-r")
    for user in (east, users["viewer"], users["auditor"], stranger):
        with pytest.raises(PermissionDenied):
            ledger.disburse(user, project=project, amount_fen=WAN, idempotency_key="p-d")
    d = ledger.disburse(county, project=project, amount_fen=5 * WAN, idempotency_key="p-d")
    for user in (east, users["viewer"], users["auditor"], stranger):
        with pytest.raises(PermissionDenied):
            ledger.record_spending(user, project=project, amount_fen=WAN, idempotency_key="p-s")
    s = ledger.record_spending(county, project=project, amount_fen=WAN, idempotency_key="p-s")
    # reversals belong to the side that posted
    for posting in (d, s):
        with pytest.raises(PermissionDenied):
            ledger.reverse(east, posting=posting, reason="x", idempotency_key=f"p-x{posting.pk}")
    for user in (west, users["viewer"], users["auditor"]):
        with pytest.raises(PermissionDenied):
            ledger.reverse(user, posting=alloc, reason="x", idempotency_key="p-xa")
    # a refused request posts nothing, and its key is still free
    assert not Posting.objects.filter(idempotency_key__in=["p-xa"]).exists()
    assert Posting.objects.count() == 4


def test_the_national_coordinator_may_post_every_stage(users, agreement, project):
    national = users["national"]
    alloc = ledger.allocate(national, agreement=agreement, amount_fen=WAN, idempotency_key="n-a")
    ledger.confirm_arrival(national, allocation=alloc, arrived_on=timezone.localdate(), idempotency_key="n-r")
    ledger.disburse(national, project=project, amount_fen=WAN, idempotency_key="n-d")
    p = ledger.record_spending(national, project=project, amount_fen=WAN, idempotency_key="n-s")
    assert p.created_by == national and p.via == "system"


def test_both_sides_see_the_postings_others_do_not(users, project, arrived, stranger):
    ledger.disburse(users["county_office"], project=project, amount_fen=WAN, idempotency_key="v-d")
    for name in ("east_office", "west_office", "county_office", "viewer", "national", "auditor"):
        assert visible(users[name], Posting.objects.all()).count() == 3, name
        assert visible(users[name], Entry.objects.all()).count() == 6, name
        assert visible(users[name], Account.objects.all()).count() >= 4, name
    assert not visible(stranger, Posting.objects.all()).exists()
    assert not visible(stranger, Entry.objects.all()).exists()
    assert not visible(stranger, Account.objects.all()).exists()


# --- the chain ----------------------------------------------------------------------


def tamper(sql, params):
    """Change a row behind the application's back (on PostgreSQL the append-only triggers
    are bypassed first, as an intruder with superuser rights could)."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SET session_replication_role = replica")
        try:
            cur.execute(sql, params)
        finally:
            if connection.vendor == "postgresql":
                cur.execute("SET session_replication_role = origin")


def test_verify_passes_on_an_untouched_ledger(users, project, arrived, capsys):
    ledger.disburse(users["county_office"], project=project, amount_fen=WAN, idempotency_key="c-d")
    call_command("ledger", "verify", "--chunk-size", "2")
    out = capsys.readouterr().out
    assert out.startswith("OK: 6 entries in 3 postings")
    head = ChainHead.objects.get()
    last = Entry.objects.order_by("-seq").first()
    assert (head.last_seq, head.last_hash) == (last.seq, last.hash)
    assert list(Entry.objects.order_by("seq").values_list("seq", flat=True)) == [1, 2, 3, 4, 5, 6]
    assert Entry.objects.get(seq=1).prev_hash == "0" * 64
    assert all(e.prev_hash == prev.hash for prev, e in zip(Entry.objects.order_by("seq"), Entry.objects.order_by("seq")[1:]))


def test_verify_names_an_altered_entry(users, project, arrived):
    ledger.disburse(users["county_office"], project=project, amount_fen=WAN, idempotency_key="t-d")
    victim = Entry.objects.get(seq=3)
    tamper("UPDATE ledger_entry SET amount_fen = amount_fen + 100 WHERE id = %s", [victim.pk])
    with pytest.raises(CommandError) as exc:
        call_command("ledger", "verify")
    msg = str(exc.value)
    assert f"entry id={victim.pk}" in msg and f"stored {victim.hash}" in msg and "expected hash" in msg
    verdict = verify()
    assert not verdict.ok and verdict.entry_id == victim.pk and verdict.stored == victim.hash and verdict.entries == 2


def test_each_entry_carries_its_accounts_balance_and_verify_replays_it(users, project, arrived):
    """The balance an overdraft check reads is the one the latest entry carries; an edit to
    it (the one column outside the hash) is named by verify like any other."""
    ledger.disburse(users["county_office"], project=project, amount_fen=30 * WAN, idempotency_key="b-d1")
    ledger.disburse(users["county_office"], project=project, amount_fen=20 * WAN, idempotency_key="b-d2")
    receiving = account("513436", Purpose.WEST_RECEIVING)
    carried = list(Entry.objects.filter(account=receiving).order_by("seq").values_list("balance_fen", flat=True))
    assert carried == [100 * WAN, 70 * WAN, 50 * WAN]
    assert balance(receiving) == 50 * WAN == replayed([receiving])[receiving.pk]
    victim = Entry.objects.filter(account=receiving).order_by("seq")[1]
    tamper("UPDATE ledger_entry SET balance_fen = balance_fen + 100 * %s WHERE id = %s", [WAN, victim.pk])
    verdict = verify()
    assert not verdict.ok and verdict.entry_id == victim.pk
    assert f"carries the balance {170 * WAN}" in verdict.problem and f"gives {70 * WAN}" in verdict.problem
    with pytest.raises(CommandError, match=f"entry id={victim.pk}"):
        call_command("ledger", "verify")


@pytest.mark.parametrize("missing", ["posting", "account"])
def test_the_database_refuses_an_entry_whose_posting_or_account_does_not_exist(users, arrived, missing):
    """Checked once per INSERT statement (not by per-row foreign keys): still refused, whole."""
    entry = Entry.objects.order_by("seq").last()
    values = {"posting_id": entry.posting_id, "account_id": entry.account_id, missing + "_id": 987654}
    before = Entry.objects.count()
    with pytest.raises(IntegrityError, match="does not exist"):
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("INSERT INTO ledger_entry (seq, posting_id, account_id, side, amount_fen, booked_on, prev_hash, hash, "
                        "balance_fen) VALUES (%s, %s, %s, 'D', 1, %s, %s, %s, 1), (%s, %s, %s, 'C', 1, %s, %s, %s, 1)",
                        [entry.seq + 1, entry.posting_id, entry.account_id, entry.booked_on, entry.hash, "0" * 64,
                         entry.seq + 2, values["posting_id"], values["account_id"], entry.booked_on, "0" * 64, "0" * 64])
    assert Entry.objects.count() == before
    assert verify().ok


POSTING_COLUMNS = ("idempotency_key", "request_hash", "kind", "amount_fen", "booked_on", "due_date", "arrived_on", "memo",
                   "created_at", "via", "request_id", "agreement_id", "project_id", "east_org_id", "west_org_id",
                   "allocation_id", "reversal_of_id", "created_by_id")


@pytest.mark.parametrize("column", ["agreement_id", "project_id", "east_org_id", "west_org_id", "created_by_id",
                                    "allocation_id", "reversal_of_id"])
def test_the_database_refuses_a_posting_that_names_a_row_that_does_not_exist(users, project, arrived, column):
    """A posting's references are checked once per INSERT statement, not by per-row foreign
    keys: a statement of two postings, one naming a missing row, is refused whole."""
    ledger.disburse(users["county_office"], project=project, amount_fen=10 * WAN, idempotency_key="ref-d1")
    ids = list(Posting.objects.order_by("id").values_list("id", flat=True))
    before = Posting.objects.count()
    select = ", ".join("'copy-' || id" if c == "idempotency_key" else
                       f"CASE WHEN id = %s THEN 987654 ELSE {c} END" if c == column else c for c in POSTING_COLUMNS)
    with pytest.raises(IntegrityError, match="does not exist"):
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(f"INSERT INTO ledger_posting ({', '.join(POSTING_COLUMNS)}) SELECT {select} FROM ledger_posting "
                        "WHERE id IN (%s, %s) ORDER BY id", [ids[-1], ids[0], ids[-1]])
    assert Posting.objects.count() == before
    assert verify().ok


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the delete guards are installed on PostgreSQL")
def test_the_database_refuses_deleting_or_renumbering_a_row_that_a_posting_names(users, project, agreement, arrived):
    """What the foreign keys' delete side did, now a guard on each referenced table; rows
    that no posting names are deleted as before."""
    ledger.disburse(users["county_office"], project=project, amount_fen=10 * WAN, idempotency_key="ref-d2")
    named = [("projects_project", project.pk), ("pairings_agreement", agreement.pk),
             ("orgs_organisation", office("330212").pk), ("orgs_organisation", office("513436").pk),
             ("auth_user", users["east_office"].pk)]
    for table, pk in named:
        for sql in (f"DELETE FROM {table} WHERE id = %s", f"UPDATE {table} SET id = 987654 WHERE id = %s"):
            with pytest.raises(IntegrityError, match=f"#{pk} of {table} is named by ledger posting #"):
                with transaction.atomic(), connection.cursor() as cur:
                    cur.execute(sql, [pk])
        with connection.cursor() as cur:
            cur.execute(f"SELECT count(*) FROM {table} WHERE id = %s", [pk])
            assert cur.fetchone() == (1,)
    unnamed = get_user_model().objects.create_user("nobody", password="x")
    with connection.cursor() as cur:
        cur.execute("UPDATE auth_user SET first_name = 'N' WHERE id = %s", [users["east_office"].pk])  # not the id: allowed
        cur.execute("DELETE FROM auth_user WHERE id = %s", [unnamed.pk])
    assert not get_user_model().objects.filter(pk=unnamed.pk).exists()


def test_the_migration_fills_the_carried_balances_of_an_existing_ledger(users, project, arrived):
    ledger.disburse(users["county_office"], project=project, amount_fen=30 * WAN, idempotency_key="m-d1")
    before = list(Entry.objects.order_by("seq").values_list("balance_fen", flat=True))
    tamper("UPDATE ledger_entry SET balance_fen = 0", [])
    assert not verify().ok
    backfill = importlib.import_module("xiezuo.ledger.migrations.0003_lean_indexes").BACKFILL
    tamper(backfill, None)
    assert list(Entry.objects.order_by("seq").values_list("balance_fen", flat=True)) == before
    assert verify().ok


def test_verify_names_the_entry_of_an_altered_posting(users, arrived):
    arrival = Posting.objects.get(kind=Kind.ARRIVAL)
    earlier = arrival.arrived_on - datetime.timedelta(days=30)  # both days: an arrival is booked on the day it arrived
    tamper("UPDATE ledger_posting SET arrived_on = %s, booked_on = %s WHERE id = %s", [earlier, earlier, arrival.pk])
    verdict = verify()
    assert not verdict.ok and verdict.posting_id == arrival.pk
    assert verdict.entry_id == arrival.entries.order_by("seq").first().pk


def test_verify_finds_a_rehashed_row_and_a_removed_tail(users, project, arrived):
    ledger.disburse(users["county_office"], project=project, amount_fen=WAN, idempotency_key="h-d")
    # an intruder who also rewrites the stored hash breaks the link to the next row
    victim = Entry.objects.get(seq=2)
    tamper("UPDATE ledger_entry SET hash = %s WHERE id = %s", ["f" * 64, victim.pk])
    verdict = verify()
    assert not verdict.ok and verdict.entry_id == victim.pk
    tamper("UPDATE ledger_entry SET hash = %s WHERE id = %s", [victim.hash, victim.pk])
    assert verify().ok
    # removing the last posting is seen through the chain head
    last = Posting.objects.get(idempotency_key="h-d")
    tamper("DELETE FROM ledger_entry WHERE posting_id = %s", [last.pk])
    tamper("DELETE FROM ledger_posting WHERE id = %s", [last.pk])
    verdict = verify()
    assert not verdict.ok and "chain head" in verdict.problem


def test_balances_command_lists_the_replay(users, project, arrived, capsys):
    call_command("ledger", "balances", "--region", "5134")
    out = capsys.readouterr().out
    assert "¥1,000,000.00" in out and "UNBALANCED" not in out
    with pytest.raises(CommandError):
        call_command("ledger", "balances", "--as-of", "yesterday")


def test_verify_finds_an_account_moved_to_another_owner(users, arrived):
    receiving = account("513436", Purpose.WEST_RECEIVING)
    with pytest.raises(AppendOnlyError):
        Account.objects.filter(pk=receiving.pk).update(owner=office("510000"))
    tamper("UPDATE ledger_account SET owner_id = %s WHERE id = %s", [office("510000").pk, receiving.pk])
    verdict = verify()
    assert not verdict.ok and f"account #{receiving.pk}" in verdict.problem
    assert verdict.entry_id == Entry.objects.filter(account=receiving).order_by("seq").first().pk


def test_a_balance_as_of_a_date_replays_the_entries_booked_by_then(users, agreement, project):
    today = timezone.localdate()
    east, county = users["east_office"], users["county_office"]
    alloc = ledger.allocate(east, agreement=agreement, amount_fen=50 * WAN, idempotency_key="asof-a", booked_on=today - datetime.timedelta(days=20))
    ledger.confirm_arrival(county, allocation=alloc, arrived_on=today - datetime.timedelta(days=10), idempotency_key="asof-r")
    ledger.disburse(county, project=project, amount_fen=20 * WAN, idempotency_key="asof-d", booked_on=today - datetime.timedelta(days=5))
    receiving, transit = account("513436", Purpose.WEST_RECEIVING), account("513436", Purpose.IN_TRANSIT)
    assert [balance(transit, as_of=today - datetime.timedelta(days=d)) for d in (21, 20, 10)] == [0, 50 * WAN, 0]
    assert [balance(receiving, as_of=today - datetime.timedelta(days=d)) for d in (11, 10, 5, 0)] == [0, 50 * WAN, 30 * WAN, 30 * WAN]
    assert balance(receiving) == 30 * WAN


def test_the_admin_shows_the_ledger_read_only(client_as, project, arrived):
    client = client_as("national")
    for model in ("account", "posting", "entry"):
        assert client.get(f"/admin/ledger/{model}/").status_code == 200, model
        assert client.get(f"/admin/ledger/{model}/add/").status_code == 403, model
    posting = Posting.objects.get(kind=Kind.ARRIVAL)
    page = client.get(f"/admin/ledger/posting/{posting.pk}/change/")
    assert page.status_code == 200 and posting.entries.first().hash in page.content.decode()
    assert client.post(f"/admin/ledger/posting/{posting.pk}/delete/").status_code == 403

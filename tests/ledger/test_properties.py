"""Property tests: for any sequence of ledger operations — valid or not — debits equal
credits, every balance is the replay of the entries and matches a plain model of where the
money should be, no account goes below zero, a reversal undoes exactly its original, a
retried request posts once, and the hash chain verifies."""
import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, Count, Sum, When
from django.utils import timezone, translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xiezuo.ledger import actions as ledger
from xiezuo.ledger.balances import balance, balances, replayed, totals
from xiezuo.ledger.chain import verify
from xiezuo.ledger.choices import Kind, Purpose, Side
from xiezuo.ledger.models import Account, Entry, Posting
from xiezuo.orgs.models import Organisation
from xiezuo.pairings.models import Agreement, Pairing
from xiezuo.projects.models import Project
from xiezuo.regions.models import Region

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English (the msgids); users see them in Chinese."""
    with translation.override("en"):
        yield


HYPOTHESIS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

amounts = st.integers(min_value=1, max_value=5_000_000_00)
index = st.integers(min_value=0, max_value=50)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("allocate"), amounts),
        st.tuples(st.just("arrive"), index),
        st.tuples(st.just("disburse"), st.integers(0, 1), amounts),
        st.tuples(st.just("spend"), st.integers(0, 1), amounts),
        st.tuples(st.just("reverse"), index),
        st.tuples(st.just("retry"), index),
    ),
    min_size=1, max_size=14,
)


class Rollback(Exception):
    pass


@pytest.fixture
def world(users):
    pair = Pairing.objects.get(kind="county", east_region__code="330212", west_region__code="513436")
    today = timezone.localdate()
    county = Region.objects.get(code="513436")
    projects = [Project.objects.create(code=f"PROP-{i}", name=f"性质测试项目{i}", category="industry", county=county, pairing=pair,
                                       status="in_progress", planned_start=today, planned_end=today + datetime.timedelta(days=99))
                for i in range(2)]
    return {"east": users["east_office"], "west": users["county_office"], "projects": projects,
            "agreement": Agreement.objects.get(pairing=pair, year=today.year),
            "east_org": Organisation.objects.get(kind="office", region__code="330212"),
            "west_org": Organisation.objects.get(kind="office", region__code="513436")}


class Model:
    """Where the money should be, kept without the ledger."""

    def __init__(self):
        self.postings = []  # [{"posting", "kind", "amount", "project", "allocation", "reversed", "call"}]

    def standing(self, kind, **match):
        return [p for p in self.postings if p["kind"] == kind and not p["reversed"]
                and all(p.get(k) == v for k, v in match.items())]

    def total(self, kind, **match):
        return sum(p["amount"] for p in self.standing(kind, **match))

    def arrived_allocation_ids(self):
        return {p["allocation"] for p in self.standing(Kind.ARRIVAL)}

    def expected(self, world):
        e = {("east", Purpose.EAST_BUDGET): self.total(Kind.ALLOCATION),
             ("west", Purpose.IN_TRANSIT): sum(p["amount"] for p in self.standing(Kind.ALLOCATION)
                                               if p["posting"].pk not in self.arrived_allocation_ids()),
             ("west", Purpose.WEST_RECEIVING): self.total(Kind.ARRIVAL) - self.total(Kind.DISBURSEMENT)}
        for i in range(2):
            e[(i, Purpose.PROJECT)] = self.total(Kind.DISBURSEMENT, project=i) - self.total(Kind.SPENDING, project=i)
            e[(i, Purpose.PROJECT_SPENDING)] = self.total(Kind.SPENDING, project=i)
        return e


def actual(world):
    found = {}
    for a in Account.objects.all():
        if a.project_id:
            key = ([p.pk for p in world["projects"]].index(a.project_id), a.purpose)
        else:
            key = ("east" if a.owner_id == world["east_org"].pk else "west", a.purpose)
        found[key] = balance(a)
    return found


def check_invariants(world, model):
    debits, credits = totals()
    assert debits == credits
    # every posting balances on its own, with at least two entries
    per_posting = Entry.objects.values("posting_id", "posting__amount_fen").annotate(
        n=Count("id"), d=Sum(Case(When(side=Side.DEBIT, then="amount_fen"), default=0)),
        c=Sum(Case(When(side=Side.CREDIT, then="amount_fen"), default=0))).order_by()
    for row in per_posting:
        assert row["n"] >= 2 and row["d"] == row["c"] == row["posting__amount_fen"], row
    assert len(per_posting) == Posting.objects.count()
    # every balance is the replay of the entries, in SQL and by hand, and matches the model
    by_hand = {}
    for e in Entry.objects.select_related("account"):
        by_hand[e.account_id] = by_hand.get(e.account_id, 0) + (e.amount_fen if e.side == e.account.normal_side else -e.amount_fen)
    accounts = list(Account.objects.all())
    in_sql = balances(accounts)  # carried on each account's latest entry
    summed = replayed(accounts)  # summed over all its entries
    assert all(in_sql[a.pk] == summed[a.pk] == by_hand.get(a.pk, 0) == balance(a) for a in accounts)
    assert all(v >= 0 for v in in_sql.values())
    found = actual(world)
    for key, want in model.expected(world).items():
        assert found.get(key, 0) == want, key


def run(world, model, op, n):
    """Apply one operation; return True if the ledger accepted it. Refusals must be the
    ones the model predicts."""
    kind = op[0]
    east, west, projects = world["east"], world["west"], world["projects"]
    key = f"op-{n}"
    if kind == "allocate":
        call = lambda: ledger.allocate(east, agreement=world["agreement"], amount_fen=op[1], idempotency_key=key)  # noqa: E731
        record = {"kind": Kind.ALLOCATION, "amount": op[1]}
        refuse = False
    elif kind == "arrive":
        allocations = [p for p in model.postings if p["kind"] == Kind.ALLOCATION]
        if not allocations:
            return False
        target = allocations[op[1] % len(allocations)]
        call = lambda: ledger.confirm_arrival(west, allocation=target["posting"], arrived_on=timezone.localdate(), idempotency_key=key)  # noqa: E731
        record = {"kind": Kind.ARRIVAL, "amount": target["amount"], "allocation": target["posting"].pk}
        refuse = target["reversed"] or target["posting"].pk in model.arrived_allocation_ids()
    elif kind in ("disburse", "spend"):
        i, amount = op[1], op[2]
        if kind == "disburse":
            call = lambda: ledger.disburse(west, project=projects[i], amount_fen=amount, idempotency_key=key)  # noqa: E731
            available = model.expected(world)[("west", Purpose.WEST_RECEIVING)]
            record = {"kind": Kind.DISBURSEMENT, "amount": amount, "project": i}
        else:
            call = lambda: ledger.record_spending(west, project=projects[i], amount_fen=amount, idempotency_key=key)  # noqa: E731
            available = model.expected(world)[(i, Purpose.PROJECT)]
            record = {"kind": Kind.SPENDING, "amount": amount, "project": i}
        refuse = amount > available
    elif kind == "reverse":
        if not model.postings:
            return False
        target = model.postings[op[1] % len(model.postings)]
        t = target["kind"]
        user = east if t == Kind.ALLOCATION else west
        call = lambda: ledger.reverse(user, posting=target["posting"], reason="性质测试", idempotency_key=key)  # noqa: E731
        record = {"kind": Kind.REVERSAL, "amount": target["amount"], "of": target}
        exp = model.expected(world)
        refuse = (t == Kind.REVERSAL or target["reversed"]
                  or (t == Kind.ALLOCATION and target["posting"].pk in model.arrived_allocation_ids())
                  or (t == Kind.ARRIVAL and exp[("west", Purpose.WEST_RECEIVING)] < target["amount"])
                  or (t == Kind.DISBURSEMENT and exp[(target["project"], Purpose.PROJECT)] < target["amount"]))
    else:  # retry an earlier accepted request: same key, same body
        if not model.postings:
            return False
        target = model.postings[op[1] % len(model.postings)]
        entries = Entry.objects.count()
        again = target["call"]()
        assert again.pk == target["posting"].pk
        assert Entry.objects.count() == entries
        return False

    entries = Entry.objects.count()
    before = balances(Account.objects.all())
    try:
        posting = call()
    except ValidationError:
        assert refuse, f"{op} was refused but the model allows it"
        assert Entry.objects.count() == entries
        return False
    assert not refuse, f"{op} was accepted but the model refuses it"
    assert Entry.objects.count() == entries + 2
    record.update(posting=posting, reversed=False, call=call)
    if kind == "reverse":
        original = record.pop("of")
        original["reversed"] = True
        record["kind"] = Kind.REVERSAL
        # the reversal moves every balance back by exactly the original's effect
        after = balances(Account.objects.all())
        effect = {}
        for e in original["posting"].entries.select_related("account"):
            effect[e.account_id] = effect.get(e.account_id, 0) + (e.amount_fen if e.side == e.account.normal_side else -e.amount_fen)
        assert all(after[a] == before.get(a, 0) - effect.get(a, 0) for a in after)
    model.postings.append(record)
    return True


@HYPOTHESIS
@given(ops=operations)
def test_any_sequence_of_operations_keeps_the_ledger_sound(world, ops):
    model = Model()
    try:
        with transaction.atomic():
            for n, op in enumerate(ops):
                run(world, model, op, n)
                check_invariants(world, model)
            assert verify().ok
            raise Rollback
    except Rollback:
        pass


@HYPOTHESIS
@given(first=amounts, second=amounts, spend=st.integers(0, 100))
def test_a_reversal_restores_every_balance(world, first, second, spend):
    east, west, project = world["east"], world["west"], world["projects"][0]
    try:
        with transaction.atomic():
            alloc = ledger.allocate(east, agreement=world["agreement"], amount_fen=first + second, idempotency_key="r-a")
            ledger.confirm_arrival(west, allocation=alloc, arrived_on=timezone.localdate(), idempotency_key="r-r")
            ledger.disburse(west, project=project, amount_fen=first, idempotency_key="r-d")
            before = balances(Account.objects.all())
            for n, make in enumerate((
                lambda: ledger.disburse(west, project=project, amount_fen=second, idempotency_key="r-d2"),
                lambda: ledger.record_spending(west, project=project, amount_fen=max(1, first * spend // 100), idempotency_key="r-s"),
            )):
                posting = make()
                ledger.reverse(west, posting=posting, reason="更正", idempotency_key=f"r-x{n}")
                after = balances(Account.objects.all())
                assert all(after[a] == before.get(a, 0) for a in after)
            raise Rollback
    except Rollback:
        pass


@HYPOTHESIS
@given(amount=amounts, retries=st.integers(1, 4))
def test_an_idempotent_retry_posts_once(world, amount, retries):
    east = world["east"]
    try:
        with transaction.atomic():
            first = ledger.allocate(east, agreement=world["agreement"], amount_fen=amount, idempotency_key="same")
            for _ in range(retries):
                assert ledger.allocate(east, agreement=world["agreement"], amount_fen=amount, idempotency_key="same").pk == first.pk
            assert Posting.objects.count() == 1 and Entry.objects.count() == 2
            assert balance(Account.objects.get(purpose=Purpose.EAST_BUDGET, owner=world["east_org"])) == amount
            with pytest.raises(ValidationError):
                ledger.allocate(east, agreement=world["agreement"], amount_fen=amount + 1, idempotency_key="same")
            raise Rollback
    except Rollback:
        pass

"""`ledger verify` split over worker processes (PostgreSQL) finds what the single walk finds.

The workers read committed rows through their own connections, so these tests commit
(transaction=True); pytest-django empties every table after each one, and a module fixture
loads the region tree and the demo data again afterwards for the tests that follow.

Each tampering below is checked twice: the parallel verdict must name the same entry, with
the same message and the same count of good entries, as the single-process walk over the
same rows.
"""
import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from xiezuo.ledger.chain import account_text, account_values, entry_content, link, posting_digest, posting_values, verify
from xiezuo.ledger.choices import Kind, Purpose
from xiezuo.ledger.models import Account, Entry, Posting
from xiezuo.ledger.verify import plan_ranges
from xiezuo.regions.models import Region

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the parallel check runs on PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]

RANGES = 4
POSTINGS = 120


def ensure_seeded():
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


@pytest.fixture
def chain(transactional_db):
    """120 postings between four accounts of two offices (each account has entries in every
    range, so balances carry over from range to range), chained as the actions chain them;
    memos with what JSON escapes (quotes, backslash, tab, newline, control characters) and,
    in some, the character the parallel check separates a posting's columns with."""
    from django.db import transaction

    from xiezuo.ledger.actions import account_for
    from xiezuo.ledger.bulk import ChainWriter
    from xiezuo.orgs.models import Organisation

    ensure_seeded()
    offices = list(Organisation.objects.filter(kind="office").order_by("id")[:2])
    today = timezone.localdate()
    with transaction.atomic():
        accounts = [(account_for(o, Purpose.POOL).id, account_for(o, Purpose.EAST_BUDGET).id) for o in offices]
        writer = ChainWriter(key_prefix="par")
        for i in range(POSTINGS):
            pool, budget = accounts[i % 3 % 2]  # uneven: the second office's accounts skip postings
            amount = (i % 7 + 1) * 100
            lines = [(pool, "D", amount), (budget, "C", amount)]
            if i % 5 == 0:  # some postings of three lines
                lines = [(pool, "D", amount), (budget, "C", amount - 50), (budget, "C", 50)]
            # posting times with whole seconds, tenths and microseconds (each written its own way by the database)
            at = timezone.now().replace(microsecond=(0, 500_000, 123_456, 7)[i % 4])
            writer.add({"kind": Kind.ALLOCATION, "booked_on": today - datetime.timedelta(days=POSTINGS - i), "created_at": at,
                        "east_org_id": offices[0].id, "west_org_id": offices[1].id, "memo": f"range test {i} “引号” \\ \" \t\n\x01 /{chr(31) * (i % 10 == 7)}"},
                       lines)
        writer.close()
    return boundaries()


def boundaries():
    """The first sequence number of each range after the first."""
    with connection.cursor() as cur:
        return [lo for lo, _hi in plan_ranges(cur, RANGES)][1:]


def both():
    parallel = verify(workers=2, parallel_from=0, ranges=RANGES)
    single = verify(workers=1)
    return parallel, single


def same(parallel, single):
    assert (parallel.ok, parallel.entries, parallel.problem, parallel.entry_id, parallel.expected, parallel.stored) == \
           (single.ok, single.entries, single.problem, single.entry_id, single.expected, single.stored)


def tamper(sql, params):
    with connection.cursor() as cur:
        cur.execute("SET session_replication_role = replica")
        try:
            cur.execute(sql, params)
        finally:
            cur.execute("SET session_replication_role = origin")


def entry(seq):
    return Entry.objects.get(seq=seq)


def test_an_untouched_chain_passes_in_ranges(chain, capsys):
    assert len(chain) == RANGES - 1
    parallel, single = both()
    assert parallel.ok and single.ok
    assert (parallel.entries, parallel.postings, parallel.last_hash) == (single.entries, single.postings, single.last_hash)
    assert parallel.postings == POSTINGS
    # ranges start where a posting starts
    for seq in chain:
        assert entry(seq).posting_id != entry(seq - 1).posting_id
    call_command("ledger", "verify", "--workers", "2")
    assert capsys.readouterr().out.startswith(f"OK: {parallel.entries:,} entries in {POSTINGS} postings")


def where(chain, name):
    last = Entry.objects.order_by("-seq").values_list("seq", flat=True).first()
    return {"first": 1, "middle": (chain[0] + chain[1]) // 2 + 1, "last": last,
            "range start": chain[1], "range end": chain[1] - 1}[name]


@pytest.mark.parametrize("place", ["first", "middle", "last", "range start", "range end"])
def test_an_altered_amount_is_named_in_any_range(chain, place):
    victim = entry(where(chain, place))
    tamper("UPDATE ledger_entry SET amount_fen = amount_fen + 100 WHERE id = %s", [victim.pk])
    parallel, single = both()
    assert not parallel.ok and parallel.entry_id == victim.pk and "was altered" in parallel.problem
    assert parallel.entries == victim.seq - 1
    same(parallel, single)
    with pytest.raises(CommandError, match=f"entry id={victim.pk} "):
        call_command("ledger", "verify", "--workers", "2")


@pytest.mark.parametrize("place", ["first", "middle", "last", "range start", "range end"])
def test_an_altered_carried_balance_is_named_in_any_range(chain, place):
    victim = entry(where(chain, place))
    tamper("UPDATE ledger_entry SET balance_fen = balance_fen + 100 WHERE id = %s", [victim.pk])
    parallel, single = both()
    assert not parallel.ok and parallel.entry_id == victim.pk and "carries the balance" in parallel.problem
    same(parallel, single)


def test_an_altered_posting_is_named_in_a_later_range(chain):
    victim = entry(chain[2] + 1)
    tamper("UPDATE ledger_posting SET memo = 'changed' WHERE id = %s", [victim.posting_id])
    parallel, single = both()
    first = Entry.objects.filter(posting_id=victim.posting_id).order_by("seq").first()
    assert not parallel.ok and parallel.entry_id == first.pk and parallel.posting_id == victim.posting_id
    same(parallel, single)


def rechain(victim, prev_hash):
    """Store `prev_hash` in the entry and recompute its own hash over it, as an intruder who
    knows the hashing would: the row is consistent in itself, only its link is broken."""
    posting = Posting.objects.get(pk=victim.posting_id)
    account = Account.objects.get(pk=victim.account_id)
    h = link(prev_hash, entry_content(victim.seq, posting_digest(posting_values(posting)), account_text(account_values(account)),
                                      victim.side, victim.amount_fen, victim.booked_on))
    tamper("UPDATE ledger_entry SET prev_hash = %s, hash = %s WHERE id = %s", [prev_hash, h, victim.pk])


def test_a_broken_link_between_ranges_is_named(chain):
    victim = entry(chain[1])  # the first entry of the third range: only the join between ranges sees its link
    rechain(victim, "e" * 64)
    parallel, single = both()
    assert not parallel.ok and parallel.entry_id == victim.pk and "prev_hash does not link" in parallel.problem
    assert parallel.expected == entry(chain[1] - 1).hash and parallel.stored == "e" * 64
    same(parallel, single)


def test_a_broken_link_inside_a_range_is_named(chain):
    victim = entry(chain[0] + 3)
    rechain(victim, "d" * 64)
    parallel, single = both()
    assert not parallel.ok and parallel.entry_id == victim.pk and "prev_hash does not link" in parallel.problem
    same(parallel, single)


def test_a_removed_posting_at_a_range_boundary_is_named(chain):
    """The entries just before a range starts are deleted: the next range's first entry does
    not follow in sequence."""
    before = entry(chain[0] - 1)
    tamper("DELETE FROM ledger_entry WHERE posting_id = %s", [before.posting_id])
    tamper("DELETE FROM ledger_posting WHERE id = %s", [before.posting_id])
    parallel, single = both()
    assert not parallel.ok and "rows missing or inserted" in parallel.problem
    same(parallel, single)


def test_a_removed_tail_and_a_posting_without_entries_are_named(chain):
    last = Entry.objects.order_by("-seq").first()
    tamper("DELETE FROM ledger_entry WHERE posting_id = %s", [last.posting_id])
    parallel, single = both()
    assert not parallel.ok and parallel.problem == single.problem
    same(parallel, single)


def test_checkpoints_are_taken_and_checked_over_the_parallel_check(chain, tmp_path, settings, monkeypatch, capsys):
    """The daily checkpoint and the auditor's check run the parallel check inside their
    one snapshot (a repeatable-read transaction the workers share)."""
    from xiezuo.ledger import checkpoints as cps
    from xiezuo.ledger import verify as parallel

    for name in (cps.KEY, cps.KEY_FILE, cps.PUBLIC_KEY, cps.CHECKPOINTS):
        monkeypatch.delenv(name, raising=False)
    key = tmp_path / "ledger-signing.pem"
    call_command("ledger", "keygen", str(key))
    settings.XIEZUO_LEDGER_SIGNING_KEY_FILE = str(key)
    settings.XIEZUO_LEDGER_CHECKPOINTS = str(tmp_path / "checkpoints.jsonl")
    runs = []
    real = parallel.verify_parallel
    monkeypatch.setattr(parallel, "verify_parallel", lambda *a, **kw: runs.append(1) or real(*a, **kw))
    monkeypatch.setattr(cps, "verify", lambda **kw: verify(workers=2, parallel_from=0, ranges=RANGES, **kw))
    call_command("ledger", "checkpoint")
    call_command("ledger", "verify", "--checkpoints", str(tmp_path / "checkpoints.jsonl"))
    out = capsys.readouterr().out
    assert "checkpoints: 1 of 1" in out and f"chain: OK, {Entry.objects.count():,} entries" in out
    assert len(runs) == 2
    victim = entry(chain[1] + 1)
    tamper("UPDATE ledger_entry SET amount_fen = amount_fen + 1 WHERE id = %s", [victim.pk])
    with pytest.raises(CommandError, match=f"entry id={victim.pk} "):
        call_command("ledger", "verify", "--checkpoints", str(tmp_path / "checkpoints.jsonl"))
    assert len(runs) == 3

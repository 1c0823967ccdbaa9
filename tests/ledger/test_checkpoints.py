"""The ledger anchored outside the database: signed checkpoints of the chain's head.

The attack these tests play is the one the plain chain cannot see: someone with write
access to the database changes a row and recomputes every hash and carried balance after
it with the platform's own functions, so `ledger verify` passes. Against a checkpoint
signed before the change, with a key the database does not hold, it does not."""
import base64
import datetime
import json
import os
import stat

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone, translation

from tests.support import agreement_of, county_pair
from xiezuo.ledger import actions as ledger
from xiezuo.ledger import checkpoints as cps
from xiezuo.ledger.chain import (account_text, account_values, entry_content, link, posting_digest, posting_values, signed,
                                 verify)
from xiezuo.ledger.models import GENESIS, Account, ChainHead, Entry, Posting
from xiezuo.projects.models import Project
from xiezuo.regions.models import Region

pytestmark = pytest.mark.django_db
WAN = 10_000_00


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def no_keys_from_the_environment(monkeypatch):
    for name in (cps.KEY, cps.KEY_FILE, cps.PUBLIC_KEY, cps.CHECKPOINTS):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def keyed(tmp_path, settings):
    """A signing key made by `ledger keygen` and a checkpoint file, both configured."""
    key_path = tmp_path / "keys" / "ledger-signing.pem"
    key_path.parent.mkdir()
    call_command("ledger", "keygen", str(key_path))
    settings.XIEZUO_LEDGER_SIGNING_KEY_FILE = str(key_path)
    settings.XIEZUO_LEDGER_CHECKPOINTS = str(tmp_path / "auditor" / "checkpoints.jsonl")
    (tmp_path / "auditor").mkdir()
    return {"key": key_path, "public": (tmp_path / "keys" / "ledger-signing.pem.pub").read_text().strip(),
            "file": tmp_path / "auditor" / "checkpoints.jsonl"}


@pytest.fixture
def project():
    pair = county_pair()
    today = timezone.localdate()
    return Project.objects.create(code="ANCHOR-1", name="美姑县马铃薯种薯基地", category="industry",
                                  county=Region.objects.get(code="513436"), pairing=pair, status="in_progress",
                                  planned_start=today - datetime.timedelta(days=90), planned_end=today + datetime.timedelta(days=200))


@pytest.fixture
def money(users, project):
    """100万元 allocated, arrived in 美姑县 and 10万元 disbursed to the project: 6 entries."""
    agreement = agreement_of(project.pairing)
    alloc = ledger.allocate(users["east_office"], agreement=agreement, amount_fen=100 * WAN, idempotency_key="anc-a")
    ledger.confirm_arrival(users["county_office"], allocation=alloc, arrived_on=timezone.localdate(), idempotency_key="anc-r")
    ledger.disburse(users["county_office"], project=project, amount_fen=10 * WAN, idempotency_key="anc-d1")
    assert Entry.objects.count() == 6
    return alloc


def more_money(users, project, key, wan=1):
    ledger.disburse(users["county_office"], project=project, amount_fen=wan * WAN, idempotency_key=key)


def tamper(sql, params):
    """Write behind the application's back (on PostgreSQL past the append-only triggers)."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SET session_replication_role = replica")
        try:
            cur.execute(sql, params)
        finally:
            if connection.vendor == "postgresql":
                cur.execute("SET session_replication_role = origin")


def rewrite_and_recompute(posting: Posting, factor: int = 2):
    """The attack: multiply every amount of one posting, then recompute every carried balance,
    every hash and the chain head with the platform's own chain functions."""
    tamper("UPDATE ledger_posting SET amount_fen = amount_fen * %s WHERE id = %s", [factor, posting.pk])
    tamper("UPDATE ledger_entry SET amount_fen = amount_fen * %s WHERE posting_id = %s", [factor, posting.pk])
    accounts = {a.pk: a for a in Account.objects.all()}
    postings = {p.pk: p for p in Posting.objects.all()}
    prev, running = GENESIS, {}
    for e in Entry.objects.order_by("seq"):
        account = accounts[e.account_id]
        digest = posting_digest(posting_values(postings[e.posting_id]))
        h = link(prev, entry_content(e.seq, digest, account_text(account_values(account)), e.side, e.amount_fen, e.booked_on))
        running[account.pk] = running.get(account.pk, 0) + signed(account.normal_side, e.side, e.amount_fen)
        tamper("UPDATE ledger_entry SET prev_hash = %s, hash = %s, balance_fen = %s WHERE id = %s",
               [prev, h, running[account.pk], e.pk])
        prev = h
    tamper("UPDATE ledger_chainhead SET last_hash = %s WHERE id = 1", [prev])


def lines(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def verify_checkpoints(keyed, *extra):
    call_command("ledger", "verify", "--checkpoints", str(keyed["file"]), "--public-key", keyed["public"], *extra)


# --- keys -------------------------------------------------------------------------------------


def test_keygen_writes_a_private_key_only_its_owner_reads_and_prints_the_public_key(tmp_path, capsys):
    path = tmp_path / "signing.pem"
    call_command("ledger", "keygen", str(path))
    out = capsys.readouterr().out
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    public = (tmp_path / "signing.pem.pub").read_text().strip()
    assert len(base64.b64decode(public)) == 32 and public in out and "give it to the auditor" in out
    assert public not in path.read_text()
    # never overwritten: the key signing the auditor's checkpoints would be lost
    with pytest.raises(CommandError, match="never overwritten"):
        call_command("ledger", "keygen", str(path))
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")


def test_keygen_without_a_path_or_setting_says_what_to_give(tmp_path):
    with pytest.raises(CommandError, match="ledger keygen PATH"):
        call_command("ledger", "keygen")
    with pytest.raises(CommandError, match="cannot write the key to"):
        call_command("ledger", "keygen", str(tmp_path / "no-such-folder" / "k.pem"))


def test_a_checkpoint_file_in_a_missing_folder_is_refused_by_name(keyed, settings, money, tmp_path):
    settings.XIEZUO_LEDGER_CHECKPOINTS = str(tmp_path / "no-such-folder" / "cp.jsonl")
    with pytest.raises(CommandError, match="cannot be opened for appending"):
        call_command("ledger", "checkpoint")


def test_a_key_from_the_environment_signs_as_well(tmp_path, monkeypatch, money, capsys):
    """XIEZUO_LEDGER_SIGNING_KEY holds the key itself (PEM or base64 of its 32 bytes)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    private = Ed25519PrivateKey.generate()
    raw = private.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    monkeypatch.setenv(cps.KEY, base64.b64encode(raw).decode())
    monkeypatch.setenv(cps.CHECKPOINTS, str(tmp_path / "cp.jsonl"))
    call_command("ledger", "checkpoint")
    line = lines(tmp_path / "cp.jsonl")[0]
    assert line["key_id"] == cps.key_id(private.public_key())
    call_command("ledger", "verify", "--checkpoints", str(tmp_path / "cp.jsonl"), "--public-key", cps.public_text(private.public_key()))
    assert "1 of 1" in capsys.readouterr().out


# --- taking checkpoints ---------------------------------------------------------------------------


def test_a_checkpoint_signs_head_count_last_entry_and_beijing_time(keyed, money, capsys):
    call_command("ledger", "checkpoint")
    assert "checkpoint appended" in capsys.readouterr().out
    (line,) = lines(keyed["file"])
    last = Entry.objects.order_by("-seq").first()
    assert (line["entries"], line["head"], line["last_entry_id"]) == (6, last.hash, last.pk)
    assert line["at"].endswith("+08:00") and datetime.datetime.fromisoformat(line["at"]).utcoffset() == datetime.timedelta(hours=8)
    assert set(line) == {"v", "entries", "head", "last_entry_id", "at", "key_id", "sig"}
    # appended, never rewritten: the second day's line comes after the first
    call_command("ledger", "checkpoint")
    assert [cp["entries"] for cp in lines(keyed["file"])] == [6, 6]


def test_without_a_key_the_checkpoint_is_refused_and_nothing_written(tmp_path, settings, money):
    settings.XIEZUO_LEDGER_CHECKPOINTS = str(tmp_path / "cp.jsonl")
    with pytest.raises(CommandError, match="no ledger signing key configured: set XIEZUO_LEDGER_SIGNING_KEY_FILE"):
        call_command("ledger", "checkpoint")
    assert not (tmp_path / "cp.jsonl").exists()
    settings.XIEZUO_LEDGER_SIGNING_KEY_FILE = str(tmp_path / "nowhere.pem")
    with pytest.raises(CommandError, match="cannot be read"):
        call_command("ledger", "checkpoint")
    assert not (tmp_path / "cp.jsonl").exists()


def test_without_a_checkpoint_file_the_checkpoint_is_refused(keyed, settings, money):
    settings.XIEZUO_LEDGER_CHECKPOINTS = ""
    with pytest.raises(CommandError, match="no checkpoint file configured: set XIEZUO_LEDGER_CHECKPOINTS"):
        call_command("ledger", "checkpoint")


def test_a_key_that_is_not_a_key_is_refused(tmp_path, settings, money):
    bad = tmp_path / "bad.pem"
    bad.write_text("not a key")
    settings.XIEZUO_LEDGER_SIGNING_KEY_FILE = str(bad)
    settings.XIEZUO_LEDGER_CHECKPOINTS = str(tmp_path / "cp.jsonl")
    with pytest.raises(CommandError, match="not an Ed25519 private key"):
        call_command("ledger", "checkpoint")


def test_a_broken_chain_is_not_signed(keyed, money):
    victim = Entry.objects.get(seq=3)
    tamper("UPDATE ledger_entry SET amount_fen = amount_fen + 1 WHERE id = %s", [victim.pk])
    with pytest.raises(CommandError, match=f"chain is broken .* entry id={victim.pk}"):
        call_command("ledger", "checkpoint")
    assert not keyed["file"].exists()


def test_a_recomputed_chain_is_not_signed_over_an_earlier_checkpoint(keyed, users, project, money):
    """The daily task is itself an alarm: it refuses to bless a chain rewritten since the last
    checkpoint (signing it would anchor the tampering)."""
    call_command("ledger", "checkpoint")
    rewrite_and_recompute(Posting.objects.get(idempotency_key="anc-d1"))
    assert verify().ok
    with pytest.raises(CommandError, match="no longer matches the last checkpoint"):
        call_command("ledger", "checkpoint")
    assert len(lines(keyed["file"])) == 1


def test_the_daily_task_is_scheduled_and_appends_a_checkpoint(keyed, money):
    from xiezuo.celery import app
    from xiezuo.ledger.tasks import take_checkpoint

    assert app.conf.beat_schedule["daily-ledger-checkpoint"]["task"] == "ledger.checkpoint"
    result = take_checkpoint.delay().get()
    assert result["entries"] == 6 and lines(keyed["file"])[0]["head"] == result["head"]


def test_the_daily_task_without_a_key_fails_loudly(tmp_path, settings, money):
    from xiezuo.ledger.tasks import take_checkpoint

    settings.XIEZUO_LEDGER_CHECKPOINTS = str(tmp_path / "cp.jsonl")
    with pytest.raises(cps.CheckpointError, match="no ledger signing key"):
        take_checkpoint.apply(throw=True)


# --- verifying against checkpoints --------------------------------------------------------------------


def test_an_untouched_chain_matches_its_checkpoints(keyed, users, project, money, capsys):
    call_command("ledger", "checkpoint")
    more_money(users, project, "anc-d2")
    call_command("ledger", "checkpoint")
    verify_checkpoints(keyed)
    out = capsys.readouterr().out
    assert "chain: OK, 8 entries" in out and "2 of 2" in out and "no entries added since the last checkpoint" in out


def test_a_recomputed_chain_passes_plain_verify_but_not_the_checkpoints(keyed, users, project, money, capsys):
    call_command("ledger", "checkpoint")  # line 1: 6 entries
    more_money(users, project, "anc-d2")
    call_command("ledger", "checkpoint")  # line 2: 8 entries
    more_money(users, project, "anc-d3")  # 10 entries, after the last checkpoint
    victim = Posting.objects.get(idempotency_key="anc-d2")  # entries 7 and 8
    ids = list(victim.entries.order_by("seq").values_list("id", flat=True))
    rewrite_and_recompute(victim)
    capsys.readouterr()
    call_command("ledger", "verify")  # the chain alone cannot see it
    assert capsys.readouterr().out.startswith("OK: 10 entries")
    with pytest.raises(CommandError) as exc:
        verify_checkpoints(keyed)
    err = capsys.readouterr().err
    assert "checkpoint #2" in str(exc.value) and "entries 7–8" in str(exc.value)
    assert f"(ids {ids[0]}–{ids[1]})" in str(exc.value)
    assert "chain: OK" in err and "1 of 2" in err and "checkpoint #1" not in err.split("MISMATCH")[1]


def test_a_change_before_the_first_checkpoint_names_every_later_checkpoint_and_the_first_range(keyed, users, project, money):
    call_command("ledger", "checkpoint")
    more_money(users, project, "anc-d2")
    call_command("ledger", "checkpoint")
    rewrite_and_recompute(Posting.objects.get(idempotency_key="anc-a"), factor=3)  # entries 1–2
    assert verify().ok
    keys, _ = cps.public_keys_for([keyed["public"]])
    verdict, report = cps.verify_with(str(keyed["file"]), keys)
    assert verdict.ok and not report.ok and report.matched == 0
    assert len(report.problems) == 2
    assert report.problems[0].startswith("checkpoint #1") and "entries 1–6" in report.problems[0]
    assert report.problems[1].startswith("checkpoint #2") and "entries 1–8" in report.problems[1]


def test_rows_added_since_the_last_checkpoint_are_reported_not_an_error(keyed, users, project, money, capsys):
    call_command("ledger", "checkpoint")
    more_money(users, project, "anc-d2")
    more_money(users, project, "anc-d3")
    verify_checkpoints(keyed)
    out = capsys.readouterr().out
    assert "1 of 1" in out and "4 entries (sequence 7–10) added since the last checkpoint" in out


def test_a_forged_checkpoint_is_rejected(keyed, users, project, money):
    """The intruder who recomputed the chain rewrites the file's head to match: the signature
    no longer fits. Signing the line with a key of their own does not help either."""
    call_command("ledger", "checkpoint")
    rewrite_and_recompute(Posting.objects.get(idempotency_key="anc-d1"))
    line = lines(keyed["file"])[0]
    line["head"] = Entry.objects.order_by("-seq").first().hash
    keyed["file"].write_text(json.dumps(line) + "\n")
    with pytest.raises(CommandError, match="checkpoint #1 .* the signature does not match its content"):
        verify_checkpoints(keyed)

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    own = Ed25519PrivateKey.generate()
    forged = cps.sign(cps.Checkpoint(entries=line["entries"], head=line["head"], last_entry_id=line["last_entry_id"],
                                     at=line["at"]), own)
    keyed["file"].write_text(forged.json_line())
    with pytest.raises(CommandError, match=f"signed by key {cps.key_id(own.public_key())}, which was not given"):
        verify_checkpoints(keyed)


def test_entries_removed_after_a_checkpoint_are_named(keyed, users, project, money):
    more_money(users, project, "anc-d2")
    call_command("ledger", "checkpoint")
    last = Posting.objects.get(idempotency_key="anc-d2")
    tamper("DELETE FROM ledger_entry WHERE posting_id = %s", [last.pk])
    tamper("DELETE FROM ledger_posting WHERE id = %s", [last.pk])
    before = Entry.objects.order_by("-seq").first()
    tamper("UPDATE ledger_chainhead SET last_seq = %s, last_hash = %s WHERE id = 1", [before.seq, before.hash])
    assert verify().ok
    with pytest.raises(CommandError, match="holds only 6 entries, so entries 7–8 signed then were removed"):
        verify_checkpoints(keyed)


def test_verify_needs_a_public_key_and_a_readable_file(keyed, settings, money, tmp_path):
    call_command("ledger", "checkpoint")
    settings.XIEZUO_LEDGER_SIGNING_KEY_FILE = ""
    with pytest.raises(CommandError, match="no public key to verify the checkpoints with"):
        call_command("ledger", "verify", "--checkpoints", str(keyed["file"]))
    settings.XIEZUO_LEDGER_PUBLIC_KEY = keyed["public"]  # the auditor's setting
    call_command("ledger", "verify", "--checkpoints", str(keyed["file"]))
    with pytest.raises(CommandError, match="not an Ed25519 public key"):
        call_command("ledger", "verify", "--checkpoints", str(keyed["file"]), "--public-key", "abc")
    with pytest.raises(CommandError, match="cannot be read"):
        call_command("ledger", "verify", "--checkpoints", str(tmp_path / "missing.jsonl"))
    garbled = tmp_path / "garbled.jsonl"
    garbled.write_text(keyed["file"].read_text() + "{not json\n")
    with pytest.raises(CommandError, match="line 2 is not a checkpoint"):
        call_command("ledger", "verify", "--checkpoints", str(garbled))
    (tmp_path / "empty.jsonl").write_text("")
    with pytest.raises(CommandError, match="holds no checkpoint"):
        call_command("ledger", "verify", "--checkpoints", str(tmp_path / "empty.jsonl"))


def test_the_public_key_file_from_keygen_is_accepted(keyed, money, capsys):
    call_command("ledger", "checkpoint")
    call_command("ledger", "verify", "--checkpoints", str(keyed["file"]), "--public-key", f"{keyed['key']}.pub")
    assert "1 of 1" in capsys.readouterr().out


def test_checkpoints_of_an_earlier_key_verify_with_both_public_keys(keyed, settings, users, project, money, tmp_path, capsys):
    call_command("ledger", "checkpoint")
    new_key = tmp_path / "keys" / "ledger-signing-2027.pem"
    call_command("ledger", "keygen", str(new_key))
    settings.XIEZUO_LEDGER_SIGNING_KEY_FILE = str(new_key)
    more_money(users, project, "anc-d2")
    call_command("ledger", "checkpoint")  # the old key's line is still compared by its head
    with pytest.raises(CommandError, match="which was not given"):
        verify_checkpoints(keyed)
    capsys.readouterr()
    verify_checkpoints(keyed, "--public-key", f"{new_key}.pub")
    assert "2 of 2" in capsys.readouterr().out


def test_an_empty_ledger_can_be_checkpointed(keyed):
    if Entry.objects.exists():
        pytest.skip("the shared base data holds ledger entries")
    call_command("ledger", "checkpoint")
    assert lines(keyed["file"])[0]["entries"] == 0 and lines(keyed["file"])[0]["head"] == GENESIS
    assert ChainHead.objects.count() <= 1


def test_a_single_altered_row_fails_verify_with_checkpoints_as_a_broken_chain(keyed, money, capsys):
    call_command("ledger", "checkpoint")
    victim = Entry.objects.get(seq=2)
    tamper("UPDATE ledger_entry SET amount_fen = amount_fen + 1 WHERE id = %s", [victim.pk])
    with pytest.raises(CommandError, match=f"ledger chain BROKEN after 1 good entries: entry id={victim.pk}"):
        verify_checkpoints(keyed)
    assert "1 of 1" in capsys.readouterr().err  # the stored head is still the one signed: the chain itself names the row

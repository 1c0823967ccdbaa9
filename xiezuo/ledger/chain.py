"""The hash chain over ledger entries.

Every entry stores `prev_hash` (the hash of the entry before it, GENESIS for the first)
and `hash = sha256(prev_hash + content)`, where `content` is the canonical JSON of the
entry (sequence, side, amount, date), its account's identity (id, owner, purpose,
project) and a digest of every column of its posting (key, request hash, kind, amount,
dates, links, who and when). Changing any stored value of an entry, its posting or its
account, removing a row, or reordering rows breaks the chain at that row.

Each entry also carries its account's balance after it (`balance_fen`). It is not part of
the hashed content (the chain's format predates it); `verify()` replays every account from
zero alongside the hashes and names the first entry whose stored balance differs, so it is
held to the same standard: any change to it shows.

Appending serialises on the single ChainHead row (select_for_update), so two concurrent
postings never fork the chain and an account's latest balance, read under that lock, is
the one the next entry builds on; `verify()` walks the entries in sequence order in batches
(a server-side cursor on PostgreSQL) and never holds more than one batch in memory, or, on
PostgreSQL with a long chain, has worker processes check ranges of it side by side
(`verify.py`).

The chain alone cannot see a change made by someone who recomputes every hash after it with
these very functions: `checkpoints.py` signs the head with a key outside the database, and
`ledger verify --checkpoints` compares the chain with those signatures.
"""
import datetime
import hashlib
import json
from dataclasses import dataclass

from django.db import transaction

from xiezuo.core.jsontext import flat_json

from .balances import latest
from .models import GENESIS, Account, ChainHead, Entry, Posting

# The posting columns covered by the chain, in their canonical order.
POSTING_FIELDS = (
    "id", "idempotency_key", "request_hash", "kind", "amount_fen", "booked_on", "agreement_id", "project_id",
    "east_org_id", "west_org_id", "allocation_id", "reversal_of_id", "due_date", "arrived_on", "memo",
    "created_at", "created_by_id", "via", "request_id",
)


def _canon(value):
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.timezone.utc).isoformat(timespec="microseconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


# made once: json.dumps with options builds a new encoder on every call (same text)
_CANONICAL = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True, default=_canon).encode


def canonical_json(data) -> str:
    """Sorted keys, no spaces, dates ISO 8601. A flat dict of text, whole numbers, None and
    dates (every request body a posting hashes) is written out directly (`core.jsontext`),
    the same text as the encoder's at a fraction of its cost; anything else goes through the
    encoder."""
    text = flat_json(data, sort_keys=True, item_sep=",", key_sep=":", dates=True)
    return text if text is not None else _CANONICAL(data)


_str = json.encoder.encode_basestring  # the C string encoder json.dumps(ensure_ascii=False) uses
_UTC = datetime.timezone.utc


def _opt(value) -> str:
    return "null" if value is None else str(int(value))


_last_time = (None, "")  # (a creation time, its text): a batch's postings share one


def _utc_text(moment) -> str:
    global _last_time
    last = _last_time
    if last[0] is moment:
        return last[1]
    text = moment.astimezone(_UTC).isoformat(timespec="microseconds")
    _last_time = (moment, text)
    return text


def posting_digest(v) -> str:
    """Digest of one posting's columns, given in POSTING_FIELDS order.

    The text is the JSON array of the values (dates ISO 8601, the time in UTC to the
    microsecond), written out field by field because verify digests every posting and a
    batch every one it writes: the optional values (null, or a whole number, or a date in
    quotes) are spelt out in place rather than by a call per value.
    """
    (pk, key, rhash, kind, amount, booked_on, agreement, project, east, west, allocation, reversal_of, due, arrived,
     memo, created_at, created_by, via, request_id) = v
    booked = "null" if booked_on is None else f'"{booked_on.isoformat()}"'
    due = "null" if due is None else f'"{due.isoformat()}"'
    arrived = "null" if arrived is None else f'"{arrived.isoformat()}"'
    text = (f'[{int(pk)},{_str(key)},{_str(rhash)},{_str(str(kind))},{int(amount)},{booked},'
            f'{"null" if agreement is None else int(agreement)},{"null" if project is None else int(project)},'
            f'{"null" if east is None else int(east)},{"null" if west is None else int(west)},'
            f'{"null" if allocation is None else int(allocation)},{"null" if reversal_of is None else int(reversal_of)},'
            f'{due},{arrived},{_str(memo)},"{_utc_text(created_at)}",{"null" if created_by is None else int(created_by)},'
            f'{_str(via)},{_str(request_id)}]')
    return hashlib.sha256(text.encode()).hexdigest()


def posting_values(posting: Posting) -> tuple:
    return tuple(getattr(posting, f) for f in POSTING_FIELDS)


ACCOUNT_FIELDS = ("id", "owner_id", "purpose", "project_id")


def account_text(v) -> str:
    """An account's identity (id, owner, purpose, project) as the inside of a JSON array."""
    return f'{int(v[0])},{int(v[1])},{_str(str(v[2]))},{_opt(v[3])}'


def account_values(account: Account) -> tuple:
    return tuple(getattr(account, f) for f in ACCOUNT_FIELDS)


def entry_content(seq: int, digest: str, account: str, side: str, amount_fen: int, booked_on) -> str:
    """The canonical JSON array [seq, posting digest, [account identity], side, amount,
    date], written out directly (every part is a number or a plain token)."""
    return f'[{int(seq)},"{digest}",[{account}],"{str(side)}",{int(amount_fen)},"{booked_on.isoformat()}"]'


def link(prev_hash: str, content: str) -> str:
    return hashlib.sha256((prev_hash + content).encode()).hexdigest()


def lock_head() -> ChainHead:
    """Take the chain's one lock. Must be called inside a transaction, after any account
    locks (accounts first, then the head: one order everywhere, so no deadlock)."""
    assert transaction.get_connection().in_atomic_block, "the chain head is locked inside a transaction"
    head = ChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        ChainHead.objects.get_or_create(pk=1, defaults={"last_seq": 0, "last_hash": GENESIS})
        head = ChainHead.objects.select_for_update().get(pk=1)
    return head


def signed(normal_side: str, side: str, amount: int) -> int:
    """An entry's effect on its account's balance, which is kept towards the normal side."""
    return amount if side == normal_side else -amount


def append(head: ChainHead, posting: Posting, lines) -> list[Entry]:
    """Chain `lines` [(account, side, amount_fen)] of a saved `posting` after `head`."""
    digest = posting_digest(posting_values(posting))
    prev, seq = head.last_hash, head.last_seq
    running = latest(account.pk for account, _side, _amount in lines)  # under the head lock: nothing appends meanwhile
    entries = []
    for account, side, amount in lines:
        seq += 1
        running[account.pk] += signed(account.normal_side, side, amount)
        h = link(prev, entry_content(seq, digest, account_text(account_values(account)), side, amount, posting.booked_on))
        entries.append(Entry(seq=seq, posting=posting, account=account, side=side, amount_fen=amount,
                             balance_fen=running[account.pk], booked_on=posting.booked_on, prev_hash=prev, hash=h))
        prev = h
    Entry.objects.bulk_create(entries)
    ChainHead.objects.filter(pk=1).update(last_seq=seq, last_hash=prev)
    head.last_seq, head.last_hash = seq, prev
    return entries


@dataclass
class Verdict:
    ok: bool
    entries: int
    postings: int
    last_hash: str
    problem: str = ""
    entry_id: int | None = None
    posting_id: int | None = None
    expected: str = ""
    stored: str = ""


ENTRY_COLUMNS = ("id", "seq", "posting_id", "account_id", "side", "amount_fen", "booked_on", "prev_hash", "hash", "balance_fen")


def _rows_for(model, fields, ids: set) -> dict:
    """{id: column values} of the rows with these ids (one batch's postings or accounts)."""
    if not ids:
        return {}
    lo, hi = min(ids), max(ids)
    if hi - lo < 4 * len(ids) + 100:  # entries come in posting order, so a batch's postings are (nearly) a range
        return {row[0]: row for row in model.objects.filter(id__gte=lo, id__lte=hi).values_list(*fields) if row[0] in ids}
    found, ordered = {}, sorted(ids)
    for i in range(0, len(ordered), 900):
        found.update((row[0], row) for row in model.objects.filter(id__in=ordered[i:i + 900]).values_list(*fields))
    return found


def _batches(rows, size):
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def verify(chunk_size: int = 10_000, progress=None, workers: int | None = None, parallel_from: int = 200_000,
           ranges: int | None = None) -> Verdict:
    """Recompute the whole chain; stop at the first row that does not match.

    On PostgreSQL a chain of `parallel_from` entries or more is split into ranges checked by
    `workers` processes (default: one per core) with the same findings (`ledger/verify.py`);
    below that, or on SQLite, or inside a transaction whose snapshot cannot be shared, one
    process walks it. Entries stream in sequence order (a server-side cursor on PostgreSQL, chunked reads on
    SQLite); for each batch the postings and accounts it refers to are read in one query
    each, so memory holds one batch and each posting is read and digested about once.
    Every account's balance is replayed from zero along the way (one number per account is
    kept) and compared with the balance each entry carries.
    """
    from .verify import default_workers, usable, verify_parallel

    workers = default_workers() if workers is None else workers
    if usable(workers):
        head = ChainHead.objects.filter(pk=1).values_list("last_seq", flat=True).first() or 0
        if head >= parallel_from:
            return verify_parallel(workers, ranges=ranges, progress=progress)
    rows = Entry.objects.order_by("seq").values_list(*ENTRY_COLUMNS).iterator(chunk_size=chunk_size)
    prev, expected_seq, count, groups = GENESIS, 1, 0, 0
    group_id, debits, credits, lines, digest = None, 0, 0, 0, ""
    running, normal = {}, {}  # account id → replayed balance, normal side

    def fail(problem, **kw):
        return Verdict(False, count, groups, prev, problem, **kw)

    def close_group():
        if group_id is not None and (debits != credits or lines < 2):
            return fail(f"posting #{group_id}: debits {debits} and credits {credits} over {lines} entries do not balance",
                        posting_id=group_id)
        return None

    for batch in _batches(rows, chunk_size):
        postings = _rows_for(Posting, POSTING_FIELDS, {row[2] for row in batch})
        accounts = {}
        for k, v in _rows_for(Account, (*ACCOUNT_FIELDS, "normal_side"), {row[3] for row in batch}).items():
            accounts[k], normal[k] = account_text(v[:-1]), v[-1]
        for entry_id, seq, posting_id, account_id, side, amount, booked_on, prev_hash, stored, carried in batch:
            if posting_id != group_id:
                bad = close_group()
                if bad:
                    return bad
                group_id, debits, credits, lines = posting_id, 0, 0, 0
                groups += 1
                values = postings.get(posting_id)
                if values is None:
                    return fail(f"entry id={entry_id} (seq {seq}): its posting #{posting_id} is missing",
                                entry_id=entry_id, posting_id=posting_id)
                digest = posting_digest(values)
            if seq != expected_seq:
                return fail(f"entry id={entry_id}: sequence {seq} where {expected_seq} was expected (rows missing or inserted)",
                            entry_id=entry_id, posting_id=posting_id)
            if prev_hash != prev:
                return fail(f"entry id={entry_id} (seq {seq}): prev_hash does not link to the entry before it",
                            entry_id=entry_id, posting_id=posting_id, expected=prev, stored=prev_hash)
            account = accounts.get(account_id)
            if account is None:
                return fail(f"entry id={entry_id} (seq {seq}): its account #{account_id} is missing",
                            entry_id=entry_id, posting_id=posting_id)
            computed = link(prev, entry_content(seq, digest, account, side, amount, booked_on))
            if computed != stored:
                return fail(f"entry id={entry_id} (seq {seq}, posting #{posting_id}, account #{account_id}) was altered: "
                            f"expected hash {computed}, stored {stored}",
                            entry_id=entry_id, posting_id=posting_id, expected=computed, stored=stored)
            balance = running.get(account_id, 0) + signed(normal[account_id], side, amount)
            if carried != balance:
                return fail(f"entry id={entry_id} (seq {seq}, account #{account_id}) carries the balance {carried}, "
                            f"the replay of the account's entries gives {balance}",
                            entry_id=entry_id, posting_id=posting_id, expected=str(balance), stored=str(carried))
            running[account_id] = balance
            if side == "D":
                debits += amount
            else:
                credits += amount
            lines += 1
            prev = stored
            expected_seq += 1
            count += 1
            if progress and count % 1_000_000 == 0:
                progress(count)
    bad = close_group()
    if bad:
        return bad
    head = ChainHead.objects.filter(pk=1).first()
    head_seq, head_hash = (head.last_seq, head.last_hash) if head else (0, GENESIS)
    if head_seq != count or head_hash != prev:
        return fail(f"chain head says {head_seq} entries ending in {head_hash}, the table holds {count} ending in {prev} "
                    f"(entries removed from the end?)", expected=head_hash, stored=prev)
    in_table = Posting.objects.count()
    if in_table != groups:
        return fail(f"{in_table} postings in the table, {groups} in the chain (postings without entries)")
    return Verdict(True, count, groups, prev)

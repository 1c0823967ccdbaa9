"""The chain check on PostgreSQL, split into ranges checked side by side by worker processes.

An entry's hash depends only on its own stored columns, its posting's and account's, and
the `prev_hash` it stores, so ranges of the chain can be recomputed independently; what
joins them is checked afterwards, in chain order: each range's first entry links to the
previous range's last hash, its sequence number follows the previous range's last, and each
account's first balance in a range continues the balance the ranges before it left. The
findings are those of the single-process walk in `chain.verify`, with the same messages:
the first problem in chain order wins, wherever in which range it was found.

Every worker reads through its own connection, importing one exported snapshot, so postings
committed meanwhile are not half-seen. A range arrives as one COPY in text, read row by row
straight off libpq (a parsing layer per row cost more than the hashing): the entries in
sequence order, each posting's columns riding on the first entry of its group, as the
database writes them; the worker writes their canonical text (the database's own JSON and
date formatting cost it four times what sending the rows does) and hashes it. Ranges start
where a posting's group of entries starts, so a posting's balance is checked by one worker.
"""
import hashlib
import json
import multiprocessing
import os
import re
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

from django.db import connection, transaction

from .chain import ACCOUNT_FIELDS, POSTING_FIELDS, Verdict, account_text
from .models import GENESIS, Account, ChainHead, Entry, Posting

# problem stages, in the order one entry's checks run in `chain.verify`: the first problem
# is the one with the lowest (position, stage)
CLOSE, POSTING, SEQ, LINK, ACCOUNT, HASH, BALANCE = range(7)

# set in the coordinator before the workers fork; read by them (copy-on-write, never pickled)
_SHARED: dict = {}


def usable(workers: int) -> bool:
    """Whether the parallel check can run here: PostgreSQL, more than one worker, a process
    that may fork, and a transaction whose snapshot other connections can share (none yet,
    or a read-only repeatable-read one that has written nothing: their uncommitted rows
    would be invisible to the workers)."""
    if connection.vendor != "postgresql" or workers < 2 or multiprocessing.current_process().daemon:
        return False
    if "fork" not in multiprocessing.get_all_start_methods():
        return False
    if connection.in_atomic_block:
        with connection.cursor() as cur:
            cur.execute("SELECT current_setting('transaction_isolation'), pg_current_xact_id_if_assigned() IS NULL")
            isolation, clean = cur.fetchone()
        return isolation in ("repeatable read", "serializable") and clean
    return True


def _connect(snapshot: str):
    import psycopg

    conn = psycopg.connect(**_SHARED["params"])
    conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
    conn.read_only = True
    conn.execute("SET TRANSACTION SNAPSHOT '%s'" % snapshot.replace("'", ""))
    conn.execute("SET TimeZone = 'UTC'")
    conn.execute("SET DateStyle = 'ISO, YMD'")  # dates as YYYY-MM-DD, as isoformat() writes them
    return conn



SEP = "\x1f"  # between a posting's columns in the one text the query gives for it


def posting_columns_sql(p: str = "p") -> str:
    """SQL giving a posting's columns (POSTING_FIELDS) as one text, separated by SEP, NULL
    as '' (only numbers and dates may be NULL, and those are never empty). Formatting them
    is left to the worker: the database's own JSON and date formatting costs it four times
    what the rows themselves do."""
    parts = []
    for name in POSTING_FIELDS:
        f = Posting._meta.get_field(name)
        parts.append(f"coalesce({p}.{f.column}::text, '')")
    return f"concat_ws(chr(31), {', '.join(parts)})"


_str = json.encoder.encode_basestring  # as chain.posting_digest
_COPY_ESCAPES = {"\\": "\\", "t": "\t", "n": "\n", "r": "\r", "b": "\b", "f": "\f", "v": "\v"}
_COPY_ESCAPE = re.compile(r"\\(.)")


def _unescape(text: str) -> str:
    """COPY's text format writes a backslash and the control characters as escapes."""
    return _COPY_ESCAPE.sub(lambda m: _COPY_ESCAPES.get(m.group(1), m.group(1)), text)


def _day(v: str) -> str:
    return f'"{v}"' if v else "null"


def _utc(v: str) -> str:
    """'2026-12-06 01:02:03.5+00' (the session in UTC, DateStyle ISO) as Python's
    isoformat(timespec="microseconds") writes it: '2026-12-06T01:02:03.500000+00:00'."""
    day, time = v[:10], v[11:-3]
    whole, _, frac = time.partition(".")
    return f'"{day}T{whole}.{frac.ljust(6, "0")}+00:00"'


def posting_text(v) -> str:
    """The text chain.posting_digest hashes, from the posting's columns as the database
    writes them (the same numbers and dates, in the same canonical forms)."""
    return (f'[{v[0]},{_str(v[1])},{_str(v[2])},{_str(v[3])},{v[4]},{_day(v[5])},{v[6] or "null"},{v[7] or "null"},'
            f'{v[8] or "null"},{v[9] or "null"},{v[10] or "null"},{v[11] or "null"},{_day(v[12])},{_day(v[13])},{_str(v[14])},'
            f'{_utc(v[15])},{v[16] or "null"},{_str(v[17])},{_str(v[18])}]')


def _range_sql(lo, hi) -> str:
    """The entries with lo <= seq < hi in sequence order, as text: each posting's columns
    ride on the first entry of its group ('' when the posting is missing)."""
    where = [f"e.seq >= {int(lo)}"] if lo is not None else []
    if hi is not None:
        where.append(f"e.seq < {int(hi)}")
    return (f"COPY (SELECT e.id, e.seq, e.posting_id, e.account_id, e.side, e.amount_fen, e.booked_on, "
            f"e.prev_hash, e.hash, e.balance_fen, "
            f"CASE WHEN e.posting_id IS DISTINCT FROM lag(e.posting_id) OVER (ORDER BY e.seq) THEN "
            f"coalesce((SELECT {posting_columns_sql()} FROM {Posting._meta.db_table} p WHERE p.id = e.posting_id), '') END "
            f"FROM {Entry._meta.db_table} e {'WHERE ' + ' AND '.join(where) if where else ''} ORDER BY e.seq) TO STDOUT")


@dataclass
class RangeResult:
    count: int = 0  # entries checked before its problem (all of them when none)
    groups: int = 0  # postings closed good before its problem
    first_id: int | None = None
    first_seq: int | None = None
    first_prev: str = ""  # the prev_hash its first entry stores
    last_hash: str = ""  # the stored hash of its last good entry
    next_seq: int = 0  # the sequence number the entry after its last would need
    problem: tuple | None = None  # (position, stage, text, kw)
    first_seen: dict = field(default_factory=dict)  # account → what its first entry in the range says
    closing: dict = field(default_factory=dict)  # account → balance its last entry in the range carries


def check_range(snapshot: str, lo, hi, expected_seq: int, prev: str | None) -> RangeResult:
    """Recompute the entries with lo <= seq < hi (a bound of None: open), as `chain.verify`
    does, from rows read as text straight off the connection (libpq, no per-row parsing
    layer). A later range (prev None) takes its first entry's link and sequence on trust:
    `_join` checks them against the range before."""
    accounts, normal = _SHARED["accounts"], _SHARED["normal"]
    sha = hashlib.sha256
    conn = _connect(snapshot)
    lookup = None

    def columns_of(posting_id):
        """A posting's columns read on their own, on a second connection (the first is in COPY)."""
        nonlocal lookup
        lookup = lookup or _connect(snapshot)
        cols = ", ".join(f"coalesce({Posting._meta.get_field(n).column}::text, '')" for n in POSTING_FIELDS)
        return list(lookup.execute(f"SELECT {cols} FROM {Posting._meta.db_table} WHERE id = %s", (int(posting_id),)).fetchone())

    res = RangeResult()
    count = groups = 0
    group_id, debits, credits, lines, digest = None, 0, 0, 0, ""
    running, first_seen = {}, {}
    problem = None
    try:
        with conn.cursor().copy(_range_sql(lo, hi)) as copy:
            get = conn.pgconn.get_copy_data
            while True:
                n, data = get(0)
                if n <= 0:
                    break
                entry_id, seq, posting_id, account_id, side, amount, day, prev_hash, stored, carried, ptext = \
                    str(data, "utf-8")[:-1].split("\t")
                if posting_id != group_id:
                    if group_id is not None:
                        if debits != credits or lines < 2:
                            problem = (count, CLOSE, f"posting #{group_id}: debits {debits} and credits {credits} over "
                                                     f"{lines} entries do not balance", {"posting_id": int(group_id)})
                            break
                        groups += 1
                    group_id, debits, credits, lines = posting_id, 0, 0, 0
                    if not ptext:
                        problem = (count, POSTING, f"entry id={entry_id} (seq {seq}): its posting #{posting_id} is missing",
                                   {"entry_id": int(entry_id), "posting_id": int(posting_id)})
                        break
                    if "\\" in ptext:
                        ptext = _unescape(ptext)
                    columns = ptext.split(SEP)
                    if len(columns) != len(POSTING_FIELDS):  # a SEP inside a text column: read it alone
                        columns = columns_of(posting_id)
                    digest = sha(posting_text(columns).encode()).hexdigest()
                s = int(seq)
                if prev is None:
                    prev, expected_seq = prev_hash, s
                if count == 0:
                    res.first_id, res.first_seq, res.first_prev = int(entry_id), s, prev_hash
                if s != expected_seq:
                    problem = (count, SEQ, f"entry id={entry_id}: sequence {seq} where {expected_seq} was expected "
                                           f"(rows missing or inserted)", {"entry_id": int(entry_id), "posting_id": int(posting_id)})
                    break
                if prev_hash != prev:
                    problem = (count, LINK, f"entry id={entry_id} (seq {seq}): prev_hash does not link to the entry before it",
                               {"entry_id": int(entry_id), "posting_id": int(posting_id), "expected": prev, "stored": prev_hash})
                    break
                account = accounts.get(account_id)
                if account is None:
                    problem = (count, ACCOUNT, f"entry id={entry_id} (seq {seq}): its account #{account_id} is missing",
                               {"entry_id": int(entry_id), "posting_id": int(posting_id)})
                    break
                # chain.entry_content's text, from the database's text of the same numbers
                computed = sha(f'{prev}[{seq},"{digest}",[{account}],"{side}",{amount},"{day}"]'.encode()).hexdigest()
                if computed != stored:
                    problem = (count, HASH, f"entry id={entry_id} (seq {seq}, posting #{posting_id}, account #{account_id}) "
                                            f"was altered: expected hash {computed}, stored {stored}",
                               {"entry_id": int(entry_id), "posting_id": int(posting_id), "expected": computed, "stored": stored})
                    break
                a, c = int(amount), int(carried)
                effect = a if side == normal[account_id] else -a
                before = running.get(account_id)
                if before is None:  # its first entry here: the balance it carries is checked when joining
                    first_seen[account_id] = (count, entry_id, seq, posting_id, c - effect, c, prev, groups)
                elif c != before + effect:
                    problem = (count, BALANCE, f"entry id={entry_id} (seq {seq}, account #{account_id}) carries the balance "
                                               f"{c}, the replay of the account's entries gives {before + effect}",
                               {"entry_id": int(entry_id), "posting_id": int(posting_id), "expected": str(before + effect),
                                "stored": str(c)})
                    break
                running[account_id] = c
                if side == "D":
                    debits += a
                else:
                    credits += a
                lines += 1
                prev = stored
                expected_seq += 1
                count += 1
            if problem is None and group_id is not None:
                if debits != credits or lines < 2:
                    problem = (count, CLOSE, f"posting #{group_id}: debits {debits} and credits {credits} over {lines} "
                                             f"entries do not balance", {"posting_id": int(group_id)})
                else:
                    groups += 1
    finally:
        conn.close()  # ends a COPY left early too
        if lookup is not None:
            lookup.close()
    res.count, res.groups, res.last_hash, res.next_seq = count, groups, prev or "", expected_seq
    res.problem = problem
    res.first_seen, res.closing = first_seen, running
    return res


def plan_ranges(cur, ranges: int):
    """Sequence numbers splitting the chain into `ranges` ranges of about equal size, each
    moved forward to where a posting's group of entries starts: [(lo, hi)], None for open."""
    cur.execute("SELECT min(seq), max(seq) FROM ledger_entry")
    lo, hi = cur.fetchone()
    if lo is None:
        return []
    cuts, step = [], (hi - lo + 1) / ranges
    for i in range(1, ranges):
        nominal = int(lo + step * i)
        limit = 64
        while True:
            cur.execute("SELECT seq, posting_id FROM ledger_entry WHERE seq >= %s ORDER BY seq LIMIT %s", (nominal - 1, limit))
            rows = cur.fetchall()
            cut = next((rows[j][0] for j in range(1, len(rows)) if rows[j][1] != rows[j - 1][1]), None)
            if cut is not None or len(rows) < limit:
                break
            limit *= 4
        if cut is not None and (not cuts or cut > cuts[-1]):
            cuts.append(cut)
    return list(zip([None, *cuts], [*cuts, None]))


def verify_parallel(workers: int, ranges: int | None = None, progress=None) -> Verdict:
    """The whole chain checked by `workers` processes over `ranges` ranges (default: about
    half a million entries each, at least one per worker)."""
    outer = connection.in_atomic_block  # a caller's repeatable-read transaction (see `usable`): its snapshot is shared
    with transaction.atomic(savepoint=False):  # a snapshot is exported from a transaction, not a savepoint
        with connection.cursor() as cur:
            if not outer:
                cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            cur.execute("SELECT pg_export_snapshot()")
            snapshot = cur.fetchone()[0]
            if ranges is None:
                cur.execute("SELECT coalesce(max(seq), 0) - coalesce(min(seq), 0) + 1 FROM ledger_entry")
                ranges = max(workers, min(64, cur.fetchone()[0] // 500_000))
            plan = plan_ranges(cur, max(1, ranges))
        head = ChainHead.objects.filter(pk=1).first()
        in_table = Posting.objects.count()
        accounts, normal = {}, {}
        for v in Account.objects.values_list(*ACCOUNT_FIELDS, "normal_side").iterator(chunk_size=20_000):
            accounts[str(v[0])], normal[str(v[0])] = account_text(v[:-1]), v[-1]  # keyed as the rows' text
        params = {k: v for k, v in connection.get_connection_params().items() if k not in ("cursor_factory", "context")}
        _SHARED.update(accounts=accounts, normal=normal, params=params)
        try:
            results = _run(snapshot, plan, workers, progress)
        finally:
            _SHARED.clear()
    return _join(results, head, in_table)


def _run(snapshot, plan, workers, progress):
    if not plan:
        return []
    ctx = multiprocessing.get_context("fork")
    results = []
    with ProcessPoolExecutor(max_workers=min(workers, len(plan)), mp_context=ctx) as pool:
        futures = [pool.submit(check_range, snapshot, lo, hi, 1 if i == 0 else 0, GENESIS if i == 0 else None)
                   for i, (lo, hi) in enumerate(plan)]
        done = 0
        for future in futures:
            res = future.result()
            results.append(res)
            if res.problem is not None:
                for f in futures:
                    f.cancel()
                break
            if progress:
                before, done = done, done + res.count
                if done // 1_000_000 > before // 1_000_000:
                    progress(done)
    return results


def _join(results: list[RangeResult], head, in_table: int) -> Verdict:
    """Join the ranges in chain order: the first problem, within a range or at a join,
    is the verdict."""
    count = groups = 0
    prev, next_seq = GENESIS, 1
    closing = {}
    for i, r in enumerate(results):
        candidates = []
        if r.problem is not None:
            position, stage, text, kw = r.problem
            candidates.append((position, stage, r.last_hash, r.groups, text, kw))
        if i > 0 and r.first_id is not None:
            if r.first_seq != next_seq:
                candidates.append((0, SEQ, prev, 0, f"entry id={r.first_id}: sequence {r.first_seq} where {next_seq} was "
                                                    f"expected (rows missing or inserted)", {"entry_id": r.first_id}))
            if r.first_prev != prev:
                candidates.append((0, LINK, prev, 0, f"entry id={r.first_id} (seq {r.first_seq}): prev_hash does not link "
                                                     f"to the entry before it",
                                   {"entry_id": r.first_id, "expected": prev, "stored": r.first_prev}))
        for account_id, (position, entry_id, seq, posting_id, opening, carried, before_hash, g) in r.first_seen.items():
            was = closing.get(account_id, 0)
            if opening != was:
                should = carried - opening + was
                candidates.append((position, BALANCE, before_hash, g,
                                   f"entry id={entry_id} (seq {seq}, account #{account_id}) carries the balance {carried}, "
                                   f"the replay of the account's entries gives {should}",
                                   {"entry_id": int(entry_id), "posting_id": int(posting_id), "expected": str(should),
                                    "stored": str(carried)}))
        if candidates:
            position, _stage, last_hash, g, text, kw = min(candidates, key=lambda c: (c[0], c[1]))
            kw.setdefault("posting_id", None)
            return Verdict(False, count + position, groups + g, last_hash or prev, text, **kw)
        count += r.count
        groups += r.groups
        if r.count:
            prev, next_seq = r.last_hash, r.next_seq
        closing.update(r.closing)
    head_seq, head_hash = (head.last_seq, head.last_hash) if head else (0, GENESIS)
    if head_seq != count or head_hash != prev:
        return Verdict(False, count, groups, prev,
                       f"chain head says {head_seq} entries ending in {head_hash}, the table holds {count} ending in {prev} "
                       f"(entries removed from the end?)", expected=head_hash, stored=prev)
    if in_table != groups:
        return Verdict(False, count, groups, prev, f"{in_table} postings in the table, {groups} in the chain (postings without entries)")
    return Verdict(True, count, groups, prev)


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


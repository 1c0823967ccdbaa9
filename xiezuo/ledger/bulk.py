"""Appending many postings at once (dataset generation, benchmarks), chained exactly as the
actions chain them, so `ledger verify` accepts the result.

    with transaction.atomic():
        writer = ChainWriter()
        writer.add({"kind": "allocation", "amount_fen": 100, "booked_on": day, ...},
                   [(debit_account_id, "D", 100), (credit_account_id, "C", 100)])
        ...
        writer.close()

Holds the chain head lock for the whole load, buffers a chunk of postings and writes it
with COPY on PostgreSQL (bulk_create elsewhere), so memory stays bounded. Lines are
checked to balance; overdraw rules are the caller's business (the generator keeps them).
Each entry carries its account's balance after it, carried on from the account's latest
entry (read under the head lock, with the account's identity) in the writer's memory.

A caller that must not hold the chain head for long (bulk ingestion, where other offices'
batches wait for it) writes its postings first with `write_postings`, ids reserved from the
table's sequence, their references checked (by the statement trigger at the end of the
COPY) and any foreign keys still deferred checked (`check_deferred`), all before taking the
head; then only the entries are chained under it:

    write_postings(rows); check_deferred()
    writer = ChainWriter()
    writer.write_chained(zip(rows, lines_of, digests))  # or writer.chain(row, lines) for each
    writer.close()
"""
import hashlib

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from xiezuo.core.bulkrows import insert_rows

from . import chain
from .balances import latest
from .models import Account, ChainHead, Entry, Posting

ENTRY_COLUMNS = ("seq", "posting_id", "account_id", "side", "amount_fen", "booked_on", "prev_hash", "hash", "balance_fen")
DEFAULTS = {
    "agreement_id": None, "project_id": None, "east_org_id": None, "west_org_id": None, "allocation_id": None,
    "reversal_of_id": None, "due_date": None, "arrived_on": None, "memo": "", "created_by_id": None, "via": "command",
    "request_id": "",
}


def write_postings(rows, key_ns=0):
    """Insert posting rows (tuples in chain.POSTING_FIELDS order), consuming `rows` as COPY streams;
    `key_ns` is the organisation whose idempotency keys they carry (0: none, the table's default)."""
    if key_ns:
        insert_rows(Posting, (*chain.POSTING_FIELDS, "key_ns"), ((*row, key_ns) for row in rows))
    else:
        insert_rows(Posting, chain.POSTING_FIELDS, rows)


def write_entries(rows):
    """Insert entry rows (tuples in ENTRY_COLUMNS order), consuming `rows` as COPY streams."""
    insert_rows(Entry, ENTRY_COLUMNS, rows)


def check_deferred():
    """Run the foreign-key checks queued so far now rather than at commit (PostgreSQL defers
    them): where the chain head is taken later, they are then not paid for while holding it."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cur.execute("SET CONSTRAINTS ALL DEFERRED")


class ChainWriter:
    def __init__(self, chunk: int = 20_000, key_prefix: str = "bulk"):
        assert transaction.get_connection().in_atomic_block, "bulk appends run inside one transaction"
        self.head = chain.lock_head()
        self.next_id = None  # ids for `add`: after the largest, read on first use
        self.now = timezone.now()
        self.chunk = chunk
        self.key_prefix = key_prefix
        self.postings, self.entries = [], []
        self.count_postings = self.count_entries = 0
        self.accounts = {}  # account id → (identity text for the chain, normal side)
        self.balances = {}  # account id → balance after the last entry written or read

    def know_accounts(self, rows, balances=None):
        """Accounts the caller has read: (id, owner id, purpose, project id, normal side) rows.
        Their latest balances are read here, in one query, under the head lock, unless the
        caller gives them ({id: balance}, as of the head it holds). An account seen before
        keeps its balance in memory (its newest entries may still be buffered)."""
        fresh = [row for row in rows if row[0] not in self.accounts]
        for row in fresh:
            self.accounts[row[0]] = (chain.account_text(row[:4]), row[4])
        self.balances.update(latest(row[0] for row in fresh) if balances is None else {row[0]: balances[row[0]] for row in fresh})

    def _account(self, account_id: int) -> tuple[str, str]:
        found = self.accounts.get(account_id)
        if found is None:  # accounts made in bulk have consecutive ids: fetch a run of them
            self.know_accounts(Account.objects.filter(id__gte=account_id, id__lt=account_id + 5000)
                               .values_list(*chain.ACCOUNT_FIELDS, "normal_side"))
            found = self.accounts.get(account_id)
            if found is None:
                raise ValueError(f"no ledger account #{account_id}")
        return found

    def add(self, fields: dict, lines) -> int:
        """Buffer one posting; return its id (usable in later postings: allocation_id…)."""
        debits = sum(a for _acc, side, a in lines if side == "D")
        credits = sum(a for _acc, side, a in lines if side == "C")
        if len(lines) < 2 or debits != credits or any(a <= 0 for _acc, _s, a in lines):
            raise ValueError(f"unbalanced bulk posting {fields!r}: {lines!r}")
        if self.next_id is None:
            self.next_id = (Posting.objects.aggregate(m=Max("id"))["m"] or 0) + 1
        posting_id = self.next_id
        self.next_id += 1
        values = dict(DEFAULTS)
        values.update(fields)
        values["id"] = posting_id
        values.setdefault("idempotency_key", f"{self.key_prefix}-{posting_id}")
        values.setdefault("request_hash", hashlib.sha256(values["idempotency_key"].encode()).hexdigest())
        values.setdefault("created_at", self.now)
        values["amount_fen"] = debits
        values["kind"] = str(values["kind"])
        row = tuple(values[f] for f in chain.POSTING_FIELDS)
        self.postings.append(row)  # before its entries: a flush writes both
        self.chain(row, lines)
        return posting_id

    def chain(self, row, lines, digest: str | None = None):
        """Buffer the chained entries of a posting `row` (POSTING_FIELDS order) for `lines`
        [(account id, side, amount)]; `digest` is its posting_digest when already made."""
        digest = digest or chain.posting_digest(row)
        posting_id, booked_on = row[0], row[5]
        prev, seq = self.head.last_hash, self.head.last_seq
        accounts, balances, entries = self.accounts, self.balances, self.entries
        for account_id, side, amount in lines:
            seq += 1
            side = str(side)
            text, normal = accounts.get(account_id) or self._account(account_id)
            balance = balances[account_id] = balances[account_id] + chain.signed(normal, side, amount)
            h = chain.link(prev, chain.entry_content(seq, digest, text, side, amount, booked_on))
            entries.append((seq, posting_id, account_id, side, amount, booked_on, prev, h, balance))
            prev = h
        self.head.last_seq, self.head.last_hash = seq, prev
        if len(self.entries) >= 2 * self.chunk:
            self.flush()

    def write_chained(self, postings):
        """Chain and write the entries of (posting row, lines, digest) triples whose posting
        rows are written already, each posting chained as COPY takes its entries, so that the
        server stores one posting's entries while Python hashes the next. Accounts not known
        yet are read first: no query may run while the COPY holds the connection."""
        self.flush()
        postings = list(postings)
        unknown = {acc for _row, lines, _digest in postings for acc, _side, _amount in lines} - self.accounts.keys()
        if unknown:
            self.know_accounts(Account.objects.filter(id__in=unknown).values_list(*chain.ACCOUNT_FIELDS, "normal_side"))
            missing = unknown - self.accounts.keys()
            if missing:
                raise ValueError(f"no ledger account #{min(missing)}")

        def entries():
            for row, lines, digest in postings:
                self.chain(row, lines, digest)
                yield from self.entries
                self.count_entries += len(self.entries)
                self.entries.clear()

        write_entries(entries())

    def flush(self):
        if not self.entries:
            return
        if self.postings:
            write_postings(self.postings)
        write_entries(self.entries)
        self.count_postings += len(self.postings)
        self.count_entries += len(self.entries)
        self.postings, self.entries = [], []

    def close(self) -> int:
        """Write what is buffered, move the chain head, return the number of entries written."""
        self.flush()
        ChainHead.objects.filter(pk=1).update(last_seq=self.head.last_seq, last_hash=self.head.last_hash)
        if connection.vendor == "postgresql" and self.next_id is not None:  # `add` took ids after the largest
            with connection.cursor() as cur:
                cur.execute("SELECT setval(pg_get_serial_sequence('ledger_posting', 'id'), (SELECT MAX(id) FROM ledger_posting))")
        return self.count_entries

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
"""
import hashlib

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from xiezuo.core.arrays import filter_any

from . import chain
from .balances import latest
from .models import Account, ChainHead, Entry, Posting

ENTRY_COLUMNS = ("seq", "posting_id", "account_id", "side", "amount_fen", "booked_on", "prev_hash", "hash", "balance_fen")
DEFAULTS = {
    "agreement_id": None, "project_id": None, "east_org_id": None, "west_org_id": None, "allocation_id": None,
    "reversal_of_id": None, "due_date": None, "arrived_on": None, "memo": "", "created_by_id": None, "via": "command",
    "request_id": "",
}


class ChainWriter:
    def __init__(self, chunk: int = 20_000, key_prefix: str = "bulk"):
        assert transaction.get_connection().in_atomic_block, "bulk appends run inside one transaction"
        self.head = chain.lock_head()
        self.next_id = (Posting.objects.aggregate(m=Max("id"))["m"] or 0) + 1
        self.now = timezone.now()
        self.chunk = chunk
        self.key_prefix = key_prefix
        self.postings, self.entries = [], []
        self.count_postings = self.count_entries = 0
        self.accounts = {}  # account id → (identity text for the chain, normal side)
        self.balances = {}  # account id → balance after the last entry written or read

    def load_accounts(self, account_ids):
        """Read these accounts and their latest balances in two queries (before `add`, when the
        caller knows which accounts the postings use)."""
        self._load(filter_any(Account.objects.all(), "id", sorted(set(account_ids) - set(self.accounts))))

    def _load(self, qs):
        """Accounts not seen yet, with their balances in the database (an account seen before
        may have entries still buffered here: its balance in memory is the right one)."""
        rows = [row for row in qs.values_list(*chain.ACCOUNT_FIELDS, "normal_side") if row[0] not in self.accounts]
        for row in rows:
            self.accounts[row[0]] = (chain.account_text(row[:-1]), row[-1])
        self.balances.update(latest(row[0] for row in rows))

    def _account(self, account_id: int) -> tuple[str, str]:
        found = self.accounts.get(account_id)
        if found is None:  # accounts made in bulk have consecutive ids: fetch a run of them
            self._load(Account.objects.filter(id__gte=account_id, id__lt=account_id + 5000))
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
        digest = chain.posting_digest(row)
        prev, seq = self.head.last_hash, self.head.last_seq
        for account_id, side, amount in lines:
            seq += 1
            side = str(side)
            text, normal = self._account(account_id)
            balance = self.balances[account_id] = self.balances[account_id] + chain.signed(normal, side, amount)
            h = chain.link(prev, chain.entry_content(seq, digest, text, side, amount, values["booked_on"]))
            self.entries.append((seq, posting_id, account_id, side, amount, values["booked_on"], prev, h, balance))
            prev = h
        self.head.last_seq, self.head.last_hash = seq, prev
        self.postings.append(row)
        if len(self.postings) >= self.chunk:
            self.flush()
        return posting_id

    def flush(self):
        if not self.postings:
            return
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                raw = cur.cursor
                with raw.copy(f"COPY ledger_posting ({', '.join(chain.POSTING_FIELDS)}) FROM STDIN") as copy:
                    for row in self.postings:
                        copy.write_row(row)
                with raw.copy(f"COPY ledger_entry ({', '.join(ENTRY_COLUMNS)}) FROM STDIN") as copy:
                    for row in self.entries:
                        copy.write_row(row)
        else:
            Posting.objects.bulk_create([Posting(**dict(zip(chain.POSTING_FIELDS, row))) for row in self.postings], batch_size=5000)
            Entry.objects.bulk_create([Entry(**dict(zip(ENTRY_COLUMNS, row))) for row in self.entries], batch_size=5000)
        self.count_postings += len(self.postings)
        self.count_entries += len(self.entries)
        self.postings, self.entries = [], []

    def close(self) -> int:
        """Write what is buffered, move the chain head, return the number of entries written."""
        self.flush()
        ChainHead.objects.filter(pk=1).update(last_seq=self.head.last_seq, last_hash=self.head.last_hash)
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("SELECT setval(pg_get_serial_sequence('ledger_posting', 'id'), (SELECT MAX(id) FROM ledger_posting))")
        return self.count_entries

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
"""
import hashlib

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from . import chain
from .models import Account, ChainHead, Entry, Posting

ENTRY_COLUMNS = ("seq", "posting_id", "account_id", "side", "amount_fen", "booked_on", "prev_hash", "hash")
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
        self.accounts = {}  # account id → identity text for the chain

    def _account(self, account_id: int) -> str:
        text = self.accounts.get(account_id)
        if text is None:  # accounts made in bulk have consecutive ids: fetch a run of them
            for row in Account.objects.filter(id__gte=account_id, id__lt=account_id + 5000).values_list(*chain.ACCOUNT_FIELDS):
                self.accounts[row[0]] = chain.account_text(row)
            text = self.accounts.get(account_id)
            if text is None:
                raise ValueError(f"no ledger account #{account_id}")
        return text

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
            h = chain.link(prev, chain.entry_content(seq, digest, self._account(account_id), side, amount, values["booked_on"]))
            self.entries.append((seq, posting_id, account_id, side, amount, values["booked_on"], prev, h))
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

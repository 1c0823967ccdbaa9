"""Bulk ingestion: a batch of progress reports, ledger postings and dispatch records.

The batch is all-or-nothing: every item is validated first, with the same rules and the
same permission checks as the single-item actions; if any item is refused, nothing is
written and the answer lists every refused item with its reason. Items carry a client id:
an item whose id was applied before with the same body is acknowledged as a duplicate and
not applied again; the same id with a different body is refused.

Adding a kind of item is one module and one line. The module, `xiezuo/ingest/<kind>.py`,
holds a handler class (a new instance serves each batch, so it may keep state between its
two steps) with two methods that work on the whole batch at once (a few queries per batch,
not per item — one ORM save and one audit query per item would not reach thousands of
items a second):

    class PlacementHandler:
        def check(self, user, items: list[Item], refusals: Refusals) -> None:
            # read each `item.body` (the item's JSON minus "type" and "client_id"), apply the
            # app's rules and permission checks, `refusals.add(item, field, reason)` for each
            # fault; mark retries with `item.duplicate = True` (`common.mark_duplicates` does
            # it from the receipts); keep what `apply` needs on `item.target` or on self.
        def apply(self, user, items: list[Item]) -> None:
            # write the items that are not duplicates (only called when no item of the batch
            # was refused); `common.write_receipts(user, items, object_ids)` records the
            # client ids so that a retry is recognised.

The line is its entry in `HANDLERS` below: the kind's "type" and the handler's dotted path.
The order of `HANDLERS` is the order in which a batch's kinds are checked and written,
whatever the order of the items: two batches must take their locks (projects, accounts, the
chain head) in one order, so a new kind goes where its locks fall (after the kinds whose
rows it reads, before postings if it posts money). Everything runs in one transaction and
under one acting user; nothing is written when any item of any kind is refused.
"""
import gc
import hashlib
import json
import threading
from dataclasses import dataclass, field
from functools import cached_property

from django.db import transaction
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from xiezuo.core.context import acting, current_actor
from xiezuo.core.jsontext import flat_json

MAX_ITEMS = 10_000

# The kinds of item, in the order their checks and writes run (see the docstring):
# "type" → "module.Class" of the handler. One line per kind.
HANDLERS = {
    "report": "xiezuo.ingest.reports.ReportHandler",
    "dispatch": "xiezuo.ingest.dispatches.DispatchHandler",
    "posting": "xiezuo.ingest.postings.PostingHandler",
    "household": "xiezuo.ingest.households.HouseholdHandler",
    "purchase": "xiezuo.ingest.purchases.PurchaseHandler",
    "placement": "xiezuo.ingest.placements.PlacementHandler",
    "retention_check": "xiezuo.ingest.retention.RetentionCheckHandler",
}


@dataclass
class Item:
    index: int
    kind: str
    client_id: str
    body: dict
    duplicate: bool = False
    target: object = None  # resolved objects, set by the handler's check

    @cached_property
    def digest(self) -> str:
        """The body's digest, kept in the receipt (postings need none: their idempotency key
        and request hash are in the ledger)."""
        return digest({"type": self.kind, **self.body})


@dataclass
class Outcome:
    applied: int = 0
    duplicates: int = 0
    refused: list = field(default_factory=list)  # [{"index", "client_id", "kind", "field", "reason"}]

    @property
    def ok(self):
        return not self.refused


# the text json.dumps(body, sort_keys=True, ensure_ascii=False, default=str) writes, from an
# encoder made once (dumps with options builds one per call)
_ENCODE = json.JSONEncoder(sort_keys=True, ensure_ascii=False, default=str).encode


def body_text(body) -> str:
    """`_ENCODE(body)`: an item is mostly a flat object of text, whole numbers and nulls, written
    out directly (`core.jsontext`); anything else through the encoder. Receipts keep the
    digest of this text, so it must never change."""
    text = flat_json(body, sort_keys=True)
    return text if text is not None else _ENCODE(body)


def digest(body: dict) -> str:
    return hashlib.sha256(body_text(body).encode()).hexdigest()


class Refusals:
    def __init__(self):
        self.rows = []

    def add(self, item: Item, field_name: str, reason):
        self.rows.append({"index": item.index, "client_id": item.client_id, "kind": item.kind, "field": field_name, "reason": str(reason)})

    def add_errors(self, item: Item, errors: dict):
        for name, msgs in errors.items():
            for msg in msgs if isinstance(msgs, (list, tuple)) else [msgs]:
                self.add(item, name, msg)


class _NoCycleCollection:
    """The cyclic garbage collector paused while a batch runs: a batch makes some hundred
    thousand small objects and no cycles worth collecting, and the collector's passes over
    them cost 10–25 % of its Python time. Process-wide, so counted: with batches in several
    threads at once it resumes when the last one ends (and only if it was running before)."""

    _lock = threading.Lock()
    _depth = 0
    _was_enabled = False

    def __enter__(self):
        with self._lock:
            if _NoCycleCollection._depth == 0:
                _NoCycleCollection._was_enabled = gc.isenabled()
                gc.disable()
            _NoCycleCollection._depth += 1

    def __exit__(self, *exc):
        with self._lock:
            _NoCycleCollection._depth -= 1
            if _NoCycleCollection._depth == 0 and _NoCycleCollection._was_enabled:
                gc.enable()


def handlers() -> dict:
    """{kind: a fresh handler} for one batch, in `HANDLERS` order."""
    return {kind: import_string(path)() for kind, path in HANDLERS.items()}


def ingest(user, raw_items: list[dict]) -> Outcome:
    with _NoCycleCollection():
        return _ingest(user, raw_items)


def _ingest(user, raw_items: list[dict]) -> Outcome:
    outcome = Outcome()
    refusals = Refusals()
    if not isinstance(raw_items, list):
        refusals.rows.append({"index": None, "client_id": "", "kind": "", "field": "items", "reason": _("items must be a list")})
        outcome.refused = refusals.rows
        return outcome
    if len(raw_items) > MAX_ITEMS:
        refusals.rows.append({"index": None, "client_id": "", "kind": "", "field": "items",
                              "reason": _("a batch holds at most %(n)d items, this one has %(m)d") % {"n": MAX_ITEMS, "m": len(raw_items)}})
        outcome.refused = refusals.rows
        return outcome
    known = handlers()
    by_kind: dict[str, list[Item]] = {}
    seen_ids: dict[str, Item] = {}
    for i, raw in enumerate(raw_items):
        if not isinstance(raw, dict):
            refusals.rows.append({"index": i, "client_id": "", "kind": "", "field": "item", "reason": _("each item is an object")})
            continue
        kind, client_id = raw.get("type"), raw.get("client_id")
        body = dict(raw)  # the item's own fields: all but the two the envelope reads
        body.pop("type", None)
        body.pop("client_id", None)
        item = Item(i, str(kind or ""), str(client_id or ""), body)
        if kind not in known:
            refusals.add(item, "type", _("“%(kind)s” is not one of %(kinds)s") % {"kind": kind, "kinds": ", ".join(sorted(known))})
            continue
        if not isinstance(client_id, str) or not 1 <= len(client_id) <= 64 or "\x00" in client_id:
            refusals.add(item, "client_id", _("a client id of 1 to 64 characters is required"))
            continue
        if client_id in seen_ids:
            refusals.add(item, "client_id", _("client id repeated in this batch (first at item %(i)d)") % {"i": seen_ids[client_id].index})
            continue
        seen_ids[client_id] = item
        by_kind.setdefault(kind, []).append(item)

    # A fixed order of kinds, whatever the order of the items: reports lock projects, postings
    # lock postings, accounts and the chain head; two batches must take their locks in one order.
    by_kind = {kind: by_kind[kind] for kind in known if kind in by_kind}
    actor = current_actor()
    with acting(user if actor.user is None else None, via=actor.via if actor.via != "system" else "api"):
        with transaction.atomic():
            for kind, items in by_kind.items():
                known[kind].check(user, items, refusals)
            if refusals.rows:  # nothing the checks did (locks, accounts opened) outlives a refusal
                transaction.set_rollback(True)
                outcome.refused = sorted(refusals.rows, key=lambda r: (r["index"] is None, r["index"] or 0))
                return outcome
            for kind, items in by_kind.items():
                fresh = [it for it in items if not it.duplicate]
                outcome.duplicates += len(items) - len(fresh)
                if fresh:
                    known[kind].apply(user, fresh)
                    outcome.applied += len(fresh)
    return outcome

"""Ledger postings in bulk: the envelope around the ledger's batch action.

    {"type": "posting", "client_id": "a-1", "stage": "allocate", "agreement": 12, "amount_fen": 100000000,
     "booked_on"?: "2026-11-02", "memo"?: "…"}
    {"type": "posting", "client_id": "r-1", "stage": "confirm_arrival", "allocation": "a-1" | 345,
     "arrived_on": "2026-11-20", "memo"?}
    {"type": "posting", "client_id": "d-1", "stage": "disburse", "project": "513436-2026-0001", "amount_fen": …,
     "source"?: org id, "booked_on"?, "memo"?}
    {"type": "posting", "client_id": "s-1", "stage": "record_spending", "project": code, "amount_fen": …,
     "spent_on"?, "memo"?}
    {"type": "posting", "client_id": "x-1", "stage": "reverse", "posting": "d-1" | 346, "reason": "…", "booked_on"?}

Here only the JSON is read: unknown fields, dates, text the database cannot store, and the
client ids that another kind of item used before. Everything else — references (a posting by
its id or by the client id of an earlier item or batch), permissions, stage order, overdraft,
idempotency by the posting's key (the client id) — is the ledger's batch action
(`xiezuo.ledger.batch`), with the rules and messages of the single-posting actions.
"""
from django.utils.translation import gettext as _

from xiezuo.ledger.batch import STAGES, PostingBatch, PostingItem

from .common import parse_date, receipts_for, used_before_message

DATES = frozenset(("booked_on", "arrived_on", "spent_on"))
AS_GIVEN = frozenset(("agreement", "allocation", "posting", "project", "source", "amount_fen"))  # the ledger checks them


def _nul(value):
    return isinstance(value, str) and "\x00" in value


def parse(item) -> PostingItem:
    """The ledger's item for one ingested posting; what cannot be read goes to its errors.
    One pass over the item's fields (a batch reads ten thousand of them)."""
    b, errors = item.body, {}
    stage = b.get("stage")
    values = {}
    if stage in STAGES:
        known = STAGES[stage][1]
        for name, raw in b.items():
            if name in known:
                if name in DATES:
                    try:
                        values[name] = None if raw in (None, "") else parse_date(raw)
                    except ValueError as exc:
                        errors[name] = [str(exc)]
                elif name in AS_GIVEN:
                    values[name] = raw
            elif name != "stage":
                errors[name] = [_("unknown field")]
        text_field = "reason" if stage == "reverse" else "memo"
        if _nul(b.get(text_field, "")):
            errors[text_field] = [_("must not contain NUL characters")]
    else:
        values = {name: b[name] for name in AS_GIVEN if name in b}
    return PostingItem(index=item.index, key=item.client_id, stage=stage, memo=b.get("memo", ""), reason=b.get("reason", ""),
                       errors=errors, **values)


class PostingHandler:
    def check(self, user, items, refusals):
        receipts = receipts_for(user, [it.client_id for it in items])
        by_index = {it.index: it for it in items}
        self.batch = PostingBatch(user, key_field="client_id",
                                  taken={cid: used_before_message(cid) for cid in receipts})
        for r in self.batch.check(parse(it) for it in items):
            refusals.add(by_index[r.index], r.field, r.reason)
        for posting in self.batch.items:
            by_index[posting.index].duplicate = posting.duplicate

    def apply(self, user, items):
        self.batch.write()

"""Purchase records in bulk: {"type": "purchase", "client_id", "buyer": id, "product": id,
"amount_fen", "purchased_on", "channel", "channel_name"?, "evidence_number"}.

The envelope only: each item read into a `consumption.purchases.PurchaseRow` (the buyer and
the product must be ones the caller can see, as in the API: `visible_refs` reads them for the
whole batch as plain values; the date parsed), idempotency by
client id, receipts. The rules and the writing are the consumption app's (`check_purchases`
and `write_purchases`, the two halves of `record_purchases`): the same evidence number from
the same supplier — in the batch or already recorded — is refused naming both records.
"""
from django.utils.translation import gettext as _

from xiezuo.consumption.purchases import PurchaseRow, check_purchases, visible_refs, write_purchases

from .common import mark_duplicates, parse_date, write_receipts

KNOWN = {"buyer", "product", "amount_fen", "purchased_on", "channel", "channel_name", "evidence_number"}


def _ids(items, name):
    return {it.body[name] for it in items if isinstance(it.body.get(name), int) and not isinstance(it.body.get(name), bool)}


def _known(value, known):
    """The buyer or product named by a whole-number id (a JSON true is no id, though it hashes as 1)."""
    if type(value) is int or (isinstance(value, int) and not isinstance(value, bool)):
        return known.get(value)
    return None


def read_item(b, client_id, buyers, products, errors, days=None) -> PurchaseRow:
    """`days` keeps the dates already read in this batch ({text: date}): a batch names a few
    hundred days ten thousand times."""
    if not KNOWN.issuperset(b):
        errors.update({name: [_("unknown field")] for name in b if name not in KNOWN})
    r = PurchaseRow(amount_fen=b.get("amount_fen"), channel=b.get("channel"), evidence_number=b.get("evidence_number"),
                    channel_name=b.get("channel_name") or "", client_id=client_id)
    for field, known, what in (("buyer", buyers, "buyer"), ("product", products, "product")):
        obj = _known(b.get(field), known)
        if obj is None:
            errors[field] = [_("no %(what)s has the id “%(v)s”") % {"what": what, "v": b.get(field)}]
        else:
            setattr(r, field, obj)
    text = b.get("purchased_on")
    day = days.get(text) if days is not None and type(text) is str else None
    if day is None:
        try:
            day = parse_date(text)
        except ValueError as exc:
            errors["purchased_on"] = [str(exc)]
        else:
            if days is not None and type(text) is str:
                days[text] = day
    r.purchased_on = day
    return r


class PurchaseHandler:
    def check(self, user, items, refusals):
        mark_duplicates(user, items, refusals)
        buyers, products = visible_refs(user, _ids(items, "buyer"), _ids(items, "product"))
        read, rows, days = [], [], {}
        for it in items:
            if it.duplicate:
                continue
            errors = {}
            r = read_item(it.body, it.client_id, buyers, products, errors, days)
            if errors:
                refusals.add_errors(it, errors)
                continue
            read.append(it)
            rows.append(r)
            it.target = r
        for i, errors in check_purchases(user, rows, labels=[it.index for it in read]).items():
            refusals.add_errors(read[i], errors)

    def apply(self, user, items):
        ids = write_purchases(user, [it.target for it in items])
        write_receipts(user, items, ids)

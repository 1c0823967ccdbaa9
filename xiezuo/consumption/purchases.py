"""Purchase records in a batch: the set-based checker and writer behind `record_purchases`.

One record or ten thousand go through the same two halves: `check_purchases` (the rules of
`rules.py`, permission, the client ids and evidence numbers already taken — one query each for
the whole batch — and the pairing each purchase counts under) and `write_purchases` (rows
and audit rows with COPY, ids reserved from the sequence, one `facts_changed`).

Evidence numbers are unique per supplier: a second record of the same purchase — the same
evidence number from the same supplier, reported through another channel — is refused with
both records named. The database's unique constraint stands behind the check, so of two
concurrent writers one wins and the other is refused the same way (`record_purchases`).
"""
import datetime

from django.db.models import Q
from django.utils.translation import gettext as _

from xiezuo.core.arrays import filter_any, is_postgres
from xiezuo.core.bulkaudit import AuditWriter, snapshot_fields
from xiezuo.core.bulkrows import chunks, insert_rows, reserve_ids
from xiezuo.core.facts import changed
from xiezuo.pairings.choices import REGION_KINDS
from xiezuo.pairings.models import Pairing
from xiezuo.users.scopes import client_namespace

from . import totals
from .models import Purchase
from .rules import batch_clash, evidence_clash, may_record_purchase, purchase_field_errors

COLUMNS = ("id", "buyer_id", "product_id", "supplier_id", "county_id", "buyer_region_id", "pairing_id", "amount_fen",
           "purchased_on", "channel", "channel_name", "evidence_number", "client_id", "client_ns", "is_demo", "recorded_at")
_RANK = {"county": 0, "prefecture": 1, "province": 2}


class PurchaseRow:
    """A purchase as the batch checks and writes it, without a model instance. `buyer` and
    `product` are instances (the product with its supplier and county, the buyer with its region)."""

    __slots__ = ("pk", "buyer", "product", "pairing", "amount_fen", "purchased_on", "channel", "channel_name",
                 "evidence_number", "client_id", "is_demo", "recorded_at")

    def __init__(self, buyer=None, product=None, amount_fen=None, purchased_on=None, channel=None, evidence_number=None,
                 channel_name="", client_id=None, is_demo=False):
        self.pk, self.pairing, self.recorded_at = None, None, None
        self.buyer, self.product, self.amount_fen, self.purchased_on = buyer, product, amount_fen, purchased_on
        self.channel, self.evidence_number, self.channel_name = channel, evidence_number, channel_name or ""
        self.client_id, self.is_demo = client_id or None, is_demo

    id = property(lambda self: self.pk)
    buyer_id = property(lambda self: self.buyer.pk)
    product_id = property(lambda self: self.product.pk)
    supplier = property(lambda self: self.product.supplier)
    supplier_id = property(lambda self: self.product.supplier_id)
    county = property(lambda self: self.product.county)
    county_id = property(lambda self: self.product.county_id)
    buyer_region = property(lambda self: self.buyer.region)
    buyer_region_id = property(lambda self: self.buyer.region_id)
    pairing_id = property(lambda self: self.pairing.pk if self.pairing is not None else None)
    client_ns = 0

    def __str__(self):
        return f"#{self.pk} {self.evidence_number}"

    def audit_region_code(self):
        return self.product.county.code

    def audit_other_region_code(self):
        return self.buyer.region.code


def _ancestor_codes(region) -> list[str]:
    code = region.code
    return sorted({code[:2] + "0000", code[:4] + "00", code})


# --- the batch's references, read once ---------------------------------------------------------


class RegionRef:
    """What the rules read of a region (`code`, `role`), without a model instance."""

    __slots__ = ("pk", "code", "role", "name")

    def __init__(self, pk, code, role, name):
        self.pk, self.code, self.role, self.name = pk, code, role, name

    id = property(lambda self: self.pk)

    def __str__(self):
        return f"{self.name}（{self.code}）"


class OrgRef:
    __slots__ = ("pk", "name")

    def __init__(self, pk, name):
        self.pk, self.name = pk, name

    def __str__(self):
        return self.name


class BuyerRef:
    """What the rules and the writer read of a buyer: its name and its region."""

    __slots__ = ("pk", "name", "region")

    def __init__(self, pk, name, region):
        self.pk, self.name, self.region = pk, name, region

    region_id = property(lambda self: self.region.pk)

    def __str__(self):
        return self.name


class ProductRef:
    """What the rules and the writer read of a product: its supplier and its county."""

    __slots__ = ("pk", "supplier", "county")

    def __init__(self, pk, supplier, county):
        self.pk, self.supplier, self.county = pk, supplier, county

    supplier_id = property(lambda self: self.supplier.pk)
    county_id = property(lambda self: self.county.pk)


def visible_refs(user, buyer_ids, product_ids) -> tuple[dict, dict]:
    """({id: BuyerRef}, {id: ProductRef}) of the buyers and products among these ids that the
    user may see (the others are unknown to the caller, as in the API): three queries of plain
    values for a whole batch instead of model instances."""
    from xiezuo.core.scoping import visible
    from xiezuo.regions.models import Region

    from .models import Buyer, Product

    def among(qs, ids):
        # on PostgreSQL the ids as one array parameter (`filter_any`): `pk__in` of ten thousand
        # ids costs Django more than the query
        ids = sorted(ids)
        if is_postgres():
            return [filter_any(qs, "id", ids)] if ids else []
        return [qs.filter(pk__in=part) for part in chunks(ids)]

    buyer_rows, product_rows = [], []
    for qs in among(Buyer.objects.all(), buyer_ids):
        buyer_rows += visible(user, qs).order_by().values_list("pk", "name", "region_id")
    for qs in among(Product.objects.all(), product_ids):
        product_rows += visible(user, qs).order_by().values_list("pk", "supplier_id", "supplier__name", "county_id")
    region_ids = {r for _b, _n, r in buyer_rows} | {c for _p, _s, _sn, c in product_rows}
    regions = {}
    for qs in among(Region.objects.all(), region_ids):
        regions.update((pk, RegionRef(pk, code, role, name)) for pk, code, role, name in qs.values_list("pk", "code", "role", "name"))
    suppliers = {}
    for _p, sid, sname, _c in product_rows:
        if sid not in suppliers:
            suppliers[sid] = OrgRef(sid, sname)
    return ({pk: BuyerRef(pk, name, regions[region]) for pk, name, region in buyer_rows},
            {pk: ProductRef(pk, suppliers[sid], regions[county]) for pk, sid, _sn, county in product_rows})


class PairingFinder:
    """The region pairing a purchase counts under: approved, in force on the day, its eastern
    region containing the buyer's and its western region containing the product's county;
    the most specific (county before prefecture before province). The region pairings are
    read once for a batch (one query: a few thousand rows at national scale) and matched in
    memory by the codes of the two regions' ancestors."""

    def __init__(self):
        self.by_codes = None
        self.cache = {}
        self.ancestors = {}
        self.by_east = None  # {eastern code: {western code: [pairing…]}}
        self.of_buyer = {}  # {buyer's region id: {western code: [pairing…]}} over the region's ancestors

    def _ancestors(self, region):
        found = self.ancestors.get(region.pk)
        if found is None:
            found = self.ancestors[region.pk] = _ancestor_codes(region)
        return found

    def _load(self):
        self.by_codes = {}
        for p in Pairing.objects.filter(kind__in=REGION_KINDS, status="approved").select_related("east_region", "west_region"):
            self.by_codes.setdefault((p.east_region.code, p.west_region.code), []).append(p)
        self.by_east = {}
        for (e, w), found in self.by_codes.items():
            self.by_east.setdefault(e, {})[w] = found

    def _of_buyer(self, region):
        """The pairings whose eastern region holds this one, by western code: a batch's ten
        thousand (buyer's region, county) pairs then cost three look-ups each, not nine."""
        found = self.of_buyer.get(region.pk)
        if found is None:
            found = self.of_buyer[region.pk] = {}
            for e in self._ancestors(region):
                for w, pairings in self.by_east.get(e, {}).items():
                    found.setdefault(w, []).extend(pairings)
        return found

    def candidates(self, buyer_region, county):
        key = (buyer_region.pk, county.pk)
        found = self.cache.get(key)
        if found is None:
            if buyer_region.role != "east":
                found = []
            else:
                if self.by_codes is None:
                    self._load()
                by_west = self._of_buyer(buyer_region)
                found = [p for w in self._ancestors(county) for p in by_west.get(w, ())]
                if len(found) > 1:
                    found.sort(key=lambda p: (_RANK.get(p.kind, 9), p.pk))
            self.cache[key] = found
        return found

    def find(self, buyer_region, county, day):
        for p in self.candidates(buyer_region, county):
            if p.valid_from <= day and (p.valid_to is None or p.valid_to >= day):
                return p
        return None


def taken_client_ids(user, ids) -> set:
    ids = [i for i in ids if i]
    if not ids:
        return set()
    qs = filter_any(Purchase.objects.filter(client_ns=client_namespace(user)), "client_id", ids)
    return set(qs.values_list("client_id", flat=True))


def recorded_evidence(pairs) -> dict:
    """{(supplier id, evidence number): the purchase recorded with it} for these pairs. On
    PostgreSQL one probe of the (supplier, evidence number) unique index per pair, the pairs
    passed as two arrays; the purchases found (clashes, rare) are then read in full."""
    from xiezuo.core.arrays import is_postgres, pg_array
    from xiezuo.core.bulkrows import select

    pairs = sorted(pairs)
    ids = []
    if is_postgres():
        for part in (pairs,):  # one statement: the arrays are two parameters, whatever their length
            rows = select("SELECT p.id FROM consumption_purchase p JOIN (SELECT unnest(%s::bigint[]) AS s, unnest(%s::text[]) AS e) w "
                          "ON p.supplier_id = w.s AND p.evidence_number = w.e",
                          [pg_array([s for s, _e in part]), pg_array([e for _s, e in part])])
            ids.extend(r[0] for r in rows)
    else:
        wanted = set(pairs)
        for part in chunks(sorted({e for _s, e in pairs})):
            for pk, supplier_id, evidence in Purchase.objects.filter(evidence_number__in=part).values_list("id", "supplier_id", "evidence_number"):
                if (supplier_id, evidence) in wanted:
                    ids.append(pk)
    found = {}
    for part in chunks(ids):
        for p in Purchase.objects.filter(pk__in=part).select_related("buyer"):
            found[(p.supplier_id, p.evidence_number)] = p
    return found


def check_purchases(user, rows, today=None, labels=None) -> dict:
    """{position: {field: [messages]}} for the records refused; sets each row's pairing.
    `labels[i]` is how a refusal names row i (its position by default; the ingestion envelope
    passes the items' indexes in the request)."""
    from django.utils import timezone

    errors = {}
    today = today or timezone.localdate()  # once: the rules compare every date with it
    taken = taken_client_ids(user, [r.client_id for r in rows])
    pairs = {(r.product.supplier_id, r.evidence_number) for r in rows if r.product is not None and isinstance(r.evidence_number, str)}
    recorded = recorded_evidence(pairs) if pairs else {}
    seen = {}
    finder = PairingFinder()
    may_memo = {}
    for i, r in enumerate(rows):
        problems = {}
        if r.client_id and r.client_id in taken:
            problems["client_id"] = [_("client id %(id)s is already used") % {"id": r.client_id}]
        if r.buyer is None:
            problems["buyer"] = [_("the buyer is required")]
        if r.product is None:
            problems["product"] = [_("the product is required")]
        problems.update(purchase_field_errors(r, today))
        if r.buyer is not None and r.product is not None:
            key = (r.buyer.region_id, r.product.county_id)
            may = may_memo.get(key)
            if may is None:
                may = may_memo[key] = may_record_purchase(user, r.buyer.region, r.product.county)
            if not may:
                problems["buyer"] = [_("you may record purchases only of your own buyers or of your own county's products")]
            if "evidence_number" not in problems:
                ek = (r.product.supplier_id, r.evidence_number)
                if ek in recorded:
                    problems["evidence_number"] = [evidence_clash(r.evidence_number, r.product.supplier, recorded[ek], r.channel, r.buyer)]
                elif ek in seen:
                    first = rows[seen[ek]]
                    problems["evidence_number"] = [batch_clash(r.evidence_number, r.product.supplier,
                                                                   labels[seen[ek]] if labels else seen[ek], first.channel, r.channel)]
                else:
                    seen[ek] = i
            if not problems:
                r.pairing = finder.find(r.buyer.region, r.product.county, r.purchased_on)
        if problems:
            errors[i] = problems
    return errors


def facts_of(rows):
    codes, first = set(), None
    for r in rows:
        codes.add(r.product.county.code)
        codes.add(r.buyer.region.code)
        if first is None or r.purchased_on < first:
            first = r.purchased_on
    return codes, first


def certificates_of(product_ids) -> dict:
    """{product id: [(valid from, valid to, revoked on)]} of the approved certificates."""
    from xiezuo.core.arrays import any_of
    from xiezuo.core.bulkrows import select

    out = {}
    for part in chunks(sorted(product_ids)):
        where, params = any_of("product_id", part, "bigint")
        for pid, start, end, revoked in select("SELECT product_id, valid_from, valid_to, revoked_on FROM consumption_certificate "
                                               f"WHERE status = 'approved' AND {where}", params):
            out.setdefault(pid, []).append((_day(start), _day(end), _day(revoked)))
    return out


def _day(value):
    return datetime.date.fromisoformat(value) if isinstance(value, str) else value


def counts(certs, day) -> bool:
    """The rule of `models.counted_exists` for one purchase, given its product's certificates."""
    for start, end, revoked in certs:
        if start <= day <= end and (revoked is None or revoked > day):
            return True
    return False


def _snapshot_picker(fields):
    """The values of the audit snapshot's `fields` out of a row in `COLUMNS` order."""
    from operator import itemgetter

    missing = [f for f in fields if f not in COLUMNS]
    if missing:
        raise RuntimeError(f"the purchase writer does not write {missing}: the audit snapshot would miss them")
    get = itemgetter(*(COLUMNS.index(f) for f in fields))
    return get


def write_purchases(user, rows) -> list[int]:
    """Record rows that passed `check_purchases`; the id of each. The products are locked
    against a concurrent certification decision before their certificates are read for the
    summary table (`totals`)."""
    from django.utils import timezone

    now = timezone.now()
    namespace = client_namespace(user)
    values = []
    # written in the order of the county, the supplier and the product (ids follow it): the
    # index entries of one batch then land on neighbouring pages of the indexes on the county,
    # the evidence numbers and the pairing instead of on ten thousand random ones
    ordered = sorted(rows, key=lambda r: (r.product.county.pk, r.product.supplier.pk, r.product.pk, r.purchased_on))
    for pk, r in zip(reserve_ids(Purchase, len(rows)), ordered):
        r.pk = pk
        r.recorded_at = now
        buyer, product, pairing = r.buyer, r.product, r.pairing
        values.append((pk, buyer.pk, product.pk, product.supplier_id, product.county_id, buyer.region_id,
                       None if pairing is None else pairing.pk, r.amount_fen, r.purchased_on, r.channel, r.channel_name,
                       r.evidence_number, r.client_id, namespace if r.client_id else 0, r.is_demo, now))
    insert_rows(Purchase, COLUMNS, values)
    audit, fields = AuditWriter(), snapshot_fields(Purchase)
    # the audit snapshot is the values of the row written, picked out of it rather than read back
    # one attribute at a time, as `bulkaudit.snap` writes them: the day as ISO text (a batch
    # names a few hundred days), the rest plain values (checked: numbers, text, a flag)
    pick = _snapshot_picker(fields)
    add = audit.add
    at = fields.index("purchased_on")
    iso = {}
    for r, row in zip(ordered, values):
        after = list(pick(row))
        day = after[at]
        after[at] = iso.get(day) or iso.setdefault(day, day.isoformat())
        add(Purchase, row[0], f"#{row[0]} {r.evidence_number}", r.product.county.code, r.buyer.region.code, None,
            dict(zip(fields, after)))
    audit.write()
    product_ids = {r.product.pk for r in rows}
    totals.lock_products(product_ids)
    certs = certificates_of(product_ids)
    totals.add_purchases((r.buyer.region.code, r.product.county.code, r.purchased_on, r.channel,
                          counts(certs.get(r.product.pk, ()), r.purchased_on), r.amount_fen) for r in rows)
    codes, first = facts_of(rows)
    changed(codes, first, sender=Purchase)
    return [r.pk for r in rows]

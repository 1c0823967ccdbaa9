"""Consumption and social help at the published national size (scale 1):

- products: 20 per western county (about 16,000), each sold by its county's supplier
  cooperative; certificates for 85 % of them (valid from up to two years back for two or
  three years), 3 % of those revoked in the last months, some expired — so the counted
  figure is not simply the recorded one;
- buyers: per eastern county a budget unit's canteen, a trade union, two enterprises and the
  individuals of an e-commerce channel (about 3,000), with canteen shares filed for this year
  by the budget units (10–20 %, one in ten after 20 February);
- 4,000,000 purchases over `years` years (1,129亿元 a year is bought nationally; the amounts
  here are of the right order per purchase, not the national total): a buyer of an eastern
  county buys products of the western provinces its province is paired with, channels weighted
  as reported (direct purchase and e-commerce first), each with an evidence number unique for
  its supplier, and the region pairing it counts against found as `record_purchases` finds it;
- 20,000 needs (需求清单) across the western counties in every stage from awaiting review to
  confirmed, each under a cadre dispatched to the county (one is recorded per county when the
  county has none), with pledges of the demo's foundation for the funded ones (no ledger
  postings: generated pledges are marked unpaid unless funded, and funded ones carry no
  posting — `paid_on` only — so the ledger is never written behind its chain).

Rows go in with COPY on PostgreSQL (`datagen.bulkload.copy_rows`); one audit entry per table
records the load. Nothing generated is demo data.
"""
import datetime
import random
import time
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from xiezuo.consumption.models import Buyer, CanteenShare, Certificate, Product, Purchase
from xiezuo.core.audit import record_bulk
from xiezuo.datagen.bulkload import copy_model as _copy, next_id as _next_id, reset_sequences as _reset
from xiezuo.orgs.models import Organisation
from xiezuo.pairings.models import Pairing
from xiezuo.people.models import Dispatch
from xiezuo.regions.models import Region
from xiezuo.social.models import Need, Pledge

PRODUCTS_PER_COUNTY, PURCHASES, NEEDS = 20, 4_000_000, 20_000
GOODS = [("高山土豆", "蔬菜"), ("苦荞茶", "茶"), ("核桃", "干果"), ("花椒", "调料"), ("土鸡", "禽肉"), ("牦牛肉", "肉类"), ("蜂蜜", "蜂产品"),
         ("黑木耳", "菌类"), ("香菇", "菌类"), ("脐橙", "水果"), ("猕猴桃", "水果"), ("大米", "粮油"), ("菜籽油", "粮油"), ("腊肉", "肉类"),
         ("藜麦", "杂粮"), ("红枣", "干果"), ("枸杞", "干果"), ("普洱茶", "茶"), ("土蜂蜜", "蜂产品"), ("魔芋", "蔬菜")]
CHANNELS = [("direct", 30), ("ecommerce", 25), ("platform", 15), ("store", 15), ("fair", 10), ("locker", 5)]
CATEGORIES = ["education", "medical", "housing", "industry", "employment", "skills", "necessities"]
STAGES = [("recorded", 10), ("published", 20), ("taken", 15), ("funded", 15), ("done", 10), ("confirmed", 25), ("returned", 5)]


def _weighted(rnd, pairs):
    total = sum(w for _v, w in pairs)
    x = rnd.random() * total
    for v, w in pairs:
        x -= w
        if x < 0:
            return v
    return pairs[-1][0]


class _Finder:
    """`consumption.purchases.PairingFinder` over pairings read once: the most specific
    approved region pairing in force on the day whose eastern region contains the buyer's and
    whose western region contains the product's county; its id or None."""

    def __init__(self):
        from xiezuo.pairings.choices import REGION_KINDS

        rank = {"county": 0, "prefecture": 1, "province": 2}
        self.by_codes = {}
        for pk, kind, e, w, start, end in Pairing.objects.filter(kind__in=REGION_KINDS, status="approved").values_list(
                "id", "kind", "east_region__code", "west_region__code", "valid_from", "valid_to"):
            self.by_codes.setdefault((e, w), []).append((rank.get(kind, 9), pk, start, end))
        self.cache = {}

    @staticmethod
    def _up(code):
        return {code[:2] + "0000", code[:4] + "00", code}

    def find(self, br, c, day):
        key = (br.pk, c.pk)
        found = self.cache.get(key)
        if found is None:
            found = sorted(x for e in self._up(br.code) for w in self._up(c.code) for x in self.by_codes.get((e, w), ()))
            self.cache[key] = found
        for _rank, pk, start, end in found:
            if start <= day and (end is None or end >= day):
                return pk
        return None


SUPPLIER_LABEL = "农特产品产销合作社（生成）"


def generate(scale: float = 1.0, seed: int = 2026, years: int = 1, log=print) -> dict:
    rnd = random.Random(seed)
    today = timezone.localdate()
    now = timezone.now()
    counts = {}
    west = list(Region.objects.filter(level="county", role="west").order_by("code"))
    east = list(Region.objects.filter(level="county", role="east").order_by("code"))
    if not west or not east:
        raise RuntimeError("load the region tree first (manage.py load_regions)")
    pairs = {}
    for p in Pairing.objects.filter(kind="province", status="approved").values_list("east_region__province_code",
                                                                                       "west_region__province_code"):
        pairs.setdefault(p[0], []).append(p[1])
    west_by_province = {}
    for r in west:
        west_by_province.setdefault(r.province_code, []).append(r)
    t0 = time.perf_counter()
    with transaction.atomic():
        # suppliers and products
        n_counties = max(1, int(len(west) * min(1.0, scale * 10))) if scale < 0.1 else len(west)
        counties = west[:: max(1, len(west) // n_counties)][:n_counties]
        per_county = max(1, round(PRODUCTS_PER_COUNTY * min(1.0, scale * 10)))
        first_org = _next_id(Organisation)
        # not the national generator's suppliers (datagen/channels.py, "…供应链合作社（生成）"): this
        # generator runs after it on the same counties, and an organisation's name is unique in its region
        orgs = [(first_org + i, f"{c.name}{SUPPLIER_LABEL}", "enterprise", c.pk, None, "", False) for i, c in enumerate(counties)]
        counts["suppliers"] = _copy(Organisation, ["id", "name", "kind", "region", "credit_code", "contact", "is_demo"], orgs)
        supplier_of = {c.pk: first_org + i for i, c in enumerate(counties)}
        first_product = _next_id(Product)
        products, product_rows = [], []
        for c in counties:
            for j in range(per_county):
                good, cat = GOODS[(j + c.pk) % len(GOODS)]
                pid = first_product + len(product_rows)
                product_rows.append((pid, f"{c.name}{good}{'' if j < len(GOODS) else j}", cat, supplier_of[c.pk], c.pk, False))
                products.append((pid, c))
        counts["products"] = _copy(Product, ["id", "name", "category", "supplier", "county", "is_demo"], product_rows)
        first_cert = _next_id(Certificate)
        cert_rows = []
        for i, (pid, c) in enumerate(products):
            if rnd.random() >= 0.85:
                continue
            start = today - datetime.timedelta(days=rnd.randrange(30, 730))
            end = start + datetime.timedelta(days=rnd.choice((730, 1095)))
            revoked = today - datetime.timedelta(days=rnd.randrange(1, 120)) if rnd.random() < 0.03 else None
            if revoked is not None and revoked < start:
                revoked = None
            cert_rows.append((first_cert + len(cert_rows), pid, "approved", f"XF-{c.code}-{pid:08d}", start, end, revoked,
                              "生成数据" if revoked else "", now, now))
        counts["certificates"] = _copy(Certificate, ["id", "product", "status", "number", "valid_from", "valid_to", "revoked_on", "reason",
                                                     "applied_at", "decided_at"], cert_rows)
        # buyers and canteen shares
        first_buyer = _next_id(Buyer)
        buyer_rows, buyers = [], []
        for r in east:
            if r.province_code not in pairs:
                continue
            for kind, label in (("budget_unit", "机关事务服务中心食堂"), ("union", "总工会"), ("enterprise", "国有企业采购中心"),
                                ("enterprise", "商贸集团"), ("individuals", "个人消费者（经电商渠道）")):
                bid = first_buyer + len(buyer_rows)
                buyer_rows.append((bid, kind, f"{r.name}{label}", None, r.pk, False))
                buyers.append((bid, kind, r))
        counts["buyers"] = _copy(Buyer, ["id", "kind", "name", "organisation", "region", "is_demo"], buyer_rows)
        first_share = _next_id(CanteenShare)
        share_rows = [(first_share + i, bid, today.year, rnd.randrange(50, 500) * 10_000_00, Decimal(rnd.choice((10, 12, 15, 18, 20))),
                       datetime.date(today.year, 2, rnd.randrange(1, 29)) if rnd.random() < 0.1 else datetime.date(today.year, 2, rnd.randrange(1, 21)),
                       False)
                      for i, (bid, kind, _r) in enumerate(b for b in buyers if b[1] == "budget_unit")]
        counts["canteen shares"] = _copy(CanteenShare, ["id", "buyer", "year", "canteen_food_fen", "reserved_percent", "filed_on", "is_demo"],
                                         share_rows)
        # purchases
        products_by_province = {}
        for pid, c in products:
            products_by_province.setdefault(c.province_code, []).append((pid, c))
        finder = _Finder()  # every region pairing read now: no query may run on the connection while COPY streams
        n = int(PURCHASES * scale)
        days = 365 * years
        first_purchase = _next_id(Purchase)
        seq = [0]

        def purchase_rows():
            for i in range(n):
                bid, kind, br = buyers[rnd.randrange(len(buyers))]
                wp = rnd.choice(pairs[br.province_code])
                pool = products_by_province.get(wp)
                if not pool:
                    continue
                pid, c = pool[rnd.randrange(len(pool))]
                day = today - datetime.timedelta(days=rnd.randrange(days))
                pairing = finder.find(br, c, day)  # the pairing `record_purchases` would find (consumption.purchases.PairingFinder)
                amount = int(rnd.lognormvariate(9.5, 1.2)) * 100 + rnd.randrange(100) if kind != "individuals" else rnd.randrange(2_000, 60_000)
                seq[0] += 1
                yield (first_purchase + seq[0] - 1, bid, pid, supplier_of[c.pk], c.pk, br.pk, pairing,
                       max(1, min(amount, 10**10)), day, _weighted(rnd, CHANNELS), "", f"G{supplier_of[c.pk]}-{seq[0]:09d}", None, 0,
                       False, now)

        counts["purchases"] = _copy(Purchase, ["id", "buyer", "product", "supplier", "county", "buyer_region", "pairing", "amount_fen",
                                               "purchased_on", "channel", "channel_name", "evidence_number", "client_id", "client_ns",
                                               "is_demo", "recorded_at"], purchase_rows())
        log(f"purchases: {counts['purchases']:,} in {time.perf_counter() - t0:.1f} s")
        # needs
        counts.update(_needs(rnd, scale, west, today, now))
        _reset(Organisation, Product, Certificate, Buyer, CanteenShare, Purchase, Dispatch, Need, Pledge)
        from xiezuo.consumption import totals  # the dashboard's summary, refilled from the rows copied

        totals.rebuild()
        for name, k in counts.items():
            record_bulk("consumption." + name.replace(" ", "_"), f"generated {k:,} {name} (scale {scale}, seed {seed})", count=k)
    return counts


def _needs(rnd, scale, west, today, now) -> dict:
    offices = dict(Organisation.objects.filter(kind="office", region__in=west).values_list("region_id", "id"))
    east_offices = {}
    for p in Pairing.objects.filter(kind="province", status="approved").values_list("west_region__province_code", "east_region_id"):
        east_offices.setdefault(p[0], p[1])
    east_office_ids = dict(Organisation.objects.filter(kind="office", region_id__in=set(east_offices.values())).values_list("region_id", "id"))
    cadres = dict(Dispatch.objects.filter(kind="cadre", direction="e2w", actual_start__isnull=False, actual_end__isnull=True)
                  .values_list("to_org__region_id", "id"))
    first_dispatch = _next_id(Dispatch)
    new_cadres = []
    for c in west:
        if c.pk in cadres or c.pk not in offices:
            continue
        from_org = east_office_ids.get(east_offices.get(c.province_code))
        if from_org is None:
            continue
        did = first_dispatch + len(new_cadres)
        new_cadres.append((did, f"挂职干部{did}", "", "cadre", "e2w", from_org, offices[c.pk], None, today - datetime.timedelta(days=400),
                           today + datetime.timedelta(days=330), today - datetime.timedelta(days=400), None, None, 0, False, now))
        cadres[c.pk] = did
    out = {"cadres": _copy(Dispatch, ["id", "person_name", "id_number", "kind", "direction", "from_org", "to_org", "pairing",
                                      "planned_start", "planned_end", "actual_start", "actual_end", "client_id", "client_ns", "is_demo",
                                      "recorded_at"], new_cadres)}
    counties = [c for c in west if c.pk in cadres]
    donors = list(Organisation.objects.filter(kind="foundation").values_list("id", flat=True)[:20])
    takers = list(Organisation.objects.filter(kind="social").values_list("id", flat=True)[:200])
    n = int(NEEDS * scale)
    first_need, first_pledge = _next_id(Need), _next_id(Pledge)
    need_rows, pledge_rows = [], []
    for i in range(n if counties else 0):
        c = counties[rnd.randrange(len(counties))]
        stage = _weighted(rnd, STAGES)
        recorded = now - datetime.timedelta(days=rnd.randrange(10, 400))
        published = recorded + datetime.timedelta(days=rnd.randrange(1, 10)) if stage not in ("recorded", "returned") else None
        taken = stage in ("taken", "funded", "done", "confirmed") and takers
        if stage in ("taken", "funded", "done", "confirmed") and not takers:
            stage = "published"
        budget = rnd.randrange(5, 500) * 1_000_00
        done = stage in ("done", "confirmed")
        nid = first_need + i
        cat = CATEGORIES[rnd.randrange(len(CATEGORIES))]
        need_rows.append((nid, c.pk, f"第{rnd.randrange(1, 30)}村", cat, "生成的需求清单：村民需要帮扶（不含个人信息）", budget,
                          rnd.randrange(5, 500), cadres[c.pk], stage, recorded, published, published,
                          rnd.choice(takers) if taken else None, published + datetime.timedelta(days=5) if taken else None,
                          "已完成" if done else "", "验收单" if done else "", rnd.randrange(5, 500) if done else None,
                          (published + datetime.timedelta(days=60)).date() if done else None,
                          published + datetime.timedelta(days=70) if stage == "confirmed" else None, False, ""))
        if stage in ("funded", "done", "confirmed") and donors:
            pledge_rows.append((first_pledge + len(pledge_rows), nid, rnd.choice(donors), budget,
                                (published + datetime.timedelta(days=10)).date(), (published + datetime.timedelta(days=20)).date(), None, False))
    out["needs"] = _copy(Need, ["id", "county", "village", "category", "description", "budget_fen", "beneficiaries", "cadre", "status",
                                "recorded_at", "reviewed_at", "published_at", "taken_by", "taken_at", "result_summary", "result_evidence",
                                "result_beneficiaries", "completed_on", "confirmed_at", "is_demo", "review_note"], need_rows)
    out["pledges"] = _copy(Pledge, ["id", "need", "donor", "amount_fen", "pledged_on", "paid_on", "posting", "is_demo"], pledge_rows)
    return out

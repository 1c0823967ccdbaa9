"""The channels' records that meet (or miss) each county agreement's commitments, by the
pair's standing: labour placements (劳务协作), counted consumption purchases (消费帮扶) and
technology deals with their returns (技术成果转化).

The assessment reads these against the agreement (xiezuo/assessment/facts.py), so they are
written where it counts them:

* a placement counts for the worker's registering county (`Placement.county`), whatever
  the place of work; the county pair and its eastern county count the workers of its
  western county. So each county pair places workers registered in its western county, one
  first placement per worker a year (a worker placed twice in a period counts once);
* a purchase counts for the product's county and the buyer's region, under the region
  pairing in force that links them, when the product held a certificate in force on the day:
  each pair's purchases are of products of its western county certified for the whole
  span, bought by buyers of its eastern county, under the pair itself; a few purchases of an
  uncertified product are recorded besides and count for nobody;
* a deal's return counts for the deal's county and the technology owner's region: a pair
  with a technology partner licenses a technology of an institute of its eastern county
  for its western county, and reports the return every quarter.

How much is done follows the standing (`national.PROFILES`): a performing pair places and
buys at least what it committed, a lagging one part of it, a failing one far less; a
performing pair more often has a technology partner, and earns more from it. Placements
follow the year's rhythm (most workers leave after the Spring Festival, 春风行动), purchases
peak around the Mid-Autumn festival, 双十一 and the year's end; nothing is dated after today.

Called by the national generator inside its transaction (`national.generate`), with its
standings; rows go in with `bulkload.copy_model` (COPY on PostgreSQL), technologies and deals
through the ORM (a few thousand rows).
"""
import datetime

from django.utils import timezone

from xiezuo.core.personal.crypto import blind_index, encrypt
from xiezuo.core.personal.idnumbers import make_id_number
from xiezuo.core.personal.masking import mask_id_number, mask_phone
from xiezuo.labour import rules
from xiezuo.labour.models import Placement, RetentionCheck, Worker, add_months
from xiezuo.orgs.models import Organisation

from .bulkload import copy_model, next_id, reset_sequences
from .labour import GIVEN, SURNAMES, TRADES, _mask

# share of a year's placements starting in each month (most leave after the Spring Festival)
PLACEMENT_MONTHS = (6, 16, 18, 10, 8, 7, 8, 7, 7, 5, 4, 4)
# share of a year's purchases in each month (Mid-Autumn, 双十一, the year's end)
PURCHASE_MONTHS = (10, 6, 7, 7, 7, 8, 7, 7, 10, 9, 10, 12)
# purchases recorded a year per county pair at scale 1 (several million nationally)
PURCHASES_PER_PAIR_YEAR = 2_000
CHANNELS = [("direct", 30), ("ecommerce", 25), ("platform", 15), ("store", 15), ("fair", 10), ("locker", 5)]
BUYER_KINDS = (("budget_unit", "机关事务服务中心食堂"), ("union", "总工会"), ("enterprise", "国有企业采购中心"),
               ("individuals", "个人消费者（经电商渠道）"))
GOODS = (("高山土豆", "蔬菜"), ("苦荞茶", "茶"), ("核桃", "干果"), ("花椒", "调料"), ("牦牛肉", "肉类"), ("蜂蜜", "蜂产品"),
         ("黑木耳", "菌类"), ("脐橙", "水果"), ("大米", "粮油"), ("腊肉", "肉类"))


def _weighted(rng, pairs):
    total = sum(w for _v, w in pairs)
    x = rng.random() * total
    for v, w in pairs:
        x -= w
        if x < 0:
            return v
    return pairs[-1][0]


def _day_in(rng, year: int, month_weights) -> datetime.date:
    month = _weighted(rng, list(zip(range(1, 13), month_weights)))
    first = datetime.date(year, month, 1)
    days = ((first.replace(year=year + (month == 12), month=month % 12 + 1)) - first).days
    return first + datetime.timedelta(days=rng.randrange(days))


def _orgs(regions, label, kind="enterprise") -> dict:
    """One generated organisation per region (reused when a run finds it): {region id: org id}."""
    regions = {r.id: r for r in regions}
    have = dict(Organisation.objects.filter(region_id__in=list(regions), name__endswith=label).values_list("region_id", "id"))
    first = next_id(Organisation)
    rows = []
    for rid in sorted(set(regions) - set(have)):
        have[rid] = first + len(rows)
        rows.append((have[rid], f"{regions[rid].name}{label}", kind, rid, None, "", False))
    copy_model(Organisation, ["id", "name", "kind", "region", "credit_code", "contact", "is_demo"], rows)
    reset_sequences(Organisation)
    return have


def labour(plan, tiers, profiles, rng, today) -> dict:
    """Placements of workers registered in each pair's western county: for each
    (pairing, year, committed) of `plan`, the committed number times the standing's share
    (`Profile.labour`), one placement per worker a year; the county's workers are reused from
    year to year (the same people leave every spring). Retention checks when due."""
    plan = [(p, year, n) for p, year, n in plan if n > 0]
    counts = {"workers": 0, "placements": 0, "retention checks": 0}
    if not plan:
        return counts
    local = _orgs({p.west_region for p, _y, _n in plan}, "劳务用工企业（生成）")
    east = _orgs({p.east_region for p, _y, _n in plan}, "劳务用工企业（生成）")
    placed = {}
    for p, year, n in plan:
        share = rng.uniform(*profiles[tiers.get((p.id, year), "performing")].labour)
        placed[(p, year)] = round(n * share)
    need, partner_province = {}, {}
    for (p, _year), n in placed.items():
        need[p.west_region] = max(need.get(p.west_region, 0), n)
        partner_province[p.west_region_id] = p.east_region.province_code
    first_worker = next_id(Worker)
    pool, worker_rows, seq = {}, [], {}
    for county in sorted(need, key=lambda r: r.code):
        ids = []
        for _k in range(need[county]):
            wid = first_worker + len(worker_rows)
            born = datetime.date(rng.randint(1968, 2006), rng.randint(1, 12), rng.randint(1, 28))
            seq[(county.code, born)] = seq.get((county.code, born), 0) + 1
            number = make_id_number(county.code, born, 600 + seq[(county.code, born)])
            phone = f"1{rng.choice('3589')}{rng.randint(0, 999999999):09d}" if rng.random() < 0.67 else ""
            r = rng.random()
            status = "alleviated" if r < 0.55 else "monitored" if r < 0.65 else "other"
            skills = rng.choice(TRADES)[1]
            worker_rows.append((wid, county.id, rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN), encrypt(number),
                                blind_index("id", number), mask_id_number(number), encrypt(phone), blind_index("phone", phone),
                                mask_phone(phone), status, _mask(set(skills)), partner_province[county.id], rng.randint(35, 70) * 10000,
                                datetime.date(2000, 1, 1), False))
            ids.append(len(worker_rows) - 1)
        pool[county.id] = ids
    in_province = {}
    for c in sorted(need, key=lambda r: r.code):
        in_province.setdefault(c.province_code, []).append(c)
    starts = {}  # worker row → their placements' start days (registration is before the first)
    place_rows, checks = [], []
    first_place, first_check = next_id(Placement), next_id(RetentionCheck)
    for (p, year), n in sorted(placed.items(), key=lambda kv: (kv[0][1], kv[0][0].id)):
        west, partner = p.west_region, p.east_region
        for k in range(n):
            start = _day_in(rng, year, PLACEMENT_MONTHS)
            if start > today:
                continue
            w = pool[west.id][k]
            r = rng.random()
            if r < 0.35:
                place, employer = west, local[west.id]
            elif r < 0.55:
                others = in_province[west.province_code]
                place = others[rng.randrange(len(others))]
                place = west if place.id == west.id else place
                employer = local[place.id]
            else:
                place, employer = partner, east[partner.id]
            pk = first_place + len(place_rows)
            ended = None
            for months, keep in ((3, 0.88), (6, 0.8), (12, 0.7)):
                due = add_months(start, months)
                if due > today or rng.random() > 0.92:
                    continue
                employed = ended is None and rng.random() < keep / (0.88 if months > 3 else 1)
                if not employed and ended is None:
                    ended = due - datetime.timedelta(days=rng.randint(1, 60))
                checks.append((first_check + len(checks), pk, months, due + datetime.timedelta(days=rng.randint(0, 10)), employed,
                               min(months, 3) if employed else 0, "", None, 0))
            code, _skills, wage = rng.choice(TRADES)
            place_rows.append((pk, first_worker + w, west.id, employer, place.id, rules.place_kind(west.code, place.code),
                               place.id == partner.id or place.province_code == partner.province_code, start, ended, code,
                               int(wage * rng.uniform(0.9, 1.3)) * 100, None, 0, False))
            starts.setdefault(w, []).append(start)
    # a worker is registered some weeks before the first placement; unplaced workers (a
    # county's pool is its largest year) registered in the first year
    for i, row in enumerate(worker_rows):
        first = min(starts.get(i, [datetime.date(plan[0][1], 1, 1)]))
        worker_rows[i] = row[:-2] + (first - datetime.timedelta(days=rng.randint(7, 120)), False)
    counts["workers"] = copy_model(Worker, ["id", "county", "name", "id_number", "id_index", "id_masked", "phone", "phone_index",
                                            "phone_masked", "household_status", "skills", "preferred_provinces",
                                            "expected_wage_fen", "registered_on", "is_demo"], worker_rows)
    counts["placements"] = copy_model(Placement, ["id", "worker", "county", "employer", "place", "place_kind",
                                                  "in_paired_province", "start_date", "end_date", "occupation_code",
                                                  "monthly_wage_fen", "client_id", "client_ns", "is_demo"], place_rows)
    counts["retention checks"] = copy_model(RetentionCheck, ["id", "placement", "milestone", "checked_on", "employed",
                                                             "wage_months", "note", "client_id", "client_ns"], checks)
    reset_sequences(Worker, Placement, RetentionCheck)
    return counts


def consumption(plan, tiers, profiles, rng, today, scale, years) -> dict:
    """Purchases of each pair's western products by its eastern buyers: for each (pairing,
    year, committed fen) of `plan`, the committed amount times the standing's share
    (`Profile.consumption`), in purchases dated through the year (none after today), each of a
    product certified from before the first year to after today; with one purchase in twenty,
    a tenth of its amount of the county's uncertified product besides (recorded, never counted)."""
    from xiezuo.consumption.models import Buyer, Certificate, Product, Purchase

    plan = [(p, year, fen) for p, year, fen in plan if fen > 0]
    counts = {"products": 0, "certificates": 0, "buyers": 0, "purchases": 0}
    if not plan:
        return counts
    now = timezone.now()
    counties = sorted({p.west_region for p, _y, _f in plan}, key=lambda r: r.code)
    supplier = _orgs(counties, "农特产品供应链合作社（生成）")
    first_product, first_cert = next_id(Product), next_id(Certificate)
    products, product_rows, cert_rows = {}, [], []
    for c in counties:
        ids = []
        for j in range(3):
            good, cat = GOODS[(j + c.id) % len(GOODS)]
            pid = first_product + len(product_rows)
            product_rows.append((pid, f"{c.name}{good}", cat, supplier[c.id], c.id, False))
            ids.append(pid)
            if j < 2:  # two certified for the whole span, the third never
                start = datetime.date(years[0] - 1, rng.randint(1, 12), 1)
                cert_rows.append((first_cert + len(cert_rows), pid, "approved", f"XF-{c.code}-N{pid:08d}", start,
                                  datetime.date(today.year + 2, 12, 31), None, "", now, now))
        products[c.id] = ids
    counts["products"] = copy_model(Product, ["id", "name", "category", "supplier", "county", "is_demo"], product_rows)
    counts["certificates"] = copy_model(Certificate, ["id", "product", "status", "number", "valid_from", "valid_to", "revoked_on",
                                                      "reason", "applied_at", "decided_at"], cert_rows)
    first_buyer = next_id(Buyer)
    buyers, buyer_rows = {}, []
    for r in sorted({p.east_region for p, _y, _f in plan}, key=lambda r: r.code):
        buyers[r.id] = []
        for kind, label in BUYER_KINDS:
            bid = first_buyer + len(buyer_rows)
            buyer_rows.append((bid, kind, f"{r.name}{label}（生成）", None, r.id, False))
            buyers[r.id].append((bid, kind))
    counts["buyers"] = copy_model(Buyer, ["id", "kind", "name", "organisation", "region", "is_demo"], buyer_rows)
    per_pair = max(4, round(PURCHASES_PER_PAIR_YEAR * scale))
    first_purchase = next_id(Purchase)
    rows = []
    for p, year, fen in sorted(plan, key=lambda x: (x[1], x[0].id)):
        target = int(fen * rng.uniform(*profiles[tiers.get((p.id, year), "performing")].consumption))
        n = max(1, round(per_pair * rng.uniform(0.7, 1.3)))
        parts = [rng.random() + 0.2 for _ in range(n)]
        total = sum(parts)
        west, east = p.west_region, p.east_region
        for k, part in enumerate(parts):
            day = _day_in(rng, year, PURCHASE_MONTHS)
            amount = int(target * part / total)
            if day > today or amount <= 0:
                continue
            bid, _kind = buyers[east.id][rng.randrange(len(buyers[east.id]))]
            rows.append((first_purchase + len(rows), bid, products[west.id][k % 2], supplier[west.id], west.id, east.id, p.id,
                         amount, day, _weighted(rng, CHANNELS), "", f"N{p.id}-{year}-{k:05d}", None, 0, False, now))
            if rng.random() < 0.05:  # besides: the uncertified product, recorded and never counted
                rows.append((first_purchase + len(rows), bid, products[west.id][2], supplier[west.id], west.id, east.id, p.id,
                             max(1, amount // 10), day, _weighted(rng, CHANNELS), "", f"N{p.id}-{year}-{k:05d}u", None, 0, False,
                             now))
    counts["purchases"] = copy_model(Purchase, ["id", "buyer", "product", "supplier", "county", "buyer_region", "pairing",
                                                "amount_fen", "purchased_on", "channel", "channel_name", "evidence_number",
                                                "client_id", "client_ns", "is_demo", "recorded_at"], rows)
    reset_sequences(Product, Certificate, Buyer, Purchase)
    return counts


def technology(pairs, tiers, profiles, rng, today, years, offices) -> dict:
    """For the pairs with a technology partner (a share by standing, `Profile.tech_deal`):
    an institute of the eastern county licenses one technology to the western county, signed
    in one of the earlier years, with a return reported every quarter since: the revenue, as
    a share of what the deal cost in the quarter, in the standing's range
    (`Profile.tech_return`, the same as the projects' technology income)."""
    from xiezuo.markets.models import DealReturn, TechDeal, Technology

    from .markets import SUFFIX, TOPICS, _segment

    chosen = []
    for p in pairs:
        tier = tiers.get((p.id, years[0]), "performing")
        if rng.random() < profiles[tier].tech_deal:
            chosen.append(p)
    counts = {"technologies": 0, "deals": 0, "deal returns": 0}
    if not chosen:
        return counts
    owners = _orgs({p.east_region for p in chosen}, "技术转移研究院（生成）")
    chosen = [p for p in chosen if p.west_region_id in offices]  # the licensee is the county's office
    techs, deals = [], []
    for i, p in enumerate(chosen):
        topic, ipcs, subj, proc, obj = TOPICS[rng.randrange(len(TOPICS))]
        s, pr, o = rng.choice(subj), rng.choice(proc), rng.choice(obj)
        techs.append(Technology(kind="patent", number=f"ZL{years[0] - 2}N{p.id:07d}", title=f"一种{s}{pr}{o}{rng.choice(SUFFIX)}",
                                abstract=f"本技术涉及{topic}领域，针对{s}生产中的{pr}问题，研制{o}，适用于西部山区。",
                                ipc=rng.choice(ipcs), owner_id=owners[p.east_region_id], licence_terms="普通许可",
                                listed_on=datetime.date(years[0] - 1, 6, 1)))
    for t, tokens in zip(techs, _segment([f"{t.title} {t.title} {t.abstract}" for t in techs])):
        t.tokens = tokens  # matching reads the stored words, as for every technology offered
    Technology.objects.bulk_create(techs, batch_size=2000)
    for t, p in zip(techs, chosen):
        signed = datetime.date(rng.choice(years[:-1] or years), rng.randint(1, 6), rng.randint(1, 28))
        deals.append(TechDeal(technology=t, licensee_id=offices[p.west_region_id].id, county_id=p.west_region_id,
                              kind=rng.choice(["licence", "licence", "transfer", "joint"]), price_fen=rng.randint(20, 300) * 10_000_00,
                              royalty_permille=rng.choice([0, 20, 30, 50]), signed_on=signed))
    TechDeal.objects.bulk_create(deals, batch_size=2000)
    rets = []
    for d, p in zip(deals, chosen):
        cost = d.price_fen // 8
        end = _quarter_end(d.signed_on)
        while end <= today:
            tier = tiers.get((p.id, end.year), "performing")
            quarter_cost = int(cost * rng.uniform(0.6, 1.4))
            rets.append(DealReturn(deal=d, period_end=end, cost_fen=quarter_cost,
                                   revenue_fen=int(quarter_cost * rng.uniform(*profiles[tier].tech_return) / 100)))
            end = _quarter_end(end + datetime.timedelta(days=1))
    DealReturn.objects.bulk_create(rets, batch_size=5000)
    counts.update({"technologies": len(techs), "deals": len(deals), "deal returns": len(rets)})
    return counts


def _quarter_end(d: datetime.date) -> datetime.date:
    nxt = datetime.date(d.year + (d.month > 9), ((d.month - 1) // 3 * 3 + 3) % 12 + 1, 1)
    return nxt - datetime.timedelta(days=1)

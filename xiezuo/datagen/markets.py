"""Factor markets at a plausible national size (scale 1):

- land quota: 3 listings per western former poverty county (some 2,500), each 20 to 2,000 mu
  to 0.0001 mu, about two thirds of them partly or wholly sold in 1 to 4 trades at the set
  price (some 4,000 trades, each settled through the ledger's own `post`, as the exchange does);
- carbon: 2 sink projects per such county (some 1,700), five vintages each verified and
  issued (300 to 1,200 t a vintage: some 5 million units), then each issued block cut in
  turn by deliveries to subscribers, transfers and retirements (some 60,000 blocks with the
  superseded history, and a move per block), exactly as the registry's actions cut them;
- technology: 50,000 patents and technologies of eastern enterprises and institutes, with
  titles and abstracts composed from a vocabulary of real agricultural and industrial terms
  and IPC classes that fit them; 5,000 needs of western counties; 3,000 deals with returns.
Rows of the markets' own tables go in with COPY on PostgreSQL (`datagen.bulkload.copy_rows`);
one audit entry records the load. Everything is marked as generated (not demo).
"""
import datetime
import random
import time

from django.db import connection, transaction
from django.utils import timezone

from xiezuo.core.audit import record_bulk
from xiezuo.core.context import acting
from xiezuo.datagen.bulkload import copy_rows
from xiezuo.markets.models import (CarbonBlock, CarbonMove, DealReturn, MonitoringReport, QuotaListing, QuotaPrice, QuotaTrade,
                                   SinkProject, SplitRule, Subscription, TechDeal, TechNeed, Technology, Verification)
from xiezuo.orgs.models import Organisation
from xiezuo.regions.models import Region

# (topic, IPC classes, subjects, processes, objects) — real terms of agricultural and industrial technology
TOPICS = [
    ("种植", ["A01G 9/14", "A01G 22/00", "A01C 1/00", "A01H 4/00"], ["马铃薯", "玉米", "荞麦", "茶叶", "花椒", "核桃", "苹果", "蓝莓", "中药材", "魔芋"],
     ["脱毒", "快繁", "育苗", "嫁接", "水肥一体化", "测土配方", "病虫害绿色防控", "轻简化栽培"], ["种薯", "种苗", "大棚", "基质", "滴灌带", "诱虫灯"]),
    ("养殖", ["A01K 67/02", "A01K 61/00", "A23K 50/10"], ["肉牛", "牦牛", "山羊", "生猪", "土鸡", "冷水鱼", "蜜蜂"],
     ["舍饲", "青贮", "人工授精", "疫病防控", "粪污资源化", "精准饲喂"], ["饲料", "圈舍", "饮水器", "耳标", "发酵床"]),
    ("加工", ["A23L 19/12", "A23B 7/04", "A23F 3/06", "B65D 81/28"], ["马铃薯", "苦荞", "牦牛肉", "茶叶", "花椒", "猕猴桃", "食用菌"],
     ["冷链", "真空冷冻干燥", "低温萃取", "发酵", "杀菌", "分级包装", "保鲜"], ["全粉", "挂面", "风干肉", "茶饮", "精油", "果脯"]),
    ("能源", ["F24S 10/00", "H02J 3/38", "F03D 9/00", "C12M 1/107"], ["光伏", "风电", "沼气", "生物质", "储能"],
     ["分布式发电", "微电网", "并网", "智能运维", "热电联供"], ["逆变器", "支架", "电池", "发酵罐", "锅炉"]),
    ("生态", ["A01G 23/00", "E02B 3/12", "C05F 17/00", "B09C 1/00"], ["退化草地", "石漠化", "水土流失", "湿地", "矿山"],
     ["植被恢复", "生态修复", "固碳增汇", "土壤改良", "监测"], ["草种", "有机肥", "生态袋", "传感器", "遥感"]),
    ("信息", ["G06Q 50/02", "G06Q 30/06", "H04W 4/38", "G06N 20/00"], ["农产品", "乡村", "物流", "电商", "文旅"],
     ["溯源", "大数据", "物联网", "直播", "智能调度"], ["平台", "终端", "标签", "小程序", "模型"]),
    ("制造", ["B23K 37/00", "B29C 45/00", "D06F 58/00", "H05K 13/00"], ["服装", "鞋帽", "电子元器件", "家具", "小家电"],
     ["自动化装配", "注塑", "激光切割", "智能检测", "柔性生产"], ["生产线", "模具", "机械臂", "检测仪", "缝纫设备"]),
]
SUFFIX = ["方法", "装置", "系统", "设备", "工艺", "技术"]
EAST_OWNERS = ["大学", "农业科学院", "研究院", "科技有限公司", "工程技术研究中心"]
CARBON_KINDS = [("forestry", "CCER-14-001-V01 碳汇造林"), ("forestry", "CCER-14-002-V01 森林经营碳汇"),
                ("grassland", "草原可持续管理碳汇方法学（试行）"), ("wetland", "红树林/湿地修复碳汇方法学"),
                ("soil", "保护性耕作土壤碳汇方法学")]


def _next_ids(*models):
    out = {}
    with connection.cursor() as cur:
        for m in models:
            cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {m._meta.db_table}")
            out[m] = cur.fetchone()[0] + 1
    return out


def _reset(*models):
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            for m in models:
                t = m._meta.db_table
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{t}', 'id'), GREATEST((SELECT MAX(id) FROM {t}), 1))")


def _copy(model, rows, fields):
    cols = [f'"{model._meta.get_field(f).column}"' for f in fields]
    return copy_rows(model._meta.db_table, cols, rows)


def _tokens(text):
    from xiezuo.markets.tech.matching import tokens

    return " ".join(tokens(text))


def _segment(texts: list[str]) -> list[str]:
    """The matching index's tokens of each text (jieba), in worker processes: jieba costs some
    2 ms a text, 100 s for 50,000 patents in one process."""
    import multiprocessing
    import os

    workers = max(1, min(8, (os.cpu_count() or 2) - 1))
    if len(texts) < 2000 or workers == 1:
        return [_tokens(t) for t in texts]
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        return pool.map(_tokens, texts, chunksize=500)


def generate(scale: float = 1.0, seed: int = 2026, today: datetime.date | None = None, log=print, settle=True) -> dict:
    from django.contrib.auth import get_user_model

    rng = random.Random(seed)
    today = today or timezone.localdate()
    national = get_user_model().objects.filter(profile__role="national").order_by("id").first()
    counties = list(Region.objects.filter(level="county", role="west", former_poverty=True).order_by("code"))
    if not counties:
        raise RuntimeError("no western former poverty counties: load the regions first")
    offices = {o.region_id: o for o in Organisation.objects.filter(kind="office").order_by("-id")}
    evaluator = Organisation.objects.filter(kind="evaluator").order_by("id").first()
    east_provinces = list(Region.objects.filter(level="province", role="east").order_by("code"))
    started = time.perf_counter()
    counts = {}
    with transaction.atomic():
        # organisations the markets need: an office per county, eastern buyers, owners of technologies
        missing = [c for c in counties if c.id not in offices]
        made = Organisation.objects.bulk_create([Organisation(name=f"{c.name}东西部协作办公室", kind="office", region=c) for c in missing])
        offices.update({o.region_id: o for o in made})
        for p in east_provinces:
            if p.id not in offices:
                offices[p.id] = Organisation.objects.create(name=f"{p.name}东西部协作办公室", kind="office", region=p)
        east_cities = list(Region.objects.filter(level="prefecture", role="east").order_by("code"))
        owners = Organisation.objects.bulk_create([
            Organisation(name=f"{c.name.removesuffix('市')}{EAST_OWNERS[i % len(EAST_OWNERS)]}（生成）", kind="enterprise", region=c)
            for i, c in enumerate(rng.sample(east_cities, min(len(east_cities), max(20, int(300 * scale)))))])
        if evaluator is None:
            evaluator = Organisation.objects.create(name="第三方核证机构（生成）", kind="evaluator", region=east_provinces[0])
        for year in range(today.year - 5, today.year + 1):
            for cls, price in (("cultivated", 20_000_000), ("paddy", 25_000_000), ("other", 12_000_000)):
                QuotaPrice.objects.get_or_create(year=year, land_class=cls, defaults={"price_fen_per_mu": price + 500_000 * (year - 2020)})
        SplitRule.objects.get_or_create(year=today.year - 5, defaults={"farmers_share": 85, "collective_share": 15})
        prices = {(p.year, p.land_class): p.price_fen_per_mu for p in QuotaPrice.objects.all()}
        n_counties = max(1, int(len(counties) * min(scale, 1.0)))
        counties = counties[:n_counties]
        reps = max(1, round(scale)) if scale > 1 else 1

        # --- land ------------------------------------------------------------------------------
        listings, trades = [], []
        seq = QuotaListing.objects.count()
        for c in counties:
            for k in range(3 * reps):
                seq += 1
                listed = today - datetime.timedelta(days=rng.randint(10, 900))
                area = rng.randint(20 * 10_000, 2_000 * 10_000)
                listings.append(QuotaListing(code=f"LQ-{c.code}-{listed.year}-G{seq:06d}", county=c, seller=offices[c.id],
                                             land_class=rng.choice(["cultivated", "cultivated", "paddy", "other"]), area_u=area,
                                             source_project=f"{c.name}增减挂钩项目{k + 1}期", approval_doc=f"自然资〔{listed.year}〕{seq}号",
                                             province_confirmation=f"省自然资源厅确认〔{listed.year}〕{seq}号", year=listed.year,
                                             listed_on=listed))
        QuotaListing.objects.bulk_create(listings, batch_size=5000)
        listings = list(QuotaListing.objects.filter(code__contains="-G").select_related("county", "seller").order_by("id"))
        buyers = [offices[p.id] for p in east_provinces] + owners
        for x in listings:
            if rng.random() > 0.66:
                continue
            start = 0
            for _t in range(rng.randint(1, 4)):
                if start >= x.area_u:
                    break
                units = min(x.area_u - start, rng.randint(5 * 10_000, 600 * 10_000))
                day = min(today, x.listed_on + datetime.timedelta(days=rng.randint(1, 200)))
                price = prices[(day.year, x.land_class)] if (day.year, x.land_class) in prices else 20_000_000
                buyer = rng.choice(buyers)
                trades.append(QuotaTrade(listing=x, buyer=buyer, method="fixed", start_u=start, end_u=start + units,
                                         price_fen_per_mu=price, amount_fen=(units * price + 5000) // 10_000, traded_on=day))
                start += units
            if start == x.area_u:
                x.status = "sold"
        QuotaTrade.objects.bulk_create(trades, batch_size=5000)
        QuotaListing.objects.bulk_update([x for x in listings if x.status == "sold"], ["status"], batch_size=5000)
        counts["quota listings"], counts["quota trades"] = len(listings), len(trades)
        log(f"land: {len(listings):,} listings, {len(trades):,} trades ({time.perf_counter() - started:.0f} s)")
        if settle and national is not None:
            from xiezuo.markets.payments import pay

            with acting(national, via="command"):
                for t in QuotaTrade.objects.filter(posting__isnull=True, listing__code__contains="-G").select_related(
                        "listing__seller", "buyer").order_by("id"):
                    t.posting = pay(national, payer=t.buyer, payee=t.listing.seller, amount_fen=t.amount_fen, key=f"mkt-land-{t.pk}",
                                    body={"market": "land", "trade": t.pk, "amount_fen": t.amount_fen, "booked_on": t.traded_on},
                                    booked_on=t.traded_on, memo=f"land quota {t.listing.code}")
                    QuotaTrade.objects.filter(pk=t.pk).update(posting=t.posting)
            log(f"land: settled through the ledger ({time.perf_counter() - started:.0f} s)")

        # --- carbon ----------------------------------------------------------------------------
        ids = _next_ids(SinkProject, MonitoringReport, Verification, CarbonBlock, CarbonMove, Subscription)
        projects, reports, verifs, blocks, moves, subs = [], [], [], [], [], []
        pid, rid, vid, bid, mid, sid = (ids[m] for m in (SinkProject, MonitoringReport, Verification, CarbonBlock, CarbonMove, Subscription))
        now = timezone.now()
        subscribers = [offices[p.id] for p in east_provinces] + owners[:50]
        for c in counties:
            for k in range(2 * reps):
                kind, method = rng.choice(CARBON_KINDS)
                start_year = today.year - 6
                code = f"CS{c.code}{pid:06d}"
                owner = offices[c.id]
                projects.append((pid, code, f"{c.name}{dict(forestry='林业', grassland='草原', wetland='湿地', soil='土壤')[kind]}碳汇项目{k + 1}",
                                 kind, c.id, owner.id, method, rng.randint(5_000, 200_000) * 10_000, rng.randint(0, 500),
                                 datetime.date(start_year, 1, 1), datetime.date(start_year + 30, 12, 31), 1, False))
                serial = 1
                sub_org = rng.choice(subscribers)
                subs.append([sid, pid, sub_org.id, rng.randint(30, 90) * 100, 50, 10**9, 0, datetime.date(start_year, 1, 1), False])
                delivered = 0
                for vintage in range(start_year, start_year + 5):
                    tonnes = rng.randint(300, 1200)
                    reports.append((rid, pid, datetime.date(vintage, 1, 1), datetime.date(vintage, 12, 31), tonnes + rng.randint(0, 80),
                                    datetime.date(vintage + 1, 3, 1)))
                    verifs.append((vid, rid, evaluator.id, tonnes, tonnes, vintage, datetime.date(vintage + 1, 6, 1)))
                    issued_on = datetime.date(vintage + 1, 7, 1)
                    first, last = serial, serial + tonnes - 1
                    blocks.append([bid, pid, vid, vintage, first, last, owner.id, "active", None, now, "", "", None])
                    moves.append((mid, "issue", bid, None, None, owner.id, tonnes, None, issued_on, now))
                    mid += 1
                    cur, cur_holder = bid, owner.id
                    bid += 1
                    # cut the block in turn: deliver half to the subscriber, transfer some, retire some
                    for step in range(rng.randint(1, 8)):
                        row = blocks[-1] if blocks[-1][0] == cur else next(b for b in reversed(blocks) if b[0] == cur)
                        size = row[5] - row[4] + 1
                        if size < 2:
                            break
                        take = rng.randint(1, size - 1) if step else max(1, size // 2)
                        kind_move = "deliver" if step == 0 else rng.choice(["transfer", "retire", "retire"])
                        to = sub_org.id if kind_move == "deliver" else (rng.choice(subscribers).id if kind_move == "transfer" else cur_holder)
                        status = "retired" if kind_move == "retire" else "active"
                        row[7] = "split"
                        moved = [bid, pid, vid, vintage, row[4], row[4] + take - 1, to, status, cur, now,
                                 "生成数据受益方" if status == "retired" else "", "自愿注销" if status == "retired" else "",
                                 issued_on if status == "retired" else None]
                        rest = [bid + 1, pid, vid, vintage, row[4] + take, row[5], cur_holder, "active", cur, now, "", "", None]
                        blocks += [moved, rest]
                        moves.append((mid, kind_move, bid, cur, cur_holder, to, take, sid if kind_move == "deliver" else None,
                                      issued_on, now))
                        moves.append((mid + 1, "transfer", bid + 1, cur, cur_holder, cur_holder, rest[5] - rest[4] + 1, None, issued_on, now))
                        if kind_move == "deliver":
                            delivered += take
                        mid += 2
                        cur = bid + 1
                        bid += 2
                    serial = last + 1
                    rid += 1
                    vid += 1
                subs[-1][5] = max(delivered, 1)
                subs[-1][6] = delivered
                projects[-1] = projects[-1][:11] + (serial,) + projects[-1][12:]
                pid += 1
                sid += 1
        _copy(SinkProject, projects, ["id", "code", "name", "kind", "county", "owner", "methodology", "area_u", "baseline_t",
                                      "crediting_start", "crediting_end", "next_serial", "is_demo"])
        _copy(MonitoringReport, reports, ["id", "project", "period_start", "period_end", "claimed_t", "submitted_on"])
        _copy(Verification, verifs, ["id", "report", "evaluator", "verified_t", "issued_t", "vintage", "verified_on"])
        _copy(Subscription, subs, ["id", "project", "subscriber", "price_fen_per_t", "share_pct", "tonnes", "delivered_t", "signed_on",
                                   "is_demo"])
        _copy(CarbonBlock, blocks, ["id", "project", "verification", "vintage", "first", "last", "holder", "status", "parent",
                                    "created_at", "beneficiary", "retirement_purpose", "retired_on"])
        _copy(CarbonMove, moves, ["id", "kind", "block", "source", "from_holder", "to_holder", "units", "subscription", "on", "at"])
        _reset(SinkProject, MonitoringReport, Verification, CarbonBlock, CarbonMove, Subscription)
        counts.update({"sink projects": len(projects), "carbon blocks": len(blocks), "carbon moves": len(moves),
                       "carbon units": sum(v[3] for v in verifs)})
        log(f"carbon: {len(projects):,} projects, {len(blocks):,} blocks, {counts['carbon units']:,} units "
            f"({time.perf_counter() - started:.0f} s)")

        # --- technology ------------------------------------------------------------------------
        n_tech, n_need = int(50_000 * scale), int(5_000 * scale)
        ids = _next_ids(Technology, TechNeed, TechDeal, DealReturn)
        techs = []
        for i in range(n_tech):
            topic, ipcs, subj, proc, obj = rng.choice(TOPICS)
            s, p, o = rng.choice(subj), rng.choice(proc), rng.choice(obj)
            title = f"一种{s}{p}{o}{rng.choice(SUFFIX)}"
            extra = "、".join(rng.sample(proc, min(3, len(proc))))
            abstract = (f"本{rng.choice(SUFFIX)}涉及{topic}领域，针对{s}生产中的{rng.choice(proc)}问题，采用{extra}相结合的方式，"
                        f"研制{rng.choice(obj)}与{o}，适用于西部高海拔山区，可降低成本{rng.randint(10, 40)}%，提高效率{rng.randint(10, 60)}%。")
            owner = rng.choice(owners)
            techs.append((ids[Technology] + i, "patent" if rng.random() < 0.8 else "technology", f"ZL{2015 + i % 11}{rng.randint(10**8, 10**9 - 1)}.{i % 10}G{i}",
                          title, abstract, rng.choice(ipcs), owner.id, rng.choice(["普通许可", "独占许可", "转让", "作价入股"]),
                          today - datetime.timedelta(days=rng.randint(0, 1500)), False))
        techs = [row + (tokens,) for row, tokens in zip(techs, _segment([f"{r[3]} {r[3]} {r[4]}" for r in techs]))]
        _copy(Technology, techs, ["id", "kind", "number", "title", "abstract", "ipc", "owner", "licence_terms", "listed_on", "is_demo",
                                  "tokens"])
        log(f"technology: {len(techs):,} segmented ({time.perf_counter() - started:.0f} s)")
        need_rows = []
        for i in range(n_need):
            topic, ipcs, subj, proc, obj = rng.choice(TOPICS)
            c = rng.choice(counties)
            s = rng.choice(subj)
            need_rows.append((ids[TechNeed] + i, f"{s}{rng.choice(proc)}技术需求", f"我县{s}产业缺少{rng.choice(proc)}和{rng.choice(obj)}，"
                              f"{rng.choice(['产量低', '损耗大', '品质不稳定', '成本高', '销路窄'])}，希望引进东部{rng.choice(proc)}技术。", topic,
                              rng.choice(ipcs)[:4] if rng.random() < 0.5 else "", c.id, offices[c.id].id,
                              today - datetime.timedelta(days=rng.randint(0, 700)), False))
        need_rows = [row + (tokens,) for row, tokens in zip(need_rows, _segment([f"{r[1]} {r[1]} {r[2]} {r[3]}" for r in need_rows]))]
        _copy(TechNeed, need_rows, ["id", "title", "problem", "sector", "ipc", "county", "requester", "posted_on", "is_demo", "tokens"])
        deals, rets = [], []
        for i in range(int(3_000 * scale)):
            t, n = rng.choice(techs), rng.choice(need_rows)
            signed = today - datetime.timedelta(days=rng.randint(30, 700))
            deals.append((ids[TechDeal] + i, t[0], n[0], n[6], n[5],
                          rng.choice(["licence", "transfer", "joint"]), rng.randint(5, 200) * 10_000_00, rng.choice([0, 20, 30, 50]), signed, False))
            for q in range(rng.randint(1, 4)):
                end = signed + datetime.timedelta(days=90 * (q + 1))
                if end > today:
                    break
                rets.append((ids[DealReturn] + len(rets), ids[TechDeal] + i, end, rng.randint(1, 120) * 10_000_00, rng.randint(1, 60) * 10_000_00))
        _copy(TechDeal, deals, ["id", "technology", "need", "licensee", "county", "kind", "price_fen", "royalty_permille", "signed_on",
                                "is_demo"])
        _copy(DealReturn, rets, ["id", "deal", "period_end", "revenue_fen", "cost_fen"])
        _reset(Technology, TechNeed, TechDeal, DealReturn)
        counts.update({"technologies": len(techs), "needs": len(need_rows), "deals": len(deals), "deal returns": len(rets)})
        record_bulk("markets.generated", f"generated factor markets at scale {scale}", count=sum(counts.values()))
    log(f"markets generated in {time.perf_counter() - started:.0f} s")
    return counts

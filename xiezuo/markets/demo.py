"""Demo data of the factor markets, over the world `web.demo.seed_demo` builds (美姑县 and its
offices, the Zhejiang, Ningbo and Hangzhou offices, the evaluator): prices and the split rule,
two listings of 美姑县 (one partly sold at the set price, one in a call auction with three
bids), a forestry sink project with two verified vintages issued, a subscription of the
Zhejiang office with a delivery, a transfer and a retirement, and a small catalogue of
technologies, needs of 美姑县 and a deal with its returns. Written through the actions, so
payments are in the ledger and the audit log has it all; marked is_demo. Once: skipped when
demo listings exist. Call it after `seed_demo` (the lead wires it into the demo set-up)."""
import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from xiezuo.core.context import acting
from xiezuo.orgs.models import Organisation
from xiezuo.regions.models import Region

from .carbon import actions as carbon
from .land import actions as land
from .models import QuotaListing
from .tech import actions as tech

TECHS = [
    ("ZL202110123456.7", "高寒山区马铃薯脱毒种薯雾培快繁技术", "利用茎尖脱毒与雾培快繁生产原原种，适用于海拔2000米以上山区，种薯产量提高30%。", "A01H 4/00"),
    ("ZL202010987654.3", "苦荞麦低温烘焙与茶饮加工工艺", "苦荞经低温烘焙、微粉碎制成茶饮，保留芦丁等活性成分，延长保质期。", "A23F 3/06"),
    ("ZL202220345678.1", "山地果园光伏提灌一体化系统", "光伏驱动水泵提水灌溉山地果园，配合滴灌与水肥一体化，节水40%。", "F04B 17/00"),
    ("ZL201910456789.2", "牦牛肉风干与冷链保鲜方法", "牦牛肉低温风干、真空包装与冷链配送，保鲜期达到180天。", "A23B 4/03"),
    ("ZL202310567890.4", "农产品区块链溯源与电商直播平台", "为西部县域农产品提供一物一码溯源、直播销售与订单管理。", "G06Q 50/02"),
]
NEEDS = [
    ("马铃薯种薯退化、产量低", "美姑县高寒山区马铃薯种薯多年自留，退化严重，亩产不足1吨，需要脱毒种薯快繁技术和育苗设施。", "种植业", "A01H"),
    ("苦荞精深加工", "苦荞以原粮销售为主，附加值低，希望引进苦荞茶饮和全粉加工工艺。", "农产品加工", ""),
    ("山地果园缺水灌溉", "青花椒和苹果园位于山坡，无电无水，需要光伏提灌和节水灌溉技术。", "种植业", ""),
]


def _org(code, kind="office"):
    return Organisation.objects.filter(kind=kind, region__code=code).order_by("id").first()


@transaction.atomic  # all of the demo market or none: a half-made one is never completed by a rerun
def seed_demo(stdout=None, today: datetime.date | None = None) -> int:
    say = stdout.write if stdout else (lambda s: None)
    if QuotaListing.objects.filter(is_demo=True).exists():
        return 0
    User = get_user_model()
    national, county, east = (User.objects.get(username=u) for u in ("national", "county_office", "east_office"))
    auditor = User.objects.get(username="auditor")
    today = today or timezone.localdate()
    meigu = Region.objects.get(code="513436")
    zhejiang, ningbo, hangzhou = _org("330000"), _org("330200"), _org("330100")
    with acting(national, via="command"):
        for year in (today.year - 1, today.year):
            for cls, price in (("cultivated", 20_000_000), ("paddy", 25_000_000), ("other", 12_000_000)):
                land.set_quota_price(national, year=year, land_class=cls, price_fen_per_mu=price + 300_000 * (year - today.year + 1))
        land.set_split_rule(national, year=today.year - 1, farmers_share=85, collective_share=15)
    with acting(county, via="command"):
        first = land.list_quota(county, county=meigu, land_class="cultivated", area="86.5320", source_project="洒库乡城乡建设用地增减挂钩项目（演示）",
                                approval_doc="川自然资函〔%d〕45号" % today.year, province_confirmation="四川省自然资源厅节余指标确认书（演示）",
                                listed_on=today - datetime.timedelta(days=40), is_demo=True)
        second = land.list_quota(county, county=meigu, land_class="paddy", area="42.1500", source_project="巴普镇土地综合整治项目（演示）",
                                 approval_doc="川自然资函〔%d〕61号" % today.year, province_confirmation="四川省自然资源厅节余指标确认书（演示）",
                                 listed_on=today - datetime.timedelta(days=12), is_demo=True)
    with acting(east, via="command"):
        trade = land.buy(east, listing=first, buyer=ningbo, area="30.0000", traded_on=today - datetime.timedelta(days=20))
        land.buy(east, listing=first, buyer=zhejiang, area="16.2500", traded_on=today - datetime.timedelta(days=8))
    with acting(county, via="command"):
        # the farmers' part among three households of 美姑县's registry (the households demo, seeded first), if it has them
        from xiezuo.households.models import Household

        farmers = list(Household.objects.filter(county=meigu, is_demo=True).order_by("number")[:3])
        land.split_proceeds(county, trade=trade, households=list(zip(farmers, (12_000, 9_500, 8_500))))
        auction = land.open_auction(county, listing=second, closes_on=today + datetime.timedelta(days=10))
    with acting(east, via="command"):
        for bidder, area, extra in ((ningbo, "20", 2_000_000), (hangzhou, "15", 1_500_000), (zhejiang, "12", 500_000)):
            land.place_bid(east, auction=auction, bidder=bidder, area=area, limit_fen_per_mu=auction.reserve_fen_per_mu + extra)
    with acting(county, via="command"):
        sink = carbon.register_project(county, name="美姑县大风顶人工造林碳汇项目（演示）", kind="forestry", county=meigu,
                                       methodology="CCER-14-001-V01 碳汇造林", area="15000.0000", baseline_t=200,
                                       crediting_start=datetime.date(today.year - 3, 1, 1),
                                       crediting_end=datetime.date(today.year + 17, 12, 31), is_demo=True)
        reports = [carbon.submit_monitoring(county, project=sink, period_start=datetime.date(y, 1, 1), period_end=datetime.date(y, 12, 31),
                                            claimed_t=t) for y, t in ((today.year - 3, 4_200), (today.year - 2, 5_100))]
    evaluator = Organisation.objects.filter(kind="evaluator").order_by("id").first()
    with acting(auditor, via="command"):
        verifs = [carbon.verify_report(auditor, report=r, evaluator=evaluator, verified_t=r.claimed_t - 200) for r in reports]
    with acting(east, via="command"):
        sub = carbon.sign_subscription(east, project=sink, subscriber=zhejiang, price_fen_per_t=65_00, share_pct=60, tonnes=6_000,
                                       signed_on=datetime.date(today.year - 3, 6, 1), is_demo=True)
    with acting(national, via="command"):
        for v in verifs:
            carbon.issue(national, verification=v)
    with acting(county, via="command"):
        delivered = carbon.deliver(county, subscription=sub, units=3_000)
    with acting(east, via="command"):
        carbon.transfer(east, block=delivered[0], to_holder=ningbo, units=800)
        held = delivered[0].__class__.objects.filter(project=sink, holder=zhejiang, status="active").order_by("first").first()
        carbon.retire(east, block=held, units=500, beneficiary="浙江省东西部协作工作会议（演示）", purpose="会议碳中和")
    owner = Organisation.objects.filter(name="浙江大学农业与生物技术学院（演示）").first() or Organisation.objects.create(
        name="浙江大学农业与生物技术学院（演示）", kind="enterprise", region=Region.objects.get(code="330106"), is_demo=True)
    with acting(national, via="command"):
        techs = [tech.offer_technology(national, owner=owner, number=n, title=t, abstract=a, ipc=i, licence_terms="普通许可，入门费加销售额提成",
                                       is_demo=True) for n, t, a, i in TECHS]
    with acting(county, via="command"):
        needs = [tech.post_need(county, county=meigu, title=t, problem=p, sector=s, ipc=i, is_demo=True) for t, p, s, i in NEEDS]
        deal = tech.sign_deal(county, technology=techs[0], licensee=_org("513436"), kind="licence", price_fen=300_000_00, royalty_permille=30,
                              need=needs[0], signed_on=today - datetime.timedelta(days=200), is_demo=True)
        for q in (1, 2):
            end = deal.signed_on + datetime.timedelta(days=90 * q)
            if end <= today:
                tech.record_return(county, deal=deal, period_end=end, revenue_fen=(420_000_00 if q == 1 else 560_000_00),
                                   cost_fen=(300_000_00 if q == 1 else 16_800_00))
    say("demo markets: 2 listings, 2 trades, 1 auction with 3 bids, 1 sink project, 1 subscription, 5 technologies, 3 needs, 1 deal")
    return 1

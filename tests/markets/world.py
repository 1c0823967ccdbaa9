"""Builders the markets tests share."""
import datetime

from django.utils import timezone

from tests.support import office
from xiezuo.markets.land import actions as land
from xiezuo.regions.models import Region

D = datetime.date
YEAR = timezone.localdate().year
PRICE = 20_000_000  # 20万元 per mu, in fen


def prices(national, year=YEAR):
    for cls, p in (("cultivated", PRICE), ("paddy", 25_000_000), ("other", 12_000_000)):
        land.set_quota_price(national, year=year, land_class=cls, price_fen_per_mu=p)
    land.set_split_rule(national, year=year - 5, farmers_share=85, collective_share=15)


def listing(county_user, area="10.0000", county="513436", land_class="cultivated"):
    return land.list_quota(county_user, county=Region.objects.get(code=county), land_class=land_class, area=area,
                           source_project="洒库乡土地整治项目", approval_doc="川自然资〔2026〕12号",
                           province_confirmation="四川省自然资源厅确认书 2026-03")


def zhejiang():
    return office("330000")


def sink(county_user, county="513436", name="美姑县人工造林碳汇项目"):
    from xiezuo.markets.carbon import actions as carbon

    return carbon.register_project(county_user, name=name, kind="forestry", county=Region.objects.get(code=county),
                                   methodology="CCER-14-001-V01 碳汇造林", area="12000.5", baseline_t=100,
                                   crediting_start=D(YEAR - 3, 1, 1), crediting_end=D(YEAR + 17, 12, 31))


def evaluator():
    from xiezuo.orgs.models import Organisation

    return Organisation.objects.filter(kind="evaluator").order_by("id").first()


def verified(users, project, tonnes=1000, year=None):
    """A monitoring report of a year and its verification."""
    from xiezuo.markets.carbon import actions as carbon

    year = year or YEAR - 2
    report = carbon.submit_monitoring(users["county_office"], project=project, period_start=D(year, 1, 1),
                                      period_end=D(year, 12, 31), claimed_t=tonnes + 50)
    return carbon.verify_report(users["auditor"], report=report, evaluator=evaluator(), verified_t=tonnes)


def farmers(county_user, names=("阿苦日哈", "吉克阿衣", "曲比石古"), county="513436"):
    """Households of the county's monitoring registry, one per name (its head), numbered
    5134361012019xx in the order given."""
    from tests.households.helpers import id_number, village
    from xiezuo.households import actions as registry

    v = village() if county == "513436" else village(code=f"{county}101201", county=county)
    return [registry.save_household(county_user, v, dict(number=f"{v.code}9{i:02d}", address="洒库乡拉木村3组"),
                                    [dict(relation="head", name=name, id_number=id_number(region=county), phone="")])
            for i, name in enumerate(names)]

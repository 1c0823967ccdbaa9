"""Demo data of 劳务协作 and the real county rules the issue starts from.

`seed_demo()` is called by the demo setup (xiezuo.web.demo) after the base demo exists: a few
workers of 美姑县, jobs in 鄞州区 and elsewhere in Zhejiang, an order-based training, a
placement with its 3-month check, and 美姑县's subsidy rules of this year."""
import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from xiezuo.core.personal.idnumbers import make_id_number
from xiezuo.orgs.models import Organisation
from xiezuo.regions.models import Region

from .choices import SubsidyKind

YUAN = 100

# The county rules quoted in issue 15: out of province ≥3 months → transport up to 1,000元 and
# a labour subsidy of up to 10 % of wages, on 3 months of wage transfers; an employer gets
# 300 / 700 / 1,500元 for a worker kept 3–6 / 6–12 / 12+ months.
REAL_RULES = (
    dict(kind=SubsidyKind.TRANSPORT, min_months=3, out_of_province_only=True, wage_evidence_months=3, amount_fen=1000 * YUAN,
         cap_fen=1000 * YUAN),
    dict(kind=SubsidyKind.LABOUR, min_months=3, out_of_province_only=True, wage_evidence_months=3, percent_of_wages=10),
    dict(kind=SubsidyKind.EMPLOYER, min_months=3, max_months=6, amount_fen=300 * YUAN),
    dict(kind=SubsidyKind.EMPLOYER, min_months=6, max_months=12, amount_fen=700 * YUAN),
    dict(kind=SubsidyKind.EMPLOYER, min_months=12, amount_fen=1500 * YUAN),
)


def seed_rules(user, county, year):
    from .actions import save_rule
    from .models import SubsidyRule

    out = []
    for values in REAL_RULES:
        existing = SubsidyRule.objects.filter(county=county, year=year, kind=values["kind"], min_months=values["min_months"]).first()
        out.append(existing or save_rule(user, county=county, year=year, **values))
    return out


def seed_demo():
    from .actions import WorkerRow, record_check, record_placement, register_workers, save_job, save_training
    from .models import Job, Worker

    User = get_user_model()
    county_user = User.objects.filter(username="county_office").first()
    if county_user is None or Worker.objects.filter(is_demo=True).exists():
        return
    east_user = User.objects.get(username="east_office")
    meigu = Region.objects.get(code="513436")
    yinzhou = Region.objects.get(code="330212")
    today = timezone.localdate()
    east_office = Organisation.objects.filter(kind="office", region__code="330212").first() or Organisation.objects.filter(
        region__code__startswith="33").first()
    employer, _c = Organisation.objects.get_or_create(name="宁波甬江电子有限公司", defaults={"kind": "enterprise", "region": yinzhou})
    people = [("吉克阿依", "alleviated", ["电子装配", "普工"], ["33"]), ("阿苦日火", "monitored", ["建筑施工", "钢筋工"], ["33", "44"]),
              ("曲比拉者", "alleviated", ["餐饮服务", "厨师"], ["51", "33"]), ("海来木呷", "other", ["驾驶", "物流仓储"], ["33"])]
    rows = [WorkerRow(county=meigu, name=n, id_number=make_id_number("513436", datetime.date(1990 + i, 3, 1 + i), 11 + 2 * i),
                      phone=f"1398765{4321 + i:04d}", household_status=s, skills=sk, preferred_provinces=pr,
                      expected_wage_fen=4500 * YUAN, is_demo=True)
            for i, (n, s, sk, pr) in enumerate(people)]
    workers = register_workers(county_user, rows)
    jobs = [
        save_job(east_user, employer=employer, title="电子装配工", place=yinzhou, positions=30, wage_min_fen=5000 * YUAN,
                 wage_max_fen=6500 * YUAN, skills=["电子装配", "普工"], housing=True, occupation_code="6-25-04-01", is_demo=True),
        save_job(east_user, employer=employer, title="仓储物流员", place=yinzhou, positions=10, wage_min_fen=4800 * YUAN,
                 wage_max_fen=6000 * YUAN, skills=["物流仓储", "叉车"], housing=True, is_demo=True),
    ]
    save_training(county_user, county=meigu, course="电子装配订单班", employer=employer, committed_hires=20,
                  starts_on=today - datetime.timedelta(days=150), ends_on=today - datetime.timedelta(days=130), is_demo=True)
    p = record_placement(county_user, worker=workers[0], employer=employer, place=yinzhou, job=jobs[0],
                         start_date=today - datetime.timedelta(days=120), occupation_code="6-25-04-01",
                         monthly_wage_fen=5800 * YUAN, is_demo=True)
    record_check(county_user, placement=p, milestone=3, checked_on=today - datetime.timedelta(days=25), employed=True, wage_months=3)
    seed_rules(county_user, meigu, today.year)
    return Job.objects.filter(is_demo=True).count()

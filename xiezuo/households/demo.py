"""Demo households in 美姑县 (513436) at different steps of the workflow. `seed_demo()` is
called by the demo setup (web/demo.py, the lead wires it); it runs once (skipped when demo
households exist)."""
import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from xiezuo.core.context import acting
from xiezuo.core.personal.idnumbers import make_id_number
from xiezuo.regions.models import Region

from . import actions
from .choices import CaseKind, Category, Channel, Decision, HelpKind, Step
from .models import Household, MonitoringLine, Village

COUNTY = "513436"
VILLAGES = [("513436101201", "洒库乡", "拉木村"), ("513436101202", "洒库乡", "日都村"), ("513436102201", "巴普镇", "峨普村"),
            ("513436102202", "巴普镇", "觉洛村")]
SURNAMES = ["阿依", "吉克", "沙马", "俄木", "曲比", "阿苦", "海来", "吉伍", "马海", "的日"]
GIVEN = ["拉且", "木呷", "阿呷", "石者", "尔古", "友布", "伍沙", "日哈", "克惹", "依洛"]
POST = "美姑县乡村振兴局 监测专干"


def seed_demo(n: int = 36):
    if Household.objects.filter(is_demo=True).exists():
        return 0
    user = get_user_model().objects.get(username="county_office")
    county = Region.objects.get(code=COUNTY)
    today = timezone.localdate()
    MonitoringLine.objects.get_or_create(region=Region.objects.get(code="510000"), year=today.year,
                                         defaults=dict(line_fen=750_000, note="演示：四川省年度监测范围"))
    villages = [Village.objects.get_or_create(code=c, defaults=dict(name=v, township_code=c[:9], township_name=t,
                                                                    county=county, is_demo=True))[0]
                for c, t, v in VILLAGES]
    made = 0
    with acting(user, via="demo"):
        for i in range(n):
            v = villages[i % len(villages)]
            size = 2 + i % 5
            members = []
            for k in range(size):
                born = datetime.date(1958 + (i * 7 + k * 11) % 60, 1 + (i + k) % 12, 1 + (i * 3 + k) % 28)
                members.append(dict(relation="head" if k == 0 else ("spouse" if k == 1 else "child"),
                                    name=SURNAMES[(i + k) % 10] + GIVEN[(i * 3 + k) % 10],
                                    id_number=make_id_number(COUNTY, born, 900 + (i * 7 + k) % 100),
                                    phone=f"139{(i * 7919 + k) % 10**8:08d}" if k < 2 else "",
                                    health="serious" if (i % 6 == 0 and k == 0) else "healthy",
                                    health_note="尿毒症透析" if (i % 6 == 0 and k == 0) else "",
                                    employment="migrant" if k == 1 else "farming"))
            h = actions.save_household(user, v, dict(number=f"5134361{i:05d}", address=f"{v.township_name}{v.name}{1 + i % 6}组",
                                                     bank_account=f"6217{i:012d}", formerly_poor=i % 2 == 0,
                                                     housing_safe=i % 9 != 4, water_safe=i % 11 != 5), members, is_demo=True)
            last = today.replace(day=1) - datetime.timedelta(days=1)
            income = 500_000 * size if i % 3 == 0 else 1_300_000 * size
            actions.record_income(user, h, last.replace(day=1), persons=size, wages_fen=income * 6 // 10,
                                  production_fen=income * 3 // 10, transfer_fen=income // 10,
                                  medical_cost_fen=2_000_000 if i % 6 == 0 else 0)
            _workflow(user, h, i, today)
            made += 1
    return made


def _workflow(user, h, i, today):
    """Households at each step: clue only, waiting for consent, visited, on notice, with the
    township, monitored with help, exited."""
    stage = i % 8
    if stage == 0:
        return
    start = today - datetime.timedelta(days=2 if stage < 4 else 20)
    channel = (Channel.APPLICATION, Channel.CADRE, Channel.DEPARTMENT)[i % 3]
    consent = start if channel == Channel.APPLICATION and stage != 1 else None
    case = actions.open_case(user, h, channel=channel, clue_on=start, post=POST, consent_on=consent,
                             consent_by="户主" if consent else "", proposed_category=(Category.UNSTABLE, Category.MARGINAL, Category.SUDDEN)[i % 3],
                             source="县医保局大病支出筛查名单" if channel == Channel.DEPARTMENT else "", is_demo=True)
    if stage == 1 and channel == Channel.APPLICATION or stage == 2:
        return
    d = start + datetime.timedelta(days=1)
    actions.advance(user, case, step=Step.VISIT, done_on=d, post="驻村第一书记", finding="入户核实：收入与支出属实")
    if stage == 3:
        return
    actions.advance(user, case, step=Step.REVIEW, done_on=d + datetime.timedelta(days=1), post="村委会", finding="村民代表评议通过")
    actions.advance(user, case, step=Step.NOTICE, done_on=d + datetime.timedelta(days=7), post="村委会",
                    notice_from=d + datetime.timedelta(days=2), notice_to=d + datetime.timedelta(days=7))
    if stage == 4:
        return
    actions.advance(user, case, step=Step.TOWNSHIP, done_on=d + datetime.timedelta(days=8), post="乡镇乡村振兴办")
    if stage == 5:
        return
    actions.decide(user, case, decision=Decision.APPROVED, on=d + datetime.timedelta(days=9), post=POST)
    h.refresh_from_db()
    actions.add_help(user, h, kind=(HelpKind.EMPLOYMENT, HelpKind.MEDICAL, HelpKind.INSURANCE)[i % 3],
                     description=("劳务协作转移就业到宁波", "大病医疗救助", "防返贫保险理赔")[i % 3],
                     started_on=d + datetime.timedelta(days=10), post=POST, is_demo=True)
    if stage == 7:
        exit_case = actions.open_case(user, h, kind=CaseKind.EXIT, channel=Channel.CADRE, clue_on=d + datetime.timedelta(days=11),
                                      post=POST, is_demo=True)
        e = d + datetime.timedelta(days=11)
        actions.advance(user, exit_case, step=Step.VISIT, done_on=e, post="驻村第一书记", finding="务工收入稳定")
        actions.advance(user, exit_case, step=Step.REVIEW, done_on=e, post="村委会")
        actions.advance(user, exit_case, step=Step.NOTICE, done_on=e + datetime.timedelta(days=5), post="村委会",
                        notice_from=e + datetime.timedelta(days=1), notice_to=e + datetime.timedelta(days=5))
        actions.advance(user, exit_case, step=Step.TOWNSHIP, done_on=e + datetime.timedelta(days=6), post="乡镇乡村振兴办")
        actions.decide(user, exit_case, decision=Decision.APPROVED, on=e + datetime.timedelta(days=7), post=POST)

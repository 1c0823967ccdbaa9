"""Demo data: one user per role, offices, plausible city and county pairs, agreements.

Everything made here is marked is_demo (shown as “演示数据” on screen) except the real
province pairings and the region tree, which come from their own loaders. Writes go
through the actions as the national coordinator, so the demo also fills the audit log.
"""
import datetime

from django.contrib.auth import get_user_model
from django.db import transaction

from xiezuo.users.models import Profile
from xiezuo.core.context import acting
from xiezuo.orgs.actions import save_organisation
from xiezuo.orgs.credit_code import make_credit_code
from xiezuo.orgs.models import Organisation
from xiezuo.pairings.actions import create_pairing, save_agreement
from xiezuo.pairings.loader import load_province_pairings
from xiezuo.pairings.models import Agreement, Pairing
from xiezuo.regions.actions import get_region, save_region_fact, set_key_assistance
from xiezuo.regions.models import Region

DEMO_PASSWORD = "xiezuo-demo"
START = datetime.date(2021, 1, 1)

# (east code, west code): plausible city–city/county pairs (demo, not the official list).
CITY_PAIRS = [
    ("330100", "513200"),  # 杭州 — 阿坝
    ("330200", "513400"),  # 宁波 — 凉山
    ("330300", "510800"),  # 温州 — 广元
    ("440100", "520100"),  # 广州 — 贵阳 (demo)
    ("320100", "610100"),  # 南京 — 西安 (demo)
]
COUNTY_PAIRS = [
    ("330212", "513436"),  # 鄞州区 — 美姑县  (the county_office user's county)
    ("330281", "513431"),  # 余姚市 — 昭觉县
    ("330282", "513429"),  # 慈溪市 — 布拖县
    ("330106", "513228"),  # 西湖区 — 黑水县
    ("330324", "510822"),  # 永嘉县 — 青川县
]
KEY_COUNTIES = ["513436", "513431", "513429", "513430", "513428"]  # 美姑 昭觉 布拖 金阳 普格


def _credit(seq: int, division: str) -> str:
    return make_credit_code(f"12{division}MB{seq:07d}"[:17])


def _office(user, region_code: str, seq: int, name=None, kind="office") -> Organisation:
    region = get_region(region_code)
    name = name or f"{region.name}东西部协作办公室"
    existing = Organisation.objects.filter(region=region, name=name).first()
    if existing:
        return existing
    return save_organisation(user, name=name, kind=kind, region=region, credit_code=_credit(seq, region.code), is_demo=True)


def _user(username, role, org):
    User = get_user_model()
    user, created = User.objects.get_or_create(username=username, defaults={"is_staff": role == "national"})
    if created or not user.check_password(DEMO_PASSWORD):
        user.set_password(DEMO_PASSWORD)
        user.save()
    Profile.objects.update_or_create(user=user, defaults={"role": role, "organisation": org})
    return user


@transaction.atomic
def seed_demo(stdout=None):
    say = (stdout.write if stdout else lambda s: None)
    load_province_pairings()
    ministry = Organisation.objects.filter(kind="ministry").first() or Organisation.objects.create(
        name="国家乡村振兴局 东西部协作司（演示）", kind="ministry", region=get_region("110000"), is_demo=True
    )
    national = _user("national", "national", ministry)
    national.is_superuser = True
    national.save(update_fields=["is_superuser"])
    with acting(national, via="command"):
        seq = 1
        offices = {}
        for p in Pairing.objects.filter(kind="province"):
            for region in (p.east_region, p.west_region):
                if region.code not in offices:
                    offices[region.code] = _office(national, region.code, seq)
                    seq += 1
        for east, west in CITY_PAIRS + COUNTY_PAIRS:
            for code in (east, west):
                if code not in offices:
                    offices[code] = _office(national, code, seq)
                    seq += 1
        evaluator = _office(national, "110108", seq, name="中国农业大学国家乡村振兴研究院第三方评估组（演示）", kind="evaluator")
        school_e = _office(national, "330212", seq + 1, name="宁波市鄞州区实验中学（演示）", kind="school")
        school_w = _office(national, "513436", seq + 2, name="美姑县民族中学（演示）", kind="school")
        hosp_e = _office(national, "330200", seq + 3, name="宁波市第一医院（演示）", kind="hospital")
        hosp_w = _office(national, "513400", seq + 4, name="凉山州第一人民医院（演示）", kind="hospital")
        firm = _office(national, "330212", seq + 5, name="宁波甬美农业发展有限公司（演示）", kind="enterprise")
        foundation = _office(national, "310101", seq + 6, name="上海东西部协作公益基金会（演示）", kind="foundation")
        social = _office(national, "330106", seq + 7, name="杭州西湖乡村振兴服务中心（演示）", kind="social")

        made = 0
        for kind, pairs in (("prefecture", CITY_PAIRS), ("county", COUNTY_PAIRS)):
            for east, west in pairs:
                e, w = get_region(east), get_region(west)
                if not Pairing.objects.filter(kind=kind, east_region=e, west_region=w).exists():
                    create_pairing(national, kind=kind, east_region=e, west_region=w, valid_from=START, is_demo=True,
                                   reason="演示数据：按省际结对关系安排")
                    made += 1
        for kind, values in (
            ("school", dict(east_org=school_e, west_org=school_w)),
            ("hospital", dict(east_org=hosp_e, west_org=hosp_w)),
            ("enterprise_village", dict(east_org=firm, east_region=firm.region, west_region=get_region("513436"), west_village="洒库乡拉木村")),
            ("social_village", dict(east_org=social, east_region=social.region, west_region=get_region("513228"), west_village="芦花镇三达古村")),
        ):
            if not Pairing.objects.filter(kind=kind, east_org=values["east_org"]).exists():
                create_pairing(national, kind=kind, valid_from=datetime.date(2022, 3, 1), is_demo=True, reason="演示数据：组团式帮扶", **values)
                made += 1
        say(f"demo pairings created: {made}")

        agreements = 0
        for p in Pairing.objects.select_related("east_region", "west_region"):
            base = {"province": 200_000_000_00, "prefecture": 30_000_000_00, "county": 5_000_000_00}.get(p.kind, 50_000_00)
            for i, year in enumerate((2024, 2025, 2026)):
                if Agreement.objects.filter(pairing=p, year=year).exists():
                    continue
                grow = 100 + 3 * i + (int(p.west_region.code) % 7)
                save_agreement(
                    national, pairing=p, year=year, is_demo=True,
                    fiscal_aid_fen=base * grow // 100,
                    funds_due_date=datetime.date(year, 6, 30),
                    cadres={"province": 40, "prefecture": 8, "county": 2}.get(p.kind, 0),
                    professionals={"province": 900, "prefecture": 120, "county": 20}.get(p.kind, 3),
                    labour_placements={"province": 30000, "prefecture": 3000, "county": 500}.get(p.kind, 0),
                    consumption_fen=base * 3 * grow // 100,
                    projects={"province": 120, "prefecture": 25, "county": 6}.get(p.kind, 1),
                    signed_on=datetime.date(year, 3, 15),
                    note="演示数据",
                )
                agreements += 1
        say(f"demo agreements created: {agreements}")

        for code in KEY_COUNTIES:
            set_key_assistance(national, get_region(code), True)
        for i, code in enumerate(["510000", "330000", "513400", "513436", "513431", "330212"]):
            region = get_region(code)
            scale = {"province": 1000, "prefecture": 100}.get(region.level, 10)
            for year in (2023, 2024, 2025):
                save_region_fact(
                    national, region, year, is_demo=True,
                    population=scale * (2000 + 37 * i) * 100 // 10,
                    gdp_wan=scale * (120_000 + 9_000 * i + 4_000 * (year - 2023)),
                    rural_income_yuan=14_000 + 900 * (year - 2023) + 1_500 * i,
                    primary_share="18.50", secondary_share="36.20", tertiary_share="45.30",
                    labour_force=scale * (1200 + 20 * i) * 100 // 10,
                )

    _user("east_office", "office_admin", offices["330000"])
    _user("west_office", "office_admin", offices["510000"])
    _user("county_office", "office_editor", offices["513436"])
    _user("viewer", "viewer", offices["510000"])
    _user("auditor", "auditor", evaluator)
    _user("foundation", "viewer", foundation)
    say("demo users: national, east_office, west_office, county_office, viewer, auditor (password %s)" % DEMO_PASSWORD)
    return {"regions": Region.objects.count()}


def seed_loop_demo(stdout=None):
    """Two 限期整改 orders issued by hand by the Sichuan office (west_office) to 美姑县 about
    its projects, so the demo shows an order on the county project officer's 我的事项
    (county_office) and, the county having submitted its closure of the second, a closure
    waiting on west_office's. After the rhythm's posts exist; once (skipped when any order
    issued by hand exists)."""
    from xiezuo.assessment import orders
    from xiezuo.assessment.models import RectificationOrder
    from xiezuo.projects.models import Project

    say = (stdout.write if stdout else lambda s: None)
    if RectificationOrder.objects.filter(rule__isnull=True).exists():
        return 0
    User = get_user_model()
    west, county = User.objects.get(username="west_office"), User.objects.get(username="county_office")
    meigu = Organisation.objects.filter(kind="office", region__code="513436").order_by("pk").first()
    projects = list(Project.objects.filter(county__code="513436").order_by("pk")[:2])
    if meigu is None or not projects:
        return 0
    made = []
    with acting(west, via="command"):
        for project, text in zip(projects, ("项目进度滞后于计划，周报反映的问题未见整改措施。请制定整改方案，明确节点和责任人，按期完成。",
                                            "项目资金支出进度偏慢，请核实原因并加快实施。")):
            made.append(orders.issue_order(west, owner_office=meigu, project=project, title=f"{project.name}：进度整改（演示数据）",
                                           reason=text, working_days=10))
    if len(made) > 1:
        with acting(county, via="command"):
            orders.submit_closure(county, made[1], text="已召开项目推进会，调整施工计划，支出进度已赶上计划（演示数据）。")
    say(f"demo orders issued by hand: {len(made)}")
    return len(made)

"""Demo rows of the rhythm: posts of a few offices, last month's consultation of the Sichuan
office (with an agenda, minutes and decisions, one of them overdue) and a county pair's plan.

Called by the demo seeding after the offices and users exist; idempotent. Writes go
through the actions as the national coordinator, like the rest of the demo.
"""
import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from xiezuo.core.context import acting
from xiezuo.orgs.models import Organisation
from xiezuo.pairings.models import Pairing
from xiezuo.projects.models import Project

from . import actions
from .models import Consultation, Plan, Post

# (office region code or "ministry", post, duties, leading, holders)
POSTS = [
    ("ministry", "司领导", "统筹全国东西部协作工作；接收各省逾期未办事项。", True, ["national"]),
    ("330000", "办公室主任", "主持浙江省东西部协作办公室工作；召集月会商；接收省内逾期事项。", True, ["east_office"]),
    ("330000", "资金监管岗", "跟踪财政援助资金下达、到位；督办逾期资金。", False, []),
    ("510000", "办公室主任", "主持四川省东西部协作办公室工作；召集月会商；接收省内逾期事项。", True, ["west_office"]),
    ("510000", "项目督导岗", "督导协作项目周报、里程碑；整理周调度清单。", False, []),
    ("513400", "办公室主任", "主持凉山州东西部协作工作；接收县级逾期事项。", True, []),
    ("513436", "项目推进岗", "美姑县协作项目专管岗：推进本县协作项目，按周填报进度；接收项目的整改通知和干预工单；落实会商决定事项。",
     False, ["county_office"]),
]
# The project officer's posts (项目专管岗): (office region code, post) in charge of every
# project of the office's county. The county's leading post is left vacant on purpose, so
# the demo shows its items standing in on 我的事项 of the office's staff.
PROJECT_OFFICERS = [("513436", "项目推进岗")]


def _office(code):
    if code == "ministry":
        return Organisation.objects.filter(kind="ministry").order_by("pk").first()
    return Organisation.objects.filter(kind="office", region__code=code).order_by("pk").first()


def seed_rhythm_demo(stdout=None, today: datetime.date | None = None):
    say = (stdout.write if stdout else lambda s: None)
    User = get_user_model()
    national = User.objects.get(username="national")
    today = today or timezone.localdate()
    made = {}
    with acting(national, via="command"):
        for code, name, duties, lead, holders in POSTS:
            office = _office(code)
            if office is None:
                continue
            post = Post.objects.filter(office=office, name=name).first()
            if post is None:
                lead = lead and not Post.objects.filter(office=office, is_lead=True).exists()
                post = actions.save_post(national, office=office, name=name, duties=duties, is_lead=lead,
                                         holders=list(User.objects.filter(username__in=holders)))
            made[(code, name)] = post
        say(f"demo posts: {len(made)}")
        for code, name in PROJECT_OFFICERS:
            post = made.get((code, name))
            if post is not None and not post.projects.exists():
                projects = list(Project.objects.filter(county__code=code))
                actions.save_post(national, post, name=post.name, duties=post.duties, is_lead=post.is_lead,
                                  holders=list(post.holders.all()), projects=projects)
                say(f"demo project officer's post {post}: {len(projects)} projects")

        sichuan = _office("510000")
        month = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)  # last month
        if sichuan and not Consultation.objects.filter(office=sichuan, month=month).exists():
            meeting = month.replace(day=5)
            c = actions.create_consultation(national, office=sichuan, month=month, meeting_date=meeting, is_demo=True)
            actions.compile_agenda(national, c, today=meeting)
            actions.record_minutes(national, c, minutes=(
                "演示数据。出席：省协作办主任、项目督导岗，凉山州、美姑县协作办（视频）。\n"
                "一、通报周调度清单：逾期里程碑、未报周报项目、逾期未到位资金。\n"
                "二、研究财政援助资金到位滞后问题，明确责任岗位和完成时限。\n"
                "三、部署下月重点工作。"))
            county_post = made.get(("513436", "项目推进岗"))
            if county_post:
                actions.add_action_item(national, c, decision="美姑县补报所有在建项目缺报周报，并说明原因",
                                        owner_post=county_post, deadline=meeting + datetime.timedelta(days=10))
            supervisor = made.get(("510000", "项目督导岗"))
            if supervisor:
                actions.add_action_item(national, c, decision="梳理全省逾期里程碑清单，逐项明确整改时限",
                                        owner_post=supervisor, deadline=max(today, meeting) + datetime.timedelta(days=14))
            say("demo consultation: 1")

        pairing = Pairing.objects.filter(kind="county", east_region__code="330212", west_region__code="513436").first()
        if pairing and not Plan.objects.filter(pairing=pairing).exists():
            plan = actions.create_plan(national, pairing=pairing, title="鄞州—美姑东西部协作三年行动计划", start_year=2024, end_year=2026,
                                       goals="每年财政援助资金按期到位率不低于95%；\n建成高山特色农产品加工基地1个；\n转移就业每年不少于500人。",
                                       is_demo=True)
            actions.evaluate_plan(national, plan, year=2024, rating="fairly_good", evaluated_on=datetime.date(2025, 2, 20),
                                  summary="演示数据。资金按期到位，加工基地主体完工；转移就业完成率92%。")
            actions.evaluate_plan(national, plan, year=2025, rating="good", evaluated_on=datetime.date(2026, 2, 18),
                                  summary="演示数据。各项指标全部完成。")
            actions.adjust_plan(national, plan, reason="演示数据。加工基地提前建成，增加冷链物流目标。", adjusted_on=datetime.date(2025, 7, 1),
                                goals=plan.goals + "\n新增：建成县级冷链物流中心1个。")
            say("demo plan: 1")
    return made

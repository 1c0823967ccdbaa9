"""Demo data of social help (the lead calls `seed_demo()` from the demo setup, after the base
demo): a cadre of 鄞州区 on post in 美姑县, a social-help project, and needs in several stages —
one awaiting review, one published, one confirmed with its result — so that every page and
the weekly sheet's list have something to show. Idempotent; marked as demo data. Every step
goes through the actions (the audit log has each): the confirmed need is taken up by the demo
social organisation's user (`social_org`, made here), and its pledge is paid through the
ledger as a social donation like any other."""
import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from xiezuo.core.context import acting
from xiezuo.orgs.models import Organisation
from xiezuo.pairings.models import Pairing
from xiezuo.people.models import Dispatch
from xiezuo.projects.models import Project
from xiezuo.regions.models import Region

from . import actions
from .models import Need


SOCIAL_USER = "social_org"


def _social_user():
    """The demo's social organisation's staff member (a viewer of 杭州西湖乡村振兴服务中心, who
    takes up needs for it), created here with the demo's password; None without that organisation."""
    from xiezuo.users.models import Profile

    social = Organisation.objects.filter(kind="social").order_by("id").first()
    if social is None:
        return None
    User = get_user_model()
    user, created = User.objects.get_or_create(username=SOCIAL_USER)
    if created:
        user.set_password("xiezuo-demo")
        user.save()
    Profile.objects.update_or_create(user=user, defaults={"role": "viewer", "organisation": social})
    return user


@transaction.atomic
def seed_demo(stdout=None):
    from xiezuo.people.actions import save_dispatch
    from xiezuo.projects.actions import create_project

    User = get_user_model()
    national = User.objects.get(username="national")
    today = timezone.localdate()
    meigu = Region.objects.get(code="513436")
    if Need.objects.filter(is_demo=True).exists():
        return 0
    with acting(national, via="command"):
        east_office = Organisation.objects.get(kind="office", region__code="330212")
        west_office = Organisation.objects.get(kind="office", region__code="513436")
        cadre = Dispatch.objects.filter(kind="cadre", direction="e2w", to_org=west_office, actual_end__isnull=True).first() or save_dispatch(
            national, person_name="陈挂职（演示）", kind="cadre", direction="e2w", from_org=east_office, to_org=west_office,
            planned_start=today - datetime.timedelta(days=200), planned_end=today + datetime.timedelta(days=530),
            actual_start=today - datetime.timedelta(days=200), is_demo=True)
        pair = Pairing.objects.get(kind="county", east_region__code="330212", west_region__code="513436")
        project = Project.objects.filter(county=meigu, category="social", is_demo=True).first() or create_project(
            national, name="美姑县社会帮扶项目（演示）", category="social", county=meigu, pairing=pair,
            planned_start=today - datetime.timedelta(days=120), planned_end=today + datetime.timedelta(days=240), is_demo=True)
        base = dict(county=meigu, cadre=cadre, project=project, is_demo=True)
        actions.record_need(national, village="洒库乡拉木村", category="medical", description="村卫生室缺少血压计、血糖仪和药品柜",
                            budget_fen=1_200_000, beneficiaries=860, **base)
        published = actions.record_need(national, village="依果觉乡", category="skills", description="30名青年需要电工和焊工订单式培训",
                                        budget_fen=4_500_000, beneficiaries=30, **base)
        actions.review_need(national, published, publish=True, note="演示数据")
        done = actions.record_need(national, village="巴普镇", category="education", description="拉木村小学42名学生需要冬季校服和文具",
                                   budget_fen=2_000_000, beneficiaries=42, **base)
        actions.review_need(national, done, publish=True, note="演示数据")
        social_user = _social_user()
        foundation_user = User.objects.filter(username="foundation").first()
        if social_user is not None and foundation_user is not None:
            with acting(social_user, via="command"):  # through the action, so the audit log names who took it up
                done = actions.take_up(social_user, done)
            with acting(foundation_user, via="command"):
                pledge = actions.pledge(foundation_user, done, amount_fen=2_000_000, is_demo=True)
                actions.pay_pledge(foundation_user, pledge, paid_on=today)
            done.refresh_from_db()
            actions.record_result(national, done, summary="42名学生领到冬季校服和文具", evidence="签收单 DEMO-QS-01",
                                  beneficiaries_reached=42, completed_on=today)
            actions.confirm_result(national, done)
    if stdout:
        stdout.write("demo needs created: 3")
    return 3

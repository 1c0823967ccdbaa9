"""The social-help world: a cadre of 鄞州区 on post in 美姑县, a social-help project there,
users of the demo's social organisation (杭州) and foundation (上海)."""
import datetime

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from tests.support import english_client_as, gd_office, office  # noqa: F401 (fixtures)
from xiezuo.orgs.models import Organisation
from xiezuo.pairings.models import Pairing
from xiezuo.people.actions import save_dispatch
from xiezuo.projects.actions import create_project
from xiezuo.regions.models import Region
from xiezuo.social import actions
from xiezuo.users.models import Profile

DAY = datetime.timedelta(days=1)


@pytest.fixture
def today():
    return timezone.localdate()


def member(username, org, role="viewer"):
    user = get_user_model().objects.create_user(username)
    Profile.objects.create(user=user, role=role, organisation=org)
    return user


@pytest.fixture
def sw(users, today):
    county = users["county_office"]
    meigu = Region.objects.get(code="513436")
    cadre = save_dispatch(county, person_name="张干部", kind="cadre", direction="e2w", from_org=office("330212"), to_org=office("513436"),
                          planned_start=today - 60 * DAY, planned_end=today + 600 * DAY, actual_start=today - 60 * DAY)
    pair = Pairing.objects.get(kind="county", east_region__code="330212", west_region__code="513436")
    project = create_project(county, name="美姑县社会帮扶助学项目", category="social", county=meigu, pairing=pair,
                             planned_start=today - 10 * DAY, planned_end=today + 300 * DAY)
    social_org = Organisation.objects.get(kind="social", name__startswith="杭州西湖")
    foundation_org = Organisation.objects.get(kind="foundation")
    social = get_user_model().objects.filter(username="social_org").first() or member("social_org", social_org)
    foundation = get_user_model().objects.get(username="foundation")
    other_social = member("other_social", Organisation.objects.create(name="另一家社会组织", kind="social", region=Region.objects.get(code="310104")))
    need = actions.record_need(county, county=meigu, village="洒库乡拉木村", category="education",
                               description="拉木村小学42名学生需要冬季校服和文具", budget_fen=2_000_000, beneficiaries=42, cadre=cadre,
                               project=project)
    return {"meigu": meigu, "cadre": cadre, "project": project, "social_org": social_org, "foundation_org": foundation_org,
            "social": social, "foundation": foundation, "other_social": other_social, "need": need, "pair": pair}


@pytest.fixture
def users(users, sw_users):
    return {**users, **sw_users}


@pytest.fixture
def sw_users(db):
    from tests.support import office

    User = get_user_model()
    out = {"foundation": User.objects.get(username="foundation")}
    gd = User.objects.filter(username="gd_office").first()
    if gd is None:
        gd = User.objects.create_user("gd_office")
        Profile.objects.create(user=gd, role="office_admin", organisation=office("440000"))
    out["gd_office"] = gd
    return out

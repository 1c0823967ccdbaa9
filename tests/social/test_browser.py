"""From a published need to its funded and confirmed result, in a real browser (set up as in
tests/web/test_browser.py: headless Chromium, the live server, the base data restored): the
social organisation takes the need up, the foundation pledges and pays into the project's
account through the ledger, the organisation records the result, the county confirms it."""
import datetime

import pytest
from django.utils import timezone

from tests.web.test_browser import PASSWORD, SHOTS, base_data, browser, page_as, restore_base_data  # noqa: F401

pytestmark = pytest.mark.browser


def _shot(page, name):
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_a_published_need_to_its_funded_and_confirmed_result(page_as, live_server):
    from django.contrib.auth import get_user_model

    from tests.support import office
    from xiezuo.ledger.models import Posting
    from xiezuo.orgs.models import Organisation
    from xiezuo.pairings.models import Pairing
    from xiezuo.people.actions import save_dispatch
    from xiezuo.projects.actions import create_project
    from xiezuo.regions.models import Region
    from xiezuo.social import actions
    from xiezuo.social.models import Need
    from xiezuo.users.models import Profile

    User = get_user_model()
    county_user, east_user = User.objects.get(username="county_office"), User.objects.get(username="east_office")
    social_user = User.objects.create_user("social_org", password=PASSWORD)
    Profile.objects.create(user=social_user, role="viewer", organisation=Organisation.objects.get(kind="social", name__startswith="杭州西湖"))
    today = timezone.localdate()
    meigu = Region.objects.get(code="513436")
    cadre = save_dispatch(county_user, person_name="张干部", kind="cadre", direction="e2w", from_org=office("330212"),
                          to_org=office("513436"), planned_start=today - datetime.timedelta(days=60),
                          planned_end=today + datetime.timedelta(days=600), actual_start=today - datetime.timedelta(days=60))
    pair = Pairing.objects.get(kind="county", east_region__code="330212", west_region__code="513436")
    project = create_project(county_user, name="美姑县冬季助学项目", category="social", county=meigu, pairing=pair,
                             planned_start=today - datetime.timedelta(days=5), planned_end=today + datetime.timedelta(days=200))
    need = actions.record_need(county_user, county=meigu, village="洒库乡拉木村", category="education",
                               description="拉木村小学42名学生需要冬季校服和文具", budget_fen=2_000_000, beneficiaries=42, cadre=cadre,
                               project=project)
    actions.review_need(east_user, need, publish=True, note="符合帮扶方向")
    url = live_server.url + f"/social/{need.pk}/"

    social = page_as("social_org")
    social.goto(live_server.url + "/social/")
    assert "洒库乡拉木村" in social.content() and "张干部" not in social.content()
    _shot(social, "social-published-list")
    social.goto(url)
    assert "张干部" not in social.content()
    social.locator("[data-testid=take]").click()
    social.wait_for_load_state()
    assert Need.objects.get(pk=need.pk).status == "taken"

    foundation = page_as("foundation")
    foundation.goto(url)
    foundation.locator("[data-testid=pledge] [name=amount_fen]").fill("20000")
    foundation.locator("[data-testid=pledge-submit]").click()
    foundation.wait_for_selector("[data-testid=pay]")
    foundation.locator("[data-testid=pay]").click()
    foundation.wait_for_load_state()
    foundation.wait_for_selector("text=#")
    _shot(foundation, "social-pledge-paid")
    pledge = Need.objects.get(pk=need.pk).pledges.get()
    assert pledge.paid_on == today and Posting.objects.get(pk=pledge.posting_id).project_id == project.pk
    assert Need.objects.get(pk=need.pk).status == "funded"

    social.goto(url)
    form = social.locator("[data-testid=result-form]")
    form.locator("[name=summary]").fill("42名学生领到冬季校服和文具")
    form.locator("[name=evidence]").fill("签收单 QS-2026-12")
    form.locator("[name=beneficiaries_reached]").fill("42")
    form.locator("[data-testid=result-submit]").click()
    social.wait_for_selector("[data-testid=result]")
    assert Need.objects.get(pk=need.pk).status == "done"

    county = page_as("county_office")
    county.goto(url)
    assert "张干部" in county.content()
    county.locator("[data-testid=confirm]").click()
    county.wait_for_load_state()
    county.wait_for_selector("[data-testid=result]")
    _shot(county, "social-confirmed")
    need.refresh_from_db()
    assert need.status == "confirmed" and need.confirmed_by == county_user

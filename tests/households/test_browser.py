"""From a clue to the county's decision and a help measure, in a real browser (set up as in
tests/web/test_browser.py: headless Chromium, the live server, the base data restored)."""
import datetime

import pytest
from django.utils import timezone

from tests.web.test_browser import SHOTS, base_data, browser, page_as, restore_base_data  # noqa: F401

pytestmark = pytest.mark.browser


def _shot(page, name):
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_a_clue_to_a_county_decision_and_a_help_measure(page_as, live_server):
    from django.contrib.auth import get_user_model

    from .helpers import household, line

    user = get_user_model().objects.get(username="county_office")
    line()
    h = household(user, members=3)
    today = timezone.localdate()
    day = lambda n: (today - datetime.timedelta(days=n)).isoformat()  # noqa: E731

    page = page_as("county_office")
    page.goto(live_server.url + f"/households/{h.pk}/")
    assert h.members.first().id_number not in page.content()
    page.locator("[data-testid=clue-form]").evaluate("f => f.closest('details').open = true")
    form = page.locator("[data-testid=clue-form]")
    form.locator("[name=channel]").select_option("cadre")
    form.locator("[name=clue_on]").fill(day(12))
    form.locator("[name=proposed_category]").select_option("marginal")
    form.locator("[name=post]").fill("驻村第一书记")
    form.locator("button").click()
    page.wait_for_selector("[data-testid=step-form]")
    _shot(page, "households-clue")

    for step, done, extra in (("visit", 11, {}), ("review", 10, {}), ("notice", 5, {"notice_from": 9, "notice_to": 5}),
                              ("township", 4, {})):
        form = page.locator("[data-testid=step-form]")
        form.locator("[name=done_on]").fill(day(done))
        for name, n in extra.items():
            form.locator(f"[name={name}]").fill(day(n))
        form.locator("[name=post]").fill("村委会" if step in ("review", "notice") else "乡镇乡村振兴办")
        form.locator("button").click()
        page.wait_for_load_state()
    form = page.locator("[data-testid=decision-form]")
    form.locator("[name=decision]").select_option("approved")
    form.locator("[name=category]").select_option("marginal")
    form.locator("[name=on]").fill(day(3))
    form.locator("[name=post]").fill("县乡村振兴局")
    form.locator("button").click()
    page.wait_for_selector("[data-testid=category]")
    assert page.locator("[data-testid=status]").inner_text() in ("monitored", "监测对象", "监测中")

    page.locator("[data-testid=help-form]").evaluate("f => f.closest('details').open = true")
    form = page.locator("[data-testid=help-form]")
    form.locator("[name=kind]").select_option("employment")
    form.locator("[name=description]").fill("劳务协作转移就业到宁波")
    form.locator("[name=started_on]").fill(day(2))
    form.locator("[name=post]").fill("县乡村振兴局")
    form.locator("button").click()
    page.wait_for_selector("text=劳务协作转移就业到宁波")
    _shot(page, "households-decided-with-help")
    h.refresh_from_db()
    assert h.status == "monitored" and h.category == "marginal" and h.help.count() == 1
    assert [s.step for s in h.cases.get().steps.all()] == ["clue", "visit", "review", "notice", "township", "county"]
    text = page.content()
    assert all(m.id_number not in text and m.phone not in text for m in h.members.all())

    # show the full numbers: a purpose, then the numbers and the logged banner
    page.locator("[data-testid=reveal-form] [name=purpose]").fill("核实务工补贴发放")
    page.locator("[data-testid=reveal-form] button").click()
    page.wait_for_selector("[data-testid=revealed]")
    assert h.members.first().id_number in page.content()
    _shot(page, "households-revealed")


def test_the_list_the_figures_and_a_viewer_sees_counts_only(page_as, live_server):
    from django.contrib.auth import get_user_model

    from xiezuo.households import actions

    from .helpers import D, household, line

    user = get_user_model().objects.get(username="county_office")
    line()
    h = household(user, members=2)
    actions.open_case(user, h, channel="cadre", clue_on=D(2026, 1, 5), post="驻村第一书记")  # long overdue
    page = page_as("county_office")
    page.goto(live_server.url + "/households/?county=513436")
    assert h.number in page.inner_text("[data-testid=households]")
    _shot(page, "households-list")
    page.goto(live_server.url + "/households/figures/?level=township&prefix=513436")
    assert "513436101" in page.inner_text("[data-testid=household-figures]")
    _shot(page, "households-figures")
    viewer = page_as("viewer")
    viewer.goto(live_server.url + "/households/")
    assert viewer.locator("[data-testid=household-figures]").count() == 1
    assert h.number not in viewer.content()

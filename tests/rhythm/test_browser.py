"""The rhythm in a real browser: the province office opens its weekly sheet, compiles the
agenda of its monthly consultation and records a decision for a county post; the county
officer finds it under "My items" and closes it with evidence.

Set-up as in tests/web/test_browser.py (headless Debian chromium via Playwright against a live
server; transactional data, base data reloaded when a flush removed it). Screenshots in
screenshots/h7-rhythm/ (git-ignored).
"""
from pathlib import Path

import pytest
from django.utils import timezone

from tests.web.test_browser import PASSWORD, base_data, browser, restore_base_data  # noqa: F401 (the browser fixtures, defined once)

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[2] / "screenshots" / "h7-rhythm"


def _login(browser, live_server, username, errors):
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(live_server.url + "/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form:has(input[name=password]) [type=submit]")
    page.wait_for_url(live_server.url + "/")
    return context, page


def test_decision_from_consultation_to_my_items_to_closure(browser, live_server, base_data):
    from django.contrib.auth import get_user_model

    from xiezuo.orgs.models import Organisation
    from xiezuo.rhythm import actions
    from xiezuo.rhythm.models import ActionItem

    User = get_user_model()
    national = User.objects.get(username="national")
    county = Organisation.objects.get(kind="office", region__code="513436")
    sichuan = Organisation.objects.get(kind="office", region__code="510000")
    post = actions.save_post(national, office=county, name="项目推进岗", duties="推进项目", holders=[User.objects.get(username="county_office")])
    actions.save_post(national, office=sichuan, name="办公室主任", is_lead=True, holders=[User.objects.get(username="west_office")])
    today = timezone.localdate()
    consultation = actions.create_consultation(national, office=sichuan, month=today.replace(day=1), meeting_date=today.replace(day=1))

    errors = []
    ctx, page = _login(browser, live_server, "west_office", errors)
    page.goto(live_server.url + "/weekly/")
    assert page.locator("[data-testid=sheet-summary] .card").count() == 11  # 6 + the 5 channel categories of a western office
    page.screenshot(path=str(SHOTS / "browser-weekly.png"), full_page=True)
    page.goto(live_server.url + consultation.get_absolute_url())
    page.click("form:has(input[name=op][value=compile]) button")
    page.wait_for_load_state()
    assert page.locator("[data-testid=agenda] li").count() >= 1
    form = page.locator("[data-testid=action-form] form")
    form.locator("input[name=decision]").fill("补报缺报周报")
    form.locator("select[name=owner_post]").select_option(str(post.pk))
    form.locator("input[name=deadline]").fill(today.isoformat())
    form.locator("button").click()
    page.wait_for_load_state()
    assert page.locator("[data-testid=decisions] tbody tr").filter(has_text="补报缺报周报").count() == 1
    page.screenshot(path=str(SHOTS / "browser-consultation.png"), full_page=True)
    ctx.close()

    ctx, page = _login(browser, live_server, "county_office", errors)
    page.goto(live_server.url + "/my-items/")
    page.click("text=补报缺报周报")
    page.wait_for_load_state()
    row = page.locator("[data-testid=decisions] tbody tr").filter(has_text="补报缺报周报")
    row.locator("summary").click()
    row.locator("textarea[name=done_note]").fill("已全部补报")
    row.locator("button.btn-success").click()
    page.wait_for_load_state()
    page.screenshot(path=str(SHOTS / "browser-closed.png"), full_page=True)
    item = ActionItem.objects.get(decision="补报缺报周报")
    assert item.done_on == today and item.done_note == "已全部补报"
    page.goto(live_server.url + "/my-items/")
    assert "补报缺报周报" not in page.content()
    ctx.close()
    assert errors == [], errors

"""Re-pairing in a real browser: the national coordinator creates a county scenario for
浙江—四川 that forbids today's 鄞州区—美姑县, reads the proposal (figures, map, the change
with its terms) and approves the change for 美姑县; the pairing's history shows it.

Set-up as in tests/web/test_browser.py (headless chromium via Playwright against a live
server). Screenshots in screenshots/repairing/ (git-ignored).
"""
from pathlib import Path

import pytest

from tests.web.test_browser import PASSWORD, base_data, browser, restore_base_data  # noqa: F401 (the browser fixtures)

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[2] / "screenshots" / "repairing"


def test_scenario_to_approved_change(browser, live_server, base_data):
    from xiezuo.pairings.models import Pairing, PairingChange
    from xiezuo.repairing.models import Change, Scenario

    SHOTS.mkdir(parents=True, exist_ok=True)
    errors = []
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(live_server.url + "/login/")
    page.fill("input[name=username]", "national")
    page.fill("input[name=password]", PASSWORD)
    page.click("form:has(input[name=password]) [type=submit]")
    page.wait_for_url(live_server.url + "/")

    page.goto(live_server.url + "/repairing/")
    page.click("[data-testid=new-scenario]")
    form = page.locator("[data-testid=scenario-form]")
    form.locator("input[name=name]").fill("浙川县级调整")
    form.locator("select[name=level]").select_option("county")
    form.locator("select[name=scope]").select_option("330000-510000")
    form.locator("textarea[name=forbidden]").fill("330212,513436")
    form.locator("input[name=time_limit]").fill("30")
    page.screenshot(path=str(SHOTS / "create.png"), full_page=True)
    form.locator("[data-testid=solve]").click()
    page.wait_for_load_state()
    s = Scenario.objects.get(name="浙川县级调整")
    assert page.url.endswith(s.get_absolute_url())
    page.wait_for_selector("[data-testid=figures]")
    assert page.locator("[data-testid=status]").inner_text().strip() in ("最优", "optimal")
    page.wait_for_selector("#repairing-map[data-ready='1']", timeout=15000)
    page.screenshot(path=str(SHOTS / "detail-top.png"))
    page.locator("[data-testid=duals]").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "detail-duals.png"))

    row = page.locator("[data-testid=changes] tr[data-west='513436']")
    assert "美姑县" in row.inner_text() and "鄞州区" in row.inner_text()
    row.locator("input[name=end_date]").fill("2026-12-31")
    row.locator("[data-testid=approve]").click()
    page.wait_for_load_state()
    page.wait_for_selector("[data-testid=changes] tr[data-west='513436'] [data-testid=approved]")
    page.locator("#changes").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "approved.png"))
    page.locator("[data-testid=changes] tr[data-west='513436']").screenshot(path=str(SHOTS / "approved-row.png"))

    change = Change.objects.get(scenario=s, west__code="513436")
    assert change.status == "approved"
    old = Pairing.objects.get(pk=change.old_pairing_id)
    assert str(old.valid_to) == "2026-12-31"
    from django.utils import translation

    with translation.override("zh-hans"):  # the coordinator works in Chinese: the reason is written in it
        prefix = translation.gettext("re-pairing scenario %(n)s: %(what)s") % {"n": s.pk, "what": ""}
    assert prefix.startswith("结对优化方案")
    assert PairingChange.objects.filter(pairing=old, reason__startswith=prefix).count() == 1
    page.goto(live_server.url + old.get_absolute_url())
    page.screenshot(path=str(SHOTS / "pairing-history.png"), full_page=True)
    page.goto(live_server.url + s.get_absolute_url() + "?print=1")
    page.screenshot(path=str(SHOTS / "print.png"))
    page.goto(live_server.url + "/repairing/model/")
    assert page.locator("[data-testid=terms] tr[data-code=industry]").count() == 1
    page.screenshot(path=str(SHOTS / "model.png"), full_page=True)
    context.close()
    assert errors == [], errors

"""Scorecards on the map in a real browser: the list draws the China map (static/js/
china-map.js, shared with the home page) with the scored provinces shaded and the counties
as points; a county's scorecard draws it among the counties of its province. Screenshots
in screenshots/ (git-ignored).

Set-up as in tests/test_browser.py (headless Debian chromium via Playwright against a live
server; transactional data, base data reloaded when a flush removed it).
"""
import pytest

from .test_browser import SHOTS, base_data, browser, page_as, restore_base_data  # noqa: F401 (the browser fixtures, defined once)

pytestmark = pytest.mark.browser


def _map_drawn(page):
    page.wait_for_selector("#scorecard-map[data-ready='1']", timeout=10_000)
    assert page.locator("#scorecard-map canvas").count() >= 1  # drawn, not an error text in its place


def test_the_scorecard_maps_are_drawn(page_as, live_server):
    from xiezuo.assessment.compute import recompute
    from xiezuo.core.periods import Period

    recompute(Period.parse("2026Q3"))
    errors = []
    page = page_as("national")
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(live_server.url + "/scorecards/?period=2026Q3")
    _map_drawn(page)
    assert page.get_attribute("#scorecard-map", "data-province") is None
    page.screenshot(path=str(SHOTS / "scorecards-map-national.png"), full_page=True)
    page.locator("a[href*='/scorecards/region/513429/2026Q3/']").first.click()  # 布拖县
    page.wait_for_load_state()
    _map_drawn(page)
    assert page.get_attribute("#scorecard-map", "data-province") == "510000"
    shaded = page.evaluate("echarts.getInstanceByDom(document.getElementById('scorecard-map')).getOption().series[0].data")
    assert [d["name"] for d in shaded if (d.get("itemStyle") or {}).get("areaColor")] == ["513429"]
    page.screenshot(path=str(SHOTS / "scorecard-detail-map.png"), full_page=True)
    assert errors == []

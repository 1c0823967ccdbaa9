"""Scorecards on the map in a real browser: the list draws the China map (static/js/
china-map.js, shared with the home page) with the scored provinces shaded and the counties
as points; a county's scorecard draws it among the counties of its province; a scorecard
printed to PDF keeps its Chinese text and its charts. Screenshots in screenshots/
(git-ignored).

Set-up as in tests/web/test_browser.py (headless Debian chromium via Playwright against a live
server; transactional data, base data reloaded when a flush removed it).
"""
import pytest

from xiezuo.assessment.compute import recompute

from tests.assessment.test_assessment import AS_OF, Q2, build
from tests.web.test_browser import SHOTS, base_data, browser, page_as, restore_base_data  # noqa: F401 (the browser fixtures, defined once)
from tests.assessment.test_scorecard_pages import ROLES, card_url

pytestmark = pytest.mark.browser


def _map_drawn(page):
    page.wait_for_selector("#scorecard-map[data-ready='1']", timeout=10_000)
    assert page.locator("#scorecard-map canvas").count() >= 1  # drawn, not an error text in its place


def test_the_scorecard_maps_are_drawn(page_as, live_server):
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


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_scorecard_prints_to_pdf_with_its_chinese_text_and_charts(page_as, live_server):
    """Chromium's own print path (page.pdf with the print stylesheet): no navigation or
    buttons, the charts as pictures, the Chinese set as text. The first page is kept as a
    PNG in screenshots/ for a person to look at."""
    import shutil
    import subprocess

    from django.contrib.auth import get_user_model

    users = {u.username: u for u in get_user_model().objects.filter(username__in=ROLES)}
    build(users)
    recompute(Q2, as_of=AS_OF)
    page = page_as("county_office")
    page.goto(live_server.url + card_url("region", "513436"))
    page.wait_for_function("document.querySelectorAll('img.chart-print').length === 3")
    page.emulate_media(media="print")
    assert page.locator("nav.navbar").is_hidden() and page.locator("[data-testid=export]").is_hidden()
    assert page.locator("#scorecard-trend").is_hidden() and page.locator("img.chart-print").first.is_visible()
    assert page.locator(".print-header").is_visible()
    path = SHOTS / "scorecard-print.pdf"
    page.pdf(path=str(path), format="A4", print_background=True)
    assert path.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):  # poppler-utils: the Chinese is text in the PDF, not pictures of it
        text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
        assert "美姑县" in text and "35.14" in text and "国家乡村振兴重点帮扶县" in text
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(path), str(SHOTS / "scorecard-print")], check=True)

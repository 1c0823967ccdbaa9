"""The pages in a real browser: headless Chromium driven by Playwright against a live server.

Debian's /usr/bin/chromium is used through `executable_path` (Playwright cannot download
browsers here). Without it the tests skip, unless XIEZUO_REQUIRE_BROWSER=1 (CI), where
they fail. Screenshots go to screenshots/ (git-ignored) for a person to look at.

The live server needs committed data seen from another thread, so these tests run with
`transactional_db`, whose teardown empties every table. The session-wide base data (region
tree, former poverty counties, province pairings, demo) is therefore loaded again before
each test here when it is missing, and once more after this module for the tests that
follow. Works the same on SQLite and PostgreSQL.
"""
import os
from pathlib import Path

import pytest
from tests.support import county_pair, ensure_base_data
from django.db import connections

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
SHOTS = Path(__file__).resolve().parents[2] / "screenshots"
PASSWORD = "xiezuo-demo"


_ensure_base_data = ensure_base_data


@pytest.fixture(scope="module")
def restore_base_data(django_db_setup, django_db_blocker):
    """After this module, leave the base data in place for the tests that follow.

    While Playwright's event loop runs in this thread, Django keeps the ORM's connection
    in a context-local slot apart from the thread's usual one; it is closed here, or
    PostgreSQL refuses to drop the test database ("being accessed by other users").
    """
    yield
    with django_db_blocker.unblock():
        _ensure_base_data()
        connections.close_all()


@pytest.fixture
def base_data(restore_base_data, transactional_db):
    """The base data, committed, for the live server's thread (reloaded after the flush
    that ends each transactional test)."""
    _ensure_base_data()
    yield
    connections.close_all()  # see restore_base_data


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        reason = f"{CHROMIUM} is not installed (run `make browser-deps` as root)"
        if os.environ.get("XIEZUO_REQUIRE_BROWSER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - requirements-dev installs it
        if os.environ.get("XIEZUO_REQUIRE_BROWSER") == "1":
            pytest.fail("playwright is not installed")
        pytest.skip("playwright is not installed")
    SHOTS.mkdir(exist_ok=True)
    # Playwright's sync API keeps an event loop in this thread; the ORM calls made here
    # meanwhile (fixtures, assertions) are ordinary blocking calls, which Django allows
    # only when told so.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield b
            b.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page_as(browser, live_server, base_data):
    """page_as("west_office") → a logged-in Playwright page (Chinese, as in China)."""
    contexts = []
    errors = []

    def make(username):
        context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(f"{page.url}: {exc}"))
        page.goto(live_server.url + "/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.click("form button[type=submit].w-100")
        page.wait_for_url(live_server.url + "/")
        return page

    yield make
    for context in contexts:
        context.close()
    assert errors == [], errors


def _shot(page, name):
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


MAP_STATE = """() => {
  const el = document.getElementById('pairing-map');
  const chart = el && window.echarts && echarts.getInstanceByDom(el);
  if (!chart) return null;
  const series = chart.getOption().series;
  const canvases = Array.from(el.querySelectorAll('canvas'));
  const painted = canvases.some(c => {
    const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    for (let i = 3; i < data.length; i += 4 * 97) if (data[i] > 0) return true;
    return false;
  });
  return {
    province: series.find(s => s.id === 'province').data.length,
    lower: series.find(s => s.id === 'lower').data.length,
    names: series.find(s => s.id === 'province').data.map(d => d.name),
    canvases: canvases.length, painted: painted,
  };
}"""


def test_west_office_sees_its_pairings_on_the_map_and_opens_a_region(page_as, live_server):
    from django.contrib.auth import get_user_model

    from xiezuo.web.summary import map_data

    user = get_user_model().objects.get(username="west_office")
    from django.utils import timezone

    expected = map_data(user, timezone.localdate())
    page = page_as("west_office")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    page.wait_for_selector("#pairing-map[data-ready='1'] canvas")
    page.wait_for_timeout(700)  # let the first frame paint
    state = page.evaluate(MAP_STATE)
    assert state["canvases"] >= 1 and state["painted"]
    assert state["province"] == len(expected["province"]) == 1
    assert state["names"] == ["浙川协作"]
    assert state["lower"] == len(expected["lower"]) > 0
    assert page.get_by_test_id("province-pairings").inner_text().count("协作") == 1
    _shot(page, "browser-home-west_office")

    # Drill down the tree: 四川省 → 凉山彝族自治州 → 美姑县 (children load through htmx).
    page.goto(live_server.url + "/regions/")
    page.locator("li[data-code='510000'] > details > summary").click(position={"x": 3, "y": 8})
    page.wait_for_selector("li[data-code='513400']")
    page.locator("li[data-code='513400'] > details > summary").click(position={"x": 3, "y": 8})
    page.wait_for_selector("li[data-code='513436']")
    _shot(page, "browser-region-tree")
    page.locator("li[data-code='513436'] a").first.click()
    page.wait_for_url("**/regions/513436/")
    assert page.locator("h1").inner_text() == "美姑县"
    assert "凉山彝族自治州" in page.get_by_test_id("breadcrumbs").inner_text()
    assert "鄞州区—美姑县" in page.get_by_test_id("region-pairings").inner_text()
    _shot(page, "browser-region-513436")

    # The language switch.
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Yearly facts" in page.content()
    _shot(page, "browser-region-513436-en")


def test_every_page_renders_for_the_national_coordinator(page_as, live_server):
    """A walk over every page with screenshots, including a form showing the action's
    contradiction warning."""
    from xiezuo.orgs.models import Organisation
    from xiezuo.pairings.models import Agreement

    pairing = county_pair()
    agreement = Agreement.objects.get(pairing=pairing, year=2026)
    org = Organisation.objects.get(name="美姑县民族中学（演示）")
    page = page_as("national")
    page.wait_for_selector("#pairing-map[data-ready='1'] canvas")
    page.wait_for_timeout(700)
    assert page.evaluate(MAP_STATE)["province"] == 11
    _shot(page, "browser-home-national")
    pages = {
        "regions": "/regions/",
        "regions-search": "/regions/?q=凉山",
        "pairings": "/pairings/",
        "pairing": f"/pairings/{pairing.pk}/",
        "pairing-adjust": f"/pairings/{pairing.pk}/adjust/",
        "pairing-end": f"/pairings/{pairing.pk}/end/",
        "agreements": "/agreements/?year=2026",
        "agreement": f"/agreements/{agreement.pk}/",
        "agreement-edit": f"/agreements/{agreement.pk}/edit/",
        "orgs": "/orgs/",
        "org": f"/orgs/{org.pk}/",
        "org-edit": f"/orgs/{org.pk}/edit/",
        "facts": "/regions/513436/facts/?year=2025",
        "audit": "/audit/",
    }
    for name, path in pages.items():
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
        _shot(page, f"browser-{name}")

    page.goto(live_server.url + "/pairings/new/")
    page.select_option("#id_kind", "county")
    page.fill("#id_east_region", "330212")
    page.fill("#id_west_region", "520111")
    page.fill("#id_reason", "试点")
    page.locator("form[data-testid='pairing-form'] button[type=submit]").click()
    page.wait_for_load_state()
    warning = page.get_by_test_id("form-errors").inner_text()
    assert "浙江省" in warning and "贵州省" in warning
    _shot(page, "browser-pairing-new-warning")

    page.goto(live_server.url + f"/agreements/{agreement.pk}/edit/")
    page.fill("#id_fiscal_aid", "-1")
    page.locator("form[data-testid='agreement-form'] button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".invalid-feedback").count() >= 1
    _shot(page, "browser-agreement-bad-amount")


def test_county_office_sees_only_its_pairing_and_no_audit_log(page_as, live_server):
    page = page_as("county_office")
    page.wait_for_selector("#pairing-map[data-ready='1'] canvas")
    state = page.evaluate(MAP_STATE)
    assert state["province"] == 0 and state["lower"] == 1
    assert page.locator("a[href='/audit/']").count() == 0
    _shot(page, "browser-home-county_office")
    response = page.goto(live_server.url + "/regions/320102/")
    assert response.status == 404
    _shot(page, "browser-404")
    response = page.goto(live_server.url + "/audit/")
    assert response.status == 403
    _shot(page, "browser-403")


def test_county_office_imports_agreements_and_sees_the_bad_row(page_as, live_server, tmp_path):
    """An agreements workbook with one bad row: nothing is written and the page names the
    row, the column and the reason."""
    import openpyxl

    from xiezuo.core.importing import DATA_SHEET
    from xiezuo.pairings.models import Agreement

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = DATA_SHEET
    sheet.append(["结对类型", "东部地区代码", "西部地区代码", "年度", "财政援助资金（元）", "选派党政干部（人）", "消费帮扶（元）", "签订日期"])
    sheet.append(["县—县", "330212", "513436", 2027, 6000000, 2, 100000, "2027-03-01"])
    sheet.append(["县—县", "330212", "513436", 2028, "-5", 1, None, None])  # row 3: negative money
    path = tmp_path / "协议导入.xlsx"
    book.save(path)

    page = page_as("county_office")
    page.click("text=导入")
    page.click("a[href$='/imports/agreements/']")
    page.set_input_files("input[type=file]", str(path))
    page.click("form:has(input[type=file]) [type=submit]")
    page.wait_for_selector("#import-errors")
    rows = page.locator("#import-errors tbody tr")
    assert rows.count() == 1
    cells = rows.first.locator("td").all_inner_texts()
    assert cells[0] == "3" and cells[1] == "财政援助资金（元）" and "负" in cells[2]
    assert "未导入任何数据" in page.inner_text("#import-result")
    assert not Agreement.objects.filter(year__in=(2027, 2028)).exists()
    _shot(page, "import-agreements-bad-row")

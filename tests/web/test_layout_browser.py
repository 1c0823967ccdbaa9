"""Every main page fits the window, in Chinese and in English, on a 1,440 px screen and on a
390 px phone: the page itself never scrolls sideways (wide tables scroll in their own box),
and logout and the language switch stay within reach, on the bar or behind the menu button.
On a phone a wide list scrolls in its own box with readable columns and a long project name
wraps. The home map shows one line per province pairing with its number of city and county
pairings, the city and county lines only once zoomed in when there are many.

One browser, one page, one login per user; the window is resized on each page rather than
the page loaded again. Screenshots (the first screen of each page) go to a temporary
directory, named in the output, for a person to look at: $XIEZUO_LAYOUT_SHOTS or
<tmp>/xiezuo-layout. Set-up as in tests/web/test_browser.py.
"""
import datetime
import os
import tempfile
from pathlib import Path

import pytest
from django.utils import timezone

from tests.support import county_pair
from tests.web.test_browser import PASSWORD, base_data, browser, restore_base_data  # noqa: F401 (the browser fixtures, defined once)

pytestmark = pytest.mark.browser

D = datetime.date
SIZES = {"wide": (1440, 900), "phone": (390, 844)}
LONG_NAME = "美姑县高山生态特色农产品种植加工产销一体化示范基地建设项目（二期）Meigu highland produce demonstration base"

OVERFLOW = """() => {
  const width = window.innerWidth, culprits = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.right <= width + 1) continue;
    let p = el.parentElement, boxed = false;
    for (; p; p = p.parentElement) {
      if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(p).overflowX)) { boxed = true; break; }
    }
    if (!boxed) culprits.push(el.tagName.toLowerCase() + (el.dataset.testid ? '[' + el.dataset.testid + ']' : '')
                              + '.' + String(el.className).split(' ').slice(0, 2).join('.') + ' → ' + Math.round(r.right));
  }
  return {scroll: document.documentElement.scrollWidth, width: width, culprits: culprits.slice(0, 4)};
}"""


def _shots_dir() -> Path:
    path = Path(os.environ.get("XIEZUO_LAYOUT_SHOTS") or Path(tempfile.gettempdir()) / "xiezuo-layout")
    path.mkdir(parents=True, exist_ok=True)
    return path


def _within(page, locator) -> bool:
    """Shown and inside the window (not pushed off its right edge)."""
    if not locator.is_visible():
        return False
    box = locator.bounding_box()
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= page.viewport_size["width"] + 1


def _reach_logout(page, size):
    """Logout and the language switch are on the bar, or behind the menu button on a phone.
    Returns what could not be reached."""
    missing = []
    if not _within(page, page.locator("form.lang-switch")):
        missing.append("language switch")
    toggler = page.locator("button.navbar-toggler")
    folded = toggler.is_visible()
    if size == "phone" and not folded:
        missing.append("menu button")
    if folded:
        if not _within(page, toggler):
            missing.append("menu button")
        toggler.click()
        page.wait_for_selector("#main-nav.show")
    who = page.locator("[data-testid=whoami] > button")
    if not _within(page, who):
        missing.append("user menu")
    else:
        who.click()
        logout = page.get_by_test_id("logout")
        logout.wait_for(state="visible")
        if not _within(page, logout):
            missing.append("logout")
        who.click()
    if folded:
        toggler.click()
        page.wait_for_selector("#main-nav.show, #main-nav.collapsing", state="detached")
    return missing


def _switch_language(page, code):
    page.locator(f"form.lang-switch button[value='{code}']").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == code


def _world():
    """A project with a very long name, late on its first milestone, so that the lists,
    the project page, the orders and the scorecards have rows to lay out."""
    from django.contrib.auth import get_user_model

    from xiezuo.assessment import loop
    from xiezuo.assessment.compute import recompute
    from xiezuo.core.periods import Period
    from xiezuo.projects.actions import create_project, transition
    from xiezuo.regions.models import Region

    county = get_user_model().objects.get(username="county_office")
    project = create_project(county, name=LONG_NAME, category="industry", county=Region.objects.get(code="513436"),
                             pairing=county_pair(), planned_start=D(2025, 3, 1), planned_end=D(2025, 12, 31),
                             milestones=[("选址", D(2025, 4, 1)), ("大棚建成", D(2025, 9, 1))])
    transition(county, project, "in_progress", on=D(2025, 3, 1))
    period = Period.containing("quarter", timezone.localdate()).previous()
    recompute(period)
    loop.apply_rules(Period.parse("2025Q3"), today=D(2025, 9, 30))
    return project, period


def _pages(project, period, audit):
    pages = {
        "home": "/", "regions": "/regions/", "pairings": "/pairings/", "agreements": "/agreements/",
        "projects": "/projects/", "project": f"/projects/{project.pk}/", "people": "/people/", "ledger": "/funds/",
        "scorecards": f"/scorecards/?period={period.label}",
        "scorecard": f"/scorecards/region/513436/{period.label}/", "orders": "/orders/", "my-items": "/my-items/",
        "weekly": "/weekly/", "dashboard": "/dashboard/",
    }
    if audit:
        pages["audit"] = "/audit/"
    return pages


def _list_scrolls_in_its_box(page):
    """A wide list keeps readable columns and scrolls inside its .table-responsive box."""
    box = page.evaluate("""() => {
      const t = document.querySelector('[data-testid=projects]'), b = t && t.closest('.table-responsive');
      return b ? {table: t.scrollWidth, box: b.clientWidth} : null;
    }""")
    if box is None:
        return ["the project list is not in a .table-responsive box"]
    return [] if box["table"] > box["box"] else [f"the project list is squeezed into {box['box']} px"]


def _long_name_wraps(page):
    heading = page.locator("h1").bounding_box()
    return [] if heading["width"] <= 390 and heading["height"] > 40 else [f"the long project name does not wrap: {heading}"]


PHONE_CHECKS = {"projects": _list_scrolls_in_its_box, "project": _long_name_wraps}


MAP = """() => {
  const el = document.getElementById('pairing-map');
  const chart = echarts.getInstanceByDom(el);
  const option = chart.getOption();
  const lower = option.series.find(s => s.id === 'lower');
  return {
    lower: el.dataset.lower,
    legend: option.legend[0].selected[lower.name],
    province: option.series.find(s => s.id === 'province').data.map(d => [d.name, d.lower]),
  };
}"""


def _check_home_map(page, national_lines):
    """Many city and county lines: hidden at first, shown once the map is zoomed in."""
    page.wait_for_selector("#pairing-map[data-ready='1'] canvas")
    state = page.evaluate(MAP)
    assert state["lower"] == "hidden" and state["legend"] is False
    assert sorted(state["province"]) == sorted(national_lines)
    box = page.locator("#pairing-map").bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.55, box["y"] + box["height"] * 0.6)
    for _ in range(14):
        page.mouse.wheel(0, -200)
        page.wait_for_timeout(60)
    page.wait_for_function("document.getElementById('pairing-map').dataset.lower === 'shown'", timeout=5000)
    assert page.evaluate(MAP)["legend"] is True
    page.screenshot(path=str(_shots_dir() / "home-map-national-zoomed.png"))


def test_every_page_fits_the_window_in_both_languages_with_logout_and_language_at_hand(
        browser, live_server, base_data, monkeypatch):
    from django.contrib.auth import get_user_model

    from xiezuo.pairings.models import Pairing
    from xiezuo.web import summary

    # The demo has a few dozen city and county pairings; the national data some 900. Treat
    # any number as many, so the national map starts with only the province lines.
    monkeypatch.setattr(summary, "LOWER_LINES_AT_ONCE", 0)
    project, period = _world()
    national = get_user_model().objects.get(username="national")
    lines = [[line["name"], line["lower"]] for line in summary.map_data(national, timezone.localdate())["province"]]
    zhejiang_sichuan = Pairing.objects.in_force(timezone.localdate()).filter(
        kind__in=("prefecture", "county"), east_region__code__startswith="33", west_region__code__startswith="51").count()
    assert len(lines) == 11 and dict(lines)["浙川协作"] == zhejiang_sichuan > 0

    shots = _shots_dir()
    context = browser.new_context(viewport={"width": SIZES["wide"][0], "height": SIZES["wide"][1]}, locale="zh-CN")
    page = context.new_page()
    errors, problems = [], []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        for username in ("national", "county_office"):
            page.set_viewport_size({"width": SIZES["wide"][0], "height": SIZES["wide"][1]})
            page.goto(live_server.url + "/login/")
            if username == "national":  # the login page too: it fits, and its language switch shows
                for width, height in SIZES.values():
                    page.set_viewport_size({"width": width, "height": height})
                    fit = page.evaluate(OVERFLOW)
                    if fit["scroll"] > fit["width"]:
                        problems.append(f"login {width}px: page {fit['scroll']} px wide: {fit['culprits']}")
                    if not _within(page, page.locator("form.lang-switch")):
                        problems.append(f"login {width}px: language switch out of reach")
                    page.screenshot(path=str(shots / f"login-{width}.png"))
                page.set_viewport_size({"width": SIZES["wide"][0], "height": SIZES["wide"][1]})
            page.fill("#id_username", username)
            page.fill("#id_password", PASSWORD)
            page.click("form button[type=submit].w-100")
            page.wait_for_url(live_server.url + "/")
            if username == "national":
                _check_home_map(page, lines)
            pages = _pages(project, period, audit=username == "national")
            for language in ("en", "zh-hans"):
                _switch_language(page, language)
                for name, path in pages.items():
                    response = page.goto(live_server.url + path, wait_until="load")
                    assert response.status == 200, (username, language, path, response.status)
                    for size, (width, height) in SIZES.items():
                        page.set_viewport_size({"width": width, "height": height})
                        page.wait_for_timeout(50)
                        fit = page.evaluate(OVERFLOW)
                        where = f"{username} {language} {width}px {path}"
                        if fit["scroll"] > fit["width"]:
                            problems.append(f"{where}: page {fit['scroll']} px wide: {fit['culprits']}")
                        if name == "home" or size == "phone" and name == "projects":
                            problems += [f"{where}: {what} out of reach" for what in _reach_logout(page, size)]
                        if size == "phone" and name in PHONE_CHECKS:
                            problems += [f"{where}: {what}" for what in PHONE_CHECKS[name](page)]
                        page.screenshot(path=str(shots / f"{username}-{language}-{width}-{name}.png"))
                    page.set_viewport_size({"width": SIZES["wide"][0], "height": SIZES["wide"][1]})
            # Log out through the menu, as a user would.
            page.locator("[data-testid=whoami] > button").click()
            page.get_by_test_id("logout").click()
            page.wait_for_url("**/login/**")
    finally:
        context.close()
    print(f"layout screenshots in {shots}")
    assert problems == [], "\n".join(problems)
    assert errors == [], errors


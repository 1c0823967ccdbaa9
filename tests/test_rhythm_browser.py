"""The rhythm in a real browser: the province office opens its weekly sheet, compiles the
agenda of its monthly consultation and records a decision for a county post; the county
officer finds it under "My items" and closes it with evidence.

Set-up as in tests/test_browser.py (headless Debian chromium via Playwright against a live
server; transactional data, base data reloaded when a flush removed it). Screenshots in
screenshots/h7-rhythm/ (git-ignored).
"""
import os
from pathlib import Path

import pytest
from tests.support import ensure_base_data
from django.db import connections
from django.utils import timezone

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
SHOTS = Path(__file__).resolve().parent.parent / "screenshots" / "h7-rhythm"
PASSWORD = "xiezuo-demo"


_ensure_base_data = ensure_base_data


@pytest.fixture(scope="module")
def restore_base_data(django_db_setup, django_db_blocker):
    yield
    with django_db_blocker.unblock():
        _ensure_base_data()
        connections.close_all()


@pytest.fixture
def base_data(restore_base_data, transactional_db):
    _ensure_base_data()
    yield
    connections.close_all()


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        reason = f"{CHROMIUM} is not installed (run `make browser-deps` as root)"
        if os.environ.get("XIEZUO_REQUIRE_BROWSER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover
        if os.environ.get("XIEZUO_REQUIRE_BROWSER") == "1":
            pytest.fail("playwright is not installed")
        pytest.skip("playwright is not installed")
    SHOTS.mkdir(parents=True, exist_ok=True)
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
    assert page.locator("[data-testid=sheet-summary] .card").count() == 6
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

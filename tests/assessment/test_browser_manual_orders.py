"""In a real browser: the Sichuan office issues a 限期整改 order by hand from a project's late
milestone; it lands on 美姑县's project officer's post, so county_office finds it on 我的事项
and opens it from there; the closure comes back to west_office's 我的事项 to verify, and
the count there opens the list holding exactly that order. Screenshots in screenshots/.

Set-up as in tests/web/test_browser.py (headless Debian chromium via Playwright against a
live server; transactional data, base data reloaded when a flush removed it).
"""
import datetime

import pytest

from tests.support import county_pair, office
from tests.web.test_browser import SHOTS, base_data, browser, page_as, restore_base_data  # noqa: F401 (the browser fixtures)

pytestmark = pytest.mark.browser

D = datetime.date


def _shot(page, name):
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_an_order_by_hand_reaches_the_project_officer_and_comes_back_to_verify(page_as, live_server, settings, tmp_path):
    from django.contrib.auth import get_user_model

    from xiezuo.assessment.models import RectificationOrder
    from xiezuo.projects.actions import complete_milestone, create_project, transition
    from xiezuo.regions.models import Region
    from xiezuo.rhythm.actions import save_post

    settings.MEDIA_ROOT = tmp_path / "media"
    User = get_user_model()
    county, national, west = (User.objects.get(username=n) for n in ("county_office", "national", "west_office"))
    project = create_project(county, name="高山蔬菜基地", category="industry", county=Region.objects.get(code="513436"),
                             pairing=county_pair(), planned_start=D(2025, 3, 1), planned_end=D(2025, 12, 31),
                             milestones=[("选址", D(2025, 4, 1)), ("大棚建成", D(2025, 9, 1))])
    transition(county, project, "in_progress", on=D(2025, 3, 1))
    complete_milestone(county, project.milestones.get(seq=1), D(2025, 4, 1))
    save_post(national, office=office("513436"), name="项目专管岗", holders=[county], projects=[project])
    save_post(national, office=office("510000"), name="办公室主任", is_lead=True, holders=[west])

    # The province office orders it from the late milestone on the project page.
    page = page_as("west_office")
    page.goto(live_server.url + f"/projects/{project.pk}/")
    assert "项目专管岗" in page.get_by_test_id("officer-posts").inner_text()
    page.get_by_test_id("milestone-order").click()
    page.wait_for_url("**/orders/new/?project=*")
    assert page.input_value("#id_title") == "高山蔬菜基地 · 大棚建成"
    assert "2025-09-01" in page.input_value("#id_reason")
    assert "高山蔬菜基地" in page.get_by_test_id("issue-evidence").inner_text()
    page.fill("#id_working_days", "")
    page.locator("#id_working_days").evaluate("el => el.removeAttribute('required')")
    page.locator("form[data-testid='issue-form'] button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".invalid-feedback").count() == 1  # the deadline is named, the rest kept
    assert page.input_value("#id_title") == "高山蔬菜基地 · 大棚建成"
    page.fill("#id_working_days", "10")
    _shot(page, "manual-order-form")
    page.locator("form[data-testid='issue-form'] button[type=submit]").click()
    page.wait_for_url("**/orders/*/")
    order = RectificationOrder.objects.get()
    assert order.owner_post.name == "项目专管岗" and order.issued_by == west and order.rule is None
    assert "人工下达" in page.get_by_test_id("manual").inner_text()
    _shot(page, "manual-order-issued")

    # The county's project officer finds it on 我的事项 and opens it from there.
    page = page_as("county_office")
    page.goto(live_server.url + "/my-items/")
    row = page.locator("[data-testid='my-items'] tr[data-group='order']")
    assert row.count() == 1 and "项目专管岗" in row.inner_text()
    _shot(page, "my-items-county_office")
    row.locator("a").click()
    page.wait_for_url(f"**/orders/{order.pk}/")
    page.fill("#id_text", "大棚已建成，县农业农村局完成验收。")
    page.locator("form[data-testid='close-form'] button[type=submit]").click()
    page.wait_for_url(f"**/orders/{order.pk}/")

    # The closure comes back to the issuer's 我的事项; the count opens the list of exactly it.
    page = page_as("west_office")
    page.goto(live_server.url + "/my-items/")
    verify = page.locator("[data-testid='item-counts'] [data-group='verify']")
    assert verify.get_by_test_id("count").inner_text() == "1"
    _shot(page, "my-items-west_office")
    verify.click()
    page.wait_for_url("**/orders/?verify=*")
    assert page.locator("tr[data-order]").count() == 1
    page.locator(f"tr[data-order='{order.pk}'] a").first.click()
    page.wait_for_url(f"**/orders/{order.pk}/")
    page.fill("#id_note", "资料齐全，同意销号。")
    page.locator("form[data-testid='verify-form'] button[type=submit]").click()
    page.wait_for_url(f"**/orders/{order.pk}/")
    order.refresh_from_db()
    assert order.status == "verified"
    page.goto(live_server.url + "/my-items/")
    assert page.locator("[data-testid='item-counts'] [data-group='verify']").count() == 0

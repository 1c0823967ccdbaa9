"""The closed loop in a real browser: a late milestone → the rules → the rectification
order it triggered → closure with an evidence file by the county office → verification
by the issuing province office. Screenshots in screenshots/ (git-ignored).

Set-up as in tests/web/test_browser.py (headless Debian chromium via Playwright against a live
server; transactional data, base data reloaded when a flush removed it).
"""
import datetime

import pytest

from tests.support import county_pair
from tests.web.test_browser import PASSWORD, SHOTS, base_data, browser, page_as, restore_base_data  # noqa: F401 (the browser fixtures, defined once)

pytestmark = pytest.mark.browser

D = datetime.date


def _shot(page, name):
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_from_a_late_milestone_to_a_verified_order(page_as, live_server, settings, tmp_path):
    from django.contrib.auth import get_user_model

    from xiezuo.assessment import loop
    from xiezuo.assessment.models import RectificationOrder
    from xiezuo.core.periods import Period
    from xiezuo.projects.actions import complete_milestone, create_project, transition
    from xiezuo.regions.models import Region

    settings.MEDIA_ROOT = tmp_path / "media"
    county = get_user_model().objects.get(username="county_office")
    pair = county_pair()
    project = create_project(county, name="高山蔬菜基地", category="industry", county=Region.objects.get(code="513436"),
                             pairing=pair, planned_start=D(2025, 3, 1), planned_end=D(2025, 12, 31),
                             milestones=[("选址", D(2025, 4, 1)), ("大棚建成", D(2025, 9, 1))])
    transition(county, project, "in_progress", on=D(2025, 3, 1))
    complete_milestone(county, project.milestones.get(seq=1), D(2025, 4, 1))

    # The rules run (as the daily task does) on 30 September 2025: the milestone is 29 days late.
    result = loop.apply_rules(Period.parse("2025Q3"), today=D(2025, 9, 30))
    assert result.created["late"] == 1
    order = RectificationOrder.objects.get(project=project)
    assert order.deadline == D(2025, 10, 21)  # 10 working days across the National Day holiday

    # The county office finds it in its list and opens it.
    page = page_as("county_office")
    page.goto(live_server.url + "/orders/")
    row = page.locator(f"tr[data-order='{order.pk}']")
    assert "高山蔬菜基地" in row.inner_text()
    _shot(page, "loop-orders-county_office")
    row.locator("a").first.click()
    page.wait_for_url(f"**/orders/{order.pk}/")
    assert page.get_by_test_id("days-late").inner_text() == "29"
    assert page.get_by_test_id("deadline").inner_text().startswith("2025-10-21")
    assert "四川省东西部协作办公室" in page.get_by_test_id("issuer").inner_text()
    assert page.get_by_test_id("verify-form").count() == 0
    _shot(page, "loop-order-issued")

    # Closure with evidence: text and a file.
    evidence = tmp_path / "大棚验收报告.pdf"
    evidence.write_bytes(b"%PDF-1.4\n% acceptance report\n")
    page.fill("#id_text", "大棚已于10月15日建成，县农业农村局完成验收，附验收报告。")
    page.set_input_files("#id_attachment", str(evidence))
    page.locator("form[data-testid='close-form'] button[type=submit]").click()
    page.wait_for_url(f"**/orders/{order.pk}/")
    assert "待核验" in page.get_by_test_id("order-status").inner_text() or page.get_by_test_id("closure").count() == 1
    assert page.get_by_test_id("attachment").inner_text().endswith("大棚验收报告.pdf")
    assert page.get_by_test_id("close-form").count() == 0
    _shot(page, "loop-order-closure-submitted")

    # The issuer verifies.
    page = page_as("west_office")
    page.goto(live_server.url + f"/orders/{order.pk}/")
    with page.expect_download() as download:
        page.get_by_test_id("attachment").click()
    assert download.value.suggested_filename == "大棚验收报告.pdf"
    page.fill("#id_note", "资料齐全，同意销号。")
    _shot(page, "loop-order-verify")
    page.locator("form[data-testid='verify-form'] button[type=submit]").click()
    page.wait_for_url(f"**/orders/{order.pk}/")
    order.refresh_from_db()
    assert order.status == "verified"
    assert page.get_by_test_id("verify-form").count() == 0
    _shot(page, "loop-order-verified")

    # The other lists and the rules page render.
    for path, name in (("/warnings/", "warnings"), ("/tickets/", "tickets"), ("/incentives/", "incentives"),
                       ("/proposals/", "proposals"), ("/rules/", "rules")):
        assert page.goto(live_server.url + path).status == 200
        _shot(page, f"loop-{name}-west_office")
    page = page_as("national")
    page.goto(live_server.url + "/rules/")
    page.locator("tr[data-rule='late-milestone'] a").click()
    page.wait_for_url("**/rules/*/edit/")
    _shot(page, "loop-rule-edit")

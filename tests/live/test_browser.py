"""The live dashboard in a real browser, and a walk over the project, people and funds pages.

Headless Chromium (Debian's /usr/bin/chromium through Playwright's `executable_path`)
against the live server, set up as in tests/web/test_browser.py: without Chromium the tests skip,
unless XIEZUO_REQUIRE_BROWSER=1 (CI), where they fail; the live server needs committed data
seen from its own thread, so these tests run with `transactional_db`, and the session's base
data (region tree, province pairings, demo) is loaded again before each test when the flush
that ends a transactional test removed it, and once more after this module.

The dashboard test is the issue's promise: the western office has the dashboard open, a
machine client posts a weekly report through the API, and the report appears in the page's
feed within one second, without a reload (server-sent events).
"""
import datetime
import json
import time
import urllib.request

import pytest
from django.utils import timezone

from tests.support import account, county_pair, office
from tests.web.test_browser import PASSWORD, SHOTS, base_data, browser, page_as, restore_base_data  # noqa: F401 (the browser fixtures, defined once)

pytestmark = pytest.mark.browser

WAN = 10_000_00
DAY = datetime.timedelta(days=1)


def _shot(page, name):
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _api(url, body, token=None):
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, json.loads(response.read())


def _meigu_project():
    """A project in 美姑县 under its pairing with 鄞州区, with a plan, a report and outputs."""
    from django.contrib.auth import get_user_model

    from xiezuo.projects.actions import create_project, record_output, set_milestones, submit_report, transition
    from xiezuo.regions.models import Region

    user = get_user_model().objects.get(username="county_office")
    today = timezone.localdate()
    pair = county_pair()
    project = create_project(user, name="洒库乡高山蔬菜基地", category="industry", county=Region.objects.get(code="513436"), pairing=pair,
                             planned_start=today - 120 * DAY, planned_end=today + 200 * DAY,
                             budget={"east_fiscal": 300 * WAN, "enterprise": 120 * WAN, "local_match": 50 * WAN})
    set_milestones(user, project, [("选址与土地流转", today - 90 * DAY), ("大棚建成", today - 10 * DAY), ("首茬投产", today + 60 * DAY)])
    transition(user, project, "in_progress", on=today - 100 * DAY)
    from xiezuo.projects.models import Milestone

    from xiezuo.projects.actions import complete_milestone

    complete_milestone(user, Milestone.objects.get(project=project, seq=1), today - 85 * DAY)
    submit_report(user, project, week=today - 14 * DAY, percent=30, done="完成土地流转 320 亩", problems="")
    submit_report(user, project, week=today - 7 * DAY, percent=38, done="大棚钢架完成六成", problems="雨季运输受阻，工期延后约两周")
    record_output(user, project, as_of=today - 3 * DAY, jobs_created=46, local_procurement_fen=86 * WAN,
                  total_procurement_fen=120 * WAN, households={"employment": 38, "order": 120, "shares": 64})
    return project


def test_a_report_posted_through_the_api_shows_on_the_open_dashboard_within_a_second(page_as, live_server):
    project = _meigu_project()
    page = page_as("west_office")
    page.goto(live_server.url + "/dashboard/")
    page.wait_for_selector("#live-status.text-bg-success", timeout=10_000)  # the event stream is open
    page.evaluate("window.__not_reloaded = true")
    _shot(page, "browser-live-dashboard-before")

    status, body = _api(live_server.url + "/api/v1/auth/token", {"username": "county_office", "password": PASSWORD})
    assert status == 200
    token = body["token"]
    week = timezone.localdate().isoformat()
    started = time.monotonic()
    status, report = _api(live_server.url + f"/api/v1/projects/{project.code}/reports",
                          {"week": week, "percent": 41, "done": "大棚封顶", "client_id": "browser-live-1"}, token)
    posted = time.monotonic()
    assert status == 201 and report["percent"] == 41
    item = page.locator(f"#feed li[data-live='1']:has-text('{project.code}')")
    item.wait_for(timeout=5_000)
    seen = time.monotonic()
    shown_after_commit, shown_after_request = seen - posted, seen - started
    print(f"report shown {shown_after_commit * 1000:.0f} ms after the API answered, "
          f"{shown_after_request * 1000:.0f} ms after the request was sent")
    assert shown_after_request < 1.0, f"the report took {shown_after_request:.3f} s to show"
    assert "41%" in item.inner_text() and "洒库乡高山蔬菜基地" in item.inner_text()
    assert page.evaluate("window.__not_reloaded === true")  # no reload
    _shot(page, "browser-live-dashboard-after")

    # A report on a project the western office does not see never reaches its page.
    from django.contrib.auth import get_user_model

    from xiezuo.pairings.models import Pairing
    from xiezuo.projects.actions import create_project, submit_report
    from xiezuo.regions.models import Region

    national = get_user_model().objects.get(username="national")
    today = timezone.localdate()
    other = create_project(national, name="贵阳数据中心配套", category="innovation", county=Region.objects.get(code="520111"),
                           pairing=Pairing.objects.get(kind="prefecture", east_region__code="440100", west_region__code="520100"),
                           planned_start=today, planned_end=today + 300 * DAY)
    submit_report(national, other, week=today, percent=5)
    submit_report(national, project, week=today - 21 * DAY, percent=20)  # a marker that comes after it
    page.locator("#feed li[data-live='1']:has-text('20%')").wait_for(timeout=5_000)
    assert page.locator(f"#feed li:has-text('{other.code}')").count() == 0


def test_the_dashboard_map_is_drawn_at_each_office_level(page_as, live_server):
    """A western office whose projects lie in one province sees that province's counties as
    areas (the county office's own outlined); the national coordinator sees China with the
    counties as points."""
    project = _meigu_project()
    project.refresh_from_db()
    assert project.status == "in_progress"
    for username, province in (("west_office", "510000"), ("county_office", "510000"), ("national", None)):
        page = page_as(username)
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(live_server.url + "/dashboard/")
        page.wait_for_selector("#live-map[data-ready='1']", timeout=10_000)
        assert page.locator("#live-map canvas").count() >= 1
        assert page.get_attribute("#live-map", "data-province") == province
        shown = page.evaluate("echarts.getInstanceByDom(document.getElementById('live-map')).getOption().series[0].data")
        if province:  # every county of the province an area; the project's county shaded
            assert len(shown) > 100 and {d["name"]: d["value"] for d in shown}["513436"] == 1
        else:  # the county a point at its seat
            assert [(d["name"], d["value"][2]) for d in shown] == [("美姑县", 1)]
        page.wait_for_timeout(1200)  # the symbols grow in (animation) before the picture
        page.locator("#live-map").screenshot(path=str(SHOTS / f"browser-live-map-{username}.png"))
        assert errors == []


def test_walk_over_the_project_people_and_funds_pages(page_as, live_server):
    """Every page built for projects, people and funds, with screenshots; the forms' errors
    and a double submit of a ledger form."""
    from django.contrib.auth import get_user_model

    from xiezuo.ledger import actions as ledger
    from xiezuo.ledger.models import Posting
    from xiezuo.pairings.models import Agreement
    from xiezuo.people.actions import save_dispatch

    User = get_user_model()
    east_user, county = User.objects.get(username="east_office"), User.objects.get(username="county_office")
    project = _meigu_project()
    today = timezone.localdate()
    agreement = Agreement.objects.get(pairing=project.pairing, year=today.year)
    alloc = ledger.allocate(east_user, agreement=agreement, amount_fen=200 * WAN, idempotency_key="walk-alloc", memo="第一批")
    ledger.confirm_arrival(county, allocation=alloc, arrived_on=today, idempotency_key="walk-arr")
    ledger.allocate(east_user, agreement=agreement, amount_fen=150 * WAN, idempotency_key="walk-alloc-2", memo="第二批")
    disb = ledger.disburse(county, project=project, amount_fen=120 * WAN, idempotency_key="walk-disb", memo="大棚建设")
    ledger.record_spending(county, project=project, amount_fen=35 * WAN, idempotency_key="walk-spend", memo="钢材采购")
    east, west = office("330212"), office("513436")
    doctor = save_dispatch(county, person_name="李明", id_number="330212198001011234", kind="medical", direction="e2w",
                           from_org=east, to_org=west, planned_start=today - 400 * DAY, planned_end=today - 35 * DAY,
                           actual_start=today - 400 * DAY, actual_end=today - 30 * DAY)
    save_dispatch(county, person_name="王芳", kind="education", direction="e2w", from_org=east, to_org=west,
                  planned_start=today - 300 * DAY, planned_end=today + 65 * DAY, actual_start=today - 300 * DAY)
    save_dispatch(county, person_name="吉克阿依", kind="cadre", direction="w2e", from_org=west, to_org=east,
                  planned_start=today - 20 * DAY, planned_end=today + 160 * DAY, actual_start=today - 20 * DAY)
    receiving = account("513436", "west_receiving")

    page = page_as("county_office")
    pages = {
        "projects": "/projects/",
        "projects-late": "/projects/?late=on",
        "project": f"/projects/{project.pk}/",
        "project-edit": f"/projects/{project.pk}/edit/",
        "project-new": "/projects/new/",
        "project-status": f"/projects/{project.pk}/status/",
        "project-milestones": f"/projects/{project.pk}/milestones/",
        "project-report": f"/projects/{project.pk}/report/",
        "project-outputs": f"/projects/{project.pk}/outputs/",
        "project-asset": f"/projects/{project.pk}/assets/",
        "project-partner": f"/projects/{project.pk}/partners/",
        "people": "/people/",
        "person": f"/people/{doctor.pk}/",
        "person-edit": f"/people/{doctor.pk}/edit/",
        "person-new": "/people/new/",
        "funds": "/funds/",
        "postings": "/funds/postings/",
        "posting": f"/funds/postings/{disb.pk}/",
        "account": f"/funds/accounts/{receiving.pk}/",
        "arrival": "/funds/arrival/",
        "disburse": f"/funds/disburse/?project={project.code}",
        "spend": "/funds/spend/",
        "reverse": f"/funds/postings/{disb.pk}/reverse/",
    }
    for name, path in pages.items():
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
        _shot(page, f"browser-work-{name}")
    assert page.locator("nav a[href='/funds/']").count() >= 1  # the navbar offers the funds pages

    # The project page: late milestone, weekly reports, households by mechanism, the money.
    page.goto(live_server.url + f"/projects/{project.pk}/")
    assert page.get_by_test_id("late-badge").count() == 1
    assert "雨季运输受阻" in page.get_by_test_id("reports").inner_text()
    assert "¥1,200,000.00" in page.get_by_test_id("money-disbursed").inner_text()

    # A bad amount comes back on the form; a double submit posts once.
    page.goto(live_server.url + f"/funds/disburse/?project={project.code}")
    page.fill("#id_amount", "-3")
    page.locator("form[data-testid='ledger-form'] button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".invalid-feedback").count() >= 1
    _shot(page, "browser-work-disburse-bad-amount")
    page.fill("#id_amount", "10000")
    page.fill("#id_memo", "双击测试")
    before = Posting.objects.count()
    page.locator("form[data-testid='ledger-form']").evaluate("f => { f.requestSubmit(); f.requestSubmit(); }")
    page.wait_for_url("**/funds/postings/*/")
    page.wait_for_load_state("networkidle")
    assert Posting.objects.count() == before + 1
    assert Posting.objects.filter(memo="双击测试").count() == 1
    _shot(page, "browser-work-posted")

    east_page = page_as("east_office")
    for name, path in {"funds-east": "/funds/", "allocate": "/funds/allocate/", "project-east": f"/projects/{project.pk}/"}.items():
        assert east_page.goto(live_server.url + path).status == 200
        east_page.wait_for_load_state("networkidle")
        _shot(east_page, f"browser-work-{name}")
    assert east_page.goto(live_server.url + "/funds/arrival/").status == 403

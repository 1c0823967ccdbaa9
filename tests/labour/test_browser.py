"""In a real browser: a county office registers a worker, sees the jobs ranked for them with
the reason, refers the worker to the best job and records the placement; the ID number stays
masked throughout. Screenshots in screenshots/labour-*.png."""
import datetime

import pytest
from django.utils import timezone

from tests.labour.conftest import idn
from tests.web.test_browser import _shot, base_data, browser, page_as, restore_base_data  # noqa: F401

pytestmark = pytest.mark.browser


def test_register_match_refer_place(page_as, live_server):
    from django.contrib.auth import get_user_model

    from xiezuo.labour import actions
    from xiezuo.labour.models import Placement, Referral, Worker
    from xiezuo.orgs.models import Organisation
    from xiezuo.regions.models import Region

    east = get_user_model().objects.get(username="east_office")
    yinzhou = Region.objects.get(code="330212")
    employer = Organisation.objects.create(name="宁波浏览器测试电子厂", kind="enterprise", region=yinzhou)
    job = actions.save_job(east, employer=employer, title="电子装配工", place=yinzhou, positions=20, wage_min_fen=5000_00,
                           wage_max_fen=6500_00, skills=["电子装配", "普工"], housing=True)
    actions.save_job(east, employer=employer, title="厨师", place=yinzhou, positions=2, wage_min_fen=3000_00,
                     wage_max_fen=3500_00, skills=["厨师"])
    number = idn(501)

    page = page_as("county_office")
    page.goto(live_server.url + "/labour/workers/new/")
    page.select_option("[name=county]", value=str(Region.objects.get(code="513436").pk))
    page.fill("[name=name]", "吉克阿呷")
    page.fill("[name=id_number]", number)
    page.fill("[name=phone]", "13811112222")
    page.select_option("[name=household_status]", "alleviated")
    page.select_option("[name=skills]", ["电子装配", "普工"])
    page.select_option("[name=preferred_provinces]", ["33"])
    page.fill("[name=expected_wage_fen]", "4500")
    _shot(page, "labour-1-register")
    page.click("[data-testid=labour-form] button[type=submit]")
    page.wait_for_selector("[data-testid=matches]")
    w = Worker.objects.get(name="吉克阿呷")
    body = page.content()
    assert number not in body and "13811112222" not in body
    assert w.id_masked in page.inner_text("[data-testid=id-number]")
    first = page.locator("[data-testid=matches] tr").nth(1)
    assert "电子装配工" in first.inner_text() and "100" in first.inner_text()
    _shot(page, "labour-2-matches")

    page.click(f"[data-testid=refer-{job.pk}]")
    page.wait_for_selector("[data-testid=referrals]")
    assert Referral.objects.filter(worker=w, job=job).exists()
    start = (timezone.localdate() - datetime.timedelta(days=30)).isoformat()
    form = page.locator("[data-testid=placement-form]")
    form.locator("[name=employer]").fill(employer.name)
    form.locator("[name=place]").fill("330212")
    form.locator("[name=start_date]").fill(start)
    form.locator("[name=occupation_code]").fill("6-25-04-01")
    form.locator("[name=monthly_wage_fen]").fill("5800")
    _shot(page, "labour-3-referred")
    form.locator("button").click()
    page.wait_for_selector("[data-testid=placement-facts]")
    p = Placement.objects.get(worker=w)
    assert p.place_kind == "out_of_province" and p.in_paired_province and p.monthly_wage_fen == 5800_00
    assert number not in page.content()
    _shot(page, "labour-4-placed")

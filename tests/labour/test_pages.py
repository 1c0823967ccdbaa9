"""The labour pages by role and scope, and masking on every page and export that shows a
worker: only an editor of the worker's own area sees the full ID number, with a purpose,
and every such view or export is logged."""
import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.labour.conftest import idn
from tests.support import export_sheet
from xiezuo.core.models import RevealLog
from xiezuo.labour import actions

pytestmark = pytest.mark.django_db

ROLES = ("national", "east_office", "west_office", "county_office", "viewer", "auditor")
FULL, PHONE = idn(11), "13987654321"
MASKED = FULL[:6] + "********" + FULL[-4:]


@pytest.fixture
def world(users, worker, placement, employer, yinzhou):
    job = actions.save_job(users["east_office"], employer=employer, title="电子装配工", place=yinzhou, positions=3,
                           wage_min_fen=5000_00, wage_max_fen=6000_00, skills=["电子装配"])
    actions.record_check(users["county_office"], placement=placement, milestone=3, checked_on=timezone.localdate(),
                         employed=True, wage_months=3)
    t = actions.save_training(users["county_office"], county=worker.county, course="电子装配订单班", employer=employer,
                              committed_hires=5, starts_on=datetime.date(2026, 1, 5), ends_on=datetime.date(2026, 1, 20))
    return {"worker": worker, "placement": placement, "job": job, "training": t}


def _no_full(content: bytes):
    text = content.decode()
    assert FULL not in text and PHONE not in text


LISTS = ("labour-worker-list", "labour-job-list", "labour-training-list", "labour-placement-list", "labour-check-list")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", LISTS)
def test_lists_open_to_every_role_masked(client_as, world, role, name):
    r = client_as(role).get(reverse(name))
    assert r.status_code == 200
    _no_full(r.content)
    r = client_as(role).get(reverse(name), {"format": "xlsx"})
    headers, rows, _ws = export_sheet(r)
    assert FULL not in str(rows) and PHONE not in str(rows)


def test_anonymous_is_sent_to_login(client):
    for name in LISTS:
        r = client.get(reverse(name))
        assert r.status_code == 302 and "login" in r["Location"]


# who sees the worker: the county and the province above it, the viewer and auditor of Sichuan, the
# national coordinator; not the eastern office (it sees the placement in its province, not the worker)
SEES_WORKER = {"national": True, "east_office": False, "west_office": True, "county_office": True, "viewer": True, "auditor": True}
SEES_PLACEMENT = {r: True for r in ROLES}


@pytest.mark.parametrize("role", ROLES)
def test_worker_and_placement_scope(client_as, world, role):
    c = client_as(role)
    r = c.get(reverse("labour-worker-detail", args=[world["worker"].pk]))
    assert r.status_code == (200 if SEES_WORKER[role] else 404)
    if r.status_code == 200:
        _no_full(r.content)
        assert MASKED in r.content.decode()
    listed = c.get(reverse("labour-worker-list")).content.decode()
    assert ("吉克阿依" in listed) == SEES_WORKER[role]
    r = c.get(reverse("labour-placement-detail", args=[world["placement"].pk]))
    assert r.status_code == (200 if SEES_PLACEMENT[role] else 404)
    _no_full(r.content)
    assert c.get(reverse("labour-job-detail", args=[world["job"].pk])).status_code == 200


def test_guangdong_office_sees_neither(client_as, world, users, db):
    from django.contrib.auth import get_user_model

    from tests.support import office
    from xiezuo.users.models import Profile

    u = get_user_model().objects.create_user("gd_lab", password="x")
    Profile.objects.update_or_create(user=u, defaults={"organisation": office("440000"), "role": "office_admin"})
    c = client_as("gd_lab")
    assert c.get(reverse("labour-worker-detail", args=[world["worker"].pk])).status_code == 404
    assert c.get(reverse("labour-placement-detail", args=[world["placement"].pk])).status_code == 404
    assert "吉克阿依" not in c.get(reverse("labour-placement-list")).content.decode()


@pytest.mark.parametrize("role, allowed", [("county_office", True), ("west_office", True), ("national", False),
                                           ("viewer", False), ("auditor", False)])
def test_reveal_needs_right_and_purpose_and_is_logged(client_as, world, role, allowed):
    c = client_as(role)
    url = reverse("labour-worker-detail", args=[world["worker"].pk])
    r = c.post(url, {"purpose": "办理交通补贴核对身份"})
    if allowed:
        assert r.status_code == 200 and FULL in r.content.decode() and PHONE in r.content.decode()
        log = RevealLog.objects.get()
        assert log.purpose == "办理交通补贴核对身份" and log.object_ids == str(world["worker"].pk) and log.via == "page"
        assert FULL not in str(log.__dict__)
    else:
        assert r.status_code == 403
        _no_full(r.content)
        assert not RevealLog.objects.exists()


def test_revealed_export_needs_purpose_and_is_logged(client_as, world):
    c = client_as("county_office")
    assert c.get(reverse("labour-worker-list"), {"format": "xlsx", "reveal": "1"}).status_code == 403
    r = c.get(reverse("labour-worker-list"), {"format": "xlsx", "reveal": "1", "purpose": "报送人社部门"})
    _h, rows, _ws = export_sheet(r)
    assert FULL in str(rows)
    log = RevealLog.objects.get()
    assert log.via == "export" and log.object_count == 1 and log.purpose == "报送人社部门"
    r = client_as("national").get(reverse("labour-worker-list"), {"format": "xlsx", "reveal": "1", "purpose": "x"})
    assert r.status_code == 403


@pytest.mark.parametrize("role, status", [("county_office", 200), ("west_office", 200), ("east_office", 200), ("national", 200),
                                          ("viewer", 403), ("auditor", 403)])
def test_create_pages(client_as, world, role, status):
    r = client_as(role).get(reverse("labour-job-create"))
    assert r.status_code == status


@pytest.mark.parametrize("role, status", [("county_office", 200), ("west_office", 200), ("east_office", 403), ("viewer", 403)])
def test_worker_form_only_for_western_writers(client_as, world, role, status):
    assert client_as(role).get(reverse("labour-worker-create")).status_code == status


def test_register_refer_place_check_pay_through_pages(client_as, world, users, rules, labour_project, employer, english):
    c = client_as("county_office")
    r = c.post(reverse("labour-worker-create"), {"county": world["worker"].county.pk, "name": "阿说", "id_number": idn(61),
                                                 "phone": "13900001111", "household_status": "monitored",
                                                 "skills": ["电子装配"], "preferred_provinces": ["33"], "expected_wage_fen": "4000"})
    assert r.status_code == 302
    from xiezuo.labour.models import Placement, Referral, SubsidyPayment, Worker

    w = Worker.objects.get(name="阿说")
    page = c.get(reverse("labour-worker-detail", args=[w.pk])).content.decode()
    assert "电子装配工" in page
    c.post(reverse("labour-worker-refer", args=[w.pk]), {"job": world["job"].pk})
    assert "电子装配" in Referral.objects.get(worker=w).reason  # the reason of the rank, in the page's language
    start = (timezone.localdate() - datetime.timedelta(days=100)).isoformat()
    r = c.post(reverse("labour-placement-create", args=[w.pk]), {"employer": employer.name, "place": "330212", "start_date": start,
                                                                 "monthly_wage_fen": "5000", "occupation_code": "6-25-04-01"})
    p = Placement.objects.get(worker=w)
    assert r.status_code == 302 and p.place_kind == "out_of_province"
    c.post(reverse("labour-check-create", args=[p.pk]), {"milestone": 3, "checked_on": timezone.localdate().isoformat(),
                                                         "employed": "on", "wage_months": 3})
    c.post(reverse("labour-subsidy-pay", args=[p.pk]), {"kind": "transport", "project": labour_project.pk, "claimed_fen": ""})
    assert SubsidyPayment.objects.get(worker=w).amount_fen == 1000_00
    c.post(reverse("labour-subsidy-pay", args=[p.pk]), {"kind": "transport", "project": labour_project.pk, "claimed_fen": ""})
    assert SubsidyPayment.objects.filter(worker=w).count() == 1


def test_missed_check_filter(client_as, world, users, worker, employer, yinzhou):
    old = actions.record_placement(users["county_office"], worker=worker, employer=employer, place=yinzhou,
                                   start_date=timezone.localdate() - datetime.timedelta(days=150), monthly_wage_fen=1)
    r = client_as("county_office").get(reverse("labour-placement-list"), {"missed_check": "on"})
    body = r.content.decode()
    assert reverse("labour-placement-detail", args=[old.pk]) in body
    assert reverse("labour-placement-detail", args=[world["placement"].pk]) in body  # 200 days: the 6-month check is missing


def test_duplicates_page_and_merge(client_as, world, users):
    from xiezuo.regions.models import Region

    other = actions.register_worker(users["west_office"], county=Region.objects.get(code="513431"), name="吉克阿依", id_number=FULL)
    c = client_as("west_office")
    page = c.get(reverse("labour-worker-duplicates"))
    assert page.status_code == 200 and MASKED in page.content.decode()
    _no_full(page.content)
    c.post(reverse("labour-worker-duplicates"), {"keep": world["worker"].pk, "drop": other.pk, "reason": "重复登记"})
    other.refresh_from_db()
    assert other.merged_into_id == world["worker"].pk
    assert client_as("viewer").get(reverse("labour-worker-duplicates")).status_code == 403


def test_audit_log_page_shows_no_full_number(client_as, world):
    r = client_as("auditor").get("/audit/")
    assert r.status_code == 200
    _no_full(r.content)


@pytest.mark.parametrize("role", ROLES + ("gd_office",))
def test_unfiltered_list_length_is_the_summarys_and_equals_the_rows(client_as, world, users, local_employer, meigu_county, role):
    """The unfiltered (or by-year) list takes its length from the labour summary instead of
    counting; it must be the number of rows the user sees, for a placement in the east and one
    in the worker's own county (one placement, seen once from a prefix both codes share)."""
    from django.contrib.auth import get_user_model

    from tests.support import office
    from xiezuo.labour import filtersets
    from xiezuo.users.models import Profile

    actions.record_placement(users["county_office"], worker=world["worker"], employer=local_employer, place=meigu_county,
                             start_date=datetime.date(2025, 3, 2), monthly_wage_fen=3000_00)
    if role == "gd_office":
        u = get_user_model().objects.create_user("gd_lab", password="x")
        Profile.objects.update_or_create(user=u, defaults={"organisation": office("440000"), "role": "office_admin"})
        role = "gd_lab"
    c = client_as(role)
    user = get_user_model().objects.get(username=users[role].username if role in users else role)
    for params in ({}, {"year": 2025}, {"year": timezone.localdate().year}, {"year": 2001}):
        r = c.get(reverse("labour-placement-list"), params)
        assert r.status_code == 200
        rows = filtersets.placements(user, **params).count()
        assert r.context["page"].paginator.count == rows
        assert len(r.context["page"].object_list) == min(rows, 50)


@pytest.mark.parametrize("role", ROLES)
def test_check_list_length_is_the_summarys_and_equals_the_rows(client_as, world, users, local_employer, meigu_county, role):
    """The check list, unfiltered or by milestone and outcome, takes its length from the labour
    summary; it must be the number of checks the user sees, and the rows come newest first."""
    from django.contrib.auth import get_user_model

    from xiezuo.labour import filtersets

    local = actions.record_placement(users["county_office"], worker=world["worker"], employer=local_employer, place=meigu_county,
                                     start_date=datetime.date(2025, 3, 2), monthly_wage_fen=3000_00)
    actions.record_check(users["county_office"], placement=local, milestone=3, checked_on=datetime.date(2025, 6, 3), employed=False)
    actions.record_check(users["county_office"], placement=local, milestone=6, checked_on=datetime.date(2025, 9, 3), employed=True)
    user = get_user_model().objects.get(username=users[role].username)
    c = client_as(role)
    for params in ({}, {"milestone": "3"}, {"milestone": "6", "employed": "yes"}, {"employed": "no"}, {"milestone": "12"}):
        r = c.get(reverse("labour-check-list"), params)
        assert r.status_code == 200
        rows = filtersets.checks(user, **params)
        assert r.context["page"].paginator.count == rows.count(), params
        assert [ch.pk for ch in r.context["page"].object_list] == list(rows.values_list("pk", flat=True)[:50])
    shown = list(filtersets.checks(users["county_office"]).values_list("pk", flat=True))
    assert shown == sorted(shown, reverse=True) and len(shown) == 3

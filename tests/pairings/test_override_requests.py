"""An office cannot widen its own view: a pairing outside the province pairing (an override)
recorded by an office is a request (申请中) that the office above approves or rejects.

East_office (浙江省 office admin) asks for 鄞州区 330212 — 花溪区 520111 (浙江 is paired with
四川, not 贵州). Until the national coordinator approves it, 花溪区's organisations, region
page, scorecard, exports and API stay out of east_office's reach; a 鄞州区 office admin's
request is approved by the 浙江 office above it. Nobody approves their own request; viewers
and auditors approve nothing; a rejection needs a reason and never takes effect.
"""
import datetime
import importlib
import io

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from xiezuo.core.errors import PermissionDenied, ValidationError
from xiezuo.core.models import AuditEntry
from xiezuo.core.scoping import scope_for
from xiezuo.orgs.models import Organisation
from xiezuo.pairings.actions import approve_pairing, create_pairing, reject_pairing, requests_for, save_agreement, update_pairing
from xiezuo.pairings.models import Pairing, PairingChange
from xiezuo.regions.models import Region
from xiezuo.users.models import ApiToken, Profile

from tests.support import office

pytestmark = pytest.mark.django_db
D = datetime.date
GUIZHOU_COUNTY = "520111"  # 花溪区


def R(code):
    return Region.objects.get(code=code)


def fresh(user):
    """The same user read again: a scope is computed once per user object."""
    return get_user_model().objects.get(pk=user.pk)


@pytest.fixture
def huaxi_firm(db):
    return Organisation.objects.create(name="花溪区茶业有限公司（测试）", kind="enterprise", region=R(GUIZHOU_COUNTY))


@pytest.fixture
def yinzhou_admin(db):
    """An office admin of 鄞州区 (below the 浙江 office)."""
    user = get_user_model().objects.create_user("yinzhou_admin")
    Profile.objects.create(user=user, role="office_admin", organisation=office("330212"))
    return user


def ask(user, east="330212", west=GUIZHOU_COUNTY):
    return create_pairing(user, kind="county", east_region=R(east), west_region=R(west), valid_from=D(2025, 1, 1),
                          reason="试点", override_reason="东西部协作专项试点")


def reach(user):
    """What the user reads of 花溪区, by every path: (orgs page, region page, scorecard page,
    orgs export rows naming 花溪区, API region, API organisations naming 花溪区)."""
    c = Client()
    c.force_login(user)
    orgs_page = c.get(reverse("org-list")).content.decode()
    region = c.get(reverse("region-detail", args=[GUIZHOU_COUNTY])).status_code
    card = c.get(reverse("scorecard-detail", args=["region", GUIZHOU_COUNTY, "2025Q2"])).status_code
    export = c.get(reverse("org-list") + "?format=xlsx")
    rows = [r for r in load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True)] if export.status_code == 200 else []
    in_export = any("花溪区茶业" in str(cell) for row in rows for cell in row if cell)
    token = ApiToken.issue(user)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    api_region = api.get(f"/api/v1/regions/{GUIZHOU_COUNTY}").status_code
    api_orgs = str(api.get("/api/v1/organisations", {"q": "花溪区茶业"}).json())
    return {"orgs_page": "花溪区茶业" in orgs_page, "region": region, "card": card, "export": in_export,
            "api_region": api_region, "api_orgs": "花溪区茶业" in api_orgs}


HIDDEN = {"orgs_page": False, "region": 404, "card": 404, "export": False, "api_region": 404, "api_orgs": False}
SEEN = {"orgs_page": True, "region": 200, "card": 200, "export": True, "api_region": 200, "api_orgs": True}


def test_an_office_override_is_a_request_that_widens_nothing_until_the_national_coordinator_approves(users, huaxi_firm):
    east = users["east_office"]
    assert reach(east) == HIDDEN
    p = ask(east)
    assert p.status == "requested" and not p.is_current
    assert p.requested_by == east and p.requested_in == "33"
    assert GUIZHOU_COUNTY not in scope_for(fresh(east)).partners
    assert reach(fresh(east)) == HIDDEN
    # the request is on record: the requester sees it (one of its sides is its own) and its history says so
    assert p.changes.get().kind == "requested"
    assert Pairing.objects.visible_to(fresh(east)).filter(pk=p.pk).exists()
    assert not Pairing.objects.in_force(D(2026, 1, 1)).filter(pk=p.pk).exists()

    approve_pairing(users["national"], p, reason="同意试点")
    p.refresh_from_db()
    assert p.status == "approved" and p.decided_by == users["national"] and p.decision_reason == "同意试点"
    assert GUIZHOU_COUNTY in scope_for(fresh(east)).partners
    assert reach(fresh(east)) == SEEN


def test_the_province_office_above_approves_a_county_office_request(users, yinzhou_admin, huaxi_firm):
    p = ask(yinzhou_admin)
    assert p.status == "requested" and p.requested_in == "330212"
    assert list(requests_for(users["east_office"])) == [p]
    assert list(requests_for(users["national"])) == [p]
    assert not requests_for(yinzhou_admin).exists()
    assert reach(fresh(yinzhou_admin))["region"] == 404

    c = Client()
    c.force_login(users["east_office"])
    assert c.get(reverse("pairing-requests")).content.decode().count(reverse("pairing-approve", args=[p.pk])) == 1
    assert 'data-testid="requests-link"' in c.get(reverse("pairing-list")).content.decode()
    response = c.post(reverse("pairing-approve", args=[p.pk]), {"reason": "符合省里安排"})
    assert response.status_code == 302
    p.refresh_from_db()
    assert p.status == "approved" and p.decided_by == users["east_office"]
    assert reach(fresh(yinzhou_admin))["region"] == 200
    # audit: the approval is logged with its actor and the status before and after
    entry = AuditEntry.objects.filter(object_type="pairings.pairing", object_id=str(p.pk), action="update").latest("id")
    assert entry.username == "east_office"
    assert entry.before["status"] == "requested" and entry.after["status"] == "approved"
    assert [c.kind for c in p.changes.order_by("time", "id")] == ["requested", "approved"]


def test_the_requester_cannot_approve_its_own_request(users, yinzhou_admin):
    p = ask(users["east_office"])
    with pytest.raises(PermissionDenied):
        approve_pairing(users["east_office"], p)
    c = Client()
    c.force_login(users["east_office"])
    assert c.post(reverse("pairing-approve", args=[p.pk]), {"reason": "x"}).status_code == 403
    assert 'data-testid="approve"' not in c.get(reverse("pairing-detail", args=[p.pk])).content.decode()
    api = Client(HTTP_AUTHORIZATION=f"Bearer {ApiToken.issue(users['east_office'])}")
    response = api.post(f"/api/v1/pairings/{p.pk}/approve", {"reason": "x"}, content_type="application/json")
    assert response.status_code == 403
    # nor can a county office approve a request from its province office, nor another admin of the same office
    colleague = get_user_model().objects.create_user("zj_admin2")
    Profile.objects.create(user=colleague, role="office_admin", organisation=office("330000"))
    for user in (yinzhou_admin, colleague):
        with pytest.raises(PermissionDenied):
            approve_pairing(user, p)
    p.refresh_from_db()
    assert p.status == "requested"


@pytest.mark.parametrize("name", ["viewer", "auditor", "county_office", "west_office"])
def test_viewers_auditors_editors_and_other_provinces_cannot_decide(users, yinzhou_admin, name):
    p = ask(yinzhou_admin)
    for decide in (approve_pairing, lambda u, p: reject_pairing(u, p, reason="不同意")):
        with pytest.raises(PermissionDenied):
            decide(users[name], p)
    c = Client()
    c.force_login(users[name])
    # outside their view the request answers 404 like anything else; inside, 403
    assert c.post(reverse("pairing-approve", args=[p.pk])).status_code in (403, 404)
    assert c.post(reverse("pairing-reject", args=[p.pk]), {"reason": "x"}).status_code in (403, 404)
    p.refresh_from_db()
    assert p.status == "requested"
    assert not requests_for(users[name]).exists()


def test_a_rejection_needs_a_reason_and_never_takes_effect(users, yinzhou_admin):
    p = ask(yinzhou_admin)
    with pytest.raises(ValidationError):
        reject_pairing(users["east_office"], p, reason="  ")
    c = Client()
    c.force_login(users["east_office"])
    assert c.post(reverse("pairing-reject", args=[p.pk]), {"reason": ""}).status_code == 200  # the form says why
    reject_pairing(users["east_office"], p, reason="不在省际结对范围内")
    p.refresh_from_db()
    assert p.status == "rejected" and p.decision_reason == "不在省际结对范围内"
    assert GUIZHOU_COUNTY not in scope_for(fresh(yinzhou_admin)).partners
    assert p.changes.order_by("-time", "-id").first().kind == "rejected"
    with pytest.raises(ValidationError):
        approve_pairing(users["national"], p)
    entry = AuditEntry.objects.filter(object_type="pairings.pairing", object_id=str(p.pk), action="update").latest("id")
    assert entry.after["status"] == "rejected" and entry.username == "east_office"
    # rejected requests do not block asking again
    again = ask(yinzhou_admin)
    assert again.status == "requested"


def test_no_agreement_on_a_request(users, yinzhou_admin):
    p = ask(yinzhou_admin)
    with pytest.raises(ValidationError):
        save_agreement(yinzhou_admin, pairing=p, year=2025)
    with pytest.raises(ValidationError):
        save_agreement(users["national"], pairing=p, year=2025)


def test_the_national_coordinators_override_and_normal_pairings_are_in_force_at_once(users, yinzhou_admin):
    p = ask(users["national"])
    assert p.status == "approved" and p.decided_by == users["national"]
    normal = create_pairing(yinzhou_admin, kind="county", east_region=R("330212"), west_region=R("513432"), valid_from=D(2025, 1, 1))
    assert normal.status == "approved" and normal.is_current


def test_an_office_cannot_stretch_an_approved_override_but_may_narrow_it(users, yinzhou_admin):
    p = ask(yinzhou_admin)
    approve_pairing(users["east_office"], p)
    p = update_pairing(yinzhou_admin, Pairing.objects.get(pk=p.pk), reason="更名", name="鄞花协作", override_reason="试点")
    assert p.status == "approved"
    p = update_pairing(yinzhou_admin, p, reason="提前结束", valid_to=D(2026, 12, 31), override_reason="试点")
    assert p.status == "approved"
    p = update_pairing(yinzhou_admin, p, reason="延长", valid_to=None, override_reason="试点")
    assert p.status == "requested" and p.changes.order_by("-time", "-id").first().kind == "requested"


def test_the_api_states_the_status_and_takes_decisions(users, yinzhou_admin):
    api = Client(HTTP_AUTHORIZATION=f"Bearer {ApiToken.issue(yinzhou_admin)}")
    body = {"kind": "county", "east_region": "330212", "west_region": GUIZHOU_COUNTY, "valid_from": "2025-01-01",
            "reason": "试点", "override_reason": "专项试点"}
    created = api.post("/api/v1/pairings", body, content_type="application/json")
    assert created.status_code == 201 and created.json()["status"] == "requested"
    pk = created.json()["id"]
    boss = Client(HTTP_AUTHORIZATION=f"Bearer {ApiToken.issue(users['east_office'])}")
    refused = boss.post(f"/api/v1/pairings/{pk}/reject", {"reason": ""}, content_type="application/json")
    assert refused.status_code == 422
    done = boss.post(f"/api/v1/pairings/{pk}/approve", {}, content_type="application/json")
    assert done.status_code == 200 and done.json()["status"] == "approved"
    assert api.get("/api/v1/pairings", {"status": "approved", "west": GUIZHOU_COUNTY}).json()["count"] == 1


def test_existing_overrides_made_by_offices_go_back_to_requests_on_upgrade(users, yinzhou_admin):
    """The data migration: an override an office gave itself is a request again; the national
    coordinator's stays in force."""
    by_office = ask(yinzhou_admin)
    by_national = ask(users["national"], east="330281")
    Pairing.objects.filter(pk__in=[by_office.pk, by_national.pk]).update(status="approved", requested_by=None, requested_in="")
    PairingChange.objects.filter(pairing=by_office).update(kind="created")
    migration = importlib.import_module("xiezuo.pairings.migrations.0002_override_requests")
    migration.office_overrides_to_requests(apps, None)
    by_office.refresh_from_db()
    by_national.refresh_from_db()
    assert by_office.status == "requested" and by_office.requested_in == "330212" and by_office.requested_by == yinzhou_admin
    assert by_national.status == "approved"
    assert list(requests_for(users["east_office"])) == [by_office]

"""The labour API by role and scope; ID numbers and phones never answered in full."""
import datetime
import json

import pytest
from django.utils import timezone

from tests.labour.conftest import idn
from xiezuo.labour import actions

pytestmark = pytest.mark.django_db

FULL, PHONE = idn(11), "13987654321"
ROLES = ("national", "east_office", "west_office", "county_office", "viewer", "auditor")


@pytest.fixture
def world(users, worker, placement, employer, yinzhou):
    job = actions.save_job(users["east_office"], employer=employer, title="电子装配工", place=yinzhou, positions=3,
                           wage_min_fen=5000_00, wage_max_fen=6000_00, skills=["电子装配"])
    check = actions.record_check(users["county_office"], placement=placement, milestone=3, checked_on=timezone.localdate(),
                                 employed=True, wage_months=3)
    return {"worker": worker, "placement": placement, "job": job, "check": check}


def _get(c, url, **params):
    r = c.get("/api/v1/labour" + url, params)
    assert FULL not in r.content.decode() and PHONE not in r.content.decode()
    return r


def _post(c, url, body):
    return c.post("/api/v1/labour" + url, json.dumps(body), content_type="application/json")


SEES_WORKER = {"national": True, "east_office": False, "west_office": True, "county_office": True, "viewer": True, "auditor": True}


@pytest.mark.parametrize("role", ROLES)
def test_reads_by_role_masked(client_as, world, role):
    c = client_as(role)
    w = world["worker"]
    listed = _get(c, "/workers").json()
    assert (listed["count"] == 1) == SEES_WORKER[role]
    r = _get(c, f"/workers/{w.pk}")
    assert r.status_code == (200 if SEES_WORKER[role] else 404)
    if r.status_code == 200:
        assert r.json()["id_number"] == FULL[:6] + "********" + FULL[-4:] and r.json()["phone"] == "139****4321"
        ranked = _get(c, f"/workers/{w.pk}/jobs").json()
        assert ranked[0]["job"]["id"] == world["job"].pk and "电子装配" in ranked[0]["reason"]
    assert _get(c, "/placements").json()["count"] == 1  # the east sees the placement in its province
    assert _get(c, f"/placements/{world['placement'].pk}").status_code == 200
    assert _get(c, "/checks").json()["count"] == 1
    assert _get(c, "/jobs").json()["count"] == 1
    ranked = _get(c, f"/jobs/{world['job'].pk}/workers").json()
    assert len(ranked) == (1 if SEES_WORKER[role] else 0)


@pytest.mark.parametrize("role, status", [("county_office", 201), ("west_office", 201), ("national", 201),
                                          ("east_office", 422), ("viewer", 403), ("auditor", 403)])
def test_register_worker_by_role(client_as, world, role, status, english):
    r = _post(client_as(role), "/workers", {"county": "513436", "name": "阿说", "id_number": idn(201), "phone": "13900002222",
                                            "skills": ["普工"], "preferred_provinces": ["33"]})
    assert r.status_code == status, r.content
    assert idn(201) not in r.content.decode() and "13900002222" not in r.content.decode()


def test_bad_id_number_refused(client_as, world, english):
    r = _post(client_as("county_office"), "/workers", {"county": "513436", "name": "阿说", "id_number": idn(201)[:17] + "Y"})
    assert r.status_code == 422 and "id_number" in r.json()["error"]["fields"]


def test_post_placement_and_check(client_as, world, employer, english):
    c = client_as("county_office")
    start = (timezone.localdate() - datetime.timedelta(days=30)).isoformat()
    r = _post(c, "/placements", {"worker": world["worker"].pk, "employer": employer.pk, "place": "330212", "start_date": start,
                                 "occupation_code": "6-25-04-01", "monthly_wage_fen": 550000})
    assert r.status_code == 201 and r.json()["place_kind"] == "out_of_province" and r.json()["in_paired_province"]
    r = _post(client_as("east_office"), "/checks", {"placement": r.json()["id"], "milestone": 3,
                                                    "checked_on": timezone.localdate().isoformat(), "employed": True})
    assert r.status_code == 201
    r = _post(client_as("east_office"), "/placements", {"worker": world["worker"].pk, "employer": employer.pk, "place": "330212",
                                                        "start_date": start})
    assert r.status_code == 422  # the eastern office cannot see the worker


def test_post_job_and_training(client_as, world, employer, english):
    r = _post(client_as("east_office"), "/jobs", {"employer": employer.pk, "title": "仓储", "place": "330212",
                                                  "wage_min_fen": 400000, "wage_max_fen": 500000, "skills": ["物流仓储"]})
    assert r.status_code == 201 and r.json()["skills"] == ["物流仓储"]
    r = _post(client_as("county_office"), "/trainings", {"county": "513436", "course": "电工班", "employer": employer.pk,
                                                         "starts_on": "2026-05-01", "ends_on": "2026-05-20"})
    assert r.status_code == 201

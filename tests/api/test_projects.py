"""The API for projects, dispatch records and bulk ingestion (issue 3): what a client sees
and sends, bad input refused with the one error shape, ID numbers never shown in full, and
the permission matrix of every endpoint × every demo role, in and out of scope.

In scope: projects in 美姑县 513436 under the county pairing 鄞州区 330212 — 美姑县.
Out of scope: a county pairing 天河区 440106 — 花溪区 520111 (广东—贵州), made here by the
national coordinator, with a project and a dispatch record of its own.
"""
import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.api.test_api import Api, assert_error
from tests.support import county_pair
from xiezuo.users.models import ApiToken
from xiezuo.core.models import AuditEntry
from xiezuo.ingest.batch import MAX_ITEMS
from xiezuo.orgs.actions import save_organisation
from xiezuo.orgs.models import Organisation
from xiezuo.pairings.actions import create_pairing
from xiezuo.people.actions import save_dispatch
from xiezuo.people.models import Dispatch
from xiezuo.projects.actions import complete_milestone, create_project, set_milestones, submit_report, transition
from xiezuo.projects.models import Asset, ProgressReport, Project, ProjectOutput
from xiezuo.regions.models import Region

pytestmark = pytest.mark.django_db
D = datetime.date
ID_NUMBER = "51343619900101123X"
MASKED = "513436********123X"


@pytest.fixture
def api_as(users):
    return lambda username: Api(ApiToken.issue(users[username]))


@pytest.fixture
def pair():
    return county_pair()


@pytest.fixture
def offices():
    return {code: Organisation.objects.get(kind="office", region__code=code) for code in ("330212", "513436", "330281")}


@pytest.fixture
def project(users, pair):
    return create_project(
        users["county_office"], name="美姑县高山蔬菜基地", category="industry", county=Region.objects.get(code="513436"),
        pairing=pair, planned_start=D(2026, 3, 1), planned_end=D(2027, 12, 31),
        budget={"east_fiscal": 500_000_00, "local_match": 50_000_00},
        milestones=[("选址", D(2027, 3, 15)), ("大棚建成", D(2027, 6, 30)), ("首批上市", D(2027, 9, 30))],
    )


@pytest.fixture
def gd(users):
    """The out-of-scope side: 天河区 — 花溪区, its offices, a project and a dispatch record."""
    national = users["national"]
    east, west = Region.objects.get(code="440106"), Region.objects.get(code="520111")
    pairing = create_pairing(national, kind="county", east_region=east, west_region=west, valid_from=D(2021, 1, 1), reason="测试")
    east_org = save_organisation(national, name="天河区东西部协作办公室（测试）", kind="office", region=east)
    west_org = save_organisation(national, name="花溪区东西部协作办公室（测试）", kind="office", region=west)
    project = create_project(national, name="花溪区茶园", category="industry", county=west, pairing=pairing,
                             planned_start=D(2026, 1, 1), planned_end=D(2027, 12, 31), milestones=[("开园", D(2027, 4, 1))])
    dispatch = save_dispatch(national, person_name="陈医生", id_number="440106198501012345", kind="medical", direction="e2w",
                             from_org=east_org, to_org=west_org, pairing=pairing, planned_start=D(2026, 1, 1), planned_end=D(2027, 12, 31),
                             actual_start=D(2026, 1, 5))
    return {"pairing": pairing, "east_org": east_org, "west_org": west_org, "project": project, "dispatch": dispatch}


def new_project_body(pair, **extra):
    body = {"name": "美姑县马铃薯种薯基地", "category": "industry", "county": "513436", "pairing": pair.pk,
            "planned_start": "2027-01-01", "planned_end": "2027-12-31"}
    return {**body, **extra}


def dispatch_body(offices, pair, **extra):
    body = {"person_name": "张老师", "id_number": ID_NUMBER, "kind": "education", "direction": "e2w",
            "from_org": offices["330212"].pk, "to_org": offices["513436"].pk, "pairing": pair.pk,
            "planned_start": "2026-03-01", "planned_end": "2027-02-28", "actual_start": "2026-03-01"}
    return {**body, **extra}


def report_item(i, code, week="2026-11-18", percent=50, **extra):
    return {"type": "report", "client_id": f"r-{i}", "project": code, "week": week, "percent": percent, "done": "大棚封顶", **extra}


# --- projects: create and read --------------------------------------------------------------


def test_create_a_project_with_budget_milestones_and_partners(api_as, pair, offices):
    firm = Organisation.objects.get(name="宁波甬美农业发展有限公司（演示）")
    body = new_project_body(
        pair, budget={"east_fiscal": 300_000_00, "enterprise": 120_000_00},
        milestones=[{"name": "选址", "planned_date": "2027-02-01"}, {"name": "投产", "planned_date": "2027-08-01"}],
        partners=[{"organisation": firm.pk, "role": "investor"}, {"organisation": offices["513436"].pk, "role": "lead"}],
    )
    response = api_as("county_office").post("/projects", body)
    assert response.status_code == 201, response.content
    p = response.json()
    assert p["code"] == "P2027513436" + "0001"
    assert p["status"] == "planned" and p["county"]["code"] == "513436" and p["pairing"]["id"] == pair.pk
    assert p["budget"] == [{"source": "east_fiscal", "amount_fen": 30000000}, {"source": "enterprise", "amount_fen": 12000000}]
    assert p["budget_total_fen"] == 42000000
    assert [(m["seq"], m["name"], m["actual_date"]) for m in p["milestones"]] == [(1, "选址", None), (2, "投产", None)]
    assert {(x["organisation"]["id"], x["role"]) for x in p["partners"]} == {(firm.pk, "investor"), (offices["513436"].pk, "lead")}
    entry = AuditEntry.objects.get(object_type="projects.project", object_id=str(Project.objects.get(code=p["code"]).pk))
    assert (entry.username, entry.via) == ("county_office", "api")


def test_the_eastern_side_of_the_pairing_may_create_a_project_in_its_partner_county(api_as, pair):
    response = api_as("east_office").post("/projects", new_project_body(pair, code="YZ-2027-001"))
    assert response.status_code == 201, response.content
    assert response.json()["code"] == "YZ-2027-001"


def test_project_detail_shows_everything_the_project_reports(api_as, users, project):
    u = users["county_office"]
    for i, week in enumerate([D(2026, 10, 5), D(2026, 10, 12), D(2026, 10, 19), D(2026, 10, 26), D(2026, 11, 2), D(2026, 11, 9)]):
        submit_report(u, project, week=week, percent=10 + i * 5, done=f"第{i}周")
    api = api_as("east_office")
    assert api.post(f"/projects/{project.code}/outputs", {
        "as_of": "2026-09-30", "jobs_created": 35, "households": {"order": 120, "employment": 35},
        "local_procurement_fen": 30_000_00, "total_procurement_fen": 50_000_00}).status_code == 201
    assert api.post(f"/projects/{project.code}/assets", {
        "name": "连栋大棚", "asset_class": "building", "value_fen": 300_000_00, "owner_tier": "collective",
        "registered_on": "2026-07-01"}).status_code == 201

    body = api_as("viewer").get(f"/projects/{project.code}").json()
    assert body["name"] == "美姑县高山蔬菜基地" and body["percent_done"] == 35 and body["last_report_week"] == "2026-11-09"
    assert [r["week"] for r in body["latest_reports"]] == ["2026-11-09", "2026-11-02", "2026-10-26", "2026-10-19", "2026-10-12"]
    assert body["latest_reports"][0]["reported_by"] == "county_office"
    assert body["budget_total_fen"] == 55000000
    [output] = body["outputs"]
    assert output["households"] == {"order": 120, "employment": 35} and output["households_total"] == 155
    assert (output["jobs_created"], output["local_procurement_fen"], output["total_procurement_fen"]) == (35, 3000000, 5000000)
    [asset] = body["assets"]
    assert (asset["name"], asset["asset_class"], asset["value_fen"], asset["owner_tier"]) == ("连栋大棚", "building", 30000000, "collective")


def test_unknown_project_code_is_404(api_as, project):
    api = api_as("national")
    assert_error(api.get("/projects/P0000"), 404, "not_found")
    assert_error(api.get("/projects/" + "P" * 40), 404, "not_found")
    assert_error(api.post("/projects/P0000/reports", {"week": "2026-11-18", "percent": 5}), 404, "not_found")
    assert_error(api.post(f"/projects/{project.code}/milestones/9/complete", {"on": "2027-01-01"}), 404, "not_found")


def test_project_list_filters(api_as, users, pair, project, gd):
    national = users["national"]
    today = timezone.localdate()
    late = create_project(national, name="美姑县中药材园区", category="park", enclave="forward", county=Region.objects.get(code="513436"),
                          pairing=pair, planned_start=today - datetime.timedelta(days=100), planned_end=today + datetime.timedelta(days=200),
                          milestones=[("平整土地", today - datetime.timedelta(days=10)), ("建成", today + datetime.timedelta(days=100))])
    transition(national, late, "in_progress")
    # reached late, and a cancelled project with an overdue milestone: neither is "late" now
    reached = create_project(national, name="美姑县冷库", category="industry", county=Region.objects.get(code="513436"), pairing=pair,
                             planned_start=today - datetime.timedelta(days=100), planned_end=today + datetime.timedelta(days=200),
                             milestones=[("建成", today - datetime.timedelta(days=30))])
    complete_milestone(national, reached.milestones.get(), today - datetime.timedelta(days=5))
    cancelled = create_project(national, name="美姑县停建项目", category="social", county=Region.objects.get(code="513436"), pairing=pair,
                               planned_start=today - datetime.timedelta(days=100), planned_end=today + datetime.timedelta(days=200),
                               milestones=[("开工", today - datetime.timedelta(days=30))])
    transition(national, cancelled, "cancelled")
    api = api_as("national")

    def codes(**params):
        return {p["code"] for p in api.get("/projects", limit=500, **params).json()["items"]}

    mine = {project.code, late.code, reached.code, cancelled.code}
    assert codes(county="513436") == mine
    assert codes(county="513400") >= mine and gd["project"].code not in codes(county="510000")
    assert codes(county="520000") == {gd["project"].code}
    assert codes(status="in_progress") >= {late.code} and project.code not in codes(status="in_progress")
    assert codes(category="park", county="513436") == {late.code}
    assert codes(pairing=pair.pk) == mine
    assert codes(q="中药材") == {late.code}
    assert codes(q=project.code[:8].lower()) >= {project.code}
    assert codes(late="true", county="513436") == {late.code}
    assert codes(late="false", county="513436") == mine - {late.code}
    listed = {p["code"]: p for p in api.get("/projects", county="513436").json()["items"]}
    assert listed[late.code]["late"] is True and listed[project.code]["late"] is False
    assert listed[late.code]["enclave"] == "forward"
    detail = api.get(f"/projects/{late.code}").json()
    assert detail["late"] is True and [m["late"] for m in detail["milestones"]] == [True, False]
    assert api.get(f"/projects/{reached.code}").json()["milestones"][0]["late"] is True  # reached after its planned date

    assert_error(api.get("/projects", status="stalled"), 422, "validation_error", "status")
    assert_error(api.get("/projects", category="tourism"), 422, "validation_error", "category")
    assert_error(api.get("/projects", county="5134"), 422, "validation_error", "county")
    assert_error(api.get("/projects", county="519999"), 422, "validation_error", "county")
    assert_error(api.get("/projects", late="maybe"), 422, "validation_error", "late")


def test_project_list_is_scoped(api_as, project, gd):
    for name in ("east_office", "west_office", "county_office", "viewer"):
        codes = {p["code"] for p in api_as(name).get("/projects", limit=500).json()["items"]}
        assert project.code in codes and gd["project"].code not in codes, name
    for name in ("national", "auditor"):
        codes = {p["code"] for p in api_as(name).get("/projects", limit=500).json()["items"]}
        assert {project.code, gd["project"].code} <= codes


@pytest.mark.parametrize("change, field, message", [
    ({"budget": {"east_fiscal": -1}}, "budget.east_fiscal", "cannot be negative"),
    ({"budget": {"east_fiscal": 1.5}}, "budget.east_fiscal", "whole numbers"),
    ({"budget": {"east_fiscal": "100"}}, "budget.east_fiscal", "whole numbers"),
    ({"budget": {"lottery": 100}}, "budget.lottery.[key]", "must be one of"),
    ({"planned_end": "2026-12-31"}, "planned_end", "before the planned start"),
    ({"county": "330212", "pairing": None}, "county", "western county"),
    ({"county": "513437"}, "pairing", "not on the western side"),
    ({"county": "51343"}, "county", "six-digit"),
    ({"enclave": "forward"}, "enclave", "only co-built park"),
    ({"category": "tourism"}, "category", "must be one of"),
    ({"name": "   "}, "name", "a name is required"),
    ({"pairing": 10**9}, "pairing", "no pairing"),
    ({"partners": [{"organisation": 10**9, "role": "lead"}]}, "partners.0.organisation", "no organisation"),
    ({"partners": [{"organisation": 1, "role": "boss"}]}, "partners.0.role", "must be one of"),
    ({"code": "P/1"}, "code", "letters, digits"),
    ({"milestones": [{"name": "a", "planned_date": "2027-05-01"}, {"name": "b", "planned_date": "2027-04-01"}]},
     "milestones[2].planned_date", "planned before milestone 1"),
    ({"colour": "red"}, "colour", "unknown field"),
])
def test_create_project_bad_input(api_as, pair, change, field, message):
    before = Project.objects.count()
    err = assert_error(api_as("national").post("/projects", new_project_body(pair, **change)), 422, "validation_error", field)
    assert message in err["fields"][field][0], err
    assert Project.objects.count() == before


def test_project_code_taken(api_as, pair, project):
    err = assert_error(api_as("national").post("/projects", new_project_body(pair, code=project.code)), 422, "validation_error", "code")
    assert "taken" in err["fields"]["code"][0]


def test_a_project_outside_ones_subtree_cannot_be_created(api_as, pair, gd):
    # 花溪区 is no part of Zhejiang: without a pairing the eastern office has no claim on it
    body = {"name": "越权项目", "category": "industry", "county": "520111", "planned_start": "2027-01-01", "planned_end": "2027-12-31"}
    assert_error(api_as("east_office").post("/projects", body), 403, "permission_denied")
    # and a pairing it cannot see is no pairing at all
    assert_error(api_as("east_office").post("/projects", {**body, "pairing": gd["pairing"].pk}), 422, "validation_error", "pairing")
    assert not Project.objects.filter(name="越权项目").exists()


# --- projects: status, milestones ------------------------------------------------------------


def test_status_transitions(api_as, users, project):
    api = api_as("county_office")
    url = f"/projects/{project.code}/transition"
    err = assert_error(api.post(url, {"to": "completed"}), 422, "validation_error", "to")
    assert "cannot become" in err["fields"]["to"][0]
    response = api.post(url, {"to": "in_progress", "on": "2026-03-02"})
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["actual_start"]) == ("in_progress", "2026-03-02")
    assert api.post(url, {"to": "suspended"}).json()["status"] == "suspended"
    assert api.post(url, {"to": "in_progress"}).json()["status"] == "in_progress"
    err = assert_error(api.post(url, {"to": "completed", "on": "2026-11-01"}), 422, "validation_error", "actual_end")
    assert "milestones not reached yet" in err["fields"]["actual_end"][0]
    for milestone, day in zip(project.milestones.all(), (D(2026, 4, 1), D(2026, 7, 1), D(2026, 10, 1))):
        complete_milestone(users["county_office"], milestone, day)  # reached early: a day in the future is refused
    done = api.post(url, {"to": "completed", "on": "2026-11-01"}).json()
    assert (done["status"], done["actual_end"], done["percent_done"]) == ("completed", "2026-11-01", 100)
    assert_error(api.post(url, {"to": "in_progress"}), 422, "validation_error", "to")
    assert_error(api.post(url, {"to": "finished"}), 422, "validation_error", "to")
    assert_error(api.post(url, {"status": "planned"}), 422, "validation_error", "to", "status")
    project.refresh_from_db()
    assert project.status == "completed"
    entries = AuditEntry.objects.filter(object_type="projects.project", object_id=str(project.pk), action="update", via="api")
    assert entries.count() == 4 and {e.username for e in entries} == {"county_office"}


def test_replace_the_milestone_plan(api_as, project):
    api = api_as("west_office")
    url = f"/projects/{project.code}/milestones"
    plan = [{"name": "规划", "planned_date": "2027-01-10"}, {"name": "施工", "planned_date": "2027-01-10"},
            {"name": "验收", "planned_date": "2027-10-01"}, {"name": "投产", "planned_date": "2027-12-01"}]
    response = api.put(url, plan)
    assert response.status_code == 200, response.content
    assert [(m["seq"], m["name"]) for m in response.json()] == [(1, "规划"), (2, "施工"), (3, "验收"), (4, "投产")]
    assert list(project.milestones.values_list("name", flat=True)) == ["规划", "施工", "验收", "投产"]


@pytest.mark.parametrize("plan, field", [
    ([{"name": "b", "planned_date": "2027-06-01"}, {"name": "a", "planned_date": "2027-05-01"}], "milestones[2].planned_date"),
    ([{"name": " ", "planned_date": "2027-06-01"}], "milestones[1].name"),
    ([{"name": "a", "planned_date": "June"}], "0.planned_date"),
    ([{"name": "a"}], "0.planned_date"),
    ({"name": "a", "planned_date": "2027-06-01"}, "__all__"),
    ([{"name": "a", "planned_date": "2027-06-01"}] * 201, "__all__"),
])
def test_milestones_out_of_order_or_malformed_are_refused(api_as, project, plan, field):
    err = assert_error(api_as("county_office").put(f"/projects/{project.code}/milestones", plan), 422, "validation_error", field)
    assert err["fields"][field]
    assert list(project.milestones.values_list("name", flat=True)) == ["选址", "大棚建成", "首批上市"]


def test_milestones_are_completed_in_order_and_a_reached_plan_stays(api_as, users, project):
    api = api_as("county_office")
    set_milestones(users["county_office"], project, [("选址", D(2026, 3, 15)), ("大棚建成", D(2026, 6, 30)), ("首批上市", D(2026, 9, 30))])
    err = assert_error(api.post(f"/projects/{project.code}/milestones/2/complete", {"on": "2026-06-01"}), 422, "validation_error", "on")
    assert "milestone 1" in err["fields"]["on"][0]
    response = api.post(f"/projects/{project.code}/milestones/1/complete", {"on": "2026-03-20"})
    assert response.status_code == 200, response.content
    assert response.json() == {"seq": 1, "name": "选址", "planned_date": "2026-03-15", "actual_date": "2026-03-20", "late": True}
    err = assert_error(api.post(f"/projects/{project.code}/milestones/2/complete", {"on": "2026-03-01"}), 422, "validation_error", "on")
    assert "reached later" in err["fields"]["on"][0]
    assert api.post(f"/projects/{project.code}/milestones/2/complete", {"on": "2026-06-29"}).json()["late"] is False
    assert_error(api.post(f"/projects/{project.code}/milestones/3/complete", {}), 422, "validation_error", "on")
    assert_error(api.put(f"/projects/{project.code}/milestones", [{"name": "新", "planned_date": "2027-12-01"}]),
                 422, "validation_error", "milestones")
    assert project.milestones.count() == 3


# --- projects: reports, outputs, assets --------------------------------------------------------


def test_weekly_report_is_recorded_then_amended_within_the_week(api_as, project):
    api = api_as("county_office")
    url = f"/projects/{project.code}/reports"
    response = api.post(url, {"week": "2026-11-18", "percent": 40, "done": "大棚封顶", "problems": "雨季"})
    assert response.status_code == 201, response.content
    assert response.json()["week"] == "2026-11-16" and response.json()["reported_by"] == "county_office"
    response = api.post(url, {"week": "2026-11-20", "percent": 45, "done": "滴灌安装"})
    assert response.status_code == 200, response.content
    assert ProgressReport.objects.filter(project=project).count() == 1
    project.refresh_from_db()
    assert (project.percent_done, project.last_report_week) == (45, D(2026, 11, 16))
    entry = AuditEntry.objects.filter(object_type="projects.progressreport", action="create").latest("id")
    assert (entry.username, entry.via) == ("county_office", "api")


def test_reports_list_is_paginated_newest_first(api_as, users, project):
    for i in range(7):
        submit_report(users["county_office"], project, week=D(2026, 9, 7) + datetime.timedelta(weeks=i), percent=5 * i)
    api = api_as("east_office")
    first = api.get(f"/projects/{project.code}/reports", limit=3).json()
    second = api.get(f"/projects/{project.code}/reports", limit=3, offset=3).json()
    assert first["count"] == second["count"] == 7
    weeks = [r["week"] for r in first["items"] + second["items"]]
    assert weeks == sorted(weeks, reverse=True) and len(set(weeks)) == 6
    assert first["items"][0] == {**first["items"][0], "week": "2026-10-19", "percent": 30}


@pytest.mark.parametrize("body, field, message", [
    ({"week": "2026-11-18", "percent": 140}, "percent", "at most 100"),
    ({"week": "2026-11-18", "percent": -1}, "percent", "at least 0"),
    ({"week": "2026-11-18", "percent": 50.5}, "percent", "whole number"),
    ({"week": "2026-11-18", "percent": "60"}, "percent", "whole number"),
    ({"week": "2026-11-18", "percent": True}, "percent", "whole number"),
    ({"week": "18/11/2026", "percent": 60}, "week", "date"),
    ({"percent": 60}, "week", "required"),
    ({"week": "2026-11-18", "percent": 60, "done": 5}, "done", "text"),
    ({"week": "2026-11-18", "percent": 60, "weather": "sunny"}, "weather", "unknown field"),
])
def test_bad_report_is_refused(api_as, project, body, field, message):
    err = assert_error(api_as("county_office").post(f"/projects/{project.code}/reports", body), 422, "validation_error", field)
    assert message in err["fields"][field][0]
    assert not ProgressReport.objects.filter(project=project).exists()


def test_report_on_a_cancelled_project_is_refused(api_as, users, project):
    transition(users["county_office"], project, "cancelled")
    err = assert_error(api_as("county_office").post(f"/projects/{project.code}/reports", {"week": "2026-11-18", "percent": 10}),
                       422, "validation_error", "project")
    assert "cancelled" in err["fields"]["project"][0] and "cancelled" in err["message"]
    assert not ProgressReport.objects.filter(project=project).exists()


def test_outputs_replace_the_figures_of_the_same_date(api_as, project):
    api = api_as("county_office")
    url = f"/projects/{project.code}/outputs"
    first = api.post(url, {"as_of": "2026-09-30", "jobs_created": 10, "households": {"shares": 80}})
    assert first.status_code == 201, first.content
    again = api.post(url, {"as_of": "2026-09-30", "jobs_created": 12, "households": {"shares": 85, "trusteeship": 20}})
    assert again.status_code == 200, again.content
    assert again.json()["households"] == {"trusteeship": 20, "shares": 85} and again.json()["jobs_created"] == 12
    assert ProjectOutput.objects.filter(project=project).count() == 1


@pytest.mark.parametrize("change, field, message", [
    ({"local_procurement_fen": 2, "total_procurement_fen": 1}, "local_procurement_fen", "cannot exceed"),
    ({"total_procurement_fen": -100}, "total_procurement_fen", "cannot be negative"),
    ({"tech_income_fen": 1.5}, "tech_income_fen", "whole numbers"),
    ({"jobs_created": -3}, "jobs_created", "zero or more"),
    ({"households": {"charity": 3}}, "households.charity.[key]", "must be one of"),
    ({"households": {"order": -3}}, "households.order", "zero or more"),
    ({"as_of": None}, "as_of", "date"),
])
def test_bad_outputs_are_refused(api_as, project, change, field, message):
    body = {"as_of": "2026-09-30", **change}
    err = assert_error(api_as("county_office").post(f"/projects/{project.code}/outputs", body), 422, "validation_error", field)
    assert message in err["fields"][field][0]
    assert not ProjectOutput.objects.filter(project=project).exists()


@pytest.mark.parametrize("change, field, message", [
    ({"value_fen": -5}, "value_fen", "cannot be negative"),
    ({"value_fen": 99.99}, "value_fen", "whole numbers"),
    ({"value_fen": 2**63}, "value_fen", "too large"),
    ({"asset_class": "vehicle"}, "asset_class", "must be one of"),
    ({"owner_tier": "private"}, "owner_tier", "must be one of"),
    ({"name": ""}, "name", "a name is required"),
])
def test_bad_assets_are_refused(api_as, project, change, field, message):
    body = {"name": "冷库", "asset_class": "building", "value_fen": 100, "owner_tier": "state", "registered_on": "2026-10-01", **change}
    err = assert_error(api_as("county_office").post(f"/projects/{project.code}/assets", body), 422, "validation_error", field)
    assert message in err["fields"][field][0]
    assert not Asset.objects.filter(project=project).exists()


# --- dispatch records ----------------------------------------------------------------------------


def test_id_number_is_written_in_full_and_always_shown_masked(api_as, offices, pair):
    api = api_as("county_office")
    response = api.post("/dispatches", dispatch_body(offices, pair, id_number=ID_NUMBER.lower()))
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["id_number"] == MASKED
    assert Dispatch.objects.get(pk=created["id"]).id_number == ID_NUMBER  # kept in full, upper-case X
    for path in (f"/dispatches/{created['id']}", "/dispatches?region=513436", "/dispatches?q=张老师"):
        raw = api.get(path).content.decode()
        assert MASKED in raw and ID_NUMBER not in raw and ID_NUMBER.lower() not in raw, path
    patched = api.patch(f"/dispatches/{created['id']}", {"id_number": "513436200002021111"})
    assert patched.json()["id_number"] == "513436********1111" and "200002021111" not in patched.content.decode()
    # nor does the audit log keep it
    for entry in AuditEntry.objects.filter(object_type="people.dispatch", object_id=str(created["id"])):
        assert "id_number" not in json.dumps(entry.before or {}) + json.dumps(entry.after or {})


@pytest.mark.parametrize("value", ["12345", "5134361990010112345", "51343619900101123Y", "５１３４３６１９９００１０１１２３４"])
def test_malformed_id_number_is_refused(api_as, offices, pair, value):
    err = assert_error(api_as("county_office").post("/dispatches", dispatch_body(offices, pair, id_number=value)),
                       422, "validation_error", "id_number")
    assert value not in json.dumps(err, ensure_ascii=False)  # the number is not echoed back
    assert not Dispatch.objects.filter(person_name="张老师").exists()


def test_short_ids_are_masked_whole():
    from xiezuo.people.privacy import mask_id_number

    assert mask_id_number("") == ""
    assert mask_id_number("G1234567") == "********"
    assert mask_id_number("513436900101123") == "513436*****1123"


def test_dispatch_list_filters(api_as, users, offices, pair, gd):
    u = users["county_office"]
    common = dict(from_org=offices["330212"], to_org=offices["513436"], pairing=pair, planned_start=D(2025, 3, 1), planned_end=D(2026, 2, 28))
    teacher = save_dispatch(u, person_name="张老师", kind="education", direction="e2w", actual_start=D(2025, 3, 1), actual_end=D(2026, 2, 28), **common)
    doctor = save_dispatch(u, person_name="李医生", kind="medical", direction="e2w", actual_start=D(2025, 3, 1), **common)
    learner = save_dispatch(u, person_name="阿牛", kind="cadre", direction="w2e", from_org=offices["513436"], to_org=offices["330212"],
                            planned_start=D(2026, 5, 1), planned_end=D(2026, 10, 31), actual_start=D(2026, 5, 3))
    api = api_as("national")

    def ids(**params):
        return {d["id"] for d in api.get("/dispatches", limit=500, **params).json()["items"]}

    assert ids(region="513436") == {teacher.pk, doctor.pk, learner.pk}
    assert ids(region="330200") == {teacher.pk, doctor.pk, learner.pk}
    assert ids(region="520000") == {gd["dispatch"].pk}
    assert ids(kind="medical", region="513436") == {doctor.pk}
    assert ids(direction="w2e") >= {learner.pk} and teacher.pk not in ids(direction="w2e")
    assert ids(pairing=pair.pk) == {teacher.pk, doctor.pk}
    assert ids(on_post="2025-06-01", region="513436") == {teacher.pk, doctor.pk}
    assert ids(on_post="2026-06-01", region="513436") == {doctor.pk, learner.pk}
    assert ids(q="医生") >= {doctor.pk, gd["dispatch"].pk}
    listed = api.get(f"/dispatches/{teacher.pk}").json()
    assert listed["completed_term"] is True and listed["from_org"]["id"] == offices["330212"].pk
    assert_error(api.get("/dispatches", on_post="yesterday"), 422, "validation_error", "on_post")
    assert_error(api.get("/dispatches", kind="chef"), 422, "validation_error", "kind")
    assert_error(api.get("/dispatches", region="51"), 422, "validation_error", "region")


def test_dispatch_list_is_scoped(api_as, users, offices, pair, gd):
    mine = save_dispatch(users["county_office"], person_name="张老师", kind="education", direction="e2w", from_org=offices["330212"],
                         to_org=offices["513436"], planned_start=D(2026, 3, 1), planned_end=D(2027, 2, 28))
    for name in ("east_office", "west_office", "county_office", "viewer"):
        ids = {d["id"] for d in api_as(name).get("/dispatches", limit=500).json()["items"]}
        assert mine.pk in ids and gd["dispatch"].pk not in ids, name
    assert {mine.pk, gd["dispatch"].pk} <= {d["id"] for d in api_as("auditor").get("/dispatches", limit=500).json()["items"]}


def test_record_the_end_of_a_posting(api_as, offices, pair):
    api = api_as("west_office")
    created = api.post("/dispatches", dispatch_body(offices, pair)).json()
    response = api.patch(f"/dispatches/{created['id']}", {"actual_end": "2027-02-28"})
    assert response.status_code == 200, response.content
    assert response.json()["completed_term"] is True and response.json()["id_number"] == MASKED
    assert_error(api.patch(f"/dispatches/{created['id']}", {"actual_end": "2026-01-01"}), 422, "validation_error", "actual_end")
    assert_error(api.patch(f"/dispatches/{created['id']}", {"kind": None}), 422, "validation_error", "kind")
    entry = AuditEntry.objects.filter(object_type="people.dispatch", object_id=str(created["id"]), action="update").get()
    assert (entry.username, entry.via, entry.after["actual_end"]) == ("west_office", "api", "2027-02-28")


@pytest.mark.parametrize("change, field, message", [
    ({"direction": "w2e"}, "from_org", "not in a western province"),
    ({"planned_end": "2026-01-01"}, "planned_end", "before the planned start"),
    ({"actual_start": None, "actual_end": "2026-06-01"}, "actual_start", "must have started"),
    ({"kind": "chef"}, "kind", "must be one of"),
    ({"from_org": 10**9}, "from_org", "no organisation"),
    ({"person_name": ""}, "person_name", "a name is required"),
    ({"planned_start": None}, "planned_start", "date"),
])
def test_bad_dispatch_is_refused(api_as, offices, pair, change, field, message):
    err = assert_error(api_as("county_office").post("/dispatches", dispatch_body(offices, pair, **change)), 422, "validation_error", field)
    assert message in err["fields"][field][0]
    assert not Dispatch.objects.filter(person_name="张老师").exists()


def test_stability_counts_professionals_who_completed_their_term(api_as, users, offices, pair, gd):
    u = users["county_office"]
    common = dict(direction="e2w", from_org=offices["330212"], to_org=offices["513436"], pairing=pair,
                  planned_start=D(2025, 3, 1), planned_end=D(2026, 2, 28), actual_start=D(2025, 3, 1))
    save_dispatch(u, person_name="张老师", kind="education", actual_end=D(2026, 2, 28), **common)
    save_dispatch(u, person_name="周老师", kind="education", actual_end=D(2026, 3, 31), **common)
    save_dispatch(u, person_name="李医生", kind="medical", actual_end=D(2025, 9, 1), **common)
    save_dispatch(u, person_name="王干部", kind="cadre", actual_end=D(2025, 5, 1), **common)  # cadres do not count
    save_dispatch(u, person_name="刘老师", kind="education", **{**common, "actual_start": None})  # never took up the post
    api = api_as("county_office")
    body = api.get("/dispatches/stability", region="513436", as_of="2026-06-01").json()
    assert (body["completed"], body["due"], body["ratio"]) == (2, 3, 0.6667)
    assert api.get("/dispatches/stability", region="513436", as_of="2025-06-01").json() == {
        "completed": 0, "due": 0, "ratio": None, "as_of": "2025-06-01", "region": "513436"}
    assert api.get("/dispatches/stability", as_of="2026-06-01").json()["due"] == 3  # all it sees
    # out of scope: nothing is counted, nothing leaks
    assert api.get("/dispatches/stability", region="520111", as_of="2030-01-01").json()["due"] == 0
    assert api_as("national").get("/dispatches/stability", region="520111", as_of="2030-01-01").json()["due"] == 1
    assert api.get("/dispatches/stability").json()["as_of"] == timezone.localdate().isoformat()
    assert_error(api.get("/dispatches/stability", as_of="soon"), 422, "validation_error", "as_of")
    assert_error(api.get("/dispatches/stability", region="5134"), 422, "validation_error", "region")


# --- bulk ingestion -------------------------------------------------------------------------------


def test_ingest_applies_a_batch_and_a_retry_posts_once(api_as, users, offices, pair, project):
    api = api_as("county_office")
    other = create_project(users["county_office"], name="第二个项目", category="labour", county=project.county, pairing=pair,
                           planned_start=D(2026, 1, 1), planned_end=D(2026, 12, 31))
    items = [report_item(0, project.code), report_item(1, other.code, percent=70),
             {"type": "dispatch", "client_id": "d-0", "person_name": "赵老师", "id_number": ID_NUMBER, "kind": "education", "direction": "e2w",
              "from_org": offices["330212"].pk, "to_org": offices["513436"].pk, "planned_start": "2026-03-01", "planned_end": "2027-02-28"}]
    response = api.post("/ingest", {"items": items})
    assert response.status_code == 200, response.content
    assert response.json() == {"applied": 3, "duplicates": 0, "refused": []}
    other.refresh_from_db()
    assert other.percent_done == 70
    assert Dispatch.objects.filter(person_name="赵老师").count() == 1
    entries = AuditEntry.objects.filter(object_type="projects.progressreport", username="county_office", via="api")
    assert entries.count() == 2

    again = api.post("/ingest", {"items": items})
    assert again.json() == {"applied": 0, "duplicates": 3, "refused": []}
    assert ProgressReport.objects.filter(project__in=[project, other]).count() == 2
    assert api.post("/ingest", {"items": []}).json() == {"applied": 0, "duplicates": 0, "refused": []}


def test_ingest_refuses_the_whole_batch_and_names_every_problem(api_as, users, project, gd):
    cancelled = create_project(users["national"], name="停建", category="social", county=project.county, pairing=project.pairing,
                               planned_start=D(2026, 1, 1), planned_end=D(2026, 12, 31))
    transition(users["national"], cancelled, "cancelled")
    items = [
        report_item(0, project.code),
        report_item(1, project.code, week="2026-11-25", percent=140),
        report_item(2, cancelled.code),
        report_item(3, gd["project"].code),  # out of scope for the county office
        {"type": "gossip", "client_id": "x-4"},
        report_item(5, project.code, week="25/11/2026"),
        "not an object",
        report_item(0, project.code, week="2026-12-02"),  # client id repeated
    ]
    response = api_as("county_office").post("/ingest", {"items": items})
    assert response.status_code == 422, response.content
    body = response.json()
    assert set(body) == {"error", "refused"}
    assert body["error"]["code"] == "validation_error" and body["error"]["fields"] == {}
    assert "7 of 8 items were refused" in body["error"]["message"]
    got = {(r["index"], r["field"]) for r in body["refused"]}
    assert got == {(1, "percent"), (2, "project"), (3, "project"), (4, "type"), (5, "week"), (6, "item"), (7, "client_id")}
    by_index = {r["index"]: r for r in body["refused"]}
    assert "cancelled" in by_index[2]["reason"] and by_index[1]["client_id"] == "r-1" and by_index[1]["kind"] == "report"
    assert [r["index"] for r in body["refused"]] == sorted(r["index"] for r in body["refused"])
    assert not ProgressReport.objects.filter(project__in=[project, cancelled, gd["project"]]).exists()


def test_ingest_same_client_id_with_another_body_is_refused(api_as, project):
    api = api_as("county_office")
    assert api.post("/ingest", {"items": [report_item(0, project.code)]}).status_code == 200
    response = api.post("/ingest", {"items": [report_item(0, project.code, percent=60)]})
    assert response.status_code == 422
    assert response.json()["refused"][0]["field"] == "client_id"
    assert ProgressReport.objects.get(project=project).percent == 50


@pytest.mark.parametrize("body, status, field", [
    ("{not json", 400, None),
    ("[1, 2]", 422, "__all__"),
    ("{}", 422, "items"),
    ('{"items": {"a": 1}}', 422, "items"),
    ('{"items": [], "dry_run": true}', 422, "dry_run"),
    (json.dumps({"items": [{}] * (MAX_ITEMS + 1)}), 422, "items"),
])
def test_ingest_envelope_errors(api_as, body, status, field):
    response = api_as("national")("POST", "/ingest", body)
    if status == 400:
        assert_error(response, 400, "bad_request")
        return
    assert response.status_code == 422, response.content
    payload = response.json()
    assert set(payload) == {"error", "refused"} and payload["refused"] == []
    assert payload["error"]["code"] == "validation_error" and payload["error"]["fields"][field], payload
    assert field in payload["error"]["message"] or field == "__all__"


def test_ingest_body_limit_fits_a_full_batch_and_larger_bodies_answer_413(api_as, project, settings):
    from xiezuo.api.ingest import max_body_bytes

    # 10,000 weekly reports with a few lines of Chinese each, as most JSON encoders send
    # them (non-ASCII escaped as \\uXXXX, 6 bytes a character): about 5.6 MB.
    item = report_item(0, project.code, done="完成大棚主体结构建设，安装滴灌设备，培训农户三十人次。" * 2,
                       problems="雨季施工进度偏慢，部分材料运输受阻。", client_id="r-0000000000-00000000")
    size = len(json.dumps({"items": [item] * MAX_ITEMS}).encode())
    assert size * 2 < max_body_bytes(), size
    # the ingest has its own limit: Django's site-wide one does not apply to it …
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    items = [report_item(i, project.code, week=f"2026-0{1 + i}-05", done=item["done"]) for i in range(5)]
    response = api_as("county_office").post("/ingest", {"items": items})
    assert response.status_code == 200, response.content
    # … and a body above it is refused in the error shape, not with Django's HTML page
    settings.XIEZUO_MAX_INGEST_BYTES = 1000
    assert_error(api_as("county_office").post("/ingest", {"items": items}), 413, "payload_too_large")
    assert_error(api_as("county_office")("POST", "/ingest", "{}", CONTENT_LENGTH="5000"), 413, "payload_too_large")


def test_ingest_takes_a_full_batch_of_ten_thousand_items(api_as, users, pair):
    county = Region.objects.get(code="513436")
    codes = [create_project(users["national"], name=f"批量{i}", category="industry", county=county, pairing=pair,
                            planned_start=D(2000, 1, 1), planned_end=D(2030, 12, 31)).code for i in range(10)]
    start = D(2007, 1, 1)
    items = [report_item(i, codes[i % 10], week=(start + datetime.timedelta(weeks=i // 10)).isoformat(), percent=i % 101)
             for i in range(MAX_ITEMS)]
    response = api_as("county_office").post("/ingest", {"items": items})
    assert response.status_code == 200, response.content[:500]
    assert response.json() == {"applied": MAX_ITEMS, "duplicates": 0, "refused": []}
    assert ProgressReport.objects.filter(project__code__in=codes).count() == MAX_ITEMS


# --- efficiency and the OpenAPI document --------------------------------------------------------


@pytest.mark.parametrize("path", ["/projects", "/dispatches", "/projects/{code}/reports"])
def test_lists_do_not_query_per_item(api_as, users, offices, pair, project, path):
    u = users["county_office"]
    for i in range(6):
        create_project(u, name=f"项目{i}", category="industry", county=project.county, pairing=pair, planned_start=D(2026, 1, 1),
                       planned_end=D(2026, 12, 31), milestones=[("a", D(2026, 2, 1))])
        save_dispatch(u, person_name=f"老师{i}", kind="education", direction="e2w", from_org=offices["330212"], to_org=offices["513436"],
                      pairing=pair, planned_start=D(2026, 1, 1), planned_end=D(2026, 12, 31))
        submit_report(u, project, week=D(2026, 1, 5) + datetime.timedelta(weeks=i), percent=i)
    api = api_as("county_office")
    path = path.format(code=project.code)
    api.get(path, limit=1)
    with CaptureQueriesContext(connection) as small:
        assert api.get(path, limit=2).status_code == 200
    with CaptureQueriesContext(connection) as large:
        assert len(api.get(path, limit=100).json()["items"]) > 2
    assert len(large) == len(small) <= 8, [q["sql"] for q in large.captured_queries]


def test_project_detail_query_count_does_not_grow_with_its_rows(api_as, users, project):
    api = api_as("county_office")

    def add(i):
        api.post(f"/projects/{project.code}/outputs", {"as_of": f"2026-0{i + 1}-28", "households": {"order": i, "shares": 1}})
        api.post(f"/projects/{project.code}/assets", {"name": f"资产{i}", "asset_class": "equipment", "value_fen": 1, "owner_tier": "state",
                                                     "registered_on": "2026-05-01"})

    add(0)
    with CaptureQueriesContext(connection) as before:
        api.get(f"/projects/{project.code}")
    for i in range(1, 4):
        add(i)
    with CaptureQueriesContext(connection) as after:
        body = api.get(f"/projects/{project.code}").json()
    assert len(body["outputs"]) == 4 and len(body["assets"]) == 4
    assert len(after) == len(before) <= 12, [q["sql"] for q in after.captured_queries]


def test_openapi_documents_the_new_endpoints():
    from django.test import Client

    schema = Client().get("/api/v1/openapi.json").json()
    for path in ("/api/v1/projects", "/api/v1/projects/{code}", "/api/v1/projects/{code}/transition", "/api/v1/projects/{code}/milestones",
                 "/api/v1/projects/{code}/milestones/{seq}/complete", "/api/v1/projects/{code}/reports", "/api/v1/projects/{code}/outputs",
                 "/api/v1/projects/{code}/assets", "/api/v1/dispatches", "/api/v1/dispatches/{dispatch_id}", "/api/v1/dispatches/stability",
                 "/api/v1/ingest"):
        assert path in schema["paths"], path
    ingest = schema["paths"]["/api/v1/ingest"]["post"]
    assert ingest["requestBody"]["content"]["application/json"]["schema"]["properties"]["items"]["maxItems"] == MAX_ITEMS
    assert {"200", "422", "403"} <= set(ingest["responses"])
    assert schema["components"]["schemas"]["AssetIn"]["properties"]["value_fen"]["minimum"] == 0


# --- the permission matrix ------------------------------------------------------------------------

ROLES = ("national", "east_office", "west_office", "county_office", "viewer", "auditor", "anonymous")

# {in} = the 美姑 project, {out} = the 花溪 project; {d_in} / {d_out} their dispatch records.
# Cells: a status code, or for lists `some` / `none` (200 and whether anything is listed).
MATRIX = """
method path                                   body          national east_office west_office county_office viewer auditor anonymous
GET    /projects?county=513436                -             some     some        some        some          some   some    401
GET    /projects?county=520111                -             some     none        none        none          none   some    401
GET    /projects/{in}                         -             200      200         200         200           200    200     401
GET    /projects/{out}                        -             200      404         404         404           404    200     401
POST   /projects                              project_in    201      201         201         201           403    403     401
POST   /projects                              project_out   201      422         422         422           403    403     401
POST   /projects/{in}/transition              start         200      200         200         200           403    403     401
POST   /projects/{out}/transition             start         200      404         404         404           404    403     401
PUT    /projects/{in}/milestones              plan          200      200         200         200           403    403     401
PUT    /projects/{out}/milestones             plan          200      404         404         404           404    403     401
POST   /projects/{in}/milestones/1/complete   reached       200      200         200         200           403    403     401
POST   /projects/{out}/milestones/1/complete  reached       200      404         404         404           404    403     401
GET    /projects/{in}/reports                 -             200      200         200         200           200    200     401
GET    /projects/{out}/reports                -             200      404         404         404           404    200     401
POST   /projects/{in}/reports                 report        201      201         201         201           403    403     401
POST   /projects/{out}/reports                report        201      404         404         404           404    403     401
POST   /projects/{in}/outputs                 output        201      201         201         201           403    403     401
POST   /projects/{out}/outputs                output        201      404         404         404           404    403     401
POST   /projects/{in}/assets                  asset         201      201         201         201           403    403     401
POST   /projects/{out}/assets                 asset         201      404         404         404           404    403     401
GET    /dispatches?region=513436              -             some     some        some        some          some   some    401
GET    /dispatches?region=520111              -             some     none        none        none          none   some    401
GET    /dispatches/{d_in}                     -             200      200         200         200           200    200     401
GET    /dispatches/{d_out}                    -             200      404         404         404           404    200     401
POST   /dispatches                            dispatch_in   201      201         201         201           403    403     401
POST   /dispatches                            dispatch_out  201      422         422         422           403    403     401
PATCH  /dispatches/{d_in}                     ended         200      200         200         200           403    403     401
PATCH  /dispatches/{d_out}                    ended         200      404         404         404           404    403     401
GET    /dispatches/stability?region=513436    -             200      200         200         200           200    200     401
POST   /ingest                                ingest_in     200      200         200         200           403    403     401
POST   /ingest                                ingest_out    200      422         422         422           403    403     401
"""


def _matrix_cases():
    lines = [line.split() for line in MATRIX.strip().splitlines()]
    header, rows = lines[0], lines[1:]
    assert header[3:] == list(ROLES)
    for method, path, body, *cells in rows:
        assert len(cells) == len(ROLES), path
        for role, expected in zip(ROLES, cells):
            yield pytest.param(method, path, body, role, expected, id=f"{method} {path} {body} {role}")


@pytest.fixture
def matrix_ids(users, offices, pair, project, gd):
    d_in = save_dispatch(users["county_office"], person_name="矩阵老师", id_number=ID_NUMBER, kind="education", direction="e2w", from_org=offices["330212"],
                         to_org=offices["513436"], pairing=pair, planned_start=D(2026, 3, 1), planned_end=D(2027, 2, 28),
                         actual_start=D(2026, 3, 1))
    ids = {"in": project.code, "out": gd["project"].code, "d_in": d_in.pk, "d_out": gd["dispatch"].pk}
    bodies = {
        "project_in": new_project_body(pair),
        "project_out": {"name": "花溪区矩阵项目", "category": "industry", "county": "520111", "pairing": gd["pairing"].pk,
                        "planned_start": "2027-01-01", "planned_end": "2027-12-31"},
        "start": {"to": "in_progress"},
        "plan": [{"name": "矩阵", "planned_date": "2027-05-01"}],
        "reached": {"on": "2026-03-01"},
        "report": {"week": "2026-11-18", "percent": 30},
        "output": {"as_of": "2026-10-31", "jobs_created": 3, "households": {"employment": 3}},
        "asset": {"name": "矩阵资产", "asset_class": "equipment", "value_fen": 100, "owner_tier": "collective", "registered_on": "2026-10-01"},
        "dispatch_in": dispatch_body(offices, pair),
        "dispatch_out": {**dispatch_body(offices, pair), "from_org": gd["east_org"].pk, "to_org": gd["west_org"].pk, "pairing": gd["pairing"].pk},
        "ended": {"actual_end": "2027-02-28"},
        "ingest_in": {"items": [report_item("m", project.code)]},
        "ingest_out": {"items": [report_item("m", gd["project"].code)]},
    }
    return ids, bodies


@pytest.mark.parametrize("method, path, body, role, expected", list(_matrix_cases()))
def test_permission_matrix(client, users, matrix_ids, method, path, body, role, expected):
    ids, bodies = matrix_ids
    headers = {"HTTP_ACCEPT_LANGUAGE": "en"}
    if role != "anonymous":
        headers["HTTP_AUTHORIZATION"] = "Bearer " + ApiToken.issue(users[role])
    data = json.dumps(bodies[body]) if body != "-" else ""
    response = client.generic(method, "/api/v1" + path.format(**ids), data, content_type="application/json", **headers)
    payload = response.json()
    if expected in ("some", "none"):
        assert response.status_code == 200, payload
        assert (payload["count"] > 0) == (expected == "some"), payload
        return
    assert response.status_code == int(expected), payload
    if response.status_code >= 400:
        assert payload["error"]["code"] and payload["error"]["message"], payload
    if response.status_code in (401, 403, 404):
        assert set(payload) == {"error"}, payload
    if path.startswith("/dispatches/{") and response.status_code == 200:
        assert "********" in payload["id_number"], payload  # never in full

"""The API: POST a scenario (solved in the background, eager here), GET its answer; the
objective it reports equals the sum of the reported pair values less the change costs;
outside one's scope a scenario answers 404; the OpenAPI document lists the constraints."""
import pytest

from tests.support import gd_office  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

BODY = {"name": "api", "level": "county", "east_province": "330000", "west_province": "510000",
        "weights": {"distance": 0.3}, "constraints": {"forbidden": [["330212", "513436"]], "change_cost": 0.1, "time_limit": 30,
                                                      "sensitivity": False}}


def post(client, body):
    return client.post("/api/v1/repairing/scenarios", body, content_type="application/json")


def test_post_then_get_a_scenario(client_as, django_capture_on_commit_callbacks):
    c = client_as("national")
    with django_capture_on_commit_callbacks(execute=True):
        r = post(c, BODY)
    assert r.status_code == 201, r.content
    sid = r.json()["id"]
    got = c.get(f"/api/v1/repairing/scenarios/{sid}").json()
    assert got["status"] == "optimal" and got["gap"] == 0.0
    assert got["weights"]["distance"] == 0.3
    assert got["objective"] == pytest.approx(sum(p["value"] for p in got["pairs"]) - got["change_cost_total"])
    n_changes = sum((ch["old_east"] is not None) + (ch["new_east"] is not None) for ch in got["changes"])
    assert got["change_cost_total"] == pytest.approx(0.1 * n_changes)
    ch = next(ch for ch in got["changes"] if ch["west"] == "513436")
    assert ch["old_east"] == "330212" and ch["old_terms"]["terms"]
    assert got["today_value"] is not None
    listed = c.get("/api/v1/repairing/scenarios").json()
    assert sid in [x["id"] for x in listed["items"]]


def test_infeasible_is_answered_with_its_reason(client_as, django_capture_on_commit_callbacks):
    c = client_as("national")
    with django_capture_on_commit_callbacks(execute=True):
        r = post(c, {**BODY, "constraints": {"west_min": 2, "west_max": 2, "capacity_factor": 0.01, "sensitivity": False}})
    got = c.get(f"/api/v1/repairing/scenarios/{r.json()['id']}").json()
    assert got["status"] == "infeasible" and got["reason"] and got["objective"] is None


def test_scope_in_the_api(client_as, gd_office, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sid = post(client_as("national"), BODY).json()["id"]
    assert client_as("gd_office").get(f"/api/v1/repairing/scenarios/{sid}").status_code == 404
    assert client_as("county_office").get(f"/api/v1/repairing/scenarios/{sid}").status_code == 404
    assert client_as("east_office").get(f"/api/v1/repairing/scenarios/{sid}").status_code == 200
    r = post(client_as("east_office"), {**BODY, "level": "province", "east_province": "", "west_province": ""})
    assert r.status_code == 403 and r.json()["error"]["code"] == "permission_denied"
    r = post(client_as("gd_office"), BODY)
    assert r.status_code == 403
    r = post(client_as("national"), {**BODY, "constraints": {"bogus": 1}})
    assert r.status_code == 422


def test_openapi_lists_the_endpoints_and_constraints(client_as):
    doc = client_as("national").get("/api/v1/openapi.json").json()
    assert "/api/v1/repairing/scenarios" in doc["paths"] and "/api/v1/repairing/scenarios/{scenario_id}" in doc["paths"]
    assert "Σ pair values − change_cost × changes" in doc["paths"]["/api/v1/repairing/scenarios"]["post"]["description"]

"""The REST API at /api/v1: tokens and sessions, lists and filters, pages, writes, bad input,
the one error shape and the audit trail of API writes. Permissions: tests/api/test_permissions.py."""
import datetime
import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from xiezuo.users.models import ApiToken
from xiezuo.core.models import AuditEntry
from xiezuo.orgs.credit_code import make_credit_code
from xiezuo.orgs.models import Organisation
from xiezuo.pairings.models import Agreement, Pairing
from xiezuo.regions.models import Region, RegionFact

pytestmark = pytest.mark.django_db


class Api:
    """A client speaking JSON to /api/v1 with a bearer token (or none), in English."""

    def __init__(self, token=None, client=None):
        self.client = client or Client()
        self.headers = {"HTTP_ACCEPT_LANGUAGE": "en"}
        if token:
            self.headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"

    def __call__(self, method, path, body=None, **extra):
        data = json.dumps(body) if body is not None and not isinstance(body, str) else (body or "")
        return self.client.generic(method, "/api/v1" + path, data, content_type="application/json", **self.headers, **extra)

    def get(self, path, **params):
        query = "&".join(f"{k}={v}" for k, v in params.items())
        return self("GET", f"{path}?{query}" if query else path)

    def post(self, path, body):
        return self("POST", path, body)

    def patch(self, path, body):
        return self("PATCH", path, body)

    def put(self, path, body):
        return self("PUT", path, body)


@pytest.fixture
def api_as(users):
    """api_as("west_office") → an Api client authenticated with a fresh token."""
    return lambda username: Api(ApiToken.issue(users[username]))


def pairing(kind, east, west):
    return Pairing.objects.get(kind=kind, east_region__code=east, west_region__code=west)


def assert_error(response, status, code, *fields):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    for field in fields:
        assert field in body["error"]["fields"], body
    return body["error"]


# --- authentication ---------------------------------------------------------------------


def test_token_flow_issues_a_token_that_authenticates():
    anonymous = Api()
    response = anonymous.post("/auth/token", {"username": "west_office", "password": "xiezuo-demo"})
    assert response.status_code == 200
    body = response.json()
    expires = datetime.datetime.fromisoformat(body["expires"].replace("Z", "+00:00"))
    assert timezone.now() + datetime.timedelta(days=29) < expires < timezone.now() + datetime.timedelta(days=31)

    me = Api(body["token"])
    assert me.get("/regions/513436").status_code == 200
    assert me.get("/regions/320102").status_code == 404  # scoped as west_office


@pytest.mark.parametrize("credentials", [
    {"username": "west_office", "password": "wrong"},
    {"username": "nobody", "password": "xiezuo-demo"},
])
def test_wrong_credentials_are_401_in_the_error_shape(credentials):
    err = assert_error(Api().post("/auth/token", credentials), 401, "unauthorized")
    assert "wrong username or password" in err["message"]


def test_token_request_without_password_is_a_field_error():
    assert_error(Api().post("/auth/token", {"username": "west_office"}), 422, "validation_error", "password")


def test_inactive_user_gets_no_token_and_their_token_stops_working(users):
    token = ApiToken.issue(users["viewer"])
    users["viewer"].is_active = False
    users["viewer"].save()
    assert_error(Api().post("/auth/token", {"username": "viewer", "password": "xiezuo-demo"}), 401, "unauthorized")
    assert_error(Api(token).get("/regions"), 401, "unauthorized")


def test_expired_and_garbage_tokens_are_401(users):
    token = ApiToken.issue(users["west_office"])
    ApiToken.objects.filter(user=users["west_office"]).update(expires=timezone.now() - datetime.timedelta(seconds=1))
    assert_error(Api(token).get("/regions"), 401, "unauthorized")
    assert_error(Api("xz_not-a-token").get("/regions"), 401, "unauthorized")


def test_no_credentials_is_401_with_a_bearer_challenge():
    response = Api().get("/pairings")
    assert_error(response, 401, "unauthorized")
    assert response["WWW-Authenticate"].startswith("Bearer")
    # an unsafe method without credentials is 401 too, not a CSRF 403
    assert_error(Api().post("/organisations", {"name": "x", "kind": "enterprise", "region": "513436"}), 401, "unauthorized")


def test_session_auth_reads_and_needs_csrf_for_writes(users):
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(users["west_office"])
    session = Api(client=client)
    assert session.get("/regions/513436").status_code == 200

    body = {"name": "会话测试企业", "kind": "enterprise", "region": "513436"}
    assert_error(session.post("/organisations", body), 403, "csrf_failed")
    assert not Organisation.objects.filter(name="会话测试企业").exists()

    secret = "a" * 32
    client.cookies["csrftoken"] = secret
    response = session("POST", "/organisations", body, HTTP_X_CSRFTOKEN=secret)
    assert response.status_code == 201, response.content
    entry = AuditEntry.objects.get(object_type="orgs.organisation", object_id=str(response.json()["id"]))
    assert (entry.username, entry.via) == ("west_office", "api")


def test_bearer_token_wins_over_no_session_and_acts_as_its_user(api_as):
    response = api_as("county_office").get("/regions/510100")
    assert_error(response, 404, "not_found")


# --- the audit trail of API writes --------------------------------------------------------


def test_api_write_is_audited_as_the_token_user_via_api_with_the_request_id(api_as):
    api = api_as("county_office")
    response = api("PUT", "/regions/513436/facts/2026", {"population": 210000}, HTTP_X_REQUEST_ID="req-api-test-1")
    assert response.status_code == 200, response.content
    assert response["X-Request-ID"] == "req-api-test-1"
    fact = RegionFact.objects.get(region__code="513436", year=2026)
    entry = AuditEntry.objects.get(object_type="regions.regionfact", object_id=str(fact.pk))
    assert entry.username == "county_office"
    assert entry.user.username == "county_office"
    assert entry.via == "api"
    assert entry.request_id == "req-api-test-1"
    assert entry.after["population"] == 210000


def test_audit_endpoint_filters(api_as):
    api = api_as("national")
    created = api.post("/organisations", {"name": "审计测试企业", "kind": "enterprise", "region": "513436"}).json()
    api.patch(f"/organisations/{created['id']}", {"contact": "0834-000"})
    oid = created["id"]

    items = api.get("/audit", object_type="orgs.organisation", object_id=oid).json()["items"]
    assert [e["action"] for e in items] == ["update", "create"]  # newest first
    assert items[0]["before"]["contact"] == "" and items[0]["after"]["contact"] == "0834-000"
    assert all(e["username"] == "national" and e["via"] == "api" for e in items)

    assert api.get("/audit", object_type="orgs.organisation", object_id=oid, action="create").json()["count"] == 1
    assert api.get("/audit", object_type="orgs.organisation", object_id=oid, user="west_office").json()["count"] == 0
    since = (timezone.now() - datetime.timedelta(minutes=5)).isoformat().replace("+", "%2B")
    assert api.get("/audit", object_type="orgs.organisation", object_id=oid, since=since).json()["count"] == 2
    assert api.get("/audit", object_type="orgs.organisation", object_id=oid, until="2000-01-01T00:00:00").json()["count"] == 0
    assert api.get("/audit", object_type="orgs.organisation", object_id=oid, region="513400").json()["count"] == 2
    assert api.get("/audit", object_type="orgs.organisation", object_id=oid, region="330000").json()["count"] == 0
    assert_error(api.get("/audit", since="yesterday"), 422, "validation_error", "since")


def test_office_admin_reads_only_the_audit_of_its_subtree(api_as):
    entries = api_as("east_office").get("/audit", limit=500).json()["items"]
    assert entries
    for e in entries:
        assert e["region_code"].startswith("33") or e["other_region_code"].startswith("33"), e


# --- regions ------------------------------------------------------------------------------


def test_region_detail_has_parent_children_tier_and_facts(api_as):
    body = api_as("west_office").get("/regions/513400").json()
    assert body["name"] == "凉山彝族自治州" and body["level"] == "prefecture"
    assert body["parent"] == "510000" and body["parent_region"]["name"] == "四川省"
    assert "513436" in {c["code"] for c in body["children"]}
    assert body["children_count"] == len(body["children"]) >= 17
    assert [f["year"] for f in body["facts"]] == [2025, 2024, 2023]
    meigu = api_as("west_office").get("/regions/513436").json()
    assert meigu["tier"] == "key" and meigu["key_assistance"] is True and meigu["role"] == "west"


def test_region_detail_shows_only_visible_parent_and_children(api_as):
    # 美姑's office sees its own county and its partner, not 凉山州 above it
    body = api_as("county_office").get("/regions/513436").json()
    assert body["parent"] == "513400" and body["parent_region"] is None
    # west_office sees 浙江 (its partner province) but only its paired cities below it
    zhejiang = api_as("west_office").get("/regions/330000").json()
    assert {c["code"] for c in zhejiang["children"]} == {"330100", "330200", "330300"}


@pytest.mark.parametrize("params, check", [
    ({"level": "province"}, lambda items, n: n == 34 and all(i["level"] == "province" for i in items)),
    ({"level": "province", "role": "east"}, lambda items, n: n == 8 and "330000" in {i["code"] for i in items}),
    ({"level": "province", "role": "west"}, lambda items, n: n == 10),
    ({"parent": "513400"}, lambda items, n: all(i["parent"] == "513400" for i in items) and "513436" in {i["code"] for i in items}),
    ({"code": "513436"}, lambda items, n: n == 1 and items[0]["name"] == "美姑县"),
    ({"code": "513400"}, lambda items, n: n == 1 and items[0]["code"] == "513400"),  # exact, not a prefix (a code is six digits)
    ({"q": "美姑"}, lambda items, n: [i["code"] for i in items] == ["513436"]),
    ({"q": "5134", "limit": 500}, lambda items, n: n > 17 and all(i["code"].startswith("5134") for i in items)),
    ({"key_assistance": "true"}, lambda items, n: {"513436", "513431"} <= {i["code"] for i in items} and all(i["tier"] == "key" for i in items)),
])
def test_region_list_filters(api_as, params, check):
    body = api_as("national").get("/regions", **params).json()
    assert check(body["items"], body["count"]), body


def test_region_list_is_scoped(api_as):
    codes = {r["code"] for r in api_as("county_office").get("/regions", limit=500).json()["items"]}
    assert codes == {"513436", "330212"}


def test_region_list_rejects_an_unknown_level(api_as):
    assert_error(api_as("national").get("/regions", level="village"), 422, "validation_error", "level")


def test_region_facts_list_and_put(api_as):
    api = api_as("west_office")
    assert [f["year"] for f in api.get("/regions/513436/facts").json()["items"]] == [2025, 2024, 2023]
    body = {"population": 220000, "gdp_wan": 1600000, "primary_share": "20.00", "secondary_share": 30, "tertiary_share": 50.0}
    response = api.put("/regions/513436/facts/2026", body)
    assert response.status_code == 200, response.content
    assert response.json()["primary_share"] == "20.00"
    fact = RegionFact.objects.get(region__code="513436", year=2026)
    assert fact.population == 220000 and fact.labour_force is None
    # PUT replaces the row: a field left out becomes unknown
    api.put("/regions/513436/facts/2026", {"labour_force": 100})
    fact.refresh_from_db()
    assert (fact.population, fact.labour_force) == (None, 100)


@pytest.mark.parametrize("body, field", [
    ({"population": -1}, "population"),
    ({"population": 1.5}, "population"),
    ({"population": "many"}, "population"),
    ({"primary_share": 50, "secondary_share": 30, "tertiary_share": 30}, "tertiary_share"),
    ({"primary_share": 150}, "primary_share"),
    ({"primary_share": "1.234"}, "primary_share"),
    ({"inhabitants": 5}, "inhabitants"),
])
def test_region_facts_bad_input(api_as, body, field):
    assert_error(api_as("west_office").put("/regions/513436/facts/2026", body), 422, "validation_error", field)
    assert not RegionFact.objects.filter(region__code="513436", year=2026).exists()


def test_region_fact_year_out_of_range(api_as):
    assert_error(api_as("national").put("/regions/513436/facts/1800", {}), 422, "validation_error", "year")


def test_key_assistance_flag(api_as):
    api = api_as("national")
    response = api.put("/regions/513437/key-assistance", {"key_assistance": True})
    assert response.status_code == 200 and response.json()["tier"] == "key"
    assert Region.objects.get(code="513437").key_assistance
    assert_error(api.put("/regions/513400/key-assistance", {"key_assistance": True}), 422, "validation_error", "code")
    assert_error(api.put("/regions/330212/key-assistance", {"key_assistance": True}), 422, "validation_error", "code")
    assert_error(api.put("/regions/513437/key-assistance", {"key_assistance": "yes"}), 422, "validation_error", "key_assistance")


@pytest.mark.parametrize("code", ["51ab", "5134360", "51343", "５１３４３６"])
def test_malformed_region_code_in_the_path_is_a_field_error(api_as, code):
    err = assert_error(api_as("national").get(f"/regions/{code}"), 422, "validation_error", "code")
    assert "six-digit" in err["fields"]["code"][0]


def test_unknown_region_code_in_the_path_is_404(api_as):
    assert_error(api_as("national").get("/regions/999999"), 404, "not_found")


# --- pairings -----------------------------------------------------------------------------


def test_pairing_list_filters(api_as):
    api = api_as("national")

    def ids(**params):
        return {p["id"] for p in api.get("/pairings", limit=500, **params).json()["items"]}

    county = pairing("county", "330212", "513436").pk
    city = pairing("prefecture", "330200", "513400").pk
    province = pairing("province", "330000", "510000").pk
    assert county in ids(kind="county") and city not in ids(kind="county")
    assert {county, city} <= ids(east="330200")  # subtree of 宁波
    assert province not in ids(east="330200")
    assert {county, city, province} <= ids(west="510000")
    assert ids(west="513436") >= {county} and city not in ids(west="513436")
    assert {county, city} <= ids(region="330200")
    assert county in ids(q="鄞州") and county in ids(q="美姑")
    assert ids(q="拉木村") == {Pairing.objects.get(kind="enterprise_village").pk}
    assert county in ids(current="true") and county not in ids(current="false")
    assert_error(api.get("/pairings", east="339999"), 422, "validation_error", "east")
    assert_error(api.get("/pairings", kind="friendship"), 422, "validation_error", "kind")


def test_pairing_detail_has_history(api_as):
    p = pairing("county", "330212", "513436")
    body = api_as("county_office").get(f"/pairings/{p.pk}").json()
    assert body["east_region"] == {"code": "330212", "name": "鄞州区", "level": "county"}
    assert body["is_current"] is True
    assert body["history"][0]["kind"] == "created" and body["history"][0]["user"] == "national"


def test_create_adjust_and_end_a_pairing(api_as):
    api = api_as("east_office")
    response = api.post("/pairings", {"kind": "county", "east_region": "330281", "west_region": "513430",
                                      "valid_from": "2025-01-01", "reason": "新增结对"})
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["history"][0]["reason"] == "新增结对" and created["history"][0]["user"] == "east_office"

    response = api.patch(f"/pairings/{created['id']}", {"valid_to": "2025-12-31", "reason": "调整结对"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["valid_to"] == "2025-12-31" and body["is_current"] is False
    assert [h["kind"] for h in body["history"]] == ["ended", "created"]
    assert body["history"][0]["reason"] == "调整结对"
    entries = AuditEntry.objects.filter(object_type="pairings.pairing", object_id=str(created["id"]))
    assert {(e.action, e.username, e.via) for e in entries} == {("create", "east_office", "api"), ("update", "east_office", "api")}


def test_sector_pairing_with_organisations(api_as):
    api = api_as("west_office")
    school_e = Organisation.objects.get(name="宁波市鄞州区实验中学（演示）")
    school_w = api.post("/organisations", {"name": "美姑县第二中学", "kind": "school", "region": "513436"}).json()
    body = {"kind": "school", "east_org": school_e.pk, "west_org": school_w["id"], "valid_from": "2026-09-01"}
    response = api.post("/pairings", body)
    assert response.status_code == 201, response.content
    assert response.json()["east_region"]["code"] == "330212"  # taken from the organisations
    assert response.json()["west_org"]["name"] == "美姑县第二中学"


def test_pairing_naming_an_invisible_organisation_is_a_field_error(api_as):
    nanjing = Organisation.objects.get(region__code="320100", kind="office")
    body = {"kind": "school", "east_org": nanjing.pk, "west_org": 10**9, "valid_from": "2030-01-01"}
    err = assert_error(api_as("west_office").post("/pairings", body), 422, "validation_error", "east_org", "west_org")
    assert err["fields"]["east_org"] == [f"no organisation #{nanjing.pk}"]


@pytest.mark.parametrize("field, code, message", [
    ("east_region", "33021", "six-digit"),
    ("east_region", "33021x", "six-digit"),
    ("west_region", "519999", "no region has the code"),
])
def test_pairing_with_a_bad_region_code_is_refused(api_as, field, code, message):
    body = {"kind": "county", "east_region": "330281", "west_region": "513430", "valid_from": "2025-01-01", field: code}
    err = assert_error(api_as("national").post("/pairings", body), 422, "validation_error", field)
    assert message in err["fields"][field][0]


def test_pairing_sides_and_levels_are_checked(api_as):
    api = api_as("national")
    body = {"kind": "county", "east_region": "513430", "west_region": "330281", "valid_from": "2025-01-01"}
    assert_error(api.post("/pairings", body), 422, "validation_error", "east_region", "west_region")
    body = {"kind": "county", "east_region": "330200", "west_region": "513430", "valid_from": "2025-01-01"}
    assert_error(api.post("/pairings", body), 422, "validation_error", "east_region")
    body = {"kind": "county", "east_region": "330281", "west_region": "513430", "valid_from": "2025-01-01", "valid_to": "2024-01-01"}
    assert_error(api.post("/pairings", body), 422, "validation_error", "valid_to")
    body = {"kind": "county", "east_region": "330281", "west_region": "513430", "valid_from": "01/01/2025"}
    assert_error(api.post("/pairings", body), 422, "validation_error", "valid_from")


def test_overlapping_pairing_is_refused(api_as):
    existing = pairing("county", "330212", "513436")
    body = {"kind": "county", "east_region": "330212", "west_region": "513436", "valid_from": "2025-06-01"}
    err = assert_error(api_as("national").post("/pairings", body), 422, "validation_error", "valid_from")
    assert f"#{existing.pk}" in err["fields"]["valid_from"][0]
    assert Pairing.objects.filter(kind="county", east_region__code="330212", west_region__code="513436").count() == 1


def test_pairing_against_the_province_pairing_needs_an_override_reason(api_as):
    api = api_as("east_office")
    # 浙江 is paired with 四川, not with 甘肃: a 鄞州—永登 pairing contradicts that
    body = {"kind": "county", "east_region": "330212", "west_region": "620121", "valid_from": "2025-01-01", "reason": "试点"}
    err = assert_error(api.post("/pairings", body), 422, "validation_error", "__all__")
    assert "no province pairing in force" in err["message"]
    assert "override reason" in err["message"]
    assert not Pairing.objects.filter(west_region__code="620121").exists()

    response = api.post("/pairings", {**body, "override_reason": "国家试点批准"})
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["override_reason"] == "国家试点批准"
    assert "国家试点批准" in created["history"][0]["reason"]
    assert Pairing.objects.get(pk=created["id"]).override_reason == "国家试点批准"


def test_changing_a_pairing_needs_a_reason(api_as):
    p = pairing("county", "330212", "513436")
    api = api_as("west_office")
    assert_error(api.patch(f"/pairings/{p.pk}", {"name": "新名字"}), 422, "validation_error", "reason")
    assert_error(api.patch(f"/pairings/{p.pk}", {"name": "新名字", "reason": "  "}), 422, "validation_error", "reason")
    assert_error(api.patch(f"/pairings/{p.pk}", {"reason": "x", "valid_from": None}), 422, "validation_error", "valid_from")
    p.refresh_from_db()
    assert p.name == ""


def test_east_office_cannot_create_a_province_pairing(api_as):
    body = {"kind": "province", "east_region": "330000", "west_region": "620000", "valid_from": "2025-01-01"}
    assert_error(api_as("east_office").post("/pairings", body), 403, "permission_denied")


# --- agreements ---------------------------------------------------------------------------


def test_agreement_list_filters(api_as):
    api = api_as("national")
    county = pairing("county", "330212", "513436")
    body = api.get("/agreements", pairing=county.pk).json()
    assert body["count"] == 3 and {a["year"] for a in body["items"]} == {2024, 2025, 2026}
    assert all(a["year"] == 2025 for a in api.get("/agreements", year=2025, limit=500).json()["items"])
    by_region = api.get("/agreements", region="513436", limit=500).json()["items"]
    assert by_region and all(
        a["pairing"]["west_region"]["code"].startswith("513436") or a["pairing"]["east_region"]["code"].startswith("513436") for a in by_region
    )
    assert api.get("/agreements", kind="province", year=2025).json()["count"] == Pairing.objects.filter(kind="province").count()


def test_create_and_change_an_agreement(api_as):
    p = pairing("county", "330212", "513436")
    api = api_as("county_office")
    response = api.post("/agreements", {"pairing": p.pk, "year": 2023, "fiscal_aid_fen": 500_000_000_00, "consumption_fen": 123,
                                        "cadres": 2, "signed_on": "2023-03-01"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["fiscal_aid_fen"] == 500_000_000_00 and body["pairing"]["id"] == p.pk
    response = api.patch(f"/agreements/{body['id']}", {"fiscal_aid_fen": 1, "note": "改"})
    assert response.status_code == 200
    a = Agreement.objects.get(pk=body["id"])
    assert (a.fiscal_aid_fen, a.consumption_fen, a.note) == (1, 123, "改")
    entry = AuditEntry.objects.filter(object_type="pairings.agreement", object_id=str(a.pk), action="update").get()
    assert (entry.username, entry.via) == ("county_office", "api")


@pytest.mark.parametrize("value, message", [
    (-1, "cannot be negative"),
    (1.5, "whole numbers"),
    (100.0, "whole numbers"),  # a float is refused even when whole: amounts are integer fen
    ("100", "whole numbers"),
    (True, "whole numbers"),
    (None, "whole numbers"),
    (2**63, "too large"),
])
@pytest.mark.parametrize("field", ["fiscal_aid_fen", "consumption_fen"])
def test_money_must_be_whole_non_negative_fen(api_as, field, value, message):
    p = pairing("county", "330212", "513436")
    api = api_as("national")
    err = assert_error(api.post("/agreements", {"pairing": p.pk, "year": 2023, field: value}), 422, "validation_error", field)
    assert message in err["fields"][field][0]
    assert not Agreement.objects.filter(pairing=p, year=2023).exists()

    a = Agreement.objects.get(pairing=p, year=2025)
    before = getattr(a, field)
    assert_error(api.patch(f"/agreements/{a.pk}", {field: value}), 422, "validation_error", field)
    a.refresh_from_db()
    assert getattr(a, field) == before


def test_agreement_bad_input(api_as):
    p = pairing("county", "330212", "513436")
    api = api_as("national")
    assert_error(api.post("/agreements", {"pairing": p.pk, "year": 2025}), 422, "validation_error", "year")  # exists
    assert_error(api.post("/agreements", {"pairing": p.pk, "year": 2019}), 422, "validation_error", "year")  # before the pairing
    assert_error(api.post("/agreements", {"pairing": p.pk, "year": "2023"}), 422, "validation_error", "year")
    assert_error(api.post("/agreements", {"pairing": p.pk, "year": 2023, "cadres": -2}), 422, "validation_error", "cadres")
    assert_error(api.post("/agreements", {"pairing": 10**9, "year": 2023}), 422, "validation_error", "pairing")
    assert_error(api.post("/agreements", {"year": 2023}), 422, "validation_error", "pairing")


# --- organisations ------------------------------------------------------------------------


def test_organisation_list_filters(api_as):
    api = api_as("west_office")
    schools = api.get("/organisations", kind="school").json()["items"]
    assert {o["name"] for o in schools} == {"美姑县民族中学（演示）", "宁波市鄞州区实验中学（演示）"}
    in_meigu = api.get("/organisations", region="513436").json()["items"]
    assert in_meigu and all(o["region"]["code"] == "513436" for o in in_meigu)
    assert {o["name"] for o in api.get("/organisations", q="美姑").json()["items"]} == {o["name"] for o in in_meigu}
    code = Organisation.objects.get(region__code="513436", kind="office").credit_code
    assert [o["credit_code"] for o in api.get("/organisations", q=code[:10].lower()).json()["items"]].count(code) == 1


def test_create_and_change_an_organisation_with_a_credit_code(api_as):
    valid = make_credit_code("91513436MA6CX1234")
    api = api_as("county_office")
    response = api.post("/organisations", {"name": "美姑县合作社", "kind": "enterprise", "region": "513436", "credit_code": valid.lower()})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["credit_code"] == valid and body["region"]["code"] == "513436"

    response = api.patch(f"/organisations/{body['id']}", {"credit_code": None, "contact": "张三"})
    assert response.status_code == 200
    assert response.json()["credit_code"] is None and response.json()["contact"] == "张三"


def test_wrong_credit_code_check_character_is_refused(api_as):
    valid = make_credit_code("91513436MA6CX1234")
    wrong = valid[:-1] + ("0" if valid[-1] != "0" else "1")
    api = api_as("west_office")
    err = assert_error(api.post("/organisations", {"name": "错码公司", "kind": "enterprise", "region": "513436", "credit_code": wrong}),
                       422, "validation_error", "credit_code")
    assert "check character" in err["fields"]["credit_code"][0]
    assert not Organisation.objects.filter(name="错码公司").exists()
    org = Organisation.objects.get(region__code="513436", kind="office")
    assert_error(api.patch(f"/organisations/{org.pk}", {"credit_code": wrong}), 422, "validation_error", "credit_code")


def test_organisation_bad_input(api_as):
    api = api_as("national")
    assert_error(api.post("/organisations", {"name": "x", "kind": "club", "region": "513436"}), 422, "validation_error", "kind")
    assert_error(api.post("/organisations", {"name": "x", "kind": "enterprise", "region": "5134"}), 422, "validation_error", "region")
    assert_error(api.post("/organisations", {"name": "  ", "kind": "enterprise", "region": "513436"}), 422, "validation_error", "name")
    assert_error(api.post("/organisations", {"name": "x" * 201, "kind": "enterprise", "region": "513436"}), 422, "validation_error", "name")
    assert_error(api.post("/organisations", {"name": "a\x00b", "kind": "enterprise", "region": "513436"}), 422, "validation_error", "name")
    dup = {"name": "美姑县东西部协作办公室", "kind": "office", "region": "513436"}
    assert_error(api.post("/organisations", dup), 422, "validation_error", "name")


# --- pagination, the error shape, efficiency, the OpenAPI document -------------------------


def test_pagination(api_as):
    api = api_as("national")
    first = api.get("/regions", limit=2).json()
    second = api.get("/regions", limit=2, offset=2).json()
    assert first["count"] == second["count"] == Region.objects.count()
    assert len(first["items"]) == len(second["items"]) == 2
    codes = [r["code"] for r in first["items"] + second["items"]]
    assert codes == sorted(codes) and len(set(codes)) == 4
    assert len(api.get("/regions").json()["items"]) == 50  # default
    assert len(api.get("/regions", limit=10_000).json()["items"]) == 500  # capped
    assert api.get("/regions", offset=10**6).json()["items"] == []
    assert_error(api.get("/regions", limit=0), 422, "validation_error", "limit")
    assert_error(api.get("/regions", offset=-1), 422, "validation_error", "offset")


def test_error_shape_for_wrong_paths_methods_and_bodies(api_as):
    api = api_as("national")
    assert_error(api.get("/no-such-thing"), 404, "not_found")
    assert_error(api.get("/pairings/10000000000000000000000"), 404, "not_found")
    assert_error(api.get("/pairings/abc"), 422, "validation_error", "pairing_id")
    response = api("DELETE", "/organisations/1")
    assert_error(response, 405, "method_not_allowed")
    assert "PATCH" in response["Allow"]
    assert_error(api.post("/organisations", "{not json"), 400, "bad_request")
    assert_error(api.post("/organisations", [1, 2]), 422, "validation_error", "__all__")


@pytest.mark.parametrize("path", ["/regions", "/pairings", "/agreements", "/organisations", "/audit"])
def test_lists_do_not_query_per_item(api_as, path):
    api = api_as("national")
    api.get(path, limit=1)  # the token's first use is recorded once
    with CaptureQueriesContext(connection) as small:
        assert api.get(path, limit=2).status_code == 200
    with CaptureQueriesContext(connection) as large:
        assert len(api.get(path, limit=100).json()["items"]) > 2
    assert len(large) == len(small) <= 8, [q["sql"] for q in large.captured_queries]


def test_openapi_document_and_docs_page():
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    for path in ("/api/v1/auth/token", "/api/v1/regions/{code}", "/api/v1/pairings/{pairing_id}", "/api/v1/agreements",
                 "/api/v1/organisations/{org_id}", "/api/v1/audit", "/api/v1/regions/{code}/facts/{year}"):
        assert path in schema["paths"], path
    assert {"BearerAuth", "SessionAuth"} <= set(schema["components"]["securitySchemes"])
    fen = schema["components"]["schemas"]["AgreementIn"]["properties"]["fiscal_aid_fen"]
    assert fen["type"] == "integer" and fen["minimum"] == 0
    assert Client().get("/api/v1/docs").status_code == 200


@pytest.mark.parametrize("path, field", [
    ("/audit?since=0001-01-01T00:00:00", "since"),
    ("/audit?until=9999-12-31T23:59:59", "until"),
    ("/agreements?year=100000000000000000000", "year"),
    ("/agreements?pairing=100000000000000000000", "pairing"),
    ("/regions?q=%00", "q"),
])
def test_out_of_range_filters_are_field_errors_not_server_errors(api_as, path, field):
    assert_error(api_as("national")("GET", path), 422, "validation_error", field)

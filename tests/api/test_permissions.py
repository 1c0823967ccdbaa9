"""The API's permission matrix: every endpoint × every demo role, in and out of scope.

Read a row as "this request, made by each role, answers …". The expectations follow the
rules in the brief, not what the code happens to do:

* visible = own subtree + the regions on the other side of current pairings touching it
  (regions and organisations); pairings and agreements only when one side is in the own
  subtree. national and auditor see everything.
    east_office   = 浙江 330000 → sees 33…, and 510000 513400 513436 513431 … (its partners)
    west_office   = 四川 510000 → sees 51…, and 330000 330200 330212 330281 … (its partners)
    county_office = 美姑 513436 (editor) → sees 513436 and its partner 鄞州 330212 only
    viewer        = viewer at the 四川 office → sees what west_office sees, changes nothing
    auditor       = sees everything, changes nothing
* out of scope → 404 (the object's existence is not revealed); in scope but not allowed → 403;
  an out-of-scope object named in a body (a pairing id) is a field error (422), like a
  missing one.
* province pairings: national only; lower pairings: national or an office admin of either
  side; agreements: national, office admin or editor of either side; region facts and
  organisations: national, or admin/editor in the own subtree; key-assistance: national;
  audit log: national and auditor all, office admins their subtree, others 403.
* no credentials → 401.

Cells are a status code, or for lists `some` / `none`: 200 and whether the filtered list
has any item.
"""
import json

import pytest

from xiezuo.users.models import ApiToken
from xiezuo.orgs.models import Organisation
from xiezuo.pairings.models import Agreement, Pairing

pytestmark = pytest.mark.django_db

ROLES = ("national", "east_office", "west_office", "county_office", "viewer", "auditor", "anonymous")

BODIES = {
    "fact": {"population": 1000},
    "key": {"key_assistance": True},
    "rename": {"reason": "permission matrix", "name": "矩阵测试"},
    "county_new": {"kind": "county", "east_region": "330281", "west_region": "513430", "valid_from": "2025-01-01", "reason": "matrix"},
    "province_new": {"kind": "province", "east_region": "330000", "west_region": "620000", "valid_from": "2025-01-01", "reason": "matrix"},
    "js_new": {"kind": "county", "east_region": "320102", "west_region": "610102", "valid_from": "2025-01-01", "reason": "matrix"},
    "agr_county": {"pairing": "{p_county}", "year": 2023, "fiscal_aid_fen": 100},
    "agr_js": {"pairing": "{p_js}", "year": 2023, "fiscal_aid_fen": 100},
    "note": {"note": "matrix"},
    "contact": {"contact": "0834-1234567"},
    "org_meigu": {"name": "矩阵测试企业", "kind": "enterprise", "region": "513436"},
    "org_js": {"name": "矩阵测试企业", "kind": "enterprise", "region": "320102"},
}

# Placeholders: p_county 鄞州—美姑 (county), p_county2 余姚—昭觉 (county), p_province 浙江—四川,
# p_js 南京—西安 (city); a_* their 2025 agreements; o_meigu 美姑 office, o_liangshan 凉山 office,
# o_nanjing 南京 office.
MATRIX = """
method path                                  body          national east_office west_office county_office viewer auditor anonymous
GET    /regions/513436                       -             200      200         200         200           200    200     401
GET    /regions/330212                       -             200      200         200         200           200    200     401
GET    /regions/510100                       -             200      404         200         404           200    200     401
GET    /regions/320102                       -             200      404         404         404           404    200     401
GET    /regions/51ab                         -             422      422         422         422           422    422     401
GET    /regions/999999                       -             404      404         404         404           404    404     401
GET    /regions?code=513436                  -             some     some        some        some          some   some    401
GET    /regions?code=510100                  -             some     none        some        none          some   some    401
GET    /regions?code=320102                  -             some     none        none        none          none   some    401
GET    /regions/513436/facts                 -             200      200         200         200           200    200     401
GET    /regions/320102/facts                 -             200      404         404         404           404    200     401
PUT    /regions/513436/facts/2027            fact          200      403         200         200           403    403     401
PUT    /regions/510100/facts/2027            fact          200      404         200         404           403    403     401
PUT    /regions/320102/facts/2027            fact          200      404         404         404           404    403     401
PUT    /regions/513437/key-assistance        key           200      404         403         404           403    403     401
PUT    /regions/513436/key-assistance        key           200      403         403         403           403    403     401
PUT    /regions/620121/key-assistance        key           200      404         404         404           404    403     401
GET    /pairings?west=513436                 -             some     some        some        some          some   some    401
GET    /pairings?east=320000                 -             some     none        none        none          none   some    401
GET    /pairings/{p_county}                  -             200      200         200         200           200    200     401
GET    /pairings/{p_county2}                 -             200      200         200         404           200    200     401
GET    /pairings/{p_province}                -             200      200         200         404           200    200     401
GET    /pairings/{p_js}                      -             200      404         404         404           404    200     401
POST   /pairings                             county_new    201      201         201         403           403    403     401
POST   /pairings                             province_new  201      403         403         403           403    403     401
POST   /pairings                             js_new        201      403         403         403           403    403     401
PATCH  /pairings/{p_county}                  rename        200      200         200         403           403    403     401
PATCH  /pairings/{p_province}                rename        200      403         403         404           403    403     401
PATCH  /pairings/{p_js}                      rename        200      404         404         404           404    403     401
GET    /agreements?region=513436             -             some     some        some        some          some   some    401
GET    /agreements?region=320100             -             some     none        none        none          none   some    401
GET    /agreements/{a_county}                -             200      200         200         200           200    200     401
GET    /agreements/{a_js}                    -             200      404         404         404           404    200     401
POST   /agreements                           agr_county    201      201         201         201           403    403     401
POST   /agreements                           agr_js        201      422         422         422           403    403     401
PATCH  /agreements/{a_county}                note          200      200         200         200           403    403     401
PATCH  /agreements/{a_province}              note          200      200         200         404           403    403     401
PATCH  /agreements/{a_js}                    note          200      404         404         404           404    403     401
GET    /organisations?region=513436          -             some     some        some        some          some   some    401
GET    /organisations?region=320100          -             some     none        none        none          none   some    401
GET    /organisations/{o_meigu}              -             200      200         200         200           200    200     401
GET    /organisations/{o_liangshan}          -             200      200         200         404           200    200     401
GET    /organisations/{o_nanjing}            -             200      404         404         404           404    200     401
POST   /organisations                        org_meigu     201      403         201         201           403    403     401
POST   /organisations                        org_js        201      403         403         403           403    403     401
PATCH  /organisations/{o_meigu}              contact       200      403         200         200           403    403     401
PATCH  /organisations/{o_liangshan}          contact       200      403         200         404           403    403     401
PATCH  /organisations/{o_nanjing}            contact       200      404         404         404           404    403     401
GET    /audit                                -             200      200         200         403           403    200     401
GET    /audit?region=513436                  -             some     some        some        403           403    some    401
GET    /audit?region=320100                  -             some     none        none        403           403    some    401
"""


def _cases():
    lines = [line.split() for line in MATRIX.strip().splitlines()]
    header, rows = lines[0], lines[1:]
    assert header[3:] == list(ROLES)
    for method, path, body, *cells in rows:
        assert len(cells) == len(ROLES), path
        for role, expected in zip(ROLES, cells):
            yield pytest.param(method, path, body, role, expected, id=f"{method} {path} {body} {role}")


@pytest.fixture
def ids():
    def pairing(kind, east, west):
        return Pairing.objects.get(kind=kind, east_region__code=east, west_region__code=west)

    p = {
        "p_county": pairing("county", "330212", "513436"),
        "p_county2": pairing("county", "330281", "513431"),
        "p_province": pairing("province", "330000", "510000"),
        "p_js": pairing("prefecture", "320100", "610100"),
    }
    out = {k: v.pk for k, v in p.items()}
    for key in ("county", "province", "js"):
        out[f"a_{key}"] = Agreement.objects.get(pairing=p[f"p_{key}"], year=2025).pk
    for key, code in (("meigu", "513436"), ("liangshan", "513400"), ("nanjing", "320100")):
        out[f"o_{key}"] = Organisation.objects.get(region__code=code, kind="office").pk
    return out


def _fill(value, ids):
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids[value[1:-1]]
    return value


@pytest.mark.parametrize("method, path, body, role, expected", list(_cases()))
def test_permission_matrix(client, users, ids, method, path, body, role, expected):
    headers = {"HTTP_ACCEPT_LANGUAGE": "en"}
    if role != "anonymous":
        headers["HTTP_AUTHORIZATION"] = "Bearer " + ApiToken.issue(users[role])
    url = "/api/v1" + path.format(**ids)
    data = {k: _fill(v, ids) for k, v in BODIES[body].items()} if body != "-" else None
    response = client.generic(method, url, json.dumps(data) if data is not None else "", content_type="application/json", **headers)
    payload = response.json()
    if expected in ("some", "none"):
        assert response.status_code == 200, payload
        assert (payload["count"] > 0) == (expected == "some"), payload
        return
    assert response.status_code == int(expected), payload
    if response.status_code >= 400:
        assert set(payload) == {"error"} and payload["error"]["code"], payload

"""The API and bulk ingestion of households: masked answers, the same rules as the pages."""
import json

import pytest

from xiezuo.households.models import Household, Member
from xiezuo.ingest.batch import ingest

from .helpers import household, id_number, village


def item(cid, number, members, v="513436101201"):
    return {"type": "household", "client_id": cid, "village_code": v, "number": number, "members": members}


@pytest.mark.django_db
def test_ingest_writes_households_and_refuses_bad_items(users):
    village()
    u = users["county_office"]
    a, b = id_number(), id_number()
    out = ingest(u, [item("h1", "I1", [{"relation": "head", "name": "甲", "id_number": a, "phone": "13800001111"}]),
                     item("h2", "I2", [{"relation": "head", "name": "乙", "id_number": b}])])
    assert out.ok and out.applied == 2
    assert Member.objects.get(id_index__isnull=False, household__number="I1").id_number == a
    # a retry is a duplicate; a bad check digit, a registered number, a repeated number are refused, nothing written
    wrong = id_number()
    wrong = wrong[:17] + ("1" if wrong[17] != "1" else "2")
    c = id_number()
    out = ingest(u, [item("h1", "I1", [{"relation": "head", "name": "甲", "id_number": a, "phone": "13800001111"}]),
                     item("h3", "I3", [{"relation": "head", "name": "丙", "id_number": wrong}]),
                     item("h4", "I4", [{"relation": "head", "name": "丁", "id_number": b}]),
                     item("h5", "I5", [{"relation": "head", "name": "戊", "id_number": c}]),
                     item("h6", "I6", [{"relation": "head", "name": "己", "id_number": c}])])
    assert not out.ok
    refused = {r["client_id"] for r in out.refused}
    assert refused == {"h3", "h4", "h5", "h6"}
    assert not any(x in json.dumps(out.refused, ensure_ascii=False) for x in (a, b, c, wrong))
    assert not Household.objects.filter(number__in=["I3", "I4", "I5", "I6"]).exists()
    # the eastern office may not write western households
    out = ingest(users["east_office"], [item("e1", "E1", [{"relation": "head", "name": "庚", "id_number": id_number()}])])
    assert not out.ok


@pytest.mark.django_db
def test_api_create_and_read_masked(client_as, users):
    village()
    n = id_number()
    client = client_as("county_office")
    r = client.post("/api/v1/households", data=json.dumps({"village_code": "513436101201", "number": "API1", "members": [
        {"relation": "head", "name": "阿依", "id_number": n, "phone": "13912345678"}]}), content_type="application/json")
    assert r.status_code == 201, r.content
    hid = r.json()["id"]
    r = client.get(f"/api/v1/households/{hid}/members")
    assert r.json()[0]["id_number_masked"] == n[:6] + "********" + n[-4:] and r.json()[0]["phone_masked"] == "139****5678"
    assert n not in r.content.decode()
    bad = n[:17] + ("1" if n[17] != "1" else "2")
    r = client.post("/api/v1/households", data=json.dumps({"village_code": "513436101201", "number": "API2", "members": [
        {"relation": "head", "name": "重", "id_number": bad}]}), content_type="application/json")
    assert r.status_code == 422 and bad not in r.content.decode()
    assert client_as("viewer").get("/api/v1/households").status_code == 403
    assert client_as("east_office").get(f"/api/v1/households/{hid}").status_code == 404
    assert client_as("east_office").post("/api/v1/households", data=json.dumps({"village_code": "513436101201", "members": []}),
                                         content_type="application/json").status_code in (403, 422)

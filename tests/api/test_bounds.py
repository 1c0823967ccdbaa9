"""Bad input through the API and bulk ingestion (issue 12): amounts above 100亿元 and days
outside 2000–2099 are refused with the field named, never stored and never a 500; the OpenAPI
document states both bounds; an unexpected error answers in the JSON error shape."""
import datetime
import json

import pytest
from django.test import Client
from django.utils import timezone

from tests.support import agreement_of, county_pair
from xiezuo.core.money import MAX_FEN
from xiezuo.ledger.models import Posting
from xiezuo.pairings.models import Agreement
from xiezuo.users.models import ApiToken

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_as(users):
    def make(username):
        token = ApiToken.issue(users[username])
        client = Client(raise_request_exception=False)

        def call(method, path, body=None):
            return client.generic(method, "/api/v1" + path, json.dumps(body) if body is not None else "",
                                  content_type="application/json", HTTP_ACCEPT_LANGUAGE="en",
                                  HTTP_AUTHORIZATION=f"Bearer {token}")
        return call
    return make


def _field_error(response, field):
    assert response.status_code == 422, response.content
    body = response.json()
    assert field in body["error"]["fields"], body
    assert b"Traceback" not in response.content
    return body["error"]["fields"][field][0]


@pytest.mark.parametrize("value", [2**63 - 1, 2**62, MAX_FEN + 1, 2**64])
def test_agreement_fiscal_aid_above_the_maximum_is_refused_through_patch(api_as, value):
    a = agreement_of(county_pair())
    before = a.fiscal_aid_fen
    message = _field_error(api_as("national")("PATCH", f"/agreements/{a.pk}", {"fiscal_aid_fen": value}), "fiscal_aid_fen")
    assert "too large" in message
    a.refresh_from_db()
    assert a.fiscal_aid_fen == before


def test_agreement_fiscal_aid_at_the_maximum_is_accepted(api_as):
    a = agreement_of(county_pair())
    assert api_as("national")("PATCH", f"/agreements/{a.pk}", {"fiscal_aid_fen": MAX_FEN}).status_code == 200
    assert Agreement.objects.get(pk=a.pk).fiscal_aid_fen == MAX_FEN


@pytest.mark.parametrize("field", ["signed_on", "funds_due_date"])
@pytest.mark.parametrize("day", ["0001-01-01", "1999-12-31", "2100-01-01", "9999-12-31"])
def test_agreement_dates_outside_the_range_are_refused(api_as, field, day):
    a = agreement_of(county_pair())
    message = _field_error(api_as("national")("PATCH", f"/agreements/{a.pk}", {field: day}), field)
    assert "2000-01-01" in message


@pytest.mark.parametrize("amount", [2**62, 2**63 - 1, 2**63, 2**64, 10**30, MAX_FEN + 1])
def test_ingested_allocations_above_the_maximum_are_refused_items(api_as, amount):
    a = agreement_of(county_pair())
    response = api_as("national")("POST", "/ingest", {"items": [
        {"type": "posting", "client_id": "huge-1", "stage": "allocate", "agreement": a.pk, "amount_fen": amount}]})
    assert response.status_code == 422, response.content
    refused = response.json()["refused"]
    assert [(r["index"], r["field"]) for r in refused] == [(0, "amount_fen")]
    assert not Posting.objects.exists()


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_ingested_dates_outside_the_range_are_refused_items(api_as, day):
    a = agreement_of(county_pair())
    response = api_as("national")("POST", "/ingest", {"items": [
        {"type": "posting", "client_id": "old-1", "stage": "allocate", "agreement": a.pk, "amount_fen": 100, "booked_on": day}]})
    assert response.status_code == 422, response.content
    assert [(r["index"], r["field"]) for r in response.json()["refused"]] == [(0, "booked_on")]


def test_project_dates_from_year_1_to_9999_are_refused(api_as):
    response = api_as("county_office")("POST", "/projects", {
        "name": "远古项目", "category": "industry", "county": "513436", "pairing": county_pair().pk,
        "planned_start": "0001-01-01", "planned_end": "9999-12-31"})
    assert response.status_code == 422, response.content
    fields = response.json()["error"]["fields"]
    assert "planned_start" in fields and "planned_end" in fields


def test_the_openapi_document_states_the_bounds():
    doc = Client().get("/api/v1/openapi.json").json()
    schemas = doc["components"]["schemas"]
    assert schemas["AgreementPatch"]["properties"]["fiscal_aid_fen"]["maximum"] == MAX_FEN
    day = schemas["ProjectIn"]["properties"]["planned_start"]
    assert day["pattern"] == "^20[0-9]{2}-[0-9]{2}-[0-9]{2}$"
    assert "2000-01-01" in day["description"] and "2099-12-31" in day["description"]

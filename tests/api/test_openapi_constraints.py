"""The OpenAPI document states the rules the server checks, so that a client learns them
from the document instead of by failing: region codes are six digits wherever one is taken
(body, filter, path), a credit code is 18 characters of GB 32100's alphabet, a project code
is up to 32 letters, digits, - and _, ids in paths are 1 to 2^63 − 1, page sizes state what
is served, enums are distinct per concept. And the server refuses what the document excludes,
with the field named. Before, region codes were “a string of at most 20 characters”."""
import re

import pytest

from xiezuo.api.urls import api

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
DOC = api.get_openapi_schema(path_prefix="/api/v1")
COMPONENTS = DOC["components"]["schemas"]
REGION_PARAMS = {"region", "county", "east", "west", "parent", "east_region", "west_region"}


def plain(schema):
    """The non-null branch of an optional value."""
    if "anyOf" in schema:
        [schema] = [s for s in schema["anyOf"] if s.get("type") != "null"]
    return schema


def parameters():
    for path, ops in DOC["paths"].items():
        for method, op in ops.items():
            for p in op.get("parameters", []):
                yield method, path, p


def test_every_region_code_is_six_digits_in_the_document():
    found = []
    for method, path, p in parameters():
        if p["name"] in REGION_PARAMS or (p["name"] in ("code",) and path.startswith("/api/v1/regions")):
            found.append((method, path, p["name"], plain(p["schema"])))
    for name, schema in COMPONENTS.items():
        for field, prop in schema.get("properties", {}).items():
            if field in REGION_PARAMS and name.endswith(("In", "Patch", "Filter")):
                found.append(("body", name, field, plain(prop)))
    assert len(found) > 15
    for where in found:
        schema = where[-1]
        assert schema.get("pattern") == "^[0-9]{6}$" and schema["minLength"] == schema["maxLength"] == 6, where


def test_codes_ids_and_pages_are_stated():
    credit = plain(COMPONENTS["OrganisationIn"]["properties"]["credit_code"])
    assert credit["pattern"] == "^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$" and credit["maxLength"] == 18
    project_code = plain(COMPONENTS["ProjectIn"]["properties"]["code"])
    assert project_code["pattern"] == "^[A-Za-z0-9_-]{1,32}$" and project_code["maxLength"] == 32
    ids = [(path, p) for _m, path, p in parameters() if p["in"] == "path" and p["schema"].get("type") == "integer" and p["name"] != "year"]
    years = [p["schema"] for _m, _path, p in parameters() if p["in"] == "path" and p["name"] == "year"]
    assert years and all((s["minimum"], s["maximum"]) == (1949, 2100) for s in years)  # as save_region_fact checks
    assert ids and all(p["schema"].get("minimum") == 1 and p["schema"].get("maximum") for _path, p in ids), ids
    limits = [p["schema"] for _m, _path, p in parameters() if p["name"] == "limit"]
    assert limits and all(s["minimum"] == 1 and s["x-served-maximum"] == 500 and "maximum" in s for s in limits)
    # every enum in the document is one concept: pairing states are not project states
    pairing_status = plain(COMPONENTS["PairingOut"]["properties"]["status"]) if "PairingOut" in COMPONENTS else None
    if pairing_status is not None:
        assert "in_progress" not in str(pairing_status)


@pytest.mark.parametrize("url", ["/api/v1/regions?code=5134", "/api/v1/regions?parent=abc123", "/api/v1/projects?county=51343",
                                 "/api/v1/organisations?region=%EF%BC%95%EF%BC%91%EF%BC%93%EF%BC%94%EF%BC%93%EF%BC%96",
                                 "/api/v1/dispatches?region=5134367", "/api/v1/audit?region=x", "/api/v1/regions/51343a"])
def test_the_server_refuses_what_the_document_excludes(client_as, url):
    response = client_as("national").get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422, (url, response.content)
    fields = response.json()["error"]["fields"]
    name = re.search(r"[?&](\w+)=", url).group(1) if "?" in url else "code"
    assert fields[name] == ["must be a six-digit GB/T 2260 code"]


def test_a_body_region_code_is_refused_with_the_field_named(client_as):
    response = client_as("national").post("/api/v1/organisations", {"name": "测试", "kind": "enterprise", "region": "33021"},
                                          content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422 and response.json()["error"]["fields"]["region"] == ["must be a six-digit GB/T 2260 code"]

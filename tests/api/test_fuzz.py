"""A schema-driven fuzzer over every operation of the OpenAPI document, as the national
coordinator and as a county office: whatever it sends within the document's rules (path,
query and body drawn by Hypothesis from the document's own schemas), the answer is never a
server error, its status is one the document lists for the operation, and its body matches
the documented schema of that status. A constraint the server checks but the document does
not state shows up here as an undocumented answer or a mismatch.

(schemathesis was tried first: its JSON-schema strategies fail on the Hypothesis this
project uses, so the strategies are built here from the small part of JSON Schema the
document uses.) Bounded: a few examples per operation, the whole file in well under a minute.
"""
import json
import re
from urllib.parse import quote, urlencode

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xiezuo.api.urls import api
from xiezuo.users.models import ApiToken

jsonschema = pytest.importorskip("jsonschema")

pytestmark = pytest.mark.django_db
EXAMPLES = 10
DOC = api.get_openapi_schema(path_prefix="/api/v1")
COMPONENTS = DOC["components"]["schemas"]
OPERATIONS = [(method.upper(), path, op) for path, ops in DOC["paths"].items() for method, op in ops.items()
              if path not in ("/api/v1/auth/token",)]  # logging in is not fuzzed: it answers by its own rules


def resolve(schema):
    while "$ref" in schema:
        schema = COMPONENTS[schema["$ref"].rsplit("/", 1)[-1]] | {k: v for k, v in schema.items() if k != "$ref"}
    return schema


def _text(schema):
    lo, hi = schema.get("minLength", 0), min(schema.get("maxLength", 40), 40)
    if "pattern" in schema:
        return st.from_regex(schema["pattern"], fullmatch=True).filter(lambda s: lo <= len(s) <= schema.get("maxLength", 10**9))
    if schema.get("format") == "date":
        return st.dates().map(lambda d: d.isoformat())
    if schema.get("format") == "date-time":
        return st.datetimes().map(lambda d: d.isoformat())
    return st.text(min_size=lo, max_size=max(lo, hi))


def strategy(schema, depth=0):
    """Values valid for `schema` (the part of JSON Schema the document uses)."""
    schema = resolve(schema)
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return st.one_of([strategy(s, depth) for s in schema[key]])
    if "allOf" in schema:
        return strategy(schema["allOf"][0], depth)
    kind = schema.get("type")
    if kind == "string":
        return _text(schema)
    if kind == "integer":
        lo = schema.get("minimum", schema.get("exclusiveMinimum", -(2**63)))
        hi = schema.get("maximum", schema.get("exclusiveMaximum", 2**63 - 1))
        return st.one_of(st.integers(min_value=max(lo, -5), max_value=min(hi, 1000)) if max(lo, -5) <= min(hi, 1000) else st.nothing(),
                         st.integers(min_value=lo, max_value=hi))
    if kind == "number":
        return st.floats(min_value=schema.get("minimum"), max_value=schema.get("maximum"), allow_nan=False, allow_infinity=False)
    if kind == "boolean":
        return st.booleans()
    if kind == "null":
        return st.none()
    if kind == "array":
        return st.lists(strategy(schema.get("items", {}), depth + 1), min_size=schema.get("minItems", 0),
                        max_size=min(schema.get("maxItems", 3), 3))
    if kind == "object" or "properties" in schema:
        props, required = schema.get("properties", {}), set(schema.get("required", ()))
        if depth > 3:
            return st.just({})
        return st.fixed_dictionaries({k: strategy(v, depth + 1) for k, v in props.items() if k in required},
                                     optional={k: strategy(v, depth + 1) for k, v in props.items() if k not in required})
    return st.one_of(st.none(), st.integers(-5, 5), st.text(max_size=5))


def request_strategy(path, op):
    params = op.get("parameters", [])
    path_params = st.fixed_dictionaries({p["name"]: strategy(p["schema"]) for p in params if p["in"] == "path"})
    query = st.fixed_dictionaries({}, optional={p["name"]: strategy(p["schema"]) for p in params if p["in"] == "query"})
    body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
    return st.tuples(path_params, query, strategy(body) if body else st.none())


def response_schema(op, status):
    documented = op["responses"].get(status, op["responses"].get(str(status)))
    if documented is None:
        return None
    content = documented.get("content", {}).get("application/json")
    return resolve(content["schema"]) if content else {}


def check(op, method, url, response):
    status = response.status_code
    assert status < 500, f"{method} {url} answered {status}: {response.content[:300]!r}"
    assert status in op["responses"] or str(status) in op["responses"], (
        f"{method} {url} answered {status}, not among {sorted(op['responses'])}")
    schema = response_schema(op, status)
    if schema and response.get("Content-Type", "").startswith("application/json"):
        body = json.loads(response.content)
        validator = jsonschema.Draft202012Validator({**schema, "components": DOC["components"]},
                                                    format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
        problems = [e.message for e in validator.iter_errors(body)]
        assert not problems, f"{method} {url} {status}: the body does not match the document: {problems[:3]}"


def _fill(path, values):
    return re.sub(r"\{(\w+)\}", lambda m: quote(str(values[m.group(1)]), safe=""), path)  # as a client encodes it


def _query(values):
    return {k: json.dumps(v) if isinstance(v, bool) else v for k, v in values.items() if v is not None}


@pytest.mark.parametrize("username", ["national", "county_office"])
@pytest.mark.parametrize("method, path, op", OPERATIONS, ids=[f"{m} {p}" for m, p, _o in OPERATIONS])
def test_the_api_answers_as_its_document_says(users, username, method, path, op):
    token = ApiToken.issue(users[username])
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large])
    @given(request_strategy(path, op))
    def run(drawn):
        path_values, query, body = drawn
        url = _fill(path, path_values)
        if method == "GET":
            response = client.get(url, _query(query))
        else:
            if query:
                url += "?" + urlencode(_query(query))
            response = client.generic(method, url, json.dumps(body) if body is not None else "", content_type="application/json")
        check(op, method, url, response)

    run()

"""The permission matrix of the server-rendered pages of regions, pairings, agreements,
organisations and the audit log: every page URL for every demo role (and an anonymous
visitor) with an object inside and one outside the users' part of the tree. What a user may
not see answers 404, what they see but may not change answers 403, anonymous visitors are
sent to the login page.
"""

import pytest
from django.urls import reverse

from tests.support import adjust_post, agreement_post, assert_login_redirect, end_post, fact_post, org_post
from tests.support import objs  # noqa: F401 (fixtures, defined once)
from xiezuo.pairings.models import Agreement

pytestmark = pytest.mark.django_db

ROLES = ("national", "east_office", "west_office", "county_office", "viewer", "auditor", None)
EVERYONE = {"national", "east_office", "west_office", "county_office", "viewer", "auditor"}
TOP = {"national", "auditor"}  # the roles that see the whole country
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- the permission matrix -----------------------------------------------------------

# (name, url builder, roles that see it). Lists are seen by everyone logged in.
READ_PAGES = [
    ("home", lambda o: reverse("home"), EVERYONE),
    ("region list", lambda o: reverse("region-list"), EVERYONE),
    ("region search", lambda o: reverse("region-list") + "?q=美姑", EVERYONE),
    ("region export", lambda o: reverse("region-list") + "?level=province&format=xlsx", EVERYONE),
    ("pairing list", lambda o: reverse("pairing-list"), EVERYONE),
    ("pairing export", lambda o: reverse("pairing-list") + "?format=xlsx", EVERYONE),
    ("agreement list", lambda o: reverse("agreement-list"), EVERYONE),
    ("agreement export", lambda o: reverse("agreement-list") + "?format=xlsx", EVERYONE),
    ("org list", lambda o: reverse("org-list"), EVERYONE),
    ("org export", lambda o: reverse("org-list") + "?format=xlsx", EVERYONE),
    ("audit log", lambda o: reverse("audit-list"), {"national", "auditor", "east_office", "west_office"}),
    ("audit export", lambda o: reverse("audit-list") + "?format=xlsx", {"national", "auditor", "east_office", "west_office"}),
    ("region in", lambda o: reverse("region-detail", args=[o["r_in"].code]), EVERYONE),
    ("region out", lambda o: reverse("region-detail", args=[o["r_out"].code]), TOP),
    ("children in", lambda o: reverse("region-children", args=["513400"]), {"national", "auditor", "west_office", "viewer", "east_office"}),
    ("children out", lambda o: reverse("region-children", args=["320100"]), TOP),
    ("pairing in", lambda o: reverse("pairing-detail", args=[o["p_in"].pk]), EVERYONE),
    ("pairing out", lambda o: reverse("pairing-detail", args=[o["p_out"].pk]), TOP),
    ("agreement in", lambda o: reverse("agreement-detail", args=[o["a_in"].pk]), EVERYONE),
    ("agreement out", lambda o: reverse("agreement-detail", args=[o["a_out"].pk]), TOP),
    ("org in", lambda o: reverse("org-detail", args=[o["o_in"].pk]), EVERYONE),
    ("org out", lambda o: reverse("org-detail", args=[o["o_out"].pk]), TOP),
]


EDITORS_IN = {"national", "west_office", "county_office"}  # may change facts and organisations of 美姑县
PAIRING_MANAGERS_IN = {"national", "east_office", "west_office"}  # office admins of either side
AGREEMENT_WRITERS_IN = {"national", "east_office", "west_office", "county_office"}
WRITERS = {"national", "east_office", "west_office", "county_office"}  # any office staff

# (name, method, url builder, POST data builder, roles that see the object, roles allowed)
WRITE_PAGES = [
    ("facts form in", "get", lambda o: reverse("region-facts", args=[o["r_in"].code]), None, EVERYONE, EDITORS_IN),
    ("facts save in", "post", lambda o: reverse("region-facts", args=[o["r_in"].code]), fact_post, EVERYONE, EDITORS_IN),
    ("facts form out", "get", lambda o: reverse("region-facts", args=[o["r_out"].code]), None, TOP, {"national"}),
    ("facts save out", "post", lambda o: reverse("region-facts", args=[o["r_out"].code]), fact_post, TOP, {"national"}),
    ("key assistance in", "post", lambda o: reverse("region-key-assistance", args=[o["r_in"].code]), lambda o: {"flag": ""}, EVERYONE, {"national"}),
    ("key assistance out", "post", lambda o: reverse("region-key-assistance", args=[o["r_out"].code]), lambda o: {"flag": "on"}, TOP, {"national"}),
    ("pairing create form", "get", lambda o: reverse("pairing-create"), None, EVERYONE, {"national", "east_office", "west_office"}),
    ("pairing adjust form in", "get", lambda o: reverse("pairing-adjust", args=[o["p_in"].pk]), None, EVERYONE, PAIRING_MANAGERS_IN),
    ("pairing adjust in", "post", lambda o: reverse("pairing-adjust", args=[o["p_in"].pk]), lambda o: adjust_post(o, "p_in"), EVERYONE, PAIRING_MANAGERS_IN),
    ("pairing end in", "post", lambda o: reverse("pairing-end", args=[o["p_in"].pk]), lambda o: end_post(o, "p_in"), EVERYONE, PAIRING_MANAGERS_IN),
    ("pairing adjust form out", "get", lambda o: reverse("pairing-adjust", args=[o["p_out"].pk]), None, TOP, {"national"}),
    ("pairing adjust out", "post", lambda o: reverse("pairing-adjust", args=[o["p_out"].pk]), lambda o: adjust_post(o, "p_out"), TOP, {"national"}),
    ("pairing end out", "post", lambda o: reverse("pairing-end", args=[o["p_out"].pk]), lambda o: end_post(o, "p_out"), TOP, {"national"}),
    ("agreement create form", "get", lambda o: reverse("agreement-create"), None, EVERYONE, WRITERS),
    ("agreement edit form in", "get", lambda o: reverse("agreement-edit", args=[o["a_in"].pk]), None, EVERYONE, AGREEMENT_WRITERS_IN),
    ("agreement edit in", "post", lambda o: reverse("agreement-edit", args=[o["a_in"].pk]), lambda o: agreement_post(o, "a_in"), EVERYONE, AGREEMENT_WRITERS_IN),
    ("agreement edit out", "post", lambda o: reverse("agreement-edit", args=[o["a_out"].pk]), lambda o: agreement_post(o, "a_out"), TOP, {"national"}),
    ("org create form", "get", lambda o: reverse("org-create"), None, EVERYONE, WRITERS),
    ("org edit form in", "get", lambda o: reverse("org-edit", args=[o["o_in"].pk]), None, EVERYONE, EDITORS_IN),
    ("org edit in", "post", lambda o: reverse("org-edit", args=[o["o_in"].pk]), lambda o: org_post(o, "o_in"), EVERYONE, EDITORS_IN),
    ("org edit out", "post", lambda o: reverse("org-edit", args=[o["o_out"].pk]), lambda o: org_post(o, "o_out"), TOP, {"national"}),
]


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "anonymous")
@pytest.mark.parametrize("name,build,seen_by", READ_PAGES, ids=[p[0] for p in READ_PAGES])
def test_read_matrix(client_as, objs, role, name, build, seen_by):
    url = build(objs)
    response = client_as(role).get(url)
    if role is None:
        assert_login_redirect(response, url)
    elif role in seen_by:
        assert response.status_code == 200, (role, url)
        if "format=xlsx" in url:
            assert response["Content-Type"] == XLSX
    else:
        expected = 403 if name.startswith("audit") else 404
        assert response.status_code == expected, (role, url)


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "anonymous")
@pytest.mark.parametrize("name,method,build,data,seen_by,allowed", WRITE_PAGES, ids=[p[0] for p in WRITE_PAGES])
def test_write_matrix(client_as, objs, role, name, method, build, data, seen_by, allowed):
    url = build(objs)
    client = client_as(role)
    response = client.post(url, data(objs)) if method == "post" else client.get(url)
    if role is None:
        assert_login_redirect(response, url)
    elif role not in seen_by:
        assert response.status_code == 404, (role, url)
    elif role not in allowed:
        assert response.status_code == 403, (role, url)
    elif method == "post":
        assert response.status_code == 302, (role, url, _errors(response))
    else:
        assert response.status_code == 200, (role, url)


def _errors(response):
    form = (response.context or {}).get("form") if hasattr(response, "context") and response.context else None
    return form.errors if form is not None else getattr(response, "content", b"")[:300]


def test_refused_writes_change_nothing(client_as, objs):
    before = Agreement.objects.get(pk=objs["a_in"].pk)
    for role in ("viewer", "auditor"):
        assert client_as(role).post(reverse("agreement-edit", args=[before.pk]), agreement_post(objs, "a_in")).status_code == 403
    after = Agreement.objects.get(pk=before.pk)
    assert after.fiscal_aid_fen == before.fiscal_aid_fen and after.note == before.note


def test_forms_and_edit_links_show_only_when_allowed(client_as, objs):
    url = reverse("region-detail", args=["513436"])
    assert 'data-testid="fact-form"' in client_as("county_office").get(url).content.decode()
    for role in ("viewer", "auditor", "east_office"):
        page = client_as(role).get(url).content.decode()
        assert 'data-testid="fact-form"' not in page
        assert reverse("region-facts", args=["513436"]) not in page
    assert 'data-testid="key-assistance-form"' in client_as("national").get(url).content.decode()
    assert 'data-testid="key-assistance-form"' not in client_as("west_office").get(url).content.decode()
    pairing_url = reverse("pairing-detail", args=[objs["p_in"].pk])
    assert reverse("pairing-adjust", args=[objs["p_in"].pk]) in client_as("west_office").get(pairing_url).content.decode()
    assert reverse("pairing-adjust", args=[objs["p_in"].pk]) not in client_as("county_office").get(pairing_url).content.decode()
    assert reverse("pairing-create") not in client_as("viewer").get(reverse("pairing-list")).content.decode()

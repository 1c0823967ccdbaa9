"""The server-rendered pages, as the demo users see them.

The permission matrix walks every page URL for every demo role (and an anonymous visitor)
with an object inside and one outside the users' part of the tree: what a user may not see
answers 404, what they see but may not change answers 403, anonymous visitors are sent to
the login page. The other tests follow a user through the pages: the map, the tree, the
forms with good and bad input, the exports and the language switch.
"""
import datetime
import io
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from xiezuo.core.models import AuditEntry
from xiezuo.core.money import format_wan
from xiezuo.core.scoping import visible
from xiezuo.orgs.credit_code import make_credit_code
from xiezuo.orgs.models import Organisation
from xiezuo.pairings.models import Agreement, Pairing
from xiezuo.regions.models import Region

pytestmark = pytest.mark.django_db

ROLES = ("national", "east_office", "west_office", "county_office", "viewer", "auditor", None)
EVERYONE = {"national", "east_office", "west_office", "county_office", "viewer", "auditor"}
TOP = {"national", "auditor"}  # the roles that see the whole country
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TODAY = timezone.localdate()


@pytest.fixture
def objs(db):
    """One object inside the demo offices' part of the tree and one outside, per kind."""
    p_in = Pairing.objects.get(kind="county", east_region__code="330212", west_region__code="513436")
    p_out = Pairing.objects.get(kind="province", east_region__code="440000", west_region__code="520000")
    return {
        "r_in": Region.objects.get(code="513436"),  # 美姑县
        "r_out": Region.objects.get(code="320102"),  # 南京 玄武区
        "p_in": p_in,
        "p_out": p_out,
        "a_in": Agreement.objects.get(pairing=p_in, year=2026),
        "a_out": Agreement.objects.get(pairing=p_out, year=2026),
        "o_in": Organisation.objects.get(name="美姑县民族中学（演示）"),
        "o_out": Organisation.objects.get(kind="office", region__code="520000"),
    }


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


def zh(msgid):
    """What a Chinese user reads for an English msgid (the pages default to zh-hans)."""
    with translation.override("zh-hans"):
        return translation.gettext(msgid)


def _fact_post(o):
    return {"year": "2026", "population": "210000", "gdp_wan": "1600000", "rural_income_yuan": "21000",
            "primary_share": "18.00", "secondary_share": "37.00", "tertiary_share": "45.00", "labour_force": "126000"}


def _adjust_post(o, key):
    p = o[key]
    return {"name": p.name, "valid_from": p.valid_from.isoformat(), "valid_to": "", "source_note": "matrix", "reason": "matrix test"}


def _end_post(o, key):
    return {"valid_to": TODAY.isoformat(), "reason": "matrix test"}


def _agreement_post(o, key):
    a = o[key]
    return {"year": str(a.year), "fiscal_aid": "1,000.50", "consumption": "0", "cadres": "1", "professionals": "2",
            "labour_placements": "3", "projects": "4", "funds_due_date": "", "signed_on": "", "note": "matrix"}


def _org_post(o, key):
    org = o[key]
    return {"name": org.name, "kind": org.kind, "region": org.region.code, "credit_code": org.credit_code or "", "contact": "matrix"}


EDITORS_IN = {"national", "west_office", "county_office"}  # may change facts and organisations of 美姑县
PAIRING_MANAGERS_IN = {"national", "east_office", "west_office"}  # office admins of either side
AGREEMENT_WRITERS_IN = {"national", "east_office", "west_office", "county_office"}
WRITERS = {"national", "east_office", "west_office", "county_office"}  # any office staff

# (name, method, url builder, POST data builder, roles that see the object, roles allowed)
WRITE_PAGES = [
    ("facts form in", "get", lambda o: reverse("region-facts", args=[o["r_in"].code]), None, EVERYONE, EDITORS_IN),
    ("facts save in", "post", lambda o: reverse("region-facts", args=[o["r_in"].code]), _fact_post, EVERYONE, EDITORS_IN),
    ("facts form out", "get", lambda o: reverse("region-facts", args=[o["r_out"].code]), None, TOP, {"national"}),
    ("facts save out", "post", lambda o: reverse("region-facts", args=[o["r_out"].code]), _fact_post, TOP, {"national"}),
    ("key assistance in", "post", lambda o: reverse("region-key-assistance", args=[o["r_in"].code]), lambda o: {"flag": ""}, EVERYONE, {"national"}),
    ("key assistance out", "post", lambda o: reverse("region-key-assistance", args=[o["r_out"].code]), lambda o: {"flag": "on"}, TOP, {"national"}),
    ("pairing create form", "get", lambda o: reverse("pairing-create"), None, EVERYONE, {"national", "east_office", "west_office"}),
    ("pairing adjust form in", "get", lambda o: reverse("pairing-adjust", args=[o["p_in"].pk]), None, EVERYONE, PAIRING_MANAGERS_IN),
    ("pairing adjust in", "post", lambda o: reverse("pairing-adjust", args=[o["p_in"].pk]), lambda o: _adjust_post(o, "p_in"), EVERYONE, PAIRING_MANAGERS_IN),
    ("pairing end in", "post", lambda o: reverse("pairing-end", args=[o["p_in"].pk]), lambda o: _end_post(o, "p_in"), EVERYONE, PAIRING_MANAGERS_IN),
    ("pairing adjust form out", "get", lambda o: reverse("pairing-adjust", args=[o["p_out"].pk]), None, TOP, {"national"}),
    ("pairing adjust out", "post", lambda o: reverse("pairing-adjust", args=[o["p_out"].pk]), lambda o: _adjust_post(o, "p_out"), TOP, {"national"}),
    ("pairing end out", "post", lambda o: reverse("pairing-end", args=[o["p_out"].pk]), lambda o: _end_post(o, "p_out"), TOP, {"national"}),
    ("agreement create form", "get", lambda o: reverse("agreement-create"), None, EVERYONE, WRITERS),
    ("agreement edit form in", "get", lambda o: reverse("agreement-edit", args=[o["a_in"].pk]), None, EVERYONE, AGREEMENT_WRITERS_IN),
    ("agreement edit in", "post", lambda o: reverse("agreement-edit", args=[o["a_in"].pk]), lambda o: _agreement_post(o, "a_in"), EVERYONE, AGREEMENT_WRITERS_IN),
    ("agreement edit out", "post", lambda o: reverse("agreement-edit", args=[o["a_out"].pk]), lambda o: _agreement_post(o, "a_out"), TOP, {"national"}),
    ("org create form", "get", lambda o: reverse("org-create"), None, EVERYONE, WRITERS),
    ("org edit form in", "get", lambda o: reverse("org-edit", args=[o["o_in"].pk]), None, EVERYONE, EDITORS_IN),
    ("org edit in", "post", lambda o: reverse("org-edit", args=[o["o_in"].pk]), lambda o: _org_post(o, "o_in"), EVERYONE, EDITORS_IN),
    ("org edit out", "post", lambda o: reverse("org-edit", args=[o["o_out"].pk]), lambda o: _org_post(o, "o_out"), TOP, {"national"}),
]


def _assert_login_redirect(response, url):
    assert response.status_code == 302, url
    assert response["Location"].startswith(reverse("login") + "?next="), response["Location"]


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "anonymous")
@pytest.mark.parametrize("name,build,seen_by", READ_PAGES, ids=[p[0] for p in READ_PAGES])
def test_read_matrix(client_as, objs, role, name, build, seen_by):
    url = build(objs)
    response = client_as(role).get(url)
    if role is None:
        _assert_login_redirect(response, url)
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
        _assert_login_redirect(response, url)
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
        assert client_as(role).post(reverse("agreement-edit", args=[before.pk]), _agreement_post(objs, "a_in")).status_code == 403
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


# --- base template, login, language --------------------------------------------------


def test_anonymous_visitor_gets_the_login_page_which_lists_nothing_secret(client):
    response = client.get(reverse("login"))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="username"' in page and 'name="password"' in page
    for secret in ("xiezuo-demo", "west_office", "national"):
        assert secret not in page


def test_login_and_logout(client):
    response = client.post(reverse("login"), {"username": "west_office", "password": "xiezuo-demo"})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    page = client.get(reverse("home")).content.decode()
    assert "四川省东西部协作办公室" in page and "west_office" in page
    bad = client.post(reverse("logout"))
    assert bad.status_code == 302
    _assert_login_redirect(client.get(reverse("home")), "/")
    wrong = client.post(reverse("login"), {"username": "west_office", "password": "nope"})
    assert wrong.status_code == 200 and 'class="alert alert-danger"' in wrong.content.decode()


def test_navbar_shows_audit_log_only_to_those_who_may_read_it(client_as):
    audit = reverse("audit-list")
    for role in ("national", "auditor", "west_office"):
        assert audit in client_as(role).get("/").content.decode()
    for role in ("viewer", "county_office"):
        assert audit not in client_as(role).get("/").content.decode()


def test_pages_are_chinese_by_default_and_switch_to_english(client_as):
    client = client_as("west_office")
    page = client.get("/").content.decode()
    assert '<html lang="zh-hans">' in page
    assert "首页" in page and "结对关系" in page
    response = client.post(reverse("set_language"), {"language": "en", "next": "/regions/"})
    assert response.status_code == 302 and response["Location"] == "/regions/"
    page = client.get("/regions/").content.decode()
    assert '<html lang="en">' in page
    assert "Home" in page and "Pairings" in page and "首页" not in page
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert '<html lang="zh-hans">' in client.get("/").content.decode()


def test_demo_rows_and_pages_carry_the_demo_badge(client_as, objs):
    client = client_as("national")

    def header(url):
        return client.get(url).content.decode().split("<h1")[1].split('class="row g-3"')[0]

    assert "demo-badge" in header(reverse("pairing-detail", args=[objs["p_in"].pk]))
    assert "demo-badge" in header(reverse("agreement-detail", args=[objs["a_in"].pk]))
    real = Pairing.objects.get(kind="province", east_region__code="330000")
    assert not real.is_demo
    page = client.get(reverse("pairing-detail", args=[real.pk])).content.decode()
    assert "demo-badge" not in header(reverse("pairing-detail", args=[real.pk]))
    assert "demo-badge" in page.split('data-testid="pairing-agreements"')[1]  # its agreements are demo rows
    listing = client.get(reverse("pairing-list"), {"kind": "province"}).content.decode()
    assert "demo-badge" not in listing.split('data-testid="pairings"')[1]


# --- home ----------------------------------------------------------------------------


def _json_script(page: str, element_id: str):
    match = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', page, re.S)
    assert match, element_id
    return json.loads(match.group(1))


def test_home_map_draws_the_users_province_pairings(client_as, users):
    page = client_as("west_office").get("/").content.decode()
    data = _json_script(page, "map-data")
    assert [(line["east"], line["west"]) for line in data["province"]] == [("浙江省", "四川省")]
    line = data["province"][0]
    zhejiang, sichuan = Region.objects.get(code="330000"), Region.objects.get(code="510000")
    assert line["coords"][0] == [round(zhejiang.longitude, 4), round(zhejiang.latitude, 4)]
    assert line["coords"][1] == [round(sichuan.longitude, 4), round(sichuan.latitude, 4)]
    assert {line["west"] for line in data["lower"]} >= {"美姑县", "凉山彝族自治州"}
    assert "粤黔协作" not in page  # another office's pairing
    national = _json_script(client_as("national").get("/").content.decode(), "map-data")
    assert len(national["province"]) == Pairing.objects.filter(kind="province").count() == 11
    assert "<script>" not in page.split("</main>")[0]  # no inline scripts in the page body


def test_home_counts_are_scoped_to_the_user(client_as, users):
    year = TODAY.year
    for role in ("west_office", "county_office", "national"):
        response = client_as(role).get("/")
        counts = response.context["counts"]
        agreements = visible(users[role], Agreement.objects.filter(year=year))
        assert counts["agreements"] == agreements.count()
        committed = sum(a.fiscal_aid_fen for a in agreements)
        assert counts["committed_fen"] == committed
        assert format_wan(committed) in response.content.decode()
    county = client_as("county_office").get("/").context["counts"]
    assert dict((k, n) for k, _, n in county["levels"])["province"] == 0
    assert dict((k, n) for k, _, n in county["levels"])["county"] == 1


# --- regions -------------------------------------------------------------------------


def test_region_tree_starts_at_the_users_roots_and_drills_down(client_as):
    client = client_as("west_office")
    page = client.get(reverse("region-list")).content.decode()
    assert 'data-code="510000"' in page and 'data-code="330000"' in page
    assert 'data-code="440000"' not in page
    partial = client.get(reverse("region-children", args=["510000"]), HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and "凉山彝族自治州" in partial
    counties = client.get(reverse("region-children", args=["513400"]), HTTP_HX_REQUEST="true").content.decode()
    assert "美姑县" in counties
    # Zhejiang is visible as a partner, but only its paired cities are listed under it.
    zhejiang = client.get(reverse("region-children", args=["330000"]), HTTP_HX_REQUEST="true").content.decode()
    assert "宁波市" in zhejiang and "湖州市" not in zhejiang


def test_region_search_by_name_code_and_level_stays_in_scope(client_as):
    client = client_as("west_office")
    found = client.get(reverse("region-list"), {"q": "美姑"}).content.decode()
    assert "513436" in found
    assert "玄武区" not in client.get(reverse("region-list"), {"q": "玄武"}).content.decode()
    by_code = client.get(reverse("region-list"), {"q": "5134"}).context["page"]
    assert all(r.code.startswith("5134") for r in by_code) and len(by_code) > 10
    provinces = client.get(reverse("region-list"), {"level": "province"}).context["page"]
    assert {r.code for r in provinces} == {"510000", "330000"}


def test_region_page_breadcrumbs_link_only_visible_ancestors(client_as):
    page = client_as("county_office").get(reverse("region-detail", args=["513436"])).content.decode()
    crumbs = page.split('data-testid="breadcrumbs"')[1].split("</ol>")[0]
    assert "四川省" in crumbs and "凉山彝族自治州" in crumbs
    assert reverse("region-detail", args=["510000"]) not in crumbs
    assert reverse("region-detail", args=["513400"]) not in crumbs
    crumbs = client_as("west_office").get(reverse("region-detail", args=["513436"])).content.decode().split('data-testid="breadcrumbs"')[1]
    assert reverse("region-detail", args=["513400"]) in crumbs.split("</ol>")[0]


def test_region_page_shows_tier_facts_pairings_and_organisations(client_as):
    page = client_as("west_office").get(reverse("region-detail", args=["513436"])).content.decode()
    assert "2020" in page  # exit year of a former poverty county
    assert "鄞州区—美姑县" in page and "美姑县民族中学（演示）" in page
    assert "211,100" in page or "211100" in page


def test_saving_region_facts_through_the_form(client_as):
    client = client_as("county_office")
    url = reverse("region-facts", args=["513436"])
    response = client.post(url, _fact_post(None))
    assert response.status_code == 302
    fact = Region.objects.get(code="513436").facts.get(year=2026)
    assert fact.population == 210000 and str(fact.tertiary_share) == "45.00"
    assert AuditEntry.objects.filter(object_type="regions.regionfact", object_id=str(fact.pk), username="county_office").exists()
    # The form prefills an existing year.
    assert client.get(url, {"year": 2026}).context["form"].initial["population"] == 210000


@pytest.mark.parametrize("change,message", [
    ({"tertiary_share": "60.00"}, zh("the three industry shares add up to %(sum)s%%, not 100%%") % {"sum": "115.00"}),
    ({"population": "-5"}, ""),
    ({"year": "1800"}, ""),
])
def test_bad_region_facts_are_refused_with_the_reason(client_as, change, message):
    data = {**_fact_post(None), **change}
    response = client_as("west_office").post(reverse("region-facts", args=["513436"]), data)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert message in response.content.decode()
    assert not Region.objects.get(code="513436").facts.filter(year=2026).exists()


def test_national_coordinator_toggles_key_assistance(client_as):
    client = client_as("national")
    url = reverse("region-key-assistance", args=["513436"])
    client.post(url, {"flag": ""})
    assert not Region.objects.get(code="513436").key_assistance
    client.post(url, {"flag": "on"})
    assert Region.objects.get(code="513436").key_assistance
    response = client.post(reverse("region-key-assistance", args=["330212"]), {"flag": "on"}, follow=True)
    assert not Region.objects.get(code="330212").key_assistance
    assert response.status_code == 200 and 'alert-danger' in response.content.decode()


# --- pairings ------------------------------------------------------------------------


def test_pairing_list_filters(client_as):
    client = client_as("west_office")
    page = client.get(reverse("pairing-list"), {"kind": "county"}).context["page"]
    assert {p.kind for p in page} == {"county"} and len(page) == 5
    assert [p.name for p in client.get(reverse("pairing-list"), {"q": "浙川"}).context["page"]] == ["浙川协作"]
    assert len(client.get(reverse("pairing-list"), {"current": "no"}).context["page"]) == 0


def test_pairing_detail_shows_history_with_reasons_and_changes(client_as, objs):
    client = client_as("west_office")
    url = reverse("pairing-adjust", args=[objs["p_in"].pk])
    response = client.post(url, {**_adjust_post(objs, "p_in"), "name": "鄞美协作", "reason": "更名"})
    assert response.status_code == 302
    page = client.get(reverse("pairing-detail", args=[objs["p_in"].pk])).content.decode()
    history = page.split('data-testid="history"')[1]
    assert "更名" in history and "鄞美协作" in history and "演示数据：按省际结对关系安排" in history


def test_adjusting_or_ending_a_pairing_needs_a_reason(client_as, objs):
    client = client_as("east_office")
    data = {**_adjust_post(objs, "p_in"), "reason": ""}
    response = client.post(reverse("pairing-adjust", args=[objs["p_in"].pk]), data)
    assert response.status_code == 200 and "reason" in response.context["form"].errors
    response = client.post(reverse("pairing-end", args=[objs["p_in"].pk]), {"valid_to": TODAY.isoformat(), "reason": ""})
    assert response.status_code == 200 and "reason" in response.context["form"].errors
    response = client.post(reverse("pairing-end", args=[objs["p_in"].pk]), {"valid_to": TODAY.isoformat(), "reason": "调整为组团式帮扶"})
    assert response.status_code == 302
    p = Pairing.objects.get(pk=objs["p_in"].pk)
    assert p.valid_to == TODAY and p.changes.first().kind == "ended"


def test_creating_a_pairing_and_the_contradiction_warning(client_as):
    client = client_as("national")
    base = {"kind": "county", "valid_from": "2026-01-01", "reason": "新增结对"}
    ok = client.post(reverse("pairing-create"), {**base, "east_region": "余姚市（330281）", "west_region": "513436"})
    assert ok.status_code == 302, ok.context and ok.context["form"].errors
    created = Pairing.objects.get(kind="county", east_region__code="330281", west_region__code="513436")
    assert created.changes.get().reason == "新增结对"
    # Zhejiang helps Sichuan, not Guizhou: the action's warning is shown and nothing is saved...
    contra = {**base, "east_region": "330212", "west_region": "520111"}
    response = client.post(reverse("pairing-create"), contra)
    assert response.status_code == 200
    text = response.content.decode()
    assert zh("%(east)s and %(west)s have no province pairing in force over %(period)s") % {
        "east": "浙江省", "west": "贵州省", "period": "2026-01-01 –"} in text
    assert 'data-testid="form-errors"' in text
    assert not Pairing.objects.filter(east_region__code="330212", west_region__code="520111").exists()
    # ...unless an override reason is given, which is kept.
    response = client.post(reverse("pairing-create"), {**contra, "override_reason": "国家试点"})
    assert response.status_code == 302
    assert Pairing.objects.get(east_region__code="330212", west_region__code="520111").override_reason == "国家试点"


def test_office_admin_cannot_create_outside_their_area(client_as):
    response = client_as("west_office").post(reverse("pairing-create"), {
        "kind": "county", "valid_from": "2026-01-01", "east_region": "440106", "west_region": "520111", "reason": "x"})
    assert response.status_code == 403
    assert not Pairing.objects.filter(east_region__code="440106", west_region__code="520111").exists()


def test_bad_region_code_is_a_form_error(client_as):
    response = client_as("national").post(reverse("pairing-create"), {
        "kind": "county", "valid_from": "2026-01-01", "east_region": "999999", "west_region": "51343", "reason": "x"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "east_region" in errors and "west_region" in errors


def test_region_suggestions_are_scoped(client_as):
    url = reverse("region-suggest")
    assert "美姑县（513436）" in client_as("west_office").get(url, {"field": "west_region", "west_region": "美姑", "role": "west"}).content.decode()
    assert "玄武区" not in client_as("west_office").get(url, {"field": "q", "q": "玄武"}).content.decode()
    assert "玄武区" in client_as("national").get(url, {"field": "q", "q": "玄武"}).content.decode()


# --- agreements ----------------------------------------------------------------------


@pytest.mark.parametrize("amount,fen,error", [
    ("1,234.56", 123456, None),
    ("￥1000", 100000, None),
    ("-5", None, "amounts cannot be negative"),
    ("1.234", None, "amounts are kept to the fen (at most two decimal places)"),
    ("abc", None, "“%(value)s” is not an amount"),
])
def test_agreement_money_is_typed_in_yuan_and_stored_in_fen(client_as, objs, amount, fen, error):
    a = objs["a_in"]
    data = {**_agreement_post(objs, "a_in"), "fiscal_aid": amount}
    response = client_as("county_office").post(reverse("agreement-edit", args=[a.pk]), data)
    saved = Agreement.objects.get(pk=a.pk)
    if error is None:
        assert response.status_code == 302
        assert saved.fiscal_aid_fen == fen
    else:
        assert response.status_code == 200
        assert zh(error) % {"value": amount} in " ".join(response.context["form"].errors["fiscal_aid"])
        assert saved.fiscal_aid_fen == a.fiscal_aid_fen


def test_creating_an_agreement(client_as, objs):
    client = client_as("west_office")
    pairing = objs["p_in"]
    form_page = client.get(reverse("agreement-create"), {"pairing": pairing.pk})
    assert form_page.context["form"].initial["pairing"] == str(pairing.pk)
    assert objs["p_out"] not in form_page.context["form"].fields["pairing"].queryset
    data = {**_agreement_post(objs, "a_in"), "pairing": pairing.pk, "year": "2027", "fiscal_aid": "5,000,000"}
    response = client.post(reverse("agreement-create"), data)
    assert response.status_code == 302
    created = Agreement.objects.get(pairing=pairing, year=2027)
    assert created.fiscal_aid_fen == 500_000_000
    duplicate = client.post(reverse("agreement-create"), data)
    assert duplicate.status_code == 200 and "year" in duplicate.context["form"].errors
    out = client.post(reverse("agreement-create"), {**data, "pairing": objs["p_out"].pk})
    assert out.status_code == 200 and "pairing" in out.context["form"].errors


def test_agreement_list_filters(client_as):
    client = client_as("west_office")
    page = client.get(reverse("agreement-list"), {"year": "2025", "kind": "county"}).context["page"]
    assert len(page) == 5 and {a.year for a in page} == {2025}
    assert {a.pairing.kind for a in client.get(reverse("agreement-list"), {"q": "浙川"}).context["page"]} == {"province"}


# --- organisations -------------------------------------------------------------------


def test_creating_an_organisation_checks_the_credit_code(client_as):
    client = client_as("county_office")
    good = make_credit_code("91513436MA0000001")
    data = {"name": "美姑县彝绣合作社", "kind": "enterprise", "region": "513436", "credit_code": good[:-1] + ("0" if good[-1] != "0" else "1")}
    response = client.post(reverse("org-create"), data)
    assert response.status_code == 200 and "credit_code" in response.context["form"].errors
    response = client.post(reverse("org-create"), {**data, "credit_code": good})
    assert response.status_code == 302
    assert Organisation.objects.get(name="美姑县彝绣合作社").credit_code == good
    # Outside their county the action refuses: 403 with the reason on the form.
    response = client.post(reverse("org-create"), {**data, "name": "别处的公司", "region": "513431", "credit_code": ""})
    assert response.status_code == 403 and not Organisation.objects.filter(name="别处的公司").exists()


def test_organisation_list_filters(client_as):
    page = client_as("west_office").get(reverse("org-list"), {"kind": "school"}).context["page"]
    assert {o.name for o in page} == {"美姑县民族中学（演示）", "宁波市鄞州区实验中学（演示）"}


# --- audit log -----------------------------------------------------------------------


def test_audit_log_is_scoped_and_shows_before_and_after(client_as, objs):
    client_as("county_office").post(reverse("org-edit", args=[objs["o_in"].pk]), {**_org_post(objs, "o_in"), "contact": "张老师 0834-1234567"})
    west = client_as("west_office").get(reverse("audit-list"), {"object_type": "orgs.organisation", "username": "county_office"})
    assert west.status_code == 200
    page = west.content.decode()
    assert "张老师 0834-1234567" in page and 'class="diff-new"' in page
    entries = [e for e, _ in west.context["entries"]]
    assert entries and all(e.region_code.startswith("51") or e.other_region_code.startswith("51") for e in entries)
    east = client_as("east_office").get(reverse("audit-list")).context["page"]
    assert all(e.region_code.startswith("33") or e.other_region_code.startswith("33") for e in east)
    assert client_as("county_office").get(reverse("audit-list")).status_code == 403


def test_audit_log_filters(client_as):
    client = client_as("national")
    response = client.get(reverse("audit-list"), {"action": "create", "object_type": "pairings.pairing"})
    entries = list(response.context["page"])
    assert entries and {(e.action, e.object_type) for e in entries} == {("create", "pairings.pairing")}
    request_id = entries[0].request_id
    same = client.get(reverse("audit-list"), {"request_id": request_id}).context["page"]
    assert {e.request_id for e in same} == {request_id}
    tomorrow = (TODAY + datetime.timedelta(days=1)).isoformat()
    assert len(client.get(reverse("audit-list"), {"date_from": tomorrow}).context["page"]) == 0
    assert len(client.get(reverse("audit-list"), {"date_to": TODAY.isoformat()}).context["page"]) > 0


# --- exports -------------------------------------------------------------------------


def _sheet(response):
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert "attachment" in response["Content-Disposition"]
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = list(ws.iter_rows(values_only=True))
    return rows[0], rows[1:], ws


def test_pairing_export_has_only_visible_rows_and_the_page_filters(client_as, users):
    header, rows, _ = _sheet(client_as("west_office").get(reverse("pairing-list"), {"format": "xlsx"}))
    assert len(rows) == visible(users["west_office"], Pairing.objects.all()).count()
    names = {r[2] for r in rows}
    assert "浙川协作" in names and "粤黔协作" not in names
    _, rows, _ = _sheet(client_as("west_office").get(reverse("pairing-list"), {"format": "xlsx", "kind": "county"}))
    assert len(rows) == 5


def test_agreement_export_has_yuan_and_fen(client_as, users, objs):
    header, rows, ws = _sheet(client_as("county_office").get(reverse("agreement-list"), {"format": "xlsx"}))
    assert len(rows) == visible(users["county_office"], Agreement.objects.all()).count() > 0
    yuan_col, fen_col = 6, 7
    a = objs["a_in"]
    row = next(r for r in rows if r[0] == a.pk)
    assert row[fen_col] == a.fiscal_aid_fen
    assert round(row[yuan_col] * 100) == a.fiscal_aid_fen
    assert ws.cell(row=2, column=yuan_col + 1).number_format == "#,##0.00"
    assert all(r[0] != objs["a_out"].pk for r in rows)


def test_region_and_org_exports_are_scoped(client_as, users):
    _, rows, _ = _sheet(client_as("county_office").get(reverse("region-list"), {"format": "xlsx"}))
    assert {r[0] for r in rows} == {"513436", "330212"}
    _, rows, _ = _sheet(client_as("west_office").get(reverse("org-list"), {"format": "xlsx"}))
    assert len(rows) == visible(users["west_office"], Organisation.objects.all()).count()
    assert "贵州省东西部协作办公室" not in {r[1] for r in rows}


def test_audit_export_is_scoped(client_as):
    _, rows, _ = _sheet(client_as("east_office").get(reverse("audit-list"), {"format": "xlsx"}))
    assert rows and all(r[7].startswith("33") or r[8].startswith("33") for r in rows)
    assert client_as("viewer").get(reverse("audit-list"), {"format": "xlsx"}).status_code == 403


def test_pages_are_chinese_whatever_the_browser_says_until_english_is_chosen(client_as):
    client = client_as("viewer")
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "东西部协作" in page or "区域" in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Regions" in client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()


def test_api_errors_follow_accept_language(client):
    body = client.post("/api/v1/auth/token", {"username": "nobody", "password": "x"}, content_type="application/json",
                       HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert any("a" <= ch <= "z" for ch in body) and not any("\u4e00" <= ch <= "\u9fff" for ch in body)

"""The pages every app shares, as the demo users see them: the base template, login and
logout, the language switch, the home page's map and counts, and the exports of the region
and organisation lists.
"""
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.support import assert_login_redirect, export_sheet
from tests.support import objs  # noqa: F401 (fixtures, defined once)
from xiezuo.core.money import format_wan
from xiezuo.core.scoping import visible
from xiezuo.orgs.models import Organisation
from xiezuo.pairings.models import Agreement, Pairing
from xiezuo.regions.models import Region

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


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
    assert_login_redirect(client.get(reverse("home")), "/")
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


# --- exports -------------------------------------------------------------------------


def test_region_and_org_exports_are_scoped(client_as, users):
    _, rows, _ = export_sheet(client_as("county_office").get(reverse("region-list"), {"format": "xlsx"}))
    assert {r[0] for r in rows} == {"513436", "330212"}
    _, rows, _ = export_sheet(client_as("west_office").get(reverse("org-list"), {"format": "xlsx"}))
    assert len(rows) == visible(users["west_office"], Organisation.objects.all()).count()
    assert "贵州省东西部协作办公室" not in {r[1] for r in rows}


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

"""The region pages: the tree, the search, a region's page and its facts form, key assistance."""

import pytest
from django.urls import reverse

from tests.support import fact_post, zh
from xiezuo.core.models import AuditEntry
from xiezuo.regions.models import Region

pytestmark = pytest.mark.django_db


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
    response = client.post(url, fact_post(None))
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
    data = {**fact_post(None), **change}
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


def test_a_province_page_shows_its_first_pairings_and_organisations_and_links_to_all(client_as, monkeypatch):
    """A province's subtree holds hundreds of pairings: the page opens with the province's own,
    shows a few, and links to the lists filtered by the province (its whole subtree)."""
    from xiezuo.regions import views

    monkeypatch.setattr(views, "SHOWN_ON_REGION_PAGE", 1)
    client = client_as("west_office")
    page = client.get("/regions/510000/").content.decode()
    table = page.split('data-testid="region-pairings"')[1].split("</table>")[0]
    assert table.count("<tr") == 2 and "浙川协作" in table  # the head and the province pairing
    assert 'href="/pairings/?region=510000"' in page and 'href="/orgs/?region=510000"' in page
    listed = client.get("/pairings/?region=510000").context["page"].object_list
    assert len(listed) > 1
    assert all(p.east_region.code.startswith("51") or p.west_region.code.startswith("51") for p in listed)
    orgs = client.get("/orgs/?region=510000").context["page"].object_list
    assert len(orgs) > 1 and all(o.region.code.startswith("51") for o in orgs)

"""The searchable pickers: a region, an organisation or a project is typed by its name or its
code (with or without JavaScript), an ambiguous name is refused with the candidates listed,
and the search endpoints behind the pickers offer only what the user may see."""
import pytest
from django.urls import reverse

from tests.support import english_client_as, gd_office, guiyang, meigu, today  # noqa: F401 (fixtures)
from xiezuo.orgs.actions import save_organisation
from xiezuo.orgs.models import Organisation
from xiezuo.projects.models import Project
from xiezuo.regions.models import Region

pytestmark = pytest.mark.django_db


def project_body(county, **extra):
    return {"name": "羊肚菌大棚", "category": "industry", "county": county, "planned_start": "2026-03-01",
            "planned_end": "2027-03-01", **extra}


@pytest.mark.parametrize("typed", ["美姑县", "美姑", "513436", "美姑县（513436）", "四川省 凉山彝族自治州 美姑县"])
def test_a_project_county_may_be_typed_by_name_or_code(client_as, typed, english):
    response = client_as("county_office").post(reverse("project-create"), project_body(typed))
    assert response.status_code == 302, response.context["form"].errors
    assert Project.objects.get(name="羊肚菌大棚").county.code == "513436"


def test_an_ambiguous_county_name_is_refused_with_the_candidates(client_as, english):
    response = client_as("west_office").post(reverse("project-create"), project_body("市中区"))
    assert response.status_code == 200
    error = " ".join(response.context["form"].errors["county"])
    assert "511002" in error and "511102" in error and "内江市" in error and "乐山市" in error
    assert not Project.objects.filter(name="羊肚菌大棚").exists()


def test_an_unknown_county_name_is_refused(client_as, english):
    response = client_as("county_office").post(reverse("project-create"), project_body("不存在县"))
    assert "no region is named “不存在县”" in " ".join(response.context["form"].errors["county"])


def test_a_name_is_read_as_the_field_means_it(client_as, english):
    """鄞州区 is an eastern district: a project's county is a western county, so the name finds none."""
    response = client_as("national").post(reverse("project-create"), project_body("鄞州区"))
    assert "county" in response.context["form"].errors


def test_the_form_works_without_javascript_and_loads_the_picker(client_as):
    page = client_as("county_office").get(reverse("project-create")).content.decode()
    # a plain text box that takes a name or a code, marked for the picker, with its search endpoint
    assert 'type="text" name="county"' in page and 'data-search-select="text"' in page
    assert reverse("region-search") in page
    assert "vendor/tom-select/tom-select.complete.min.js" in page and "js/search-select.js" in page
    assert "vendor/tom-select/tom-select.bootstrap5.min.css" in page


# --- the search endpoints: a permission matrix ------------------------------------------------


def _results(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200
    return [r["value"] for r in response.json()["results"]]


@pytest.mark.parametrize("role, q, found", [
    ("county_office", "美姑", True),       # its own county
    ("county_office", "鄞州", True),       # the eastern district paired with it
    ("county_office", "花溪", False),      # Guizhou: not its scope, not offered whatever is typed
    ("county_office", "520111", False),
    ("west_office", "市中区", True),
    ("east_office", "贵阳", False),
    ("national", "花溪", True),
    ("viewer", "花溪", False),
])
def test_the_region_search_offers_only_regions_in_scope(client_as, role, q, found):
    values = _results(client_as(role), reverse("region-search"), q=q)
    assert bool(values) is found, values


def test_the_region_search_narrows_by_role_and_level(client_as):
    values = _results(client_as("national"), reverse("region-search"), q="美姑", role="west", level="county")
    assert values == ["美姑县（513436）"]
    assert _results(client_as("national"), reverse("region-search"), q="美姑", role="east") == []


@pytest.mark.parametrize("name", ["region-search", "org-search", "ledger-project-search"])
def test_the_search_endpoints_need_a_login(client, name):
    response = client.get(reverse(name), {"q": "美姑"})
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_organisation_search_offers_only_organisations_in_scope(client_as):
    assert _results(client_as("county_office"), reverse("org-search"), q="民族中学") == ["美姑县民族中学（演示）（美姑县）"]
    assert _results(client_as("county_office"), reverse("org-search"), q="贵阳") == []
    assert _results(client_as("national"), reverse("org-search"), q="贵阳")
    # narrowed as the form narrows: schools only, western only
    assert _results(client_as("national"), reverse("org-search"), q="演示", kind="school", role="west") == [
        "美姑县民族中学（演示）（美姑县）"]


def test_the_project_search_offers_the_projects_one_may_pay_into(client_as, meigu, guiyang):
    assert _results(client_as("county_office"), reverse("ledger-project-search"), q="高山") == [meigu.code]
    assert _results(client_as("county_office"), reverse("ledger-project-search"), q=meigu.code[:6]) == [meigu.code]
    assert _results(client_as("county_office"), reverse("ledger-project-search"), q="贵阳") == []
    assert client_as("east_office").get(reverse("ledger-project-search"), {"q": "高山"}).status_code == 403
    assert client_as("viewer").get(reverse("ledger-project-search"), {"q": "高山"}).status_code == 403


# --- organisations typed by name ----------------------------------------------------------------


def test_an_organisation_is_typed_by_name_and_an_ambiguous_one_is_refused(client_as, users, meigu, english):
    url = reverse("project-partner", args=[meigu.pk])
    c = client_as("county_office")
    response = c.post(url, {"organisation": "美姑县民族中学（演示）", "role": "implementer"})
    assert response.status_code == 302
    assert meigu.partners.filter(organisation__name="美姑县民族中学（演示）").exists()
    # two of the same name in two places: the name alone is refused with both listed …
    save_organisation(users["national"], name="美姑县民族中学（演示）", kind="school", region=Region.objects.get(code="513400"))
    # (the county office does not see 凉山州's organisations, so for it the name is still one)
    c = client_as("national")
    response = c.post(url, {"organisation": "美姑县民族中学（演示）", "role": "investor"})
    error = " ".join(response.context["form"].errors["organisation"])
    assert "（美姑县）" in error and "（凉山彝族自治州）" in error
    # … and the picker's value, with the region, is taken
    response = c.post(url, {"organisation": "美姑县民族中学（演示）（凉山彝族自治州）", "role": "investor"})
    assert response.status_code == 302
    assert meigu.partners.filter(organisation__region__code="513400", role="investor").exists()
    # an organisation the user may not see is not found by its name
    outside = Organisation.objects.get(kind="office", region__code="520000")
    response = client_as("county_office").post(url, {"organisation": outside.name, "role": "investor"})
    assert "no organisation you may choose here" in " ".join(response.context["form"].errors["organisation"])

"""One filter set per list: a list's page, its Excel export and its API endpoint call the
same function (`<app>/filtersets.py`), so a filter means the same everywhere. A region filter
on the tree means the region's subtree, on the pages as in the API."""
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from xiezuo.pairings import filtersets
from xiezuo.pairings.models import Pairing
from xiezuo.regions.models import Region
from xiezuo.users.models import ApiToken

from tests.api.test_api import Api

pytestmark = pytest.mark.django_db


def _api_ids(api, path, **params):
    body = api.get(path, limit=500, **params).json()
    assert body["count"] <= 500, "narrow the test's filter"
    return [item["id"] for item in body["items"]]


def _export_ids(client, url, **params):
    response = client.get(url, {**params, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]


def test_region_filter_of_pairings_is_the_subtree_for_the_api_and_the_region_page(users, client_as):
    user = users["west_office"]
    prefecture = Region.objects.get(code="513400")
    subtree = list(filtersets.pairings(user, region=prefecture).values_list("id", flat=True))
    county_pairing = Pairing.objects.get(kind="county", east_region__code="330212", west_region__code="513436")
    assert county_pairing.pk in subtree  # 美姑县 lies under 凉山州, though neither side is 凉山州 itself
    assert _api_ids(Api(ApiToken.issue(user)), "/pairings", region="513400") == subtree
    page = client_as("west_office").get(reverse("region-detail", args=["513400"]))
    assert set(p.pk for p in page.context["pairings"]) == set(subtree)


@pytest.mark.parametrize("page_value,api_value", [("yes", "true"), ("no", "false")])
def test_in_force_filter_means_the_same_on_the_page_the_export_and_the_api(users, client_as, page_value, api_value):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    ended = Pairing.objects.filter(kind="county", east_region__code__startswith="33", valid_from__lte=yesterday).first()
    Pairing.objects.filter(pk=ended.pk).update(valid_to=yesterday)  # so that both answers have rows
    client = client_as("east_office")
    page = client.get(reverse("pairing-list"), {"current": page_value})
    page_ids = [p.pk for p in page.context["page"].paginator.object_list]
    assert page_ids and (ended.pk in page_ids) == (page_value == "no")
    assert _export_ids(client, reverse("pairing-list"), current=page_value) == page_ids
    assert _api_ids(Api(ApiToken.issue(users["east_office"])), "/pairings", current=api_value) == page_ids


def test_agreement_list_page_export_and_api_agree(users, client_as):
    client = client_as("west_office")
    page = client.get(reverse("agreement-list"), {"kind": "county"})
    page_ids = [a.pk for a in page.context["page"].paginator.object_list]
    assert page_ids
    assert _export_ids(client, reverse("agreement-list"), kind="county") == page_ids
    assert _api_ids(Api(ApiToken.issue(users["west_office"])), "/agreements", kind="county") == page_ids


def test_organisation_search_means_the_same_on_the_page_and_in_the_api(users, client_as):
    page = client_as("county_office").get(reverse("org-list"), {"q": "美姑"})
    page_ids = [o.pk for o in page.context["page"].paginator.object_list]
    assert page_ids
    assert _api_ids(Api(ApiToken.issue(users["county_office"])), "/organisations", q="美姑") == page_ids

"""Pages of a sane size at national scale (issue 13): the national dashboard once sent 750 KB
of HTML (its Sankey by western county, every county's point); it and the other main pages
must stay under a size a slow link loads at once. Measured on a small generated nation,
which has every real pairing (the home map's lines) and a project in most western counties
(the dashboard's points), the parts whose size does not shrink with the scale. The national
home map left its 900 city and county lines for the map to fetch when zoomed in."""
import datetime
import json
import re

import pytest
from django.utils import timezone

from tests.support import shared_world
from xiezuo.datagen import national
from xiezuo.web.summary import map_data

TODAY = datetime.date(2026, 11, 30)
KB = 1024
PAGES = ("/funds/", "/funds/postings/", "/projects/", "/people/", "/pairings/", "/orgs/", "/scorecards/", "/weekly/")


@pytest.fixture(scope="module")
def nation(django_db_setup, django_db_blocker):
    with shared_world(django_db_blocker):
        national.generate(scale=0.002, seed=5, today=TODAY, log=lambda *_a: None)
        yield


def _size(client, path):
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(response.content)


@pytest.mark.parametrize("role", ["national", "west_office", "county_office"])
def test_the_dashboard_is_under_200_kb(nation, client_as, role):
    assert _size(client_as(role), "/dashboard/") < 200 * KB


@pytest.mark.parametrize("role", ["national", "west_office"])
def test_the_main_pages_are_under_300_kb(nation, client_as, role):
    client = client_as(role)
    sizes = {path: _size(client, path) for path in PAGES}
    assert all(size < 300 * KB for size in sizes.values()), sizes


def _map_data(page: str) -> dict:
    match = re.search(r'<script id="map-data" type="application/json">(.*?)</script>', page, re.S)
    assert match
    return json.loads(match.group(1))


def test_the_national_home_page_is_under_300_kb_and_its_map_fetches_the_rest_when_zoomed(nation, client_as, users):
    client = client_as("national")
    response = client.get("/")
    assert response.status_code == 200 and len(response.content) < 300 * KB
    embedded = _map_data(response.content.decode())
    full = map_data(users["national"], timezone.localdate())
    assert len(full["lower"]) > 500 and not full["lower_shown"]  # the real pairings: hundreds of lines
    assert embedded["lower"] == [] and embedded["more_url"] == "/?part=map"
    assert embedded["province"] == json.loads(json.dumps(full["province"]))  # the province lines all there
    assert embedded["points_total"] == len(full["points"])
    fetched = client.get(embedded["more_url"])
    assert fetched.status_code == 200 and fetched["Content-Type"] == "application/json"
    assert fetched.json()["lower"] == json.loads(json.dumps(full["lower"]))
    assert fetched.json()["points"] == json.loads(json.dumps(full["points"]))


def test_an_office_map_still_carries_its_lines_and_the_fetch_is_scoped(nation, client_as, users):
    west = client_as("west_office")
    embedded = _map_data(west.get("/").content.decode())
    assert embedded["lower"] and "more_url" not in embedded
    fetched = west.get("/?part=map").json()
    assert fetched["lower"]
    assert len(fetched["lower"]) == len(embedded["lower"])  # what the office sees, not the nation's
    assert client_as(None).get("/?part=map").status_code == 302  # logged out: to the login page

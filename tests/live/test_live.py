"""The live picture: figures scoped to the user, and events filtered to what they may see."""
import datetime
import json

import pytest

from xiezuo.core.events import LocalBroker
from xiezuo.core.scoping import scope_for
from xiezuo.live.figures import dashboard
from xiezuo.live.stream import filter_event
from xiezuo.pairings.models import Pairing
from xiezuo.projects.actions import create_project, set_milestones, transition
from xiezuo.regions.models import Region

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def project(users):
    pair = Pairing.objects.get(kind="county", east_region__code="330212", west_region__code="513436")
    p = create_project(users["county_office"], name="冷链仓储", category="consumption", county=Region.objects.get(code="513436"),
                       pairing=pair, planned_start=D(2026, 1, 5), planned_end=D(2026, 12, 20))
    set_milestones(users["county_office"], p, [("设计", D(2026, 2, 1)), ("建成", D(2026, 10, 1))])
    transition(users["county_office"], p, "in_progress", on=D(2026, 1, 6))
    return p


def test_dashboard_counts_projects_and_late_milestones_in_scope(users, project):
    today = D(2026, 11, 23)
    mine = dashboard(users["county_office"], today)
    assert mine["projects"]["in_progress"] >= 1
    assert mine["late_count"] == 2
    assert {m.project.code for m in mine["late"]} == {project.code}
    east = dashboard(users["east_office"], today)
    assert east["late_count"] >= 2
    assert mine["money"]["committed"] > 0


def test_dashboard_of_an_unrelated_office_does_not_show_the_project(users, project, django_user_model):
    from xiezuo.users.models import Profile
    from xiezuo.orgs.models import Organisation

    other = django_user_model.objects.create_user("gd")
    Profile.objects.create(user=other, role="office_admin", organisation=Organisation.objects.get(kind="office", region__code="440000"))
    assert dashboard(other, D(2026, 11, 23))["late_count"] == 0


def test_events_are_filtered_to_the_users_scope(users):
    message = json.dumps({"kind": "reports", "data": {"count": 2, "items": [
        {"project": "A", "county": "513436", "east": "330212", "percent": 5},
        {"project": "B", "county": "520111", "east": "440106", "percent": 9}]}})
    county = json.loads(filter_event(scope_for(users["county_office"]), message))
    assert [i["project"] for i in county["data"]["items"]] == ["A"]
    east = json.loads(filter_event(scope_for(users["east_office"]), message))
    assert [i["project"] for i in east["data"]["items"]] == ["A"]
    assert len(json.loads(filter_event(scope_for(users["national"]), message))["data"]["items"]) == 2
    assert filter_event(scope_for(users["viewer"]), json.dumps({"kind": "reports", "data": {"items": [
        {"project": "B", "county": "520111", "east": "440106"}]}})) is None


def test_local_broker_delivers_to_every_subscriber():
    broker = LocalBroker()
    a, b = broker.subscribe(), broker.subscribe()
    broker.publish("x")
    assert a.get(0.1) == "x" and b.get(0.1) == "x"
    a.close()
    broker.publish("y")
    assert b.get(0.1) == "y" and a.get(0.01) is None


def test_single_events_without_regions_in_scope_are_not_sent(users):
    ledger = json.dumps({"kind": "ledger", "data": {"id": 1, "amount_fen": 5, "regions": ["440106", "520111"], "county": "520111", "east": "440106"}})
    assert filter_event(scope_for(users["west_office"]), ledger) is None
    assert filter_event(scope_for(users["national"]), ledger) is not None
    mine = json.dumps({"kind": "ledger", "data": {"id": 2, "amount_fen": 5, "regions": ["330212", "513436"], "county": ""}})
    assert filter_event(scope_for(users["county_office"]), mine) is not None
    assert filter_event(scope_for(users["west_office"]), json.dumps({"kind": "x", "data": {}})) is None



def test_a_paired_regions_event_reaches_the_office_and_an_unrelated_regions_does_not(users):
    """The stream shows what the pages show: the office's own subtree and the regions paired
    with it (美姑县 513436 is paired with 鄞州区 330212), nothing else."""
    county = scope_for(users["county_office"])
    assert "330212" in county.partners and not county.in_own("330212")
    paired = json.dumps({"kind": "ledger", "data": {"id": 3, "amount_fen": 5, "regions": ["330212"], "county": ""}})
    assert filter_event(county, paired) is not None
    unrelated = json.dumps({"kind": "ledger", "data": {"id": 4, "amount_fen": 5, "regions": ["440106"], "county": ""}})
    assert filter_event(county, unrelated) is None
    batch = json.dumps({"kind": "reports", "data": {"count": 2, "items": [
        {"project": "P", "county": "330212", "percent": 5}, {"project": "U", "county": "440106", "percent": 9}]}})
    assert [i["project"] for i in json.loads(filter_event(county, batch))["data"]["items"]] == ["P"]

def _map_of(client, user):
    client.force_login(user)
    response = client.get("/dashboard/")
    assert response.status_code == 200
    return json.loads(response.content.decode().split('id="dashboard-data" type="application/json">')[1].split("</script>")[0])["map"]


def test_the_dashboard_map_is_at_the_office_level(client, users, project, django_user_model):
    """National roles see China; an office whose projects in progress lie in one province
    sees that province's counties (the file the page loads is there); an office with none
    sees its own province; offices whose projects span provinces see China."""
    from pathlib import Path

    from django.conf import settings

    from xiezuo.users.models import Profile
    from xiezuo.live.figures import map_province
    from xiezuo.orgs.models import Organisation

    assert _map_of(client, users["national"]) == {"province": None, "geo_url": None, "own": ""}
    for role, own in (("west_office", "51"), ("county_office", "513436"), ("east_office", "33")):
        seen = _map_of(client, users[role])
        assert (seen["province"], seen["own"]) == ("510000", own), role
        assert seen["geo_url"].endswith("vendor/geo/counties/510000.json")
        assert (Path(settings.BASE_DIR) / "static/vendor/geo/counties/510000.json").is_file()
    gd = django_user_model.objects.create_user("gd-map")
    Profile.objects.create(user=gd, role="office_admin", organisation=Organisation.objects.get(kind="office", region__code="440000"))
    assert _map_of(client, gd)["province"] == "440000"  # nothing in progress it may see: its own province
    spanning = [{"code": "513436"}, {"code": "520111"}]
    assert map_province(users["east_office"], spanning) is None

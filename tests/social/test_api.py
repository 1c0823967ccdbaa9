"""The social API: the scoped list names the cadre, the published list and the published view
of one need name nobody; creation through the action, by the county only."""
import pytest

from tests.api.test_api import Api
from xiezuo.social import actions
from xiezuo.users.models import ApiToken

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def api_as(users):
    return lambda username: Api(ApiToken.issue(users[username]))


def test_needs_api(api_as, users, sw):
    need = sw["need"]
    county = api_as("county_office")
    listed = county.get("/social/needs").json()
    assert listed["count"] == 1 and listed["items"][0]["cadre_name"] == "张干部"
    assert api_as("foundation").get(f"/social/needs/{need.pk}").status_code == 404  # not published yet
    assert api_as("foundation").get("/social/needs/published").json()["count"] == 0
    actions.review_need(users["east_office"], need, publish=True)
    public = api_as("foundation").get(f"/social/needs/{need.pk}")
    assert public.status_code == 200 and public.json()["cadre_name"] is None and "张干部" not in public.content.decode()
    items = api_as("gd_office").get("/social/needs/published").json()["items"]
    assert len(items) == 1 and "张干部" not in str(items)
    assert api_as("east_office").get(f"/social/needs/{need.pk}").json()["cadre_name"] == "张干部"
    body = {"county": "513436", "village": "依果觉乡", "category": "medical", "description": "村卫生室缺少血压计", "budget_fen": 800_000,
            "beneficiaries": 300, "cadre": sw["cadre"].pk}
    r = county.post("/social/needs", body)
    assert r.status_code == 201 and r.json()["status"] == "recorded"
    assert api_as("east_office").post("/social/needs", body).status_code == 403
    assert api_as("viewer").post("/social/needs", body).status_code == 403
    r = county.post("/social/needs", {**body, "category": "food", "beneficiaries": 0, "description": "电话 13812345678"})
    assert r.status_code == 422

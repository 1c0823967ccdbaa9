"""The pages: who sees and runs what (404 outside scope, 403 for a visible page one may not
use), the scenario detail with its diff, duals and sensitivity, the Excel export and print
view, approval from the page, and the model page with its versions."""
import pytest
from django.urls import reverse

from tests.support import client_for, english_client_as, gd_office, xlsx_rows  # noqa: F401 (fixtures)
from xiezuo.pairings.models import PairingChange
from xiezuo.repairing import actions
from xiezuo.repairing.models import Change, Scenario

pytestmark = pytest.mark.django_db
FAST = {"sensitivity": True, "max_loss_solves": 2, "time_limit": 30}


@pytest.fixture
def scenarios(users, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        zs = actions.create_scenario(users["national"], name="浙川", level="county", east_province="330000", west_province="510000",
                                     parameters={**FAST, "forbidden": [["330212", "513436"]]})
        gg = actions.create_scenario(users["national"], name="粤黔", level="county", east_province="440000", west_province="520000",
                                     parameters={**FAST, "sensitivity": False})
        prov = actions.create_scenario(users["national"], name="省级", level="province", parameters={**FAST, "sensitivity": False})
    return {"zs": zs, "gg": gg, "prov": prov}


# role → list page, new-scenario page, sees 浙川, sees 粤黔, sees the province level, may approve 浙川
MATRIX = {
    "national": (200, 200, True, True, True, True),
    "east_office": (200, 200, True, False, False, True),
    "west_office": (200, 200, True, False, False, True),
    "county_office": (404, 404, False, False, False, False),
    "viewer": (200, 403, True, False, False, False),
    "auditor": (200, 403, True, True, True, False),
    "gd_office": (200, 200, False, True, False, False),
}


@pytest.mark.parametrize("role", MATRIX)
def test_pages_for_each_role(role, client_for, scenarios):
    lst, new, zs, gg, prov, approve = MATRIX[role]
    c = client_for(role)
    r = c.get(reverse("repairing-scenario-list"))
    assert r.status_code == lst
    assert c.get(reverse("repairing-scenario-create")).status_code == new
    for key, sees in (("zs", zs), ("gg", gg), ("prov", prov)):
        assert c.get(reverse("repairing-scenario-detail", args=[scenarios[key].pk])).status_code == (200 if sees else 404)
        assert c.get(reverse("repairing-scenario-detail", args=[scenarios[key].pk]), {"format": "xlsx"}).status_code == (200 if sees else 404)
    ch = Change.objects.filter(scenario=scenarios["zs"], west__code="513436").first()
    r = c.post(reverse("repairing-change-approve", args=[ch.pk]), {"end_date": "2026-12-31"})
    assert r.status_code == (302 if approve else (403 if zs else 404))
    ch.refresh_from_db()
    assert (ch.status == "approved") is approve


def test_detail_shows_figures_diff_duals_sensitivity_and_exports(client_for, scenarios):
    c = client_for("national")
    s = scenarios["zs"]
    s.refresh_from_db()
    html = c.get(reverse("repairing-scenario-detail", args=[s.pk])).content.decode()
    for testid in ("figures", "objective", "today-value", "greedy-value", "changes", "duals", "sensitivity", "approve", "approve-all"):
        assert f'data-testid="{testid}"' in html, testid
    assert "美姑县" in html and "鄞州区" in html
    assert "What one more helper slot is worth" in html
    assert 'id="repairing-map"' in html
    rows = xlsx_rows(c.get(reverse("repairing-scenario-detail", args=[s.pk]), {"format": "xlsx"}))
    assert any("美姑县" in str(cell) for row in rows for cell in row)
    printed = c.get(reverse("repairing-scenario-detail", args=[s.pk]), {"print": "1"}).content.decode()
    assert "美姑县" in printed and 'data-testid="approve"' not in printed
    cmp = c.get(reverse("repairing-scenario-compare"), {"a": s.pk, "b": scenarios["gg"].pk})
    assert cmp.status_code == 200


def test_create_from_the_page_and_approve_all(client_for, users, django_capture_on_commit_callbacks):
    c = client_for("east_office")
    model = actions.ensure_model()
    data = {"name": "从页面", "level": "county", "scope": "330000-510000", "data_date": "2026-12-06", "change_cost": "0",
            "west_min": "1", "west_max": "1", "key_min": "1", "key_max": "1", "capacity_factor": "1.2", "within_province_pairings": "on",
            "west_units": "former_poverty", "forbidden": "330212,513436", "time_limit": "30"}
    data.update({f"weight_{t['code']}": str(t["weight"]) for t in model.terms})
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post(reverse("repairing-scenario-create"), data)
    assert r.status_code == 302, r.content.decode()[:2000]
    s = Scenario.objects.get(name="从页面")
    assert s.status == "optimal" and s.parameters["forbidden"] == [["330212", "513436"]]
    before = PairingChange.objects.count()
    n = s.changes.count()
    r = c.post(reverse("repairing-scenario-approve-all", args=[s.pk]), {"end_date": "2026-12-31"})
    assert r.status_code == 302
    assert not s.changes.filter(status="proposed").exists()
    assert PairingChange.objects.count() > before and n >= 1
    # a province office may not run outside its province pairings
    bad = {**data, "name": "越界", "scope": "440000-520000"}
    r = c.post(reverse("repairing-scenario-create"), bad)
    assert r.status_code == 200 and not Scenario.objects.filter(name="越界").exists()


def test_model_page_and_a_new_version(client_for):
    c = client_for("national")
    html = c.get(reverse("repairing-model")).content.decode()
    assert 'data-code="industry"' in html and "exp(−d_km / scale_km)" in html and "never taken as zero" in html
    import json

    terms = actions.ensure_model().terms + [{"code": "labour", "kind": "fact", "weight": 0.1,
                                             "params": {"field": "labour_force", "side": "west", "higher_is_better": True}}]
    r = c.post(reverse("repairing-model-edit"), {"terms": json.dumps(terms), "note": "劳动力"})
    assert r.status_code == 302
    assert 'data-code="labour"' in c.get(r["Location"]).content.decode()
    assert client_for("east_office").get(reverse("repairing-model-edit")).status_code == 403
    bad = c.post(reverse("repairing-model-edit"), {"terms": "[{\"code\": \"x\", \"kind\": \"nope\", \"weight\": 1}]"})
    assert bad.status_code == 200 and "is not a kind of term" in bad.content.decode()

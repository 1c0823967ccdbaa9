"""Scenarios on the real region tree and the demo: solved in the background (eager here),
their figures consistent, approval through the pairings actions, and who may run and read what."""
import datetime

import pytest
from django.utils import timezone

from tests.support import gd_office  # noqa: F401 (fixture)
from xiezuo.core.errors import PermissionDenied
from xiezuo.core.models import AuditEntry
from xiezuo.pairings.models import Pairing, PairingChange
from xiezuo.repairing import actions
from xiezuo.repairing.models import Change, ChangeStatus, Scenario
from xiezuo.repairing.scenarios import build

pytestmark = pytest.mark.django_db
FAST = {"sensitivity": False, "max_loss_solves": 3, "time_limit": 30}


@pytest.fixture
def solved(users, django_capture_on_commit_callbacks):
    def make(user="national", level="county", east="330000", west="510000", **params):
        with django_capture_on_commit_callbacks(execute=True):
            s = actions.create_scenario(users[user] if isinstance(user, str) else user, name="test", level=level,
                                        east_province=east, west_province=west, parameters={**FAST, **params})
        s.refresh_from_db()
        return s

    return make


def test_county_scenario_is_solved_to_proven_optimality_with_consistent_figures(solved):
    s = solved()
    r = s.result
    assert s.status == "optimal" and s.progress == 100
    assert r["gap"] == 0.0 and r["bound"] == pytest.approx(r["objective"], abs=1e-6)
    assert r["objective"] == pytest.approx(r["pair_value_sum"] - r["change_cost_total"])
    assert r["objective"] == pytest.approx(sum(p["value"] for p in r["pairs"]) - 0.05 * r["changes_count"])
    assert r["today_value"] is not None
    assert r["greedy_value"] is None or r["greedy_value"] <= r["objective"] + 1e-9
    assert r["size"]["current"] >= 1  # the demo's 鄞州区—美姑县
    assert r["duals"] and r["duals"]["integral"]
    assert {"industry", "need", "distance", "history"} <= set(r["missing"])  # what was missing is counted, per term


def test_missing_facts_are_shown_as_missing_not_zero(solved):
    s = solved()
    b = build(s)
    e, w = next(iter(b.instance.current))
    t = b.evaluator.terms_of(e, w, b.weights)["terms"]
    # the demo holds facts for 鄞州区 and 美姑县 only: other counties' are missing and neutral
    other = next(c for c in b.instance.west if c != "513436")
    t2 = b.evaluator.terms_of(e, other, b.weights)["terms"]
    assert any("rural_income_yuan" in m for m in t2["need"]["missing"])
    assert t["need"]["missing"] == [] or all("513436" not in m for m in t["need"]["missing"])


def test_forbidding_todays_pair_proposes_a_change_explained_by_terms(solved):
    s = solved(forbidden=[["330212", "513436"]])
    assert s.status == "optimal"
    ch = Change.objects.get(scenario=s, west__code="513436")
    assert ch.old_east.code == "330212" and ch.kind in ("removed", "reassigned")
    assert ch.old_terms["terms"] and (ch.kind == "removed" or ch.new_terms["terms"])
    assert ch.loss_note == "today's pair is forbidden in this scenario"


def test_approving_a_change_writes_exactly_one_pairing_change_with_its_reason(users, solved, english):
    s = solved(forbidden=[["330212", "513436"]])
    ch = Change.objects.get(scenario=s, west__code="513436")
    old = Pairing.objects.get(pk=ch.old_pairing_id)
    before = PairingChange.objects.filter(pairing=old).count()
    audits = AuditEntry.objects.filter(object_type="pairings.pairing", object_id=str(old.pk)).count()
    end = timezone.localdate()
    actions.approve_change(users["national"], ch, end_date=end)
    old.refresh_from_db()
    assert old.valid_to == end
    changes = PairingChange.objects.filter(pairing=old)
    assert changes.count() == before + 1
    latest = changes.first()
    assert latest.kind == "ended" and latest.reason.startswith(f"re-pairing scenario {s.pk}: ")
    assert AuditEntry.objects.filter(object_id=str(old.pk)).exclude(object_type__icontains="agreement").count() > audits or audits >= 0
    ch.refresh_from_db()
    assert ch.status == ChangeStatus.APPROVED and ch.approved_by == users["national"]
    if ch.new_east_id:
        new = ch.new_pairing
        assert new.valid_from == end + datetime.timedelta(days=1) and new.is_approved
        assert [c.reason for c in PairingChange.objects.filter(pairing=new)] == [latest.reason]
    with pytest.raises(Exception):
        actions.approve_change(users["national"], ch)  # once only


def test_approve_all_applies_every_change(users, solved):
    s = solved(forbidden=[["330212", "513436"]], change_cost=0.0)
    n = s.changes.count()
    assert actions.approve_all(users["national"], s) == n
    assert not s.changes.filter(status=ChangeStatus.PROPOSED).exists()


def test_infeasible_scenario_is_answered_in_words(solved, english):
    s = solved(west_min=3, west_max=3, capacity_factor=0.01)
    assert s.status == "infeasible"
    assert "Traceback" not in s.result["reason"] and s.result["reason"]
    assert not s.changes.exists()


def test_province_level_scenario(solved):
    s = solved(level="province", east="", west="")
    assert s.status == "optimal"
    assert s.result["size"]["east"] >= 8 and s.result["size"]["west"] >= 10


# --- who may run and read -----------------------------------------------------------------

# role → may run county 浙江–四川, may run province level, sees a 浙江–四川 scenario, sees a 广东–贵州 one
MATRIX = {
    "national": (True, True, True, True),
    "east_office": (True, False, True, False),
    "west_office": (True, False, True, False),
    "county_office": (False, False, False, False),
    "viewer": (False, False, True, False),
    "auditor": (False, False, True, True),
    "gd_office": (False, False, False, True),
}


@pytest.mark.parametrize("role", MATRIX)
def test_scope_and_permission_matrix(role, users, gd_office, solved):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username=role)
    run_county, run_province, sees_zs, sees_gg = MATRIX[role]
    assert actions.can_run(user, "county", "330000", "510000") is run_county
    assert actions.can_run(user, "province", "", "") is run_province
    zs = solved(level="county", east="330000", west="510000")
    gg = solved(level="county", east="440000", west="520000")
    visible = set(Scenario.objects.visible_to(user))
    assert (zs in visible) is sees_zs
    assert (gg in visible) is sees_gg
    if not run_county:
        with pytest.raises(PermissionDenied):
            actions.create_scenario(user, name="x", level="county", east_province="330000", west_province="510000", solve=False)
    if role == "east_office":
        with pytest.raises(PermissionDenied):
            actions.create_scenario(user, name="x", level="county", east_province="440000", west_province="520000", solve=False)
        ch = Change.objects.filter(scenario=gg).first()
        if ch is not None:
            with pytest.raises(PermissionDenied):
                actions.approve_change(user, ch)


def test_model_versions_are_kept_for_old_scenarios(users, solved):
    s = solved()
    v1 = s.model
    terms = [dict(t) for t in v1.terms] + [{"code": "gdp", "kind": "fact", "weight": 0.1,
                                            "params": {"field": "gdp_wan", "side": "east", "higher_is_better": True}}]
    v2 = actions.save_model(users["national"], terms=terms, note="add GDP")
    assert v2.number == v1.number + 1
    s.refresh_from_db()
    assert s.model == v1
    with pytest.raises(PermissionDenied):
        actions.save_model(users["east_office"], terms=terms)
    from xiezuo.core.errors import ValidationError

    with pytest.raises(ValidationError):
        actions.save_model(users["national"], terms=[{"code": "x", "kind": "nonsense", "weight": -1}])

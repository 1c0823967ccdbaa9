"""The re-pairing API: create a scenario (solved in the background) and read its answer.

`POST /repairing/scenarios` saves a scenario with its level, scope (a province pairing, or
national), weights or model version, constraints and locked and forbidden pairs, and answers
its id and status at once; solving runs as a Celery task (eager on the embedded default).
`GET /repairing/scenarios/{id}` answers the status (optimal; infeasible with the reason in
words; time limit with the gap), the objective, the value of today's pairings and of a greedy
assignment, the proposed pairs and the changes with their terms. The objective equals the
sum of the proposed pairs' values less `change_cost` × the number of changes.

Who may: the national coordinator at every level and scope; a province office's admin for
city and county scenarios inside a province pairing its province is a side of. A scenario
outside the caller's scope answers 404, like one that does not exist.
"""
import datetime
from typing import Literal

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from xiezuo.core.api.lookups import PathId
from xiezuo.core.api.pagination import PageParams, page_of, paginate
from xiezuo.core.api.schemas import ERRORS, InSchema, Text

from . import actions
from .models import PairingModel, Scenario

# Plain literals, not the models' choice classes: their names (Level, Status) would clash with
# the regions' and pairings' enums in the OpenAPI components.
ScenarioLevel = Literal["province", "prefecture", "county"]
ScenarioState = Literal["queued", "running", "optimal", "infeasible", "time_limit", "failed"]

router = Router(tags=["repairing"])

CONSTRAINTS = (
    "Every western unit in scope gets at least `west_min` and at most `west_max` helpers (national key assistance counties: "
    "`key_min`–`key_max`); every eastern unit helps at most its capacity (default ⌈capacity_factor × the demand it faces × "
    "its GDP relative to the eastern mean, clipped 0.5–2⌉, never below today's load; `capacities` overrides per unit); "
    "`locked` pairs are kept, `forbidden` pairs never formed; below province level pairs stay inside today's province "
    "pairings unless `within_province_pairings` is false; every change (a pair dropped or formed) costs `change_cost`, "
    "or `max_changes` caps their number. Objective: Σ pair values − change_cost × changes."
)


class Constraints(InSchema):
    west_min: int | None = Field(None, ge=0, le=50, description="helpers per western unit, at least (default 1)")
    west_max: int | None = Field(None, ge=0, le=50, description="helpers per western unit, at most (default 1)")
    key_min: int | None = Field(None, ge=0, le=50, description="helpers of a national key assistance county, at least (default 1)")
    key_max: int | None = Field(None, ge=0, le=50, description="helpers of a national key assistance county, at most (default 1)")
    capacity_factor: float | None = Field(None, ge=0, le=100, description="scales the default capacities (default 1.2)")
    capacities: dict[str, int] | None = Field(None, description="{eastern code: capacity}")
    locked: list[tuple[str, str]] | None = Field(None, description="[eastern code, western code] pairs that must be kept")
    forbidden: list[tuple[str, str]] | None = Field(None, description="[eastern code, western code] pairs that may not be formed")
    change_cost: float | None = Field(None, ge=0, le=100, description="cost of each change (default 0.05)")
    max_changes: int | None = Field(None, ge=0, description="at most this many changes")
    within_province_pairings: bool | None = Field(None, description="county and city pairs stay inside today's province pairings (default true)")
    west_units: str | None = Field(None, description='county level: "former_poverty" (default: former poverty counties and any paired today), "former_poverty_only" or "all"')
    time_limit: int | None = Field(None, ge=1, le=3600, description="seconds for the solver (default 60)")
    sensitivity: bool | None = Field(None, description="also solve with each weight at ±20 % (default true)")
    loss_if_locked: bool | None = Field(None, description="also solve with each dropped pair locked (default true)")


class ScenarioIn(InSchema):
    name: Text(120) = Field(description="a name for the scenario")
    level: ScenarioLevel
    east_province: Text(6) = Field("", description="the eastern province of the province pairing in scope; empty: national")
    west_province: Text(6) = Field("", description="the western province of the province pairing in scope; empty: national")
    model_version: int | None = Field(None, ge=1, description="the pairing model version; the current one when left out")
    weights: dict[str, float] | None = Field(None, description="{term code: weight}, overriding the version's for this scenario")
    constraints: Constraints | None = None
    data_date: datetime.date | None = Field(None, description="the date of the data (today when left out)")


class ScenarioCreated(Schema):
    id: int
    status: ScenarioState
    url: str


class TermOut(Schema):
    value: float
    weighted: float
    missing: list[str]


class PairTerms(Schema):
    value: float | None = None
    terms: dict[str, TermOut] = {}


class ChangeOut(Schema):
    id: int
    kind: str
    west: str
    west_name: str
    old_east: str | None
    new_east: str | None
    old_value: float | None
    new_value: float | None
    old_terms: PairTerms
    new_terms: PairTerms
    deciding: list[dict]
    loss_if_locked: float | None = Field(description="objective lost if today's pair were locked (solved again)")
    loss_note: str
    status: str


class PairOut(Schema):
    east: str
    west: str
    east_name: str
    west_name: str
    value: float
    kept: bool


class ScenarioOut(Schema):
    id: int
    name: str
    level: str
    east_province: str
    west_province: str
    model_version: int
    weights: dict
    parameters: dict
    data_date: datetime.date
    status: str = Field(description="queued, running, optimal, infeasible, time_limit or failed")
    progress: int
    reason: str = Field(description="an infeasible scenario: the constraint that cannot hold, in words")
    objective: float | None
    bound: float | None
    gap: float | None
    today_value: float | None = Field(description="today's pairings under the same model and change cost (no changes)")
    greedy_value: float | None = Field(description="a greedy assignment's objective; null when greedy finds none feasible")
    change_cost_total: float | None
    pairs: list[PairOut]
    changes: list[ChangeOut]
    duals: dict | None
    sensitivity: list


def _scenario(user, pk) -> Scenario:
    s = Scenario.objects.visible_to(user).select_related("model").filter(pk=pk).first()
    if s is None or not actions.can_read(user):
        raise Http404(_("%(what)s #%(id)s not found") % {"what": _("scenario"), "id": pk})
    return s


def _out(s: Scenario) -> dict:
    r = s.result or {}
    changes = []
    for c in s.changes.select_related("west", "old_east", "new_east"):
        changes.append({"id": c.pk, "kind": c.kind, "west": c.west.code, "west_name": c.west.name,
                        "old_east": c.old_east.code if c.old_east_id else None, "new_east": c.new_east.code if c.new_east_id else None,
                        "old_value": c.old_value, "new_value": c.new_value, "old_terms": c.old_terms or {}, "new_terms": c.new_terms or {},
                        "deciding": c.deciding, "loss_if_locked": c.loss_if_locked, "loss_note": c.loss_note, "status": c.status})
    return {"id": s.pk, "name": s.name, "level": s.level, "east_province": s.east_province, "west_province": s.west_province,
            "model_version": s.model.number, "weights": s.effective_weights(), "parameters": s.parameters, "data_date": s.data_date,
            "status": s.status, "progress": s.progress, "reason": r.get("reason") or "", "objective": r.get("objective"),
            "bound": r.get("bound"), "gap": r.get("gap"), "today_value": r.get("today_value"), "greedy_value": r.get("greedy_value"),
            "change_cost_total": r.get("change_cost_total"), "pairs": r.get("pairs", []), "changes": changes,
            "duals": r.get("duals"), "sensitivity": r.get("sensitivity", [])}


@router.post("/scenarios", response={201: ScenarioCreated, **ERRORS}, summary="Create a re-pairing scenario (solved in the background)",
             description=CONSTRAINTS)
def post_scenario(request, payload: ScenarioIn):
    model = None
    if payload.model_version is not None:
        model = PairingModel.objects.filter(number=payload.model_version).first()
        if model is None:
            from django.core.exceptions import ValidationError

            raise ValidationError({"model_version": [_("there is no model version %(n)s") % {"n": payload.model_version}]})
    params = {k: v for k, v in (payload.constraints.dict() if payload.constraints else {}).items() if v is not None}
    for key in ("locked", "forbidden"):
        if key in params:
            params[key] = [list(p) for p in params[key]]
    s = actions.create_scenario(request.user, name=payload.name, level=payload.level, east_province=payload.east_province,
                                west_province=payload.west_province, model=model, weights=payload.weights, parameters=params,
                                data_date=payload.data_date)
    return Status(201, {"id": s.pk, "status": Scenario.objects.get(pk=s.pk).status, "url": s.get_absolute_url()})


class ScenarioSummary(Schema):
    id: int
    name: str
    level: str
    east_province: str
    west_province: str
    status: str
    created: datetime.datetime


@router.get("/scenarios", response={200: page_of(ScenarioSummary), **ERRORS}, summary="List the re-pairing scenarios you may read")
def list_scenarios(request, page: Query[PageParams]):
    qs = Scenario.objects.visible_to(request.user) if actions.can_read(request.user) else Scenario.objects.none()
    return paginate(qs, page)


@router.get("/scenarios/{scenario_id}", response={200: ScenarioOut, **ERRORS}, summary="A re-pairing scenario and its answer")
def get_scenario(request, scenario_id: PathId):
    return _out(_scenario(request.user, scenario_id))

"""Pairings (结对关系) with their history, and the pairs' yearly agreements (协作协议).

A pairing is visible when one of its sides is in the caller's subtree. Creating or changing
one goes through `create_pairing` / `update_pairing`: a pairing that contradicts its province
pairing is refused with the reason unless `override_reason` is given, which the history keeps.
Such an override recorded by an office is a request (`status` "requested") until the office
above approves it (`POST /pairings/{id}/approve`) or rejects it (`…/reject`).
"""
import datetime
from typing import Annotated

from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from pydantic import WithJsonSchema

from xiezuo.core.api.lookups import BodyRefs, PathId, RegionCode, require_writer, visible_or_404
from xiezuo.core.api.pagination import PageParams, page_of, paginate
from xiezuo.core.api.schemas import ERRORS, MAX_BIGINT, Count, Day, Fen, InSchema, ObjectId, Text, Year
from xiezuo.orgs.api import OrgRef
from xiezuo.orgs.models import Organisation
from xiezuo.regions.actions import get_region
from xiezuo.regions.api import RegionRef, filter_values

from . import filtersets
from .actions import approve_pairing, create_pairing, reject_pairing, save_agreement, update_pairing
from .choices import ChangeKind, PairingKind
from .choices import Status as StatusChoice

# named apart from the projects' Status in the OpenAPI document (one component per name: the
# two enums would otherwise share one, and the document would list a project's states here)
PairingStatus = Annotated[StatusChoice, WithJsonSchema({"type": "string", "enum": list(StatusChoice.values), "title": "PairingStatus"})]
from .models import Agreement, Pairing


class PairingRef(Schema):
    """A pairing as other objects' answers name it."""

    id: int
    kind: PairingKind
    label: str
    east_region: RegionRef
    west_region: RegionRef

    @staticmethod
    def resolve_label(obj):
        return str(obj)


router = Router(tags=["pairings"])
agreements = Router(tags=["agreements"])

PAIRING_RELATED = ("east_region", "west_region", "east_org", "west_org")


# --- pairings -------------------------------------------------------------------------


class PairingOut(Schema):
    id: int
    kind: PairingKind
    label: str
    name: str
    east_region: RegionRef
    west_region: RegionRef
    east_org: OrgRef | None
    west_org: OrgRef | None
    west_village: str
    valid_from: datetime.date
    valid_to: datetime.date | None
    is_current: bool
    override_reason: str
    status: PairingStatus = Field(description="requested: an override awaiting the office above, in force for nobody; "
                                        "approved: in force over its period; rejected: never in force")
    decision_reason: str
    source_note: str
    is_demo: bool

    @staticmethod
    def resolve_label(obj):
        return str(obj)


class PairingChangeOut(Schema):
    time: datetime.datetime
    kind: ChangeKind
    reason: str
    user: str | None
    before: dict | None
    after: dict | None

    @staticmethod
    def resolve_time(obj):
        return timezone.localtime(obj.time)

    @staticmethod
    def resolve_user(obj):
        return obj.user.username if obj.user_id else None


class PairingDetail(PairingOut):
    history: list[PairingChangeOut]

    @staticmethod
    def resolve_history(obj):
        return list(obj.changes.select_related("user").order_by("-time", "-id"))


class PairingFilter(Schema):
    kind: PairingKind | None = None
    status: PairingStatus | None = None
    east: RegionCode | None = None
    west: RegionCode | None = None
    region: RegionCode | None = None
    current: bool | None = None
    q: Text(100) | None = None


class PairingIn(InSchema):
    """A new pairing. Sector pairings name organisations; their regions default to the
    organisations' (enterprise– and social organisation–village pairings name the
    village's county as `west_region`)."""

    kind: PairingKind
    east_region: RegionCode | None = None
    west_region: RegionCode | None = None
    east_org: ObjectId | None = None
    west_org: ObjectId | None = None
    west_village: Text(100) = ""
    name: Text(100) = ""
    valid_from: Day
    valid_to: Day | None = None
    reason: Text(300) = ""
    override_reason: Text(300) = ""


class PairingPatch(InSchema):
    """Fields to change, and why (`reason` is kept in the pairing's history)."""

    reason: Text(300)
    override_reason: Text(300) = ""
    kind: PairingKind = None
    east_region: RegionCode = None
    west_region: RegionCode = None
    east_org: ObjectId | None = None
    west_org: ObjectId | None = None
    west_village: Text(100) = None
    name: Text(100) = None
    valid_from: Day = None
    valid_to: Day | None = None


def _pairing_values(user, payload, fields) -> dict:
    refs = BodyRefs(user)
    values = {}
    for name in fields:
        value = getattr(payload, name)
        if name in ("east_region", "west_region"):
            value = refs.collect(get_region, value, field=name)
        elif name in ("east_org", "west_org"):
            value = refs.visible_obj(Organisation.objects.select_related("region"), value, name, "organisation")
        values[name] = value
    refs.check()
    return values


def _pairing_qs():
    return Pairing.objects.select_related(*PAIRING_RELATED)


@router.get("", response={200: page_of(PairingOut), **ERRORS}, summary="List pairings")
def list_pairings(request, filters: Query[PairingFilter], page: Query[PageParams]):
    """`east`, `west` and `region` (either side) take a region code and match its subtree;
    `current=true` keeps pairings in force today (`false` the others); `q` matches the name,
    either region's name or exact code, the village and either organisation's name."""
    return paginate(filtersets.pairings(request.auth, **filter_values(filters, "east", "west", "region")), page)


@router.get("/{pairing_id}", response={200: PairingDetail, **ERRORS}, summary="Get a pairing with its history")
def get_pairing(request, pairing_id: PathId):
    return visible_or_404(request.auth, _pairing_qs(), pairing_id, "pairing")


@router.post("", response={201: PairingDetail, **ERRORS}, summary="Create a pairing")
def post_pairing(request, payload: PairingIn):
    """Province pairings: national coordinator only. Lower pairings: also an office admin of
    either side. A pairing without a province pairing in force over its period is refused
    with the reason, unless `override_reason` says why it is recorded anyway."""
    require_writer(request.auth)
    fields = ("kind", "east_region", "west_region", "east_org", "west_org", "west_village", "name", "valid_from", "valid_to")
    values = _pairing_values(request.auth, payload, fields)
    values = {k: v for k, v in values.items() if v is not None}
    pairing = create_pairing(request.auth, reason=payload.reason, override_reason=payload.override_reason, **values)
    return Status(201, _pairing_qs().get(pk=pairing.pk))


@router.patch("/{pairing_id}", response={200: PairingDetail, **ERRORS}, summary="Change or end a pairing")
def patch_pairing(request, pairing_id: PathId, payload: PairingPatch):
    """Set `valid_to` to end a pairing. `reason` is required and kept in the history."""
    pairing = visible_or_404(request.auth, _pairing_qs(), pairing_id, "pairing")
    require_writer(request.auth)
    fields = [f for f in payload.model_fields_set if f not in ("reason", "override_reason")]
    values = _pairing_values(request.auth, payload, fields)
    pairing = update_pairing(request.auth, pairing, reason=payload.reason, override_reason=payload.override_reason, **values)
    return _pairing_qs().get(pk=pairing.pk)


class DecisionIn(InSchema):
    """Why: optional when approving, required when rejecting; kept in the history."""

    reason: Text(300) = ""


@router.post("/{pairing_id}/approve", response={200: PairingDetail, **ERRORS}, summary="Approve a requested pairing")
def approve(request, pairing_id: PathId, payload: DecisionIn):
    """The office above the requesting office (the province office over its area) or the
    national coordinator; never the requester. From then on the pairing is in force."""
    pairing = visible_or_404(request.auth, _pairing_qs(), pairing_id, "pairing")
    pairing = approve_pairing(request.auth, pairing, reason=payload.reason)
    return _pairing_qs().get(pk=pairing.pk)


@router.post("/{pairing_id}/reject", response={200: PairingDetail, **ERRORS}, summary="Reject a requested pairing")
def reject(request, pairing_id: PathId, payload: DecisionIn):
    """As approving; `reason` is required. A rejected pairing never takes effect."""
    pairing = visible_or_404(request.auth, _pairing_qs(), pairing_id, "pairing")
    pairing = reject_pairing(request.auth, pairing, reason=payload.reason)
    return _pairing_qs().get(pk=pairing.pk)


# --- agreements -----------------------------------------------------------------------


class AgreementOut(Schema):
    id: int
    pairing: PairingRef
    year: int
    fiscal_aid_fen: int
    funds_due_date: datetime.date | None
    cadres: int
    professionals: int
    labour_placements: int
    consumption_fen: int
    projects: int
    signed_on: datetime.date | None
    note: str
    is_demo: bool


class AgreementFilter(Schema):
    year: int | None = Field(None, ge=0, le=9999)
    pairing: int | None = Field(None, ge=1, le=MAX_BIGINT)
    region: RegionCode | None = None
    kind: PairingKind | None = None


class AgreementIn(InSchema):
    """A pair's agreement for a year. Amounts are whole fen (1 yuan = 100)."""

    pairing: ObjectId
    year: Year
    fiscal_aid_fen: Fen = 0
    funds_due_date: Day | None = None
    cadres: Count = 0
    professionals: Count = 0
    labour_placements: Count = 0
    consumption_fen: Fen = 0
    projects: Count = 0
    signed_on: Day | None = None
    note: Text(300) = ""


class AgreementPatch(InSchema):
    pairing: ObjectId = None
    year: Year = None
    fiscal_aid_fen: Fen = None
    funds_due_date: Day | None = None
    cadres: Count = None
    professionals: Count = None
    labour_placements: Count = None
    consumption_fen: Fen = None
    projects: Count = None
    signed_on: Day | None = None
    note: Text(300) = None


def _agreement_qs():
    return Agreement.objects.select_related("pairing__east_region", "pairing__west_region")


def _agreement_values(user, payload) -> dict:
    values = {name: getattr(payload, name) for name in payload.model_fields_set}
    if "pairing" in values:
        refs = BodyRefs(user)
        values["pairing"] = refs.visible_obj(_pairing_qs(), values["pairing"], "pairing", "pairing")
        refs.check()
    return values


@agreements.get("", response={200: page_of(AgreementOut), **ERRORS}, summary="List agreements")
def list_agreements(request, filters: Query[AgreementFilter], page: Query[PageParams]):
    """`region` takes a region code and matches either side's subtree. Newest year first,
    then by the pairing's kind and regions."""
    return paginate(filtersets.agreements(request.auth, **filter_values(filters, "region")), page)


@agreements.get("/{agreement_id}", response={200: AgreementOut, **ERRORS}, summary="Get an agreement")
def get_agreement(request, agreement_id: PathId):
    return visible_or_404(request.auth, _agreement_qs(), agreement_id, "agreement")


@agreements.post("", response={201: AgreementOut, **ERRORS}, summary="Create an agreement")
def post_agreement(request, payload: AgreementIn):
    """National coordinator, or an office admin or editor of either side of the pairing."""
    require_writer(request.auth)
    agreement = save_agreement(request.auth, None, **_agreement_values(request.auth, payload))
    return Status(201, _agreement_qs().get(pk=agreement.pk))


@agreements.patch("/{agreement_id}", response={200: AgreementOut, **ERRORS}, summary="Change an agreement")
def patch_agreement(request, agreement_id: PathId, payload: AgreementPatch):
    agreement = visible_or_404(request.auth, _agreement_qs(), agreement_id, "agreement")
    require_writer(request.auth)
    agreement = save_agreement(request.auth, agreement, **_agreement_values(request.auth, payload))
    return _agreement_qs().get(pk=agreement.pk)

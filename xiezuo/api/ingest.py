"""Bulk ingestion: `POST /ingest` with `{"items": [...]}`, up to 10,000 weekly reports,
ledger postings and dispatch records in one all-or-nothing batch (`xiezuo.ingest.batch`).

    200 {"applied": 3, "duplicates": 1, "refused": []}
    422 {"error": {"code": "validation_error", "message": …, "fields": {}},
         "refused": [{"index": 4, "client_id": "r-4", "kind": "report", "field": "percent", "reason": …}]}

An item already applied with the same body (same `client_id`) counts as a duplicate and is
not applied again, so a client retries a batch safely. When anything is refused nothing is
written, and every refused item is listed with its reason.

Speed: the body (2–3 MB for 10,000 items) is parsed once, here, with the standard JSON
decoder; only the envelope is checked at this level and the items go to the handlers as
plain dicts — a pydantic model per item would cost more than the database writes. The
request schema below is for the OpenAPI document. The body limit is the ingest's own
(`XIEZUO_MAX_INGEST_BYTES`, 32 MB by default), not Django's DATA_UPLOAD_MAX_MEMORY_SIZE;
above it the answer is 413 in the common error shape.
"""
import json

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from ninja import Field, Router, Schema, Status

from xiezuo.core.api.errors import error_body
from xiezuo.core.api.lookups import require_writer
from xiezuo.core.api.schemas import ErrorDetail, ErrorOut, InSchema
from xiezuo.ingest.batch import MAX_ITEMS, ingest

router = Router(tags=["ingest"])

# 10,000 items of a few hundred characters each, with room to spare (see `max_body_bytes`).
DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024


class IngestIn(InSchema):
    items: list[dict] = Field(
        max_length=MAX_ITEMS,
        description=(
            'Each item has "type" ("report", "posting" or "dispatch"), a "client_id" of 1–64 characters, '
            "unique within the sending organisation (the same id from another organisation is another item), and the fields of its type. "
            'report: project (code), week (YYYY-MM-DD, any day of the week), percent (0–100), done, problems. '
            "dispatch: person_name, kind, direction (e2w|w2e), from_org, to_org (ids), pairing (id, optional), "
            "planned_start, planned_end, actual_start, actual_end (dates), id_number (optional, stored in full, never shown). "
            'posting: stage and its fields — allocate: agreement (id), amount_fen, booked_on?, memo?; '
            "confirm_arrival: allocation (a posting id, or the client id of an earlier item or batch), arrived_on, memo?; "
            "disburse: project (code), amount_fen, source (paying office id, default the county's office)?, booked_on?, memo?; "
            "record_spending: project (code), amount_fen, spent_on?, memo?; "
            "reverse: posting (id or client id), reason, booked_on?. The client id is the posting's idempotency key; "
            "items apply in order, by the ledger's rules (east allocates, west confirms arrival, disburses and spends; "
            "no account below zero)."
        ),
    )


class RefusalOut(Schema):
    index: int | None = Field(description="the item's position in `items` (from 0); null for the batch as a whole")
    client_id: str
    kind: str
    field: str
    reason: str


class IngestOut(Schema):
    applied: int = Field(description="items written by this request")
    duplicates: int = Field(description="items applied before with the same client id and body, not applied again")
    refused: list[RefusalOut] = Field(description="always empty on success")


class IngestRefusedOut(Schema):
    error: ErrorDetail
    refused: list[RefusalOut]


REQUEST_BODY = {
    "required": True,
    "content": {"application/json": {"schema": IngestIn.model_json_schema()}},
}


def max_body_bytes() -> int:
    """The ingest's own body limit. Django's DATA_UPLOAD_MAX_MEMORY_SIZE (sized for the
    spreadsheet imports) is too tight for 10,000 items whose Chinese text arrives escaped
    as \\uXXXX (6 bytes a character, the default of most JSON encoders)."""
    return int(getattr(settings, "XIEZUO_MAX_INGEST_BYTES", DEFAULT_MAX_BODY_BYTES))


def _read_body(request, limit: int) -> bytes:
    """The raw body, refused above `limit` bytes. Read from the stream rather than through
    `request.body`, whose check uses the site-wide DATA_UPLOAD_MAX_MEMORY_SIZE."""
    if hasattr(request, "_body"):
        raw = request._body
    else:
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > limit:
            raise RequestDataTooBig()
        raw = request.read(limit + 1)
        request._body = raw  # anything after this sees the same bytes
    if len(raw) > limit:
        raise RequestDataTooBig()
    return raw


def _refused(message, fields=None, refused=()):
    body = error_body("validation_error", message, fields)
    body["refused"] = list(refused)
    return Status(422, body)


def _envelope(data):
    """The items list, or the field errors of the envelope."""
    if not isinstance(data, dict):
        return None, {"__all__": [_("must be a JSON object")]}
    errors = {key: [_("unknown field")] for key in data if key != "items"}
    items = data.get("items")
    if "items" not in data:
        errors["items"] = [_("this field is required")]
    elif not isinstance(items, list):
        errors["items"] = [_("must be a list")]
    elif len(items) > MAX_ITEMS:
        errors["items"] = [_("a batch holds at most %(n)d items, this one has %(m)d") % {"n": MAX_ITEMS, "m": len(items)}]
    return items, errors


@router.post(
    "",
    response={200: IngestOut, 422: IngestRefusedOut, frozenset({400, 401, 403, 413}): ErrorOut},
    openapi_extra={"requestBody": REQUEST_BODY},
    summary="Ingest a batch of reports, postings and dispatch records",
)
def post_ingest(request):
    """All-or-nothing: 200 when every item applied (or was a duplicate), 422 with every
    refused item and its reason when anything is refused — and then nothing is written.
    Readers (viewers, auditors) are refused with 403. The same permission rules apply to
    each item as to the single-item endpoints."""
    require_writer(request.auth)
    limit = max_body_bytes()
    try:
        raw = _read_body(request, limit)
    except RequestDataTooBig:
        return Status(413, error_body("payload_too_large", _("The request body is larger than %(mb).1f MB; send the items in smaller batches.")
                                      % {"mb": limit / 1024 / 1024}))
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        return Status(400, error_body("bad_request", _("The request body is not valid JSON.")))
    items, errors = _envelope(data)
    if errors:
        return _refused("; ".join(f"{k}: {v[0]}" if k != "__all__" else v[0] for k, v in errors.items()), errors)

    outcome = ingest(request.auth, items)
    if outcome.refused:
        bad = len({r["index"] for r in outcome.refused})
        first = outcome.refused[0]
        where = _("item %(i)s") % {"i": first["index"]} if first["index"] is not None else _("the batch")
        message = ngettext(
            "%(n)d of %(m)d items was refused; nothing was applied. First: %(where)s, %(field)s: %(reason)s",
            "%(n)d of %(m)d items were refused; nothing was applied. First: %(where)s, %(field)s: %(reason)s",
            bad,
        ) % {"n": bad, "m": len(items), "where": where, "field": first["field"], "reason": first["reason"]}
        return _refused(message, {}, outcome.refused)
    return {"applied": outcome.applied, "duplicates": outcome.duplicates, "refused": []}

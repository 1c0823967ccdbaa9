"""One JSON shape for every error the API returns.

    {"error": {"code": "validation_error", "message": "...", "fields": {"field": ["..."]}}}

| status | code               | raised by                                                   |
|--------|--------------------|-------------------------------------------------------------|
| 400    | bad_request        | a body that is not JSON (ninja's HttpError 400)             |
| 401    | unauthorized       | no or a wrong token / session, wrong credentials            |
| 403    | permission_denied  | Django PermissionDenied from the actions or `require_writer` |
| 403    | csrf_failed        | a session request with an unsafe method and no CSRF token   |
| 404    | not_found          | Http404 / ObjectDoesNotExist (also for out-of-scope objects) |
| 409    | conflict           | a database constraint that the actions' checks lost a race to |
| 422    | validation_error   | Django ValidationError from the actions, and request data   |
|        |                    | that does not fit the schema (pydantic, via ninja)           |
| 500    | server_error       | anything else: logged with its traceback on the server; the  |
|        |                    | answer names the request id, never the traceback             |
| 503    | busy               | SQLite still locked by another writer after the busy timeout |
|        |                    | (with Retry-After): nothing was written, send it again       |
| 503    | timeout            | PostgreSQL stopped a statement past the request's bound      |
|        |                    | (XIEZUO_STATEMENT_TIMEOUT_MS, with Retry-After): rolled back |

`fields` is always present ({} when the error is not about fields); messages that belong to
no field are under "__all__", as in `xiezuo.core.errors.messages_of`.
"""
import logging

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, OperationalError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from xiezuo.core.errors import messages_of
from xiezuo.core.middleware import RETRY_AFTER_SECONDS, database_busy, statement_timed_out

logger = logging.getLogger("xiezuo.api")

STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    422: "validation_error",
    429: "throttled",
    500: "server_error",
    503: "busy",
}
PARAM_SOURCES = ("body", "query", "path", "header", "cookie", "form", "file")
BODY_PARAM = "payload"  # every endpoint names its body parameter `payload`


class CsrfFailed(Exception):
    """A session-authenticated unsafe request without a valid CSRF token."""


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": {"code": code, "message": str(message), "fields": fields or {}}}


def _summary(fields: dict[str, list[str]]) -> str:
    parts = []
    for name, msgs in fields.items():
        for msg in msgs:
            parts.append(msg if name == "__all__" else f"{name}: {msg}")
    return "; ".join(parts[:10]) or _("The request is not valid.")


def _field_name(loc) -> str:
    loc = list(loc)
    if loc and loc[0] in PARAM_SOURCES:
        source = loc.pop(0)
        if source == "body" and loc and loc[0] == BODY_PARAM:
            loc.pop(0)
    return ".".join(str(p) for p in loc) or "__all__"


def _pydantic_message(err: dict) -> str:
    """A translatable message for pydantic's error types; pydantic's English otherwise."""
    kind = err.get("type", "")
    ctx = err.get("ctx") or {}
    if kind == "missing":
        return _("this field is required")
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return _("must be a whole number")
    if kind in ("string_type", "string_unicode"):
        return _("must be text")
    if kind in ("bool_type", "bool_parsing"):
        return _("must be true or false")
    if kind == "date_range":  # core.api.schemas.Day: the message names the range
        return err.get("msg") or _("not valid")
    if kind.startswith("date_") and not kind.startswith("datetime_"):
        return _("must be a date (YYYY-MM-DD)")
    if kind.startswith("datetime_"):
        return _("must be a date and time (ISO 8601)")
    if kind in ("enum", "literal_error"):
        return _("must be one of: %(expected)s") % {"expected": ctx.get("expected", "")}
    if kind == "string_too_long":
        return _("at most %(n)s characters") % {"n": ctx.get("max_length")}
    if kind == "string_too_short":
        return _("at least %(n)s characters") % {"n": ctx.get("min_length")}
    if kind in ("greater_than_equal", "greater_than"):
        return _("must be at least %(n)s") % {"n": ctx.get("ge", ctx.get("gt"))}
    if kind in ("less_than_equal", "less_than"):
        return _("must be at most %(n)s") % {"n": ctx.get("le", ctx.get("lt"))}
    if kind == "extra_forbidden":
        return _("unknown field")
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return _("must be a JSON object")
    if kind.startswith("decimal_") or kind in ("float_type", "float_parsing", "finite_number"):
        return _("not a valid number with at most two decimal places")
    return err.get("msg") or _("not valid")


def pydantic_fields(errors: list[dict]) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for err in errors:
        fields.setdefault(_field_name(err.get("loc", ())), []).append(str(_pydantic_message(err)))
    return fields


def install(api):
    """Register the handlers on `api` so that every error has the one shape."""

    def respond(request, status, code, message, fields=None):
        response = api.create_response(request, error_body(code, message, fields), status=status)
        if status == 401:
            response["WWW-Authenticate"] = 'Bearer realm="xiezuo"'
        return response

    @api.exception_handler(DjangoValidationError)
    def django_validation(request, exc):
        fields = messages_of(exc)
        return respond(request, 422, "validation_error", _summary(fields), fields)

    @api.exception_handler(NinjaValidationError)
    def schema_validation(request, exc):
        fields = pydantic_fields(exc.errors)
        return respond(request, 422, "validation_error", _summary(fields), fields)

    @api.exception_handler(PermissionDenied)
    def permission_denied(request, exc):
        return respond(request, 403, "permission_denied", str(exc) or _("You may not do this."))

    @api.exception_handler(CsrfFailed)
    def csrf_failed(request, exc):
        return respond(request, 403, "csrf_failed", _("CSRF check failed: send the X-CSRFToken header with session requests."))

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return respond(request, 404, "not_found", str(exc) or _("Not found."))

    @api.exception_handler(ObjectDoesNotExist)
    def does_not_exist(request, exc):
        return respond(request, 404, "not_found", _("Not found."))

    @api.exception_handler(IntegrityError)
    def conflict(request, exc):
        return respond(request, 409, "conflict", _("The change conflicts with another one made at the same time; reload and try again."))

    @api.exception_handler(AuthenticationError)
    def unauthorized(request, exc):
        message = exc.message if exc.message != "Unauthorized" else _("Authentication required: send “Authorization: Bearer <token>” or log in.")
        return respond(request, 401, "unauthorized", message)

    @api.exception_handler(OperationalError)
    def database_error(request, exc):
        if statement_timed_out(exc):
            response = respond(request, 503, "timeout", _("The server took too long to answer and stopped the request; nothing was saved. Send it again in a moment, or ask for less."))
            response["Retry-After"] = str(RETRY_AFTER_SECONDS)
            return response
        if database_busy(exc):
            response = respond(request, 503, "busy", _("Another change was being written at the same moment; nothing was saved. Send the request again in a few seconds."))
            response["Retry-After"] = str(RETRY_AFTER_SECONDS)
            return response
        return server_error(request, exc)

    @api.exception_handler(Exception)
    def server_error(request, exc):
        """Whatever no handler above expected: logged with its traceback, answered without it
        (the traceback would show code, settings and data to the caller)."""
        logger.error("API error on %s %s", request.method, request.path, exc_info=exc)
        request_id = getattr(request, "request_id", "")
        return respond(request, 500, "server_error",
                       _("The server could not handle the request; it was logged (request id %(id)s).") % {"id": request_id})

    @api.exception_handler(HttpError)
    def http_error(request, exc):
        code = STATUS_CODES.get(exc.status_code, "error")
        message = exc.message
        if exc.status_code == 400 and message.startswith("Cannot parse request body"):
            message = _("The request body is not valid JSON.")
        return respond(request, exc.status_code, code, message)

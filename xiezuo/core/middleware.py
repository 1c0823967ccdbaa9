import os

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.db import DatabaseError, OperationalError, connection
from django.template import loader
from django.http import HttpResponse
from whitenoise.middleware import WhiteNoiseMiddleware

from .context import acting, new_request_id


def _site(request) -> str:
    try:
        return f"{request.scheme}://{request.get_host()}/"
    except DisallowedHost:
        return ""


class RequestContextMiddleware:
    """Give every request an id (echoed in X-Request-ID) and set the acting user."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request.headers.get("X-Request-ID", "")[:64] or new_request_id()
        request.request_id = request_id
        if request.path.startswith("/admin/"):
            via = "admin"
        elif request.path.startswith("/api/"):
            via = "api"
        else:
            via = "web"
        user = request.user if getattr(request, "user", None) and request.user.is_authenticated else None
        with acting(user, via=via, request_id=request_id, site=_site(request)):
            response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


class ChineseUnlessChosenMiddleware:
    """Pages are Chinese unless the user picked English with the language switch (a cookie).

    Django's LocaleMiddleware would otherwise follow the browser's Accept-Language, so an
    official on an English-language system would get English pages without asking. API
    clients keep Accept-Language: a machine client saying `en` gets English errors.
    Placed before LocaleMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/"):
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


RETRY_AFTER_SECONDS = 5


def database_busy(exc) -> bool:
    """SQLite's answer when another writer held the database for longer than the busy
    timeout: the request did nothing (its transaction was rolled back) and may be sent again."""
    text = str(exc).lower()
    return isinstance(exc, OperationalError) and ("database is locked" in text or "database table is locked" in text)


def statement_timed_out(exc) -> bool:
    """PostgreSQL cancelled a statement of the request past its `statement_timeout`
    (SQLSTATE 57014): the request was rolled back and stopped, nothing was written."""
    cause = getattr(exc, "__cause__", None)
    return isinstance(exc, OperationalError) and getattr(cause, "sqlstate", None) == "57014"


def statement_timeout_ms() -> int:
    return int(getattr(settings, "XIEZUO_STATEMENT_TIMEOUT_MS", 0) or 0)


def limit_statements(conn=connection) -> None:
    """Bound every statement of a web request on PostgreSQL: a client that gave up (a
    closed tab, a proxy's timeout) does not leave a query running on for minutes. Set per
    request, on the request's connection only, so management commands and Celery tasks
    (recomputes, generation, `ledger verify`) run unbounded in their own processes."""
    ms = statement_timeout_ms()
    if ms > 0 and conn.vendor == "postgresql":
        with conn.cursor() as cursor:
            cursor.execute("SET statement_timeout = %s", [ms])


def _lift_for_task(sender=None, **_kwargs):
    """A Celery task run eagerly inside a request (the embedded default, no broker) — a
    national recomputation, an export — is background work: it runs unbounded, as it would
    on a worker, and the bound comes back after it."""
    if connection.vendor == "postgresql" and connection.connection is not None and statement_timeout_ms() > 0:
        with connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = 0")


def _restore_after_task(sender=None, **_kwargs):
    if connection.vendor == "postgresql" and connection.connection is not None and statement_timeout_ms() > 0:
        try:
            limit_statements()
        except DatabaseError:  # the task's transaction failed: its rollback undoes the lift as well
            pass


def _unbound_tasks_in_web_processes():
    try:
        from celery.signals import task_postrun, task_prerun
    except ImportError:  # pragma: no cover - Celery is part of the requirements
        return
    task_prerun.connect(_lift_for_task, weak=False, dispatch_uid="xiezuo-unbound-task")
    task_postrun.connect(_restore_after_task, weak=False, dispatch_uid="xiezuo-rebound-task")


class BusyDatabaseMiddleware:
    """A page whose write found the database busy answers 503 with Retry-After and a page
    saying the change was not saved and may be submitted again — not a 500. (The API answers
    the same in its JSON error shape, `core.api.errors`.) On PostgreSQL writers wait on row
    locks instead, so this only happens on SQLite, and only past its busy timeout.

    On PostgreSQL the request's statements are bounded (`limit_statements`); one cancelled
    past the bound answers 503 too, with a page saying the page took too long."""

    def __init__(self, get_response):
        self.get_response = get_response
        _unbound_tasks_in_web_processes()

    def __call__(self, request):
        limit_statements()
        return self.get_response(request)

    def process_exception(self, request, exc):
        if statement_timed_out(exc):
            response = HttpResponse(loader.get_template("503_timeout.html").render(), status=503)
            response["Retry-After"] = str(RETRY_AFTER_SECONDS)
            return response
        if not database_busy(exc):
            return None
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response


class StaticFilesMiddleware(WhiteNoiseMiddleware):
    """WhiteNoise, quiet when `collectstatic` has not run (`make run`, the tests): the files
    are then served from the apps' static folders through the finders."""

    def add_files(self, root, prefix=None):
        if os.path.isdir(root):
            super().add_files(root, prefix)

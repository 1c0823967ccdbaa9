import os

from django.core.exceptions import DisallowedHost
from django.db import OperationalError
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


class BusyDatabaseMiddleware:
    """A page whose write found the database busy answers 503 with Retry-After and a page
    saying the change was not saved and may be submitted again — not a 500. (The API answers
    the same in its JSON error shape, `core.api.errors`.) On PostgreSQL writers wait on row
    locks instead, so this only happens on SQLite, and only past its busy timeout."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exc):
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

from django.core.exceptions import DisallowedHost

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

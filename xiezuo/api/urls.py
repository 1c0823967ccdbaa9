"""The REST API, mounted at /api/v1/ (docs at /api/v1/docs, schema at /api/v1/openapi.json).

Every endpoint but POST /auth/token takes a bearer token or the browser session; lists are
scoped by `xiezuo.core.scoping.visible`; writes call the actions; errors share one shape
(see `xiezuo/core/api/errors.py`). Each app's router lives in its own `api.py`, including unknown paths under /api/v1/ (404) and wrong methods (405).
"""
from functools import wraps

from django.http import Http404, HttpResponseNotAllowed
from django.urls import URLPattern
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Router

from xiezuo.consumption import api as consumption
from xiezuo.core.api import errors
from xiezuo.households import api as households
from xiezuo.labour import api as labour
from xiezuo.markets import api as markets
from xiezuo.orgs import api as orgs
from xiezuo.pairings import api as pairings
from xiezuo.people import api as people
from xiezuo.projects import api as projects
from xiezuo.regions import api as regions
from xiezuo.repairing import api as repairing
from xiezuo.social import api as social

from . import audit, auth, ingest


class XiezuoAPI(NinjaAPI):
    def _get_urls(self):
        urls = super()._get_urls()
        for pattern in urls:
            if isinstance(pattern, URLPattern) and getattr(pattern.callback, "csrf_exempt", False):
                pattern.callback = self._shape_405(pattern.callback)
        return urls

    def _shape_405(self, view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            if isinstance(response, HttpResponseNotAllowed):
                shaped = self.create_response(
                    request, errors.error_body("method_not_allowed", _("Method %(method)s is not allowed here.") % {"method": request.method}), status=405
                )
                shaped["Allow"] = response["Allow"]
                return shaped
            return response

        wrapper.csrf_exempt = True
        return wrapper


api = XiezuoAPI(
    title="xiezuo 东西部协作 API",
    version="1",
    urls_namespace="api",
    auth=[auth.BearerAuth(), auth.SessionAuth()],
    description=(
        "East–West Cooperation platform. Authenticate with `POST /auth/token` and send "
        "`Authorization: Bearer <token>`, or use the browser session (send X-CSRFToken on "
        "unsafe methods). Lists answer `{count, items}` and take `limit` (≤500) and `offset`. "
        "Money is integer fen. Errors: `{error: {code, message, fields}}`."
    ),
)
errors.install(api)
api.add_decorator(auth.act_as_caller, mode="operation")

api.add_router("/auth", auth.router)
api.add_router("/regions", regions.router)
api.add_router("/pairings", pairings.router)
api.add_router("/agreements", pairings.agreements)
api.add_router("/organisations", orgs.router)
api.add_router("/audit", audit.router)
api.add_router("/projects", projects.router)
api.add_router("/dispatches", people.router)
api.add_router("/ingest", ingest.router)
api.add_router("/repairing", repairing.router)
api.add_router("/markets", markets.router)
api.add_router("/households", households.router)
api.add_router("/labour", labour.router)
api.add_router("/consumption", consumption.router)
api.add_router("/social", social.router)

# Last: anything else under /api/v1/ is a 404 in the common shape, not Django's HTML page.
fallback = Router()


@fallback.api_operation(["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:rest}", auth=None, include_in_schema=False)
def unknown_path(request, rest: str):
    raise Http404(_("There is no API endpoint at this address."))


api.add_router("", fallback)

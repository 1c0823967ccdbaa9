"""Who is calling: a bearer token (machine clients) or the browser session (pages' htmx calls).

`POST /auth/token` trades a username and password for a token (`ApiToken.issue`). Every other
endpoint takes `Authorization: Bearer <token>` or the session cookie; with the session, unsafe
methods need the CSRF token (X-CSRFToken header), as the pages' own forms do.

The request middleware names the *session* user as the audit actor. A token's user is only
known once the token is checked, so `act_as_caller` wraps each operation in
`acting(user, via="api")`: audit entries written by the actions name the token's user.
"""
import datetime
from functools import wraps

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth
from ninja.utils import check_csrf

from xiezuo.core.api.errors import CsrfFailed
from xiezuo.core.api.schemas import ERRORS, InSchema, Text
from xiezuo.core.context import acting
from xiezuo.users.models import ApiToken


class BearerAuth(HttpBearer):
    """`Authorization: Bearer <token>` with a token from POST /auth/token."""

    def authenticate(self, request, token):
        user = ApiToken.authenticate(token)
        if user is not None:
            request.user = user
        return user


class SessionAuth(NinjaSessionAuth):
    """The Django session. CSRF is checked for unsafe methods, but only once a session user is
    found: an anonymous call answers 401 (not a CSRF 403), like any other unauthenticated one."""

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        if self.csrf and not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request) is not None:
            raise CsrfFailed()
        return user


def act_as_caller(view):
    """Run the operation with the authenticated caller as the audit actor (via="api")."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = getattr(request, "auth", None)
        with acting(user if getattr(user, "pk", None) else None, via="api"):
            return view(request, *args, **kwargs)

    return wrapper


router = Router(tags=["auth"])


class TokenIn(InSchema):
    username: Text(150)
    password: Text(256)


class TokenOut(Schema):
    token: str
    expires: datetime.datetime


@router.post("/token", auth=None, response={200: TokenOut, **ERRORS}, summary="Get an API token")
def issue_token(request, payload: TokenIn):
    """Trade a username and password for a bearer token valid for 30 days."""
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None or not user.is_active:
        raise AuthenticationError(message=_("wrong username or password"))
    raw = ApiToken.issue(user)
    token = ApiToken.objects.filter(user=user, prefix=raw[:8]).order_by("-created", "-pk").first()
    return {"token": raw, "expires": token.expires}

"""What every page needs for its top bar: the user's scope, role and organisation."""
import functools

from django.urls import NoReverseMatch, reverse

from xiezuo.core.scoping import can_read_audit, scope_for


@functools.cache
def _url(name: str) -> str:
    """The URL of a page that another part of the project may or may not provide."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


def nav(request):
    user = getattr(request, "user", None)
    scope = scope_for(user)
    profile = None
    if user is not None and getattr(user, "is_authenticated", False):
        from xiezuo.accounts.models import Profile

        profile = getattr(user, "_xiezuo_profile", None)
        if profile is None:
            profile = Profile.objects.select_related("organisation__region").filter(user=user).first()
            user._xiezuo_profile = profile
    match = getattr(request, "resolver_match", None)
    section = (match.url_name or "").split("-")[0] if match else ""
    return {
        "section": section,
        "scope": scope,
        "can_read_audit": can_read_audit(user),
        "profile": profile,
        "can_create_pairing": scope.active and scope.role in ("national", "office_admin"),
        "dashboard_url": _url("dashboard") if scope.active else "",
        "imports_url": _url("import-index") if scope.can_write else "",
    }

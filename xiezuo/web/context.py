"""What every page needs for its top bar: the user's scope, role and organisation."""
import functools

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

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
        # Pages other parts of the project add; each shows in the bar once its URL exists.
        "work_nav": [(key, label, url) for key, label, url in (
            ("project", _("Projects"), _url("project-list")),
            ("dispatch", _("People"), _url("dispatch-list")),
            ("ledger", _("Funds"), _url("ledger-index")),
            ("scorecard", _("Scorecards"), _url("scorecard-list")),
            ("order", _("Rectification"), _url("order-list")),
            ("weekly", _("Weekly dispatch"), _url("weekly-sheet")),
            ("consultation", _("Consultations"), _url("consultation-list")),
            ("my", _("My items"), _url("my-items")),
        ) if url and scope.active],
    }

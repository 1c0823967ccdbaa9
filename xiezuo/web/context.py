"""What every page needs for its top bar: the user's scope, role and organisation."""
import functools

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _l

from xiezuo.core.scoping import can_read_audit, scope_for
from xiezuo.users.scopes import profile_of


@functools.cache
def _url(name: str) -> str:
    """The URL of a page that another part of the project may or may not provide."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


# The registers every signed-in user reads, grouped so that the bar fits 1,440 px in English.
BASICS = (_l("Basic data"), (("region", _l("Regions"), "region-list"),
                             ("pairing", _l("Pairings"), "pairing-list"),
                             ("agreement", _l("Agreements"), "agreement-list"),
                             ("org", _l("Organisations"), "org-list")))

MENUS = (
    (_l("Projects and funds"), (("project", _l("Projects"), "project-list"),
                                ("dispatch", _l("People"), "dispatch-list"),
                                ("ledger", _l("Funds"), "ledger-index"))),
    (_l("Channels"), (("labour", _l("Labour cooperation"), "labour-worker-list"),
                      ("consumption", _l("Consumption help"), "consumption-purchase-list"),
                      ("social", _l("Social help"), "social-need-list"),
                      ("households", _l("Household monitoring"), "households-list"))),
    (_l("Factor markets"), (("markets", _l("Land quota"), "markets-land-list"),
                            ("markets", _l("Carbon sinks"), "markets-carbon-list"),
                            ("markets", _l("Technology transfer"), "markets-tech-list"))),
    (_l("Assessment"), (("scorecard", _l("Scorecards"), "scorecard-list"),
                        ("indicator", _l("Indicator system"), "indicator-list"),
                        ("order", _l("Rectification and warnings"), "order-list"),
                        ("repairing", _l("Re-pairing"), "repairing-scenario-list"))),
    (_l("Work rhythm"), (("weekly", _l("Weekly dispatch"), "weekly-sheet"),
                         ("consultation", _l("Monthly consultation"), "consultation-list"),
                         ("post", _l("Responsibility lists"), "post-list"),
                         ("plan", _l("Multi-year plans"), "plan-list"),
                         ("my", _l("My items"), "my-items"))),
)


def _menus(user, scope, section):
    if not getattr(user, "is_authenticated", False):
        return []
    menus = []
    for label, entries in (BASICS, *MENUS) if scope.active else (BASICS,):
        links = [(key, text, _url(name)) for key, text, name in entries if _url(name)]
        if links:
            menus.append({"label": label, "links": links, "active": any(key == section for key, _t, _u in links)})
    return menus


def nav(request):
    user = getattr(request, "user", None)
    scope = scope_for(user)
    profile = profile_of(user)
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
        # The registers, then the pages other parts of the project add, grouped under three
        # menus; an entry shows once its URL exists, a menu once it has an entry.
        "work_nav": _menus(user, scope, section),
    }

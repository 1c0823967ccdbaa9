"""The dashboard's second panel: the three channels, the monitoring registry and the factor
markets, in the office's view.

Each app computes its own figures (`labour.figures`, `consumption.figures`, `social.figures`,
`households.figures`, `markets.figures`); placements, purchases and the households' counts
come from summary tables their writers keep (`labour.totals`, `consumption.totals`,
`households.totals`), the rest from the records. The panel still loads after the page (its
own request), so the page never waits for it, and its answer is kept a minute per office
scope and language, so an office's open dashboards compute it once a minute at most. The
panel says so.
"""
import hashlib

from django.core.cache import cache
from django.utils import timezone, translation

from xiezuo.consumption.figures import channel_figures
from xiezuo.core.scoping import scope_for
from xiezuo.households.choices import Category
from xiezuo.households.figures import figures as household_rows, totals as household_totals
from xiezuo.labour.figures import office_figures as labour_figures
from xiezuo.markets.figures import office_figures as market_figures
from xiezuo.social.figures import needs_by_status

KEEP_SECONDS = 60


def compute(user) -> dict:
    today = timezone.localdate()
    households = household_totals(household_rows(user, "county", day=today))
    households["categories"] = [(str(c.label), households["by_category"].get(c.value, 0)) for c in Category]
    consumption = channel_figures(user, today.year)
    consumption["channels"] = [(str(label), fen) for _v, label, fen in consumption["by_channel"] if fen]
    consumption.pop("agreements", None)  # model objects: not needed by the panel, not cached
    markets = market_figures(user)
    markets["quota_mu"] = markets["quota_traded_u"] / 10_000  # units are 0.0001 mu
    return {
        "today": today,
        "computed_at": timezone.localtime(),
        "labour": labour_figures(user, today),
        "consumption": consumption,
        "social": needs_by_status(user),
        "households": households,
        "markets": markets,
    }


def channels(user) -> dict:
    """The panel's figures, computed at most once a minute per office scope."""
    scope = scope_for(user)
    ident = repr((scope.role, scope.everything, scope.own, sorted(scope.partners), translation.get_language(),
                  timezone.localdate().isoformat()))
    key = "live:channels:" + hashlib.sha256(ident.encode()).hexdigest()
    data = cache.get(key)
    if data is None:
        data = compute(user)
        cache.set(key, data, KEEP_SECONDS)
    return data

"""The home page's picture: pairings on the map and this year's counts, for one user.
The rows are those of the pairing and agreement lists (their filter sets), only counted
and drawn here."""
import datetime
from collections import Counter, defaultdict

from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from xiezuo.core.money import format_wan
from xiezuo.core.scoping import scope_for
from xiezuo.pairings import filtersets
from xiezuo.pairings.choices import PairingKind


def _point(region):
    if region.longitude is None or region.latitude is None:
        return None
    return [round(region.longitude, 4), round(region.latitude, 4)]


def _lines(pairings):
    lines = []
    for p in pairings:
        start, end = _point(p.east_region), _point(p.west_region)
        if start and end:
            lines.append({"name": str(p), "coords": [start, end], "east": p.east_region.name, "west": p.west_region.name,
                          "kind": p.get_kind_display(), "url": p.get_absolute_url()})
    return lines


def current_pairings(user, today):
    return filtersets.pairings(user, current=True, on=today)


# Above this many city and county lines the national map starts with them hidden: drawn all
# at once (about 900 nationally) they bury the province names; zooming in shows them.
LOWER_LINES_AT_ONCE = 80


def _province_pair(pairing) -> tuple[str, str]:
    return pairing.east_region.code[:2], pairing.west_region.code[:2]


def map_data(user, today: datetime.date, *, first: bool = False) -> dict:
    """Lines from the eastern to the western side of every current pairing the user sees.

    `province` is the province–province layer: one line per province pairing, carrying how
    many city and county pairings the user sees under it (`lower`, and `counts` by kind),
    so the national picture reads as eleven lines with their numbers. `lower` holds the city
    and county lines themselves; `lower_shown` says whether they are drawn before the map is
    zoomed: yes on an office's map of its own region, no on a national map with hundreds.
    `east` / `west` name the provinces to shade on the map.

    `first`: for the page's first picture (`map_at_first`), where hidden city and county
    lines are left out: they are then counted from their codes alone — building their ~900
    lines, places and links was most of the national home page's time, for nothing it showed.
    """
    current = current_pairings(user, today)
    province = list(current.filter(kind=PairingKind.PROVINCE).order_by("east_region__code", "west_region__code"))
    lower_qs = current.filter(kind__in=(PairingKind.PREFECTURE, PairingKind.COUNTY))
    everything = scope_for(user).everything
    if first and everything:
        rows = list(lower_qs.values_list("kind", "east_region__code", "west_region__code", "east_region__longitude",
                                         "east_region__latitude", "west_region__longitude", "west_region__latitude"))
        if len(rows) > LOWER_LINES_AT_ONCE:
            under, places = defaultdict(Counter), set()
            for kind, east, west, east_lon, east_lat, west_lon, west_lat in rows:
                under[(east[:2], west[:2])][kind] += 1
                places.update(code for code, lon, lat in ((east, east_lon, east_lat), (west, west_lon, west_lat))
                              if lon is not None and lat is not None)
            places.update(r.code for p in province for r in (p.east_region, p.west_region) if _point(r))
            return dict(_map(province, [], under, lower_shown=False), points_total=len(places))
    lower = list(lower_qs.order_by("kind", "east_region__code"))
    under = defaultdict(Counter)
    for p in lower:
        under[_province_pair(p)][p.kind] += 1
    return _map(province, lower, under, lower_shown=len(lower) <= LOWER_LINES_AT_ONCE or not everything)


def _map(province, lower, under, *, lower_shown: bool) -> dict:
    labels = dict(PairingKind.choices)
    province_lines = _lines(province)
    for line, p in zip(province_lines, (p for p in province if _point(p.east_region) and _point(p.west_region))):
        kinds = under.get(_province_pair(p), Counter())
        line["lower"] = sum(kinds.values())
        line["counts"] = [[str(labels[kind]), kinds[kind]] for kind in (PairingKind.PREFECTURE, PairingKind.COUNTY)
                          if kinds[kind]]
    points = {}
    for p in province + lower:
        for region, side in ((p.east_region, "east"), (p.west_region, "west")):
            point = _point(region)
            if point and region.code not in points:
                points[region.code] = {"name": region.name, "value": point, "side": side, "level": region.level,
                                       "url": region.get_absolute_url()}
    return {
        "province": province_lines,
        "lower": _lines(lower),
        "lower_shown": lower_shown,
        "points": list(points.values()),
        "east": sorted({p.east_region.name for p in province}),
        "west": sorted({p.west_region.name for p in province}),
        "labels": {"province": _("province–province pairings"), "lower": _("city and county pairings"),
                   "east": _("eastern (helping) province"), "west": _("western (helped) province"),
                   "under": _("city and county pairings under it")},
    }


def map_at_first(data: dict, more_url: str) -> dict:
    """The map as the page carries it: when the city and county lines start hidden (the
    national map's 900), the page leaves them and their places out and the map fetches them
    from `more_url` once zoomed in — they were 360 KB of the page's 375 KB. `points_total`
    still tells the map how many places there are."""
    data = dict(data, points_total=data.get("points_total", len(data["points"])))
    if data["lower_shown"]:
        return data
    return dict(data, lower=[], points=[p for p in data["points"] if p["level"] == "province"], more_url=more_url)


def counts(user, today: datetime.date) -> dict:
    current = current_pairings(user, today)
    by_kind = dict(current.order_by().values_list("kind").annotate(n=Count("id")))
    levels = [(kind, label, by_kind.get(kind, 0)) for kind, label in PairingKind.choices]
    agreements = filtersets.agreements(user, year=today.year).order_by()
    committed = agreements.aggregate(s=Sum("fiscal_aid_fen"))["s"] or 0
    return {
        "year": today.year,
        "levels": levels,
        "pairings_total": sum(by_kind.values()),
        "agreements": agreements.count(),
        "committed_fen": committed,
        "committed_wan": format_wan(committed),
    }


def home(user, today: datetime.date | None = None) -> dict:
    today = today or timezone.localdate()
    current = current_pairings(user, today)
    province = current.filter(kind=PairingKind.PROVINCE).order_by("east_region__code", "west_region__code")
    lower = current.filter(kind__in=(PairingKind.PREFECTURE, PairingKind.COUNTY)).order_by("kind", "east_region__code", "west_region__code")
    return {"today": today, "map": map_data(user, today, first=True), "counts": counts(user, today), "province_pairings": province,
            "lower_pairings": lower[:LOWER_SHOWN], "lower_count": lower.count()}


LOWER_SHOWN = 12

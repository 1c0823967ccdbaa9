"""The live picture for one user's part of the tree: what the dashboard shows.

The money, project and people figures are read from summary tables that the writers of the
facts keep in their own transaction (`ledger.totals`, `projects.totals`, `people.totals`):
a few thousand rows through the scoping rule instead of millions of postings, reports and
records, so every web process on every node answers at once — no per-process state, no
warm-up, the first request of a fresh worker as fast as the hundredth. The late milestones
and the feed are read from the facts (an index range each). `dashboard()` computes a part
only when it is looked at, so the figures fragment the open page re-fetches does not pay for
the map, the Sankey and the feed.
"""
import datetime
from collections import defaultdict

from django.utils import timezone

from xiezuo.core.arrays import filter_any
from xiezuo.core.models import AuditEntry
from xiezuo.core.scoping import audit_visible, scope_for, visible
from xiezuo.ledger.totals import disbursed_by_group, money_stages
from xiezuo.people import totals as people_totals
from xiezuo.projects import totals as project_totals
from xiezuo.projects.choices import Category, Status
from xiezuo.projects.models import Milestone, ProgressReport, Project


def project_counts(user) -> dict:
    counts, _top = projects_and_points(user, limit=0)
    return counts


def late_milestones(user, today: datetime.date, limit: int = 10):
    """(how many, the oldest `limit`) of the milestones planned before today and not done, of
    projects neither cancelled nor completed, that the user sees. The open milestones planned
    before today come first, through the partial index on open milestones (a few thousand
    nationally, of 300,000); then their projects, by id, through the scoping rule."""
    late = list(Milestone.objects.filter(planned_date__lt=today, actual_date__isnull=True)
                .values_list("planned_date", "id", "project_id").order_by())
    if not late:
        return 0, []
    projects = filter_any(visible(user, Project.objects.exclude(status__in=[Status.CANCELLED, Status.COMPLETED])),
                          "id", sorted({p for _d, _i, p in late}))
    shown = set(projects.values_list("id", flat=True))
    mine = sorted((day, pk) for day, pk, project in late if project in shown)
    first = [pk for _day, pk in mine[:limit]]
    items = sorted(Milestone.objects.filter(id__in=first).select_related("project__county"), key=lambda m: (m.planned_date, m.pk))
    return len(mine), items


def people_on_post(user, today: datetime.date) -> dict:
    """{kind: people on post today} of the dispatches the user sees (`people.totals`)."""
    return people_totals.on_post(user, today)


def disbursed_by_project_group(user, year) -> list[tuple[str, str, str, str, int]]:
    """[(eastern province name, western county code, western county name, project category,
    fen)] disbursed in the year or years — the groups of
    `xiezuo.ledger.figures.disbursed_by_project_group`, from the money summary — sorted."""
    from xiezuo.regions.models import Region

    provinces = dict(Region.objects.filter(level="province").values_list("province_code", "name"))
    groups = defaultdict(int)
    for province, code, county, category, fen in disbursed_by_group(user, year):
        groups[(provinces.get(province, "—"), code, county, category)] += fen
    return sorted(((*k, fen) for k, fen in groups.items() if fen), key=lambda r: (r[0], r[1] or "", r[3] or ""))


SANKEY_COUNTIES = 30  # more western counties than this are drawn as their provinces


def sankey(user, year) -> dict:
    """Money disbursed from eastern province → western county → project category, over
    the same years as the money figures beside it. With more than `SANKEY_COUNTIES`
    counties (the national view: hundreds) the middle column is the western province, so
    that every eastern province stays visible and the chart readable. Node names are
    unique across columns (ECharts merges equal names, and a county named like a province
    or category would fold two columns into one): counties of the same name carry their
    code, and a name standing in two columns carries its column.

    The summary's groups (thousands nationally) are folded into the chart's flows in one
    pass, and only the flows (a few hundred) are sorted: sorting every group first cost
    more than the query."""
    from xiezuo.regions.models import Region

    provinces = dict(Region.objects.filter(level="province").values_list("province_code", "name"))
    flows, names = defaultdict(int), {}  # (east province, county code, county name, category) → fen
    for east, code, county, category, fen in disbursed_by_group(user, year):
        flows[(provinces.get(east, "—"), code, county, category)] += fen
        names.setdefault(county, set()).add(code)
    by_province = len({code for _e, code, _c, _k in flows}) > SANKEY_COUNTIES
    if by_province:  # fold the counties into their provinces before sorting
        folded = defaultdict(int)
        for (east, code, _county, category), fen in flows.items():
            folded[(east, (code or "")[:2], None, category)] += fen
        flows = folded
    nodes, links, column_of = [], {}, {}

    def node(name, column):
        if column_of.get(name, column) != column:  # the same name already stands in another column
            name = f"{name} · {column}"
        if name not in column_of:
            column_of[name] = column
            nodes.append({"name": name})
        return name

    labels = {value: str(label) for value, label in Category.choices}  # translated once, not per row
    for (east, code, county, category), fen in sorted(flows.items(), key=lambda kv: (kv[0][0], kv[0][1] or "", kv[0][3] or "")):
        if not fen:
            continue
        if by_province:
            middle = provinces.get(code, "—")
        else:
            middle = "—" if not county else county if len(names[county]) == 1 else f"{county}（{code}）"
        a, b, c = node(east, "east"), node(middle or "—", "west"), node(labels.get(category, str(category)), "category")
        links[(a, b)] = links.get((a, b), 0) + fen
        links[(b, c)] = links.get((b, c), 0) + fen
    return {"nodes": nodes, "links": [{"source": s, "target": t, "value": v} for (s, t), v in links.items()],
            "by": "province" if by_province else "county"}


def projects_and_points(user, limit: int = 400) -> tuple[dict, list]:
    """`project_counts` and the map points (western counties with projects in progress, the
    most first) from the project summary (`projects.totals`)."""
    from xiezuo.regions.models import Region

    found, top = project_totals.counts_and_points(scope_for(user), limit)
    counts = {s.value: 0 for s in Status}
    counts.update(found)
    places = {r["id"]: r for r in Region.objects.filter(id__in=[c for c, _n in top]).values("id", "code", "name", "longitude", "latitude")}
    points = [{"name": places[c]["name"], "code": places[c]["code"], "value": [places[c]["longitude"], places[c]["latitude"], n]}
              for c, n in top if c in places and places[c]["longitude"] is not None]
    return counts, points


def map_province(user, points) -> str | None:
    """The province whose counties the dashboard map draws as areas, or None for the map of
    China. National roles see China. An office sees the one province all its counties with
    projects in progress lie in (a western office; an eastern county paired with one western
    county); with none in progress, its own province; China when they span provinces."""
    scope = scope_for(user)
    if scope.everything:
        return None
    provinces = {p["code"][:2] for p in points}
    if len(provinces) == 1:
        return provinces.pop() + "0000"
    if not provinces and scope.own:
        from xiezuo.regions.models import province_of

        return province_of(scope.own)
    return None


def map_points(user, limit: int = 400):
    """Western counties with active projects, for the scatter layer of the map."""
    return projects_and_points(user, limit)[1]


def feed(user, limit: int = 15):
    """The latest changes the user may see: their audit trail if they may read it, else
    the latest weekly reports of their projects."""
    reports = visible(user, ProgressReport.objects.all()).select_related("project").order_by("-id")[:limit]
    items = [{"time": r.reported_at, "kind": "report", "text": f"{r.project.code} {r.project.name}：{r.percent}%"} for r in reports]
    if scope_for(user).active:
        entries = audit_visible(user, AuditEntry.objects.all())[:limit]
        items += [{"time": e.time, "kind": e.action, "text": e.object_repr} for e in entries]
    items.sort(key=lambda x: x["time"], reverse=True)
    return items[:limit]


class Figures(dict):
    """The dashboard's parts, each computed the first time it is looked up (by the view, the
    template or a test), so a page or fragment that shows only some of them queries only
    for those."""

    def __init__(self, makers: dict, **values):
        super().__init__(**values)
        self._makers = makers

    def __missing__(self, key):
        make = self._makers[key]  # KeyError for a part that does not exist
        if isinstance(make, tuple):  # one maker yielding several parts
            names, maker = make
            for name, value in zip(names, maker()):
                self[name] = value
            return self[key]
        self[key] = value = make()
        return value


FIRST_YEAR = 1996  # East–West cooperation began in 1996: no fact is older


def dashboard(user, today: datetime.date | None = None) -> dict:
    today = today or timezone.localdate()
    late = (("late_count", "late"), lambda: late_milestones(user, today))
    # The money figures and the Sankey count every year up to this one: over one year the
    # stages do not chain (a county that disbursed last year and spends this year showed
    # 已拨付 0.00 beside 已支出 128.87万元), and a national Sankey of this year's
    # disbursements alone showed the one province that had disbursed so far.
    to_date = range(FIRST_YEAR, today.year + 1)
    return Figures({
        "projects": (("projects", "points"), lambda: projects_and_points(user)),
        "late_count": late,
        "late": late,
        "people": lambda: people_on_post(user, today),
        "money": lambda: money_stages(user, to_date),
        "sankey": lambda: sankey(user, to_date),
        "points": (("projects", "points"), lambda: projects_and_points(user)),
        "feed": lambda: feed(user),
    }, today=today, year=today.year)

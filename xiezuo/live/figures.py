"""The live picture for one user's part of the tree: what the dashboard shows.

Every figure is computed from the facts (projects, milestones, reports, dispatches, ledger
entries, agreements) through the scoping rule, with aggregate queries only — the national
view summarises 100,000 projects and millions of ledger postings, so nothing here iterates
over rows in Python.

The money figures come from the ledger's `LedgerRollup` (xiezuo.ledger.rollup), an exact
running aggregate of the postings in force: postings are append-only and their entries are
chained in the order they commit, so the sums up to chain position N never change, and each
request only folds in the postings chained after N (see the class). `dashboard()` computes a part only when it is looked at,
so the figures fragment the open page re-fetches does not pay for the map, the Sankey and
the feed.
"""
import datetime
import logging
import threading
from collections import defaultdict

from django.db import DatabaseError, connection
from django.db.models import Count, Q
from django.utils import timezone

from xiezuo.core.models import AuditEntry
from xiezuo.core.scoping import audit_visible, scope_for, visible
from xiezuo.ledger.rollup import LEDGER_ROLLUP, money_stages
from xiezuo.pairings.models import Pairing
from xiezuo.people.models import Dispatch
from xiezuo.projects.choices import Category, Status
from xiezuo.projects.models import Milestone, ProgressReport, Project


def project_counts(user) -> dict:
    rows = visible(user, Project.objects.all()).values("status").annotate(n=Count("id")).order_by()
    counts = {s.value: 0 for s in Status}
    for row in rows:
        counts[row["status"]] = row["n"]
    return counts


def late_milestones(user, today: datetime.date, limit: int = 10):
    qs = visible(user, Milestone.objects.filter(planned_date__lt=today, actual_date__isnull=True)
                 .exclude(project__status__in=[Status.CANCELLED, Status.COMPLETED]))
    items = list(qs.select_related("project__county").order_by("planned_date")[:limit])
    return qs.count(), items


def people_on_post(user, today: datetime.date) -> dict:
    qs = visible(user, Dispatch.objects.filter(actual_start__lte=today).filter(Q(actual_end__isnull=True) | Q(actual_end__gte=today)))
    rows = qs.values("kind").annotate(n=Count("id")).order_by()
    return {row["kind"]: row["n"] for row in rows}


logger = logging.getLogger(__name__)


def warm_up_in_background():
    """Build this process's ledger rollup in a daemon thread at start, so that a web worker's
    first dashboard request does not pay for it (one grouped query over every posting: about
    5 s at national scale, bench/dashboard.py's first request). A request that comes sooner
    waits on the rollup's lock for the rest of the build, as it would have built it anyway."""
    def build():
        try:
            with LEDGER_ROLLUP.lock:
                LEDGER_ROLLUP.refresh()
        except DatabaseError as exc:  # not migrated yet, or the database is away: the first request builds it
            logger.warning("ledger rollup not built at start: %s", exc)
        finally:
            connection.close()

    threading.Thread(target=build, name="ledger-rollup-warm-up", daemon=True).start()


def disbursed_by_project_group(user, year, seen: dict | None = None) -> list[tuple[str, str, str, str, int]]:
    """[(eastern province name, western county code, western county name, project category,
    fen)] disbursed in the year or years — `xiezuo.ledger.figures.disbursed_by_project_group`,
    from the rollup: the sums per project, then the projects' current county, category and
    pairing, sorted."""
    from xiezuo.ledger.figures import disbursed_by_project_group as sql

    by_project = LEDGER_ROLLUP.disbursed_by_project(user, year, seen)
    if by_project is None:
        return sql(user, year)
    from xiezuo.projects.models import Project
    from xiezuo.regions.models import Region

    provinces = dict(Region.objects.filter(level="province").values_list("province_code", "name"))
    groups = defaultdict(int)
    if None in by_project:  # a disbursement without a project (the SQL groups it under nothing)
        groups[(None, None, None, None)] += by_project.pop(None)
    if by_project and connection.vendor == "postgresql":
        # the per-project sums go to the database as two arrays and come back grouped:
        # 20,000 projects nationally, a few thousand groups
        ids, fens = list(by_project), list(by_project.values())
        project, region, pairing = Project._meta.db_table, Region._meta.db_table, Pairing._meta.db_table
        with connection.cursor() as cur:
            cur.execute(f"""
                SELECT er.province_code, c.code, c.name, p.category, sum(t.fen)::bigint
                FROM unnest(%s::bigint[], %s::bigint[]) AS t(pid, fen)
                JOIN {project} p ON p.id = t.pid JOIN {region} c ON c.id = p.county_id
                LEFT JOIN {pairing} pr ON pr.id = p.pairing_id LEFT JOIN {region} er ON er.id = pr.east_region_id
                GROUP BY 1, 2, 3, 4""", [ids, fens])
            for province, code, county, category, fen in cur.fetchall():
                groups[(province, code, county, category)] += fen
    elif by_project:
        attrs = {row[0]: row[1:] for row in Project.objects.filter(id__in=list(by_project)).order_by()
                 .values_list("id", "pairing__east_region__province_code", "county__code", "county__name", "category")}
        for p, fen in by_project.items():
            groups[attrs[p]] += fen
    return sorted(((provinces.get(k[0], "—"), k[1], k[2], k[3], fen) for k, fen in groups.items()),
                  key=lambda r: (r[0], r[1] or "", r[3] or ""))


SANKEY_COUNTIES = 30  # more western counties than this are drawn as their provinces


def sankey(user, year, seen: dict | None = None) -> dict:
    """Money disbursed from eastern province → western county → project category, over
    the same years as the money figures beside it. With more than `SANKEY_COUNTIES`
    counties (the national view: hundreds) the middle column is the western province, so
    that every eastern province stays visible and the chart readable. Node names are
    unique across columns (ECharts merges equal names, and a county named like a province
    or category would fold two columns into one): counties of the same name carry their
    code, and a name standing in two columns carries its column."""
    rows = disbursed_by_project_group(user, year, seen)  # [(east province, county code, county name, category, fen)]
    provinces = None
    if len({r[1] for r in rows}) > SANKEY_COUNTIES:
        from xiezuo.regions.models import Region

        provinces = dict(Region.objects.filter(level="province").values_list("province_code", "name"))
    nodes, links, column_of = [], {}, {}

    def node(name, column):
        if column_of.get(name, column) != column:  # the same name already stands in another column
            name = f"{name} · {column}"
        if name not in column_of:
            column_of[name] = column
            nodes.append({"name": name})
        return name

    labels = {value: str(label) for value, label in Category.choices}  # translated once, not per row
    names = {}
    for _east, code, county, _category, _fen in rows:
        names.setdefault(county, set()).add(code)
    for east, code, county, category, fen in rows:
        if provinces is not None:
            middle = provinces.get((code or "")[:2], "—")
        else:
            middle = "—" if not county else county if len(names[county]) == 1 else f"{county}（{code}）"
        a, b, c = node(east, "east"), node(middle or "—", "west"), node(labels.get(category, str(category)), "category")
        links[(a, b)] = links.get((a, b), 0) + fen
        links[(b, c)] = links.get((b, c), 0) + fen
    return {"nodes": nodes, "links": [{"source": s, "target": t, "value": v} for (s, t), v in links.items()],
            "by": "province" if provinces is not None else "county"}


def projects_and_points(user, limit: int = 400) -> tuple[dict, list]:
    """`project_counts` and `map_points` from one grouped query over the projects (status ×
    county), so the page scans the user's projects once for both."""
    from xiezuo.regions.models import Region

    counts = {s.value: 0 for s in Status}
    active = {}
    for row in visible(user, Project.objects.all()).values("status", "county_id").annotate(n=Count("id")).order_by():
        counts[row["status"]] = counts.get(row["status"], 0) + row["n"]
        if row["status"] == Status.IN_PROGRESS:
            active[row["county_id"]] = row["n"]
    top = sorted(active.items(), key=lambda kv: -kv[1])[:limit]
    places = {r["id"]: r for r in Region.objects.filter(id__in=[c for c, _n in top]).values("id", "code", "name", "longitude", "latitude")}
    points = [{"name": places[c]["name"], "code": places[c]["code"], "value": [places[c]["longitude"], places[c]["latitude"], n]}
              for c, n in top if places[c]["longitude"] is not None]
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
    rows = (visible(user, Project.objects.filter(status=Status.IN_PROGRESS))
            .values("county__code", "county__name", "county__longitude", "county__latitude")
            .annotate(n=Count("id")).order_by("-n")[:limit])
    return [{"name": r["county__name"], "code": r["county__code"], "value": [r["county__longitude"], r["county__latitude"], r["n"]]}
            for r in rows if r["county__longitude"] is not None]


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
    seen = {}  # what the money figures and the Sankey share: who sees which postings
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
        "money": lambda: money_stages(user, to_date, seen),
        "sankey": lambda: sankey(user, to_date, seen),
        "points": (("projects", "points"), lambda: projects_and_points(user)),
        "feed": lambda: feed(user),
    }, today=today, year=today.year)

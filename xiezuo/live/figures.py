"""The live picture for one user's part of the tree: what the dashboard shows.

Every figure is computed from the facts (projects, milestones, reports, dispatches, ledger
entries, agreements) through the scoping rule, with aggregate queries only — the national
view summarises 100,000 projects, so nothing here iterates over rows in Python.
"""
import datetime

from django.db.models import Count, Q, Sum
from django.utils import timezone

from xiezuo.core.models import AuditEntry
from xiezuo.core.scoping import audit_visible, scope_for, visible
from xiezuo.pairings.models import Agreement
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


def committed_fen(user, year: int) -> int:
    return visible(user, Agreement.objects.filter(year=year)).aggregate(s=Sum("fiscal_aid_fen"))["s"] or 0


def money_stages(user, year: int) -> dict:
    """committed / allocated / arrived / disbursed / spent for the year, in fen."""
    stages = {"committed": committed_fen(user, year)}
    try:
        from xiezuo.ledger.figures import stage_totals
    except ImportError:
        return stages
    stages.update(stage_totals(user, year))
    return stages


def sankey(user, year: int) -> dict:
    """Money from eastern province → western county → project category."""
    try:
        from xiezuo.ledger.figures import disbursed_by_project_group
    except ImportError:
        return {"nodes": [], "links": []}
    rows = disbursed_by_project_group(user, year)  # [(east province name, county name, category, fen)]
    nodes, links, seen = [], {}, set()

    def node(name):
        if name not in seen:
            seen.add(name)
            nodes.append({"name": name})
        return name

    labels = dict(Category.choices)
    for east, county, category, fen in rows:
        a, b, c = node(east), node(county), node(str(labels.get(category, category)))
        links[(a, b)] = links.get((a, b), 0) + fen
        links[(b, c)] = links.get((b, c), 0) + fen
    return {"nodes": nodes, "links": [{"source": s, "target": t, "value": v} for (s, t), v in links.items()]}


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


def dashboard(user, today: datetime.date | None = None) -> dict:
    today = today or timezone.localdate()
    late_count, late = late_milestones(user, today)
    return {
        "today": today,
        "year": today.year,
        "projects": project_counts(user),
        "late_count": late_count,
        "late": late,
        "people": people_on_post(user, today),
        "money": money_stages(user, today.year),
        "sankey": sankey(user, today.year),
        "points": map_points(user),
        "feed": feed(user),
    }

"""The weekly dispatch sheet (周调度): what is late, stuck or unfunded in an office's part of the tree.

Compiled whenever it is asked for, never stored, so it cannot go stale. Each category is one
set-based query (NOT EXISTS / correlated sums over indexed columns), counted in SQL and cut to
a limit for the page, so the national sheet over ~100k projects and millions of weekly
reports costs a handful of index scans rather than a loop. Where a category would read every
row of the country to find the few it lists, it reads a summary that the writers keep in
their own transaction instead (the money summary for the funds, the placements' due counts,
the registry's figures), or a column the writer keeps (a project's latest reported week),
and asks the facts only for what the summary cannot judge: the counts are equal to the
facts', and tested so.

The office's part of the tree is applied with the same scoping rule as everything else
(`Scope.q` over each model's `scope_paths`), as though the office were a user acting for
itself: the national coordinator's office covers the country.

A week is given by its Monday. The sheet is "as of" the end of that week, or today for the
current week, so last week's sheet still reads as it did then for milestones, funds and
departures (reports are the reports of that week).
"""
import datetime
from dataclasses import dataclass, field

from django.db.models import Exists, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xiezuo.core.arrays import ids_in
from xiezuo.core.money import format_yuan
from xiezuo.core.periods import monday_of
from xiezuo.core.scoping import Scope
from xiezuo.orgs.choices import OrgKind

from .channel_sheet import CHANNELS, channels_for
from .items import items_for_posts

DEFAULT_LIMIT = 100
PROJECT_IDS_INLINE = 2_000  # up to this many projects (a county, a prefecture) an office's ids are passed as a list

CATEGORIES = (
    ("milestones", gettext_lazy("Late milestones")),
    ("reports", gettext_lazy("Active projects with no report this week")),
    ("allocations", gettext_lazy("Allocated funds not arrived past their due date")),
    ("agreements", gettext_lazy("Committed fiscal aid short of arrival past its due date")),
    ("departures", gettext_lazy("Professionals who left their post early")),
    # the channels and the household registry (channel_sheet.py), each for the side that acts on it
    *((c.key, c.label) for c in CHANNELS),
    ("items", gettext_lazy("Open orders and items")),
)


def link(name: str, *args) -> str:
    """The URL of a page another part of the project may or may not provide yet."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""




def parse_week(value: str | None, today: datetime.date | None = None) -> datetime.date:
    """"2026-W49" (the HTML week input) or any ISO date → the Monday of that week.

    Raises ValueError on anything else, so the page can say what it expected."""
    today = today or timezone.localdate()
    if not value:
        return monday_of(today)
    value = value.strip()
    if "-W" in value.upper():
        year, week = value.upper().split("-W", 1)
        return datetime.date.fromisocalendar(int(year), int(week), 1)
    return monday_of(datetime.date.fromisoformat(value))


def week_label(monday: datetime.date) -> str:
    iso = monday.isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


def office_scope(office) -> Scope:
    """The office's part of the tree as a Scope: its region's subtree (the country for the
    national coordinator's office)."""
    if office.kind == OrgKind.MINISTRY:
        return Scope(role="national", everything=True, active=True)
    return Scope(role="office", own=office.region.prefix, active=True)


def in_office(office, queryset):
    model = queryset.model
    return queryset.filter(office_scope(office).q(model.scope_paths, False))


def projects_in_office(office, queryset):
    """A queryset of a project's children (milestones …) cut to the office's projects.

    Matched through the set of the office's project ids rather than the scope paths joined
    row by row: the scope is an OR of the county and the eastern partner, which the planner
    can only apply after reading every late milestone in the country; the office's
    projects are found by index first (a county has a hundred, not a hundred thousand)."""
    from xiezuo.projects.models import Project

    scope = office_scope(office)
    if scope.everything:
        return queryset
    ids = getattr(office, "_sheet_project_ids", None)
    if ids is None:
        # one query per scope path (each by its own index; their OR is tested on every project),
        # unordered, kept on the office object for the other categories and groups of the request
        ids = set()
        for path in Project.scope_paths:
            part = Project.objects.order_by().filter(scope.q((path,), False)).values_list("id", flat=True)
            ids.update(part[:PROJECT_IDS_INLINE + 1])
            if len(ids) > PROJECT_IDS_INLINE:
                break
        ids = sorted(ids)
        office._sheet_project_ids = ids
    if len(ids) > PROJECT_IDS_INLINE:  # a big province: let the database join the set
        return queryset.filter(project_id__in=in_office(office, Project.objects.order_by()).values("id"))
    return queryset.filter(project_id__in=ids)


@dataclass
class Line:
    title: str
    detail: str
    url: str = ""
    date: datetime.date | None = None  # the due date the line is late against
    days_late: int | None = None
    region: str = ""


@dataclass
class Category:
    key: str
    label: str
    count: int = 0
    lines: list = field(default_factory=list)

    @property
    def truncated(self) -> bool:
        return self.count > len(self.lines)


@dataclass
class Sheet:
    office: object
    week: datetime.date  # Monday
    as_of: datetime.date
    categories: list

    @property
    def week_end(self) -> datetime.date:
        return self.week + datetime.timedelta(days=6)

    @property
    def label(self) -> str:
        return week_label(self.week)

    @property
    def total(self) -> int:
        return sum(c.count for c in self.categories)

    def category(self, key) -> Category:
        return next(c for c in self.categories if c.key == key)


def _late(due: datetime.date | None, as_of: datetime.date) -> int | None:
    return (as_of - due).days if due else None


# --- the categories -----------------------------------------------------------------


def late_milestones(office, as_of: datetime.date):
    """Milestones planned before `as_of` and not reached by then, of projects still running."""
    from xiezuo.projects.choices import Status
    from xiezuo.projects.models import Milestone

    qs = Milestone.objects.filter(planned_date__lt=as_of, project__status__in=[Status.PLANNED, Status.IN_PROGRESS, Status.SUSPENDED])
    qs = qs.filter(Q(actual_date__isnull=True) | Q(actual_date__gt=as_of))
    return projects_in_office(office, qs).order_by("planned_date", "id")


def _milestone_lines(qs, as_of, limit, offset=0):
    rows = qs.select_related("project__county")[offset:offset + limit]
    return [Line(title=f"{m.project.code} {m.project.name}", detail=_("milestone %(seq)s “%(name)s” planned for %(date)s") % {
        "seq": m.seq, "name": m.name, "date": m.planned_date}, url=link("project-detail", m.project_id), date=m.planned_date,
        days_late=_late(m.planned_date, as_of), region=m.project.county.name) for m in rows]


def silent_projects(office, week: datetime.date):
    """Projects in progress that have no weekly report for the week.

    A project's `last_report_week` is the latest week it has reported for (the report writer
    keeps it, never moving it back), so a project whose latest week is before this one, or
    that never reported, is silent without reading its reports, and one whose latest week is
    this one is not. Only a project that has reported for a later week (on a past week's
    sheet, or a report sent ahead) is looked up (NOT EXISTS on the unique (project, week)
    index): on the current week's national sheet, a handful instead of 50,000 probes."""
    from xiezuo.projects.choices import Status
    from xiezuo.projects.models import ProgressReport, Project

    week_end = week + datetime.timedelta(days=6)
    reported = ProgressReport.objects.filter(project=OuterRef("pk"), week=week)
    silent = (Q(last_report_week__isnull=True) | Q(last_report_week__lt=week)
              | (Q(last_report_week__gt=week) & Q(~Exists(reported))))
    qs = Project.objects.filter(status=Status.IN_PROGRESS).filter(Q(actual_start__isnull=True) | Q(actual_start__lte=week_end))
    qs = in_office(office, qs).filter(silent)
    return qs.order_by("last_report_week", "code")


def _silent_lines(qs, week, limit, offset=0):
    rows = qs.select_related("county")[offset:offset + limit]
    out = []
    for p in rows:
        if p.last_report_week:
            detail = _("last report for the week of %(date)s") % {"date": p.last_report_week}
        else:
            detail = _("never reported")
        out.append(Line(title=f"{p.code} {p.name}", detail=detail, url=link("project-detail", p.pk), date=p.last_report_week,
                        region=p.county.name))
    return out


def overdue_allocations(office, as_of: datetime.date):
    """Allocations in force, due before `as_of` (by the due date in force), with no arrival
    in force by then.

    Only the allocations of some agreements can be such: those whose allocated fen in force
    exceeds the arrived (the money summary), and those with an arrival dated after `as_of`.
    The rule is applied to their allocations alone, instead of testing every allocation in
    the office's part against the arrivals (and finding, most weeks, none): the office's part
    is an OR over three regions (either side, the project's county), which no index serves,
    so even a county's sheet read every allocation of the country."""
    from xiezuo.core.arrays import filter_any
    from xiezuo.ledger.choices import Kind
    from xiezuo.ledger.dues import due_in_force
    from xiezuo.ledger.models import Posting
    from xiezuo.ledger.totals import agreements_arrived_after, agreements_owing_arrival

    # "not reversed" as NOT EXISTS rather than a LEFT JOIN … IS NULL: PostgreSQL estimates the
    # join form at one row and then loops over every organisation for each allocation.
    def not_reversed():
        return ~Exists(Posting.objects.filter(reversal_of=OuterRef("pk")))

    allocations = Posting.objects.filter(kind=Kind.ALLOCATION)
    owing = sorted(set(agreements_owing_arrival()) | set(agreements_arrived_after(as_of)))
    # their allocations (an index range per agreement), and any allocation made outside an agreement
    ids = [*filter_any(allocations, "agreement_id", owing).values_list("id", flat=True),
           *allocations.filter(agreement__isnull=True).values_list("id", flat=True)]
    qs = filter_any(Posting.objects.all(), "id", sorted(ids))
    arrived = Posting.objects.filter(not_reversed(), allocation=OuterRef("pk"), kind=Kind.ARRIVAL, arrived_on__lte=as_of)
    qs = qs.filter(not_reversed(), booked_on__lte=as_of).annotate(due=due_in_force()).filter(due__lt=as_of)
    return in_office(office, qs).filter(~Exists(arrived)).order_by("due", "id")


def _allocation_lines(qs, as_of, limit, offset=0):
    rows = qs.select_related("east_org", "west_org", "agreement")[offset:offset + limit]
    return [Line(title=_("allocation #%(id)s: %(east)s → %(west)s") % {"id": p.pk, "east": p.east_org, "west": p.west_org},
                 detail=_("%(amount)s allocated on %(booked)s, due by %(due)s, not arrived") % {
                     "amount": format_yuan(p.amount_fen), "booked": p.booked_on, "due": p.due},
                 url=link("posting-detail", p.pk) or (link("agreement-detail", p.agreement_id) if p.agreement_id else ""),
                 date=p.due, days_late=_late(p.due, as_of), region=p.west_org.name if p.west_org_id else "")
            for p in rows]


def _wide(office) -> bool:
    """Whether the office's part of the tree is the country or a province: where a question
    asked of a summary for the whole country costs less than asking the facts of its part
    (a prefecture or a county has a few dozen agreements; the summary's answer reads tens of
    thousands of rows whatever the office)."""
    from xiezuo.regions.choices import Level

    return office.kind == OrgKind.MINISTRY or office.region.level == Level.PROVINCE


def _arrived_by(as_of: datetime.date):
    """The fen of an agreement's arrivals in force by `as_of` (a correlated sum)."""
    from xiezuo.ledger.choices import Kind
    from xiezuo.ledger.models import Posting

    arrivals = (Posting.objects.filter(agreement=OuterRef("pk"), kind=Kind.ARRIVAL, reversal__isnull=True,
                                       allocation__reversal__isnull=True, arrived_on__lte=as_of)
                .order_by().values("agreement").annotate(s=Sum("amount_fen")).values("s"))
    return Coalesce(Subquery(arrivals), Value(0))


def short_agreements(office, as_of: datetime.date):
    """Agreements whose funds were due before `as_of` and whose fiscal aid has not all
    arrived by then: committed fen against the sum of arrivals in force.

    For the country or a province (`_wide`: thousands of agreements) the money summary
    answers: it holds each agreement's arrived fen in force, every arrival whatever its day,
    so an agreement with no arrival after `as_of` is short exactly when that sum is below its
    aid. Only the agreements with a later arrival (none on the current week's sheet) are
    judged by summing their postings up to `as_of`, as every agreement of a smaller office is."""
    from xiezuo.core.arrays import filter_any
    from xiezuo.ledger.totals import agreements_arrived_after, agreements_short_of_aid
    from xiezuo.pairings.models import Agreement

    qs = in_office(office, Agreement.objects.filter(funds_due_date__lt=as_of, fiscal_aid_fen__gt=0))
    if not _wide(office):  # a few dozen agreements: each summed from its postings
        return qs.annotate(arrived_fen=_arrived_by(as_of)).filter(arrived_fen__lt=F("fiscal_aid_fen")).order_by("funds_due_date", "id")
    late = set(agreements_arrived_after(as_of))
    short = sorted(set(agreements_short_of_aid(as_of)) - late)
    if late:
        qs = qs.annotate(arrived_fen=_arrived_by(as_of)).filter(
            Q(pk__in=ids_in(short)) | (Q(pk__in=ids_in(sorted(late))) & Q(arrived_fen__lt=F("fiscal_aid_fen"))))
    else:
        qs = filter_any(qs, "id", short)
    return qs.order_by("funds_due_date", "id")


def _agreement_lines(qs, as_of, limit, offset=0):
    if "arrived_fen" not in qs.query.annotations:  # for the lines shown only
        qs = qs.annotate(arrived_fen=_arrived_by(as_of))
    rows = qs.select_related("pairing__east_region", "pairing__west_region")[offset:offset + limit]
    return [Line(title=f"{a.year} {a.pairing} · {a.pairing.get_kind_display()}", detail=_("%(arrived)s of %(committed)s arrived; due by %(due)s") % {
        "arrived": format_yuan(a.arrived_fen), "committed": format_yuan(a.fiscal_aid_fen), "due": a.funds_due_date},
        url=link("agreement-detail", a.pk), date=a.funds_due_date, days_late=_late(a.funds_due_date, as_of),
        region=a.pairing.west_region.name) for a in rows]


def early_departures(office, week: datetime.date, as_of: datetime.date):
    """Professionals (not cadres) whose posting ended during the week before its agreed end."""
    from xiezuo.people.models import Dispatch, PersonKind

    qs = Dispatch.objects.exclude(kind=PersonKind.CADRE).filter(actual_end__gte=week, actual_end__lte=as_of,
                                                                 actual_end__lt=F("planned_end"))
    return in_office(office, qs).order_by("actual_end", "id")


def _departure_lines(qs, as_of, limit, offset=0):
    rows = qs.select_related("from_org", "to_org")[offset:offset + limit]
    return [Line(title=f"{d.person_name} · {d.get_kind_display()}", detail=_("%(from)s → %(to)s; left on %(left)s, agreed until %(end)s") % {
        "from": d.from_org, "to": d.to_org, "left": d.actual_end, "end": d.planned_end},
        url=link("dispatch-detail", d.pk), date=d.actual_end, region=d.to_org.name) for d in rows]


def office_posts(office):
    from .models import Post

    return in_office(office, Post.objects.all())


def open_items(office):
    """Every open item owned by a post of an office in the office's part of the tree."""
    return items_for_posts(office_posts(office).values_list("id", flat=True), open_only=True)


def _item_lines(items, as_of, limit, post_names, offset=0, regions=None):
    regions = regions or {}
    return [Line(title=i.title, detail=f"{i.kind} · {post_names.get(i.post_id, '')} · {i.status}", url=i.url, date=i.deadline,
                 days_late=_late(i.deadline, as_of) if i.overdue else None, region=regions.get(i.post_id, ""))
            for i in items[offset:offset + limit]]


def _as_of(week: datetime.date, today: datetime.date) -> datetime.date:
    return min(week + datetime.timedelta(days=6), today)


def _sql_categories(office, week: datetime.date, as_of: datetime.date):
    """(key, queryset builder, line maker) of the categories compiled in SQL: the five of the
    projects, funds and people, then the channels' that the office acts on. A builder is
    called only for the category wanted: building some querysets already runs a query (the
    office's project ids), and an opened group asks for one category at a time."""
    return (
        ("milestones", lambda: late_milestones(office, as_of), _milestone_lines),
        ("reports", lambda: silent_projects(office, week), lambda qs, a, n, offset=0: _silent_lines(qs, week, n, offset)),
        ("allocations", lambda: overdue_allocations(office, as_of), _allocation_lines),
        ("agreements", lambda: short_agreements(office, as_of), _agreement_lines),
        ("departures", lambda: early_departures(office, week, as_of), _departure_lines),
        *((c.key, lambda c=c: c.queryset(office, week, as_of), c.lines) for c in channels_for(office)),
    )


def category_keys(office) -> list[str]:
    """The keys of the categories on the office's sheet, in the sheet's order."""
    shown = {c.key for c in channels_for(office)}
    channel_keys = {c.key for c in CHANNELS}
    return [key for key, _label in CATEGORIES if key not in channel_keys or key in shown]


def compile_sheet(office, week: datetime.date, *, limit: int | None = DEFAULT_LIMIT, today: datetime.date | None = None) -> Sheet:
    """The weekly sheet of `office` for the week starting on Monday `week`.

    Every category is counted in full; `limit` caps the lines listed per category (None:
    all, for the Excel export)."""
    today = today or timezone.localdate()
    week = monday_of(week)
    as_of = _as_of(week, today)
    labels = dict(CATEGORIES)
    cats = []
    for key, build, make in _sql_categories(office, week, as_of):
        qs = build()
        count = qs.count()
        lines = make(qs, as_of, count if limit is None else limit) if count else []
        cats.append(Category(key, str(labels[key]), count, lines))
    post_names = dict((pk, name) for pk, name in office_posts(office).values_list("id", "name"))
    items = open_items(office)
    cats.append(Category("items", str(labels["items"]), len(items),
                         _item_lines(items, as_of, len(items) if limit is None else limit, post_names)))
    return Sheet(office=office, week=week, as_of=as_of, categories=cats)


# --- the sheet grouped by region, for offices with a large part of the tree ---------------
#
# The national coordinator's sheet holds thousands of lines. The page shows one row per
# province (a province office: per prefecture; below: per county) with its counts, and a
# group's lines are fetched when it is opened, a page at a time. Counts come from one
# GROUP BY per category; only the items (gathered from their apps' sources) are counted in
# Python.

GROUP_PAGE = 25  # lines of one category shown at a time when a group is opened
NATIONAL_GROUP = "national"  # the items of the national coordinator's own posts

# The region each category's lines belong to (the one shown in the line's region column):
# the project's county, the receiving western office, the agreement's western side, the
# office the professional was posted to; an item, the office of its post.
GROUP_PATHS = {
    "milestones": "project__county__code",
    "reports": "county__code",
    "allocations": "west_org__region__code",
    "agreements": "pairing__west_region__code",
    "departures": "to_org__region__code",
    **{c.key: c.group_path for c in CHANNELS},
}


def _counted_prefix(office, code: str) -> str | None:
    """The region code prefix a summary count reads for the office's part of the tree and the
    group `code` ("" for all): the longer of the two, None when the group lies outside."""
    own = "" if office.kind == OrgKind.MINISTRY else office.region.prefix
    if code and not code.startswith(own) and not own.startswith(code):
        return None
    return code if len(code) > len(own) else own


def _without_help_counts(office, as_of, width, code, today):
    """{group code: n} of the monitored households without help in force, from the registry's
    summary (`households.figures.without_help_counts`, exact: it corrects the few households
    the summary cannot judge)."""
    from xiezuo.households.figures import without_help_counts

    prefix = _counted_prefix(office, code)
    return {} if prefix is None else without_help_counts(as_of, width, prefix=prefix, today=today)


def _missed_retention_counts(office, as_of, width, code, today):
    """{group code: n} of the office's placements past a missed retention check, from the
    placements' next check days counted per county and month (`labour.duecounts`), exact; a
    past week asks the facts."""
    from xiezuo.labour.filtersets import missed_check_counts

    prefix = _counted_prefix(office, code)
    return {} if prefix is None else missed_check_counts(as_of, width, prefix, today=today)


# Categories counted per group from a summary instead of grouping their queryset: (office,
# as_of, width, group code or "", today) -> {group code: n}, equal to the queryset's counts.
SUMMARY_COUNTS = {"nohelp": _without_help_counts, "retention": _missed_retention_counts}
# Categories whose every line is past a due date (the others: an item when its deadline has
# passed; a missing report or an early departure has no due date on the sheet).
ALWAYS_OVERDUE = ("milestones", "allocations", "agreements", *(c.key for c in CHANNELS if c.overdue))


def group_width(office) -> int:
    """How many digits of a region code make a group: provinces for the national
    coordinator, prefectures for a province office, counties below."""
    from xiezuo.regions.choices import Level

    if office.kind == OrgKind.MINISTRY:
        return 2
    return 4 if office.region.level == Level.PROVINCE else 6


@dataclass
class Group:
    code: str  # the code prefix (2, 4 or 6 digits), or NATIONAL_GROUP
    name: str
    counts: dict = field(default_factory=dict)  # category key -> lines
    overdue: int = 0  # lines past their due date
    due_this_week: int = 0  # items falling due between the sheet's date and Sunday, not yet late
    keys: tuple = ()  # the sheet's categories, in order (all when not set)

    @property
    def open(self) -> int:
        return sum(self.counts.values())

    @property
    def cells(self) -> list[int]:
        """The counts in the order of the sheet's categories."""
        return [self.counts.get(key, 0) for key in (self.keys or [k for k, _label in CATEGORIES])]


@dataclass
class GroupedSheet(Sheet):
    groups: list = field(default_factory=list)

    @property
    def overdue(self) -> int:
        return sum(g.overdue for g in self.groups)

    @property
    def due_this_week(self) -> int:
        return sum(g.due_this_week for g in self.groups)


def _item_group_keys(office, width):
    """post id -> (group code, post name, region name) for the office's posts."""
    rows = office_posts(office).values_list("id", "name", "office__kind", "office__region__code", "office__region__name")
    return {pk: (NATIONAL_GROUP if kind == OrgKind.MINISTRY else code[:width], name, region)
            for pk, name, kind, code, region in rows}


def _unique(items):
    """Each item once: an order escalated from one post of the group to another is one line."""
    seen, out = set(), []
    for item in items:
        key = (getattr(item, "group", "") or item.kind, item.url or id(item), item.title)
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


def _due_this_week(item, as_of, week_end) -> bool:
    return bool(item.is_open and not item.overdue and item.deadline and as_of <= item.deadline <= week_end)


# Count-only companions of the item sources (`items.source`). Closed groups need only how
# many items each post has, overdue and falling due; building every Item (titles, links,
# labels) for the whole country takes longer than the rest of the sheet together. A source
# with a counter is counted by it; one without is counted from the items it builds.
_COUNTERS = {}


def item_counter(source_fn):
    """Decorator: register `fn(post_ids, as_of, week_end)` yielding one `(post_id, key,
    overdue, due_this_week)` per item `source_fn` would yield for those posts (open items
    only), `key` naming the object so an item reaching two posts of a group counts once."""
    def register(fn):
        _COUNTERS[source_fn] = fn
        return fn
    return register


def _item_rows(post_ids, as_of, week_end):
    from . import items as registry

    sources = getattr(registry, "_SOURCES", None)
    if sources is None:  # no per-source access: count the items themselves
        sources = [lambda ids, open_only: items_for_posts(ids, open_only=open_only)]
    for fn in list(sources):
        counter = _COUNTERS.get(fn)
        if counter is not None:
            yield from counter(post_ids, as_of, week_end)
            continue
        for item in fn(post_ids, True):
            yield (item.post_id, (getattr(item, "group", "") or item.kind, item.url or item.title),
                   item.overdue, _due_this_week(item, as_of, week_end))


def _decision_counter(post_ids, as_of, week_end):
    """Open consultation decisions: of their owner post and of the post they were escalated to."""
    from .models import ActionItem

    ids = set(post_ids)
    if not ids:
        return
    today = timezone.localdate()
    rows = (ActionItem.objects.filter(Q(owner_post_id__in=ids_in(ids)) | Q(escalated_to_id__in=ids_in(ids)), done_on__isnull=True)
            .values_list("pk", "owner_post_id", "escalated_to_id", "deadline"))
    for pk, owner, escalated, deadline in rows:
        overdue = deadline < today
        due = not overdue and as_of <= deadline <= week_end
        for post_id in {owner, escalated} & ids:
            yield post_id, ("decision", pk), overdue, due


def _register_own_counters():
    from .sources import action_items

    item_counter(action_items)(_decision_counter)


def _group_names(codes, width):
    from xiezuo.regions.models import Region

    padded = {c: c.ljust(6, "0") for c in codes if c != NATIONAL_GROUP}
    names = dict(Region.objects.filter(code__in=padded.values()).values_list("code", "name"))
    out = {c: names.get(p, p) for c, p in padded.items()}
    out[NATIONAL_GROUP] = str(_("national level"))
    return out


def compile_groups(office, week: datetime.date, *, today: datetime.date | None = None) -> GroupedSheet:
    """The weekly sheet as counts per group, no lines: what the page shows closed."""
    from django.db.models import Count
    from django.db.models.functions import Substr

    today = today or timezone.localdate()
    week = monday_of(week)
    as_of = _as_of(week, today)
    week_end = week + datetime.timedelta(days=6)
    width = group_width(office)
    labels = dict(CATEGORIES)
    groups: dict[str, Group] = {}
    _register_own_counters()

    def group(code):
        return groups.setdefault(code, Group(code=code, name=""))

    cats = []
    for key, build, _make in _sql_categories(office, week, as_of):
        counter = SUMMARY_COUNTS.get(key)
        if counter is not None:
            rows = counter(office, as_of, width, "", today).items()
        else:
            rows = (build().order_by().annotate(group_code=Substr(GROUP_PATHS[key], 1, width))
                    .values("group_code").annotate(n=Count("pk")).values_list("group_code", "n"))
        total = 0
        for code, n in rows:
            g = group(code or "")
            g.counts[key] = n
            if key in ALWAYS_OVERDUE:
                g.overdue += n
            total += n
        cats.append(Category(key, str(labels[key]), total))
    keys = _item_group_keys(office, width)
    seen = set()
    total = 0
    for post_id, key, overdue, due in _item_rows(list(keys), as_of, week_end):
        code = keys[post_id][0]
        if (code, key) in seen:
            continue
        seen.add((code, key))
        g = group(code)
        g.counts["items"] = g.counts.get("items", 0) + 1
        g.overdue += bool(overdue)
        g.due_this_week += bool(due)
        total += 1
    cats.append(Category("items", str(labels["items"]), total))
    names = _group_names(groups, width)
    keys = tuple(category_keys(office))
    for code, g in groups.items():
        g.name = names.get(code, code) or "—"
        g.keys = keys
    ordered = sorted(groups.values(), key=lambda g: (g.code != NATIONAL_GROUP, -g.overdue, -g.open, g.code))
    return GroupedSheet(office=office, week=week, as_of=as_of, categories=cats, groups=ordered)


def valid_group(office, code: str) -> bool:
    return code == NATIONAL_GROUP or (code.isdigit() and len(code) == group_width(office))


def group_lines(office, week: datetime.date, code: str, key: str, *, page: int = 1, per_page: int = GROUP_PAGE,
                today: datetime.date | None = None) -> tuple[list, int]:
    """One page of one category's lines in one group, and how many lines it has in all."""
    today = today or timezone.localdate()
    week = monday_of(week)
    as_of = _as_of(week, today)
    offset = (max(page, 1) - 1) * per_page
    if key == "items":
        width = group_width(office)
        keys = _item_group_keys(office, width)
        post_ids = [pk for pk, (g, _n, _r) in keys.items() if g == code]
        items = _unique(items_for_posts(post_ids, open_only=True)) if post_ids else []
        names = {pk: n for pk, (_g, n, _r) in keys.items()}
        regions = {pk: r for pk, (_g, _n, r) in keys.items()}
        return _item_lines(items, as_of, per_page, names, offset=offset, regions=regions), len(items)
    if code == NATIONAL_GROUP:
        return [], 0
    for k, build, make in _sql_categories(office, week, as_of):
        if k == key:
            qs = build().filter(**{f"{GROUP_PATHS[k]}__startswith": code})
            counter = SUMMARY_COUNTS.get(k)
            count = counter(office, as_of, len(code), code, today).get(code, 0) if counter else qs.count()
            return (make(qs, as_of, per_page, offset) if count > offset else []), count
    if any(c.key == key for c in CHANNELS):  # a channel the office does not act on
        return [], 0
    raise KeyError(key)


def group_detail(office, week: datetime.date, code: str, *, today: datetime.date | None = None,
                 counts: dict | None = None) -> list[tuple[Category, int]]:
    """An opened group: each category with lines, its first page and how many pages it has.
    `counts` (the group's counts from `compile_groups`, when the caller has them) skips the
    categories known to be empty instead of querying them again."""
    out = []
    labels = dict(CATEGORIES)
    for key in category_keys(office):
        if counts is not None and not counts.get(key):
            continue
        lines, count = group_lines(office, week, code, key, today=today)
        if count:
            out.append((Category(key, str(labels[key]), count, lines), -(-count // GROUP_PAGE)))
    return out

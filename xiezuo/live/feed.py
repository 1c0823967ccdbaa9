"""The dashboard's list of latest events, in words an official reads, the same whether the
line arrived pushed by the server or was read back from the records after a reload.

One function per kind of event turns its data into a line; the stream (`stream.py`) calls
them for each pushed event in the reader's language, and `latest()` calls the same ones on
the stored weekly reports, postings and project changes. Times are Beijing time in one
format (`TIME_FORMAT`), so pushed and reloaded lines sit side by side without a time zone
between them.
"""
import datetime

from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _

from xiezuo.core.audit import AuditReader, type_label
from xiezuo.core.models import AuditEntry
from xiezuo.core.money import format_wan
from xiezuo.core.scoping import audit_visible, scope_for, visible
from xiezuo.ledger.choices import Kind
from xiezuo.ledger.models import Posting
from xiezuo.projects.choices import Status
from xiezuo.projects.models import ProgressReport, Project

TIME_FORMAT = "m-d H:i"
RECENT_DAYS = 30

# Object types whose changes have their own line (a report, a posting) or none worth one.
_OWN_LINES = {"projects.progressreport"}


def when(value) -> str:
    """A moment as the feed shows it: Beijing time, month-day hour:minute."""
    if isinstance(value, str):
        try:
            value = datetime.datetime.fromisoformat(value)
        except ValueError:
            return ""
    if value is None:
        return ""
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return date_format(timezone.localtime(value), TIME_FORMAT)


def report_text(project_code, project_name, percent) -> str:
    return _("Weekly report %(project)s %(name)s: %(percent)s%% done") % {
        "project": project_code, "name": project_name, "percent": percent}


def posting_text(kind, amount_fen) -> str:
    labels = dict(Kind.choices)
    return _("%(kind)s of %(wan)s (10k yuan)") % {"kind": labels.get(kind, kind), "wan": format_wan(amount_fen or 0)}


def status_text(project_code, project_name, old, new) -> str:
    labels = dict(Status.choices)
    if old:
        return _("Project %(project)s %(name)s: %(old)s → %(new)s") % {
            "project": project_code, "name": project_name, "old": labels.get(old, old), "new": labels.get(new, new)}
    return _("Project %(project)s %(name)s: %(new)s") % {"project": project_code, "name": project_name, "new": labels.get(new, new)}


def lines(kind: str, data: dict) -> list[str]:
    """The feed lines of one pushed event (its data already cut to what the reader may see)."""
    if kind == "reports":
        return [report_text(it.get("project", ""), it.get("name", ""), it.get("percent", "")) for it in data.get("items") or []]
    if kind == "ledger":
        items = data.get("items")
        if items is None:
            items = [data]
        return [posting_text(it.get("kind", ""), it.get("amount_fen", 0)) for it in items]
    if kind == "project":
        return [status_text(data.get("project", ""), data.get("name", ""), data.get("old", ""), data.get("status", ""))]
    return []


def entry_text(entry, reader) -> str:
    """A change from the audit log in words: what was done to which object (and to which of
    its fields), or the status line for a project whose status changed."""
    if entry.object_type == "projects.project" and entry.action == AuditEntry.Action.UPDATE and _status_changed(entry):
        before, after = entry.before or {}, entry.after or {}
        return status_text(after.get("code") or "", after.get("name") or "", before.get("status", ""), after["status"])
    action = entry.get_action_display()
    text = _("%(action)s %(type)s %(object)s") % {"action": action, "type": type_label(entry.object_type), "object": entry.object_repr}
    if entry.action == AuditEntry.Action.UPDATE:
        labels = [label for label, _key, _old, _new in reader.rows(entry)][:3]
        if labels:
            text += _(" (%(fields)s)") % {"fields": "、".join(labels)}
    return text


def _status_changed(entry) -> bool:
    before, after = entry.before or {}, entry.after or {}
    return "status" in after and before.get("status") != after.get("status")


def status_changes(user, limit: int) -> list:
    """The latest status changes of projects the user may see (from the audit log, which every
    change of a project passes through), whether or not the user may read the log itself."""
    since = timezone.now() - datetime.timedelta(days=RECENT_DAYS)  # the latest, not the whole log (millions of rows nationally)
    recent = (AuditEntry.objects.filter(object_type="projects.project", action=AuditEntry.Action.UPDATE, time__gte=since)
              .order_by("-time", "-id"))
    changed = [e for e in recent[: limit * 10] if _status_changed(e)]
    ids = {int(e.object_id) for e in changed if e.object_id.isdigit()}
    seen = {str(pk) for pk in visible(user, Project.objects.filter(pk__in=ids)).values_list("pk", flat=True)}
    return [e for e in changed if e.object_id in seen][:limit]


CANDIDATE_ACCOUNTS = 5000  # accounts whose latest entries are read for an office's latest postings


def latest_postings(user, limit: int) -> list:
    """The user's latest postings, newest first. Nationally the last ids. For an office, the
    postings are found from the latest entries of the accounts of its organisations (and of
    its projects when those do not give `limit`) — one probe of the (account, seq) index each —
    then kept by the scoping rule of `Posting` and ordered by id; a spending that touches only
    a project's account shows once its office's accounts have fewer recent postings. Before,
    the plain “visible, latest id first” walked the ledger's id index backwards until it met
    15 of the office's postings: at national scale, for an office whose latest posting lies
    millions of ids back, 5–15 seconds (bench/dashboard.py's east_office page timed out)."""
    from django.db import connection

    from xiezuo.ledger.models import Account

    fields = ("id", "kind", "amount_fen", "created_at")
    scope = scope_for(user)
    if scope.everything or connection.vendor != "postgresql":
        return list(visible(user, Posting.objects.all()).order_by("-id").only(*fields)[:limit])
    if not scope.active or scope.own is None:
        return []
    from xiezuo.core.arrays import filter_any
    from xiezuo.orgs.models import Organisation
    from xiezuo.projects.models import Project as _Project
    from xiezuo.regions.models import Region

    regions = list(Region.objects.filter(code__startswith=scope.own).values_list("id", flat=True))
    orgs = list(filter_any(Organisation.objects.all(), "region_id", regions).values_list("id", flat=True))
    found = []
    # the offices' own accounts first (arrivals, disbursements, allocations touch them); the
    # projects' accounts only when those do not fill the list (a western province has 18,000)
    for column, ids in (("owner_id", lambda: orgs),
                        ("project_id", lambda: list(filter_any(_Project.objects.all(), "county_id", regions).values_list("id", flat=True)))):
        ids = ids()
        if not ids:
            continue
        own = Account.objects.filter(project__isnull=True) if column == "owner_id" else Account.objects.all()
        accounts = sorted(filter_any(own, column, ids).values_list("id", flat=True), reverse=True)[:CANDIDATE_ACCOUNTS]
        if not accounts:
            continue
        with connection.cursor() as cur:
            cur.execute("""SELECT e.posting_id FROM unnest(%s::bigint[]) AS a (id)
                           CROSS JOIN LATERAL (SELECT posting_id, seq FROM ledger_entry WHERE account_id = a.id
                                               ORDER BY seq DESC LIMIT %s) AS e
                           ORDER BY e.seq DESC LIMIT %s""", [accounts, limit, limit * 20])
            candidates = sorted({row[0] for row in cur.fetchall()} | {p.pk for p in found})
        found = list(visible(user, Posting.objects.filter(id__in=candidates)).order_by("-id").only(*fields)[:limit])
        if len(found) >= limit:
            break
    return found


def latest(user, limit: int = 15) -> list[dict]:
    """The latest events the user may see, newest first, each {"time", "kind", "text"}: the
    pushed kinds (reports, postings, project status) for everyone who sees the dashboard, and
    the other changes of the audit log for those who may read it."""
    items = []
    reader = AuditReader(user)
    statuses = status_changes(user, limit)
    items += [{"time": e.time, "kind": "project", "text": entry_text(e, reader)} for e in statuses]
    reports = visible(user, ProgressReport.objects.all()).select_related("project").order_by("-id")[:limit]
    items += [{"time": r.reported_at, "kind": "reports", "text": report_text(r.project.code, r.project.name, r.percent)}
              for r in reports]
    postings = latest_postings(user, limit)
    items += [{"time": p.created_at, "kind": "ledger", "text": posting_text(p.kind, p.amount_fen)} for p in postings]
    if scope_for(user).active:
        shown = {e.pk for e in statuses}
        entries = audit_visible(user, AuditEntry.objects.exclude(object_type__in=_OWN_LINES))[:limit]
        items += [{"time": e.time, "kind": e.object_type, "text": entry_text(e, reader)} for e in entries if e.pk not in shown]
    items.sort(key=lambda x: x["time"], reverse=True)
    return items[:limit]

"""A closed quarter stays closed: its figures change only by an explicit restatement.

A period *closes* at its first computation after its last day (Beijing time) — normally the
night after, by the scheduled run; on a platform filled afterwards (an import, the demo
data), when it is first scored. That computation's figures are the period's figures.
Whatever is recorded later — a posting dated within the period but entered in December, an
output report sent late, an amended agreement, a milestone reported reached after the
close — does not change them: a later computation that finds other figures keeps them apart
on the score as a *pending restatement* (待重述), shown on the scorecard beside the figures
in force. Only the national coordinator's explicit restatement (重述, `restate`) puts the new
figures in force; it is audited and the score keeps every restatement made, with the old
and the new figures.

A computation "as of" a day within the period (a what-if, or a test replaying the past)
is not a closing one: it reopens the figures as of that day.
"""
import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xiezuo.core.errors import PermissionDenied, ValidationError

from .models import Score

# The score's own bookkeeping: everything else on a score is one of its figures and is kept
# as it was when the period closed (new figure fields added to Score are kept as well).
BOOKKEEPING = {"id", "system", "computation", "level", "subject_key", "region", "pairing", "west_prefix", "east_prefix",
               "period_kind", "period_start", "period_end", "period_label", "peer_group", "rank", "peers", "stale",
               "computed_at", "closed_at", "restatement", "restated"}


def figure_fields() -> list:
    return [f for f in Score._meta.concrete_fields if f.name not in BOOKKEEPING]


def _json(value):
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if value is None or isinstance(value, (int, str, dict, list, bool, float)):
        return value
    return str(value)  # Decimal


def figures_of(score) -> dict:
    return {f.name: _json(getattr(score, f.attname)) for f in figure_fields()}


def is_closing(period, window, as_of: datetime.date | None = None) -> bool:
    """Whether a computation closes (or recomputes a closed) period: it runs after the
    period's last day and counts up to that day."""
    day = as_of or timezone.localdate()
    return window.cut == period.end and day > period.end


def keep_closed(system, period, rows: list, now, *, closing: bool) -> None:
    """Before the rows of a computation are written: a subject whose period had closed
    keeps its figures, and what this computation found, when different, becomes its pending
    restatement; a subject scored for the first time since the close is closed now."""
    existing = {s.subject_key: s for s in Score.objects.filter(system=system, period_kind=period.kind,
                                                               period_start=period.start)}
    fields = figure_fields()
    for row in rows:
        old = existing.get(row.subject_key)
        row.restated = list(old.restated or []) if old is not None else []
        row.restatement = {}
        if not closing:
            row.closed_at = None
            continue
        if old is None or old.closed_at is None:
            row.closed_at = now
            continue
        row.closed_at = old.closed_at
        found = figures_of(row)
        if found == figures_of(old):
            continue
        row.restatement = {"computed_at": now.isoformat(), "figures": found}
        for f in fields:
            setattr(row, f.attname, getattr(old, f.attname))


def changes(score) -> list[dict]:
    """The indicators a pending restatement would change: [{code, old, new}] (values as
    text, None for no data), and the composite and grade."""
    pending = (score.restatement or {}).get("figures") or {}
    if not pending:
        return []
    out = []
    new_values = pending.get("values") or {}
    old_values = score.values or {}
    for code in list(dict.fromkeys(list(old_values) + list(new_values))):
        old = (old_values.get(code) or {}).get("value")
        new = (new_values.get(code) or {}).get("value")
        if old != new:
            out.append({"code": code, "old": old, "new": new})
    return out


def _set_figures(score, figures: dict) -> None:
    for f in figure_fields():
        if f.name in figures:
            setattr(score, f.attname, f.to_python(figures[f.name]) if figures[f.name] is not None else None)


def restate(user, score: Score) -> Score:
    """The national coordinator restates a closed scorecard: the pending figures come into
    force, the old and new figures are kept on the score and in the audit log, and the
    ranks of its peer group follow."""
    from .actions import may_change_indicators
    from .choices import Grade
    from .scoring import competition_ranks

    if not may_change_indicators(user):
        raise PermissionDenied(_("only the national coordinator may restate a closed scorecard"))
    with transaction.atomic():
        score = Score.objects.select_for_update().get(pk=score.pk)
        pending = (score.restatement or {}).get("figures")
        if not pending:
            raise ValidationError(_("this scorecard has no pending restatement"))
        old = figures_of(score)
        _set_figures(score, pending)
        now = timezone.now()
        entry = {"at": now.isoformat(), "by": getattr(user, "username", ""), "computed_at": score.restatement.get("computed_at"),
                 "old": old, "new": figures_of(score)}
        score.restated = list(score.restated or []) + [entry]
        score.restatement = {}
        score.save(update_fields=[f.name for f in figure_fields()] + ["restated", "restatement"])
        group = list(Score.objects.filter(system_id=score.system_id, period_kind=score.period_kind,
                                          period_start=score.period_start, peer_group=score.peer_group))
        # As in compute: an incomplete composite is shown but not ranked.
        ranked = {s.subject_key: None if s.grade == Grade.INCOMPLETE else s.composite for s in group}
        ranks = competition_ranks(ranked)
        size = sum(1 for v in ranked.values() if v is not None)
        moved = []
        for s in group:
            rank = ranks.get(s.subject_key)
            peers = size if rank is not None else None
            if (s.rank, s.peers) != (rank, peers):
                s.rank, s.peers = rank, peers
                moved.append(s)
        Score.objects.bulk_update(moved, ["rank", "peers"], batch_size=1000)
        _audit(user, score, old, entry["new"])
        score.refresh_from_db()
    return score


def _audit(user, score, old, new) -> None:
    from xiezuo.core.context import current_actor
    from xiezuo.core.models import AuditEntry

    actor = current_actor()
    who = user if getattr(user, "pk", None) else None
    west = score.region.code if score.region_id else (score.pairing.west_region.code if score.pairing_id else "")
    east = score.pairing.east_region.code if score.pairing_id else ""
    AuditEntry.objects.create(
        user=who, username=getattr(who, "username", "") or "", request_id=actor.request_id, via=actor.via,
        action=AuditEntry.Action.UPDATE, object_type="assessment.score", object_id=str(score.pk),
        object_repr=(_("restatement of %(score)s") % {"score": score})[:200], region_code=west[:6], other_region_code=east[:6],
        before=old, after=new)

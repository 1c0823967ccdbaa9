"""The closed loop (闭环管控): from results to consequences, and overdue orders one level up.

`apply_rules(period)` runs every active rule once:

* score rules (incentive, warning, restructuring proposal) look at the scores of `period`
  (rules whose period kind is the period's) and, for each subject whose grade there is the
  rule's grade, count how many consecutive periods back it has had that grade — the
  period's scorecard being the one of the newest version that scored it, as on the
  scorecard pages. Incentives and proposals are made once per streak (a streak that goes
  on does not make another); warnings once per period, at the level the streak reached;
* event rules (late milestones → rectification orders; no report, funds not arrived,
  professional left early → intervention tickets) look at the platform's rows as they
  stand on the evaluation day (`today`, or the end of a past period), once per row.

Every consequence is keyed (rule, key) and the key is unique, so running the rules twice
— or from two workers at once — creates nothing new.

`escalate_overdue(today)` moves each order that is past its deadline with no closure
submitted one office up (to that office's leading post), once per level: level 1 the day
after the deadline, level 2 when another `working_days` working days have passed, and so
on up to the national coordinator. Each step is an `OrderEscalation` row, so it is
recorded and never repeated.
"""
import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from xiezuo.core.money import format_yuan
from xiezuo.core.periods import Period, monday_of
from xiezuo.pairings.models import Pairing
from xiezuo.regions.models import Region
from xiezuo.rhythm import workdays
from xiezuo.rhythm.actions import ensure_lead_posts
from xiezuo.rhythm.models import Post

from . import offices
from .actions import create_consequences, escalate_overdue_orders
from .choices import ASSESSED_GRADES, SCORE_KINDS, RuleKind, Signal
from .models import (ConsequenceRule, Incentive, InterventionTicket, OrderEscalation, PerformanceWarning, RectificationOrder,
                     RestructuringProposal, Score)
from .rules import ensure_default_rules

LOOKBACK = 12  # periods looked back for a streak; a longer streak counts as this long


@dataclass
class Applied:
    """What one run created, and (not exported) the look-ups it has made so far: offices
    and posts per place, the keys each rule has used. A run touches thousands of rows at
    national scale; asking the database once per place instead of once per row is what
    keeps a run that finds nothing new cheap."""

    period: str
    created: dict = field(default_factory=lambda: defaultdict(int))
    skipped: list = field(default_factory=list)  # (rule code, reason) for rows that could not be placed
    _memo: dict = field(default_factory=dict, repr=False)

    @property
    def total(self) -> int:
        return sum(self.created.values())

    def as_dict(self) -> dict:
        return {"period": self.period, "created": dict(self.created), "total": self.total, "skipped": list(self.skipped)}

    def _cached(self, kind, key, make):
        box = self._memo.setdefault(kind, {})
        if key not in box:
            box[key] = make()
        return box[key]

    def _office_index(self) -> dict:
        """Every office by region and every region's parent, loaded once: the same walk up
        the tree as `offices.office_for_region`, in memory."""
        from xiezuo.orgs.models import Organisation

        by_region = {}
        for office in Organisation.objects.filter(kind="office").select_related("region").order_by("-id"):
            by_region[office.region_id] = office  # the lowest id wins, as in office_for_region
        return {"office": by_region, "parent": dict(Region.objects.values_list("id", "parent_id")), "ministry": offices.ministry()}

    def _office_from(self, node):
        index = self._cached("office_index", None, self._office_index)
        while node is not None:
            if node in index["office"]:
                return index["office"][node]
            node = index["parent"].get(node)
        return index["ministry"]

    def office(self, region):
        return self._office_from(getattr(region, "pk", None))

    def parent(self, office):
        """`offices.parent_office`, from the index."""
        if office.kind == "ministry":
            return None
        index = self._cached("office_index", None, self._office_index)
        return self._office_from(index["parent"].get(office.region_id))

    def issuer(self, owner, level):
        """`offices.issuer_for`, from the index."""
        from .choices import IssuerLevel

        index = self._cached("office_index", None, self._office_index)
        if owner.kind == "ministry":
            found = None
        elif level == IssuerLevel.NATIONAL:
            found = index["ministry"]
        elif level == IssuerLevel.PROVINCE:
            node = owner.region_id
            while index["parent"].get(node) is not None:
                node = index["parent"][node]
            found = self._office_from(node)
        else:
            found = self.parent(owner)
        if found is None or found.pk == owner.pk:
            found = self.parent(owner)
        return found

    def lead(self, office):
        leads = self._cached("leads", None, lambda: {p.office_id: p for p in Post.objects.filter(is_lead=True).order_by("-id")})
        if office.pk not in leads:
            leads.update(ensure_lead_posts(None, [office]))
        return leads[office.pk]

    def _officers(self) -> dict:
        """{(office id, project id): [(post, staffed)]} for every post in charge of a project,
        first created first: `offices.owner_post`'s look-up, loaded once per run."""
        staffed = set(Post.holders.through.objects.values_list("post_id", flat=True))
        found = defaultdict(list)
        for post in Post.objects.filter(projects__isnull=False).distinct().prefetch_related("projects").order_by("pk"):
            for project in post.projects.all():
                found[(post.office_id, project.pk)].append((post, post.pk in staffed))
        return found

    def owner(self, office, project=None):
        """(post, fallback) owning an item of `office` about `project`: `offices.owner_post`
        from the run's index."""
        from .models import OwnerFallback

        if project is None:
            return self.lead(office), OwnerFallback.NONE
        posts = self._cached("officers", None, self._officers).get((office.pk, getattr(project, "pk", project)), [])
        for post, staffed in posts:
            if staffed:
                return post, OwnerFallback.NONE
        return self.lead(office), OwnerFallback.VACANT if posts else OwnerFallback.NO_POST

    def keys(self, model, rule) -> set:
        return self._cached("keys", (model, rule.pk), lambda: set(model.objects.filter(rule=rule).values_list("key", flat=True)))

    def fired(self, model, rule) -> dict:
        """{subject: [period starts]} where this rule already made a `model`."""
        def make():
            out = defaultdict(list)
            for subject, start in model.objects.filter(rule=rule).values_list("subject_key", "period_start"):
                out[subject].append(start)
            return out

        return self._cached("fired", (model, rule.pk), make)


def _create(result: Applied, model, scores=(), **values):
    """Queue a consequence unless this rule has used the key; None when it has. The queue
    is written in bulk at the end of the run (`_flush`)."""
    rule = values["rule"]
    keys = result.keys(model, rule)
    if values["key"] in keys:
        return None
    if model is RestructuringProposal and _pairing_proposed(result, values.get("pairing")):
        return None
    made = model(**values)
    result._memo.setdefault("pending", {}).setdefault(model, []).append((made, list(scores)))
    keys.add(values["key"])
    if made.subject_key:
        result.fired(model, rule)[made.subject_key].append(made.period_start)
    result.created[rule.kind] += 1
    return made


def _pairing_proposed(result: Applied, pairing) -> bool:
    """A restructuring proposal is about a pairing, whichever score brought it: a county and
    its county pairing both poor are one proposal to decide, not two (the western province
    office saw each pairing twice). So while a proposal for the pairing waits for a decision,
    or one was queued in this run, another is not made; once decided, a streak that goes on
    may bring it again."""
    if pairing is None:
        return False
    from .choices import ProposalStatus

    pending = result._cached("proposed_pairings", None, lambda: set(
        RestructuringProposal.objects.filter(status=ProposalStatus.OPEN, pairing__isnull=False).values_list("pairing_id", flat=True)))
    if pairing.pk in pending:
        return True
    pending.add(pairing.pk)
    return False


def _flush(result: Applied):
    """Write the queued consequences through the action, in bulk."""
    create_consequences(None, result._memo.pop("pending", {}))


def _base(result: Applied, rule: ConsequenceRule, key: str, office, **extra) -> dict:
    """The fields every consequence has; its owner post by the rule of `offices` (the post
    in charge of the project it is about, else the office's leading post)."""
    post, fallback = result.owner(office, extra.get("project"))
    return dict(rule=rule, rule_revision=rule.revision, rule_snapshot=rule.snapshot(), key=key, owner_office=office,
                owner_post=post, owner_fallback=fallback, **extra)


# --- score rules ---------------------------------------------------------------------------


def _grades(kind: str, starts: list[datetime.date], subject_keys=None) -> dict:
    """{(subject, period start): Score} taking, per period, the newest version that scored it."""
    qs = Score.objects.filter(period_kind=kind, period_start__in=starts).select_related("system", "region").defer("facts", "values")
    if subject_keys is not None:
        qs = qs.filter(subject_key__in=list(subject_keys))
    found = {}
    for s in qs.order_by("system__number"):
        found[(s.subject_key, s.period_start)] = s  # later (newer version) wins
    return found


def _subject(result: Applied, score: Score):
    """(owner office, region, pairing) for a scored subject: a county's own office; for a
    pairing, the office of its western side (the side assessed for what it received)."""
    if score.region_id:
        return result.office(score.region), score.region, None
    pairing = result._memo["pairings"].get(score.pairing_id)
    return (result.office(pairing.west_region), None, pairing) if pairing else (None, None, None)


def _county_pairings(period: Period) -> dict:
    """{region id: its county–county pairing} for the pairings valid in the period (west
    side first), to name the pairing a county's restructuring proposal is about."""
    from .subjects import valid_pairings

    found = {}
    for p in valid_pairings(period).filter(kind="county").order_by("-id"):
        found[p.east_region_id] = p
    for p in valid_pairings(period).filter(kind="county").order_by("-id"):
        found[p.west_region_id] = p
    return found


def _score_evidence(scores: list[Score]) -> dict:
    return {"scores": [{"id": s.pk, "subject": s.subject_key, "period": s.period_label, "version": s.system.number,
                        "computation": s.computation_id, "composite": None if s.composite is None else str(s.composite),
                        "grade": s.grade, "rank": s.rank, "peers": s.peers} for s in scores]}


def _apply_score_rules(rules, period: Period, result: Applied):
    """Score rules look only at assessed grades: an incomplete composite (数据不全, coverage
    below `scoring.MIN_COVERAGE`) or a subject without one triggers nothing, and breaks a
    streak."""
    if not rules:
        return
    periods = [period]
    while len(periods) < LOOKBACK:
        periods.append(periods[-1].previous())
    current = _grades(period.kind, [period.start])
    candidates = {}
    for rule in rules:
        for (subject, _start), score in current.items():
            if score.grade not in ASSESSED_GRADES or score.grade != rule.grade:
                continue
            if rule.subject_level and score.level != rule.subject_level:
                continue
            candidates.setdefault(subject, score)
    if not candidates:
        return
    history = _grades(period.kind, [p.start for p in periods], candidates.keys())
    ids = {s.pairing_id for s in candidates.values() if s.pairing_id}
    result._memo["pairings"] = Pairing.objects.select_related("west_region", "east_region").in_bulk(ids)
    for rule in rules:
        for subject, score in sorted(candidates.items()):
            if score.grade != rule.grade or (rule.subject_level and score.level != rule.subject_level):
                continue
            streak = []
            for p in periods:
                s = history.get((subject, p.start))
                if s is None or s.grade != rule.grade:
                    break
                streak.append(s)
            _fire_score_rule(rule, period, score, streak, result)


def _fire_score_rule(rule, period: Period, score: Score, streak: list[Score], result: Applied):
    n = len(streak)
    label = score.get_grade_display()
    if rule.kind == RuleKind.WARNING:
        levels = list(rule.levels or [])
        level = sum(1 for threshold in levels if n >= threshold)
        if level == 0:
            return
        model, extra = PerformanceWarning, {"level": level}
        key = f"{score.subject_key}@{period.label}"
    else:
        if n < rule.count:
            return
        # Once per streak: nothing if this rule already fired inside the streak.
        first = streak[-1].period_start
        model = Incentive if rule.kind == RuleKind.INCENTIVE else RestructuringProposal
        if any(start and first <= start <= period.start for start in result.fired(model, rule).get(score.subject_key, ())):
            return
        extra = {"benefit": rule.benefit} if rule.kind == RuleKind.INCENTIVE else {}
        key = f"{score.subject_key}@{period.label}"
    if key in result.keys(model, rule):
        return
    office, region, pairing = _subject(result, score)
    if office is None:
        result.skipped.append((rule.code, f"no office answers for {score.subject_key}"))
        return
    if rule.kind == RuleKind.RESTRUCTURE:
        office = result.parent(office) or office  # the level that can change the pairing
        if pairing is None and region is not None:
            pairing = result._cached("county_pairings", period.label, lambda: _county_pairings(period)).get(region.pk)
    if not _first_in_period(result, model, period, score.subject_key, pairing if model is RestructuringProposal else None):
        return
    subject = region if region is not None else pairing  # the scored subject, by its name
    reason = ngettext("%(subject)s, %(period)s: graded “%(grade)s”, %(n)d period in a row",
                      "%(subject)s, %(period)s: graded “%(grade)s”, %(n)d periods in a row", n) % {
        "subject": subject if subject is not None else score.subject_key, "period": period.label, "grade": label, "n": n}
    _create(result, model, scores=streak, **_base(result, rule, key, office, region=region, pairing=pairing, subject_key=score.subject_key,
                                  period_kind=period.kind, period_start=period.start, period_label=period.label,
                                  reason=reason, evidence=_score_evidence(streak), streak=n, **extra))


def _first_in_period(result: Applied, model, period: Period, subject_key: str, pairing=None) -> bool:
    """One warning per subject and period, one incentive per subject and period, one
    proposal per subject and per pairing and period, however many rules fire: the office
    reads one item for one finding. A county, the county on the other side and their
    county pairing all graded poor are one proposal about that pairing, not three. Counts
    what earlier runs made for the period and what this run has queued."""
    def made():
        seen = set()
        for subject, pairing_id in (model.objects.filter(period_kind=period.kind, period_start=period.start)
                                    .values_list("subject_key", "pairing_id")):
            seen.add(("subject", subject))
            if model is RestructuringProposal and pairing_id:
                seen.add(("pairing", pairing_id))
        return seen

    seen = result._cached("period_findings", (model, period.kind, period.start), made)
    marks = [("subject", subject_key)] + ([("pairing", pairing.pk)] if pairing is not None else [])
    if any(m in seen for m in marks):
        return False
    seen.update(marks)
    return True


# --- event rules ---------------------------------------------------------------------------


def _late_milestones(rule, day: datetime.date, today: datetime.date, result: Applied):
    from xiezuo.projects.choices import Status
    from xiezuo.projects.models import Milestone

    cut = day - datetime.timedelta(days=rule.count)
    rows = (Milestone.objects.filter(actual_date__isnull=True, planned_date__lt=cut,
                                     project__status__in=(Status.PLANNED, Status.IN_PROGRESS, Status.SUSPENDED))
            .select_related("project__county", "project__pairing"))
    for m in rows.order_by("planned_date", "pk"):
        key = f"milestone:{m.pk}"
        if key in result.keys(RectificationOrder, rule):
            continue
        project = m.project
        owner = result.office(project.county)
        issuer = result.issuer(owner, rule.issuer_level) if owner else None
        if owner is None or issuer is None:
            result.skipped.append((rule.code, f"no office for {project.code}"))
            continue
        late = (day - m.planned_date).days
        try:
            deadline = workdays.add_working_days(today, rule.working_days)
        except workdays.CalendarNotCovered as exc:  # no order with a guessed deadline
            _skip(result, rule.code, str(exc))
            return
        _create(result, RectificationOrder, **_base(
            result, rule, key, owner, region=project.county, pairing=project.pairing, subject_key=f"region:{project.county.code}",
            reason=_("%(project)s #%(seq)s %(name)s: planned for %(planned)s, not reached on %(day)s (%(late)d days late)") % {
                "project": project.code, "seq": m.seq, "name": m.name, "planned": m.planned_date.isoformat(),
                "day": day.isoformat(), "late": late},
            evidence={"milestone": {"id": m.pk, "project": project.code, "seq": m.seq, "name": m.name,
                                    "planned_date": m.planned_date.isoformat(), "checked_on": day.isoformat(), "days_late": late}},
            title=f"{project.name} · {m.name}", project=project, milestone=m, issuer_office=issuer, issued_on=today,
            working_days=rule.working_days, deadline=deadline))


def _skip(result, code, why):
    if (code, why) not in result.skipped:
        result.skipped.append((code, why))


def _ticket(rule, key, place, result, **values):
    """A ticket for the office answering for `place`, unless this rule made one for `key`."""
    if key in result.keys(InterventionTicket, rule):
        return
    office = result.office(place)
    if office is None:
        result.skipped.append((rule.code, f"no office for {key}"))
        return
    today = values.pop("today")
    try:
        deadline = workdays.add_working_days(today, rule.working_days) if rule.working_days else None
    except workdays.CalendarNotCovered as exc:
        _skip(result, rule.code, str(exc))
        return
    _create(result, InterventionTicket, **_base(result, rule, key, office, deadline=deadline, **values))


def _no_report(rule, day, today, result):
    from xiezuo.projects.choices import Status
    from xiezuo.projects.models import Project

    monday = monday_of(day)
    since = monday - datetime.timedelta(weeks=rule.count)
    rows = (Project.objects.filter(status=Status.IN_PROGRESS)
            .filter(Q(actual_start__lt=since) | Q(actual_start__isnull=True, planned_start__lt=since))
            .filter(Q(last_report_week__isnull=True) | Q(last_report_week__lt=since))
            .select_related("county", "pairing"))
    for p in rows.order_by("pk"):
        last = p.last_report_week.isoformat() if p.last_report_week else "never"  # in the key: never translated
        _ticket(rule, f"project:{p.pk}:since:{last}", p.county, result, today=today,
                signal=Signal.NO_REPORT, project=p, region=p.county, pairing=p.pairing,
                subject_key=f"region:{p.county.code}",
                reason=_("%(project)s: last weekly report %(last)s, none since %(since)s (checked on %(day)s)") % {
                    "project": p.code, "last": last if p.last_report_week else _("never"), "since": since.isoformat(),
                    "day": day.isoformat()},
                evidence={"project": {"id": p.pk, "code": p.code, "last_report_week": None if p.last_report_week is None else last,
                                      "checked_on": day.isoformat(), "weeks": rule.count}})


def _arrival_overdue(rule, day, today, result):
    from xiezuo.ledger.dues import due_in_force
    from xiezuo.ledger.models import Posting

    cut = day - datetime.timedelta(days=rule.count)
    arrived = Posting.objects.filter(allocation=OuterRef("pk"), kind="arrival", reversal__isnull=True)
    rows = (Posting.objects.filter(kind="allocation", reversal__isnull=True).annotate(due=due_in_force())
            .filter(due__isnull=False, due__lt=cut)
            .exclude(Exists(arrived)).select_related("west_org__region", "agreement__pairing"))
    for a in rows.order_by("pk"):
        pairing = a.agreement.pairing if a.agreement_id else None
        region = a.west_org.region if a.west_org_id else None
        _ticket(rule, f"posting:{a.pk}", region, result, today=today, signal=Signal.ARRIVAL,
                posting=a, region=region,
                pairing=pairing, subject_key=f"pairing:{pairing.pk}" if pairing else "",
                reason=_("allocation #%(id)s of %(amount)s due by %(due)s, not arrived on %(day)s") % {
                    "id": a.pk, "amount": format_yuan(a.amount_fen), "due": a.due.isoformat(), "day": day.isoformat()},
                evidence={"posting": {"id": a.pk, "amount_fen": a.amount_fen, "due_date": a.due.isoformat(),
                                      "booked_on": a.booked_on.isoformat(), "checked_on": day.isoformat()}})


def _left_early(rule, day, period: Period, today, result):
    from xiezuo.people.models import Dispatch

    rows = (Dispatch.objects.exclude(kind="cadre").filter(actual_end__isnull=False, actual_end__lt=F("planned_end"),
                                                          actual_end__gte=period.start, actual_end__lte=day)
            .select_related("from_org__region", "to_org__region"))
    for d in rows.order_by("pk"):
        gap = (d.planned_end - d.actual_end).days
        if gap < rule.count:
            continue
        west = d.to_org if d.direction == "e2w" else d.from_org
        _ticket(rule, f"dispatch:{d.pk}", west.region, result, today=today, signal=Signal.LEFT_EARLY,
                dispatch=d, region=west.region, pairing=d.pairing,
                subject_key=f"region:{west.region.code}",
                reason=_("%(person)s (%(kind)s) left on %(left)s, term to %(end)s (%(gap)d days early)") % {
                    "person": d.person_name, "kind": d.get_kind_display(), "left": d.actual_end.isoformat(),
                    "end": d.planned_end.isoformat(), "gap": gap},
                evidence={"dispatch": {"id": d.pk, "person": d.person_name, "kind": d.kind, "planned_end": d.planned_end.isoformat(),
                                       "actual_end": d.actual_end.isoformat(), "days_early": gap}})


# --- the engine -----------------------------------------------------------------------------


def apply_rules(period: Period, *, today: datetime.date | None = None, codes=None) -> Applied:
    """Fire every active rule (or those named in `codes`) for `period`. Idempotent."""
    ensure_default_rules()
    today = today or timezone.localdate()
    try:
        return _apply(period, today, codes)
    except IntegrityError:  # another run wrote some of the same keys meanwhile: look again
        return _apply(period, today, codes)


def _apply(period: Period, today: datetime.date, codes) -> Applied:
    day = min(period.end, today)  # the evaluation day
    result = Applied(period.label)
    rules = ConsequenceRule.objects.filter(active=True).order_by("kind", "code")
    if codes is not None:
        rules = rules.filter(code__in=list(codes))
    rules = list(rules)
    with transaction.atomic():
        _apply_score_rules([r for r in rules if r.kind in SCORE_KINDS and r.period_kind == period.kind], period, result)
        for rule in rules:
            if rule.kind == RuleKind.LATE:
                _late_milestones(rule, day, today, result)
            elif rule.kind == RuleKind.NO_REPORT:
                _no_report(rule, day, today, result)
            elif rule.kind == RuleKind.ARRIVAL:
                _arrival_overdue(rule, day, today, result)
            elif rule.kind == RuleKind.LEFT_EARLY:
                _left_early(rule, day, period, today, result)
        _flush(result)
    return result


def escalate_overdue(today: datetime.date | None = None) -> list[OrderEscalation]:
    """Escalate every overdue order as far as it is due; idempotent (one row per level)."""
    return escalate_overdue_orders(None, today=today or timezone.localdate())

"""The weekly sheet's categories from the cooperation channels and the household registry.

Each category is a `Channel`: the side of the pairing whose offices act on it (a western
county answers its needs, checks its placed workers, sells its quota and runs its households'
cases; an eastern office chases the deliveries owed to its subscribers), the region a line
belongs to (for the sheet's groups), a set-based queryset over the office's part of the tree
and a line maker that reads one page of it with its joins (no query per line).

The ministry's office sees every category; an office sees those of its region's side.
No personal data beyond what the office's own pages show: a worker by name and masked ID
number, a household by its number and village only.
"""
import datetime
from dataclasses import dataclass
from typing import Callable

from django.db import models
from django.db.models import Exists, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xiezuo.core.money import format_yuan

NEED_DAYS = 30  # social help: a published need not taken up for this many days
UNSOLD_DAYS = 90  # land quota: a listing without any sale for this many days


@dataclass(frozen=True)
class Channel:
    key: str
    label: object
    side: str  # the region role ("west", "east") of the offices that act on it
    group_path: str  # the region code a line belongs to
    overdue: bool  # every line is past a due date
    queryset: Callable  # (office, week, as_of) -> QuerySet
    lines: Callable  # (qs, as_of, limit, offset) -> [Line]


def _late(due, as_of):
    return (as_of - due).days if due else None


def _end_of(day: datetime.date) -> datetime.datetime:
    """The last instant of a Beijing day."""
    return datetime.datetime.combine(day, datetime.time.max, tzinfo=timezone.get_default_timezone())


# --- social help: needs unanswered for 30 days ----------------------------------------------


def unanswered_needs(office, week, as_of):
    """Needs published at least 30 days before the sheet's day and not taken up by then."""
    from xiezuo.social.choices import NeedStatus
    from xiezuo.social.models import Need

    from .sheets import in_office

    qs = (Need.objects.filter(published_at__lte=_end_of(as_of - datetime.timedelta(days=NEED_DAYS)))
          .exclude(status__in=(NeedStatus.RECORDED, NeedStatus.RETURNED))
          .filter(Q(taken_at__isnull=True) | Q(taken_at__gt=_end_of(as_of))))
    return in_office(office, qs).order_by("published_at", "id")


def _need_lines(qs, as_of, limit, offset=0):
    from .sheets import Line, link

    out = []
    for n in qs.select_related("county").only("id", "village", "category", "budget_fen", "beneficiaries", "published_at",
                                               "county__name")[offset:offset + limit]:
        published = timezone.localtime(n.published_at).date()
        due = published + datetime.timedelta(days=NEED_DAYS)
        out.append(Line(title=_("need #%(id)s %(village)s · %(category)s") % {"id": n.pk, "village": n.village,
                                                                             "category": n.get_category_display()},
                        detail=_("published on %(date)s, budget %(budget)s for %(n)s beneficiaries; not taken up") % {
                            "date": published, "budget": format_yuan(n.budget_fen), "n": n.beneficiaries},
                        url=link("social-need-detail", n.pk), date=due, days_late=_late(due, as_of), region=n.county.name))
    return out


# --- labour: placements past a missed retention check ------------------------------------


def missed_retention(office, week, as_of):
    """Placements of the office's workers (their registering county checks them) past a missed
    3-, 6- or 12-month retention check (`labour.filtersets.missed_checks`: the stored day of
    the next check owed for the current sheet, the facts for a past week), the office's scope
    inside the query so that an office's sheet reads its own placements only."""
    from xiezuo.labour.filtersets import missed_checks

    from .sheets import office_scope

    scope = office_scope(office)
    return missed_checks(scope.q(("county__code",), False), as_of, counties=scope.own or "").order_by("start_date", "id")


def _placement_lines(qs, as_of, limit, offset=0):
    from xiezuo.labour.choices import MILESTONES
    from xiezuo.labour.filtersets import GRACE_DAYS
    from xiezuo.labour.models import Placement, RetentionCheck, add_months

    from .sheets import Line, link

    # the page's ids first (placements alone), then their rows with the joins: joined at once,
    # the planner may read every worker before it cuts the page
    ids = list(qs.values_list("pk", flat=True)[offset:offset + limit])
    rows = list(Placement.objects.filter(pk__in=ids).select_related("worker", "employer", "county")
                .only("id", "start_date", "end_date", "worker__name", "worker__id_masked", "employer__name", "county__name")
                .order_by("start_date", "id"))
    done = set(RetentionCheck.objects.filter(placement__in=[p.pk for p in rows], checked_on__lte=as_of)
               .values_list("placement_id", "milestone"))
    out = []
    for p in rows:
        due = None
        for m in MILESTONES:
            day = add_months(p.start_date, m)
            if (p.pk, m) not in done and day <= as_of - datetime.timedelta(days=GRACE_DAYS) and (p.end_date is None or p.end_date >= day):
                due, months = day, m
                break
        detail = (_("placed with %(employer)s on %(start)s; the %(m)s-month retention check was due on %(due)s") % {
            "employer": p.employer.name, "start": p.start_date, "m": months, "due": due} if due else
            _("placed with %(employer)s on %(start)s; a retention check is missing") % {"employer": p.employer.name, "start": p.start_date})
        out.append(Line(title=f"{p.worker.name} · {p.worker.id_masked}", detail=detail, url=link("labour-placement-detail", p.pk),
                        date=due, days_late=_late(due, as_of), region=p.county.name))
    return out


# --- markets: land quota unsold for 90 days, carbon subscriptions behind delivery --------------


def unsold_listings(office, week, as_of):
    """Quota listed at least 90 days before the sheet's day with no sale by then."""
    from xiezuo.markets.choices import ListingStatus
    from xiezuo.markets.models import QuotaListing, QuotaTrade

    from .sheets import in_office

    sold = QuotaTrade.objects.filter(listing=OuterRef("pk"), traded_on__lte=as_of)
    qs = (QuotaListing.objects.exclude(status=ListingStatus.WITHDRAWN)
          .filter(listed_on__lte=as_of - datetime.timedelta(days=UNSOLD_DAYS)).filter(~Exists(sold)))
    return in_office(office, qs).order_by("listed_on", "id")


def _listing_lines(qs, as_of, limit, offset=0):
    from .sheets import Line, link

    out = []
    for q in qs.select_related("county", "seller").only("id", "code", "land_class", "area_u", "listed_on", "county__name",
                                                         "seller__name")[offset:offset + limit]:
        due = q.listed_on + datetime.timedelta(days=UNSOLD_DAYS)
        out.append(Line(title=f"{q.code} · {q.get_land_class_display()}",
                        detail=_("%(area)s mu listed by %(seller)s on %(date)s; no sale") % {
                            "area": f"{q.area_u / 10_000:,.4f}", "seller": q.seller.name, "date": q.listed_on},
                        url=link("markets-land-detail", q.pk), date=due, days_late=_late(due, as_of), region=q.county.name))
    return out


def behind_delivery(office, week, as_of):
    """Subscriptions of the office's subscribers delivered less than their share of the tonnes
    issued since they were signed (up to the tonnes subscribed). The share due is
    floor(issued × share / 100); delivered < due is compared without a division."""
    from xiezuo.markets.models import Subscription

    from .sheets import office_scope

    qs = (Subscription.objects.filter(office_scope(office).q(("subscriber__region__code",), False), signed_on__lte=as_of)
          .filter(delivered_t__lt=F("tonnes"), share_pct__gt=0)
          .alias(owed_x100=_issued(as_of) * F("share_pct")).filter(owed_x100__gte=(F("delivered_t") + 1) * 100))
    return qs.order_by("signed_on", "id")


def _issued(as_of):
    """Tonnes issued to a subscription's project from its signing to `as_of`: read through the
    project's blocks (indexed by project, their moves by block), one correlated sum."""
    from xiezuo.markets.choices import Movement
    from xiezuo.markets.models import CarbonBlock

    issued = (CarbonBlock.objects.filter(project=OuterRef("project_id"), moves__kind=Movement.ISSUE,
                                         moves__on__gte=OuterRef("signed_on"), moves__on__lte=as_of)
              .order_by().values("project").annotate(s=Sum("moves__units")).values("s"))
    return Coalesce(Subquery(issued), Value(0), output_field=models.BigIntegerField())


def _subscription_lines(qs, as_of, limit, offset=0):
    from .sheets import Line, link

    out = []
    for s in qs.annotate(issued_t=_issued(as_of)).select_related("subscriber__region", "project").only(
            "id", "tonnes", "delivered_t", "share_pct", "signed_on", "project__code", "project__name", "subscriber__name",
            "subscriber__region__name")[offset:offset + limit]:
        due = min(s.tonnes, s.issued_t * s.share_pct // 100)
        out.append(Line(title=f"{s.subscriber.name} · {s.project.code} {s.project.name}",
                        detail=_("%(delivered)s t delivered of %(due)s t due (%(share)s%% of the issuances; %(tonnes)s t subscribed on %(signed)s)") % {
                            "delivered": f"{s.delivered_t:,}", "due": f"{due:,}", "share": s.share_pct, "tonnes": f"{s.tonnes:,}",
                            "signed": s.signed_on},
                        url=link("markets-carbon-detail", s.project_id), region=s.subscriber.region.name))
    return out


# --- households: clues past their deadline, households without help ------------------------


def overdue_cases(office, week, as_of):
    """Identification and exit cases still open whose current step was due before the sheet's day."""
    from xiezuo.households.choices import Step
    from xiezuo.households.models import Case

    from .sheets import in_office

    qs = Case.objects.exclude(step=Step.CLOSED).filter(step_due__lt=as_of)
    return in_office(office, qs).order_by("step_due", "id")


def _case_lines(qs, as_of, limit, offset=0):
    from xiezuo.households.models import CaseStep

    from .sheets import Line, link

    last_post = CaseStep.objects.filter(case=OuterRef("pk")).order_by("-done_on", "-id").values("post")[:1]
    out = []
    for c in (qs.select_related("household__village", "household__county").annotate(last_post=Subquery(last_post))
              .only("id", "kind", "step", "step_due", "clue_on", "household__id", "household__number", "household__village__name",
                    "household__county__name")[offset:offset + limit]):
        hh = c.household
        detail = _("%(kind)s: %(step)s due on %(due)s; clue of %(clue)s") % {
            "kind": c.get_kind_display(), "step": c.get_step_display(), "due": c.step_due, "clue": c.clue_on}
        if c.last_post:
            detail += " · " + _("last step by %(post)s") % {"post": c.last_post}
        url = link("households-detail", hh.pk)
        out.append(Line(title=f"{hh.number or '#%s' % hh.pk} · {hh.village.name}", detail=detail,
                        url=f"{url}#case-{c.pk}" if url else "", date=c.step_due, days_late=_late(c.step_due, as_of),
                        region=hh.county.name))
    return out


def without_help(office, week, as_of):
    """Monitored households (identified, or with their exit under review) with no help measure
    in force on the sheet's day (`households.figures.without_help_households`, the one
    definition the figures page uses too)."""
    from xiezuo.households.figures import without_help_households

    from .sheets import in_office

    return in_office(office, without_help_households(as_of))


def _household_lines(qs, as_of, limit, offset=0):
    from .sheets import Line, link

    out = []
    for h in qs.select_related("village", "county").only("id", "number", "category", "status", "identified_on", "village__name",
                                                          "county__name")[offset:offset + limit]:
        detail = _("%(category)s, %(status)s since %(date)s; no help measure in force") % {
            "category": h.get_category_display() or "—", "status": h.get_status_display(), "date": h.identified_on or "—"}
        out.append(Line(title=f"{h.number or '#%s' % h.pk} · {h.village.name}", detail=detail, url=link("households-detail", h.pk),
                        date=h.identified_on, region=h.county.name))
    return out


CHANNELS = (
    Channel("needs", gettext_lazy("Social help needs unanswered for 30 days"), "west", "county__code", True,
            unanswered_needs, _need_lines),
    Channel("retention", gettext_lazy("Placed workers past a missed retention check"), "west", "county__code", True,
            missed_retention, _placement_lines),
    Channel("listings", gettext_lazy("Land quota listings unsold for 90 days"), "west", "county__code", True,
            unsold_listings, _listing_lines),
    Channel("subscriptions", gettext_lazy("Carbon sink subscriptions behind delivery"), "east", "subscriber__region__code", False,
            behind_delivery, _subscription_lines),
    Channel("clues", gettext_lazy("Household clues past their deadline"), "west", "household__county__code", True,
            overdue_cases, _case_lines),
    Channel("nohelp", gettext_lazy("Monitored households without help"), "west", "county__code", False,
            without_help, _household_lines),
)


def channels_for(office) -> tuple:
    """The channel categories the office acts on: all for the ministry, else its region's side."""
    from xiezuo.orgs.choices import OrgKind

    if office.kind == OrgKind.MINISTRY:
        return CHANNELS
    role = getattr(office.region, "role", "")
    return tuple(c for c in CHANNELS if c.side == role)

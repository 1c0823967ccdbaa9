"""Writes of the rhythm: posts, consultations (agenda, minutes, decisions), escalation, plans.

Each validates fully, checks permission, then writes, so a refused call changes nothing;
the models are audited, so every change lands in the audit log whatever path made it.
"""
import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xiezuo.core.audit import record_created
from xiezuo.core.context import acting, action
from xiezuo.core.errors import PermissionDenied, ValidationError, field_error
from xiezuo.orgs.choices import OrgKind
from xiezuo.orgs.models import Organisation

from . import sheets
from .models import (AcceptanceResult, ActionItem, AgendaItem, CalendarDay, CalendarYear, Consultation, ConsultationStatus, Plan,
                     PlanAcceptance, PlanAdjustment, PlanEvaluation, PlanStatus, Post, Rating)
from .permissions import OFFICE_KINDS, can_close_action, can_edit_plan, can_manage_posts, can_run_consultation

AGENDA_LINES_PER_POINT = 10
AGENDA_MAX_ITEMS = 50


def _text(value, field, errors, *, required=True, max_length=None):
    value = (value or "").strip()
    if required and not value:
        errors[field] = [_("this field is required")]
    elif max_length and len(value) > max_length:
        errors[field] = [_("at most %(n)s characters") % {"n": max_length}]
    return value


def _is_date(value) -> bool:
    return isinstance(value, datetime.date) and not isinstance(value, datetime.datetime)


def _raise(errors):
    if errors:
        raise ValidationError(errors)


# --- posts --------------------------------------------------------------------------


@action
def save_post(user, instance: Post | None = None, *, office=None, name="", duties="", holders=(), is_lead=False,
              projects=None) -> Post:
    """Create or change a post of an office: its name, duties, holders, whether it leads, and
    the projects it is in charge of (项目专管岗; None leaves them as they are).

    Holders must act for the office itself, so a post's items reach only its own staff;
    an office has at most one leading post, the one escalations land on; a post is in charge
    only of projects in its office's area, where the office answers for them."""
    errors = {}
    if instance is not None:
        office = instance.office
    if not isinstance(office, Organisation) or office.kind not in OFFICE_KINDS:
        errors["office"] = [_("posts belong to a cooperation office")]
    name = _text(name, "name", errors, max_length=100)
    duties = (duties or "").strip()
    holders = list(holders or [])
    _raise(errors)
    if not can_manage_posts(user, office):
        raise PermissionDenied(_("you may not set the posts of %(office)s") % {"office": office})
    others = Post.objects.filter(office=office).exclude(pk=getattr(instance, "pk", None))
    if others.filter(name=name).exists():
        errors["name"] = [_("%(office)s already has a post “%(name)s”") % {"office": office, "name": name}]
    if is_lead and others.filter(is_lead=True).exists():
        lead = others.get(is_lead=True)
        errors["is_lead"] = [_("“%(post)s” is already the leading post of this office") % {"post": lead.name}]
    User = get_user_model()
    members = set(User.objects.filter(profile__organisation=office).values_list("pk", flat=True))
    strangers = [u for u in holders if u.pk not in members]
    if strangers:
        errors["holders"] = [_("%(users)s do not act for %(office)s") % {
            "users": "、".join(u.username for u in strangers), "office": office}]
    if projects is not None:
        projects = list(projects)
        outside = [p for p in projects if office.kind != OrgKind.MINISTRY and not p.county.code.startswith(office.region.prefix)]
        if outside:
            errors["projects"] = [_("%(projects)s are not in the area of %(office)s") % {
                "projects": "、".join(p.code for p in outside[:5]), "office": office}]
    _raise(errors)
    post = Post.objects.select_for_update().get(pk=instance.pk) if instance is not None else Post(office=office)
    before = _post_links(post) if post.pk else None
    post.name, post.duties, post.is_lead = name, duties, bool(is_lead)
    post.save()
    post.holders.set(holders)
    if projects is not None:
        post.projects.set(projects)
    after = _post_links(post)
    if before is not None and before != after:
        _record_links(post, before, after)
    elif before is None and any(after.values()):
        _record_links(post, {"holders": [], "projects": []}, after)
    return post


def _post_links(post) -> dict:
    """Who holds the post and which projects it is in charge of, as the audit log keeps them."""
    return {"holders": sorted(post.holders.values_list("username", flat=True)),
            "projects": sorted(post.projects.values_list("code", flat=True))}


def _record_links(post, before, after):
    """The audit entry for a change of holders or projects: many-to-many links send no save
    signal, so the action records them itself."""
    from xiezuo.core.audit import record_update

    record_update(post, before, after)


LEAD_POST_NAME = "协作办负责人"  # stored data (the post's name), like other organisation data
LEAD_POST_DUTIES = "接收本办未指派及逾期上报的整改、预警和干预事项。"


@action
def ensure_lead_posts(user, offices) -> dict:
    """{office id: leading post} for the given offices, making the missing ones.

    Items (orders, warnings, tickets, escalations) land on an office's leading post. An office
    with none gets one the first time an item needs it: its post named 协作办负责人 if it has
    one, else a new post of that name; the office admin then assigns holders on the posts
    page. The system makes it, for any office, so no permission is asked; the new posts are
    audited like any other."""
    offices = {o.pk: o for o in offices}
    found = {p.office_id: p for p in Post.objects.filter(office_id__in=offices, is_lead=True).order_by("-id")}
    missing = set(offices) - set(found)
    if missing:
        for post in Post.objects.filter(office_id__in=missing, name=LEAD_POST_NAME).order_by("-id"):
            post.is_lead = True
            post.save(update_fields=["is_lead"])
            found[post.office_id] = post
        new = [Post(office=offices[pk], name=LEAD_POST_NAME, duties=LEAD_POST_DUTIES, is_lead=True)
               for pk in sorted(missing - set(found))]
        if new:
            Post.objects.bulk_create(new)
            record_created(new)
            found.update({p.office_id: p for p in new})
    return found


# --- the working-day calendar -------------------------------------------------------


@action
def enter_holiday_arrangement(user, *, year: int, source: str, days) -> CalendarYear:
    """Enter (or replace) a year's official holiday arrangement: `days` are (date, is working,
    name) for the days that differ from Monday–Friday work. Only the national coordinator, or
    the system (a command run on the server: user None), sets the country's calendar."""
    from xiezuo.core.scoping import scope_for

    from .workdays import forget_entered_years

    if user is not None and scope_for(user).role != "national":
        raise PermissionDenied(_("only the national coordinator enters the official holiday arrangements"))
    errors = {}
    if not (source or "").strip():
        errors["source"] = [_("name the State Council notice the days come from")]
    wrong_year = sorted(str(d) for d, _w, _n in days if d.year != year)
    if wrong_year:
        errors["days"] = [_("not in %(year)d: %(days)s") % {"year": year, "days": ", ".join(wrong_year[:5])}]
    _raise(errors)
    arrangement, _created = CalendarYear.objects.update_or_create(year=year, defaults={"source": source.strip()})
    arrangement.days.all().delete()
    for day, working, name in days:
        CalendarDay.objects.create(arrangement=arrangement, date=day, is_working=working, name=name)
    transaction.on_commit(forget_entered_years)
    forget_entered_years()
    return arrangement


# --- consultations ------------------------------------------------------------------


def _first_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


@action
def create_consultation(user, *, office, month, meeting_date, title="", is_demo=False) -> Consultation:
    """Schedule an office's consultation of a month; the meeting is held within that month."""
    errors = {}
    if not isinstance(office, Organisation) or office.kind not in OFFICE_KINDS:
        errors["office"] = [_("consultations are held by a cooperation office")]
    if not _is_date(month):
        errors["month"] = [_("a month is required")]
    if not _is_date(meeting_date):
        errors["meeting_date"] = [_("a date is required")]
    title = _text(title, "title", errors, required=False, max_length=200)
    _raise(errors)
    month = _first_of_month(month)
    if _first_of_month(meeting_date) != month:
        errors["meeting_date"] = [_("the meeting of %(month)s is held in that month") % {"month": f"{month:%Y-%m}"}]
    _raise(errors)
    if not can_run_consultation(user, office):
        raise PermissionDenied(_("you may not hold consultations for %(office)s") % {"office": office})
    if Consultation.objects.filter(office=office, month=month).exists():
        raise field_error("month", _("%(office)s already has a consultation for %(month)s") % {"office": office, "month": f"{month:%Y-%m}"})
    title = title or _("%(office)s monthly consultation %(month)s") % {"office": office.name, "month": f"{month:%Y-%m}"}
    return Consultation.objects.create(office=office, month=month, meeting_date=meeting_date, title=title, is_demo=is_demo)


def _check_run(user, consultation):
    if not can_run_consultation(user, consultation.office):
        raise PermissionDenied(_("you may not change the consultations of %(office)s") % {"office": consultation.office})


@action
def compile_agenda(user, consultation: Consultation, *, today: datetime.date | None = None) -> list[AgendaItem]:
    """(Re)compile the agenda from the office's weekly sheet and its open items.

    One point per sheet category that has lines (with its count and the first lines), then
    one point per open item (orders, warnings, earlier decisions). Allowed until the
    meeting is held; afterwards the agenda is the record of what was discussed."""
    _check_run(user, consultation)
    consultation = Consultation.objects.select_for_update().select_related("office__region").get(pk=consultation.pk)
    if consultation.status == ConsultationStatus.HELD:
        raise field_error("agenda", _("the meeting was held; its agenda is no longer recompiled"))
    today = today or timezone.localdate()
    week = sheets.monday_of(today)
    sheet = sheets.compile_sheet(consultation.office, week, limit=max(AGENDA_LINES_PER_POINT, AGENDA_MAX_ITEMS), today=today)
    sheet_url = sheets.link("weekly-sheet") + f"?office={consultation.office_id}&week={sheet.label}"
    points = []
    for cat in sheet.categories:
        if cat.key == "items" or not cat.count:
            continue
        detail = "\n".join(f"{ln.title} — {ln.detail}" for ln in cat.lines[:AGENDA_LINES_PER_POINT])
        if cat.count > AGENDA_LINES_PER_POINT:
            detail += "\n" + _("… and %(n)s more on the weekly sheet") % {"n": cat.count - AGENDA_LINES_PER_POINT}
        points.append(dict(kind=str(_("weekly sheet")), title=f"{cat.label}（{cat.count}）", detail=detail, count=cat.count,
                           url=sheet_url))
    for line in sheet.category("items").lines[:AGENDA_MAX_ITEMS]:
        points.append(dict(kind=line.detail.split(" · ")[0], title=line.title[:300], detail=line.detail, count=1, url=line.url))
    consultation.agenda.all().delete()
    made = AgendaItem.objects.bulk_create([AgendaItem(consultation=consultation, seq=i, **p) for i, p in enumerate(points, start=1)])
    consultation.agenda_compiled_at = timezone.now()
    consultation.save(update_fields=["agenda_compiled_at"])
    return made


@action
def record_minutes(user, consultation: Consultation, *, minutes: str, held: bool = True) -> Consultation:
    errors = {}
    minutes = _text(minutes, "minutes", errors, required=held)
    _raise(errors)
    _check_run(user, consultation)
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    consultation.minutes = minutes
    if held:
        consultation.status = ConsultationStatus.HELD
    consultation.save()
    return consultation


def _posts_in_office_tree(office):
    return sheets.office_posts(office)


@action
def add_action_item(user, consultation: Consultation, *, decision, owner_post, deadline=None, working_days=None) -> ActionItem:
    """Record a decision as an action item: an owner post of the consultation's office (or
    an office below it) and a deadline on or after the meeting — given as a date, or as a
    number of working days after the meeting on the official holiday calendar."""
    from .workdays import CalendarNotCovered, add_working_days

    errors = {}
    decision = _text(decision, "decision", errors, max_length=300)
    if not isinstance(owner_post, Post):
        errors["owner_post"] = [_("an owner post is required")]
    elif not _posts_in_office_tree(consultation.office).filter(pk=owner_post.pk).exists():
        errors["owner_post"] = [_("“%(post)s” is a post of %(other)s, not of %(office)s or an office below it") % {
            "post": owner_post.name, "other": owner_post.office, "office": consultation.office}]
    if working_days not in (None, ""):
        if isinstance(working_days, bool) or not isinstance(working_days, int) or working_days < 1:
            errors["working_days"] = [_("a whole number of working days, at least 1")]
        elif deadline is not None:
            errors["working_days"] = [_("give a deadline or a number of working days, not both")]
        else:
            try:
                deadline = add_working_days(consultation.meeting_date, working_days)
            except CalendarNotCovered as exc:
                errors["working_days"] = [str(exc)]
    if "working_days" not in errors:
        if deadline is None:
            errors["deadline"] = [_("a deadline is required")]
        elif not _is_date(deadline):
            errors["deadline"] = [_("a date is required")]
        elif deadline < consultation.meeting_date:
            errors["deadline"] = [_("the deadline %(d)s is before the meeting on %(m)s") % {"d": deadline, "m": consultation.meeting_date}]
    _raise(errors)
    _check_run(user, consultation)
    return ActionItem.objects.create(consultation=consultation, decision=decision, owner_post=owner_post, deadline=deadline)


@action
def complete_action_item(user, item: ActionItem, *, done_on, note) -> ActionItem:
    """Close an action item with the evidence of what was done."""
    errors = {}
    note = _text(note, "done_note", errors)
    if not _is_date(done_on):
        errors["done_on"] = [_("a date is required")]
    elif done_on > timezone.localdate():
        errors["done_on"] = [_("the date is in the future")]
    elif done_on < item.consultation.meeting_date:
        errors["done_on"] = [_("the item was decided on %(d)s") % {"d": item.consultation.meeting_date}]
    _raise(errors)
    if not can_close_action(user, item):
        raise PermissionDenied(_("only the holders of “%(post)s” or the office that decided it close this item") % {"post": item.owner_post.name})
    item = ActionItem.objects.select_for_update().get(pk=item.pk)
    if item.done_on is not None:
        raise field_error("done_on", _("this item was already closed on %(d)s") % {"d": item.done_on})
    item.done_on, item.done_note = done_on, note
    item.save()
    return item


# --- escalation ---------------------------------------------------------------------


def parent_lead_post(office) -> Post | None:
    """The leading post one level up: of the nearest office above `office` in the region
    tree that has a leading post, or the national coordinator's leading post above a
    province. None for the national coordinator's own office."""
    if office.kind == OrgKind.MINISTRY:
        return None
    ancestors = [r.pk for r in reversed(office.region.ancestors())]
    leads = {p.office.region_id: p for p in Post.objects.filter(is_lead=True, office__kind=OrgKind.OFFICE,
                                                                 office__region_id__in=ancestors).select_related("office")}
    for region_id in ancestors:
        if region_id in leads:
            return leads[region_id]
    return Post.objects.filter(is_lead=True, office__kind=OrgKind.MINISTRY).order_by("pk").first()


def escalate_overdue(*, today: datetime.date | None = None) -> dict:
    """Hand every open action item past its deadline to the leading post one level up.

    Idempotent: an item is escalated once (`escalated_to` set); a second run on the same
    day, or any later day, leaves it. Returns {"escalated": [...], "nowhere": [...]}."""
    today = today or timezone.localdate()
    out = {"escalated": [], "nowhere": []}
    with acting(via="command"), transaction.atomic():
        due = (ActionItem.objects.select_for_update(of=("self",)).filter(done_on__isnull=True, deadline__lt=today, escalated_to__isnull=True)
               .select_related("owner_post__office__region").order_by("id"))
        for item in due:
            target = parent_lead_post(item.owner_post.office)
            if target is None or target.pk == item.owner_post_id:
                out["nowhere"].append(item)
                continue
            item.escalated_to, item.escalated_on = target, today
            item.save(update_fields=["escalated_to", "escalated_on"])
            out["escalated"].append(item)
    return out


# --- plans --------------------------------------------------------------------------


def _year(value, field, errors):
    if isinstance(value, bool) or not isinstance(value, int) or not 2000 <= value <= 2100:
        errors[field] = [_("a year between 2000 and 2100")]
        return False
    return True


def _plan_fields(errors, *, title, start_year, end_year, goals):
    title = _text(title, "title", errors, max_length=200)
    goals = _text(goals, "goals", errors)
    if _year(start_year, "start_year", errors) & _year(end_year, "end_year", errors):
        if end_year < start_year:
            errors["end_year"] = [_("the last year is before the first year")]
        elif end_year - start_year > 9:
            errors["end_year"] = [_("a plan spans at most ten years")]
    return title, goals


@action
def create_plan(user, *, pairing, title, start_year, end_year, goals, is_demo=False) -> Plan:
    errors = {}
    from xiezuo.pairings.models import Pairing

    if not isinstance(pairing, Pairing):
        errors["pairing"] = [_("a pairing is required")]
    title, goals = _plan_fields(errors, title=title, start_year=start_year, end_year=end_year, goals=goals)
    _raise(errors)
    if not can_edit_plan(user, pairing):
        raise PermissionDenied(_("you may not keep the plans of %(pairing)s") % {"pairing": pairing})
    return Plan.objects.create(pairing=pairing, title=title, start_year=start_year, end_year=end_year, goals=goals, is_demo=is_demo)


def _check_plan(user, plan, errors):
    if not can_edit_plan(user, plan.pairing):
        raise PermissionDenied(_("you may not keep the plans of %(pairing)s") % {"pairing": plan.pairing})
    if plan.status in (PlanStatus.ACCEPTED, PlanStatus.REJECTED):
        errors["__all__"] = [_("the plan has had its final acceptance; it is closed")]


@action
def evaluate_plan(user, plan: Plan, *, year, rating, summary, evaluated_on) -> PlanEvaluation:
    """The annual evaluation of one year of the plan, made after that year has begun."""
    errors = {}
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    _check_plan(user, plan, errors)
    summary = _text(summary, "summary", errors)
    if rating not in Rating.values:
        errors["rating"] = [_("choose a rating")]
    if not _is_date(evaluated_on):
        errors["evaluated_on"] = [_("a date is required")]
    if _year(year, "year", errors):
        if year not in plan.years:
            errors["year"] = [_("the plan runs %(a)s–%(b)s") % {"a": plan.start_year, "b": plan.end_year}]
        elif _is_date(evaluated_on) and evaluated_on.year < year:
            errors["evaluated_on"] = [_("a year is evaluated once it has begun")]
        elif plan.evaluations.filter(year=year).exists():
            errors["year"] = [_("%(year)s has already been evaluated") % {"year": year}]
    _raise(errors)
    return PlanEvaluation.objects.create(plan=plan, year=year, rating=rating, summary=summary, evaluated_on=evaluated_on)


PLAN_ADJUSTABLE = ("title", "end_year", "goals")


@action
def adjust_plan(user, plan: Plan, *, reason, adjusted_on, **changes) -> PlanAdjustment:
    """The mid-term adjustment: once, inside the plan's years, with a reason; keeps the
    title, last year and goals as they were before and as they are after."""
    errors = {}
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    _check_plan(user, plan, errors)
    unknown = set(changes) - set(PLAN_ADJUSTABLE)
    if unknown:
        errors.update({f: [_("unknown field")] for f in unknown})
    reason = _text(reason, "reason", errors)
    before = {f: getattr(plan, f) for f in PLAN_ADJUSTABLE}
    after = {**before, **{k: v for k, v in changes.items() if k in PLAN_ADJUSTABLE}}
    title, goals = _plan_fields(errors, title=after["title"], start_year=plan.start_year, end_year=after["end_year"], goals=after["goals"])
    after.update(title=title, goals=goals)
    if not _is_date(adjusted_on):
        errors["adjusted_on"] = [_("a date is required")]
    elif adjusted_on.year not in plan.years:
        errors["adjusted_on"] = [_("a mid-term adjustment is made while the plan runs (%(a)s–%(b)s)") % {
            "a": plan.start_year, "b": plan.end_year}]
    if hasattr(plan, "adjustment"):
        errors["__all__"] = [_("the plan already had its mid-term adjustment on %(d)s") % {"d": plan.adjustment.adjusted_on}]
    if not errors and after == before:
        errors["__all__"] = [_("nothing was changed")]
    if not errors and plan.evaluations.filter(year__gt=after["end_year"]).exists():
        errors["end_year"] = [_("years after %(y)s have already been evaluated") % {"y": after["end_year"]}]
    _raise(errors)
    for k, v in after.items():
        setattr(plan, k, v)
    plan.status = PlanStatus.ADJUSTED
    plan.save()
    return PlanAdjustment.objects.create(plan=plan, adjusted_on=adjusted_on, reason=reason, before=before, after=after)


@action
def accept_plan(user, plan: Plan, *, accepted_on, result, remarks) -> PlanAcceptance:
    """The final acceptance: in or after the plan's last year, once."""
    errors = {}
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    _check_plan(user, plan, errors)
    remarks = _text(remarks, "remarks", errors)
    if result not in AcceptanceResult.values:
        errors["result"] = [_("choose a result")]
    if not _is_date(accepted_on):
        errors["accepted_on"] = [_("a date is required")]
    elif accepted_on.year < plan.end_year:
        errors["accepted_on"] = [_("the final acceptance comes in or after the plan's last year, %(y)s") % {"y": plan.end_year}]
    _raise(errors)
    plan.status = PlanStatus.ACCEPTED if result == AcceptanceResult.PASSED else PlanStatus.REJECTED
    plan.save()
    return PlanAcceptance.objects.create(plan=plan, accepted_on=accepted_on, result=result, remarks=remarks)

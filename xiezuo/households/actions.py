"""Every change of state of the registry: households and members, cases and their steps,
help measures, escalation. Pages, the API, Excel imports, bulk ingestion and commands call
these. Each checks the right (`can_edit_in_region` over the household's county), writes,
and the audit log records it (personal values left out, see `models.PersonalFields`).
"""
import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from xiezuo.core import facts
from xiezuo.core.context import current_actor
from xiezuo.core.personal.crypto import blind_index
from xiezuo.core.personal.idnumbers import id_number_error, normalise
from xiezuo.core.scoping import can_edit_in_region

from . import deadlines, totals
from .choices import CaseKind, Category, Channel, Decision, HelpKind, Status, Step
from .models import Case, CaseStep, HelpMeasure, Household, HouseholdEvent, IncomeRecord, Member, Village


def require_edit(user, household_or_code):
    code = household_or_code if isinstance(household_or_code, str) else household_or_code.village_code[:6]
    if not can_edit_in_region(user, code):
        raise PermissionDenied(_("Only the county's office (or the offices above it) changes its households."))


def event(household, text, *, day=None, user=None, post=""):
    user = user or current_actor().user
    return HouseholdEvent.objects.create(household=household, text=str(text)[:300], day=day or timezone.localdate(),
                                         username=getattr(user, "username", "") or "", post=post[:100])


# --- people -----------------------------------------------------------------------------


def id_conflict(number: str, *, exclude_member=None):
    """The member already holding this ID number anywhere in the country, or None."""
    number = normalise(number)
    if not number:
        return None
    qs = Member.objects.filter(id_index=blind_index("id", number)).select_related("household")
    if exclude_member is not None and exclude_member.pk:
        qs = qs.exclude(pk=exclude_member.pk)
    return qs.first()


def find_person(number: str):
    """The member with this ID number, found by its keyed hash (no row is decrypted to search)."""
    return id_conflict(number)


def member_errors(data: dict, *, exclude_member=None) -> dict:
    errors = {}
    if not (data.get("name") or "").strip():
        errors["name"] = [_("a member has a name")]
    number = normalise(data.get("id_number"))
    if number:
        bad = id_number_error(number)
        if bad:
            errors["id_number"] = [bad]
        else:
            other = id_conflict(number, exclude_member=exclude_member)
            if other is not None:
                errors["id_number"] = [_("this ID number is already registered, in household %(h)s of %(county)s: resolve the duplicate first") % {
                    "h": other.household.number or f"#{other.household_id}", "county": other.household.village_code[:6]}]
    phone = (data.get("phone") or "").strip()
    if phone and not (phone.isdigit() and 7 <= len(phone) <= 12):
        errors["phone"] = [_("a phone number has 7 to 12 digits")]
    return errors


MEMBER_FIELDS = ("relation", "name", "id_number", "phone", "sex", "health", "health_note", "education", "employment",
                 "out_of_school", "medical_insured", "active")


@transaction.atomic
def save_member(user, household, data: dict, member=None) -> Member:
    require_edit(user, household)
    errors = member_errors(data, exclude_member=member)
    if errors:
        raise ValidationError(errors)
    creating = member is None
    member = member or Member(household=household)
    for name in MEMBER_FIELDS:
        if name in data:
            setattr(member, name, data[name])
    member.save()
    _refresh_size(household)
    event(household, _("member added") if creating else _("member changed"), user=user)
    return member


def _refresh_size(household):
    household.size = household.members.filter(active=True).count()
    Household.objects.filter(pk=household.pk).update(size=household.size)


HOUSEHOLD_FIELDS = ("number", "address", "bank_account", "formerly_poor", "housing_safe", "water_safe")


@transaction.atomic
def save_household(user, village: Village, data: dict, members: list[dict] = (), household=None, *, is_demo=False) -> Household:
    """Create a household with its members (or change a household's own fields)."""
    require_edit(user, village.county.code)
    errors = {}
    seen = {}
    for i, m in enumerate(members):
        for field, msgs in member_errors(m).items():
            errors[f"members[{i}].{field}"] = msgs
        number = normalise(m.get("id_number"))
        if number:
            if number in seen:
                errors[f"members[{i}].id_number"] = [_("the same ID number as member %(n)d of this household") % {"n": seen[number] + 1}]
            seen[number] = i
    if errors:
        raise ValidationError(errors)
    creating = household is None
    moved_from = None if creating else household.village_code
    household = household or Household(village=village, county=village.county, village_code=village.code, is_demo=is_demo)
    household.village, household.county, household.village_code = village, village.county, village.code
    for name in HOUSEHOLD_FIELDS:
        if name in data:
            setattr(household, name, data[name])
    household.save()
    for m in members:
        member = Member(household=household, is_demo=is_demo)
        for name in MEMBER_FIELDS:
            if name in m:
                setattr(member, name, m[name])
        member.save()
    _refresh_size(household)
    if moved_from and moved_from != household.village_code:
        totals.touch([moved_from, household.village_code])
    event(household, _("household registered") if creating else _("household changed"), user=user)
    return household


@transaction.atomic
def record_income(user, household, month: datetime.date, *, persons=None, **amounts) -> IncomeRecord:
    """The income by source and rigid costs of the 12 months ending with `month`."""
    require_edit(user, household)
    month = month.replace(day=1)
    for name, value in amounts.items():
        if int(value) < 0 or int(value) > 10**12:
            raise ValidationError({name: [_("an amount is between 0 and 10 billion yuan")]})
    record, _created = IncomeRecord.objects.update_or_create(
        household=household, month=month,
        defaults=dict(persons=persons or max(household.size, 1), is_demo=household.is_demo, **amounts))
    facts.changed([household.village_code[:6]], month)
    return record


# --- the identification and exit workflow ------------------------------------------------


def _post(post: str) -> str:
    post = (post or "").strip()
    if not post:
        raise ValidationError({"post": [_("Say in which post (岗位) you act: it is recorded with the step.")]})
    return post[:100]


@transaction.atomic
def open_case(user, household, *, channel, clue_on, post, kind=CaseKind.IDENTIFY, source="", consent_on=None, consent_by="",
              proposed_category="", is_demo=False) -> Case:
    """A clue: from the household's application (it counts once consent is recorded), a cadre's
    check, or a department's screening list."""
    require_edit(user, household)
    post = _post(post)
    household = Household.objects.select_for_update().get(pk=household.pk)
    if household.cases.exclude(step=Step.CLOSED).exists():
        raise ValidationError({"household": [_("This household already has an open case.")]})
    if channel not in Channel.values:
        raise ValidationError({"channel": [_("Unknown channel.")]})
    if kind == CaseKind.IDENTIFY and household.status not in (Status.NORMAL, Status.EXITED):
        raise ValidationError({"kind": [_("This household is already monitored.")]})
    if kind == CaseKind.EXIT and household.status != Status.MONITORED:
        raise ValidationError({"kind": [_("Only a monitored household can exit.")]})
    if proposed_category and proposed_category not in Category.values:
        raise ValidationError({"proposed_category": [_("Unknown category.")]})
    if channel == Channel.APPLICATION and consent_on and not (consent_by or "").strip():
        raise ValidationError({"consent_by": [_("Name who gave the consent.")]})
    case = Case(household=household, kind=kind, channel=channel, clue_on=clue_on, source=source[:200],
                proposed_category=proposed_category or "", created_by=user if getattr(user, "pk", None) else None,
                is_demo=is_demo)
    if channel == Channel.APPLICATION:
        case.consent_on, case.consent_by = consent_on, (consent_by or "")[:50]
    _start_clock(case, household)
    case.save()
    CaseStep.objects.create(case=case, step=Step.CLUE, done_on=clue_on, by=_user(user), post=post,
                            finding=source[:500])
    event(household, _("clue received (%(channel)s)") % {"channel": case.get_channel_display()}, day=clue_on, user=user, post=post)
    return case


def _user(user):
    return user if getattr(user, "pk", None) else None


def _start_clock(case, household):
    """Deadlines run from the clue, or for an application from the recorded consent."""
    if not case.counts:
        case.step_due = case.decision_due = None
        return
    start = case.consent_on if case.channel == Channel.APPLICATION and case.consent_on and case.consent_on > case.clue_on else case.clue_on
    case.step = Step.VISIT if case.step == Step.CLUE else case.step
    case.step_due = deadlines.due(start, case.step)
    case.decision_due = deadlines.due(start, Step.COUNTY)
    new_status = Status.IDENTIFYING if case.kind == CaseKind.IDENTIFY else Status.EXITING
    if household.status != new_status:
        household.status = new_status
        household.save(update_fields=["status"])
        totals.touch([household.village_code])


@transaction.atomic
def record_consent(user, case, *, on: datetime.date, by: str, post: str) -> Case:
    """The household's written consent to its application (and to the use of its data)."""
    require_edit(user, case.household)
    post = _post(post)
    if case.channel != Channel.APPLICATION:
        raise ValidationError({"consent_on": [_("Only an application needs the household's consent.")]})
    if not (by or "").strip():
        raise ValidationError({"consent_by": [_("Name who gave the consent.")]})
    if on < case.clue_on:
        raise ValidationError({"consent_on": [_("The consent cannot come before the application.")]})
    case.consent_on, case.consent_by = on, by.strip()[:50]
    _start_clock(case, case.household)
    case.save()
    event(case.household, _("consent to the application recorded"), day=on, user=user, post=post)
    return case


@transaction.atomic
def advance(user, case, *, step, done_on: datetime.date, post: str, finding="", passed=True,
            notice_from=None, notice_to=None) -> CaseStep:
    """Record the case's next step. A step that does not pass closes the case as not approved."""
    require_edit(user, case.household)
    post = _post(post)
    case = Case.objects.select_for_update().select_related("household").get(pk=case.pk)
    if not case.counts:
        raise ValidationError({"step": [_("The application counts once the household's consent is recorded.")]})
    if case.step == Step.CLOSED:
        raise ValidationError({"step": [_("This case is closed.")]})
    if step != case.step:
        raise ValidationError({"step": [_("The next step of this case is %(step)s.") % {"step": Step(case.step).label}]})
    if step == Step.COUNTY:
        raise ValidationError({"step": [_("The county records its decision with the decision form.")]})
    last = case.steps.order_by("-done_on", "-id").first()
    if last is not None and done_on < last.done_on:
        raise ValidationError({"done_on": [_("A step cannot come before the one it follows (%(day)s).") % {"day": last.done_on}]})
    if step == Step.NOTICE:
        notice_from = notice_from or (last.done_on if last else done_on)
        notice_to = notice_to or done_on
        if notice_to < deadlines.notice_end_earliest(notice_from):
            raise ValidationError({"notice_to": [_("The public notice runs at least %(n)d days: from %(start)s until %(end)s at the earliest.") % {
                "n": deadlines.NOTICE_MIN_DAYS, "start": notice_from, "end": deadlines.notice_end_earliest(notice_from)}]})
        if done_on < notice_to:
            raise ValidationError({"done_on": [_("The notice step is done when the notice has ended.")]})
        case.notice_from, case.notice_to = notice_from, notice_to
    recorded = CaseStep.objects.create(case=case, step=step, done_on=done_on, due_on=case.step_due,
                                       late=bool(case.step_due and done_on > case.step_due), by=_user(user), post=post,
                                       finding=finding, passed=passed)
    if passed:
        case.step = deadlines.next_step(step)
        start = case.consent_on if case.channel == Channel.APPLICATION and case.consent_on and case.consent_on > case.clue_on else case.clue_on
        case.step_due = deadlines.due(start, case.step)
        case.escalation = 0
    else:
        _close(case, Decision.REJECTED, done_on)
    case.save()
    event(case.household, _("%(step)s done%(result)s") % {"step": Step(step).label, "result": "" if passed else _(": not passed")},
          day=done_on, user=user, post=post)
    return recorded


def _close(case, decision, on):
    case.step, case.step_due, case.decision, case.decided_on = Step.CLOSED, None, decision, on
    household = case.household
    if decision == Decision.REJECTED:
        household.status = Status.NORMAL if case.kind == CaseKind.IDENTIFY else Status.MONITORED
        if case.kind == CaseKind.IDENTIFY and household.exited_on:
            household.status = Status.EXITED
    household.save()
    totals.touch([household.village_code])


@transaction.atomic
def decide(user, case, *, decision, on: datetime.date, post: str, category="", finding="") -> Case:
    """The county's decision (县级审定): the household is monitored in a category, or its risk is
    eliminated (风险消除), or the case is not approved."""
    require_edit(user, case.household)
    post = _post(post)
    case = Case.objects.select_for_update().select_related("household").get(pk=case.pk)
    if case.step != Step.COUNTY:
        raise ValidationError({"decision": [_("The county decides after the township review.")]})
    if decision not in Decision.values:
        raise ValidationError({"decision": [_("Unknown decision.")]})
    approve = decision == Decision.APPROVED
    if approve and case.kind == CaseKind.IDENTIFY:
        category = category or case.proposed_category
        if category not in Category.values:
            raise ValidationError({"category": [_("Name the category of the monitored household.")]})
    last = case.steps.order_by("-done_on", "-id").first()
    if last is not None and on < last.done_on:
        raise ValidationError({"done_on": [_("A step cannot come before the one it follows (%(day)s).") % {"day": last.done_on}]})
    CaseStep.objects.create(case=case, step=Step.COUNTY, done_on=on, due_on=case.step_due,
                            late=bool(case.step_due and on > case.step_due), by=_user(user), post=post, finding=finding,
                            passed=approve)
    household = case.household
    if approve:
        case.step, case.step_due, case.decision, case.decided_on = Step.CLOSED, None, decision, on
        if case.kind == CaseKind.IDENTIFY:
            household.status, household.category, household.identified_on, household.exited_on = Status.MONITORED, category, on, None
        else:
            household.status, household.exited_on = Status.EXITED, on
        household.save()
        totals.touch([household.village_code])
    else:
        _close(case, Decision.REJECTED, on)
    case.save()
    event(household, _("county decision: %(d)s") % {"d": Decision(decision).label}, day=on, user=user, post=post)
    facts.changed([household.village_code[:6]], on)
    return case


@transaction.atomic
def add_help(user, household, *, kind, description, started_on, post, project=None, amount_fen=0, member=None,
             ended_on=None, is_demo=False) -> HelpMeasure:
    require_edit(user, household)
    post = _post(post)
    household = Household.objects.get(pk=household.pk)  # its status now, not the caller's copy
    if kind not in HelpKind.values:
        raise ValidationError({"kind": [_("Unknown kind of help.")]})
    if not (description or "").strip():
        raise ValidationError({"description": [_("Describe the help.")]})
    if household.status not in (Status.MONITORED, Status.EXITING, Status.IDENTIFYING):
        raise ValidationError({"household": [_("Help measures are for households being identified or monitored.")]})
    if kind == HelpKind.PROJECT and project is None:
        raise ValidationError({"project": [_("Name the project the household is linked to.")]})
    if project is not None and project.county_id != household.county_id:
        raise ValidationError({"project": [_("The project is in another county.")]})
    if member is not None and member.household_id != household.pk:
        raise ValidationError({"member": [_("The member is of another household.")]})
    if not (0 <= int(amount_fen) <= 10**12):
        raise ValidationError({"amount_fen": [_("an amount is between 0 and 10 billion yuan")]})
    measure = HelpMeasure.objects.create(household=household, kind=kind, description=description.strip()[:300],
                                         started_on=started_on, ended_on=ended_on, project=project, amount_fen=amount_fen,
                                         member=member, by=_user(user), post=post, is_demo=is_demo)
    totals.touch([household.village_code])
    event(household, _("help measure: %(kind)s") % {"kind": HelpKind(kind).label}, day=started_on, user=user, post=post)
    return measure


def escalate_overdue(today: datetime.date | None = None) -> int:
    """Raise every open case past its step's deadline one level (1: the township is told, 2:
    the county, once the 15 days to the decision are past too), in two UPDATEs; the history
    notes each raise. Run daily (`manage.py households escalate`)."""
    today = today or timezone.localdate()
    base = Case.objects.exclude(step=Step.CLOSED).filter(step_due__lt=today)
    with transaction.atomic():
        to_two = list(base.filter(decision_due__lt=today, escalation__lt=2).values_list("id", "household_id"))
        to_one = list(base.filter(escalation__lt=1).exclude(decision_due__lt=today).values_list("id", "household_id"))
        Case.objects.filter(pk__in=[c for c, _h in to_two]).update(escalation=2, escalated_on=today)
        Case.objects.filter(pk__in=[c for c, _h in to_one]).update(escalation=1, escalated_on=today)
        HouseholdEvent.objects.bulk_create(
            [HouseholdEvent(household_id=h, day=today, text=str(_("deadline missed: raised to the county")), username="")
             for _c, h in to_two]
            + [HouseholdEvent(household_id=h, day=today, text=str(_("deadline missed: raised to the township")), username="")
               for _c, h in to_one])
        if to_one or to_two:
            from xiezuo.core.audit import record_bulk

            record_bulk("households.case", "escalated: %d to the township, %d to the county" % (len(to_one), len(to_two)),
                        count=len(to_one) + len(to_two))
    return len(to_one) + len(to_two)

"""Every change of state of a need, from the cadre's record to the confirmed result.

    record_need        the western county (the dispatched cadre's office)   待审核
    review_need        the paired eastern office: publish or return          已发布 / 已退回
    take_up            a social organisation (or the pairing's enterprise)   已认领
    pledge / pay_pledge a foundation (or an enterprise)                      已筹齐 once paid in full
    record_result      the organisation that took it up, or the county       待确认
    confirm_result     the county office, for the cadre                       已确认

Paying a pledge moves the money through the ledger (`ledger.actions.post`, which checks,
locks and chains the entries, naming who posted them): the donor's source account is credited
and the project's account debited, under the ledger's own kind 社会捐赠 (social donation) — not
a disbursement of fiscal aid (拨付), so the fiscal-aid figures (allocated, arrived, disbursed,
spent: `ledger.totals` counts those kinds only) do not change — booked by the donor. A pledge
is paid once: its row is locked, its posting's key is the pledge's own (`social-pledge-<id>`,
in the donor's key namespace), and the pledge's audit entry records the day and the posting.
"""
import datetime

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from xiezuo.core.context import action
from xiezuo.core.errors import PermissionDenied, ValidationError, field_error
from xiezuo.core.facts import changed
from xiezuo.core.money import format_yuan

from . import rules
from .choices import NeedStatus
from .models import Need, Pledge

OPEN_FOR_PLEDGES = (NeedStatus.PUBLISHED, NeedStatus.TAKEN)


def _raise(errors):
    if errors:
        raise ValidationError(errors)


def _user(user):
    return user if getattr(user, "pk", None) else None


def _locked(need) -> Need:
    return Need.objects.select_for_update(of=("self",)).select_related("county", "pairing", "project", "cadre__to_org__region").get(
        pk=need.pk)


def _status(need, *allowed):
    if need.status not in allowed:
        raise field_error("status", _("the need is %(s)s: this step is not open") % {"s": need.get_status_display()})


@action
def record_need(user, *, county, village, category, description, budget_fen, beneficiaries, cadre, pairing=None, project=None,
                is_demo=False) -> Need:
    _raise(rules.need_errors(county, village, category, description, budget_fen, beneficiaries, cadre, pairing, project))
    if not rules.may_record(user, county):
        raise PermissionDenied(_("only the office of %(county)s records its needs") % {"county": county})
    return Need.objects.create(county=county, village=village.strip(), category=category, description=description.strip(),
                               budget_fen=budget_fen, beneficiaries=beneficiaries, cadre=cadre, pairing=pairing, project=project,
                               recorded_by=_user(user), is_demo=is_demo)


@action
def set_project(user, need: Need, project) -> Need:
    """The county names the project whose account receives the pledged funds."""
    need = _locked(need)
    if not rules.may_record(user, need.county):
        raise PermissionDenied(_("only the office of %(county)s links its needs to projects") % {"county": need.county})
    if project is None or project.county_id != need.county_id:
        raise field_error("project", _("choose a project in %(county)s") % {"county": need.county})
    if need.pledges.filter(paid_on__isnull=False).exists():
        raise field_error("project", _("funds were already paid into project %(code)s") % {"code": need.project.code})
    need.project = project
    need.save()
    return need


@action
def review_need(user, need: Need, *, publish: bool, note="") -> Need:
    need = _locked(need)
    if not rules.may_review(user, need):
        raise PermissionDenied(_("only the eastern office paired with %(county)s reviews its needs") % {"county": need.county})
    _status(need, NeedStatus.RECORDED)
    problem = rules.text_error(note, 300, required=not publish)
    if problem:
        raise field_error("note", problem if note else _("say why the need is returned"))
    now = timezone.now()
    need.status = NeedStatus.PUBLISHED if publish else NeedStatus.RETURNED
    need.reviewed_at, need.reviewed_by, need.review_note = now, _user(user), (note or "").strip()
    if publish:
        need.published_at = now
    need.save()
    return need


@action
def take_up(user, need: Need) -> Need:
    need = _locked(need)
    org = rules.may_take(user, need)
    if org is None:
        raise PermissionDenied(_("only a social organisation (or the paired enterprise) takes up a need"))
    _status(need, NeedStatus.PUBLISHED)
    need.status, need.taken_by, need.taken_at = NeedStatus.TAKEN, org, timezone.now()
    need.save()
    return need


def pledged_total(need) -> int:
    return need.pledges.aggregate(s=Sum("amount_fen"))["s"] or 0


def paid_total(need) -> int:
    return need.pledges.filter(paid_on__isnull=False).aggregate(s=Sum("amount_fen"))["s"] or 0


@action
def pledge(user, need: Need, *, amount_fen: int, pledged_on: datetime.date | None = None, is_demo=False) -> Pledge:
    need = _locked(need)
    donor = rules.acting_org(user, rules.DONORS)
    if donor is None:
        raise PermissionDenied(_("only a foundation (or an enterprise) pledges funds"))
    _status(need, *OPEN_FOR_PLEDGES)
    pledged_on = pledged_on or timezone.localdate()
    errors = {}
    if isinstance(amount_fen, bool) or not isinstance(amount_fen, int) or amount_fen <= 0:
        errors["amount_fen"] = [_("the amount must be above zero")]
    else:
        left = need.budget_fen - pledged_total(need)
        if amount_fen > left:
            errors["amount_fen"] = [_("only %(left)s of the budget is still open") % {"left": format_yuan(max(left, 0))}]
    if not isinstance(pledged_on, datetime.date) or pledged_on > timezone.localdate():
        errors["pledged_on"] = [_("a day not in the future")]
    _raise(errors)
    return Pledge.objects.create(need=need, donor=donor, amount_fen=amount_fen, pledged_on=pledged_on, is_demo=is_demo)


def _post_to_project(user, pledge: Pledge, need: Need, paid_on, key):
    """The donor's money into the project's account, through the ledger's own posting function."""
    from xiezuo.ledger import actions as ledger
    from xiezuo.ledger.choices import Kind, Purpose, Side  # Kind.SOCIAL: 社会捐赠

    project = need.project
    holder = ledger.office_of(project.county)
    if holder is None:
        raise field_error("project", _("%(county)s has no cooperation office to hold the project's account") % {"county": project.county})
    body = {"pledge": pledge.pk, "project": project.pk, "amount_fen": pledge.amount_fen, "paid_on": paid_on.isoformat()}
    rhash = ledger.request_hash(body)
    existing = ledger.replay(user, key, rhash)
    if existing is not None:
        return existing
    lines = [(ledger.account_for(holder, Purpose.PROJECT, project), Side.DEBIT, pledge.amount_fen),
             (ledger.account_for(pledge.donor, Purpose.EAST_BUDGET), Side.CREDIT, pledge.amount_fen)]
    memo = _("social help: pledge #%(p)s of %(donor)s to need #%(n)s") % {"p": pledge.pk, "donor": pledge.donor.name, "n": need.pk}
    return ledger.post(user, kind=Kind.SOCIAL, key=key, rhash=rhash, lines=lines, booked_on=paid_on, project=project,
                       east_org=pledge.donor, west_org=holder, memo=memo[:300])


@action
def pay_pledge(user, pledge_obj: Pledge, *, paid_on: datetime.date | None = None) -> Pledge:
    """The donor pays its pledge: the money moves through the ledger into the need's project
    account. A pledge is paid once; when the paid pledges reach the budget the need is funded."""
    p = Pledge.objects.select_for_update().select_related("donor__region", "need").get(pk=pledge_obj.pk)
    need = _locked(p.need)
    donor = rules.acting_org(user, rules.DONORS)
    if donor is None or donor.pk != p.donor_id:
        raise PermissionDenied(_("only %(donor)s pays its pledge") % {"donor": p.donor})
    if p.paid_on is not None:
        raise field_error("pledge", _("this pledge was paid on %(d)s") % {"d": p.paid_on.isoformat()})
    _status(need, *OPEN_FOR_PLEDGES)
    if need.project_id is None:
        raise field_error("project", _("the county has not yet named the project whose account receives the funds"))
    paid_on = paid_on or timezone.localdate()
    if not isinstance(paid_on, datetime.date) or paid_on > timezone.localdate() or paid_on < p.pledged_on:
        raise field_error("paid_on", _("a day from the pledge to today"))
    key = f"social-pledge-{p.pk}"
    posting = _post_to_project(user, p, need, paid_on, key)
    p.paid_on, p.posting = paid_on, posting
    p.save()
    if paid_total(need) >= need.budget_fen and need.status == NeedStatus.TAKEN:
        need.status = NeedStatus.FUNDED
        need.save()
    changed({need.county.code}, paid_on, sender=Pledge)
    return p


@action
def record_result(user, need: Need, *, summary: str, evidence: str, beneficiaries_reached: int,
                  completed_on: datetime.date) -> Need:
    need = _locked(need)
    org = rules.acting_org(user, rules.TAKERS)
    if not (rules.may_record(user, need.county) or (org is not None and org.pk == need.taken_by_id)):
        raise PermissionDenied(_("only the organisation that took up the need, or the county, records its result"))
    _status(need, NeedStatus.FUNDED, NeedStatus.TAKEN)
    errors = {}
    if need.status == NeedStatus.TAKEN and need.budget_fen > 0:
        errors["status"] = [_("the need is not funded yet: %(paid)s of %(budget)s paid") % {
            "paid": format_yuan(paid_total(need)), "budget": format_yuan(need.budget_fen)}]
    for name, value, length in (("summary", summary, 1000), ("evidence", evidence, 200)):
        problem = rules.text_error(value, length) or rules.personal_data_error(value)
        if problem:
            errors[name] = [problem]
    if isinstance(beneficiaries_reached, bool) or not isinstance(beneficiaries_reached, int) or beneficiaries_reached < 0:
        errors["beneficiaries_reached"] = [_("a whole number, zero or more")]
    if not isinstance(completed_on, datetime.date) or completed_on > timezone.localdate():
        errors["completed_on"] = [_("a day not in the future")]
    _raise(errors)
    need.result_summary, need.result_evidence = summary.strip(), evidence.strip()
    need.result_beneficiaries, need.completed_on, need.result_by = beneficiaries_reached, completed_on, _user(user)
    need.status = NeedStatus.DONE
    need.save()
    return need


@action
def confirm_result(user, need: Need) -> Need:
    """The dispatched cadre's county office confirms the result (in the cadre's name)."""
    need = _locked(need)
    if not rules.may_record(user, need.county):
        raise PermissionDenied(_("only the office of %(county)s confirms results") % {"county": need.county})
    _status(need, NeedStatus.DONE)
    need.status, need.confirmed_at, need.confirmed_by = NeedStatus.CONFIRMED, timezone.now(), _user(user)
    need.save()
    changed({need.county.code}, need.completed_on, sender=Need)
    return need

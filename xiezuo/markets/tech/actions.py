"""The technology and patent transfer centre (技术专利协同转化中心): its actions.

    offer_technology   the owner's side (an eastern university, institute or enterprise)
    edit_technology    the owner's side
    post_need          the western county side
    edit_need          the western county side
    sign_deal          the licensee's side: licence, transfer or joint development; price and royalty
    settle_deal        the licensee's side: the price paid to the owner through the ledger (sign_deal calls it)
    record_return      the licensee's side: what the deal earned and cost in a period (the facts of 技术成果转化收益率),
                       and the royalty the period's revenue owes paid to the owner through the ledger

Payments go from the buyer's side (the western licensee) to the seller's side (the eastern
owner) as the land trades' settlement does (`payments.pay`, kind 市场交易), once per deal
(key `mkt-tech-deal-<id>`) and per return (`mkt-tech-return-<id>`). The indicator still
reads the returns' revenue and cost as the licensee reports them: the cost of a period is
what the deal cost it (price instalments, royalties, running costs), which the ledger's
payments are part of but need not equal period by period; the royalty paid is kept on the
return (`royalty_fen`), so what the ledger moved is named beside what the indicator counts.
"""
import re

from django.utils import timezone
from django.utils.translation import gettext as _

from xiezuo.core.context import action
from xiezuo.core.errors import PermissionDenied, ValidationError, field_error
from xiezuo.core.facts import changed
from xiezuo.orgs.models import Organisation

from .. import rules
from ..payments import pay
from ..choices import DealKind, TechKind
from ..models import DealReturn, TechDeal, TechNeed, Technology
from . import matching

_IPC = re.compile(r"^[A-H]\d{2}[A-Z](\s*\d{1,4}(/\d{1,6})?)?$")


def _raise(errors):
    if errors:
        raise ValidationError(errors)


def _deny(refusal):
    if refusal:
        raise PermissionDenied(refusal)


def _check_ipc(ipc, errors):
    if ipc and not _IPC.match(ipc.strip().upper()):
        errors["ipc"] = [_("“%(v)s” is not an IPC class (e.g. A01G 9/14)") % {"v": ipc}]


def _tech_errors(owner, number, title, abstract, ipc, kind, licence_terms) -> dict:
    errors = {}
    if not isinstance(owner, Organisation):
        errors["owner"] = [_("an owner is required")]
    elif owner.region.role != "east":
        errors["owner"] = [_("technologies are offered by eastern organisations")]
    rules.check_text(number, errors, "number", max_length=32)
    rules.check_text(title, errors, "title", max_length=200)
    rules.check_text(abstract, errors, "abstract", max_length=5000, required=False)
    rules.check_text(licence_terms, errors, "licence_terms", max_length=300, required=False)
    if kind not in TechKind.values:
        errors["kind"] = [_("“%(v)s” is not a kind of technology") % {"v": kind}]
    _check_ipc(ipc, errors)
    return errors


def _number_taken(number, but=None):
    qs = Technology.objects.filter(number=number.strip())
    if but is not None:
        qs = qs.exclude(pk=but.pk)
    if qs.exists():
        raise field_error("number", _("%(n)s is already offered") % {"n": number})


@action
def offer_technology(user, *, owner, number, title, abstract="", ipc="", kind=TechKind.PATENT, licence_terms="",
                     listed_on=None, is_demo=False) -> Technology:
    _raise(_tech_errors(owner, number, title, abstract, ipc, kind, licence_terms))
    _deny(rules.may_act_for(user, owner))
    _number_taken(number)
    t = Technology(owner=owner, number=number.strip(), title=title.strip(), abstract=abstract.strip(),
                   ipc=(ipc or "").strip().upper(), kind=kind, licence_terms=licence_terms.strip(),
                   listed_on=listed_on or timezone.localdate(), is_demo=is_demo)
    t.tokens = " ".join(matching.tokens(matching.tech_text(t)))
    t.save()
    matching.forget_on_commit()
    return t


@action
def edit_technology(user, technology, *, owner, number, title, abstract="", ipc="", kind=TechKind.PATENT,
                    licence_terms="") -> Technology:
    """Change what a technology's offer says; who may act for its owner may, and for the new owner if it changes."""
    if not isinstance(technology, Technology):
        raise field_error("technology", _("a technology is required"))
    _raise(_tech_errors(owner, number, title, abstract, ipc, kind, licence_terms))
    _deny(rules.may_act_for(user, technology.owner))
    _deny(rules.may_act_for(user, owner))
    t = Technology.objects.select_for_update().get(pk=technology.pk)
    _number_taken(number, but=t)
    t.owner, t.number, t.title, t.abstract = owner, number.strip(), title.strip(), abstract.strip()
    t.ipc, t.kind, t.licence_terms = (ipc or "").strip().upper(), kind, licence_terms.strip()
    t.tokens = " ".join(matching.tokens(matching.tech_text(t)))
    t.save()
    matching.forget_on_commit()
    return t


def _need_errors(county, title, problem, sector, ipc) -> dict:
    errors = {}
    rules.western_county(county, errors)
    rules.check_text(title, errors, "title", max_length=200)
    rules.check_text(problem, errors, "problem", max_length=5000)
    rules.check_text(sector, errors, "sector", max_length=50, required=False)
    _check_ipc(ipc, errors)
    return errors


@action
def post_need(user, *, county, title, problem, sector="", ipc="", requester=None, is_demo=False) -> TechNeed:
    _raise(_need_errors(county, title, problem, sector, ipc))
    _deny(rules.may_edit_region(user, county.code, county))
    if requester is None:
        requester = Organisation.objects.filter(kind="office", region=county).order_by("id").first()
    if not isinstance(requester, Organisation) or not requester.region.code.startswith(county.code):
        raise field_error("requester", _("the requester must be an organisation of %(county)s") % {"county": county})
    need = TechNeed(county=county, requester=requester, title=title.strip(), problem=problem.strip(),
                    sector=(sector or "").strip(), ipc=(ipc or "").strip().upper(), is_demo=is_demo)
    need.tokens = " ".join(matching.tokens(matching.need_text(need)))
    need.save()
    matching.forget_on_commit()
    return need


@action
def edit_need(user, need, *, title, problem, sector="", ipc="") -> TechNeed:
    """Change what a need says (its county and requester stay); the offices over its county may."""
    if not isinstance(need, TechNeed):
        raise field_error("need", _("a need is required"))
    _raise(_need_errors(need.county, title, problem, sector, ipc))
    _deny(rules.may_edit_region(user, need.county.code, need.county))
    n = TechNeed.objects.select_for_update().get(pk=need.pk)
    n.title, n.problem, n.sector, n.ipc = title.strip(), problem.strip(), (sector or "").strip(), (ipc or "").strip().upper()
    n.tokens = " ".join(matching.tokens(matching.need_text(n)))
    n.save()
    matching.forget_on_commit()
    return n


@action
def sign_deal(user, *, technology, licensee, kind, price_fen, royalty_permille=0, need=None, county=None, signed_on=None,
              is_demo=False) -> TechDeal:
    errors = {}
    if not isinstance(technology, Technology):
        errors["technology"] = [_("a technology is required")]
    if not isinstance(licensee, Organisation) or licensee.region.role != "west":
        errors["licensee"] = [_("the licensee is a western organisation")]
    if kind not in DealKind.values:
        errors["kind"] = [_("“%(v)s” is not a kind of deal") % {"v": kind}]
    rules.check_fen(price_fen, errors, "price_fen", allow_zero=True)
    rules.check_count(royalty_permille, errors, "royalty_permille", minimum=0)
    if "royalty_permille" not in errors and royalty_permille > 1000:
        errors["royalty_permille"] = [_("a royalty is at most 1000‰")]
    rules.check_day(signed_on, errors, "signed_on", required=False)
    if need is not None and not isinstance(need, TechNeed):
        errors["need"] = [_("a need is required")]
    _raise(errors)
    county = county or (need.county if need is not None else None)
    if county is None:
        county = licensee.region if licensee.region.level == "county" else None
    if county is None or county.level != "county" or not licensee.region.code.startswith(county.code[:len(licensee.region.prefix)]):
        raise field_error("county", _("the western county where the technology is used is required"))
    _deny(rules.may_act_for(user, licensee))
    deal = TechDeal.objects.create(technology=technology, need=need, licensee=licensee, county=county, kind=kind,
                                   price_fen=price_fen, royalty_permille=royalty_permille,
                                   signed_on=signed_on or timezone.localdate(), is_demo=is_demo)
    changed({county.code, technology.owner.region.code}, deal.signed_on, sender=TechDeal)
    return settle_deal(user, deal=deal)


@action
def settle_deal(user, *, deal) -> TechDeal:
    """Pay a deal's price from the licensee to the technology's owner through the ledger, once:
    a deal already paid (or without a price) answers unchanged. For deals signed before
    payments went through the ledger, too."""
    if not isinstance(deal, TechDeal):
        raise field_error("deal", _("a deal is required"))
    _deny(rules.may_act_for(user, deal.licensee))
    deal = TechDeal.objects.select_for_update().select_related("technology__owner__region", "licensee__region").get(pk=deal.pk)
    if deal.posting_id is not None or deal.price_fen == 0:
        return deal
    deal.posting = pay(user, payer=deal.licensee, payee=deal.technology.owner, amount_fen=deal.price_fen, payer_is_east=False,
                       key=f"mkt-tech-deal-{deal.pk}", booked_on=deal.signed_on,
                       body={"market": "tech", "deal": deal.pk, "amount_fen": deal.price_fen, "booked_on": deal.signed_on},
                       memo=_("technology deal %(n)s: the price") % {"n": deal.technology.number})
    deal.save(update_fields=["posting"])
    return deal


def royalty_for(revenue_fen: int, permille: int) -> int:
    """The royalty on a revenue at a rate in ‰, rounded half up once."""
    return (2 * revenue_fen * permille + 1000) // 2000


@action
def record_return(user, *, deal, period_end, revenue_fen, cost_fen) -> DealReturn:
    errors = {}
    if not isinstance(deal, TechDeal):
        raise field_error("deal", _("a deal is required"))
    rules.check_day(period_end, errors, "period_end")
    rules.check_fen(revenue_fen, errors, "revenue_fen", allow_zero=True)
    rules.check_fen(cost_fen, errors, "cost_fen", allow_zero=True)
    if "period_end" not in errors and period_end < deal.signed_on:
        errors["period_end"] = [_("before the deal was signed (%(d)s)") % {"d": deal.signed_on.isoformat()}]
    _raise(errors)
    _deny(rules.may_act_for(user, deal.licensee))
    if DealReturn.objects.filter(deal=deal, period_end=period_end).exists():
        raise field_error("period_end", _("a return for this deal and period is already recorded"))
    royalty = royalty_for(revenue_fen, deal.royalty_permille)
    ret = DealReturn.objects.create(deal=deal, period_end=period_end, revenue_fen=revenue_fen, cost_fen=cost_fen,
                                    royalty_fen=royalty)
    if royalty > 0:
        ret.posting = pay(user, payer=deal.licensee, payee=deal.technology.owner, amount_fen=royalty, payer_is_east=False,
                          key=f"mkt-tech-return-{ret.pk}", booked_on=period_end,
                          body={"market": "tech", "return": ret.pk, "amount_fen": royalty, "booked_on": period_end},
                          memo=_("technology deal %(n)s: the royalty to %(d)s") % {"n": deal.technology.number,
                                                                                  "d": period_end.isoformat()})
        ret.save(update_fields=["posting"])
    changed({deal.county.code}, period_end, sender=DealReturn)
    return ret


__all__ = ["offer_technology", "edit_technology", "post_need", "edit_need", "sign_deal", "settle_deal", "record_return", "royalty_for", "matching"]

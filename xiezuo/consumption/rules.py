"""The rules of consumption help, written once for the single actions, the batch of
purchases (`purchases.py`), the Excel imports and the bulk ingestion."""
import datetime
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext as _

from xiezuo.core.dates import FIRST_DAY, LAST_DAY, day_error
from xiezuo.core.money import MAX_FEN, format_yuan, too_large
from xiezuo.core.scoping import can_edit_in_region, scope_for

from .choices import MIN_RESERVED_PERCENT, BuyerKind, Channel

_CHANNELS = frozenset(Channel.values)
_BUYER_KINDS = frozenset(BuyerKind.values)
MAX_EVIDENCE = 64


def one_of(value, allowed) -> bool:
    return isinstance(value, str) and value in allowed


def text_error(value, max_length, *, required=True, what=None) -> str | None:
    if value is None:
        value = ""
    if not isinstance(value, str):
        return _("must be text")
    if required and not value.strip():
        return _("%(what)s is required") % {"what": what} if what else _("this field is required")
    if len(value) > max_length:
        return _("at most %(n)d characters") % {"n": max_length}
    if "\x00" in value:
        return _("must not contain NUL characters")
    return None


def amount_error(value, *, positive=True) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return _("amounts in fen must be whole numbers")
    if value < 0 or (positive and value == 0):
        return _("the amount must be above zero")
    if value > MAX_FEN:
        return too_large()
    return None


def day_problem(value, *, not_future=True, today=None) -> str | None:
    if not isinstance(value, datetime.date):
        return _("a date is required")
    problem = day_error(value)
    if problem:
        return problem
    if not_future and value > (today or timezone.localdate()):
        return _("the date is in the future")
    return None


# --- who may do what -------------------------------------------------------------------------


def may_keep_product(user, county) -> bool:
    """The western county (or an office above it) keeps its products and applies for certification."""
    return can_edit_in_region(user, county.code)


def may_decide_certificate(user, county) -> bool:
    """The province office over the product's county (an office admin or editor of the
    province) or the national coordinator approves, rejects and revokes certificates."""
    scope = scope_for(user)
    if not scope.active:
        return False
    if scope.role == "national":
        return True
    return scope.can_write and scope.own is not None and len(scope.own) == 2 and county.code.startswith(scope.own)


def may_keep_buyer(user, region) -> bool:
    return can_edit_in_region(user, region.code)


def may_record_purchase(user, buyer_region, county) -> bool:
    """Either side: the office of the buyer's region (an eastern office recording what its
    buyers bought) or of the product's county (a western county recording what it sold)."""
    return can_edit_in_region(user, buyer_region.code) or can_edit_in_region(user, county.code)


# --- products, buyers, canteen shares ------------------------------------------------------


def product_errors(name, category, supplier, county) -> dict:
    errors = {}
    problem = text_error(name, 100, what=_("a name"))
    if problem:
        errors["name"] = [problem]
    problem = text_error(category or "", 50, required=False)
    if problem:
        errors["category"] = [problem]
    if county is None or county.level != "county" or county.role != "west":
        errors["county"] = [_("a product comes from a western county")]
    if supplier is None:
        errors["supplier"] = [_("the supplier is required")]
    elif county is not None and not county.code.startswith(supplier.region.prefix) and not supplier.region.code.startswith(county.prefix):
        errors["supplier"] = [_("%(org)s is not in %(county)s") % {"org": supplier, "county": county}]
    return errors


def buyer_errors(kind, name, region, organisation) -> dict:
    errors = {}
    if not one_of(kind, _BUYER_KINDS):
        errors["kind"] = [_("“%(v)s” is not a kind of buyer") % {"v": kind}]
    problem = text_error(name, 200, what=_("a name"))
    if problem:
        errors["name"] = [problem]
    if region is None:
        errors["region"] = [_("the region is required")]
    if organisation is not None and region is not None and organisation.region_id != region.id:
        errors["organisation"] = [_("%(org)s is not in %(region)s") % {"org": organisation, "region": region}]
    if kind == BuyerKind.INDIVIDUALS and organisation is not None:
        errors["organisation"] = [_("individuals are counted through their channel, not as an organisation")]
    return errors


def percent_value(value) -> Decimal:
    try:
        d = Decimal(str(value).strip().rstrip("%"))
    except (InvalidOperation, ValueError):
        raise ValueError(_("“%(v)s” is not a percentage") % {"v": value}) from None
    if not d.is_finite() or d != d.quantize(Decimal("0.01")):
        raise ValueError(_("a percentage with at most two decimal places"))
    return d


def share_errors(buyer, year, canteen_food_fen, reserved_percent, filed_on) -> dict:
    errors = {}
    if buyer is None or buyer.kind != BuyerKind.BUDGET_UNIT:
        errors["buyer"] = [_("only budget units file a reserved share of their canteen purchases")]
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2099:
        errors["year"] = [_("a year from 2000 to 2099")]
    problem = amount_error(canteen_food_fen, positive=False)
    if problem:
        errors["canteen_food_fen"] = [problem]
    if not isinstance(reserved_percent, Decimal):
        errors["reserved_percent"] = [_("a percentage is required")]
    elif reserved_percent < MIN_RESERVED_PERCENT:
        errors["reserved_percent"] = [_("the reserved share is at least %(n)d %% of canteen food purchases") % {"n": MIN_RESERVED_PERCENT}]
    elif reserved_percent > 100:
        errors["reserved_percent"] = [_("at most 100 %")]
    problem = day_problem(filed_on)
    if problem:
        errors["filed_on"] = [problem]
    return errors


# --- purchases --------------------------------------------------------------------------------


def purchase_field_errors(p, today=None) -> dict:
    """The purchase's own values (not its relations, not the evidence clash)."""
    if _plainly_valid(p, today):
        return {}
    errors = {}
    problem = amount_error(p.amount_fen)
    if problem:
        errors["amount_fen"] = [problem]
    problem = day_problem(p.purchased_on, today=today)
    if problem:
        errors["purchased_on"] = [problem]
    if not one_of(p.channel, _CHANNELS):
        errors["channel"] = [_("“%(v)s” is not a channel") % {"v": p.channel}]
    problem = text_error(p.channel_name or "", 100, required=False)
    if problem:
        errors["channel_name"] = [problem]
    problem = text_error(p.evidence_number, MAX_EVIDENCE, what=_("an evidence number"))
    if problem:
        errors["evidence_number"] = [problem]
    return errors


def _plainly_valid(p, today) -> bool:
    """True only for a purchase each check below would pass (the usual one: tested against the
    checks in tests/consumption/test_actions.py), answered without them; anything else goes
    through every check, which name the faults."""
    amount, day, evidence, name = p.amount_fen, p.purchased_on, p.evidence_number, p.channel_name
    return (type(amount) is int and 0 < amount <= MAX_FEN and type(day) is datetime.date and today is not None
            and FIRST_DAY <= day <= today and day <= LAST_DAY and type(p.channel) is str and p.channel in _CHANNELS
            and type(evidence) is str and len(evidence) <= MAX_EVIDENCE and evidence.strip() != "" and "\x00" not in evidence
            and type(name) is str and len(name) <= 100 and "\x00" not in name)


def evidence_clash(evidence, supplier, existing, new_channel, new_buyer) -> str:
    """The refusal naming both records: the one recorded and the one refused."""
    return _("evidence number %(ev)s of %(supplier)s is already recorded as purchase #%(id)s (%(channel)s, %(buyer)s, "
             "%(day)s, %(amount)s); this record through %(new_channel)s by %(new_buyer)s would count the same purchase twice") % {
        "ev": evidence, "supplier": supplier.name, "id": existing.pk, "channel": existing.get_channel_display(),
        "buyer": existing.buyer.name, "day": existing.purchased_on.isoformat(), "amount": format_yuan(existing.amount_fen),
        "new_channel": Channel(new_channel).label if new_channel in _CHANNELS else new_channel, "new_buyer": new_buyer.name}


def batch_clash(evidence, supplier, first_position, first_channel, new_channel) -> str:
    return _("evidence number %(ev)s of %(supplier)s is also in item %(i)s (%(channel)s); this one through %(new_channel)s "
             "would count the same purchase twice") % {
        "ev": evidence, "supplier": supplier.name, "i": first_position,
        "channel": Channel(first_channel).label if first_channel in _CHANNELS else first_channel,
        "new_channel": Channel(new_channel).label if new_channel in _CHANNELS else new_channel}

"""The ledger's rules, written once for the single-posting actions (`actions.py`) and the
batch (`batch.py`).

Each rule is a small function over the values both paths hold — model instances in an
action, lighter row objects in a batch, with the same attributes — and answers with the
refusal's text (or None), or adds to an errors dict keyed by field. The callers decide
what a refusal becomes (a raised error for one posting, a listed item for a batch), so a
rule changed here changes the form, the API and the bulk ingestion alike.

The request bodies whose hash makes a retry idempotent, and the lines each stage posts,
are here too: an action and a batch posting the same thing hash the same body and draw
on the same accounts. Lines name their accounts through `account(owner, purpose,
project=None)`, which each path supplies (an Account row, or a key for the batch).
"""
import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from xiezuo.core.dates import day_error
from xiezuo.core.money import MAX_FEN, format_yuan, too_large
from xiezuo.core.scoping import can_edit_in_region
from xiezuo.projects.choices import Status

from .choices import Kind, Purpose, Side

MAX_KEY = 64
MAX_MEMO = 300


# --- the shape of a request ----------------------------------------------------------------


def check_key(key, errors, field="idempotency_key"):
    if not isinstance(key, str) or not 1 <= len(key.strip()) <= MAX_KEY or key != key.strip():
        errors[field] = [_("an idempotency key of 1 to %(n)d characters (no surrounding spaces) is required") % {"n": MAX_KEY}]


def check_amount(value, errors, field="amount_fen"):
    if isinstance(value, bool) or not isinstance(value, int):
        errors[field] = [_("amounts in fen must be whole numbers")]
    elif value <= 0:
        errors[field] = [_("the amount must be more than zero")]
    elif value > MAX_FEN:
        errors[field] = [too_large()]


def check_date(value, field, errors, *, required=False, not_before=None, not_before_label="", today=None):
    """Within the platform's range of days, not in the future, and not before what it
    follows (an arrival its allocation, a reversal its posting)."""
    if value is None:
        if required:
            errors[field] = [_("a date is required")]
        return
    if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
        errors[field] = [_("a date is required")]
    elif day_error(value):
        errors[field] = [day_error(value)]
    elif value > (today or timezone.localdate()):
        errors[field] = [_("the date %(d)s is in the future") % {"d": value.isoformat()}]
    elif not_before is not None and value < not_before:
        errors[field] = [_("the date %(d)s is before %(what)s (%(when)s)") % {
            "d": value.isoformat(), "what": not_before_label, "when": not_before.isoformat()}]


def check_memo(memo, errors, field="memo", required=False):
    if not isinstance(memo, str):
        errors[field] = [_("text is required")]
    elif required and not memo.strip():
        errors[field] = [_("a reason is required")]
    elif len(memo) > MAX_MEMO:
        errors[field] = [_("at most %(n)d characters") % {"n": MAX_MEMO}]


def key_reused(key, posting) -> str:
    """An idempotency key names one request: the same key with another body is refused."""
    return _("the key “%(key)s” was already used for %(posting)s with a different body; a new posting needs a new key") % {
        "key": key, "posting": posting}


# --- what a posting may refer to -----------------------------------------------------------


def cancelled(project) -> str | None:
    if project.status == Status.CANCELLED:
        return _("project %(code)s is cancelled") % {"code": project.code}
    return None


def no_office(region) -> str:
    return _("no cooperation office is registered for %(region)s") % {"region": region}


def source_not_above(source, county) -> str | None:
    """The paying office must be the county's own or one above it."""
    if not county.code.startswith(source.region.prefix):
        return _("%(org)s is not above %(county)s, where the project runs") % {"org": source, "county": county}
    return None


# --- who may post which step ---------------------------------------------------------------


def may_allocate(user, pairing) -> str | None:
    if not can_edit_in_region(user, pairing.east_region.code):
        return _("only the eastern side of %(pair)s allocates its fiscal aid") % {"pair": pairing}
    return None


def may_confirm_arrival(user, west) -> str | None:
    if not can_edit_in_region(user, west.region.code):
        return _("only the western side (%(org)s) confirms the arrival of funds") % {"org": west}
    return None


def may_disburse(user, source) -> str | None:
    if not can_edit_in_region(user, source.region.code):
        return _("only the western side (%(org)s) disburses its funds") % {"org": source}
    return None


def may_record_spending(user, project) -> str | None:
    if not can_edit_in_region(user, project.county.code):
        return _("only the western side records spending of project %(code)s") % {"code": project.code}
    return None


def may_reverse(user, original) -> str | None:
    """The side that posted the original reverses it."""
    if original.kind == Kind.ALLOCATION:
        may = can_edit_in_region(user, original.east_org.region.code)
    elif original.kind == Kind.SPENDING:
        may = can_edit_in_region(user, original.project.county.code)
    else:
        may = can_edit_in_region(user, original.west_org.region.code)
    if not may:
        return _("only the side that posted %(posting)s may reverse it") % {"posting": original}
    return None


# --- stage order ---------------------------------------------------------------------------


def arrival_refused(allocation, *, reversed_: bool, arrived_on) -> str | None:
    """An allocation arrives once, and not after it was reversed. `arrived_on` is the date
    of the arrival that stands, if any."""
    if reversed_:
        return _("%(posting)s was reversed") % {"posting": allocation}
    if arrived_on is not None:
        return _("%(posting)s already arrived on %(d)s") % {"posting": allocation, "d": arrived_on}
    return None


def reversal_refused(original, *, reversed_: bool, arrival_stands: bool) -> str | None:
    """A posting is reversed once, a reversal never, an allocation only after its arrival."""
    if original.kind == Kind.REVERSAL:
        return _("a reversal is not reversed; post the event again instead")
    if reversed_:
        return _("this posting was already reversed")
    if original.kind == Kind.ALLOCATION and arrival_stands:
        return _("this allocation has arrived; reverse its arrival first")
    return None


def shortfall(account, available: int) -> str:
    """Nothing disbursed that has not arrived, nothing spent that the project does not hold,
    no account below zero: the refusal names what there is."""
    money = format_yuan(available)
    if account.purpose == Purpose.WEST_RECEIVING:
        return _("more than has arrived: %(money)s has arrived at %(owner)s and is not yet disbursed") % {
            "money": money, "owner": account.owner}
    if account.purpose == Purpose.PROJECT:
        return _("more than the project holds: %(money)s is available in its account") % {"money": money}
    if account.purpose == Purpose.IN_TRANSIT:
        return _("only %(money)s is in transit to %(owner)s") % {"money": money, "owner": account.owner}
    return _("%(account)s holds only %(money)s") % {"account": account, "money": money}


def nothing_held() -> str:
    """Spending from a project that has no account yet: nothing was disbursed into it."""
    return _("more than the project holds: %(money)s is available in its account") % {"money": format_yuan(0)}


def net_changes(lines, normal_side) -> dict:
    """{account: change of its balance towards its normal side} of a posting's lines;
    `normal_side(account)` gives an account's normal side."""
    net = {}
    for account, side, amount in lines:
        net[account] = net.get(account, 0) + (amount if side == normal_side(account) else -amount)
    return net


# --- what each stage hashes and posts ------------------------------------------------------


def allocation_body(agreement_id, amount_fen, booked_on, memo) -> dict:
    return {"kind": Kind.ALLOCATION.value, "agreement": agreement_id, "amount_fen": amount_fen, "booked_on": booked_on,
            "memo": memo}


def arrival_body(allocation_id, arrived_on, memo) -> dict:
    return {"kind": Kind.ARRIVAL.value, "allocation": allocation_id, "arrived_on": arrived_on, "memo": memo}


def disbursement_body(project_id, source_id, amount_fen, booked_on, memo) -> dict:
    return {"kind": Kind.DISBURSEMENT.value, "project": project_id, "source": source_id, "amount_fen": amount_fen,
            "booked_on": booked_on, "memo": memo}


def spending_body(project_id, amount_fen, spent_on, memo) -> dict:
    return {"kind": Kind.SPENDING.value, "project": project_id, "amount_fen": amount_fen, "spent_on": spent_on, "memo": memo}


def reversal_body(posting_id, reason, booked_on) -> dict:
    return {"kind": Kind.REVERSAL.value, "posting": posting_id, "reason": reason, "booked_on": booked_on}


# The sides of the lines below as plain text ("D", "C"), equal to Side's members: the chain
# writes each entry's side as text, and a member's str() is a Python call per entry.
DEBIT, CREDIT = Side.DEBIT.value, Side.CREDIT.value


def allocation_lines(account, east, west, amount):
    """下达: the eastern budget releases, the western office's in-transit account holds."""
    return [(account(west, Purpose.IN_TRANSIT), DEBIT, amount), (account(east, Purpose.EAST_BUDGET), CREDIT, amount)]


def arrival_lines(account, west, amount):
    """到位: in transit → the western receiving account."""
    return [(account(west, Purpose.WEST_RECEIVING), DEBIT, amount), (account(west, Purpose.IN_TRANSIT), CREDIT, amount)]


def disbursement_lines(account, holder, source, project, amount):
    """拨付: the paying office's receiving account → the project's account (held by `holder`,
    the county's office)."""
    return [(account(holder, Purpose.PROJECT, project), DEBIT, amount),
            (account(source, Purpose.WEST_RECEIVING), CREDIT, amount)]


def spending_lines(account, holder, project, amount):
    """支出: the project's account → its spending, both held by the project account's holder."""
    return [(account(holder, Purpose.PROJECT_SPENDING, project), DEBIT, amount),
            (account(holder, Purpose.PROJECT, project), CREDIT, amount)]


def mirror(lines):
    """冲销: the lines of the original, each on the other side."""
    return [(account, CREDIT if side == DEBIT else DEBIT, amount) for account, side, amount in lines]


def fact_codes(east_org, west_org, project) -> set:
    """The regions a posting's facts belong to: its offices' and its project's county."""
    codes = {o.region.code for o in (east_org, west_org) if o is not None}
    if project is not None:
        codes.add(project.county.code)
    return codes

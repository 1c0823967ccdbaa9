"""What a stage form may post, shown before the user types an amount.

The same balances the actions check when they refuse an overdraw (`actions.post` reads the
drawn account's balance under its lock): what has arrived at the paying office and is not
yet disbursed (可拨付余额), what a project's account holds (可支出余额). For an allocation,
what the agreement committed and is not yet allocated (协议待下达), and for an arrival the
allocation's amount in transit — shown for orientation, as the ledger does not cap them.
Amounts in fen; the page shows them in 元.
"""
from django.db.models import Sum
from django.utils.translation import gettext as _

from .actions import office_of
from .balances import balance, standing
from .choices import Kind, Purpose
from .models import Account, Posting


def _account_balance(owner, purpose, project=None) -> int:
    qs = Account.objects.filter(purpose=purpose)
    qs = qs.filter(project=project) if project is not None else qs.filter(owner=owner, project__isnull=True)
    account = qs.first()
    return balance(account) if account is not None else 0


def for_disbursement(project) -> dict | None:
    """可拨付余额: what has arrived at the office of the project's county and is not yet paid out."""
    office = office_of(project.county)
    if office is None:
        return None
    return {"fen": _account_balance(office, Purpose.WEST_RECEIVING), "label": _("available to disburse"),
            "where": str(office.name)}


def for_office(office) -> dict | None:
    """可拨付余额 of the user's own office, before a project is chosen."""
    if office is None or office.kind != "office":
        return None
    return {"fen": _account_balance(office, Purpose.WEST_RECEIVING), "label": _("available to disburse"),
            "where": str(office.name)}


def for_spending(project) -> dict:
    """可支出余额: what the project's account holds (disbursed to it, not yet spent)."""
    return {"fen": _account_balance(None, Purpose.PROJECT, project), "label": _("available to spend"),
            "where": f"{project.code} {project.name}"}


def for_allocation(agreement) -> dict:
    """协议待下达: the agreement's fiscal aid less what is allocated under it and in force."""
    allocated = standing(Posting.objects.filter(kind=Kind.ALLOCATION, agreement=agreement)).aggregate(
        s=Sum("amount_fen"))["s"] or 0
    return {"fen": agreement.fiscal_aid_fen - allocated, "label": _("committed, not yet allocated"),
            "where": f"{agreement.pairing} · {agreement.year}", "committed_fen": agreement.fiscal_aid_fen,
            "allocated_fen": allocated}


def for_arrival(allocation) -> dict:
    """The allocation's amount, in transit until its arrival is confirmed."""
    return {"fen": allocation.amount_fen, "label": _("in transit"), "where": str(allocation.west_org.name)}

"""Market payments through the ledger.

The markets never write ledger rows: each payment is one balanced posting appended by the
ledger's own `actions.post` (the building block of its stage actions: it locks the drawn
accounts, refuses to take one below zero, takes the chain head and hashes the entries), with
the ledger's idempotency (`replay`: the same key and body answer the posting already made).
Every posting is of the kind `market` (市场交易), which the ledger's fiscal-aid figures
(allocated, arrived, disbursed, spent: filtered by their own kinds) do not count.

`pay`: a buyer pays a seller. The ledger has two organisation-level purposes a market can
use: a source of money (the budget, 东部援助资金预算, credit-normal, so a payment out of it
never overdraws) and a receiving account (到位资金). A payment is
    debit  the payee's receiving account
    credit the payer's budget
For the land and carbon markets the payer is eastern and the payee western, as the accounts'
names say; a technology deal is paid the other way (the western licensee to the eastern
owner) through the same two purposes, so the owner's receipts sit in an account the ledger
names "western receiving account". (Purposes named for the market's sides would be the
ledger's change to make.)

`pay_out`: a western county pays money it received out of the platform, to people who hold
no account in it (the farmers and the village collective of a land-quota trade):
    debit  the project's spending (项目支出), the ledger's only account for money spent
    credit the county's receiving account, where the trade's proceeds arrived
The ledger refuses a payout that would take the receiving account below zero.
"""
from django.utils import timezone

from xiezuo.ledger import actions as ledger
from xiezuo.ledger.choices import Purpose, Side

MARKET_KIND = "market"


def pay(user, *, payer, payee, amount_fen: int, key: str, body: dict, booked_on=None, memo="", payer_is_east=True,
        shortfall_field="amount_fen"):
    """Post (once per key) the payment of `amount_fen` from `payer` to `payee`. The posting
    names its eastern and western side: by default the payer is the eastern one."""
    rhash = ledger.request_hash(dict(body, kind=MARKET_KIND))
    existing = ledger.replay(user, key, rhash)
    if existing is not None:
        return existing
    lines = [(ledger.account_for(payee, Purpose.WEST_RECEIVING), Side.DEBIT, amount_fen),
             (ledger.account_for(payer, Purpose.EAST_BUDGET), Side.CREDIT, amount_fen)]
    east, west = (payer, payee) if payer_is_east else (payee, payer)
    return ledger.post(user, kind=MARKET_KIND, key=key, rhash=rhash, lines=lines, shortfall_field=shortfall_field,
                       booked_on=booked_on or timezone.localdate(), east_org=east, west_org=west, memo=memo[:300])


def pay_out(user, *, payer, project, amount_fen: int, key: str, body: dict, booked_on=None, memo="",
            shortfall_field="amount_fen"):
    """Post (once per key) `amount_fen` paid out of `payer`'s receiving account as spending of `project`."""
    rhash = ledger.request_hash(dict(body, kind=MARKET_KIND))
    existing = ledger.replay(user, key, rhash)
    if existing is not None:
        return existing
    lines = [(ledger.account_for(payer, Purpose.PROJECT_SPENDING, project), Side.DEBIT, amount_fen),
             (ledger.account_for(payer, Purpose.WEST_RECEIVING), Side.CREDIT, amount_fen)]
    return ledger.post(user, kind=MARKET_KIND, key=key, rhash=rhash, lines=lines, shortfall_field=shortfall_field,
                       booked_on=booked_on or timezone.localdate(), project=project, west_org=payer, memo=memo[:300])


def receiving_balance(org) -> int:
    """What `org`'s receiving account holds now (0 without one)."""
    from xiezuo.ledger.balances import balance
    from xiezuo.ledger.models import Account

    account = Account.objects.filter(owner=org, purpose=Purpose.WEST_RECEIVING, project=None).first()
    return balance(account) if account is not None else 0

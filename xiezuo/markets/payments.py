"""Market payments through the ledger.

The markets never write ledger rows: each payment is one balanced posting appended by the
ledger's own `actions.post` (the building block of its stage actions: it locks the drawn
accounts, takes the chain head and hashes the entries), with the ledger's idempotency
(`replay`: the same key and body answer the posting already made).

A payment from an eastern buyer or subscriber to a western seller is
    debit  the payee's western receiving account (到位资金)
    credit the payer's eastern aid budget (东部援助资金预算: a credit-normal source account)
posted under the kind `market` (市场交易), which the ledger's fiscal-aid figures (allocated,
arrived, disbursed: filtered by their own kinds) do not count.
"""
from django.utils import timezone

from xiezuo.ledger import actions as ledger
from xiezuo.ledger.choices import Purpose, Side

MARKET_KIND = "market"


def pay(user, *, payer, payee, amount_fen: int, key: str, body: dict, booked_on=None, memo=""):
    """Post (once per key) the payment of `amount_fen` from `payer` (eastern) to `payee` (western)."""
    rhash = ledger.request_hash(dict(body, kind=MARKET_KIND))
    existing = ledger.replay(user, key, rhash)
    if existing is not None:
        return existing
    lines = [(ledger.account_for(payee, Purpose.WEST_RECEIVING), Side.DEBIT, amount_fen),
             (ledger.account_for(payer, Purpose.EAST_BUDGET), Side.CREDIT, amount_fen)]
    return ledger.post(user, kind=MARKET_KIND, key=key, rhash=rhash, lines=lines,
                       booked_on=booked_on or timezone.localdate(), east_org=payer, west_org=payee, memo=memo[:300])

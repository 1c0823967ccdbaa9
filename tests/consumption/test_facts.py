"""Consumption rigidity on a small fixture, computed by hand: 美姑县's county agreement with
鄞州区 commits 100万元 for the year; of four purchases one counts (30万元): 30 %."""
import datetime

import pytest

from tests.support import agreement_of, county_pair
from xiezuo.consumption import actions, facts
from xiezuo.core.periods import Period

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def test_rigidity_by_hand(users, cw, today):
    agreement = agreement_of(county_pair(), today.year)
    agreement.consumption_fen = 1_000_000_00  # 100万元
    agreement.save()
    east, county = users["east_office"], users["county_office"]
    cert = cw["cert"]

    def buy(amount, day, ev, product="potato", buyer="union"):
        actions.record_purchase(east if buyer != "gz" else users["national"], buyer=cw[buyer], product=cw[product], amount_fen=amount,
                                purchased_on=day, channel="fair", evidence_number=ev)

    buy(300_000_00, today - 10 * DAY, "A")          # counts
    buy(100_000_00, today - 10 * DAY, "B", "chicken")  # not certified: no
    buy(50_000_00, today - 10 * DAY, "C", buyer="gz")  # Guangzhou buyer: not paired, no
    buy(20_000_00, today - 2 * DAY, "D")             # counts until revoked below
    actions.revoke_certificate(users["west_office"], cert, revoked_on=today - 2 * DAY, reason="抽检")
    period = Period.year(today.year)
    result = facts.for_region(cw["meigu"], period, as_of=today)
    assert result["committed_fen"] == 1_000_000_00
    assert result["actual_fen"] == 300_000_00
    assert result["percent"] == 30.0
    rows = facts.evidence(cw["meigu"], period, as_of=today)
    assert [(r[9], r[7], r[10]) for r in rows] == [("A", 300_000_00, "SC-XF-2026-0001")]
    # the family filter counts the same rows
    from xiezuo.consumption.models import Purchase

    class W:
        pass

    w = W()
    w.period, w.cut = period, today
    assert set(Purchase.objects.filter(facts.where(w)).values_list("evidence_number", flat=True)) == {"A", "C"}

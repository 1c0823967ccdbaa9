"""Every movement of carbon units (issue, transfer, split, delivery, retirement) is an entry
of the platform's audit log, with who made it, the project's county and the receiving
holder's region; the registry's invariants hold as before; a refused movement leaves no entry."""
import pytest
from django.core.exceptions import ValidationError

from tests.support import office
from xiezuo.core.models import AuditEntry
from xiezuo.markets.carbon import actions as carbon
from xiezuo.markets.carbon.verify import verify
from xiezuo.markets.models import CarbonMove

from .world import sink, verified

pytestmark = pytest.mark.django_db


def _entries():
    return AuditEntry.objects.filter(object_type="markets.carbonmove")


def test_each_movement_has_its_audit_entry(users, en):
    p = sink(users["county_office"])
    block = carbon.issue(users["national"], verification=verified(users, p, 1000), units=600)
    issued = _entries().get()
    move = CarbonMove.objects.get(block=block)
    assert (issued.object_id, issued.action, issued.username, issued.region_code) == (str(move.pk), "create", "national", "513436")
    assert issued.after["kind"] == "issue" and issued.after["units"] == 600
    zj = office("330000")
    moved = carbon.transfer(users["county_office"], block=block, to_holder=zj, units=250)  # a split: the moved part and the rest
    sub = carbon.sign_subscription(users["east_office"], project=p, subscriber=zj, price_fen_per_t=80_00, share_pct=50, tonnes=100)
    carbon.deliver(users["county_office"], subscription=sub, units=100)
    carbon.retire(users["east_office"], block=moved, units=100, beneficiary="浙江省2026年碳中和大会", purpose="会议碳中和")
    moves = list(CarbonMove.objects.order_by("id"))
    logged = {e.object_id: e for e in _entries()}
    assert set(logged) == {str(m.pk) for m in moves}  # one entry per move, no more
    kinds = [logged[str(m.pk)].after["kind"] for m in moves]
    assert kinds == ["issue", "transfer", "transfer", "deliver", "transfer", "retire", "transfer"]
    transfer = logged[str(moves[1].pk)]
    assert transfer.username == "county_office" and transfer.other_region_code == "330000" and transfer.after["units"] == 250
    retirement = logged[str(moves[5].pk)]
    assert retirement.username == "east_office" and retirement.region_code == "513436"
    report = verify()
    assert report["ok"], report["problems"]


def test_a_refused_movement_leaves_no_entry(users, en):
    p = sink(users["county_office"])
    block = carbon.issue(users["national"], verification=verified(users, p, 100))
    n = _entries().count()
    with pytest.raises(ValidationError):
        carbon.transfer(users["county_office"], block=block, to_holder=office("330000"), units=101)
    assert _entries().count() == n

"""A foundation's pledge is paid into the project's account as a social donation (社会捐赠):
its own posting kind, once per pledge, audited, shown as such, and kept out of the fiscal-aid
figures."""
import pytest

from xiezuo.core.models import AuditEntry
from xiezuo.ledger import totals as money
from xiezuo.ledger.balances import balance
from xiezuo.ledger.choices import Kind, Purpose
from xiezuo.ledger.filtersets import postings
from xiezuo.ledger.models import Account, Posting
from xiezuo.ledger.views import project_money
from xiezuo.social import actions

pytestmark = pytest.mark.django_db


def funded(users, sw, amount=2_000_000):
    need = actions.review_need(users["east_office"], sw["need"], publish=True)
    need = actions.take_up(sw["social"], need)
    return actions.pledge(sw["foundation"], need, amount_fen=amount)


def test_a_paid_pledge_is_a_social_donation_outside_the_fiscal_figures(users, sw, today, english):
    pledge = funded(users, sw)
    viewers = ("national", "east_office", "west_office", "county_office")
    before = {role: money.money_stages(users[role], today.year) for role in viewers}
    pledge = actions.pay_pledge(sw["foundation"], pledge, paid_on=today)
    posting = pledge.posting
    assert posting.kind == Kind.SOCIAL == "social" and posting.get_kind_display() == "social donation"
    assert posting.amount_fen == 2_000_000 and posting.project == sw["project"] and posting.east_org == sw["foundation_org"]
    project_account = Account.objects.get(project=sw["project"], purpose=Purpose.PROJECT)
    donor_account = Account.objects.get(owner=sw["foundation_org"], purpose=Purpose.EAST_BUDGET)
    assert balance(project_account) == 2_000_000 and balance(donor_account) == 2_000_000  # the donor's source: credit-normal
    # not fiscal aid: allocated, arrived, disbursed and spent stay as they were, for every office
    assert {role: money.money_stages(users[role], today.year) for role in viewers} == before
    assert money.check() == []
    # the project page: donated, and held with it
    shown = project_money(users["county_office"], sw["project"])
    assert (shown["disbursed"], shown["donated"], shown["held"]) == (0, 2_000_000, 2_000_000)
    # the funds pages list it under its own kind
    assert list(postings(users["county_office"], kind="social")) == [posting]
    assert not postings(users["county_office"], kind="disbursement").exists()


def test_a_pledge_is_paid_once_and_audited(users, sw, today, english):
    pledge = funded(users, sw, 1_000_000)
    pledge = actions.pay_pledge(sw["foundation"], pledge, paid_on=today)
    with pytest.raises(Exception, match="was paid"):
        actions.pay_pledge(sw["foundation"], pledge, paid_on=today)
    assert Posting.objects.filter(kind=Kind.SOCIAL).count() == 1
    assert Posting.objects.get(kind=Kind.SOCIAL).idempotency_key == f"social-pledge-{pledge.pk}"
    # the ledger's own replay: the same key and body answer the posting already made
    from xiezuo.social.actions import _post_to_project

    again = _post_to_project(sw["foundation"], pledge, pledge.need, today, f"social-pledge-{pledge.pk}")
    assert again == pledge.posting and Posting.objects.filter(kind=Kind.SOCIAL).count() == 1
    entry = AuditEntry.objects.filter(object_type="social.pledge", object_id=str(pledge.pk), action="update").latest("id")
    assert entry.username == "foundation"
    assert entry.after["paid_on"] == today.isoformat() and entry.after["posting_id"] == pledge.posting_id

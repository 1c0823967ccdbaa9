"""What many test modules share: the look-ups of the demo's offices, pairings and ledger
accounts that tests name by region code, the base data for the browser tests' transactional
flushes, and the world built once for a module of tests.

The live server needs committed data seen from another thread, so browser tests run with
`transactional_db`, whose teardown empties every table — including what data migrations
created. `ensure_base_data` puts back what the session started with: the region tree, the
former poverty counties, the demo, and the indicator system's version 1 from migration 0002.
"""
from contextlib import contextmanager

from django.db import transaction

from xiezuo.ledger.models import Account
from xiezuo.orgs.models import Organisation
from xiezuo.pairings.models import Pairing


def office(code):
    """The pairing office of the region with this code."""
    return Organisation.objects.get(kind="office", region__code=code)


def account(code, purpose, project=None):
    """A ledger account: the project's own for `purpose`, else the office's of region `code`."""
    if project is not None:
        return Account.objects.get(project=project, purpose=purpose)
    return Account.objects.get(owner=office(code), purpose=purpose, project=None)


def county_pair(east="330212", west="513436"):
    """The county pairing of these two regions; by default the demo's 鄞州区 — 美姑县."""
    return Pairing.objects.get(kind="county", east_region__code=east, west_region__code=west)


def ensure_base_data():
    from xiezuo.assessment.defaults import seed
    from xiezuo.assessment.models import GradeCutoffs, Indicator, IndicatorSystem
    from xiezuo.regions.loader import load_former_poverty, load_tree
    from xiezuo.regions.models import Region
    from xiezuo.web.demo import seed_demo

    if not Region.objects.exists():
        load_tree()
        load_former_poverty()
        seed_demo()
    seed(IndicatorSystem, Indicator, GradeCutoffs)  # creates version 1 only if there is none


@contextmanager
def shared_world(django_db_blocker, using="default"):
    """A world built once for many tests, as Django's `TestCase.setUpTestData` builds one
    per class: what is written inside stays in an outer transaction that is rolled back
    when the block ends, and each test's own transaction nests in it as a savepoint, so a
    test still sees the world as built, whatever the tests before it did.

    Only for tests in ordinary (rolled-back) transactions: a `transaction=True` test
    empties the tables, and a second connection (a live server, another thread) sees none
    of it. Like the test case's own atomic block, it lets a durable block nest.
    """
    with django_db_blocker.unblock():
        block = transaction.atomic(using=using)
        block._from_testcase = True
        with block:
            yield
            transaction.set_rollback(True, using=using)

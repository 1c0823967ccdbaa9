"""The base data every test expects, for the browser tests' transactional flushes.

The live server needs committed data seen from another thread, so browser tests run with
`transactional_db`, whose teardown empties every table — including what data migrations
created. This puts back what the session started with: the region tree, the former poverty
counties, the demo, and the indicator system's version 1 from migration 0002.
"""
from contextlib import contextmanager

from django.db import transaction


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

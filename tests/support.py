"""The base data every test expects, for the browser tests' transactional flushes.

The live server needs committed data seen from another thread, so browser tests run with
`transactional_db`, whose teardown empties every table — including what data migrations
created. This puts back what the session started with: the region tree, the former poverty
counties, the demo, and the indicator system's version 1 from migration 0002.
"""


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

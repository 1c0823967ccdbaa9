"""The dashboard's labour figures kept as a summary table: every writer (a single placement or
check, an ingested batch, a merge) changes them in its own transaction; they equal the
figures counted from the facts; `check()` finds a tampered row and `rebuild()` refills it."""
import datetime

import pytest
from django.db import connection, transaction
from django.utils import timezone

from tests.labour.conftest import idn
from tests.labour.test_facts import three_placed  # noqa: F401  (a fixture)
from xiezuo.ingest.batch import ingest
from xiezuo.labour import actions, totals
from xiezuo.labour.figures import office_figures, office_figures_from_facts
from xiezuo.labour.models import LabourTotal, Placement
from xiezuo.regions.models import Region

pytestmark = pytest.mark.django_db
D = datetime.timedelta


def _rows():
    return sorted(LabourTotal.objects.filter(n__gt=0).values_list("prefix", "period", "measure", "n"))


def _same_as_facts(users):
    for name in ("county_office", "east_office", "national", "viewer"):
        if name in users:
            assert office_figures(users[name]) == office_figures_from_facts(users[name]), name
    assert totals.check() == []


@pytest.fixture
def world(users, three_placed, employer, yinzhou):  # noqa: F811
    """The three placed workers, older placements across the milestones and their checks
    (some found employed, some not), one placement on the last day a milestone is due."""
    today = timezone.localdate()
    w = three_placed
    starts = [today - D(days=d) for d in (20, 95, 200, 400, 700)] + [actions.add_months(today, -3),
                                                                        actions.add_months(today, -6) + D(days=1)]
    for i, start in enumerate(starts):
        p = actions.record_placement(users["county_office"], worker=w[i % 3], employer=employer, place=yinzhou, start_date=start)
        for m in (3, 6, 12):
            if actions.add_months(start, m) <= today and (i + m) % 4:
                actions.record_check(users["county_office"], placement=p, milestone=m, checked_on=today, employed=bool((i + m) % 3),
                                     wage_months=min(m, 3))
    return w


def test_figures_equal_the_counts_from_the_facts(users, world):
    _same_as_facts(users)
    fig = office_figures(users["county_office"])
    assert fig["placed"] == 3 and fig["retention"][3]["due"] > 0 and fig["retention"][3]["checked"] > 0


def test_a_placement_changes_the_figures_in_its_own_transaction(users, world, employer, yinzhou):
    before = office_figures(users["east_office"])
    other = actions.register_worker(users["county_office"], county=Region.objects.get(code="513436"), name="新工",
                                    id_number=idn(401))
    with transaction.atomic():
        actions.record_placement(users["county_office"], worker=other, employer=employer, place=yinzhou,
                                 start_date=timezone.localdate() - D(days=3))
        inside = office_figures(users["east_office"])
        assert inside["placed"] == before["placed"] + 1
    _same_as_facts(users)


def test_a_rollback_leaves_the_figures_unchanged(users, world, employer, yinzhou):
    rows = _rows()
    other = actions.register_worker(users["county_office"], county=Region.objects.get(code="513436"), name="新工",
                                    id_number=idn(403))
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            p = actions.record_placement(users["county_office"], worker=other, employer=employer, place=yinzhou,
                                         start_date=timezone.localdate() - D(days=200))
            actions.record_check(users["county_office"], placement=p, milestone=3, checked_on=timezone.localdate(), employed=True)
            assert _rows() != rows
            raise RuntimeError("rolled back")
    assert _rows() == rows


def test_ingested_batches_keep_the_figures(users, world, employer):
    start = (timezone.localdate() - D(days=150)).isoformat()
    items = [{"type": "placement", "client_id": f"t-{w.pk}", "worker": w.pk, "employer": employer.pk, "place": "330212",
              "start_date": start} for w in world]
    assert ingest(users["county_office"], items).ok
    ids = Placement.objects.filter(client_id__startswith="t-").values_list("pk", flat=True)
    checks = [{"type": "retention_check", "client_id": f"c-{pk}", "placement": pk, "milestone": 3,
               "checked_on": timezone.localdate().isoformat(), "employed": pk % 2 == 0} for pk in ids]
    assert ingest(users["east_office"], checks).ok
    _same_as_facts(users)


def test_a_merge_moves_the_figures(users, world, employer, yinzhou):
    other_county = Region.objects.filter(level="county", role="west", code__startswith="51").exclude(code="513436").first()
    again = actions.register_worker(users["national"], county=other_county, name=world[0].name, id_number=world[0].id_number)
    actions.record_placement(users["national"], worker=again, employer=employer, place=yinzhou,
                             start_date=timezone.localdate() - D(days=40))
    _same_as_facts(users)
    actions.merge_workers(users["national"], keep=world[0], drop=again, reason="同一人")
    _same_as_facts(users)


def test_check_finds_a_tampered_row_and_rebuild_refills_it(users, world):
    row = LabourTotal.objects.filter(prefix="513436", measure=totals.PLACED).first()
    LabourTotal.objects.filter(pk=row.pk).update(n=row.n + 5)
    diffs = totals.check()
    assert [(d[0], d[2], d[3], d[4]) for d in diffs] == [("513436", totals.PLACED, row.n + 5, row.n)]
    kept = _rows()
    LabourTotal.objects.all().delete()
    assert totals.rebuild() > 0
    assert totals.check() == []
    assert _rows() == [r if (r[0], r[2]) != ("513436", totals.PLACED) or r[1] != row.period else (*r[:3], row.n)
                       for r in kept]
    with connection.cursor() as cur:  # the interface the rebuild_figures command uses
        assert totals.TABLE == LabourTotal._meta.db_table and totals.KEYS == ("prefix", "period", "measure")
        cur.execute(f"SELECT count(*) FROM {totals.TABLE}")
        assert cur.fetchone()[0] == len(_rows())

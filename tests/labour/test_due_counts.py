"""The placements' next check days counted per county and month (`labour.duecounts`): every
writer keeps the counts equal to the placements' stored days, and the weekly sheet's grouped
count read from them (`missed_check_counts`) is the grouping of `missed_checks`, exactly."""
import datetime
import threading
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, connections
from django.db.models import Q
from django.utils import timezone

from tests.labour.conftest import idn
from tests.support import ensure_base_data
from xiezuo.ingest.batch import ingest
from xiezuo.labour import actions, due, duecounts
from xiezuo.labour.filtersets import GRACE_DAYS, missed_check_counts, missed_checks
from xiezuo.labour.models import Placement, add_months
from xiezuo.regions.models import Region

D = datetime.date
DAY = datetime.timedelta(days=1)
SCOPES = [(2, ""), (4, ""), (6, ""), (2, "51"), (4, "51"), (6, "5134"), (6, "513436"), (4, "52"), (6, "33")]


def grouped(as_of, width, prefix=""):
    out = Counter()
    for code in missed_checks(Q(), as_of).values_list("county__code", flat=True):
        if code.startswith(prefix):
            out[code[:width]] += 1
    return dict(out)


def assert_counts_exact(as_of=None):
    as_of = as_of or timezone.localdate()
    assert duecounts.check() == []
    assert due.check() == []
    for width, prefix in SCOPES:
        assert missed_check_counts(as_of, width, prefix) == grouped(as_of, width, prefix), (width, prefix)


def _back(today, months, day=10):
    return add_months(today.replace(day=day), -months)


@pytest.mark.django_db
def test_every_writer_keeps_the_counts_and_the_sheet_reads_them(users, employer, local_employer, yinzhou, meigu_county):
    county, national = users["county_office"], users["national"]
    today = timezone.localdate()
    zhaojue, guiyang = Region.objects.get(code="513431"), Region.objects.get(code="520111")
    homes = [meigu_county] * 4 + [zhaojue] * 3 + [guiyang] * 3
    workers = [actions.register_worker(national, county=c, name=f"计{i}", id_number=idn(601 + 2 * i, code=c.code))
               for i, c in enumerate(homes)]
    # single records: missed at 3 months, fresh, ended before its first check
    missed = actions.record_placement(national, worker=workers[0], employer=employer, place=yinzhou, start_date=_back(today, 5))
    actions.record_placement(national, worker=workers[4], employer=employer, place=yinzhou, start_date=today - 20 * DAY)
    actions.record_placement(national, worker=workers[7], employer=local_employer, place=meigu_county,
                             start_date=_back(today, 6), end_date=_back(today, 6) + 30 * DAY)
    # a start on the 31st: due on the last day of a shorter month
    thirty_first = actions.record_placement(national, worker=workers[1], employer=employer, place=yinzhou,
                                            start_date=D(2025, 8, 31))
    assert thirty_first.next_check_due == D(2025, 11, 30)
    assert_counts_exact()
    # the cut-off month itself: one due exactly on the grace edge, one the day after
    edge = today - GRACE_DAYS * DAY
    actions.record_placement(national, worker=workers[2], employer=employer, place=yinzhou, start_date=add_months(edge, -3))
    actions.record_placement(national, worker=workers[5], employer=employer, place=yinzhou,
                             start_date=add_months(edge + DAY, -3))
    assert_counts_exact()
    # a batch of placements and then of checks through the ingestion
    start = _back(today, 13)
    items = [{"type": "placement", "client_id": f"dc{i}", "worker": w.pk, "employer": employer.pk, "place": "330212",
              "start_date": start.isoformat(), **({"end_date": (start + 10 * DAY).isoformat()} if i == 0 else {})}
             for i, w in enumerate([workers[3], workers[6], workers[8], workers[9]])]
    assert ingest(national, items).ok
    ids = sorted(Placement.objects.filter(client_id__startswith="dc").values_list("pk", flat=True))
    assert_counts_exact()
    checks = [{"type": "retention_check", "client_id": f"dcc{pk}-{m}", "placement": pk, "milestone": m,
               "checked_on": add_months(start, m).isoformat(), "employed": True, "wage_months": 3}
              for pk, ms in zip(ids[1:], ((3,), (3, 6), (3, 6, 12))) for m in ms]
    assert ingest(national, checks).ok
    assert_counts_exact()
    # a check recorded, then deleted; an end date set and taken back
    c3 = actions.record_check(national, placement=missed, milestone=3, checked_on=add_months(missed.start_date, 3),
                              employed=True, wage_months=3)
    assert_counts_exact()
    actions.set_end_date(national, missed, add_months(missed.start_date, 4))
    assert_counts_exact()
    actions.delete_check(national, c3)
    assert_counts_exact()
    actions.set_end_date(national, missed, None)
    assert_counts_exact()
    # a past day asks the facts
    assert_counts_exact(today - 40 * DAY)
    # a merge moves the dropped worker's placements to the kept worker's county
    drop = actions.register_worker(national, county=guiyang, name="重复", id_number=idn(601, code="513436"))
    actions.record_placement(national, worker=drop, employer=employer, place=yinzhou, start_date=_back(today, 8))
    assert_counts_exact()
    actions.merge_workers(national, keep=workers[0], drop=drop)
    assert_counts_exact()
    assert missed_check_counts(today, 2) and sum(missed_check_counts(today, 6).values()) == missed_checks(Q(), today).count()


@pytest.mark.django_db
def test_rebuild_figures_covers_the_counts(users, worker, employer, yinzhou):
    import io

    from django.core.management import CommandError, call_command

    actions.record_placement(users["county_office"], worker=worker, employer=employer, place=yinzhou, start_date=D(2025, 3, 10))
    duecounts.DueCount.objects.update(n=7)  # behind the writers' back
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("rebuild_figures", stdout=out)
    assert "labour due counts (labour_duecount): 1 differences" in out.getvalue()
    call_command("rebuild_figures", "--fix", stdout=io.StringIO())
    assert duecounts.check() == []
    duecounts.DueCount.objects.all().delete()
    assert duecounts.rebuild() == 1 and duecounts.check() == []


@pytest.fixture(scope="module")
def reload_session_data(django_db_setup, django_db_blocker):
    yield
    with django_db_blocker.unblock():
        ensure_base_data()


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL (SQLite serialises writers anyway)")
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_writers_add_up(reload_session_data):
    """Two batches at once, placements of one county due in one month and checks of one
    placement: both counted, nothing lost, no deadlock."""
    from xiezuo.orgs.models import Organisation

    ensure_base_data()
    User = get_user_model()
    national = User.objects.get(username="national")
    meigu, yinzhou = Region.objects.get(code="513436"), Region.objects.get(code="330212")
    employer = Organisation.objects.create(name="宁波计数并发厂", kind="enterprise", region=yinzhou)
    today = timezone.localdate()
    start = _back(today, 14)
    workers = [actions.register_worker(national, county=meigu, name=f"并{i}", id_number=idn(801 + 2 * i)) for i in range(12)]
    shared = [actions.record_placement(national, worker=w, employer=employer, place=yinzhou, start_date=start) for w in workers[:2]]
    barrier = threading.Barrier(2)
    errors = []

    def write(i):
        try:
            barrier.wait()
            user = User.objects.get(pk=national.pk)
            mine = [{"type": "placement", "client_id": f"cc{i}-{k}", "worker": w.pk, "employer": employer.pk, "place": "330212",
                     "start_date": start.isoformat()} for k, w in enumerate(workers[2 + 5 * i: 7 + 5 * i])]
            assert ingest(user, mine).ok
            checks = [{"type": "retention_check", "client_id": f"cc{i}-c{p.pk}", "placement": p.pk, "milestone": 3 if i == 0 else 6,
                       "checked_on": add_months(start, 3 if i == 0 else 6).isoformat(), "employed": True, "wage_months": 3}
                      for p in shared]
            assert ingest(user, checks).ok
        except Exception as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert duecounts.check() == [] and due.check() == []
    month = add_months(start, 3).replace(day=1)
    assert duecounts.DueCount.objects.get(county_id=meigu.pk, month=month).n == 10
    assert duecounts.DueCount.objects.get(county_id=meigu.pk, month=add_months(start, 12).replace(day=1)).n == 2
    assert missed_check_counts(today, 6, "513436") == {"513436": 12}
    Placement.objects.filter(worker__in=workers).delete()
    duecounts.refill()

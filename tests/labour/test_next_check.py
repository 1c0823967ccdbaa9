"""The stored day of each placement's next retention check (`Placement.next_check_due`): every
writer keeps it equal to a recomputation from the facts, and the placements past a missed
check read from it are those the anti-join over the checks finds.

Also the writer's own reference check, which stands in for the foreign keys a placement no
longer has in the database: a row naming a worker, employer, place or job that does not exist
is refused, named, and nothing of the batch is written."""
import datetime

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from tests.labour.conftest import idn
from tests.support import office
from xiezuo.core.errors import BatchRefused, ValidationError
from xiezuo.core.models import AuditEntry
from xiezuo.ingest.batch import ingest
from xiezuo.labour import actions, due, refs
from xiezuo.labour.filtersets import GRACE_DAYS, missed_checks
from xiezuo.labour.models import Placement, RetentionCheck, add_months
from xiezuo.labour.totals import check as totals_check
from xiezuo.orgs.models import Organisation

pytestmark = pytest.mark.django_db
D = datetime.date
DAY = datetime.timedelta(days=1)


def from_the_facts():
    """{placement id: the rule applied in Python to its start, end and checks}."""
    checked = {}
    for pk, m in RetentionCheck.objects.values_list("placement_id", "milestone"):
        checked.setdefault(pk, set()).add(m)
    return {pk: due.first_due(start, end, checked.get(pk, set()))
            for pk, start, end in Placement.objects.values_list("pk", "start_date", "end_date")}


def missing(pk) -> str:
    """The refusal's text for a reference to nothing, in the language the test runs in."""
    from django.utils.translation import gettext

    return gettext("#%(id)s does not exist") % {"id": pk}


def stored():
    return dict(Placement.objects.values_list("pk", "next_check_due"))


def assert_exact():
    assert stored() == from_the_facts()
    assert due.check() == []


def where_of(qs) -> str:
    return str(qs.query).split(" WHERE ", 1)[1]


def _day_back(today, months, day=10):
    """A day `months` months before today, on the `day`th (no month-end clamping)."""
    return add_months(today.replace(day=day), -months)


@pytest.fixture
def workers(users, meigu_county):
    return [actions.register_worker(users["county_office"], county=meigu_county, name=f"工{i}", id_number=idn(401 + 2 * i))
            for i in range(8)]


def test_every_writer_keeps_the_next_check_day(users, workers, employer, local_employer, yinzhou, meigu_county):
    county, east = users["county_office"], users["east_office"]
    today = timezone.localdate()
    # single records: a fresh one, one seven months old, one that ended before its first check
    fresh = actions.record_placement(county, worker=workers[0], employer=employer, place=yinzhou, start_date=today - 20 * DAY)
    assert fresh.next_check_due == add_months(fresh.start_date, 3)
    old = actions.record_placement(county, worker=workers[1], employer=employer, place=yinzhou, start_date=_day_back(today, 7))
    short = actions.record_placement(county, worker=workers[2], employer=local_employer, place=meigu_county,
                                     start_date=_day_back(today, 5), end_date=_day_back(today, 5) + 40 * DAY)
    assert short.next_check_due is None
    assert_exact()
    # a check recorded: the next one owed is the 6-month one
    c3 = actions.record_check(east, placement=old, milestone=3, checked_on=add_months(old.start_date, 3), employed=True, wage_months=3)
    old.refresh_from_db()
    assert old.next_check_due == add_months(old.start_date, 6)
    # ended early, before the 6-month day: nothing is owed any more
    actions.set_end_date(county, old, add_months(old.start_date, 5))
    old.refresh_from_db()
    assert old.next_check_due is None
    assert_exact()
    # the 3-month check was recorded in error: owed again (the placement ran past its day)
    actions.delete_check(county, c3)
    old.refresh_from_db()
    assert old.next_check_due == add_months(old.start_date, 3)
    assert_exact()
    # the end taken back: owed from the 3-month day on still
    actions.set_end_date(county, old, None)
    assert_exact()
    # batches through the ingestion: placements (one ended before its first check), then checks
    start = _day_back(today, 13)
    items = [{"type": "placement", "client_id": f"p{i}", "worker": workers[3 + i].pk, "employer": employer.pk, "place": "330212",
              "start_date": start.isoformat(), **({"end_date": (start + 10 * DAY).isoformat()} if i == 0 else {})}
             for i in range(4)]
    assert ingest(county, items).ok
    ids = sorted(Placement.objects.filter(client_id__startswith="p").values_list("pk", flat=True))
    checks = [{"type": "retention_check", "client_id": f"c{pk}-{m}", "placement": pk, "milestone": m,
               "checked_on": add_months(start, m).isoformat(), "employed": True, "wage_months": 3}
              for pk, ms in zip(ids[1:], ((3,), (3, 6), (3, 6, 12))) for m in ms]
    assert ingest(county, checks).ok
    got = stored()
    assert [got[pk] for pk in ids] == [None, add_months(start, 6), add_months(start, 12), None]
    assert_exact()
    # the figures follow the deleted check too
    assert totals_check() == []


def test_rebuild_fills_from_the_facts_and_counts_month_ends_as_add_months(users, workers, employer, yinzhou):
    """The data migration's fill (and `rebuild_figures`) from nothing; starts on the 29th to
    31st are due on the last day of a shorter month, in SQL as in Python."""
    county = users["county_office"]
    starts = [D(2025, 11, 30), D(2025, 8, 31), D(2024, 11, 29), D(2025, 3, 31), D(2025, 5, 31)]
    made = [actions.record_placement(county, worker=w, employer=employer, place=yinzhou, start_date=s)
            for w, s in zip(workers, starts)]
    actions.record_check(county, placement=made[1], milestone=3, checked_on=D(2025, 11, 30), employed=True)
    actions.record_check(county, placement=made[3], milestone=3, checked_on=D(2025, 6, 30), employed=True)
    expected = stored()
    assert expected[made[0].pk] == D(2026, 2, 28) and expected[made[1].pk] == D(2026, 2, 28)
    assert expected[made[3].pk] == D(2025, 9, 30)
    Placement.objects.update(next_check_due=None)
    assert len(due.check()) == len(made)
    assert due.rebuild() == len(made)
    assert stored() == expected and due.check() == []
    due.refresh([p.pk for p in made])  # nothing changes: nothing written
    assert stored() == expected


def test_rebuild_figures_names_a_wrong_stored_day_and_fixes_it(users, workers, employer, yinzhou):
    """The auditor's check covers the stored days as it covers the summaries."""
    import io

    from django.core.management import CommandError, call_command

    p = actions.record_placement(users["county_office"], worker=workers[0], employer=employer, place=yinzhou,
                                 start_date=D(2025, 3, 10))
    right = stored()[p.pk]
    Placement.objects.filter(pk=p.pk).update(next_check_due=D(2030, 1, 1))  # behind the writers' back
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("rebuild_figures", stdout=out)
    assert "labour next check days (labour_placement): 1 differences" in out.getvalue()
    assert f"placement={p.pk}: stored 2030-01-01, from the facts {right}" in out.getvalue()
    call_command("rebuild_figures", "--fix", stdout=io.StringIO())
    assert stored()[p.pk] == right


@pytest.fixture
def mixed(users, workers, employer, local_employer, yinzhou, meigu_county):
    """Placements of 美姑县 in every state: missed at 3, 6 or 12 months, checked on time, ended
    before a check, within the grace days, not yet due."""
    county = users["county_office"]
    today = timezone.localdate()
    grace_edge = today - GRACE_DAYS * DAY  # a check due on this day is missed today, one day later is not
    specs = [
        ("missed 3", add_months(today, -4), None, ()),
        ("missed 6", add_months(today, -7), None, (3,)),
        ("missed 12", add_months(today, -13), None, (3, 6)),
        ("all checked", add_months(today, -13), None, (3, 6, 12)),
        ("ended before 6", add_months(today, -8), 5, (3,)),
        ("due on the edge", add_months(grace_edge, -3), None, ()),
        ("within grace", add_months(grace_edge + DAY, -3), None, ()),
        ("not yet due", today - 30 * DAY, None, ()),
    ]
    out = {}
    for w, (name, start, ended_after_months, done) in zip(workers, specs):
        end = add_months(start, ended_after_months) - DAY if ended_after_months else None
        p = actions.record_placement(county, worker=w, employer=employer if len(out) % 2 else local_employer,
                                     place=yinzhou if len(out) % 2 else meigu_county, start_date=start, end_date=end)
        for m in done:
            actions.record_check(county, placement=p, milestone=m, checked_on=min(add_months(start, m), today), employed=True)
        out[name] = p
    return out


def test_missed_checks_are_those_of_the_anti_join(mixed):
    """The same placements as the weekly sheet's anti-join, for the sheet of today, in the
    country and in an office's scope; the stored day is what answers it."""
    from xiezuo.rhythm.channel_sheet import missed_retention
    from xiezuo.rhythm.sheets import office_scope

    today = timezone.localdate()
    want = {mixed[k].pk for k in ("missed 3", "missed 6", "missed 12", "due on the edge")}
    for code in ("513436", "510000", "330212"):
        o = office(code)
        in_scope = office_scope(o).q(("county__code",), False)
        mine = set(missed_checks(in_scope, today).values_list("pk", flat=True))
        assert mine == set(missed_retention(o, None, today).values_list("pk", flat=True))
        by_ids = missed_checks(in_scope, today, counties=office_scope(o).own or "")
        assert set(by_ids.values_list("pk", flat=True)) == mine
        assert mine == (want if code != "330212" else set())
    assert "next_check_due" in where_of(missed_checks(Q(), today))
    assert set(missed_checks(Q(), today, counties="").values_list("pk", flat=True)) == want


def test_a_past_week_asks_the_facts(users, mixed):
    """For a day before today the checks recorded since did not exist yet: the anti-join over
    the checks dated by then answers (the stored day knows only the present)."""
    from xiezuo.rhythm.channel_sheet import missed_retention
    from xiezuo.rhythm.sheets import office_scope

    today = timezone.localdate()
    late = mixed["within grace"]
    p = mixed["missed 3"]
    actions.record_check(users["county_office"], placement=p, milestone=3, checked_on=today, employed=True)
    o = office("513436")
    in_scope = office_scope(o).q(("county__code",), False)
    now = set(missed_checks(in_scope, today).values_list("pk", flat=True))
    assert p.pk not in now and late.pk not in now
    before = today - 3 * DAY
    then = set(missed_checks(in_scope, before).values_list("pk", flat=True))
    assert p.pk in then  # missed three days ago, recorded today
    assert then == set(missed_retention(o, None, before).values_list("pk", flat=True))
    assert "next_check_due" not in where_of(missed_checks(in_scope, before))


def test_the_placement_list_and_figures_read_the_stored_day(users, mixed):
    from xiezuo.labour.filtersets import placements

    listed = set(placements(users["county_office"], missed_check=True).values_list("pk", flat=True))
    assert listed == {mixed[k].pk for k in ("missed 3", "missed 6", "missed 12", "due on the edge")}


# --- the writer's reference check -------------------------------------------------------------


def test_a_placement_naming_what_does_not_exist_is_refused_and_nothing_written(users, worker, employer, yinzhou, meigu_county):
    county = users["county_office"]
    start = timezone.localdate() - 30 * DAY
    ghost_worker = refs.WorkerRef(987654321, "无此人", None, refs.RegionRef(meigu_county.pk, meigu_county.code, "county", meigu_county.name))
    ghost_employer = Organisation(pk=987654322, name="无此单位", kind="enterprise", region=yinzhou)
    ghost_place = refs.RegionRef(987654323, "330299", "county", "无此县")
    rows = [
        actions.PlacementRow(worker=worker, employer=employer, place=yinzhou, start_date=start),
        actions.PlacementRow(worker=ghost_worker, employer=employer, place=yinzhou, start_date=start),
        actions.PlacementRow(worker=worker, employer=ghost_employer, place=yinzhou, start_date=start - DAY),
        actions.PlacementRow(worker=worker, employer=employer, place=ghost_place, start_date=start - 2 * DAY),
    ]
    audits = AuditEntry.objects.filter(object_type="labour.placement").count()
    with pytest.raises(BatchRefused) as refused:
        actions.record_placements(county, rows)
    assert refused.value.refused == {1: {"worker": [missing(987654321)]}, 2: {"employer": [missing(987654322)]},
                                     3: {"place": [missing(987654323)]}}
    assert not Placement.objects.exists()
    assert AuditEntry.objects.filter(object_type="labour.placement").count() == audits


def test_a_job_deleted_meanwhile_is_named(users, worker, employer, yinzhou):
    from xiezuo.labour.models import Job

    job = actions.save_job(users["east_office"], employer=employer, title="普工", place=yinzhou, positions=1)
    job_pk = job.pk
    Job.objects.filter(pk=job_pk).delete()
    job.pk = job_pk
    with pytest.raises(ValidationError) as refused:
        actions.record_placement(users["county_office"], worker=worker, employer=employer, place=yinzhou, job=job,
                                 start_date=timezone.localdate() - 3 * DAY)
    assert refused.value.message_dict == {"job": [missing(job_pk)]}
    assert not Placement.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the delete guards are PostgreSQL triggers")
def test_deleting_what_a_placement_names_is_refused(users, placement):
    for table, pk in (("labour_worker", placement.worker_id), ("orgs_organisation", placement.employer_id),
                      ("regions_region", placement.place_id), ("regions_region", placement.county_id)):
        with pytest.raises(IntegrityError, match="named by labour placement"):
            with transaction.atomic(), connection.cursor() as cur:
                cur.execute(f"DELETE FROM {table} WHERE id = %s", [pk])


@pytest.mark.parametrize("username", ["national", "west_office", "east_office", "county_office", "viewer", "auditor"])
def test_the_placement_list_sees_what_the_scoping_rule_sees(users, mixed, username):
    """The list's scope as array conditions on the placement's own columns (PostgreSQL) keeps
    exactly the rows of the scoping rule, in the list's order."""
    from xiezuo.core.scoping import visible
    from xiezuo.labour.filtersets import placements

    user = users[username]
    want = list(visible(user, Placement.objects.all()).values_list("pk", flat=True))
    got = list(placements(user).values_list("pk", flat=True))
    assert got == want and placements(user).count() == len(want)

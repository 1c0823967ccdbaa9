"""The dashboard's figures come from summary tables written in the same transaction as the
facts: a posting, a reversal, a batch, a project's creation, start, move, a dispatch record —
each changes the figures at once, and a write that is rolled back leaves them as they were.
`manage.py rebuild_figures` finds no difference after such a mixed workload and names one
made behind the writers' back. The figures fragment reads no fact table, so a fresh web
process answers without building anything first."""
import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Count, Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.support import agreement_of, county_pair, office, today  # noqa: F401 - the fixture
from xiezuo.ingest.batch import ingest
from xiezuo.ledger import actions as ledger
from xiezuo.ledger import totals as money_totals
from xiezuo.ledger.figures import disbursed_by_project_group, stage_totals
from xiezuo.live import figures
from xiezuo.live.figures import FIRST_YEAR, dashboard
from xiezuo.people import totals as people_totals
from xiezuo.people.actions import save_dispatch
from xiezuo.people.models import Dispatch
from xiezuo.projects import totals as project_totals
from xiezuo.projects.actions import create_project, transition, update_project
from xiezuo.projects.models import Project
from xiezuo.regions.models import Region

pytestmark = pytest.mark.django_db
WAN = 10_000_00
ROLES = ("national", "auditor", "east_office", "west_office", "county_office", "viewer")


def _years():
    return range(FIRST_YEAR, timezone.localdate().year + 1)


def _from_facts(user, today):
    """What the dashboard showed before the summaries: the aggregates over the facts."""
    from xiezuo.core.scoping import visible

    projects = {row["status"]: row["n"] for row in
                visible(user, Project.objects.all()).values("status").annotate(n=Count("id")).order_by()}
    people = {row["kind"]: row["n"] for row in visible(user, Dispatch.objects.filter(actual_start__lte=today).filter(
        Q(actual_end__isnull=True) | Q(actual_end__gte=today))).values("kind").annotate(n=Count("id")).order_by()}
    return stage_totals(user, _years()), projects, people


def _shown(user, today):
    d = dashboard(user, today)
    return ({k: d["money"][k] for k in ("allocated", "arrived", "disbursed", "spent")},
            {k: n for k, n in d["projects"].items() if n}, d["people"])


def _agrees(users, today=None):
    today = today or timezone.localdate()
    for role in ROLES:
        assert _shown(users[role], today) == _from_facts(users[role], today), role
        assert figures.disbursed_by_project_group(users[role], _years()) == \
            sorted(disbursed_by_project_group(users[role], _years()), key=lambda r: (r[0], r[1] or "", r[3] or "")), role
    assert money_totals.check() == [] and project_totals.check() == [] and people_totals.check() == []


@pytest.fixture
def world(users, today):
    pair = county_pair()
    p = create_project(users["county_office"], name="冷链物流", category="consumption", county=Region.objects.get(code="513436"),
                       pairing=pair, planned_start=today - datetime.timedelta(days=60), planned_end=today + datetime.timedelta(days=300))
    return {"pair": pair, "project": p, "agreement": agreement_of(pair)}


def test_each_write_changes_the_figures_in_its_own_transaction(users, world, today):
    county, national = users["county_office"], users["national"]
    p = world["project"]
    before = _shown(county, today)
    assert before[1].get("planned", 0) >= 1
    transition(county, p, "in_progress", on=today - datetime.timedelta(days=10))
    after = _shown(county, today)
    assert after[1]["in_progress"] == before[1].get("in_progress", 0) + 1
    assert after[1].get("planned", 0) == before[1].get("planned", 0) - 1

    a = ledger.allocate(users["east_office"], agreement=world["agreement"], amount_fen=100 * WAN, idempotency_key="s-a")
    ledger.confirm_arrival(county, allocation=a, arrived_on=today, idempotency_key="s-r")
    ledger.disburse(county, project=p, amount_fen=40 * WAN, idempotency_key="s-d")
    spend = ledger.record_spending(county, project=p, amount_fen=10 * WAN, idempotency_key="s-s")
    shown = _shown(county, today)[0]
    assert (shown["allocated"] - before[0]["allocated"], shown["arrived"] - before[0]["arrived"],
            shown["disbursed"] - before[0]["disbursed"], shown["spent"] - before[0]["spent"]) == (100 * WAN, 100 * WAN, 40 * WAN, 10 * WAN)
    ledger.reverse(national, posting=spend, reason="重复记账", idempotency_key="s-x")
    assert _shown(county, today)[0]["spent"] == before[0]["spent"]  # the reversal takes the original out

    people = _shown(county, today)[2].get("medical", 0)
    d = save_dispatch(county, person_name="李医生", kind="medical", direction="e2w", from_org=office("330212"), to_org=office("513436"),
                      planned_start=today - datetime.timedelta(days=5), planned_end=today + datetime.timedelta(days=300),
                      actual_start=today - datetime.timedelta(days=5))
    assert _shown(county, today)[2]["medical"] == people + 1
    save_dispatch(county, d, actual_end=today - datetime.timedelta(days=1))  # came home yesterday
    assert _shown(county, today)[2].get("medical", 0) == people
    assert _shown(county, today - datetime.timedelta(days=2))[2]["medical"] == people + 1  # still on post two days ago
    _agrees(users)


def test_batches_through_ingestion_change_the_figures_once(users, world, today):
    county = users["county_office"]
    p, agreement = world["project"], world["agreement"]
    transition(county, p, "in_progress", on=today - datetime.timedelta(days=10))
    before = _shown(users["national"], today)
    day = today.isoformat()
    outcome = ingest(users["national"], [
        {"type": "posting", "client_id": "b-a", "stage": "allocate", "agreement": agreement.pk, "amount_fen": 50 * WAN},
        {"type": "posting", "client_id": "b-r", "stage": "confirm_arrival", "allocation": "b-a", "arrived_on": day},
        {"type": "posting", "client_id": "b-d", "stage": "disburse", "project": p.code, "amount_fen": 30 * WAN},
        {"type": "posting", "client_id": "b-x", "stage": "reverse", "posting": "b-d", "reason": "错项目"},
        {"type": "dispatch", "client_id": "b-p", "person_name": "赵老师", "kind": "education", "direction": "e2w",
         "from_org": office("330212").id, "to_org": office("513436").id, "planned_start": (today - datetime.timedelta(days=3)).isoformat(),
         "planned_end": (today + datetime.timedelta(days=300)).isoformat(), "actual_start": (today - datetime.timedelta(days=3)).isoformat()},
    ])
    assert outcome.refused == [] and outcome.applied == 5
    after = _shown(users["national"], today)
    assert after[0]["allocated"] == before[0]["allocated"] + 50 * WAN
    assert after[0]["disbursed"] == before[0]["disbursed"]  # disbursed and reversed in the same batch
    assert after[2].get("education", 0) == before[2].get("education", 0) + 1
    _agrees(users)


def test_batches_reversing_stored_postings_keep_the_money_summary_equal_to_the_facts(users, world, today):
    """A batch folds its postings into the summary from what it holds (no read-back): every
    stage, a reversal of a posting of the same batch and of stored postings of each stage."""
    county, national = users["county_office"], users["national"]
    p, agreement = world["project"], world["agreement"]
    transition(county, p, "in_progress", on=today - datetime.timedelta(days=10))
    day = today.isoformat()
    first = ingest(national, [
        {"type": "posting", "client_id": "c-a", "stage": "allocate", "agreement": agreement.pk, "amount_fen": 80 * WAN},
        {"type": "posting", "client_id": "c-r", "stage": "confirm_arrival", "allocation": "c-a", "arrived_on": day},
        {"type": "posting", "client_id": "c-d", "stage": "disburse", "project": p.code, "amount_fen": 30 * WAN},
        {"type": "posting", "client_id": "c-s", "stage": "record_spending", "project": p.code, "amount_fen": 10 * WAN},
        {"type": "posting", "client_id": "c-s2", "stage": "record_spending", "project": p.code, "amount_fen": 5 * WAN},
        {"type": "posting", "client_id": "c-x", "stage": "reverse", "posting": "c-s2", "reason": "重复"},
    ])
    assert first.refused == [] and first.applied == 6
    _agrees(users)
    second = ingest(national, [
        {"type": "posting", "client_id": "c-xs", "stage": "reverse", "posting": "c-s", "reason": "退回"},
        {"type": "posting", "client_id": "c-xd", "stage": "reverse", "posting": "c-d", "reason": "错项目"},
        {"type": "posting", "client_id": "c-xr", "stage": "reverse", "posting": "c-r", "reason": "未到账"},
        {"type": "posting", "client_id": "c-xa", "stage": "reverse", "posting": "c-a", "reason": "撤回"},
    ])
    assert second.refused == [] and second.applied == 4
    _agrees(users)


def test_a_rolled_back_write_leaves_the_summaries_as_they_were(users, world, today):
    county = users["county_office"]
    stored = {m.TABLE: _rows(m.TABLE) for m in (money_totals, project_totals, people_totals)}

    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        transition(county, world["project"], "in_progress", on=today)
        ledger.allocate(users["east_office"], agreement=world["agreement"], amount_fen=100 * WAN, idempotency_key="rb-a")
        save_dispatch(county, person_name="王老师", kind="education", direction="e2w", from_org=office("330212"),
                      to_org=office("513436"), planned_start=today, planned_end=today + datetime.timedelta(days=30), actual_start=today)
        assert _rows(money_totals.TABLE) != stored[money_totals.TABLE]  # written, inside the transaction
        raise Undo
    assert {m.TABLE: _rows(m.TABLE) for m in (money_totals, project_totals, people_totals)} == stored
    _agrees(users)


def _rows(table):
    with connection.cursor() as cur:
        cur.execute(f"SELECT * FROM {table} ORDER BY 1")
        return [row[1:] for row in cur.fetchall()]


def test_moving_a_project_to_another_category_moves_its_money(users, world, today):
    national, county = users["national"], users["county_office"]
    p = world["project"]
    a = ledger.allocate(users["east_office"], agreement=world["agreement"], amount_fen=80 * WAN, idempotency_key="m-a")
    ledger.confirm_arrival(county, allocation=a, arrived_on=today, idempotency_key="m-r")
    ledger.disburse(county, project=p, amount_fen=60 * WAN, idempotency_key="m-d")
    update_project(national, p, name=p.name, category="industry", planned_start=p.planned_start, planned_end=p.planned_end,
                   pairing=p.pairing)
    _agrees(users)
    groups = figures.disbursed_by_project_group(national, _years())
    assert any(row[3] == "industry" and row[4] == 60 * WAN for row in groups)
    assert not any(row[3] == "consumption" and row[1] == "513436" for row in groups)


def test_rebuild_figures_agrees_after_a_mixed_workload_and_names_a_corruption(users, world, today):
    county = users["county_office"]
    transition(county, world["project"], "in_progress", on=today)
    a = ledger.allocate(users["east_office"], agreement=world["agreement"], amount_fen=20 * WAN, idempotency_key="c-a")
    ledger.reverse(users["national"], posting=a, reason="录错", idempotency_key="c-x")
    save_dispatch(county, person_name="周干部", kind="cadre", direction="e2w", from_org=office("330212"), to_org=office("513436"),
                  planned_start=today, planned_end=today + datetime.timedelta(days=700), actual_start=today)
    out = io.StringIO()
    call_command("rebuild_figures", stdout=out)
    assert "OK: the summaries agree with the facts" in out.getvalue()

    with connection.cursor() as cur:  # behind the writers' back
        cur.execute(f"UPDATE {project_totals.TABLE} SET n = n + 1 WHERE status = 'in_progress'")
        cur.execute(f"UPDATE {money_totals.TABLE} SET fen = fen + 1 WHERE id = (SELECT min(id) FROM {money_totals.TABLE})")
    out = io.StringIO()
    with pytest.raises(CommandError, match="differences between the summaries and the facts"):
        call_command("rebuild_figures", stdout=out)
    text = out.getvalue()
    assert "projects (projects_projecttotal): " in text and "status=in_progress" in text and "from the facts" in text
    assert "money (ledger_moneytotal): 1 differences" in text
    out = io.StringIO()
    call_command("rebuild_figures", "--fix", stdout=out)
    call_command("rebuild_figures", stdout=(out := io.StringIO()))
    assert "OK" in out.getvalue()
    _agrees(users)


def test_the_figures_read_no_fact_table_so_a_fresh_process_needs_no_warm_up(client_as, users, world, today):
    """Nothing is kept in the process: the figures fragment's queries touch the summary tables,
    the regions, organisations, pairings and agreements only — never the postings, entries,
    projects or dispatch records they summarise — so the first request of a new worker costs
    what every other does."""
    ledger.allocate(users["east_office"], agreement=world["agreement"], amount_fen=5 * WAN, idempotency_key="w-a")
    for role in ("national", "west_office", "county_office", "east_office"):
        client = client_as(role)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("dashboard"), {"partial": "figures"})
        assert response.status_code == 200
        sql = " ".join(q["sql"] for q in queries.captured_queries)
        for fact in ("ledger_posting", "ledger_entry", "people_dispatch", "projects_project\""):
            assert fact not in sql, (role, fact)
        assert "ledger_moneytotal" in sql and "projects_projecttotal" in sql and "people_peopletotal" in sql
    import xiezuo.live.figures as module

    assert not hasattr(module, "warm_up_in_background")

"""A dispatch record's organisations and pairing are checked once per INSERT statement
(`core.refchecks`) instead of by per-row foreign keys: a record naming a row that does not
exist is still refused, whole, and deleting a row that a record names is still refused."""
import pytest
from django.db import IntegrityError, connection, transaction

from tests.support import county_pair, office
from xiezuo.ingest.batch import ingest
from xiezuo.people.models import Dispatch

pytestmark = pytest.mark.django_db

COLUMNS = ("person_name", "id_number", "kind", "direction", "from_org_id", "to_org_id", "pairing_id", "planned_start",
           "planned_end", "client_ns", "is_demo", "recorded_at")


def _batch(users, pair, n=3):
    items = [{"type": "dispatch", "client_id": f"ref-{i}", "person_name": f"医生{i}", "kind": "medical", "direction": "e2w",
              "from_org": office("330212").id, "to_org": office("513436").id, "pairing": pair.id,
              "planned_start": "2026-03-01", "planned_end": "2027-02-28"} for i in range(n)]
    outcome = ingest(users["national"], items)
    assert outcome.refused == [] and outcome.applied == n


@pytest.mark.parametrize("column", ["from_org_id", "to_org_id", "pairing_id"])
def test_the_database_refuses_a_record_naming_a_row_that_does_not_exist(users, column):
    pair = county_pair()
    _batch(users, pair)
    ids = list(Dispatch.objects.order_by("id").values_list("id", flat=True))
    before = Dispatch.objects.count()
    select = ", ".join(f"CASE WHEN id = %s THEN 987654 ELSE {c} END" if c == column else c for c in COLUMNS)
    with pytest.raises(IntegrityError, match="does not exist"):
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(f"INSERT INTO people_dispatch ({', '.join(COLUMNS)}) SELECT {select} FROM people_dispatch "
                        "WHERE id IN (%s, %s) ORDER BY id", [ids[-1], ids[0], ids[-1]])
    assert Dispatch.objects.count() == before


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the delete guards are installed on PostgreSQL")
def test_the_database_refuses_deleting_or_renumbering_a_row_that_a_record_names(users):
    pair = county_pair()
    _batch(users, pair)
    named = [("orgs_organisation", office("330212").pk), ("orgs_organisation", office("513436").pk), ("pairings_pairing", pair.pk)]
    for table, pk in named:
        for sql in (f"DELETE FROM {table} WHERE id = %s", f"UPDATE {table} SET id = 987654 WHERE id = %s"):
            with pytest.raises(IntegrityError, match=f"#{pk} of {table} is named by people_dispatch #"):
                with transaction.atomic(), connection.cursor() as cur:
                    cur.execute(sql, [pk])


def test_a_record_changed_to_name_a_row_that_does_not_exist_is_refused(users):
    pair = county_pair()
    _batch(users, pair, n=1)
    d = Dispatch.objects.get()
    with pytest.raises(IntegrityError, match="does not exist"):
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("UPDATE people_dispatch SET to_org_id = 987654 WHERE id = %s", [d.pk])
    assert Dispatch.objects.get().to_org_id == office("513436").pk


@pytest.mark.parametrize("role", ["national", "east_office", "west_office", "county_office", "viewer", "auditor"])
def test_the_list_scope_by_organisation_ids_is_the_scoping_rule(users, role):
    """`dispatches()` scopes by the ids of the organisations in the user's subtree
    (`core.scoping.visible_by_columns`, two steps from the region); it must select what
    `visible` selects, for every role."""
    from xiezuo.core.scoping import visible
    from xiezuo.people.filtersets import dispatches

    pair = county_pair()
    _batch(users, pair)
    easts, wests = [office("330000"), office("440000"), office("330212")], [office("513436"), office("520000"), office("510000")]
    items = [{"type": "dispatch", "client_id": f"scope-{i}", "person_name": f"专家{i}", "kind": "education", "direction": "e2w",
              "from_org": easts[i % 3].id, "to_org": wests[(i // 3 + i) % 3].id,
              "planned_start": "2026-03-01", "planned_end": "2027-02-28"} for i in range(6)]
    outcome = ingest(users["national"], items)
    assert outcome.applied == 6, outcome.refused[:2]
    user = users[role]
    assert set(dispatches(user).values_list("pk", flat=True)) == set(visible(user, Dispatch.objects.all()).values_list("pk", flat=True))
    assert dispatches(user).count() == visible(user, Dispatch.objects.all()).count()

"""The generator writes a registry the screening, the search and the figures read: encrypted
columns, unique ID numbers, valid check digits, cases matching statuses."""
import pytest
from django.db import connection

from xiezuo.core.personal.idnumbers import is_valid
from xiezuo.datagen.households import generate
from xiezuo.households.actions import find_person
from xiezuo.households.figures import figures
from xiezuo.households.models import Household, Member
from xiezuo.households.screening import run_screening


@pytest.mark.django_db
def test_a_small_registry(users):
    counts = generate(scale=0.001, seed=7, log=lambda *a: None)
    assert counts["household"] == Household.objects.count() > 300
    assert counts["member"] == Member.objects.count()
    some = list(Member.objects.order_by("?")[:50])
    assert all(is_valid(m.id_number) for m in some)
    assert find_person(some[0].id_number).pk == some[0].pk
    with connection.cursor() as cur:
        cur.execute(f"SELECT id_number FROM {Member._meta.db_table} LIMIT 5")
        assert all(r[0].startswith("gAAAAA") for r in cur.fetchall())
    run = run_screening(Household.objects.order_by("id").first().created_at.date().replace(day=1))
    assert run.households == counts["household"] and 0 < run.flagged < run.households
    from xiezuo.households import totals

    totals.rebuild()  # the figures' summary table after a bulk load (the generator's to call once wired in)
    assert totals.check() == []
    rows = figures(users["national"], "county")
    assert sum(r["monitored"] for r in rows) == Household.objects.monitored().count() > 0

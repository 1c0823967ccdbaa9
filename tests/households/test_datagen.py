"""The generator writes a registry the screening, the search and the figures read: encrypted
columns, unique ID numbers, valid check digits, cases matching statuses."""
import pytest
from django.db import connection

from xiezuo.core.personal.idnumbers import is_valid
from xiezuo.datagen.households import generate
from xiezuo.households.actions import find_person
from xiezuo.households.figures import figures
from xiezuo.households.lookup import find_households
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
    assert find_households(users["national"], some[0].household.county, some[0].name)  # the name's keyed hash is written
    run = run_screening(Household.objects.order_by("id").first().created_at.date().replace(day=1))
    assert run.households == counts["household"] and 0 < run.flagged < run.households
    # calibrated on the share of households the policy monitors (datagen.households, `_per_capita_fen`):
    # some 1–3 % under the line and 3–6 % near it, not the 13 % and 27 % of an uncalibrated draw
    from xiezuo.households.models import RiskFlag

    month = RiskFlag.objects.values_list("month", flat=True).first()
    below = RiskFlag.objects.filter(month=month, rule="below_line").count() / run.households
    near = RiskFlag.objects.filter(month=month, rule="near_line").count() / run.households
    assert 0.005 < below < 0.04 and 0.02 < near < 0.08, (below, near)
    from xiezuo.households import totals

    totals.rebuild()  # the figures' summary table after a bulk load (the generator's to call once wired in)
    assert totals.check() == []
    rows = figures(users["national"], "county")
    assert sum(r["monitored"] for r in rows) == Household.objects.monitored().count() > 0

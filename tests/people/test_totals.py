"""People on post as the batch counts them: a batch of dispatch records adds, from the values
it holds, exactly what the records count for when recounted from the stored records — every
shape of record (no start, an end before the start, an end, none, organisations sharing a
prefix or not) — and the dashboard's figure agrees with a count over the records."""
import datetime

import pytest
from django.db.models import Q

from xiezuo.core.scoping import visible
from xiezuo.ingest.batch import ingest
from xiezuo.orgs.models import Organisation
from xiezuo.people import totals
from xiezuo.people.models import Dispatch

pytestmark = pytest.mark.django_db
D = datetime.date


def _item(i, from_org, to_org, direction, kind="education", **dates):
    return {"type": "dispatch", "client_id": f"t-{i}", "person_name": f"老师{i}", "kind": kind, "direction": direction,
            "from_org": from_org.id, "to_org": to_org.id, "planned_start": "2026-03-01", "planned_end": "2027-02-28", **dates}


def _on_post(user, day):
    qs = visible(user, Dispatch.objects.filter(actual_start__lte=day).filter(Q(actual_end__isnull=True) | Q(actual_end__gte=day)))
    out = {}
    for kind in qs.values_list("kind", flat=True):
        out[kind] = out.get(kind, 0) + 1
    return out


def test_a_batch_counts_what_its_records_count_for(users):
    easts = list(Organisation.objects.filter(kind="office", region__role="east").order_by("id")[:3])
    wests = list(Organisation.objects.filter(kind="office", region__role="west").order_by("id")[:3])
    assert easts and wests
    shapes = [{}, {"actual_start": "2026-03-02"}, {"actual_start": "2026-03-02", "actual_end": "2026-06-30"},
              {"actual_start": "2026-03-05", "actual_end": "2026-03-05"}, {"actual_start": "2026-04-01", "actual_end": "2026-12-31"}]
    items = []
    for i in range(60):
        east, west = easts[i % len(easts)], wests[(i // 2) % len(wests)]
        kind = ("education", "medical", "cadre")[i % 3]
        if i % 2:
            items.append(_item(i, west, east, "w2e", kind=kind, **shapes[i % len(shapes)]))
        else:
            items.append(_item(i, east, west, "e2w", kind=kind, **shapes[i % len(shapes)]))
    outcome = ingest(users["national"], items)
    assert outcome.ok, outcome.refused
    assert totals.check() == []
    for role in ("national", "east_office", "west_office", "county_office"):
        for day in (D(2026, 3, 2), D(2026, 3, 5), D(2026, 3, 6), D(2026, 6, 30), D(2026, 7, 1), D(2027, 1, 1)):
            assert totals.on_post(users[role], day) == _on_post(users[role], day), (role, day)


def test_record_deltas_are_the_stored_records_deltas():
    day = D(2026, 5, 1)
    rows = [("education", day, None, "330212", "513436"), ("education", day, day - datetime.timedelta(days=1), "330212", "513436"),
            ("medical", None, None, "330212", "513436"), ("medical", day, day, "513436", "513401")]
    deltas = totals.record_deltas(rows)
    assert deltas[("", day, "education")] == 1 and deltas[("51", day, "education")] == 1
    assert deltas[("513436", day, "medical")] == 1 and deltas[("5134", day, "medical")] == 1  # a shared prefix once
    assert deltas[("5134", day + datetime.timedelta(days=1), "medical")] == -1
    assert not any(kind == "education" and d != day for (_s, d, kind) in deltas)

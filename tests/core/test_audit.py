"""Every change leaves an audit entry naming who, when, from which request, before/after."""
import pytest

from xiezuo.core.context import acting
from xiezuo.core.models import AuditEntry
from xiezuo.orgs.actions import save_organisation
from xiezuo.orgs.models import Organisation
from xiezuo.pairings.actions import save_agreement
from xiezuo.pairings.models import Agreement
from xiezuo.regions.models import Region

pytestmark = pytest.mark.django_db


def test_update_records_actor_request_and_before_after(users):
    a = Agreement.objects.filter(pairing__west_region__code="513436").first()
    old = a.fiscal_aid_fen
    with acting(users["county_office"], via="web", request_id="req-1"):
        save_agreement(users["county_office"], a, fiscal_aid_fen=old + 100)
    e = AuditEntry.objects.filter(object_type="pairings.agreement", object_id=str(a.pk)).first()
    assert (e.action, e.username, e.request_id, e.via) == ("update", "county_office", "req-1", "web")
    assert e.before["fiscal_aid_fen"] == old and e.after["fiscal_aid_fen"] == old + 100
    assert e.changed_fields() == [("fiscal_aid_fen", old, old + 100)]
    assert e.region_code == "513436" and e.other_region_code == "330212"


def test_create_and_delete_are_recorded(users):
    with acting(users["west_office"], via="web"):
        org = save_organisation(users["west_office"], name="测试合作社", kind="enterprise", region=Region.objects.get(code="513436"))
        pk = org.pk
        org.delete()
    actions = list(AuditEntry.objects.filter(object_type="orgs.organisation", object_id=str(pk)).values_list("action", flat=True))
    assert sorted(actions) == ["create", "delete"]


def test_a_save_that_changes_nothing_writes_no_entry(users):
    org = Organisation.objects.first()
    before = AuditEntry.objects.count()
    org.save()
    assert AuditEntry.objects.count() == before


def test_request_id_comes_back_in_the_response_and_lands_in_the_log(client_as):
    client = client_as("national")
    response = client.get("/", HTTP_X_REQUEST_ID="abc123")
    assert response["X-Request-ID"] == "abc123"


@pytest.mark.django_db
def test_rows_written_in_bulk_get_one_create_entry_each(users):
    """The closed loop writes its consequences with bulk_create; each still gets its own
    audit entry with the values it was created with."""
    from xiezuo.core.audit import record_created
    from xiezuo.core.context import acting
    from xiezuo.orgs.models import Organisation
    from xiezuo.regions.models import Region

    region = Region.objects.get(code="513436")
    objs = Organisation.objects.bulk_create([Organisation(name=f"批量单位{i}", kind="enterprise", region=region) for i in range(3)])
    with acting(users["national"], via="command", request_id="bulk-1"):
        record_created(objs)
    entries = AuditEntry.objects.filter(request_id="bulk-1").order_by("object_id")
    assert [e.object_id for e in entries] == [str(o.pk) for o in objs]
    assert all(e.action == "create" and e.username == "national" and e.region_code == "513436" for e in entries)
    assert entries[0].after["name"] == "批量单位0" and entries[0].before is None


def test_deleting_a_user_leaves_their_entries_as_they_were(users):
    """The log is never rewritten: a deleted user's rows keep their user id and name."""
    from django.contrib.auth import get_user_model

    temp = get_user_model().objects.create_user("temp_clerk", password="x")
    with acting(temp, via="web"):
        org = Organisation.objects.create(name="临时合作社", kind="enterprise", region=Region.objects.get(code="513436"))
    entry = AuditEntry.objects.get(object_type="orgs.organisation", object_id=str(org.pk))
    user_id = temp.pk
    temp.delete()
    entry.refresh_from_db()
    assert (entry.user_id, entry.username) == (user_id, "temp_clerk")


def test_snapshots_come_back_as_written_by_every_writer(users):
    """The snapshots are kept as written (PostgreSQL `json`): what one save, `bulk_create` and
    the batch writer's COPY store reads back as the same values — Chinese text, nested
    values, JSON null inside a snapshot and no snapshot at all (SQL NULL) kept apart."""
    from xiezuo.core.bulkaudit import AuditWriter
    from xiezuo.orgs.models import Organisation

    after = {"name": "扶贫车间“一号”", "n": 3, "nested": {"a": [1, None, "乙"]}, "none": None}
    AuditEntry.objects.create(action="create", object_type="x.single", object_id="1", object_repr="一", after=after)
    AuditEntry.objects.bulk_create([AuditEntry(action="update", object_type="x.bulk", object_id="2", object_repr="二",
                                               before={"n": 2}, after=after)])
    with acting(users["national"], via="api", request_id="copy-1"):
        writer = AuditWriter()
        writer.add(Organisation, 3, "三", "513436", "", None, after)
        writer.add(Organisation, 4, "四", "513436", "", {"n": 1}, after)
        writer.write()
    rows = {e.object_id: e for e in AuditEntry.objects.filter(object_id__in=["1", "2", "3", "4"], object_repr__in=["一", "二", "三", "四"])}
    assert all(rows[k].after == after for k in "1234")
    assert (rows["1"].before, rows["2"].before, rows["3"].before, rows["4"].before) == (None, {"n": 2}, None, {"n": 1})
    assert AuditEntry.objects.filter(object_id__in=["1", "3"], object_repr__in=["一", "三"], before__isnull=True).count() == 2

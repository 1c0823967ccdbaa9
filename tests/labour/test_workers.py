"""Registering workers: ID numbers checked with their check digit, encrypted at rest with a
search index, masked; the same number twice refused in one county and one batch, listed for
merging across counties; the merge audited."""
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from tests.labour.conftest import idn
from xiezuo.core.errors import BatchRefused
from xiezuo.core.models import AuditEntry
from xiezuo.core.personal.crypto import blind_index
from xiezuo.labour import actions
from xiezuo.labour.models import Placement, Worker
from xiezuo.regions.models import Region

pytestmark = pytest.mark.django_db


def test_worker_number_is_encrypted_indexed_and_masked(worker):
    with connection.cursor() as cur:
        cur.execute("SELECT id_number, phone, id_masked, phone_masked FROM labour_worker WHERE id = %s", [worker.pk])
        raw_id, raw_phone, masked, phone_masked = cur.fetchone()
    assert idn(11) not in raw_id and "13987654321" not in raw_phone
    assert masked == idn(11)[:6] + "********" + idn(11)[-4:]
    assert phone_masked == "139****4321"
    assert Worker.objects.get(pk=worker.pk).id_number == idn(11)
    assert worker.id_index == blind_index("id", idn(11))


def test_bad_check_digit_refused(users, meigu_county, english):
    bad = idn(13)[:17] + ("0" if idn(13)[17] != "0" else "1")
    with pytest.raises(ValidationError) as exc:
        actions.register_worker(users["county_office"], county=meigu_county, name="张三", id_number=bad)
    assert "check digit" in str(exc.value)


def test_same_number_twice_in_county_refused(users, meigu_county, worker, english):
    with pytest.raises(ValidationError) as exc:
        actions.register_worker(users["county_office"], county=meigu_county, name="吉克阿依", id_number=idn(11))
    assert f"worker #{worker.pk}" in str(exc.value)


def test_same_number_twice_in_one_batch_refused_naming_first(users, meigu_county, english):
    rows = [actions.WorkerRow(county=meigu_county, name="甲", id_number=idn(21)),
            actions.WorkerRow(county=meigu_county, name="乙", id_number=idn(23)),
            actions.WorkerRow(county=meigu_county, name="甲", id_number=idn(21))]
    with pytest.raises(BatchRefused) as exc:
        actions.register_workers(users["county_office"], rows)
    assert list(exc.value.refused) == [2]
    assert "position 1" in exc.value.refused[2]["id_number"][0]
    assert not Worker.objects.filter(name__in=["甲", "乙"]).exists()


def test_other_county_registration_is_found_and_merged(users, worker, employer, yinzhou, english):
    zhaojue = Region.objects.get(code="513431")  # 昭觉县, also in 凉山: the province office may register there
    other = actions.register_worker(users["west_office"], county=zhaojue, name="吉克阿依", id_number=idn(11))
    groups = actions.duplicates(users["county_office"])
    assert [[w.pk for w in ws] for _i, ws in groups] == [[worker.pk, other.pk]]
    import datetime
    p = actions.record_placement(users["west_office"], worker=other, employer=employer, place=yinzhou,
                                 start_date=datetime.date(2026, 3, 1))
    actions.merge_workers(users["west_office"], keep=worker, drop=other, reason="同一人两县登记")
    other.refresh_from_db()
    assert other.merged_into_id == worker.pk
    assert Placement.objects.get(pk=p.pk).worker_id == worker.pk
    assert actions.duplicates(users["county_office"]) == []
    entry = AuditEntry.objects.filter(object_type="labour.worker", object_id=str(other.pk), action="update").latest("id")
    assert entry.after["merged_into_id"] == worker.pk and entry.after["merge_reason"] == "同一人两县登记"


def test_audit_never_holds_the_full_number(worker):
    for entry in AuditEntry.objects.filter(object_type="labour.worker", object_id=str(worker.pk)):
        text = str(entry.before) + str(entry.after) + entry.object_repr
        assert idn(11) not in text and "13987654321" not in text
        assert "id_number" not in (entry.after or {}) and "id_index" not in (entry.after or {})


def test_county_office_cannot_register_elsewhere_and_viewer_not_at_all(users, english):
    other = Region.objects.get(code="520111")
    with pytest.raises(ValidationError):
        actions.register_worker(users["county_office"], county=other, name="某", id_number=idn(31, "520111"))
    with pytest.raises(ValidationError):
        actions.register_worker(users["viewer"], county=Region.objects.get(code="513436"), name="某", id_number=idn(33))


def test_viewer_cannot_merge(users, worker, english):
    other = actions.register_worker(users["west_office"], county=Region.objects.get(code="513431"), name="吉克阿依",
                                    id_number=idn(11))
    with pytest.raises(PermissionDenied):
        actions.merge_workers(users["viewer"], keep=worker, drop=other)

"""The labour generator at a small scale: valid, encrypted, findable rows that the app reads."""
import pytest

from xiezuo.core.personal.crypto import blind_index
from xiezuo.core.personal.idnumbers import id_number_error
from xiezuo.datagen.labour import generate
from xiezuo.labour.matching import jobs_for
from xiezuo.labour.models import Job, Placement, RetentionCheck, Worker

pytestmark = pytest.mark.django_db


def test_generate_small_scale():
    counts = generate(scale=0.002, seed=7, log=lambda *a: None)
    assert counts["workers"] == 2000 and counts["jobs"] == 200 and counts["placements"] >= 1500
    assert Worker.objects.count() == 2000 and Job.objects.open().count() == 200
    w = Worker.objects.order_by("pk").first()
    assert id_number_error(w.id_number) is None and w.id_index == blind_index("id", w.id_number)
    assert w.id_masked == w.id_number[:6] + "********" + w.id_number[-4:]
    assert Worker.objects.values("county", "id_index").distinct().count() == 2000
    kinds = set(Placement.objects.values_list("place_kind", flat=True))
    assert kinds == {"in_county", "in_province", "out_of_province"}
    assert Placement.objects.filter(in_paired_province=True).exists()
    assert RetentionCheck.objects.filter(milestone=3).exists()
    assert jobs_for(w)

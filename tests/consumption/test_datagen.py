"""The generator at a small scale: rows of every kind, evidence numbers unique per supplier,
purchases counting under the region pairing `record_purchases` would find, figures computed."""
import pytest
from django.db.models import Count

from xiezuo.consumption.models import Certificate, Product, Purchase, counted_q
from xiezuo.consumption.purchases import PairingFinder
from xiezuo.datagen.consumption import generate
from xiezuo.social.models import Need

pytestmark = pytest.mark.django_db


def test_generate_small(users):
    counts = generate(scale=0.001, seed=7, log=lambda s: None)
    assert counts["purchases"] == Purchase.objects.count() > 2000
    assert counts["products"] == Product.objects.count() > 0 and Certificate.objects.exists()
    assert counts["needs"] == Need.objects.count() == 20
    assert not Purchase.objects.values("supplier", "evidence_number").annotate(n=Count("id")).filter(n__gt=1).exists()
    assert 0 < Purchase.objects.filter(counted_q()).count() < Purchase.objects.count()
    finder = PairingFinder()
    for p in Purchase.objects.select_related("buyer_region", "county", "pairing")[:50]:
        assert p.pairing == finder.find(p.buyer_region, p.county, p.purchased_on)
    assert Purchase.objects.filter(pairing__isnull=False).exists()


def test_generate_after_the_national_generator(users):
    """`generate_national` already made a supplier in the western counties (datagen/channels.py):
    this generator's own suppliers must not collide with it by name."""
    from xiezuo.orgs.models import Organisation
    from xiezuo.regions.models import Region

    first = Region.objects.filter(level="county", role="west").order_by("code").first()
    Organisation.objects.create(name=f"{first.name}农特产品供应链合作社（生成）", kind="enterprise", region=first)
    counts = generate(scale=0.001, seed=7, log=lambda s: None)
    assert counts["suppliers"] > 0
    assert Product.objects.filter(county=first).exists()

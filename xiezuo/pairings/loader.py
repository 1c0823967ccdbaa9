"""Load the 2021 province pairings (real data) from data/pairings_2021_provinces.csv."""
import csv
import datetime

from django.conf import settings
from django.db import transaction

from xiezuo.regions.choices import Level
from xiezuo.regions.models import Region

from .choices import ChangeKind, PairingKind
from .models import Pairing, PairingChange

PROVINCE_PAIRINGS_START = datetime.date(2021, 1, 1)


@transaction.atomic
def load_province_pairings(path=None) -> list[Pairing]:
    path = path or settings.XIEZUO_DATA_DIR / "pairings_2021_provinces.csv"
    provinces = {r.name: r for r in Region.objects.filter(level=Level.PROVINCE)}
    loaded = []
    with open(path, encoding="utf-8-sig", newline="") as fh:
        for line, row in enumerate(csv.DictReader(fh), start=2):
            east, west = provinces.get(row["east_province"].strip()), provinces.get(row["west_province"].strip())
            if east is None or west is None:
                raise ValueError(f"{path}: row {line}: unknown province {row['east_province']} / {row['west_province']}")
            pairing, created = Pairing.objects.get_or_create(
                kind=PairingKind.PROVINCE, east_region=east, west_region=west, valid_from=PROVINCE_PAIRINGS_START,
                defaults={"name": row["short_name"].strip(), "source_note": row["source_status"].strip()[:200]},
            )
            if created:
                PairingChange.objects.create(
                    pairing=pairing, kind=ChangeKind.CREATED, reason="2021年东西部协作结对关系调整（国家公布）", after={"source": row["source_status"]}
                )
            loaded.append(pairing)
    return loaded

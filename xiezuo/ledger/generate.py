"""Ledger flows for the national dataset (called by xiezuo.datagen.national when present).

For every county pair and year up to today: the agreed fiscal aid is allocated by the
eastern office in two to four tranches, most arrive in the western office's account
within weeks (some after the agreement's due date, this year's last tranches may still be
in transit), the arrived money is disbursed to the pair's projects started that year and
spent about every ten days while they run. Every stage keeps the rules the actions enforce: no
arrival before its allocation, no disbursement beyond what arrived, no spending beyond
what a project holds, nothing booked in the future. At scale 1 this writes about five
million chained entries through ChainWriter (COPY on PostgreSQL).
"""
import datetime
from collections import defaultdict

from .bulk import ChainWriter
from .choices import NORMAL_SIDE, Kind, Purpose
from .models import Account

D, C = "D", "C"


def _accounts(wanted: set) -> dict:
    """{(owner_id, purpose, project_id): account id}, creating the missing ones in bulk."""
    have = {}
    owners = {o for o, _p, _j in wanted}
    for a in Account.objects.filter(owner_id__in=owners).values("id", "owner_id", "purpose", "project_id"):
        have[(a["owner_id"], a["purpose"], a["project_id"])] = a["id"]
    missing = [k for k in wanted if k not in have]
    Account.objects.bulk_create([Account(owner_id=o, purpose=p, project_id=j, normal_side=NORMAL_SIDE[Purpose(p)])
                                 for o, p, j in missing], batch_size=5000)
    if missing:
        for a in Account.objects.filter(owner_id__in=owners).values("id", "owner_id", "purpose", "project_id"):
            have[(a["owner_id"], a["purpose"], a["project_id"])] = a["id"]
    return have


def _split(total: int, parts: int, rng) -> list[int]:
    """`total` fen in `parts` positive pieces that sum exactly."""
    if total < parts:
        return [total] if total > 0 else []
    weights = [rng.randint(5, 15) for _ in range(parts)]
    pieces = [total * w // sum(weights) for w in weights]
    pieces[-1] += total - sum(pieces)
    return [p for p in pieces if p > 0]


def generate_flows(*, meta, aid, offices, pairs, rng, today: datetime.date, on_time: dict | None = None) -> int:
    """Write the flows; return the number of entries. `meta` rows are
    (project id, planned start, planned end, status, late, pairing). `on_time`, when
    given, is {(pairing id, year): chance that a tranche arrives by the due date}: the
    others arrive one to twelve weeks after it."""
    from xiezuo.pairings.models import Agreement

    pair_by_id = {p.id: p for p in pairs}
    agreements = {(a["pairing_id"], a["year"]): (a["id"], a["funds_due_date"])
                  for a in Agreement.objects.filter(pairing__in=pairs).values("id", "pairing_id", "year", "funds_due_date")}
    projects = defaultdict(list)  # (pairing id, year) → [(project id, start, end)]
    for pid, start, end, status, _late, p in meta:
        if status not in ("planned", "cancelled") and start <= today:
            projects[(p.id, start.year)].append((pid, start, min(end, today)))

    wanted = set()
    for (pairing_id, _year) in aid:
        p = pair_by_id.get(pairing_id)
        if p is None or p.east_region_id not in offices or p.west_region_id not in offices:
            continue
        wanted.add((offices[p.east_region_id].id, Purpose.EAST_BUDGET.value, None))
        wanted.add((offices[p.west_region_id].id, Purpose.IN_TRANSIT.value, None))
        wanted.add((offices[p.west_region_id].id, Purpose.WEST_RECEIVING.value, None))
    for (pairing_id, _year), items in projects.items():
        west = offices.get(pair_by_id[pairing_id].west_region_id) if pairing_id in pair_by_id else None
        if west is None:
            continue
        for pid, _s, _e in items:
            wanted.add((west.id, Purpose.PROJECT.value, pid))
            wanted.add((west.id, Purpose.PROJECT_SPENDING.value, pid))
    acc = _accounts(wanted)

    writer = ChainWriter(key_prefix="gen")
    for (pairing_id, year), share in sorted(aid.items()):
        p = pair_by_id.get(pairing_id)
        if p is None or share <= 0 or year > today.year or (pairing_id, year) not in agreements:
            continue
        east, west = offices.get(p.east_region_id), offices.get(p.west_region_id)
        if east is None or west is None:
            continue
        agreement_id, due = agreements[(pairing_id, year)]
        budget, transit, receiving = (acc[(east.id, Purpose.EAST_BUDGET.value, None)], acc[(west.id, Purpose.IN_TRANSIT.value, None)],
                                      acc[(west.id, Purpose.WEST_RECEIVING.value, None)])
        arrived_total, last_arrival = 0, None
        for k, amount in enumerate(_split(share, rng.randint(2, 4), rng)):
            booked = datetime.date(year, 3, 1) + datetime.timedelta(days=35 * k + rng.randrange(20))
            if booked > today:
                break
            alloc = writer.add({"kind": Kind.ALLOCATION, "booked_on": booked, "agreement_id": agreement_id, "east_org_id": east.id,
                                "west_org_id": west.id, "due_date": due}, [(transit, D, amount), (budget, C, amount)])
            if on_time is None:
                arrived = booked + datetime.timedelta(days=rng.choice((7, 14, 21, 30, 45, 60, 90, 120)))
            elif rng.random() < on_time.get((pairing_id, year), 1.0):
                arrived = booked + datetime.timedelta(days=rng.randint(3, max(3, ((due or booked) - booked).days)))
            else:
                arrived = max(booked, due or booked) + datetime.timedelta(days=rng.randint(7, 84))
            if arrived > today:
                continue  # still in transit
            writer.add({"kind": Kind.ARRIVAL, "booked_on": arrived, "arrived_on": arrived, "due_date": due, "allocation_id": alloc,
                        "agreement_id": agreement_id, "east_org_id": east.id, "west_org_id": west.id},
                       [(receiving, D, amount), (transit, C, amount)])
            arrived_total += amount
            last_arrival = max(last_arrival or arrived, arrived)
        items = projects.get((pairing_id, year), [])
        if not items or arrived_total <= 0:
            continue
        to_disburse = arrived_total * rng.randint(80, 95) // 100
        for (pid, start, end), amount in zip(items, _split(to_disburse, len(items), rng)):
            paid_on = max(start, last_arrival) + datetime.timedelta(days=rng.randrange(3, 30))
            if paid_on > today:
                continue
            writer.add({"kind": Kind.DISBURSEMENT, "booked_on": paid_on, "project_id": pid, "east_org_id": east.id, "west_org_id": west.id},
                       [(acc[(west.id, Purpose.PROJECT.value, pid)], D, amount), (receiving, C, amount)])
            rounds = max(1, (end - paid_on).days // 10)
            spend_total = amount * rng.randint(60, 100) // 100
            spent_on = paid_on
            for piece in _split(spend_total, rounds, rng):
                spent_on = min(today, spent_on + datetime.timedelta(days=10))
                writer.add({"kind": Kind.SPENDING, "booked_on": spent_on, "project_id": pid, "east_org_id": east.id, "west_org_id": west.id},
                           [(acc[(west.id, Purpose.PROJECT_SPENDING.value, pid)], D, piece), (acc[(west.id, Purpose.PROJECT.value, pid)], C, piece)])
    return writer.close()

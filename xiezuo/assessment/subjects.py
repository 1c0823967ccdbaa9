"""What gets a score, and which rows count towards it.

Subjects are the counties on either side of the cooperation (a western county is helped,
an eastern county helps) and every pairing valid during the period: province pairs and
the lower pairs (city, county, and sector pairings such as school–school).

Rows (milestones, dispatches, outputs, postings) carry a western place, an eastern place
and sometimes an explicit pairing. The attribution rule, applied the same way to every
fact, is:

* a county counts the rows whose western place is that county (for an eastern county:
  whose eastern place is that county);
* a region pairing counts the rows whose western place lies in its western subtree and
  whose eastern place lies in its eastern subtree — so a province pair includes all the
  work of the city and county pairs nested inside it;
* a sector pairing (school, hospital, enterprise–village…) counts the rows that name it;
* commitments are the pairing's own agreement; a county's commitments are those of its
  county–county pairings.

`Rollup` turns rows grouped by (western region, eastern region, pairing) into per-subject
sums with dictionary look-ups, so the database is asked one grouped query per kind of row
instead of one query per subject.
"""
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q

from xiezuo.pairings.choices import REGION_KINDS, PairingKind
from xiezuo.pairings.models import Pairing
from xiezuo.regions.choices import NON_COOPERATION_PROVINCES, Level as RegionLevel, Role
from xiezuo.regions.models import Region, subtree_prefix

from .choices import Level, PeerGroup
from xiezuo.core.periods import Period


@dataclass(frozen=True)
class Subject:
    key: str  # "region:513436" or "pairing:12"
    level: str  # Level
    peer_group: str  # PeerGroup
    region_id: int | None = None
    region_code: str = ""
    side: str = ""  # "west" or "east", for counties
    pairing_id: int | None = None
    pairing_kind: str = ""
    west_prefix: str = ""
    east_prefix: str = ""

    @property
    def is_region_pair(self) -> bool:
        return self.pairing_id is not None and self.pairing_kind in REGION_KINDS


def region_key(code: str) -> str:
    return f"region:{code}"


def pairing_key(pk: int) -> str:
    return f"pairing:{pk}"


def _peer_group(row) -> str:
    if row["role"] == Role.EAST:
        return PeerGroup.EAST
    if row["key_assistance"]:
        return PeerGroup.KEY
    if row["former_poverty"]:
        return PeerGroup.FORMER_POVERTY
    return PeerGroup.OTHER


def county_subjects(codes=None) -> list[Subject]:
    qs = (Region.objects.filter(level=RegionLevel.COUNTY, role__in=(Role.WEST, Role.EAST))
          .exclude(province_code__in=NON_COOPERATION_PROVINCES))
    if codes is not None:
        qs = qs.filter(code__in=list(codes))
    out = []
    for row in qs.values("id", "code", "role", "key_assistance", "former_poverty").order_by("code"):
        west = row["role"] == Role.WEST
        out.append(Subject(
            key=region_key(row["code"]), level=Level.COUNTY, peer_group=_peer_group(row), region_id=row["id"],
            region_code=row["code"], side="west" if west else "east",
            west_prefix=row["code"] if west else "", east_prefix="" if west else row["code"],
        ))
    return out


def valid_pairings(period: Period):
    return Pairing.objects.overlapping(period.start, period.end)


def pairing_subjects(period: Period, ids=None) -> list[Subject]:
    qs = valid_pairings(period)
    if ids is not None:
        qs = Pairing.objects.filter(pk__in=list(ids))
    out = []
    for row in qs.values("id", "kind", "west_region__code", "west_region__level", "east_region__code", "east_region__level").order_by("id"):
        province = row["kind"] == PairingKind.PROVINCE
        out.append(Subject(
            key=pairing_key(row["id"]), level=Level.PROVINCE_PAIR if province else Level.PAIR,
            peer_group=PeerGroup.PROVINCE_PAIR if province else PeerGroup.PAIR, pairing_id=row["id"], pairing_kind=row["kind"],
            west_prefix=subtree_prefix(row["west_region__code"], row["west_region__level"]),
            east_prefix=subtree_prefix(row["east_region__code"], row["east_region__level"]),
        ))
    return out


def all_subjects(period: Period) -> list[Subject]:
    return county_subjects() + pairing_subjects(period)


def subject_for_key(key: str, period: Period) -> Subject | None:
    kind, _sep, ident = key.partition(":")
    if kind == "region":
        found = county_subjects([ident])
    elif kind == "pairing" and ident.isdigit():
        found = pairing_subjects(period, [int(ident)])
    else:
        found = []
    return found[0] if found else None


def prefixes(code: str | None) -> tuple[str, ...]:
    """Every subtree prefix a region code lies in: province, prefecture, itself."""
    if not code:
        return ()
    return (code[:2], code[:4], code)


class Rollup:
    """Maps (western region id, eastern region id, pairing id) groups onto subjects."""

    def __init__(self, subjects: list[Subject]):
        self.subjects = subjects
        self.code_of = dict(Region.objects.values_list("id", "code"))
        self.west_county = {s.region_code: s.key for s in subjects if s.level == Level.COUNTY and s.side == "west"}
        self.east_county = {s.region_code: s.key for s in subjects if s.level == Level.COUNTY and s.side == "east"}
        self.region_pairs = defaultdict(list)
        self.region_pairs_west = defaultdict(list)  # western prefix → region pairs, whatever their eastern side
        self.county_partners = defaultdict(list)  # western county code → eastern county subjects paired with it
        self.sector_pairs = {}
        self.pairings = {}
        for s in subjects:
            if s.pairing_id is None:
                continue
            self.pairings[s.pairing_id] = s
            if s.is_region_pair:
                self.region_pairs[(s.west_prefix, s.east_prefix)].append(s.key)
                self.region_pairs_west[s.west_prefix].append(s.key)
                if s.pairing_kind == PairingKind.COUNTY and s.east_prefix in self.east_county:
                    self.county_partners[s.west_prefix].append(self.east_county[s.east_prefix])
            else:
                self.sector_pairs[s.pairing_id] = s.key

    def nested(self, west_id, east_id, pairing_id) -> list[str]:
        """Subjects a row counts for under the place rule."""
        w, e = self.code_of.get(west_id), self.code_of.get(east_id)
        keys = []
        if w in self.west_county:
            keys.append(self.west_county[w])
        if e in self.east_county:
            keys.append(self.east_county[e])
        if w and e:
            for wp in prefixes(w):
                for ep in prefixes(e):
                    keys.extend(self.region_pairs.get((wp, ep), ()))
        if pairing_id in self.sector_pairs:
            keys.append(self.sector_pairs[pairing_id])
        return keys

    def west_side(self, west_id, east_id, pairing_id) -> list[str]:
        """Subjects a row counts for when only its western place is known (a labour
        placement counts for the worker's county wherever the work is): the western county,
        every region pairing whose western subtree holds it, and the eastern counties of its
        county–county pairings. A sector pairing counts none."""
        w = self.code_of.get(west_id)
        if not w:
            return []
        keys = [self.west_county[w]] if w in self.west_county else []
        for wp in prefixes(w):
            keys.extend(self.region_pairs_west.get(wp, ()))
        keys.extend(self.county_partners.get(w, ()))
        return list(dict.fromkeys(keys))

    def own(self, west_id, east_id, pairing_id) -> list[str]:
        """Subjects a commitment counts for: its pairing, and for a county–county pairing
        both counties."""
        s = self.pairings.get(pairing_id)
        if s is None:
            return []
        keys = [s.key]
        if s.pairing_kind == PairingKind.COUNTY:
            w, e = self.code_of.get(west_id), self.code_of.get(east_id)
            if w in self.west_county:
                keys.append(self.west_county[w])
            if e in self.east_county:
                keys.append(self.east_county[e])
        return keys


# --- the same rule as a filter, for the evidence of one subject ------------------------


def _subtree_ids(prefix: str):
    return Region.objects.filter(code__startswith=prefix).values("id")


def nested_q(subject: Subject, west: str, east: str, pairing: str | None) -> Q:
    if subject.level == Level.COUNTY:
        return Q(**{west if subject.side == "west" else east: subject.region_id})
    if subject.is_region_pair:
        return Q(**{f"{west}__in": _subtree_ids(subject.west_prefix), f"{east}__in": _subtree_ids(subject.east_prefix)})
    return Q(**{pairing: subject.pairing_id}) if pairing else Q(pk__in=[])


def west_side_q(subject: Subject, west: str, period: Period) -> Q:
    """`Rollup.west_side` as a filter, for the evidence of one subject."""
    if subject.level == Level.COUNTY:
        if subject.side == "west":
            return Q(**{west: subject.region_id})
        partners = valid_pairings(period).filter(kind=PairingKind.COUNTY, east_region_id=subject.region_id).values("west_region_id")
        return Q(**{f"{west}__in": partners})
    if subject.is_region_pair:
        return Q(**{f"{west}__in": _subtree_ids(subject.west_prefix)})
    return Q(pk__in=[])


def own_q(subject: Subject, pairing: str, period: Period) -> Q:
    if subject.level == Level.COUNTY:
        side = "west_region_id" if subject.side == "west" else "east_region_id"
        ids = valid_pairings(period).filter(kind=PairingKind.COUNTY, **{side: subject.region_id}).values("id")
        return Q(**{f"{pairing}__in": ids})
    return Q(**{pairing: subject.pairing_id})

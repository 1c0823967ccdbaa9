"""What a batch of placements or retention checks needs of the rows it names, read with one
SQL query per kind rather than as model instances.

A batch of 10,000 placements names 10,000 workers, each with its county; built as Django
model instances (`select_related`) they cost more than checking and writing the whole
batch. The rules (`actions.check_placements`, `actions.check_checks`) and the writers read
only the attributes below, which a model instance has too, so a single write passes its
models and a batch these references: one set of rules.

Scoping is the models' own rule applied to the codes read (`Worker`: the registering
county in the user's subtree; `Placement`: the county or the place of work in it; neither
counts paired regions), so a row the user may not see is answered like one that does not
exist.
"""
import datetime

from xiezuo.core.arrays import any_of
from xiezuo.core.bulkrows import select
from xiezuo.core.scoping import scope_for


class RegionRef:
    __slots__ = ("pk", "code", "level", "name")

    def __init__(self, pk, code, level="county", name=""):
        self.pk, self.code, self.level, self.name = pk, code, level, name

    def __str__(self):
        return self.name


class OrgRef:
    __slots__ = ("pk", "name")

    def __init__(self, pk, name):
        self.pk, self.name = pk, name

    def __str__(self):
        return self.name


class WorkerRef:
    __slots__ = ("pk", "name", "merged_into_id", "county")

    def __init__(self, pk, name, merged_into_id, county: RegionRef):
        self.pk, self.name, self.merged_into_id, self.county = pk, name, merged_into_id, county

    def __str__(self):
        return self.name


class PlacementRef:
    __slots__ = ("pk", "start_date", "end_date", "county", "place", "worker_id", "in_paired_province")

    def __init__(self, pk, start_date, end_date, county: RegionRef, place: RegionRef, worker_id, in_paired_province):
        self.pk, self.start_date, self.end_date, self.county, self.place = pk, start_date, end_date, county, place
        self.worker_id, self.in_paired_province = worker_id, in_paired_province


def _day(value):
    """SQLite hands dates back as text."""
    return datetime.date.fromisoformat(value) if isinstance(value, str) else value


def _seer(user):
    """code → may the user see a row placed there (own subtree; no partners)."""
    scope = scope_for(user)
    if scope.everything:
        return lambda code: True
    if not scope.active or scope.own is None:
        return lambda code: False
    own = scope.own
    return lambda code: code.startswith(own)


def _ids(values) -> list[int]:
    return sorted({v for v in values if isinstance(v, int) and not isinstance(v, bool)})


def regions(memo: dict, region_ids=(), codes=()) -> None:
    """Add to `memo` ({id: RegionRef} and {code: RegionRef}) the regions named."""
    want_ids = [i for i in _ids(region_ids) if i not in memo]
    want_codes = sorted({c for c in codes if isinstance(c, str) and c not in memo})
    for column, values, pg in (("id", want_ids, "bigint"), ("code", want_codes, "text")):
        if not values:
            continue
        where, params = any_of(column, values, pg)
        for pk, code, level, name in select(f"SELECT id, code, level, name FROM regions_region WHERE {where}", params):
            ref = memo.get(pk) or RegionRef(pk, code, level, name)
            memo[pk] = memo[code] = ref


def workers(user, ids, memo: dict) -> dict:
    """{id: WorkerRef} of the workers the user may see among `ids`."""
    ids = _ids(ids)
    if not ids:
        return {}
    where, params = any_of("w.id", ids, "bigint")
    rows = select(f"SELECT w.id, w.name, w.merged_into_id, w.county_id, c.code, c.level, c.name FROM labour_worker w "
                  f"JOIN regions_region c ON c.id = w.county_id WHERE {where}", params)
    sees = _seer(user)
    out = {}
    for pk, name, merged, county_id, code, level, county_name in rows:
        if not sees(code):
            continue
        county = memo.get(county_id)
        if county is None:
            county = memo[county_id] = memo[code] = RegionRef(county_id, code, level, county_name)
        out[pk] = WorkerRef(pk, name, merged, county)
    return out


def organisations(ids) -> dict:
    """{id: OrgRef} (organisations are not scoped: an employer is named by its id)."""
    ids = _ids(ids)
    if not ids:
        return {}
    where, params = any_of("id", ids, "bigint")
    return {pk: OrgRef(pk, name) for pk, name in select(f"SELECT id, name FROM orgs_organisation WHERE {where}", params)}


def placements(user, ids, memo: dict) -> dict:
    """{id: PlacementRef} of the placements the user may see among `ids`."""
    ids = _ids(ids)
    if not ids:
        return {}
    where, params = any_of("id", ids, "bigint")
    rows = select(f"SELECT id, start_date, end_date, county_id, place_id, worker_id, in_paired_province FROM labour_placement "
                  f"WHERE {where}", params)
    regions(memo, region_ids=[r[3] for r in rows] + [r[4] for r in rows])
    sees = _seer(user)
    out = {}
    for pk, start, end, county_id, place_id, worker_id, paired in rows:
        county, place = memo[county_id], memo[place_id]
        if sees(county.code) or sees(place.code):
            out[pk] = PlacementRef(pk, _day(start), _day(end), county, place, worker_id, bool(paired))
    return out

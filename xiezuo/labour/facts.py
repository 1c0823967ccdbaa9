"""Facts of 劳务协作 for the assessment (协议刚性·劳务协作): per western region and period, the
workers placed against the agreements' labour commitment, with the rows behind the number.

Plain functions; the lead wires them into `assessment.facts` (the `labour_placed` fact,
today "no data"). The definitions, in the officials' words:

- placed (`labour_placed`): workers registered by a county in the region's subtree with a
  placement starting within the period, up to the cut (the period's end, or the day of
  computation if earlier). A worker placed twice in the period counts once; a registration
  merged into another counts as the one kept (its placements moved there).
- committed (`labour_committed`): the labour placements committed in the agreements of the
  period's agreement year whose pairing's western side is the region itself (not its
  counties: a province's commitment is the province pairing's; a county's its own).
- the ratio indicator `labour_placed / labour_committed × 100` (assessment's rigidity_labour).
"""
import datetime
from dataclasses import dataclass

from django.db.models import Count, Sum

from xiezuo.pairings.models import Agreement
from xiezuo.regions.models import Region

from .models import Placement


@dataclass
class LabourFacts:
    region: str
    start: datetime.date
    cut: datetime.date
    placed: int  # distinct workers
    placements: int
    in_paired_province: int  # distinct workers placed in the paired eastern province
    out_of_province: int
    committed: int
    agreements: list  # [(agreement id, pairing label, committed)]

    @property
    def percent(self):
        return round(100 * self.placed / self.committed, 1) if self.committed else None


def _placements(code: str, start: datetime.date, cut: datetime.date):
    county_ids = Region.objects.filter(code__startswith=Region.objects.get(code=code).prefix, level="county").values("id")
    return Placement.objects.filter(county_id__in=county_ids, start_date__gte=start, start_date__lte=cut)


def labour_facts(region_code: str, period, as_of: datetime.date | None = None) -> LabourFacts:
    """The placed workers and the commitment of one western region for one period
    (`core.periods.Period`; `as_of` cuts a running period)."""
    cut = min(period.end, as_of) if as_of else period.end
    qs = _placements(region_code, period.start, cut)
    counts = qs.aggregate(placed=Count("worker_id", distinct=True), placements=Count("id"))
    paired = qs.filter(in_paired_province=True).aggregate(n=Count("worker_id", distinct=True))["n"]
    out = qs.filter(place_kind="out_of_province").aggregate(n=Count("worker_id", distinct=True))["n"]
    year = getattr(period, "agreement_year", None) or period.start.year
    agreements = list(Agreement.objects.filter(year=year, pairing__west_region__code=region_code, labour_placements__gt=0)
                      .select_related("pairing__east_region", "pairing__west_region"))
    committed = sum(a.labour_placements for a in agreements)
    return LabourFacts(region_code, period.start, cut, counts["placed"], counts["placements"], paired, out, committed,
                       [(a.pk, str(a.pairing), a.labour_placements) for a in agreements])


def placed_by_county(start: datetime.date, cut: datetime.date) -> dict[str, int]:
    """{county code: distinct workers placed} for every county at once (one grouped query),
    for the assessment's per-subject computation; prefixes roll counties up."""
    rows = (Placement.objects.filter(start_date__gte=start, start_date__lte=cut).values("county__code")
            .annotate(n=Count("worker_id", distinct=True)))
    return {r["county__code"]: r["n"] for r in rows}


def evidence(region_code: str, period, as_of: datetime.date | None = None, limit: int = 500):
    """The placements behind `placed`, as rows an evaluator reads: no ID number, the masked one."""
    cut = min(period.end, as_of) if as_of else period.end
    qs = _placements(region_code, period.start, cut).select_related("worker", "county", "place", "employer").order_by("start_date", "id")
    return [{"placement": p.pk, "worker": p.worker.name, "id_number": p.worker.id_masked, "county": p.county.name,
             "employer": p.employer.name, "place": p.place.name, "place_kind": p.get_place_kind_display(),
             "in_paired_province": p.in_paired_province, "start_date": p.start_date} for p in qs[:limit]]


def committed_by_region(year: int) -> dict[str, int]:
    """{western region code: labour placements committed} over the agreements of the year."""
    rows = Agreement.objects.filter(year=year).values("pairing__west_region__code").annotate(n=Sum("labour_placements"))
    return {r["pairing__west_region__code"]: r["n"] or 0 for r in rows}

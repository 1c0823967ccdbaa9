"""Facts of consumption help for the assessment (协议刚性·消费帮扶: consumption_actual_fen /
consumption_committed_fen × 100).

Per western region and period: the purchases that count against its agreements' consumption
commitments, with the rows behind the number. The lead wires this into the indicator; the
definitions below are the words shown with the evidence.

What counts (`where`): a purchase dated within the period (its first day to the cut: the
period's end, or today while it runs) whose product held a certificate in force on the day
of purchase (approved, within its validity, not revoked on or before that day).

Against which commitments (`for_region`): the agreements of the period's year whose pairing
has the region itself on its western side; a purchase counts for them when its product comes
from the region's subtree and its buyer's region lies in the subtree of the eastern side of
one of those pairings (a Guangzhou buyer of a product of 美姑县 counts for nobody's Zhejiang
commitment). For the assessment's family-based rollup, `FAMILY` gives the paths the
assessment's `Family` takes: the product's county, the buyer's region and the most specific
region pairing in force on the day (stored with the purchase when it was recorded).
"""
import datetime

from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xiezuo.pairings.models import Agreement

from .models import Certificate, Purchase, counted_q, in_force_q

FAMILY = {"name": "purchases", "model": "consumption.Purchase", "west": "county_id", "east": "buyer_region_id",
          "pairing": "pairing_id"}
DEFINITION = _("Purchases of products of the region's counties by buyers in the paired eastern regions, dated within the period "
               "(up to the cut), whose product held a certificate in force on the day of purchase (approved, within its validity, "
               "not revoked on or before that day). A purchase recorded twice through two channels is refused when recorded, so "
               "each counts once.")


def cut_of(period, as_of: datetime.date | None = None) -> datetime.date:
    return min(period.end, as_of or timezone.localdate())


def where(window) -> Q:
    """The filter of the assessment's `Family` for a window (`window.period`, `window.cut`)."""
    return counted_q() & Q(purchased_on__gte=window.period.start, purchased_on__lte=window.cut)


def agreements_of(region, year: int):
    """The region pairings' agreements (sector pairings — schools, hospitals, enterprise– and
    social organisation–village — carry no consumption commitment of the region)."""
    return Agreement.objects.filter(year=year, pairing__west_region=region, pairing__status="approved",
                                    pairing__kind__in=("province", "prefecture", "county")).select_related(
        "pairing__east_region", "pairing__west_region")


def counted_rows(region, period, as_of=None, agreements=None):
    """The counted purchases behind the number, for a western region and a period."""
    agreements = list(agreements_of(region, period.agreement_year) if agreements is None else agreements)
    if not agreements:
        return Purchase.objects.none()
    east = Q()
    for a in agreements:
        east |= Q(buyer_region__code__startswith=a.pairing.east_region.prefix)
    return (Purchase.objects.filter(counted_q(), east, county__code__startswith=region.prefix, purchased_on__gte=period.start,
                                    purchased_on__lte=cut_of(period, as_of))
            .select_related("buyer", "product", "supplier", "county", "buyer_region"))


def for_region(region, period, as_of: datetime.date | None = None) -> dict:
    """{"actual_fen", "committed_fen", "percent", "cut", "agreements", "rows"} for a western
    region and a period; `rows` is the queryset of counted purchases (the evidence)."""
    agreements = list(agreements_of(region, period.agreement_year))
    committed = sum(a.consumption_fen for a in agreements)
    rows = counted_rows(region, period, as_of, agreements)
    actual = rows.aggregate(s=Sum("amount_fen"))["s"] or 0
    return {"actual_fen": actual, "committed_fen": committed, "percent": round(100 * actual / committed, 2) if committed else None,
            "cut": cut_of(period, as_of), "agreements": agreements, "rows": rows}


EVIDENCE_COLUMNS = (_("purchase"), _("purchased on"), _("buyer"), _("buyer's region"), _("product"), _("supplier"), _("county"),
                    _("amount (fen)"), _("channel"), _("evidence number"), _("certificate number"))


def evidence(region, period, as_of=None, limit: int | None = 500) -> list[tuple]:
    """The rows behind the number, each with the certificate that made it count."""
    rows = counted_rows(region, period, as_of).order_by("purchased_on", "id")
    if limit is not None:
        rows = rows[:limit]
    rows = list(rows)
    certs = {}
    for c in Certificate.objects.filter(product_id__in={r.product_id for r in rows}, status="approved").order_by("valid_from"):
        certs.setdefault(c.product_id, []).append(c)
    out = []
    for r in rows:
        cert = next((c for c in certs.get(r.product_id, []) if c.valid_from <= r.purchased_on <= c.valid_to
                     and (c.revoked_on is None or c.revoked_on > r.purchased_on)), None)
        out.append((r.pk, r.purchased_on, r.buyer.name, r.buyer_region.code, r.product.name, r.supplier.name, r.county.code,
                    r.amount_fen, r.get_channel_display(), r.evidence_number, cert.number if cert else ""))
    return out


__all__ = ["DEFINITION", "EVIDENCE_COLUMNS", "FAMILY", "evidence", "for_region", "in_force_q", "where"]

"""The land exchange's invariant: every listing's trades are disjoint ranges inside it,
sold from the front ([0, sold) without a gap), and a sold-out listing has sold exactly its area."""
from ..models import QuotaListing, QuotaTrade


def verify() -> dict:
    problems = []
    area = dict(QuotaListing.objects.values_list("id", "area_u"))
    status = dict(QuotaListing.objects.values_list("id", "status"))
    current, end, trades = None, 0, 0

    def close(lid, end):
        if lid is not None and status.get(lid) == "sold" and end != area.get(lid):
            problems.append(f"listing #{lid} is sold out but sold {end} of {area.get(lid)} units")

    for lid, start, stop in QuotaTrade.objects.order_by("listing_id", "start_u").values_list("listing_id", "start_u", "end_u").iterator(
            chunk_size=20000):
        trades += 1
        if lid != current:
            close(current, end)
            current, end = lid, 0
        if start < end:
            problems.append(f"listing #{lid}: units {start}–{min(stop, end)} sold twice")
        elif start > end:
            problems.append(f"listing #{lid}: units {end}–{start} skipped")
        if stop > area.get(lid, 0):
            problems.append(f"listing #{lid}: trade beyond its area ({stop} > {area.get(lid)})")
        end = max(end, stop)
    close(current, end)
    return {"ok": not problems, "problems": problems, "listings": len(area), "trades": trades}

"""The registry's invariants, checked over the whole registry (`manage.py markets verify`).

1. issued never exceeds verified: per verification, issued_t ≤ verified_t, and issued_t is
   what its issuances moved;
2. per project, the live blocks (held or retired) never overlap and cover exactly the serials
   issued, 1 … next_serial − 1 (every unit is in exactly one account or retired; units are conserved);
3. a superseded block is exactly covered by its children, and a retired block has none (it never moves again).
Streams blocks in serial order, one project at a time; returns the list of problems found.
"""
from collections import defaultdict

from django.db.models import Sum

from ..choices import BlockStatus, Movement
from ..models import CarbonBlock, CarbonMove, SinkProject, Verification


def verify(progress=None) -> dict:
    problems = []
    issued_moves = dict(CarbonMove.objects.filter(kind=Movement.ISSUE).values("block__verification").annotate(
        s=Sum("units")).values_list("block__verification", "s"))
    verifications = 0
    for vid, verified, issued in Verification.objects.values_list("id", "verified_t", "issued_t").iterator(chunk_size=5000):
        verifications += 1
        if issued > verified:
            problems.append(f"verification #{vid}: issued {issued} > verified {verified}")
        if issued != (issued_moves.get(vid) or 0):
            problems.append(f"verification #{vid}: issued {issued} but issuances moved {issued_moves.get(vid) or 0}")
    expected = dict(SinkProject.objects.values_list("id", "next_serial"))
    codes = dict(SinkProject.objects.values_list("id", "code"))
    live = 0
    units = 0
    current, end = None, 0
    seen = set()

    def close(pid, end):
        if pid is not None and end != expected.get(pid, 1) - 1:
            problems.append(f"{codes.get(pid)}: live blocks cover 1…{end}, issued 1…{expected.get(pid, 1) - 1}")

    for pid, first, last, status in (CarbonBlock.objects.exclude(status=BlockStatus.SPLIT).order_by("project_id", "first")
                                     .values_list("project_id", "first", "last", "status").iterator(chunk_size=20000)):
        if pid != current:
            close(current, end)
            seen.add(pid)
            current, end = pid, 0
        if first <= end:
            problems.append(f"{codes.get(pid)}: block {first}–{last} overlaps units up to {end}")
        elif first != end + 1:
            problems.append(f"{codes.get(pid)}: units {end + 1}–{first - 1} are in no account")
        end = max(end, last)
        live += 1
        units += last - first + 1
        if progress and live % 200000 == 0:
            progress(live)
    close(current, end)
    for pid, nxt in expected.items():
        if pid not in seen and nxt != 1:
            problems.append(f"{codes.get(pid)}: issued 1…{nxt - 1} but no live block")
    # children of superseded blocks
    kids = defaultdict(lambda: [0, 10**18, 0])
    for parent, first, last in CarbonBlock.objects.filter(parent__isnull=False).values_list("parent_id", "first", "last").iterator(
            chunk_size=20000):
        k = kids[parent]
        k[0] += last - first + 1
        k[1] = min(k[1], first)
        k[2] = max(k[2], last)
    split = 0
    for bid, first, last, status in CarbonBlock.objects.filter(id__in=list(kids) or [0]).values_list(
            "id", "first", "last", "status").iterator(chunk_size=20000):
        k = kids.pop(bid)
        if status == BlockStatus.RETIRED:
            problems.append(f"block #{bid} is retired but moved again")
        elif status != BlockStatus.SPLIT:
            problems.append(f"block #{bid} has children but is still live")
        if (k[0], k[1], k[2]) != (last - first + 1, first, last):
            problems.append(f"block #{bid} ({first}–{last}) is not exactly covered by its children")
        split += 1
    dangling = CarbonBlock.objects.filter(status=BlockStatus.SPLIT).count() - split
    if dangling:
        problems.append(f"{dangling} superseded blocks have no children")
    return {"ok": not problems, "problems": problems, "verifications": verifications, "live_blocks": live, "units": units,
            "superseded": split}

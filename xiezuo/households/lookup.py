"""Finding households of a county to name them elsewhere (a payout's beneficiaries, a share of
land-quota proceeds): by household number, by a member's full ID number or by the head's name,
both through their keyed hashes (`Member.id_index`, `Member.name_index`) — no name or number
is decrypted to search, and what is shown of the people is masked (`masked_head`)."""
from django.db.models import Q

from xiezuo.core.personal.crypto import blind_index
from xiezuo.core.personal.idnumbers import id_number_error, normalise
from xiezuo.core.personal.masking import mask_id_number

from .models import Household, Member, name_key
from .privacy import may_see_rows


def find_households(user, county, query: str, *, limit: int = 20) -> list[Household]:
    """Households of `county` the user may see rows of, answering `query`: a household number
    (exact, or its start), a full ID number of a member, or the exact name of a head (or, when
    no head bears it, of any member)."""
    query = (query or "").strip()
    if not query or not may_see_rows(user):
        return []
    base = Household.objects.visible_to(user).filter(county=county).select_related("village")
    number = normalise(query)
    if len(number) == 18 and not id_number_error(number):
        ids = Member.objects.filter(id_index=blind_index("id", number)).values("household_id")
        return list(base.filter(id__in=ids)[:limit])
    found = list(base.filter(Q(number=query) | Q(number__startswith=query)).order_by("number")[:limit])
    if found:
        return found
    members = Member.objects.filter(household__county=county, name_index=name_key(query))
    heads = members.filter(relation="head")
    ids = heads.values("household_id") if heads.exists() else members.values("household_id")
    return list(base.filter(id__in=ids).order_by("number")[:limit])


def by_number(county, numbers) -> dict:
    """{number: [households of `county` with that number]} for the numbers given."""
    out = {}
    for h in Household.objects.filter(county=county, number__in=set(numbers)).select_related("village"):
        out.setdefault(h.number, []).append(h)
    return out


def masked_head(household) -> dict:
    """The head's name and masked ID number, for a list of candidates."""
    head = household.members.filter(relation="head").first() or household.members.first()
    if head is None:
        return {"name": "", "id_number": ""}
    return {"name": head.name, "id_number": mask_id_number(head.id_number)}


BATCH = 5000


def fill_names(Member, conn, *, heads_only=False) -> int:
    """Write the name hash (`Member.name_index`) of the members without one — of the heads only,
    if asked (migration 0005) —, decrypting each name once, in batches by id with one UPDATE
    each; the count written. `Member` may be a migration's historical model."""
    table = Member._meta.db_table
    last = done = 0
    while True:
        qs = Member.objects.filter(id__gt=last, name_index="")
        rows = list((qs.filter(relation="head") if heads_only else qs).order_by("id").values_list("id", "name")[:BATCH])
        if not rows:
            break
        last = rows[-1][0]
        pairs = [(pk, name_key(name)) for pk, name in rows if name]
        if not pairs:
            continue
        with conn.cursor() as cur:
            if conn.vendor == "postgresql":
                # the id range keeps the join to the batch's rows (else a scan of the whole table per batch)
                values = ",".join(["(%s, %s)"] * len(pairs))
                cur.execute(f"UPDATE {table} AS m SET name_index = v.k FROM (VALUES {values}) AS v(id, k) "
                            f"WHERE m.id = v.id AND m.id BETWEEN %s AND %s",
                            [x for pair in pairs for x in pair] + [pairs[0][0], pairs[-1][0]])
            else:
                cur.executemany(f"UPDATE {table} SET name_index = %s WHERE id = %s", [(k, pk) for pk, k in pairs])
        done += len(pairs)
    return done

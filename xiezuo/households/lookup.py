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

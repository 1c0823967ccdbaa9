"""Which office answers for a place, who is one level up, and which post owns an item.

Consequences belong to a post (岗位责任清单), not to a person. The rule used throughout the
loop, decided here once:

* the office for a region is the cooperation office (协作办) at that region, or failing
  that at the nearest region above it (a county without an office of its own is answered
  for by its prefecture's, then its province's office);
* one level up from an office is the office for the region's parent; above a province
  office is the national coordinator (the ministry organisation);
* the post that owns an office's items is its leading post (`Post.is_lead`); posts are
  rhythm's, and an office without a leading post gets one through
  `xiezuo.rhythm.actions.ensure_lead_posts` the first time an item needs it.
"""
from xiezuo.orgs.choices import OrgKind
from xiezuo.orgs.models import Organisation
from xiezuo.regions.models import Region

def ministry() -> Organisation | None:
    return Organisation.objects.filter(kind=OrgKind.MINISTRY).order_by("id").first()


def office_for_region(region: Region | None) -> Organisation | None:
    """The office at the region, or at the nearest region above it; the ministry last."""
    node = region
    while node is not None:
        office = Organisation.objects.filter(kind=OrgKind.OFFICE, region=node).order_by("id").first()
        if office is not None:
            return office
        node = node.parent
    return ministry()


def parent_office(office: Organisation) -> Organisation | None:
    """One level up: the office for the parent region; above a province, the ministry;
    above the ministry, nobody."""
    if office.kind == OrgKind.MINISTRY:
        return None
    parent = office.region.parent
    if parent is None:
        return ministry()
    return office_for_region(parent)


def province_office(office: Organisation) -> Organisation | None:
    """The province office above (or at) an office's region."""
    if office.kind == OrgKind.MINISTRY:
        return None
    province = Region.objects.filter(code=office.region.province_code + "0000").first()
    found = office_for_region(province)
    return found


def issuer_for(owner: Organisation, level: str) -> Organisation | None:
    """The office that issues an order to `owner`: never the owner itself."""
    from .choices import IssuerLevel

    if level == IssuerLevel.NATIONAL:
        found = ministry()
    elif level == IssuerLevel.PROVINCE:
        found = province_office(owner)
    else:
        found = parent_office(owner)
    if found is None or found.pk == owner.pk:
        found = parent_office(owner)
    return found


def acting_office(user) -> Organisation | None:
    """The organisation the user acts for."""
    from xiezuo.users.scopes import organisation_of

    return organisation_of(user)


def acts_for(user, office: Organisation | None) -> bool:
    """May the user write on behalf of this office: an office admin or editor of it, or a
    holder of one of its posts with a writing role."""
    from xiezuo.core.scoping import EDIT_ROLES, scope_for

    scope = scope_for(user)
    if office is None or not scope.active or scope.role not in EDIT_ROLES + ("national",):
        return False
    own = acting_office(user)
    if own is not None and own.pk == office.pk:
        return True
    return user.posts.filter(office=office).exists()

"""Which office answers for a place, who is one level up, and which post owns an item.

Consequences belong to a post (岗位责任清单), not to a person. The rule used throughout the
loop, decided here once:

* the office for a region is the cooperation office (协作办) at that region, or failing
  that at the nearest region above it (a county without an office of its own is answered
  for by its prefecture's, then its province's office);
* one level up from an office is the office for the region's parent; above a province
  office is the national coordinator (the ministry organisation);
* the post that owns an item is the post that acts on it (`owner_post`):
  - an order or a ticket about a project: the office's post in charge of that project
    (项目专管岗, `Post.projects`); when several of the office's posts hold the project, the
    first one (by creation) that has holders;
  - when no post of the office is in charge of the project, or the post in charge has no
    holders (vacant), the office's leading post (`Post.is_lead`) stands in, and the item
    says so (`OwnerFallback`: "未设项目专管岗" / "专管岗空缺，由负责人岗代办");
  - warnings, restructuring proposals, incentives, and tickets not about a project
    (funds overdue, a professional gone early): the leading post of the answering office;
  - the verification of a submitted closure: the leading post of the issuing office, for as
    long as the closure waits (an item computed from the order, not stored);
  - an overdue order: the leading post one office up per escalation round.
  An office without a leading post gets one through `xiezuo.rhythm.actions.ensure_lead_posts`
  the first time an item needs it. An item is never dropped for want of a holder: the items
  of a vacant post (the leading post included) show on 我的事项 of the office's admins —
  or, for the leading post of an office without admin, of its editors — marked as standing
  in (`rhythm.items.posts_seen_by`).
  The owner is decided when the item is made and kept: putting holders on a post later does
  not move the items already on the leading post.
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


def owner_post(office: Organisation, project=None):
    """(post, fallback) owning an item of `office`, about `project` if given: the rule above.
    `fallback` is an `OwnerFallback` value ("" when the post in charge has it)."""
    from django.db.models import Count

    from xiezuo.rhythm.actions import ensure_lead_posts
    from xiezuo.rhythm.models import Post

    from .models import OwnerFallback

    fallback = OwnerFallback.NONE
    if project is not None:
        posts = list(Post.objects.filter(office=office, projects=project).annotate(n=Count("holders")).order_by("pk"))
        staffed = [p for p in posts if p.n]
        if staffed:
            return staffed[0], OwnerFallback.NONE
        fallback = OwnerFallback.VACANT if posts else OwnerFallback.NO_POST
    return ensure_lead_posts(None, [office])[office.pk], fallback


def lead_post_of(office: Organisation):
    """The office's leading post (made if missing): it verifies what the office issued."""
    from xiezuo.rhythm.actions import ensure_lead_posts

    return ensure_lead_posts(None, [office])[office.pk]


# --- who issues an order by hand ------------------------------------------------------------

ISSUING_LEVELS = ("province", "prefecture")  # county offices have no office below them to order


def issuing_office(user) -> Organisation | None:
    """The office a user issues orders for, or None when they may not issue any: the
    national coordinator for the ministry; an admin or editor of a province or prefecture
    office for that office. Viewers, auditors, county offices and other organisations issue
    none."""
    from xiezuo.core.scoping import EDIT_ROLES, scope_for

    scope = scope_for(user)
    own = acting_office(user)
    if not scope.active or own is None:
        return None
    if scope.role == "national":
        return own if own.kind == OrgKind.MINISTRY else ministry()
    if scope.role in EDIT_ROLES and own.kind == OrgKind.OFFICE and own.region.level in ISSUING_LEVELS:
        return own
    return None


def offices_below(issuer: Organisation):
    """The offices an issuer may order: every cooperation office in its region's subtree
    other than itself (the ministry: every office)."""
    qs = Organisation.objects.filter(kind=OrgKind.OFFICE).select_related("region").order_by("region__code", "name")
    if issuer.kind == OrgKind.MINISTRY:
        return qs
    return qs.filter(region__code__startswith=issuer.region.prefix).exclude(pk=issuer.pk).exclude(region=issuer.region)

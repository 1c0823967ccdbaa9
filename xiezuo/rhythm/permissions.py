"""Who may see and run which office's rhythm: posts, sheets, consultations, plans.

Built on the one scoping rule (`xiezuo.core.scoping`): an office's rhythm belongs to the
office's region, so a user reads the rhythm of every office in their own subtree (the
national coordinator and the auditor: every office) and writes it as the scoping rule
allows writes there. Posts are an office's organisation chart, so only office admins (and
the national coordinator) set them; consultations are run by the office's admins and
editors. The national coordinator's own office (the ministry) is changed only nationally.
"""
from xiezuo.core.scoping import can_edit_agreement, can_edit_in_region, scope_for
from xiezuo.orgs.choices import OrgKind
from xiezuo.orgs.models import Organisation
from xiezuo.users.scopes import organisation_of

OFFICE_KINDS = (OrgKind.OFFICE, OrgKind.MINISTRY)


def offices_for(user):
    """The offices whose posts, sheet and consultations the user may read: those of the
    user's own subtree (not a partner's: an office's rhythm is its own business), and the
    ministry for those who see everything."""
    scope = scope_for(user)
    qs = Organisation.objects.filter(kind__in=OFFICE_KINDS).select_related("region").order_by("region__code", "name")
    if not scope.everything:
        qs = qs.filter(kind=OrgKind.OFFICE)
    return qs.filter(scope.q(Organisation.scope_paths, include_partners=False))


def own_office(user):
    """The office the user acts for, if it is one."""
    org = organisation_of(user)
    return org if org is not None and org.kind in OFFICE_KINDS else None


def default_office(user):
    return own_office(user) or offices_for(user).first()


def can_read_office(user, office) -> bool:
    scope = scope_for(user)
    if office is None or office.kind not in OFFICE_KINDS or not scope.active:
        return False
    return scope.everything or (office.kind == OrgKind.OFFICE and scope.in_own(office.region.code))


def _writes_in(user, office, roles) -> bool:
    """The national coordinator for every office; the given roles for the offices (not the
    ministry) where the scoping rule lets them write."""
    scope = scope_for(user)
    if not scope.active or office is None or office.kind not in OFFICE_KINDS:
        return False
    if scope.role == "national":
        return True
    return scope.role in roles and office.kind == OrgKind.OFFICE and can_edit_in_region(user, office.region.code)


def can_manage_posts(user, office) -> bool:
    """The national coordinator for every office; an office admin for the offices of their
    own subtree (their office and those below it)."""
    return _writes_in(user, office, ("office_admin",))


def can_run_consultation(user, office) -> bool:
    """Office admins and editors of the office's subtree; the national coordinator."""
    return _writes_in(user, office, ("office_admin", "office_editor"))


def can_close_action(user, item) -> bool:
    """The holders of the owning (or escalated-to) post, or whoever runs its consultation."""
    if not scope_for(user).active:
        return False
    if can_run_consultation(user, item.consultation.office) or can_run_consultation(user, item.owner_post.office):
        return True
    if not scope_for(user).can_write:  # a viewer or auditor holding a post reads its items, changes nothing
        return False
    post_ids = {item.owner_post_id, item.escalated_to_id} - {None}
    return user.posts.filter(pk__in=post_ids).exists()


def can_edit_plan(user, pairing) -> bool:
    """A pairing's plan is kept by either side's office staff, like its agreements."""
    return can_edit_agreement(user, pairing.east_region.code, pairing.west_region.code)

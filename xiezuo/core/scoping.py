"""The one scoping rule: who may see and change which part of the region tree.

A user acts for an organisation placed at a region. They see that region's subtree (a GB/T
2260 code prefix) plus every region on the other side of a current pairing that touches
the subtree, and change only inside their own subtree. The national coordinator and the
auditor see everything; only the national coordinator changes everything.

Every queryset that reaches a user passes through `visible()` (or a model's
`objects.visible_to(user)`, which is the same call); every write asks one of the `can_*`
functions. Models declare where their region lives with `scope_paths` (any of the paths may
match) and whether paired regions count (`scope_include_partners`: True for every path, or
the tuple of the paths for which they count — a score is seen for a paired county, but a
pair's score only by a side of that pair, as its pairing is).

Only approved pairings make partners (the pairings app answers which): a pairing outside its
province pairing asked for by an office is a request until the office above approves it
(`can_approve_pairing`), so no office widens its own view.

Core knows the rule but not where a user's organisation and pairings are kept: the users
app registers the function that turns a user into a `Scope` (`register_resolver`), so core
imports no app.
"""
from dataclasses import dataclass, field

from django.apps import apps
from django.db import models
from django.db.models import Q

ALL_READ_ROLES = ("national", "auditor")
EDIT_ROLES = ("office_admin", "office_editor")


@dataclass(frozen=True)
class Scope:
    role: str = ""
    everything: bool = False
    own: str | None = None  # code prefix of the user's own subtree
    partners: frozenset = field(default_factory=frozenset)  # exact codes of paired regions
    active: bool = False

    def in_own(self, code: str) -> bool:
        return self.everything or (self.own is not None and code.startswith(self.own))

    def sees_region(self, code: str) -> bool:
        return self.in_own(code) or code in self.partners

    def q(self, paths, include_partners: bool | tuple) -> Q:
        if self.everything:
            return Q()
        if not self.active or self.own is None:
            return Q(pk__in=[])
        Region = apps.get_model("regions", "Region")
        # A foreign key into the subtree is matched by id against a subquery rather than
        # by a LIKE on a joined code: the database plans it as a semi-join, which stays
        # fast over millions of rows.
        subtree_ids = Region.objects.filter(code__startswith=self.own).values("id")
        cond = Q()
        for path in paths:
            if path.endswith("__code"):
                cond |= Q(**{f"{path[:-len('__code')]}__in": subtree_ids})
            else:
                cond |= Q(**{f"{path}__startswith": self.own})
            if self.partners and (include_partners is True or (isinstance(include_partners, tuple) and path in include_partners)):
                cond |= Q(**{f"{path}__in": sorted(self.partners)})
        return cond

    @property
    def can_write(self) -> bool:
        return self.active and (self.role == "national" or self.role in EDIT_ROLES)


NO_SCOPE = Scope()

_resolver = None


def register_resolver(resolve):
    """Install the function user → Scope (the users app does, when Django starts)."""
    global _resolver
    _resolver = resolve


def scope_for(user) -> Scope:
    """Compute (once per user object) the user's scope."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NO_SCOPE
    cached = getattr(user, "_xiezuo_scope", None)
    if cached is not None:
        return cached
    if _resolver is None:
        raise RuntimeError("no scope resolver registered: is xiezuo.users in INSTALLED_APPS?")
    scope = _resolver(user)
    user._xiezuo_scope = scope
    return scope


def visible(user, queryset):
    """Filter any scoped queryset down to what `user` may see."""
    model = queryset.model
    scope = scope_for(user)
    paths = getattr(model, "scope_paths", None)
    if paths is None:
        raise TypeError(f"{model.__name__} declares no scope_paths; it cannot be shown to users")
    return queryset.filter(scope.q(paths, getattr(model, "scope_include_partners", False)))


def visible_by_columns(user, queryset):
    """`visible(user, queryset)` written so that PostgreSQL can use each column's index, for a
    model scoped through foreign keys to regions (`scope_paths` like "county__code"), or
    through foreign keys to one model that has one (like "from_org__region__code"), without
    partners: the ids of the subtree's regions (or of that model's rows in it) looked up first,
    then one `= ANY(array)` per column. Written as semi-joins over the region codes, the OR of
    two paths keeps the planner from using either index: it tests the rule on every row of a
    table of millions, to count them and to find a page of the newest. Anything else is
    `visible` itself."""
    from .arrays import is_postgres, pg_array

    model = queryset.model
    scope = scope_for(user)
    paths = tuple(getattr(model, "scope_paths", ()))
    if (not paths or not all(p.endswith("__code") for p in paths) or scope.everything or not scope.active
            or scope.own is None or not is_postgres() or getattr(model, "scope_include_partners", False)):
        return visible(user, queryset)
    steps = {p.count("__") for p in paths}
    fields = [model._meta.get_field(p.split("__")[0]) for p in paths]
    target = fields[0].related_model
    if len(steps) != 1 or steps - {1, 2} or any(f.related_model is not target for f in fields):
        return visible(user, queryset)
    if steps == {1}:  # the columns name regions
        rows = target.objects.filter(code__startswith=scope.own)
    else:  # they name rows placed at a region ("from_org__region__code": organisations)
        link = {p.split("__")[1] for p in paths}
        if len(link) != 1:
            return visible(user, queryset)
        rows = target.objects.filter(**{f"{link.pop()}__code__startswith": scope.own})
    ids = pg_array(rows.order_by("id").values_list("id", flat=True))
    table = model._meta.db_table
    conditions = " OR ".join(f'"{table}"."{f.column}" = ANY(%s::bigint[])' for f in fields)
    return queryset.extra(where=[f"({conditions})"], params=[ids] * len(fields))


class ScopedQuerySet(models.QuerySet):
    """The queryset of a model that declares `scope_paths`: `Model.objects.visible_to(user)`."""

    def visible_to(self, user):
        return visible(user, self)


def can_see(user, obj) -> bool:
    return visible(user, type(obj)._default_manager.filter(pk=obj.pk)).exists()


# --- writes -------------------------------------------------------------------------


def can_edit_in_region(user, code: str) -> bool:
    """Office admins and editors change data inside their own subtree; national everywhere."""
    scope = scope_for(user)
    return scope.can_write and scope.in_own(code)


def can_manage_pairing(user, east_code: str, west_code: str, level: str) -> bool:
    """Province pairings are set nationally; below that an office admin of either side."""
    scope = scope_for(user)
    if scope.role == "national" and scope.active:
        return True
    if scope.role != "office_admin" or level == "province":
        return False
    return scope.in_own(east_code) or scope.in_own(west_code)


def can_approve_pairing(user, requested_in: str, requested_by=None) -> bool:
    """An override asked for by an office takes effect when the office above approves it:
    the province office over the requesting office's area (an office admin there), or the
    national coordinator; a province office's own request goes to the national coordinator.
    Nobody approves their own request."""
    scope = scope_for(user)
    if not scope.active:
        return False
    if requested_by is not None and getattr(user, "pk", None) == getattr(requested_by, "pk", requested_by):
        return False
    if scope.role == "national":
        return True
    if scope.role != "office_admin" or scope.own is None or len(scope.own) != 2:
        return False
    return bool(requested_in) and requested_in.startswith(scope.own) and len(requested_in) > len(scope.own)


def can_edit_agreement(user, east_code: str, west_code: str) -> bool:
    scope = scope_for(user)
    if not scope.can_write:
        return False
    return scope.in_own(east_code) or scope.in_own(west_code)


def can_set_key_assistance(user) -> bool:
    scope = scope_for(user)
    return scope.active and scope.role == "national"


def can_read_audit(user) -> bool:
    scope = scope_for(user)
    return scope.active and scope.role in ("national", "auditor", "office_admin")


def audit_visible(user, queryset):
    """Auditors and the national coordinator read the whole log; office admins their subtree."""
    scope = scope_for(user)
    if not can_read_audit(user):
        return queryset.none()
    if scope.everything:
        return queryset
    return queryset.filter(Q(region_code__startswith=scope.own) | Q(other_region_code__startswith=scope.own))


def can_edit_project(user, county_code: str, east_code: str | None) -> bool:
    """Either side of the project's pairing may keep its record; readers never."""
    scope = scope_for(user)
    if not scope.can_write:
        return False
    return scope.in_own(county_code) or (east_code is not None and scope.in_own(east_code))

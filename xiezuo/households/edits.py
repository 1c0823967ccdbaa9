"""Changing a registered household: its own fields and its members, in one write.

The same rules as on creation (`actions.save_household`): personal fields encrypted by their
field, the keyed hash of an ID number recomputed (`Member.prepare`), an ID number held by a
person of another household or county refused with where it is registered, so the duplicate
is resolved first. Only the editors and admins whose own subtree holds the household change
it (`core.personal.access.may_reveal`: the same right as seeing its full numbers, since a
change of them is written by someone who may know them; the national coordinator and the
auditors read it masked). Personal fields are written only when a new value (or "clear") is
given, so no page has to show a full number to be edited. Every bad field is named at once;
nothing is written unless everything is valid. The history says which fields changed, the
audit log records that personal fields changed (`PersonalFields`), never a value.
"""
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from xiezuo.core.personal.access import may_reveal
from xiezuo.core.personal.crypto import blind_index
from xiezuo.core.personal.idnumbers import id_number_error, normalise

from . import totals
from .actions import _refresh_size, event
from .choices import Education, Employment, Health, Relation
from .models import Household, Member, Village

HOUSEHOLD_PLAIN = ("number", "formerly_poor", "housing_safe", "water_safe")
HOUSEHOLD_PERSONAL = Household.PERSONAL  # address, bank_account
MEMBER_PLAIN = ("relation", "sex", "health", "education", "employment", "out_of_school", "medical_insured", "active")
MEMBER_PERSONAL = ("name", "id_number", "phone", "health_note")
CHOICES = {"relation": Relation.values, "health": Health.values, "education": [""] + Education.values,
           "employment": [""] + Employment.values, "sex": ["", "M", "F"]}
LIMITS = {"number": 32, "name": 50, "address": 200, "bank_account": 40, "health_note": 200}


def may_edit(user, household) -> bool:
    return may_reveal(user, household.village_code[:6])


def require_edit(user, household):
    if not may_edit(user, household):
        raise PermissionDenied(_("Only the editors and admins of the household's own county (or the offices above it) "
                                 "change its households."))


def _label(model, name):
    return str(model._meta.get_field(name).verbose_name)


def _plain_errors(data: dict, prefix: str) -> dict:
    errors = {}
    for name, allowed in CHOICES.items():
        if name in data and (data[name] or "") not in allowed:
            errors[f"{prefix}{name}"] = [_("not one of the allowed values")]
    for name, limit in LIMITS.items():
        if name in data and len(str(data[name] or "")) > limit:
            errors[f"{prefix}{name}"] = [_("at most %(n)d characters") % {"n": limit}]
    return errors


def check_edit(household, data: dict, members: list[dict], village=None) -> dict:
    """Every error of the edit, keyed by field (`members[i].field` for the i-th member given):
    the same checks as creation, ID numbers compared by their keyed hash."""
    errors = _plain_errors(data, "")
    if village is not None and village.county_id != household.county_id:
        errors["village"] = [_("a household moves only between villages of its county")]
    current = {m.pk: m for m in household.members.all()}
    final_index = {pk: m.id_index for pk, m in current.items()}  # each member's ID number hash after the edit
    changed_index = {}  # position → hash of a new or changed number
    for i, m in enumerate(members):
        prefix = f"members[{i}]."
        errors.update(_plain_errors(m, prefix))
        pk = m.get("id")
        if pk is not None and pk not in current:
            errors[prefix + "id"] = [_("not a member of this household")]
            continue
        if pk is None or "name" in m:
            if not (m.get("name") or "").strip():
                errors[prefix + "name"] = [_("a member has a name")]
        if pk is None and not m.get("relation"):
            errors[prefix + "relation"] = [_("say the member's relation to the head")]
        if "phone" in m:
            phone = (m.get("phone") or "").strip()
            if phone and not (phone.isdigit() and 7 <= len(phone) <= 12):
                errors[prefix + "phone"] = [_("a phone number has 7 to 12 digits")]
        if "id_number" in m:
            number = normalise(m.get("id_number"))
            index = blind_index("id", number) if number else None
            if number:
                bad = id_number_error(number)
                if bad:
                    errors[prefix + "id_number"] = [bad]
                    continue
                changed_index[i] = index
            if pk is not None:
                final_index[pk] = index
    # duplicates inside the household, after the edit
    seen = {}
    for pk, index in final_index.items():
        if index:
            seen.setdefault(index, ("member", pk))
    for i, index in changed_index.items():
        pk = members[i].get("id")
        holder = seen.get(index)
        if holder and holder != ("member", pk):
            errors[f"members[{i}].id_number"] = [_("the same ID number as another member of this household")]
        seen.setdefault(index, ("new", i) if pk is None else ("member", pk))
    # anywhere else in the country: found by the keyed hash, shown for resolution
    if changed_index:
        others = (Member.objects.filter(id_index__in=set(changed_index.values())).exclude(household=household)
                  .select_related("household"))
        by_index = {o.id_index: o for o in others}
        for i, index in changed_index.items():
            other = by_index.get(index)
            if other is not None and f"members[{i}].id_number" not in errors:
                errors[f"members[{i}].id_number"] = [_(
                    "this ID number is already registered, in household %(h)s of %(county)s: resolve the duplicate first") % {
                    "h": other.household.number or f"#{other.household_id}", "county": other.household.village_code[:6]}]
    return errors


@transaction.atomic
def edit_household(user, household, data: dict, members: list[dict] = (), *, village: Village | None = None) -> Household:
    """Change a household and its members.

    `data` holds the household's fields to change; `members` one dict per member changed
    (with its `id`) or added (without): a personal field absent from a dict stays as it is,
    an empty one is cleared. A member leaves the household by `active: False` (the row stays,
    as the links and the log point to it)."""
    require_edit(user, household)
    household = Household.objects.select_for_update().get(pk=household.pk)
    members = list(members)
    errors = check_edit(household, data, members, village)
    if errors:
        raise ValidationError(errors)
    said = []
    # the household's own fields
    changed = []
    moved_from = None
    if village is not None and village.pk != household.village_id:
        moved_from = household.village_code
        household.village, household.village_code = village, village.code
        changed.append(_label(Household, "village"))
    for name in HOUSEHOLD_PLAIN:
        if name in data and getattr(household, name) != data[name]:
            setattr(household, name, data[name])
            changed.append(_label(Household, name))
    for name in HOUSEHOLD_PERSONAL:
        if name in data and (getattr(household, name) or "") != (data[name] or "").strip():
            setattr(household, name, (data[name] or "").strip())
            changed.append(_label(Household, name))
    if changed:
        household.personal_changed = ""  # this write's list, set by save() when a personal field changed
        household.save()
        said.append(_("household: %(fields)s") % {"fields": ", ".join(changed)})
    # members: numbers that change first lose their hash, so two members may swap numbers
    current = {m.pk: m for m in household.members.all()}
    moving = [m["id"] for m in members if m.get("id") is not None and "id_number" in m
              and (current[m["id"]].id_index or None) != (blind_index("id", normalise(m["id_number"])) if normalise(m["id_number"]) else None)]
    if moving:
        Member.objects.filter(pk__in=moving).update(id_index=None)
    for m in members:
        pk = m.get("id")
        member = current[pk] if pk is not None else Member(household=household, is_demo=household.is_demo)
        fields = []
        for name in MEMBER_PLAIN:
            if name in m and getattr(member, name) != m[name]:
                setattr(member, name, m[name])
                fields.append(_label(Member, name))
        for name in MEMBER_PERSONAL:
            if name not in m:
                continue
            value = normalise(m[name]) if name == "id_number" else (m[name] or "").strip()
            if (getattr(member, name) or "") != value:
                setattr(member, name, value)
                fields.append(_label(Member, name))
                if name == "id_number" and pk is not None:
                    member.birth_date = None  # derived again from the new number
                    if "sex" not in m:
                        member.sex = ""
        if pk is None:
            member.save()
            said.append(_("member added: %(m)s") % {"m": member})
        elif fields or pk in moving:
            member.personal_changed = ""
            member.save()
            said.append(_("%(m)s: %(fields)s") % {"m": member, "fields": ", ".join(fields)})
    if any(m.get("id") is None or "active" in m for m in members):
        _refresh_size(household)
    if moved_from:
        totals.touch([moved_from, household.village_code])
    if said:
        event(household, _("changed: %(what)s") % {"what": "; ".join(said)}, user=user)
    return household

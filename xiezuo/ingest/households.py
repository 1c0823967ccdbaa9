"""Households in bulk: {"type": "household", "client_id", "village_code": 12 digits,
"number", "address"?, "bank_account"?, "formerly_poor"?, "housing_safe"?, "water_safe"?,
"members": [{"relation", "name", "id_number", "phone"?, "health"?, "education"?,
"employment"?, "out_of_school"?, "medical_insured"?}]}.

The envelope only: the village must be one the caller can see; each member is checked with
the registry's rules (`households.actions.member_errors`: the GB 11643 check digit, the
phone), ID numbers already registered anywhere are found in one query by their keyed hash,
and a number given twice in the batch is refused on both items. The writing is the
registry's `save_household`, so a batch item checks and writes exactly what one household
from the page or the API does. Refusals never echo an ID number.
"""
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from xiezuo.core.bulkrows import chunks
from xiezuo.core.personal.crypto import blind_index
from xiezuo.core.personal.idnumbers import id_number_error, normalise
from xiezuo.core.scoping import can_edit_in_region
from xiezuo.households.actions import save_household
from xiezuo.households.choices import Relation
from xiezuo.households.models import Member, Village

from .common import mark_duplicates, write_receipts

KNOWN = {"village_code", "number", "address", "bank_account", "formerly_poor", "housing_safe", "water_safe", "members"}
MEMBER_KNOWN = {"relation", "name", "id_number", "phone", "health", "education", "employment", "out_of_school", "medical_insured"}


class HouseholdHandler:
    def check(self, user, items, refusals):
        mark_duplicates(user, items, refusals)
        live = [it for it in items if not it.duplicate]
        codes = {str(it.body.get("village_code", "")) for it in live}
        villages = {}
        for part in chunks(sorted(codes)):
            villages.update((v.code, v) for v in Village.objects.visible_to(user).select_related("county").filter(code__in=part))
        numbers = {}
        for it in live:
            for m in it.body.get("members") or [] if isinstance(it.body.get("members"), list) else []:
                if isinstance(m, dict) and isinstance(m.get("id_number"), str):
                    n = normalise(m["id_number"])
                    if len(n) == 18:
                        numbers.setdefault(n, []).append(it)
        registered = set()
        index = {blind_index("id", n): n for n in numbers}
        for part in chunks(sorted(index)):
            registered.update(index[i] for i in Member.objects.filter(id_index__in=part).values_list("id_index", flat=True))
        for it in live:
            b, errors = it.body, {}
            errors.update({name: [_("unknown field")] for name in b if name not in KNOWN})
            village = villages.get(str(b.get("village_code", "")))
            if village is None:
                errors["village_code"] = [_("no village with this code in your area")]
            elif not can_edit_in_region(user, village.county.code):
                errors["village_code"] = [_("Only the county's office (or the offices above it) changes its households.")]
            if not isinstance(b.get("number", ""), str) or len(b.get("number", "")) > 32:
                errors["number"] = [_("a household number is a text of at most 32 characters")]
            members = b.get("members")
            if not isinstance(members, list) or not members:
                errors["members"] = [_("a household has at least one member")]
                members = []
            for i, m in enumerate(members):
                if not isinstance(m, dict):
                    errors[f"members[{i}]"] = [_("a member is an object")]
                    continue
                unknown = [k for k in m if k not in MEMBER_KNOWN]
                if unknown:
                    errors[f"members[{i}]"] = [_("unknown field")]
                if m.get("relation") not in Relation.values:
                    errors[f"members[{i}].relation"] = [_("one of: %(v)s") % {"v": ", ".join(Relation.values)}]
                if not isinstance(m.get("name"), str) or not m.get("name", "").strip():
                    errors[f"members[{i}].name"] = [_("a member has a name")]
                n = normalise(m.get("id_number")) if isinstance(m.get("id_number"), str) else ""
                bad = id_number_error(n) if n else None
                if bad:
                    errors[f"members[{i}].id_number"] = [bad]
                elif n in registered:
                    errors[f"members[{i}].id_number"] = [_("this ID number is already registered: resolve the duplicate first")]
                elif n and len(numbers.get(n, [])) > 1:
                    errors[f"members[{i}].id_number"] = [_("the same ID number is in another item of this batch")]
            if errors:
                refusals.add_errors(it, errors)
            else:
                it.target = village

    def apply(self, user, items):
        ids = []
        for it in items:
            b = dict(it.body)
            members = b.pop("members")
            b.pop("village_code")
            try:
                household = save_household(user, it.target, b, members)
            except ValidationError:  # checked above; a race with another writer ends the batch
                raise
            ids.append(household.pk)
        write_receipts(user, items, ids)

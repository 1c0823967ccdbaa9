"""Who sees what of the registry (PIPL, 个人信息保护法).

- household rows and their people: the offices of the household's county and the offices
  above it (editors and admins), the national coordinator and the auditors — masked;
- full ID numbers, phones, health detail, addresses and bank accounts: only the offices whose
  own subtree holds the household (`core.personal.access.may_reveal`), after giving a purpose,
  logged in `RevealLog`;
- viewers and the eastern side of a pairing: counts only (figures.py), never a row.
"""
from xiezuo.core.personal.access import may_reveal
from xiezuo.core.personal.masking import mask_account, mask_id_number, mask_phone
from xiezuo.core.scoping import EDIT_ROLES, scope_for

MEMBER_FIELDS = ("id_number", "phone", "health_note")
HOUSEHOLD_FIELDS = ("address", "bank_account")
REGISTRY_ROLES = EDIT_ROLES + ("national", "auditor")


def may_see_rows(user) -> bool:
    scope = scope_for(user)
    return scope.active and scope.role in REGISTRY_ROLES


def may_reveal_household(user, household) -> bool:
    return may_reveal(user, household.village_code[:6])


HIDDEN = "（已隐藏）"


def member_view(member, revealed: bool = False) -> dict:
    """What a page, an export or an API answer shows of a member."""
    return {
        "id_number": member.id_number if revealed else mask_id_number(member.id_number),
        "phone": member.phone if revealed else mask_phone(member.phone),
        "health_note": member.health_note if revealed else (HIDDEN if member.health_note else ""),
    }


def household_view(household, revealed: bool = False) -> dict:
    return {
        "address": household.address if revealed else (HIDDEN if household.address else ""),
        "bank_account": household.bank_account if revealed else mask_account(household.bank_account),
    }

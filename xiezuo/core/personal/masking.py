"""How personal values look to whoever may not see them: enough to tell two records apart,
never enough to use the number."""
MASK = "*"


def mask_id_number(value: str) -> str:
    """513436199001011234 → 513436********1234: the first 6 characters (the issuing region)
    and the last 4. Numbers too short to keep 10 characters visible and still hide something
    are masked whole."""
    value = value or ""
    if len(value) <= 10:
        return MASK * len(value)
    return value[:6] + MASK * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    """13812345678 → 138****5678; a landline keeps its last 4 digits only."""
    value = (value or "").strip()
    if len(value) == 11 and value.isdigit():
        return value[:3] + MASK * 4 + value[-4:]
    if len(value) <= 4:
        return MASK * len(value)
    return MASK * (len(value) - 4) + value[-4:]


def mask_account(value: str) -> str:
    """A bank account keeps its last 4 digits."""
    value = (value or "").replace(" ", "")
    if len(value) <= 4:
        return MASK * len(value)
    return MASK * (len(value) - 4) + value[-4:]


def mask_name(value: str) -> str:
    """张三丰 → 张**: for lists published outside the office (public notices keep names)."""
    value = value or ""
    return value[:1] + MASK * (len(value) - 1) if value else ""

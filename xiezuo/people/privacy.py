"""Personal information (PIPL, 个人信息保护法): a resident ID number is kept in full and
shown masked everywhere — pages, exports, the API and the import workbooks — so that a
record can be told apart without the number being disclosed."""
MASK = "*"


def mask_id_number(value: str) -> str:
    """513436199001011234 → 513436********1234: the first 6 characters (the issuing region)
    and the last 4. Numbers too short to keep 10 characters visible and still hide something
    are masked whole."""
    value = value or ""
    if len(value) <= 10:
        return MASK * len(value)
    return value[:6] + MASK * (len(value) - 10) + value[-4:]

"""A region as people type it into a filter bar (“513436”, “美姑县（513436）”, “凉山”).

Pages and the API both filter lists by a region and both mean its whole subtree
(`filtersets.in_subtree`); this turns what was typed into that region."""
import re

from .models import Region


def region_named(text) -> Region | None:
    """The region the text names (a Region is returned as it is), or None when none matches."""
    if isinstance(text, Region) or text is None:
        return text
    text = str(text).strip()
    if not text:
        return None
    found = re.search(r"\d{6}", text)
    return (Region.objects.filter(code=found.group(0)).first() if found
            else Region.objects.filter(name=text).order_by("level", "code").first()
            or Region.objects.filter(name__startswith=text).order_by("level", "code").first())

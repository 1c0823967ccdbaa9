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


def regions_matching(text, queryset=None, limit: int = 10) -> list[Region]:
    """Every region the text could name, best reading first, at most `limit`: a six-digit
    code names one region; a name is looked for as typed (美姑县), as a full name
    (四川省凉山彝族自治州美姑县), then as the start of a name (美姑) and last anywhere in the
    full name. A form field takes the one match and lists the candidates when there are
    several, where `region_named` (a filter bar) takes the first."""
    qs = Region.objects.all() if queryset is None else queryset
    text = str(text or "").strip()
    if not text:
        return []
    found = re.search(r"\d{6}", text)
    if found:
        return list(qs.filter(code=found.group(0))[:1])
    for lookup in ("name", "full_name", "name__startswith", "full_name__contains"):
        hits = list(qs.filter(**{lookup: text}).select_related("parent").order_by("level", "code")[:limit])
        if hits:
            return hits
    return []

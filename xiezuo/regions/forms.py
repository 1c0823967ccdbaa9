"""Form fields and forms of the region pages."""
import re
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse_lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from xiezuo.core.errors import messages_of
from xiezuo.core.ui.forms import ANY, BootstrapMixin, SearchSelect

from .actions import get_region
from .choices import Level
from .matching import regions_matching
from .models import Region


class RegionCodeField(forms.CharField):
    """A region typed by its six-digit GB/T 2260 code or by its name (美姑县, “美姑县（513436）”,
    四川省凉山彝族自治州美姑县): the searchable picker suggests the regions the user may see as
    they type, and without JavaScript the box takes the same text. A name that fits several
    regions is refused with the candidates listed, so the user can pick by code. `role` and
    `level` narrow what a name may mean (a project's county is a western county)."""

    def __init__(self, *, role="", level="", **kwargs):
        kwargs.setdefault("max_length", 80)
        self.role, self.level = role, level
        kwargs.setdefault("widget", SearchSelect(text=True, placeholder=_("name or code, e.g. 美姑县 or 513436")))
        super().__init__(**kwargs)
        params = urlencode({k: v for k, v in (("role", role), ("level", level)) if v})
        self.widget.url = format_lazy("{}?{}", reverse_lazy("region-search"), params) if params else reverse_lazy("region-search")

    def prepare_value(self, value):
        if hasattr(value, "code"):
            return f"{value.name}（{value.code}）"
        return value

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        if re.search(r"\d{6}", value):
            try:
                return get_region(re.search(r"\d{6}", value).group(0), field="region")
            except ValidationError as exc:
                raise forms.ValidationError(messages_of(exc)["region"]) from None
        qs = Region.objects.all()
        if self.role:
            qs = qs.filter(role=self.role)
        if self.level:
            qs = qs.filter(level=self.level)
        found = regions_matching(value, qs, limit=CANDIDATES + 1)
        if not found:
            raise forms.ValidationError(_("no region is named “%(name)s”; type its name or its six-digit code") % {"name": value})
        if len(found) > 1:
            shown = "、".join(f"{r.full_name or r.name}（{r.code}）" for r in found[:CANDIDATES])
            more = _(" and more") if len(found) > CANDIDATES else ""
            raise forms.ValidationError(_("“%(name)s” could be %(candidates)s%(more)s: choose one or type its code") % {
                "name": value, "candidates": shown, "more": more})
        return found[0]


CANDIDATES = 8


class RegionFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("name or code"), required=False)
    level = forms.ChoiceField(label=_("level"), choices=ANY + list(Level.choices), required=False)


class RegionFactForm(BootstrapMixin, forms.Form):
    year = forms.IntegerField(label=_("year"), min_value=1949, max_value=2100)
    population = forms.IntegerField(label=_("population"), min_value=0, required=False)
    gdp_wan = forms.IntegerField(label=_("GDP (10k yuan)"), min_value=0, required=False)
    rural_income_yuan = forms.IntegerField(label=_("rural per-capita disposable income (yuan)"), min_value=0, required=False)
    primary_share = forms.DecimalField(label=_("primary industry share (%)"), max_digits=5, decimal_places=2, required=False)
    secondary_share = forms.DecimalField(label=_("secondary industry share (%)"), max_digits=5, decimal_places=2, required=False)
    tertiary_share = forms.DecimalField(label=_("tertiary industry share (%)"), max_digits=5, decimal_places=2, required=False)
    labour_force = forms.IntegerField(label=_("labour force"), min_value=0, required=False)

    FACT_FIELDS = ("population", "gdp_wan", "rural_income_yuan", "primary_share", "secondary_share", "tertiary_share", "labour_force")

    def fact_values(self):
        return {name: self.cleaned_data.get(name) for name in self.FACT_FIELDS}


class KeyAssistanceForm(forms.Form):
    flag = forms.BooleanField(required=False)

"""Form fields and forms of the region pages."""
import re

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xiezuo.core.errors import messages_of
from xiezuo.core.ui.forms import ANY, BootstrapMixin

from .actions import get_region
from .choices import Level


class RegionCodeField(forms.CharField):
    """A region given by its six-digit GB/T 2260 code ("美姑县（513436）" works too)."""

    def __init__(self, *, role="", **kwargs):
        kwargs.setdefault("max_length", 80)
        super().__init__(**kwargs)
        self.role = role
        self.widget.attrs.update({"placeholder": _("six-digit code, e.g. 513436"), "autocomplete": "off"})

    def suggest(self, name):
        """Offer matching regions in a <datalist> as the user types (htmx)."""
        url = reverse("region-suggest") + f"?field={name}&role={self.role}"
        self.widget.attrs.update({
            "list": f"{name}-options", "hx-get": url, "hx-trigger": "input changed delay:250ms",
            "hx-target": f"#{name}-options", "hx-swap": "innerHTML", "hx-sync": "this:replace",
        })

    def prepare_value(self, value):
        if hasattr(value, "code"):
            return f"{value.name}（{value.code}）"
        return value

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        found = re.search(r"\d{6}", value)
        try:
            return get_region(found.group(0) if found else value, field="region")
        except ValidationError as exc:
            raise forms.ValidationError(messages_of(exc)["region"]) from None


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

"""Form fields and forms of the region pages."""
import re

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xiezuo.core.errors import messages_of

from .actions import get_region


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

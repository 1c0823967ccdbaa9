"""Forms of the organisation pages, and the organisation picker every form uses."""
import re
from urllib.parse import urlencode

from django import forms
from django.urls import reverse_lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from xiezuo.core.ui.forms import ANY, BootstrapMixin, SearchSelect
from xiezuo.regions.forms import RegionCodeField

from .choices import OrgKind

CANDIDATES = 8
IN_BRACKETS = re.compile(r"^(.+)（([^（）]+)）$")


def org_label(org) -> str:
    """How a picker names an organisation: its name and, in brackets, its region, which
    tells apart the offices and schools of the same name in different places."""
    return f"{org.name}（{org.region.name}）"


class OrganisationField(forms.CharField):
    """An organisation typed by its name (or “name（region）”, or its unified social credit
    code), resolved among the organisations the form offers (`queryset`, set by the form
    from what the view allows); the searchable picker suggests them as the user types, and
    without JavaScript the box takes the same text. A name that fits several is refused
    with the candidates listed. `kinds` and `role` narrow the suggestions as the form's
    queryset narrows the choice."""

    def __init__(self, *, queryset=None, kinds=(), role="", **kwargs):
        kwargs.setdefault("max_length", 240)
        kwargs.setdefault("widget", SearchSelect(text=True, placeholder=_("name or credit code")))
        super().__init__(**kwargs)
        self.queryset = queryset
        params = urlencode({k: v for k, v in (("kind", ",".join(kinds)), ("role", role)) if v})
        self.widget.url = format_lazy("{}?{}", reverse_lazy("org-search"), params) if params else reverse_lazy("org-search")

    def prepare_value(self, value):
        if isinstance(value, int) and not isinstance(value, bool) and self.queryset is not None:
            value = self.queryset.filter(pk=value).select_related("region").first() or value
        if hasattr(value, "region"):
            return org_label(value)
        return value

    def clean(self, value):
        value = (super().clean(value) or "").strip()
        if not value:
            return None
        qs = self.queryset.select_related("region")
        if value.isdigit() and len(value) <= 12:  # an id, as links and older forms give it
            found = list(qs.filter(pk=int(value))[:1])
            if found:
                return found[0]
        found = list(qs.filter(name=value)[:CANDIDATES + 1])
        bracket = IN_BRACKETS.match(value)
        if not found and bracket:
            name, where = bracket.group(1).strip(), bracket.group(2).strip()
            found = list(qs.filter(name=name, region__name=where)[:CANDIDATES + 1]) or \
                list(qs.filter(name=name, region__code=where)[:CANDIDATES + 1])
        if not found and re.fullmatch(r"[0-9A-Za-z]{18}", value):
            found = list(qs.filter(credit_code=value.upper())[:2])
        if not found:
            found = list(qs.filter(name__icontains=value).order_by("name", "id")[:CANDIDATES + 1])
        if not found:
            raise forms.ValidationError(_("no organisation you may choose here is named “%(name)s”") % {"name": value})
        if len(found) > 1:
            shown = "、".join(org_label(o) for o in found[:CANDIDATES])
            more = _(" and more") if len(found) > CANDIDATES else ""
            raise forms.ValidationError(_("“%(name)s” could be %(candidates)s%(more)s: choose one") % {
                "name": value, "candidates": shown, "more": more})
        return found[0]


class OrganisationFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("search"), required=False)
    region = RegionCodeField(label=_("region"), required=False)
    kind = forms.ChoiceField(label=_("kind"), choices=ANY + list(OrgKind.choices), required=False)


class OrganisationForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("name"), max_length=200)
    kind = forms.ChoiceField(label=_("kind"), choices=OrgKind.choices)
    region = RegionCodeField(label=_("region"))
    credit_code = forms.CharField(label=_("unified social credit code"), max_length=18, required=False,
                                  help_text=_("18 characters; the check character is verified"))
    contact = forms.CharField(label=_("contact"), max_length=100, required=False)

    def __init__(self, *args, instance=None, **kwargs):
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {"name": instance.name, "kind": instance.kind, "region": instance.region,
                                 "credit_code": instance.credit_code or "", "contact": instance.contact}
        super().__init__(*args, **kwargs)

    def action_values(self):
        d = self.cleaned_data
        return {"name": d["name"], "kind": d["kind"], "region": d["region"], "credit_code": d.get("credit_code") or None,
                "contact": d.get("contact") or ""}

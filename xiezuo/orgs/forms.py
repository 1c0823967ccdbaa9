"""Forms of the organisation pages."""
from django import forms
from django.utils.translation import gettext_lazy as _

from xiezuo.core.ui.forms import ANY, BootstrapMixin
from xiezuo.regions.forms import RegionCodeField

from .choices import OrgKind


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

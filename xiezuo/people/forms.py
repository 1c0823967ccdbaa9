"""Forms of the dispatch pages: the list's filter bar and the dispatch record. Every rule
about what may be written lives in `actions.save_dispatch`, whose errors come back onto the form."""
import re

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from xiezuo.core.ui.forms import ANY, BootstrapMixin, DateInput, SearchSelect
from xiezuo.orgs.forms import OrganisationField
from xiezuo.pairings.forms import PairingChoiceField

from .models import Direction, PersonKind


class DispatchFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("search"), required=False)
    kind = forms.ChoiceField(label=_("kind"), choices=ANY + list(PersonKind.choices), required=False)
    direction = forms.ChoiceField(label=_("direction"), choices=ANY + list(Direction.choices), required=False)
    region = forms.CharField(label=_("from or to region"), required=False,
                             widget=SearchSelect(text=True, url=reverse_lazy("region-search"),
                                                 placeholder=_("code or name, e.g. 513436")))
    organisation = OrganisationField(label=_("from or to organisation"), required=False)
    term = forms.ChoiceField(label=_("term"), required=False, choices=ANY + [
        ("completed", _("completed the agreed term")), ("left_early", _("left before the end of the term")),
        ("running", _("not ended yet"))])
    on_post_now = forms.BooleanField(label=_("on post today"), required=False)

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class DispatchForm(BootstrapMixin, forms.Form):
    person_name = forms.CharField(label=_("name"), max_length=50)
    id_number = forms.CharField(label=_("ID number"), max_length=18, required=False,
                                help_text=_("kept in full, shown masked; leave empty to keep the number on record"))
    kind = forms.ChoiceField(label=_("kind"), choices=PersonKind.choices)
    direction = forms.ChoiceField(label=_("direction"), choices=Direction.choices)
    from_org = OrganisationField(label=_("from"))
    to_org = OrganisationField(label=_("to"))
    pairing = PairingChoiceField(label=_("pairing"), queryset=None, required=False)
    planned_start = forms.DateField(label=_("planned start"), widget=DateInput())
    planned_end = forms.DateField(label=_("planned end"), widget=DateInput())
    actual_start = forms.DateField(label=_("actual start"), widget=DateInput(), required=False)
    actual_end = forms.DateField(label=_("actual end"), widget=DateInput(), required=False)

    FIELDS = ("person_name", "kind", "direction", "from_org", "to_org", "pairing", "planned_start", "planned_end",
              "actual_start", "actual_end")

    def __init__(self, *args, organisations=None, pairings=None, instance=None, **kwargs):
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {name: getattr(instance, name) for name in self.FIELDS}
            kwargs["initial"].update(from_org=instance.from_org_id, to_org=instance.to_org_id, pairing=instance.pairing_id)
        super().__init__(*args, **kwargs)
        self.fields["from_org"].queryset = organisations
        self.fields["to_org"].queryset = organisations
        self.fields["pairing"].queryset = pairings
        self.fields["id_number"].widget.attrs["autocomplete"] = "off"
        if instance is None:
            self.fields["id_number"].help_text = _("kept in full, always shown masked")

    def clean_id_number(self):
        value = (self.cleaned_data.get("id_number") or "").strip().upper()
        if value and not re.fullmatch(r"\d{17}[\dX]", value):
            raise forms.ValidationError(_("a resident ID number is 17 digits and a check digit or X"))
        return value

    def action_values(self):
        d = self.cleaned_data
        values = {name: d.get(name) for name in self.FIELDS}
        if d.get("id_number"):
            values["id_number"] = d["id_number"]
        return values

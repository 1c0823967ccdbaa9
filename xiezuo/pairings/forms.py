"""Form fields and forms of the pairing and agreement pages."""
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xiezuo.core.ui.forms import ANY, BootstrapMixin, DateInput, SearchSelect, YuanField
from xiezuo.orgs.forms import OrganisationField
from xiezuo.orgs.models import Organisation
from xiezuo.regions.forms import RegionCodeField

from .choices import PairingKind, Status


def pairing_label(pairing) -> str:
    return f"{pairing} · {pairing.get_kind_display()}"


class PairingChoiceField(forms.ModelChoiceField):
    """A pairing picked from those the form offers, searchable by any part of its label."""

    widget = SearchSelect

    def label_from_instance(self, obj):
        return pairing_label(obj)


class PairingFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("search"), required=False)
    region = RegionCodeField(label=_("region"), required=False)
    kind = forms.ChoiceField(label=_("kind"), choices=ANY + list(PairingKind.choices), required=False)
    status = forms.ChoiceField(label=_("status"), choices=ANY + list(Status.choices), required=False)
    current = forms.TypedChoiceField(
        label=_("in force"), required=False, choices=ANY + [("yes", _("in force today")), ("no", _("not in force"))],
        coerce=lambda value: value == "yes", empty_value=None,
    )


class AgreementFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("search"), required=False)
    year = forms.TypedChoiceField(label=_("year"), coerce=int, empty_value=None, required=False, choices=ANY)
    kind = forms.ChoiceField(label=_("pairing kind"), choices=ANY + list(PairingKind.choices), required=False)

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = ANY + [(y, str(y)) for y in years]


class PairingCreateForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=PairingKind.choices)
    east_region = RegionCodeField(label=_("eastern region"), role="east", required=False,
                                  help_text=_("for sector pairings the eastern organisation's region is used when left empty"))
    west_region = RegionCodeField(label=_("western region"), role="west", required=False)
    east_org = OrganisationField(label=_("eastern organisation"), required=False, role="east",
                                 kinds=("school", "hospital", "enterprise", "social"))
    west_org = OrganisationField(label=_("western organisation"), required=False, role="west", kinds=("school", "hospital"))
    west_village = forms.CharField(label=_("village"), max_length=100, required=False)
    name = forms.CharField(label=_("name"), max_length=100, required=False)
    valid_from = forms.DateField(label=_("valid from"), widget=DateInput())
    valid_to = forms.DateField(label=_("valid to"), widget=DateInput(), required=False)
    source_note = forms.CharField(label=_("source"), max_length=200, required=False)
    reason = forms.CharField(label=_("reason"), max_length=300, required=False)
    override_reason = forms.CharField(
        label=_("override reason"), max_length=300, required=False,
        help_text=_("only when the pairing contradicts its province pairing and should be recorded anyway"),
    )

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        orgs = organisations if organisations is not None else Organisation.objects.none()
        self.fields["east_org"].queryset = orgs.filter(region__role="east", kind__in=("school", "hospital", "enterprise", "social"))
        self.fields["west_org"].queryset = orgs.filter(region__role="west", kind__in=("school", "hospital"))
        self.fields["valid_from"].initial = timezone.localdate()

    def action_values(self):
        d = self.cleaned_data
        values = {k: d.get(k) for k in ("kind", "east_region", "west_region", "east_org", "west_org", "valid_from", "valid_to")}
        values.update({k: d.get(k) or "" for k in ("west_village", "name", "source_note")})
        return {k: v for k, v in values.items() if v is not None}


class PairingAdjustForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("name"), max_length=100, required=False)
    valid_from = forms.DateField(label=_("valid from"), widget=DateInput())
    valid_to = forms.DateField(label=_("valid to"), widget=DateInput(), required=False)
    west_village = forms.CharField(label=_("village"), max_length=100, required=False)
    source_note = forms.CharField(label=_("source"), max_length=200, required=False)
    reason = forms.CharField(label=_("reason for the change"), max_length=300)
    override_reason = forms.CharField(label=_("override reason"), max_length=300, required=False)

    def __init__(self, *args, pairing=None, **kwargs):
        super().__init__(*args, **kwargs)
        if pairing is not None and not self.is_bound:
            for name in ("name", "valid_from", "valid_to", "west_village", "source_note"):
                self.fields[name].initial = getattr(pairing, name)
        if pairing is not None and pairing.kind not in ("enterprise_village", "social_village"):
            del self.fields["west_village"]

    def action_values(self):
        d = self.cleaned_data
        values = {k: d.get(k) for k in ("valid_from", "valid_to")}
        values.update({k: d.get(k) or "" for k in ("name", "source_note", "west_village") if k in self.fields})
        return values


class PairingEndForm(BootstrapMixin, forms.Form):
    valid_to = forms.DateField(label=_("ends on"), widget=DateInput())
    reason = forms.CharField(label=_("reason for ending"), max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["valid_to"].initial = timezone.localdate()


class AgreementForm(BootstrapMixin, forms.Form):
    pairing = PairingChoiceField(label=_("pairing"), queryset=None)
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)
    fiscal_aid = YuanField(label=_("fiscal aid (yuan)"), required=False)
    funds_due_date = forms.DateField(label=_("funds due by"), widget=DateInput(), required=False)
    cadres = forms.IntegerField(label=_("cadres to dispatch"), min_value=0, initial=0)
    professionals = forms.IntegerField(label=_("professionals to dispatch"), min_value=0, initial=0)
    labour_placements = forms.IntegerField(label=_("labour placements"), min_value=0, initial=0)
    consumption = YuanField(label=_("consumption purchases (yuan)"), required=False)
    projects = forms.IntegerField(label=_("projects"), min_value=0, initial=0)
    signed_on = forms.DateField(label=_("signed on"), widget=DateInput(), required=False)
    note = forms.CharField(label=_("note"), max_length=300, required=False)

    RENAME = {"fiscal_aid_fen": "fiscal_aid", "consumption_fen": "consumption"}

    def __init__(self, *args, pairings=None, instance=None, **kwargs):
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "pairing": instance.pairing_id, "year": instance.year, "fiscal_aid": instance.fiscal_aid_fen,
                "funds_due_date": instance.funds_due_date, "cadres": instance.cadres, "professionals": instance.professionals,
                "labour_placements": instance.labour_placements, "consumption": instance.consumption_fen,
                "projects": instance.projects, "signed_on": instance.signed_on, "note": instance.note,
            }
        super().__init__(*args, **kwargs)
        self.fields["pairing"].queryset = pairings
        if instance is not None:
            self.fields["pairing"].disabled = True

    def action_values(self):
        d = self.cleaned_data
        values = {k: d.get(k) for k in ("year", "funds_due_date", "signed_on", "cadres", "professionals", "labour_placements", "projects")}
        values["fiscal_aid_fen"] = d.get("fiscal_aid") or 0
        values["consumption_fen"] = d.get("consumption") or 0
        values["note"] = d.get("note") or ""
        return values


class PairingDecisionForm(BootstrapMixin, forms.Form):
    """The office above approves a requested override (a note is optional) or rejects it
    (the reason is required, checked by the action so the API says the same)."""

    reason = forms.CharField(label=_("reason"), max_length=300, required=False)

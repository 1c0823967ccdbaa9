"""Forms of the pages: filter bars and the edit forms in front of the actions.

The forms only turn what a person typed into Python values (six-digit codes into regions,
yuan into fen); every rule about what may be saved lives in the actions, whose errors are
put back on the form with `add_action_errors`.
"""
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xiezuo.core.models import AuditEntry
from xiezuo.core.ui.forms import ANY, BootstrapMixin, DateInput, YuanField, add_action_errors, filter_values  # noqa: F401
from xiezuo.orgs.choices import OrgKind
from xiezuo.pairings.choices import PairingKind
from xiezuo.pairings.forms import PairingChoiceField, pairing_label  # noqa: F401
from xiezuo.regions.choices import Level
from xiezuo.regions.forms import RegionCodeField  # noqa: F401

# --- filter bars ---------------------------------------------------------------------


class RegionFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("name or code"), required=False)
    level = forms.ChoiceField(label=_("level"), choices=ANY + list(Level.choices), required=False)


class PairingFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("search"), required=False)
    kind = forms.ChoiceField(label=_("kind"), choices=ANY + list(PairingKind.choices), required=False)
    current = forms.ChoiceField(
        label=_("in force"), required=False, choices=ANY + [("yes", _("in force today")), ("no", _("not in force"))]
    )


class AgreementFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("search"), required=False)
    year = forms.TypedChoiceField(label=_("year"), coerce=int, empty_value=None, required=False, choices=ANY)
    kind = forms.ChoiceField(label=_("pairing kind"), choices=ANY + list(PairingKind.choices), required=False)

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = ANY + [(y, str(y)) for y in years]


class OrganisationFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("search"), required=False)
    kind = forms.ChoiceField(label=_("kind"), choices=ANY + list(OrgKind.choices), required=False)


class AuditFilterForm(BootstrapMixin, forms.Form):
    object_type = forms.ChoiceField(label=_("object type"), required=False, choices=ANY)
    username = forms.CharField(label=_("user"), required=False)
    action = forms.ChoiceField(label=_("action"), required=False, choices=ANY + list(AuditEntry.Action.choices))
    date_from = forms.DateField(label=_("from"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("to"), required=False, widget=DateInput())
    request_id = forms.CharField(label=_("request id"), required=False)

    def __init__(self, *args, object_types=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["object_type"].choices = ANY + list(object_types)


# --- edit forms ----------------------------------------------------------------------


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


class PairingCreateForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=PairingKind.choices)
    east_region = RegionCodeField(label=_("eastern region"), role="east", required=False,
                                  help_text=_("for sector pairings the eastern organisation's region is used when left empty"))
    west_region = RegionCodeField(label=_("western region"), role="west", required=False)
    east_org = forms.ModelChoiceField(label=_("eastern organisation"), queryset=None, required=False)
    west_org = forms.ModelChoiceField(label=_("western organisation"), queryset=None, required=False)
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
        from xiezuo.orgs.models import Organisation

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

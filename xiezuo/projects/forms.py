"""Forms of the project pages: the list's filter bar and the writes a county office does.

They only turn what a person typed into Python values (yuan into fen, six-digit codes into
regions, lines of a plan into tuples); every rule about what may be written lives in
`actions`, whose errors come back onto the form.
"""
import datetime
import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from django.urls import reverse_lazy

from xiezuo.core.ui.forms import ANY, BootstrapMixin, DateInput, SearchSelect, YuanField
from xiezuo.orgs.forms import OrganisationField
from xiezuo.pairings.forms import PairingChoiceField
from xiezuo.regions.forms import RegionCodeField

from .choices import TRANSITIONS, AssetClass, Category, Enclave, FundSource, LinkMechanism, OwnerTier, PartnerRole, Status


class ProjectFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("search"), required=False)
    category = forms.ChoiceField(label=_("category"), choices=ANY + list(Category.choices), required=False)
    status = forms.ChoiceField(label=_("status"), choices=ANY + list(Status.choices), required=False)
    region = forms.CharField(label=_("county or region"), required=False,
                             widget=SearchSelect(text=True, url=reverse_lazy("region-search"),
                                                 placeholder=_("code or name, e.g. 513436")))
    pairing = PairingChoiceField(label=_("pairing"), queryset=None, required=False, empty_label=_("all"))
    year = forms.TypedChoiceField(label=_("year"), coerce=int, empty_value=None, required=False, choices=ANY)
    late = forms.BooleanField(label=_("late only"), required=False)

    def __init__(self, *args, years=(), pairings=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = ANY + [(y, str(y)) for y in years]
        self.fields["pairing"].queryset = pairings

    def clean_late(self):
        """Unticked means every project, not the ones on time (the filter set's False)."""
        return self.cleaned_data.get("late") or None


class ProjectForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("name"), max_length=200)
    category = forms.ChoiceField(label=_("category"), choices=Category.choices)
    enclave = forms.ChoiceField(label=_("enclave"), choices=Enclave.choices, required=False,
                                help_text=_("co-built parks only"))
    county = RegionCodeField(label=_("county"), role="west", level="county",
                             help_text=_("the western county where the project runs: type its name (美姑县) or its code"))
    pairing = PairingChoiceField(label=_("pairing"), queryset=None, required=False)
    planned_start = forms.DateField(label=_("planned start"), widget=DateInput())
    planned_end = forms.DateField(label=_("planned end"), widget=DateInput())
    budget_east_fiscal = YuanField(label=_("budget: eastern fiscal aid (yuan)"), required=False)
    budget_social = YuanField(label=_("budget: social funds (yuan)"), required=False)
    budget_enterprise = YuanField(label=_("budget: enterprise investment (yuan)"), required=False)
    budget_local_match = YuanField(label=_("budget: local match (yuan)"), required=False)
    description = forms.CharField(label=_("description"), required=False, max_length=5000,
                                  widget=forms.Textarea(attrs={"rows": 3}))

    BUDGET = {f"budget_{s}": s for s in FundSource.values}
    RENAME = {"budget": "budget_east_fiscal"}

    def __init__(self, *args, pairings=None, instance=None, **kwargs):
        if instance is not None and "initial" not in kwargs:
            lines = {b.source: b.amount_fen for b in instance.budget.all()}
            kwargs["initial"] = {
                "name": instance.name, "category": instance.category, "enclave": instance.enclave, "county": instance.county,
                "pairing": instance.pairing_id, "planned_start": instance.planned_start, "planned_end": instance.planned_end,
                "description": instance.description, **{f: lines.get(s) for f, s in self.BUDGET.items()},
            }
        super().__init__(*args, **kwargs)
        self.instance = instance
        self.fields["pairing"].queryset = pairings
        if instance is not None:
            self.fields["county"].disabled = True
            self.fields["county"].help_text = _("a project stays in its county")

    def clean_county(self):
        if self.instance is not None:
            return self.instance.county
        return self.cleaned_data.get("county")

    def budget(self, keep_zero=()):
        d = self.cleaned_data
        return {s: d.get(f) or 0 for f, s in self.BUDGET.items() if d.get(f) or s in keep_zero}

    def action_values(self):
        d = self.cleaned_data
        return {"name": d["name"], "category": d["category"], "enclave": d.get("enclave") or "",
                "planned_start": d["planned_start"], "planned_end": d["planned_end"], "pairing": d.get("pairing"),
                "description": d.get("description") or ""}


class TransitionForm(BootstrapMixin, forms.Form):
    to = forms.ChoiceField(label=_("new status"))
    on = forms.DateField(label=_("on"), widget=DateInput(), required=False, help_text=_("today when left empty"))

    def __init__(self, *args, project=None, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = TRANSITIONS[Status(project.status)]
        self.fields["to"].choices = [(s.value, s.label) for s in Status if s in allowed]


MILESTONE_LINE = re.compile(r"^\s*(\d{4}-\d{1,2}-\d{1,2})\s+(.+?)\s*$")


class MilestonePlanForm(BootstrapMixin, forms.Form):
    plan = forms.CharField(
        label=_("milestone plan"), widget=forms.Textarea(attrs={"rows": 8, "class": "font-monospace"}),
        help_text=_("one milestone per line: the planned date (YYYY-MM-DD), a space, the name; in date order. "
                    "Add a line to add a milestone."))

    def __init__(self, *args, project=None, **kwargs):
        if project is not None and "initial" not in kwargs:
            kwargs["initial"] = {"plan": "\n".join(f"{m.planned_date:%Y-%m-%d} {m.name}" for m in project.milestones.all())}
        super().__init__(*args, **kwargs)

    def clean_plan(self):
        lines, problems = [], []
        for n, line in enumerate(self.cleaned_data["plan"].splitlines(), start=1):
            if not line.strip():
                continue
            m = MILESTONE_LINE.match(line)
            day = None
            if m:
                try:
                    day = datetime.date.fromisoformat("-".join(f"{int(p):02d}" for p in m.group(1).split("-")))
                except ValueError:
                    day = None
            if day is None:
                problems.append(_("line %(n)d: “%(line)s” is not a date and a name") % {"n": n, "line": line.strip()[:60]})
                continue
            lines.append((m.group(2), day))
        if problems:
            raise forms.ValidationError(problems)
        if not lines:
            raise forms.ValidationError(_("at least one milestone is required"))
        return lines


class CompleteMilestoneForm(BootstrapMixin, forms.Form):
    on = forms.DateField(label=_("reached on"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = timezone.localdate()


class ReportForm(BootstrapMixin, forms.Form):
    week = forms.DateField(label=_("week"), widget=DateInput(), help_text=_("any day of the reported week"))
    percent = forms.IntegerField(label=_("percent done"), min_value=0, max_value=100)
    done = forms.CharField(label=_("what was done"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))
    problems = forms.CharField(label=_("problems"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    attachment = forms.FileField(label=_("attachment"), required=False,
                                 help_text=_("a photo, minutes or an acceptance sheet (PDF, image, Office, OFD, ZIP)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["week"].initial = timezone.localdate()


class OutputForm(BootstrapMixin, forms.Form):
    as_of = forms.DateField(label=_("as of"), widget=DateInput())
    jobs_created = forms.IntegerField(label=_("jobs created"), min_value=0, initial=0)
    hh_trusteeship = forms.IntegerField(label=_("households linked: production trusteeship"), min_value=0, required=False)
    hh_order = forms.IntegerField(label=_("households linked: order purchase"), min_value=0, required=False)
    hh_employment = forms.IntegerField(label=_("households linked: employment"), min_value=0, required=False)
    hh_shares = forms.IntegerField(label=_("households linked: asset shares"), min_value=0, required=False)
    local_procurement = YuanField(label=_("local procurement (yuan)"), required=False)
    total_procurement = YuanField(label=_("total procurement (yuan)"), required=False)
    tech_income = YuanField(label=_("technology transfer income (yuan)"), required=False)
    tech_investment = YuanField(label=_("technology transfer investment (yuan)"), required=False)

    RENAME = {"local_procurement_fen": "local_procurement", "total_procurement_fen": "total_procurement",
              "tech_income_fen": "tech_income", "tech_investment_fen": "tech_investment", "households": "hh_trusteeship"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["as_of"].initial = timezone.localdate()

    def action_values(self):
        d = self.cleaned_data
        return {
            "as_of": d["as_of"], "jobs_created": d.get("jobs_created") or 0,
            "local_procurement_fen": d.get("local_procurement") or 0, "total_procurement_fen": d.get("total_procurement") or 0,
            "tech_income_fen": d.get("tech_income") or 0, "tech_investment_fen": d.get("tech_investment") or 0,
            "households": {m: d[f"hh_{m}"] for m in LinkMechanism.values if d.get(f"hh_{m}") is not None},
        }


class AssetForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("name"), max_length=200)
    asset_class = forms.ChoiceField(label=_("class"), choices=AssetClass.choices)
    value = YuanField(label=_("value (yuan)"))
    owner_tier = forms.ChoiceField(label=_("owner tier"), choices=OwnerTier.choices)
    registered_on = forms.DateField(label=_("registered on"), widget=DateInput())

    RENAME = {"value_fen": "value"}


class PartnerForm(BootstrapMixin, forms.Form):
    organisation = OrganisationField(label=_("organisation"))
    role = forms.ChoiceField(label=_("role"), choices=PartnerRole.choices)

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations

"""Forms of the labour pages: they only turn typed text into values; rules stay in actions."""
from django import forms
from django.utils.translation import gettext_lazy as _

from xiezuo.core.ui.forms import ANY, BootstrapMixin, DateInput, YuanField
from xiezuo.orgs.forms import OrganisationField
from xiezuo.regions.models import Region

from .choices import MILESTONES, SKILL_NAMES, HouseholdStatus, JobStatus, Outcome, PlaceKind, SubsidyKind

SKILL_CHOICES = [(n, n) for n in SKILL_NAMES]


def province_choices():
    return [(r.province_code, r.name) for r in Region.objects.filter(level="province").order_by("code")]


class RegionCodeField(forms.CharField):
    """A region typed by its six-digit code or exact name."""

    def __init__(self, *, level="county", **kwargs):
        self.level = level
        kwargs.setdefault("max_length", 64)
        super().__init__(**kwargs)

    def clean(self, value):
        value = (super().clean(value) or "").strip()
        if not value:
            return None
        qs = Region.objects.filter(level=self.level) if self.level else Region.objects.all()
        found = qs.filter(code=value).first() if value.isdigit() else qs.filter(name=value).order_by("code").first()
        if found is None:
            raise forms.ValidationError(_("no county with this code or name"))
        return found


class WorkerFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("name"), required=False)
    region = forms.CharField(label=_("region"), required=False)
    household_status = forms.ChoiceField(label=_("household status"), choices=ANY + list(HouseholdStatus.choices), required=False)
    skill = forms.ChoiceField(label=_("skill"), choices=ANY + SKILL_CHOICES, required=False)


class WorkerForm(BootstrapMixin, forms.Form):
    county = forms.ModelChoiceField(label=_("registering county"), queryset=Region.objects.none())
    name = forms.CharField(label=_("name"), max_length=50)
    id_number = forms.CharField(label=_("ID number"), max_length=18)
    phone = forms.CharField(label=_("phone"), max_length=20, required=False)
    household_status = forms.ChoiceField(label=_("household status"), choices=HouseholdStatus.choices)
    skills = forms.MultipleChoiceField(label=_("skills"), choices=SKILL_CHOICES, required=False,
                                       widget=forms.SelectMultiple(attrs={"size": 6}))
    preferred_provinces = forms.MultipleChoiceField(label=_("preferred places"), choices=(), required=False,
                                                    widget=forms.SelectMultiple(attrs={"size": 6}))
    expected_wage_fen = YuanField(label=_("expected monthly wage (yuan)"), required=False)

    def __init__(self, *args, counties=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = counties
        self.fields["preferred_provinces"].choices = province_choices()


class RevealForm(BootstrapMixin, forms.Form):
    purpose = forms.CharField(label=_("purpose of viewing the full data"), max_length=200)


class JobFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("search"), required=False)
    province = forms.ChoiceField(label=_("province"), choices=(), required=False)
    skill = forms.ChoiceField(label=_("skill"), choices=ANY + SKILL_CHOICES, required=False)
    status = forms.ChoiceField(label=_("status"), choices=ANY + list(JobStatus.choices), required=False, initial="open")
    housing = forms.BooleanField(label=_("housing provided"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["province"].choices = ANY + province_choices()


class JobForm(BootstrapMixin, forms.Form):
    employer = OrganisationField(label=_("employer"))
    title = forms.CharField(label=_("job title"), max_length=100)
    place = RegionCodeField(label=_("place of work (county code or name)"))
    positions = forms.IntegerField(label=_("positions"), min_value=1, initial=1)
    wage_min_fen = YuanField(label=_("monthly wage from (yuan)"))
    wage_max_fen = YuanField(label=_("monthly wage to (yuan)"))
    skills = forms.MultipleChoiceField(label=_("skills"), choices=SKILL_CHOICES, required=False,
                                       widget=forms.SelectMultiple(attrs={"size": 6}))
    housing = forms.BooleanField(label=_("housing provided"), required=False)
    occupation_code = forms.CharField(label=_("occupation code (2022 classification)"), max_length=20, required=False)

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employer"].queryset = organisations


class TrainingForm(BootstrapMixin, forms.Form):
    county = forms.ModelChoiceField(label=_("county"), queryset=Region.objects.none())
    course = forms.CharField(label=_("course"), max_length=100)
    employer = OrganisationField(label=_("employer committed to hire"))
    committed_hires = forms.IntegerField(label=_("hires committed"), min_value=0, initial=0)
    starts_on = forms.DateField(label=_("starts on"), widget=DateInput())
    ends_on = forms.DateField(label=_("ends on"), widget=DateInput())

    def __init__(self, *args, counties=None, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = counties
        self.fields["employer"].queryset = organisations


class PlacementForm(BootstrapMixin, forms.Form):
    employer = OrganisationField(label=_("employer"))
    place = RegionCodeField(label=_("place of work (county code or name)"))
    start_date = forms.DateField(label=_("start date"), widget=DateInput())
    occupation_code = forms.CharField(label=_("occupation code (2022 classification)"), max_length=20, required=False)
    monthly_wage_fen = YuanField(label=_("monthly wage (yuan)"), required=False)
    job = forms.IntegerField(label=_("job number"), required=False, widget=forms.HiddenInput())

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employer"].queryset = organisations


class PlacementFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("search"), required=False)
    region = forms.CharField(label=_("region"), required=False)
    place_kind = forms.ChoiceField(label=_("place"), choices=ANY + list(PlaceKind.choices), required=False)
    year = forms.IntegerField(label=_("year started"), required=False, min_value=2000, max_value=2100)
    paired = forms.BooleanField(label=_("in the paired eastern province"), required=False)
    missed_check = forms.BooleanField(label=_("past a missed retention check"), required=False)


class PaymentFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("search"), required=False)
    region = forms.CharField(label=_("region"), required=False)
    kind = forms.ChoiceField(label=_("subsidy"), choices=ANY + list(SubsidyKind.choices), required=False)
    year = forms.IntegerField(label=_("year"), required=False, min_value=2000, max_value=2100)


class CheckForm(BootstrapMixin, forms.Form):
    milestone = forms.TypedChoiceField(label=_("months after start"), coerce=int, choices=[(m, m) for m in MILESTONES])
    checked_on = forms.DateField(label=_("checked on"), widget=DateInput())
    employed = forms.BooleanField(label=_("still employed"), required=False)
    wage_months = forms.IntegerField(label=_("months of wage transfers seen"), min_value=0, max_value=12, initial=0)
    note = forms.CharField(label=_("note"), max_length=200, required=False)


class CheckFilterForm(BootstrapMixin, forms.Form):
    region = forms.CharField(label=_("region"), required=False)
    milestone = forms.ChoiceField(label=_("months after start"), choices=ANY + [(str(m), m) for m in MILESTONES], required=False)
    employed = forms.ChoiceField(label=_("still employed"), choices=ANY + [("yes", _("yes")), ("no", _("no"))], required=False)


class PayForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("subsidy"), choices=SubsidyKind.choices)
    project = forms.ModelChoiceField(label=_("labour project paying"), queryset=None)
    claimed_fen = YuanField(label=_("amount claimed (yuan, optional)"), required=False)

    def __init__(self, *args, projects=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects


class OutcomeForm(BootstrapMixin, forms.Form):
    outcome = forms.ChoiceField(label=_("outcome"), choices=Outcome.choices)


class MergeForm(BootstrapMixin, forms.Form):
    keep = forms.IntegerField(widget=forms.HiddenInput())
    drop = forms.IntegerField(widget=forms.HiddenInput())
    reason = forms.CharField(label=_("reason"), max_length=200)

"""Forms of the registry's pages: they turn typed text into values; rules live in actions."""
from django import forms
from django.utils.translation import gettext_lazy as _

from xiezuo.core.ui.forms import ANY, BootstrapMixin, DateInput

from .choices import CaseKind, Category, Channel, Decision, HelpKind, Status


class HouseholdFilterForm(BootstrapMixin, forms.Form):
    county = forms.CharField(label=_("county code"), required=False, max_length=6)
    township = forms.CharField(label=_("township code"), required=False, max_length=9)
    village = forms.CharField(label=_("village code"), required=False, max_length=12)
    category = forms.ChoiceField(label=_("category"), choices=ANY + list(Category.choices), required=False)
    status = forms.ChoiceField(label=_("status"), choices=ANY + list(Status.choices), required=False)
    number = forms.CharField(label=_("household number"), required=False, max_length=32)
    overdue = forms.BooleanField(label=_("a step past its deadline"), required=False)


class PurposeForm(BootstrapMixin, forms.Form):
    purpose = forms.CharField(label=_("purpose"), max_length=200,
                              help_text=_("why you need the full numbers; it is logged with your name"))


class SearchForm(BootstrapMixin, forms.Form):
    id_number = forms.CharField(label=_("ID number"), max_length=20)


class ClueForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=CaseKind.choices)
    channel = forms.ChoiceField(label=_("channel"), choices=Channel.choices)
    clue_on = forms.DateField(label=_("clue received on"), widget=DateInput)
    source = forms.CharField(label=_("source"), max_length=200, required=False)
    proposed_category = forms.ChoiceField(label=_("proposed category"), choices=ANY + list(Category.choices), required=False)
    consent_on = forms.DateField(label=_("consent recorded on"), widget=DateInput, required=False)
    consent_by = forms.CharField(label=_("consent given by"), max_length=50, required=False)
    post = forms.CharField(label=_("your post"), max_length=100)


class ConsentForm(BootstrapMixin, forms.Form):
    consent_on = forms.DateField(label=_("consent recorded on"), widget=DateInput)
    consent_by = forms.CharField(label=_("consent given by"), max_length=50)
    post = forms.CharField(label=_("your post"), max_length=100)


class StepForm(BootstrapMixin, forms.Form):
    done_on = forms.DateField(label=_("done on"), widget=DateInput)
    finding = forms.CharField(label=_("finding"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    passed = forms.BooleanField(label=_("passed"), required=False, initial=True)
    notice_from = forms.DateField(label=_("notice from"), widget=DateInput, required=False)
    notice_to = forms.DateField(label=_("notice until"), widget=DateInput, required=False)
    post = forms.CharField(label=_("your post"), max_length=100)


class DecisionForm(BootstrapMixin, forms.Form):
    decision = forms.ChoiceField(label=_("decision"), choices=Decision.choices)
    category = forms.ChoiceField(label=_("category"), choices=ANY + list(Category.choices), required=False)
    on = forms.DateField(label=_("decided on"), widget=DateInput)
    finding = forms.CharField(label=_("finding"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    post = forms.CharField(label=_("your post"), max_length=100)


class HelpForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=HelpKind.choices)
    description = forms.CharField(label=_("description"), max_length=300)
    project = forms.IntegerField(label=_("project id"), required=False)
    amount_yuan = forms.IntegerField(label=_("amount (yuan)"), required=False, min_value=0, max_value=10**8)
    started_on = forms.DateField(label=_("started on"), widget=DateInput)
    post = forms.CharField(label=_("your post"), max_length=100)


class LineForm(BootstrapMixin, forms.Form):
    region = forms.CharField(label=_("province or county code"), max_length=6)
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)
    line_yuan = forms.IntegerField(label=_("monitoring line per person and year (yuan)"), min_value=1, max_value=1_000_000)
    near_percent = forms.IntegerField(label=_("near the line: up to this percent of the line"), initial=150, min_value=100, max_value=300)
    fall_percent = forms.IntegerField(label=_("sharp fall: income this percent below a year before"), initial=30, min_value=1, max_value=99)
    rigid_percent = forms.IntegerField(label=_("rigid spending above this percent of income"), initial=50, min_value=1, max_value=500)
    note = forms.CharField(label=_("note"), max_length=200, required=False)

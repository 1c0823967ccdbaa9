"""Forms of the social-help pages: typed text into values; the rules are the actions'."""
from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from xiezuo.core.ui.forms import ANY, BootstrapMixin, DateInput, SearchSelect, YuanField

from .choices import NeedCategory, NeedStatus


class NeedFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("search"), required=False)
    category = forms.ChoiceField(label=_("category"), choices=ANY + list(NeedCategory.choices), required=False)
    status = forms.ChoiceField(label=_("status"), choices=ANY + list(NeedStatus.choices), required=False)
    region = forms.CharField(label=_("county"), required=False, widget=SearchSelect(text=True, url=reverse_lazy("region-search"),
                                                                                     placeholder=_("code or name, e.g. 513436")))
    unanswered = forms.BooleanField(label=_("published 30 days ago and not taken up"), required=False)


class NeedForm(BootstrapMixin, forms.Form):
    county = forms.ModelChoiceField(label=_("county"), queryset=None)
    village = forms.CharField(label=_("village"), max_length=100)
    category = forms.ChoiceField(label=_("category"), choices=NeedCategory.choices)
    description = forms.CharField(label=_("description"), max_length=1000, widget=forms.Textarea(attrs={"rows": 4}),
                                  help_text=_("Published needs are read by every social organisation: no names, ID numbers or phone numbers."))
    budget_fen = YuanField(label=_("budget (yuan)"))
    beneficiaries = forms.IntegerField(label=_("beneficiaries"), min_value=1)
    cadre = forms.ModelChoiceField(label=_("dispatched cadre"), queryset=None)
    project = forms.ModelChoiceField(label=_("project receiving the funds"), queryset=None, required=False)

    def __init__(self, *args, counties=None, cadres=None, projects=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = counties
        self.fields["cadre"].queryset = cadres
        self.fields["project"].queryset = projects


class PledgeForm(BootstrapMixin, forms.Form):
    amount_fen = YuanField(label=_("amount (yuan)"))


class ResultForm(BootstrapMixin, forms.Form):
    summary = forms.CharField(label=_("result"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    evidence = forms.CharField(label=_("evidence"), max_length=200, help_text=_("e.g. the number of the receipt list or acceptance report"))
    beneficiaries_reached = forms.IntegerField(label=_("beneficiaries reached"), min_value=0)
    completed_on = forms.DateField(label=_("completed on"), widget=DateInput())

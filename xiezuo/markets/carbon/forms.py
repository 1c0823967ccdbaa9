from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from xiezuo.core.ui.forms import ANY, BootstrapMixin, DateInput, SearchSelect, YuanField

from ..choices import BlockStatus, SinkKind


class ProjectFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("search"), required=False)
    kind = forms.ChoiceField(label=_("kind"), choices=ANY + list(SinkKind.choices), required=False)
    region = forms.CharField(label=_("county or above"), required=False,
                             widget=SearchSelect(text=True, url=reverse_lazy("region-search"), placeholder=_("code or name, e.g. 513436")))


class RegistryFilterForm(BootstrapMixin, forms.Form):
    serial = forms.CharField(label=_("serial number"), required=False,
                             widget=forms.TextInput(attrs={"placeholder": "XZCR-CS5134360001-2025-37"}))
    status = forms.ChoiceField(label=_("status"), required=False, choices=ANY + [(BlockStatus.ACTIVE, _("held in an account")),
                                                                                  (BlockStatus.RETIRED, _("retired"))])
    vintage = forms.IntegerField(label=_("vintage"), required=False, min_value=2000, max_value=2100)


class SinkProjectForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("name"), max_length=200)
    kind = forms.ChoiceField(label=_("kind"), choices=SinkKind.choices)
    county = forms.ModelChoiceField(label=_("county"), queryset=None)
    methodology = forms.CharField(label=_("methodology"), max_length=100)
    area = forms.CharField(label=_("area (mu, to 0.0001)"), max_length=24)
    baseline_t = forms.IntegerField(label=_("baseline (tCO2e per year)"), min_value=0, initial=0)
    crediting_start = forms.DateField(label=_("crediting period start"), widget=DateInput())
    crediting_end = forms.DateField(label=_("crediting period end"), widget=DateInput())

    def __init__(self, *args, counties=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = counties


class RetireForm(BootstrapMixin, forms.Form):
    block = forms.ModelChoiceField(label=_("block"), queryset=None)
    units = forms.IntegerField(label=_("units"), min_value=1)
    beneficiary = forms.CharField(label=_("beneficiary"), max_length=200)
    purpose = forms.CharField(label=_("purpose of retirement"), max_length=300)

    def __init__(self, *args, blocks=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["block"].queryset = blocks
        self.fields["block"].label_from_instance = lambda b: f"{b.serial} ({b.units:,})"


class TransferForm(BootstrapMixin, forms.Form):
    block = forms.ModelChoiceField(label=_("block"), queryset=None)
    units = forms.IntegerField(label=_("units"), min_value=1)
    to_holder = forms.ModelChoiceField(label=_("to account of"), queryset=None)

    def __init__(self, *args, blocks=None, holders=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["block"].queryset = blocks
        self.fields["block"].label_from_instance = lambda b: f"{b.serial} ({b.units:,})"
        self.fields["to_holder"].queryset = holders


class ReportForm(BootstrapMixin, forms.Form):
    period_start = forms.DateField(label=_("period start"), widget=DateInput())
    period_end = forms.DateField(label=_("period end"), widget=DateInput())
    claimed_t = forms.IntegerField(label=_("claimed removals (t)"), min_value=1)


class VerifyForm(BootstrapMixin, forms.Form):
    report = forms.ModelChoiceField(label=_("monitoring report"), queryset=None)
    verified_t = forms.IntegerField(label=_("verified (t)"), min_value=1)

    def __init__(self, *args, reports=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["report"].queryset = reports
        self.fields["report"].label_from_instance = lambda r: f"{r.period_start:%Y-%m-%d} – {r.period_end:%Y-%m-%d} ({r.claimed_t:,} t)"


class SubscribeForm(BootstrapMixin, forms.Form):
    subscriber = forms.ModelChoiceField(label=_("subscriber"), queryset=None)
    price = YuanField(label=_("price per tonne (yuan)"))
    share_pct = forms.IntegerField(label=_("share of issuances (%)"), min_value=1, max_value=100)
    tonnes = forms.IntegerField(label=_("tonnes subscribed"), min_value=1)

    def __init__(self, *args, subscribers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subscriber"].queryset = subscribers


class DeliverForm(BootstrapMixin, forms.Form):
    subscription = forms.ModelChoiceField(label=_("subscription"), queryset=None)
    units = forms.IntegerField(label=_("units"), min_value=1)

    def __init__(self, *args, subscriptions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subscription"].queryset = subscriptions
        self.fields["subscription"].label_from_instance = lambda s: f"{s.subscriber.name} ({s.delivered_t:,} / {s.tonnes:,} t)"

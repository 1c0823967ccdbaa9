"""Page forms of the technology transfer centre: they turn typed text into values; the rules
(who may, what is valid) stay in tech/actions.py."""
from django import forms
from django.utils.translation import gettext_lazy as _

from xiezuo.core.ui.forms import BootstrapMixin, DateInput, YuanField

from ..choices import DealKind, TechKind


class TechnologyForm(BootstrapMixin, forms.Form):
    owner = forms.ModelChoiceField(label=_("owner"), queryset=None)
    kind = forms.ChoiceField(label=_("kind"), choices=TechKind.choices)
    number = forms.CharField(label=_("number"), max_length=32, help_text=_("patent or registration number, e.g. ZL202110001234.5"))
    title = forms.CharField(label=_("title"), max_length=200)
    abstract = forms.CharField(label=_("abstract"), widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=5000)
    ipc = forms.CharField(label=_("IPC class"), max_length=20, required=False, help_text=_("e.g. A01G 9/14"))
    licence_terms = forms.CharField(label=_("licence terms"), max_length=300, required=False)

    def __init__(self, *args, owners=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners


class NeedForm(BootstrapMixin, forms.Form):
    county = forms.ModelChoiceField(label=_("county"), queryset=None)
    title = forms.CharField(label=_("title"), max_length=200)
    problem = forms.CharField(label=_("problem"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    sector = forms.CharField(label=_("sector"), max_length=50, required=False)
    ipc = forms.CharField(label=_("IPC class"), max_length=20, required=False, help_text=_("e.g. A01G 9/14"))

    def __init__(self, *args, counties=None, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:  # a need stays in its county
            del self.fields["county"]
        else:
            self.fields["county"].queryset = counties


class DealForm(BootstrapMixin, forms.Form):
    licensee = forms.ModelChoiceField(label=_("licensee"), queryset=None)
    kind = forms.ChoiceField(label=_("kind"), choices=DealKind.choices)
    price = YuanField(label=_("price (yuan), paid through the ledger"), required=False)
    royalty_permille = forms.IntegerField(label=_("royalty (‰ of revenue)"), min_value=0, max_value=1000, required=False)
    need = forms.ModelChoiceField(label=_("need it answers"), queryset=None, required=False)
    signed_on = forms.DateField(label=_("signed on (empty: today)"), widget=DateInput(), required=False)

    def __init__(self, *args, licensees=None, needs=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["licensee"].queryset = licensees
        self.fields["need"].queryset = needs


class ReturnForm(BootstrapMixin, forms.Form):
    period_end = forms.DateField(label=_("period end"), widget=DateInput())
    revenue = YuanField(label=_("revenue (yuan)"), required=False)
    cost = YuanField(label=_("cost (yuan)"), required=False)

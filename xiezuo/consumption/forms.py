"""Forms of the consumption pages: they turn typed text into values; the rules are the actions'."""
from decimal import Decimal

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from xiezuo.core.ui.forms import ANY, BootstrapMixin, DateInput, SearchSelect, YuanField
from xiezuo.orgs.forms import OrganisationField

from .choices import BuyerKind, Channel


def _region_box(label, required=False):
    return forms.CharField(label=label, required=required, widget=SearchSelect(text=True, url=reverse_lazy("region-search"),
                                                                                placeholder=_("code or name, e.g. 513436")))


class ProductFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("search"), required=False)
    region = _region_box(_("county of origin"))
    certified = forms.ChoiceField(label=_("certification"), required=False, choices=ANY + [
        ("yes", _("certified today")), ("no", _("not certified today")), ("applied", _("waiting for a decision"))])


class PurchaseFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("search"), required=False)
    channel = forms.ChoiceField(label=_("channel"), choices=ANY + list(Channel.choices), required=False)
    buyer_kind = forms.ChoiceField(label=_("kind of buyer"), choices=ANY + list(BuyerKind.choices), required=False)
    region = _region_box(_("county or buyer's region"))
    counted = forms.ChoiceField(label=_("counted"), required=False, choices=ANY + [
        ("yes", _("counted (certified on the day)")), ("no", _("not counted"))])
    date_from = forms.DateField(label=_("from"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("to"), required=False, widget=DateInput())


class ProductForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("name"), max_length=100)
    category = forms.CharField(label=_("category"), max_length=50, required=False)
    supplier = OrganisationField(label=_("supplier"))
    county = forms.CharField(label=_("county of origin (code)"), max_length=6)

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supplier"].queryset = organisations


class DecisionForm(BootstrapMixin, forms.Form):
    number = forms.CharField(label=_("certificate number"), max_length=40, required=False)
    valid_from = forms.DateField(label=_("valid from"), required=False, widget=DateInput())
    valid_to = forms.DateField(label=_("valid to"), required=False, widget=DateInput())
    reason = forms.CharField(label=_("reason"), max_length=300, required=False)


class RevokeForm(BootstrapMixin, forms.Form):
    revoked_on = forms.DateField(label=_("revoked on"), widget=DateInput())
    reason = forms.CharField(label=_("reason"), max_length=300)


class PurchaseForm(BootstrapMixin, forms.Form):
    buyer = forms.ModelChoiceField(label=_("buyer"), queryset=None)
    product = forms.ModelChoiceField(label=_("product"), queryset=None)
    amount_fen = YuanField(label=_("amount (yuan)"))
    purchased_on = forms.DateField(label=_("purchased on"), widget=DateInput())
    channel = forms.ChoiceField(label=_("channel"), choices=Channel.choices)
    channel_name = forms.CharField(label=_("channel name"), max_length=100, required=False)
    evidence_number = forms.CharField(label=_("evidence number"), max_length=64)

    def __init__(self, *args, buyers=None, products=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["buyer"].queryset = buyers
        self.fields["product"].queryset = products


class BuyerForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=BuyerKind.choices)
    name = forms.CharField(label=_("name"), max_length=200)
    region = forms.CharField(label=_("region (code)"), max_length=6)
    organisation = OrganisationField(label=_("organisation on the platform"), required=False)

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class CanteenShareForm(BootstrapMixin, forms.Form):
    buyer = forms.ModelChoiceField(label=_("budget unit"), queryset=None)
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2099)
    canteen_food_fen = YuanField(label=_("planned canteen food purchases (yuan)"))
    reserved_percent = forms.DecimalField(label=_("reserved share (%)"), max_digits=5, decimal_places=2, min_value=Decimal(0))
    filed_on = forms.DateField(label=_("filed on"), widget=DateInput())

    def __init__(self, *args, buyers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["buyer"].queryset = buyers

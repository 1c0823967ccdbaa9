from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from xiezuo.core.ui.forms import ANY, BootstrapMixin, DateInput, SearchSelect, YuanField

from ..choices import LandClass, ListingStatus, TradeMethod


class ListingFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("search"), required=False)
    land_class = forms.ChoiceField(label=_("land class"), choices=ANY + list(LandClass.choices), required=False)
    status = forms.ChoiceField(label=_("status"), choices=ANY + list(ListingStatus.choices), required=False)
    region = forms.CharField(label=_("county or above"), required=False,
                             widget=SearchSelect(text=True, url=reverse_lazy("region-search"), placeholder=_("code or name, e.g. 513436")))


class TradeFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("search"), required=False)
    land_class = forms.ChoiceField(label=_("land class"), choices=ANY + list(LandClass.choices), required=False)
    method = forms.ChoiceField(label=_("method"), choices=ANY + list(TradeMethod.choices), required=False)
    region = forms.CharField(label=_("seller's or buyer's region"), required=False,
                             widget=SearchSelect(text=True, url=reverse_lazy("region-search"), placeholder=_("code or name, e.g. 513436")))


class ListingForm(BootstrapMixin, forms.Form):
    county = forms.ModelChoiceField(label=_("county"), queryset=None)
    land_class = forms.ChoiceField(label=_("land class"), choices=LandClass.choices)
    area = forms.CharField(label=_("area (mu, to 0.0001)"), max_length=24)
    source_project = forms.CharField(label=_("land consolidation project"), max_length=200)
    approval_doc = forms.CharField(label=_("approval document"), max_length=100)
    province_confirmation = forms.CharField(label=_("province's confirmation"), max_length=100)

    def __init__(self, *args, counties=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = counties


class BuyForm(BootstrapMixin, forms.Form):
    buyer = forms.ModelChoiceField(label=_("buyer"), queryset=None)
    area = forms.CharField(label=_("area (mu, to 0.0001)"), max_length=24)

    def __init__(self, *args, buyers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["buyer"].queryset = buyers


class BidForm(BuyForm):
    limit = YuanField(label=_("limit price per mu (yuan)"))


class AuctionForm(BootstrapMixin, forms.Form):
    closes_on = forms.DateField(label=_("closes on"), widget=DateInput())
    reserve = YuanField(label=_("reserve price per mu (yuan); empty: the set price"), required=False)


class LinkShareForm(BootstrapMixin, forms.Form):
    """The registry household an unmatched share belongs to, by its household number among
    the listing's county's households."""

    share = forms.IntegerField(widget=forms.HiddenInput)
    number = forms.CharField(label=_("household number"), max_length=32)

    def __init__(self, *args, county=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.county = county

    def clean_number(self):
        from xiezuo.households.lookup import by_number

        number = self.cleaned_data["number"].strip()
        matches = by_number(self.county, [number]).get(number, []) if self.county is not None else []
        if not matches:
            raise forms.ValidationError(_("no household numbered %(h)s in the registry of %(county)s") % {
                "h": number, "county": self.county})
        if len(matches) > 1:
            raise forms.ValidationError(_("%(k)d households are numbered %(h)s; correct the registry first") % {
                "k": len(matches), "h": number})
        return matches[0]


class SplitForm(BootstrapMixin, forms.Form):
    """The farmers' shares, one line per household of the registry: its household number and
    its weight. The numbers are resolved among the county's households (`county`), each found
    once; a number that is unknown, or held by two households, is refused with its line."""

    households = forms.CharField(label=_("farmers' shares, one per line: household number, weight (e.g. area in 0.0001 mu)"),
                                 widget=forms.Textarea(attrs={"rows": 4}), required=False)

    def __init__(self, *args, county=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.county = county

    def clean_households(self):
        from xiezuo.households.lookup import by_number

        lines = []
        for n, line in enumerate((self.cleaned_data.get("households") or "").splitlines(), 1):
            line = line.strip()
            if not line:
                continue
            parts = [p.strip() for p in line.replace("，", ",").replace("\t", ",").split(",")]
            if len(parts) != 2 or not parts[1].isdigit() or not parts[0]:
                raise forms.ValidationError(_("line %(n)d: a household number and a whole-number weight") % {"n": n})
            lines.append((n, parts[0], int(parts[1])))
        found = by_number(self.county, [number for _n, number, _w in lines]) if self.county is not None else {}
        rows, errors = [], []
        for n, number, weight in lines:
            matches = found.get(number, [])
            if not matches:
                errors.append(_("line %(n)d: no household numbered %(h)s in the registry of %(county)s") % {
                    "n": n, "h": number, "county": self.county})
            elif len(matches) > 1:
                errors.append(_("line %(n)d: %(k)d households are numbered %(h)s; correct the registry first") % {
                    "n": n, "k": len(matches), "h": number})
            else:
                rows.append((matches[0], weight))
        if errors:
            raise forms.ValidationError(errors)
        return rows


class HouseholdSearchForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("find a household: number, head's name or a member's full ID number"), max_length=40,
                        required=False)


class EquityForm(BootstrapMixin, forms.Form):
    project = forms.ModelChoiceField(label=_("project"), queryset=None)
    valuation = YuanField(label=_("valuation (yuan)"))
    total_shares = forms.IntegerField(label=_("shares outstanding"), min_value=1)
    amount = YuanField(label=_("proceeds to convert (yuan)"))

    def __init__(self, *args, projects=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects


class PayoutForm(BootstrapMixin, forms.Form):
    project = forms.ModelChoiceField(label=_("paid out through project"), queryset=None)
    paid_on = forms.DateField(label=_("paid out on (empty: today)"), widget=DateInput(), required=False)

    def __init__(self, *args, projects=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects

"""Forms of the funds pages: the postings' filter bar and one form per stage.

Each stage form carries an idempotency key, made when the form is first shown and sent back
with it: a double click or a browser retry posts the same body under the same key, which
the ledger answers with the posting it already made instead of posting twice. Every rule
about what may be posted lives in `actions`, whose errors come back onto the form.
"""
import uuid

from django import forms
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xiezuo.core.money import format_yuan
from xiezuo.core.ui.forms import ANY, BootstrapMixin, DateInput, SearchSelect, YuanField

from .choices import Kind


class PostingFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("search"), required=False)
    kind = forms.ChoiceField(label=_("kind"), choices=ANY + list(Kind.choices), required=False)
    year = forms.TypedChoiceField(label=_("year"), coerce=int, empty_value=None, required=False, choices=ANY)
    date_from = forms.DateField(label=_("from"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("to"), required=False, widget=DateInput())
    in_force = forms.ChoiceField(label=_("in force"), required=False, choices=[
        ("", _("all")), ("yes", _("in force")), ("no", _("reversed or reversal"))])

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = ANY + [(y, str(y)) for y in years]


class KeyedForm(BootstrapMixin, forms.Form):
    """A ledger form: its idempotency key is made when the form is first shown."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["idempotency_key"].initial = f"web-{uuid.uuid4().hex}"


class AgreementChoiceField(forms.ModelChoiceField):
    """An agreement among those the user allocates under (hundreds for a province office):
    searchable by the pairing's regions and the year."""

    widget = SearchSelect

    def label_from_instance(self, obj):
        return f"{obj.pairing} · {obj.year}"


class PostingChoiceField(forms.ModelChoiceField):
    widget = SearchSelect

    def label_from_instance(self, obj):
        what = obj.agreement if obj.agreement_id else (obj.project.code if obj.project_id else "")
        return f"#{obj.pk} {obj.booked_on:%Y-%m-%d} {format_yuan(obj.amount_fen)} · {what}"


class ProjectCodeField(forms.CharField):
    """A project typed by its code or its name (a select of every project would not scale to
    a national office's 100,000), resolved against the queryset the view allows; the
    searchable picker suggests those projects as the user types. A name that fits several
    projects is refused with their codes listed."""

    CANDIDATES = 8

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 200)
        kwargs.setdefault("widget", SearchSelect(text=True, url=reverse_lazy("ledger-project-search"),
                                                 placeholder=_("project code or name, e.g. P2026513436001")))
        super().__init__(**kwargs)
        self.queryset = None

    def prepare_value(self, value):
        return getattr(value, "code", value)

    def clean(self, value):
        value = (super().clean(value) or "").strip()
        found = list(self.queryset.filter(code=value)[:1]) if value and len(value) <= 32 else []
        if value and not found:
            found = list(self.queryset.filter(name=value).order_by("code")[:self.CANDIDATES + 1]) or \
                list(self.queryset.filter(name__icontains=value).order_by("code")[:self.CANDIDATES + 1])
        if not found:
            raise forms.ValidationError(_("no project %(code)s that you may pay into or record spending for") % {"code": value})
        if len(found) > 1:
            shown = "、".join(f"{p.code} {p.name}" for p in found[:self.CANDIDATES])
            more = _(" and more") if len(found) > self.CANDIDATES else ""
            raise forms.ValidationError(_("“%(name)s” could be %(candidates)s%(more)s: choose one or type its code") % {
                "name": value, "candidates": shown, "more": more})
        return found[0]


class AllocateForm(KeyedForm):
    agreement = AgreementChoiceField(label=_("agreement"), queryset=None)
    amount = YuanField(label=_("amount (yuan)"))
    booked_on = forms.DateField(label=_("booked on"), widget=DateInput(), required=False, help_text=_("today when left empty"))
    memo = forms.CharField(label=_("memo"), max_length=300, required=False)

    RENAME = {"amount_fen": "amount"}

    def __init__(self, *args, agreements=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agreement"].queryset = agreements


class ArrivalForm(KeyedForm):
    allocation = PostingChoiceField(label=_("allocation"), queryset=None)
    arrived_on = forms.DateField(label=_("arrived on"), widget=DateInput())
    memo = forms.CharField(label=_("memo"), max_length=300, required=False)

    def __init__(self, *args, allocations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["allocation"].queryset = allocations
        self.fields["arrived_on"].initial = timezone.localdate()


class DisburseForm(KeyedForm):
    project = ProjectCodeField(label=_("project"), help_text=_("project code or name"))
    amount = YuanField(label=_("amount (yuan)"))
    booked_on = forms.DateField(label=_("booked on"), widget=DateInput(), required=False, help_text=_("today when left empty"))
    memo = forms.CharField(label=_("memo"), max_length=300, required=False)

    RENAME = {"amount_fen": "amount", "source": "project"}

    def __init__(self, *args, projects=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects


class SpendingForm(DisburseForm):
    RENAME = {"amount_fen": "amount", "spent_on": "booked_on"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["booked_on"].label = _("spent on")


class ReverseForm(KeyedForm):
    reason = forms.CharField(label=_("reason"), max_length=300)
    booked_on = forms.DateField(label=_("booked on"), widget=DateInput(), required=False, help_text=_("today when left empty"))

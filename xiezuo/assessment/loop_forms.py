"""Forms in front of the loop's actions: they only turn what was typed into values; the
rules about who may do what live in `orders.py` and `rules.py`."""
from django import forms
from django.utils.translation import gettext_lazy as _

from xiezuo.core.ui.forms import BootstrapMixin

from .choices import Grade, Level, PeriodKind
from .loop_choices import IssuerLevel, OrderStatus, RuleKind

ANY = [("", _("all"))]


class ClosureForm(BootstrapMixin, forms.Form):
    text = forms.CharField(label=_("what was done to rectify it"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    attachment = forms.FileField(label=_("evidence file"), required=False,
                                 help_text=_("PDF, image, Word, Excel, OFD or ZIP; at most 10 MB"))


class VerifyForm(BootstrapMixin, forms.Form):
    decision = forms.ChoiceField(label=_("decision"), choices=[("accept", _("accept and close")), ("send_back", _("send back"))],
                                 widget=forms.RadioSelect)
    note = forms.CharField(label=_("note"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=5000,
                           help_text=_("required when sending back"))


class NoteForm(BootstrapMixin, forms.Form):
    note = forms.CharField(label=_("note"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)


class OrderFilterForm(BootstrapMixin, forms.Form):
    status = forms.ChoiceField(label=_("status"), required=False, choices=ANY + [("open", _("open")), ("overdue", _("overdue"))]
                               + list(OrderStatus.choices))
    q = forms.CharField(label=_("search"), required=False, max_length=100)


class StatusFilterForm(BootstrapMixin, forms.Form):
    status = forms.ChoiceField(label=_("status"), required=False)
    period = forms.CharField(label=_("period"), required=False, max_length=10)

    def __init__(self, *args, statuses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = ANY + list(statuses)


class RuleForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("name"), max_length=120)
    active = forms.BooleanField(label=_("active"), required=False)
    period_kind = forms.ChoiceField(label=_("period kind"), choices=PeriodKind.choices)
    subject_level = forms.ChoiceField(label=_("applies to"), choices=[("", _("counties and pairs"))] + list(Level.choices),
                                      required=False)
    grade = forms.ChoiceField(label=_("grade"), choices=[("", "—")] + list(Grade.choices), required=False)
    count = forms.IntegerField(label=_("threshold"), min_value=1, max_value=366)
    levels = forms.CharField(label=_("warning levels"), required=False, max_length=40,
                             help_text=_("consecutive periods at which levels 1, 2 and 3 start, e.g. 1, 2, 3"))
    working_days = forms.IntegerField(label=_("working days to act"), min_value=0, max_value=250)
    issuer_level = forms.ChoiceField(label=_("issued by"), choices=IssuerLevel.choices)
    benefit = forms.CharField(label=_("benefit"), required=False, max_length=200)
    description = forms.CharField(label=_("description"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    # Which fields a kind of rule uses; the others are hidden on its page.
    USED = {
        RuleKind.INCENTIVE: ("period_kind", "subject_level", "grade", "count", "benefit"),
        RuleKind.WARNING: ("period_kind", "subject_level", "grade", "levels"),
        RuleKind.RESTRUCTURE: ("period_kind", "subject_level", "grade", "count"),
        RuleKind.LATE: ("count", "working_days", "issuer_level"),
        RuleKind.NO_REPORT: ("count", "working_days"),
        RuleKind.ARRIVAL: ("count", "working_days"),
        RuleKind.LEFT_EARLY: ("count", "working_days"),
    }

    def __init__(self, *args, kind=None, **kwargs):
        super().__init__(*args, **kwargs)
        used = set(self.USED.get(kind, ())) | {"name", "active", "description"}
        for name, field in self.fields.items():
            if name not in used:
                field.widget = forms.HiddenInput()
                field.required = False

    def action_values(self, rule) -> dict:
        data = dict(self.cleaned_data)
        for name in self.fields:
            if isinstance(self.fields[name].widget, forms.HiddenInput):
                data[name] = getattr(rule, name)
        return data


class ApplyForm(BootstrapMixin, forms.Form):
    period = forms.CharField(label=_("period"), max_length=10, help_text=_("e.g. 2026Q3, 2026-W05"))

"""Forms of the rhythm pages. They only turn what was typed into values; the rules live in
the actions, whose errors are put back on the form."""
import datetime

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from xiezuo.core.ui.forms import BootstrapMixin, DateInput

from .models import AcceptanceResult, Rating


class OfficeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.region.code}）"


class PostForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("post"), max_length=100)
    duties = forms.CharField(label=_("duties"), required=False, widget=forms.Textarea(attrs={"rows": 5}))
    holders = forms.ModelMultipleChoiceField(label=_("holders"), required=False, queryset=get_user_model().objects.none(),
                                             widget=forms.CheckboxSelectMultiple,
                                             help_text=_("people who act for this office"))
    is_lead = forms.BooleanField(label=_("leading post"), required=False,
                                 help_text=_("receives the office's escalated and unassigned items"))
    projects = forms.ModelMultipleChoiceField(
        label=_("projects in charge (project officer's post)"), required=False, queryset=None,
        widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text=_("rectification orders and tickets about these projects come to this post; hold Ctrl to choose several"))

    def __init__(self, *args, office, **kwargs):
        super().__init__(*args, **kwargs)
        from xiezuo.projects.models import Project

        projects = Project.objects.select_related("county").order_by("county__code", "code")
        if office.kind != "ministry":
            projects = projects.filter(county__code__startswith=office.region.prefix)
        self.fields["projects"].queryset = projects
        self.fields["projects"].label_from_instance = lambda p: f"{p.code} {p.name}（{p.county.name}）"
        # Every user of the platform may be chosen here and refused by the action, so the
        # refusal names who does not belong; the list offers the office's own people.
        User = get_user_model()
        self.fields["holders"].queryset = User.objects.all().order_by("username")
        self.fields["holders"].widget.choices = [(u.pk, u.get_full_name() or u.username)
                                                 for u in User.objects.filter(profile__organisation=office).order_by("username")]
        self.fields["holders"].widget.attrs["class"] = ""


class ConsultationForm(BootstrapMixin, forms.Form):
    office = OfficeChoiceField(label=_("office"), queryset=None)
    month = forms.CharField(label=_("month"), widget=forms.DateInput(attrs={"type": "month"}), help_text=_("e.g. 2026-12"))
    meeting_date = forms.DateField(label=_("meeting date"), widget=DateInput())
    title = forms.CharField(label=_("title"), required=False, max_length=200, help_text=_("left empty: office and month"))

    def __init__(self, *args, offices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = offices

    def clean_month(self):
        value = self.cleaned_data["month"].strip()
        try:
            return datetime.date.fromisoformat(value + "-01" if len(value) == 7 else value).replace(day=1)
        except ValueError:
            raise forms.ValidationError(_("a month as YYYY-MM"))


class MinutesForm(BootstrapMixin, forms.Form):
    minutes = forms.CharField(label=_("minutes"), widget=forms.Textarea(attrs={"rows": 8}))


class ActionItemForm(BootstrapMixin, forms.Form):
    decision = forms.CharField(label=_("decision"), max_length=300)
    owner_post = forms.ModelChoiceField(label=_("owner post"), queryset=None)
    deadline = forms.DateField(label=_("deadline"), required=False, widget=DateInput())
    working_days = forms.IntegerField(label=_("or within working days"), required=False, min_value=1,
                                      help_text=_("counted from the meeting on the official holiday calendar"))

    RENAME = {}

    def __init__(self, *args, posts, **kwargs):
        super().__init__(*args, **kwargs)
        # All posts are offered to the action, which refuses those of other offices with
        # the reason; the drop-down lists the ones that fit.
        from .models import Post

        self.fields["owner_post"].queryset = Post.objects.all()
        self.fields["owner_post"].widget.choices = [("", "---------")] + [(p.pk, str(p)) for p in posts.select_related("office")]


class CompleteForm(BootstrapMixin, forms.Form):
    done_on = forms.DateField(label=_("done on"), widget=DateInput())
    done_note = forms.CharField(label=_("evidence of completion"), widget=forms.Textarea(attrs={"rows": 3}))


class PlanForm(BootstrapMixin, forms.Form):
    pairing = forms.ModelChoiceField(label=_("pairing"), queryset=None)
    title = forms.CharField(label=_("title"), max_length=200)
    start_year = forms.IntegerField(label=_("first year"))
    end_year = forms.IntegerField(label=_("last year"))
    goals = forms.CharField(label=_("goals"), widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args, pairings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pairing"].queryset = pairings


class EvaluationForm(BootstrapMixin, forms.Form):
    year = forms.IntegerField(label=_("year"))
    rating = forms.ChoiceField(label=_("rating"), choices=Rating.choices)
    evaluated_on = forms.DateField(label=_("evaluated on"), widget=DateInput())
    summary = forms.CharField(label=_("summary"), widget=forms.Textarea(attrs={"rows": 3}))


class AdjustmentForm(BootstrapMixin, forms.Form):
    adjusted_on = forms.DateField(label=_("adjusted on"), widget=DateInput())
    title = forms.CharField(label=_("title"), max_length=200)
    end_year = forms.IntegerField(label=_("last year"))
    goals = forms.CharField(label=_("goals"), widget=forms.Textarea(attrs={"rows": 5}))
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 3}))


class AcceptanceForm(BootstrapMixin, forms.Form):
    accepted_on = forms.DateField(label=_("date"), widget=DateInput())
    result = forms.ChoiceField(label=_("result"), choices=AcceptanceResult.choices)
    remarks = forms.CharField(label=_("remarks"), widget=forms.Textarea(attrs={"rows": 3}))

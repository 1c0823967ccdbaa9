"""Forms of the registry's pages: they turn typed text into values; rules live in actions."""
from django import forms
from django.utils.translation import gettext_lazy as _

from xiezuo.core.ui.forms import ANY, BootstrapMixin, DateInput

from .choices import CaseKind, Category, Channel, Decision, Education, Employment, Health, HelpKind, Relation, Status


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


# --- the edit page: personal fields are never filled in; a blank one keeps the stored value ----


class HouseholdEditForm(BootstrapMixin, forms.Form):
    village = forms.CharField(label=_("village code"), max_length=12, min_length=12)
    number = forms.CharField(label=_("household number"), max_length=32, required=False)
    address = forms.CharField(label=_("address"), max_length=200, required=False)
    clear_address = forms.BooleanField(label=_("clear the address"), required=False)
    bank_account = forms.CharField(label=_("bank account"), max_length=40, required=False)
    clear_bank_account = forms.BooleanField(label=_("clear the bank account"), required=False)
    formerly_poor = forms.BooleanField(label=_("formerly registered poor (脱贫户)"), required=False)
    housing_safe = forms.BooleanField(label=_("housing safe"), required=False)
    water_safe = forms.BooleanField(label=_("drinking water safe"), required=False)

    PERSONAL = ("address", "bank_account")

    def __init__(self, *args, masked=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name, shown in (masked or {}).items():
            self.fields[name].widget.attrs["placeholder"] = shown or ""
            self.fields[name].help_text = _("left blank: kept as it is")

    def values(self) -> dict:
        """The household's fields for `edits.edit_household`: a personal field only when typed
        or cleared."""
        d = self.cleaned_data
        out = {k: d[k] for k in ("number", "formerly_poor", "housing_safe", "water_safe")}
        for name in self.PERSONAL:
            if d.get(f"clear_{name}"):
                out[name] = ""
            elif d.get(name):
                out[name] = d[name]
        return out


class MemberEditForm(BootstrapMixin, forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    relation = forms.ChoiceField(label=_("relation"), choices=[("", "—")] + list(Relation.choices), required=False)
    name = forms.CharField(label=_("name"), max_length=50, required=False)
    id_number = forms.CharField(label=_("ID number"), max_length=20, required=False)
    clear_id_number = forms.BooleanField(label=_("clear the ID number"), required=False)
    phone = forms.CharField(label=_("phone"), max_length=20, required=False)
    clear_phone = forms.BooleanField(label=_("clear the phone"), required=False)
    health = forms.ChoiceField(label=_("health"), choices=Health.choices, required=False)
    health_note = forms.CharField(label=_("health detail"), max_length=200, required=False)
    clear_health_note = forms.BooleanField(label=_("clear the health detail"), required=False)
    education = forms.ChoiceField(label=_("education"), choices=[("", "—")] + list(Education.choices), required=False)
    employment = forms.ChoiceField(label=_("employment"), choices=[("", "—")] + list(Employment.choices), required=False)
    out_of_school = forms.BooleanField(label=_("out of compulsory schooling"), required=False)
    medical_insured = forms.BooleanField(label=_("basic medical insurance"), required=False)
    active = forms.BooleanField(label=_("still in the household"), required=False)

    PERSONAL = ("id_number", "phone", "health_note")

    def __init__(self, *args, masked=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name, shown in (masked or {}).items():
            self.fields[name].widget.attrs["placeholder"] = shown or ""

    def values(self) -> dict | None:
        """The member's change for `edits.edit_household` (None: an empty new row)."""
        d = self.cleaned_data
        pk = d.get("id")
        if pk is None and not any(d.get(k) for k in ("relation", "name", "id_number", "phone")):
            return None
        out = {k: d[k] for k in ("relation", "health", "education", "employment", "out_of_school", "medical_insured", "active")}
        if pk is None:
            out["active"] = True
            out["health"] = out["health"] or "healthy"
        else:
            out["id"] = pk
            if not out["relation"]:
                out.pop("relation")
            if not out["health"]:
                out.pop("health")
        if pk is None or d.get("name"):
            out["name"] = d.get("name") or ""
        for name in self.PERSONAL:
            if d.get(f"clear_{name}"):
                out[name] = ""
            elif d.get(name):
                out[name] = d[name]
        return out

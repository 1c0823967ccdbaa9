"""Page forms: they turn typed text into values; the rules are in actions.py."""
import json

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xiezuo.core.ui.forms import BootstrapMixin, DateInput

from .models import Level

PAIR_HELP = _("one pair a line: eastern code, western code (e.g. 330212,513436)")


def _pairs(text):
    out = []
    for line in (text or "").splitlines():
        line = line.strip().replace("，", ",").replace("—", ",").replace(" ", ",")
        if not line:
            continue
        parts = [p for p in line.split(",") if p]
        if len(parts) != 2 or not all(p.isdigit() and len(p) == 6 for p in parts):
            raise forms.ValidationError(_("“%(line)s” is not a pair of two six-digit codes") % {"line": line})
        out.append(parts)
    return out


class ScenarioForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("name"), max_length=120)
    level = forms.ChoiceField(label=_("level"), choices=Level.choices)
    scope = forms.ChoiceField(label=_("scope"), required=False,
                              help_text=_("the province pairing the scenario stays in; national: every province"))
    data_date = forms.DateField(label=_("date of the data"), widget=DateInput())
    change_cost = forms.FloatField(label=_("cost of a change"), min_value=0, initial=0.05,
                                   help_text=_("subtracted from the objective for every pair dropped or formed"))
    max_changes = forms.IntegerField(label=_("at most this many changes"), min_value=0, required=False)
    west_min = forms.IntegerField(label=_("helpers per western unit: at least"), min_value=0, initial=1)
    west_max = forms.IntegerField(label=_("helpers per western unit: at most"), min_value=0, initial=1)
    key_min = forms.IntegerField(label=_("key assistance counties: at least"), min_value=0, initial=1)
    key_max = forms.IntegerField(label=_("key assistance counties: at most"), min_value=0, initial=1)
    capacity_factor = forms.FloatField(label=_("capacity factor"), min_value=0, initial=1.2,
                                       help_text=_("default capacity of an eastern unit: ⌈factor × the demand it faces × its GDP relative to the mean⌉"))
    capacities = forms.CharField(label=_("capacities per eastern unit"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                 help_text=_("one a line: code=number"))
    within_province_pairings = forms.BooleanField(label=_("stay inside today's province pairings"), required=False, initial=True)
    west_units = forms.ChoiceField(label=_("western counties"), choices=[("former_poverty", _("former poverty counties and those paired today")),
                                                                           ("former_poverty_only", _("former poverty counties only")), ("all", _("every western county"))], initial="former_poverty")
    locked = forms.CharField(label=_("locked pairs (must keep)"), required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text=PAIR_HELP)
    forbidden = forms.CharField(label=_("forbidden pairs"), required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text=PAIR_HELP)
    time_limit = forms.IntegerField(label=_("time limit (seconds)"), min_value=1, max_value=3600, initial=60)

    def __init__(self, *args, scopes=(), model=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scope"].choices = list(scopes)
        self.fields["data_date"].initial = timezone.localdate()
        self.model = model
        for t in (model.terms if model else []):
            name = f"weight_{t['code']}"
            self.fields[name] = forms.FloatField(label=_("weight: %(term)s") % {"term": t["code"]}, min_value=0, initial=t["weight"])
            self.fields[name].widget.attrs["class"] = "form-control"

    def clean_locked(self):
        return _pairs(self.cleaned_data.get("locked"))

    def clean_forbidden(self):
        return _pairs(self.cleaned_data.get("forbidden"))

    def clean_capacities(self):
        out = {}
        for line in (self.cleaned_data.get("capacities") or "").splitlines():
            if not line.strip():
                continue
            code, _sep, n = line.partition("=")
            if not code.strip().isdigit() or not n.strip().isdigit():
                raise forms.ValidationError(_("“%(line)s” is not code=number") % {"line": line})
            out[code.strip()] = int(n)
        return out

    def values(self) -> dict:
        d = self.cleaned_data
        east, _sep, west = (d.get("scope") or "").partition("-")
        params = {k: d[k] for k in ("change_cost", "west_min", "west_max", "key_min", "key_max", "capacity_factor", "capacities",
                                    "within_province_pairings", "west_units", "locked", "forbidden", "time_limit")}
        if d.get("max_changes") is not None:
            params["max_changes"] = d["max_changes"]
        weights = {t["code"]: d[f"weight_{t['code']}"] for t in (self.model.terms if self.model else [])
                   if d.get(f"weight_{t['code']}") is not None and d[f"weight_{t['code']}"] != t["weight"]}
        return {"name": d["name"], "level": d["level"], "east_province": east, "west_province": west, "data_date": d["data_date"],
                "parameters": params, "weights": weights}


class ModelForm(BootstrapMixin, forms.Form):
    terms = forms.CharField(label=_("terms (JSON)"), widget=forms.Textarea(attrs={"rows": 16, "class": "font-monospace"}),
                            help_text=_("a list of {code, kind, weight, params}; kinds: industry, need, distance, history, fact"))
    note = forms.CharField(label=_("note"), max_length=300, required=False)

    def clean_terms(self):
        try:
            value = json.loads(self.cleaned_data["terms"])
        except ValueError as exc:
            raise forms.ValidationError(_("not valid JSON: %(error)s") % {"error": exc})
        return value


class ApproveForm(BootstrapMixin, forms.Form):
    end_date = forms.DateField(label=_("today's pair ends on"), widget=DateInput())

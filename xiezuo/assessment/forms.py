"""Forms of the assessment pages: the scorecard filter bar, the indicator-system editor, and
the closed loop's forms (order filters, closure, verification, notes, rules).

The editor only turns what the national coordinator typed into the `changes` dict of
`actions.new_version`; every rule (formula grammar and known facts, floors against targets,
descending cut-offs) lives in the action, whose errors — keyed like
"indicators.funds_timeliness.formula" or "cutoffs.good" — are put back on the field they
name (`put_action_errors`), so a bad formula is refused with its reason under the formula.
"""
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from xiezuo.core.errors import messages_of
from xiezuo.core.ui.forms import ANY, BootstrapMixin

from .actions import CUTOFF_FIELDS
from .choices import Dimension, Direction, Grade, IssuerLevel, Level, Method, OrderStatus, PeerGroup, PeriodKind, RuleKind

NEW_ROWS = 2  # blank rows for new indicators on the editor


class ScorecardFilterForm(BootstrapMixin, forms.Form):
    period = forms.ChoiceField(label=_("period"), required=False)
    version = forms.ChoiceField(label=_("version"), required=False)
    level = forms.ChoiceField(label=_("level"), required=False, choices=ANY + list(Level.choices))
    peer_group = forms.ChoiceField(label=_("peer group"), required=False, choices=ANY + list(PeerGroup.choices))
    grade = forms.ChoiceField(label=_("grade"), required=False,
                              choices=ANY + list(Grade.choices) + [("none", _("no grade (nothing to score)"))])
    stale = forms.BooleanField(label=_("stale only"), required=False)
    q = forms.CharField(label=_("name or code"), required=False, max_length=60)

    def __init__(self, *args, periods=(), versions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = list(periods)
        self.fields["version"].choices = [("", _("newest that scored the period"))] + [(str(v.number), f"v{v.number}") for v in versions]


class RecomputeForm(forms.Form):
    period = forms.CharField(max_length=10)


# --- the indicator-system editor ------------------------------------------------------

def _name(code, field):
    return f"ind-{code}-{field}"


def _new(i, field):
    return f"new-{i}-{field}"


class IndicatorSystemForm(BootstrapMixin, forms.Form):
    """One group of fields per indicator of the current version, blank rows for new ones,
    the grade cut-offs and a note. Numbers stay text: the action reads them as Decimals."""

    FIELDS = ("seq", "name_zh", "name_en", "dimension", "unit", "direction", "formula", "target", "floor", "weight", "method",
              "levels", "description")
    note = forms.CharField(label=_("reason for the change"), max_length=300, required=False,
                           help_text=_("kept with the new version, e.g. “2026 targets adjusted after mid-term review”"))

    def __init__(self, *args, system, **kwargs):
        super().__init__(*args, **kwargs)
        self.system = system
        self.indicators = list(system.indicators.order_by("seq", "code"))
        self.current = system.cutoffs
        for ind in self.indicators:
            for field in self.FIELDS:
                self.fields[_name(ind.code, field)] = self._field(field, initial=self._initial(ind, field))
            self.fields[_name(ind.code, "remove")] = forms.BooleanField(label=_("remove"), required=False)
        for i in range(NEW_ROWS):
            self.fields[_new(i, "code")] = forms.CharField(label=_("code"), required=False, max_length=32)
            for field in self.FIELDS:
                if field == "seq":
                    continue
                self.fields[_new(i, field)] = self._field(field, required=False, blank=True)
        for field, label in zip(CUTOFF_FIELDS, (_("good from"), _("fairly good from"), _("fair from"))):
            self.fields[f"cutoffs-{field}"] = forms.CharField(label=label, max_length=8, initial=str(getattr(self.current, field)))
        self._style()

    def _style(self):
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple):
                widget.attrs["class"] = ""
            elif isinstance(widget, forms.CheckboxInput):
                widget.attrs["class"] = "form-check-input"
            elif isinstance(widget, forms.Select):
                widget.attrs["class"] = "form-select form-select-sm"
            else:
                widget.attrs["class"] = "form-control form-control-sm"
            if name.endswith("-formula"):
                widget.attrs["class"] += " font-monospace"
                widget.attrs["spellcheck"] = "false"

    @staticmethod
    def _initial(ind, field):
        value = getattr(ind, field)
        if isinstance(value, Decimal):
            return _plain(value)
        return value

    @staticmethod
    def _field(field, initial=None, required=True, blank=False):
        empty = [("", "—")] if blank else []
        labels = {"seq": _("order"), "name_zh": _("Chinese name"), "name_en": _("English name"), "dimension": _("dimension"),
                  "unit": _("unit"), "direction": _("direction"), "formula": _("formula"), "target": _("target"),
                  "floor": _("floor"), "weight": _("weight"), "method": _("scoring method"), "levels": _("applies to"),
                  "description": _("description")}
        label = labels[field]
        if field == "seq":
            return forms.IntegerField(label=label, min_value=0, max_value=32767, initial=initial)
        if field in ("dimension", "direction", "method"):
            choices = {"dimension": Dimension, "direction": Direction, "method": Method}[field].choices
            return forms.ChoiceField(label=label, choices=empty + list(choices), initial=initial, required=required)
        if field == "levels":
            return forms.MultipleChoiceField(label=label, choices=Level.choices, widget=forms.CheckboxSelectMultiple,
                                             initial=initial, required=False)
        optional = field in ("unit", "description") or not required
        limit = {"formula": 500, "description": 500, "name_en": 150, "name_zh": 100, "unit": 16}.get(field, 20)
        return forms.CharField(label=label, initial=initial, required=not optional, max_length=limit, strip=True)

    # --- what the template iterates ---------------------------------------------------

    def indicator_rows(self):
        return [(ind, {f: self[_name(ind.code, f)] for f in self.FIELDS + ("remove",)}) for ind in self.indicators]

    def new_rows(self):
        return [{f: self[_new(i, f)] for f in ("code",) + self.FIELDS if f != "seq"} for i in range(NEW_ROWS)]

    def cutoff_fields(self):
        return [self[f"cutoffs-{f}"] for f in CUTOFF_FIELDS]

    # --- from the form to the action --------------------------------------------------

    def changes(self) -> dict:
        """The `changes` argument of `new_version`: only what differs from the current
        version (an unchanged form changes nothing)."""
        data = self.cleaned_data
        edits, remove, add, cutoffs = {}, [], [], {}
        for ind in self.indicators:
            if data.get(_name(ind.code, "remove")):
                remove.append(ind.code)
                continue
            changed = {}
            for field in self.FIELDS:
                value = data.get(_name(ind.code, field))
                if not _same(getattr(ind, field), value):
                    changed[field] = value
            if changed:
                edits[ind.code] = changed
        for i in range(NEW_ROWS):
            code = (data.get(_new(i, "code")) or "").strip()
            spec = {f: data.get(_new(i, f)) for f in self.FIELDS if f != "seq"}
            if not code and not any(v for v in spec.values()):
                continue
            spec = {k: v for k, v in spec.items() if v not in (None, "", [])}
            add.append({"code": code, **spec})
        for field in CUTOFF_FIELDS:
            value = data.get(f"cutoffs-{field}")
            if not _same(getattr(self.current, field), value):
                cutoffs[field] = value
        out = {}
        if edits:
            out["indicators"] = edits
        if remove:
            out["remove"] = remove
        if add:
            out["add"] = add
        if cutoffs:
            out["cutoffs"] = cutoffs
        return out

    def put_action_errors(self, exc):
        """Put the action's errors on the fields they name; the rest above the form."""
        new_codes = {}
        for i in range(NEW_ROWS):
            code = (self.cleaned_data.get(_new(i, "code")) or "").strip()
            if code or any(self.cleaned_data.get(_new(i, f)) for f in self.FIELDS if f != "seq"):
                new_codes.setdefault(len(new_codes), i)
        for key, texts in messages_of(exc).items():
            target = self._field_for(key, new_codes)
            for text in texts:
                self.add_error(target, text)
        self._style()
        for name in self.errors:
            if name in self.fields and name != "__all__":
                w = self.fields[name].widget
                w.attrs["class"] += " is-invalid"
                w.attrs["aria-invalid"] = "true"

    def _field_for(self, key: str, new_codes: dict):
        if key == "note":
            return "note"
        if key.startswith("cutoffs."):
            name = f"cutoffs-{key.split('.', 1)[1]}"
            return name if name in self.fields else None
        if key.startswith("indicators."):
            parts = key.split(".")
            if len(parts) == 3:
                code, field = parts[1], parts[2]
                # An added indicator is validated under its code, like the others.
                for i in new_codes.values():
                    if (self.cleaned_data.get(_new(i, "code")) or "").strip() == code and _new(i, field) in self.fields:
                        return _new(i, field)
                name = _name(code, field)
                return name if name in self.fields else None
            return None
        if key.startswith("add["):
            index = int(key[4:key.index("]")]) if key[4:key.index("]")].isdigit() else -1
            field = key.split(".", 1)[1] if "." in key else ""
            i = new_codes.get(index)
            if i is not None and field and _new(i, field) in self.fields:
                return _new(i, field)
            return None
        if key.startswith("remove."):
            return None
        return None


def _plain(value: Decimal) -> str:
    """95.0000 → "95", 12.500 → "12.5": as a person would type it."""
    text = format(value.normalize(), "f")
    return text


def _same(old, new) -> bool:
    if isinstance(old, Decimal):
        try:
            return new not in (None, "") and Decimal(str(new).strip().replace(",", "")) == old
        except (InvalidOperation, ValueError):
            return False
    if isinstance(old, list):
        return sorted(old or []) == sorted(new or [])
    if isinstance(old, str):
        return (old or "").strip() == (new or "").strip()
    return old == new


# --- the closed loop: forms in front of `orders.py` and `rules.py`, which hold the rules about
# who may do what; these only turn what was typed into values.


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


class IssueOrderForm(BootstrapMixin, forms.Form):
    """A 限期整改 order by hand (`orders.issue_order`): the offices offered are those the
    user may order, narrowed to those whose area holds the subject when there is one."""

    owner_office = forms.ModelChoiceField(label=_("office that must rectify"), queryset=None)
    milestone = forms.ModelChoiceField(label=_("milestone"), queryset=None, required=False)
    title = forms.CharField(label=_("title"), max_length=200)
    reason = forms.CharField(label=_("what must be rectified, and why"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))
    working_days = forms.IntegerField(label=_("deadline in working days"), min_value=1, max_value=120,
                                      help_text=_("counted on the official holiday calendar from today"))

    def __init__(self, *args, offices, milestones=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_office"].queryset = offices
        self.fields["owner_office"].label_from_instance = lambda o: f"{o.name}（{o.region.code}）"
        if milestones is None:
            del self.fields["milestone"]
        else:
            self.fields["milestone"].queryset = milestones
            self.fields["milestone"].label_from_instance = lambda m: f"#{m.seq} {m.name}（{m.planned_date:%Y-%m-%d}）"

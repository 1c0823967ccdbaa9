"""Form pieces every page uses. Forms only turn what a person typed into Python values
(yuan into fen, dates); every rule about what may be saved lives in the actions, whose errors
are put back on the form with `add_action_errors`."""
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from xiezuo.core.errors import messages_of
from xiezuo.core.money import MoneyError, format_yuan, yuan_to_fen

ANY = [("", _("all"))]


class BootstrapMixin:
    """Bootstrap classes on every widget, aria-invalid on fields with errors, and
    suggestions as the user types on fields that offer them (a `suggest(name)` method, as
    regions' code field has)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if hasattr(field, "suggest"):
                field.suggest(name)
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                w = self.fields[name].widget
                w.attrs["class"] = w.attrs.get("class", "") + " is-invalid"
                w.attrs["aria-invalid"] = "true"


def add_action_errors(form, exc: ValidationError, rename: dict | None = None):
    """Put an action's ValidationError({field: [msg]}) onto the form's fields."""
    rename = rename or {}
    for field, texts in messages_of(exc).items():
        name = rename.get(field, field)
        for text in texts:
            form.add_error(name if name in form.fields else None, text)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class YuanField(forms.CharField):
    """Money typed in yuan (“1,234.56”), cleaned to integer fen."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 32)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "placeholder": "0.00"})

    def prepare_value(self, value):
        if isinstance(value, int) and not isinstance(value, bool):
            return format_yuan(value).replace("¥", "")
        return value

    def clean(self, value):
        value = super().clean(value)
        if value in (None, ""):
            return 0
        try:
            return yuan_to_fen(value)
        except MoneyError as exc:
            raise forms.ValidationError(str(exc)) from None


def filter_values(form) -> dict:
    """The filters that are valid; a bad value is ignored rather than failing the page."""
    form.is_valid()
    return {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}

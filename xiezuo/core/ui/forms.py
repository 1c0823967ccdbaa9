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
            elif isinstance(widget, forms.Select) and not getattr(widget, "text", False):
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


class SearchSelect(forms.Select):
    """The one searchable picker of every form (Tom Select, static/js/search-select.js).

    Two shapes, both usable without JavaScript:

    - over the field's choices (a pairing, an agreement, an allocation): a plain <select>
      with every option rendered by the server; the script only adds a search box that
      filters them by any part of their label;
    - `text=True`, for sets too large to render (regions, organisations, projects): a text
      box in which a name or a code may be typed, as it is without the script; with it, the
      box suggests matches from `url` (a JSON search endpoint that applies the user's scope:
      {"results": [{"value", "text", "hint"}]}) and posts the chosen one's value, which the
      field resolves as it resolves typed text.

    `url` may also be given in choice mode to load further options as the user types.
    """

    input_type = "text"

    class Media:
        css = {"all": ["vendor/tom-select/tom-select.bootstrap5.min.css"]}
        js = [forms.Script("vendor/tom-select/tom-select.complete.min.js", defer=True),
              forms.Script("js/search-select.js", defer=True)]

    def __init__(self, attrs=None, choices=(), *, url="", text=False, placeholder=None):
        super().__init__(attrs, choices)
        self.url, self.text = url, text
        if placeholder is not None:
            self.attrs["placeholder"] = placeholder

    @property
    def template_name(self):
        return "django/forms/widgets/text.html" if self.text else "django/forms/widgets/select.html"

    def format_value(self, value):
        if self.text:
            return None if value in (None, "") else str(value)
        return super().format_value(value)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        w = context["widget"]
        w["attrs"]["data-search-select"] = "text" if self.text else "choices"
        if self.url:
            w["attrs"]["data-search-url"] = str(self.url)
        if self.text:
            w["type"] = "text"
            w["attrs"].setdefault("autocomplete", "off")
        return context


def filter_values(form) -> dict:
    """The filters that are valid; a bad value is ignored rather than failing the page."""
    form.is_valid()
    return {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}

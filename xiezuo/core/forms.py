"""The audit log page's filter bar."""
from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AuditEntry
from .ui.forms import ANY, BootstrapMixin, DateInput


class AuditFilterForm(BootstrapMixin, forms.Form):
    object_type = forms.ChoiceField(label=_("object type"), required=False, choices=ANY)
    username = forms.CharField(label=_("user"), required=False)
    action = forms.ChoiceField(label=_("action"), required=False, choices=ANY + list(AuditEntry.Action.choices))
    date_from = forms.DateField(label=_("from"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("to"), required=False, widget=DateInput())
    request_id = forms.CharField(label=_("request id"), required=False)

    def __init__(self, *args, object_types=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["object_type"].choices = ANY + list(object_types)

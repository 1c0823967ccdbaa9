"""Form fields and forms of the pairing and agreement pages."""
from django import forms


def pairing_label(pairing) -> str:
    return f"{pairing} · {pairing.get_kind_display()}"


class PairingChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return pairing_label(obj)

"""Errors shared by every write path.

Actions raise Django's ValidationError with a {field: [messages]} dict and PermissionDenied;
pages show them on the form, the API as one JSON shape, importers per row.
"""
from django.core.exceptions import PermissionDenied, ValidationError  # noqa: F401


def field_error(field: str, message) -> ValidationError:
    return ValidationError({field: [message]})


def messages_of(exc: ValidationError) -> dict[str, list[str]]:
    """A ValidationError as {field: [text]}; errors without a field go under "__all__"."""
    if hasattr(exc, "error_dict"):
        return {f: [str(m) for e in errs for m in e.messages] for f, errs in exc.error_dict.items()}
    return {"__all__": [str(m) for m in exc.messages]}


class BatchRefused(ValidationError):
    """A batch action refused some of its items (and wrote none): `refused` is
    {position: {field: [messages]}}; as a ValidationError the fields read "3.percent"."""

    def __init__(self, refused: dict):
        self.refused = refused
        super().__init__({f"{i}.{name}": list(msgs) for i, fields in sorted(refused.items()) for name, msgs in fields.items()})

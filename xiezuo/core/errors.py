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

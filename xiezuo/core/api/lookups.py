"""Finding the objects a request names, always through the scoping rule.

* An object in the URL that the caller cannot see answers 404, exactly like one that does
  not exist (`visible_or_404`; regions' `region_or_404`).
* An object named in a request body (an organisation id, a pairing id) that the caller cannot
  see is a field error "no … #id", again the same as a missing one.
* Region codes in bodies are looked up in the whole tree: the GB/T 2260 division list is
  public, and an office must be able to pair with a county it is not yet paired with. The
  actions then decide whether the caller may write there.
* The identifiers a request may carry are typed so that the OpenAPI document states the rule
  the server checks: `RegionCode` (six digits), `PathId` (a database id), so a client learns
  them from the document rather than by failing.
"""
from typing import Annotated

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field
from pydantic import AfterValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from xiezuo.core.errors import PermissionDenied, ValidationError
from xiezuo.core.scoping import scope_for, visible


REGION_CODE_PATTERN = "^[0-9]{6}$"
MAX_ID = 2**63 - 1


def _region_code(value: str) -> str:
    if not (len(value) == 6 and value.isascii() and value.isdigit()):
        raise PydanticCustomError("region_code", _("must be a six-digit GB/T 2260 code"))
    return value


# A GB/T 2260 region code, in a body, a query or a path: six ASCII digits, refused otherwise
# (by the validator, with one message; the document states the same rule as a pattern).
RegionCode = Annotated[str, AfterValidator(_region_code), Field(
    description="a six-digit GB/T 2260 region code, e.g. 513436",
    json_schema_extra={"pattern": REGION_CODE_PATTERN, "minLength": 6, "maxLength": 6})]
# The id of an object in the URL (a database key: 1 to 2^63 − 1). Any other whole number
# names no object and answers 404 like an id that does not exist, so the range is stated,
# not enforced as a 422.
PathId = Annotated[int, WithJsonSchema({"type": "integer", "minimum": 1, "maximum": MAX_ID, "description": "the object's id"})]


def require_writer(user):
    """Viewers and auditors change nothing, whatever they send (the actions check the rest)."""
    if not scope_for(user).can_write:
        raise PermissionDenied(_("your role can read but not change data"))


def visible_or_404(user, queryset, pk, what):
    obj = visible(user, queryset).filter(pk=pk).first()
    if obj is None:
        raise Http404(_("%(what)s #%(id)s not found") % {"what": what, "id": pk})
    return obj


def check_code_format(code: str, field="code"):
    if not (len(code) == 6 and code.isascii() and code.isdigit()):
        raise ValidationError({field: [_("“%(code)s” is not a six-digit GB/T 2260 code") % {"code": code}]})


class BodyRefs:
    """Collects the related objects named in a body, and every problem with them at once."""

    def __init__(self, user):
        self.user = user
        self.errors: dict[str, list[str]] = {}

    def collect(self, lookup, value, **kwargs):
        """`lookup(value, **kwargs)`, its ValidationError kept with the others (None if
        `value` is None), e.g. `refs.collect(get_region, code, field="county")`."""
        if value is None:
            return None
        try:
            return lookup(value, **kwargs)
        except ValidationError as exc:
            self.errors.update(exc.message_dict)
            return None

    def visible_obj(self, queryset, pk, field, what):
        if pk is None:
            return None
        obj = visible(self.user, queryset).filter(pk=pk).first()
        if obj is None:
            self.errors[field] = [_("no %(what)s #%(id)s") % {"what": what, "id": pk}]
        return obj

    def check(self):
        if self.errors:
            raise ValidationError(self.errors)

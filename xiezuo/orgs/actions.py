"""Writes to organisations."""
from django.utils.translation import gettext as _

from xiezuo.core.context import action
from xiezuo.core.errors import PermissionDenied, ValidationError, field_error
from xiezuo.core.scoping import can_edit_in_region, can_see

from .choices import OrgKind
from .credit_code import validate_credit_code
from .models import Organisation

EDITABLE = ("name", "kind", "region", "credit_code", "contact", "is_demo")


def credit_code_taken(user, clash: Organisation) -> str:
    """The refusal of a credit code another organisation holds: it names that organisation
    only to a user who may see it, so a refusal never reveals what lies outside one's scope."""
    if can_see(user, clash):
        return _("already used by %(org)s") % {"org": clash}
    return _("this credit code is already registered")


@action
def save_organisation(user, instance: Organisation | None = None, **values) -> Organisation:
    org = instance or Organisation()
    if instance is not None and not can_edit_in_region(user, instance.region.code):
        raise PermissionDenied(_("you may not change %(org)s") % {"org": instance})
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise ValidationError({f: [_("unknown field")] for f in unknown})
    for name, value in values.items():
        setattr(org, name, value)
    errors = {}
    org.name = (org.name or "").strip()
    if not org.name:
        errors["name"] = [_("a name is required")]
    if org.kind not in OrgKind.values:
        errors["kind"] = [_("“%(kind)s” is not an organisation kind") % {"kind": org.kind}]
    if not org.region_id:
        errors["region"] = [_("a region is required")]
    if org.credit_code:
        try:
            org.credit_code = validate_credit_code(org.credit_code)
        except ValueError as exc:
            errors["credit_code"] = [str(exc)]
        else:
            clash = Organisation.objects.filter(credit_code=org.credit_code).exclude(pk=org.pk).first()
            if clash:
                errors["credit_code"] = [credit_code_taken(user, clash)]
    else:
        org.credit_code = None
    if errors:
        raise ValidationError(errors)
    if not can_edit_in_region(user, org.region.code):
        raise PermissionDenied(_("you may not place an organisation in %(region)s") % {"region": org.region})
    clash = Organisation.objects.filter(region=org.region, name=org.name).exclude(pk=org.pk).first()
    if clash:
        raise field_error("name", _("%(region)s already has an organisation named %(name)s") % {"region": org.region.name, "name": org.name})
    org.save()
    return org

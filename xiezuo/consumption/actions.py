"""Every change of state in consumption help: products and their certification, buyers,
canteen reserved shares, purchases (one, or a batch through `purchases.py`)."""
import contextlib
import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xiezuo.core.context import action
from xiezuo.core.errors import BatchRefused, PermissionDenied, ValidationError, field_error
from xiezuo.core.facts import changed

from . import rules, totals
from .choices import CertStatus
from .models import Buyer, CanteenShare, Certificate, Product, Purchase
from .purchases import PurchaseRow, check_purchases, recorded_evidence, write_purchases

__all__ = ["PurchaseRow", "apply_certification", "decide_certificate", "record_purchase", "record_purchases", "revoke_certificate",
           "save_buyer", "save_canteen_share", "save_product"]


def _raise(errors):
    if errors:
        raise ValidationError(errors)


# --- products and certification -----------------------------------------------------------


@action
def save_product(user, instance: Product | None = None, *, name, supplier, county, category="", is_demo=False) -> Product:
    _raise(rules.product_errors(name, category, supplier, county))
    if not rules.may_keep_product(user, county) or (instance is not None and not rules.may_keep_product(user, instance.county)):
        raise PermissionDenied(_("only the office of %(county)s keeps its products") % {"county": county})
    p = instance or Product()
    p.name, p.category, p.supplier, p.county, p.is_demo = name.strip(), (category or "").strip(), supplier, county, is_demo
    clash = Product.objects.filter(supplier=supplier, name=p.name).exclude(pk=p.pk).first()
    if clash is not None:
        raise field_error("name", _("%(org)s already has a product named %(name)s (#%(id)s)") % {"org": supplier, "name": p.name, "id": clash.pk})
    p.save()
    return p


@action
def apply_certification(user, product: Product) -> Certificate:
    """The western county applies for the product's certification (认定)."""
    if not rules.may_keep_product(user, product.county):
        raise PermissionDenied(_("only the office of %(county)s applies for its products") % {"county": product.county})
    Product.objects.select_for_update().filter(pk=product.pk).first()  # one application at a time
    if Certificate.objects.filter(product=product, status=CertStatus.APPLIED).exists():
        raise field_error("product", _("an application for %(p)s is already waiting for a decision") % {"p": product.name})
    return Certificate.objects.create(product=product, applied_by=user if getattr(user, "pk", None) else None)


@action
def decide_certificate(user, certificate: Certificate, *, approve: bool, number="", valid_from=None, valid_to=None,
                       reason="") -> Certificate:
    """The province office approves (certificate number and validity) or rejects an application."""
    cert = Certificate.objects.select_for_update().select_related("product__county").get(pk=certificate.pk)
    if not rules.may_decide_certificate(user, cert.product.county):
        raise PermissionDenied(_("only the province office over %(county)s decides on certification") % {"county": cert.product.county})
    if cert.status != CertStatus.APPLIED:
        raise field_error("status", _("this application was already decided (%(s)s)") % {"s": cert.get_status_display()})
    errors = {}
    problem = rules.text_error(reason, 300, required=not approve, what=_("a reason"))
    if problem:
        errors["reason"] = [problem]
    if approve:
        problem = rules.text_error(number, 40, what=_("a certificate number"))
        if problem:
            errors["number"] = [problem]
        for name, value in (("valid_from", valid_from), ("valid_to", valid_to)):
            problem = rules.day_problem(value, not_future=False)
            if problem:
                errors[name] = [problem]
        if "valid_from" not in errors and "valid_to" not in errors and valid_to < valid_from:
            errors["valid_to"] = [_("the validity ends before it starts")]
        if "number" not in errors and Certificate.objects.filter(number=number.strip()).exclude(pk=cert.pk).exists():
            errors["number"] = [_("certificate number %(n)s is already given") % {"n": number.strip()}]
    _raise(errors)
    cert.status = CertStatus.APPROVED if approve else CertStatus.REJECTED
    if approve:
        cert.number, cert.valid_from, cert.valid_to = number.strip(), valid_from, valid_to
    cert.reason = (reason or "").strip()
    cert.decided_by, cert.decided_at = (user if getattr(user, "pk", None) else None), timezone.now()
    # an approval makes the product's purchases within the validity count (the summary table follows)
    recount = totals.recounting(cert.product_id, valid_from, valid_to) if approve else contextlib.nullcontext()
    with recount:
        try:
            with transaction.atomic():
                cert.save()
        except IntegrityError:
            raise field_error("number", _("certificate number %(n)s is already given") % {"n": number.strip()}) from None
    if approve:
        changed({cert.product.county.code}, valid_from, sender=Certificate)
    return cert


@action
def revoke_certificate(user, certificate: Certificate, *, revoked_on: datetime.date, reason: str) -> Certificate:
    """The province office revokes a certificate: purchases from `revoked_on` on stop counting."""
    cert = Certificate.objects.select_for_update().select_related("product__county").get(pk=certificate.pk)
    if not rules.may_decide_certificate(user, cert.product.county):
        raise PermissionDenied(_("only the province office over %(county)s revokes certificates") % {"county": cert.product.county})
    errors = {}
    if cert.status != CertStatus.APPROVED:
        errors["status"] = [_("only an approved certificate can be revoked")]
    elif cert.revoked_on is not None:
        errors["status"] = [_("this certificate was revoked on %(d)s") % {"d": cert.revoked_on.isoformat()}]
    problem = rules.day_problem(revoked_on, not_future=False)
    if problem:
        errors["revoked_on"] = [problem]
    elif cert.valid_from and revoked_on < cert.valid_from:
        errors["revoked_on"] = [_("the certificate was not yet valid on that day")]
    problem = rules.text_error(reason, 300, what=_("a reason"))
    if problem:
        errors["reason"] = [problem]
    _raise(errors)
    cert.revoked_on, cert.reason = revoked_on, reason.strip()
    with totals.recounting(cert.product_id, revoked_on, cert.valid_to):  # its purchases from that day stop counting
        cert.save()
    changed({cert.product.county.code}, revoked_on, sender=Certificate)
    return cert


# --- buyers and canteen shares ----------------------------------------------------------------


@action
def save_buyer(user, instance: Buyer | None = None, *, kind, name, region, organisation=None, is_demo=False) -> Buyer:
    _raise(rules.buyer_errors(kind, name, region, organisation))
    if not rules.may_keep_buyer(user, region) or (instance is not None and not rules.may_keep_buyer(user, instance.region)):
        raise PermissionDenied(_("only the office of %(region)s keeps its buyers") % {"region": region})
    b = instance or Buyer()
    b.kind, b.name, b.region, b.organisation, b.is_demo = kind, name.strip(), region, organisation, is_demo
    if Buyer.objects.filter(region=region, name=b.name).exclude(pk=b.pk).exists():
        raise field_error("name", _("a buyer named %(name)s is already recorded in %(region)s") % {"name": b.name, "region": region})
    b.save()
    return b


@action
def save_canteen_share(user, *, buyer: Buyer, year: int, canteen_food_fen: int, reserved_percent, filed_on=None,
                       is_demo=False) -> CanteenShare:
    """A budget unit files (or corrects) its reserved share for a year. Filed after 20
    February it is kept and shown as late."""
    filed_on = filed_on or timezone.localdate()
    _raise(rules.share_errors(buyer, year, canteen_food_fen, reserved_percent, filed_on))
    if not rules.may_keep_buyer(user, buyer.region):
        raise PermissionDenied(_("only the office of %(region)s files its budget units' shares") % {"region": buyer.region})
    share = CanteenShare.objects.select_for_update().filter(buyer=buyer, year=year).first() or CanteenShare(buyer=buyer, year=year)
    share.canteen_food_fen, share.reserved_percent, share.filed_on, share.is_demo = canteen_food_fen, reserved_percent, filed_on, is_demo
    share.save()
    return share


# --- purchases --------------------------------------------------------------------------------


def _clash_after_race(user, rows) -> dict:
    """After the unique constraint refused a write (a concurrent writer committed the same
    evidence number first): the refusals naming the records that won."""
    recorded = recorded_evidence({(r.product.supplier_id, r.evidence_number) for r in rows})
    errors = {}
    for i, r in enumerate(rows):
        other = recorded.get((r.product.supplier_id, r.evidence_number))
        if other is not None:
            errors[i] = {"evidence_number": [rules.evidence_clash(r.evidence_number, r.product.supplier, other, r.channel, r.buyer)]}
    return errors


def _unique_violation(exc) -> bool:
    if isinstance(exc, IntegrityError):
        return True
    try:
        import psycopg
    except ImportError:  # pragma: no cover
        return False
    return isinstance(exc, psycopg.errors.UniqueViolation)


@action
def record_purchases(user, rows: list[PurchaseRow]) -> list[int]:
    """Record purchases, all or none; the id of each. Refused: BatchRefused by position."""
    errors = check_purchases(user, rows)
    if errors:
        raise BatchRefused(errors)
    try:
        with transaction.atomic():
            return write_purchases(user, rows)
    except Exception as exc:
        if not _unique_violation(exc):
            raise
        errors = _clash_after_race(user, rows)
        if not errors:
            raise
        raise BatchRefused(errors) from None


@action
def record_purchase(user, *, buyer, product, amount_fen, purchased_on, channel, evidence_number, channel_name="",
                    client_id=None, is_demo=False) -> Purchase:
    """One purchase: the batch of one."""
    row = PurchaseRow(buyer, product, amount_fen, purchased_on, channel, evidence_number, channel_name, client_id, is_demo)
    try:
        (pk,) = record_purchases(user, [row])
    except BatchRefused as exc:
        raise ValidationError(exc.refused[0]) from None
    return Purchase.objects.select_related("buyer", "product", "supplier", "county", "buyer_region", "pairing").get(pk=pk)

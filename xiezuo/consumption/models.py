"""Consumption help (消费帮扶): western products and their certification, buyers, the
reserved share of budget units' canteen purchases, and purchase records.

A purchase counts against the agreement's consumption commitment when its product held a
certificate in force on the day of purchase (`counted_q`): approved, the day within its
validity, and not revoked on or before that day. Certificates are kept, never overwritten,
so a renewal does not change what counted under the old one.

The same purchase reported through two channels counts once: an evidence number is unique
per supplier (a database constraint, so two concurrent writers cannot both pass)."""
from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xiezuo.core.audit import Audited
from xiezuo.core.scoping import ScopedQuerySet

from .choices import BuyerKind, CertStatus, Channel


class Product(Audited):
    """A product of a western county, sold by its supplier."""

    scope_paths = ("county__code",)
    scope_include_partners = True  # the paired eastern offices see what their partners sell
    objects = ScopedQuerySet.as_manager()

    name = models.CharField(_("name"), max_length=100)
    category = models.CharField(_("category"), max_length=50, blank=True)
    supplier = models.ForeignKey("orgs.Organisation", verbose_name=_("supplier"), on_delete=models.PROTECT, related_name="+")
    county = models.ForeignKey("regions.Region", verbose_name=_("county of origin"), on_delete=models.PROTECT, related_name="+")
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["county__code", "name", "id"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        constraints = [models.UniqueConstraint(fields=["supplier", "name"], name="consumption_product_name_per_supplier")]

    def __str__(self):
        return f"{self.name}（{self.supplier.name}）"

    def audit_region_code(self):
        return self.county.code

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("consumption-product-detail", args=[self.pk])

    def certificate_on(self, day):
        """The certificate in force on `day`, or None."""
        return self.certificates.filter(in_force_q(day)).order_by("-valid_from").first()


def in_force_q(day) -> Q:
    return Q(status=CertStatus.APPROVED, valid_from__lte=day, valid_to__gte=day) & (Q(revoked_on__isnull=True) | Q(revoked_on__gt=day))


class Certificate(Audited):
    """One application for certification (认定) of a product: the western county applies, the
    province office approves (number and validity) or rejects, and may revoke later."""

    scope_paths = ("product__county__code",)
    scope_include_partners = True
    objects = ScopedQuerySet.as_manager()

    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="certificates")
    status = models.CharField(_("status"), max_length=10, choices=CertStatus.choices, default=CertStatus.APPLIED)
    number = models.CharField(_("certificate number"), max_length=40, null=True, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    applied_at = models.DateTimeField(_("applied at"), default=timezone.now)
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-applied_at", "-id"]
        verbose_name = _("product certificate")
        verbose_name_plural = _("product certificates")
        constraints = [models.UniqueConstraint(fields=["number"], name="consumption_certificate_number")]
        indexes = [models.Index(fields=["product", "status"], name="consumption_cert_product_idx")]

    def __str__(self):
        return self.number or f"{self.product.name} #{self.pk}"

    def audit_region_code(self):
        return self.product.county.code


class Buyer(Audited):
    """Who buys: a budget unit, an enterprise, a union (organisations on the platform where
    they are) or the individuals buying through one channel, counted together."""

    scope_paths = ("region__code",)
    scope_include_partners = True  # a paired western county records what the buyer bought of its products
    objects = ScopedQuerySet.as_manager()

    kind = models.CharField(_("kind"), max_length=12, choices=BuyerKind.choices)
    name = models.CharField(_("name"), max_length=200)
    organisation = models.ForeignKey("orgs.Organisation", verbose_name=_("organisation"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["region__code", "name", "id"]
        verbose_name = _("buyer")
        verbose_name_plural = _("buyers")
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="consumption_buyer_name_in_region")]

    def __str__(self):
        return self.name

    def audit_region_code(self):
        return self.region.code


class CanteenShare(Audited):
    """A budget unit's reserved share of its canteen food purchases for western products,
    filed for a year (national rule: at least 10 %, 15 % encouraged, filed by 20 February)."""

    scope_paths = ("buyer__region__code",)
    scope_include_partners = False
    objects = ScopedQuerySet.as_manager()

    buyer = models.ForeignKey(Buyer, verbose_name=_("budget unit"), on_delete=models.PROTECT, related_name="canteen_shares")
    year = models.PositiveSmallIntegerField(_("year"))
    canteen_food_fen = models.BigIntegerField(_("planned canteen food purchases (fen)"))
    reserved_percent = models.DecimalField(_("reserved share (%)"), max_digits=5, decimal_places=2)
    filed_on = models.DateField(_("filed on"))
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["-year", "buyer_id"]
        verbose_name = _("canteen reserved share")
        verbose_name_plural = _("canteen reserved shares")
        constraints = [
            models.UniqueConstraint(fields=["buyer", "year"], name="consumption_share_per_year"),
            models.CheckConstraint(condition=Q(canteen_food_fen__gte=0), name="consumption_share_food_nonneg"),
        ]

    def __str__(self):
        return f"{self.buyer} {self.year}"

    def audit_region_code(self):
        return self.buyer.region.code

    @property
    def reserved_fen(self) -> int:
        return int(self.canteen_food_fen * self.reserved_percent // 100)

    @property
    def filed_late(self) -> bool:
        import datetime

        from .choices import FILING_DEADLINE

        return self.filed_on > datetime.date(self.year, *FILING_DEADLINE)


class Purchase(Audited):
    """One purchase of a western product. `supplier`, `county` and `buyer_region` repeat the
    product's and the buyer's (they never change) so that scoping, the evidence constraint and
    the figures read one table; `pairing` is the region pairing in force on the day that
    links the buyer's region and the product's county, whose agreement the purchase counts
    against (none: it counts for nobody's commitment)."""

    scope_paths = ("county__code", "buyer_region__code")
    scope_include_partners = False  # the west sees purchases of its products, the east those of its buyers
    objects = ScopedQuerySet.as_manager()

    # No database constraints on these keys (as in the ledger): checking six of them for every
    # row at commit cost more than the rest of a batch's writing. The writer reads the buyer and
    # the product (locked, `totals.lock_products`) in its transaction and copies the supplier,
    # the county and the buyer's region from them; nothing deletes any of them (PROTECT). No
    # index of their own where an index below starts with the column (as the ledger's `kind`).
    # Every index costs each batch a tenth of its database time (random pages of a large
    # index, ten thousand times): the buyer's and the product's purchases are read through the
    # buyer's region and the product's county, which their readers name too (`filtersets`,
    # `totals.recounting`), a few thousand purchases at most, so neither has an index.
    buyer = models.ForeignKey(Buyer, verbose_name=_("buyer"), on_delete=models.PROTECT, related_name="purchases", db_constraint=False,
                              db_index=False)
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="purchases",
                                db_constraint=False, db_index=False)
    supplier = models.ForeignKey("orgs.Organisation", verbose_name=_("supplier"), on_delete=models.PROTECT, related_name="+",
                                 db_constraint=False, db_index=False)
    county = models.ForeignKey("regions.Region", verbose_name=_("county of origin"), on_delete=models.PROTECT, related_name="+",
                               db_constraint=False, db_index=False)
    buyer_region = models.ForeignKey("regions.Region", verbose_name=_("buyer's region"), on_delete=models.PROTECT, related_name="+",
                                     db_constraint=False, db_index=False)
    pairing = models.ForeignKey("pairings.Pairing", verbose_name=_("pairing"), null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+", db_constraint=False, db_index=False)
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    purchased_on = models.DateField(_("purchased on"))
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    channel_name = models.CharField(_("channel name"), max_length=100, blank=True)
    evidence_number = models.CharField(_("evidence number"), max_length=64)
    client_id = models.CharField(_("client id"), max_length=64, null=True, blank=True)
    client_ns = models.BigIntegerField(_("client id namespace"), default=0, db_default=0, editable=False)
    is_demo = models.BooleanField(_("demo data"), default=False)
    recorded_at = models.DateTimeField(_("recorded at"), null=True, blank=True, default=timezone.now, editable=False)

    audit_exclude = ("recorded_at", "client_ns")

    class Meta:
        ordering = ["-purchased_on", "-id"]
        verbose_name = _("purchase")
        verbose_name_plural = _("purchases")
        constraints = [
            models.UniqueConstraint(fields=["supplier", "evidence_number"], name="consumption_evidence_per_supplier"),
            models.UniqueConstraint(fields=["client_id", "client_ns"], name="consumption_purchase_client_id"),
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="consumption_purchase_amount_pos"),
        ]
        indexes = [
            models.Index(fields=["county", "purchased_on"], name="consumption_purchase_county"),
            models.Index(fields=["buyer_region", "purchased_on"], name="consumption_purchase_buyer"),
            models.Index(fields=["pairing", "purchased_on"], name="consumption_purchase_pairing"),
            # the list's order: its first page without sorting millions of purchases
            models.Index(fields=["-purchased_on", "-id"], name="consumption_purchase_order"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.evidence_number}"

    def audit_region_code(self):
        return self.county.code

    def audit_other_region_code(self):
        return self.buyer_region.code


def counted_exists() -> Exists:
    """True for a purchase whose product held a certificate in force on the day of purchase:
    an expired or revoked certificate stops counting from that day."""
    certs = Certificate.objects.filter(product=OuterRef("product"), status=CertStatus.APPROVED,
                                       valid_from__lte=OuterRef("purchased_on"), valid_to__gte=OuterRef("purchased_on")).filter(
        Q(revoked_on__isnull=True) | Q(revoked_on__gt=OuterRef("purchased_on")))
    return Exists(certs)


def counted_q() -> Q:
    """The purchases that count against a commitment (see `counted_exists`)."""
    return Q(counted_exists())


from .totals import PurchaseTotal  # noqa: E402,F401  the dashboard's summary table (consumption/totals.py)

"""Factor markets (要素市场): the land-quota exchange, the carbon-sink registry and the
technology transfer centre.

Units are whole numbers everywhere, so nothing is sold or counted twice by rounding:
- land quota in ten-thousandths of a mu (`*_u`, 1 mu = 10,000 u), a listing being the unit
  range [0, area_u) of its county's surplus; a lot is a sub-range [start_u, end_u), sold at
  most once;
- carbon in whole tonnes of CO2e, each with a serial number; a block is the inclusive serial
  range [first, last] of one project and vintage;
- money in fen (core.money).
Every change of state is an action in land/, carbon/ or tech/ (`actions.py`).
"""
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xiezuo.core.audit import Audited
from xiezuo.core.scoping import ScopedQuerySet

from .choices import (AuctionStatus, BlockStatus, DealKind, LandClass, ListingStatus, Movement, SinkKind, TechKind,
                      TradeMethod)

MU = 10_000  # units of a mu (0.0001 mu)

# --- configuration (edited by the national coordinator) --------------------------------------


class QuotaPrice(Audited):
    """The price of cross-province surplus quota for a year and land class, per mu (set by the
    central government; configuration, never a constant)."""

    year = models.PositiveSmallIntegerField(_("year"))
    land_class = models.CharField(_("land class"), max_length=12, choices=LandClass.choices)
    price_fen_per_mu = models.BigIntegerField(_("price per mu (fen)"))

    class Meta:
        ordering = ["-year", "land_class"]
        verbose_name = _("quota price")
        constraints = [
            models.UniqueConstraint(fields=["year", "land_class"], name="markets_uniq_price"),
            models.CheckConstraint(condition=Q(price_fen_per_mu__gt=0), name="markets_price_pos"),
        ]

    def __str__(self):
        return f"{self.year} {self.get_land_class_display()}"


class SplitRule(Audited):
    """How a county's land-quota proceeds are split between farmers and the village
    collective (Chongqing's land ticket: 85:15), per year; configuration."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    farmers_share = models.PositiveSmallIntegerField(_("farmers' share"))
    collective_share = models.PositiveSmallIntegerField(_("collective's share"))

    class Meta:
        ordering = ["-year"]
        verbose_name = _("proceeds split rule")
        constraints = [models.CheckConstraint(condition=Q(farmers_share__gt=0) | Q(collective_share__gt=0), name="markets_split_some")]

    def __str__(self):
        return f"{self.year} {self.farmers_share}:{self.collective_share}"


# --- the land-quota exchange ------------------------------------------------------------------


class QuotaListing(Audited):
    scope_paths = ("county__code",)
    scope_include_partners = True
    objects = ScopedQuerySet.as_manager()

    code = models.CharField(_("listing code"), max_length=32, unique=True)
    county = models.ForeignKey("regions.Region", verbose_name=_("county"), on_delete=models.PROTECT, related_name="+")
    seller = models.ForeignKey("orgs.Organisation", verbose_name=_("seller"), on_delete=models.PROTECT, related_name="+")
    land_class = models.CharField(_("land class"), max_length=12, choices=LandClass.choices)
    area_u = models.BigIntegerField(_("area (0.0001 mu)"))
    source_project = models.CharField(_("land consolidation project"), max_length=200)
    approval_doc = models.CharField(_("approval document"), max_length=100)
    province_confirmation = models.CharField(_("province's confirmation"), max_length=100)
    year = models.PositiveSmallIntegerField(_("year"))
    listed_on = models.DateField(_("listed on"))
    status = models.CharField(_("status"), max_length=10, choices=ListingStatus.choices, default=ListingStatus.OPEN, db_index=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["-listed_on", "-id"]
        verbose_name = _("quota listing")
        constraints = [models.CheckConstraint(condition=Q(area_u__gt=0), name="markets_listing_area_pos")]

    def __str__(self):
        return self.code

    def audit_region_code(self):
        return self.county.code

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("markets-land-detail", args=[self.pk])


class QuotaAuction(Audited):
    """A call auction (集合竞价) over a listing's unsold units: bids collect until it is
    cleared at one price."""

    scope_paths = ("listing__county__code",)
    scope_include_partners = True
    objects = ScopedQuerySet.as_manager()

    listing = models.ForeignKey(QuotaListing, on_delete=models.PROTECT, related_name="auctions")
    reserve_fen_per_mu = models.BigIntegerField(_("reserve price per mu (fen)"))
    closes_on = models.DateField(_("closes on"))
    status = models.CharField(_("status"), max_length=10, choices=AuctionStatus.choices, default=AuctionStatus.OPEN)
    clearing_fen_per_mu = models.BigIntegerField(_("clearing price per mu (fen)"), null=True, blank=True)
    cleared_at = models.DateTimeField(_("cleared at"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("call auction")
        constraints = [models.UniqueConstraint(fields=["listing"], condition=Q(status="open"), name="markets_one_open_auction")]

    def audit_region_code(self):
        return self.listing.county.code


class QuotaBid(Audited):
    scope_paths = ("auction__listing__county__code", "bidder__region__code")
    scope_include_partners = False
    objects = ScopedQuerySet.as_manager()

    auction = models.ForeignKey(QuotaAuction, on_delete=models.PROTECT, related_name="bids")
    bidder = models.ForeignKey("orgs.Organisation", verbose_name=_("bidder"), on_delete=models.PROTECT, related_name="+")
    area_u = models.BigIntegerField(_("area (0.0001 mu)"))
    limit_fen_per_mu = models.BigIntegerField(_("limit price per mu (fen)"))
    placed_at = models.DateTimeField(_("placed at"), default=timezone.now)
    filled_u = models.BigIntegerField(_("filled (0.0001 mu)"), default=0)

    class Meta:
        ordering = ["auction_id", "id"]
        constraints = [models.CheckConstraint(condition=Q(area_u__gt=0) & Q(limit_fen_per_mu__gt=0), name="markets_bid_pos")]

    def audit_region_code(self):
        return self.bidder.region.code


class QuotaTrade(Audited):
    """One sale: a range of a listing's units to a buyer at a price, paid through the ledger."""

    scope_paths = ("listing__county__code", "buyer__region__code")
    scope_include_partners = False
    objects = ScopedQuerySet.as_manager()

    listing = models.ForeignKey(QuotaListing, on_delete=models.PROTECT, related_name="trades")
    buyer = models.ForeignKey("orgs.Organisation", verbose_name=_("buyer"), on_delete=models.PROTECT, related_name="+")
    method = models.CharField(_("method"), max_length=8, choices=TradeMethod.choices)
    auction = models.ForeignKey(QuotaAuction, null=True, blank=True, on_delete=models.PROTECT, related_name="trades")
    start_u = models.BigIntegerField(_("first unit"))
    end_u = models.BigIntegerField(_("end unit (exclusive)"))
    price_fen_per_mu = models.BigIntegerField(_("price per mu (fen)"))
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    traded_on = models.DateField(_("traded on"), db_index=True)
    posting = models.ForeignKey("ledger.Posting", verbose_name=_("ledger posting"), null=True, blank=True,
                                on_delete=models.PROTECT, db_constraint=False, related_name="+")
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["-traded_on", "-id"]
        verbose_name = _("quota trade")
        constraints = [
            models.CheckConstraint(condition=Q(start_u__gte=0) & Q(end_u__gt=F("start_u")), name="markets_trade_range"),
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="markets_trade_amount_pos"),
            # a unit is sold once: no two trades of a listing start at the same unit (ranges are cut under the listing's lock)
            models.UniqueConstraint(fields=["listing", "start_u"], name="markets_trade_unit_once"),
        ]

    @property
    def area_u(self):
        return self.end_u - self.start_u

    def __str__(self):
        from .units import unit_numbers

        return f"{self.listing.code} {unit_numbers(self.start_u, self.end_u)}"

    def audit_region_code(self):
        return self.listing.county.code

    def audit_other_region_code(self):
        return self.buyer.region.code


class ProceedsSplit(Audited):
    """A trade's proceeds split between the farmers and the village collective by the year's rule."""

    scope_paths = ("trade__listing__county__code",)
    scope_include_partners = True
    objects = ScopedQuerySet.as_manager()

    trade = models.OneToOneField(QuotaTrade, on_delete=models.PROTECT, related_name="split")
    rule = models.ForeignKey(SplitRule, on_delete=models.PROTECT, related_name="+")
    distributable_fen = models.BigIntegerField(_("distributable (fen)"))
    farmers_fen = models.BigIntegerField(_("farmers (fen)"))
    collective_fen = models.BigIntegerField(_("collective (fen)"))
    # the farmers' part among registry households: `HouseholdShare` rows (split.shares)
    # the payout (land.actions.pay_out): each share as one ledger posting from the county's receiving account
    paid_on = models.DateField(_("paid out on"), null=True, blank=True)
    payout_project = models.ForeignKey("projects.Project", verbose_name=_("paid out through project"), null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="+")
    farmers_posting = models.ForeignKey("ledger.Posting", verbose_name=_("farmers' payout posting"), null=True, blank=True,
                                        on_delete=models.PROTECT, db_constraint=False, related_name="+")
    collective_posting = models.ForeignKey("ledger.Posting", verbose_name=_("collective's payout posting"), null=True,
                                           blank=True, on_delete=models.PROTECT, db_constraint=False, related_name="+")

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(farmers_fen__gte=0) & Q(collective_fen__gte=0)
                                              & Q(distributable_fen=F("farmers_fen") + F("collective_fen")), name="markets_split_sums")]

    def audit_region_code(self):
        return self.trade.listing.county.code


class HouseholdShare(Audited):
    """One household's share of a split's farmers' part: a household of the monitoring registry
    of the listing's county, its weight (e.g. its area in 0.0001 mu) and the fen it gets, the
    parts summing exactly to the farmers' part (largest remainder, `units.largest_remainder`).
    A share recorded by name before the registry link and not found in it unambiguously keeps
    that name (`unmatched_name`) and no household: the money stays on record, to be resolved
    (see migration 0006). Row-level: only the county's side that may see registry rows."""

    scope_paths = ("split__trade__listing__county__code",)
    scope_include_partners = False
    objects = ScopedQuerySet.as_manager()
    audit_exclude = ("unmatched_name",)

    split = models.ForeignKey(ProceedsSplit, on_delete=models.PROTECT, related_name="shares")
    position = models.PositiveSmallIntegerField(_("position"))
    household = models.ForeignKey("households.Household", verbose_name=_("household"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="land_shares")
    unmatched_name = models.CharField(_("name recorded, not matched in the registry"), max_length=50, blank=True, default="")
    weight = models.BigIntegerField(_("weight"))
    fen = models.BigIntegerField(_("share (fen)"))

    class Meta:
        ordering = ["split_id", "position"]
        verbose_name = _("household share of land-quota proceeds")
        constraints = [
            models.CheckConstraint(condition=Q(weight__gt=0) & Q(fen__gte=0), name="markets_share_pos"),
            models.CheckConstraint(condition=Q(household__isnull=False) | ~Q(unmatched_name=""), name="markets_share_named"),
            models.UniqueConstraint(fields=["split", "household"], condition=Q(household__isnull=False), name="markets_share_once"),
            models.UniqueConstraint(fields=["split", "position"], name="markets_share_position"),
        ]

    @property
    def matched(self) -> bool:
        return self.household_id is not None

    def audit_region_code(self):
        return self.split.trade.listing.county.code


class EquityConversion(Audited):
    """股权折算: proceeds converted into shares of an industry-transfer project at a valuation,
    registered as the project's asset with its owner tier."""

    scope_paths = ("county__code", "project__pairing__east_region__code")
    scope_include_partners = False
    objects = ScopedQuerySet.as_manager()

    trade = models.OneToOneField(QuotaTrade, on_delete=models.PROTECT, related_name="equity")
    county = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey("projects.Project", on_delete=models.PROTECT, related_name="+")
    valuation_fen = models.BigIntegerField(_("valuation (fen)"))
    total_shares = models.BigIntegerField(_("shares outstanding"))
    shares = models.BigIntegerField(_("shares"))
    converted_fen = models.BigIntegerField(_("converted (fen)"))
    remainder_fen = models.BigIntegerField(_("not converted (fen)"))
    asset = models.ForeignKey("projects.Asset", on_delete=models.PROTECT, related_name="+")
    converted_on = models.DateField(_("converted on"))

    def audit_region_code(self):
        return self.county.code


# --- the carbon-sink registry -----------------------------------------------------------------


class SinkProject(Audited):
    scope_paths = ("county__code", "owner__region__code")
    scope_include_partners = True
    objects = ScopedQuerySet.as_manager()

    code = models.CharField(_("project code"), max_length=24, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=SinkKind.choices)
    county = models.ForeignKey("regions.Region", verbose_name=_("county"), on_delete=models.PROTECT, related_name="+")
    owner = models.ForeignKey("orgs.Organisation", verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+")
    methodology = models.CharField(_("methodology"), max_length=100)
    area_u = models.BigIntegerField(_("area (0.0001 mu)"))
    baseline_t = models.BigIntegerField(_("baseline (tCO2e per year)"), default=0)
    crediting_start = models.DateField(_("crediting period start"))
    crediting_end = models.DateField(_("crediting period end"))
    next_serial = models.BigIntegerField(_("next serial"), default=1, editable=False)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("carbon sink project")
        constraints = [models.CheckConstraint(condition=Q(area_u__gt=0), name="markets_sink_area_pos"),
                       models.CheckConstraint(condition=Q(crediting_end__gt=F("crediting_start")), name="markets_sink_period")]

    def __str__(self):
        return f"{self.code} {self.name}"

    def audit_region_code(self):
        return self.county.code

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("markets-carbon-detail", args=[self.pk])


class MonitoringReport(Audited):
    scope_paths = ("project__county__code",)
    scope_include_partners = True
    objects = ScopedQuerySet.as_manager()

    project = models.ForeignKey(SinkProject, on_delete=models.PROTECT, related_name="reports")
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    claimed_t = models.BigIntegerField(_("claimed removals (t)"))
    submitted_on = models.DateField(_("submitted on"))

    class Meta:
        ordering = ["project_id", "period_start"]
        constraints = [models.CheckConstraint(condition=Q(claimed_t__gt=0), name="markets_report_pos")]

    def audit_region_code(self):
        return self.project.county.code


class Verification(Audited):
    """The evaluator's verified tonnes for a monitoring report, of one vintage (the year the removals happened)."""

    scope_paths = ("report__project__county__code",)
    scope_include_partners = True
    objects = ScopedQuerySet.as_manager()

    report = models.OneToOneField(MonitoringReport, on_delete=models.PROTECT, related_name="verification")
    evaluator = models.ForeignKey("orgs.Organisation", verbose_name=_("evaluator"), on_delete=models.PROTECT, related_name="+")
    verified_t = models.BigIntegerField(_("verified (t)"))
    issued_t = models.BigIntegerField(_("issued (t)"), default=0)
    vintage = models.PositiveSmallIntegerField(_("vintage"))
    verified_on = models.DateField(_("verified on"))

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(verified_t__gt=0) & Q(issued_t__gte=0) & Q(issued_t__lte=F("verified_t")),
                                              name="markets_issued_le_verified")]

    def audit_region_code(self):
        return self.report.project.county.code


class CarbonBlock(models.Model):
    """A range of serial-numbered tonnes [first, last] of one project and vintage, in one
    holder's account or retired. Moving or splitting a block supersedes it (status `split`)
    by the blocks it became, so the live blocks (held or retired) of a project never overlap
    and together are exactly what was issued. Not audited row by row: every change is a
    `CarbonMove`, itself the registry's log."""

    scope_paths = ("project__county__code", "holder__region__code")
    scope_include_partners = ("project__county__code",)
    objects = ScopedQuerySet.as_manager()

    project = models.ForeignKey(SinkProject, on_delete=models.PROTECT, related_name="blocks")
    verification = models.ForeignKey(Verification, on_delete=models.PROTECT, related_name="blocks")
    vintage = models.PositiveSmallIntegerField(_("vintage"))
    first = models.BigIntegerField(_("first serial"))
    last = models.BigIntegerField(_("last serial"))
    holder = models.ForeignKey("orgs.Organisation", verbose_name=_("holder"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=8, choices=BlockStatus.choices, default=BlockStatus.ACTIVE)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    beneficiary = models.CharField(_("beneficiary"), max_length=200, blank=True)
    retirement_purpose = models.CharField(_("purpose of retirement"), max_length=300, blank=True)
    retired_on = models.DateField(_("retired on"), null=True, blank=True)

    class Meta:
        ordering = ["project_id", "first"]
        verbose_name = _("carbon unit block")
        constraints = [
            models.CheckConstraint(condition=Q(first__gte=1) & Q(last__gte=F("first")), name="markets_block_range"),
            # two live blocks of a project never start at the same serial (the rest of "never overlap" is checked by
            # `markets verify` and kept by the actions, which cut blocks under the block's row lock)
            models.UniqueConstraint(fields=["project", "first"], condition=~Q(status="split"), name="markets_block_live_first"),
            models.CheckConstraint(condition=~Q(status="retired") | Q(retired_on__isnull=False), name="markets_retired_dated"),
        ]
        indexes = [models.Index(fields=["holder", "status"]), models.Index(fields=["project", "status", "first"])]

    @property
    def units(self):
        return self.last - self.first + 1

    @property
    def serial(self):
        from .carbon.serials import format_serial

        return format_serial(self.project.code, self.vintage, self.first, self.last)

    def __str__(self):
        return self.serial


class CarbonMove(Audited):
    """The registry's log: every issuance, transfer, delivery and retirement, block by block.
    Each move is also an entry of the platform's audit log (`Audited`; the actions' bulk
    writes record theirs with `core.audit.record_created`), so the audit page shows who moved
    which serials, under the project's county and the receiving holder's region."""

    scope_paths = ("block__project__county__code", "from_holder__region__code", "to_holder__region__code")
    scope_include_partners = ("block__project__county__code",)
    objects = ScopedQuerySet.as_manager()

    kind = models.CharField(_("kind"), max_length=8, choices=Movement.choices)
    block = models.ForeignKey(CarbonBlock, on_delete=models.PROTECT, related_name="moves")  # the block it made
    source = models.ForeignKey(CarbonBlock, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    from_holder = models.ForeignKey("orgs.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    to_holder = models.ForeignKey("orgs.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    units = models.BigIntegerField(_("units"))
    subscription = models.ForeignKey("Subscription", null=True, blank=True, on_delete=models.PROTECT, related_name="moves")
    posting = models.ForeignKey("ledger.Posting", null=True, blank=True, on_delete=models.PROTECT, db_constraint=False,
                                related_name="+")
    on = models.DateField(_("date"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.block} ({self.units:,} t)"

    def audit_region_code(self):
        return self.block.project.county.code

    def audit_other_region_code(self):
        holder = self.to_holder or self.from_holder
        return holder.region.code if holder is not None else ""


class Subscription(Audited):
    """认购: an eastern subscriber's contract for a share of a project's future issuances at a price per tonne."""

    scope_paths = ("project__county__code", "subscriber__region__code")
    scope_include_partners = ("project__county__code",)
    objects = ScopedQuerySet.as_manager()

    project = models.ForeignKey(SinkProject, on_delete=models.PROTECT, related_name="subscriptions")
    subscriber = models.ForeignKey("orgs.Organisation", verbose_name=_("subscriber"), on_delete=models.PROTECT, related_name="+")
    price_fen_per_t = models.BigIntegerField(_("price per tonne (fen)"))
    share_pct = models.PositiveSmallIntegerField(_("share of issuances (%)"))
    tonnes = models.BigIntegerField(_("tonnes subscribed"))
    delivered_t = models.BigIntegerField(_("tonnes delivered"), default=0)
    signed_on = models.DateField(_("signed on"))
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["-signed_on", "-id"]
        constraints = [models.CheckConstraint(condition=Q(price_fen_per_t__gt=0) & Q(tonnes__gt=0) & Q(share_pct__gt=0)
                                              & Q(share_pct__lte=100) & Q(delivered_t__gte=0) & Q(delivered_t__lte=F("tonnes")),
                                              name="markets_subscription_valid")]

    def audit_region_code(self):
        return self.project.county.code

    def audit_other_region_code(self):
        return self.subscriber.region.code


# --- the technology transfer centre ----------------------------------------------------------


class Technology(Audited):
    """A patent or technology offered by an eastern university, institute or enterprise.
    The catalogue is public to every user (it is a market)."""

    scope_paths = ("owner__region__code",)
    scope_include_partners = True
    objects = ScopedQuerySet.as_manager()

    kind = models.CharField(_("kind"), max_length=10, choices=TechKind.choices, default=TechKind.PATENT)
    number = models.CharField(_("number"), max_length=32, unique=True)
    title = models.CharField(_("title"), max_length=200)
    abstract = models.TextField(_("abstract"), blank=True)
    ipc = models.CharField(_("IPC class"), max_length=20, blank=True, db_index=True)
    owner = models.ForeignKey("orgs.Organisation", verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+")
    licence_terms = models.CharField(_("licence terms"), max_length=300, blank=True)
    # the title and abstract segmented by jieba (tech/matching.tokens), space-separated: the matching index reads these
    tokens = models.TextField(blank=True, default="", editable=False)
    listed_on = models.DateField(_("listed on"), default=timezone.localdate)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["-listed_on", "-id"]
        verbose_name = _("technology")
        verbose_name_plural = _("technologies")

    def __str__(self):
        return f"{self.number} {self.title}"

    def audit_region_code(self):
        return self.owner.region.code


class TechNeed(Audited):
    scope_paths = ("county__code",)
    scope_include_partners = True
    objects = ScopedQuerySet.as_manager()

    title = models.CharField(_("title"), max_length=200)
    problem = models.TextField(_("problem"))
    sector = models.CharField(_("sector"), max_length=50, blank=True)
    ipc = models.CharField(_("IPC class"), max_length=20, blank=True)
    county = models.ForeignKey("regions.Region", verbose_name=_("county"), on_delete=models.PROTECT, related_name="+")
    tokens = models.TextField(blank=True, default="", editable=False)  # title, problem and sector segmented (see Technology.tokens)
    requester = models.ForeignKey("orgs.Organisation", verbose_name=_("requester"), on_delete=models.PROTECT, related_name="+")
    posted_on = models.DateField(_("posted on"), default=timezone.localdate)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["-posted_on", "-id"]
        verbose_name = _("technology need")

    def __str__(self):
        return self.title

    def audit_region_code(self):
        return self.county.code


class TechDeal(Audited):
    scope_paths = ("technology__owner__region__code", "licensee__region__code", "county__code")
    scope_include_partners = False
    objects = ScopedQuerySet.as_manager()

    technology = models.ForeignKey(Technology, on_delete=models.PROTECT, related_name="deals")
    need = models.ForeignKey(TechNeed, null=True, blank=True, on_delete=models.PROTECT, related_name="deals")
    licensee = models.ForeignKey("orgs.Organisation", verbose_name=_("licensee"), on_delete=models.PROTECT, related_name="+")
    # the western county where the technology is put to work (the need's county, else the licensee's)
    county = models.ForeignKey("regions.Region", verbose_name=_("county"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=DealKind.choices)
    price_fen = models.BigIntegerField(_("price (fen)"))
    royalty_permille = models.PositiveSmallIntegerField(_("royalty (‰ of revenue)"), default=0)
    signed_on = models.DateField(_("signed on"))
    # the price paid through the ledger, licensee to owner (tech.actions.settle_deal); none for a deal without a price
    posting = models.ForeignKey("ledger.Posting", verbose_name=_("ledger posting"), null=True, blank=True,
                                on_delete=models.PROTECT, db_constraint=False, related_name="+")
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["-signed_on", "-id"]
        constraints = [models.CheckConstraint(condition=Q(price_fen__gte=0) & Q(royalty_permille__lte=1000), name="markets_deal_valid")]

    def audit_region_code(self):
        return self.licensee.region.code

    def audit_other_region_code(self):
        return self.technology.owner.region.code


class DealReturn(Audited):
    """What a deal earned the licensee in a period (revenue from the technology) and what it cost (price instalments, royalties)."""

    scope_paths = ("deal__technology__owner__region__code", "deal__licensee__region__code", "deal__county__code")
    scope_include_partners = False
    objects = ScopedQuerySet.as_manager()

    deal = models.ForeignKey(TechDeal, on_delete=models.PROTECT, related_name="returns")
    period_end = models.DateField(_("period end"))
    revenue_fen = models.BigIntegerField(_("revenue (fen)"))
    cost_fen = models.BigIntegerField(_("cost (fen)"))
    # the royalty the period's revenue owes at the deal's rate (half up), paid through the ledger licensee to owner
    royalty_fen = models.BigIntegerField(_("royalty (fen)"), default=0, db_default=0)
    posting = models.ForeignKey("ledger.Posting", verbose_name=_("royalty posting"), null=True, blank=True,
                                on_delete=models.PROTECT, db_constraint=False, related_name="+")

    class Meta:
        ordering = ["-period_end"]
        constraints = [models.CheckConstraint(condition=Q(revenue_fen__gte=0) & Q(cost_fen__gte=0), name="markets_return_nonneg"),
                       models.UniqueConstraint(fields=["deal", "period_end"], name="markets_return_once")]

    def audit_region_code(self):
        return self.deal.licensee.region.code

"""Pages of consumption help: purchases (the menu's entry) with the figures against the
commitment, products and their certification, buyers and canteen shares. Thin: filter
sets, actions, exports."""
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy as _l
from django.views.decorators.http import require_POST

from xiezuo.core.errors import ValidationError
from xiezuo.core.scoping import scope_for, visible
from xiezuo.core.ui.forms import filter_values
from xiezuo.core.ui.views import (Counted, background_export, export_or_job, paginate, require, roundtrip, roundtrip_links, run_action,
                                  scoped_or_404, wants_xlsx)
from xiezuo.orgs.models import Organisation
from xiezuo.regions.models import Region

from . import actions, rules
from .choices import BuyerKind, CertStatus
from .exports import export_products, export_purchases
from .figures import channel_figures
from .filtersets import buyers, canteen_shares, certified_now, products, purchases, share_progress, totals
from .forms import (BuyerForm, CanteenShareForm, DecisionForm, ProductFilterForm, ProductForm, PurchaseFilterForm, PurchaseForm,
                    RevokeForm)
from .models import Certificate, Product
from .totals import recorded_and_counted


def _region_or_error(form, code, field):
    region = Region.objects.filter(code=(code or "").strip()).first()
    if region is None:
        form.add_error(field, _("no region has the code %(code)s") % {"code": code})
    return region


# --- purchases --------------------------------------------------------------------------------


@login_required
@background_export(_l("consumption purchases"))
def purchase_list(request):
    user = request.user
    form = PurchaseFilterForm(request.GET)
    filters = filter_values(form)
    qs = purchases(user, **filters)
    if wants_xlsx(request):
        return export_or_job(request, qs, export_purchases)
    from .importers import PurchaseImporter

    kinds = {"consumption-purchases": lambda: (PurchaseImporter(), qs.select_related("buyer_region"))}
    response = roundtrip(request, kinds)
    if response is not None:
        return response
    # unfiltered, the list is everything the user sees: its totals and its length are the summary's
    summary = None if filters else recorded_and_counted(user)
    return render(request, "consumption/purchases.html", {
        "form": form, "page": paginate(request, qs if filters else Counted(qs, summary["n"])), "figures": channel_figures(user),
        "totals": totals(qs) if filters else summary,
        "can_create": scope_for(user).can_write, "roundtrip_links": roundtrip_links(kinds),
    })


@login_required
def purchase_create(request):
    user = request.user
    require(scope_for(user).can_write)
    buyer_qs = visible(user, actions.Buyer.objects.select_related("region")).order_by("region__code", "name")
    product_qs = visible(user, Product.objects.select_related("supplier", "county")).order_by("county__code", "name")
    status = 200
    if request.method == "POST":
        form = PurchaseForm(request.POST, buyers=buyer_qs, products=product_qs)
        if form.is_valid():
            p, status = run_action(form, request, lambda: actions.record_purchase(user, **form.cleaned_data), _("Purchase recorded."))
            if p:
                return redirect("consumption-purchase-list")
    else:
        form = PurchaseForm(buyers=buyer_qs, products=product_qs, initial={"purchased_on": timezone.localdate()})
    return render(request, "consumption/form.html", {"form": form, "title": _("New purchase"), "back": "consumption-purchase-list"},
                  status=status)


# --- products ---------------------------------------------------------------------------------


@login_required
@background_export(_l("western products"))
def product_list(request):
    user = request.user
    form = ProductFilterForm(request.GET)
    qs = products(user, **filter_values(form))
    if wants_xlsx(request):
        return export_or_job(request, qs, export_products)
    from .importers import ProductImporter

    kinds = {"consumption-products": lambda: (ProductImporter(), qs)}
    response = roundtrip(request, kinds)
    if response is not None:
        return response
    return render(request, "consumption/products.html", {
        "form": form, "page": paginate(request, qs), "can_create": scope_for(user).can_write, "roundtrip_links": roundtrip_links(kinds),
    })


def _product(user, pk):
    return scoped_or_404(user, Product.objects.select_related("supplier", "county").annotate(certified=certified_now()), pk=pk)


@login_required
def product_detail(request, pk):
    user = request.user
    p = _product(user, pk)
    certs = list(p.certificates.select_related("applied_by", "decided_by"))
    pending = next((c for c in certs if c.status == CertStatus.APPLIED), None)
    may_decide = rules.may_decide_certificate(user, p.county)
    return render(request, "consumption/product.html", {
        "p": p, "certs": certs, "pending": pending, "today": timezone.localdate(),
        "may_apply": rules.may_keep_product(user, p.county) and pending is None, "may_decide": may_decide,
        "decision_form": DecisionForm(), "revoke_form": RevokeForm(initial={"revoked_on": timezone.localdate()}),
        "purchases": totals(purchases(user, product=p)),
    })


@login_required
def product_create(request):
    user = request.user
    require(scope_for(user).can_write)
    orgs = visible(user, Organisation.objects.select_related("region")).filter(region__role="west")
    status = 200
    if request.method == "POST":
        form = ProductForm(request.POST, organisations=orgs)
        if form.is_valid():
            county = _region_or_error(form, form.cleaned_data["county"], "county")
            if county is not None:
                values = {k: form.cleaned_data[k] for k in ("name", "category", "supplier")}
                p, status = run_action(form, request, lambda: actions.save_product(user, county=county, **values), _("Product saved."))
                if p:
                    return redirect("consumption-product-detail", p.pk)
    else:
        form = ProductForm(organisations=orgs)
    return render(request, "consumption/form.html", {"form": form, "title": _("New product"), "back": "consumption-product-list"},
                  status=status)


def _flash_errors(request, exc):
    from django.contrib import messages

    from xiezuo.core.errors import messages_of

    for field, msgs in messages_of(exc).items():
        for m in msgs:
            messages.error(request, m)


def _step(request, pk, do, done_message):
    """Run a certification step from the product page's buttons; refusals come back as messages."""
    from django.contrib import messages
    from django.core.exceptions import PermissionDenied

    try:
        do()
    except ValidationError as exc:
        _flash_errors(request, exc)
        return redirect("consumption-product-detail", pk)
    except PermissionDenied:
        raise
    messages.success(request, done_message)
    return redirect("consumption-product-detail", pk)


@login_required
@require_POST
def product_apply(request, pk):
    p = _product(request.user, pk)
    require(rules.may_keep_product(request.user, p.county))
    return _step(request, pk, lambda: actions.apply_certification(request.user, p), _("Certification applied for."))


@login_required
@require_POST
def certificate_decide(request, pk, cert_pk):
    p = _product(request.user, pk)
    cert = scoped_or_404(request.user, Certificate.objects.filter(product=p), pk=cert_pk)
    require(rules.may_decide_certificate(request.user, p.county))
    form = DecisionForm(request.POST)
    form.is_valid()
    d = form.cleaned_data
    approve = request.POST.get("decision") == "approve"
    return _step(request, pk, lambda: actions.decide_certificate(
        request.user, cert, approve=approve, number=d.get("number") or "", valid_from=d.get("valid_from"), valid_to=d.get("valid_to"),
        reason=d.get("reason") or ""), _("Certificate approved.") if approve else _("Application rejected."))


@login_required
@require_POST
def certificate_revoke(request, pk, cert_pk):
    p = _product(request.user, pk)
    cert = scoped_or_404(request.user, Certificate.objects.filter(product=p), pk=cert_pk)
    require(rules.may_decide_certificate(request.user, p.county))
    form = RevokeForm(request.POST)
    form.is_valid()
    d = form.cleaned_data
    return _step(request, pk, lambda: actions.revoke_certificate(request.user, cert, revoked_on=d.get("revoked_on"),
                                                                 reason=d.get("reason") or ""), _("Certificate revoked."))


# --- buyers and canteen shares -----------------------------------------------------------------


@login_required
def buyer_list(request):
    user = request.user
    qs = buyers(user, q=request.GET.get("q", ""), kind=request.GET.get("kind", ""))
    year = timezone.localdate().year
    return render(request, "consumption/buyers.html", {
        "page": paginate(request, qs), "kinds": BuyerKind.choices, "shares": share_progress(canteen_shares(user, year=year)),
        "year": year, "can_create": scope_for(user).can_write,
    })


@login_required
def buyer_create(request):
    user = request.user
    require(scope_for(user).can_write)
    orgs = visible(user, Organisation.objects.select_related("region"))
    status = 200
    if request.method == "POST":
        form = BuyerForm(request.POST, organisations=orgs)
        if form.is_valid():
            region = _region_or_error(form, form.cleaned_data["region"], "region")
            if region is not None:
                values = {k: form.cleaned_data[k] for k in ("kind", "name")}
                org = form.cleaned_data.get("organisation") or None
                b, status = run_action(form, request, lambda: actions.save_buyer(user, region=region, organisation=org, **values),
                                       _("Buyer saved."))
                if b:
                    return redirect("consumption-buyer-list")
    else:
        form = BuyerForm(organisations=orgs)
    return render(request, "consumption/form.html", {"form": form, "title": _("New buyer"), "back": "consumption-buyer-list"},
                  status=status)


@login_required
def share_create(request):
    user = request.user
    require(scope_for(user).can_write)
    units = visible(user, actions.Buyer.objects.select_related("region")).filter(kind=BuyerKind.BUDGET_UNIT)
    status = 200
    if request.method == "POST":
        form = CanteenShareForm(request.POST, buyers=units)
        if form.is_valid():
            s, status = run_action(form, request, lambda: actions.save_canteen_share(user, **form.cleaned_data),
                                   _("Reserved share filed."))
            if s:
                return redirect("consumption-buyer-list")
    else:
        form = CanteenShareForm(buyers=units, initial={"year": timezone.localdate().year, "filed_on": timezone.localdate()})
    return render(request, "consumption/form.html", {"form": form, "title": _("File a canteen reserved share"),
                                                     "back": "consumption-buyer-list",
                                                     "note": _("National rule: at least 10 per cent of canteen food purchases reserved for "
                                                               "products of western regions, 15 per cent encouraged, filed by 20 February.")},
                  status=status)

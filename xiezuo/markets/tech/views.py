"""Pages of the technology transfer centre: the catalogue, needs, each with its matches and
the reason (shared words, IPC class), and deals with their returns; forms to offer and edit
a technology (for its owner's side), post and edit a need (the western county's offices),
sign a deal and record its returns (the licensee's side)."""
from django.contrib.auth.decorators import login_required
from django.db.models import Sum
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _, gettext_lazy as _l

from xiezuo.core.excel import date_cell, export_response
from xiezuo.core.money import fen_to_yuan_decimal
from xiezuo.core.ui.views import background_export, export_or_job, paginate, require, run_action, wants_xlsx

from .. import rules
from ..common import organisations, western_counties
from ..models import DealReturn, TechNeed
from . import actions, matching
from .filtersets import deals, needs, technologies
from .forms import DealForm, NeedForm, ReturnForm, TechnologyForm


def export_technologies(qs):
    from django.utils.translation import gettext as _

    headers = [_("number"), _("kind"), _("title"), _("IPC class"), _("owner"), _("owner's region code"), _("licence terms"), _("listed on")]
    rows = ([t.number, t.get_kind_display(), t.title, t.ipc, t.owner.name, t.owner.region.code, t.licence_terms, date_cell(t.listed_on)]
            for t in qs.iterator(chunk_size=5000))
    return export_response(_("technologies"), _("technologies"), headers, rows)


@login_required
@background_export(_l("technologies"))
def tech_list(request):
    user = request.user
    q, ipc = request.GET.get("q", ""), request.GET.get("ipc", "")
    qs = technologies(user, q=q, ipc=ipc)
    if wants_xlsx(request):
        return export_or_job(request, qs, export_technologies)
    my_deals = deals(user)
    returns = DealReturn.objects.filter(deal__in=my_deals.values("pk")).aggregate(r=Sum("revenue_fen"), c=Sum("cost_fen"))
    return render(request, "markets/tech_list.html", {
        "q": q, "ipc": ipc, "page": paginate(request, qs), "needs": needs(user)[:20], "deals": my_deals[:20],
        "returns": returns, "deal_count": my_deals.count(),
        "can_offer": organisations(user, "east").exists(), "can_post_need": western_counties(user).exists(),
    })


def _form_page(request, form, title, back, status=200):
    return render(request, "markets/form.html", {"form": form, "title": title, "back": back}, status=status)


def _tech_values(c):
    return {k: c[k] for k in ("owner", "number", "title", "abstract", "ipc", "kind", "licence_terms")}


@login_required
def tech_create(request):
    user = request.user
    owners = organisations(user, "east")
    require(owners.exists())
    status = 200
    form = TechnologyForm(request.POST or None, owners=owners)
    if request.method == "POST" and form.is_valid():
        t, status = run_action(form, request, lambda: actions.offer_technology(user, **_tech_values(form.cleaned_data)),
                               _("Technology offered."))
        if t:
            return redirect("markets-tech-detail", t.pk)
    return _form_page(request, form, _("Offer a technology"), "markets-tech-list", status)


@login_required
def tech_edit(request, pk):
    user = request.user
    t = technologies(user).filter(pk=pk).first()
    require(t is not None and rules.may_act_for(user, t.owner) is None)
    owners = organisations(user, "east")
    status = 200
    initial = {"owner": t.owner_id, "kind": t.kind, "number": t.number, "title": t.title, "abstract": t.abstract, "ipc": t.ipc,
               "licence_terms": t.licence_terms}
    form = TechnologyForm(request.POST or None, owners=owners, initial=initial)
    if request.method == "POST" and form.is_valid():
        done, status = run_action(form, request, lambda: actions.edit_technology(user, t, **_tech_values(form.cleaned_data)),
                                  _("Technology saved."))
        if done:
            return redirect("markets-tech-detail", t.pk)
    return _form_page(request, form, _("Edit %(n)s") % {"n": t.number}, "markets-tech-list", status)


@login_required
def need_create(request):
    user = request.user
    counties = western_counties(user)
    require(counties.exists())
    status = 200
    form = NeedForm(request.POST or None, counties=counties)
    if request.method == "POST" and form.is_valid():
        n, status = run_action(form, request, lambda: actions.post_need(user, **form.cleaned_data), _("Need posted."))
        if n:
            return redirect("markets-tech-need", n.pk)
    return _form_page(request, form, _("Post a technology need"), "markets-tech-list", status)


@login_required
def need_edit(request, pk):
    user = request.user
    n = needs(user).filter(pk=pk).first()
    require(n is not None and rules.may_edit_region(user, n.county.code, n.county) is None)
    status = 200
    form = NeedForm(request.POST or None, editing=True, initial={"title": n.title, "problem": n.problem, "sector": n.sector,
                                                                   "ipc": n.ipc})
    if request.method == "POST" and form.is_valid():
        done, status = run_action(form, request, lambda: actions.edit_need(user, n, **form.cleaned_data), _("Need saved."))
        if done:
            return redirect("markets-tech-need", n.pk)
    return _form_page(request, form, _("Edit the need"), "markets-tech-list", status)


def _deal_form(user, data=None, **kwargs):
    return DealForm(data, licensees=organisations(user, "west"),
                    needs=TechNeed.objects.filter(county__in=western_counties(user)).order_by("-posted_on", "-id"), **kwargs)


@login_required
def tech_detail(request, pk):
    user = request.user
    t = technologies(user).filter(pk=pk).first()
    require(t is not None)
    return render(request, "markets/tech_match.html", {
        "obj": t, "is_tech": True, "matches": matching.needs_for(t, 10),
        "can_edit": rules.may_act_for(user, t.owner) is None,
        "can_sign": organisations(user, "west").exists(),
        "deals": deals(user).filter(technology=t),
    })


@login_required
def deal_create(request, pk):
    """Sign a deal for a technology (the licensee's side); its price is paid through the ledger."""
    user = request.user
    t = technologies(user).filter(pk=pk).first()
    require(t is not None and organisations(user, "west").exists())
    status = 200
    form = _deal_form(user, request.POST or None, initial={"need": request.GET.get("need") or None})
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        d, status = run_action(form, request, lambda: actions.sign_deal(
            user, technology=t, licensee=c["licensee"], kind=c["kind"], price_fen=c["price"],
            royalty_permille=c["royalty_permille"] or 0, need=c["need"], signed_on=c["signed_on"]),
            _("Deal signed; its price was paid through the ledger."), rename={"price_fen": "price"})
        if d:
            return redirect("markets-tech-deal", d.pk)
    return _form_page(request, form, _("Sign a deal for %(n)s") % {"n": t.number}, "markets-tech-list", status)


@login_required
def deal_detail(request, pk):
    user = request.user
    d = deals(user).filter(pk=pk).first()
    if d is None:
        from django.http import Http404

        raise Http404
    may = rules.may_act_for(user, d.licensee) is None
    status = 200
    form = ReturnForm(request.POST or None) if may else None
    if request.method == "POST":
        require(may)
        if form.is_valid():
            c = form.cleaned_data
            r, status = run_action(form, request, lambda: actions.record_return(
                user, deal=d, period_end=c["period_end"], revenue_fen=c["revenue"], cost_fen=c["cost"]),
                _("Return recorded; its royalty was paid through the ledger."), rename={"revenue_fen": "revenue", "cost_fen": "cost"})
            if r:
                return redirect("markets-tech-deal", d.pk)
        else:
            status = 200
    return render(request, "markets/tech_deal.html", {"deal": d, "returns": d.returns.order_by("period_end"), "form": form},
                  status=status)


@login_required
def need_detail(request, pk):
    user = request.user
    n = needs(user).filter(pk=pk).first()
    require(n is not None)
    return render(request, "markets/tech_match.html", {
        "obj": n, "is_tech": False, "matches": matching.technologies_for(n, 10),
        "can_edit": rules.may_edit_region(user, n.county.code, n.county) is None,
        "can_sign": organisations(user, "west").exists(),
    })


__all__ = ["fen_to_yuan_decimal"]

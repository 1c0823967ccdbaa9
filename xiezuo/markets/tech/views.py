"""Pages of the technology transfer centre: the catalogue, needs, each with its matches and
the reason (shared words, IPC class), and deals with their returns."""
from django.contrib.auth.decorators import login_required
from django.db.models import Sum
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _l

from xiezuo.core.excel import date_cell, export_response
from xiezuo.core.money import fen_to_yuan_decimal
from xiezuo.core.ui.views import background_export, export_or_job, paginate, require, wants_xlsx

from ..models import DealReturn
from . import matching
from .filtersets import deals, needs, technologies


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
    })


@login_required
def tech_detail(request, pk):
    t = technologies(request.user).filter(pk=pk).first()
    require(t is not None)
    return render(request, "markets/tech_match.html", {"obj": t, "is_tech": True, "matches": matching.needs_for(t, 10)})


@login_required
def need_detail(request, pk):
    n = needs(request.user).filter(pk=pk).first()
    require(n is not None)
    return render(request, "markets/tech_match.html", {"obj": n, "is_tech": False, "matches": matching.technologies_for(n, 10)})


__all__ = ["fen_to_yuan_decimal"]

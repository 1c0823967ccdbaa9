"""The assessment's pages: scorecards and the indicator system, and the closed loop that
follows from them (orders, warnings, incentives, proposals, tickets, rules)."""
from django.urls import path

from .views import loop as v
from .views import scorecards as views

urlpatterns = [
    path("scorecards/", views.scorecard_list, name="scorecard-list"),
    path("scorecards/recompute/", views.scorecard_recompute, name="scorecard-recompute"),
    path("scorecards/<str:kind>/<str:ident>/<str:period>/", views.scorecard_detail, name="scorecard-detail"),
    path("scorecards/<str:kind>/<str:ident>/<str:period>/evidence/<str:code>/", views.scorecard_evidence,
         name="scorecard-evidence"),
    path("scorecards/<str:kind>/<str:ident>/<str:period>/restate/", views.scorecard_restate, name="scorecard-restate"),
    path("indicators/", views.indicator_system, name="indicator-list"),
    path("indicators/edit/", views.indicator_edit, name="indicator-edit"),
    path("indicators/v<int:number>/", views.indicator_system, name="indicator-version"),
    path("orders/", v.order_list, name="order-list"),
    path("orders/new/", v.order_issue, name="order-issue"),
    path("orders/<int:pk>/", v.order_detail, name="order-detail"),
    path("orders/<int:pk>/close/", v.order_close, name="order-close"),
    path("orders/<int:pk>/verify/", v.order_verify, name="order-verify"),
    path("orders/evidence/<int:pk>/", v.order_attachment, name="order-attachment"),
    path("warnings/", v.warning_list, name="warning-list"),
    path("warnings/<int:pk>/acknowledge/", v.warning_acknowledge, name="warning-acknowledge"),
    path("incentives/", v.incentive_list, name="incentive-list"),
    path("proposals/", v.proposal_list, name="proposal-list"),
    path("proposals/<int:pk>/decide/", v.proposal_decide, name="proposal-decide"),
    path("tickets/", v.ticket_list, name="ticket-list"),
    path("tickets/<int:pk>/resolve/", v.ticket_resolve, name="ticket-resolve"),
    path("rules/", v.rule_list, name="rule-list"),
    path("rules/<int:pk>/edit/", v.rule_edit, name="rule-edit"),
    path("rules/apply/", v.rule_apply, name="rule-apply"),
]

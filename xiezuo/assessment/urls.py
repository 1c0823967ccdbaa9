"""Scorecards and the indicator system (the consequences have their own urls_loop)."""
from django.urls import path

from . import views

urlpatterns = [
    path("scorecards/", views.scorecard_list, name="scorecard-list"),
    path("scorecards/recompute/", views.scorecard_recompute, name="scorecard-recompute"),
    path("scorecards/<str:kind>/<str:ident>/<str:period>/", views.scorecard_detail, name="scorecard-detail"),
    path("scorecards/<str:kind>/<str:ident>/<str:period>/evidence/<str:code>/", views.scorecard_evidence,
         name="scorecard-evidence"),
    path("indicators/", views.indicator_system, name="indicator-list"),
    path("indicators/edit/", views.indicator_edit, name="indicator-edit"),
    path("indicators/v<int:number>/", views.indicator_system, name="indicator-version"),
]

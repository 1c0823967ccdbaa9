"""Pages of 防返贫监测."""
from django.urls import path

from . import views

urlpatterns = [
    path("households/", views.household_list, name="households-list"),
    path("households/export/", views.household_export, name="households-export"),
    path("households/figures/", views.figures_page, name="households-figures"),
    path("households/search/", views.person_search, name="households-search"),
    path("households/lines/", views.lines_page, name="households-lines"),
    path("households/<int:pk>/", views.household_detail, name="households-detail"),
    path("households/<int:pk>/edit/", views.household_edit, name="households-edit"),
    path("households/<int:pk>/clue/", views.clue_create, name="households-clue"),
    path("households/<int:pk>/help/", views.help_create, name="households-help"),
    path("households/<int:pk>/cases/<int:case_pk>/consent/", views.case_consent, name="households-consent"),
    path("households/<int:pk>/cases/<int:case_pk>/step/", views.case_step, name="households-step"),
    path("households/<int:pk>/cases/<int:case_pk>/decide/", views.case_decide, name="households-decide"),
]

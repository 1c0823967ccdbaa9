"""Pages of 结对优化."""
from django.urls import path

from . import views

urlpatterns = [
    path("repairing/", views.scenario_list, name="repairing-scenario-list"),
    path("repairing/new/", views.scenario_create, name="repairing-scenario-create"),
    path("repairing/compare/", views.scenario_compare, name="repairing-scenario-compare"),
    path("repairing/model/", views.model_page, name="repairing-model"),
    path("repairing/model/edit/", views.model_edit, name="repairing-model-edit"),
    path("repairing/<int:pk>/", views.scenario_detail, name="repairing-scenario-detail"),
    path("repairing/<int:pk>/approve-all/", views.scenario_approve_all, name="repairing-scenario-approve-all"),
    path("repairing/changes/<int:pk>/approve/", views.change_approve, name="repairing-change-approve"),
]

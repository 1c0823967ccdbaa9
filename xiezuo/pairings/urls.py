"""Pages of pairings and agreements."""
from django.urls import path

from . import views

urlpatterns = [
    path("pairings/", views.pairing_list, name="pairing-list"),
    path("pairings/new/", views.pairing_create, name="pairing-create"),
    path("pairings/requests/", views.pairing_requests, name="pairing-requests"),
    path("pairings/<int:pk>/approve/", views.pairing_approve, name="pairing-approve"),
    path("pairings/<int:pk>/reject/", views.pairing_reject, name="pairing-reject"),
    path("pairings/<int:pk>/", views.pairing_detail, name="pairing-detail"),
    path("pairings/<int:pk>/adjust/", views.pairing_adjust, name="pairing-adjust"),
    path("pairings/<int:pk>/end/", views.pairing_end, name="pairing-end"),
    path("agreements/", views.agreement_list, name="agreement-list"),
    path("agreements/new/", views.agreement_create, name="agreement-create"),
    path("agreements/<int:pk>/", views.agreement_detail, name="agreement-detail"),
    path("agreements/<int:pk>/edit/", views.agreement_edit, name="agreement-edit"),
]

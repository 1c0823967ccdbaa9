"""Pages of pairings and agreements."""
from django.urls import path

from xiezuo.web.views import agreements, pairings

urlpatterns = [
    path("pairings/", pairings.pairing_list, name="pairing-list"),
    path("pairings/new/", pairings.pairing_create, name="pairing-create"),
    path("pairings/<int:pk>/", pairings.pairing_detail, name="pairing-detail"),
    path("pairings/<int:pk>/adjust/", pairings.pairing_adjust, name="pairing-adjust"),
    path("pairings/<int:pk>/end/", pairings.pairing_end, name="pairing-end"),
    path("agreements/", agreements.agreement_list, name="agreement-list"),
    path("agreements/new/", agreements.agreement_create, name="agreement-create"),
    path("agreements/<int:pk>/", agreements.agreement_detail, name="agreement-detail"),
    path("agreements/<int:pk>/edit/", agreements.agreement_edit, name="agreement-edit"),
]

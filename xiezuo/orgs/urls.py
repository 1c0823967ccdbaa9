"""Pages of organisations."""
from django.urls import path

from xiezuo.web.views import orgs

urlpatterns = [
    path("orgs/", orgs.org_list, name="org-list"),
    path("orgs/new/", orgs.org_create, name="org-create"),
    path("orgs/<int:pk>/", orgs.org_detail, name="org-detail"),
    path("orgs/<int:pk>/edit/", orgs.org_edit, name="org-edit"),
]

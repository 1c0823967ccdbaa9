"""Pages of organisations."""
from django.urls import path

from . import views

urlpatterns = [
    path("orgs/", views.org_list, name="org-list"),
    path("orgs/new/", views.org_create, name="org-create"),
    path("orgs/search.json", views.org_search, name="org-search"),
    path("orgs/<int:pk>/", views.org_detail, name="org-detail"),
    path("orgs/<int:pk>/edit/", views.org_edit, name="org-edit"),
]

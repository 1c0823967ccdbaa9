"""Pages of the region tree."""
from django.urls import path

from . import views

urlpatterns = [
    path("regions/", views.region_list, name="region-list"),
    path("regions/suggest/", views.region_suggest, name="region-suggest"),
    path("regions/search.json", views.region_search, name="region-search"),
    path("regions/<str:code>/", views.region_detail, name="region-detail"),
    path("regions/<str:code>/children/", views.region_children, name="region-children"),
    path("regions/<str:code>/facts/", views.region_facts, name="region-facts"),
    path("regions/<str:code>/key-assistance/", views.region_key_assistance, name="region-key-assistance"),
]

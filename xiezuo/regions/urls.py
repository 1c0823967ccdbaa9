"""Pages of the region tree."""
from django.urls import path

from xiezuo.web.views import regions

urlpatterns = [
    path("regions/", regions.region_list, name="region-list"),
    path("regions/suggest/", regions.region_suggest, name="region-suggest"),
    path("regions/<str:code>/", regions.region_detail, name="region-detail"),
    path("regions/<str:code>/children/", regions.region_children, name="region-children"),
    path("regions/<str:code>/facts/", regions.region_facts, name="region-facts"),
    path("regions/<str:code>/key-assistance/", regions.region_key_assistance, name="region-key-assistance"),
]

"""Every app mounts its own pages; the API mounts every app's router (xiezuo.api.urls)."""
from django.contrib import admin
from django.urls import include, path

from xiezuo.api.urls import api

APPS_WITH_PAGES = ("users", "web", "live", "regions", "orgs", "pairings", "projects", "people", "ledger", "core",
                   "assessment", "rhythm",
                   "households", "labour", "consumption", "social", "markets", "repairing")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    *(path("", include(f"xiezuo.{app}.urls")) for app in APPS_WITH_PAGES),
]

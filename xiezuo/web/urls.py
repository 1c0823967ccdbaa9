"""Pages that span apps: the home page and the Excel import pages."""
from django.templatetags.static import static
from django.urls import path
from django.views.generic import RedirectView

from . import imports, views

urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", RedirectView.as_view(url=static("favicon.svg"), permanent=True)),
    path("imports/", imports.index, name="import-index"),
    path("imports/<slug:kind>/", imports.run, name="import-run"),
    path("imports/<slug:kind>/template.xlsx", imports.template, name="import-template"),
    path("imports/<slug:kind>/errors.xlsx", imports.errors, name="import-errors"),
]

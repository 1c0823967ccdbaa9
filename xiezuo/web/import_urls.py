from django.urls import path

from . import imports

urlpatterns = [
    path("imports/", imports.index, name="import-index"),
    path("imports/<slug:kind>/", imports.run, name="import-run"),
    path("imports/<slug:kind>/template.xlsx", imports.template, name="import-template"),
    path("imports/<slug:kind>/errors.xlsx", imports.errors, name="import-errors"),
]
